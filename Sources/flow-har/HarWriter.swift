// NDJSON capture records -> one HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/).
//
// A `flow` record opens an entry; its `sse` and `ws` records are kept (as copied lines) until its
// `flow_end` arrives or the input ends, then the entry is written and the flow's state freed, so
// memory is the open flows only. Entries come out in the order their flows end.
//
// What goes where:
//   flow.ts / method / url / status / headers / body   startedDateTime, request{…}, response{status, headers}
//   sse records                                         response.content.text, rebuilt as the SSE body
//                                                       (`event:`, `id:`, `data:` lines, blank line)
//   ws records                                          `_webSocketMessages` (Chrome's field:
//                                                       type send|receive, time in seconds, opcode 1, data)
//   flow_end.duration_ms                                time (timings: wait = first event - flow start)
//   what HAR has no field for (flow_id, session_id,     `_streamtap` (HAR allows custom fields that start
//   provider, per-event ts/seq, flow_end)               with `_`); `flow-har --to-ndjson` reads it back
//   any other record, and lines that are not JSON       `log._streamtap_other` (kept, in order)
// Pure: records in, bytes out; no I/O, no clock.

import TapCodec

struct HarWriter {
    /// One flow being collected: copies of its lines (the input buffer is reused per line).
    struct OpenFlow {
        var flow: [UInt8]?
        var events: [[UInt8]] = []
        var end: [UInt8]?
    }

    let creatorVersion: String
    private var open: [String: OpenFlow] = [:]
    /// Flow ids in the order first seen, so the entries left at the end come out in a stable order.
    private var order: [String] = []
    private var other: [[UInt8]] = []
    private var wroteHeader = false
    private var entriesWritten = 0

    init(creatorVersion: String = "1") {
        self.creatorVersion = creatorVersion
    }

    /// Feeds one input line (a record or not); complete entries are appended to `out`.
    mutating func feed(line: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        writeHeaderOnce(into: &out)
        guard let record = Record(line: line) else {
            other.append(Array(line))
            return
        }
        let type = record.type ?? ""
        guard type == RecordType.flow || type == RecordType.sse || type == RecordType.ws || type == RecordType.flowEnd,
            let id = record.flowID
        else {
            other.append(Array(line))
            return
        }
        if open[id] == nil {
            open[id] = OpenFlow()
            order.append(id)
        }
        switch type {
        case RecordType.flow: open[id]?.flow = Array(line)
        case RecordType.flowEnd:
            open[id]?.end = Array(line)
            if let flow = open.removeValue(forKey: id) { writeEntry(flow, id: id, into: &out) }
        default: open[id]?.events.append(Array(line))
        }
    }

    /// End of input: flows that never ended are written too, then the document is closed.
    mutating func finish(into out: inout [UInt8]) {
        writeHeaderOnce(into: &out)
        for id in order {
            if let flow = open.removeValue(forKey: id) { writeEntry(flow, id: id, into: &out) }
        }
        order.removeAll()
        out.append(contentsOf: "\n]".utf8)
        if !other.isEmpty {
            out.append(contentsOf: ",\n\"_streamtap_other\":[".utf8)
            for (n, line) in other.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                // A record is spliced as JSON; anything else is kept as a string.
                if line.withUnsafeBytes({ JSONScanner.isValidObject($0) }) {
                    out.append(contentsOf: line)
                } else {
                    var w = JSONWriter(capacity: line.count + 2)
                    w.string(utf8: line)
                    out.append(contentsOf: w.bytes)
                }
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: "}}\n".utf8)
    }

    private mutating func writeHeaderOnce(into out: inout [UInt8]) {
        guard !wroteHeader else { return }
        wroteHeader = true
        out.append(
            contentsOf:
                "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"flow-har\",\"version\":\"\(creatorVersion)\"},\"pages\":[],\"entries\":["
                .utf8
        )
    }

    private mutating func writeEntry(_ flow: OpenFlow, id: String, into out: inout [UInt8]) {
        out.append(contentsOf: entriesWritten == 0 ? "\n".utf8 : ",\n".utf8)
        entriesWritten += 1
        var w = JSONWriter(capacity: 4096)
        HarEntry(flow: flow, id: id).write(&w)
        out.append(contentsOf: w.bytes)
    }
}

/// Writes one HAR entry from a flow's lines.
struct HarEntry {
    let flow: HarWriter.OpenFlow
    let id: String

    func write(_ w: inout JSONWriter) {
        withRecord(flow.flow) { flowRecord in
            withRecord(flow.end) { endRecord in
                write(flowRecord, endRecord, &w)
            }
        }
    }

    private func withRecord(_ line: [UInt8]?, _ body: (Record?) -> Void) {
        guard let line else { return body(nil) }
        line.withUnsafeBytes { body(Record(line: $0)) }
    }

