// One pass over a flow record, the line that holds two thirds of a capture's bytes (the request
// body with the whole conversation). The generic scanner finds a nested field by skipping the
// values around it at every level, which reads a big body three or four times; this parser
// walks the record once, descending into `request`, `body` and its items as it meets them,
// and skips everything else 8 bytes at a time (SWAR). Reaching the record's closing brace at
// the end of the line is the structural check (balanced brackets, closed strings) that keeps
// a record cut mid-line from ever counting; the full RFC 8259 check is left to the small lines.

import TapCodec

/// What extract needs from a flow record, as spans into the line.
public struct FlowLineFields {
    public var flowID: JSONSpan?
    public var sessionID: JSONSpan?
    public var ts: JSONSpan?
    public var provider: JSONSpan?
    public var method: JSONSpan?
    public var url: JSONSpan?
    public var status: JSONSpan?
    /// `request.headers`, when present.
    public var headers: JSONSpan?
    /// `request.body` (any kind), when present.
    public var body: JSONSpan?
    public var model: JSONSpan?
    /// `messages` or `input` (both kept: which one counts depends on the provider).
    public var messages: ItemsSummary?
    public var input: ItemsSummary?
}

/// An items array (or a Responses `input` string) summarised in one pass.
public struct ItemsSummary {
    public var span: JSONSpan
    public var count = 0
    public var last: JSONSpan?
}

