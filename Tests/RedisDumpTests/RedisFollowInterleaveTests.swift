// Issue 7: a recorded session written entry by entry with redis-cli XADD while
// `redis-dump --follow | flow-interleave --format text --clock recorded` runs gives the
// expected transcript — Redis as the live transport into the terminal view.
import Foundation
import TapTestSupport
import XCTest

final class RedisFollowInterleaveTests: XCTestCase {
    private var server: RedisServer?

    override func tearDown() {
        server?.stop()
        server = nil
    }

    func testSessionWrittenLiveShowsUpInFlowInterleave() async throws {
        let server = try RedisServer()
        self.server = server
        let entries = recordedSession.split(separator: "\n")
        // The pipeline follows from `$` (only new entries) and stops after the session's entries;
        // `timeout` keeps the test bounded if anything is lost.
        let pipeline = """
            timeout 30 '\(Binary.path("redis-dump"))' --port \(server.port) cc --follow --count \(entries.count) \
            | '\(Binary.path("flow-interleave"))' --format text --clock recorded
            """
        async let transcript = Binary.runExecutable("bash", ["-c", pipeline])
        // Give the follower time to block on XREAD before the first entry.
        try await Task.sleep(nanoseconds: 700_000_000)
        for (index, line) in entries.enumerated() {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let fields = try XCTUnwrap(record?["fields"] as? [String: String])
            var args = ["XADD", "cc", "17000000000\(String(format: "%02d", index))-0"]
            for key in ["type", "event", "kind", "session_id", "data", "payload"] {
                if let value = fields[key] { args += [key, value] }
            }
            _ = try server.cli(args)
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let result = try await transcript
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdoutText,
            """
            ┌─ session s1 · anthropic · ?
            │ user: list files in "src"
            │ assistant: I'll look é
            │ tool Bash {"command": "ls src"}
            │ result: a.swift ⏎ b.swift
            └─ DONE · end_turn · 0 s

            """
        )
    }
}
