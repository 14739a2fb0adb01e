// json-pretty-stream's record filter: one PrettyFormatter per tool call (flow_id, block
// index), fed the `tool_args` fragments in order. Pure: records in, bytes out.
//
// NDJSON out (the wire format): each tool_args delta gets `"pretty"`, the uncoloured pretty
// text its fragment produced; the call's `block_end` gets `"pretty"` with what the end of the
// call produced (the final newline, or what an incomplete call left). Joined in order, the
// `pretty` fields of one call are exactly the text output. Other records pass through
// byte for byte.

import TapCodec

struct PrettyFilter {
    enum Output { case ndjson, text }

    let output: Output
    let indent: Int
    let style: PrettyStyle
    var calls: [DeltaStreamKey: PrettyFormatter] = [:]
    /// Tool names from block_start, for the text headers.
    var tools: [DeltaStreamKey: String] = [:]
    var shownKey: DeltaStreamKey?
    var atLineStart = true
    private var fragment: [UInt8] = []
    private var pretty: [UInt8] = []

    init(output: Output, indent: Int, color: Bool) {
        self.output = output
        self.indent = indent
        style = color && output == .text ? .color : .plain
    }

    /// One record; returns a warning when a call's JSON turns out invalid.
    mutating func feed(_ record: Record, into out: inout [UInt8]) -> String? {
        guard let delta = DeltaFragment(record) else {
            if output == .ndjson { out.appendLine(record.line) }
            return nil
        }
        if delta.isKind("block_start") {
            if let tool = delta.tool { tools[delta.key] = tool }
        } else if delta.isKind("tool_args") {
            fragment.removeAll(keepingCapacity: true)
            pretty.removeAll(keepingCapacity: true)
            delta.decodeText(into: &fragment)
            var formatter = calls.removeValue(forKey: delta.key) ?? PrettyFormatter(indent: indent, style: style)
            let hadError = formatter.error != nil
            fragment.withUnsafeBytes { formatter.feed($0, into: &pretty) }
            let warning =
                !hadError
                ? formatter.error.map {
                    "call \(delta.key.index) of flow \(delta.key.flowID): invalid JSON (\($0)), the rest passes through raw"
                } : nil
            calls[delta.key] = formatter
            emit(record, delta.key, into: &out)
            return warning
        } else if delta.isKind("block_end") || delta.isKind("message_end") {
            pretty.removeAll(keepingCapacity: true)
            if delta.isKind("block_end") {
                end(delta.key)
            }
            emit(record, delta.key, into: &out, onlyIfPretty: true)
            return nil
        }
        if output == .ndjson { out.appendLine(record.line) }
        return nil
    }

    /// End of input: calls still open are finished (text mode only: NDJSON has no record to
    /// carry it, and the calls' fragments are all out already).
    mutating func finish(into out: inout [UInt8]) {
        let open = calls.keys.sorted {
            $0.flow.lexicographicallyPrecedes($1.flow) || ($0.flow == $1.flow && $0.index < $1.index)
        }
        for key in open {
            pretty.removeAll(keepingCapacity: true)
            end(key)
            if output == .text { show(key, into: &out) }
        }
        if output == .text, !atLineStart { out.append(0x0A) }
    }

    /// Ends one call: what its formatter still has goes to `pretty`.
    mutating func end(_ key: DeltaStreamKey) {
        guard var formatter = calls.removeValue(forKey: key) else { return }
        formatter.finish(into: &pretty)
        tools[key] = nil
    }

    mutating func emit(_ record: Record, _ key: DeltaStreamKey, into out: inout [UInt8], onlyIfPretty: Bool = false) {
        switch output {
        case .ndjson:
            if onlyIfPretty && pretty.isEmpty {
                out.appendLine(record.line)
                return
            }
            var extra: [UInt8] = []
            extra.reserveCapacity(pretty.count + 16)
            RecordSplice.member("pretty", string: pretty, into: &extra)
            RecordSplice.appendLine(record.line, root: record.root, replacing: nil, with: [], adding: extra, into: &out)
        case .text:
            show(key, into: &out)
        }
    }

    /// Text mode: a header when the call shown changes, then the pretty text.
    mutating func show(_ key: DeltaStreamKey, into out: inout [UInt8]) {
        guard !pretty.isEmpty else { return }
        if shownKey != key {
            shownKey = key
            if !atLineStart { out.append(0x0A) }
            let tool = tools[key].map { " \($0)" } ?? ""
            let header = "--- flow \(key.flowID) call \(key.index)\(tool) ---"
            out.append(contentsOf: (style.isPlain ? header : ANSI.bold + ANSI.brightYellow + header + ANSI.reset).utf8)
            out.append(0x0A)
        }
        out.append(contentsOf: pretty)
        atLineStart = pretty.last == 0x0A
    }
}
