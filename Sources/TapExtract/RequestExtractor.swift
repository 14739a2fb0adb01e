// extract-requests' state machine: one pass over a capture, every wanted data type at once.
//
// Request bodies are read once each, in flow order, straight from the line they are on; no
// body is kept. A Codex WebSocket flow has no body in its flow record (it arrives in the
// first client `response.create` frame), so flows wait in a short queue until their body is
// known; only bodies queued behind such a flow are copied. Flows are taken in input order,
// which is (ts, flow_id) order for a capture's own logs. Texts that every request resends
// (system prompts, tool definitions, assistant messages) are written once per content hash.
// Event types are folded per flow (FlowTable) and written at the end, in flow order.

import TapCodec

public struct RequestExtractor {
    public let types: [RequestType]
    let want: Set<RequestType>
    /// Pending output per type; the command drains it to files or to one tagged stream.
    public var output: [RequestType: [UInt8]] = [:]
    /// Event-side facts (only when an event type is wanted).
    var events: FlowTable?

    struct Meta {
        var flowID: String
        var sessionID: String?
        var ts: String?
        var providerName: String?
        var provider: Provider
        var method: [UInt8]?
        var url: [UInt8]?
        var httpStatus: [UInt8]?
        var headers: [UInt8]?
        /// The body came from a ws `response.create` frame (its `type` key is not part of it).
        var fromWebSocket = false
    }

    struct Pending {
        var meta: Meta
        var resolved: Bool
        /// A copy of the body's JSON text, when it had to wait in the queue.
        var body: [UInt8]?
    }

    var queue: [Pending] = []
    var queueHead = 0
    var waitingForBody: [String: Int] = [:]
    var seenFlows = Set<String>()
    static let queueLimit = 512

    // Per-type state.
    var promptKeys = Set<PromptKey>()
    var systemSeen: [String: Int] = [:]
    var systemRows: [DedupRow] = []
    var toolSeen: [String: Int] = [:]
    /// Definitions and system texts as sent (raw bytes) → their row: every request resends the
    /// same ones, so the canonical form and SHA-256 are computed once per distinct spelling.
    var toolRawSeen: [ByteKey: Int] = [:]
    var systemRawSeen: [ByteKey: Int] = [:]
    var toolRows: [DedupRow] = []
    var callSeen: [[UInt8]: CallInfo] = [:]
    var resultSeen = Set<[UInt8]>()
    var assistantSeen = Set<String>()
    var partSeen = Set<String>()
    var sessionCalls: [String?: Int] = [:]
    var sessionItems: [String?: Int] = [:]
    /// The item arrays of earlier requests, to walk only what a request adds (ResentItems.swift).
    var resent = ResentItems()
    /// Resent items skipped so far (their bytes matched an earlier request's), for tests.
    public private(set) var resentItemsSkipped = 0
    var modelRows: [String: ModelRow] = [:]
    var modelOrder: [String] = []
    var toolStats: [String: ToolStats] = [:]

    struct DedupRow {
        var fields: [UInt8]  // the record up to `flows`, then `tail` after it
        var flows: Int
        var tail: [UInt8]
    }

    struct CallInfo {
        var flowID: String
        var name: [UInt8]?
        var nameText: String?
    }

    struct ModelRow {
        var provider: String?
        var model: [UInt8]
        var flows = 0
        var firstTS: String?
        var lastTS: String?
    }

    struct ToolStats {
        var calls = 0
        var results = 0
        var errors = 0
        var sessions = Set<String?>()
    }

    /// `rememberedItemBytes`: how many bytes of earlier requests' item arrays are kept to skip
    /// their resent items (ResentItems.swift); 0 walks every item of every request (tests).
    public init(types: [RequestType], rememberedItemBytes: Int = 24 << 20) {
        self.types = types
        want = Set(types)
        resent.budget = rememberedItemBytes
        if types.contains(where: \.fromEvents) {
            events = FlowTable(needs: [.usage, .stop, .errors, .times])
        }
    }

    /// Which record types the pass reads.
    public func reads(_ type: CaptureType) -> Bool {
        switch type {
        case .flow, .ws: return true
        case .sse, .flowEnd: return events != nil
        case .other: return false
        }
    }

    // MARK: - Feeding

    private static let flowKeys = ["flow_id", "session_id", "ts", "provider", "method", "url", "status", "request"]
    private var flowSpans = [JSONSpan?](repeating: nil, count: 8)

    /// A flow record's line: parsed by FlowLineParser, which skips the items this session sent
    /// before with the same bytes (ResentItems), then fed as `feedFlow`. False when the line is
    /// not one balanced object (a bad line).
    public mutating func feedFlowLine(_ view: RecordView, _ line: UnsafeRawBufferPointer) -> Bool {
        guard let parser = FlowLineParser(line) else { return false }
        let json = view.json
        guard
            let fields = parser.parse(
                objectAt: view.root.start,
                knownItems: { fields, start in
                    guard let base = line.baseAddress else { return ResentItems.Prefix() }
                    let key = ResentItems.Key(
                        session: json.text(fields.sessionID),
                        provider: Provider(name: json.text(fields.provider))
                    )
                    return resent.knownPrefix(key, base, start: start, end: line.count)
                }
            )
        else { return false }
        feedFlow(view, fields)
        return true
    }

