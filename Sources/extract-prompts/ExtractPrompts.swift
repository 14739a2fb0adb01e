// extract-prompts: the last N user prompts of a capture (bench/anchors/README.md, "prompts").
// The analysis lives in TapExtract (FlowTable: one pass, per-flow facts, prompt dedup); this
// file wires options, inputs and output.

import ArgumentParser
import TapCLI
import TapCodec
import TapExtract

@main
struct ExtractPrompts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-prompts",
        abstract: "The last N user prompts of a capture log, newest first.")

    @OptionGroup var input: ExtractOptions

    @Option(name: .short, help: "How many prompts (0: all).")
    var n = 10

    @Flag(help: "Write the same N prompts oldest first.")
    var oldestFirst = false

    mutating func validate() throws {
        guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
    }

    mutating func run() throws {
        var table = FlowTable(needs: [])
        let (limit, oldestFirst) = (n, self.oldestFirst)
        try ExtractDriver(tool: "extract-prompts", options: input).run(table: &table) { table, out in
            let prompts = table.finish().filter { $0.prompt != nil }
            for f in newestFirst(prompts, limit: limit, oldestFirst: oldestFirst, key: { ($0.ts ?? "", $0.flowID) }) {
                Answers.prompt(f, into: &out)
            }
        }
    }

    static func main() { TapMain.run(Self.self) }
}
