// flow-interleave in a real terminal: tmux runs `flow-replay … | flow-interleave` on a saved
// log; the screen, read back with `capture-pane -p -e`, shows the cards, their colours and states.

import Foundation
import TapTestSupport
import XCTest

final class TerminalTests: XCTestCase {
    func tmux(_ socket: String, _ arguments: [String]) async throws -> RunResult {
        try await Binary.runExecutable("tmux", ["-L", socket] + arguments)
    }

    func testCardsColoursAndStatesOnATerminal() async throws {
        let which = try await Binary.runExecutable("bash", ["-c", "command -v tmux"])
        if which.status != 0 { throw XCTSkip("tmux is not installed (apt-get install tmux)") }
        let dir = try TempDir.make("flow-interleave-tmux")
        let log = dir + "/log.jsonl"
        try ScreenControllerTests.seedTimeline().text.write(toFile: log, atomically: true, encoding: .utf8)
        let socket = "streamtap-\(UUID().uuidString.prefix(8))"
        let pipeline =
            "unset NO_COLOR; '\(Binary.path("flow-replay"))' --speed 4 '\(log)' | '\(Binary.path("flow-interleave"))' --clock recorded --show-time; echo PIPELINE-DONE; sleep 60"
        let started = try await tmux(socket, ["new-session", "-d", "-x", "100", "-y", "30", "bash", "-c", pipeline])
        XCTAssertEqual(started.status, 0, started.stderr)
        defer {
            _ = try? Process.run(
                URL(fileURLWithPath: "/usr/bin/env"),
                arguments: ["tmux", "-L", socket, "kill-server"]
            )
        }

        // Wait (at most 20 s) until the replay is over.
        var screen = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            screen = try await tmux(socket, ["capture-pane", "-p", "-e"]).stdoutText
            if screen.contains("PIPELINE-DONE") { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        XCTAssertTrue(screen.contains("PIPELINE-DONE"), "the replay did not finish:\n\(screen)")
        let esc = "\u{1B}["
        // Plain text of the screen: the cards in the order of the seed's timeline.
        let plain = screen.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        let cardLines = plain.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("┌─") || $0.hasPrefix("└─") }
        XCTAssertEqual(
            cardLines,
            [
                "┌─ 10:00:00.000 · session sess-A · anthropic · claude-x",
                "└─ STREAMING · 2.5 s · 10:00:02.500",
                "┌─ 10:00:02.500 · session sess-B · chat · kimi-k2",
                "└─ DONE · stop · 2.5 s · 10:00:03.000",
                "┌─ 10:00:03.200 · session sess-A · anthropic · claude-x · continued",
                "└─ DONE · tool_use · 3.4 s · 10:00:03.400",
            ]
        )
        // Colours as tmux reports them: user yellow, assistant magenta, tool name bright yellow,
        // argument key cyan and value green, states green (STREAMING) and blue (DONE).
        for (what, sgr) in [
            ("user", "33m"), ("question A", "33m"), ("assistant", "35m"), ("Hello world", "35m"), ("Bash", "93m"),
            ("\"command\"", "36m"), ("\"ls\"", "32m"), ("STREAMING", "32m"), ("DONE", "34m"),
        ] {
            // The colour's SGR, then maybe more SGRs (tmux adds resets of its own), then the text.
            let pattern =
                "\u{1B}\\[[0-9;]*" + NSRegularExpression.escapedPattern(for: sgr) + "(\u{1B}\\[[0-9;]*m)*"
                + NSRegularExpression.escapedPattern(for: what)
            let painted = screen.range(of: pattern, options: .regularExpression)
            XCTAssertNotNil(painted, "\(what) is not painted \(sgr):\n\(screen.debugDescription)")
        }
        XCTAssertTrue(screen.contains(esc))
    }
}
