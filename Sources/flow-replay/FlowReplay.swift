// flow-replay: re-emit a saved log with its recorded timing, or serve its flows as live SSE
// responses. The pacing (ReplayPacer), the rebuilt responses (RecordedFlows) and the server
// (SSEServer) live beside this file; here only options and I/O are wired.

import ArgumentParser
import TapCLI
import TapCodec

@main
struct FlowReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow-replay",
        abstract: "Re-emit a saved log with its recorded timing, or serve its flows as live SSE responses."
    )

    @Argument(help: ArgumentHelp("Input files (standard input when none, or for -).", valueName: "file"))
    var files: [String] = []
    @Option(help: "Replay this many times faster than recorded (0.5: half as fast).")
    var speed: Double?
    @Option(help: "Wait this many milliseconds before every record instead of the recorded gaps.")
    var delayMs: Int?
    @Flag(help: "Write every record at once (no waiting).")
    var noWait = false
    @Option(help: "Cap every recorded gap at this many seconds (long pauses between sessions).")
    var maxGap: Double?
    @Option(help: "Serve the recorded flows as SSE HTTP responses at HOST:PORT (port 0: any free port).")
    var serve: String?
    @Option(help: "With --serve: answer every request with this flow.")
    var flow: String?
    @Option(help: "With --serve: stop after this many requests.")
    var maxRequests: Int?
    @Flag(help: "Make a line that is not a JSON object a fatal error (exit 2).")
    var strict = false

    func validate() throws {
        if [speed != nil, delayMs != nil, noWait].filter({ $0 }).count > 1 {
            throw ValidationError("--speed, --delay-ms and --no-wait exclude each other")
        }
        if let speed, !(speed > 0) { throw ValidationError("--speed must be greater than 0") }
        if let delayMs, delayMs < 0 { throw ValidationError("--delay-ms must not be negative") }
        if let maxGap, maxGap < 0 { throw ValidationError("--max-gap must not be negative") }
        if let serve, ServeAddress(serve) == nil {
            throw ValidationError("--serve takes HOST:PORT, e.g. 127.0.0.1:8080")
        }
        if serve == nil, flow != nil || maxRequests != nil {
            throw ValidationError("--flow and --max-requests need --serve")
        }
    }

    var pacing: Pacing {
        if noWait { return .noWait }
        if let delayMs { return .fixed(Int64(delayMs) * 1000) }
        return .speed(speed ?? 1)
    }

    mutating func run() throws {
        // The shared line loop takes its options parsed (ArgumentParser has no other way to
        // make them); each record leaves at its time unless --no-wait.
        var shared = strict ? ["--strict"] : []
        if pacing != .noWait { shared.append("--line-buffered") }
        let io = try StreamOptions.parse(shared + ["--"] + files)
        let loop = LineLoop(io, tool: "flow-replay")
        let maxGap = self.maxGap.map { Int64($0 * 1e6) }
        if let serve, let address = ServeAddress(serve) {
            var builder = RecordedFlowsBuilder()
            try loop.runRecords(feed: { record, _, _ in builder.feed(record) })
            let flows = builder.servable
            if let flow, !flows.contains(where: { $0.flowID == flow }) {
                throw TapFailure("flow-replay: no flow \(flow) with SSE events in the input")
            }
            try SSEServer(
                flows: flows,
                pacing: pacing,
                maxGap: maxGap,
                flowID: flow,
                maxRequests: maxRequests,
                diagnostics: loop.diagnostics
            ).run(at: address)
            return
        }
        var pacer = ReplayPacer(pacing: pacing, maxGap: maxGap)
        try loop.runRecords(feed: { record, _, out in
            let wait = pacer.wait(before: record.timestamp)
            if wait > 0 {
                // What is due goes out before the pause (`out` is the output buffer's bytes).
                try out.withUnsafeBytes { try OutputBuffer.writeAll(1, $0) }
                out.removeAll(keepingCapacity: true)
                sleepMicroseconds(wait)
            }
            out.appendLine(record.line)
        })
    }

    static func main() { TapMain.run(Self.self) }
}
