// The line and literal scan of TapExtract's prefiltered input (extract-usage, extract-turns):
// one pass over a buffer that reports every newline and every place one of a few literals
// starts, as a short list of positions, so that the ~97 % of lines holding no literal cost
// no per-line work beyond their newline.
//
// Why C, and why here: the AVX2 path needs `__attribute__((target("avx2")))` and a run-time
// choice (x86-64's baseline is SSE2, and the tools must run on any x86-64), which Swift cannot
// express; the Clang importer compiles these static functions into the Swift module that uses
// them. Candidates are the places where a literal's first, second and last bytes all match (rare
// in JSON text), checked in full before they are reported. Other architectures get the portable
// loop, which gives the same events.
#ifndef CTAPSIMD_LINEHITS_H
#define CTAPSIMD_LINEHITS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TAP_LINEHITS_MAX_LITERALS 3
#define TAP_LINEHITS_MAX_LENGTH 32
/// Room the caller's event array must have at least (one 64-byte block's worth).
#define TAP_LINEHITS_MIN_EVENTS 128

/// The literals: 1-3, each 2-32 bytes, none holding a newline.
typedef struct {
    uint8_t bytes[TAP_LINEHITS_MAX_LITERALS][TAP_LINEHITS_MAX_LENGTH];
    uint32_t length[TAP_LINEHITS_MAX_LITERALS];
    uint32_t count;
    /// The longest literal's length: how far past a block's end the probes read.
    uint32_t reach;
} tap_linehits_literals;

/// Which code scans: the portable loop, SSE2 (16 bytes a step), AVX2 (32 bytes a step).
enum { TAP_LINEHITS_PORTABLE = 0, TAP_LINEHITS_SSE2 = 1, TAP_LINEHITS_AVX2 = 2 };

/// The literals starting at `at` (all their bytes before `end`): bit k for literal k, 0 for
/// none. Every one, not the first: when a literal is a prefix of another both start here, and a
/// line's `holds` must name both (bench/fuzz-simd found the longer one missing).
static inline unsigned tap_linehits_literals_at(const uint8_t *base, size_t at, size_t end,
                                                const tap_linehits_literals *lits) {
    unsigned mask = 0;
    for (uint32_t k = 0; k < lits->count; k++) {
        size_t n = lits->length[k];
        if (at + n <= end && base[at] == lits->bytes[k][0] && memcmp(base + at, lits->bytes[k], n) == 0) mask |= 1u << k;
    }
    return mask;
}

/// Reports the events of the 64 bytes at offset `i` from `base`: `nl` and `cand` are their
/// newline bits and the bits where a literal may start (first, second and last bytes matched). Events are `position << 1` for a newline and
/// `position << 4 | mask << 1 | 1` where literals start (bit k of the 3-bit mask for literal k), in position order.
static inline size_t tap_linehits_emit(const uint8_t *base, size_t i, size_t end, uint64_t nl, uint64_t cand,
                                       const tap_linehits_literals *lits, uint64_t *events, size_t n) {
    uint64_t all = nl | cand;
    while (all != 0) {
        unsigned bit = (unsigned)__builtin_ctzll(all);
        uint64_t one = (uint64_t)1 << bit;
        size_t at = i + bit;
        if (nl & one) {
            events[n++] = (uint64_t)at << 1;
        } else {
            unsigned found = tap_linehits_literals_at(base, at, end, lits);
            if (found) events[n++] = (uint64_t)at << 4 | (uint64_t)found << 1 | 1;
        }
        all &= all - 1;
    }
    return n;
}

/// A line `tap_linehits_lines` keeps: bounds (the newline excluded), index among all the lines
/// of the pass, and why it is kept: `holds` has bit k set for each literal k it holds, and is 0
/// when it holds none but is not `{`…`}` (nor blank).
typedef struct {
    uint64_t start, end, index;
    uint32_t holds;
} tap_linehits_line;

/// Where `tap_linehits_lines` is between calls: the unfinished line's start, the literals it
/// holds so far (bit k for literal k), and the lines seen.
typedef struct {
    uint64_t line_start, lines;
    uint32_t holds;
} tap_linehits_state;

/// True for a line that is blank or looks like one object (`{` … `}` between blanks): the
/// verdict on a line a tool skips unread.
static inline int tap_linehits_object_shape(const uint8_t *base, size_t s, size_t e) {
    while (s < e && (base[s] == ' ' || base[s] == '\t' || base[s] == '\r' || base[s] == '\n')) s++;
    while (e > s && (base[e - 1] == ' ' || base[e - 1] == '\t' || base[e - 1] == '\r' || base[e - 1] == '\n')) e--;
    return s == e || (e - s >= 2 && base[s] == '{' && base[e - 1] == '}');
}

