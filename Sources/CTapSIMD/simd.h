// Byte-class bit masks for TapCodec's JSON validator and scanner, 32 or 64 bytes at a time.
//
// Why C: Swift 6.3's SIMD16<UInt8> comparisons compile to per-lane loops that spill through
// the stack (checked with `swiftc -O -emit-assembly`), slower than the scalar SWAR code they
// were meant to replace. These static inline SSE2 intrinsics (x86-64's baseline, so no runtime
// dispatch) are inlined into the Swift callers by the Clang importer. Other architectures get
// portable loops with the same results. Bit i of a mask is byte i (unaligned loads; every byte
// of the 32 or 64 must be readable, which the callers check).
#ifndef CTAPSIMD_H
#define CTAPSIMD_H

#include <stdint.h>

/// The bytes of a 64-byte block that matter inside a JSON string.
typedef struct {
    uint64_t quote;      // '"'
    uint64_t backslash;  // '\\'
    uint64_t control;    // < 0x20
    uint64_t nonascii;   // >= 0x80
} tap_string_block;

#if defined(__SSE2__)
#include <emmintrin.h>

static inline __m128i tap_control16(__m128i v) {
    return _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);  // v <= 0x1F, unsigned
}

/// Bits 0-31: the bytes that end a plain run of string bytes (`"`, `\`, a control character,
/// a non-ASCII byte); bits 32-63: the quotes among them. One call tells where a short string
/// ends and whether it ends there.
static inline uint64_t tap_string_special_quote32(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    __m128i v0 = _mm_loadu_si128((const __m128i *)b), v1 = _mm_loadu_si128((const __m128i *)(b + 16));
    __m128i q0 = _mm_cmpeq_epi8(v0, quote), q1 = _mm_cmpeq_epi8(v1, quote);
    // The sign bit is the non-ASCII test, so `v` joins the OR as it is.
    __m128i s0 = _mm_or_si128(_mm_or_si128(q0, _mm_cmpeq_epi8(v0, backslash)), _mm_or_si128(tap_control16(v0), v0));
    __m128i s1 = _mm_or_si128(_mm_or_si128(q1, _mm_cmpeq_epi8(v1, backslash)), _mm_or_si128(tap_control16(v1), v1));
    uint64_t special = (uint32_t)_mm_movemask_epi8(s0) | (uint64_t)(uint32_t)_mm_movemask_epi8(s1) << 16;
    uint64_t quotes = (uint32_t)_mm_movemask_epi8(q0) | (uint64_t)(uint32_t)_mm_movemask_epi8(q1) << 16;
    return special | quotes << 32;
}

static inline void tap_string_masks16(const uint8_t *p, int shift, tap_string_block *out) {
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    out->quote |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))) << shift;
    out->backslash |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))) << shift;
    out->control |= (uint64_t)(uint32_t)_mm_movemask_epi8(tap_control16(v)) << shift;
    out->nonascii |= (uint64_t)(uint32_t)_mm_movemask_epi8(v) << shift;
}

/// The `"` and `\` of the 32 bytes at `p` (what can end a string in text known to be JSON).
static inline uint32_t tap_quote_backslash32(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    __m128i v0 = _mm_loadu_si128((const __m128i *)b), v1 = _mm_loadu_si128((const __m128i *)(b + 16));
    uint32_t m0 = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v0, quote), _mm_cmpeq_epi8(v0, backslash)));
    uint32_t m1 = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v1, quote), _mm_cmpeq_epi8(v1, backslash)));
    return m0 | m1 << 16;
}

#else

static inline uint64_t tap_string_special_quote32(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    uint64_t mask = 0;
    for (int k = 0; k < 32; k++) {
        uint8_t c = b[k];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) mask |= (uint64_t)1 << k;
        if (c == '"') mask |= (uint64_t)1 << (32 + k);
    }
    return mask;
}

static inline void tap_string_masks16(const uint8_t *p, int shift, tap_string_block *out) {
    for (int k = 0; k < 16; k++) {
        uint8_t c = p[k];
        uint64_t bit = (uint64_t)1 << (shift + k);
        if (c == '"') out->quote |= bit;
        if (c == '\\') out->backslash |= bit;
        if (c < 0x20) out->control |= bit;
        if (c >= 0x80) out->nonascii |= bit;
    }
}

static inline uint32_t tap_quote_backslash32(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    uint32_t mask = 0;
    for (int k = 0; k < 32; k++) {
        if (b[k] == '"' || b[k] == '\\') mask |= 1u << k;
    }
    return mask;
}

#endif

/// The four masks of the 64 bytes at `p`.
static inline tap_string_block tap_string_masks64(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    tap_string_block block = {0, 0, 0, 0};
    tap_string_masks16(b, 0, &block);
    tap_string_masks16(b + 16, 16, &block);
    tap_string_masks16(b + 32, 32, &block);
    tap_string_masks16(b + 48, 48, &block);
    return block;
}

#endif
