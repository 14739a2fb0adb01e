// Every tool, every bad input (issue 10): each built tool is fed empty input, a lone newline,
// invalid UTF-8, NUL bytes, truncated JSON, records of the wrong type, a 100 MB line, and a closed
// stdout. Each must end with its documented status (0; 2 with --strict or a refused write;
// rg-prefilter 1 when nothing matches) and, for bad lines, a one-line `tool: line N: ...` message —
// never a signal, never a hang: every run goes through `timeout`, so a hang is a failure (124).

import Foundation
import TapCodec
import TapTestSupport
import Testing

/// One row of the table: a tool and the arguments that make it read NDJSON from stdin.
struct HostileTool: Sendable, CustomTestStringConvertible {
    let name: String
    let arguments: [String]
    /// Lines the tool does not handle must come out byte-identical (DESIGN §4 rule 1).
    let passesThrough: Bool
    /// The tool takes `--strict` (a bad line becomes exit 2).
    let hasStrict: Bool

    var testDescription: String { ([name] + arguments).joined(separator: " ") }
}

/// The literal rg-prefilter searches for; its exit status is 0 when any line holds it, else 1.
let rgPattern = "flow_id"

let hostileTools: [HostileTool] = [
    HostileTool(name: "sse-normalize", arguments: [], passesThrough: true, hasStrict: true),
    HostileTool(name: "delta-unescape", arguments: [], passesThrough: true, hasStrict: true),
    HostileTool(name: "json-pretty-stream", arguments: [], passesThrough: true, hasStrict: true),
    HostileTool(name: "bash-detect", arguments: [], passesThrough: true, hasStrict: true),
    HostileTool(name: "flow-interleave", arguments: ["--format", "text"], passesThrough: false, hasStrict: true),
    HostileTool(name: "rg-prefilter", arguments: [rgPattern], passesThrough: false, hasStrict: false),
    HostileTool(name: "extract-prompts", arguments: [], passesThrough: false, hasStrict: true),
    HostileTool(name: "extract-turns", arguments: [], passesThrough: false, hasStrict: true),
    HostileTool(name: "extract-pairs", arguments: [], passesThrough: false, hasStrict: true),
    HostileTool(name: "extract-deltas", arguments: [], passesThrough: false, hasStrict: true),
    HostileTool(name: "extract-requests", arguments: [], passesThrough: false, hasStrict: true),
    HostileTool(name: "extract-usage", arguments: [], passesThrough: false, hasStrict: true),
    HostileTool(name: "extract-latency", arguments: [], passesThrough: false, hasStrict: true),
    HostileTool(name: "flow-replay", arguments: ["--no-wait"], passesThrough: true, hasStrict: true),
]

/// The small hostile inputs, by name.
let hostileInputs: [(name: String, bytes: [UInt8])] = [
    ("empty", []),
    ("lone newline", Array("\n".utf8)),
    (
        "invalid UTF-8",
        [0xFF, 0xFE, 0xC0, 0x80, 0x20, 0x0A] + Array(#"{"v":1,"type":"sse","data":""#.utf8) + [0xFF]
            + Array("\"}\n".utf8) + [0xED, 0xA0, 0x80, 0x0A]
    ),
    ("NUL bytes", Array("a\u{0}b\n{\"v\":1,\"type\":\"flow\u{0}x\"}\n\u{0}\u{0}\u{0}\n".utf8)),
    (
        "truncated JSON",
        Array(#"{"v":1,"type":"sse","flow_id":"f1","data":{"type":"content_bl"#.utf8) + [0x0A]
            + Array(#"{"v":1,"type":"flow","flow_id":"#.utf8)
    ),
    (
        "wrong types",
        Array(
            """
            [1,2,3]
            "str"
            42
            {"v":1,"type":42}
            {"v":1,"type":"sse","flow_id":7,"seq":"x","event":["e"],"data":[1]}
            {"v":1,"type":"sse","flow_id":"f","seq":1,"event":"content_block_delta","data":{"type":"content_block_delta","index":"0","delta":{"type":"input_json_delta","partial_json":{"a":1}}}}
            {"v":1,"type":"flow","flow_id":"a","request":"nope","response":[],"ts":"yesterday","provider":7}
            {"v":1,"type":"delta","flow_id":"a","kind":5,"text":{}}
            {"v":1,"type":"flow_end","flow_id":null,"ts":12,"status":[]}
            {"v":1,"type":"redis","stream":1,"id":{},"fields":"x"}
            null

            """.utf8
        )
    ),
]

/// The lines of `bytes` (without their `\n`; a last line without one counts).
func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var result = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    if result.last?.isEmpty == true { result.removeLast() }
    return result
}

func isRecord(_ line: ArraySlice<UInt8>) -> Bool {
    Array(line).withUnsafeBytes { JSONScanner.isValidObject($0) }
}

/// Bad lines: not blank and not one JSON object.
func badLineNumbers(_ bytes: [UInt8]) -> [Int] {
    lines(bytes).enumerated().compactMap { index, line in
        line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) || isRecord(line) ? nil : index + 1
    }
}

/// What the tool must exit with for `bytes` without --strict.
func expectedStatus(_ tool: HostileTool, _ bytes: [UInt8]) -> Int32 {
    if tool.name == "rg-prefilter" {
        let needle = Array(rgPattern.utf8)
        return lines(bytes).contains { line in
            line.count >= needle.count
                && (line.startIndex...(line.endIndex - needle.count)).contains {
                    line[$0..<$0 + needle.count].elementsEqual(needle)
                }
        } ? 0 : 1
    }
    return 0
}

/// Runs a tool under `timeout` (a hang ends as status 124, a crash as 128 + signal).
func runBounded(_ tool: String, _ arguments: [String], stdin: [UInt8], seconds: Int = 60) async throws -> RunResult {
    try await Binary.runExecutable(
        "timeout",
        ["--kill-after=5", "\(seconds)", Binary.path(tool)] + arguments,
        stdin: stdin
    )
}

/// The status is neither a signal nor a timeout, and stderr shows no runtime trap.
func expectNoCrash(_ result: RunResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status != 124, "\(what): hung (killed by timeout)", sourceLocation: sourceLocation)
    #expect(
        result.status < 124,
        "\(what): died with status \(result.status); stderr: \(result.stderr.prefix(400))",
        sourceLocation: sourceLocation
    )
    for marker in [
        "Fatal error", "fatal error", "runtime failure", "Segmentation", "Illegal instruction", "Stack dump",
    ] {
        #expect(
            !result.stderr.contains(marker),
            "\(what): \(marker) in stderr: \(result.stderr.prefix(400))",
            sourceLocation: sourceLocation
        )
    }
}

