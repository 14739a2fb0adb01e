// DeltaDecoder: the provider decoders of DESIGN §5, one incremental state machine over StreamTap records.
//
// Input, one record at a time (a `Record`, i.e. one validated NDJSON line):
// - `flow`: remembered per `flow_id` (its `provider`, else one detected from `url`); its request body gives
//   `user_prompt` and `tool_result` deltas. The record itself passes through first.
// - `sse`, and `ws` with `direction:"server"`: one provider event each (`data` parsed JSON, or a string such as
//   "[DONE]"; a string holding JSON is parsed too). Decoded into zero or more deltas; the event record itself is
//   replaced by them (kept in front of them with `keepEvents`). An event whose provider cannot be told (no flow
//   record and no recognisable shape) is not handled and passes through.
// - `ws` with `direction:"client"` and `data.type == "response.create"` (Codex over WebSocket): a Responses
//   request; passes through, followed by its `user_prompt` / `tool_result` deltas.
// - `flow_end`: frees the flow's state (a Chat stream that ended after `finish_reason` but without `[DONE]` gets
//   its `message_end` first), then passes through.
// - any other record passes through byte-identical, in order.
// `RawSSEDecoder` feeds the same decoders from a raw SSE byte stream (`curl -N`).
//
// Output: `delta` records, one JSON object per line, keys in this order:
//
//   {"v":1,"type":"delta","flow_id":…,"session_id":…,"ts":…,"provider":…,"kind":…,"index":…, <kind fields>, "text":…}
//
// - `flow_id`, `session_id`, `ts`: copied verbatim from the source record (`null` when it had none). `ts` is the
//   time of the event that produced the delta (the flow record's for request deltas).
// - `provider`: `anthropic` | `openai-responses` | `chat` | `unknown`.
// - `kind` and its fields:
//   - `block_start`: `index`, `block` (`text` | `reasoning` | `tool` | `other`), `block_type` (the provider's own
//     type: `text`, `thinking`, `tool_use`, `function_call`, `message`, …), and for tool blocks `tool` (the
//     tool's name, or null) and `call_id` (the id the tool result will quote, or null).
//   - `text` / `reasoning` / `tool_args`: `index`, `text` = the fragment exactly as sent (a JSON string
//     spliced verbatim, escapes as the provider wrote them). For `tool_args` it is JSON text that may be cut
//     anywhere, even inside an escape; `tool_args` also carries `call_id` (before `text`) when known.
//     Anthropic and Responses fragments are written even when empty (Anthropic's first `partial_json` is "");
//     Chat's empty or null `content` / `reasoning_content` / `arguments` give no delta (every chunk has them).
//   - `block_end`: `index`.
//   - `usage`: cumulative for the message so far (the last `usage` delta of a flow is its total):
//     `input_tokens` (uncached input), `output_tokens`, `cache_read_tokens`, `cache_write_tokens`,
//     `reasoning_tokens` (null when not reported), `model` (null when unknown), `usage` (the provider's
//     object verbatim). No `index`.
//   - `message_end`: `stop_reason` (Anthropic `stop_reason`, Responses `response.status` or the
//     incomplete reason, Chat `finish_reason`; null when none). No `index`. Exactly one per completed message.
//   - `error`: `error_type` (the error's `type`, else its `code`), `error` (the error object verbatim),
//     `text` (its message). No `index`.
//   - `user_prompt`: `index` = position of the message in the request's `messages` / `input`; `text` = its
//     text (the string content, or its text parts joined with "\n"). Only messages after the last assistant
//     turn are reported, so the history a client resends is not repeated.
//   - `tool_result`: `index` as for `user_prompt`, `call_id`, `is_error` (true/false/null), `text` (the
//     result's content as a string, text parts joined with "\n").
//
// Mapping (DESIGN §5): Anthropic `content_block_start/delta/stop`, `message_start` + `message_delta` (usage),
// `message_stop` (message_end), `error`; `ping` and `signature_delta` dropped. Responses
// `output_item.added/done` (block_start/end), `output_text.delta`, `reasoning_summary_text.delta` and
// `reasoning_text.delta`, `function_call_arguments.delta` and `custom_tool_call_input.delta`, `completed` /
// `incomplete` (usage + message_end), `failed` and `error` (error). Chat: blocks are made up in arrival order
// (a text or reasoning run is one block, each `tool_calls[].index` is one block, id and name from its first
// fragment); `delta.content`, `delta.reasoning_content` (DeepSeek, Kimi), `delta.reasoning` (Groq);
// `finish_reason` closes the blocks, `usage` (also on a chunk with empty `choices`) gives usage, `[DONE]`
// gives message_end; a chunk with an `error` key or an `event: error` gives error. Only choice 0 is decoded.
//
// State: per open flow, O(open blocks) small values; freed at message_end, at an error that ends the stream,
// and at flow_end (and all of it at finish). No I/O, no clock.
//
// Example (`sse-normalize --raw-sse examples/data/anthropic-bash.sse`, session_id and ts elided):
//   {"v":1,"type":"delta","flow_id":"raw",…,"provider":"anthropic","kind":"block_start","index":1,"block":"tool","block_type":"tool_use","tool":"Bash","call_id":"toolu_example"}
//   {"v":1,"type":"delta","flow_id":"raw",…,"provider":"anthropic","kind":"tool_args","index":1,"call_id":"toolu_example","text":"{\"comm"}
//   {"v":1,"type":"delta","flow_id":"raw",…,"provider":"anthropic","kind":"usage","input_tokens":42,"output_tokens":31,"cache_read_tokens":1000,"cache_write_tokens":0,"reasoning_tokens":null,"model":"claude-example","usage":{"output_tokens":31}}
//   {"v":1,"type":"delta","flow_id":"raw",…,"provider":"anthropic","kind":"message_end","stop_reason":"tool_use"}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The API shape of a flow (DESIGN §4 `provider`).
public enum DeltaProvider: String, Sendable, CaseIterable {
    case anthropic
    case openaiResponses = "openai-responses"
    case chat
    case unknown

