// End to end: the built flow-interleave binary on stdin, files, a generated corpus; exit
// statuses, bad lines, colours.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

final class FlowInterleaveCommandTests: XCTestCase {
    func testTranscriptFromTheBinaryUnderTheRecordedClock() async throws {
        let log = ScreenControllerTests.seedTimeline()
        let result = try await Binary.run("flow-interleave", ["--clock", "recorded", "--show-time"], stdin: log.text)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutText, interleave(log.lines))
        XCTAssertEqual(result.stderr, "")
    }

    func testShowFlowIDAndNoTime() async throws {
        var log = LogBuilder()
        log.flow("flow-42", session: "sess-x", at: 0, prompt: "hi")
        log.delta("flow-42", session: "sess-x", at: 0.1, "message_end", extra: #""stop_reason":"end_turn""#)
        let result = try await Binary.run(
            "flow-interleave",
            ["--clock", "recorded", "--show-flow-id"],
            stdin: log.text
        )
        XCTAssertEqual(
            result.stdoutText,
            """
            ┌─ session sess-x · anthropic · claude-x · flow flow-42
            │ user: hi
            └─ DONE · end_turn · 0.1 s

            """
        )
    }

    func testBadLineIsNamedOnceAndLeftOutOfTheTranscript() async throws {
        var log = LogBuilder()
        log.flow("F", session: "s", at: 0, prompt: "hi")
        let input = log.text + "mitmproxy: client disconnected\n[1,2]\n"
        let text = try await Binary.run("flow-interleave", ["--clock", "recorded"], stdin: input)
        XCTAssertEqual(text.status, 0)
        XCTAssertFalse(text.stdoutText.contains("mitmproxy"))
        XCTAssertEqual(
            text.stderr,
            "flow-interleave: line 2: not a JSON object (passed through)\nflow-interleave: 2 lines were not JSON objects (passed through)\n"
        )
        let ndjson = try await Binary.run(
            "flow-interleave",
            ["--clock", "recorded", "--format", "ndjson"],
            stdin: input
        )
        XCTAssertEqual(ndjson.stdoutLines.suffix(2), ["mitmproxy: client disconnected", "[1,2]"])
        let strict = try await Binary.run("flow-interleave", ["--strict"], stdin: input)
        XCTAssertEqual(strict.status, 2)
        XCTAssertEqual(strict.stderr, "flow-interleave: line 2: not a JSON object\n")
    }

    func testUsageErrorExits2() async throws {
        let result = try await Binary.run("flow-interleave", ["--flush-interval=-1"], stdin: "")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("must not be negative"), result.stderr)
    }

    /// The generated corpus in ndjson: every input line comes out once, only tagged.
    func testCorpusNDJSONLosesNothing() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1)
        let input = try String(contentsOfFile: corpus, encoding: .utf8)
        let result = try await Binary.run(
            "flow-interleave",
            ["--clock", "recorded", "--format", "ndjson", corpus],
            stdin: ""
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        let tag = try NSRegularExpression(pattern: #","card_state":"(streaming|done|dead)"\}$"#)
        let untagged = result.stdoutLines.map { line in
            tag.stringByReplacingMatches(in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "}")
        }
        let inputLines = input.split(separator: "\n").map(String.init)
        XCTAssertEqual(untagged.count, inputLines.count)
        XCTAssertEqual(untagged.sorted(), inputLines.sorted())
        // Within a flow the order is kept.
        func byFlow(_ lines: [String]) -> [String: [String]] {
            var flows: [String: [String]] = [:]
            for line in lines {
                guard let range = line.range(of: #""flow_id":"[^"]*""#, options: .regularExpression) else { continue }
                flows[String(line[range]), default: []].append(line)
            }
            return flows
        }
        XCTAssertEqual(byFlow(untagged), byFlow(inputLines))
    }

    /// The corpus as text: one card per flow at least, every flow's header shown, deterministic.
    func testCorpusTranscriptIsDeterministic() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1)
        let args = ["--clock", "recorded", "--show-flow-id", corpus]
        let first = try await Binary.run("flow-interleave", args)
        let second = try await Binary.run("flow-interleave", args)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, second.stdout)
        let input = try String(contentsOfFile: corpus, encoding: .utf8)
        let flowIDs = Set(
            input.split(separator: "\n").filter { $0.contains(#""type":"flow","#) }.compactMap { line in
                line.range(of: #"(?<="flow_id":")[^"]*"#, options: .regularExpression).map { String(line[$0]) }
            }
        )
        XCTAssertGreaterThan(flowIDs.count, 10)
        for id in flowIDs {
            XCTAssertTrue(first.stdoutText.contains("flow \(id)\n"), "no card for \(id)")
        }
    }

    func testClosedPipeEndsQuietly() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1)
        let bin = Binary.path("flow-interleave")
        let result = try await Binary.runExecutable(
            "bash",
            ["-c", "set -o pipefail; '\(bin)' --format ndjson --clock recorded '\(corpus)' | head -1 > /dev/null"]
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
    }

    func testColoursAlwaysAndNoColor() async throws {
        var log = LogBuilder()
        log.flow("F", session: "s", at: 0, prompt: "hi")
        log.delta("F", session: "s", at: 0.1, "reasoning", text: "hmm")
        log.delta("F", session: "s", at: 0.2, "text", index: 1, text: "ok")
        log.delta("F", session: "s", at: 0.3, "block_start", index: 2, extra: #""block":"tool","tool":"Bash""#)
        log.delta("F", session: "s", at: 0.4, "tool_args", index: 2, text: #"{"command":"#)
        log.delta("F", session: "s", at: 0.5, "tool_args", index: 2, text: #""ls"}"#)
        let colored = try await Binary.run(
            "flow-interleave",
            ["--clock", "recorded", "--color", "always"],
            stdin: log.text
        )
        let esc = "\u{1B}["
        for expected in [
            "\(esc)33muser:", "\(esc)33mhi", "\(esc)36mreasoning:", "\(esc)36mhmm", "\(esc)35massistant:",
            "\(esc)35mok",
            "\(esc)1m\(esc)93mBash", "\(esc)36m\"command\"", "\(esc)32m\"ls\"", "\(esc)32mSTREAMING",
        ] {
            XCTAssertTrue(colored.stdoutText.contains(expected), "missing \(expected.debugDescription)")
        }
        let plain = try await Binary.run(
            "flow-interleave",
            ["--clock", "recorded"],
            stdin: log.text,
            environment: ["NO_COLOR": "1"]
        )
        XCTAssertFalse(plain.stdoutText.contains(esc))
        XCTAssertTrue(plain.stdoutText.contains(#"│ tool Bash {"command":"ls"}"#), plain.stdoutText)
    }

    /// Control characters in streamed text never reach the terminal raw.
    func testControlCharactersAreMadeVisible() async throws {
        var log = LogBuilder()
        log.flow("F", session: "s", at: 0, prompt: "hi")
        log.delta("F", session: "s", at: 0.1, "text", text: "a\u{1B}[2Jb\r\n")
        let result = try await Binary.run("flow-interleave", ["--clock", "recorded"], stdin: log.text)
        XCTAssertTrue(result.stdoutText.contains("│ assistant: a^[[2Jb\n"), result.stdoutText)
    }
}

/// `--follow FILE`: like `tail -F`, from the end unless `--from-start`.
final class FollowTests: XCTestCase {
    func follow(_ extra: [String]) throws -> String {
        let dir = try TempDir.make("flow-interleave-follow")
        let path = dir + "/live.jsonl"
        var old = LogBuilder()
        old.flow("old", session: "s-old", at: 0, prompt: "written before")
        try old.text.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path("flow-interleave"))
        // Wall clock: the new card (another session) takes the screen after the session guard.
        process.arguments = ["--follow", path] + extra
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        // Bounded: whatever happens, the follower is stopped after 15 s (then reads see EOF).
        DispatchQueue.global().asyncAfter(deadline: .now() + 15) { if process.isRunning { process.terminate() } }
        Thread.sleep(forTimeInterval: SanitizerTiming.scaled(0.5))  // it opened the file and went to its end
        var new = LogBuilder()
        new.flow("new", session: "s-new", at: 10, prompt: "appended later")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(new.text.utf8))
        try handle.close()
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while !text.contains("appended later"), Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }

    func testFollowStartsAtTheEnd() throws {
        let text = try follow([])
        XCTAssertTrue(text.contains("│ user: appended later"), text)
        XCTAssertFalse(text.contains("written before"), text)
    }

    func testFollowFromStart() throws {
        let text = try follow(["--from-start"])
        XCTAssertTrue(text.contains("│ user: written before"), text)
        XCTAssertTrue(text.contains("│ user: appended later"), text)
    }
}

/// Records that reach flow-interleave in other shapes or pieces.
final class InputShapeTests: XCTestCase {
    /// A `redis` record whose field `record` holds a StreamTap record is read as that record.
    func testRedisRecordsAreUnwrapped() {
        var log = LogBuilder()
        log.flow("R", session: "s-redis", at: 0, prompt: "via redis")
        log.delta("R", session: "s-redis", at: 0.1, "message_end", extra: #""stop_reason":"end_turn""#)
        let wrapped = log.lines.enumerated().map { i, line in
            #"{"v":1,"type":"redis","stream":"agents:sse","id":"1-\#(i)","fields":{"record":\#(LogBuilder.quoted(line))}}"#
        }
        XCTAssertEqual(interleave(wrapped), interleave(log.lines))
        XCTAssertTrue(interleave(wrapped).contains("│ user: via redis"))
    }

    /// Standard input in pieces of any size (1 byte, 7 bytes, random) gives the same transcript.
    func testChunkedStandardInputGivesTheSameTranscript() throws {
        let input = Array(ScreenControllerTests.seedTimeline().text.utf8)
        func run(_ cuts: [Int]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binary.path("flow-interleave"))
            process.arguments = ["--clock", "recorded", "--show-time"]
            let stdin = Pipe()
            let stdout = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            try process.run()
            var start = 0
            for cut in cuts + [input.count] where cut > start {
                stdin.fileHandleForWriting.write(Data(input[start..<cut]))
                start = cut
            }
            try stdin.fileHandleForWriting.close()
            let data = stdout.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let whole = try run([])
        XCTAssertEqual(whole, interleave(ScreenControllerTests.seedTimeline().lines))
        XCTAssertEqual(try run(Array(1..<input.count)), whole, "1-byte pieces")
        XCTAssertEqual(try run(Array(stride(from: 7, to: input.count, by: 7))), whole, "7-byte pieces")
        var generator = SystemRandomNumberGenerator()
        let cuts = (0..<20).map { _ in Int.random(in: 1..<input.count, using: &generator) }.sorted()
        XCTAssertEqual(try run(cuts), whole, "random pieces at \(cuts)")
    }
}
