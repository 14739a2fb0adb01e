// The walk (stage 2) of CTapSIMD/line_validator.h over one stage 1, included there once per
// stage 1 (AVX2, AVX-512) with these defined:
//   TAP_WALK_NAME      the walk's name: long NAME(const void *p, size_t n, tap_fields *f)
//   TAP_WALK_REFILL    the name of its refill
//   TAP_WALK_TARGET    its target attribute (TAP_AVX2, TAP_AVX512)
//   TAP_WALK_CLASSIFY  its stage 1: int CLASSIFY(tap_line_state *s)
// One copy per target because clang inlines a function only into one compiled for at least its
// target features: the AVX-512 stage 1 inlined into its walk keeps the line's state in registers
// instead of a call per block (measured ~6 ms of ~95 on the 200 MB corpus, bench/README.md,
// "codec-scan.sh, session 5"). A textual header (module.modulemap), not a module of its own.

/// Classifies blocks until one holds a token (into `s->tokens`): 1; 0 when the line ended
/// (its `\n` reached with no token before it); -1 on an error or when the data ends without a
/// `\n`. Inlined into the walk: a call per block (and the spills around it) measured ~2 %
/// more CPU in session 4 (bench/README.md).
TAP_WALK_TARGET __attribute__((always_inline)) static inline int TAP_WALK_REFILL(tap_line_state *s) {
    while (s->tokens == 0) {
        if (s->seen_nl) return 0;
        if (s->next_block >= s->len) return -1;
        if (!TAP_WALK_CLASSIFY(s)) return -1;
    }
    return 1;
}

/// When `p[0..<n]` starts with a line that is one valid JSON object (whitespace around it
/// allowed: space, tab, `\r`) followed by `\n`, the offset of that `\n`; -1 otherwise, or when
/// the object nests deeper than 64 (the caller asks the Swift validator then). With `f`, the
/// walk also notes where the values of the asked top-level keys are (see `tap_fields`).
TAP_WALK_TARGET __attribute__((always_inline)) static inline long TAP_WALK_NAME(const void *p, size_t n,
                                                                              tap_fields *f) {
    tap_line_state st;
    memset(&st, 0, sizeof st);
    st.buf = (const uint8_t *)p;
    st.len = n;
    st.prev_hi = _mm256_setzero_si256();
    tap_line_state *s = &st;
    const uint8_t *b = st.buf;
    uint64_t stack = 0;  // bit per open container, 1 = object; innermost in bit 0
    int depth = 0;
    size_t pos = 0;
    uint64_t tokens = 0;  // the current block's tokens not yet walked
    size_t block = 0;
    int pending = -1;  // the asked key whose value is being walked (with `f`)
    if (f) {
        f->unsure = 0;
        for (int i = 0; i < f->count; i++) f->span[2 * i] = -1;
    }
#define TAP_NEXT() \
    do { \
        if (tokens == 0) { \
            s->tokens = 0; \
            if (TAP_WALK_REFILL(s) != 1) return -1; \
            tokens = s->tokens; \
            block = s->block; \
        } \
        pos = block + (size_t)__builtin_ctzll(tokens); \
        tokens &= tokens - 1; \
    } while (0)
    TAP_NEXT();
    if (b[pos] != '{') return -1;
object_begin:
    if (depth == 64) return -1;
    stack = stack << 1 | 1;
    depth++;
    TAP_NEXT();
    if (b[pos] == '}') goto container_end;
    if (b[pos] != '"') return -1;
object_key:
    if (f && depth == 1) {
        size_t quote = pos;
        TAP_NEXT();
        if (b[pos] != ':') return -1;
        int slot = tap_key_slot(f, b, n, quote, pos);
        TAP_NEXT();
        if (slot >= 0) {
            f->span[2 * slot] = (long)pos;
            pending = slot;
        }
        goto value;
    }
    TAP_NEXT();
    if (b[pos] != ':') return -1;
    TAP_NEXT();
value:
    switch (b[pos]) {
    case '"': break;
    case '{': goto object_begin;
    case '[': goto array_begin;
    case 't': if (!tap_literal_ok(b, n, pos, "true", 4)) return -1; break;
    case 'f': if (!tap_literal_ok(b, n, pos, "false", 5)) return -1; break;
    case 'n': if (!tap_literal_ok(b, n, pos, "null", 4)) return -1; break;
    case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
        // Most numbers in records are integers followed by `,` `}` or `]`: valid as they
        // stand, without the call (anything else gets the whole check).
        size_t i = pos + 1;
        while (i < n && (uint8_t)(b[i] - '0') < 10) i++;
        if (i < n && (b[i] == ',' || b[i] == '}' || b[i] == ']')) break;
        if (!tap_number_ok(b, n, pos)) return -1;
        break;
    }
    case '-': case '0':
        if (!tap_number_ok(b, n, pos)) return -1;
        break;
    default: return -1;
    }
after_value:
    TAP_NEXT();
    if (f && pending >= 0 && depth == 1) {
        f->span[2 * pending + 1] = (long)tap_trim_end(b, pos);
        pending = -1;
    }
    if (b[pos] == ',') {
        TAP_NEXT();
        if (stack & 1) {
            if (b[pos] != '"') return -1;
            goto object_key;
        }
        goto value;
    }
    if (b[pos] != ((stack & 1) ? '}' : ']')) return -1;
container_end:
    stack >>= 1;
    depth--;
    if (depth > 0) goto after_value;
    // The object is closed: nothing but whitespace up to the `\n`.
    if (tokens != 0) return -1;
    s->tokens = 0;
    if (TAP_WALK_REFILL(s) != 0) return -1;
    return (long)st.nl;
array_begin:
    if (depth == 64) return -1;
    stack <<= 1;
    depth++;
    TAP_NEXT();
    if (b[pos] == ']') goto container_end;
    goto value;
#undef TAP_NEXT
}
#undef TAP_WALK_NAME
#undef TAP_WALK_REFILL
#undef TAP_WALK_TARGET
#undef TAP_WALK_CLASSIFY