@Suite("Hostile input, every tool")
struct HostileInputTests {
    @Test("small hostile inputs: documented status, clear message, nothing lost", arguments: hostileTools)
    func smallInputs(tool: HostileTool) async throws {
        for input in hostileInputs {
            let what = "\(tool.testDescription) <\(input.name)>"
            let result = try await runBounded(tool.name, tool.arguments, stdin: input.bytes)
            expectNoCrash(result, what)
            #expect(
                result.status == expectedStatus(tool, input.bytes),
                "\(what): status \(result.status); \(result.stderr)"
            )
            let bad = badLineNumbers(input.bytes)
            let errorLines = result.stderr.split(separator: "\n")
            // Every message is one line that names the tool; the first names the first bad line.
            for line in errorLines {
                #expect(line.hasPrefix("\(tool.name): "), "\(what): stderr line without the tool's name: \(line)")
            }
            if tool.name != "rg-prefilter", let first = bad.first {
                #expect(
                    errorLines.first?.hasPrefix("\(tool.name): line \(first): ") == true,
                    "\(what): first message should name line \(first): \(result.stderr)"
                )
            }
            if tool.passesThrough {
                let output = Set(lines(result.stdout).map { Array($0) })
                for number in bad {
                    let line = Array(lines(input.bytes)[number - 1])
                    #expect(output.contains(line), "\(what): bad line \(number) not passed through byte-identical")
                }
            }
        }
    }

    @Test("--strict: the first bad line is fatal, exit 2, one message", arguments: hostileTools.filter(\.hasStrict))
    func strict(tool: HostileTool) async throws {
        for input in hostileInputs {
            let what = "\(tool.testDescription) --strict <\(input.name)>"
            let result = try await runBounded(tool.name, tool.arguments + ["--strict"], stdin: input.bytes)
            expectNoCrash(result, what)
            if let first = badLineNumbers(input.bytes).first {
                #expect(result.status == 2, "\(what): status \(result.status)")
                #expect(result.stderr.hasPrefix("\(tool.name): line \(first): "), "\(what): \(result.stderr)")
            } else {
                #expect(result.status == 0, "\(what): status \(result.status); \(result.stderr)")
            }
        }
    }

    @Test("closed stdout: the tool stops quietly with status 0", arguments: hostileTools)
    func closedStdout(tool: HostileTool) async throws {
        // A real capture (148 records) so every tool has output to write into the closed pipe.
        let sample = Repo.root + "/examples/sample.jsonl"
        let script = """
            import os, subprocess, sys
            r, w = os.pipe()
            os.close(r)  # nobody will ever read: every write gets EPIPE (or SIGPIPE)
            p = subprocess.run(sys.argv[2:], stdin=open(sys.argv[1], "rb"), stdout=w, stderr=subprocess.PIPE, timeout=60)
            sys.stderr.write(p.stderr.decode("utf-8", "replace"))
            sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)
            """
        let result = try await Binary.runExecutable(
            "python3",
            ["-c", script, sample, Binary.path(tool.name)] + tool.arguments
        )
        expectNoCrash(result, "\(tool.testDescription) >closed pipe")
        #expect(result.status == 0, "\(tool.testDescription) >closed pipe: status \(result.status); \(result.stderr)")
    }

    @Test("a 100 MB line, read from a file", arguments: hostileTools)
    func hugeLine(tool: HostileTool) async throws {
        let path = try BigLine.path()
        // stdout is counted, not kept: bash's pipefail gives the tool's status.
        let result = try await Binary.runExecutable(
            "bash",
            ["-c", #"set -o pipefail; timeout --kill-after=5 300 "$@" | wc -c"#, "bash", Binary.path(tool.name)]
                + tool.arguments + [path]
        )
        let what = "\(tool.testDescription) <\(BigLine.megabytes) MB line>"
        expectNoCrash(result, what)
        #expect(result.status == 0, "\(what): status \(result.status); \(result.stderr.prefix(400))")
        #expect(result.stderr.isEmpty, "\(what): unexpected message \(result.stderr.prefix(400))")
        if tool.passesThrough || tool.name == "rg-prefilter" {
            let written = Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(written >= BigLine.megabytes << 20, "\(what): wrote only \(written) bytes")
        }
    }

    @Test("redis-dump --xadd refuses bad lines with exit 2 and writes the good ones")
    func redisXadd() async throws {
        guard let server = try await PrivateRedis.start() else {
            print("HostileInputTests: redis-server not found; the redis-dump --xadd row is skipped")
            return
        }
        for (index, input) in hostileInputs.enumerated() {
            let what = "redis-dump --xadd <\(input.name)>"
            let key = "hostile:\(index)"
            let result = try await runBounded(
                "redis-dump",
                ["--port", "\(server.port)", "--xadd", key],
                stdin: input.bytes
            )
            expectNoCrash(result, what)
            let bad = badLineNumbers(input.bytes)
            #expect(result.status == (bad.isEmpty ? 0 : 2), "\(what): status \(result.status); \(result.stderr)")
            if let first = bad.first {
                #expect(result.stderr.hasPrefix("redis-dump: line \(first): "), "\(what): \(result.stderr)")
            }
            // Every record line was written, none of the bad ones.
            let records = lines(input.bytes).filter(isRecord).count
            let length = try await Binary.runExecutable("redis-cli", ["-p", "\(server.port)", "XLEN", key])
            #expect(Int(length.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) == records, "\(what): XLEN")
        }
        await server.stop()
    }
}

