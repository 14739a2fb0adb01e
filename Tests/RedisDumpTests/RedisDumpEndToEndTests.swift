// redis-dump against a real redis-server (private, loopback, temp dir): round trips, foreign
// entries, follow across a server restart, consumer groups with a killed consumer.
import Foundation
import TapTestSupport
import XCTest

final class RedisDumpEndToEndTests: XCTestCase {
    private var server: RedisServer?

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func startServer(appendOnly: Bool = false) throws -> RedisServer {
        let started = try RedisServer(appendOnly: appendOnly)
        server = started
        return started
    }

    private func dump(_ server: RedisServer, _ args: [String], stdin: [UInt8] = []) async throws -> RunResult {
        try await Binary.run("redis-dump", ["--port", "\(server.port)"] + args, stdin: stdin)
    }

    private func dump(_ server: RedisServer, _ args: [String], stdin: String) async throws -> RunResult {
        try await dump(server, args, stdin: Array(stdin.utf8))
    }

    /// Lines with every JSON escape, raw non-ASCII, and a few shapes of record.
    private let escapeLines: [String] = [
        #"{"v":1,"type":"sse","data":"quote \" backslash \\ slash \/ b\b f\f n\n r\r t\t"}"#,
        #"{"v":1,"type":"sse","data":"\u0000\u0001\u001f\u007f \u00e9 \u2028 \ud83d\ude00 \uFFFF"}"#,
        #"{"v":1,"type":"sse","data":"raw é 日本語 😀 \u{2028}"}"#.replacingOccurrences(of: "\\u{2028}", with: "\u{2028}"),
        #"{"v":1,"type":"delta","text":"{\"command\":[\"bash\",\"-lc\",\"echo \\\"hi\\\"\"]}"}"#,
        #"{ "v" : 1 , "type" : "spaced" , "nested" : { "a" : [ 1 , 2.5e-3 , true , null ] } }"#,
        #"{"v":1,"type":"tab\tinside"}"#,
        "{}",
    ]

    func testRoundTripOfCorpusAndEscapesIsByteIdentical() async throws {
        let server = try startServer()
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 2)
        var input = Array(try Data(contentsOf: URL(fileURLWithPath: corpus)))
        input += Array((escapeLines.joined(separator: "\n") + "\n").utf8)
        let lineCount = input.filter { $0 == 0x0A }.count

        let xadd = try await dump(server, ["--xadd", "rt", "--batch", "700"], stdin: input)
        XCTAssertEqual(xadd.status, 0, xadd.stderr)
        XCTAssertEqual(try server.cli(["XLEN", "rt"]), "\(lineCount)")

