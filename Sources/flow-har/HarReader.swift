// One HAR document -> StreamTap records: per entry a `flow`, its `sse` records (the response body
// parsed with TapCodec's SSEParser when it is an event stream) or `ws` records (Chrome's
// `_webSocketMessages`), and a `flow_end`. HAR files from browsers, Charles or mitmproxy have no
// `_streamtap` field: ids, provider and times are then made up from what HAR has (flow id
// `har-<n>`, provider from the URL, event times at the start plus `timings.wait`). With the
// `_streamtap` field flow-har writes, the records come back as they went in (HarWriter.swift).
// Pure: the document's bytes in, NDJSON out.

import TapCodec

struct HarReadError: Error, CustomStringConvertible {
    let description: String
}

struct HarReader {
    /// `name` labels made-up session ids.
    static func convert(_ document: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        let json = JSONScanner(document)
        guard JSONScanner.isValid(document), let root = json.root(), root.kind == .object else {
            throw HarReadError(description: "not a JSON document")
        }
        guard let log = json.field("log", in: root), log.kind == .object,
            let entries = json.field("entries", in: log), entries.kind == .array
        else { throw HarReadError(description: "no log.entries array (not a HAR file)") }
        var number = 0
        var failure: HarReadError?
        json.forEachElement(of: entries) { entry in
            number += 1
            guard entry.kind == .object else {
                failure = HarReadError(description: "entry \(number): not an object")
                return false
            }
            HarEntryReader(json: json, entry: entry, number: number).write(into: &out)
            return true
        }
        if let failure { throw failure }
        // What flow-har kept that was not a flow: back out as it came in.
        if let other = json.field("_streamtap_other", in: log), other.kind == .array {
            json.forEachElement(of: other) { item in
                if item.kind == .string {
                    _ = json.decodeString(item, into: &out)
                } else {
                    out.append(contentsOf: json.raw(item))
                }
                out.append(0x0A)
                return true
            }
        }
    }
}

struct HarEntryReader {
    let json: JSONScanner
    let entry: JSONSpan
    let number: Int

    func field(_ path: String..., in base: JSONSpan? = nil) -> JSONSpan? {
        var span = base ?? entry
        for key in path {
            guard span.kind == .object, let next = json.field(key, in: span) else { return nil }
            span = next
        }
        return span
    }

    func string(_ span: JSONSpan?) -> String? { span.flatMap { $0.kind == .string ? json.string($0) : nil } }

