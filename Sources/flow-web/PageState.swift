// The page-state machine of flow-web: records in (flow, flow_end, delta, bash), page updates out.
// It keeps what the page shows for the last `keep` flows and writes each change as one JSON
// "op" line that the browser applies to its own copy (Page.swift, `apply`):
//
//   {"op":"flow","id","session","provider","url","ts","state"}      a flow starts (or is first seen)
//   {"op":"prompt","id","text"}                                     the user prompt of its request
//   {"op":"block","id","index","block","tool","call_id"}            a text / reasoning / tool block starts
//   {"op":"text","id","index","kind","text"}                        streamed text (kind text|reasoning|tool_args)
//   {"op":"bash","id","call_id","command","shell"}                  bash-detect recognised a shell command
//   {"op":"usage","id","input","output","cache_read","model"}       token counts so far
//   {"op":"state","id","state","reason","ttft_ms","duration_ms"}    STREAMING / DONE / DEAD
//   {"op":"evict","id"}                                             paged out (memory stays flat)
//   {"op":"full", …}                                                one whole flow, for a new browser
//
// States follow flow-interleave's rules: a flow STREAMs until message_end (DONE), an error
// delta, an HTTP status >= 400 or a flow_end other than `complete` (DEAD). Text per block is
// capped at `maxBlockBytes` so one runaway flow cannot hold the memory either.
// Pure: no I/O, no clock (times come with the records).

import TapCodec

struct PageState {
    enum FlowState: String {
        case streaming = "STREAMING"
        case done = "DONE"
        case dead = "DEAD"
    }

    struct Block {
        var index: Int64
        var kind: String  // text | reasoning | tool | other
        var tool: String?
        var callID: String?
        var text: [UInt8] = []
        var truncated = false
    }

    struct Flow {
        var id: String
        var session: String?
        var provider: String?
        var url: String?
        var ts: String?
        var start: Timestamp?
        var state = FlowState.streaming
        var reason: String?
        var prompt: String?
        var blocks: [Block] = []
        var bash: [(callID: String?, command: String, shell: String?)] = []
        var usage: (input: Int64?, output: Int64?, cacheRead: Int64?, model: String?)?
        var firstToken: Timestamp?
        var durationMs: Int64?
        var serial: Int
    }

    let keep: Int
    let maxBlockBytes: Int
    private(set) var flows: [String: Flow] = [:]
    private var nextSerial = 0
    /// Flow ids oldest first (by first sighting), for paging out.
    private var age: [String] = []
    private var ageStart = 0
    private(set) var evicted = 0

    init(keep: Int = 1000, maxBlockBytes: Int = 256 << 10) {
        self.keep = max(1, keep)
        self.maxBlockBytes = maxBlockBytes
    }

    /// Applies one record; appends the page ops it causes to `ops` (one JSON object per line).
    mutating func feed(_ record: Record, into ops: inout [UInt8]) {
        guard let type = record.type else { return }
        switch type {
        case RecordType.flow: flowStarted(record, &ops)
        case RecordType.flowEnd: flowEnded(record, &ops)
        case RecordType.delta: delta(record, &ops)
        case RecordType.bash: bash(record, &ops)
        default: return
        }
    }

    /// Every flow the page holds, as `full` ops, oldest first: what a new browser starts from.
    func snapshot(into ops: inout [UInt8]) {
        for flow in flows.values.sorted(by: { $0.serial < $1.serial }) { Self.writeFull(flow, &ops) }
    }

    // MARK: records

    private mutating func flowStarted(_ record: Record, _ ops: inout [UInt8]) {
        guard let id = record.flowID else { return }
        let isNew = flows[id] == nil
        var flow = flows[id] ?? newFlow(id)
        flow.session = record.sessionID ?? flow.session
        flow.provider = record.string("provider") ?? flow.provider
        flow.url = record.string("url")
        flow.ts = record.string("ts")
        flow.start = record.timestamp
        if let status = record.int("status"), status >= 400 {
            flow.state = .dead
            flow.reason = "HTTP \(status)"
        }
        flows[id] = flow
        if isNew { remember(id, &ops) }
        op(&ops) { w in
            w.field("op", "flow")
            w.field("id", id)
            w.field("session", flow.session)
            w.field("provider", flow.provider)
            w.field("url", flow.url)
            w.field("ts", flow.ts)
            w.field("state", flow.state.rawValue)
        }
        if flow.state == .dead { writeState(flow, &ops) }
    }

