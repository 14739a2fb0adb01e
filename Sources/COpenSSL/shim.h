// libcrypto's one-shot digests (redaction hashes) and, for sse-capture's local CA, keys, X.509
// certificates and PEM; TLS itself lives in swift-nio-ssl.
#include <openssl/sha.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