    /// A flow record already parsed by FlowLineParser (its fields reused, the record not walked again).
    public mutating func feedFlow(_ view: RecordView, _ f: FlowLineFields) {
        if events != nil { events?.feed(view, type: .flow) }
        let json = view.json
        guard let id = json.text(f.flowID), seenFlows.insert(id).inserted else { return }
        let meta = Meta(
            flowID: id,
            sessionID: json.text(f.sessionID),
            ts: json.text(f.ts),
            providerName: json.text(f.provider),
            provider: Provider(name: json.text(f.provider)),
            method: json.canonical(f.method),
            url: json.canonical(f.url),
            httpStatus: json.canonical(f.status),
            headers: json.canonical(f.headers)
        )
        // The items arrays the line parser already counted, for `process` (same buffer, now).
        lineItems = LineItems(base: json.bytes.baseAddress, body: f.body, messages: f.messages, input: f.input)
        defer { lineItems = nil }
        arriveFlow(meta, body: f.body, json)
    }

    /// What FlowLineParser found in the body of the flow record being fed.
    struct LineItems {
        var base: UnsafeRawPointer?
        var body: JSONSpan?
        var messages: ItemsSummary?
        var input: ItemsSummary?
    }
    var lineItems: LineItems?

    public mutating func feed(_ view: RecordView, type: CaptureType) {
        if events != nil { events?.feed(view, type: type) }
        let json = view.json
        switch type {
        case .flow:
            // One pass over the record's members instead of a scan from the start per field.
            view.fields(Self.flowKeys, into: &flowSpans)
            let f = flowSpans
            guard let id = json.text(f[0]), seenFlows.insert(id).inserted else { return }
            let meta = Meta(
                flowID: id,
                sessionID: json.text(f[1]),
                ts: json.text(f[2]),
                providerName: json.text(f[3]),
                provider: Provider(name: json.text(f[3])),
                method: json.canonical(f[4]),
                url: json.canonical(f[5]),
                httpStatus: json.canonical(f[6]),
                headers: json.canonical(json.member(f[7], "headers"))
            )
            arriveFlow(meta, body: json.member(f[7], "body"), json)
        case .ws:
            guard json.isString(view.field("direction"), "client"), let id = json.text(view.field("flow_id")),
                let index = waitingForBody[id], let data = view.field("data"), data.kind == .object,
                json.isString(json.field("type", in: data), "response.create")
            else { return }
            waitingForBody[id] = nil
            queue[index].resolved = true
            queue[index].meta.fromWebSocket = true
            if index == queueHead {
                queueHead += 1
                process(queue[index].meta, data, json)
                drainResolved()
            } else {
                queue[index].body = json.rawArray(data)
            }
        default:
            break
        }
    }

    /// A flow record: its body now, or later from a WebSocket frame.
    private mutating func arriveFlow(_ meta: Meta, body: JSONSpan?, _ json: JSONScanner) {
        if let body, body.kind != .null {
            arrive(Pending(meta: meta, resolved: true), body: body.kind == .object ? body : nil, json)
        } else {
            waitingForBody[meta.flowID] = queue.count
            queue.append(Pending(meta: meta, resolved: false))
            trimQueue()
        }
    }

    /// A flow whose body is known: processed now when nothing waits before it, else queued.
    private mutating func arrive(_ pending: Pending, body: JSONSpan?, _ json: JSONScanner) {
        if queueHead == queue.count {
            if let body { process(pending.meta, body, json) }
            return
        }
        var pending = pending
        pending.body = body.map { json.rawArray($0) }
        queue.append(pending)
        trimQueue()
    }