    private mutating func flowEnded(_ record: Record, _ ops: inout [UInt8]) {
        guard let id = record.flowID, var flow = flows[id] else { return }
        let status = record.string("status") ?? "complete"
        if flow.state == .streaming || status != "complete" {
            flow.state = status == "complete" ? .done : .dead
            if status != "complete" { flow.reason = status }
        }
        flow.durationMs = record.int("duration_ms") ?? flow.durationMs
        flows[id] = flow
        writeState(flow, &ops)
    }

    private mutating func delta(_ record: Record, _ ops: inout [UInt8]) {
        guard let id = record.flowID, let kind = record.string("kind") else { return }
        if flows[id] == nil {
            var flow = newFlow(id)
            flow.session = record.sessionID
            flow.provider = record.string("provider")
            flow.ts = record.string("ts")
            flow.start = record.timestamp
            flows[id] = flow
            remember(id, &ops)
            op(&ops) { w in
                w.field("op", "flow")
                w.field("id", id)
                w.field("session", flow.session)
                w.field("provider", flow.provider)
                w.field("url", nil as String?)
                w.field("ts", flow.ts)
                w.field("state", flow.state.rawValue)
            }
        }
        guard var flow = flows[id] else { return }
        let index = record.int("index") ?? 0
        switch kind {
        case "user_prompt":
            let text = record.string("text") ?? ""
            flow.prompt = flow.prompt.map { $0 + "\n" + text } ?? text
            op(&ops) { w in
                w.field("op", "prompt")
                w.field("id", id)
                w.field("text", flow.prompt)
            }
        case "block_start":
            let block = Block(
                index: index,
                kind: record.string("block") ?? "other",
                tool: record.string("tool"),
                callID: record.string("call_id")
            )
            flow.blocks.append(block)
            op(&ops) { w in
                w.field("op", "block")
                w.field("id", id)
                w.field("index", index)
                w.field("block", block.kind)
                w.field("tool", block.tool)
                w.field("call_id", block.callID)
            }
        case "text", "reasoning", "tool_args":
            var fragment: [UInt8] = []
            if let span = record.field("text"), span.kind == .string {
                _ = record.json.decodeString(span, into: &fragment)
            }
            if flow.firstToken == nil, kind != "tool_args" || !fragment.isEmpty { flow.firstToken = record.timestamp }
            var at = flow.blocks.lastIndex { $0.index == index }
            if at == nil {
                flow.blocks.append(
                    Block(index: index, kind: kind == "tool_args" ? "tool" : kind, tool: nil, callID: nil)
                )
                at = flow.blocks.count - 1
            }
            guard let at else { return }
            let room = maxBlockBytes - flow.blocks[at].text.count
            if room <= 0 {
                flow.blocks[at].truncated = true
            } else {
                flow.blocks[at].text.append(contentsOf: fragment.prefix(room))
                op(&ops) { w in
                    w.field("op", "text")
                    w.field("id", id)
                    w.field("index", index)
                    w.field("kind", kind)
                    w.key("text")
                    w.string(utf8: Array(fragment.prefix(room)))
                }
            }
        case "usage":
            flow.usage = (
                record.int("input_tokens"), record.int("output_tokens"), record.int("cache_read_tokens"),
                record.string("model")
            )
            op(&ops) { w in
                w.field("op", "usage")
                w.field("id", id)
                Self.writeUsage(flow, &w)
            }
        case "message_end":
            if flow.state == .streaming { flow.state = .done }
            flow.reason = record.string("stop_reason") ?? flow.reason
            flows[id] = flow
            return writeState(flow, &ops)
        case "error":
            flow.state = .dead
            flow.reason = record.string("error_type") ?? "error"
            flows[id] = flow
            return writeState(flow, &ops)
        default:
            break
        }
        flows[id] = flow
    }

