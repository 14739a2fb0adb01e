/*
 RedisSessionDecoder: `redis` records that carry an agent session event (the seed's Claude Code stream:
 user prompt, tool result, content block delta, turn end) → `delta` records, for DeltaDecoder to call on
 every `redis` record it meets (a record it does not handle passes through).

 Input: a `redis` record as redis-dump writes it for a foreign entry (docs/FORMAT.md §5):
   {"v":1,"type":"redis","stream":"agents:cc","id":"1732648516123-0","ts":"…","fields":{…}}
 `fields` holds:
 - the kind, under `type`, `event` or `kind` (the first present); compared case-insensitively with `-`, `.`
   and spaces read as `_`;
 - the payload, under `data` or `payload`: a string holding JSON (escapes and all), or plain text;
 - optionally `session_id` (else the payload's `session_id`) and `flow_id`.

 Kinds and the deltas they become (provider `anthropic`; flow_id = `flow_id`, else `session_id`, else the
 stream; ts = the record's ts, i.e. the entry id's time):
 - `user_prompt` (also `prompt`, `user_message`, `userpromptsubmit`): `user_prompt`, index 0, text = the
   payload's `prompt` / `text` / `content` / `message` (a string, or text parts joined with "\n"), or the
   payload itself when it is a JSON string or not JSON.
 - `tool_result` (also `tool_output`, `posttooluse`): `tool_result`, index 0, `call_id` (payload
   `tool_use_id` / `call_id` / `id`), `is_error` (payload `is_error`, else null), text = payload `content` /
   `output` / `result` / `text`.
 - `content_block_delta`, `content_block_start`, `content_block_stop`, `message_start`, `message_delta`,
   `message_stop`, `error`: the payload is the Anthropic event (its `type` may be left out: the kind gives
   it) and is decoded by the same Anthropic decoder as `sse` records: `text` / `reasoning` / `tool_args`
   (spliced verbatim), `block_start`, `block_end`, `usage`, `message_end`, `error`.
 - `turn_end` (also `end_turn`, `message_end`, `stop`, `turn_complete`): `message_end` with `stop_reason`
   (payload `stop_reason`, else the one a `message_delta` gave, else null); the session's state is freed.
 Any other kind, or a `redis` record without these fields, is not handled (false).

 State: per session, the Anthropic decoder's FlowState (open blocks, stop reason, usage), freed at turn end.
 No I/O, no clock.
*/

/// Decodes the session events carried by `redis` records into delta records.
public struct RedisSessionDecoder {
    /// Per session (raw JSON of its flow key): the Anthropic decoder's state.
    var sessions: [[UInt8]: FlowState] = [:]
    /// Deltas written so far.
    public private(set) var deltasWritten = 0

    public init() {}

    /// Number of sessions whose state is held (for tests of boundedness).
    public var openSessions: Int { sessions.count }

    /// The session event kinds this decoder understands, by what they become.
    enum Kind {
        case userPrompt, toolResult
        case anthropicEvent(String)
        case turnEnd

        init?(_ name: String) {
            var key = ""
            for scalar in name.lowercased().unicodeScalars {
                key.unicodeScalars.append(scalar == "-" || scalar == "." || scalar == " " ? "_" : scalar)
            }
            switch key {
            case "user_prompt", "prompt", "user_message", "userpromptsubmit": self = .userPrompt
            case "tool_result", "tool_output", "posttooluse": self = .toolResult
            case "content_block_delta", "content_block_start", "content_block_stop", "message_start",
                "message_delta", "message_stop", "error":
                self = .anthropicEvent(key)
            case "turn_end", "end_turn", "message_end", "stop", "turn_complete": self = .turnEnd
            default: return nil
            }
        }
    }

    /// Feeds one record; when it is a `redis` record holding a session event, appends its deltas to `out` and
    /// returns true. Otherwise appends nothing and returns false (the caller passes the record through).
    public mutating func feed(_ record: Record, into out: inout [UInt8]) -> Bool {
        guard record.isType(RecordType.redis), let fields = record.field("fields"), fields.kind == .object else {
            return false
        }
        let json = record.json
        let kindSpan =
            json.stringField("type", in: fields) ?? json.stringField("event", in: fields)
            ?? json.stringField("kind", in: fields)
        guard let kindName = kindSpan.flatMap({ json.string($0) }), let kind = Kind(kindName) else { return false }
        // The payload string, decoded: JSON text (usually) or plain text.
        var payload: [UInt8] = []
        if let span = json.stringField("data", in: fields) ?? json.stringField("payload", in: fields) {
            guard json.decodeString(span, into: &payload) else { return false }
        }
        let outerSession = json.stringField("session_id", in: fields).map { json.rawArray($0) }
        let flowField = json.stringField("flow_id", in: fields).map { json.rawArray($0) }
        let stream = record.field("stream").map { json.rawArray($0) }
        let ts = record.field("ts").map { json.rawArray($0) } ?? []

        return payload.withUnsafeBytes { raw -> Bool in
            let inner = JSONScanner(raw)
            let root = JSONScanner.isValid(raw) ? inner.root() : nil
            let innerSession = root.flatMap { $0.kind == .object ? inner.stringField("session_id", in: $0) : nil }
                .map { inner.rawArray($0) }
            let session = outerSession ?? innerSession
            guard let flowKey = flowField ?? session ?? stream else { return false }
            let sessionRaw = session ?? []
            return flowKey.withUnsafeBytes { flowBytes in
                sessionRaw.withUnsafeBytes { sessionBytes in
                    ts.withUnsafeBytes { tsBytes in
                        let header = DeltaHeader(flowID: flowBytes, sessionID: sessionBytes, ts: tsBytes)
                        return decode(
                            kind,
                            payload: raw,
                            inner: inner,
                            root: root,
                            flowKey: flowKey,
                            header: header,
                            into: &out
                        )
                    }
                }
            }
        }
    }

