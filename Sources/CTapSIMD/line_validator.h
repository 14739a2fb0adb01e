// A record line's RFC 8259 validation in one pass of 64-byte blocks (AVX2, BMI, PCLMUL),
// simdjson's two stages interleaved block by block:
//   stage 1 (per block, no branch per byte): quote, backslash, control, whitespace and
//   structural masks; escaped bytes (simdjson's carry arithmetic); the in-string mask as the
//   carry-less product's prefix xor; UTF-8 checked with simdjson's three nibble lookups;
//   escape letters checked with a two-nibble set lookup; the first `\n` ends the line.
//   stage 2 (per token): a walk over the structural bitmap (containers, `:`, `,`, the opening
//   quote of each string, the first byte of each number or literal) with a goto state machine,
//   numbers and literals checked in place. String contents never reach stage 2.
// Stage 1 comes in two forms with the same masks bit for bit: AVX2 (two 32-byte halves per
// block) and AVX-512 BW (one register per block, compares straight into 64-bit masks; ~10 %
// less CPU on the 200 MB codec scan), each with its own copy of the walk (line_walk.h) so that
// the AVX-512 one is inlined into it. Chosen at run time (`tap_simd_level`: cpuid and xgetbv,
// so the binary still runs on any x86-64; TAPCODEC_SIMD=0 forces the fallback, =1 AVX2);
// elsewhere, or when the level is 0, the Swift validator (SSE2 masks) runs instead.
//
// The answer is one-sided by design: a result >= 0 is exact (the line is a valid object and
// ends at that `\n`); -1 means "not shown valid here" (invalid, incomplete, or nested deeper
// than 64) and the caller then asks the Swift validator, so a rare shape costs time, never a
// wrong verdict.
#ifndef CTAPSIMD_LINE_VALIDATOR_H
#define CTAPSIMD_LINE_VALIDATOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/// Top-level keys whose values the line validator notes while it walks a line
/// (`tap_validate_line_fields`), so a caller needs no second pass to find them. The caller fills
/// `count`, `key_bytes` (the keys' bytes one after another, none holding a `"`, a `\\` or a
/// control byte), `key_len` and `span` (room for 2 * count). On a line found valid, `span[2i]`
/// and `span[2i+1]` are the start and end of the value of the first member named key i, or -1
/// and garbage when there is none; `unsure` is 1 when some top-level key holds an escape (it
/// may decode to an asked key): the spans are then not to be trusted.
typedef struct {
    int count;
    const uint8_t *key_bytes;
    const size_t *key_len;
    long *span;
    int unsure;
} tap_fields;

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define TAP_HAVE_AVX2_PATH 1
#include "cpu.h"
#include <immintrin.h>

#define TAP_AVX2 __attribute__((target("avx2,bmi,bmi2,pclmul")))
#define TAP_AVX512 __attribute__((target("avx2,bmi,bmi2,pclmul,avx512f,avx512bw")))

/// 1 when the CPU and OS support AVX2 + BMI1/2 + PCLMUL, else 0.
static inline int tap_cpu_has_avx2_path(void) {
    unsigned all = TAP_CPU_AVX2 | TAP_CPU_BMI | TAP_CPU_PCLMUL;
    return (tap_cpu_features() & all) == all;
}

/// 1 when the CPU has AVX-512 F and BW and the OS saves their registers, else 0.
static inline int tap_cpu_has_avx512bw(void) { return (tap_cpu_features() & TAP_CPU_AVX512BW) != 0; }

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t block;        // offset of the block whose tokens are in `tokens`
    size_t next_block;   // offset of the next block to classify
    size_t nl;           // offset of the line's `\n` once seen
    uint64_t tokens;     // structural positions left in the current block
    int seen_nl;
    uint64_t escape_carry;   // 1 when the next block's first byte is escaped
    uint64_t string_carry;   // all ones when the next block starts inside a string
    uint64_t scalar_carry;   // 1 when the previous byte is a non-quote scalar byte
    int prev_nonascii;
    __m256i prev_hi;         // the previous 32 bytes (UTF-8 sequences straddling halves)
    __m512i prev_block;      // the previous 64 bytes (the AVX-512 stage 1)
    size_t unicode_until;    // the low half of a `\u` pair is checked up to here
} tap_line_state;

TAP_AVX2 static inline uint64_t tap_eq64(__m256i lo, __m256i hi, char ch) {
    __m256i k = _mm256_set1_epi8(ch);
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, k)) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, k)) << 32;
}

