// Redaction of secrets: a secret becomes `hash:` + the first 16 hex digits of its SHA-256, so
// equal secrets stay recognisable across records without any prefix of the secret surviving.

import CTapDigest

public enum Redaction {
    /// Header names whose values are always redacted (lower case).
    public static let defaultHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    ]

    public static func hash(_ value: UnsafeRawBufferPointer) -> String {
        "hash:" + sha256Hex(value).prefix(16)
    }

    public static func hash(_ value: String) -> String {
        var value = value
        return value.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }
}

/// The SHA-256 of bytes, from the system's libcrypto, which is loaded on the first call (why:
/// Sources/CTapDigest/digest.h).
public func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: 32) { digest, count in
        guard tap_sha256(bytes.baseAddress, bytes.count, digest.baseAddress) == 1 else {
            fatalError("cannot load libcrypto for SHA-256 (OpenSSL's libcrypto.so.3: Debian's libssl3)")
        }
        count = 32
    }
}

/// The lower-case hex SHA-256 of bytes (redaction hashes, content hashes of texts and definitions).
public func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(64)
    for byte in sha256(bytes) {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
}

public func sha256Hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { sha256Hex($0) } }
