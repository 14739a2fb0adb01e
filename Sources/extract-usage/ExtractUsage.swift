// extract-usage: input, output, cache-read and cache-write tokens per session, model or day,
// from the usage events on the wire (bench/anchors/README.md, "usage"), with optional cost.
// Lines without a `"usage"` key are skipped by a literal test before any parsing.

import ArgumentParser
import TapCLI
import TapCodec
import TapExtract

extension UsageGrouping: ExpressibleByArgument {}

@main
struct ExtractUsage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-usage",
        abstract: "Token totals (and cost) per session, model or day from the usage events of a capture log."
    )

    @OptionGroup var input: ExtractOptions

    @Option(help: "Group by session, model or day (UTC).")
    var by: UsageGrouping = .session

    @Option(
        help: ArgumentHelp(
            "Prices, USD per million tokens: {\"MODEL\":{\"input\":3,\"output\":15,\"cache_read\":0.3,\"cache_write\":3.75},…}; \"*\" for any other model. Adds cost_usd.",
            valueName: "file"
        )
    )
    var prices: String?

    mutating func run() throws {
        var priceTable: PriceTable?
        if let prices {
            guard let bytes = readWholeFile(prices), let table = PriceTable(json: bytes) else {
                throw TapFailure("extract-usage: \(prices): not a readable JSON object of prices")
            }
            priceTable = table
        }
        var totals = UsageTotals()
        let grouping = by
        // Only the lines holding a usage key or an agent's telemetry name reach the closure: every
        // record it reads has one (events with usage, codex.*/claude_code.* events, the cost metric).
        try ExtractDriver(tool: "extract-usage", options: input).run(
            linesHoldingAny: UsageTotals.prefilterLiterals,
            { line in
                guard let view = RecordView(line: line) else { return RecordView.isBlank(line) ? .skipped : .bad }
                // Telemetry token counts (otel-capture records; see Sources/TapExtract/Telemetry.swift).
                if let event = Telemetry.eventName(view) {
                    guard view.isValid else { return .bad }
                    guard let usage = Telemetry.usage(view, event: event) else { return .skipped }
                    totals.feedTelemetry(usage)
                    return .used
                }
                if let cost = Telemetry.cost(view) {
                    guard view.isValid else { return .bad }
                    totals.feedCost(cost)
                    return .used
                }
                // Only events with a usage object matter; other lines are judged by their shape only.
                guard UsageTotals.mayHoldUsage(line), let type = view.type, type == .sse || type == .ws else {
                    return .skipped
                }
                guard view.isValid else { return .bad }
                totals.feed(view, type: type)
                return .used
            },
            finish: { out in
                totals.dropTelemetryOfCapturedSessions()
                totals.finish(by: grouping, prices: priceTable, into: &out)
            }
        )
    }

    static func main() { TapMain.run(Self.self) }
}