    /// From a flow record's `provider` value.
    public init(name: String) {
        self = DeltaProvider(rawValue: name) ?? .unknown
    }

    /// From a request URL: `/v1/messages`, `/responses`, `/chat/completions`.
    public init(url: String) {
        if url.contains("/chat/completions") {
            self = .chat
        } else if url.contains("/responses") {
            self = .openaiResponses
        } else if url.contains("/messages") {
            self = .anthropic
        } else {
            self = .unknown
        }
    }
}

/// The record-level decoder: feed records, get pass-through lines and delta records in order.
public struct DeltaDecoder {
    /// Keep each decoded `sse`/`ws` event record in the output, in front of its deltas.
    public var keepEvents: Bool

    /// Open flows other than the current one: raw JSON of `flow_id` -> state.
    var flows: [[UInt8]: FlowState] = [:]
    /// The flow of the last event, kept out of the dictionary: events come in runs of one flow, so most
    /// records need neither hashing nor a copy of the state.
    var currentKey: [UInt8] = []
    var current: FlowState?
    /// `redis` records carrying the seed's session events (RedisSession.swift).
    var redisSessions = RedisSessionDecoder()

    /// Deltas written so far (for summaries).
    public private(set) var deltasWritten = 0

    public init(keepEvents: Bool = false) {
        self.keepEvents = keepEvents
    }

    /// Number of flows whose state is held (for tests of boundedness).
    public var openFlows: Int { flows.count + (current == nil ? 0 : 1) }

    /// Feeds one record; appends to `out` the pass-through line and/or delta records, in order.
    public mutating func feed(_ record: Record, into out: inout [UInt8]) {
        let fields = RecordFields(record)
        let json = record.json
        guard let type = fields.type else {
            out.appendLine(record.line)
            return
        }
        if json.stringEquals(type, RecordType.sse) {
            feedEventRecord(record, fields, into: &out)
        } else if json.stringEquals(type, RecordType.ws) {
            guard let direction = fields.direction else {
                out.appendLine(record.line)
                return
            }
            if json.stringEquals(direction, "server") {
                feedEventRecord(record, fields, into: &out)
            } else {
                out.appendLine(record.line)
                if json.stringEquals(direction, "client"), let data = fields.data, data.kind == .object,
                    let type = json.field("type", in: data), json.stringEquals(type, "response.create")
                {
                    emitRequestDeltas(json, body: data, provider: .openaiResponses, fields.header(json), into: &out)
                }
            }
        } else if json.stringEquals(type, RecordType.flow) {
            out.appendLine(record.line)
            feedFlowRecord(record, fields, into: &out)
        } else if json.stringEquals(type, RecordType.flowEnd) {
            if let flowSpan = fields.flowID, var state = takeState(json.raw(flowSpan)) {
                ChatDecoder.finishPending(&state, fields.header(json), into: &out, counter: &deltasWritten)
            }
            out.appendLine(record.line)
        } else if json.stringEquals(type, RecordType.redis) {
            if !redisSessions.feed(record, into: &out) { out.appendLine(record.line) }
        } else {
            out.appendLine(record.line)
        }
    }

