// bash-detect's record filter: one ShellCallDetector per tool call (flow_id, block index), and
// the two outputs. Pure: records in, bytes out; the terminal width comes from the caller.
//
// NDJSON out (the wire format): every record passes through unchanged (with --function-only,
// delta records other than a tool call's block_start/tool_args/block_end are dropped); after
// the delta whose fragment closes a recognised call's arguments comes one `bash` record:
//   {"v":1,"type":"bash","flow_id","session_id","ts","call_id","tool","shell","argv","command",
//    "workdir","description"?,"detected_at_seq","complete":true}
// A recognised call whose arguments never close (cut off) gets its `bash` record after its
// block_end (or at the end of input) with "complete":false. `detected_at_seq` is the `seq` of
// the delta that made the pattern certain, or its 1-based position in the call without seq.
//
// Text out (the seed's two paths): an unrecognised call prints its fragments provisionally on
// one erasable line (newlines as spaces); at detection that line is erased (`\r ESC[2K`, one
// more `ESC[1A ESC[2K` per wrapped row), a header `[TOOL] Bash command:` is printed and the
// command follows verbatim, decoded, as it streams. An unrecognised call ends as a flat line.

import TapCodec

struct BashDetectFilter {
    enum Output { case ndjson, text }

    struct Call {
        var detector: ShellCallDetector
        var fragments: Int64 = 0
        var callID: String?
        var tool: String?
        var reported = false
    }

    let output: Output
    let functionOnly: Bool
    let color: Bool
    /// Terminal columns, to erase a provisional line that wrapped.
    let width: Int
    var calls: [DeltaStreamKey: Call] = [:]
    // Screen state (text mode).
    var provisionalOwner: DeltaStreamKey?
    var provisionalColumns = 0
    var commandOwner: DeltaStreamKey?
    var textOwner: DeltaStreamKey?
    var atLineStart = true
    private var fragment: [UInt8] = []

    init(output: Output, functionOnly: Bool, color: Bool, width: Int) {
        self.output = output
        self.functionOnly = functionOnly
        self.color = color
        self.width = max(width, 10)
    }

    /// One record; `sourceSeq` is the seq of the event it was decoded from, if any. Returns
    /// true when it was a tool-call fragment (the caller may pace on it).
    @discardableResult
    mutating func feed(_ record: Record, sourceSeq: Int64? = nil, into out: inout [UInt8]) -> Bool {
        guard let delta = DeltaFragment(record) else {
            if output == .ndjson { out.appendLine(record.line) }
            return false
        }
        let key = delta.key
        if delta.isKind("block_start") {
            let tool = delta.tool
            let callID = delta.callID
            if tool != nil || callID != nil {
                calls[key] = Call(detector: ShellCallDetector(toolName: tool), callID: callID, tool: tool)
            }
            passThrough(record, toolCall: calls[key] != nil, into: &out)
            return false
        }
        if delta.isKind("tool_args") {
            var call = calls.removeValue(forKey: key) ?? Call(detector: ShellCallDetector(toolName: delta.tool))
            call.fragments += 1
            fragment.removeAll(keepingCapacity: true)
            delta.decodeText(into: &fragment)
            let seq = delta.seq ?? sourceSeq ?? call.fragments
            let step = fragment.withUnsafeBytes { call.detector.feed($0, seq: seq) }
            switch output {
            case .ndjson:
                out.appendLine(record.line)
                if step.completed, call.detector.isDetected, !call.reported {
                    call.reported = true
                    writeBash(call, key, delta, into: &out)
                }
            case .text:
                render(step, &call, key, into: &out)
            }
            calls[key] = call
            return true
        }
        if delta.isKind("block_end") {
            let call = calls.removeValue(forKey: key)
            passThrough(record, toolCall: call != nil, into: &out)
            if let call { endCall(call, key, delta, into: &out) }
            return false
        }
        // Text and reasoning: shown unless --function-only; other kinds are not drawn.
        switch output {
        case .ndjson:
            if !functionOnly { out.appendLine(record.line) }
        case .text:
            if !functionOnly, delta.isKind("text") || delta.isKind("reasoning") {
                fragment.removeAll(keepingCapacity: true)
                delta.decodeText(into: &fragment)
                showText(key, kind: delta.kind, into: &out)
            }
        }
        return false
    }

    /// End of input: calls still open end as if their block ended.
    mutating func finish(into out: inout [UInt8]) {
        let open = calls.keys.sorted {
            $0.flow.lexicographicallyPrecedes($1.flow) || ($0.flow == $1.flow && $0.index < $1.index)
        }
        for key in open {
            if let call = calls.removeValue(forKey: key) { endCall(call, key, nil, into: &out) }
        }
        if output == .text, !atLineStart { newline(into: &out) }
    }

    mutating func endCall(_ call: Call, _ key: DeltaStreamKey, _ delta: DeltaFragment?, into out: inout [UInt8]) {
        switch output {
        case .ndjson:
            if call.detector.isDetected, !call.reported { writeBash(call, key, delta, into: &out) }
        case .text:
            if provisionalOwner == key || commandOwner == key {
                if !atLineStart { newline(into: &out) }
                provisionalOwner = nil
                commandOwner = nil
            }
        }
    }

    func passThrough(_ record: Record, toolCall: Bool, into out: inout [UInt8]) {
        guard output == .ndjson, toolCall || !functionOnly else { return }
        out.appendLine(record.line)
    }

    // MARK: - Text view