/// Ends the line whose newline is at `at`: kept in `out[n]` when it holds a literal or has a
/// bad shape, else only counted. Returns the new count of kept lines.
static inline size_t tap_linehits_end_line(const uint8_t *base, size_t at, tap_linehits_state *state,
                                           tap_linehits_line *out, size_t n) {
    if (state->holds || !tap_linehits_object_shape(base, state->line_start, at)) {
        tap_linehits_line line = {state->line_start, at, state->lines, state->holds};
        out[n++] = line;
    }
    state->lines++;
    state->line_start = at + 1;
    state->holds = 0;
    return n;
}

/// One byte at a time from `*position` to `end` (or until `cap` events).
static inline size_t tap_linehits_portable(const uint8_t *base, size_t *position, size_t end,
                                           const tap_linehits_literals *lits, uint64_t *events, size_t n,
                                           size_t cap) {
    size_t i = *position;
    for (; i < end && n < cap; i++) {
        if (base[i] == '\n') {
            events[n++] = (uint64_t)i << 1;
        } else {
            unsigned found = tap_linehits_literals_at(base, i, end, lits);
            if (found) events[n++] = (uint64_t)i << 4 | (uint64_t)found << 1 | 1;
        }
    }
    *position = i;
    return n;
}

#if defined(__x86_64__)
#include "cpu.h"
#include <immintrin.h>

static inline size_t tap_linehits_sse2(const uint8_t *base, size_t *position, size_t end,
                                       const tap_linehits_literals *lits, uint64_t *events, size_t cap) {
    size_t i = *position, n = 0;
    const __m128i newline = _mm_set1_epi8('\n');
    __m128i first[TAP_LINEHITS_MAX_LITERALS], second[TAP_LINEHITS_MAX_LITERALS], last[TAP_LINEHITS_MAX_LITERALS];
    size_t lastOffset[TAP_LINEHITS_MAX_LITERALS];
    for (uint32_t k = 0; k < TAP_LINEHITS_MAX_LITERALS; k++) {
        uint32_t l = k < lits->count ? k : 0;  // a missing literal repeats the first
        first[k] = _mm_set1_epi8((char)lits->bytes[l][0]);
        second[k] = _mm_set1_epi8((char)lits->bytes[l][1]);
        last[k] = _mm_set1_epi8((char)lits->bytes[l][lits->length[l] - 1]);
        lastOffset[k] = lits->length[l] - 1;
    }
    while (i + 64 + lits->reach <= end && cap - n >= 64) {
        uint64_t nl = 0, cand = 0;
        for (int part = 0; part < 4; part++) {
            const uint8_t *p = base + i + 16 * part;
            __m128i v0 = _mm_loadu_si128((const __m128i *)p);
            __m128i v1 = _mm_loadu_si128((const __m128i *)(p + 1));
            __m128i m = _mm_setzero_si128();
            for (uint32_t k = 0; k < TAP_LINEHITS_MAX_LITERALS; k++) {
                __m128i vl = _mm_loadu_si128((const __m128i *)(p + lastOffset[k]));
                m = _mm_or_si128(m, _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(v0, first[k]), _mm_cmpeq_epi8(v1, second[k])),
                                                  _mm_cmpeq_epi8(vl, last[k])));
            }
            nl |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, newline)) << (16 * part);
            cand |= (uint64_t)(uint16_t)_mm_movemask_epi8(m) << (16 * part);
        }
        if ((nl | cand) != 0) n = tap_linehits_emit(base, i, end, nl, cand, lits, events, n);
        i += 64;
    }
    *position = i;
    return n;
}

/// How many of the literals' probes one compare can serve (the order of the literals in the
/// compares is free: a candidate is checked against all of them). JSON keys and string prefixes
/// all begin with `"`; extract-usage's telemetry prefixes also share their second byte.
enum {
    TAP_LINEHITS_SHARE_NONE = 0,
    TAP_LINEHITS_SHARE_FIRST = 1,           // every literal begins with the same byte
    TAP_LINEHITS_SHARE_FIRST_SECOND12 = 2,  // that, and the 2nd and 3rd in the compares share their second byte
};

