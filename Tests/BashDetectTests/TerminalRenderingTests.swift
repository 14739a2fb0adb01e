// The terminal rendering of bash-detect and json-pretty-stream, checked in a real terminal:
// the tools run inside a detached tmux (120x40) and the screen is read back with
// `tmux capture-pane -p -e` (text plus colours) once they have finished.

import Foundation
import TapTestSupport
import XCTest

/// A private tmux server for one test; stopped at the end.
struct TmuxSession {
    let socket = "streamtap-test-\(UUID().uuidString.prefix(8))"

    func tmux(_ args: [String]) async throws -> RunResult {
        try await Binary.runExecutable("tmux", ["-L", socket] + args)
    }

    /// Runs `command` in a fresh 120x40 terminal and returns the screen (with SGR colours) when
    /// it has printed the end marker, or after 20 seconds.
    func screen(after command: String) async throws -> String {
        let started = try await tmux([
            "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "t", "/bin/sh",
        ])
        XCTAssertEqual(started.status, 0, started.stderr)
        defer { Task { _ = try? await tmux(["kill-server"]) } }
        _ = try await tmux([
            "send-keys", "-t", "t", "-l", "clear; env -u NO_COLOR TERM=xterm-256color \(command); echo __E\"\"ND__",
        ])
        _ = try await tmux(["send-keys", "-t", "t", "Enter"])
        var screen = ""
        for _ in 0..<200 {
            try await Task.sleep(nanoseconds: 100_000_000)
            screen = try await tmux(["capture-pane", "-p", "-e", "-t", "t"]).stdoutText
            if plain(screen).contains("\n__END__") { break }
        }
        _ = try await tmux(["kill-server"])
        return screen
    }
}

/// The screen without SGR sequences.
func plain(_ screen: String) -> String {
    screen.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
}