    private func write(_ flowRecord: Record?, _ end: Record?, _ w: inout JSONWriter) {
        // Per-event times and the SSE body, in one pass over the kept events.
        var sseMeta: [(ts: String?, seq: Int64?)] = []
        var body: [UInt8] = []
        var firstEvent: Timestamp?
        var lastEvent: Timestamp?
        var messages = JSONWriter(capacity: 256)
        messages.beginArray()
        var sessionFromEvents: String?
        for line in flow.events {
            line.withUnsafeBytes { bytes in
                guard let record = Record(line: bytes) else { return }
                let ts = record.timestamp
                if let ts {
                    if firstEvent == nil { firstEvent = ts }
                    lastEvent = ts
                }
                if sessionFromEvents == nil { sessionFromEvents = record.sessionID }
                if record.isType(RecordType.sse) {
                    sseMeta.append((record.string("ts"), record.int("seq")))
                    Self.appendSSEEvent(record, to: &body)
                } else {
                    Self.appendWebSocketMessage(record, ts: ts, to: &messages)
                }
            }
        }
        messages.endArray()
        let hasMessages = messages.bytes.count > 2

        let start = flowRecord?.timestamp ?? firstEvent ?? Timestamp(microseconds: 0)
        let durationMs: Double
        if let ms = end?.field("duration_ms").flatMap({ end?.json.double($0) }) {
            durationMs = ms
        } else if let lastEvent {
            durationMs = Double(lastEvent.microseconds - start.microseconds) / 1000
        } else {
            durationMs = 0
        }
        let waitMs = firstEvent.map { max(0, Double($0.microseconds - start.microseconds) / 1000) } ?? durationMs
        let status = flowRecord?.int("status") ?? 0

        w.beginObject()
        w.field("startedDateTime", flowRecord?.string("ts") ?? start.iso8601)
        w.key("time")
        w.double(max(0, durationMs))
        writeRequest(flowRecord, &w)
        writeResponse(flowRecord, status: status, body: body, hasEvents: !sseMeta.isEmpty, &w)
        w.key("cache")
        w.beginObject()
        w.endObject()
        w.key("timings")
        w.beginObject()
        w.key("send")
        w.int(0)
        w.key("wait")
        w.double(min(waitMs, max(0, durationMs)))
        w.key("receive")
        w.double(max(0, durationMs - waitMs))
        w.endObject()
        if hasMessages {
            w.key("_webSocketMessages")
            w.raw(messages.bytes)
        }
        w.key("_streamtap")
        w.beginObject()
        w.field("flow_id", id)
        w.field("session_id", flowRecord?.sessionID ?? sessionFromEvents)
        copyField("session_source", from: flowRecord, &w)
        copyField("provider", from: flowRecord, &w)
        w.field("has_flow", flowRecord != nil)
        w.key("sse")
        w.beginArray()
        for meta in sseMeta {
            w.beginObject()
            w.field("ts", meta.ts)
            w.key("seq")
            if let seq = meta.seq { w.int(seq) } else { w.null() }
            w.endObject()
        }
        w.endArray()
        if let end {
            w.key("flow_end")
            w.beginObject()
            for name in ["ts", "status", "duration_ms", "events", "bytes"] { copyField(name, from: end, &w) }
            w.endObject()
        }
        w.endObject()
        w.endObject()
    }

    private func copyField(_ name: String, from record: Record?, _ w: inout JSONWriter) {
        guard let record, let span = record.field(name) else { return }
        w.field(name, raw: record.json.raw(span))
    }

    private func writeRequest(_ flow: Record?, _ w: inout JSONWriter) {
        let url = flow?.string("url") ?? ""
        w.key("request")
        w.beginObject()
        w.field("method", flow?.string("method") ?? "GET")
        w.field("url", url)
        w.field("httpVersion", "HTTP/1.1")
        let headers = flow?.lookup("request", "headers")
        writeHeaders(flow, headers, &w)
        w.key("queryString")
        w.beginArray()
        for (name, value) in Self.queryItems(of: url) {
            w.beginObject()
            w.field("name", name)
            w.field("value", value)
            w.endObject()
        }
        w.endArray()
        w.key("cookies")
        w.beginArray()
        w.endArray()
        w.key("headersSize")
        w.int(-1)
        if let flow, let body = flow.lookup("request", "body"), body.kind != .null {
            var text: [UInt8] = []
            if body.kind == .string {
                _ = flow.json.decodeString(body, into: &text)
            } else {
                text.append(contentsOf: flow.json.raw(body))
            }
            w.field("bodySize", text.count)
            w.key("postData")
            w.beginObject()
            w.field("mimeType", Self.header("content-type", in: flow, headers) ?? "application/json")
            w.key("params")
            w.beginArray()
            w.endArray()
            w.key("text")
            w.string(utf8: text)
            w.endObject()
        } else {
            w.field("bodySize", 0)
        }
        w.endObject()
    }

