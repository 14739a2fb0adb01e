// The flows of a capture, folded from its records in one pass: per flow the few facts of its
// flow record and request body (session, time, provider, model, prompt) and what its events
// and flow_end say. Records may come in any file order (`sse_lines.jsonl` before
// `sse_flows.jsonl` works): events are kept by flow_id until the flow record names the
// provider, and `finish()` orders the flows by (ts, flow_id) and assigns the prompts, with
// retries removed, exactly as bench/anchors/README.md defines them. Memory is per flow (no
// bodies are kept); the events of a flow are assumed to arrive in `seq` order, which is how
// a capture writes them.

import TapCodec

public final class FlowState {
    public let flowID: String
    public var hasRecord = false
    public var sessionID: String?
    public var ts: String?
    public var providerName: String?
    public var provider: Provider = .other
    /// `request.body` was present and not null (then no ws frame supplies the body).
    public var bodyFromRequest = false
    public var hasBody = false
    /// Canonical JSON of the body's `model`, nil when the body has none.
    public var model: [UInt8]?
    public var promptCandidate: [UInt8]?
    public var itemCount = 0
    /// Set by `finish()` on the flows whose prompt survives deduplication.
    public var prompt: [UInt8]?
    public var fold = EventFold()
    /// The provider the events were folded with (inferred when they came before the flow record).
    public var foldProvider: Provider?
    public var hasEnd = false
    public var status: [UInt8]?
    public var statusText: String?
    public var endTS: String?
    /// Event times in microseconds (only with FoldNeeds.times): first event, first and last
    /// token event, last event, and the gaps between consecutive token events.
    public var firstEventUS: Int64?
    public var lastEventUS: Int64?
    public var firstTokenUS: Int64?
    public var lastTokenUS: Int64?
    public var tokenEvents = 0
    public var tokenGapsUS: [Int64] = []

    init(flowID: String) { self.flowID = flowID }

    /// Complete means a flow_end was seen.
    public var isPartial: Bool { !hasEnd }
}

public struct FlowTable {
    public let needs: FoldNeeds
    public var flows: [String: FlowState] = [:]
    /// Record counts by kind, for the tools' summaries.
    public var records = 0
    /// First client `response.create` frame of flows whose flow record has not come yet
    /// (the events file read before the flows file): the body, copied, until the record comes.
    var earlyBodies: [String: [UInt8]] = [:]

    /// When set, an sse line that holds none of these byte strings cannot change the answer
    /// and is skipped before any parsing (turns needs only tool starts and usage).
    public var eventLiterals: [[UInt8]]?

    public init(needs: FoldNeeds) {
        self.needs = needs
        if needs.isSubset(of: [.toolNames, .usage]) && !needs.isEmpty {
            // Three scans cover the six literals of the reference's patterns (`"usage"`, tool_use,
            // function_call, custom_tool_call, local_shell_call, `"tool_calls"`): each contains
            // `"usage"`, `tool_` or `_call`. A prefilter may pass more lines, never fewer, and
            // each memmem is a pass over the line, so fewer literals is less work.
            eventLiterals = ["\"usage\"", "tool_", "_call"].map { Array($0.utf8) }
        }
    }

    /// False when an sse line cannot matter (see `eventLiterals`).
    @inline(__always)
    public func mayMatter(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let literals = eventLiterals, let base = line.baseAddress else { return true }
        for literal in literals {
            let hit = literal.withUnsafeBytes { findBytes(base, line.count, $0.baseAddress, $0.count) }
            if hit != nil { return true }
        }
        return false
    }

    /// Which record types this table reads (the others are skipped unchecked).
    public func reads(_ type: CaptureType) -> Bool {
        switch type {
        case .flow, .ws, .flowEnd: return true
        case .sse: return !needs.isEmpty
        case .other: return false
        }
    }

    private mutating func state(_ flowID: String) -> FlowState {
        if let s = flows[flowID] { return s }
        let s = FlowState(flowID: flowID)
        flows[flowID] = s
        return s
    }

    /// Feeds one record already classified as `type`.
    public mutating func feed(_ view: RecordView, type: CaptureType) {
        records += 1
        let json = view.json
        switch type {
        case .flow:
            records -= 1  // feedFlow counts it
            _ = feedFlow(view)
        case .ws:
            guard let id = json.text(view.field("flow_id")) else { return }
            let direction = view.field("direction")
            if json.isString(direction, "client") {
                guard let data = view.field("data"), data.kind == .object,
                    json.isString(json.field("type", in: data), "response.create")
                else { return }
                guard let s = flows[id], s.hasRecord else {
                    if earlyBodies[id] == nil { earlyBodies[id] = json.rawArray(data) }
                    return
                }
                guard !s.bodyFromRequest, !s.hasBody else { return }
                body(data, s, json)
            } else if json.isString(direction, "server") {
                event(view, id)
            }
        case .sse:
            guard let id = json.text(view.field("flow_id")) else { return }
            event(view, id)
        case .flowEnd:
            guard let id = json.text(view.field("flow_id")) else { return }
            let s = state(id)
            guard !s.hasEnd else { return }
            s.hasEnd = true
            let status = view.field("status")
            s.status = json.canonical(status)
            s.statusText = json.text(status)
            s.endTS = json.text(view.field("ts"))
        case .other:
            break
        }
    }