    private mutating func bash(_ record: Record, _ ops: inout [UInt8]) {
        guard let id = record.flowID, var flow = flows[id], let command = record.string("command") else { return }
        let callID = record.string("call_id")
        let shell = record.string("shell")
        // bash-detect may report a call again as it completes: keep one entry per call.
        if let at = flow.bash.firstIndex(where: { $0.callID == callID && callID != nil }) {
            flow.bash[at] = (callID, command, shell)
        } else {
            flow.bash.append((callID, command, shell))
        }
        flows[id] = flow
        op(&ops) { w in
            w.field("op", "bash")
            w.field("id", id)
            w.field("call_id", callID)
            w.field("command", command)
            w.field("shell", shell)
        }
    }

    // MARK: paging

    private mutating func newFlow(_ id: String) -> Flow {
        nextSerial += 1
        return Flow(id: id, serial: nextSerial)
    }

    /// Records a new flow's age and pages out the oldest when over `keep`: finished flows first.
    private mutating func remember(_ id: String, _ ops: inout [UInt8]) {
        age.append(id)
        while flows.count > keep {
            guard let victim = oldest() else { break }
            flows.removeValue(forKey: victim)
            evicted += 1
            op(&ops) { w in
                w.field("op", "evict")
                w.field("id", victim)
            }
        }
        // The age list keeps ids of flows already gone; compact it now and then.
        if ageStart > 4096, ageStart * 2 > age.count {
            age.removeFirst(ageStart)
            ageStart = 0
        }
    }

    private mutating func oldest() -> String? {
        // Oldest finished flow within the oldest `keep` ids; else the oldest of all.
        var firstLive: String?
        var scanned = 0
        var i = ageStart
        while i < age.count, scanned < keep + 1 {
            let id = age[i]
            if let flow = flows[id] {
                scanned += 1
                if flow.state != .streaming {
                    if i == ageStart { ageStart += 1 }
                    return id
                }
                if firstLive == nil { firstLive = id }
            } else if i == ageStart {
                ageStart += 1
            }
            i += 1
        }
        return firstLive
    }

    // MARK: writing ops

    private func op(_ ops: inout [UInt8], _ body: (inout JSONWriter) -> Void) {
        JSONWriter.append(to: &ops) { w in
            w.beginObject()
            body(&w)
            w.endObject()
            w.newline()
        }
    }

    private func writeState(_ flow: Flow, _ ops: inout [UInt8]) {
        op(&ops) { w in
            w.field("op", "state")
            w.field("id", flow.id)
            Self.writeStateFields(flow, &w)
        }
    }

    private static func writeStateFields(_ flow: Flow, _ w: inout JSONWriter) {
        w.field("state", flow.state.rawValue)
        w.field("reason", flow.reason)
        w.key("ttft_ms")
        if let start = flow.start, let first = flow.firstToken {
            w.int((first.microseconds - start.microseconds) / 1000)
        } else {
            w.null()
        }
        w.key("duration_ms")
        if let ms = flow.durationMs { w.int(ms) } else { w.null() }
    }

    private static func writeUsage(_ flow: Flow, _ w: inout JSONWriter) {
        func number(_ name: String, _ value: Int64?) {
            w.key(name)
            if let value { w.int(value) } else { w.null() }
        }
        number("input", flow.usage?.input ?? nil)
        number("output", flow.usage?.output ?? nil)
        number("cache_read", flow.usage?.cacheRead ?? nil)
        w.field("model", flow.usage?.model ?? nil)
    }

    static func writeFull(_ flow: Flow, _ ops: inout [UInt8]) {
        JSONWriter.append(to: &ops) { w in
            w.beginObject()
            w.field("op", "full")
            w.field("id", flow.id)
            w.field("session", flow.session)
            w.field("provider", flow.provider)
            w.field("url", flow.url)
            w.field("ts", flow.ts)
            w.field("prompt", flow.prompt)
            writeStateFields(flow, &w)
            writeUsage(flow, &w)
            w.key("blocks")
            w.beginArray()
            for block in flow.blocks {
                w.beginObject()
                w.field("index", block.index)
                w.field("block", block.kind)
                w.field("tool", block.tool)
                w.field("call_id", block.callID)
                w.key("text")
                w.string(utf8: block.text)
                w.field("truncated", block.truncated)
                w.endObject()
            }
            w.endArray()
            w.key("bash")
            w.beginArray()
            for call in flow.bash {
                w.beginObject()
                w.field("call_id", call.callID)
                w.field("command", call.command)
                w.field("shell", call.shell)
                w.endObject()
            }
            w.endArray()
            w.endObject()
            w.newline()
        }
    }
}