    private func writeResponse(_ flow: Record?, status: Int64, body: [UInt8], hasEvents: Bool, _ w: inout JSONWriter) {
        let headers = flow?.lookup("response", "headers")
        w.key("response")
        w.beginObject()
        w.field("status", status)
        w.field("statusText", Self.reason(status))
        w.field("httpVersion", "HTTP/1.1")
        writeHeaders(flow, headers, &w)
        w.key("cookies")
        w.beginArray()
        w.endArray()
        w.key("content")
        w.beginObject()
        w.field("size", body.count)
        let mime = flow.flatMap { Self.header("content-type", in: $0, headers) }
        w.field("mimeType", mime ?? (hasEvents ? "text/event-stream" : "x-unknown"))
        w.key("text")
        w.string(utf8: body)
        w.endObject()
        w.field("redirectURL", flow.flatMap { Self.header("location", in: $0, headers) } ?? "")
        w.key("headersSize")
        w.int(-1)
        w.field("bodySize", body.count)
        w.endObject()
    }

    /// Record headers are an object (name -> value); HAR wants a list of {name, value}.
    private func writeHeaders(_ flow: Record?, _ headers: JSONSpan?, _ w: inout JSONWriter) {
        w.key("headers")
        w.beginArray()
        if let flow, let headers, headers.kind == .object {
            flow.json.forEachMember(of: headers) { name, value in
                w.beginObject()
                w.key("name")
                w.raw(flow.json.raw(name))
                w.key("value")
                if value.kind == .string {
                    w.raw(flow.json.raw(value))
                } else {
                    // A list of values (repeated header) or anything else: its JSON text.
                    w.string(utf8: flow.json.raw(value))
                }
                w.endObject()
                return true
            }
        }
        w.endArray()
    }

    static func header(_ name: String, in record: Record, _ headers: JSONSpan?) -> String? {
        guard let headers, headers.kind == .object else { return nil }
        var found: String?
        record.json.forEachMember(of: headers) { key, value in
            if record.json.string(key)?.lowercased() == name {
                found = record.json.string(value)
                return false
            }
            return true
        }
        return found
    }

    /// One event as the SSE wire has it. A JSON `data` is its compact text on one `data:` line;
    /// a string is split at newlines into one `data:` line each (how SSE carries newlines).
    static func appendSSEEvent(_ record: Record, to body: inout [UInt8]) {
        let json = record.json
        if let event = record.field("event"), event.kind == .string {
            body.append(contentsOf: "event: ".utf8)
            _ = json.decodeString(event, into: &body)
            body.append(0x0A)
        }
        if let id = record.field("id"), id.kind == .string {
            body.append(contentsOf: "id: ".utf8)
            _ = json.decodeString(id, into: &body)
            body.append(0x0A)
        }
        var data: [UInt8] = []
        if let span = record.field("data") {
            if span.kind == .string {
                _ = json.decodeString(span, into: &data)
            } else {
                data.append(contentsOf: json.raw(span))
            }
        }
        var lineStart = 0
        for i in 0...data.count where i == data.count || data[i] == 0x0A {
            body.append(contentsOf: "data: ".utf8)
            body.append(contentsOf: data[lineStart..<i])
            body.append(0x0A)
            lineStart = i + 1
        }
        body.append(0x0A)
    }

    /// Chrome's `_webSocketMessages` entry, plus `_ts`/`_seq` so the exact record comes back.
    static func appendWebSocketMessage(_ record: Record, ts: Timestamp?, to w: inout JSONWriter) {
        let json = record.json
        w.beginObject()
        let client = record.field("direction").map { json.stringEquals($0, "client") } ?? false
        w.field("type", client ? "send" : "receive")
        w.key("time")
        w.double(Double(ts?.microseconds ?? 0) / 1_000_000)
        w.field("opcode", 1)
        w.key("data")
        if let span = record.field("data") {
            if span.kind == .string { w.raw(json.raw(span)) } else { w.string(utf8: json.raw(span)) }
        } else {
            w.string("")
        }
        if let span = record.field("ts") { w.field("_ts", raw: json.raw(span)) }
        if let span = record.field("seq") { w.field("_seq", raw: json.raw(span)) }
        w.endObject()
    }

    /// `a=1&b=2` after the `?` (before any `#`), not percent-decoded (HAR keeps them as sent).
    static func queryItems(of url: String) -> [(String, String)] {
        guard let q = url.firstIndex(of: "?") else { return [] }
        var query = url[url.index(after: q)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        return query.split(separator: "&").map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
            }
            return (String(pair), "")
        }
    }

    static func reason(_ status: Int64) -> String {
        switch status {
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 408: return "Request Timeout"
        case 413: return "Payload Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 529: return "Overloaded"
        default: return ""
        }
    }
}