    /// Ends the input: Chat flows that saw `finish_reason` but no `[DONE]` get their `message_end`; the rest of
    /// the state (interrupted flows) is dropped without inventing ends.
    public mutating func finish(into out: inout [UInt8]) {
        if let current { flows[currentKey] = current }
        current = nil
        for key in flows.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard var state = flows[key], let ts = state.pendingEndTimestamp else { continue }
            key.withUnsafeBytes { flowID in
                state.sessionID.withUnsafeBytes { session in
                    ts.withUnsafeBytes { tsBytes in
                        let header = DeltaHeader(flowID: flowID, sessionID: session, ts: tsBytes)
                        ChatDecoder.finishPending(&state, header, into: &out, counter: &deltasWritten)
                    }
                }
            }
        }
        flows.removeAll()
    }

    // MARK: - Flow state

    /// Removes and returns the state of a flow.
    private mutating func takeState(_ key: UnsafeRawBufferPointer) -> FlowState? {
        if current != nil, Self.same(currentKey, key) {
            defer { current = nil }
            return current
        }
        return flows.removeValue(forKey: Array(key))
    }

    /// Makes `state` the current flow's (the previous current one goes back to the dictionary).
    private mutating func putState(_ key: UnsafeRawBufferPointer, _ state: FlowState) {
        let same = Self.same(currentKey, key)
        if let previous = current, !same { flows[currentKey] = previous }
        if !same { currentKey = Array(key) }
        current = state
    }

    private static func same(_ key: [UInt8], _ other: UnsafeRawBufferPointer) -> Bool {
        key.count == other.count
            && key.withUnsafeBytes { mine in
                guard let a = mine.baseAddress, let b = other.baseAddress else { return mine.count == 0 }
                return memcmp(a, b, mine.count) == 0
            }
    }

    // MARK: - Records

    private mutating func feedFlowRecord(_ record: Record, _ fields: RecordFields, into out: inout [UInt8]) {
        let json = record.json
        guard let flowSpan = fields.flowID else { return }
        var provider = DeltaProvider.unknown
        if let name = fields.provider.flatMap({ json.string($0) }) { provider = DeltaProvider(name: name) }
        if provider == .unknown, let url = record.string("url") { provider = DeltaProvider(url: url) }
        var state = FlowState(provider: provider)
        if let session = fields.sessionID { state.sessionID = Array(json.raw(session)) }
        _ = takeState(json.raw(flowSpan))  // a new exchange with the same id starts afresh
        putState(json.raw(flowSpan), state)
        guard let body = record.lookup("request", "body") else { return }
        let header = fields.header(json)
        switch body.kind {
        case .object:
            emitRequestDeltas(json, body: body, provider: provider, header, into: &out)
        case .string:
            // A body stored as text: decode it and look inside when it is a JSON object.
            var text: [UInt8] = []
            guard json.decodeString(body, into: &text), JSONScanner.isValid(text) else { return }
            text.withUnsafeBytes { raw in
                let inner = JSONScanner(raw)
                guard let root = inner.root(), root.kind == .object else { return }
                emitRequestDeltas(inner, body: root, provider: provider, header, into: &out)
            }
        default:
            return
        }
    }

    private mutating func feedEventRecord(_ record: Record, _ fields: RecordFields, into out: inout [UInt8]) {
        let json = record.json
        guard fields.flowID != nil, let dataSpan = fields.data else {
            out.appendLine(record.line)
            return
        }
        let eventIsError = fields.event.map { json.stringEquals($0, "error") } ?? false
        let handled: Bool
        switch dataSpan.kind {
        case .object:
            handled = decodeEvent(json, data: dataSpan, isDone: false, eventIsError: eventIsError, record, fields, &out)
        case .string:
            if json.stringEquals(dataSpan, "[DONE]") {
                handled = decodeEvent(json, data: nil, isDone: true, eventIsError: eventIsError, record, fields, &out)
            } else {
                // Data kept as a string that holds JSON (a capture that did not parse it).
                var text: [UInt8] = []
                if json.decodeString(dataSpan, into: &text), JSONScanner.isValid(text) {
                    handled = text.withUnsafeBytes { raw in
                        let inner = JSONScanner(raw)
                        guard let root = inner.root(), root.kind == .object else { return false }
                        return decodeEvent(
                            inner,
                            data: root,
                            isDone: false,
                            eventIsError: eventIsError,
                            record,
                            fields,
                            &out
                        )
                    }
                } else {
                    handled = false
                }
            }
        default:
            handled = false
        }
        if !handled { out.appendLine(record.line) }
    }

    /// Decodes one event of a record; false when the event is not handled (its record then passes through).
    private mutating func decodeEvent(
        _ json: JSONScanner,
        data: JSONSpan?,
        isDone: Bool,
        eventIsError: Bool,
        _ record: Record,
        _ fields: RecordFields,
        _ out: inout [UInt8]
    ) -> Bool {
        guard let flowSpan = fields.flowID else { return false }
        let key = record.json.raw(flowSpan)
        let event = EventInput(json: json, data: data, isDone: isDone, eventIsError: eventIsError)
        var state = takeState(key) ?? FlowState(provider: .unknown)
        if state.provider == .unknown {
            state.provider = event.detectProvider()
            if let session = fields.sessionID { state.sessionID = Array(record.json.raw(session)) }
            guard state.provider != .unknown else {
                putState(key, state)
                return false
            }
        }
        if keepEvents { out.appendLine(record.line) }
        let ended = Self.decode(event, &state, fields.header(record.json), into: &out, counter: &deltasWritten)
        if !ended { putState(key, state) }
        return true
    }

    /// Decodes one event of a known provider; true when the message ended (state can be freed).
    static func decode(
        _ event: EventInput,
        _ state: inout FlowState,
        _ header: DeltaHeader,
        into out: inout [UInt8],
        counter: inout Int
    ) -> Bool {
        var emitter = DeltaEmitter(header: header, provider: state.provider)
        defer { counter += emitter.written }
        switch state.provider {
        case .anthropic: return AnthropicDecoder.decode(event, &state, &emitter, into: &out)
        case .openaiResponses: return ResponsesDecoder.decode(event, &state, &emitter, into: &out)
        case .chat: return ChatDecoder.decode(event, &state, &emitter, into: &out)
        case .unknown: return false
        }
    }

    private mutating func emitRequestDeltas(
        _ json: JSONScanner,
        body: JSONSpan,
        provider: DeltaProvider,
        _ header: DeltaHeader,
        into out: inout [UInt8]
    ) {
        let provider = provider == .unknown ? RequestDecoder.guessProvider(json, body: body) : provider
        var emitter = DeltaEmitter(header: header, provider: provider)
        RequestDecoder.emit(json, body: body, &emitter, into: &out)
        deltasWritten += emitter.written
    }
}

