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
        abstract: "The last N user prompts of a capture log, newest first."
    )

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
        // Telemetry prompts (otel-capture records) join the captured ones, in one time order.
        let typed = TelemetryCollection<TelemetryPrompt>()
        let telemetry = { (view: RecordView, event: String) in
            if let prompt = Telemetry.prompt(view, event: event) { typed.items.append(prompt) }
        }
        try ExtractDriver(tool: "extract-prompts", options: input).run(table: &table, telemetry: telemetry) {
            table,
            out in
            let rows =
                table.finish().filter { $0.prompt != nil }.map(PromptRow.flow) + typed.items.map(PromptRow.telemetry)
            for row in newestFirst(rows, limit: limit, oldestFirst: oldestFirst, key: \.sortKey) {
                switch row {
                case .flow(let f): Answers.prompt(f, into: &out)
                case .telemetry(let p): Answers.telemetryPrompt(p, into: &out)
                }
            }
        }
    }

    static func main() { TapMain.run(Self.self) }
}

/// A prompt from a captured flow or from the agent's telemetry.
enum PromptRow {
    case flow(FlowState)
    case telemetry(TelemetryPrompt)

    var sortKey: (String, String) {
        switch self {
        case .flow(let f): return (f.ts ?? "", f.flowID)
        case .telemetry(let p): return (p.ts ?? "", "")
        }
    }
}