public struct FlowLineParser {
    let p: UnsafeRawBufferPointer
    let base: UnsafeRawPointer
    let n: Int

    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return nil }
        p = bytes
        self.base = base
        n = bytes.count
    }

    /// Parses the record object at `start`; nil when the line is not one balanced object.
    public func parse(objectAt start: Int) -> FlowLineFields? {
        parse(objectAt: start, knownItems: { _, _ in ResentItems.Prefix() })
    }

    /// `knownItems(fields so far, array start)`: the leading items of an items array already
    /// seen with the same bytes (ResentItems), counted without being walked again.
    func parse(
        objectAt start: Int,
        knownItems: (FlowLineFields, Int) -> ResentItems.Prefix
    ) -> FlowLineFields? {
        var fields = FlowLineFields()
        guard
            let end = members(
                start,
                { key, value in
                    switch keyName(key) {
                    case .flowID: fields.flowID = span(value)
                    case .sessionID: fields.sessionID = span(value)
                    case .ts: fields.ts = span(value)
                    case .provider: fields.provider = span(value)
                    case .method: fields.method = span(value)
                    case .url: fields.url = span(value)
                    case .status: fields.status = span(value)
                    case .request: return request(value, &fields, knownItems)
                    default: break
                    }
                    return nil
                }
            )
        else { return nil }
        // Only whitespace may follow the record.
        var i = end
        while i < n, isSpace(p[i]) { i += 1 }
        return i == n ? fields : nil
    }

    private func request(
        _ start: Int,
        _ fields: inout FlowLineFields,
        _ knownItems: (FlowLineFields, Int) -> ResentItems.Prefix
    ) -> Int? {
        guard p[start] == UInt8(ascii: "{") else { return skipValue(start) }
        var f = fields
        let end = members(start) { key, value in
            let name = keyName(key)
            if name == .headers {
                f.headers = span(value)
                return f.headers?.end
            }
            guard name == .body else { return nil }
            guard p[value] == UInt8(ascii: "{") else {
                let end = skipValue(value)
                if let end { f.body = JSONSpan(kind: kind(value), start: value, end: end) }
                return end
            }
            let end = members(value) { key, v in
                switch keyName(key) {
                case .model: f.model = span(v)
                case .messages:
                    let (summary, end) = items(v, known: knownItems(f, v))
                    f.messages = summary
                    return end
                case .input:
                    let (summary, end) = items(v, known: knownItems(f, v))
                    f.input = summary
                    return end
                default: break
                }
                return nil
            }
            if let end { f.body = JSONSpan(kind: .object, start: value, end: end) }
            return end
        }
        fields = f
        return end
    }

    /// Counts an array's elements and keeps the last; a string is kept as is. `known`: its first
    /// items, byte for byte those of an array seen before, counted without a walk.
    private func items(_ start: Int, known: ResentItems.Prefix? = nil) -> (ItemsSummary?, Int?) {
        if p[start] != UInt8(ascii: "[") {
            guard let end = skipValue(start) else { return (nil, nil) }
            return (ItemsSummary(span: JSONSpan(kind: kind(start), start: start, end: end)), end)
        }
        var count = 0
        var last: JSONSpan?
        var i = ws(start + 1)
        guard i < n else { return (nil, nil) }
        if p[i] == UInt8(ascii: "]") {
            return (ItemsSummary(span: JSONSpan(kind: .array, start: start, end: i + 1)), i + 1)
        }
        if let known, known.items > 0 {
            count = known.items
            last = JSONSpan(kind: kind(start + known.lastStart), start: start + known.lastStart, end: start + known.end)
            i = ws(start + known.end)
            guard i < n else { return (nil, nil) }
            if p[i] == UInt8(ascii: "]") {
                let summary = ItemsSummary(
                    span: JSONSpan(kind: .array, start: start, end: i + 1),
                    count: count,
                    last: last
                )
                return (summary, i + 1)
            }
            guard p[i] == UInt8(ascii: ",") else { return (nil, nil) }
            i = ws(i + 1)
        }
        while true {
            guard i < n, let end = skipValue(i) else { return (nil, nil) }
            count += 1
            last = JSONSpan(kind: kind(i), start: i, end: end)
            i = ws(end)
            guard i < n else { return (nil, nil) }
            if p[i] == UInt8(ascii: "]") { break }
            guard p[i] == UInt8(ascii: ",") else { return (nil, nil) }
            i = ws(i + 1)
        }
        let summary = ItemsSummary(span: JSONSpan(kind: .array, start: start, end: i + 1), count: count, last: last)
        return (summary, i + 1)
    }

    /// The members of an object, keys decoded, values as spans (one fast pass; first key wins
    /// on lookup, as `JSONScanner.field` does).
    /// `known`: values already delimited (the items arrays `parse` summarised), not walked again.
    public func memberSpans(of object: JSONSpan, known: [JSONSpan] = []) -> [(key: [UInt8], value: JSONSpan)] {
        var result: [(key: [UInt8], value: JSONSpan)] = []
        let scanner = JSONScanner(p)
        _ = members(object.start) { key, value in
            let knownEnd = known.first { $0.start == value }?.end
            guard let end = knownEnd ?? skipValue(value), let keyEnd = skipString(key) else { return nil }
            let keySpan = JSONSpan(kind: .string, start: key, end: keyEnd)
            result.append((scanner.decoded(keySpan) ?? [], JSONSpan(kind: kind(value), start: value, end: end)))
            return end
        }
        return result
    }

    /// Count and last element of an array span (one fast pass).
    public func summary(of array: JSONSpan) -> ItemsSummary {
        let (summary, _) = items(array.start)
        return summary ?? ItemsSummary(span: array)
    }

    // MARK: - Object members

    enum Key {
        case flowID, sessionID, ts, provider, method, url, status, request, headers, body, model, messages, input, other
    }

    /// The keys this parser descends into or keeps (compared raw: capture writers do not
    /// escape ASCII key names; an escaped key simply does not match).
    @inline(__always)
    func keyName(_ key: Int) -> Key {
        // `key` is the index of the opening quote; compare the bytes up to the closing quote.
        func eq(_ text: StaticString) -> Bool {
            let len = text.utf8CodeUnitCount
            guard key + len + 1 < n, p[key + len + 1] == UInt8(ascii: "\"") else { return false }
            return memcmp(base + key + 1, text.utf8Start, len) == 0
        }
        switch p[key + 1] {
        case UInt8(ascii: "f"): return eq("flow_id") ? .flowID : .other
        case UInt8(ascii: "s"): return eq("session_id") ? .sessionID : (eq("status") ? .status : .other)
        case UInt8(ascii: "u"): return eq("url") ? .url : .other
        case UInt8(ascii: "h"): return eq("headers") ? .headers : .other
        case UInt8(ascii: "t"): return eq("ts") ? .ts : .other
        case UInt8(ascii: "p"): return eq("provider") ? .provider : .other
        case UInt8(ascii: "r"): return eq("request") ? .request : .other
        case UInt8(ascii: "b"): return eq("body") ? .body : .other
        case UInt8(ascii: "m"):
            return eq("model") ? .model : (eq("messages") ? .messages : (eq("method") ? .method : .other))
        case UInt8(ascii: "i"): return eq("input") ? .input : .other
        default: return .other
        }
    }

    /// Walks an object's members; `visit(keyStart, valueStart)` returns the value's end when it
    /// consumed the value, nil to have it skipped. Returns the index after the closing brace.
    @inline(__always)
    func members(_ start: Int, _ visit: (Int, Int) -> Int?) -> Int? {
        guard start < n, p[start] == UInt8(ascii: "{") else { return nil }
        var i = ws(start + 1)
        guard i < n else { return nil }
        if p[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < n, p[i] == UInt8(ascii: "\""), let keyEnd = skipString(i) else { return nil }
            var j = ws(keyEnd)
            guard j < n, p[j] == UInt8(ascii: ":") else { return nil }
            j = ws(j + 1)
            guard j < n else { return nil }
            let valueEnd: Int
            if let consumed = visit(i, j) {
                valueEnd = consumed
            } else {
                guard let skipped = skipValue(j) else { return nil }
                valueEnd = skipped
            }
            i = ws(valueEnd)
            guard i < n else { return nil }
            if p[i] == UInt8(ascii: "}") { return i + 1 }
            guard p[i] == UInt8(ascii: ",") else { return nil }
            i = ws(i + 1)
        }
    }

    // MARK: - Skipping, 8 bytes at a time

    @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    @inline(__always) func ws(_ start: Int) -> Int {
        var i = start
        while i < n, isSpace(p[i]) { i += 1 }
        return i
    }

    @inline(__always) func kind(_ i: Int) -> JSONKind {
        switch p[i] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"): return .true
        case UInt8(ascii: "f"): return .false
        case UInt8(ascii: "n"): return .null
        default: return .number
        }
    }

    @inline(__always) func span(_ start: Int) -> JSONSpan? {
        guard let end = skipValue(start) else { return nil }
        return JSONSpan(kind: kind(start), start: start, end: end)
    }

    @inline(__always) func load(_ i: Int) -> UInt64 {
        (base + i).loadUnaligned(as: UInt64.self)
    }

    /// The index after the string whose opening quote is at `start`.
    func skipString(_ start: Int) -> Int? {
        var i = start + 1
        // Keys and short values: 8 bytes at a time (a libc call costs more than they do).
        let shortLimit = start + 64
        while i < shortLimit {
            if i + 8 <= n {
                let m = swarMatch(load(i), 0x22) | swarMatch(load(i), 0x5C)
                if m == 0 {
                    i += 8
                    continue
                }
                i += m.trailingZeroBitCount >> 3
            } else {
                while i < n, p[i] != 0x22, p[i] != 0x5C { i += 1 }
                guard i < n else { return nil }
            }
            if p[i] == 0x22 { return i + 1 }
            i += 2  // an escape: its next byte is never the closing quote
        }
        // A long string (the conversation's text): memchr (SIMD) to each quote; the quote is
        // escaped when an odd run of backslashes precedes it. Such a run always starts where an
        // escape may start (after a byte that is not a backslash, at the latest after `start`).
        while i < n {
            guard let q = memchr(base + i, 0x22, n - i) else { return nil }
            let quote = base.distance(to: UnsafeRawPointer(q))
            var k = quote - 1
            while k > start, p[k] == 0x5C { k -= 1 }
            if (quote - 1 - k) & 1 == 0 { return quote + 1 }
            i = quote + 1
        }
        return nil
    }

    /// The index after the value at `start`.
    func skipValue(_ start: Int) -> Int? {
        guard start < n else { return nil }
        let c = p[start]
        if c == UInt8(ascii: "\"") { return skipString(start) }
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            var depth = 0
            var i = start
            while true {
                // Next quote or bracket: `x | 0x20` folds [ ] onto { } (and 0x02 onto `"`).
                while i + 8 <= n {
                    let y = load(i) | 0x2020_2020_2020_2020
                    let m = swarMatch(y, 0x22) | swarMatch(y, 0x7B) | swarMatch(y, 0x7D)
                    if m != 0 {
                        i += m.trailingZeroBitCount >> 3
                        break
                    }
                    i += 8
                }
                guard i < n else { return nil }
                switch p[i] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default:
                    break
                }
                i += 1
            }
        }
        var i = start
        while i < n {
            switch p[i] {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return i
            default: i += 1
            }
        }
        return i
    }
}

/// Bytes of `x` equal to `c` (the lowest set 0x80 bit marks the first; bits above a match may
/// be false positives, which finding the first never uses).
@inline(__always)
func swarMatch(_ x: UInt64, _ c: UInt8) -> UInt64 {
    let v = x ^ (0x0101_0101_0101_0101 &* UInt64(c))
    return (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
