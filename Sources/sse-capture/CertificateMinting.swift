// Keys and X.509 certificates for the local CA, made with the system's libcrypto (OpenSSL 3,
// already linked for the redaction hashes through COpenSSL). swift-certificates and swift-crypto
// did this before; they brought a second copy of BoringSSL, swift-asn1 and Foundation into the
// binary, about 4 MiB more of code touched at startup for a few calls made once per host.
//
// Every libcrypto object is owned by one Swift value and freed in its deinit; nothing here keeps
// state between calls except the keys and certificates it returns.
import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct MintingError: Error, CustomStringConvertible {
    let description: String

    /// `what` failed; libcrypto's latest queued error, if any, says why (the queue is then cleared:
    /// an older error, left by an earlier call, does not name this failure).
    init(_ what: String) {
        let code = ERR_peek_last_error()
        ERR_clear_error()
        if code == 0 {
            description = what
        } else {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            description =
                what + ": " + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}

/// An EVP_PKEY (a P-256 key pair), freed with its owner.
final class MintedKey: @unchecked Sendable {
    // Sendable: libcrypto keys are read-only after creation and their reference counts are atomic;
    // CertificateAuthority also serializes every signature behind its lock.
    let pointer: OpaquePointer

    private init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }

    /// A fresh P-256 key pair.
    static func generateP256() throws -> MintedKey {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil) else { throw MintingError("EVP_PKEY_CTX_new_id") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
            EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1,
            EVP_PKEY_keygen(context, &key) == 1, let key
        else { throw MintingError("P-256 key generation") }
        return MintedKey(key)
    }

    /// Reads a PEM private key (PKCS#8 `PRIVATE KEY`, or the older `EC PRIVATE KEY`). An encrypted
    /// key is refused: the passphrase callback answers nothing (without one, libcrypto would ask
    /// for the passphrase on the terminal and the proxy would hang at startup).
    static func fromPEM(_ pem: [UInt8]) throws -> MintedKey {
        let key = try MemoryBIO.reading(pem) { PEM_read_bio_PrivateKey($0, nil, { _, _, _, _ in 0 }, nil) }
        guard let key else { throw MintingError("not an unencrypted PEM private key") }
        return MintedKey(key)
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted: the file holding it is 0600.
    func pemRepresentation() throws -> [UInt8] {
        try MemoryBIO.writing { PEM_write_bio_PrivateKey($0, pointer, nil, nil, 0, nil, nil) == 1 }
    }
}

/// An X509 certificate, freed with its owner.
final class MintedCertificate: @unchecked Sendable {
    // Sendable: read-only once signed (libcrypto caches its parsed extensions under its own lock).
    let pointer: OpaquePointer

    fileprivate init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }

    static func fromPEM(_ pem: [UInt8]) throws -> MintedCertificate {
        let certificate = try MemoryBIO.reading(pem) { PEM_read_bio_X509($0, nil, nil, nil) }
        guard let certificate else { throw MintingError("not a PEM certificate") }
        return MintedCertificate(certificate)
    }

    func pemRepresentation() throws -> [UInt8] {
        try MemoryBIO.writing { PEM_write_bio_X509($0, pointer) == 1 }
    }

    func derRepresentation() throws -> [UInt8] {
        let length = i2d_X509(pointer, nil)
        guard length > 0 else { throw MintingError("i2d_X509") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_X509(pointer, &cursor)
        }
        guard written == length else { throw MintingError("i2d_X509") }
        return bytes
    }
}

/// The two certificate shapes the proxy needs: its self-signed CA and a leaf per intercepted host.
enum CertificateMinting {
    private static let day = 86_400

    /// A self-signed CA certificate for `key`: CN "StreamTap sse-capture CA", O "StreamTap", valid
    /// from a day ago for 10 years; basicConstraints CA:TRUE with pathlen 0 and keyUsage
    /// keyCertSign/cRLSign/digitalSignature (both critical), subjectKeyIdentifier.
    static func certificateAuthority(key: MintedKey) throws -> MintedCertificate {
        let certificate = try newCertificate(validFor: 10 * 365 * day, publicKey: key)
        try setName(
            X509_get_subject_name(certificate.pointer),
            [("CN", "StreamTap sse-capture CA"), ("O", "StreamTap")]
        )
        try setName(
            X509_get_issuer_name(certificate.pointer),
            [("CN", "StreamTap sse-capture CA"), ("O", "StreamTap")]
        )
        try addExtensions(
            certificate,
            issuer: certificate,
            [
                (NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
                (NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"),
                (NID_subject_key_identifier, "hash"),
            ]
        )
        try sign(certificate, with: key)
        return certificate
    }

    /// A server certificate for `host` (a DNS name, or an IP address given as its 4 or 16
    /// bytes in `ipAddress`) with `publicKey`, signed by `issuer`/`issuerKey`: CN = host (at
    /// most 64 characters), the host as its one subjectAltName, CA:FALSE, digitalSignature,
    /// serverAuth, valid from a day ago for 390 days (under the 398 days clients accept).
    static func leaf(
        host: String,
        ipAddress: [UInt8]?,
        publicKey: MintedKey,
        issuer: MintedCertificate,
        issuerKey: MintedKey
    ) throws -> MintedCertificate {
        let certificate = try newCertificate(validFor: 390 * day, publicKey: publicKey)
        try setName(X509_get_subject_name(certificate.pointer), [("CN", String(host.prefix(64)))])
        guard X509_set_issuer_name(certificate.pointer, X509_get_subject_name(issuer.pointer)) == 1 else {
            throw MintingError("X509_set_issuer_name")
        }
        try addExtensions(
            certificate,
            issuer: issuer,
            [
                (NID_basic_constraints, "critical,CA:FALSE"),
                (NID_key_usage, "critical,digitalSignature"),
                (NID_ext_key_usage, "serverAuth"),
                (NID_authority_key_identifier, "keyid"),
            ]
        )
        try addSubjectAltName(certificate, host: host, ipAddress: ipAddress)
        try sign(certificate, with: issuerKey)
        return certificate
    }

    /// Version 3, a random positive 127-bit serial, validity from a day ago, the public key.
    private static func newCertificate(validFor seconds: Int, publicKey: MintedKey) throws -> MintedCertificate {
        guard let pointer = X509_new() else { throw MintingError("X509_new") }
        let certificate = MintedCertificate(pointer)
        var serial = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { throw MintingError("RAND_bytes") }
        serial[0] &= 0x7f
        serial[0] |= 0x01  // never a leading zero byte, never zero
        guard let number = BN_bin2bn(serial, Int32(serial.count), nil) else { throw MintingError("BN_bin2bn") }
        defer { BN_free(number) }
        guard X509_set_version(pointer, 2) == 1,  // 2 means v3
            BN_to_ASN1_INTEGER(number, X509_get_serialNumber(pointer)) != nil,
            X509_gmtime_adj(X509_getm_notBefore(pointer), -day) != nil,
            X509_gmtime_adj(X509_getm_notAfter(pointer), seconds) != nil,
            X509_set_pubkey(pointer, publicKey.pointer) == 1
        else { throw MintingError("certificate fields") }
        return certificate
    }

    private static func setName(_ name: OpaquePointer?, _ entries: [(String, String)]) throws {
        for (field, value) in entries {
            let added = value.withCString { text in
                text.withMemoryRebound(to: UInt8.self, capacity: value.utf8.count + 1) {
                    X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, $0, -1, -1, 0)
                }
            }
            guard added == 1 else { throw MintingError("name \(field)=\(value)") }
        }
    }

    /// Extensions from OpenSSL's configuration syntax; the values are fixed strings (the host goes
    /// in through addSubjectAltName, never through this parser).
    private static func addExtensions(
        _ certificate: MintedCertificate,
        issuer: MintedCertificate,
        _ extensions: [(Int32, String)]
    ) throws {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer.pointer, certificate.pointer, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                throw MintingError("extension \(value)")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(certificate.pointer, ext, -1) == 1 else { throw MintingError("X509_add_ext") }
        }
    }

    /// subjectAltName with one entry: iPAddress (the address bytes) or dNSName (the host as given).
    private static func addSubjectAltName(_ certificate: MintedCertificate, host: String, ipAddress: [UInt8]?) throws {
        guard let names = GENERAL_NAMES_new() else { throw MintingError("GENERAL_NAMES_new") }
        defer { GENERAL_NAMES_free(names) }
        guard let name = GENERAL_NAME_new() else { throw MintingError("GENERAL_NAME_new") }
        let bytes = ipAddress ?? Array(host.utf8)
        guard let value = ipAddress == nil ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new() else {
            GENERAL_NAME_free(name)
            throw MintingError("subjectAltName value")
        }
        guard ASN1_STRING_set(value, bytes, Int32(bytes.count)) == 1 else {
            ASN1_STRING_free(value)
            GENERAL_NAME_free(name)
            throw MintingError("subjectAltName value")
        }
        GENERAL_NAME_set0_value(name, ipAddress == nil ? GEN_DNS : GEN_IPADD, UnsafeMutableRawPointer(value))
        // The stack owns `name` once pushed (GENERAL_NAMES_free frees both).
        guard OPENSSL_sk_push(names, UnsafeRawPointer(name)) > 0 else {
            GENERAL_NAME_free(name)
            throw MintingError("subjectAltName")
        }
        guard X509_add1_ext_i2d(certificate.pointer, NID_subject_alt_name, UnsafeMutableRawPointer(names), 0, 0) == 1
        else { throw MintingError("subjectAltName") }
    }

    /// ECDSA with SHA-256 (the key is P-256).
    private static func sign(_ certificate: MintedCertificate, with key: MintedKey) throws {
        guard X509_sign(certificate.pointer, key.pointer, EVP_sha256()) > 0 else { throw MintingError("X509_sign") }
    }
}

/// A libcrypto memory BIO for PEM in and out of byte arrays.
private enum MemoryBIO {
    static func reading<T>(_ bytes: [UInt8], _ body: (OpaquePointer) -> T?) throws -> T? {
        try bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                throw MintingError("BIO_new_mem_buf")
            }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    static func writing(_ body: (OpaquePointer) -> Bool) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw MintingError("BIO_new") }
        defer { BIO_free(bio) }
        guard body(bio) else { throw MintingError("PEM write") }
        let pending = BIO_ctrl(bio, BIO_CTRL_PENDING, 0, nil)
        var bytes = [UInt8](repeating: 0, count: Int(pending))
        let read = BIO_read(bio, &bytes, Int32(bytes.count))
        guard read == Int32(pending) else { throw MintingError("BIO_read") }
        return bytes
    }
}
