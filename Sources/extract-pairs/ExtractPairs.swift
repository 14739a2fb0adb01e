// extract-pairs: each user prompt with the last assistant reply of its turn
// (bench/anchors/README.md, "pairs"). The analysis lives in TapExtract; this file wires I/O.

import ArgumentParser
import TapCLI
import TapCodec
import TapExtract

@main
struct ExtractPairs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-pairs",
        abstract: "Each user prompt with the last assistant reply of its turn; newest first."
    )

    @OptionGroup var input: ExtractOptions

    @Option(name: .short, help: "How many pairs (0: all).")
    var n = 10

    @Flag(help: "Write the same N pairs oldest first.")
    var oldestFirst = false

    mutating func validate() throws {
        guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
    }

    mutating func run() throws {
        var table = FlowTable(needs: [.toolNames, .text])
        let (limit, oldestFirst) = (n, self.oldestFirst)
        try ExtractDriver(tool: "extract-pairs", options: input).run(table: &table) { table, out in
            for t in newestFirst(buildTurns(table.finish()), limit: limit, oldestFirst: oldestFirst, key: \.sortKey) {
                Answers.pair(t, into: &out)
            }
        }
    }

    static func main() { TapMain.run(Self.self) }
}
