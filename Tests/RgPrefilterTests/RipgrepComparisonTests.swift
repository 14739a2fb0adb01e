// rg-prefilter against ripgrep on the generated capture corpus (issue 8): for each pattern the
// printed bytes and the exit status must be identical. ripgrep runs with --no-config (no user
// config) and -j1 where several files keep their order.
import TapTestSupport
import XCTest

final class RipgrepComparisonTests: XCTestCase {
    /// The corpus of the issue: seed 3, 5 MB, 0.1% bad lines (truncated records, plain text).
    private func corpus() async throws -> String {
        try await Corpus.generate(seed: 3, sizeMB: 5, badLines: 0.001)
    }

    /// Runs rg-prefilter with `ours` and `rg --no-config` with `theirs` (same file appended to both);
    /// asserts the same stdout and status, and that the case selects something unless `expectNone`.
    private func assertSameAsRipgrep(
        _ ours: [String],
        _ theirs: [String],
        files: [String],
        expectNone: Bool = false,
        file: StaticString = #filePath,
        line: UInt = #line
    ) async throws {
        let mine = try await Binary.run("rg-prefilter", ours + files)
        let reference = try await Binary.runExecutable("rg", ["--no-config"] + theirs + files)
        XCTAssertEqual(mine.status, reference.status, "\(ours): status; stderr \(mine.stderr)", file: file, line: line)
        XCTAssertTrue(
            mine.stdout == reference.stdout,
            "\(ours): \(mine.stdout.count) bytes vs rg \(reference.stdout.count) bytes",
            file: file,
            line: line
        )
        if expectNone {
            XCTAssertEqual(mine.stdout, [], file: file, line: line)
        } else {
            XCTAssertFalse(mine.stdout.isEmpty, "\(ours) selects nothing: a vacuous comparison", file: file, line: line)
        }
    }

    func testLiteralsMatchRipgrep() async throws {
        let corpus = try await corpus()
        for pattern in [#""type":"flow""#, #""event":"message_stop""#, "会话", "no such text anywhere 12345"] {
            try await assertSameAsRipgrep(
                [pattern],
                [pattern],
                files: [corpus],
                expectNone: pattern.hasPrefix("no such")
            )
        }
        try await assertSameAsRipgrep(
            ["-F", "response.output_text.delta"],
            ["-F", "response.output_text.delta"],
            files: [corpus]
        )
        try await assertSameAsRipgrep(["-F", #"a\\b"#], ["-F", #"a\\b"#], files: [corpus])
    }

    func testAlternationsMatchRipgrep() async throws {
        let corpus = try await corpus()
        for pattern in [
            #""event":"(content_block_delta|response\.output_text\.delta|response\.function_call_arguments\.delta)""#,
            #"client_abort|upstream_error|"timeout""#,
            "流式输出|解析器|한국어",
        ] {
            try await assertSameAsRipgrep([pattern], [pattern], files: [corpus])
        }
        try await assertSameAsRipgrep(
            ["-e", #""event":"ping""#, "-e", "timeout"],
            ["-e", #""event":"ping""#, "-e", "timeout"],
            files: [corpus]
        )
    }

    func testClassesAnchorsAndUnicodeMatchRipgrep() async throws {
        let corpus = try await corpus()
        for pattern in [
            #""status":5[0-9]{2}"#, #"^\{"v":1,"type":"flow_end""#, #""bytes":\d+\}$"#, #"\bshell\b"#,
            #"T07:3\d:\d{2}\.\d{6}Z"#, "会.", #"^[^{]"#, #"\s\s\s"#,
        ] {
            try await assertSameAsRipgrep([pattern], [pattern], files: [corpus])
        }
    }

    func testOptionsMatchRipgrep() async throws {
        let corpus = try await corpus()
        try await assertSameAsRipgrep(["-i", "claude CODE"], ["-i", "claude CODE"], files: [corpus])
        try await assertSameAsRipgrep(["-v", #""type":"sse""#], ["-v", #""type":"sse""#], files: [corpus])
        try await assertSameAsRipgrep(["-c", #""event":"ping""#], ["-c", #""event":"ping""#], files: [corpus])
        try await assertSameAsRipgrep(["-c", "-v", "flow_id"], ["-c", "-v", "flow_id"], files: [corpus])
        try await assertSameAsRipgrep(
            ["-m", "7", "content_block_delta"],
            ["-m", "7", "content_block_delta"],
            files: [corpus]
        )
        try await assertSameAsRipgrep(["-l", "flow"], ["-l", "flow"], files: [corpus])
        try await assertSameAsRipgrep([""], [""], files: [corpus])
    }

    func testFieldsMatchTheEquivalentRegex() async throws {
        let corpus = try await corpus()
        try await assertSameAsRipgrep(["--field", "type=flow"], [#""type"\s*:\s*"flow""#], files: [corpus])
        try await assertSameAsRipgrep(
            ["-c", "--field", "type=flow"],
            ["-c", #""type"\s*:\s*"flow""#],
            files: [corpus]
        )
        try await assertSameAsRipgrep(
            ["--field", "status=client_abort"],
            [#""status"\s*:\s*"client_abort""#],
            files: [corpus]
        )
        try await assertSameAsRipgrep(["--field", "seq=3"], [#""seq"\s*:\s*3\s*[,}\]]"#], files: [corpus])
        // Two fields: every one must hold (ripgrep needs the two in their order in the record).
        try await assertSameAsRipgrep(
            ["--field", "type=flow_end", "--field", "status=complete"],
            [#""type"\s*:\s*"flow_end".*"status"\s*:\s*"complete""#],
            files: [corpus]
        )
    }

    func testSeveralFilesArePrefixedLikeRipgrep() async throws {
        let corpus = try await corpus()
        let dir = try TempDir.make("rg-prefilter")
        let small = dir + "/small.jsonl"
        try Data("{\"type\":\"flow\",\"x\":1}\nother\n".utf8).write(to: URL(fileURLWithPath: small))
        try await assertSameAsRipgrep(
            [#""type":"flow""#],
            ["-j1", "--no-heading", #""type":"flow""#],
            files: [corpus, small]
        )
        try await assertSameAsRipgrep(["-c", "other"], ["-j1", "-c", "other"], files: [corpus, small])
        try await assertSameAsRipgrep(["-l", "flow"], ["-j1", "-l", "flow"], files: [small, corpus])
    }
}