    func write(into out: inout [UInt8]) {
        let tap = field("_streamtap")
        let flowID = string(field("flow_id", in: tap)) ?? "har-\(number)"
        let session = field("session_id", in: tap)
        let started = string(field("startedDateTime")) ?? ""
        let start = Timestamp(iso8601: started) ?? Timestamp(microseconds: 0)
        let startTS = Timestamp(iso8601: started) != nil && tap == nil ? start.iso8601 : started
        let url = string(field("request", "url")) ?? ""
        let totalMs = field("time").flatMap { json.double($0) } ?? 0
        let waitMs = field("timings", "wait").flatMap { json.double($0) }.map { max(0, $0) } ?? 0
        let madeUpEventTS = Timestamp(microseconds: start.microseconds + Int64(waitMs * 1000)).iso8601

        // Foreign HARs with no record of the flow start would still need one: it is always written
        // unless flow-har wrote this entry from events without a flow record.
        let hasFlow = field("has_flow", in: tap).flatMap { json.bool($0) } ?? true
        if hasFlow {
            JSONWriter.append(to: &out) { w in
                w.beginObject()
                w.field("v", 1)
                w.field("type", RecordType.flow)
                w.field("flow_id", flowID)
                writeSession(session, &w)
                if let source = field("session_source", in: tap) {
                    w.field("session_source", raw: json.raw(source))
                } else if tap == nil {
                    w.field("session_source", "har")  // a foreign HAR; flow-har's own kept what the record had
                }
                w.field("ts", startTS)
                if let provider = field("provider", in: tap) {
                    w.field("provider", raw: json.raw(provider))
                } else {
                    w.field("provider", DeltaProvider(url: url).rawValue)
                }
                w.field("method", string(field("request", "method")) ?? "GET")
                w.field("url", url)
                w.field("status", field("response", "status").flatMap { json.int($0) } ?? 0)
                w.key("request")
                w.beginObject()
                writeHeaders(field("request", "headers"), &w)
                w.key("body")
                writeBody(field("request", "postData", "text"), &w)
                w.endObject()
                w.key("response")
                w.beginObject()
                writeHeaders(field("response", "headers"), &w)
                w.endObject()
                w.endObject()
                w.newline()
            }
        }

        var events = 0
        if let messages = field("_webSocketMessages"), messages.kind == .array {
            var seq: Int64 = 0
            json.forEachElement(of: messages) { message in
                events += 1
                writeWebSocket(message, flowID: flowID, session: session, seq: &seq, into: &out)
                return true
            }
        }
        let mime = string(field("response", "content", "mimeType")) ?? ""
        let meta = field("sse", in: tap).map { json.elements(of: $0) } ?? []
        if mime.lowercased().contains("event-stream") || !meta.isEmpty,
            let text = field("response", "content", "text"), text.kind == .string
        {
            var body: [UInt8] = []
            _ = json.decodeString(text, into: &body)
            var parser = SSEParser()
            var parsed: [SSEEvent] = []
            parser.feed(body, into: &parsed)
            _ = parser.finish(into: &parsed)
            for (n, event) in parsed.enumerated() {
                events += 1
                let metaItem = n < meta.count ? meta[n] : nil
                JSONWriter.append(to: &out) { w in
                    w.beginObject()
                    w.field("v", 1)
                    w.field("type", RecordType.sse)
                    w.field("flow_id", flowID)
                    writeSession(session, &w)
                    if let ts = metaItem.flatMap({ field("ts", in: $0) }) {
                        w.field("ts", raw: json.raw(ts))
                    } else {
                        w.field("ts", madeUpEventTS)
                    }
                    if let seq = metaItem.flatMap({ field("seq", in: $0) }) {
                        w.field("seq", raw: json.raw(seq))
                    } else {
                        w.field("seq", n)
                    }
                    w.field("event", event.event)
                    if let id = event.id { w.field("id", id) }
                    w.key("data")
                    Self.writeData(event.data, &w)
                    w.endObject()
                    w.newline()
                }
            }
        }

        let end = field("flow_end", in: tap)
        if tap != nil, end == nil { return }  // flow-har saw no flow_end for it: none is made up
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("v", 1)
            w.field("type", RecordType.flowEnd)
            w.field("flow_id", flowID)
            writeSession(session, &w)
            let endTS = Timestamp(microseconds: start.microseconds + Int64(totalMs * 1000)).iso8601
            copy("ts", from: end, default: { $0.string(endTS) }, &w)
            copy("status", from: end, default: { $0.string("complete") }, &w)
            copy("duration_ms", from: end, default: { $0.int(Int64(totalMs.rounded())) }, &w)
            copy("events", from: end, default: { $0.int(events) }, &w)
            let size = field("response", "content", "size").flatMap { json.int($0) } ?? 0
            copy("bytes", from: end, default: { $0.int(max(0, size)) }, &w)
            w.endObject()
            w.newline()
        }
    }

    private func copy(
        _ name: String,
        from end: JSONSpan?,
        default value: (inout JSONWriter) -> Void,
        _ w: inout JSONWriter
    ) {
        w.key(name)
        if let span = field(name, in: end) { w.raw(json.raw(span)) } else { value(&w) }
    }

    private func writeSession(_ session: JSONSpan?, _ w: inout JSONWriter) {
        if let session { w.field("session_id", raw: json.raw(session)) } else { w.field("session_id", "har") }
    }

    /// HAR's list of {name, value} -> the record's object (a repeated name keeps the last value).
    private func writeHeaders(_ list: JSONSpan?, _ w: inout JSONWriter) {
        w.key("headers")
        w.beginObject()
        if let list, list.kind == .array {
            var seen: [String: Int] = [:]
            var pairs: [(JSONSpan, JSONSpan)] = []
            json.forEachElement(of: list) { header in
                if let name = field("name", in: header), let value = field("value", in: header), name.kind == .string {
                    let key = json.string(name) ?? ""
                    if let at = seen[key] {
                        pairs[at].1 = value
                    } else {
                        seen[key] = pairs.count
                        pairs.append((name, value))
                    }
                }
                return true
            }
            for (name, value) in pairs {
                w.key(json.string(name) ?? "")
                w.raw(json.raw(value))
            }
        }
        w.endObject()
    }

    /// A body that is a JSON object or array is the record's parsed value; other text stays a string.
    private func writeBody(_ text: JSONSpan?, _ w: inout JSONWriter) {
        guard let text, text.kind == .string else { return w.null() }
        var bytes: [UInt8] = []
        _ = json.decodeString(text, into: &bytes)
        Self.writeData(bytes, objectsOnly: true, &w)
    }

    private func writeWebSocket(
        _ message: JSONSpan,
        flowID: String,
        session: JSONSpan?,
        seq: inout Int64,
        into out: inout [UInt8]
    ) {
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("v", 1)
            w.field("type", RecordType.ws)
            w.field("flow_id", flowID)
            writeSession(session, &w)
            if let ts = field("_ts", in: message) {
                w.field("ts", raw: json.raw(ts))
            } else {
                let seconds = field("time", in: message).flatMap { json.double($0) } ?? 0
                w.field("ts", Timestamp(microseconds: Int64((seconds * 1_000_000).rounded())).iso8601)
            }
            if let recorded = field("_seq", in: message) {
                w.field("seq", raw: json.raw(recorded))
            } else {
                w.field("seq", seq)
            }
            seq += 1
            w.field("direction", string(field("type", in: message)) == "send" ? "client" : "server")
            w.key("data")
            var data: [UInt8] = []
            if let span = field("data", in: message), span.kind == .string { _ = json.decodeString(span, into: &data) }
            Self.writeData(data, &w)
            w.endObject()
            w.newline()
        }
    }

    /// DESIGN §4: `data` is the parsed JSON value when the text is JSON, else the string.
    static func writeData(_ bytes: [UInt8], objectsOnly: Bool = false, _ w: inout JSONWriter) {
        let first = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        let structured = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        if structured || !objectsOnly, !bytes.isEmpty, JSONScanner.isValid(bytes) {
            w.raw(bytes)
        } else {
            w.string(utf8: bytes)
        }
    }
}
