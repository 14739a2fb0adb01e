// tap_validate_line and tap_validate_line_fields (Sources/CTapSIMD/line_validator.h) against
// the plain-C reference (ref.h), on every input and on cuts of it: prefixes of 0..200 bytes
// (lines ending mid-block, data ending without `\n`), the last 70 cuts, and starts shifted by
// 1..64 bytes, each in a buffer malloc'd at exactly its length.
// Oracles: (a) a result >= 0 only for a line the reference finds valid, at the same `\n`; -1
// for a valid line only when it nests deeper than 64; (b) with keys asked, the same result,
// `unsure` exactly when a top-level key holds a backslash, and otherwise the spans of the first
// member of each asked key equal to the reference's.
#include "../../Sources/CTapSIMD/line_validator.h"
#include "common.h"
#include "ref.h"

#define MAX_KEYS 8

static int level;

static void check(const uint8_t *src, size_t n) {
    uint8_t *p = fuzz_copy(src, n);
    ref_state ref;
    long want = ref_validate_line(p, n, &ref);
    long got = tap_validate_line(level, p, n);
    if (got >= 0 && got != want) FUZZ_FAIL(p, n, "tap_validate_line gave %ld, the reference %ld", got, want);
    if (got < 0 && want >= 0 && ref.max_depth <= 64)
        FUZZ_FAIL(p, n, "tap_validate_line gave %ld for a valid line (depth %d), the reference %ld", got, ref.max_depth, want);

    // (b) Keys: a few fixed ones and the line's own first two (when plain), all distinct.
    const uint8_t *key[MAX_KEYS];
    size_t key_len[MAX_KEYS];
    int count = 0;
    static const char *fixed[] = {"type", "data", "a", ""};
    for (int k = 0; k < 4; k++) {
        key[count] = (const uint8_t *)fixed[k];
        key_len[count++] = strlen(fixed[k]);
    }
    for (size_t m = 0; m < ref.members && m < 2 && want >= 0; m++) {
        const uint8_t *kb = p + ref.key_start[m] + 1;
        size_t kl = ref.key_end[m] - ref.key_start[m] - 2;
        if (memchr(kb, '\\', kl) || kl > 64) continue;
        int dup = 0;
        for (int k = 0; k < count; k++) dup |= key_len[k] == kl && memcmp(key[k], kb, kl) == 0;
        if (!dup) {
            key[count] = kb;
            key_len[count++] = kl;
        }
    }
    uint8_t bytes[4 + 2 * 64 + 16];
    size_t lens[MAX_KEYS], used = 0;
    for (int k = 0; k < count; k++) {
        memcpy(bytes + used, key[k], key_len[k]);
        used += key_len[k];
        lens[k] = key_len[k];
    }
    long span[2 * MAX_KEYS];
    tap_fields f = {count, bytes, lens, span, 7};
    long got_f = tap_validate_line_fields(level, p, n, &f);
    if (got_f != got) FUZZ_FAIL(p, n, "tap_validate_line_fields gave %ld, tap_validate_line %ld", got_f, got);
    if (got_f >= 0) {
        if (f.unsure != ref.key_escaped_any)
            FUZZ_FAIL(p, n, "unsure %d but a top-level key holds a backslash: %d", f.unsure, ref.key_escaped_any);
        if (!f.unsure && ref.members <= REF_MAX_MEMBERS) {
            size_t off = 0;
            for (int k = 0; k < count; k++) {
                long ws = -1, we = -1;
                for (size_t m = 0; m < ref.members; m++) {
                    size_t kl = ref.key_end[m] - ref.key_start[m] - 2;
                    if (kl == lens[k] && memcmp(p + ref.key_start[m] + 1, bytes + off, kl) == 0) {
                        ws = (long)ref.val_start[m];
                        we = (long)ref.val_end[m];
                        break;
                    }
                }
                if (span[2 * k] != ws || (ws >= 0 && span[2 * k + 1] != we))
                    FUZZ_FAIL(p, n, "key %d (%.*s): span %ld..%ld, the reference %ld..%ld", k, (int)lens[k],
                              (const char *)bytes + off, span[2 * k], ws >= 0 ? span[2 * k + 1] : -1, ws, we);
                off += lens[k];
            }
        }
    }
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!level) {
        level = tap_simd_level();
        if (level < 1) {
            fprintf(stderr, "no AVX2 path on this CPU: nothing to fuzz\n");
            exit(1);
        }
    }
    if (size > 1 << 16) return 0;
    uint8_t *ext = (uint8_t *)malloc(size + 1);  // the input, then a `\n`
    if (!ext) abort();
    if (size) memcpy(ext, data, size);
    ext[size] = '\n';
    check(data, size);
    check(ext, size + 1);
    if (getenv("FUZZ_NO_CUTS")) {  // the whole input only (a big file's every line)
        free(ext);
        return 0;
    }
    size_t step = size > 1024 ? 7 : 1;
    for (size_t len = 0; len <= size && len <= 200; len += step) check(ext, len);
    for (size_t cut = 1; cut <= 70 && cut <= size; cut++) check(ext, size + 1 - cut);
    for (size_t start = 1; start <= 64 && start <= size; start++) check(ext + start, size + 1 - start);
    free(ext);
    return 0;
}