/// The candidate bits of 32 bytes (`v0`, `v1` the bytes at offsets 0 and 1, `p` the first of
/// them): where a literal's first, second and last bytes all match, with the compares `share`
/// allows written once (factored out: 14.1 → 12.6 ms per 200 MB on one core for extract-usage's).
#define TAP_LINEHITS_AVX2_SECOND(v1, k) _mm256_cmpeq_epi8(v1, second##k)
#define TAP_LINEHITS_AVX2_LAST(p, k) _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)((p) + lastOffset##k)), last##k)
#define TAP_LINEHITS_AVX2_TAIL(v1, p, k) _mm256_and_si256(TAP_LINEHITS_AVX2_SECOND(v1, k), TAP_LINEHITS_AVX2_LAST(p, k))
#define TAP_LINEHITS_AVX2_CANDIDATES(v0, v1, p)                                                                  \
    (share == TAP_LINEHITS_SHARE_NONE                                                                             \
         ? _mm256_or_si256(                                                                                       \
               _mm256_or_si256(_mm256_and_si256(_mm256_cmpeq_epi8(v0, first0), TAP_LINEHITS_AVX2_TAIL(v1, p, 0)), \
                               _mm256_and_si256(_mm256_cmpeq_epi8(v0, first1), TAP_LINEHITS_AVX2_TAIL(v1, p, 1))), \
               _mm256_and_si256(_mm256_cmpeq_epi8(v0, first2), TAP_LINEHITS_AVX2_TAIL(v1, p, 2)))                   \
     : share == TAP_LINEHITS_SHARE_FIRST                                                                          \
         ? _mm256_and_si256(_mm256_cmpeq_epi8(v0, first0),                                                        \
                            _mm256_or_si256(_mm256_or_si256(TAP_LINEHITS_AVX2_TAIL(v1, p, 0),                     \
                                                            TAP_LINEHITS_AVX2_TAIL(v1, p, 1)),                    \
                                            TAP_LINEHITS_AVX2_TAIL(v1, p, 2)))                                    \
         : _mm256_and_si256(_mm256_cmpeq_epi8(v0, first0),                                                        \
                            _mm256_or_si256(TAP_LINEHITS_AVX2_TAIL(v1, p, 0),                                     \
                                            _mm256_and_si256(TAP_LINEHITS_AVX2_SECOND(v1, 1),                     \
                                                             _mm256_or_si256(TAP_LINEHITS_AVX2_LAST(p, 1),        \
                                                                             TAP_LINEHITS_AVX2_LAST(p, 2))))))

