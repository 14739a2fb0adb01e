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
        // Only the lines holding a usage key or an agent's telemetry name are read (every record
        // used has one: events with usage, codex.*/claude_code.* events, the cost metric), each
        // into a UsageLine on the scanning threads; the totals take them in input order.
        try ExtractDriver(tool: "extract-usage", options: input).run(
            linesHoldingAny: UsageTotals.prefilterLiterals,
            prepare: { UsageLine($0) },
            { _, read in
                switch read {
                case .skipped: return .skipped
                case .bad: return .bad
                case .telemetry(let usage): totals.feedTelemetry(usage)
                case .cost(let cost): totals.feedCost(cost)
                case .event(let event): if let event { totals.feed(event) }
                }
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
