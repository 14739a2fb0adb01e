// The renderers' view of one `delta` record (DESIGN §5), and the two edits they make to a
// record's line without re-encoding the rest of it: replace one field's value, add fields at
// the end. delta-unescape, json-pretty-stream and bash-detect all key their per-stream state
// by (flow_id, block index) and read the fragment from `text`; this is that shared plumbing.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which stream of fragments a delta belongs to: one content block (or tool call) of one flow.
public struct DeltaStreamKey: Hashable, Sendable {
    /// The raw JSON of `flow_id` (quotes included): compared as bytes, never decoded.
    public var flow: [UInt8]
    public var index: Int64

    public init(flow: [UInt8], index: Int64) {
        self.flow = flow
        self.index = index
    }

    /// Hashes the flow id's bytes in one call (the synthesised hash feeds them one by one).
    public func hash(into hasher: inout Hasher) {
        flow.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(index)
    }

    /// The flow id as text (for headers and annotations).
    public var flowID: String {
        guard flow.count >= 2, flow.first == 0x22 else { return String(decoding: flow, as: UTF8.self) }
        var decoded: [UInt8] = []
        let ok = flow.withUnsafeBytes {
            JSONStringDecoder.decode(UnsafeRawBufferPointer(rebasing: $0[1..<(flow.count - 1)]), into: &decoded)
        }
        return ok ? String(decoding: decoded, as: UTF8.self) : String(decoding: flow, as: UTF8.self)
    }
}

/// The fields of a `delta` record the renderers read, found in one pass over the record's
/// members (a renderer sees every delta of a stream, so the lookups are its hot path).
public struct DeltaFragment {
    public let record: Record
    public let kindSpan: JSONSpan
    public let key: DeltaStreamKey
    /// The `text` value (a JSON string) when present.
    public let textSpan: JSONSpan?
    public let seqSpan: JSONSpan?
    public let toolSpan: JSONSpan?
    public let callIDSpan: JSONSpan?
    public let sessionSpan: JSONSpan?
    /// The record already has an `unescaped` member (delta-unescape's mark).
    public let hasUnescapedMark: Bool

    /// nil when the record is not a delta with a `kind`.
    public init?(_ record: Record) {
        let json = record.json
        let bytes = json.bytes
        var type: JSONSpan?
        var kind: JSONSpan?
        var flow: JSONSpan?
        var index: JSONSpan?
        var text: JSONSpan?
        var seq: JSONSpan?
        var tool: JSONSpan?
        var callID: JSONSpan?
        var session: JSONSpan?
        var unescaped = false
        json.forEachMember(of: record.root) { name, value in
            // Keys compared as raw bytes between the quotes (StreamTap writes them unescaped).
            let start = name.start + 1
            switch name.count - 2 {
            case 3: if Self.equals(bytes, start, "seq") { seq = seq ?? value }
            case 4:
                if Self.equals(bytes, start, "type") {
                    type = type ?? value
                } else if Self.equals(bytes, start, "kind") {
                    kind = kind ?? value
                } else if Self.equals(bytes, start, "text") {
                    text = text ?? value
                } else if Self.equals(bytes, start, "tool") {
                    tool = tool ?? value
                }
            case 5: if Self.equals(bytes, start, "index") { index = index ?? value }
            case 7:
                if Self.equals(bytes, start, "flow_id") {
                    flow = flow ?? value
                } else if Self.equals(bytes, start, "call_id") {
                    callID = callID ?? value
                }
            case 9: if Self.equals(bytes, start, "unescaped") { unescaped = true }
            case 10: if Self.equals(bytes, start, "session_id") { session = session ?? value }
            default: break
            }
            return true
        }
        guard let type, json.stringEquals(type, RecordType.delta), let kind, kind.kind == .string else { return nil }
        self.record = record
        kindSpan = kind
        key = DeltaStreamKey(flow: flow.map { json.rawArray($0) } ?? [], index: index.flatMap { json.int($0) } ?? 0)
        textSpan = text.flatMap { $0.kind == .string ? $0 : nil }
        seqSpan = seq
        toolSpan = tool
        callIDSpan = callID
        sessionSpan = session
        hasUnescapedMark = unescaped
    }

    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ name: StaticString) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memcmp(base + start, name.utf8Start, name.utf8CodeUnitCount) == 0
    }

    public func isKind(_ name: String) -> Bool { record.json.stringEquals(kindSpan, name) }

    public var kind: String { record.json.string(kindSpan) ?? "" }

    /// Appends the decoded fragment (the `text` string's content) to `out`.
    public func decodeText(into out: inout [UInt8]) {
        guard let textSpan else { return }
        record.json.decodeString(textSpan, into: &out)
    }

    /// The record's `seq` when it has one.
    public var seq: Int64? { seqSpan.flatMap { record.json.int($0) } }
    public var sessionID: String? { sessionSpan.flatMap { record.json.string($0) } }
    public var tool: String? { toolSpan.flatMap { record.json.string($0) } }
    public var callID: String? { callIDSpan.flatMap { record.json.string($0) } }
    public func string(_ key: String) -> String? { record.string(key) }
}

public enum RecordSplice {
    /// Appends `line` with the value at `span` replaced by `replacement` and `extra` (raw JSON
    /// members, starting with a comma) added before the closing brace, then a newline.
    public static func appendLine(
        _ line: UnsafeRawBufferPointer,
        root: JSONSpan,
        replacing span: JSONSpan?,
        with replacement: [UInt8],
        adding extra: [UInt8],
        into out: inout [UInt8]
    ) {
        let close = root.end - 1
        if let span {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[0..<span.start]))
            out.append(contentsOf: replacement)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[span.end..<close]))
        } else {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[0..<close]))
        }
        // An empty object gets no leading comma.
        if !extra.isEmpty {
            out.append(contentsOf: isEmptyObjectSoFar(out) ? extra.dropFirst() : extra[...])
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[close..<line.count]))
        out.append(0x0A)
    }

    static func isEmptyObjectSoFar(_ out: [UInt8]) -> Bool {
        var i = out.count - 1
        while i >= 0 {
            switch out[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i -= 1
            case UInt8(ascii: "{"): return true
            default: return false
            }
        }
        return false
    }

    /// `,"name":"text"` for `adding:`.
    public static func member(_ name: String, string text: [UInt8], into extra: inout [UInt8]) {
        extra.append(UInt8(ascii: ","))
        var name = name
        name.withUTF8 { JSONStringEncoder.appendQuoted(UnsafeRawBufferPointer($0), to: &extra) }
        extra.append(UInt8(ascii: ":"))
        text.withUnsafeBytes { JSONStringEncoder.appendQuoted($0, to: &extra) }
    }

    /// `,"name":raw` for `adding:`.
    public static func member(_ name: String, raw: String, into extra: inout [UInt8]) {
        extra.append(UInt8(ascii: ","))
        var name = name
        name.withUTF8 { JSONStringEncoder.appendQuoted(UnsafeRawBufferPointer($0), to: &extra) }
        extra.append(UInt8(ascii: ":"))
        extra.append(contentsOf: raw.utf8)
    }
}
