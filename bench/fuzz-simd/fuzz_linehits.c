// tap_linehits_scan and tap_linehits_lines (Sources/CTapSIMD/linehits.h) on every path this
// CPU runs (portable, SSE2, AVX2) against a naive scan (memmem per literal, per position and
// per line). The first bytes of an input choose the literals (1-3 of 2-32 bytes, taken from
// the input itself or from the ones extract-usage asks for), the window [from, end) and the
// output capacity; the data is the rest, in a buffer malloc'd at exactly its length, and the
// output arrays are malloc'd at exactly their capacity.
// Oracles: (c) the events (every newline, every position where literals start with all their
// bytes before `end`, with the mask of those literals) equal the naive ones in order; the kept
// lines (bounds, index, `holds` = bit k when memmem finds literal k in the line) equal the
// naive lines holding a literal or not `{`…`}` nor blank; the final line count and
// unfinished-line start agree. Literals that are prefixes of each other are chosen on purpose
// (header byte 1, bit 7): the case this harness found wrong (one literal per position); so are
// literals with one first byte, and a second byte shared by two (header byte 3, bits 1-4).
#include "../../Sources/CTapSIMD/linehits.h"
#include "common.h"

static const char *usage_literals[] = {"\"usage\"", "\"codex.", "\"claude_code."};

static int naive_shape(const uint8_t *b, size_t s, size_t e) {
    while (s < e && (b[s] == ' ' || b[s] == '\t' || b[s] == '\r' || b[s] == '\n')) s++;
    while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t' || b[e - 1] == '\r' || b[e - 1] == '\n')) e--;
    if (s == e) return 1;
    return e - s >= 2 && b[s] == '{' && b[e - 1] == '}';
}

/// The literals starting at `at` with all their bytes before `end` (bit k for literal k).
static unsigned naive_literals_at(const uint8_t *b, size_t at, size_t end, const tap_linehits_literals *l) {
    unsigned mask = 0;
    for (uint32_t k = 0; k < l->count; k++)
        if (at + l->length[k] <= end && memcmp(b + at, l->bytes[k], l->length[k]) == 0) mask |= 1u << k;
    return mask;
}

