// tap_skip_masks64 (Sources/CTapSIMD/skip.h, JSONScanner.skipContainer's masks) against its
// documented meaning, byte by byte: bit i of `quote`, `backslash`, `open`, `close` set exactly
// when byte i is `"`, `\`, `{` or `[`, `}` or `]`. Every 64-byte window of the input at every
// offset, the input in a buffer malloc'd at exactly its length (the last window ends at its
// last byte), plus the input padded to 64 bytes when shorter. The string masks of simd.h
// (JSONScanner's and the Swift validator's) the same way: tap_string_masks64 (`"`, `\`,
// < 0x20, >= 0x80), tap_string_special_quote32 (bits 0-31 any of those four, bits 32-63 the
// quotes) and tap_quote_backslash32.
#include "../../Sources/CTapSIMD/skip.h"
#include "../../Sources/CTapSIMD/simd.h"
#include "common.h"

static void check(const uint8_t *b, size_t len, size_t at) {
    tap_skip_masks m = tap_skip_masks64(b + at);
    tap_skip_masks want = {0, 0, 0, 0};
    for (int k = 0; k < 64; k++) {
        uint8_t c = b[at + k];
        uint64_t bit = (uint64_t)1 << k;
        if (c == '"') want.quote |= bit;
        if (c == '\\') want.backslash |= bit;
        if (c == '{' || c == '[') want.open |= bit;
        if (c == '}' || c == ']') want.close |= bit;
    }
    tap_string_block sb = tap_string_masks64(b + at);
    uint64_t control = 0, nonascii = 0;
    for (int k = 0; k < 64; k++) {
        if (b[at + k] < 0x20) control |= (uint64_t)1 << k;
        if (b[at + k] >= 0x80) nonascii |= (uint64_t)1 << k;
    }
    if (sb.quote != want.quote || sb.backslash != want.backslash || sb.control != control || sb.nonascii != nonascii)
        FUZZ_FAIL(b, len, "tap_string_masks64 at %zu", at);
    uint64_t special = tap_string_special_quote32(b + at);
    uint64_t want_special = ((want.quote | want.backslash | control | nonascii) & 0xFFFFFFFFu) | (want.quote & 0xFFFFFFFFu) << 32;
    if (special != want_special) FUZZ_FAIL(b, len, "tap_string_special_quote32 at %zu: %llx, scalar %llx", at,
                                           (unsigned long long)special, (unsigned long long)want_special);
    if (tap_quote_backslash32(b + at) != (uint32_t)(want.quote | want.backslash))
        FUZZ_FAIL(b, len, "tap_quote_backslash32 at %zu", at);
    if (m.quote != want.quote || m.backslash != want.backslash || m.open != want.open || m.close != want.close)
        FUZZ_FAIL(b, len, "masks at %zu: %llx %llx %llx %llx, scalar %llx %llx %llx %llx", at,
                  (unsigned long long)m.quote, (unsigned long long)m.backslash, (unsigned long long)m.open,
                  (unsigned long long)m.close, (unsigned long long)want.quote, (unsigned long long)want.backslash,
                  (unsigned long long)want.open, (unsigned long long)want.close);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    if (size < 64) {
        uint8_t pad[64];
        memset(pad, 0, 64);
        memcpy(pad, data, size);
        uint8_t *b = fuzz_copy(pad, 64);
        check(b, 64, 0);
        free(b);
        return 0;
    }
    uint8_t *b = fuzz_copy(data, size);
    for (size_t at = 0; at + 64 <= size; at++) check(b, size, at);
    free(b);
    return 0;
}