    /// Processes queued flows from the head while their bodies are known.
    private mutating func drainResolved() {
        while queueHead < queue.count, queue[queueHead].resolved {
            let entry = queue[queueHead]
            queue[queueHead].body = nil
            queueHead += 1
            if let body = entry.body { processCopy(entry.meta, body) }
        }
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        }
    }

    /// A WebSocket flow whose body never came must not hold the whole log back.
    private mutating func trimQueue() {
        while queue.count - queueHead > Self.queueLimit {
            if !queue[queueHead].resolved { waitingForBody[queue[queueHead].meta.flowID] = nil }
            queue[queueHead].resolved = true
            drainResolved()
            if queueHead < queue.count, !queue[queueHead].resolved { continue }
        }
    }

    private mutating func processCopy(_ meta: Meta, _ body: [UInt8]) {
        body.withUnsafeBytes { buffer in
            let json = JSONScanner(buffer)
            if let root = json.root(), root.kind == .object { process(meta, root, json) }
        }
    }

    // MARK: - One body

    private func has(_ t: RequestType) -> Bool { want.contains(t) }

    private mutating func process(_ m: Meta, _ body: JSONSpan, _ json: JSONScanner) {
        let p = m.provider
        // The body's members once, skipped fast: every field below is a lookup in this short
        // list, not a walk over the whole conversation again.
        guard let fast = FlowLineParser(json.bytes) else { return }
        // The flow line's parse already walked its items arrays: their ends and counts are reused.
        let line = lineItems.flatMap { $0.base == json.bytes.baseAddress && $0.body == body ? $0 : nil }
        let counted = [line?.messages, line?.input].compactMap { $0 }.filter { $0.span.kind == .array }
        let bodyMembers = fast.memberSpans(of: body, known: counted.map(\.span))
        func field(_ name: String) -> JSONSpan? {
            let key = Array(name.utf8)
            return bodyMembers.first { $0.key == key }?.value
        }
        let itemsSpan = p == .responses ? field("input") : field("messages")
        let items: Items
        var summary: ItemsSummary?
        switch itemsSpan?.kind {
        case .array?:
            if let itemsSpan {
                items = .array(itemsSpan)
                summary = counted.first { $0.span == itemsSpan } ?? fast.summary(of: itemsSpan)
            } else {
                items = .none
            }
        case .string? where p == .responses:
            items = itemsSpan.map { .text($0) } ?? .none
        default:
            items = .none
        }
        var itemCount = 0
        switch items {
        case .none: break
        case .text: itemCount = 1
        case .array: itemCount = summary?.count ?? 0
        }
        let tools = field("tools").flatMap { $0.kind == .array ? $0 : nil }
        let toolCount = tools.map { fast.summary(of: $0).count } ?? 0
        let model = json.canonical(field("model"))
        var prompt: [UInt8]?
        if has(.userPrompts) || has(.callIndex) {
            let facts: PromptFacts
            switch items {
            case .none: facts = PromptFacts(text: nil, itemCount: 0)
            case .text(let input): facts = promptFacts(text: input, in: json)
            case .array: facts = promptFacts(last: summary?.last, count: itemCount, provider: p, in: json)
            }
            if let text = facts.text,
                promptKeys.insert(PromptKey(session: m.sessionID, items: facts.itemCount, text: text)).inserted
            {
                prompt = text
            }
        }

        if has(.config) {
            emit(.config, m, base: .flowFirst) { w in
                w.field("model", json: model)
                w.field("stream", json: json.canonical(field("stream")))
                w.field("max_tokens", json: json.canonical(field("max_tokens") ?? field("max_output_tokens")))
                w.field("temperature", json: json.canonical(field("temperature")))
                w.field(
                    "reasoning",
                    json: json.canonical(
                        field("thinking") ?? field("reasoning") ?? field("reasoning_effort")
                    )
                )
                w.field("tool_choice", json: json.canonical(field("tool_choice")))
                w.field("n_tools", toolCount)
                w.field("n_items", itemCount)
            }
        }
        let systemRaw: [UInt8]? =
            p == .anthropic
            ? field("system").map { json.rawArray($0) }
            : p == .responses ? field("instructions").map { json.rawArray($0) } : nil
        if has(.systemPrompts), let raw = systemRaw, let i = systemRawSeen[ByteKey(raw)] {
            systemRows[i].flows += 1
        } else if has(.systemPrompts), let text = systemText(p, field, json), !text.isEmpty {
            let hash = sha256Hex(text)
            if let i = systemSeen[hash] {
                systemRows[i].flows += 1
                if let raw = systemRaw { systemRawSeen[ByteKey(raw)] = i }
            } else {
                if let raw = systemRaw { systemRawSeen[ByteKey(raw)] = systemRows.count }
                systemSeen[hash] = systemRows.count
                var head = JSONWriter(capacity: 128)
                head.beginObject()
                head.field("hash", hash)
                head.field("provider", m.providerName)
                head.field("first_flow_id", m.flowID)
                head.field("first_ts", m.ts)
                var tail = JSONWriter(capacity: text.count + 32)
                tail.key("chars")
                tail.int(String(decoding: text, as: UTF8.self).unicodeScalars.count)
                tail.field("text", utf8: text)
                systemRows.append(DedupRow(fields: head.bytes, flows: 1, tail: tail.bytes))
            }
        }
        if has(.userPrompts), let prompt {
            emit(.userPrompts, m, base: .none) { w in
                w.field("session_id", m.sessionID)
                w.field("flow_id", m.flowID)
                w.field("ts", m.ts)
                w.field("provider", m.providerName)
                w.field("model", json: model)
                w.field("text", utf8: prompt)
            }
        }
        if has(.toolsDefined), let tools {
            json.forEachElement(of: tools) { t in
                guard t.kind == .object else { return true }
                let raw = ByteKey(json.rawArray(t))
                if let i = toolRawSeen[raw] {
                    toolRows[i].flows += 1
                    return true
                }
                var definition: [UInt8] = []
                json.writeCanonical(t, into: &definition)
                let hash = sha256Hex(definition)
                if let i = toolSeen[hash] {
                    toolRows[i].flows += 1
                    toolRawSeen[raw] = i
                } else {
                    toolRawSeen[raw] = toolRows.count
                    toolSeen[hash] = toolRows.count
                    var name = json.field("name", in: t)
                    if !isTruthy(name, json) { name = json.member(json.field("function", in: t), "name") }
                    var head = JSONWriter(capacity: 128)
                    head.beginObject()
                    head.field("hash", hash)
                    head.field("provider", m.providerName)
                    head.field("name", json: json.canonical(name))
                    head.field("first_flow_id", m.flowID)
                    head.field("first_ts", m.ts)
                    var tail = JSONWriter(capacity: definition.count + 16)
                    tail.key("definition")
                    tail.raw(definition)
                    toolRows.append(DedupRow(fields: head.bytes, flows: 1, tail: tail.bytes))
                }
                return true
            }
        }
        if has(.toolCalls) || has(.toolResults) || has(.callLinkage) || has(.functionCallErrors) || has(.toolUsageStats)
            || has(.assistantMessages) || has(.reasoningPresence) || has(.imagesAndFiles) || has(.cacheControl)
        {
            conversation(m, items, json)
        }
        if has(.callIndex) {
            let index = sessionCalls[m.sessionID, default: 0]
            sessionCalls[m.sessionID] = index + 1
            emit(.callIndex, m, base: .flowFirst) { w in
                w.field("model", json: model)
                w.field("call_index", index)
                w.field("n_items", itemCount)
                w.field("is_prompt", prompt != nil)
            }
        }
        if has(.telemetry) {
            let metadata = field("metadata") ?? field("client_metadata")
            let cacheKey = field("prompt_cache_key")
            let userID = json.member(metadata, "user_id")
            if metadata != nil || cacheKey != nil {
                emit(.telemetry, m, base: .flowFirst) { w in
                    w.field("metadata", json: json.canonical(metadata))
                    w.field("user_id", json: json.canonical(userID))
                    w.field("prompt_cache_key", json: json.canonical(cacheKey))
                    w.field("store", json: json.canonical(field("store")))
                    w.field("include", json: json.canonical(field("include")))
                }
            }
        }
        if has(.headers) {
            emit(.headers, m, base: .flowFirst) { w in w.field("headers", json: m.headers) }
        }
        if has(.envelope) {
            emit(.envelope, m, base: .flowFirst) { w in
                w.field("method", json: m.method)
                w.field("url", json: m.url)
                w.field("http_status", json: m.httpStatus)
                w.field("transport", m.fromWebSocket ? "websocket" : "http")
                w.key("body_keys")
                w.beginArray()
                json.forEachMember(of: body) { key, _ in
                    if !(m.fromWebSocket && json.stringEquals(key, "type")) { w.raw(json.canonical(key) ?? []) }
                    return true
                }
                w.endArray()
                w.field("body_bytes", body.count)
            }
        }
        if has(.conversationGrowth) {
            let previous = sessionItems[m.sessionID]
            sessionItems[m.sessionID] = itemCount
            emit(.conversationGrowth, m, base: .flowFirst) { w in
                w.field("n_items", itemCount)
                w.key("items_added")
                if let previous { w.int(itemCount - previous) } else { w.null() }
                w.field("body_bytes", body.count)
                w.field("n_tools", toolCount)
            }
        }
        if has(.models), let model {
            let key = (m.providerName ?? "") + "\u{0}" + String(decoding: model, as: UTF8.self)
            if modelRows[key] == nil {
                modelRows[key] = ModelRow(provider: m.providerName, model: model, firstTS: m.ts)
                modelOrder.append(key)
            }
            modelRows[key]?.flows += 1
            modelRows[key]?.lastTS = m.ts
        }
        if has(.thinkingConfig) {
            let thinking =
                field("thinking") ?? field("reasoning")
                ?? field("reasoning_effort")
            if let thinking {
                emit(.thinkingConfig, m, base: .flowFirst) { w in
                    w.field("model", json: model)
                    w.field("thinking", json: json.canonical(thinking))
                    w.field("budget_tokens", json: json.canonical(json.member(thinking, "budget_tokens")))
                    w.field(
                        "effort",
                        json: json.canonical(
                            json.member(thinking, "effort") ?? (thinking.kind == .string ? thinking : nil)
                        )
                    )
                }
            }
        }
        if has(.toolChoice), let choice = field("tool_choice") {
            emit(.toolChoice, m, base: .flowFirst) { w in
                w.field("tool_choice", json: json.canonical(choice))
                w.field("parallel_tool_calls", json: json.canonical(field("parallel_tool_calls")))
                w.field("n_tools", toolCount)
            }
        }
    }

    // MARK: - Conversation items: tool calls and results, assistant messages, parts

    private mutating func conversation(_ m: Meta, _ items: Items, _ json: JSONScanner) {
        guard case .array(let array) = items else { return }
        var thinkingBlocks = 0
        var cacheMarks = 0
        // The wanted types as locals: `has` called inside the item closure (which captures the
        // mutating self) made Swift copy the whole extractor, all its tables, for every item.
        let wantsReasoning = has(.reasoningPresence)
        let wantsCache = has(.cacheControl)
        let wantsAssistant = has(.assistantMessages)
        let wantsLinkage = has(.callLinkage)
        let wantsErrors = has(.functionCallErrors)
        let wantsImages = has(.imagesAndFiles)
        let wantsCalls = has(.toolCalls)
        let wantsResults = has(.toolResults)
        let wantsStats = has(.toolUsageStats)
        var imageParts = 0
        // Items this session sent before with the same bytes were walked then: skip them.
        let key = ResentItems.Key(session: m.sessionID, provider: m.provider)
        let base = json.bytes.baseAddress
        let known = base.map { resent.knownPrefix(key, $0, start: array.start, end: array.end) } ?? .init()
        thinkingBlocks = known.counts.reasoning
        cacheMarks = known.counts.cacheMarks
        var index = known.items - 1
        resentItemsSkipped += known.items
        var walkedStarts: [Int] = []
        var walkedEnds: [Int] = []
        var walkedCounts: [ResentItems.Counts] = []
        defer {
            if let base {
                resent.remember(
                    key,
                    base,
                    start: array.start,
                    prefix: known,
                    walkedStarts: walkedStarts,
                    walkedEnds: walkedEnds,
                    walkedCounts: walkedCounts
                )
            }
        }
        json.forEachElement(of: array, after: known.end) { item in
            index += 1
            defer {
                walkedStarts.append(item.start - array.start)
                walkedEnds.append(item.end - array.start)
                walkedCounts.append(.init(reasoning: thinkingBlocks, cacheMarks: cacheMarks))
            }
            guard item.kind == .object else { return true }
            let role = json.field("role", in: item)
            let content = json.field("content", in: item)
            var calls: [(id: [UInt8], name: JSONSpan?, args: () -> [UInt8])] = []
            var results: [(id: [UInt8], isError: Bool, output: () -> [UInt8])] = []
            let null: [UInt8] = Array("null".utf8)
            switch m.provider {
            case .anthropic:
                guard let content, content.kind == .array else { break }
                let isAssistant = json.isString(role, "assistant")
                let isUser = json.isString(role, "user")
                json.forEachElement(of: content) { blk in
                    guard blk.kind == .object else { return true }
                    let type = json.field("type", in: blk)
                    if isAssistant, json.isString(type, "tool_use") {
                        calls.append(
                            (
                                json.canonical(json.field("id", in: blk)) ?? null, json.field("name", in: blk),
                                { json.canonical(json.field("input", in: blk)) ?? null }
                            )
                        )
                    } else if isUser, json.isString(type, "tool_result") {
                        results.append(
                            (
                                json.canonical(json.field("tool_use_id", in: blk)) ?? null,
                                isTruthy(json.field("is_error", in: blk), json),
                                { textOf(json.field("content", in: blk), json) }
                            )
                        )
                    }
                    if wantsReasoning, json.isString(type, "thinking") || json.isString(type, "redacted_thinking") {
                        thinkingBlocks += 1
                    }
                    if wantsCache, json.field("cache_control", in: blk) != nil { cacheMarks += 1 }
                    return true
                }
            case .responses:
                let type = json.field("type", in: item)
                if json.isString(type, "function_call") {
                    calls.append(
                        (
                            json.canonical(json.field("call_id", in: item)) ?? null, json.field("name", in: item),
                            { maybeJSON(json.field("arguments", in: item), json) }
                        )
                    )
                } else if json.isString(type, "custom_tool_call") {
                    calls.append(
                        (
                            json.canonical(json.field("call_id", in: item)) ?? null, json.field("name", in: item),
                            { json.canonical(json.field("input", in: item)) ?? null }
                        )
                    )
                } else if json.isString(type, "function_call_output") || json.isString(type, "custom_tool_call_output")
                {
                    results.append(
                        (
                            json.canonical(json.field("call_id", in: item)) ?? null, false,
                            { textOf(json.field("output", in: item), json) }
                        )
                    )
                } else if json.isString(type, "reasoning") {
                    thinkingBlocks += 1
                }
            case .chat:
                if json.isString(role, "assistant") {
                    if let tcs = json.field("tool_calls", in: item), tcs.kind == .array {
                        json.forEachElement(of: tcs) { tc in
                            let fn = json.member(tc, "function")
                            calls.append(
                                (
                                    json.canonical(json.member(tc, "id")) ?? null, json.member(fn, "name"),
                                    { maybeJSON(json.member(fn, "arguments"), json) }
                                )
                            )
                            return true
                        }
                    }
                    if json.isPresent(json.field("reasoning_content", in: item)) { thinkingBlocks += 1 }
                } else if json.isString(role, "tool") {
                    results.append(
                        (json.canonical(json.field("tool_call_id", in: item)) ?? null, false, { textOf(content, json) })
                    )
                }
            case .other:
                break
            }
            if wantsImages, let content, content.kind == .array {
                json.forEachElement(of: content) { part in
                    guard part.kind == .object, let type = json.text(json.field("type", in: part)),
                        ["image", "image_url", "input_image", "document", "input_file", "file"].contains(type)
                    else { return true }
                    imageParts += 1
                    var canonical: [UInt8] = []
                    json.writeCanonical(part, into: &canonical)
                    let hash = sha256Hex(canonical)
                    guard partSeen.insert(hash).inserted else { return true }
                    let source = json.field("source", in: part)
                    let media = json.member(source, "media_type") ?? json.field("mime_type", in: part)
                    emit(.imagesAndFiles, m, base: .flowFirst) { w in
                        w.field("hash", hash)
                        w.field("item_index", index)
                        w.field("part_type", type)
                        w.field("media_type", json: json.canonical(media))
                        w.field("bytes", canonical.count)
                    }
                    return true
                }
            }
            if wantsAssistant,
                json.isString(role, "assistant")
                    || (m.provider == .responses && json.isString(json.field("type", in: item), "message")
                        && json.isString(role, "assistant"))
            {
                var canonical: [UInt8] = []
                json.writeCanonical(item, into: &canonical)
                let hash = sha256Hex(canonical)
                if assistantSeen.insert(hash).inserted {
                    let text = textOf(content, json)
                    emit(.assistantMessages, m, base: .flowFirst) { w in
                        w.field("hash", hash)
                        w.field("item_index", index)
                        w.field("chars", String(decoding: text, as: UTF8.self).unicodeScalars.count)
                        w.field("text", utf8: text)
                        w.field("n_tool_calls", calls.count)
                    }
                }
            }
            for call in calls where callSeen[call.id] == nil {
                let nameText = json.text(call.name)
                callSeen[call.id] = CallInfo(flowID: m.flowID, name: json.canonical(call.name), nameText: nameText)
                if wantsCalls {
                    emit(.toolCalls, m, base: .callFirst(call.id)) { w in
                        w.field("name", json: json.canonical(call.name))
                        w.field("arguments", json: call.args())
                    }
                }
                if let nameText {
                    toolStats[nameText, default: ToolStats()].calls += 1
                    toolStats[nameText]?.sessions.insert(m.sessionID)
                }
            }
            for result in results where resultSeen.insert(result.id).inserted {
                let output = result.output()
                if wantsResults {
                    emit(.toolResults, m, base: .callFirst(result.id)) { w in
                        w.field("is_error", result.isError)
                        w.field("output", utf8: output)
                    }
                }
                let call = callSeen[result.id]
                if wantsLinkage {
                    emit(.callLinkage, m, base: .callFirst(result.id)) { w in
                        w.field("name", json: call?.name)
                        w.field("call_flow_id", call?.flowID)
                        w.field("is_error", result.isError)
                    }
                }
                // Only two types use the error guess (a costly look at the output's start).
                let failed =
                    (wantsErrors || wantsStats) && (result.isError || looksLikeError(output))
                if let name = call?.nameText {
                    toolStats[name, default: ToolStats()].results += 1
                    if failed { toolStats[name]?.errors += 1 }
                }
                if wantsErrors, failed {
                    emit(.functionCallErrors, m, base: .callFirst(result.id)) { w in
                        w.field("name", json: call?.name)
                        w.field("is_error", result.isError)
                        w.field("output", utf8: Array(output.prefix(2000)))
                    }
                }
            }
            return true
        }
        if wantsReasoning {
            emit(.reasoningPresence, m, base: .flowFirst) { w in
                w.field("reasoning_items", thinkingBlocks)
                w.field("has_reasoning", thinkingBlocks > 0)
            }
        }
        if wantsCache, m.provider == .anthropic {
            emit(.cacheControl, m, base: .flowFirst) { w in w.field("cache_control_blocks", cacheMarks) }
        }
        _ = imageParts
    }

    // MARK: - Writing

    enum Base {
        /// No common fields: the closure writes them all.
        case none
        /// `flow_id, session_id, ts, provider` first.
        case flowFirst
        /// `call_id, session_id, flow_id, ts, provider` first.
        case callFirst([UInt8])
    }

    private mutating func emit(_ type: RequestType, _ m: Meta, base: Base, _ body: (inout JSONWriter) -> Void) {
        JSONWriter.append(to: &output[type, default: []]) { w in
            w.beginObject()
            switch base {
            case .none: break
            case .flowFirst:
                w.field("flow_id", m.flowID)
                w.field("session_id", m.sessionID)
                w.field("ts", m.ts)
                w.field("provider", m.providerName)
            case .callFirst(let id):
                w.field("call_id", json: id)
                w.field("session_id", m.sessionID)
                w.field("flow_id", m.flowID)
                w.field("ts", m.ts)
                w.field("provider", m.providerName)
            }
            body(&w)
            w.endObject()
            w.newline()
        }
    }

    // MARK: - Finish

    /// Processes what still waits, then writes the types known only at the end.
    public mutating func finish() {
        for i in queueHead..<queue.count where !queue[i].resolved {
            waitingForBody[queue[i].meta.flowID] = nil
            queue[i].resolved = true
        }
        drainResolved()
        if has(.systemPrompts) { writeDedup(systemRows, .systemPrompts) }
        if has(.toolsDefined) { writeDedup(toolRows, .toolsDefined) }
        if has(.models) {
            for key in modelOrder {
                guard let row = modelRows[key] else { continue }
                JSONWriter.append(to: &output[.models, default: []]) { w in
                    w.beginObject()
                    w.field("provider", row.provider)
                    w.field("model", json: row.model)
                    w.field("flows", row.flows)
                    w.field("first_ts", row.firstTS)
                    w.field("last_ts", row.lastTS)
                    w.endObject()
                    w.newline()
                }
            }
        }
        if has(.toolUsageStats) {
            let names = toolStats.keys.sorted { a, b in
                let ca = toolStats[a]?.calls ?? 0
                let cb = toolStats[b]?.calls ?? 0
                return ca != cb ? ca > cb : utf8Less(a, b)
            }
            for name in names {
                guard let s = toolStats[name] else { continue }
                JSONWriter.append(to: &output[.toolUsageStats, default: []]) { w in
                    w.beginObject()
                    w.field("name", name)
                    w.field("calls", s.calls)
                    w.field("results", s.results)
                    w.field("errors", s.errors)
                    w.field("sessions", s.sessions.count)
                    w.endObject()
                    w.newline()
                }
            }
        }
        if let table = events { eventTypes(table.finish()) }
    }

    private mutating func writeDedup(_ rows: [DedupRow], _ type: RequestType) {
        var out = output[type, default: []]
        for row in rows {
            out += row.fields
            out += Array(",\"flows\":\(row.flows),".utf8)
            out += row.tail
            out.append(UInt8(ascii: "}"))
            out.append(0x0A)
        }
        output[type] = out
    }

    private mutating func eventTypes(_ flows: [FlowState]) {
        for f in flows {
            let m = Meta(
                flowID: f.flowID,
                sessionID: f.sessionID,
                ts: f.ts,
                providerName: f.providerName,
                provider: f.provider
            )
            let u = f.fold.usage
            if has(.usage), let u {
                emit(.usage, m, base: .flowFirst) { w in
                    w.field("model", json: u.model?.bytes ?? f.model)
                    w.field("input", u.input)
                    w.field("output", u.output)
                    w.field("cache_read", u.cacheRead)
                    w.field("cache_write", u.cacheWrite)
                    w.partial(f.isPartial)
                }
            }
            if has(.cacheUsage), let u {
                emit(.cacheUsage, m, base: .flowFirst) { w in
                    w.field("input", u.input)
                    w.field("cache_read", u.cacheRead)
                    w.field("cache_write", u.cacheWrite)
                    let total = u.input + u.cacheRead + u.cacheWrite
                    w.key("hit_ratio")
                    if total > 0 {
                        w.raw(Array(formatRatio(Double(u.cacheRead) / Double(total)).utf8))
                    } else {
                        w.null()
                    }
                }
            }
            if has(.stopReasons) {
                emit(.stopReasons, m, base: .flowFirst) { w in
                    w.field("stop_reason", json: f.fold.stopReason)
                    w.field("status", json: f.status)
                    w.partial(f.isPartial)
                }
            }
            if has(.errors), f.fold.error != nil || (f.statusText != nil && f.statusText != "complete") {
                emit(.errors, m, base: .flowFirst) { w in
                    w.field("status", json: f.status)
                    w.field("error", json: f.fold.error)
                    w.partial(f.isPartial)
                }
            }
            if has(.latency) {
                let start = f.ts.flatMap { Timestamp(iso8601: $0) }?.microseconds
                emit(.latency, m, base: .flowFirst) { w in
                    w.key("ttfb_ms")
                    if let start, let first = f.firstEventUS { w.int(floorDiv(first - start, 1000)) } else { w.null() }
                    w.key("duration_ms")
                    if let start, let end = f.endTS.flatMap({ Timestamp(iso8601: $0) }) {
                        w.int(floorDiv(end.microseconds - start, 1000))
                    } else {
                        w.null()
                    }
                    w.field("events", f.fold.events)
                    w.partial(f.isPartial)
                }
            }
        }
    }

    /// Takes the pending output of each type (the command writes it out).
    public mutating func drain(_ body: (RequestType, [UInt8]) throws -> Void) rethrows {
        for type in types {
            guard let bytes = output[type], !bytes.isEmpty else { continue }
            output[type] = []
            try body(type, bytes)
        }
    }

    public var pendingBytes: Int { output.values.reduce(0) { $0 + $1.count } }
}