/// The 100 MB line: one valid `sse` record whose `data` is a 100 MB string, written once per run
/// (size from STREAMTAP_HOSTILE_BIG_MB, default 100) and reused by every tool's row.
enum BigLine {
    static let megabytes = Int(ProcessInfo.processInfo.environment["STREAMTAP_HOSTILE_BIG_MB"] ?? "") ?? 100
    private static let made: Result<String, Error> = Result {
        let path = NSTemporaryDirectory() + "streamtap-hostile-\(getpid())-\(megabytes)MB.jsonl"
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        try handle.write(
            contentsOf: Data(#"{"v":1,"type":"sse","flow_id":"f-big","seq":1,"event":"message","data":""#.utf8)
        )
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<megabytes { try handle.write(contentsOf: block) }
        try handle.write(contentsOf: Data("\"}\n".utf8))
        atexit { unlink(NSTemporaryDirectory() + "streamtap-hostile-\(getpid())-\(BigLine.megabytes)MB.jsonl") }
        return path
    }
    static func path() throws -> String { try made.get() }
}

/// A private redis-server on a free loopback port (daemonized, no persistence), or nil when
/// redis-server is not installed.
struct PrivateRedis {
    let port: Int
    let directory: String

    static func start() async throws -> PrivateRedis? {
        guard (try? await Binary.runExecutable("redis-server", ["--version"]))?.status == 0 else { return nil }
        let port = Network.freePort()
        let directory = try TempDir.make("hostile-redis")
        let started = try await Binary.runExecutable(
            "redis-server",
            [
                "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory,
                "--daemonize", "yes", "--pidfile", directory + "/redis.pid", "--logfile", directory + "/redis.log",
            ]
        )
        #expect(started.status == 0, "redis-server: \(started.stderr)")
        for _ in 0..<100 {
            let ping = try await Binary.runExecutable("redis-cli", ["-p", "\(port)", "PING"])
            if ping.stdoutText.hasPrefix("PONG") { return PrivateRedis(port: port, directory: directory) }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        Issue.record("redis-server did not answer on port \(port)")
        return nil
    }

    /// Stops the server (redis-cli SHUTDOWN NOSAVE) and removes its directory.
    func stop() async {
        _ = try? await Binary.runExecutable("redis-cli", ["-p", "\(port)", "SHUTDOWN", "NOSAVE"])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
