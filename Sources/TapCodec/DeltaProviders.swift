// The three provider event decoders behind DeltaDecoder (field reference at the top of DeltaDecoder.swift).
// Each takes one event and the flow's state, writes deltas, and says whether the message ended. Text fragments
// are spliced as the raw JSON strings the provider sent, never decoded and re-encoded.

/// Usage deltas, shared by the three providers.
enum UsageWriter {
    static func emit(
        _ totals: UsageTotals,
        model: [UInt8]?,
        raw: JSONSpan?,
        in json: JSONScanner,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) {
        emitter.emit("usage", into: &out) { w in
            w.field("input_tokens", totals.input)
            w.field("output_tokens", totals.output)
            w.field("cache_read_tokens", totals.cacheRead)
            w.field("cache_write_tokens", totals.cacheWrite)
            w.field("reasoning_tokens", intOrNull: totals.reasoning)
            w.field("model", rawOrNull: model)
            w.key("usage")
            if let raw { w.raw(json.raw(raw)) } else { w.null() }
        }
    }

    /// An error delta from an error object (`type`/`code`, `message`), or from the data itself.
    static func emitError(
        _ error: JSONSpan?,
        in json: JSONScanner,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) {
        emitter.emit("error", into: &out) { w in
            let type = json.stringField("type", in: error) ?? json.field("code", in: error ?? JSONSpan.none)
            w.key("error_type")
            if let type, type.kind == .string || type.kind == .number { w.raw(json.raw(type)) } else { w.null() }
            w.key("error")
            if let error { w.raw(json.raw(error)) } else { w.null() }
            w.key("text")
            if let message = json.stringField("message", in: error) { w.raw(json.raw(message)) } else { w.null() }
        }
    }
}

extension JSONSpan {
    /// An empty span that no lookup matches (so optional chains can stay flat).
    static let none = JSONSpan(kind: .null, start: 0, end: 0)
}

/// What kind of normalised block a provider's block type is.
enum BlockCategory: String {
    case text, reasoning, tool, other

    init(providerType type: String?) {
        switch type {
        case "text", "message", "output_text": self = .text
        case "thinking", "redacted_thinking", "reasoning": self = .reasoning
        case "tool_use", "server_tool_use", "mcp_tool_use", "function_call", "custom_tool_call", "local_shell_call",
            "mcp_call":
            self = .tool
        default: self = .other
        }
    }
}

extension DeltaEmitter {
    /// A `block_start` delta.
    mutating func blockStart(
        index: Int,
        category: BlockCategory,
        blockType: UnsafeRawBufferPointer?,
        tool: UnsafeRawBufferPointer?,
        callID: [UInt8]?,
        into out: inout [UInt8]
    ) {
        emit("block_start", index: index, into: &out) { w in
            w.field("block", category.rawValue)
            w.key("block_type")
            if let blockType { w.raw(blockType) } else { w.null() }
            if category == .tool {
                w.key("tool")
                if let tool { w.raw(tool) } else { w.null() }
                w.field("call_id", rawOrNull: callID)
            }
        }
    }
}

// MARK: - Anthropic Messages