TAP_AVX2 static inline uint64_t tap_bits64(__m256i lo, __m256i hi) {
    return (uint32_t)_mm256_movemask_epi8(lo) | (uint64_t)(uint32_t)_mm256_movemask_epi8(hi) << 32;
}

TAP_AVX2 static inline __m256i tap_prev_n(__m256i input, __m256i prev, int n) {
    __m256i joined = _mm256_permute2x128_si256(prev, input, 0x21);
    switch (n) {
    case 1: return _mm256_alignr_epi8(input, joined, 15);
    case 2: return _mm256_alignr_epi8(input, joined, 14);
    default: return _mm256_alignr_epi8(input, joined, 13);
    }
}

TAP_AVX2 static inline __m256i tap_lookup16(__m256i idx, uint8_t t0, uint8_t t1, uint8_t t2, uint8_t t3,
                                            uint8_t t4, uint8_t t5, uint8_t t6, uint8_t t7, uint8_t t8,
                                            uint8_t t9, uint8_t t10, uint8_t t11, uint8_t t12, uint8_t t13,
                                            uint8_t t14, uint8_t t15) {
    __m256i table = _mm256_setr_epi8((char)t0, (char)t1, (char)t2, (char)t3, (char)t4, (char)t5, (char)t6,
                                     (char)t7, (char)t8, (char)t9, (char)t10, (char)t11, (char)t12, (char)t13,
                                     (char)t14, (char)t15, (char)t0, (char)t1, (char)t2, (char)t3, (char)t4,
                                     (char)t5, (char)t6, (char)t7, (char)t8, (char)t9, (char)t10, (char)t11,
                                     (char)t12, (char)t13, (char)t14, (char)t15);
    return _mm256_shuffle_epi8(table, idx);
}

/// simdjson's UTF-8 lookup check of 32 bytes given the 32 before: nonzero bytes are errors,
/// at the position where the error shows (an unfinished sequence shows at the next byte).
TAP_AVX2 static inline __m256i tap_utf8_errors(__m256i input, __m256i prev_input) {
    const uint8_t TOO_SHORT = 1 << 0, TOO_LONG = 1 << 1, OVERLONG_3 = 1 << 2, TOO_LARGE = 1 << 3,
                  SURROGATE = 1 << 4, OVERLONG_2 = 1 << 5, TOO_LARGE_1000 = 1 << 6, OVERLONG_4 = 1 << 6,
                  TWO_CONTS = 1 << 7;
    const uint8_t CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS;
    __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i prev1 = tap_prev_n(input, prev_input, 1);
    __m256i byte_1_high = tap_lookup16(_mm256_and_si256(_mm256_srli_epi16(prev1, 4), nib), TOO_LONG, TOO_LONG,
                                       TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TWO_CONTS,
                                       TWO_CONTS, TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,
                                       TOO_SHORT | OVERLONG_3 | SURROGATE,
                                       TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    __m256i byte_1_low = tap_lookup16(
        _mm256_and_si256(prev1, nib), CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
        CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000);
    __m256i byte_2_high = tap_lookup16(
        _mm256_and_si256(_mm256_srli_epi16(input, 4), nib), TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE, TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
    __m256i special = _mm256_and_si256(_mm256_and_si256(byte_1_high, byte_1_low), byte_2_high);
    __m256i prev2 = tap_prev_n(input, prev_input, 2), prev3 = tap_prev_n(input, prev_input, 3);
    __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i must23_80 = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must23_80, special);
}

static inline int tap_hex4(const uint8_t *p, uint32_t *out) {
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        uint8_t c = p[k], d;
        if (c >= '0' && c <= '9') d = (uint8_t)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (uint8_t)((c | 0x20) - 'a' + 10);
        else return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

/// The `\u` escape whose `u` is at `at`: four hex digits, surrogates only as a high-low pair.
static inline int tap_unicode_escape_ok(tap_line_state *s, size_t at) {
    if (at < s->unicode_until) return 1;  // the low half of a pair, checked with its high half
    uint32_t unit, low;
    if (at + 5 > s->len || !tap_hex4(s->buf + at + 1, &unit)) return 0;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        if (at + 11 > s->len || s->buf[at + 5] != '\\' || s->buf[at + 6] != 'u' ||
            !tap_hex4(s->buf + at + 7, &low) || low < 0xDC00 || low > 0xDFFF)
            return 0;
        s->unicode_until = at + 7;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return 0;
    }
    return 1;
}

// The scalar parts of stage 1, the same whichever instructions made the block's masks (AVX2 or
// AVX-512): written once, inlined into both classifiers.

/// The bytes up to and before the line's `\n` in this block (all ones when it holds none); the
/// first `\n` found is noted in `s`.
__attribute__((always_inline)) static inline void tap_block_newline(tap_line_state *s, size_t at, uint64_t newline,
                                                                    uint64_t *upto, uint64_t *before) {
    *upto = ~(uint64_t)0;
    *before = ~(uint64_t)0;
    if (newline) {
        uint64_t first = newline & (0 - newline);
        *upto = first ^ (first - 1);
        *before = first - 1;
        s->seen_nl = 1;
        s->nl = at + (size_t)__builtin_ctzll(newline);
    }
}

/// The escaped bytes (simdjson's carry arithmetic) into `escaped`, the escaped quotes out of
/// `quote`, and the in-string mask (the carry-less product's prefix xor of the quotes) returned;
/// both carried into the next block through `s`.
__attribute__((target("pclmul"), always_inline)) static inline uint64_t tap_block_strings(tap_line_state *s,
                                                                                           uint64_t backslash,
                                                                                           uint64_t *quote,
                                                                                           uint64_t *escaped) {
    *escaped = s->escape_carry;
    if (backslash) {
        const uint64_t odd = 0xAAAAAAAAAAAAAAAAULL;
        uint64_t potential = backslash & ~s->escape_carry;
        uint64_t terminal = (((potential << 1) | odd) - potential) ^ odd;
        *escaped = terminal ^ (backslash | s->escape_carry);
        s->escape_carry = (terminal & backslash) >> 63;
    } else {
        s->escape_carry = 0;
    }
    *quote &= ~*escaped;
    uint64_t in_string =
        (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)*quote), _mm_set1_epi8((char)0xFF), 0)) ^
        s->string_carry;
    s->string_carry = (uint64_t)((int64_t)in_string >> 63);
    return in_string;
}