        // Page sizes that do and do not divide the count, including pages of one entry.
        for batch in ["1000", "333"] {
            let out = try await dump(server, ["rt", "--batch", batch])
            XCTAssertEqual(out.status, 0, out.stderr)
            XCTAssertEqual(out.stdout.count, input.count)
            XCTAssertTrue(out.stdout == input, "range dump with --batch \(batch) differs from the input")
        }
        let escapesOnly = try await dump(server, ["rt", "--batch", "1", "--from", "-", "--count", "3"])
        XCTAssertEqual(escapesOnly.stdoutLines.count, 3)
    }

    func testEveryEscapeLineSurvivesOneByOne() async throws {
        let server = try startServer()
        let input = Array((escapeLines.joined(separator: "\n") + "\n").utf8)
        let xadd = try await dump(server, ["--xadd", "esc", "--batch", "1"], stdin: input)
        XCTAssertEqual(xadd.status, 0, xadd.stderr)
        let out = try await dump(server, ["esc", "--batch", "1"])
        XCTAssertEqual(out.stdoutText, String(decoding: input, as: UTF8.self))
    }

    /// Split invariance of the --xadd input path: the same NDJSON arriving whole, one byte per write and in
    /// seeded random cuts (each write followed by a pause, so reads see partial lines) gives the same stream.
    func testXaddGivesTheSameStreamForEveryChunkingOfItsInput() async throws {
        let server = try startServer()
        let input = escapeLines.joined(separator: "\n") + "\n"
        let inputPath = server.directory + "/input.jsonl"
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        let writer = """
            import os, random, sys, time
            data = open(sys.argv[1], "rb").read()
            mode = sys.argv[2]
            if mode == "whole":
                cuts = [len(data)]
            elif mode == "bytes":
                cuts = list(range(1, len(data) + 1))
            else:
                rng = random.Random(int(mode))
                cuts = sorted(set(rng.sample(range(1, len(data)), 12))) + [len(data)]
            start = 0
            for cut in cuts:
                os.write(1, data[start:cut])
                start = cut
                time.sleep(0.001)
            """
        try writer.write(toFile: server.directory + "/writer.py", atomically: true, encoding: .utf8)
        for mode in ["whole", "bytes", "1", "2", "3"] {
            let key = "split-\(mode)"
            let result = try await Binary.runExecutable(
                "bash",
                [
                    "-c",
                    "python3 '\(server.directory)/writer.py' '\(inputPath)' \(mode) | '\(Binary.path("redis-dump"))' "
                        + "--port \(server.port) --xadd \(key) --batch 2",
                ]
            )
            XCTAssertEqual(result.status, 0, "chunking \(mode): \(result.stderr)")
            let out = try await dump(server, [key])
            XCTAssertEqual(out.stdoutText, input, "chunking \(mode) (seed or mode as named) changed the stream")
        }
    }

    func testForeignEntriesBecomeRedisRecordsWithEveryField() async throws {
        let server = try startServer()
        try server.cli([
            "XADD", "f", "1700000000000-0", "user_prompt", "{\"text\":\"héllo \\\"q\\\"\n\"}", "session_id", "s1",
        ])
        try server.cli(["XADD", "f", "1700000000001-5", "a", "x\ty", "empty", "", "a", "again"])
        try server.cli(["XADD", "f", "1700000000002-0", "record", "{\"v\":1}", "host", "m1"])
        try server.cli(["XADD", "f", "1700000000003-0", "record", "not json"])
        let out = try await dump(server, ["f"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(
            out.stdoutText,
            #"""
            {"v":1,"type":"redis","stream":"f","id":"1700000000000-0","ts":"2023-11-14T22:13:20.000000Z","fields":{"user_prompt":"{\"text\":\"héllo \\\"q\\\"\n\"}","session_id":"s1"}}
            {"v":1,"type":"redis","stream":"f","id":"1700000000001-5","ts":"2023-11-14T22:13:20.001000Z","fields":{"a":"x\ty","empty":"","a":"again"}}
            {"v":1,"type":"redis","stream":"f","id":"1700000000002-0","ts":"2023-11-14T22:13:20.002000Z","fields":{"record":"{\"v\":1}","host":"m1"}}
            {"v":1,"type":"redis","stream":"f","id":"1700000000003-0","ts":"2023-11-14T22:13:20.003000Z","fields":{"record":"not json"}}

            """#
        )
    }

    func testRangeFromToAndCount() async throws {
        let server = try startServer()
        for i in 1...9 { try server.cli(["XADD", "r", "\(i)-0", "record", "{\"i\":\(i)}"]) }
        let middle = try await dump(server, ["r", "--from", "3", "--to", "6-0", "--batch", "2"])
        XCTAssertEqual(middle.stdoutLines, (3...6).map { "{\"i\":\($0)}" })
        let exclusive = try await dump(server, ["r", "--from", "(8-0"])
        XCTAssertEqual(exclusive.stdoutLines, ["{\"i\":9}"])
        let counted = try await dump(server, ["r", "--count", "4", "--batch", "3"])
        XCTAssertEqual(counted.stdoutLines, (1...4).map { "{\"i\":\($0)}" })
    }

    func testNonJSONLinesAreRefusedWithTheirLineNumbers() async throws {
        let server = try startServer()
        let result = try await dump(
            server,
            ["--xadd", "bad"],
            stdin: "{\"ok\":1}\nnot json\n\n[1,2]\n{\"ok\":2}\n{\"broken\":\n"
        )
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(
            result.stderr,
            """
            redis-dump: line 2: not a JSON object (not written)
            redis-dump: line 4: not a JSON object (not written)
            redis-dump: line 6: not a JSON object (not written)
            redis-dump: 3 line(s) refused, 2 written

            """
        )
        let out = try await dump(server, ["bad"])
        XCTAssertEqual(out.stdoutLines, ["{\"ok\":1}", "{\"ok\":2}"])
    }

    func testMaxlenTrimsTheStream() async throws {
        let server = try startServer()
        let lines = (0..<5000).map { "{\"i\":\($0)}\n" }.joined()
        let result = try await dump(server, ["--xadd", "m", "--maxlen", "~100"], stdin: lines)
        XCTAssertEqual(result.status, 0, result.stderr)
        let length = Int(try server.cli(["XLEN", "m"])) ?? -1
        XCTAssertGreaterThanOrEqual(length, 100)
        XCTAssertLessThan(length, 5000)
        let out = try await dump(server, ["m"])
        XCTAssertEqual(out.stdoutLines.last, "{\"i\":4999}")
    }

    func testCannotConnectNamesTheAddress() async throws {
        let port = Network.freePort()
        let result = try await Binary.run("redis-dump", ["--port", "\(port)", "k"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "redis-dump: cannot connect to 127.0.0.1:\(port): Connection refused\n")
        let viaURL = try await Binary.run(
            "redis-dump",
            ["k"],
            environment: ["REDIS_URL": "redis://:pw@127.0.0.1:\(port)/2"]
        )
        XCTAssertEqual(viaURL.stderr, "redis-dump: cannot connect to 127.0.0.1:\(port): Connection refused\n")
    }

    func testClosedPipeEndsQuietly() async throws {
        let server = try startServer()
        let lines = (0..<20000).map { "{\"i\":\($0),\"pad\":\"\(String(repeating: "x", count: 100))\"}\n" }.joined()
        _ = try await dump(server, ["--xadd", "p"], stdin: lines)
        let result = try await Binary.runExecutable(
            "bash",
            [
                "-c",
                "'\(Binary.path("redis-dump"))' --port \(server.port) p | head -1; echo \"status ${PIPESTATUS[0]}\"",
            ]
        )
        XCTAssertEqual(result.stdoutLines, ["{\"i\":0,\"pad\":\"\(String(repeating: "x", count: 100))\"}", "status 0"])
        XCTAssertEqual(result.stderr, "")
    }

    func testFollowSurvivesAServerRestartWithoutLossOrDuplicate() async throws {
        let server = try startServer(appendOnly: true)
        let expected = (0..<60).map { "{\"v\":1,\"type\":\"t\",\"i\":\($0)}" }
        let follower = try BackgroundDump(
            ["--port", "\(server.port)", "live", "--follow", "--from", "0", "--count", "60", "--block-ms", "200"],
            directory: server.directory,
            name: "follower"
        )
        let first = try await dump(server, ["--xadd", "live"], stdin: expected[0..<30].joined(separator: "\n") + "\n")
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(waitUntil(seconds: 10) { follower.lines.count == 30 }, "follower saw \(follower.lines.count)")

        // Mid-stream: the follower is blocked in XREAD when the server goes away and comes back.
        server.stop()
        try await Task.sleep(nanoseconds: 300_000_000)
        try server.start()
        for line in expected[30..<45] { try server.cli(["XADD", "live", "*", "record", line]) }
        let rest = try await dump(server, ["--xadd", "live"], stdin: expected[45...].joined(separator: "\n") + "\n")
        XCTAssertEqual(rest.status, 0, rest.stderr)

        follower.waitForExit(seconds: 20)
        XCTAssertEqual(follower.status, 0, follower.errors)
        XCTAssertEqual(follower.lines, expected)
        XCTAssertTrue(follower.errors.contains("reconnected to 127.0.0.1:\(server.port)"), follower.errors)
    }

    /// Range mode resumes after the last entry written when the server restarts mid-dump: the dump is
    /// held (its stdout pipe full, a page request in flight) while the server goes away and comes back.
    func testRangeDumpSurvivesAServerRestart() async throws {
        let server = try startServer(appendOnly: true)
        let pad = String(repeating: "r", count: 2000)
        let lines = (0..<3000).map { "{\"v\":1,\"type\":\"t\",\"i\":\($0),\"pad\":\"\(pad)\"}" }
        let input = lines.joined(separator: "\n") + "\n"
        let xadd = try await dump(server, ["--xadd", "big"], stdin: input)
        XCTAssertEqual(xadd.status, 0, xadd.stderr)

        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let reader = try BackgroundDump(
            ["--port", "\(server.port)", "big", "--batch", "100"],
            directory: server.directory,
            name: "range",
            stdoutFD: fds[1]
        )
        close(fds[1])
        try await Task.sleep(nanoseconds: 500_000_000)  // blocked writing its first megabyte
        server.stop()
        try await Task.sleep(nanoseconds: 300_000_000)
        try server.start()

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fds[0], &chunk, chunk.count)
            if n <= 0 { break }
            output += chunk[0..<n]
        }
        close(fds[0])
        reader.waitForExit(seconds: 20)
        XCTAssertEqual(reader.status, 0, reader.errors)
        XCTAssertTrue(output == Array(input.utf8), "range dump across a restart lost or repeated entries")
        XCTAssertTrue(reader.errors.contains("reconnected to 127.0.0.1:\(server.port)"), reader.errors)
    }

    func testFollowFromTheEndSeesOnlyNewEntries() async throws {
        let server = try startServer()
        try server.cli(["XADD", "tail", "*", "record", "{\"old\":1}"])
        let follower = try BackgroundDump(
            ["--port", "\(server.port)", "tail", "--follow", "--count", "2", "--block-ms", "100"],
            directory: server.directory,
            name: "tail"
        )
        // Give it time to resolve `$` before the new entries arrive.
        try await Task.sleep(nanoseconds: UInt64(SanitizerTiming.scaled(0.5) * 1e9))
        try server.cli(["XADD", "tail", "*", "record", "{\"new\":1}"])
        try server.cli(["XADD", "tail", "*", "record", "{\"new\":2}"])
        follower.waitForExit(seconds: 10)
        XCTAssertEqual(follower.lines, ["{\"new\":1}", "{\"new\":2}"])
    }

    func testKilledGroupConsumerEntriesAreReclaimedBySecondConsumer() async throws {
        let server = try startServer()
        let pad = String(repeating: "p", count: 200)
        let lines = (0..<3000).map { "{\"v\":1,\"type\":\"t\",\"i\":\($0),\"pad\":\"\(pad)\"}" }
        let xadd = try await dump(
            server,
            ["--xadd", "g", "--batch", "500"],
            stdin: lines.joined(separator: "\n") + "\n"
        )
        XCTAssertEqual(xadd.status, 0, xadd.stderr)

        // Consumer A takes a page of 1000 entries, then blocks writing to a pipe nobody reads
        // (before its XACK), and is killed: its entries stay pending in the group.
        var stuck: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&stuck), 0)
        defer { close(stuck[0]) }
        let consumerA = try BackgroundDump(
            [
                "--port", "\(server.port)", "g", "--group", "viewers", "--consumer", "A", "--create-group", "--from",
                "0",
            ],
            directory: server.directory,
            name: "A",
            stdoutFD: stuck[1]
        )
        close(stuck[1])
        XCTAssertTrue(try waitUntil(seconds: 10) { try server.pendingCount("g", "viewers") == 1000 })
        consumerA.kill()
        XCTAssertEqual(try server.pendingCount("g", "viewers"), 1000, "A acknowledged nothing")

        let consumerB = try await dump(server, ["g", "--group", "viewers", "--consumer", "B", "--claim-idle", "0"])
        XCTAssertEqual(consumerB.status, 0, consumerB.stderr)
        XCTAssertEqual(consumerB.stdoutLines, lines)
        XCTAssertEqual(try server.pendingCount("g", "viewers"), 0, "B acknowledged everything")
    }

    func testGroupCountStopsAndAcksOnlyWhatWasWritten() async throws {
        let server = try startServer()
        for i in 1...10 { try server.cli(["XADD", "gc", "\(i)-0", "record", "{\"i\":\(i)}"]) }
        let args = ["gc", "--group", "g", "--consumer", "c", "--create-group", "--from", "0", "--batch", "3"]
        let first = try await dump(server, args + ["--count", "4"])
        XCTAssertEqual(first.stdoutLines, (1...4).map { "{\"i\":\($0)}" })
        XCTAssertEqual(try server.pendingCount("gc", "g"), 0)
        let second = try await dump(server, args)
        XCTAssertEqual(second.stdoutLines, (5...10).map { "{\"i\":\($0)}" })
    }

    func testManPageDocumentsEveryOption() async throws {
        let help = try await Binary.run("redis-dump", ["--help"])
        let page = try String(contentsOfFile: Repo.root + "/man/redis-dump.1", encoding: .utf8)
        let options = Set(help.stdoutText.matches(of: /--[a-z][a-z0-9-]*[a-z0-9]/).map { String($0.output) })
        XCTAssertGreaterThan(options.count, 15)
        for option in options {
            XCTAssertTrue(page.contains("Fl -" + option.dropFirst(2)), "man/redis-dump.1 lacks \(option)")
        }
    }
}