enum AnthropicDecoder {
    static func decode(
        _ event: EventInput,
        _ state: inout FlowState,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) -> Bool {
        let json = event.json
        guard let data = event.data else { return false }
        guard let type = event.type else {
            if event.eventIsError || json.field("error", in: data) != nil {
                UsageWriter.emitError(json.field("error", in: data), in: json, &emitter, into: &out)
                return true
            }
            return false
        }
        let index = Int(json.intField("index", in: data) ?? 0)
        switch type {
        case "content_block_delta":
            guard let delta = json.field("delta", in: data), let deltaType = json.stringField("type", in: delta)
            else { return false }
            if json.stringEquals(deltaType, "text_delta"), let text = json.stringField("text", in: delta) {
                emitter.fragment("text", index: index, text: text, in: json, into: &out)
            } else if json.stringEquals(deltaType, "thinking_delta"), let text = json.stringField("thinking", in: delta)
            {
                emitter.fragment("reasoning", index: index, text: text, in: json, into: &out)
            } else if json.stringEquals(deltaType, "input_json_delta"),
                let text = json.stringField("partial_json", in: delta)
            {
                emitter.fragment(
                    "tool_args",
                    index: index,
                    text: text,
                    in: json,
                    callID: state.callID(ofBlock: index),
                    into: &out
                )
            }
        // signature_delta, citations_delta: no text for the reader; dropped.
        case "content_block_start":
            let block = json.field("content_block", in: data)
            let blockTypeSpan = json.stringField("type", in: block)
            let category = BlockCategory(providerType: blockTypeSpan.flatMap { json.string($0) })
            let callID = json.stringField("id", in: block).map { json.rawArray($0) }
            state.openBlocks.append(OpenBlock(index: index, callID: category == .tool ? callID : nil))
            emitter.blockStart(
                index: index,
                category: category,
                blockType: blockTypeSpan.map { json.raw($0) },
                tool: json.stringField("name", in: block).map { json.raw($0) },
                callID: callID,
                into: &out
            )
            if category == .text, let text = json.stringField("text", in: block), text.count > 2 {
                emitter.fragment("text", index: index, text: text, in: json, into: &out)
            }
        case "content_block_stop":
            _ = state.closeBlock(index)
            emitter.emit("block_end", index: index, into: &out)
        case "message_start":
            let message = json.field("message", in: data)
            if let model = json.stringField("model", in: message) { state.model = json.rawArray(model) }
            var totals = UsageTotals()
            let usage = json.field("usage", in: message ?? JSONSpan.none)
            if let usage, usage.kind == .object {
                merge(usage, in: json, into: &totals)
                state.usage = totals
                UsageWriter.emit(totals, model: state.model, raw: usage, in: json, &emitter, into: &out)
            }
        case "message_delta":
            if let reason = json.field("stop_reason", in: json.field("delta", in: data) ?? JSONSpan.none),
                reason.kind != .null
            {
                state.stopReason = json.rawArray(reason)
            }
            if let usage = json.field("usage", in: data), usage.kind == .object {
                var totals = state.usage ?? UsageTotals()
                merge(usage, in: json, into: &totals)
                state.usage = totals
                UsageWriter.emit(totals, model: state.model, raw: usage, in: json, &emitter, into: &out)
            }
        case "message_stop":
            emitter.emit("message_end", into: &out) { w in w.field("stop_reason", rawOrNull: state.stopReason) }
            return true
        case "error":
            UsageWriter.emitError(json.field("error", in: data), in: json, &emitter, into: &out)
            return true
        default:
            break  // ping and anything new: no delta
        }
        return false
    }

    /// Each field takes the value of the last usage object that holds it as an integer.
    static func merge(_ usage: JSONSpan, in json: JSONScanner, into totals: inout UsageTotals) {
        if let v = json.intField("input_tokens", in: usage) { totals.input = v }
        if let v = json.intField("output_tokens", in: usage) { totals.output = v }
        if let v = json.intField("cache_read_input_tokens", in: usage) { totals.cacheRead = v }
        if let v = json.intField("cache_creation_input_tokens", in: usage) { totals.cacheWrite = v }
    }
}

// MARK: - OpenAI Responses (SSE and WebSocket)

enum ResponsesDecoder {
    static func decode(
        _ event: EventInput,
        _ state: inout FlowState,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) -> Bool {
        let json = event.json
        guard let data = event.data, let type = event.type else { return false }
        let index = Int(json.intField("output_index", in: data) ?? 0)
        switch type {
        case "response.output_text.delta", "response.refusal.delta":
            if let text = json.stringField("delta", in: data) {
                emitter.fragment("text", index: index, text: text, in: json, into: &out)
            }
        case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
            if let text = json.stringField("delta", in: data) {
                emitter.fragment("reasoning", index: index, text: text, in: json, into: &out)
            }
        case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta":
            if let text = json.stringField("delta", in: data) {
                emitter.fragment(
                    "tool_args",
                    index: index,
                    text: text,
                    in: json,
                    callID: state.callID(ofBlock: index),
                    into: &out
                )
            }
        case "response.output_item.added":
            let item = json.field("item", in: data)
            let itemType = json.stringField("type", in: item)
            let category = BlockCategory(providerType: itemType.flatMap { json.string($0) })
            let callID = (json.stringField("call_id", in: item) ?? json.stringField("id", in: item)).map {
                json.rawArray($0)
            }
            state.openBlocks.append(OpenBlock(index: index, callID: category == .tool ? callID : nil))
            let name = json.stringField("name", in: item)
            emitter.blockStart(
                index: index,
                category: category,
                blockType: itemType.map { json.raw($0) },
                tool: (name ?? itemType).map { json.raw($0) },
                callID: callID,
                into: &out
            )
        case "response.output_item.done":
            _ = state.closeBlock(index)
            emitter.emit("block_end", index: index, into: &out)
        case "response.completed", "response.incomplete", "response.failed":
            let response = json.field("response", in: data)
            if let model = json.stringField("model", in: response) { state.model = json.rawArray(model) }
            if let usage = json.field("usage", in: response ?? JSONSpan.none), usage.kind == .object {
                emitUsage(usage, in: json, model: state.model, &emitter, into: &out)
            }
            if type == "response.failed" {
                let error = json.field("error", in: response ?? JSONSpan.none)
                UsageWriter.emitError(error?.kind == .object ? error : nil, in: json, &emitter, into: &out)
                return true
            }
            var reason = json.field("status", in: response ?? JSONSpan.none)
            if type == "response.incomplete",
                let detail = json.stringField("reason", in: json.field("incomplete_details", in: response ?? .none))
            {
                reason = detail
            }
            emitter.emit("message_end", into: &out) { w in
                w.key("stop_reason")
                if let reason { w.raw(json.raw(reason)) } else { w.null() }
            }
            return true
        case "error":
            // The Responses `error` event carries code/message at the top level (or in `error`).
            let error = json.field("error", in: data)
            UsageWriter.emitError(error?.kind == .object ? error : data, in: json, &emitter, into: &out)
            return true
        default:
            break  // created, in_progress, queued, *.done, part added/done: no delta
        }
        return false
    }