/// The block's tokens into `s`: structural bytes and the first byte of each scalar (a string's
/// opening quote, a number, a literal, or junk), outside strings and before the `\n`.
__attribute__((always_inline)) static inline void tap_block_tokens(tap_line_state *s, size_t at, uint64_t op, uint64_t ws,
                                                                   uint64_t quote, uint64_t in_string, uint64_t before) {
    uint64_t scalar = ~(op | ws);
    uint64_t nonquote_scalar = scalar & ~quote;
    uint64_t follows = nonquote_scalar << 1 | s->scalar_carry;
    s->scalar_carry = nonquote_scalar >> 63;
    uint64_t string_tail = in_string ^ quote;
    s->tokens = (op | (scalar & ~follows)) & ~string_tail & before;
    s->block = at;
    s->next_block = at + 64;
}

/// Stage 1 of the next block: its tokens into `s->tokens`; 0 on an error before the line's end.
TAP_AVX2 static inline int tap_classify_block(tap_line_state *s) {
    size_t at = s->next_block;
    const uint8_t *p = s->buf + at;
    uint8_t tail[64];
    if (at + 64 > s->len) {
        // The last bytes of the data: spaces after them (no `\n`, so the line stays unfinished).
        memset(tail, ' ', 64);
        memcpy(tail, p, s->len - at);
        p = tail;
    }
    __m256i lo = _mm256_loadu_si256((const __m256i *)p), hi = _mm256_loadu_si256((const __m256i *)(p + 32));
    uint64_t newline = tap_eq64(lo, hi, '\n');
    uint64_t upto, before;  // bytes up to and before the `\n`
    tap_block_newline(s, at, newline, &upto, &before);
    uint64_t backslash = tap_eq64(lo, hi, '\\');
    uint64_t quote = tap_eq64(lo, hi, '"');
    uint64_t escaped;
    uint64_t in_string = tap_block_strings(s, backslash, &quote, &escaped);
    // Whitespace and the six structural bytes, simdjson's shuffle tables.
    __m256i ws_table = _mm256_setr_epi8(' ', 100, 100, 100, 17, 100, 113, 2, 100, '\t', '\n', 112, 100, '\r', 100, 100,
                                        ' ', 100, 100, 100, 17, 100, 113, 2, 100, '\t', '\n', 112, 100, '\r', 100, 100);
    __m256i op_table = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0,
                                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0);
    __m256i curly = _mm256_set1_epi8(0x20);
    uint64_t ws = tap_bits64(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(ws_table, lo), lo),
                             _mm256_cmpeq_epi8(_mm256_shuffle_epi8(ws_table, hi), hi));
    uint64_t op = tap_bits64(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(op_table, lo), _mm256_or_si256(lo, curly)),
                             _mm256_cmpeq_epi8(_mm256_shuffle_epi8(op_table, hi), _mm256_or_si256(hi, curly)));
    __m256i c1f = _mm256_set1_epi8(0x1F);
    uint64_t control = tap_bits64(_mm256_cmpeq_epi8(_mm256_min_epu8(lo, c1f), lo), _mm256_cmpeq_epi8(_mm256_min_epu8(hi, c1f), hi));
    // A control byte is an error in a string, and outside one unless it is whitespace. (The
    // structural table also matches 0x0C and 0x1A; both are control bytes, so errors here.)
    uint64_t errors = control & (in_string | ~ws);
    if (escaped) {
        // The escaped bytes must be one of "\/bfnrtu: hi-nibble bit & lo-nibble bits.
        __m256i nib = _mm256_set1_epi8(0x0F);
        __m256i lo_tab = _mm256_setr_epi8(0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1,
                                          0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1);
        __m256i hi_tab = _mm256_setr_epi8(0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0);
        __m256i zero = _mm256_setzero_si256();
        __m256i vlo = _mm256_and_si256(_mm256_shuffle_epi8(lo_tab, _mm256_and_si256(lo, nib)),
                                       _mm256_shuffle_epi8(hi_tab, _mm256_and_si256(_mm256_srli_epi16(lo, 4), nib)));
        __m256i vhi = _mm256_and_si256(_mm256_shuffle_epi8(lo_tab, _mm256_and_si256(hi, nib)),
                                       _mm256_shuffle_epi8(hi_tab, _mm256_and_si256(_mm256_srli_epi16(hi, 4), nib)));
        uint64_t invalid = tap_bits64(_mm256_cmpeq_epi8(vlo, zero), _mm256_cmpeq_epi8(vhi, zero));
        errors |= escaped & invalid;
        uint64_t unicode = escaped & tap_eq64(lo, hi, 'u') & upto;
        while (unicode) {
            if (!tap_unicode_escape_ok(s, at + (size_t)__builtin_ctzll(unicode))) return 0;
            unicode &= unicode - 1;
        }
    }
    uint64_t nonascii = tap_bits64(lo, hi);
    if (nonascii | s->prev_nonascii) {
        __m256i zero = _mm256_setzero_si256();
        __m256i e_lo = tap_utf8_errors(lo, s->prev_hi), e_hi = tap_utf8_errors(hi, lo);
        errors |= ~tap_bits64(_mm256_cmpeq_epi8(e_lo, zero), _mm256_cmpeq_epi8(e_hi, zero));
    }
    if (errors & upto) return 0;
    s->prev_nonascii = nonascii != 0;
    s->prev_hi = hi;
    tap_block_tokens(s, at, op, ws, quote, in_string, before);
    return 1;
}


