// Per-flow facts folded from a flow's events (sse records and server ws frames), one event at
// a time, in the order they were captured (bench/anchors/README.md, "Per-flow facts from the
// events"): tool call starts, text, reasoning, usage, the streamed tool calls and the stop
// reason. Only what `Needs` asks for is kept, so turns does not hold every flow's text.

import TapCodec

/// Token counts; `input` is always the uncached input, so the four add up across providers.
public struct Usage: Equatable, Sendable {
    public var input: Int64 = 0
    public var output: Int64 = 0
    public var cacheRead: Int64 = 0
    public var cacheWrite: Int64 = 0
    /// The model the usage event names (canonical JSON), nil when none. InlineText, so that a
    /// Usage is plain bits (extract-usage keeps one per flow and copies them around).
    public var model: InlineText?

    public init() {}

    public static func += (a: inout Usage, b: Usage) {
        a.input += b.input
        a.output += b.output
        a.cacheRead += b.cacheRead
        a.cacheWrite += b.cacheWrite
    }
}

/// One streamed tool call (deltas): identity as the stream named it, and its argument text.
public struct StreamedCall {
    /// The key the provider uses for it (block index / output_index / tool_calls index), canonical JSON.
    public var key: [UInt8]
    public var callID: [UInt8]?
    public var name: [UInt8]?
    public var arguments: [UInt8] = []
}

public struct FoldNeeds: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let toolNames = FoldNeeds(rawValue: 1)
    public static let usage = FoldNeeds(rawValue: 2)
    public static let text = FoldNeeds(rawValue: 4)
    public static let reasoning = FoldNeeds(rawValue: 8)
    public static let calls = FoldNeeds(rawValue: 16)
    public static let stop = FoldNeeds(rawValue: 32)
    /// The first error object a flow streamed.
    public static let errors = FoldNeeds(rawValue: 64)
    /// Event timestamps (kept by FlowTable: first event, token gaps).
    public static let times = FoldNeeds(rawValue: 128)
}

public struct EventFold {
    public var events = 0
    /// Names of the tool calls started (nil for a call without a name).
    public var toolNames: [String?] = []
    public var usage: Usage?
    public var text: [UInt8] = []
    public var reasoning: [UInt8] = []
    public var calls: [StreamedCall] = []
    /// Canonical JSON of the last stop reason.
    public var stopReason: [UInt8]?
    /// Canonical JSON of the first error the stream reported.
    public var error: [UInt8]?
    /// True when the last event fed carried a token (text, reasoning or tool-argument fragment).
    public var lastWasToken = false

    public init() {}

    /// Folds one event payload `data` of a flow of `provider`.
    public mutating func feed(_ data: JSONSpan, provider: Provider, needs: FoldNeeds, json: JSONScanner) {
        events += 1
        lastWasToken = false
        guard data.kind == .object else { return }
        if needs.contains(.errors), error == nil { noteError(data, json) }
        switch provider {
        case .anthropic: anthropic(data, needs, json)
        case .responses: responses(data, needs, json)
        case .chat: chat(data, needs, json)
        case .other: break
        }
    }

    /// `error` objects (Anthropic `error` events, chat error chunks) and failed Responses.
    private mutating func noteError(_ d: JSONSpan, _ json: JSONScanner) {
        if let e = json.field("error", in: d), e.kind != .null {
            error = json.canonical(e)
        } else if json.isString(json.field("type", in: d), "response.failed") {
            error = json.canonical(json.member(json.field("response", in: d), "error")) ?? Array("null".utf8)
        }
    }

    private mutating func call(_ key: [UInt8]) -> Int {
        if let i = calls.lastIndex(where: { $0.key == key }) { return i }
        calls.append(StreamedCall(key: key))
        return calls.count - 1
    }

