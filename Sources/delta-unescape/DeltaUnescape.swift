// delta-unescape: decode JSON-string escapes in streamed text fragments, per flow and block,
// even when an escape is cut between two deltas. The work is in UnescapeFilter (records) and
// JSONFragmentUnescaper (bytes); this file wires options, input and output.

import ArgumentParser
import TapCLI
import TapCodec

@main
struct DeltaUnescape: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delta-unescape",
        abstract: "Unescape streamed JSON-string fragments, per flow and block.",
        discussion: """
            Reads delta records and decodes the escapes (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, surrogate \
            pairs) inside their text, keeping state per (flow_id, index) so an escape split across deltas \
            decodes whole. Other records pass through unchanged.
            """
    )

    @OptionGroup var io: StreamOptions

    @Flag(
        help: "Print only the decoded text, with a header line when the flow or block changes (same as --format text)."
    )
    var text = false

    @Flag(help: "Standard input is plain text fragments, not records: decode it as one stream.")
    var raw = false

    @Option(help: ArgumentHelp("Delta kinds to decode, comma-separated.", valueName: "kinds"))
    var fields = "text,reasoning,tool_args"

    mutating func run() throws {
        if raw { return try runRaw() }
        let kinds = Set(fields.split(separator: ",").map { $0.trimmingCharacters(in: " ") })
        var filter = UnescapeFilter(
            kinds: kinds,
            output: text || io.resolvedFormat == .text ? .text : .ndjson,
            color: io.useColor
        )
        var input = DeltaInput()  // sse/ws records: decoded to deltas first
        let loop = LineLoop(io, tool: "delta-unescape")
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
        if filter.streams.issues > 1 {
            loop.diagnostics.warn("\(filter.streams.issues) invalid escapes kept literally")
        }
    }

    func runRaw() throws {
        var unescaper = JSONFragmentUnescaper()
        try RawChunkLoop(io, tool: "delta-unescape").run(
            feed: { chunk, out in unescaper.feed(chunk, into: &out) },
            finish: { out in unescaper.finish(into: &out) }
        )
        if let first = unescaper.firstIssue {
            writeStandardError("delta-unescape: invalid escape \(first) kept literally (\(unescaper.issues) in all)")
        }
    }

    static func main() { TapMain.run(Self.self) }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