    static func emitUsage(
        _ usage: JSONSpan,
        in json: JSONScanner,
        model: [UInt8]?,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) {
        let cached = json.intField("cached_tokens", in: json.field("input_tokens_details", in: usage)) ?? 0
        var totals = UsageTotals()
        totals.input = (json.intField("input_tokens", in: usage) ?? 0) - cached
        totals.cacheRead = cached
        totals.output = json.intField("output_tokens", in: usage) ?? 0
        totals.reasoning = json.intField("reasoning_tokens", in: json.field("output_tokens_details", in: usage))
        UsageWriter.emit(totals, model: model, raw: usage, in: json, &emitter, into: &out)
    }
}

// MARK: - Chat Completions (OpenAI, DeepSeek, Kimi, Groq, …)

enum ChatDecoder {
    static func decode(
        _ event: EventInput,
        _ state: inout FlowState,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) -> Bool {
        if event.isDone {
            closeAll(&state, &emitter, into: &out)
            emitter.emit("message_end", into: &out) { w in w.field("stop_reason", rawOrNull: state.stopReason) }
            return true
        }
        let json = event.json
        guard let data = event.data else { return false }
        if let error = json.field("error", in: data), error.kind != .null {
            UsageWriter.emitError(error.kind == .object ? error : nil, in: json, &emitter, into: &out)
            return true
        }
        if event.eventIsError {
            UsageWriter.emitError(data, in: json, &emitter, into: &out)
            return true
        }
        if let model = json.stringField("model", in: data), state.model == nil { state.model = json.rawArray(model) }
        if let choices = json.field("choices", in: data) {
            var position = 0
            json.forEachElement(of: choices) { choice in
                defer { position += 1 }
                let choiceIndex = json.intField("index", in: choice) ?? Int64(position)
                guard choiceIndex == 0 else { return true }  // n > 1 is not used by agents; choice 0 only
                decodeChoice(choice, in: json, &state, &emitter, header: emitter.header, into: &out)
                return true
            }
        }
        if let usage = json.field("usage", in: data), usage.kind == .object {
            let cached =
                json.intField("cached_tokens", in: usage)
                ?? json.intField("cached_tokens", in: json.field("prompt_tokens_details", in: usage))
                ?? json.intField("prompt_cache_hit_tokens", in: usage) ?? 0
            var totals = UsageTotals()
            totals.input = (json.intField("prompt_tokens", in: usage) ?? 0) - cached
            totals.cacheRead = cached
            totals.output = json.intField("completion_tokens", in: usage) ?? 0
            totals.reasoning = json.intField(
                "reasoning_tokens",
                in: json.field("completion_tokens_details", in: usage)
            )
            let model = json.stringField("model", in: data).map { json.rawArray($0) } ?? state.model
            UsageWriter.emit(totals, model: model, raw: usage, in: json, &emitter, into: &out)
        }
        return false
    }