// MARK: - Helpers shared with the reference's definitions

/// anthropic `system` (string, or its text blocks joined with "\n"); Responses `instructions`;
/// chat: the string contents of system messages joined with "\n".
func systemText(_ p: Provider, _ field: (String) -> JSONSpan?, _ json: JSONScanner) -> [UInt8]? {
    switch p {
    case .anthropic:
        guard let s = field("system") else { return nil }
        if s.kind == .string { return json.decoded(s) }
        guard s.kind == .array else { return nil }
        return joinTexts(s, types: ["text"], json)
    case .responses:
        return json.decoded(field("instructions"))
    case .chat, .other:
        guard let messages = field("messages"), messages.kind == .array else { return nil }
        var parts: [[UInt8]] = []
        json.forEachElement(of: messages) { m in
            guard m.kind == .object, json.isString(json.field("role", in: m), "system") else { return true }
            guard let c = json.field("content", in: m) else { return true }
            if c.kind == .string {
                parts.append(json.decoded(c) ?? [])
            } else if c.kind == .array {
                json.forEachElement(of: c) { y in
                    if y.kind == .object, json.isString(json.field("type", in: y), "text") {
                        parts.append(json.decoded(json.field("text", in: y)) ?? [])
                    }
                    return true
                }
            }
            return true
        }
        if parts.isEmpty { return nil }
        return Array(parts.joined(separator: [0x0A]))
    }
}