    private mutating func anthropic(_ d: JSONSpan, _ needs: FoldNeeds, _ json: JSONScanner) {
        guard let type = json.field("type", in: d), type.kind == .string else { return }
        if json.stringEquals(type, "content_block_delta") {
            guard let delta = json.member(d, "delta") else { return }
            let dt = json.field("type", in: delta)
            if json.isString(dt, "text_delta") {
                lastWasToken = true
                if needs.contains(.text), let t = json.decoded(json.field("text", in: delta)) { text += t }
            } else if json.isString(dt, "thinking_delta") {
                lastWasToken = true
                if needs.contains(.reasoning), let t = json.decoded(json.field("thinking", in: delta)) {
                    reasoning += t
                }
            } else if json.isString(dt, "input_json_delta") {
                lastWasToken = true
                guard needs.contains(.calls) else { return }
                let i = call(json.canonical(json.field("index", in: d)) ?? Array("null".utf8))
                if let t = json.decoded(json.field("partial_json", in: delta)) { calls[i].arguments += t }
            }
        } else if json.stringEquals(type, "content_block_start") {
            guard let block = json.member(d, "content_block") else { return }
            let bt = json.field("type", in: block)
            guard json.isString(bt, "tool_use") || json.isString(bt, "server_tool_use") else { return }
            let name = json.field("name", in: block)
            if needs.contains(.toolNames) { toolNames.append(json.text(name)) }
            if needs.contains(.calls) {
                let i = call(json.canonical(json.field("index", in: d)) ?? Array("null".utf8))
                calls[i].callID = json.canonical(json.field("id", in: block))
                calls[i].name = json.canonical(name)
            }
        } else if json.stringEquals(type, "message_start") {
            if needs.contains(.usage), let fresh = Self.messageStartUsage(d, json) { usage = fresh }
        } else if json.stringEquals(type, "message_delta") {
            if needs.contains(.usage), let u = json.field("usage", in: d), u.kind == .object {
                usage = UsageUpdate.merge(AnthropicUsageFields(u, json)).applied(to: usage)
            }
            if needs.contains(.stop), let reason = json.member(json.field("delta", in: d), "stop_reason"),
                reason.kind != .null
            {
                stopReason = json.canonical(reason)
            }
        }
    }

    /// The usage of a `message_start` (nil when its message has no usage object).
    static func messageStartUsage(_ d: JSONSpan, _ json: JSONScanner) -> Usage? {
        messageUsage(json.member(d, "message"), json)
    }

    static let messageNames = MemberNames("usage", "model")

    /// The usage of a `message_start`'s message (nil when it has no usage object).
    static func messageUsage(_ message: JSONSpan?, _ json: JSONScanner) -> Usage? {
        guard let message, message.kind == .object else { return nil }
        var u: JSONSpan?
        var model: JSONSpan?
        json.forEachField(messageNames, in: message) { i, value in
            if i == 0 { u = value } else { model = value }
        }
        guard let u, u.kind == .object else { return nil }
        var fresh = UsageUpdate.merge(AnthropicUsageFields(u, json)).applied(to: nil)
        fresh.model = json.canonical(model).map(InlineText.init(bytes:))
        return fresh
    }

    private mutating func responses(_ d: JSONSpan, _ needs: FoldNeeds, _ json: JSONScanner) {
        guard let type = json.field("type", in: d), type.kind == .string else { return }
        if json.stringEquals(type, "response.output_text.delta") {
            lastWasToken = true
            if needs.contains(.text), let t = json.decoded(json.field("delta", in: d)) { text += t }
        } else if json.stringEquals(type, "response.reasoning_summary_text.delta") {
            lastWasToken = true
            if needs.contains(.reasoning), let t = json.decoded(json.field("delta", in: d)) { reasoning += t }
        } else if json.stringEquals(type, "response.function_call_arguments.delta") {
            lastWasToken = true
            guard needs.contains(.calls) else { return }
            let i = call(json.canonical(json.field("output_index", in: d)) ?? Array("null".utf8))
            if let t = json.decoded(json.field("delta", in: d)) { calls[i].arguments += t }
        } else if json.stringEquals(type, "response.output_item.added") {
            guard let item = json.member(d, "item") else { return }
            let it = json.field("type", in: item)
            guard
                json.isString(it, "function_call") || json.isString(it, "custom_tool_call")
                    || json.isString(it, "local_shell_call")
            else { return }
            let name = json.field("name", in: item)
            if needs.contains(.toolNames) {
                // Python's `item.get("name") or item.get("type")`: an empty or missing name falls back.
                let text = json.text(name)
                toolNames.append(text.flatMap { $0.isEmpty ? nil : $0 } ?? json.text(it))
            }
            if needs.contains(.calls) {
                let i = call(json.canonical(json.field("output_index", in: d)) ?? Array("null".utf8))
                calls[i].callID = json.canonical(json.field("call_id", in: item))
                calls[i].name = json.canonical(name)
            }
        } else if json.stringEquals(type, "response.completed") || json.stringEquals(type, "response.incomplete")
            || json.stringEquals(type, "response.failed")
        {
            guard let response = json.member(d, "response") else { return }
            if needs.contains(.usage), let fresh = Self.responsesUsage(response, json) { usage = fresh }
            if needs.contains(.stop), let status = json.field("status", in: response), status.kind != .null {
                stopReason = json.canonical(status)
            }
        }
    }

