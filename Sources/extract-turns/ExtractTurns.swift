// extract-turns: user prompt → idle turns with durations (bench/anchors/README.md, "turns").
// The analysis lives in TapExtract (FlowTable, buildTurns); this file wires options and I/O.

import ArgumentParser
import TapCLI
import TapCodec
import TapExtract

extension TurnMode: ExpressibleByArgument {}

@main
struct ExtractTurns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-turns",
        abstract: "User → idle turns of a capture log: duration, calls, tools, tokens; newest first."
    )

    @OptionGroup var input: ExtractOptions

    @Option(help: "paired: turns that went idle; open: turns still running; all: both.")
    var mode: TurnMode = .paired

    @Option(name: .short, help: "How many turns (0: all).")
    var n = 10

    @Flag(help: "Write the same N turns oldest first.")
    var oldestFirst = false

    mutating func validate() throws {
        guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
    }

    mutating func run() throws {
        var table = FlowTable(needs: [.toolNames, .usage])
        let (limit, oldestFirst, mode) = (n, self.oldestFirst, self.mode)
        try ExtractDriver(tool: "extract-turns", options: input).run(table: &table) { table, out in
            let turns = buildTurns(table.finish()).filter { t in
                switch mode {
                case .paired: return t.isIdle
                case .open: return !t.isIdle
                case .all: return true
                }
            }
            for t in newestFirst(turns, limit: limit, oldestFirst: oldestFirst, key: \.sortKey) {
                Answers.turn(t, into: &out)
            }
        }
    }

    static func main() { TapMain.run(Self.self) }
}