/// The `text` of the array's object elements whose type is listed, joined with "\n".
func joinTexts(_ array: JSONSpan, types: [String], _ json: JSONScanner) -> [UInt8] {
    var out: [UInt8] = []
    var first = true
    json.forEachElement(of: array) { y in
        guard y.kind == .object, let t = json.field("type", in: y), types.contains(where: { json.stringEquals(t, $0) })
        else { return true }
        if !first { out.append(0x0A) }
        first = false
        out += json.decoded(json.field("text", in: y)) ?? []
        return true
    }
    return out
}

/// The reference's `text_of`: a string as is, text parts joined, other values as compact JSON.
func textOf(_ x: JSONSpan?, _ json: JSONScanner) -> [UInt8] {
    guard let x, x.kind != .null else { return [] }
    if x.kind == .string { return json.decoded(x) ?? [] }
    if x.kind == .array { return joinTexts(x, types: ["text", "input_text", "output_text"], json) }
    return json.canonical(x) ?? []
}

/// The reference's `maybe_json`: a string that holds JSON becomes its value.
func maybeJSON(_ x: JSONSpan?, _ json: JSONScanner) -> [UInt8] {
    guard let x else { return Array("null".utf8) }
    if x.kind == .string, let text = json.decoded(x), let parsed = canonicalJSON(ofText: text) { return parsed }
    return json.canonical(x) ?? Array("null".utf8)
}