// Stage 1 in AVX-512 (F and BW): the same masks and checks as `tap_classify_block`, but a
// 64-byte block is one register and each compare gives its 64-bit mask directly, where AVX2
// needs two compares, two movemasks and a shift and an or per mask (fewer instructions per
// block: measured in bench/README.md, "codec-scan.sh, session 5"). The data's last bytes are
// read with a masked load (spaces in the rest, no byte past the data touched).

/// The 64 bytes of `input` each moved `n` places later, the first `n` from the end of `prev`.
TAP_AVX512 static inline __m512i tap_prev512(__m512i input, __m512i prev, int n) {
    // Each 128-bit lane of `joined` is the lane before it in the stream: prev's last, then
    // input's first three.
    __m512i joined = _mm512_permutex2var_epi64(prev, _mm512_set_epi64(13, 12, 11, 10, 9, 8, 7, 6), input);
    switch (n) {
    case 1: return _mm512_alignr_epi8(input, joined, 15);
    case 2: return _mm512_alignr_epi8(input, joined, 14);
    default: return _mm512_alignr_epi8(input, joined, 13);
    }
}

/// `tap_lookup16` over 64 bytes.
TAP_AVX512 static inline __m512i tap_lookup512(__m512i idx, uint8_t t0, uint8_t t1, uint8_t t2, uint8_t t3,
                                              uint8_t t4, uint8_t t5, uint8_t t6, uint8_t t7, uint8_t t8,
                                              uint8_t t9, uint8_t t10, uint8_t t11, uint8_t t12, uint8_t t13,
                                              uint8_t t14, uint8_t t15) {
    __m128i table = _mm_setr_epi8((char)t0, (char)t1, (char)t2, (char)t3, (char)t4, (char)t5, (char)t6, (char)t7,
                                  (char)t8, (char)t9, (char)t10, (char)t11, (char)t12, (char)t13, (char)t14,
                                  (char)t15);
    return _mm512_shuffle_epi8(_mm512_broadcast_i32x4(table), idx);
}