    mutating func render(
        _ step: ShellCallDetector.Step,
        _ call: inout Call,
        _ key: DeltaStreamKey,
        into out: inout [UInt8]
    ) {
        let detector = call.detector
        if !detector.isDetected {
            // Provisional: the fragment on the call's one erasable line.
            if provisionalOwner != key {
                if !atLineStart { newline(into: &out) }
                commandOwner = nil
                textOwner = nil
                provisionalOwner = key
                let prefix = "[\(call.tool ?? "tool_args")] "
                append(paint(prefix, ANSI.dim), into: &out)
                provisionalColumns = prefix.count
            }
            for c in fragment {
                let shown: UInt8 = c < 0x20 ? 0x20 : c
                out.append(shown)
                if c & 0xC0 != 0x80 { provisionalColumns += 1 }
            }
            atLineStart = false
            return
        }
        if step.detected {
            if provisionalOwner == key {
                eraseProvisional(into: &out)
            } else if !atLineStart {
                newline(into: &out)
            }
            provisionalOwner = nil
            header(detector, continued: false, into: &out)
            commandOwner = key
        } else if commandOwner != key, !step.commandText.isEmpty || step.completed {
            if !atLineStart { newline(into: &out) }
            provisionalOwner = nil
            header(detector, continued: true, into: &out)
            commandOwner = key
        }
        if !step.commandText.isEmpty {
            out.append(contentsOf: step.commandText)
            atLineStart = step.commandText.last == 0x0A
        }
        if step.completed {
            if !atLineStart { newline(into: &out) }
            if let description = detector.descriptionText {
                append(paint("  # " + description, ANSI.dim) + "\n", into: &out)
            }
        }
    }

    /// Erases the provisional line, and the rows it wrapped onto.
    mutating func eraseProvisional(into out: inout [UInt8]) {
        let rows = provisionalColumns == 0 ? 1 : (provisionalColumns - 1) / width + 1
        append(ANSI.eraseLine, into: &out)
        for _ in 1..<max(rows, 1) { append("\u{1B}[1A\u{1B}[2K", into: &out) }
        atLineStart = true
        provisionalColumns = 0
    }

    mutating func header(_ detector: ShellCallDetector, continued: Bool, into out: inout [UInt8]) {
        var text = "[TOOL] Bash command"
        if continued { text += " (continued)" }
        text += ":"
        if let workdir = detector.workdir { text += " (workdir: \(workdir))" }
        append(color ? ANSI.bold + ANSI.brightYellow + text + ANSI.reset : text, into: &out)
        newline(into: &out)
    }

    mutating func showText(_ key: DeltaStreamKey, kind: String, into out: inout [UInt8]) {
        guard !fragment.isEmpty else { return }
        if textOwner != key {
            if !atLineStart { newline(into: &out) }
            provisionalOwner = nil
            commandOwner = nil
            textOwner = key
            append(paint("[\(kind)]", kind == "reasoning" ? ANSI.cyan : ANSI.magenta) + " ", into: &out)
        }
        out.append(contentsOf: fragment)
        atLineStart = fragment.last == 0x0A
    }

    func paint(_ text: String, _ code: String) -> String { ANSI.paint(text, code, enabled: color) }

    mutating func append(_ text: String, into out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
        if let last = text.utf8.last { atLineStart = last == 0x0A }
    }

    mutating func newline(into out: inout [UInt8]) {
        out.append(0x0A)
        atLineStart = true
    }

    // MARK: - NDJSON

    func writeBash(_ call: Call, _ key: DeltaStreamKey, _ delta: DeltaFragment?, into out: inout [UInt8]) {
        let d = call.detector
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("v", 1)
            w.field("type", RecordType.bash)
            w.key("flow_id")
            w.raw(key.flow.isEmpty ? Array("null".utf8) : key.flow)
            if let delta {
                if let session = delta.record.field("session_id") {
                    w.field("session_id", raw: delta.record.json.raw(session))
                }
                if let ts = delta.record.field("ts") { w.field("ts", raw: delta.record.json.raw(ts)) }
            }
            w.field("index", key.index)
            w.field("call_id", call.callID)
            w.field("tool", call.tool)
            w.field("shell", d.shell)
            w.key("argv")
            if d.form == .array {
                w.beginArray()
                for element in d.argv { w.string(element) }
                w.endArray()
            } else {
                w.null()
            }
            w.key("command")
            w.string(utf8: d.command)
            w.field("workdir", d.workdir)
            if let description = d.descriptionText { w.field("description", description) }
            w.field("detected_at_seq", d.detectedAtSeq ?? 0)
            w.field("complete", d.isComplete)
            w.endObject()
            w.newline()
        }
    }
}

extension BashDetectFilter {
    /// `--raw`: one fragment of the single call on standard input (no records around it).
    mutating func feedRawFragment(_ chunk: UnsafeRawBufferPointer, seq: Int64, into out: inout [UInt8]) {
        let key = DeltaStreamKey(flow: [], index: 0)
        var call = calls.removeValue(forKey: key) ?? Call(detector: ShellCallDetector(toolName: nil))
        call.fragments += 1
        fragment = Array(chunk)
        let step = call.detector.feed(chunk, seq: seq)
        switch output {
        case .ndjson:
            if step.completed, call.detector.isDetected, !call.reported {
                call.reported = true
                writeBash(call, key, nil, into: &out)
            }
        case .text:
            render(step, &call, key, into: &out)
        }
        calls[key] = call
    }
}
