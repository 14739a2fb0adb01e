// The flows of a saved log as an SSE server would send them again (`--serve`): per flow its
// HTTP status, response headers and events, each event's bytes rebuilt from its `sse` record
// (`event:` unless it is the default `message`, `id:`, `data:` lines, blank line) and the gap
// before it. Pure: built from records, read by the server loop.

import TapCodec

struct RecordedEvent {
    /// The time of the event (gaps are taken between these).
    var ts: Timestamp?
    /// The event as it goes on the wire, blank line included.
    var bytes: [UInt8]
}

struct RecordedFlow {
    var flowID: String
    var ts: Timestamp?
    var status: Int
    /// Response headers worth repeating (name, value), in recorded order.
    var headers: [(String, String)]
    var events: [RecordedEvent] = []

    /// Status line and headers of the response. The body ends when the connection closes.
    var head: [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        var hasType = false
        for (name, value) in headers {
            if name.lowercased() == "content-type" { hasType = true }
            text += "\(name): \(value)\r\n"
        }
        if !hasType { text += "content-type: text/event-stream; charset=utf-8\r\n" }
        text += "cache-control: no-cache\r\nconnection: close\r\n\r\n"
        return Array(text.utf8)
    }

    /// Microseconds before event `i` (the first counts from the response headers), at speed 1.
    func gap(before i: Int) -> Int64 {
        let from = i == 0 ? ts : events[i - 1].ts
        guard let from, let to = events[i].ts, to > from else { return 0 }
        return to.microseconds - from.microseconds
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 529: return "Overloaded"
        default: return "Status"
        }
    }
}

/// Collects the flows of a log, in the order of their `flow` records.
struct RecordedFlowsBuilder {
    private(set) var flows: [RecordedFlow] = []
    private var indexByID: [String: Int] = [:]

    /// Headers that describe the original connection or body encoding, not the events.
    static let dropped: Set<String> = [
        "content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive", "upgrade",
    ]

    mutating func feed(_ record: Record) {
        guard let flowID = record.flowID else { return }
        if record.isType(RecordType.flow) {
            guard indexByID[flowID] == nil else { return }
            let json = record.json
            var headers: [(String, String)] = []
            if let object = record.lookup("response", "headers") {
                json.forEachMember(of: object) { key, value in
                    if let name = json.string(key), let text = json.string(value),
                        !Self.dropped.contains(name.lowercased())
                    {
                        headers.append((name, text))
                    }
                    return true
                }
            }
            let status = record.int("status").map { Int($0) } ?? 200
            indexByID[flowID] = flows.count
            flows.append(RecordedFlow(flowID: flowID, ts: record.timestamp, status: status, headers: headers))
        } else if record.isType(RecordType.sse), let index = indexByID[flowID] {
            flows[index].events.append(RecordedEvent(ts: record.timestamp, bytes: Self.eventBytes(record)))
        }
    }

    /// Flows that were answered with SSE (WebSocket flows have no events to serve).
    var servable: [RecordedFlow] { flows.filter { !$0.events.isEmpty } }

    /// `event: NAME\nid: ID\ndata: …\n\n` from an sse record.
    static func eventBytes(_ record: Record) -> [UInt8] {
        let json = record.json
        var out: [UInt8] = []
        if let name = record.string("event"), name != "message" {
            out.append(contentsOf: "event: \(name)\n".utf8)
        }
        if let id = record.field("id"), id.kind != .null {
            let text = id.kind == .string ? (json.string(id) ?? "") : String(decoding: json.raw(id), as: UTF8.self)
            out.append(contentsOf: "id: \(text)\n".utf8)
        }
        if let data = record.field("data") {
            if data.kind == .string {
                // A string payload ("[DONE]") is sent as its text, a line per data: field.
                let text = json.string(data) ?? ""
                for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                    out.append(contentsOf: "data: \(line)\n".utf8)
                }
            } else {
                out.append(contentsOf: "data: ".utf8)
                out.append(contentsOf: json.raw(data))
                out.append(0x0A)
            }
        }
        out.append(0x0A)
        return out
    }
}
