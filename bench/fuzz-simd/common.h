// Shared by the fuzz targets: exact-length copies (so that ASan sees a read of even one byte
// past the end), the failure report, and a stand-alone mutation loop for a clang without
// libFuzzer (build with -DFUZZ_STANDALONE; `target SECONDS SEED_DIR_OR_FILE...`, or
// `target --lines FILE` for every line of a file once).
#ifndef FUZZ_SIMD_COMMON_H
#define FUZZ_SIMD_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// A heap copy of exactly `n` bytes: nothing after it is addressable.
static uint8_t *fuzz_copy(const void *src, size_t n) {
    uint8_t *p = (uint8_t *)malloc(n);
    if (!p && n) abort();
    if (n) memcpy(p, src, n);
    return p;
}

static void fuzz_dump(const char *what, const uint8_t *p, size_t n) {
    fprintf(stderr, "%s (%zu bytes): \"", what, n);
    for (size_t i = 0; i < n && i < 4096; i++) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') fputc(c, stderr);
        else fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, "\"\n");
}

/// An oracle disagreed: the window, the message, then abort (libFuzzer saves the input).
#define FUZZ_FAIL(p, n, ...)                  \
    do {                                      \
        fprintf(stderr, "ORACLE MISMATCH: "); \
        fprintf(stderr, __VA_ARGS__);         \
        fputc('\n', stderr);                  \
        fuzz_dump("window", (p), (n));        \
        abort();                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FUZZ_STANDALONE
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

static uint8_t **seeds;
static size_t *seed_len, seed_count, seed_cap;

static void add_seed(const uint8_t *p, size_t n) {
    if (seed_count == seed_cap) {
        seed_cap = seed_cap ? 2 * seed_cap : 256;
        seeds = realloc(seeds, seed_cap * sizeof *seeds);
        seed_len = realloc(seed_len, seed_cap * sizeof *seed_len);
    }
    seeds[seed_count] = fuzz_copy(p, n);
    seed_len[seed_count++] = n;
}

static void add_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return;
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    add_seed(buf, n);
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next_random(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/// `--lines FILE`: every line of FILE (with its `\n`) once, in order: a capture log as it is.
static int run_lines(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 2;
    char *line = 0;
    size_t room = 0, count = 0, bytes = 0;
    ssize_t n;
    while ((n = getline(&line, &room, f)) > 0) {
        LLVMFuzzerTestOneInput((const uint8_t *)line, (size_t)n);
        count++;
        bytes += (size_t)n;
    }
    free(line);
    fclose(f);
    fprintf(stderr, "lines: %zu lines, %zu bytes of %s, no mismatch\n", count, bytes, path);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--lines") == 0) return run_lines(argv[2]);
    double seconds = argc > 1 ? atof(argv[1]) : 10;
    for (int a = 2; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[a]);
            struct dirent *e;
            char path[4096];
            while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.') continue;
                snprintf(path, sizeof path, "%s/%s", argv[a], e->d_name);
                add_file(path);
            }
            if (d) closedir(d);
        } else {
            add_file(argv[a]);
        }
    }
    if (!seed_count) add_seed((const uint8_t *)"{}\n", 3);
    static const char *dict[] = {"{", "}", "[", "]", "\"", "\\", "\\u", "\\ud83d\\ude00", ":", ",", "\n", " ",
                                 "0", "-1.5e+3", "true", "null", "\xc3\xa9", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\"usage\""};
    uint8_t buf[8192];
    time_t stop = time(0) + (time_t)seconds;
    unsigned long runs = 0;
    while (time(0) < stop) {
        for (int burst = 0; burst < 64; burst++) {
            size_t s = next_random() % seed_count, n = seed_len[s] < sizeof buf ? seed_len[s] : sizeof buf;
            memcpy(buf, seeds[s], n);
            int edits = 1 + (int)(next_random() % 4);
            for (int k = 0; k < edits; k++) {
                size_t at = n ? next_random() % (n + 1) : 0;
                switch (next_random() % 5) {
                case 0: if (n) buf[at % n] = (uint8_t)next_random(); break;                   // flip a byte
                case 1: if (n) { memmove(buf + at % n, buf + at % n + 1, n - at % n - 1); n--; } break;  // drop one
                case 2: n = at; break;                                                        // cut
                default: {                                                                    // insert a token
                    const char *t = dict[next_random() % (sizeof dict / sizeof *dict)];
                    size_t tn = strlen(t);
                    if (n + tn > sizeof buf) break;
                    memmove(buf + at + tn, buf + at, n - at);
                    memcpy(buf + at, t, tn);
                    n += tn;
                }
                }
            }
            LLVMFuzzerTestOneInput(buf, n);
            runs++;
            if (next_random() % 512 == 0 && seed_count < 100000) add_seed(buf, n);
        }
    }
    fprintf(stderr, "standalone: %lu inputs in %.0f s, %zu seeds, no mismatch\n", runs, seconds, seed_count);
    return 0;
}
#endif

#endif