/// `tap_utf8_errors` over 64 bytes given the 64 before: the bytes where an error shows.
TAP_AVX512 static inline uint64_t tap_utf8_errors512(__m512i input, __m512i prev_input) {
    const uint8_t TOO_SHORT = 1 << 0, TOO_LONG = 1 << 1, OVERLONG_3 = 1 << 2, TOO_LARGE = 1 << 3,
                  SURROGATE = 1 << 4, OVERLONG_2 = 1 << 5, TOO_LARGE_1000 = 1 << 6, OVERLONG_4 = 1 << 6,
                  TWO_CONTS = 1 << 7;
    const uint8_t CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS;
    __m512i nib = _mm512_set1_epi8(0x0F);
    __m512i prev1 = tap_prev512(input, prev_input, 1);
    __m512i byte_1_high = tap_lookup512(
        _mm512_and_si512(_mm512_srli_epi16(prev1, 4), nib),
        TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TWO_CONTS,
                      TWO_CONTS, TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,
                      TOO_SHORT | OVERLONG_3 | SURROGATE, TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    __m512i byte_1_low = tap_lookup512(
        _mm512_and_si512(prev1, nib),
        CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
                      CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                      CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                      CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                      CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
                      CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, CARRY | TOO_LARGE | TOO_LARGE_1000,
                      CARRY | TOO_LARGE | TOO_LARGE_1000);
    __m512i byte_2_high = tap_lookup512(
        _mm512_and_si512(_mm512_srli_epi16(input, 4), nib),
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
                      TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
                      TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
                      TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
                      TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE, TOO_SHORT, TOO_SHORT, TOO_SHORT,
                      TOO_SHORT);
    __m512i special = _mm512_and_si512(_mm512_and_si512(byte_1_high, byte_1_low), byte_2_high);
    __m512i prev2 = tap_prev512(input, prev_input, 2), prev3 = tap_prev512(input, prev_input, 3);
    __m512i third = _mm512_subs_epu8(prev2, _mm512_set1_epi8((char)(0xE0 - 0x80)));
    __m512i fourth = _mm512_subs_epu8(prev3, _mm512_set1_epi8((char)(0xF0 - 0x80)));
    __m512i must23_80 = _mm512_and_si512(_mm512_or_si512(third, fourth), _mm512_set1_epi8((char)0x80));
    __m512i errors = _mm512_xor_si512(must23_80, special);
    return _mm512_test_epi8_mask(errors, errors);
}

/// `tap_classify_block` in AVX-512: the same contract, bit for bit the same masks. Inlined
/// into its walk (see line_walk.h).
TAP_AVX512 __attribute__((always_inline)) static inline int tap_classify_block_avx512(tap_line_state *s) {
    size_t at = s->next_block;
    const uint8_t *p = s->buf + at;
    __m512i in;
    if (at + 64 > s->len) {
        // The last bytes of the data: spaces after them (no `\n`, so the line stays unfinished).
        in = _mm512_mask_loadu_epi8(_mm512_set1_epi8(' '), _bzhi_u64(~(uint64_t)0, (unsigned)(s->len - at)), p);
    } else {
        in = _mm512_loadu_si512((const void *)p);
    }
    uint64_t newline = _mm512_cmpeq_epi8_mask(in, _mm512_set1_epi8('\n'));
    uint64_t upto, before;  // bytes up to and before the `\n`
    tap_block_newline(s, at, newline, &upto, &before);
    uint64_t backslash = _mm512_cmpeq_epi8_mask(in, _mm512_set1_epi8('\\'));
    uint64_t quote = _mm512_cmpeq_epi8_mask(in, _mm512_set1_epi8('"'));
    uint64_t escaped;
    uint64_t in_string = tap_block_strings(s, backslash, &quote, &escaped);
    // Whitespace and the six structural bytes: simdjson's shuffle tables, as in AVX2.
    __m512i ws_table = _mm512_broadcast_i32x4(
        _mm_setr_epi8(' ', 100, 100, 100, 17, 100, 113, 2, 100, '\t', '\n', 112, 100, '\r', 100, 100));
    __m512i op_table =
        _mm512_broadcast_i32x4(_mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0));
    uint64_t ws = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(ws_table, in), in);
    uint64_t op = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(op_table, in), _mm512_or_si512(in, _mm512_set1_epi8(0x20)));
    uint64_t control = _mm512_cmplt_epu8_mask(in, _mm512_set1_epi8(0x20));
    uint64_t errors = control & (in_string | ~ws);
    if (escaped) {
        // The escaped bytes must be one of "\/bfnrtu: hi-nibble bit & lo-nibble bits.
        __m512i nib = _mm512_set1_epi8(0x0F);
        __m512i lo_tab = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1));
        __m512i hi_tab = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0));
        uint64_t invalid = _mm512_testn_epi8_mask(_mm512_shuffle_epi8(lo_tab, _mm512_and_si512(in, nib)),
                                                  _mm512_shuffle_epi8(hi_tab, _mm512_and_si512(_mm512_srli_epi16(in, 4), nib)));
        errors |= escaped & invalid;
        uint64_t unicode = escaped & _mm512_cmpeq_epi8_mask(in, _mm512_set1_epi8('u')) & upto;
        while (unicode) {
            if (!tap_unicode_escape_ok(s, at + (size_t)__builtin_ctzll(unicode))) return 0;
            unicode &= unicode - 1;
        }
    }
    uint64_t nonascii = _mm512_movepi8_mask(in);
    if (nonascii | s->prev_nonascii) errors |= tap_utf8_errors512(in, s->prev_block);
    if (errors & upto) return 0;
    s->prev_nonascii = nonascii != 0;
    s->prev_block = in;
    tap_block_tokens(s, at, op, ws, quote, in_string, before);
    return 1;
}

