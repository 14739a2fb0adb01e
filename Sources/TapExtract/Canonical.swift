// Re-encoding of input JSON values the way the reference answers write them (orjson: compact,
// keys in source order, strings escaped minimally, non-ASCII raw). Input lines may be written
// with `", "` separators or `\u` escapes for every non-ASCII character; an answer must not
// depend on how a foreign writer spelled a value, so values are never spliced verbatim.

import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

/// Member names looked up together, in one pass over an object (`JSONScanner.forEachField`).
public struct MemberNames: Sendable {
    let names: [[UInt8]]
    let shortest: Int

    public init(_ names: String...) {
        precondition((1...64).contains(names.count))
        self.names = names.map { Array($0.utf8) }
        shortest = self.names.map(\.count).min() ?? 0
    }
}

extension JSONScanner {
    /// `body(i, field(names[i], in: object))` for each of the names the object has, in one pass
    /// over its members (each key compared with every name, rather than one walk per name); the
    /// first member of a name wins, as with `field`. Stops once every name is found.
    @inline(__always)
    public func forEachField(_ names: MemberNames, in object: JSONSpan, _ body: (Int, JSONSpan) -> Void) {
        let all: UInt64 = names.names.count == 64 ? ~0 : (1 << UInt64(names.names.count)) - 1
        var found: UInt64 = 0
        forEachMember(of: object) { key, value in
            if let i = nameIndex(key, names), found & (1 << UInt64(i)) == 0 {
                found |= 1 << UInt64(i)
                body(i, value)
            }
            return found != all
        }
    }

    /// Which of `names` the key span is (decoded: an escaped spelling of a name is that name).
    func nameIndex(_ key: JSONSpan, _ names: MemberNames) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let inner = key.count - 2
        let start = base + key.start + 1
        for (i, name) in names.names.enumerated() where name.count == inner {
            if inner == 0 || name.withUnsafeBytes({ memcmp(start, $0.baseAddress ?? start, inner) }) == 0 { return i }
        }
        // Escapes only shorten a key once decoded: only a longer key holding a backslash can match.
        guard inner > names.shortest, memchr(start, Int32(UInt8(ascii: "\\")), inner) != nil,
            let decoded = decoded(key)
        else { return nil }
        return names.names.firstIndex(of: decoded)
    }

    /// True when the span is a string whose decoded text starts with `prefix`.
    public func stringHasPrefix(_ span: JSONSpan?, _ prefix: [UInt8]) -> Bool {
        guard let span, span.kind == .string, let base = bytes.baseAddress else { return false }
        let inner = span.count - 2
        if inner >= prefix.count,
            prefix.withUnsafeBytes({ memcmp(base + span.start + 1, $0.baseAddress ?? base, prefix.count) }) == 0
        {
            return true
        }
        guard memchr(base + span.start + 1, Int32(UInt8(ascii: "\\")), inner) != nil, let text = decoded(span) else {
            return false
        }
        return text.starts(with: prefix)
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

/// Byte order of UTF-8 text = code point order, as Python compares strings.
@inline(__always)
public func utf8Less(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
