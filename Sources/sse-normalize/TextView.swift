// The text view of sse-normalize (`--format text`, the default on a terminal): the deltas rendered for a
// person — the answer as it streams, reasoning dimmed, tool calls with their arguments, prompts, tool
// results, errors and how each message ended. Pure: NDJSON lines in, terminal text out.

import TapCLI
import TapCodec

struct DeltaTextView {
    let color: Bool
    /// Whether the last byte written ended a line (so headers start on a fresh line).
    private var atLineStart = true
    /// The last usage line per flow, shown with its message_end.
    private var usageByFlow: [String: String] = [:]
    /// The flow of the last line shown: when deltas of another flow come in between, a header says whose.
    private var lastFlow: String?

    init(color: Bool) {
        self.color = color
    }

    /// Renders every complete line of `ndjson` (the decoder's output) into `out`.
    mutating func render(_ ndjson: [UInt8], into out: inout [UInt8]) {
        var start = 0
        while start < ndjson.count {
            let end = ndjson[start...].firstIndex(of: 0x0A) ?? ndjson.count
            ndjson[start..<end].withUnsafeBytes { renderLine($0, into: &out) }
            start = end + 1
        }
    }

    private mutating func renderLine(_ line: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard let record = Record(line: line, validate: false), let type = record.type else { return }
        switch type {
        case RecordType.flow:
            lastFlow = record.flowID
            let parts = [record.flowID, record.string("provider"), record.string("method"), record.string("url")]
            header("── " + parts.compactMap { $0 }.joined(separator: " "), ANSI.brightBlack, into: &out)
        case RecordType.delta:
            renderDelta(record, into: &out)
        default:
            return  // flow_end and other records have nothing to show here
        }
    }

    private mutating func renderDelta(_ record: Record, into out: inout [UInt8]) {
        let text = record.string("text") ?? ""
        if let flow = record.flowID, flow != lastFlow {
            if lastFlow != nil { header("── " + flow, ANSI.brightBlack, into: &out) }
            lastFlow = flow
        }
        switch record.string("kind") {
        case "text":
            write(text, nil, into: &out)
        case "reasoning":
            write(text, ANSI.dim, into: &out)
        case "tool_args":
            write(text, ANSI.cyan, into: &out)
        case "block_start":
            switch record.string("block") {
            case "tool": header("→ " + (record.string("tool") ?? "tool") + " ", ANSI.cyan, newline: false, into: &out)
            case "reasoning": header("thinking: ", ANSI.dim, newline: false, into: &out)
            default: lineBreak(into: &out)
            }
        case "block_end":
            lineBreak(into: &out)
        case "user_prompt":
            header("> " + text, ANSI.bold, into: &out)
        case "tool_result":
            let flat = text.replacing("\n", with: " ")
            let shown = flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
            header("← " + (record.string("call_id") ?? "result") + ": " + shown, ANSI.brightBlack, into: &out)
        case "usage":
            let numbers = ["input_tokens", "output_tokens", "cache_read_tokens"].map { key in
                "\(key.split(separator: "_")[0]) \(record.int(key) ?? 0)"
            }
            usageByFlow[record.flowID ?? ""] = numbers.joined(separator: " · ")
        case "message_end":
            let usage = usageByFlow.removeValue(forKey: record.flowID ?? "").map { " · " + $0 } ?? ""
            header("■ " + (record.string("stop_reason") ?? "end") + usage, ANSI.brightBlack, into: &out)
        case "error":
            let kind = record.string("error_type").map { " " + $0 } ?? ""
            header("error" + kind + ": " + text, ANSI.red, into: &out)
        default:
            return
        }
    }

    private mutating func write(_ text: String, _ style: String?, into out: inout [UInt8]) {
        guard !text.isEmpty else { return }
        let painted = style.map { ANSI.paint(text, $0, enabled: color) } ?? text
        out.append(contentsOf: painted.utf8)
        atLineStart = text.hasSuffix("\n")
    }

    private mutating func lineBreak(into out: inout [UInt8]) {
        if !atLineStart { out.append(0x0A) }
        atLineStart = true
    }

    /// A line of its own (or, with `newline: false`, the start of one).
    private mutating func header(_ text: String, _ style: String, newline: Bool = true, into out: inout [UInt8]) {
        lineBreak(into: &out)
        out.append(contentsOf: ANSI.paint(text, style, enabled: color).utf8)
        if newline { out.append(0x0A) }
        atLineStart = newline
    }
}

/// Where decoded output goes: straight out as NDJSON, or through the text view.
struct OutputStage {
    private var view: DeltaTextView?
    private var scratch: [UInt8] = []

    init(format: OutputFormat, color: Bool) {
        view = format == .text ? DeltaTextView(color: color) : nil
    }

    /// Runs `produce` (which appends NDJSON) and writes its output, rendered when the format is text.
    mutating func write(into out: inout [UInt8], _ produce: (inout [UInt8]) -> Void) {
        guard view != nil else { return produce(&out) }
        scratch.removeAll(keepingCapacity: true)
        produce(&scratch)
        view?.render(scratch, into: &out)
    }
}
