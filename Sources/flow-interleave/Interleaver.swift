// flow-interleave's whole state machine: records in (with the time they count for), screen
// bytes out. It reads `flow`, `delta` (DESIGN §5) and `flow_end` records, and `redis` records
// that wrap one of those; it hands every record to the codec's DeltaDecoder too, which turns
// `sse`/`ws` events into deltas. No I/O and no clock: `now` comes with each call (the record's
// own `ts` under `--clock recorded`, the wall clock otherwise).
//
// Records that belong to no flow pass through at once (ndjson) or are not shown (text).

import TapCodec

struct Interleaver {
    private(set) var screen: ScreenController
    private var renderer: CardRenderer
    private let ndjson: Bool
    private var actions: [ScreenAction] = []

    init(policy: ScreenPolicy, render: RenderOptions) {
        screen = ScreenController(policy: policy)
        renderer = CardRenderer(options: render)
        ndjson = render.ndjson
        actions.reserveCapacity(64)
    }

    /// One input record. `now`: the time it counts for (nil under `--clock recorded` when the
    /// record has no `ts`: the controller's clock stays).
    mutating func feed(_ record: Record, now: Timestamp?, into out: inout [UInt8]) {
        let now = now ?? screen.clock
        guard let typeSpan = record.typeSpan, typeSpan.kind == .string else {
            passThrough(record.line, now: now, into: &out)
            return
        }
        let json = record.json
        if json.stringEquals(typeSpan, RecordType.delta) {
            feedDelta(record, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.flow) {
            feedFlow(record, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.flowEnd) {
            feedFlowEnd(record, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.sse) || json.stringEquals(typeSpan, RecordType.ws) {
            feedEvent(record, now: now, into: &out)
        } else if json.stringEquals(typeSpan, RecordType.redis), let inner = Self.unwrapRedis(record) {
            inner.withUnsafeBytes { bytes in
                if let unwrapped = Record(line: bytes) {
                    feed(unwrapped, now: now, into: &out)
                } else {
                    passThrough(record.line, now: now, into: &out)
                }
            }
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
        screen.finish(out: &actions)
        flushActions(into: &out)
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
    private mutating func card(for record: Record, now: Timestamp, revive: Bool, into out: inout [UInt8]) -> String? {
        guard let flowID = record.flowID else {
            passThrough(record.line, now: now, into: &out)
            return nil
        }
        let live = screen.touch(
            flowID,
            info: {
                CardInfo(
                    flowID: flowID, sessionID: record.sessionID ?? "-", provider: record.string("provider") ?? "unknown",
                    model: nil, startedAt: now)
            }, now: now, revive: revive, out: &actions)
        guard live else {
            // A late record of a finished, evicted card: tagged with how it ended.
            flushActions(into: &out)
            if ndjson { CardRenderer.tagged(Array(record.line), state: screen.state(of: flowID) ?? .done, into: &out) }
            return nil
        }
        return flowID
    }

    private mutating func feedFlow(_ record: Record, now: Timestamp, into out: inout [UInt8]) {
        guard let flowID = card(for: record, now: now, revive: true, into: &out) else { return }
        let json = record.json
        let body = record.lookup("request", "body")
        let model = body.flatMap { span in json.field("model", in: span) }.flatMap { json.string($0) }
        let provider = record.string("provider")
        screen.update(flowID) { info in
            if let model { info.model = model }
            if let provider { info.provider = provider }
            if let session = record.sessionID { info.sessionID = session }
        }
        if let item = recordItem(record) { screen.add(flowID, item, out: &actions) }
        if !ndjson, let body, body.kind == .object {
            switch RequestPrompt.last(in: json, body: body) {
            case .prompt(let text): screen.add(flowID, .content(role: .user, index: -1, text: text), out: &actions)
            case .toolResults(let count):
                let text = count == 1 ? "1 tool result" : "\(count) tool results"
                screen.add(flowID, .content(role: .toolResult, index: -1, text: text), out: &actions)
            case .none: break
            }
        }
        if let status = record.field("status").flatMap({ json.int($0) }), status >= 400 {
            screen.end(flowID, state: .dead, reason: "HTTP \(status)", out: &actions)
        }
        flushActions(into: &out)
    }

    private mutating func feedFlowEnd(_ record: Record, now: Timestamp, into out: inout [UInt8]) {
        guard let flowID = card(for: record, now: now, revive: false, into: &out) else { return }
        let status = record.string("status") ?? "complete"
        screen.end(
            flowID, state: status == "complete" ? .done : .dead, reason: status, with: recordItem(record), out: &actions)
        flushActions(into: &out)
    }

    /// `sse` / `ws` events: activity of their flow; the deltas decoded from them are the content.
    private mutating func feedEvent(_ record: Record, now: Timestamp, into out: inout [UInt8]) {
        guard let flowID = card(for: record, now: now, revive: false, into: &out) else { return }
        if let item = recordItem(record) { screen.add(flowID, item, out: &actions) }
        flushActions(into: &out)
    }

    private mutating func feedDelta(_ record: Record, now: Timestamp, into out: inout [UInt8]) {
        let json = record.json
        guard let kindSpan = record.field("kind") else {
            passThrough(record.line, now: now, into: &out)
            return
        }
        let hasContent = !json.stringEquals(kindSpan, "message_end") && !json.stringEquals(kindSpan, "block_end")
        guard let flowID = card(for: record, now: now, revive: hasContent, into: &out) else { return }
        let index = record.int("index").map { Int($0) } ?? 0
        let text = record.string("text") ?? ""
        if ndjson {
            if json.stringEquals(kindSpan, "message_end") {
                screen.end(flowID, state: .done, reason: record.string("stop_reason"), with: recordItem(record), out: &actions)
            } else if json.stringEquals(kindSpan, "error") {
                screen.end(flowID, state: .dead, reason: record.string("error_type") ?? "error", with: recordItem(record), out: &actions)
            } else if let item = recordItem(record) {
                screen.add(flowID, item, out: &actions)
            }
            flushActions(into: &out)
            return
        }
        if json.stringEquals(kindSpan, "text") {
            screen.add(flowID, .content(role: .assistant, index: index, text: text), out: &actions)
        } else if json.stringEquals(kindSpan, "reasoning") {
            screen.add(flowID, .content(role: .reasoning, index: index, text: text), out: &actions)
        } else if json.stringEquals(kindSpan, "tool_args") {
            screen.add(flowID, .content(role: .toolArgs, index: index, text: text), out: &actions)
        } else if json.stringEquals(kindSpan, "block_start") {
            if let block = record.field("block"), json.stringEquals(block, "tool") {
                screen.add(flowID, .toolStart(index: index, name: record.string("tool") ?? "?"), out: &actions)
            }
        } else if json.stringEquals(kindSpan, "user_prompt") {
            screen.add(flowID, .content(role: .user, index: index, text: text), out: &actions)
        } else if json.stringEquals(kindSpan, "tool_result") {
            screen.add(flowID, .content(role: .toolResult, index: index, text: Self.oneLine(text)), out: &actions)
        } else if json.stringEquals(kindSpan, "usage") {
            let input = record.int("input_tokens")
            let output = record.int("output_tokens")
            screen.update(flowID) { info in
                if let input { info.inputTokens = input }
                if let output { info.outputTokens = output }
                if let model = record.string("model"), info.model == nil { info.model = model }
            }
        } else if json.stringEquals(kindSpan, "message_end") {
            screen.end(flowID, state: .done, reason: record.string("stop_reason"), out: &actions)
        } else if json.stringEquals(kindSpan, "error") {
            let item = CardItem.content(role: .error, index: 0, text: text.isEmpty ? "error" : text)
            screen.end(flowID, state: .dead, reason: record.string("error_type") ?? "error", with: item, out: &actions)
        }
        flushActions(into: &out)
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
        var items = json.field("messages", in: body)
        if items == nil, let input = json.field("input", in: body) {
            if input.kind == .string { return json.string(input).map { .prompt($0) } ?? .none }
            items = input
        }
        guard let list = items, let last = json.lastElement(of: list), last.kind == .object else { return .none }
        if let type = json.field("type", in: last), json.stringEquals(type, "function_call_output") {
            return .toolResults(max(1, trailingOutputs(json, list)))
        }
        if let role = json.field("role", in: last), json.stringEquals(role, "tool") {
            return .toolResults(max(1, trailingRole(json, list, "tool")))
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

    /// Function-call outputs at the end of a Responses input list.
    private static func trailingOutputs(_ json: JSONScanner, _ list: JSONSpan) -> Int {
        var run = 0
        json.forEachElement(of: list) { item in
            if let t = json.field("type", in: item), json.stringEquals(t, "function_call_output") { run += 1 } else { run = 0 }
            return true
        }
        return run
    }

    /// Messages of one role at the end of a Chat messages list.
    private static func trailingRole(_ json: JSONScanner, _ list: JSONSpan, _ name: String) -> Int {
        var run = 0
        json.forEachElement(of: list) { item in
            if let r = json.field("role", in: item), json.stringEquals(r, name) { run += 1 } else { run = 0 }
            return true
        }
        return run
    }
}
