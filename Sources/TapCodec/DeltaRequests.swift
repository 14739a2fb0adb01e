// Request bodies -> `user_prompt` and `tool_result` deltas (DESIGN §5, last row).
//
// A client resends the whole conversation with every request, so only the items after the last assistant
// turn are new: the user's latest message and the tool results that answer the previous response. Anthropic
// and Chat keep them in `messages`, Responses in `input` (a string, or items).

enum RequestDecoder {
    static func emit(_ json: JSONScanner, body: JSONSpan, _ emitter: inout DeltaEmitter, into out: inout [UInt8]) {
        if let messages = json.field("messages", in: body), messages.kind == .array {
            emitMessages(json, messages, &emitter, into: &out)
        } else if let input = json.field("input", in: body) {
            if input.kind == .string {
                emitter.emit("user_prompt", index: 0, into: &out) { w in w.field("text", raw: json.raw(input)) }
            } else if input.kind == .array {
                emitInputItems(json, input, &emitter, into: &out)
            }
        }
    }

    /// The provider of a request body when the flow did not say: `input` means Responses; `messages` with a
    /// top-level `system` means Anthropic, otherwise Chat.
    static func guessProvider(_ json: JSONScanner, body: JSONSpan) -> DeltaProvider {
        if json.field("input", in: body) != nil { return .openaiResponses }
        if json.field("messages", in: body) != nil {
            return json.field("system", in: body) != nil ? .anthropic : .chat
        }
        return .unknown
    }

    // MARK: Anthropic and Chat `messages`

    private static func emitMessages(
        _ json: JSONScanner,
        _ messages: JSONSpan,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) {
        let items = json.elements(of: messages)
        let lastAssistant = items.lastIndex { role($0, json) == "assistant" } ?? -1
        for position in (lastAssistant + 1)..<items.count {
            let item = items[position]
            let content = json.field("content", in: item)
            switch role(item, json) {
            case "user":
                guard let content else { continue }
                if content.kind == .array {
                    json.forEachElement(of: content) { part in
                        if let type = json.stringField("type", in: part), json.stringEquals(type, "tool_result") {
                            emitToolResult(
                                json,
                                index: position,
                                callID: json.stringField("tool_use_id", in: part),
                                isError: json.field("is_error", in: part),
                                content: json.field("content", in: part),
                                &emitter,
                                into: &out
                            )
                        }
                        return true
                    }
                }
                emitPrompt(json, index: position, content: content, &emitter, into: &out)
            case "tool":
                emitToolResult(
                    json,
                    index: position,
                    callID: json.stringField("tool_call_id", in: item),
                    isError: nil,
                    content: content,
                    &emitter,
                    into: &out
                )
            default:
                continue  // system, developer: not the user's words
            }
        }
    }

    // MARK: Responses `input`

    private static let assistantItemTypes: Set<String> = [
        "function_call", "custom_tool_call", "local_shell_call", "reasoning", "web_search_call", "mcp_call",
    ]
    private static let toolOutputTypes: Set<String> = [
        "function_call_output", "custom_tool_call_output", "local_shell_call_output", "mcp_call_output",
    ]

    private static func emitInputItems(
        _ json: JSONScanner,
        _ input: JSONSpan,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) {
        let items = json.elements(of: input)
        let lastAssistant =
            items.lastIndex { item in
                if role(item, json) == "assistant" { return true }
                guard let type = json.stringField("type", in: item).flatMap({ json.string($0) }) else { return false }
                return assistantItemTypes.contains(type)
            } ?? -1
        for position in (lastAssistant + 1)..<items.count {
            let item = items[position]
            let type = json.stringField("type", in: item).flatMap { json.string($0) }
            if let type, toolOutputTypes.contains(type) {
                emitToolResult(
                    json,
                    index: position,
                    callID: json.stringField("call_id", in: item),
                    isError: nil,
                    content: json.field("output", in: item),
                    &emitter,
                    into: &out
                )
            } else if role(item, json) == "user", type == nil || type == "message",
                let content = json.field("content", in: item)
            {
                emitPrompt(json, index: position, content: content, &emitter, into: &out)
            }
        }
    }

    // MARK: Pieces

    private static func role(_ item: JSONSpan, _ json: JSONScanner) -> String? {
        json.stringField("role", in: item).flatMap { json.string($0) }
    }

    /// The text parts of a content value: the string itself, or the `text`/`input_text`/`output_text` parts of
    /// an array, in order.
    private static func textParts(_ json: JSONScanner, _ content: JSONSpan?) -> [JSONSpan] {
        guard let content else { return [] }
        if content.kind == .string { return [content] }
        var parts: [JSONSpan] = []
        json.forEachElement(of: content) { part in
            if let type = json.stringField("type", in: part),
                json.stringEquals(type, "text") || json.stringEquals(type, "input_text")
                    || json.stringEquals(type, "output_text"),
                let text = json.stringField("text", in: part)
            {
                parts.append(text)
            }
            return true
        }
        return parts
    }

    /// Writes `"text":…`: one part verbatim, several decoded and joined with "\n".
    private static func writeText(_ json: JSONScanner, _ parts: [JSONSpan], _ w: inout JSONWriter) {
        w.key("text")
        if parts.count == 1 {
            w.raw(json.raw(parts[0]))
            return
        }
        var joined: [UInt8] = []
        for (n, part) in parts.enumerated() {
            if n > 0 { joined.append(0x0A) }
            json.decodeString(part, into: &joined)
        }
        w.string(utf8: joined)
    }

    private static func emitPrompt(
        _ json: JSONScanner,
        index: Int,
        content: JSONSpan,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) {
        let parts = textParts(json, content)
        guard !parts.isEmpty else { return }
        emitter.emit("user_prompt", index: index, into: &out) { w in writeText(json, parts, &w) }
    }

    private static func emitToolResult(
        _ json: JSONScanner,
        index: Int,
        callID: JSONSpan?,
        isError: JSONSpan?,
        content: JSONSpan?,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) {
        emitter.emit("tool_result", index: index, into: &out) { w in
            w.key("call_id")
            if let callID { w.raw(json.raw(callID)) } else { w.null() }
            w.key("is_error")
            if let isError, isError.kind == .true || isError.kind == .false {
                w.raw(json.raw(isError))
            } else {
                w.null()
            }
            writeText(json, textParts(json, content), &w)
        }
    }
}
