// Inputs that break naive line tools: empty, no final newline, a 50 MB line, CRLF, NUL bytes,
// invalid UTF-8, patterns matching the empty string; errors and exit statuses; --follow.
import Foundation
import TapTestSupport
import XCTest

final class EdgeCaseTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TempDir.make("rg-prefilter")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// rg-prefilter on the file and on stdin, and `rg --no-config -a` on the file: same bytes, same status.
    private func assertSameAsRipgrep(
        _ arguments: [String],
        _ input: [UInt8],
        file: StaticString = #filePath,
        line: UInt = #line
    )
        async throws
    {
        let path = try write("input", input)
        let fromFile = try await Binary.run("rg-prefilter", arguments + [path])
        let fromStdin = try await Binary.run("rg-prefilter", arguments, stdin: input)
        let reference = try await Binary.runExecutable("rg", ["--no-config", "-a"] + arguments + [path])
        XCTAssertEqual(fromFile.status, reference.status, "\(arguments) \(fromFile.stderr)", file: file, line: line)
        XCTAssertEqual(fromStdin.status, reference.status, "\(arguments) stdin", file: file, line: line)
        XCTAssertTrue(
            fromFile.stdout == reference.stdout,
            "\(arguments): file output differs from rg",
            file: file,
            line: line
        )
        XCTAssertTrue(
            fromStdin.stdout == reference.stdout,
            "\(arguments): stdin output differs from rg",
            file: file,
            line: line
        )
    }

    func testEmptyInputMatchesNothing() async throws {
        try await assertSameAsRipgrep(["x"], [])
        try await assertSameAsRipgrep([""], [])
        try await assertSameAsRipgrep(["-v", "x"], [])
    }

    func testLastLineWithoutNewlineGetsOne() async throws {
        try await assertSameAsRipgrep(["b"], Array("a\nb".utf8))
        try await assertSameAsRipgrep(["-v", "a"], Array("a\nb".utf8))
        try await assertSameAsRipgrep(["-c", "b"], Array("a\nb".utf8))
    }

    func testCRLFLinesPassUnchanged() async throws {
        let input = Array("{\"a\":1}\r\n{\"b\":2}\r\nplain\r\n".utf8)
        try await assertSameAsRipgrep(["a"], input)
        try await assertSameAsRipgrep(["-v", "a"], input)
        try await assertSameAsRipgrep([#"\}$"#], input)  // `$` is before \n, not \r: no match, like rg
        try await assertSameAsRipgrep([#"\}\r$"#], input)
        let field = try await Binary.run("rg-prefilter", ["--field", "b=2"], stdin: input)
        XCTAssertEqual(field.stdoutText, "{\"b\":2}\r\n")
    }

    func testNULBytesAndInvalidUTF8AreSearchedAsBytes() async throws {
        let input: [UInt8] = Array("x".utf8) + [0, 0xFF, 0xFE] + Array("y\nplain\n\u{0}\n".utf8) + [0xC3, 0x28, 0x0A]
        try await assertSameAsRipgrep(["y"], input)
        try await assertSameAsRipgrep(["x.."], input)  // invalid bytes never match `.`, in rg as in PCRE2
        try await assertSameAsRipgrep(["\\x00"], input)
        try await assertSameAsRipgrep(["-v", "plain"], input)
        try await assertSameAsRipgrep(["-F", "("], input)
    }

    func testPatternsMatchingTheEmptyStringSelectEveryLine() async throws {
        let input = Array("a\n\nb\n\n".utf8)
        try await assertSameAsRipgrep([""], input)
        try await assertSameAsRipgrep(["x*"], input)
        try await assertSameAsRipgrep(["^"], input)
        try await assertSameAsRipgrep(["$"], input)
        try await assertSameAsRipgrep(["-c", "^$"], input)
    }

    func testFiftyMegabyteLine() async throws {
        // A 50 MB line with the needle near its end, between two short lines: from a mapped file
        // (the line spans many slices) and from a pipe (it spans many reads).
        var long = [UInt8](repeating: UInt8(ascii: "x"), count: 50_000_000)
        long.replaceSubrange(49_999_000..<49_999_011, with: Array("\"needle\":1,".utf8))
        let input = Array("{\"a\":1}\n".utf8) + long + Array("\n{\"b\":2}\n".utf8)
        let path = try write("long.jsonl", input)
        for arguments in [[#""needle""#], ["--field", "needle=1"], [#"needle"\s*:"#]] {
            let fromFile = try await Binary.run("rg-prefilter", arguments + [path])
            XCTAssertEqual(fromFile.status, 0, "\(arguments) \(fromFile.stderr)")
            XCTAssertTrue(fromFile.stdout == long + [0x0A], "\(arguments): \(fromFile.stdout.count) bytes")
        }
        let fromStdin = try await Binary.run("rg-prefilter", ["-v", "needle"], stdin: input)
        XCTAssertEqual(fromStdin.stdoutText, "{\"a\":1}\n{\"b\":2}\n")
        let counted = try await Binary.run("rg-prefilter", ["-c", "x"], stdin: input)
        XCTAssertEqual(counted.stdoutText, "1\n")
    }

    func testBadPatternExitsTwoWithMessageAndOffset() async throws {
        let result = try await Binary.run("rg-prefilter", ["ab(c"], stdin: "abc\n")
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, [])
        XCTAssertEqual(
            result.stderr,
            "rg-prefilter: pattern error at offset 4: missing closing parenthesis (in ab(c)\n"
        )
        let second = try await Binary.run("rg-prefilter", ["-e", "ok", "-e", "a{2,1}"], stdin: "ok\n")
        XCTAssertEqual(second.status, 2)
        XCTAssertTrue(second.stderr.contains("offset 5"), second.stderr)
        XCTAssertTrue(second.stderr.contains("(in a{2,1})"), second.stderr)
    }

    func testExitStatuses() async throws {
        let matched = try await Binary.run("rg-prefilter", ["a"], stdin: "a\n")
        XCTAssertEqual(matched.status, 0)
        let none = try await Binary.run("rg-prefilter", ["z"], stdin: "a\n")
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stdout, [])
        let usage = try await Binary.run("rg-prefilter", [], stdin: "a\n")
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("give a PATTERN"), usage.stderr)
        let badField = try await Binary.run("rg-prefilter", ["--field", "novalue"], stdin: "a\n")
        XCTAssertEqual(badField.status, 2)
        XCTAssertTrue(badField.stderr.contains("--field novalue: expected KEY=VALUE"), badField.stderr)
        // A missing file is reported and the others are still searched; the status says error.
        let existing = try write("here.jsonl", Array("a\n".utf8))
        let missing = try await Binary.run("rg-prefilter", ["a", dir + "/nope.jsonl", existing])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stdoutText, existing + ":a\n")
        XCTAssertEqual(missing.stderr, "rg-prefilter: \(dir)/nope.jsonl: No such file or directory\n")
        let directory = try await Binary.run("rg-prefilter", ["a", dir])
        XCTAssertEqual(directory.status, 2)
        XCTAssertTrue(directory.stderr.contains("Is a directory"), directory.stderr)
    }

    func testStdinIsNamedForFilesWithMatchesAndMaxCountZeroSelectsNothing() async throws {
        let listed = try await Binary.run("rg-prefilter", ["-l", "a"], stdin: "a\na\n")
        XCTAssertEqual(listed.stdoutText, "<stdin>\n")
        let file = try write("named.jsonl", Array("a\n".utf8))
        let dash = try await Binary.run("rg-prefilter", ["a", file, "-"], stdin: "ba\n")
        XCTAssertEqual(dash.stdoutText, "\(file):a\n<stdin>:ba\n")
        let zero = try await Binary.run("rg-prefilter", ["-m", "0", "a"], stdin: "a\n")
        XCTAssertEqual(zero.status, 1)
        XCTAssertEqual(zero.stdout, [])
    }

    func testClosedPipeEndsQuietlyWithZero() async throws {
        var lines = ""
        for index in 0..<200_000 { lines += "{\"type\":\"flow\",\"n\":\(index)}\n" }
        let path = try write("many.jsonl", Array(lines.utf8))
        let script = "\"$0\" flow \"$1\" | head -1 >/dev/null; echo ${PIPESTATUS[0]}"
        let result = try await Binary.runExecutable("bash", ["-c", script, Binary.path("rg-prefilter"), path])
        XCTAssertEqual(result.stdoutText, "0\n")
        XCTAssertEqual(result.stderr, "")
    }

    func testFollowSeesAppendedTruncatedAndRotatedFiles() throws {
        let path = try write("live.jsonl", Array("{\"type\":\"flow\",\"n\":1}\n{\"type\":\"sse\"}\n".utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path("rg-prefilter"))
        process.arguments = ["--follow", "--field", "type=flow", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let reader = LineCollector(pipe.fileHandleForReading)

        XCTAssertTrue(reader.waitFor(lines: 1), "first line: \(reader.lines)")
        try append(path, "{\"type\":\"sse\"}\n{\"type\": \"flow\",\"n\":2}\n")
        XCTAssertTrue(reader.waitFor(lines: 2), "appended: \(reader.lines)")
        // A line written in two parts comes out once, whole.
        try append(path, "{\"type\":\"flow\",")
        Thread.sleep(forTimeInterval: 0.5)
        try append(path, "\"n\":3}\n")
        XCTAssertTrue(reader.waitFor(lines: 3), "split write: \(reader.lines)")
        // Truncation: start over at the beginning.
        try Data("{\"type\":\"flow\",\"n\":4}\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(reader.waitFor(lines: 4), "truncated: \(reader.lines)")
        // Rotation: the path now names a new file.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try Data("{\"type\":\"flow\",\"n\":5}\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(reader.waitFor(lines: 5), "rotated: \(reader.lines)")
        XCTAssertEqual(
            reader.lines,
            [
                "{\"type\":\"flow\",\"n\":1}", "{\"type\": \"flow\",\"n\":2}", "{\"type\":\"flow\",\"n\":3}",
                "{\"type\":\"flow\",\"n\":4}", "{\"type\":\"flow\",\"n\":5}",
            ]
        )
        process.terminate()
        process.waitUntilExit()
    }

    private func append(_ path: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }
}

/// Collects the lines a child process writes, on a background thread; waits with a deadline.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [UInt8] = []

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            self.lock.lock()
            self.buffer += data
            self.lock.unlock()
        }
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// True once `lines` holds at least `count` lines; gives up after 10 seconds.
    func waitFor(lines count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if lines.count >= count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