/// The AVX2 pass, in one of two modes fixed at each call (the compiler makes one copy of each):
/// with `state` NULL it writes events (tap_linehits_scan); otherwise it ends the lines itself
/// (tap_linehits_lines) straight from the masks, with no events in between: 15.2 → 14.1 ms per
/// 200 MB on one core (bench/README.md, "extract.sh, session 6"). `order` lists the literals in
/// the order of the compares, `share` (constant at each call) the compares they share.
__attribute__((target("avx2"), always_inline)) static inline size_t
tap_linehits_avx2_walk(const uint8_t *base, size_t *position, size_t end, const tap_linehits_literals *lits,
                       const uint32_t order[3], const int share, uint64_t *events, tap_linehits_state *state,
                       tap_linehits_line *out, size_t cap) {
    size_t i = *position, n = 0;
    const __m256i newline = _mm256_set1_epi8('\n');
    // Three literals in registers, written out rather than in arrays: the loop over arrays stayed
    // a loop reading its constants from the stack (measured 20 vs 12 ms per 200 MB with the
    // first-byte test). A missing literal repeats the first. Three bytes, not two: JSON text has
    // many two-byte candidates (485k against 8.8k literals in the bench corpus), each compared in full.
#define TAP_LINEHITS_AVX2_LITERAL(k)                                                                             \
    const uint32_t lit##k = order[k];                                                                             \
    const __m256i first##k = _mm256_set1_epi8((char)lits->bytes[lit##k][0]);                                     \
    const __m256i second##k = _mm256_set1_epi8((char)lits->bytes[lit##k][1]);                                    \
    const __m256i last##k = _mm256_set1_epi8((char)lits->bytes[lit##k][lits->length[lit##k] - 1]);                \
    const size_t lastOffset##k = lits->length[lit##k] - 1;
    TAP_LINEHITS_AVX2_LITERAL(0)
    TAP_LINEHITS_AVX2_LITERAL(1)
    TAP_LINEHITS_AVX2_LITERAL(2)
#undef TAP_LINEHITS_AVX2_LITERAL
    // The lines' state in registers for the pass (lines mode).
    tap_linehits_state lines = state ? *state : (tap_linehits_state){0, 0, 0};
    // The masks of up to 16 blocks first, then their events or lines: a call in the compare loop
    // (the memcmp of a candidate) would make the compiler keep the nine constants on the stack.
    enum { BLOCKS = 16 };
    uint64_t nls[BLOCKS], cands[BLOCKS];
    while (i + 64 + lits->reach <= end && cap - n >= 64) {
        size_t blocks = (end - lits->reach - i) / 64, room = (cap - n) / 64;
        if (blocks > BLOCKS) blocks = BLOCKS;
        if (blocks > room) blocks = room;  // each block gives at most 64 events or lines
        for (size_t b = 0; b < blocks; b++) {
            const uint8_t *p = base + i + 64 * b;
            __m256i a0 = _mm256_loadu_si256((const __m256i *)p), b0 = _mm256_loadu_si256((const __m256i *)(p + 32));
            __m256i a1 = _mm256_loadu_si256((const __m256i *)(p + 1)), b1 = _mm256_loadu_si256((const __m256i *)(p + 33));
            __m256i ma = TAP_LINEHITS_AVX2_CANDIDATES(a0, a1, p);
            __m256i mb = TAP_LINEHITS_AVX2_CANDIDATES(b0, b1, p + 32);
            nls[b] = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a0, newline)) |
                     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b0, newline)) << 32;
            cands[b] = (uint32_t)_mm256_movemask_epi8(ma) | (uint64_t)(uint32_t)_mm256_movemask_epi8(mb) << 32;
        }
        for (size_t b = 0; b < blocks; b++, i += 64) {
            uint64_t nl = nls[b], cand = cands[b];
            if ((nl | cand) == 0) continue;
            if (!state) {
                n = tap_linehits_emit(base, i, end, nl, cand, lits, events, n);
            } else if (cand == 0) {  // most blocks with a newline hold no candidate
                for (; nl != 0; nl &= nl - 1) n = tap_linehits_end_line(base, i + (size_t)__builtin_ctzll(nl), &lines, out, n);
            } else {
                for (uint64_t all = nl | cand; all != 0; all &= all - 1) {
                    unsigned bit = (unsigned)__builtin_ctzll(all);
                    if (nl >> bit & 1) {
                        n = tap_linehits_end_line(base, i + bit, &lines, out, n);
                    } else {
                        lines.holds |= tap_linehits_literals_at(base, i + bit, end, lits);
                    }
                }
            }
        }
    }
    if (state) *state = lines;
    *position = i;
    return n;
}

/// The order of the literals in the compares (a missing literal repeats the first), with two
/// that share their second byte last, and the compares they can share (TAP_LINEHITS_SHARE_*).
static inline int tap_linehits_share(const tap_linehits_literals *lits, uint32_t order[3]) {
    uint32_t l[3];
    for (uint32_t k = 0; k < 3; k++) l[k] = order[k] = k < lits->count ? k : 0;
    const uint8_t(*b)[TAP_LINEHITS_MAX_LENGTH] = lits->bytes;
    if (b[l[1]][0] != b[l[0]][0] || b[l[2]][0] != b[l[0]][0]) return TAP_LINEHITS_SHARE_NONE;
    if (b[l[1]][1] == b[l[2]][1]) return TAP_LINEHITS_SHARE_FIRST_SECOND12;
    if (b[l[0]][1] == b[l[1]][1]) {
        order[0] = l[2], order[1] = l[0], order[2] = l[1];
        return TAP_LINEHITS_SHARE_FIRST_SECOND12;
    }
    if (b[l[0]][1] == b[l[2]][1]) {
        order[0] = l[1], order[1] = l[0], order[2] = l[2];
        return TAP_LINEHITS_SHARE_FIRST_SECOND12;
    }
    return TAP_LINEHITS_SHARE_FIRST;
}

#define TAP_LINEHITS_AVX2_BY_SHARE(events, state, out)                                                          \
    uint32_t order[3];                                                                                            \
    switch (tap_linehits_share(lits, order)) {                                                                    \
    case TAP_LINEHITS_SHARE_NONE:                                                                                 \
        return tap_linehits_avx2_walk(base, position, end, lits, order, TAP_LINEHITS_SHARE_NONE, events, state,   \
                                      out, cap);                                                                  \
    case TAP_LINEHITS_SHARE_FIRST:                                                                                \
        return tap_linehits_avx2_walk(base, position, end, lits, order, TAP_LINEHITS_SHARE_FIRST, events, state,  \
                                      out, cap);                                                                  \
    default:                                                                                                      \
        return tap_linehits_avx2_walk(base, position, end, lits, order, TAP_LINEHITS_SHARE_FIRST_SECOND12,        \
                                      events, state, out, cap);                                                   \
    }

