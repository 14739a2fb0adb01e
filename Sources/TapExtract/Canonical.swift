// Re-encoding of input JSON values the way the reference answers write them (orjson: compact,
// keys in source order, strings escaped minimally, non-ASCII raw). Input lines may be written
// with `", "` separators or `\u` escapes for every non-ASCII character; an answer must not
// depend on how a foreign writer spelled a value, so values are never spliced verbatim.

import COpenSSL
import TapCodec

extension JSONScanner {
    /// Appends the compact, orjson-style encoding of the value at `span`.
    public func writeCanonical(_ span: JSONSpan, into out: inout [UInt8]) {
        switch span.kind {
        case .string:
            let inner = UnsafeRawBufferPointer(rebasing: bytes[(span.start + 1)..<(span.end - 1)])
            // A valid JSON string without a backslash holds no quote and no control character,
            // so its bytes are already what orjson writes.
            if inner.firstIndex(of: UInt8(ascii: "\\")) == nil {
                out.append(contentsOf: raw(span))
            } else {
                var decoded: [UInt8] = []
                decodeString(span, into: &decoded)
                decoded.withUnsafeBytes { JSONStringEncoder.appendQuoted($0, to: &out) }
            }
        case .object:
            out.append(UInt8(ascii: "{"))
            var first = true
            forEachMember(of: span) { key, value in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeCanonical(key, into: &out)
                out.append(UInt8(ascii: ":"))
                writeCanonical(value, into: &out)
                return true
            }
            out.append(UInt8(ascii: "}"))
        case .array:
            out.append(UInt8(ascii: "["))
            var first = true
            forEachElement(of: span) { element in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeCanonical(element, into: &out)
                return true
            }
            out.append(UInt8(ascii: "]"))
        case .number, .true, .false, .null:
            out.append(contentsOf: raw(span))
        }
    }

    /// The canonical encoding of a value, or nil for an absent one.
    public func canonical(_ span: JSONSpan?) -> [UInt8]? {
        guard let span else { return nil }
        var out: [UInt8] = []
        writeCanonical(span, into: &out)
        return out
    }

    /// The decoded UTF-8 bytes of a string span (nil when it is not a string).
    public func decoded(_ span: JSONSpan?) -> [UInt8]? {
        guard let span, span.kind == .string else { return nil }
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(span.start + 1)..<(span.end - 1)])
        if inner.firstIndex(of: UInt8(ascii: "\\")) == nil { return Array(inner) }
        var out: [UInt8] = []
        decodeString(span, into: &out)
        return out
    }

    /// A string field as a Swift String (nil when absent or not a string).
    public func text(_ span: JSONSpan?) -> String? {
        guard let span, span.kind == .string else { return nil }
        return string(span)
    }

    /// The value of `key` in `object` when `object` is an object.
    @inline(__always)
    public func member(_ object: JSONSpan?, _ key: String) -> JSONSpan? {
        guard let object, object.kind == .object else { return nil }
        return field(key, in: object)
    }

    /// True when the span is a string equal to `text`.
    @inline(__always)
    public func isString(_ span: JSONSpan?, _ text: String) -> Bool {
        guard let span else { return false }
        return stringEquals(span, text)
    }

    /// A present value that is not JSON null (Python's `x is not None`).
    @inline(__always)
    public func isPresent(_ span: JSONSpan?) -> Bool {
        guard let span else { return false }
        return span.kind != .null
    }

    /// Python's `int(x or 0)` for a JSON number or boolean: integers exactly, fractions truncated.
    public func integerValue(_ span: JSONSpan?) -> Int64 {
        guard let span else { return 0 }
        switch span.kind {
        case .number:
            if let v = int(span) { return v }
            if let d = double(span), d.isFinite, abs(d) < 9e18 { return Int64(d) }
            return 0
        case .true: return 1
        default: return 0
        }
    }

    /// Python's `isinstance(v, int)` (booleans included), else nil.
    public func strictInteger(_ span: JSONSpan?) -> Int64? {
        guard let span else { return nil }
        switch span.kind {
        case .number: return int(span)
        case .true: return 1
        case .false: return 0
        default: return nil
        }
    }
}

/// Parses `text` as one JSON text (as `orjson.loads` would) and returns its canonical encoding.
public func canonicalJSON(ofText text: [UInt8]) -> [UInt8]? {
    text.withUnsafeBytes { buffer -> [UInt8]? in
        guard JSONScanner.isValid(buffer) else { return nil }
        let scanner = JSONScanner(buffer)
        guard let root = scanner.root() else { return nil }
        return scanner.canonical(root)
    }
}

/// Lower-case hex SHA-256 of bytes (content hashes of texts and definitions).
public func sha256Hex(_ bytes: [UInt8]) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    bytes.withUnsafeBufferPointer { input in
        digest.withUnsafeMutableBufferPointer { out in
            _ = SHA256(input.baseAddress, input.count, out.baseAddress)
        }
    }
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(64)
    for byte in digest {
        text.append(hex[Int(byte >> 4)])
        text.append(hex[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
}

/// Byte order of UTF-8 text = code point order, as Python compares strings.
@inline(__always)
public func utf8Less(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