/// The byte after a number or literal must end it: whitespace or a structural byte.
static inline int tap_ends_scalar(uint8_t c) {
    switch (c) {
    case ' ': case '\t': case '\r': case '\n': case ',': case '}': case ']': case ':': case '{': case '[':
        return 1;
    default:
        return 0;
    }
}

static inline int tap_number_ok(const uint8_t *b, size_t len, size_t i) {
    if (b[i] == '-') i++;
    if (i >= len) return 0;
    if (b[i] == '0') {
        i++;
    } else if (b[i] >= '1' && b[i] <= '9') {
        while (i < len && (uint8_t)(b[i] - '0') < 10) i++;
    } else {
        return 0;
    }
    if (i < len && b[i] == '.') {
        size_t start = ++i;
        while (i < len && (uint8_t)(b[i] - '0') < 10) i++;
        if (i == start) return 0;
    }
    if (i < len && (b[i] | 0x20) == 'e') {
        i++;
        if (i < len && (b[i] == '+' || b[i] == '-')) i++;
        size_t start = i;
        while (i < len && (uint8_t)(b[i] - '0') < 10) i++;
        if (i == start) return 0;
    }
    return i < len && tap_ends_scalar(b[i]);
}

static inline int tap_literal_ok(const uint8_t *b, size_t len, size_t i, const char *word, size_t n) {
    return i + n < len && memcmp(b + i, word, n) == 0 && tap_ends_scalar(b[i + n]);
}

/// The byte before `end` that is not JSON whitespace, plus one: where a value ends that is
/// followed by whitespace and then the token at `end`.
static inline size_t tap_trim_end(const uint8_t *b, size_t end) {
    while (b[end - 1] == ' ' || b[end - 1] == '\t' || b[end - 1] == '\r' || b[end - 1] == '\n') end--;
    return end;
}

