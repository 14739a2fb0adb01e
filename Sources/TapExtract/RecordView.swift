// A capture record as the extract tools see it: the top-level fields they use, found in one
// pass over the object's members without building a tree (DESIGN §7). Classifying a line
// costs a look at its first and last byte and the few members before `type`; only lines of a
// type the tool needs are checked fully (RFC 8259) before they are trusted, so a truncated
// record (a writer killed mid-line) never becomes a flow.

import CTapSIMD
import TapCodec

/// The record types the extract tools read.
public enum CaptureType: UInt8 {
    case flow, sse, ws, flowEnd, other
}

/// How a line was classified.
public enum LineClass {
    /// Not a JSON object (to be counted and reported).
    case bad
    /// Blank line (ignored, not reported).
    case blank
    /// A JSON object with a string `type`.
    case record(CaptureType)
    /// A JSON object without a string `type` (skipped, like the reference does).
    case untyped
}

public struct RecordView {
    public let json: JSONScanner
    public let root: JSONSpan

    /// A view when the line looks like one object (`{` … `}`); members are read lazily.
    public init?(line: UnsafeRawBufferPointer) {
        var start = 0
        var end = line.count
        while start < end, Self.isSpace(line[start]) { start += 1 }
        while end > start, Self.isSpace(line[end - 1]) { end -= 1 }
        guard end - start >= 2, line[start] == UInt8(ascii: "{"), line[end - 1] == UInt8(ascii: "}") else { return nil }
        json = JSONScanner(line)
        root = JSONSpan(kind: .object, start: start, end: end)
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// True when the whole line is blank.
    public static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        line.allSatisfy { isSpace($0) }
    }

    /// The record type (the first `type` member, which writers put near the front).
    public var type: CaptureType? { field("type").flatMap(captureType) }

    /// The record type a `type` value names (nil when it is not a string).
    public func captureType(_ span: JSONSpan) -> CaptureType? {
        guard span.kind == .string else { return nil }
        switch span.count - 2 {
        case 2 where json.stringEquals(span, "ws"): return .ws
        case 3 where json.stringEquals(span, "sse"): return .sse
        case 4 where json.stringEquals(span, "flow"): return .flow
        case 8 where json.stringEquals(span, "flow_end"): return .flowEnd
        default:
            // An escaped spelling (`"fl\u006fw"`) has another length: decode to be sure.
            guard let text = json.string(span) else { return .other }
            switch text {
            case "ws": return .ws
            case "sse": return .sse
            case "flow": return .flow
            case "flow_end": return .flowEnd
            default: return .other
            }
        }
    }

    @inline(__always)
    public func field(_ key: String) -> JSONSpan? { json.field(key, in: root) }

    /// Several top-level members in one pass: `spans[i]` is the value of `keys[i]` (first wins).
    public func fields(_ keys: [String], into spans: inout [JSONSpan?]) {
        for i in spans.indices { spans[i] = nil }
        var left = keys.count
        json.forEachMember(of: root) { key, value in
            for (i, name) in keys.enumerated() where spans[i] == nil && json.stringEquals(key, name) {
                spans[i] = value
                left -= 1
                break
            }
            return left > 0
        }
    }

    /// Full RFC 8259 check of the line (a record is trusted only after this). A line given with
    /// its `\n` goes to the AVX2 line validator first (CTapSIMD/line_validator.h, which needs the
    /// mark), exact when it shows the line valid; anything else to the Swift validator.
    public var isValid: Bool {
        let bytes = json.bytes
        if let base = bytes.baseAddress, bytes.count > 1, bytes[bytes.count - 1] == 0x0A, Self.simdLevel > 0,
            tap_validate_line(Self.simdLevel, base, bytes.count) == bytes.count - 1
        {
            return true
        }
        return JSONScanner.isValidObject(bytes)
    }

    static let simdLevel = Int32(tap_simd_level())

    /// For a line given with its `\n`: when the AVX2 line walk shows it valid (exactly
    /// `isValid`), `body` with the values of the top-level `keys` the walk noted on the way
    /// (`field(i)` is what `field(keys[i])` gives), all in one pass; nil when the walk cannot
    /// tell, and the caller goes the usual way (NotedKeys.withValidated).
    public func withValidatedFields<R>(_ keys: NotedKeys, _ body: ((Int) -> JSONSpan?) -> R) -> R? {
        keys.withValidated(json.bytes, level: Self.simdLevel, body)
    }
}

/// Classifies a line: bad, blank, untyped or a record type. `needs` says which types the tool
/// reads; those are validated fully, the others only by their shape.
@inline(__always)
public func classify(_ line: UnsafeRawBufferPointer, needs: (CaptureType) -> Bool) -> (LineClass, RecordView?) {
    guard let view = RecordView(line: line) else {
        return (RecordView.isBlank(line) ? .blank : .bad, nil)
    }
    guard let type = view.type else {
        return (view.isValid ? .untyped : .bad, nil)
    }
    if needs(type) {
        return view.isValid ? (.record(type), view) : (.bad, nil)
    }
    return (.record(type), nil)
}