/// The top-level fields a decoder reads, found in one pass over the record (each `field` lookup would walk
/// the object from its start again).
struct RecordFields {
    var type: JSONSpan?
    var flowID: JSONSpan?
    var sessionID: JSONSpan?
    var ts: JSONSpan?
    var event: JSONSpan?
    var data: JSONSpan?
    var direction: JSONSpan?
    var provider: JSONSpan?

    init(_ record: Record) {
        let json = record.json
        json.forEachMember(of: record.root) { key, value in
            // Keys are compared by length first: most members are not wanted.
            switch key.count - 2 {
            case 2: if json.stringEquals(key, "ts") { ts = ts ?? value }
            case 4:
                if json.stringEquals(key, "type") {
                    type = type ?? (value.kind == .string ? value : nil)
                } else if json.stringEquals(key, "data") {
                    data = data ?? value
                }
            case 5: if json.stringEquals(key, "event") { event = event ?? value }
            case 7: if json.stringEquals(key, "flow_id") { flowID = flowID ?? value }
            case 8: if json.stringEquals(key, "provider") { provider = provider ?? value }
            case 9: if json.stringEquals(key, "direction") { direction = direction ?? value }
            case 10: if json.stringEquals(key, "session_id") { sessionID = sessionID ?? value }
            default: break
            }
            return true
        }
    }

