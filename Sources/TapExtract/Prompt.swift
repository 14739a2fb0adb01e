// The user prompt a request body carries (bench/anchors/README.md, "Conversation items and
// the user prompt of a flow"). Only the last conversation item is looked at: every request
// resends the whole history, so the last item alone tells whether a human just typed.

import TapCodec

public enum Provider: Equatable, Sendable {
    case anthropic, responses, chat, other

    public init(name: String?) {
        switch name {
        case "anthropic": self = .anthropic
        case "openai-responses": self = .responses
        case "chat": self = .chat
        default: self = .other
        }
    }
}

/// The conversation items of a body: `input` for Responses (a string is one user message),
/// `messages` otherwise.
public enum Items {
    case none
    /// A Responses `input` string: one user message with that text.
    case text(JSONSpan)
    case array(JSONSpan)
}

public func items(of body: JSONSpan, provider: Provider, in json: JSONScanner) -> Items {
    guard body.kind == .object else { return .none }
    if provider == .responses {
        guard let input = json.field("input", in: body) else { return .none }
        if input.kind == .string { return .text(input) }
        return input.kind == .array ? .array(input) : .none
    }
    guard let messages = json.field("messages", in: body), messages.kind == .array else { return .none }
    return .array(messages)
}

/// The prompt of a body: its text (nil when the flow carries none) and the number of items.
public struct PromptFacts {
    public var text: [UInt8]?
    public var itemCount: Int
}

private let syntheticPrefixes: [[UInt8]] = ["<system-reminder>", "<environment_context>", "<user_instructions>"].map {
    Array($0.utf8)
}

@inline(__always)
private func isASCIISpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

/// A text part the client added (system reminders, environment context), not typed by a human.
func isSynthetic(_ part: [UInt8]) -> Bool {
    var i = 0
    while i < part.count, isASCIISpace(part[i]) { i += 1 }
    for prefix in syntheticPrefixes where part.count - i >= prefix.count {
        if part[i..<(i + prefix.count)].elementsEqual(prefix) { return true }
    }
    return false
}

public func promptFacts(body: JSONSpan, provider: Provider, in json: JSONScanner) -> PromptFacts {
    switch items(of: body, provider: provider, in: json) {
    case .none:
        return PromptFacts(text: nil, itemCount: 0)
    case .text(let input):
        return promptFacts(text: input, in: json)
    case .array(let array):
        var count = 0
        var last: JSONSpan?
        json.forEachElement(of: array) { element in
            count += 1
            last = element
            return true
        }
        return promptFacts(last: last, count: count, provider: provider, in: json)
    }
}

/// The prompt from the items found by FlowLineParser (`messages`, or `input` for Responses).
public func promptFacts(fields: FlowLineFields, provider: Provider, in json: JSONScanner) -> PromptFacts {
    guard let body = fields.body, body.kind == .object else { return PromptFacts(text: nil, itemCount: 0) }
    let items = provider == .responses ? fields.input : fields.messages
    guard let items else { return PromptFacts(text: nil, itemCount: 0) }
    switch items.span.kind {
    case .string where provider == .responses: return promptFacts(text: items.span, in: json)
    case .array: return promptFacts(last: items.last, count: items.count, provider: provider, in: json)
    default: return PromptFacts(text: nil, itemCount: 0)
    }
}

/// A Responses `input` string: one user message with that text.
func promptFacts(text input: JSONSpan, in json: JSONScanner) -> PromptFacts {
    finish([json.decoded(input) ?? []], count: 1)
}

/// The prompt rule applied to the last of `count` items.
func promptFacts(last: JSONSpan?, count: Int, provider: Provider, in json: JSONScanner) -> PromptFacts {
    var parts: [[UInt8]] = []
    guard let last else { return PromptFacts(text: nil, itemCount: 0) }
    guard last.kind == .object, json.isString(json.field("role", in: last), "user") else {
        return PromptFacts(text: nil, itemCount: count)
    }
    if provider == .responses, let type = json.field("type", in: last), !json.isString(type, "message") {
        return PromptFacts(text: nil, itemCount: count)
    }
    guard let content = json.field("content", in: last) else { return PromptFacts(text: nil, itemCount: count) }
    if content.kind == .string {
        parts = [json.decoded(content) ?? []]
    } else if content.kind == .array {
        var isToolResult = false
        json.forEachElement(of: content) { block in
            guard block.kind == .object else { return true }
            let type = json.field("type", in: block)
            if json.isString(type, "tool_result") || json.isString(type, "function_call_output") {
                isToolResult = true
                return false
            }
            if json.isString(type, "text") || json.isString(type, "input_text"),
                let text = json.decoded(json.field("text", in: block))
            {
                parts.append(text)
            }
            return true
        }
        if isToolResult { return PromptFacts(text: nil, itemCount: count) }
    } else {
        return PromptFacts(text: nil, itemCount: count)
    }
    return finish(parts, count: count)
}

/// Synthetic parts dropped, the rest joined with newlines; blank means no prompt.
private func finish(_ parts: [[UInt8]], count: Int) -> PromptFacts {
    var text: [UInt8] = []
    var first = true
    for part in parts where !isSynthetic(part) {
        if !first { text.append(0x0A) }
        first = false
        text.append(contentsOf: part)
    }
    if text.allSatisfy(isASCIISpace) { return PromptFacts(text: nil, itemCount: count) }
    return PromptFacts(text: text, itemCount: count)
}
