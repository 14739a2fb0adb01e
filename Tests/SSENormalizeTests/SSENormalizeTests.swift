// End-to-end tests of the built sse-normalize binary: pass-through, bad lines, --strict, --raw-sse on the
// real fixtures, a live stream from a real HTTP server through real curl, a closed pipe, the man page.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

private func lines(_ bytes: [UInt8]) -> [[UInt8]] {
    bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }.filter { !$0.isEmpty }
}

private func objects(_ bytes: [UInt8]) -> [[String: Any]] {
    lines(bytes).compactMap { (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any] }
}

/// The concatenated `text` of the deltas of one kind.
private func joined(_ bytes: [UInt8], kind: String) -> String {
    objects(bytes).filter { $0["kind"] as? String == kind }.compactMap { $0["text"] as? String }.joined()
}

private func isEventRecord(_ line: [UInt8]) -> Bool {
    guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else { return false }
    let type = object["type"] as? String
    return type == "sse" || (type == "ws" && object["direction"] as? String == "server")
}

final class SSENormalizeTests: XCTestCase {
    func testPassesEveryOtherRecordThroughByteIdenticalInOrder() async throws {
        let input = """
            {"v":1,"type":"flow","flow_id":"f","session_id":"s","ts":"2026-11-26T10:00:00.000000Z","provider":"anthropic","request":{"body":{"messages":[{"role":"user","content":"hi"}]}}}
            {"v":1 , "type":"bash","flow_id":"f","command":"ls  -la"}
            {"v":1,"type":"sse","flow_id":"f","session_id":"s","ts":"2026-11-26T10:00:01.000000Z","seq":0,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel\\u006co"}}}
            {"v":1,"type":"redis","stream":"k","id":"1-0","fields":{"x":"é"}}
            {"v":1,"type":"flow_end","flow_id":"f","session_id":"s","ts":"2026-11-26T10:00:02.000000Z","status":"complete"}

            """
        let result = try await Binary.run("sse-normalize", [], stdin: input)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stderr, "")
        let expected = """
            {"v":1,"type":"flow","flow_id":"f","session_id":"s","ts":"2026-11-26T10:00:00.000000Z","provider":"anthropic","request":{"body":{"messages":[{"role":"user","content":"hi"}]}}}
            {"v":1,"type":"delta","flow_id":"f","session_id":"s","ts":"2026-11-26T10:00:00.000000Z","provider":"anthropic","kind":"user_prompt","index":0,"text":"hi"}
            {"v":1 , "type":"bash","flow_id":"f","command":"ls  -la"}
            {"v":1,"type":"delta","flow_id":"f","session_id":"s","ts":"2026-11-26T10:00:01.000000Z","provider":"anthropic","kind":"text","index":0,"text":"Hel\\u006co"}
            {"v":1,"type":"redis","stream":"k","id":"1-0","fields":{"x":"é"}}
            {"v":1,"type":"flow_end","flow_id":"f","session_id":"s","ts":"2026-11-26T10:00:02.000000Z","status":"complete"}

            """
        XCTAssertEqual(result.stdoutText, expected)
    }

    func testNonJSONLineWarnsOnceAndPassesThrough() async throws {
        let input = "{\"v\":1,\"type\":\"x\"}\nnot json\n[1,2]\n{\"v\":1,\"type\":\"y\"}\n"
        let result = try await Binary.run("sse-normalize", [], stdin: input)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText, input)
        let stderr = result.stderr.split(separator: "\n").map(String.init)
        XCTAssertTrue(stderr.first?.hasPrefix("sse-normalize: line 2: not a JSON object") ?? false, result.stderr)
        XCTAssertEqual(stderr.count, 2, "the first bad line named, then a count: \(result.stderr)")
    }

    func testStrictExitsTwoAtTheBadLine() async throws {
        let input = "{\"v\":1,\"type\":\"x\"}\nnot json\n{\"v\":1,\"type\":\"y\"}\n"
        let result = try await Binary.run("sse-normalize", ["--strict"], stdin: input)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "sse-normalize: line 2: not a JSON object\n")
        XCTAssertFalse(result.stdoutText.contains("\"y\""), "nothing after the fatal line")
    }

    func testUsageErrorsExitTwo() async throws {
        let providerWithoutRaw = try await Binary.run("sse-normalize", ["--provider", "chat"])
        XCTAssertEqual(providerWithoutRaw.status, 2)
        XCTAssertTrue(providerWithoutRaw.stderr.contains("--provider needs --raw-sse"), providerWithoutRaw.stderr)
        let unknownOption = try await Binary.run("sse-normalize", ["--no-such-option"])
        XCTAssertEqual(unknownOption.status, 2)
        let missingFile = try await Binary.run("sse-normalize", ["/nonexistent/file.jsonl"])
        XCTAssertEqual(missingFile.status, 2)
        XCTAssertTrue(missingFile.stderr.hasPrefix("sse-normalize: "), missingFile.stderr)
    }

    func testRawSSEOnRealFixtures() async throws {
        let tool = try await Binary.run(
            "sse-normalize",
            ["--raw-sse", "--flow-id", "demo", Fixtures.realDirectory + "/anthropic-tool-use.sse"]
        )
        XCTAssertEqual(tool.status, 0)
        XCTAssertEqual(joined(tool.stdout, kind: "text"), "I'll check the current weather in Paris for you.")
        XCTAssertEqual(joined(tool.stdout, kind: "tool_args"), #"{"location": "Paris"}"#)
        XCTAssertTrue(objects(tool.stdout).allSatisfy { $0["flow_id"] as? String == "demo" })
        // The fixture has no final newline: the leftover is reported, not invented into an event.
        XCTAssertTrue(tool.stderr.contains("bytes after the last complete event discarded"), tool.stderr)

        // Standard input, a named provider, and every Chat quirk of one stream.
        let chat = try await Binary.run(
            "sse-normalize",
            ["--raw-sse", "--provider", "chat"],
            stdin: try Fixtures.real("chat-deepseek-reasoning-content.sse")
        )
        XCTAssertEqual(chat.status, 0)
        XCTAssertFalse(joined(chat.stdout, kind: "reasoning").isEmpty)
        XCTAssertFalse(joined(chat.stdout, kind: "text").isEmpty)
        XCTAssertEqual(objects(chat.stdout).last?["kind"] as? String, "message_end")
    }

    /// The same stream as records or as raw bytes gives the same deltas (timestamps aside).
    func testRecordsAndRawSSEAgree() async throws {
        let name = "responses-reasoning-summary.sse"
        let raw = try await Binary.run(
            "sse-normalize",
            ["--raw-sse", "--keep-events", "--flow-id", "r1"],
            stdin: try Fixtures.real(name)
        )
        XCTAssertEqual(raw.status, 0)
        // --keep-events wrote sse records: feed them back as records.
        let records: [UInt8] = lines(raw.stdout).filter(isEventRecord).flatMap { $0 + [UInt8(0x0A)] }
        let again = try await Binary.run("sse-normalize", [], stdin: records)
        XCTAssertEqual(again.status, 0)
        func deltas(_ bytes: [UInt8]) -> [NSDictionary] {
            objects(bytes).filter { $0["type"] as? String == "delta" }.map {
                var copy = $0
                copy["ts"] = nil
                return copy as NSDictionary
            }
        }
        XCTAssertEqual(deltas(again.stdout), deltas(raw.stdout))
        XCTAssertEqual(joined(again.stdout, kind: "reasoning").isEmpty, false)
    }

    /// The corpus of the benchmarks: every record that is not a decoded event comes out unchanged, in order.
    func testGeneratedCorpusPassThrough() async throws {
        let path = try await Corpus.generate(seed: 11, sizeMB: 2, badLines: 0.001)
        let input = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let result = try await Binary.run("sse-normalize", [path])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("not a JSON object"), result.stderr)
        let kept = lines(input).filter { !isEventRecord($0) }
        let passed = lines(result.stdout).filter { line in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                return true
            }
            return object["type"] as? String != "delta"
        }
        XCTAssertEqual(passed.count, kept.count)
        XCTAssertTrue(passed == kept, "pass-through lines differ from the input's non-event lines")
        XCTAssertGreaterThan(objects(result.stdout).filter { $0["kind"] as? String == "text" }.count, 100)
    }

    func testClosedPipeEndsQuietlyWithZero() async throws {
        let path = try await Corpus.generate(seed: 12, sizeMB: 6)
        let script = #"set -o pipefail; "$0" "$1" | head -1 > /dev/null; echo "status=${PIPESTATUS[0]}""#
        let result = try await Binary.runExecutable("bash", ["-c", script, Binary.path("sse-normalize"), path])
        XCTAssertEqual(result.stdoutText, "status=0\n")
        XCTAssertEqual(result.stderr, "")
    }

    /// The issue's use case: `curl -N … | sse-normalize --raw-sse`, against a real HTTP server on 127.0.0.1
    /// that sends a real stream in two parts 0.4 s apart. Deltas carry their arrival time, so the gap shows
    /// that they were decoded as the bytes came, not at the end. (Under a sanitizer the gap is longer:
    /// the instrumented tool may start after the first part has arrived.)
    func testLiveCurlStream() async throws {
        let dir = try TempDir.make("sse-normalize-live")
        let server = dir + "/server.py"
        try """
        import http.server, sys, time, pathlib
        port, fixture, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        data = open(fixture, 'rb').read()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get('Content-Length', 0)))
                self.send_response(200)
                self.send_header('Content-Type', 'text/event-stream')
                self.end_headers()
                half = len(data) // 2
                self.wfile.write(data[:half]); self.wfile.flush()
                time.sleep(\(SanitizerTiming.scaled(0.4)))
                self.wfile.write(data[half:]); self.wfile.flush()
            def log_message(self, *args): pass
        server = http.server.HTTPServer(('127.0.0.1', port), Handler)
        server.timeout = 20
        pathlib.Path(ready).touch()
        server.handle_request()
        """.write(toFile: server, atomically: true, encoding: .utf8)
        let script = #"""
            python3 "$1" "$2" "$3" "$4" & server=$!
            for i in $(seq 200); do [ -e "$4" ] && break; sleep 0.05; done
            curl -sN --max-time 20 -X POST -d '{"stream":true}' "http://127.0.0.1:$2/v1/messages" | "$0" --raw-sse --line-buffered
            status=${PIPESTATUS[1]}
            wait $server
            exit $status
            """#
        let port = Network.freePort()
        let result = try await Binary.runExecutable(
            "bash",
            [
                "-c", script, Binary.path("sse-normalize"), server, "\(port)",
                Fixtures.realDirectory + "/responses-text-sequence-number.sse", dir + "/ready",
            ]
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        let deltas = objects(result.stdout)
        let text = joined(result.stdout, kind: "text")
        XCTAssertFalse(text.isEmpty)
        XCTAssertEqual(deltas.last?["kind"] as? String, "message_end")
        let times = deltas.compactMap { $0["ts"] as? String }
        XCTAssertEqual(times.count, deltas.count)
        let first = try XCTUnwrap(times.first.flatMap(microseconds))
        let last = try XCTUnwrap(times.last.flatMap(microseconds))
        XCTAssertGreaterThan(last - first, 300_000, "deltas of the second half arrived later: \(times)")
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testTextViewRendersTheStreamForAPerson() async throws {
        let result = try await Binary.run(
            "sse-normalize",
            [
                "--raw-sse", "--format", "text", "--color", "never",
                Repo.root + "/examples/data/anthropic-bash.sse",
            ]
        )
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(
            result.stdoutText,
            """
            I'll list the files, then count them.
            → Bash {"command": "ls -la | wc -l"}
            ■ tool_use · input 42 · output 31 · cache 1000

            """
        )
        let colored = try await Binary.run(
            "sse-normalize",
            [
                "--raw-sse", "--format", "text", "--color", "always",
                Repo.root + "/examples/data/anthropic-bash.sse",
            ]
        )
        XCTAssertTrue(colored.stdoutText.contains("\u{1B}[36m→ Bash "), colored.stdoutText)
    }

    func testTextViewSaysWhoseTextWhenFlowsInterleave() async throws {
        func event(_ flow: String, _ text: String) -> String {
            #"{"v":1,"type":"sse","flow_id":"\#(flow)","ts":"T","seq":0,"data":{"type":"content_block_delta","index":0,"#
                + #""delta":{"type":"text_delta","text":"\#(text)"}}}"#
        }
        let input = [event("a", "Hello "), event("b", "Bonjour "), event("a", "world")].joined(separator: "\n") + "\n"
        let result = try await Binary.run("sse-normalize", ["--format", "text", "--color", "never"], stdin: input)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText, "Hello \n── b\nBonjour \n── a\nworld")
    }

    func testManPageDocumentsEveryOptionAndLintsClean() async throws {
        let page = Repo.root + "/man/sse-normalize.1"
        let text = try String(contentsOfFile: page, encoding: .utf8)
        let dump = try await Binary.run("sse-normalize", ["--experimental-dump-help"])
        let help = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dump.stdout)) as? [String: Any])
        let arguments = (help["command"] as? [String: Any])?["arguments"] as? [[String: Any]] ?? []
        var checked = 0
        for argument in arguments {
            for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                let long = name["name"] as? String ?? ""
                guard long != "help" else { continue }
                XCTAssertTrue(text.contains("Fl -\(long)"), "man page lacks --\(long)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 9)
        for section in ["OPTIONS", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES", "SEE ALSO"] {
            XCTAssertTrue(text.contains(".Sh \(section)"), "missing section \(section)")
        }
        let lint = try await Binary.runExecutable("mandoc", ["-T", "lint", "-W", "warning", page])
        XCTAssertEqual(lint.status, 0, lint.stdoutText + lint.stderr)
        XCTAssertEqual(lint.stdoutText + lint.stderr, "")
    }

    func testExampleScriptRuns() async throws {
        let result = try await Binary.runExecutable(
            "bash",
            [Repo.root + "/examples/sse-normalize.sh"],
            environment: ["PATH": Binary.directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")],
            workingDirectory: Repo.root
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutText.contains("I'll list the files, then count them."), result.stdoutText)
        XCTAssertTrue(result.stdoutText.contains(#"Bash {"command": "ls -la | wc -l"}"#), result.stdoutText)
    }
}

/// Microseconds since the epoch of an ISO-8601 timestamp.
private func microseconds(_ iso: String) -> Int64? {
    Timestamp(iso8601: iso)?.microseconds
}
