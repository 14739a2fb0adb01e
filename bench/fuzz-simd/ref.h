// Plain-C reference oracles for the fuzz targets: a recursive-descent RFC 8259 validator of
// one NDJSON line (no SIMD, no cleverness, no depth limit below the input's own size), which
// also records the spans of the top-level members' values. Written from RFC 8259 and
// RFC 3629, not from line_validator.h, so that the two can disagree.
#ifndef FUZZ_SIMD_REF_H
#define FUZZ_SIMD_REF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define REF_MAX_MEMBERS 256
#define REF_DEPTH_LIMIT 1000  // recursion bound: far past the validator's 64

typedef struct {
    const uint8_t *b;
    size_t n;        // the line's length (the `\n` excluded)
    size_t i;
    int max_depth;   // deepest nesting seen
    int too_deep;    // gave up past REF_DEPTH_LIMIT (the answer is then "invalid" here)
    // Top-level members: key span (quotes included), value span, whether the key holds `\`.
    size_t members;
    size_t key_start[REF_MAX_MEMBERS], key_end[REF_MAX_MEMBERS];
    size_t val_start[REF_MAX_MEMBERS], val_end[REF_MAX_MEMBERS];
    int key_escaped_any;
} ref_state;

static int ref_value(ref_state *s, int depth);

static void ref_ws(ref_state *s) {
    while (s->i < s->n && (s->b[s->i] == ' ' || s->b[s->i] == '\t' || s->b[s->i] == '\r' || s->b[s->i] == '\n')) s->i++;
}

static int ref_hex(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int ref_u4(ref_state *s, unsigned *out) {  // at the byte after `\u`
    if (s->i + 4 > s->n) return 0;
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = ref_hex(s->b[s->i + k]);
        if (h < 0) return 0;
        v = v << 4 | (unsigned)h;
    }
    s->i += 4;
    *out = v;
    return 1;
}

/// One UTF-8 sequence starting at s->i (a byte >= 0x80), RFC 3629 table 4.
static int ref_utf8(ref_state *s) {
    const uint8_t *b = s->b;
    size_t i = s->i, n = s->n;
    uint8_t c = b[i];
#define CONT(k) (i + (k) < n && (b[i + (k)] & 0xC0) == 0x80)
    if (c >= 0xC2 && c <= 0xDF) {
        if (!CONT(1)) return 0;
        s->i += 2;
    } else if (c == 0xE0) {
        if (!(i + 1 < n && b[i + 1] >= 0xA0 && b[i + 1] <= 0xBF) || !CONT(2)) return 0;
        s->i += 3;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        if (!CONT(1) || !CONT(2)) return 0;
        s->i += 3;
    } else if (c == 0xED) {
        if (!(i + 1 < n && b[i + 1] >= 0x80 && b[i + 1] <= 0x9F) || !CONT(2)) return 0;
        s->i += 3;
    } else if (c == 0xF0) {
        if (!(i + 1 < n && b[i + 1] >= 0x90 && b[i + 1] <= 0xBF) || !CONT(2) || !CONT(3)) return 0;
        s->i += 4;
    } else if (c >= 0xF1 && c <= 0xF3) {
        if (!CONT(1) || !CONT(2) || !CONT(3)) return 0;
        s->i += 4;
    } else if (c == 0xF4) {
        if (!(i + 1 < n && b[i + 1] >= 0x80 && b[i + 1] <= 0x8F) || !CONT(2) || !CONT(3)) return 0;
        s->i += 4;
    } else {
        return 0;
    }
#undef CONT
    return 1;
}

/// A string at s->i (its opening quote); `*escaped` set when it holds a backslash.
static int ref_string(ref_state *s, int *escaped) {
    s->i++;
    while (s->i < s->n) {
        uint8_t c = s->b[s->i];
        if (c == '"') {
            s->i++;
            return 1;
        }
        if (c < 0x20) return 0;
        if (c == '\\') {
            if (escaped) *escaped = 1;
            if (s->i + 1 >= s->n) return 0;
            uint8_t e = s->b[s->i + 1];
            s->i += 2;
            switch (e) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
            case 'u': {
                unsigned u, low;
                if (!ref_u4(s, &u)) return 0;
                if (u >= 0xDC00 && u <= 0xDFFF) return 0;  // a lone low half
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (s->i + 2 > s->n || s->b[s->i] != '\\' || s->b[s->i + 1] != 'u') return 0;
                    s->i += 2;
                    if (!ref_u4(s, &low) || low < 0xDC00 || low > 0xDFFF) return 0;
                }
                break;
            }
            default: return 0;
            }
            continue;
        }
        if (c >= 0x80) {
            if (!ref_utf8(s)) return 0;
            continue;
        }
        s->i++;
    }
    return 0;
}

