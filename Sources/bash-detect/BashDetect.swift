// bash-detect: recognise shell commands in streamed tool-call arguments as early as the deltas
// allow; on a terminal, re-render the call with a header once recognised; piped, add a `bash`
// record per recognised call. The work is in ShellCallDetector and BashDetectFilter.

import ArgumentParser
import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct BashDetect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bash-detect",
        abstract: "Recognise shell commands in streamed tool-call arguments, live.",
        discussion: """
            Reads delta records. Each tool call's tool_args fragments go through a per-call FSM that \
            recognises {"command":["bash","-lc","…"]}, {"command":"…"} / {"cmd":"…"} (Codex shell_command, \
            exec_command; Claude Code's Bash) as soon as the pattern is certain.
            """
    )

    @OptionGroup var io: StreamOptions

    @Flag(help: "Show only function-call arguments (drop text, reasoning and other deltas).")
    var functionOnly = false

    @Option(help: ArgumentHelp("Pause this long after each tool-call fragment (to watch a replay).", valueName: "ms"))
    var delayMs = 0

    @Flag(help: "Standard input is the argument JSON of one call in arbitrary chunks, not records.")
    var raw = false

    func validate() throws {
        guard delayMs >= 0 else { throw ValidationError("--delay-ms must not be negative") }
    }

    mutating func run() throws {
        let output: BashDetectFilter.Output = io.resolvedFormat == .text ? .text : .ndjson
        var filter = BashDetectFilter(
            output: output,
            functionOnly: functionOnly,
            color: io.useColor,
            width: Self.terminalWidth()
        )
        let delay = UInt32(delayMs) * 1000
        if raw {
            // Each chunk read becomes one tool_args delta of one call, in order.
            var seq = 0
            return try RawChunkLoop(io, tool: "bash-detect").run(
                feed: { chunk, out in
                    seq += 1
                    filter.feedRawFragment(chunk, seq: Int64(seq), into: &out)
                },
                finish: { out in filter.finish(into: &out) }
            )
        }
        let loop = LineLoop(io, tool: "bash-detect")
        // Pacing only shows when each record's output is written at once.
        if delay > 0 { loop.output.lineBuffered = true }
        var pause = false
        var input = DeltaInput()  // sse/ws records: decoded to deltas first
        try loop.runRecords(
            feed: { record, _, out in
                // The previous fragment is on the screen by now (flushed after its record).
                if pause { usleep(delay) }
                pause = false
                input.feed(record) { record, seq in
                    if filter.feed(record, sourceSeq: seq, into: &out), delay > 0 { pause = true }
                }
            },
            finish: { out in
                input.finish { record, seq in filter.feed(record, sourceSeq: seq, into: &out) }
                filter.finish(into: &out)
            }
        )
    }

    /// Columns of the terminal on stdout, else $COLUMNS, else 80.
    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = getenv("COLUMNS"), let n = Int(String(cString: columns)), n > 0 { return n }
        return 80
    }

    static func main() { TapMain.run(Self.self) }
}
