// The logging side of one exchange, as a pure state machine: response body bytes in, `sse`
// record lines out. It decides whether the body is SSE (Content-Type, or sniffing the first bytes
// when the type says nothing useful: Codex on chatgpt.com streams SSE without the type), feeds
// the SSE parser and writes one record per dispatched event. No I/O, no clock: the caller passes
// the timestamp of the read that brought the bytes, so chunking never changes the output.
import TapCodec

/// How a response body is treated by the log.
enum BodyKind: Equatable {
    /// text/event-stream: every event becomes an `sse` record.
    case sse
    /// No useful Content-Type: decide from the first bytes.
    case sniff
    /// Anything else: counted, not parsed.
    case other

    init(contentType: String?) {
        let type =
            (contentType ?? "").lowercased().split(separator: ";").first.map {
                $0.trimmingCharacters(in: " \t")
            } ?? ""
        switch type {
        case "text/event-stream": self = .sse
        case "", "text/plain", "application/octet-stream", "binary/octet-stream": self = .sniff
        default: self = .other
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        let scalars = Substring(self).drop(while: { chars.contains($0) })
        var end = scalars.endIndex
        while end > scalars.startIndex, chars.contains(scalars[scalars.index(before: end)]) {
            end = scalars.index(before: end)
        }
        return String(scalars[scalars.startIndex..<end])
    }
}

struct FlowTap {
    let flowID: String
    let sessionID: String
    private(set) var kind: BodyKind
    private var parser = SSEParser()
    private var sniffed: [UInt8] = []
    private var events: [SSEEvent] = []
    /// Events written so far (the next `seq`).
    private(set) var seq = 0
    /// Body bytes seen (as decoded for the log).
    private(set) var bytes = 0
    /// `{"v":1,"type":"sse","flow_id":…,"session_id":…,"ts":` — the same for every record of the
    /// flow, so it is encoded once and copied, not re-escaped per event.
    private let recordPrefix: [UInt8]

    init(flowID: String, sessionID: String, kind: BodyKind) {
        self.flowID = flowID
        self.sessionID = sessionID
        self.kind = kind
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.key("v")
        w.int(1)
        w.key("type")
        w.string("sse")
        w.key("flow_id")
        w.string(flowID)
        w.key("session_id")
        w.string(sessionID)
        w.key("ts")
        recordPrefix = w.bytes
    }

    /// True while the body is (or may still turn out to be) SSE: the raw bytes are worth keeping.
    var isSSE: Bool { kind == .sse }

    /// Feeds body bytes; appends one `sse` record line per event they complete.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, ts: String, into out: inout [UInt8]) {
        bytes += chunk.count
        switch kind {
        case .other:
            return
        case .sse:
            parser.feed(chunk, into: &events)
        case .sniff:
            sniffed.append(contentsOf: chunk)
            guard let decision = Self.sniff(sniffed, final: false) else { return }
            kind = decision ? .sse : .other
            if decision {
                sniffed.withUnsafeBytes { parser.feed($0, into: &events) }
            }
            sniffed = []
        }
        flushEvents(ts: ts, into: &out)
    }

    /// End of the body: a stream too short to sniff is sniffed now; an unterminated last event is not dispatched.
    mutating func finish(ts: String, into out: inout [UInt8]) {
        if kind == .sniff {
            if Self.sniff(sniffed, final: true) == true {
                kind = .sse
                sniffed.withUnsafeBytes { parser.feed($0, into: &events) }
            } else {
                kind = .other
            }
            sniffed = []
        }
        if kind == .sse { parser.finish(into: &events) }
        flushEvents(ts: ts, into: &out)
    }

    /// Whether `prefix` starts like an event stream (a field name and colon, or a comment), nil when
    /// more bytes are needed to tell.
    static func sniff(_ prefix: [UInt8], final: Bool) -> Bool? {
        var body = prefix[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let fields = ["data:", "event:", "id:", "retry:", ":"].map { Array($0.utf8) }
        for field in fields {
            if body.starts(with: field) { return true }
            if !final && body.count < field.count && field.starts(with: body) { return nil }
        }
        return false
    }

    private mutating func flushEvents(ts: String, into out: inout [UInt8]) {
        guard !events.isEmpty else { return }
        // Encoded straight into `out` (no per-record buffer).
        JSONWriter.append(to: &out) { w in
            for event in events {
                w.raw(recordPrefix)
                w.string(ts)
                w.key("seq")
                w.int(seq)
                w.key("event")
                w.string(event.type)
                if let id = event.id {
                    w.key("id")
                    w.string(id)
                }
                w.key("data")
                JSONValue.append(event.data, to: &w)
                w.endObject()
                w.newline()
                seq += 1
            }
        }
        events.removeAll(keepingCapacity: true)
    }
}

enum JSONValue {
    /// Appends `bytes` as a JSON value: spliced when it is one JSON text (its insignificant
    /// whitespace, which may hold newlines from multi-line data, flattened to spaces), else as a string.
    static func append(_ bytes: [UInt8], to w: inout JSONWriter) {
        if JSONScanner.isValid(bytes) {
            w.raw(flattened(bytes))
        } else {
            w.string(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// A valid JSON text with its line breaks and tabs (only ever insignificant whitespace in valid
    /// JSON) turned into spaces, so it fits on one NDJSON line.
    static func flattened(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 == 10 || $0 == 13 || $0 == 9 }) else { return bytes }
        return bytes.map { $0 == 10 || $0 == 13 || $0 == 9 ? 32 : $0 }
    }
}
