// extract-latency: time to first byte and first token, inter-token gaps, stalls and tokens per
// second, per flow, model or session, from the per-event timestamps of a capture (definitions
// in TapExtract/Latency.swift and man/extract-latency.1). This file wires options and I/O.

import ArgumentParser
import TapCLI
import TapCodec
import TapExtract

extension LatencyGrouping: ExpressibleByArgument {}

@main
struct ExtractLatency: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-latency",
        abstract: "Time to first byte/token, inter-token gaps, stalls and tokens/s per flow, model or session."
    )

    @OptionGroup var input: ExtractOptions

    @Option(help: "One record per flow, or per model or session (percentiles over their flows).")
    var by: LatencyGrouping = .flow

    @Option(help: "A gap between token events longer than this many milliseconds is a stall.")
    var stallMs = 2000

    mutating func validate() throws {
        guard stallMs >= 0 else { throw ValidationError("--stall-ms must be 0 or more") }
    }

    mutating func run() throws {
        var table = FlowTable(needs: [.times, .usage])
        let report = LatencyReport(stallMilliseconds: stallMs)
        let grouping = by
        // Telemetry durations (otel-capture records) follow the flows, one record each, with --by flow.
        let measured = TelemetryCollection<TelemetryLatency>()
        let telemetry = { (view: RecordView, event: String) in
            if grouping == .flow, let latency = Telemetry.latency(view, event: event) { measured.items.append(latency) }
        }
        try ExtractDriver(tool: "extract-latency", options: input).run(table: &table, telemetry: telemetry) {
            table,
            out in
            report.write(table.finish(), by: grouping, into: &out)
            for latency in measured.items { Answers.telemetryLatency(latency, into: &out) }
        }
    }

    static func main() { TapMain.run(Self.self) }
}