    /// The delta header: `flow_id`, `session_id`, `ts` as raw JSON (null when absent).
    func header(_ json: JSONScanner) -> DeltaHeader {
        DeltaHeader(
            flowID: flowID.map { json.raw($0) } ?? DeltaHeader.null,
            sessionID: sessionID.map { json.raw($0) } ?? DeltaHeader.null,
            ts: ts.map { json.raw($0) } ?? DeltaHeader.null
        )
    }
}

// MARK: - Shared pieces of the provider decoders

/// One provider event: the data object (or nil for `[DONE]` / non-JSON) in its scanner.
struct EventInput {
    let json: JSONScanner
    let data: JSONSpan?
    let isDone: Bool
    let eventIsError: Bool

    func field(_ key: String) -> JSONSpan? {
        guard let data else { return nil }
        return json.field(key, in: data)
    }

    func lookup(_ path: String...) -> JSONSpan? {
        guard var span = data else { return nil }
        for key in path {
            guard let next = json.field(key, in: span) else { return nil }
            span = next
        }
        return span
    }

    /// The data's `type` as a string (allocation-free comparisons are used on the hot path instead when possible).
    var type: String? { field("type").flatMap { json.string($0) } }

    /// The provider an event's shape belongs to (README of the anchors: `message_*`/`content_block_*`/`ping`
    /// → anthropic, `response.*` → Responses, `chat.completion.chunk` / `choices` / `[DONE]` → chat).
    func detectProvider() -> DeltaProvider {
        if isDone { return .chat }
        guard data != nil else { return .unknown }
        if let type {
            if type.hasPrefix("response.") { return .openaiResponses }
            switch type {
            case "message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta",
                "content_block_stop", "ping":
                return .anthropic
            case "error":
                return field("error") != nil ? .anthropic : .openaiResponses
            default: break
            }
        }
        if let object = field("object"), json.stringEquals(object, "chat.completion.chunk") { return .chat }
        if field("choices") != nil { return .chat }
        if eventIsError || field("error") != nil { return .chat }
        return .unknown
    }
}

/// Raw JSON of the three header fields of every delta, valid for one call.
struct DeltaHeader {
    /// `null`, in static storage (so it outlives any call).
    nonisolated(unsafe) static let null: UnsafeRawBufferPointer = {
        let text: StaticString = "null"
        return UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }()
    let flowID: UnsafeRawBufferPointer
    let sessionID: UnsafeRawBufferPointer
    let ts: UnsafeRawBufferPointer

    init(flowID: UnsafeRawBufferPointer, sessionID: UnsafeRawBufferPointer, ts: UnsafeRawBufferPointer) {
        self.flowID = flowID
        self.sessionID = sessionID.isEmpty ? Self.null : sessionID
        self.ts = ts.isEmpty ? Self.null : ts
    }
}

/// Writes delta records with the common header.
struct DeltaEmitter {
    let header: DeltaHeader
    let provider: DeltaProvider
    private(set) var written = 0

    init(header: DeltaHeader, provider: DeltaProvider) {
        self.header = header
        self.provider = provider
    }

    /// Writes one delta: the header, `index` when given, then `body` adds the kind's fields.
    mutating func emit(
        _ kind: String,
        index: Int? = nil,
        into out: inout [UInt8],
        _ body: (inout JSONWriter) -> Void = { _ in }
    ) {
        written += 1
        // The header is the same shape on every delta: written as bytes, without the writer's per-key escaping
        // (keys, provider names and kinds are plain ASCII).
        out.append(contentsOf: Self.prefix)
        out.append(contentsOf: header.flowID)
        out.append(contentsOf: Self.sessionKey)
        out.append(contentsOf: header.sessionID)
        out.append(contentsOf: Self.tsKey)
        out.append(contentsOf: header.ts)
        out.append(contentsOf: Self.providerKey)
        out.append(contentsOf: provider.rawValue.utf8)
        out.append(contentsOf: Self.kindKey)
        out.append(contentsOf: kind.utf8)
        out.append(0x22)
        if let index {
            out.append(contentsOf: Self.indexKey)
            Self.appendDecimal(index, to: &out)
        }
        JSONWriter.append(to: &out) { w in body(&w) }
        out.append(contentsOf: Self.end)
    }

