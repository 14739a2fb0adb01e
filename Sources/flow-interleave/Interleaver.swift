// flow-interleave's whole state machine: records in (with the time they count for), screen
// bytes out. It reads `flow`, `delta` (DESIGN §5) and `flow_end` records, and `redis` records
// that wrap one of those; it hands every record to the codec's DeltaDecoder too, which turns
// `sse`/`ws` events into deltas. No I/O and no clock: `now` comes with each call (the record's
// own `ts` under `--clock recorded`, the wall clock otherwise).
//
// Records that belong to no flow pass through at once (ndjson) or are not shown (text).

import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct Interleaver {
    private(set) var screen: ScreenController
    private var renderer: CardRenderer
    private let ndjson: Bool
    private var actions: [ScreenAction] = []
    /// The codec's provider decoders (sse/ws events to deltas), and its output scratch.
    private var decoder = DeltaDecoder()
    private var decoded: [UInt8] = []
    private var lastFlowID: (raw: [UInt8], id: String)?
    /// Tool events from telemetry whose session had no flow (named at the end of the transcript).
    private(set) var unmatched = UnmatchedTelemetry()

    init(policy: ScreenPolicy, render: RenderOptions) {
        screen = ScreenController(policy: policy)
        renderer = CardRenderer(options: render)
        ndjson = render.ndjson
        actions.reserveCapacity(64)
    }

    /// One input record. `now`: the time it counts for (nil under `--clock recorded` when the
    /// record has no `ts`: the controller's clock stays).
    mutating func feed(_ record: Record, now given: Timestamp?, into out: inout [UInt8]) {
        feed(record, head: RecordHead(record), now: given, into: &out)
    }

    /// As `feed(_:now:into:)`, with the record's head fields already found (one walk).
    mutating func feed(_ record: Record, head: RecordHead, now given: Timestamp?, into out: inout [UInt8]) {
        let now = given ?? screen.clock
        guard let typeSpan = head.type, typeSpan.kind == .string else {
            passThrough(record.line, now: now, into: &out)
            return
        }
        let json = record.json
        if json.stringEquals(typeSpan, RecordType.delta) {
            feedDelta(record, head: head, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.flow) {
            feedFlow(record, head: head, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.flowEnd) {
            feedFlowEnd(record, head: head, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.sse) {
            feedEvent(record, head: head, webSocket: false, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.ws) {
            feedEvent(record, head: head, webSocket: true, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.redis), let inner = Self.unwrapRedis(record) {
            inner.withUnsafeBytes { bytes in
                if let unwrapped = Record(line: bytes) {
                    // Under the recorded clock the wrapped record's own ts counts.
                    feed(unwrapped, now: given ?? unwrapped.timestamp, into: &out)
                } else {
                    passThrough(record.line, now: now, into: &out)
                }
            }
        } else if json.stringEquals(typeSpan, RecordType.redis) {
            feedRedisSessionEvent(record, now: now, into: &out)
        } else if let event = ToolTelemetry(record, type: typeSpan) {
            feedTelemetry(event, record: record, now: now, into: &out)
        } else {
            passThrough(record.line, now: now, into: &out)
        }
    }

    /// A line that is not a record (ndjson: passes through; text: not shown).
    mutating func passThrough(_ line: UnsafeRawBufferPointer, now: Timestamp?, into out: inout [UInt8]) {
        if let now { tick(now: now, into: &out) }
        if ndjson { out.appendLine(line) }
    }

    /// Time passes with no record.
    mutating func tick(now: Timestamp, into out: inout [UInt8]) {
        screen.advance(to: now, out: &actions)
        flushActions(into: &out)
    }

    mutating func finish(into out: inout [UInt8]) {
        // Chat flows that ended with finish_reason but no [DONE] get their message_end now.
        decoded.removeAll(keepingCapacity: true)
        decoder.finish(into: &decoded)
        applyDecoded(flowID: nil)
        screen.finish(out: &actions)
        flushActions(into: &out)
        // Telemetry that found no card is named, not dropped (ndjson passed it through as it came).
        if !ndjson, let line = unmatched.line { out.append(contentsOf: (line + "\n").utf8) }
    }

    /// A tool decision or result from telemetry: on the card of its session's flow
    /// (ScreenController.flow(ofSession:)); without one it passes through and is counted.
    private mutating func feedTelemetry(_ event: ToolTelemetry, record: Record, now: Timestamp, into out: inout [UInt8])
    {
        if let session = event.sessionID, let flowID = screen.flow(ofSession: session) {
            let item: CardItem =
                ndjson ? .record(ToolTelemetry.joined(record.line, flowID: flowID)) : .telemetry(event.line)
            if screen.annotate(flowID, item, now: now, out: &actions) {
                flushActions(into: &out)
                return
            }
        }
        unmatched.count(session: event.sessionID)
        passThrough(record.line, now: now, into: &out)
    }

    private mutating func flushActions(into out: inout [UInt8]) {
        guard !actions.isEmpty else { return }
        renderer.render(actions, into: &out)
        actions.removeAll(keepingCapacity: true)
    }

    // MARK: - Records

    private func recordItem(_ record: Record) -> CardItem? {
        ndjson ? .record(Array(record.line)) : nil
    }

    /// Starts or finds the card of the record's flow. False: no flow id, or a late record of an
    /// evicted flow (then it has been passed through).
    private mutating func card(
        for record: Record,
        head: RecordHead,
        now: Timestamp,
        revive: Bool,
        into out: inout [UInt8]
    ) -> String? {
        guard let flowID = flowID(of: record, span: head.flowID) else {
            passThrough(record.line, now: now, into: &out)
            return nil
        }
        let live = screen.touch(
            flowID,
            info: {
                CardInfo(
                    flowID: flowID,
                    sessionID: record.sessionID ?? "-",
                    provider: record.string("provider") ?? "unknown",
                    model: nil,
                    startedAt: now
                )
            },
            now: now,
            revive: revive,
            out: &actions
        )
        guard live else {
            // A late record of a finished, evicted card: tagged with how it ended.
            flushActions(into: &out)
            if ndjson { CardRenderer.tagged(Array(record.line), state: screen.state(of: flowID) ?? .done, into: &out) }
            return nil
        }
        return flowID
    }

    /// The record's flow id; consecutive records of one flow reuse the decoded string.
    private mutating func flowID(of record: Record, span: JSONSpan?) -> String? {
        guard let span, span.kind == .string else { return nil }
        let raw = record.json.raw(span)
        if let last = lastFlowID, Self.same(last.raw, raw) { return last.id }
        guard let id = record.json.string(span) else { return nil }
        lastFlowID = (Array(raw), id)
        return id
    }

    private mutating func feedFlow(_ record: Record, head: RecordHead, now: Timestamp, into out: inout [UInt8]) {
        guard let flowID = card(for: record, head: head, now: now, revive: true, into: &out) else { return }
        let json = record.json
        registerWithDecoder(record)
        // request.body without skipping the body (it is most of the record).
        let forward = ForwardJSON(bytes: record.line)
        let body = forward.valueStart(of: ["request"], inObjectAt: record.root.start)
            .flatMap { forward.valueStart(of: ["body"], inObjectAt: $0) }.flatMap { forward.openSpan(at: $0) }
        let model = body.flatMap { forward.valueStart(of: ["model"], inObjectAt: $0.start) }
            .flatMap { forward.openSpan(at: $0) }.flatMap { json.string($0) }
        let provider = record.string("provider")
        screen.update(flowID) { info in
            if let model { info.model = model }
            if let provider { info.provider = provider }
            if let session = record.sessionID { info.sessionID = session }
            info.promptFromFlow = true
        }
        if let item = recordItem(record) { screen.add(flowID, item, out: &actions) }
        if let body, body.kind == .object { addPrompt(json, body: body, to: flowID) }
        if let status = record.field("status").flatMap({ json.int($0) }), status >= 400 {
            screen.end(flowID, state: .dead, reason: "HTTP \(status)", out: &actions)
        }
        flushActions(into: &out)
    }

    /// The decoder learns the flow's provider from a copy of the flow record without its
    /// request: the decoder's request deltas are not used (the prompt is taken here, as
    /// extract-prompts defines it, synthetic parts left out), and skipping a body of tens of
    /// kilobytes twice would cost more than the rest of the record.
    private mutating func registerWithDecoder(_ record: Record) {
        var header: [UInt8] = []
        header.reserveCapacity(256)
        JSONWriter.append(to: &header) { w in
            w.beginObject()
            w.field("v", 1)
            w.field("type", RecordType.flow)
            for key in ["flow_id", "session_id", "ts", "provider", "url"] {
                if let span = record.field(key) { w.field(key, raw: record.json.raw(span)) }
            }
            w.endObject()
        }
        decoded.removeAll(keepingCapacity: true)
        header.withUnsafeBytes { bytes in
            if let flow = Record(line: bytes, validate: false) { decoder.feed(flow, into: &decoded) }
        }
    }

    private mutating func addPrompt(_ json: JSONScanner, body: JSONSpan, to flowID: String) {
        guard !ndjson else { return }
        switch RequestPrompt.last(in: json, body: body) {
        case .prompt(let text): screen.add(flowID, .content(role: .user, index: -1, text: text), out: &actions)
        case .toolResults(let count):
            let text = count == 1 ? "1 tool result" : "\(count) tool results"
            screen.add(flowID, .content(role: .toolResult, index: -1, text: text), out: &actions)
        case .none: break
        }
    }

    private mutating func feedFlowEnd(_ record: Record, head: RecordHead, now: Timestamp, into out: inout [UInt8]) {
        guard let flowID = card(for: record, head: head, now: now, revive: false, into: &out) else {
            decoded.removeAll(keepingCapacity: true)
            decoder.feed(record, into: &decoded)  // frees the decoder's state of the flow
            return
        }
        // A Chat stream that ended without [DONE] gets its message_end from the decoder here.
        let ending = decode(record, flowID: flowID)
        let status = record.string("status") ?? "complete"
        if let ending, status == "complete" {
            screen.end(flowID, state: ending.state, reason: ending.reason, with: recordItem(record), out: &actions)
        } else {
            screen.end(
                flowID,
                state: status == "complete" ? .done : .dead,
                reason: status,
                with: recordItem(record),
                out: &actions
            )
        }
        flushActions(into: &out)
    }

    /// `sse` / `ws` events: activity of their flow; the deltas the decoder makes of them are the
    /// content (text) and the state changes (message_end, error).
    private mutating func feedEvent(
        _ record: Record,
        head: RecordHead,
        webSocket: Bool,
        now: Timestamp,
        into out: inout [UInt8]
    ) {
        guard let flowID = card(for: record, head: head, now: now, revive: false, into: &out) else {
            decoded.removeAll(keepingCapacity: true)
            decoder.feed(record, into: &decoded)
            return
        }
        let json = record.json
        if webSocket, let direction = record.field("direction"), json.stringEquals(direction, "client"),
            let data = record.field("data"), data.kind == .object
        {
            // Codex over WebSocket sends its request body as the first client frame.
            if let type = json.field("type", in: data), json.stringEquals(type, "response.create") {
                let model = json.field("model", in: data).flatMap { json.string($0) }
                screen.update(flowID) { info in
                    if let model { info.model = model }
                    info.promptFromFlow = true
                }
                addPrompt(json, body: data, to: flowID)
            }
        }
        if let ending = decode(record, flowID: flowID) {
            screen.end(flowID, state: ending.state, reason: ending.reason, with: recordItem(record), out: &actions)
        } else if let item = recordItem(record) {
            screen.add(flowID, item, out: &actions)
        }
        flushActions(into: &out)
    }

    /// A `redis` record holding one of the seed's session events (user prompt, content block
    /// delta, tool result, turn end): the codec decodes it to deltas, which drive the cards as
    /// delta records do. An entry the codec does not know passes through.
    private mutating func feedRedisSessionEvent(_ record: Record, now: Timestamp, into out: inout [UInt8]) {
        decoded.removeAll(keepingCapacity: true)
        decoder.feed(record, into: &decoded)
        let produced = decoded
        var handled = false
        produced.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                guard let delta = Record(line: line, validate: false), delta.isType(RecordType.delta) else { continue }
                handled = true
                feedDelta(delta, head: RecordHead(delta), now: now, into: &out)
            }
        }
        if !handled { passThrough(record.line, now: now, into: &out) }
    }

    /// Runs the codec's decoder on a record and applies the deltas it makes; returns how the
    /// flow ended when one of them ends it.
    private mutating func decode(_ record: Record, flowID: String) -> (state: CardState, reason: String?)? {
        decoded.removeAll(keepingCapacity: true)
        decoder.feed(record, into: &decoded)
        return applyDecoded(flowID: flowID)
    }

    /// Applies the delta records in `decoded` to `flowID`'s card (nil: each to its own flow's
    /// card, ending it when a delta ends it). Returns how `flowID`'s flow ended, if it did.
    @discardableResult
    private mutating func applyDecoded(flowID: String?) -> (state: CardState, reason: String?)? {
        let produced = decoded
        var ending: (state: CardState, reason: String?)?
        produced.withUnsafeBytes { bytes in
            var start = 0
            guard let base = bytes.baseAddress else { return }
            while start < bytes.count {
                let end =
                    memchr(base + start, 0x0A, bytes.count - start).map { base.distance(to: UnsafeRawPointer($0)) }
                    ?? bytes.count
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                // The decoder's own output: valid JSON, no need to validate again.
                guard let delta = Record(line: line, validate: false), Self.isDelta(delta) else { continue }
                if let flowID {
                    if let e = apply(delta, to: flowID, requestDeltas: false) { ending = e }
                } else if let id = delta.flowID, screen.cards[id] != nil,
                    let e = apply(delta, to: id, requestDeltas: false)
                {
                    screen.end(id, state: e.state, reason: e.reason, out: &actions)
                }
            }
        }
        return ending
    }

    private mutating func feedDelta(_ record: Record, head: RecordHead, now: Timestamp, into out: inout [UInt8]) {
        guard let kindSpan = record.field("kind") else {
            passThrough(record.line, now: now, into: &out)
            return
        }
        let json = record.json
        let hasContent = !json.stringEquals(kindSpan, "message_end") && !json.stringEquals(kindSpan, "block_end")
        guard let flowID = card(for: record, head: head, now: now, revive: hasContent, into: &out) else { return }
        let fromFlow = screen.cards[flowID]?.info.promptFromFlow ?? false
        if let ending = apply(record, to: flowID, requestDeltas: !fromFlow) {
            screen.end(flowID, state: ending.state, reason: ending.reason, with: recordItem(record), out: &actions)
        } else if let item = recordItem(record) {
            screen.add(flowID, item, out: &actions)
        }
        flushActions(into: &out)
    }

    /// One delta: content for the transcript (text mode), facts for the header, or the end of
    /// the flow (returned; the caller ends the card with the record that carried it).
    /// `requestDeltas`: use `user_prompt`/`tool_result` (false when the flow record gave them).
    private mutating func apply(
        _ delta: Record,
        to flowID: String,
        requestDeltas: Bool
    ) -> (
        state: CardState, reason: String?
    )? {
        let json = delta.json
        let f = DeltaFields(delta)
        guard let kindSpan = f.kind else { return nil }
        if json.stringEquals(kindSpan, "message_end") { return (.done, f.stopReason.flatMap { json.string($0) }) }
        if json.stringEquals(kindSpan, "error") {
            let text = f.text.flatMap { json.string($0) } ?? ""
            if !ndjson {
                screen.add(flowID, .content(role: .error, index: 0, text: text.isEmpty ? "error" : text), out: &actions)
            }
            return (.dead, f.errorType.flatMap { json.string($0) } ?? "error")
        }
        if json.stringEquals(kindSpan, "usage") {
            let input = f.inputTokens.flatMap { json.int($0) }
            let output = f.outputTokens.flatMap { json.int($0) }
            let model = f.model.flatMap { json.string($0) }
            screen.update(flowID) { info in
                if let input { info.inputTokens = input }
                if let output { info.outputTokens = output }
                if let model, info.model == nil { info.model = model }
            }
            return nil
        }
        guard !ndjson else { return nil }
        let index = f.index.flatMap { json.int($0) }.map { Int($0) } ?? 0
        let role: ContentRole
        if json.stringEquals(kindSpan, "text") {
            role = .assistant
        } else if json.stringEquals(kindSpan, "reasoning") {
            role = .reasoning
        } else if json.stringEquals(kindSpan, "tool_args") {
            role = .toolArgs
        } else if json.stringEquals(kindSpan, "block_start") {
            if let block = f.block, json.stringEquals(block, "tool") {
                let name = f.tool.flatMap { json.string($0) } ?? "?"
                screen.add(flowID, .toolStart(index: index, name: name), out: &actions)
            }
            return nil
        } else if requestDeltas, json.stringEquals(kindSpan, "user_prompt") {
            role = .user
        } else if requestDeltas, json.stringEquals(kindSpan, "tool_result") {
            let text = Self.oneLine(f.text.flatMap { json.string($0) } ?? "")
            screen.add(flowID, .content(role: .toolResult, index: index, text: text), out: &actions)
            return nil
        } else {
            return nil
        }
        screen.add(
            flowID,
            .content(role: role, index: index, text: f.text.flatMap { json.string($0) } ?? ""),
            out: &actions
        )
        return nil
    }

    /// The decoder writes every delta with this exact start; other lines it passes through
    /// (a record it does not handle) are checked by their `type`.
    private static let deltaPrefix: [UInt8] = Array(#"{"v":1,"type":"delta","#.utf8)

    private static func isDelta(_ record: Record) -> Bool {
        let line = record.line
        if line.count > deltaPrefix.count, let base = line.baseAddress,
            deltaPrefix.withUnsafeBytes({ prefix in
                prefix.baseAddress.map { memcmp(base, $0, prefix.count) == 0 } ?? false
            })
        {
            return true
        }
        return record.isType(RecordType.delta)
    }

    private static func same(_ key: [UInt8], _ other: UnsafeRawBufferPointer) -> Bool {
        key.count == other.count
            && key.withUnsafeBytes { mine in
                guard let a = mine.baseAddress, let b = other.baseAddress else { return mine.count == 0 }
                return memcmp(a, b, mine.count) == 0
            }
    }

    /// A tool result on one line, cut at 120 characters.
    static func oneLine(_ text: String) -> String {
        var flat = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ⏎ ")
        if flat.count > 120 { flat = String(flat.prefix(120)) + "…" }
        return flat
    }

    /// The record a `redis` record carries in its field `record` (a JSON string), as bytes.
    static func unwrapRedis(_ record: Record) -> [UInt8]? {
        guard let inner = record.lookup("fields", "record"), inner.kind == .string else { return nil }
        var bytes: [UInt8] = []
        guard record.json.decodeString(inner, into: &bytes) else { return nil }
        return bytes
    }
}

/// The user's prompt in a request body (the last item, as ../shared/bench/anchors/README.md
/// defines a prompt), or the tool results it carries back.
enum RequestPrompt: Equatable {
    case prompt(String)
    case toolResults(Int)
    case none

    static let synthetic = ["<system-reminder>", "<environment_context>", "<user_instructions>"]

    static func last(in json: JSONScanner, body: JSONSpan) -> RequestPrompt {
        // `messages` (Anthropic, Chat) or `input` (Responses), reached without skipping it.
        let forward = ForwardJSON(bytes: json.bytes)
        guard let start = forward.valueStart(of: ["messages", "input"], inObjectAt: body.start),
            let list = forward.openSpan(at: start)
        else { return .none }
        if list.kind == .string { return json.string(list).map { .prompt($0) } ?? .none }
        // One walk over the items: the last one, and how many tool results end the list.
        var last: JSONSpan?
        var trailingResults = 0
        json.forEachElement(of: list) { item in
            last = item
            // Only the first member is read (clients write `type` / `role` first): a tool
            // result is a Responses `function_call_output` item or a Chat `tool` message.
            var isResult = false
            json.forEachMember(of: item) { key, value in
                isResult =
                    (json.stringEquals(key, "type") && json.stringEquals(value, "function_call_output"))
                    || (json.stringEquals(key, "role") && json.stringEquals(value, "tool"))
                return false
            }
            trailingResults = isResult ? trailingResults + 1 : 0
            return true
        }
        guard let last, last.kind == .object else { return .none }
        if let type = json.field("type", in: last), json.stringEquals(type, "function_call_output") {
            return .toolResults(max(1, trailingResults))
        }
        if let role = json.field("role", in: last), json.stringEquals(role, "tool") {
            return .toolResults(max(1, trailingResults))
        }
        guard let role = json.field("role", in: last), json.stringEquals(role, "user"),
            let content = json.field("content", in: last)
        else { return .none }
        if content.kind == .string { return json.string(content).map(nonEmpty) ?? .none }
        var parts: [String] = []
        var results = 0
        json.forEachElement(of: content) { part in
            guard part.kind == .object, let type = json.field("type", in: part) else { return true }
            if json.stringEquals(type, "tool_result") || json.stringEquals(type, "function_call_output") {
                results += 1
            } else if json.stringEquals(type, "text") || json.stringEquals(type, "input_text"),
                let textSpan = json.field("text", in: part), let text = json.string(textSpan), !isSynthetic(text)
            {
                parts.append(text)
            }
            return true
        }
        if results > 0 { return .toolResults(results) }
        return nonEmpty(parts.joined(separator: "\n"))
    }

    private static func nonEmpty(_ text: String) -> RequestPrompt {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } ? .none : .prompt(text)
    }

    private static func isSynthetic(_ text: String) -> Bool {
        let trimmed = text.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return synthetic.contains { trimmed.hasPrefix($0) }
    }
}

/// The top-level fields every record is dispatched on, found in one walk over its first members
/// (each `Record.field` lookup would walk the object from its start again).
struct RecordHead {
    var type, flowID, ts: JSONSpan?

    init(_ record: Record) {
        let json = record.json
        json.forEachMember(of: record.root) { key, value in
            // The first member of a name counts (as `JSONScanner.field` finds it).
            // Keys are told apart by length first; a key written with escapes may be any length.
            let escaped = json.raw(key).contains(0x5C)
            let length = escaped ? 0 : key.count - 2
            if ts == nil, length == 2 || escaped, json.stringEquals(key, "ts") {
                ts = value
            } else if type == nil, length == 4 || escaped, json.stringEquals(key, "type") {
                type = value
            } else if flowID == nil, length == 7 || escaped, json.stringEquals(key, "flow_id") {
                flowID = value
            }
            // Stop once all are found: a flow record's request body comes later.
            return type == nil || flowID == nil || ts == nil
        }
    }

    /// The record's `ts` (as `Record.timestamp`).
    func timestamp(in record: Record) -> Timestamp? {
        guard let span = ts, span.kind == .string else { return nil }
        return Timestamp(iso8601: UnsafeRawBufferPointer(rebasing: record.line[(span.start + 1)..<(span.end - 1)]))
    }
}

/// The fields of a delta record that a card uses, found in one pass over its members.
struct DeltaFields {
    var kind, index, text, block, tool, stopReason, errorType, inputTokens, outputTokens, model: JSONSpan?

    init(_ delta: Record) {
        let json = delta.json
        json.forEachMember(of: delta.root) { key, value in
            // Keys are compared by length first (JSONScanner.stringEquals), so misses are cheap.
            switch key.count - 2 {
            case 4:
                if json.stringEquals(key, "kind") {
                    kind = value
                } else if json.stringEquals(key, "text") {
                    text = value
                } else if json.stringEquals(key, "tool") {
                    tool = value
                }
            case 5:
                if json.stringEquals(key, "index") {
                    index = value
                } else if json.stringEquals(key, "block") {
                    block = value
                } else if json.stringEquals(key, "model") {
                    model = value
                }
            case 10:
                if json.stringEquals(key, "error_type") { errorType = value }
            case 11:
                if json.stringEquals(key, "stop_reason") { stopReason = value }
            case 12:
                if json.stringEquals(key, "input_tokens") { inputTokens = value }
            case 13:
                if json.stringEquals(key, "output_tokens") { outputTokens = value }
            default:
                break
            }
            return true
        }
    }
}
