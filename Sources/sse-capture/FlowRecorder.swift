import NIOCore
import NIOHTTP1
// One exchange's records: `flow` when the response headers arrive, `sse` per event, `flow_end`
// once. Lives on the exchange's event loop; the proxy calls it only after the bytes concerned
// have been written to the client (forward first, then log).
import TapCodec

/// Why a flow ended (DESIGN §4).
enum FlowEndStatus: String {
    case complete
    case clientAbort = "client_abort"
    case upstreamError = "upstream_error"
    case timeout
}

/// What every flow needs to know about the proxy's settings.
struct RecorderSettings: Sendable {
    var maxBody: Int
    var redactHeaders: Set<String>

    static let defaultRedacted: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
    ]
}

final class FlowRecorder {
    let flowID: String
    let sink: LogSink
    private let settings: RecorderSettings
    private let method: String
    private let url: String
    private let requestHeaders: HTTPHeaders
    private let clientAddress: String
    private let startNanos: UInt64
    private var requestBody: [UInt8] = []
    private var requestBodyBytes = 0
    private var tap: FlowTap?
    private(set) var sessionID = ""
    private var responseStatus = 0
    private var ended = false
    private var rawKept = false
    private var inflater: LogInflater?
    private var wireBytes = 0
    private var webSocketSeq = 0
    private var webSocketBytes = 0

    init(
        sink: LogSink,
        settings: RecorderSettings,
        method: String,
        url: String,
        requestHeaders: HTTPHeaders,
        clientAddress: String
    ) {
        self.flowID = Self.newFlowID()
        self.sink = sink
        self.settings = settings
        self.method = method
        self.url = url
        self.requestHeaders = requestHeaders
        self.clientAddress = clientAddress
        self.startNanos = DispatchTimeNanos.now()
    }

    var hasResponse: Bool { tap != nil }

    /// Keeps up to --max-body bytes of the request body for the flow record and the session id.
    func requestBody(_ buffer: ByteBuffer) {
        requestBodyBytes += buffer.readableBytes
        let room = settings.maxBody - requestBody.count
        if room > 0 {
            buffer.withUnsafeReadableBytes { requestBody.append(contentsOf: $0.prefix(room)) }
        }
    }

    /// The response head arrived (and has been forwarded): write the `flow` record.
    func responseHead(status: Int, headers: HTTPHeaders) {
        guard tap == nil else { return }
        responseStatus = status
        let bodyIsJSON = requestBodyComplete && !requestBody.isEmpty && JSONScanner.isValid(requestBody)
        let (session, source) = SessionID.resolve(
            headers: requestHeaders,
            jsonBody: bodyIsJSON ? requestBody : [],
            fallback: "\(clientAddress)|\(url)|\(requestBodyBytes)"
        )
        sessionID = session
        var kind = BodyKind(contentType: headers.first(name: "content-type"))
        if let encoding = headers.first(name: "content-encoding"), encoding.lowercased() != "identity", kind != .other {
            // Forwarded as sent; a copy is decompressed for the log (gzip, deflate). Others are only counted.
            inflater = LogInflater(contentEncoding: encoding)
            if inflater == nil { kind = .other }
        }
        tap = FlowTap(flowID: flowID, sessionID: session, kind: kind)

        var w = JSONWriter()
        w.beginObject()
        w.key("v")
        w.int(1)
        w.key("type")
        w.string("flow")
        w.key("flow_id")
        w.string(flowID)
        w.key("session_id")
        w.string(session)
        w.key("session_source")
        w.string(source)
        w.key("ts")
        w.string(Timestamp.now().iso8601)
        w.key("provider")
        w.string(Self.provider(url: url))
        w.key("method")
        w.string(method)
        w.key("url")
        w.string(url)
        w.key("status")
        w.int(status)
        if let subagent = requestHeaders.first(name: "x-openai-subagent") {
            w.key("subagent")
            w.string(subagent)
        }
        w.key("request")
        w.beginObject()
        w.key("headers")
        appendHeaders(requestHeaders, to: &w)
        w.key("body")
        if requestBody.isEmpty {
            w.null()
        } else if bodyIsJSON {
            w.raw(JSONValue.flattened(requestBody))
        } else if requestBodyComplete {
            w.string(String(decoding: requestBody, as: UTF8.self))
        } else {
            w.string(String(decoding: requestBody, as: UTF8.self))
            w.key("body_truncated")
            w.bool(true)
            w.key("body_bytes")
            w.int(requestBodyBytes)
        }
        w.endObject()
        w.key("response")
        w.beginObject()
        w.key("headers")
        appendHeaders(headers, to: &w)
        w.endObject()
        w.endObject()
        w.newline()
        sink.write(.flows, w.bytes, session: session)
    }

    private var requestBodyComplete: Bool { requestBodyBytes <= settings.maxBody }

