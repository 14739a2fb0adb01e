// The byte classes JSONScanner.skipValue needs to find the end of an array or object 64 bytes
// at a time: quotes, backslashes, opening and closing brackets (SSE2, x86-64's baseline, so no
// run-time choice; a portable loop elsewhere gives the same masks). Bit i is byte i; all 64
// bytes must be readable.
#ifndef CTAPSIMD_SKIP_H
#define CTAPSIMD_SKIP_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct {
    uint64_t quote, backslash, open, close;  // `"`, `\\`, `{` or `[`, `}` or `]`
} tap_skip_masks;

static inline tap_skip_masks tap_skip_masks64(const uint8_t *p) {
    tap_skip_masks m = {0, 0, 0, 0};
#if defined(__SSE2__)
    for (int part = 0; part < 4; part++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * part));
        int shift = 16 * part;
        m.quote |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))) << shift;
        m.backslash |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))) << shift;
        // `{` 0x7B and `[` 0x5B differ only in bit 5, as do `}` 0x7D and `]` 0x5D.
        __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        m.open |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(folded, _mm_set1_epi8('{'))) << shift;
        m.close |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(folded, _mm_set1_epi8('}'))) << shift;
    }
#else
    for (int k = 0; k < 64; k++) {
        uint8_t c = p[k];
        uint64_t bit = (uint64_t)1 << k;
        if (c == '"') m.quote |= bit;
        if (c == '\\') m.backslash |= bit;
        if ((c | 0x20) == '{') m.open |= bit;
        if ((c | 0x20) == '}') m.close |= bit;
    }
#endif
    return m;
}

#endif
