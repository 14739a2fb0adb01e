// SHA-256 from the system's libcrypto, loaded on the first hash rather than linked.
//
// Only sse-capture (redaction) and extract-requests (content hashes) hash anything, yet every
// tool links TapCodec: a linked libcrypto is loaded and relocated at every start of every tool,
// about 1 ms of the ~4.5 ms an empty `extract-usage` run took (perf stat, session 5,
// bench/README.md). So it is opened by the soname its headers name (what `-lcrypto` would have
// recorded), and only when a hash is asked for. sse-capture links libcrypto for its local CA
// (COpenSSL), so there the symbol is found already loaded.
#ifndef CTAPDIGEST_DIGEST_H
#define CTAPDIGEST_DIGEST_H

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/opensslv.h>

#define TAP_DIGEST_STRING2(x) #x
#define TAP_DIGEST_STRING(x) TAP_DIGEST_STRING2(x)
/// "libcrypto.so.3" with OpenSSL 3's headers.
#define TAP_LIBCRYPTO_SONAME "libcrypto.so." TAP_DIGEST_STRING(OPENSSL_SHLIB_VERSION)

typedef unsigned char *(*tap_sha256_function)(const unsigned char *, size_t, unsigned char *);

/// libcrypto's one-shot `SHA256`, or NULL when the library cannot be loaded.
static inline tap_sha256_function tap_sha256_resolve(void) {
    static tap_sha256_function cached;  // set once; a race only loads the same symbol twice
    tap_sha256_function function = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);
    if (function) return function;
    function = (tap_sha256_function)dlsym(RTLD_DEFAULT, "SHA256");
    if (!function) {
        void *library = dlopen(TAP_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (library) function = (tap_sha256_function)dlsym(library, "SHA256");
    }
    if (function) __atomic_store_n(&cached, function, __ATOMIC_RELEASE);
    return function;
}

/// The SHA-256 of `count` bytes into `digest` (32 bytes): 1, or 0 when libcrypto is missing.
static inline int tap_sha256(const void *bytes, size_t count, uint8_t *digest) {
    tap_sha256_function function = tap_sha256_resolve();
    if (!function) return 0;
    function((const unsigned char *)bytes, count, digest);
    return 1;
}

#endif
