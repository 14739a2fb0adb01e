// What the processor and the OS let the SIMD paths use, asked once (cpuid; xgetbv for the YMM,
// opmask and ZMM state the OS saves): the scanners pick their path from it at run time, so one binary runs
// on any x86-64 and uses AVX2 where it is there.
#ifndef CTAPSIMD_CPU_H
#define CTAPSIMD_CPU_H

#define TAP_CPU_AVX2 1u    // AVX2, with the OS saving YMM registers
#define TAP_CPU_BMI 2u     // BMI1 and BMI2
#define TAP_CPU_PCLMUL 4u  // carry-less multiply
#define TAP_CPU_AVX512BW 8u  // AVX-512 F and BW, with the OS saving opmask and ZMM registers

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <cpuid.h>

static inline unsigned tap_cpu_features(void) {
    static int cached = -1;
    if (cached >= 0) return (unsigned)cached;
    unsigned a, b, c, d, features = 0;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        if (c & bit_PCLMUL) features |= TAP_CPU_PCLMUL;
        if ((c & bit_OSXSAVE) && (c & bit_AVX)) {
            unsigned lo, hi;
            __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            (void)hi;
            if ((lo & 6) == 6 && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {  // XMM and YMM state
                if (b & bit_AVX2) features |= TAP_CPU_AVX2;
                if ((b & bit_BMI) && (b & bit_BMI2)) features |= TAP_CPU_BMI;
                // XCR0 bits 5-7: opmask, upper ZMM halves, ZMM16-31.
                if ((lo & 0xE0) == 0xE0 && (b & bit_AVX512F) && (b & bit_AVX512BW)) features |= TAP_CPU_AVX512BW;
            }
        }
    }
    cached = (int)features;
    return features;
}
#else
static inline unsigned tap_cpu_features(void) { return 0; }
#endif

#endif