__attribute__((target("avx2"))) static size_t tap_linehits_avx2(const uint8_t *base, size_t *position,
                                                                   size_t end, const tap_linehits_literals *lits,
                                                                   uint64_t *events, size_t cap) {
    TAP_LINEHITS_AVX2_BY_SHARE(events, NULL, NULL)
}

__attribute__((target("avx2"))) static size_t tap_linehits_lines_avx2(const uint8_t *base, size_t *position,
                                                                         size_t end, const tap_linehits_literals *lits,
                                                                         tap_linehits_state *state,
                                                                         tap_linehits_line *out, size_t cap) {
    TAP_LINEHITS_AVX2_BY_SHARE(NULL, state, out)
}
#undef TAP_LINEHITS_AVX2_BY_SHARE
#undef TAP_LINEHITS_AVX2_CANDIDATES
#undef TAP_LINEHITS_AVX2_TAIL
#undef TAP_LINEHITS_AVX2_LAST
#undef TAP_LINEHITS_AVX2_SECOND

/// True when the CPU and the OS both support AVX2.
static inline int tap_linehits_avx2_usable(void) { return (tap_cpu_features() & TAP_CPU_AVX2) != 0; }
#endif

/// The best path this machine runs.
static inline int tap_linehits_best_path(void) {
#if defined(__x86_64__)
    return tap_linehits_avx2_usable() ? TAP_LINEHITS_AVX2 : TAP_LINEHITS_SSE2;
#else
    return TAP_LINEHITS_PORTABLE;
#endif
}

/// The events of `base[*position..<end)` in position order, at most `cap` (at least
/// TAP_LINEHITS_MIN_EVENTS): `position << 1` for a newline, `position << 4 | mask << 1 | 1` where
/// literals start (one event per position; bit k of the 3-bit mask for each literal k starting
/// there with its bytes all before `end`). Advances `*position` past the
/// bytes scanned: `end` unless `cap` was reached first. `path` is one of TAP_LINEHITS_*, a path
/// the machine runs (see tap_linehits_best_path).
static inline size_t tap_linehits_scan(const uint8_t *base, size_t *position, size_t end,
                                       const tap_linehits_literals *lits, int path, uint64_t *events, size_t cap) {
    size_t n = 0;
#if defined(__x86_64__)
    if (path == TAP_LINEHITS_AVX2) {
        n = tap_linehits_avx2(base, position, end, lits, events, cap);
    } else if (path == TAP_LINEHITS_SSE2) {
        n = tap_linehits_sse2(base, position, end, lits, events, cap);
    }
#else
    (void)path;
#endif
    // The tail (fewer than 64 bytes plus the longest literal: the blocks stopped for want of
    // bytes, not of room) one byte at a time; everything on the portable path.
    if (path == TAP_LINEHITS_PORTABLE || *position + 64 + lits->reach > end)
        n = tap_linehits_portable(base, position, end, lits, events, n, cap);
    return n;
}

/// The newline-terminated lines of `base[*position..<end)` that hold a literal or have a bad
/// shape, in order, at most `cap` (at least TAP_LINEHITS_MIN_EVENTS); the others are only
/// counted. Per line this is a few instructions, where a call back per line cost more than the
/// scan (extract-usage keeps ~5 % of the lines). Advances `*position` like tap_linehits_scan.
static inline size_t tap_linehits_lines(const uint8_t *base, size_t *position, size_t end,
                                        const tap_linehits_literals *lits, int path, tap_linehits_state *state,
                                        tap_linehits_line *out, size_t cap) {
    uint64_t events[4 * TAP_LINEHITS_MIN_EVENTS];
    size_t n = 0;
#if defined(__x86_64__)
    // The AVX2 pass ends the lines itself; the events below are the tail's (and other paths').
    if (path == TAP_LINEHITS_AVX2) n = tap_linehits_lines_avx2(base, position, end, lits, state, out, cap);
#endif
    while (*position < end && cap - n >= TAP_LINEHITS_MIN_EVENTS) {
        size_t room = cap - n < 4 * TAP_LINEHITS_MIN_EVENTS ? cap - n : 4 * TAP_LINEHITS_MIN_EVENTS;
        size_t count = tap_linehits_scan(base, position, end, lits, path, events, room);
        for (size_t k = 0; k < count; k++) {
            uint64_t event = events[k];
            if (event & 1) {
                state->holds |= (uint32_t)(event >> 1) & 7;
                continue;
            }
            n = tap_linehits_end_line(base, (size_t)(event >> 1), state, out, n);
        }
    }
    return n;
}

#endif