final class TerminalRenderingTests: XCTestCase {
    func writeInput(_ lines: [String]) throws -> String {
        let path = try TempDir.make("bash-detect-tmux") + "/in.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testBashDetectErasesTheProvisionalLineAndShowsHeaderAndCommand() async throws {
        let weather = toolCall(flow: "f2", index: 0, tool: "get_weather", [#"{"city":"#, #" "Paris"}"#])
        let call = toolCall(tool: "shell", seedExample.map { $0.replacingOccurrences(of: #",\""#, with: #",""#) })
        let input = try writeInput(weather + call)
        let screen = try await TmuxSession().screen(after: "'\(Binary.path("bash-detect"))' --delay-ms 30 '\(input)'")
        let text = plain(screen)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        XCTAssertTrue(lines.contains(#"[get_weather] {"city": "Paris"}"#), text)  // unrecognised: a flat line
        XCTAssertFalse(text.contains(#"{"command":["bash""#), "provisional line left on screen:\n\(text)")
        let header = try XCTUnwrap(lines.firstIndex(of: "[TOOL] Bash command:"), text)
        XCTAssertEqual(lines[header + 1], "ls -la /tmp")
        XCTAssertEqual(lines[header + 2], #"echo "done""#)
        // The header is coloured (bold bright yellow), the provisional prefix was dim.
        let headerLine = try XCTUnwrap(screen.split(separator: "\n").first { $0.contains("[TOOL] Bash command:") })
        XCTAssertTrue(headerLine.contains("\u{1B}["), "no colour on the header: \(headerLine.debugDescription)")
        XCTAssertTrue(headerLine.contains("93m") || headerLine.contains("33m"), headerLine.debugDescription)
    }

    func testJSONPrettyStreamPrintsColouredPrettyJSON() async throws {
        let input = try writeInput(
            toolCall(tool: "get_weather", [#"{"loca"#, #"tion":"Par"#, #"is","days":[1,"#, "2],\"metric\":true}"])
        )
        let screen = try await TmuxSession().screen(after: "'\(Binary.path("json-pretty-stream"))' '\(input)'")
        let text = plain(screen)
        XCTAssertTrue(
            text.contains(
                """
                --- flow f1 call 1 get_weather ---
                {
                  "location": "Paris",
                  "days": [
                    1,
                    2
                  ],
                  "metric": true
                }
                """
            ),
            text
        )
        let keyLine = try XCTUnwrap(screen.split(separator: "\n").first { $0.contains("location") })
        XCTAssertTrue(keyLine.contains("36m"), "key not cyan: \(keyLine.debugDescription)")
        XCTAssertTrue(keyLine.contains("32m"), "string not green: \(keyLine.debugDescription)")
    }
}

/// All three renderers read a capture log (sse/ws/flow records) exactly as they read the
/// same log normalised by sse-normalize: one decoder, shared.
final class CaptureInputTests: XCTestCase {
    func testCaptureRecordsAndNormalisedRecordsGiveTheSameOutput() async throws {
        let sample = Repo.root + "/examples/sample.jsonl"
        let normalised = try await Binary.run("sse-normalize", [sample])
        XCTAssertEqual(normalised.status, 0, normalised.stderr)
        // The request deltas (from flow records) are not read from a capture: leave them out.
        let streamed = normalised.stdoutLines.filter {
            !$0.contains(#""kind":"user_prompt""#) && !$0.contains(#""kind":"tool_result""#)
        }
        XCTAssertLessThan(streamed.count, normalised.stdoutLines.count)
        let path = try TempDir.make("renderers") + "/normalised.jsonl"
        try (streamed.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        for tool in ["delta-unescape", "json-pretty-stream", "bash-detect"] {
            let fromCapture = try await Binary.run(tool, [sample])
            let fromDeltas = try await Binary.run(tool, [path])
            XCTAssertEqual(fromCapture.status, 0, tool)
            XCTAssertGreaterThan(fromCapture.stdout.count, 0, tool)
            // Only bash-detect's detected_at_seq may differ: capture records carry the event's seq.
            let strip = { (r: RunResult) in
                r.stdoutText.replacingOccurrences(
                    of: #""detected_at_seq":[0-9]+"#,
                    with: "",
                    options: .regularExpression
                )
            }
            XCTAssertTrue(strip(fromCapture) == strip(fromDeltas), "\(tool): capture and normalised input differ")
        }
        let bash = try await Binary.run("bash-detect", [sample])
        let commands = bash.stdoutLines.filter { $0.contains(#""type":"bash""#) }
        XCTAssertGreaterThan(commands.count, 3)
        XCTAssertTrue(commands.contains { $0.contains(#""command":"ls -la Sources/""#) }, bash.stdoutText)
    }
}

extension CaptureInputTests {
    /// A Claude Code session that reached Redis as entries of a few fields (FORMAT.md 5.1):
    /// redis records go through the codec's decoder too, so a Bash call in them is recognised.
    func testRedisSessionEntriesAreDecodedToo() async throws {
        func entry(_ n: Int, _ type: String, _ data: [String: Any]) throws -> String {
            let payload = String(
                decoding: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]),
                as: UTF8.self
            )
            let record: [String: Any] = [
                "v": 1, "type": "redis", "stream": "agents:cc", "id": "1700000000000-\(n)",
                "ts": "2023-11-14T22:13:20.00000\(n)Z",
                "fields": ["type": type, "session_id": "s1", "data": payload],
            ]
            return String(
                decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]),
                as: UTF8.self
            )
        }
        let fragments = [#"{"comm"#, #"and": "git st"#, #"atus", "description": "Show status"}"#]
        var lines = [
            try entry(
                0,
                "content_block_start",
                [
                    "index": 1,
                    "content_block": ["type": "tool_use", "id": "toolu_1", "name": "Bash", "input": [String: Any]()],
                ]
            )
        ]
        for (n, fragment) in fragments.enumerated() {
            lines.append(
                try entry(
                    n + 1,
                    "content_block_delta",
                    ["index": 1, "delta": ["type": "input_json_delta", "partial_json": fragment]]
                )
            )
        }
        lines.append(try entry(4, "content_block_stop", ["index": 1]))
        let r = try await Binary.run("bash-detect", [], stdin: lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        let bash = try XCTUnwrap(records(r.stdoutText, type: "bash").first, r.stdoutText)
        XCTAssertEqual(bash["command"] as? String, "git status")
        XCTAssertEqual(bash["tool"] as? String, "Bash")
        XCTAssertEqual(bash["call_id"] as? String, "toolu_1")
        XCTAssertEqual(bash["detected_at_seq"] as? Int, 2)
    }
}
