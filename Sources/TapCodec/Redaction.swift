// Redaction of secrets: a secret becomes `hash:` + the first 16 hex digits of its SHA-256, so
// equal secrets stay recognisable across records without any prefix of the secret surviving.

import COpenSSL

public enum Redaction {
    /// Header names whose values are always redacted (lower case).
    public static let defaultHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    ]

    public static func hash(_ value: UnsafeRawBufferPointer) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = digest.withUnsafeMutableBufferPointer { out in
            SHA256(value.baseAddress?.assumingMemoryBound(to: UInt8.self), value.count, out.baseAddress)
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var text = "hash:"
        for byte in digest.prefix(8) {
            text.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
            text.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
        }
        return text
    }

    public static func hash(_ value: String) -> String {
        var value = value
        return value.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }
}