    private mutating func chat(_ d: JSONSpan, _ needs: FoldNeeds, _ json: JSONScanner) {
        if needs.contains(.usage), let u = json.field("usage", in: d), u.kind == .object {
            usage = Self.chatUsage(u, model: json.field("model", in: d), json)
        }
        guard let choices = json.field("choices", in: d), choices.kind == .array else { return }
        json.forEachElement(of: choices) { choice in
            guard choice.kind == .object else { return true }
            if let delta = json.field("delta", in: choice), delta.kind == .object {
                if json.member(delta, "content")?.kind == .string
                    || json.member(delta, "reasoning_content")?.kind == .string
                    || json.member(delta, "tool_calls")?.kind == .array
                {
                    lastWasToken = true
                }
                if needs.contains(.reasoning), let t = json.decoded(json.field("reasoning_content", in: delta)) {
                    reasoning += t
                }
                if needs.contains(.text), let t = json.decoded(json.field("content", in: delta)) { text += t }
                if let toolCalls = json.field("tool_calls", in: delta), toolCalls.kind == .array {
                    json.forEachElement(of: toolCalls) { tc in
                        guard tc.kind == .object else { return true }
                        let fn = json.member(tc, "function")
                        let id = json.field("id", in: tc)
                        let name = json.member(fn, "name")
                        if needs.contains(.toolNames), json.isPresent(id) || json.isPresent(name) {
                            toolNames.append(json.text(name))
                        }
                        if needs.contains(.calls) {
                            let i = call(json.canonical(json.field("index", in: tc)) ?? Array("null".utf8))
                            if json.isPresent(id) { calls[i].callID = json.canonical(id) }
                            if json.isPresent(name) { calls[i].name = json.canonical(name) }
                            if let t = json.decoded(json.member(fn, "arguments")) { calls[i].arguments += t }
                        }
                        return true
                    }
                }
            }
            if needs.contains(.stop), let reason = json.field("finish_reason", in: choice), reason.kind != .null {
                stopReason = json.canonical(reason)
            }
            return true
        }
    }

    /// The usage of a final Responses event's `response` (nil when it has no usage object).
    static let responseNames = MemberNames("usage", "model")
    static let responsesUsageNames = MemberNames("input_tokens_details", "input_tokens", "output_tokens")

    static func responsesUsage(_ response: JSONSpan, _ json: JSONScanner) -> Usage? {
        var u: JSONSpan?
        var model: JSONSpan?
        json.forEachField(responseNames, in: response) { i, value in
            if i == 0 { u = value } else { model = value }
        }
        guard let u, u.kind == .object else { return nil }
        var counts: (details: JSONSpan?, input: JSONSpan?, output: JSONSpan?)
        json.forEachField(responsesUsageNames, in: u) { i, value in
            switch i {
            case 0: counts.details = value
            case 1: counts.input = value
            default: counts.output = value
            }
        }
        var fresh = Usage()
        let cached = json.integerValue(json.member(counts.details, "cached_tokens"))
        fresh.input = json.integerValue(counts.input) - cached
        fresh.output = json.integerValue(counts.output)
        fresh.cacheRead = cached
        fresh.model = json.canonical(model).map(InlineText.init(bytes:))
        return fresh
    }