/// Python truthiness of a JSON value.
func isTruthy(_ x: JSONSpan?, _ json: JSONScanner) -> Bool {
    guard let x else { return false }
    switch x.kind {
    case .true: return true
    case .false, .null: return false
    case .number: return (json.double(x) ?? 0) != 0
    case .string: return x.count > 2
    case .object, .array:
        var any = false
        if x.kind == .object {
            json.forEachMember(of: x) { _, _ in
                any = true
                return false
            }
        } else {
            json.forEachElement(of: x) { _ in
                any = true
                return false
            }
        }
        return any
    }
}

/// A tool output that reads as a failure even without `is_error` (shells and runtimes).
func looksLikeError(_ output: [UInt8]) -> Bool {
    let prefix = output.prefix(200)
    // ASCII (the usual case): the same tests on the bytes, lowercased, without building a String
    // (Swift's Unicode-aware contains was 5% of extract-requests). For ASCII both agree: no
    // pattern starts or ends with CR or LF, so no match splits a CRLF grapheme. Anything else
    // takes the String path, which also lowercases non-ASCII letters (the Kelvin sign to k).
    if prefix.allSatisfy({ $0 < 0x80 }) {
        let head = prefix.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        func starts(_ text: StaticString) -> Bool {
            let n = text.utf8CodeUnitCount
            return head.count >= n && (0..<n).allSatisfy { head[$0] == text.utf8Start[$0] }
        }
        func holds(_ text: StaticString) -> Bool {
            let n = text.utf8CodeUnitCount
            guard head.count >= n else { return false }
            return (0...(head.count - n)).contains { i in (0..<n).allSatisfy { head[i + $0] == text.utf8Start[$0] } }
        }
        return starts("error") || starts("traceback") || holds("exit code: 1") || holds("command failed")
            || starts("fatal:")
    }
    let head = String(decoding: prefix, as: UTF8.self).lowercased()
    return head.hasPrefix("error") || head.hasPrefix("traceback") || head.contains("exit code: 1")
        || head.contains("command failed") || head.hasPrefix("fatal:")
}

func formatRatio(_ value: Double) -> String {
    let scaled = Int64((value * 10000).rounded())
    let frac = String(scaled % 10000)
    return "\(scaled / 10000).\(String(repeating: "0", count: 4 - frac.count) + frac)"
}

/// Bytes as a dictionary key, hashed in one call: `[UInt8]`'s own Hashable feeds the hasher one
/// byte at a time, which made hashing the raw system prompts and tool definitions (kilobytes,
/// once per flow) a tenth of extract-requests' time. Equality is the arrays'.
struct ByteKey: Hashable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    static func == (a: ByteKey, b: ByteKey) -> Bool { a.bytes == b.bytes }
    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
