// extract-deltas: the streamed fragments of each flow reassembled into one record: text,
// reasoning, tool calls (arguments parsed when complete), stop reason, usage
// (bench/anchors/README.md, "deltas"). The analysis lives in TapExtract; this file wires I/O.

import ArgumentParser
import TapCLI
import TapCodec
import TapExtract

@main
struct ExtractDeltas: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-deltas",
        abstract: "One record per flow with its streamed text, reasoning, tool calls, stop reason and usage.")

    @OptionGroup var input: ExtractOptions

    mutating func run() throws {
        var table = FlowTable(needs: [.usage, .text, .reasoning, .calls, .stop])
        try ExtractDriver(tool: "extract-deltas", options: input).run(table: &table) { table, out in
            for f in table.finish() { Answers.delta(f, into: &out) }
        }
    }

    static func main() { TapMain.run(Self.self) }
}
