// Only libcrypto's one-shot digests are used (redaction hashes); TLS lives in swift-nio-ssl.
#include <openssl/sha.h>
