// Byte-class masks for TapCodec's JSON validator, 16 and 32 bytes at a time.
//
// Why C: Swift 6.3's SIMD16<UInt8> comparisons compile to per-lane loops that spill through
// the stack (checked with `swiftc -O -emit-assembly`), several times slower than the scalar
// SWAR code they were meant to replace. These static inline SSE2 intrinsics (x86-64's
// baseline, so no runtime dispatch) are inlined into the Swift callers by the Clang importer.
// Other architectures get a portable scalar version with the same results.
#ifndef CTAPSIMD_H
#define CTAPSIMD_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>

/// Bit i is set when byte i of the 16 at `p` ends a plain run of string bytes: `"`, `\`,
/// a control character (< 0x20) or a non-ASCII byte (>= 0x80). Unaligned load.
static inline uint32_t tap_string_special16(const void *p) {
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);  // v <= 0x1F
    // The sign bit is the non-ASCII test, so `v` joins the OR as it is.
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), _mm_or_si128(control, v)));
}

/// As `tap_string_special16` for the 32 bytes at `p`, and (bit 32 + i) set when byte i is
/// the special byte `"`: one call tells where a short string ends and whether it ends there.
static inline uint64_t tap_string_special_quote32(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), controls = _mm_set1_epi8(0x1F);
    __m128i v0 = _mm_loadu_si128((const __m128i *)b), v1 = _mm_loadu_si128((const __m128i *)(b + 16));
    __m128i q0 = _mm_cmpeq_epi8(v0, quote), q1 = _mm_cmpeq_epi8(v1, quote);
    __m128i s0 = _mm_or_si128(_mm_or_si128(q0, _mm_cmpeq_epi8(v0, backslash)),
                              _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v0, controls), v0), v0));
    __m128i s1 = _mm_or_si128(_mm_or_si128(q1, _mm_cmpeq_epi8(v1, backslash)),
                              _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v1, controls), v1), v1));
    uint64_t special = (uint32_t)_mm_movemask_epi8(s0) | (uint64_t)(uint32_t)_mm_movemask_epi8(s1) << 16;
    uint64_t quotes = (uint32_t)_mm_movemask_epi8(q0) | (uint64_t)(uint32_t)_mm_movemask_epi8(q1) << 16;
    return special | quotes << 32;
}

/// Bit i is set when byte i of the 32 at `p` is `"` or `\\` (the bytes that can end a string
/// in text already known to be valid JSON).
static inline uint32_t tap_quote_backslash32(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    __m128i v0 = _mm_loadu_si128((const __m128i *)b), v1 = _mm_loadu_si128((const __m128i *)(b + 16));
    uint32_t m0 = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v0, quote), _mm_cmpeq_epi8(v0, backslash)));
    uint32_t m1 = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v1, quote), _mm_cmpeq_epi8(v1, backslash)));
    return m0 | m1 << 16;
}

/// Bit i is set when byte i of the 16 at `p` is non-ASCII (>= 0x80).
static inline uint32_t tap_nonascii16(const void *p) {
    return (uint32_t)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)p));
}

#else

static inline uint32_t tap_string_special16(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    uint32_t mask = 0;
    for (int k = 0; k < 16; k++) {
        uint8_t c = b[k];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) mask |= 1u << k;
    }
    return mask;
}

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

static inline uint32_t tap_quote_backslash32(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    uint32_t mask = 0;
    for (int k = 0; k < 32; k++) {
        if (b[k] == '"' || b[k] == '\\') mask |= 1u << k;
    }
    return mask;
}

static inline uint32_t tap_nonascii16(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    uint32_t mask = 0;
    for (int k = 0; k < 16; k++) {
        if (b[k] >= 0x80) mask |= 1u << k;
    }
    return mask;
}

#endif

/// The bytes of a 64-byte block that matter inside a JSON string, one bit per byte.
typedef struct {
    uint64_t quote;      // '"'
    uint64_t backslash;  // '\\'
    uint64_t control;    // < 0x20
    uint64_t nonascii;   // >= 0x80
} tap_string_block;

#if defined(__SSE2__)
static inline void tap_string_masks16(const uint8_t *p, uint64_t shift, tap_string_block *out) {
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    out->quote |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))) << shift;
    out->backslash |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))) << shift;
    out->control |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v)) << shift;
    out->nonascii |= (uint64_t)(uint32_t)_mm_movemask_epi8(v) << shift;
}
#else
static inline void tap_string_masks16(const uint8_t *p, uint64_t shift, tap_string_block *out) {
    for (int k = 0; k < 16; k++) {
        uint8_t c = p[k];
        uint64_t bit = (uint64_t)1 << (shift + k);
        if (c == '"') out->quote |= bit;
        if (c == '\\') out->backslash |= bit;
        if (c < 0x20) out->control |= bit;
        if (c >= 0x80) out->nonascii |= bit;
    }
}
#endif

/// The masks of the 64 bytes at `p` (unaligned; all 64 must be readable).
static inline tap_string_block tap_string_masks64(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    tap_string_block block = {0, 0, 0, 0};
    tap_string_masks16(b, 0, &block);
    tap_string_masks16(b + 16, 16, &block);
    tap_string_masks16(b + 32, 32, &block);
    tap_string_masks16(b + 48, 48, &block);
    return block;
}

/// The 32 bytes at `p`: bit i for byte i, as `tap_string_special16`.
static inline uint32_t tap_string_special32(const void *p) {
    return tap_string_special16(p) | tap_string_special16((const uint8_t *)p + 16) << 16;
}

#endif
