// On-demand JSON scanner over the bytes of one JSON text (one NDJSON line).
//
// The tools pass most lines through untouched and need only a few fields of the rest, so the
// scanner never builds a tree: `isValid` checks RFC 8259 exactly in one pass, `lookup` walks
// to a field by skipping every value it does not need, and strings are decoded only when a
// caller asks. Spans are byte offsets into the caller's buffer, which must outlive the scanner
// (the line loop hands each line out for the duration of one call, like ripgrep's `&[u8]`).

import CTapSIMD

/// The kind of a JSON value, known from its first byte.
public enum JSONKind: UInt8, Sendable {
    case object, array, string, number, `true`, `false`, null
}

/// A value inside the scanned bytes: its kind and its byte range `start..<end`.
/// For strings the range includes the quotes.
public struct JSONSpan: Equatable, Sendable {
    public var kind: JSONKind
    public var start: Int
    public var end: Int

    public init(kind: JSONKind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }

    public var count: Int { end - start }
}

public struct JSONScanner {
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    // MARK: - Validation (RFC 8259)

    /// True when `bytes` is exactly one JSON text (RFC 8259: any value, surrounded by optional
    /// whitespace; strings valid UTF-8 with valid escapes, lone surrogate escapes rejected).
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = Validator(bytes)
        return validator.run(requireObject: false)
    }

    public static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { isValid($0) }
    }

    /// True when `bytes` is one valid JSON text whose value is an object (an NDJSON record).
    public static func isValidObject(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = Validator(bytes)
        return validator.run(requireObject: true)
    }

    // MARK: - Navigation (assumes the text is valid JSON; never reads out of bounds if it is not)

    /// The top-level value.
    public func root() -> JSONSpan? {
        let start = skipWhitespace(0)
        guard let kind = kind(at: start) else { return nil }
        if kind == .object || kind == .array {
            // A container ends at the last non-whitespace byte of the text: no need to skip
            // the whole line (a record's `data` may be megabytes) to find it.
            var end = bytes.count
            while end > start, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[end - 1]) { end -= 1 }
            let close: UInt8 = kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
            guard end - start >= 2, bytes[end - 1] == close else { return nil }
            return JSONSpan(kind: kind, start: start, end: end)
        }
        guard let end = skipValue(start) else { return nil }
        return JSONSpan(kind: kind, start: start, end: end)
    }

    /// The value at a path of object keys from the root: `lookup("data", "delta", "text")`.
    public func lookup(_ path: String...) -> JSONSpan? {
        lookup(path: path)
    }

    public func lookup(path: [String]) -> JSONSpan? {
        guard var span = root() else { return nil }
        for key in path {
            guard let next = field(key, in: span) else { return nil }
            span = next
        }
        return span
    }

    /// The value of `key` in the object `object` (the first member with that key).
    public func field(_ key: String, in object: JSONSpan) -> JSONSpan? {
        var key = key
        return key.withUTF8 { keyBytes in
            var found: JSONSpan?
            forEachMember(of: object) { name, value in
                if keyEquals(name, keyBytes) {
                    found = value
                    return false
                }
                return true
            }
            return found
        }
    }

    /// Calls `body(key, value)` for each member of an object, in order, until it returns false.
    /// `key` is the span of the key string (quotes included).
    public func forEachMember(of object: JSONSpan, _ body: (JSONSpan, JSONSpan) -> Bool) {
        guard object.kind == .object else { return }
        var i = skipWhitespace(object.start + 1)
        while i < object.end, bytes[i] == UInt8(ascii: "\"") {
            guard let keyEnd = skipString(i) else { return }
            let key = JSONSpan(kind: .string, start: i, end: keyEnd)
            i = skipWhitespace(keyEnd)
            guard i < object.end, bytes[i] == UInt8(ascii: ":") else { return }
            i = skipWhitespace(i + 1)
            guard let valueKind = kind(at: i), let valueEnd = skipValue(i) else { return }
            if !body(key, JSONSpan(kind: valueKind, start: i, end: valueEnd)) { return }
            i = skipWhitespace(valueEnd)
            guard i < object.end, bytes[i] == UInt8(ascii: ",") else { return }
            i = skipWhitespace(i + 1)
        }
    }

    /// Calls `body(element)` for each element of an array, in order, until it returns false;
    /// with `after` (an element's end, relative to the array's `[`), only the elements after it.
    public func forEachElement(of array: JSONSpan, after: Int = 0, _ body: (JSONSpan) -> Bool) {
        guard array.kind == .array else { return }
        var i = skipWhitespace(array.start + 1)
        if after > 0 {
            i = skipWhitespace(array.start + after)
            guard i < array.end, bytes[i] == UInt8(ascii: ",") else { return }
            i = skipWhitespace(i + 1)
        }
        while i < array.end, bytes[i] != UInt8(ascii: "]") {
            guard let valueKind = kind(at: i), let valueEnd = skipValue(i) else { return }
            if !body(JSONSpan(kind: valueKind, start: i, end: valueEnd)) { return }
            i = skipWhitespace(valueEnd)
            guard i < array.end, bytes[i] == UInt8(ascii: ",") else { return }
            i = skipWhitespace(i + 1)
        }
    }

    /// The elements of an array (allocates; prefer `forEachElement` on hot paths).
    public func elements(of array: JSONSpan) -> [JSONSpan] {
        var result: [JSONSpan] = []
        forEachElement(of: array) {
            result.append($0)
            return true
        }
        return result
    }

    /// The last element of an array, or nil when it is empty or not an array.
    public func lastElement(of array: JSONSpan) -> JSONSpan? {
        var last: JSONSpan?
        forEachElement(of: array) {
            last = $0
            return true
        }
        return last
    }

    // MARK: - Values

    /// The bytes of a span, as they are in the text (a raw JSON value, to splice verbatim).
    public func raw(_ span: JSONSpan) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end])
    }

    public func rawArray(_ span: JSONSpan) -> [UInt8] {
        Array(raw(span))
    }

    /// The decoded text of a string span; nil when it is not a string or has a bad escape.
    public func string(_ span: JSONSpan) -> String? {
        guard span.kind == .string else { return nil }
        // Fast path: no escapes, the bytes between the quotes are the text.
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(span.start + 1)..<(span.end - 1)])
        if inner.firstIndex(of: UInt8(ascii: "\\")) == nil {
            return String(decoding: inner, as: UTF8.self)
        }
        var out: [UInt8] = []
        guard decodeString(span, into: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the decoded UTF-8 bytes of a string span to `out`. False on a bad escape or a
    /// lone surrogate (then `out` holds what was decoded before it).
    @discardableResult
    public func decodeString(_ span: JSONSpan, into out: inout [UInt8]) -> Bool {
        guard span.kind == .string, span.count >= 2 else { return false }
        return JSONStringDecoder.decode(
            UnsafeRawBufferPointer(rebasing: bytes[(span.start + 1)..<(span.end - 1)]),
            into: &out
        )
    }

    /// True when the string span equals `text` after decoding (no allocation when it has no escapes).
    public func stringEquals(_ span: JSONSpan, _ text: String) -> Bool {
        guard span.kind == .string else { return false }
        var text = text
        return text.withUTF8 { keyEquals(span, $0) }
    }

    /// An integer value (no fraction or exponent) that fits Int64.
    public func int(_ span: JSONSpan) -> Int64? {
        guard span.kind == .number else { return nil }
        var i = span.start
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var value: Int64 = 0
        while i < span.end {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) =
                negative
                ? times10.subtractingReportingOverflow(Int64(digit)) : times10.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    public func double(_ span: JSONSpan) -> Double? {
        guard span.kind == .number else { return nil }
        return Double(String(decoding: raw(span), as: UTF8.self))
    }

    public func bool(_ span: JSONSpan) -> Bool? {
        switch span.kind {
        case .true: return true
        case .false: return false
        default: return nil
        }
    }

    // MARK: - Skipping (public for forward-only walkers that must not re-scan a big value)

    /// The kind of the value starting at byte `i`, from its first byte.
    public func kind(at i: Int) -> JSONKind? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"): return .true
        case UInt8(ascii: "f"): return .false
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: return nil
        }
    }

    /// The first byte at or after `start` that is not JSON whitespace.
    public func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return i
            }
        }
        return i
    }

    /// The end of the string starting at the quote at `start`: the next quote that is not
    /// escaped, found 32 bytes at a time (SSE2 masks of quotes and backslashes; a backslash
    /// skips the byte after it). Nil when the string does not end.
    public func skipString(_ start: Int) -> Int? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let count = bytes.count
        var i = start + 1
        while i + 32 <= count {
            let mask = tap_quote_backslash32(base + i)
            if mask == 0 {
                i += 32
                continue
            }
            let k = i + mask.trailingZeroBitCount
            if base[k] == UInt8(ascii: "\"") { return k + 1 }
            i = k + 2  // past the backslash and the byte it escapes
        }
        while i < count {
            switch base[i] {
            case UInt8(ascii: "\""): return i + 1
            case UInt8(ascii: "\\"): i += 2
            default: i += 1
            }
        }
        return nil
    }

    /// The end of the value starting at `start`.
    public func skipValue(_ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return skipString(start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return skipContainer(start)
        default:
            // A number or a literal: runs until a delimiter.
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                    return i
                default:
                    i += 1
                }
            }
            return i
        }
    }

    /// The end of the array or object opening at `start`, 64 bytes a step: the quotes that are
    /// not escaped (`escapedBytes`), the bytes inside strings as their prefix xor, and the
    /// brackets outside strings, whose depth is walked bit by bit. A string costs no more than
    /// the block it is in: every member lookup skips the values before its member, and a
    /// record's `data` is most of its line. The last bytes go one at a time.
    func skipContainer(_ start: Int) -> Int? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let count = bytes.count
        var i = start
        var depth = 0
        var inString: UInt64 = 0  // all ones when the block starts inside a string
        var escapeCarry: UInt64 = 0
        while i + 64 <= count {
            let m = tap_skip_masks64(base + i)
            let escaped = escapedBytes(backslashes: m.backslash, carry: escapeCarry)
            escapeCarry = escaped.carry
            let inside = prefixXor(m.quote & ~escaped.escaped) ^ inString
            inString = UInt64(bitPattern: Int64(bitPattern: inside) >> 63)
            var brackets = (m.open | m.close) & ~inside
            while brackets != 0 {
                let k = brackets.trailingZeroBitCount
                if m.open >> UInt64(k) & 1 != 0 {
                    depth += 1
                } else {
                    depth -= 1
                    if depth == 0 { return i + k + 1 }
                }
                brackets &= brackets &- 1
            }
            i += 64
        }
        var string = inString != 0
        var escape = string && escapeCarry != 0  // a backslash outside a string (invalid text) escapes nothing
        while i < count {
            let c = base[i]
            if string {
                if escape {
                    escape = false
                } else if c == UInt8(ascii: "\\") {
                    escape = true
                } else if c == UInt8(ascii: "\"") {
                    string = false
                }
            } else if c == UInt8(ascii: "\"") {
                string = true
            } else if c | 0x20 == UInt8(ascii: "{") {
                depth += 1
            } else if c | 0x20 == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    /// Bit i set when an odd number of the bits at or below i are set: from each opening quote
    /// up to (not including) its closing quote.
    @inline(__always)
    func prefixXor(_ bits: UInt64) -> UInt64 {
        var x = bits
        x ^= x << 1
        x ^= x << 2
        x ^= x << 4
        x ^= x << 8
        x ^= x << 16
        x ^= x << 32
        return x
    }

    /// Compares a key or string span with raw UTF-8 text, decoding escapes only if present.
    func keyEquals(_ span: JSONSpan, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let innerCount = span.count - 2
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(span.start + 1)..<(span.end - 1)])
        if innerCount == text.count {
            if innerCount == 0 { return true }
            if let a = inner.baseAddress, let b = text.baseAddress, memcmp(a, b, innerCount) == 0 { return true }
        }
        // Escapes only shorten a key once decoded, so a raw key shorter than `text` cannot match;
        // a longer one can only if it holds a backslash.
        guard innerCount > text.count, let base = inner.baseAddress,
            memchr(base, Int32(UInt8(ascii: "\\")), innerCount) != nil
        else { return false }
        var decoded: [UInt8] = []
        guard JSONStringDecoder.decode(inner, into: &decoded) else { return false }
        return decoded.elementsEqual(text)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