static int ref_digits(ref_state *s) {
    size_t start = s->i;
    while (s->i < s->n && s->b[s->i] >= '0' && s->b[s->i] <= '9') s->i++;
    return s->i > start;
}

static int ref_number(ref_state *s) {
    if (s->b[s->i] == '-') s->i++;
    if (s->i >= s->n) return 0;
    if (s->b[s->i] == '0') {
        s->i++;
    } else if (s->b[s->i] >= '1' && s->b[s->i] <= '9') {
        ref_digits(s);
    } else {
        return 0;
    }
    if (s->i < s->n && s->b[s->i] == '.') {
        s->i++;
        if (!ref_digits(s)) return 0;
    }
    if (s->i < s->n && (s->b[s->i] == 'e' || s->b[s->i] == 'E')) {
        s->i++;
        if (s->i < s->n && (s->b[s->i] == '+' || s->b[s->i] == '-')) s->i++;
        if (!ref_digits(s)) return 0;
    }
    return 1;
}

static int ref_word(ref_state *s, const char *w) {
    size_t k = strlen(w);
    if (s->i + k > s->n || memcmp(s->b + s->i, w, k) != 0) return 0;
    s->i += k;
    return 1;
}

/// After a member or element: 1 past a `,` (another follows), 0 past `close` (the container
/// ends), -1 when neither comes next.
static int ref_after_item(ref_state *s, char close) {
    ref_ws(s);
    if (s->i >= s->n) return -1;
    if (s->b[s->i] == ',') {
        s->i++;
        ref_ws(s);
        return 1;
    }
    if (s->b[s->i] == close) {
        s->i++;
        return 0;
    }
    return -1;
}

static int ref_object(ref_state *s, int depth) {
    s->i++;  // `{`
    ref_ws(s);
    if (s->i < s->n && s->b[s->i] == '}') {
        s->i++;
        return 1;
    }
    for (;;) {
        if (s->i >= s->n || s->b[s->i] != '"') return 0;
        size_t ks = s->i;
        int esc = 0;
        if (!ref_string(s, &esc)) return 0;
        size_t ke = s->i;
        ref_ws(s);
        if (s->i >= s->n || s->b[s->i] != ':') return 0;
        s->i++;
        ref_ws(s);
        size_t vs = s->i;
        if (!ref_value(s, depth)) return 0;
        size_t ve = s->i;
        if (depth == 1) {
            if (esc) s->key_escaped_any = 1;
            if (s->members < REF_MAX_MEMBERS) {
                s->key_start[s->members] = ks;
                s->key_end[s->members] = ke;
                s->val_start[s->members] = vs;
                s->val_end[s->members] = ve;
            }
            s->members++;
        }
        int next = ref_after_item(s, '}');
        if (next <= 0) return next == 0;
    }
}

static int ref_array(ref_state *s, int depth) {
    s->i++;  // `[`
    ref_ws(s);
    if (s->i < s->n && s->b[s->i] == ']') {
        s->i++;
        return 1;
    }
    for (;;) {
        if (!ref_value(s, depth)) return 0;
        int next = ref_after_item(s, ']');
        if (next <= 0) return next == 0;
    }
}

/// A value at s->i inside `depth` containers.
static int ref_value(ref_state *s, int depth) {
    if (s->i >= s->n) return 0;
    switch (s->b[s->i]) {
    case '{':
    case '[':
        if (depth + 1 > s->max_depth) s->max_depth = depth + 1;
        if (depth + 1 > REF_DEPTH_LIMIT) {
            s->too_deep = 1;
            return 0;
        }
        return s->b[s->i] == '{' ? ref_object(s, depth + 1) : ref_array(s, depth + 1);
    case '"': return ref_string(s, 0);
    case 't': return ref_word(s, "true");
    case 'f': return ref_word(s, "false");
    case 'n': return ref_word(s, "null");
    default:
        if (s->b[s->i] == '-' || (s->b[s->i] >= '0' && s->b[s->i] <= '9')) return ref_number(s);
        return 0;
    }
}

/// What tap_validate_line should answer for `p[0..<n]`: the offset of the first `\n` when the
/// bytes before it are one JSON object with blanks (space, tab, `\r`) around it, else -1.
/// `s` keeps the walk (members, depth) for the other oracles.
static long ref_validate_line(const uint8_t *p, size_t n, ref_state *s) {
    memset(s, 0, sizeof *s);
    const uint8_t *nl = memchr(p, '\n', n);
    if (!nl) return -1;
    s->b = p;
    s->n = (size_t)(nl - p);
    ref_ws(s);
    if (s->i >= s->n || p[s->i] != '{') return -1;
    s->max_depth = 1;
    if (!ref_object(s, 1)) return -1;
    ref_ws(s);
    if (s->i != s->n) return -1;
    return (long)s->n;
}

#endif