/// Which asked key (`f->key_bytes`, one after another) the top-level key whose opening quote
/// is at `q` and whose `:` is at `colon` equals; -1 for none. Compares the raw bytes: exact for
/// a key without a backslash (the asked keys have none, see `tap_fields`); a key with one may
/// decode to an asked key, so `f->unsure` is set and the caller looks the keys up itself.
TAP_AVX2 static inline int tap_key_slot(tap_fields *f, const uint8_t *b, size_t n, size_t q, size_t colon) {
    const uint8_t *k = b + q + 1;
    size_t len;
    if (q + 17 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)k);
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
        len = m ? (size_t)__builtin_ctz(m) : 16;
    } else {
        len = 0;
    }
    if (len == 16 || q + 17 > n) {  // a long key, or the data's last bytes: byte by byte
        while (q + 1 + len < colon && k[len] != '"' && k[len] != '\\') len++;
    }
    if (k[len] == '\\') {
        f->unsure = 1;
        return -1;
    }
    const uint8_t *asked = f->key_bytes;
    for (int i = 0; i < f->count; i++) {
        size_t asked_len = f->key_len[i];
        if (asked_len == len && f->span[2 * i] < 0 && memcmp(k, asked, len) == 0) return i;
        asked += asked_len;
    }
    return -1;
}

// The walk, once per stage 1 (CTapSIMD/line_walk.h).
#define TAP_WALK_NAME tap_validate_line_core_avx2
#define TAP_WALK_REFILL tap_refill_avx2
#define TAP_WALK_TARGET TAP_AVX2
#define TAP_WALK_CLASSIFY tap_classify_block
#include "line_walk.h"

#define TAP_WALK_NAME tap_validate_line_core_avx512
#define TAP_WALK_REFILL tap_refill_avx512
#define TAP_WALK_TARGET TAP_AVX512
#define TAP_WALK_CLASSIFY tap_classify_block_avx512
#include "line_walk.h"


TAP_AVX2 static long tap_validate_line_avx2(const void *p, size_t n) { return tap_validate_line_core_avx2(p, n, 0); }

TAP_AVX2 static long tap_validate_line_fields_avx2(const void *p, size_t n, tap_fields *f) {
    return tap_validate_line_core_avx2(p, n, f);
}

TAP_AVX512 static long tap_validate_line_avx512(const void *p, size_t n) { return tap_validate_line_core_avx512(p, n, 0); }

TAP_AVX512 static long tap_validate_line_fields_avx512(const void *p, size_t n, tap_fields *f) {
    return tap_validate_line_core_avx512(p, n, f);
}

#endif  // TAP_HAVE_AVX2_PATH

/// Which line validator `tap_validate_line` runs: 2 = the walk with the AVX-512 stage 1 (the
/// CPU also has AVX-512 F and BW), 1 = AVX2 (the CPU has AVX2, BMI1/2 and PCLMUL), 0 = none
/// here (the caller's own validator). TAPCODEC_SIMD=0 in the environment forces 0, so the
/// fallback can be run and timed on any machine; TAPCODEC_SIMD=1 caps it at 1 (AVX2).
static inline int tap_simd_level(void) {
#if defined(TAP_HAVE_AVX2_PATH)
    static int cached = -1;
    if (cached < 0) {
        const char *env = getenv("TAPCODEC_SIMD");
        int level = tap_cpu_has_avx2_path() ? 1 + tap_cpu_has_avx512bw() : 0;
        if (env && env[0] == '0') level = 0;
        if (env && env[0] == '1' && level > 1) level = 1;
        cached = level;
    }
    return cached;
#else
    return 0;
#endif
}

/// `tap_validate_line`, also noting the values of `f`'s keys (see `tap_fields`).
static inline long tap_validate_line_fields(int level, const void *p, size_t n, tap_fields *f) {
#if defined(TAP_HAVE_AVX2_PATH)
    if (level >= 2) return tap_validate_line_fields_avx512(p, n, f);
    if (level >= 1) return tap_validate_line_fields_avx2(p, n, f);
#endif
    (void)level; (void)p; (void)n; (void)f;
    return -2;
}

/// The line validator of `level` (from `tap_simd_level`: 2 AVX-512 stage 1, 1 AVX2); -2 when
/// that level has no validator here.
static inline long tap_validate_line(int level, const void *p, size_t n) {
#if defined(TAP_HAVE_AVX2_PATH)
    if (level >= 2) return tap_validate_line_avx512(p, n);
    if (level >= 1) return tap_validate_line_avx2(p, n);
#endif
    (void)level; (void)p; (void)n;
    return -2;
}

#endif