    private static func decodeChoice(
        _ choice: JSONSpan,
        in json: JSONScanner,
        _ state: inout FlowState,
        _ emitter: inout DeltaEmitter,
        header: DeltaHeader,
        into out: inout [UInt8]
    ) {
        if let delta = json.field("delta", in: choice), delta.kind == .object {
            for (name, isReasoning) in [("reasoning_content", true), ("reasoning", true), ("content", false)] {
                guard let text = json.stringField(name, in: delta), text.count > 2 else { continue }
                let index = run(reasoning: isReasoning, fieldName: name, &state, &emitter, into: &out)
                emitter.fragment(isReasoning ? "reasoning" : "text", index: index, text: text, in: json, into: &out)
            }
            if let calls = json.field("tool_calls", in: delta) {
                var position = 0
                json.forEachElement(of: calls) { call in
                    defer { position += 1 }
                    toolCall(call, position: position, in: json, &state, &emitter, into: &out)
                    return true
                }
            }
        }
        if let reason = json.field("finish_reason", in: choice), reason.kind != .null {
            closeAll(&state, &emitter, into: &out)
            state.stopReason = json.rawArray(reason)
            state.pendingEndTimestamp = Array(header.ts)
        }
    }

    private static func toolCall(
        _ call: JSONSpan,
        position: Int,
        in json: JSONScanner,
        _ state: inout FlowState,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) {
        let toolIndex = json.intField("index", in: call) ?? Int64(position)
        let function = json.field("function", in: call)
        let block: Int
        if let known = state.chatTools.first(where: { $0.toolIndex == toolIndex }) {
            block = known.block
            if let id = json.stringField("id", in: call),
                let open = state.openBlocks.firstIndex(where: { $0.index == block }),
                state.openBlocks[open].callID == nil
            {
                state.openBlocks[open].callID = json.rawArray(id)
            }
        } else {
            closeRun(&state, &emitter, into: &out)
            block = state.nextBlock
            state.nextBlock += 1
            state.chatTools.append((toolIndex, block))
            let callID = json.stringField("id", in: call).map { json.rawArray($0) }
            state.openBlocks.append(OpenBlock(index: block, callID: callID))
            let blockType = json.stringField("type", in: call).map { json.raw($0) } ?? functionType
            emitter.blockStart(
                index: block,
                category: .tool,
                blockType: blockType,
                tool: json.stringField("name", in: function).map { json.raw($0) },
                callID: callID,
                into: &out
            )
        }
        if let arguments = json.stringField("arguments", in: function), arguments.count > 2 {
            emitter.fragment(
                "tool_args",
                index: block,
                text: arguments,
                in: json,
                callID: state.callID(ofBlock: block),
                into: &out
            )
        }
    }

    nonisolated(unsafe) static let functionType: UnsafeRawBufferPointer = {
        let text: StaticString = "\"function\""
        return UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }()

    /// The block of the current text or reasoning run, opening a new one when the kind changes.
    private static func run(
        reasoning: Bool,
        fieldName: String,
        _ state: inout FlowState,
        _ emitter: inout DeltaEmitter,
        into out: inout [UInt8]
    ) -> Int {
        if let run = state.chatRun, run.reasoning == reasoning { return run.index }
        closeRun(&state, &emitter, into: &out)
        let index = state.nextBlock
        state.nextBlock += 1
        state.chatRun = (reasoning, index)
        state.openBlocks.append(OpenBlock(index: index, callID: nil))
        let quoted = Array("\"\(fieldName)\"".utf8)  // a plain ASCII field name: no escaping needed
        quoted.withUnsafeBytes { blockType in
            emitter.blockStart(
                index: index,
                category: reasoning ? .reasoning : .text,
                blockType: blockType,
                tool: nil,
                callID: nil,
                into: &out
            )
        }
        return index
    }

    private static func closeRun(_ state: inout FlowState, _ emitter: inout DeltaEmitter, into out: inout [UInt8]) {
        guard let run = state.chatRun else { return }
        state.chatRun = nil
        _ = state.closeBlock(run.index)
        emitter.emit("block_end", index: run.index, into: &out)
    }

    /// Closes every open block, in index order.
    private static func closeAll(_ state: inout FlowState, _ emitter: inout DeltaEmitter, into out: inout [UInt8]) {
        state.chatRun = nil
        for block in state.openBlocks.sorted(by: { $0.index < $1.index }) {
            emitter.emit("block_end", index: block.index, into: &out)
        }
        state.openBlocks.removeAll()
        state.chatTools.removeAll()
    }

    /// At flow_end or end of input: the `message_end` of a stream that saw `finish_reason` but no `[DONE]`.
    static func finishPending(
        _ state: inout FlowState,
        _ header: DeltaHeader,
        into out: inout [UInt8],
        counter: inout Int
    ) {
        guard state.provider == .chat, state.pendingEndTimestamp != nil else { return }
        var emitter = DeltaEmitter(header: header, provider: .chat)
        emitter.emit("message_end", into: &out) { w in w.field("stop_reason", rawOrNull: state.stopReason) }
        state.pendingEndTimestamp = nil
        counter += emitter.written
    }
}