static void check_path(const uint8_t *b, size_t len, size_t from, size_t end, const tap_linehits_literals *lits,
                       int path, size_t cap) {
    // Events, the whole window in calls of at most `cap`.
    uint64_t *events = (uint64_t *)malloc(cap * sizeof *events);
    size_t position = from, seen = 0;
    size_t i = from;  // the naive scan's position
    int calls = 0;
    while (position < end) {
        size_t before = position;
        size_t count = tap_linehits_scan(b, &position, end, lits, path, events, cap);
        if (count > cap) FUZZ_FAIL(b, len, "path %d: %zu events for a capacity of %zu", path, count, cap);
        if (position <= before || position > end) FUZZ_FAIL(b, len, "path %d: position %zu -> %zu (end %zu)", path, before, position, end);
        for (size_t k = 0; k < count; k++) {
            // The next naive event before `position`.
            uint64_t want = 0;
            int found = 0;
            for (; i < position && !found; i++) {
                if (b[i] == '\n') { want = (uint64_t)i << 1; found = 1; }
                else {
                    unsigned lk = naive_literals_at(b, i, end, lits);
                    if (lk) { want = (uint64_t)i << 4 | (uint64_t)lk << 1 | 1; found = 1; }
                }
            }
            if (!found || events[k] != want)
                FUZZ_FAIL(b, len, "path %d [%zu,%zu) cap %zu: event %zu is %#llx, naive %#llx (found %d)", path, from, end,
                          cap, seen, (unsigned long long)events[k], (unsigned long long)want, found);
            seen++;
        }
        // No naive event left before `position`.
        for (; i < position; i++)
            if (b[i] == '\n' || naive_literals_at(b, i, end, lits))
                FUZZ_FAIL(b, len, "path %d [%zu,%zu) cap %zu: event at %zu missing", path, from, end, cap, i);
        if (++calls > 1000000) FUZZ_FAIL(b, len, "path %d: no end", path);
    }
    free(events);

    // Kept lines.
    size_t out_cap = cap < TAP_LINEHITS_MIN_EVENTS ? TAP_LINEHITS_MIN_EVENTS : cap;
    tap_linehits_line *out = (tap_linehits_line *)malloc(out_cap * sizeof *out);
    tap_linehits_state state = {from, 0, 0};
    position = from;
    size_t line_start = from, index = 0, s = from;
    while (position < end) {
        size_t count = tap_linehits_lines(b, &position, end, lits, path, &state, out, out_cap);
        if (count > out_cap) FUZZ_FAIL(b, len, "path %d: %zu lines for a capacity of %zu", path, count, out_cap);
        for (size_t k = 0; k < count; k++) {
            // The next naive kept line.
            int found = 0;
            tap_linehits_line want = {0, 0, 0, 0};
            for (; s < end && !found; s++) {
                if (b[s] != '\n') continue;
                uint32_t holds = 0;
                for (uint32_t lk = 0; lk < lits->count; lk++) {
                    for (size_t at = line_start; at + lits->length[lk] <= s; at++)
                        if (memcmp(b + at, lits->bytes[lk], lits->length[lk]) == 0) { holds |= 1u << lk; break; }
                }
                if (holds || !naive_shape(b, line_start, s)) {
                    want.start = line_start;
                    want.end = s;
                    want.index = index;
                    want.holds = holds;
                    found = 1;
                }
                index++;
                line_start = s + 1;
            }
            tap_linehits_line got = out[k];
            if (!found || got.start != want.start || got.end != want.end || got.index != want.index || got.holds != want.holds)
                FUZZ_FAIL(b, len, "path %d [%zu,%zu) cap %zu: kept line %llu..%llu #%llu holds %u, naive %llu..%llu #%llu holds %u (found %d)",
                          path, from, end, out_cap, (unsigned long long)got.start, (unsigned long long)got.end,
                          (unsigned long long)got.index, got.holds, (unsigned long long)want.start,
                          (unsigned long long)want.end, (unsigned long long)want.index, want.holds, found);
        }
    }
    // The naive lines after the last one kept are all skipped ones: count them.
    for (; s < end; s++) {
        if (b[s] != '\n') continue;
        uint32_t holds = 0;
        for (uint32_t lk = 0; lk < lits->count; lk++)
            for (size_t at = line_start; at + lits->length[lk] <= s; at++)
                if (memcmp(b + at, lits->bytes[lk], lits->length[lk]) == 0) { holds |= 1u; break; }
        if (holds || !naive_shape(b, line_start, s))
            FUZZ_FAIL(b, len, "path %d [%zu,%zu): line %zu..%zu not kept", path, from, end, line_start, s);
        index++;
        line_start = s + 1;
    }
    if (state.lines != index || state.line_start != line_start)
        FUZZ_FAIL(b, len, "path %d [%zu,%zu): %llu lines, unfinished at %llu; naive %zu, %zu", path, from, end,
                  (unsigned long long)state.lines, (unsigned long long)state.line_start, index, line_start);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4 || size > 1 << 16) return 0;
    // Header: literal choice, window cuts, capacity.
    uint8_t h0 = data[0], h1 = data[1], h2 = data[2], h3 = data[3];
    data += 4;
    size -= 4;
    tap_linehits_literals lits;
    memset(&lits, 0, sizeof lits);
    lits.count = 1 + h0 % 3;
    for (uint32_t k = 0; k < lits.count; k++) {
        uint8_t pick = (uint8_t)(h0 >> 2) + (uint8_t)(k * 37);
        size_t n;
        const uint8_t *src;
        if (pick % 4 == 0 || size < 2) {
            src = (const uint8_t *)usage_literals[(pick / 4 + k) % 3];
            n = strlen((const char *)src);
        } else {
            n = 2 + (size_t)(h1 + k * 11) % 31;  // 2..32
            if (n > size) n = size;
            if (n < 2) n = 2;
            size_t at = size > n ? (size_t)(h2 * 7 + k * 131) % (size - n + 1) : 0;
            src = data + at;
            if (size < 2) continue;
        }
        memcpy(lits.bytes[k], src, n);
        for (size_t j = 0; j < n; j++)
            if (lits.bytes[k][j] == '\n') lits.bytes[k][j] = 'x';
        lits.length[k] = (uint32_t)n;
        if (n > lits.reach) lits.reach = (uint32_t)n;
    }

    if ((h1 & 0x80) && lits.count >= 2) {
        // Literal 1 a prefix of literal 0 (or literal 0 a prefix of it): both start at one place.
        uint32_t n0 = lits.length[0], n1 = (h3 & 1) ? (n0 / 2 > 2 ? n0 / 2 : 2) : (n0 < 32 ? n0 + 1 : n0);
        memcpy(lits.bytes[1], lits.bytes[0], n0 < n1 ? n0 : n1);
        if (n1 > n0) lits.bytes[1][n0] = (uint8_t)(h2 == '\n' ? 'x' : h2);
        lits.length[1] = n1;
        if (n1 > lits.reach) lits.reach = n1;
    }
    if ((h3 & 2) && lits.count >= 2) {
        // Every literal begins like literal 0 (JSON keys all begin with `"`), and with bit 2 two
        // of them share their second byte too: the ways the AVX2 compares share probes.
        for (uint32_t k = 1; k < lits.count; k++) lits.bytes[k][0] = lits.bytes[0][0];
        if ((h3 & 4) && lits.count == 3) lits.bytes[(h3 >> 3) % 3][1] = lits.bytes[((h3 >> 3) + 1) % 3][1];
    }
    uint8_t *b = fuzz_copy(data, size);
    size_t caps[2] = {TAP_LINEHITS_MIN_EVENTS + h3 % 64, 512};
    int best = tap_linehits_best_path();
    size_t froms[2] = {0, size ? (size_t)(h2 % 70) % (size + 1) : 0};
    size_t ends[2] = {size, size >= (size_t)(h3 % 70) ? size - (size_t)(h3 % 70) : size};
    for (int path = 0; path <= best; path++)
        for (int w = 0; w < 2; w++)
            for (int e = 0; e < 2; e++) {
                if (froms[w] > ends[e]) continue;
                check_path(b, size, froms[w], ends[e], &lits, path, caps[(w + e) & 1]);
            }
    free(b);
    return 0;
}
