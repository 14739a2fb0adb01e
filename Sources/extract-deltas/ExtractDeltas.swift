// extract-deltas: the streamed fragments of each flow reassembled into one record: text,
// reasoning, tool calls (arguments parsed when complete), stop reason, usage
// (bench/anchors/README.md, "deltas"). The analysis lives in TapExtract; this file wires I/O.

import ArgumentParser
import TapCLI
import TapCodec
import TapExtract

extension DeltaGrouping: ExpressibleByArgument {}

@main
struct ExtractDeltas: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-deltas",
        abstract: "One record per flow with its streamed text, reasoning, tool calls, stop reason and usage."
    )

    @OptionGroup var input: ExtractOptions

    @Option(help: "One record per flow (the default), per block (text, reasoning, each tool call) or per session.")
    var by: DeltaGrouping = .flow

    mutating func run() throws {
        var table = FlowTable(needs: [.usage, .text, .reasoning, .calls, .stop])
        let grouping = by
        try ExtractDriver(tool: "extract-deltas", options: input).run(table: &table) { table, out in
            let flows = table.finish()
            switch grouping {
            case .flow: for f in flows { Answers.delta(f, into: &out) }
            case .block: for f in flows { Answers.blocks(f, into: &out) }
            case .session: Answers.sessions(flows, into: &out)
            }
        }
    }

    static func main() { TapMain.run(Self.self) }
}
