// json-pretty-stream: pretty-print and colour JSON that arrives in fragments (tool-call
// arguments as they stream), as jq --indent 2 would print it whole. The work is in
// PrettyFormatter (bytes) and PrettyFilter (records); this file wires options and I/O.

import ArgumentParser
import TapCLI
import TapCodec

@main
struct JSONPrettyStream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json-pretty-stream",
        abstract: "Pretty-print and colour streamed JSON fragments (tool-call arguments) as they arrive.",
        discussion: """
            Reads delta records and formats the tool_args fragments of each call (flow_id, index) \
            incrementally; other records pass through unchanged. With --raw, standard input is JSON \
            text in arbitrary chunks.
            """
    )

    @OptionGroup var io: StreamOptions

    @Flag(help: "Print the formatted text even when piped (same as --format text).")
    var text = false

    @Flag(help: "Standard input is JSON text (any chunking, any size), not records.")
    var raw = false

    @Option(help: ArgumentHelp("Spaces per nesting level (0 prints compact JSON).", valueName: "n"))
    var indent = 2

    func validate() throws {
        guard (0...7).contains(indent) else { throw ValidationError("--indent must be between 0 and 7") }
    }

    mutating func run() throws {
        if raw { return try runRaw() }
        let output: PrettyFilter.Output = text || io.resolvedFormat == .text ? .text : .ndjson
        var filter = PrettyFilter(output: output, indent: indent, color: io.useColor)
        var input = DeltaInput()  // sse/ws records: decoded to deltas first
        let loop = LineLoop(io, tool: "json-pretty-stream")
        try loop.runRecords(
            feed: { record, position, out in
                input.feed(record) { record, _ in
                    if let warning = filter.feed(record, into: &out) {
                        loop.diagnostics.warn("\(position.label): \(warning)")
                    }
                }
            },
            finish: { out in
                input.finish { record, _ in _ = filter.feed(record, into: &out) }
                filter.finish(into: &out)
            }
        )
    }

    func runRaw() throws {
        var formatter = PrettyFormatter(indent: indent, style: io.useColor ? .color : .plain)
        try RawChunkLoop(io, tool: "json-pretty-stream").run(
            feed: { chunk, out in formatter.feed(chunk, into: &out) },
            finish: { out in formatter.finish(into: &out) }
        )
        if let error = formatter.error {
            writeStandardError("json-pretty-stream: invalid JSON (\(error)), the rest passed through raw")
        }
    }

    static func main() { TapMain.run(Self.self) }
}