    private mutating func decode(
        _ kind: Kind,
        payload: UnsafeRawBufferPointer,
        inner: JSONScanner,
        root: JSONSpan?,
        flowKey: [UInt8],
        header: DeltaHeader,
        into out: inout [UInt8]
    ) -> Bool {
        var emitter = DeltaEmitter(header: header, provider: .anthropic)
        defer { deltasWritten += emitter.written }
        let object = root.flatMap { $0.kind == .object ? $0 : nil }
        switch kind {
        case .userPrompt:
            emitter.emit("user_prompt", index: 0, into: &out) { w in
                w.key("text")
                Self.writeText(
                    of: object,
                    keys: ["prompt", "text", "content", "message"],
                    root: root,
                    payload: payload,
                    in: inner,
                    to: &w
                )
            }
        case .toolResult:
            emitter.emit("tool_result", index: 0, into: &out) { w in
                let callID = ["tool_use_id", "call_id", "id"].lazy.compactMap { inner.stringField($0, in: object) }
                    .first
                w.key("call_id")
                if let callID { w.raw(inner.raw(callID)) } else { w.null() }
                w.key("is_error")
                if let isError = object.flatMap({ inner.field("is_error", in: $0) }),
                    isError.kind == .true
                        || isError.kind == .false
                {
                    w.raw(inner.raw(isError))
                } else {
                    w.null()
                }
                w.key("text")
                Self.writeText(
                    of: object,
                    keys: ["content", "output", "result", "text"],
                    root: root,
                    payload: payload,
                    in: inner,
                    to: &w
                )
            }
        case .anthropicEvent(let type):
            guard let object else { return false }
            var state = sessions[flowKey] ?? FlowState(provider: .anthropic)
            let ended: Bool
            if inner.field("type", in: object) != nil {
                ended = AnthropicDecoder.decode(
                    EventInput(json: inner, data: object, isDone: false, eventIsError: false),
                    &state,
                    &emitter,
                    into: &out
                )
            } else {
                // The kind names the event; give the payload its `type` so the decoder can read it.
                var typed = Array("{\"type\":\"\(type)\"".utf8)
                var hasMembers = false
                inner.forEachMember(of: object) { _, _ in
                    hasMembers = true
                    return false
                }
                if hasMembers {
                    typed.append(UInt8(ascii: ","))
                    typed.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[(object.start + 1)..<object.end]))
                } else {
                    typed.append(UInt8(ascii: "}"))
                }
                ended = typed.withUnsafeBytes { bytes in
                    let scanner = JSONScanner(bytes)
                    guard let typedRoot = scanner.root() else { return false }
                    return AnthropicDecoder.decode(
                        EventInput(json: scanner, data: typedRoot, isDone: false, eventIsError: false),
                        &state,
                        &emitter,
                        into: &out
                    )
                }
            }
            if ended { sessions.removeValue(forKey: flowKey) } else { sessions[flowKey] = state }
        case .turnEnd:
            let state = sessions.removeValue(forKey: flowKey)
            emitter.emit("message_end", into: &out) { w in
                if let reason = inner.field("stop_reason", in: object ?? JSONSpan.none), reason.kind != .null {
                    w.field("stop_reason", raw: inner.raw(reason))
                } else {
                    w.field("stop_reason", rawOrNull: state?.stopReason)
                }
            }
        }
        return true
    }

    /// Writes the text of a prompt or result as a JSON string: the first of `keys` in the payload object (a
    /// string spliced verbatim, text parts joined with "\n", other JSON as its text), else the payload itself.
    private static func writeText(
        of object: JSONSpan?,
        keys: [String],
        root: JSONSpan?,
        payload: UnsafeRawBufferPointer,
        in json: JSONScanner,
        to w: inout JSONWriter
    ) {
        if let object, let value = keys.lazy.compactMap({ json.field($0, in: object) }).first {
            switch value.kind {
            case .string:
                w.raw(json.raw(value))
            case .array:
                var joined: [UInt8] = []
                var first = true
                json.forEachElement(of: value) { part in
                    let text = part.kind == .string ? part : json.stringField("text", in: part)
                    if let text, text.kind == .string {
                        if !first { joined.append(0x0A) }
                        first = false
                        _ = json.decodeString(text, into: &joined)
                    }
                    return true
                }
                w.string(utf8: joined)
            default:
                w.string(utf8: json.raw(value))
            }
        } else if let root, root.kind == .string {
            w.raw(json.raw(root))
        } else {
            w.string(utf8: payload)
        }
    }
}