    /// Response body bytes that have already been written to the client.
    func responseBody(_ buffers: [ByteBuffer]) {
        guard var tap, !buffers.isEmpty else { return }
        // Moved out while it is fed: a second reference would make every mutation copy its buffers.
        self.tap = nil
        let ts = Timestamp.now().iso8601
        // One buffer reused for the flow's records, kept only while small: fifty streams each
        // holding a large batch's capacity would cost more memory than the allocations save.
        var out = recordBuffer
        recordBuffer = []
        defer {
            if out.capacity <= Self.keptRecordCapacity {
                out.removeAll(keepingCapacity: true)
                recordBuffer = out
            }
        }
        for buffer in buffers {
            wireBytes += buffer.readableBytes
            buffer.withUnsafeReadableBytes { wire in
                if let inflater {
                    var plain: [UInt8] = []
                    if !inflater.inflate(wire, into: &plain) && !inflaterFailureLogged {
                        inflaterFailureLogged = true
                        sink.error("decompress", "\(flowID): corrupt compressed body; the rest is not logged")
                    }
                    plain.withUnsafeBytes { feed($0, tap: &tap, out: &out, ts: ts) }
                } else {
                    feed(wire, tap: &tap, out: &out, ts: ts)
                }
            }
        }
        self.tap = tap
        sink.write(.lines, out, session: sessionID)
    }

    private var inflaterFailureLogged = false
    private var recordBuffer: [UInt8] = []
    private static let keptRecordCapacity = 8192

    private func feed(_ bytes: UnsafeRawBufferPointer, tap: inout FlowTap, out: inout [UInt8], ts: String) {
        tap.feed(bytes, ts: ts, into: &out)
        if tap.isSSE {
            sink.writeRaw(bytes, session: sessionID, flowID: flowID)
            rawKept = true
        }
    }

    /// Writes `flow_end` (once). A flow that never got a response head gets its `flow` record first.
    func end(_ status: FlowEndStatus, reason: String? = nil, responseStatus fallbackStatus: Int = 502) {
        guard !ended else { return }
        ended = true
        if tap == nil { responseHead(status: fallbackStatus, headers: HTTPHeaders()) }
        guard var tap else { return }
        let ts = Timestamp.now().iso8601
        var out: [UInt8] = []
        tap.finish(ts: ts, into: &out)
        sink.write(.lines, out, session: sessionID)
        if rawKept { sink.closeRaw(session: sessionID, flowID: flowID) }
        let durationMs = Int((DispatchTimeNanos.now() - startNanos) / 1_000_000)
        var w = JSONWriter()
        w.beginObject()
        w.key("v")
        w.int(1)
        w.key("type")
        w.string("flow_end")
        w.key("flow_id")
        w.string(flowID)
        w.key("session_id")
        w.string(sessionID)
        w.key("ts")
        w.string(ts)
        w.key("status")
        w.string(status.rawValue)
        if let reason {
            w.key("reason")
            w.string(reason)
        }
        w.key("duration_ms")
        w.int(durationMs)
        w.key("events")
        w.int(tap.seq + webSocketSeq)
        w.key("bytes")
        w.int(wireBytes + webSocketBytes)
        w.endObject()
        w.newline()
        sink.write(.flowEnds, w.bytes, session: sessionID)
        sink.summary(
            "\(ts.dropFirst(11).prefix(12)) \(method) \(url) \(responseStatus) \(tap.seq + webSocketSeq) events "
                + "\(wireBytes + webSocketBytes) B \(durationMs) ms \(status.rawValue)"
        )
        self.tap = tap
    }

    /// Text messages of an upgraded exchange, already forwarded: one `ws` record each (binary and
    /// control frames are counted in bytes only).
    func webSocket(_ messages: [WebSocketMessage], direction: WebSocketDirection, bytes: Int) {
        webSocketBytes += bytes
        var out: [UInt8] = []
        let ts = Timestamp.now().iso8601
        for message in messages where message.opcode == WebSocketFrameParser.text {
            var w = JSONWriter()
            w.beginObject()
            w.key("v")
            w.int(1)
            w.key("type")
            w.string("ws")
            w.key("flow_id")
            w.string(flowID)
            w.key("session_id")
            w.string(sessionID)
            w.key("ts")
            w.string(ts)
            w.key("seq")
            w.int(webSocketSeq)
            w.key("direction")
            w.string(direction.rawValue)
            w.key("data")
            JSONValue.append(message.payload, to: &w)
            if message.truncated {
                w.key("truncated")
                w.bool(true)
            }
            w.endObject()
            w.newline()
            out.append(contentsOf: w.bytes)
            webSocketSeq += 1
        }
        sink.write(.lines, out, session: sessionID)
    }

    private func appendHeaders(_ headers: HTTPHeaders, to w: inout JSONWriter) {
        // One key per name (lowercased); repeated headers joined with ", " so the object has no duplicate keys.
        var order: [String] = []
        var values: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            let shown = settings.redactHeaders.contains(key) ? Redaction.hash(value) : value
            if let existing = values[key] {
                values[key] = existing + ", " + shown
            } else {
                order.append(key)
                values[key] = shown
            }
        }
        w.beginObject()
        for key in order {
            w.key(key)
            w.string(values[key] ?? "")
        }
        w.endObject()
    }

    /// The API shape from the URL's path (DESIGN §4 `provider`).
    static func provider(url: String) -> String {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        if path.hasSuffix("/messages") { return "anthropic" }
        if path.hasSuffix("/responses") { return "openai-responses" }
        if path.hasSuffix("/chat/completions") { return "chat" }
        return "unknown"
    }

    /// A random 128-bit id in UUID form (flows from several processes never collide).
    static func newFlowID() -> String {
        var rng = SystemRandomNumberGenerator()
        let high = rng.next() as UInt64
        let low = rng.next() as UInt64
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? high : low) >> (UInt64($0 % 8) * 8)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String($0, radix: 16).leftPad(2) }.joined()
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20])
            + "-" + String(h[20..<32])
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

enum DispatchTimeNanos {
    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}
