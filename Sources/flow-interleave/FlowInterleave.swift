// flow-interleave: the live multi-flow view. Cards per flow, one on screen at a time, chosen by
// the screen controller (ScreenController.swift); this file only wires options, clock and I/O.

import ArgumentParser
import TapCLI
import TapCodec

enum ClockSource: String, ExpressibleByArgument, CaseIterable {
    case wall, recorded
}

@main
struct FlowInterleave: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow-interleave",
        abstract: "Show concurrent agent flows as cards, one at a time, without the screen thrashing."
    )

    @OptionGroup var io: StreamOptions
    @Option(help: "Time source: wall (arrival time, live) or recorded (the records' ts: same view every run).")
    var clock: ClockSource = .wall
    @Option(help: "A card of another session waits this long (ms) before it may take the screen.")
    var sessionGuardMs = 2000
    @Option(help: "Seconds the open card must be idle before another card may be shown.")
    var flushInterval = 0.5
    @Option(help: "Seconds without any record after which a flow's card is DEAD (0: never).")
    var deadAfter = 30.0
    @Flag(help: "Show times on card headers and status lines.")
    var showTime = false
    @Flag(help: "Show each card's flow id in its header.")
    var showFlowId = false
    @Flag(help: "With --follow, read the files from the start instead of from their end.")
    var fromStart = false

    func validate() throws {
        guard sessionGuardMs >= 0, flushInterval >= 0, deadAfter >= 0 else {
            throw ValidationError("--session-guard-ms, --flush-interval and --dead-after must not be negative")
        }
        if io.follow, io.files.count > 1 { throw ValidationError("--follow takes one file") }
    }

    mutating func run() throws {
        let policy = ScreenPolicy(
            flushInterval: Int64(flushInterval * 1e6),
            sessionGuard: Int64(sessionGuardMs) * 1000,
            deadAfter: deadAfter > 0 ? Int64(deadAfter * 1e6) : nil
        )
        let render = RenderOptions(
            color: io.useColor,
            showTime: showTime,
            showFlowID: showFlowId,
            ndjson: io.format == .ndjson
        )
        var view = Interleaver(policy: policy, render: render)
        let recorded = clock == .recorded
        var loop = LineLoop(io, tool: "flow-interleave")
        loop.follow = LineReader.Follow(startAtEnd: !fromStart)
        // While no record arrives: the live screen moves on (wall clock), and what is shown
        // reaches a pipe too (a followed file may stay quiet for hours).
        loop.onIdle = { output in
            if !recorded { view.tick(now: Timestamp.now(), into: &output.bytes) }
            try output.flush()
        }
        let diagnostics = loop.diagnostics
        let strict = io.strict
        try loop.run(
            feed: { line, position, out in
                guard let record = Record(line: line) else {
                    // Not a record: passes through in ndjson, is left out of the transcript.
                    if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                        try diagnostics.badLine(at: position, strict: strict)
                    }
                    view.passThrough(line, now: nil, into: &out)
                    return
                }
                let head = RecordHead(record)
                view.feed(record, head: head, now: recorded ? head.timestamp(in: record) : Timestamp.now(), into: &out)
            },
            finish: { out in view.finish(into: &out) }
        )
    }

    static func main() { TapMain.run(Self.self) }
}