    /// A flow record, parsed in one pass (FlowLineParser); false when the line is not one
    /// balanced JSON object (a record cut mid-line), which the caller reports as a bad line.
    public mutating func feedFlow(_ view: RecordView) -> Bool {
        let json = view.json
        guard let parser = FlowLineParser(json.bytes), let f = parser.parse(objectAt: view.root.start) else {
            return false
        }
        records += 1
        guard let id = json.text(f.flowID) else { return true }
        let s = state(id)
        guard !s.hasRecord else { return true }  // the first flow record of an id wins
        s.hasRecord = true
        s.sessionID = json.text(f.sessionID)
        s.ts = json.text(f.ts)
        s.providerName = json.text(f.provider)
        s.provider = Provider(name: s.providerName)
        if let body = f.body, body.kind != .null {
            s.bodyFromRequest = true
            if body.kind == .object {
                s.hasBody = true
                s.model = json.canonical(f.model)
                let facts = promptFacts(fields: f, provider: s.provider, in: json)
                s.promptCandidate = facts.text
                s.itemCount = facts.itemCount
            }
        }
        if let used = s.foldProvider, used != s.provider {
            s.fold = EventFold()
            s.foldProvider = s.provider
        }
        if let early = earlyBodies.removeValue(forKey: id), !s.bodyFromRequest {
            early.withUnsafeBytes { buffer in
                let scanner = JSONScanner(buffer)
                if let root = scanner.root(), root.kind == .object { body(root, s, scanner) }
            }
        }
        return true
    }

    private func body(_ body: JSONSpan, _ s: FlowState, _ json: JSONScanner) {
        s.hasBody = true
        s.model = json.canonical(json.field("model", in: body))
        let facts = promptFacts(body: body, provider: s.provider, in: json)
        s.promptCandidate = facts.text
        s.itemCount = facts.itemCount
    }

    private mutating func event(_ view: RecordView, _ id: String) {
        let s = state(id)
        guard let data = view.field("data") else {
            s.fold.events += 1
            return
        }
        let provider: Provider
        if s.hasRecord {
            provider = s.provider
        } else {
            provider = s.foldProvider ?? inferProvider(data, view.json)
        }
        s.foldProvider = provider
        s.fold.feed(data, provider: provider, needs: needs, json: view.json)
        if needs.contains(.times), let span = view.field("ts"), span.kind == .string,
            let t = Timestamp(
                iso8601: UnsafeRawBufferPointer(rebasing: view.json.bytes[(span.start + 1)..<(span.end - 1)])
            )?.microseconds
        {
            if s.firstEventUS == nil { s.firstEventUS = t }
            s.lastEventUS = t
            if s.fold.lastWasToken {
                s.tokenEvents += 1
                if let last = s.lastTokenUS { s.tokenGapsUS.append(t - last) } else { s.firstTokenUS = t }
                s.lastTokenUS = t
            }
        }
    }

    /// Orders the flows that have a flow record by (ts, flow_id) and marks the prompt flows.
    public func finish() -> [FlowState] {
        var order = flows.values.filter(\.hasRecord)
        order.sort { a, b in
            let ta = a.ts ?? ""
            let tb = b.ts ?? ""
            if ta != tb { return utf8Less(ta, tb) }
            return utf8Less(a.flowID, b.flowID)
        }
        var seen = Set<PromptKey>()
        for f in order {
            f.prompt = nil
            guard let text = f.promptCandidate else { continue }
            if seen.insert(PromptKey(session: f.sessionID, items: f.itemCount, text: text)).inserted {
                f.prompt = text
            }
        }
        return order
    }
}

struct PromptKey: Hashable {
    var session: String?
    var items: Int
    var text: [UInt8]

    /// The text in one call (see ByteKey): the synthesized hash would feed it a byte at a time.
    func hash(into hasher: inout Hasher) {
        hasher.combine(session)
        hasher.combine(items)
        text.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The API an event belongs to, from its shape (usage and out-of-order inputs).
public func inferProvider(_ data: JSONSpan, _ json: JSONScanner) -> Provider {
    guard data.kind == .object else { return .other }
    if let type = json.field("type", in: data), type.kind == .string, let text = json.string(type) {
        if text.hasPrefix("response.") { return .responses }
        switch text {
        case "message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta",
            "content_block_stop", "ping":
            return .anthropic
        default: break
        }
    }
    if json.isString(json.field("object", in: data), "chat.completion.chunk") { return .chat }
    return .other
}

/// Newest first by (ts, flow_id), the first `limit` (0: all), reversed when `oldestFirst`.
public func newestFirst<T>(_ rows: [T], limit: Int, oldestFirst: Bool, key: (T) -> (String, String)) -> [T] {
    var rows = rows
    rows.sort { a, b in
        let (ta, fa) = key(a)
        let (tb, fb) = key(b)
        if ta != tb { return utf8Less(tb, ta) }
        return utf8Less(fb, fa)
    }
    if limit > 0, rows.count > limit { rows.removeLast(rows.count - limit) }
    if oldestFirst { rows.reverse() }
    return rows
}