    private static let prefix: [UInt8] = Array(#"{"v":1,"type":"delta","flow_id":"#.utf8)
    private static let sessionKey: [UInt8] = Array(#","session_id":"#.utf8)
    private static let tsKey: [UInt8] = Array(#","ts":"#.utf8)
    private static let providerKey: [UInt8] = Array(#","provider":""#.utf8)
    private static let kindKey: [UInt8] = Array(#"","kind":""#.utf8)
    private static let indexKey: [UInt8] = Array(#","index":"#.utf8)
    private static let end: [UInt8] = [0x7D, 0x0A]  // "}\n"

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(0x30 + UInt8(value))
        } else {
            out.append(contentsOf: String(value).utf8)
        }
    }

    /// A fragment delta (`text`, `reasoning`, `tool_args`) whose text is a JSON string span spliced verbatim.
    mutating func fragment(
        _ kind: String,
        index: Int,
        text: JSONSpan,
        in json: JSONScanner,
        callID: [UInt8]? = nil,
        into out: inout [UInt8]
    ) {
        emit(kind, index: index, into: &out) { w in
            if let callID {
                w.key("call_id")
                w.raw(callID)
            }
            w.field("text", raw: json.raw(text))
        }
    }
}

/// A block that has started and not ended.
struct OpenBlock {
    var index: Int
    /// Raw JSON of the tool call id (tool blocks), for `tool_args` deltas.
    var callID: [UInt8]?
}

/// Token counts accumulated over a message (anchors' definition: `input` is the uncached input).
struct UsageTotals {
    var input: Int64 = 0
    var output: Int64 = 0
    var cacheRead: Int64 = 0
    var cacheWrite: Int64 = 0
    var reasoning: Int64?
}

/// What is kept per open flow.
struct FlowState {
    var provider: DeltaProvider
    var sessionID: [UInt8] = []
    var openBlocks: [OpenBlock] = []
    /// Raw JSON of the stop reason seen so far.
    var stopReason: [UInt8]?
    /// Raw JSON of the model (Anthropic `message_start`).
    var model: [UInt8]?
    var usage: UsageTotals?
    // Chat: blocks are made up by the decoder.
    var nextBlock = 0
    /// The open text or reasoning block (Chat).
    var chatRun: (reasoning: Bool, index: Int)?
    /// Tool call `index` -> block index (Chat).
    var chatTools: [(toolIndex: Int64, block: Int)] = []
    /// Chat saw `finish_reason`: `message_end` is due at `[DONE]` (or at flow_end / end of input).
    var pendingEndTimestamp: [UInt8]?

    init(provider: DeltaProvider) {
        self.provider = provider
    }

    func callID(ofBlock index: Int) -> [UInt8]? {
        openBlocks.first { $0.index == index }?.callID
    }

    mutating func closeBlock(_ index: Int) -> Bool {
        guard let position = openBlocks.firstIndex(where: { $0.index == index }) else { return false }
        openBlocks.remove(at: position)
        return true
    }
}

extension JSONScanner {
    /// An integer field of an object, or nil.
    func intField(_ key: String, in object: JSONSpan?) -> Int64? {
        guard let object, let span = field(key, in: object) else { return nil }
        return int(span)
    }

    /// A string field's span (nil when absent or not a string).
    func stringField(_ key: String, in object: JSONSpan?) -> JSONSpan? {
        guard let object, let span = field(key, in: object), span.kind == .string else { return nil }
        return span
    }
}

extension JSONWriter {
    /// `"key":<raw>` or `"key":null`.
    mutating func field(_ name: String, rawOrNull value: [UInt8]?) {
        key(name)
        if let value { raw(value) } else { null() }
    }

    mutating func field(_ name: String, intOrNull value: Int64?) {
        key(name)
        if let value { int(value) } else { null() }
    }
}