    static let chatUsageNames = MemberNames(
        "cached_tokens",
        "prompt_tokens_details",
        "prompt_tokens",
        "completion_tokens"
    )

    /// The usage of a chat chunk's usage object `u`; `model` is the chunk's.
    static func chatUsage(_ u: JSONSpan, model: JSONSpan?, _ json: JSONScanner) -> Usage {
        var counts: (cached: JSONSpan?, details: JSONSpan?, prompt: JSONSpan?, completion: JSONSpan?)
        json.forEachField(chatUsageNames, in: u) { i, value in
            switch i {
            case 0: counts.cached = value
            case 1: counts.details = value
            case 2: counts.prompt = value
            default: counts.completion = value
            }
        }
        var fresh = Usage()
        let cachedSpan = json.isPresent(counts.cached) ? counts.cached : json.member(counts.details, "cached_tokens")
        let cached = json.integerValue(cachedSpan)
        fresh.input = json.integerValue(counts.prompt) - cached
        fresh.output = json.integerValue(counts.completion)
        fresh.cacheRead = cached
        fresh.model = json.canonical(model).map(InlineText.init(bytes:))
        return fresh
    }
}

/// The token counts an Anthropic usage object carries (a `message_delta` repeats only some).
public struct AnthropicUsageFields: Sendable {
    var input, output, cacheRead, cacheWrite: Int64?

    static let names = MemberNames(
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens"
    )

    init(_ u: JSONSpan, _ json: JSONScanner) {
        var spans: (JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?)
        json.forEachField(Self.names, in: u) { i, value in
            switch i {
            case 0: spans.0 = value
            case 1: spans.1 = value
            case 2: spans.2 = value
            default: spans.3 = value
            }
        }
        input = json.strictInteger(spans.0)
        output = json.strictInteger(spans.1)
        cacheRead = json.strictInteger(spans.2)
        cacheWrite = json.strictInteger(spans.3)
    }
}

/// What one event does to its flow's usage, read from the event alone: so a tool can read it on
/// another thread and apply it in order later (extract-usage).
public enum UsageUpdate: Sendable {
    /// A whole new usage (message_start, a final Responses event, a chat usage chunk).
    case replace(Usage)
    /// Anthropic's message_delta: the counts it carries replace those so far, field by field.
    case merge(AnthropicUsageFields)

    /// The usage of an event of `provider` from the members of its `data` that hold one: `type`,
    /// `usage`, `message`, `response` and `model` (nil when the event carries none).
    init?(
        provider: Provider,
        type: JSONSpan?,
        usage: JSONSpan?,
        message: JSONSpan?,
        response: JSONSpan?,
        model: JSONSpan?,
        json: JSONScanner
    ) {
        switch provider {
        case .anthropic:
            if json.isString(type, "message_start") {
                guard let fresh = EventFold.messageUsage(message, json) else { return nil }
                self = .replace(fresh)
            } else if json.isString(type, "message_delta") {
                guard let usage, usage.kind == .object else { return nil }
                self = .merge(AnthropicUsageFields(usage, json))
            } else {
                return nil
            }
        case .responses:
            guard
                json.isString(type, "response.completed") || json.isString(type, "response.incomplete")
                    || json.isString(type, "response.failed"),
                let response, response.kind == .object,
                let fresh = EventFold.responsesUsage(response, json)
            else { return nil }
            self = .replace(fresh)
        case .chat:
            guard let usage, usage.kind == .object else { return nil }
            self = .replace(EventFold.chatUsage(usage, model: model, json))
        case .other:
            return nil
        }
    }

    public func applied(to usage: Usage?) -> Usage {
        switch self {
        case .replace(let fresh):
            return fresh
        case .merge(let fields):
            var current = usage ?? Usage()
            if let v = fields.input { current.input = v }
            if let v = fields.output { current.output = v }
            if let v = fields.cacheRead { current.cacheRead = v }
            if let v = fields.cacheWrite { current.cacheWrite = v }
            return current
        }
    }
}
