// flow-web end to end: the built binary with real curl and a real headless Chromium (selenium).

import Foundation
import TapTestSupport
import XCTest

final class FlowWebCommandTests: XCTestCase {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Resources"
    ).path

    func testPassesRecordsThroughByteIdentical() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1, badLines: 0.01)
        let result = try await Binary.run("flow-web", ["--listen", "127.0.0.1:0", "--exit-at-end", corpus])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, Array(try Data(contentsOf: URL(fileURLWithPath: corpus))))
        XCTAssertTrue(result.stderr.hasPrefix("flow-web: serving http://127.0.0.1:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("not a JSON object (passed through)"), result.stderr)
    }

    func testBadListenAddressIsAUsageError() async throws {
        let result = try await Binary.run("flow-web", ["--listen", "nowhere"], stdin: "")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--listen wants host:port"), result.stderr)
    }

    /// curl gets the page (self-contained: no URL of another origin) and the event stream: a reset,
    /// then one `full` op per flow of the input.
    func testCurlGetsThePageAndTheSnapshot() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1)
        let flows = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(#""type":"flow","#) }.count
        let port = Network.freePort()
        let bin = Binary.directory
        // Input stays open 4 s after the log so the server is up while curl asks; then it exits.
        async let server = Binary.runExecutable(
            "bash",
            [
                "-c",
                "{ cat '\(corpus)'; sleep 4; } | '\(bin)/flow-web' --listen 127.0.0.1:\(port) --exit-at-end > /dev/null",
            ]
        )
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let page = try await Binary.runExecutable(
            "curl",
            ["--noproxy", "*", "-sS", "-D", "-", "--max-time", "5", "http://127.0.0.1:\(port)/"]
        )
        XCTAssertEqual(page.status, 0, page.stderr)
        XCTAssertTrue(page.stdoutText.contains("content-security-policy: default-src 'self'"))
        XCTAssertTrue(page.stdoutText.contains("new EventSource(\"events\")"))
        XCTAssertFalse(page.stdoutText.contains("src=\"http"), "the page loads nothing from elsewhere")
        XCTAssertFalse(page.stdoutText.contains(".innerHTML"), "captured text never goes in as markup")
        let events = try await Binary.runExecutable(
            "curl",
            ["--noproxy", "*", "-sN", "--max-time", "2", "http://127.0.0.1:\(port)/events"]
        )
        XCTAssertTrue(events.stdoutText.hasPrefix("event: reset\ndata: \n\n"), String(events.stdoutText.prefix(80)))
        XCTAssertEqual(events.stdoutText.components(separatedBy: "data: {\"op\":\"full\"").count - 1, flows)
        let missing = try await Binary.runExecutable(
            "curl",
            [
                "--noproxy", "*", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                "http://127.0.0.1:\(port)/nope",
            ]
        )
        XCTAssertEqual(missing.stdoutText, "404")
        let done = try await server
        XCTAssertEqual(done.status, 0, done.stderr)
    }

    /// A log with a filler flow first (so the page is open before the known flow streams), then the
    /// known Anthropic flow: a prompt with an injected <script>, text, a Bash tool call.
    static func browserLog() -> String {
        var lines: [String] = []
        func ts(_ seconds: Double) -> String {
            let whole = Int(seconds)
            let micros = Int(((seconds - Double(whole)) * 1_000_000).rounded())
            return String(format: "2026-11-24T19:%02d:%02d.%06dZ", 15 + whole / 60, whole % 60, micros)
        }
        func flow(_ id: String, _ at: Double, prompt: String) -> String {
            let body = try? JSONSerialization.data(withJSONObject: [
                "model": "claude-x", "messages": [["role": "user", "content": prompt]],
            ])
            return
                #"{"v":1,"type":"flow","flow_id":"\#(id)","session_id":"sess-1","session_source":"header","ts":"\#(ts(at))","provider":"anthropic","method":"POST","url":"https://api.anthropic.com/v1/messages","status":200,"request":{"headers":{},"body":\#(String(decoding: body ?? Data(), as: UTF8.self))},"response":{"headers":{"content-type":"text/event-stream"}}}"#
        }
        var seq = 0
        func sse(_ id: String, _ at: Double, _ event: String, _ data: String) -> String {
            seq += 1
            return
                #"{"v":1,"type":"sse","flow_id":"\#(id)","session_id":"sess-1","ts":"\#(ts(at))","seq":\#(seq),"event":"\#(event)","data":\#(data)}"#
        }
        lines.append(flow("filler", 0, prompt: "warm up"))
        lines.append(
            sse(
                "filler",
                0.1,
                "content_block_start",
                #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#
            )
        )
        for n in 0..<20 {  // 3 s apart: 6 s of replay at --speed 10 before the known flow
            lines.append(
                sse(
                    "filler",
                    1 + Double(n) * 3,
                    "content_block_delta",
                    #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"tick \#(n) "}}"#
                )
            )
        }
        lines.append(sse("filler", 59, "message_stop", #"{"type":"message_stop"}"#))
        lines.append(
            #"{"v":1,"type":"flow_end","flow_id":"filler","session_id":"sess-1","ts":"\#(ts(59))","status":"complete","duration_ms":59000,"events":23,"bytes":100}"#
        )
        lines.append(
            flow(
                "known",
                60,
                prompt: "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2> list /tmp"
            )
        )
        lines.append(
            sse(
                "known",
                60.2,
                "message_start",
                #"{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":12,"output_tokens":1}}}"#
            )
        )
        lines.append(
            sse(
                "known",
                60.3,
                "content_block_start",
                #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#
            )
        )
        for (n, piece) in ["KNOWN-FLOW-TEXT ", "finished ", "listing"].enumerated() {
            lines.append(
                sse(
                    "known",
                    60.5 + Double(n) * 0.5,
                    "content_block_delta",
                    #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(piece)"}}"#
                )
            )
        }
        lines.append(sse("known", 62, "content_block_stop", #"{"type":"content_block_stop","index":0}"#))
        lines.append(
            sse(
                "known",
                62.1,
                "content_block_start",
                #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}}"#
            )
        )
        for piece in [#"{\"comm"#, #"and\": \"ls -la"#, #" /tmp\"}"#] {
            lines.append(
                sse(
                    "known",
                    62.3,
                    "content_block_delta",
                    #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\#(piece)"}}"#
                )
            )
        }
        lines.append(sse("known", 62.5, "content_block_stop", #"{"type":"content_block_stop","index":1}"#))
        lines.append(
            sse(
                "known",
                62.6,
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}"#
            )
        )
        lines.append(sse("known", 62.7, "message_stop", #"{"type":"message_stop"}"#))
        lines.append(
            #"{"v":1,"type":"flow_end","flow_id":"known","session_id":"sess-1","ts":"\#(ts(62.8))","status":"complete","duration_ms":2800,"events":12,"bytes":900}"#
        )
        return lines.joined(separator: "\n") + "\n"
    }

    /// Headless Chromium opens the page while `flow-replay --speed 10 … | bash-detect --line-buffered | flow-web`
    /// streams the log in; see Resources/browser_test.py for what it checks.
    func testBrowserShowsTheLiveFlowTheBashCommandAndEscapedPrompt() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        else { throw XCTSkip("needs Debian's chromium and chromium-driver") }
        let selenium = try await Binary.runExecutable("python3", ["-c", "import selenium"])
        guard selenium.status == 0 else { throw XCTSkip("needs selenium (pip install selenium)") }
        for tool in ["flow-replay", "bash-detect"]
        where !FileManager.default.isExecutableFile(atPath: Binary.path(tool)) {
            throw XCTSkip("\(tool) is not built")
        }
        let dir = try TempDir.make("flow-web-browser")
        let log = dir + "/browser.jsonl"
        try Self.browserLog().write(toFile: log, atomically: true, encoding: .utf8)
        let result = try await Binary.runExecutable(
            "timeout",
            ["120", "python3", Self.resources + "/browser_test.py", Binary.directory, log, dir]
        )
        print(result.stdoutText, terminator: "")
        XCTAssertEqual(result.status, 0, "browser test failed:\n\(result.stdoutText)\n\(result.stderr)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/flow-web.png"), "no screenshot")
        // The records went on through flow-web unchanged (bash-detect's records: deltas and bash).
        let passed = try String(contentsOfFile: dir + "/passed.jsonl", encoding: .utf8)
        XCTAssertTrue(passed.contains(#""type":"bash""#), "flow-web passed bash-detect's records through")
    }
}
