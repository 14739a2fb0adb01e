// Golden tests of the extract tools on a tiny hand-made capture. Every expected record below
// was worked out by hand from the fixture (times, token sums, percentiles), then checked
// against the Python reference scripts (bench/anchors) where one exists.

import Foundation
import TapTestSupport
import XCTest

/// Two Anthropic flows of one turn (a tool call, then the reply with a 3 s stall), a chat flow
/// cut before its flow_end, a flow of an unknown provider, a plain-text line (line 8) and a
/// truncated flow record (the last line).
let fixture = #"""
    {"v":1,"type":"flow","flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.000000Z","provider":"anthropic","method":"POST","url":"https://api.anthropic.com/v1/messages","status":200,"request":{"headers":{"x-api-key":"hash:0011223344556677"},"body":{"model":"claude-x","system":"be brief","messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>ctx</system-reminder>"},{"type":"text","text":"list files ✅"}]}],"tools":[{"name":"Bash","input_schema":{"type":"object"}}],"max_tokens":100,"stream":true}},"response":{"headers":{}}}
    {"v":1,"type":"sse","flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.100000Z","seq":0,"event":"message_start","data":{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":10,"cache_read_input_tokens":100,"output_tokens":1}}}}
    {"v":1,"type":"sse","flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.200000Z","seq":1,"event":"content_block_start","data":{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"tu1","name":"Bash","input":{}}}}
    {"v":1,"type":"sse","flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.250000Z","seq":2,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"command\":"}}}
    {"v":1,"type":"sse","flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.300000Z","seq":3,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"ls\"}"}}}
    {"v":1,"type":"sse","flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.400000Z","seq":4,"event":"message_delta","data":{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}}}
    {"v":1,"type":"flow_end","flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:01.000000Z","status":"complete","duration_ms":1000,"events":5,"bytes":600}
    mitmproxy: client disconnected
    {"v":1,"type":"flow","flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:02.000000Z","provider":"anthropic","method":"POST","url":"https://api.anthropic.com/v1/messages","status":200,"request":{"headers":{},"body":{"model":"claude-x","system":"be brief","messages":[{"role":"user","content":"list files ✅"},{"role":"assistant","content":[{"type":"tool_use","id":"tu1","name":"Bash","input":{"command":"ls"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":"a.txt"}]}],"tools":[{"name":"Bash","input_schema":{"type":"object"}}],"max_tokens":100,"stream":true}},"response":{"headers":{}}}
    {"v":1,"type":"sse","flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:02.100000Z","seq":0,"event":"message_start","data":{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":20,"output_tokens":1}}}}
    {"v":1,"type":"sse","flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:02.200000Z","seq":1,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Found "}}}
    {"v":1,"type":"sse","flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:02.250000Z","seq":2,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a.txt"}}}
    {"v":1,"type":"flow","flow_id":"c1","session_id":"s2","ts":"2026-11-24T10:00:03.000000Z","provider":"chat","method":"POST","url":"https://api.moonshot.ai/v1/chat/completions","status":200,"request":{"headers":{},"body":{"model":"kimi","messages":[{"role":"system","content":"sys"},{"role":"user","content":"hi"}],"stream":true}},"response":{"headers":{}}}
    {"v":1,"type":"sse","flow_id":"c1","session_id":"s2","ts":"2026-11-24T10:00:03.010000Z","seq":0,"event":null,"data":{"object":"chat.completion.chunk","model":"kimi","choices":[{"index":0,"delta":{"content":"Hel"}}]}}
    {"v":1,"type":"sse","flow_id":"c1","session_id":"s2","ts":"2026-11-24T10:00:03.020000Z","seq":1,"event":null,"data":{"object":"chat.completion.chunk","model":"kimi","choices":[{"index":0,"delta":{"content":"lo"}}]}}
    {"v":1,"type":"sse","flow_id":"c1","session_id":"s2","ts":"2026-11-24T10:00:03.030000Z","seq":2,"event":null,"data":{"object":"chat.completion.chunk","model":"kimi","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":2,"cached_tokens":40}}}
    {"v":1,"type":"flow","flow_id":"u1","session_id":"s3","ts":"2026-11-24T10:00:04.000000Z","provider":"mystery","method":"POST","url":"https://example.invalid/v1","status":200,"request":{"headers":{},"body":{"messages":[{"role":"user","content":"what"}]}},"response":{"headers":{}}}
    {"v":1,"type":"flow_end","flow_id":"u1","session_id":"s3","ts":"2026-11-24T10:00:04.500000Z","status":"complete","duration_ms":500,"events":0,"bytes":0}
    {"v":1,"type":"sse","flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:05.250000Z","seq":3,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"."}}}
    {"v":1,"type":"sse","flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:05.300000Z","seq":4,"event":"message_delta","data":{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}}
    {"v":1,"type":"flow_end","flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:05.500000Z","status":"complete","duration_ms":3500,"events":5,"bytes":700}
    {"v":1,"type":"flow","flow_id":"zz","session_id":"s9","ts":"2026-11-24T10:00:06.000000Z","provider":"anthropic","request":{"body":{"messages":[{"role":"user","content":"lost
    """#

enum Fixture {
    static var lines: [String] { fixture.split(separator: "\n").map(String.init) }

    static func write(_ lines: [String], _ name: String, in dir: String) throws -> String {
        let path = dir + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// Runs a tool on the fixture through stdin.
func runTool(_ tool: String, _ args: [String] = [], input: String = fixture) async throws -> RunResult {
    try await Binary.run(tool, args, stdin: Array((input + "\n").utf8))
}

final class GoldenTests: XCTestCase {
    func testPromptsNewestFirstAndOldestFirst() async throws {
        let r = try await runTool("extract-prompts", ["-n", "0"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(
            r.stdoutLines,
            [
                #"{"session_id":"s3","flow_id":"u1","ts":"2026-11-24T10:00:04.000000Z","provider":"mystery","model":null,"text":"what"}"#,
                #"{"session_id":"s2","flow_id":"c1","ts":"2026-11-24T10:00:03.000000Z","provider":"chat","model":"kimi","text":"hi"}"#,
                #"{"session_id":"s1","flow_id":"a1","ts":"2026-11-24T10:00:00.000000Z","provider":"anthropic","model":"claude-x","text":"list files ✅"}"#,
            ]
        )
        let two = try await runTool("extract-prompts", ["-n", "2", "--oldest-first"])
        XCTAssertEqual(two.stdoutLines.map { $0.contains("\"c1\"") }, [true, false])
        XCTAssertEqual(two.stdoutLines.count, 2)
    }

    func testTurnsAllModes() async throws {
        let s3 =
            #"{"session_id":"s3","flow_id":"u1","provider":"mystery","model":null,"prompt":"what","ts_user":"2026-11-24T10:00:04.000000Z","ts_idle":"2026-11-24T10:00:04.500000Z","duration_ms":500,"calls":1,"tool_calls":0,"tools_used":[],"tokens":{"input":0,"output":0,"cache_read":0,"cache_write":0}}"#
        let s2 =
            #"{"session_id":"s2","flow_id":"c1","provider":"chat","model":"kimi","prompt":"hi","ts_user":"2026-11-24T10:00:03.000000Z","ts_idle":null,"duration_ms":null,"calls":1,"tool_calls":0,"tools_used":[],"tokens":{"input":10,"output":2,"cache_read":40,"cache_write":0},"partial":true}"#
        // 10:00:00 → flow_end of a2 at 10:00:05.5; tokens 10+20 in, 5+7 out, 100 cache read.
        let s1 =
            #"{"session_id":"s1","flow_id":"a1","provider":"anthropic","model":"claude-x","prompt":"list files ✅","ts_user":"2026-11-24T10:00:00.000000Z","ts_idle":"2026-11-24T10:00:05.500000Z","duration_ms":5500,"calls":2,"tool_calls":1,"tools_used":["Bash"],"tokens":{"input":30,"output":12,"cache_read":100,"cache_write":0}}"#
        let all = try await runTool("extract-turns", ["--mode", "all", "-n", "0"])
        XCTAssertEqual(all.stdoutLines, [s3, s2, s1])
        let paired = try await runTool("extract-turns", ["--mode", "paired", "--oldest-first"])
        XCTAssertEqual(paired.stdoutLines, [s1, s3])
        let open = try await runTool("extract-turns", ["--mode", "open"])
        XCTAssertEqual(open.stdoutLines, [s2])
    }

    func testPairs() async throws {
        let r = try await runTool("extract-pairs", ["-n", "0"])
        XCTAssertEqual(
            r.stdoutLines,
            [
                #"{"session_id":"s3","flow_id":"u1","ts_user":"2026-11-24T10:00:04.000000Z","prompt":"what","reply_flow_id":null,"reply_ts":null,"reply":null,"idle":true}"#,
                #"{"session_id":"s2","flow_id":"c1","ts_user":"2026-11-24T10:00:03.000000Z","prompt":"hi","reply_flow_id":"c1","reply_ts":"2026-11-24T10:00:03.000000Z","reply":"Hello","idle":false,"partial":true}"#,
                #"{"session_id":"s1","flow_id":"a1","ts_user":"2026-11-24T10:00:00.000000Z","prompt":"list files ✅","reply_flow_id":"a2","reply_ts":"2026-11-24T10:00:02.000000Z","reply":"Found a.txt.","idle":true}"#,
            ]
        )
    }

    func testDeltas() async throws {
        let r = try await runTool("extract-deltas")
        XCTAssertEqual(
            r.stdoutLines,
            [
                #"{"flow_id":"a1","session_id":"s1","provider":"anthropic","model":"claude-x","ts":"2026-11-24T10:00:00.000000Z","status":"complete","events":5,"text":"","reasoning":"","tool_calls":[{"call_id":"tu1","name":"Bash","arguments":{"command":"ls"},"complete":true}],"stop_reason":"tool_use","usage":{"input":10,"output":5,"cache_read":100,"cache_write":0}}"#,
                #"{"flow_id":"a2","session_id":"s1","provider":"anthropic","model":"claude-x","ts":"2026-11-24T10:00:02.000000Z","status":"complete","events":5,"text":"Found a.txt.","reasoning":"","tool_calls":[],"stop_reason":"end_turn","usage":{"input":20,"output":7,"cache_read":0,"cache_write":0}}"#,
                #"{"flow_id":"c1","session_id":"s2","provider":"chat","model":"kimi","ts":"2026-11-24T10:00:03.000000Z","status":null,"events":3,"text":"Hello","reasoning":"","tool_calls":[],"stop_reason":null,"usage":{"input":10,"output":2,"cache_read":40,"cache_write":0},"partial":true}"#,
                #"{"flow_id":"u1","session_id":"s3","provider":"mystery","model":null,"ts":"2026-11-24T10:00:04.000000Z","status":"complete","events":0,"text":"","reasoning":"","tool_calls":[],"stop_reason":null,"usage":null}"#,
            ]
        )
    }

    func testDeltasByBlockAndSession() async throws {
        let blocks = try await runTool("extract-deltas", ["--by", "block"])
        XCTAssertEqual(
            blocks.stdoutLines,
            [
                #"{"flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.000000Z","provider":"anthropic","block":"tool_call","call_id":"tu1","name":"Bash","content":{"command":"ls"},"complete":true}"#,
                #"{"flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:02.000000Z","provider":"anthropic","block":"text","call_id":null,"name":null,"content":"Found a.txt.","complete":true}"#,
                // c1 never ended: its text is not complete.
                #"{"flow_id":"c1","session_id":"s2","ts":"2026-11-24T10:00:03.000000Z","provider":"chat","block":"text","call_id":null,"name":null,"content":"Hello","complete":false,"partial":true}"#,
            ]
        )
        let sessions = try await runTool("extract-deltas", ["--by", "session"])
        XCTAssertEqual(
            sessions.stdoutLines,
            [
                // 5 + 5 events; "Found a.txt." is 12 characters; usage of a1 + a2.
                #"{"session_id":"s1","flows":2,"first_ts":"2026-11-24T10:00:00.000000Z","last_ts":"2026-11-24T10:00:02.000000Z","events":10,"text_chars":12,"reasoning_chars":0,"tool_calls":1,"incomplete_tool_calls":0,"usage":{"input":30,"output":12,"cache_read":100,"cache_write":0}}"#,
                #"{"session_id":"s2","flows":1,"first_ts":"2026-11-24T10:00:03.000000Z","last_ts":"2026-11-24T10:00:03.000000Z","events":3,"text_chars":5,"reasoning_chars":0,"tool_calls":0,"incomplete_tool_calls":0,"usage":{"input":10,"output":2,"cache_read":40,"cache_write":0},"partial":true}"#,
                #"{"session_id":"s3","flows":1,"first_ts":"2026-11-24T10:00:04.000000Z","last_ts":"2026-11-24T10:00:04.000000Z","events":0,"text_chars":0,"reasoning_chars":0,"tool_calls":0,"incomplete_tool_calls":0,"usage":null}"#,
            ]
        )
    }

    func testDeltasCutToolArgumentsStayRawText() async throws {
        // a1 without its last argument fragment: the text does not parse, so it stays a string.
        let cut = Fixture.lines.filter {
            !$0.contains(
                #""seq":3,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta""#
            )
        }
        let r = try await runTool("extract-deltas", input: cut.joined(separator: "\n"))
        XCTAssertTrue(r.stdoutLines[0].contains(#""arguments":"{\"command\":","complete":false"#), r.stdoutText)
    }

    func testUsageByEachGrouping() async throws {
        let session = try await runTool("extract-usage", ["--by", "session"])
        XCTAssertEqual(
            session.stdoutLines,
            [
                #"{"by":"session","key":"s1","flows":2,"input_tokens":30,"output_tokens":12,"cache_read_tokens":100,"cache_write_tokens":0}"#,
                #"{"by":"session","key":"s2","flows":1,"input_tokens":10,"output_tokens":2,"cache_read_tokens":40,"cache_write_tokens":0}"#,
            ]
        )
        let model = try await runTool("extract-usage", ["--by", "model"])
        XCTAssertEqual(
            model.stdoutLines,
            [
                #"{"by":"model","key":"claude-x","flows":2,"input_tokens":30,"output_tokens":12,"cache_read_tokens":100,"cache_write_tokens":0}"#,
                #"{"by":"model","key":"kimi","flows":1,"input_tokens":10,"output_tokens":2,"cache_read_tokens":40,"cache_write_tokens":0}"#,
            ]
        )
        let day = try await runTool("extract-usage", ["--by", "day"])
        XCTAssertEqual(
            day.stdoutLines,
            [
                #"{"by":"day","key":"2026-11-24","flows":3,"input_tokens":40,"output_tokens":14,"cache_read_tokens":140,"cache_write_tokens":0}"#
            ]
        )
    }

    func testUsagePrices() async throws {
        let dir = try TempDir.make("extract-prices")
        let prices = dir + "/prices.json"
        // claude-x: 1 $/M in, 2 $/M out, 0.5 $/M cache read; others ("*"): 10 $/M in.
        try #"{"claude-x":{"input":1,"output":2,"cache_read":0.5},"*":{"input":10}}"#.write(
            toFile: prices,
            atomically: true,
            encoding: .utf8
        )
        let r = try await runTool("extract-usage", ["--by", "model", "--prices", prices])
        // claude-x: (30·1 + 12·2 + 100·0.5) / 1e6 = 0.000104; kimi: 10·10 / 1e6 = 0.0001.
        XCTAssertTrue(r.stdoutLines[0].hasSuffix(#""cost_usd":0.000104}"#), r.stdoutText)
        XCTAssertTrue(r.stdoutLines[1].hasSuffix(#""cost_usd":0.000100}"#), r.stdoutText)
    }

    func testLatencyHandComputed() async throws {
        let r = try await runTool("extract-latency", ["--stall-ms", "2000"])
        XCTAssertEqual(
            r.stdoutLines,
            [
                // first event at +100 ms, first token (argument fragment) at +250, one 50 ms gap; 5 tokens / 0.05 s.
                #"{"flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.000000Z","provider":"anthropic","model":"claude-x","status":"complete","events":5,"ttfb_ms":100,"ttft_ms":250,"duration_ms":1000,"token_events":2,"gap_p50_ms":50,"gap_p90_ms":50,"gap_p99_ms":50,"max_gap_ms":50,"stalls":0,"output_tokens":5,"tokens_per_s":100.00}"#,
                // gaps 50 and 3000 ms: p50 = rank 1, p90 = rank 2; one stall over 2000 ms; 7 tokens / 3.05 s.
                #"{"flow_id":"a2","session_id":"s1","ts":"2026-11-24T10:00:02.000000Z","provider":"anthropic","model":"claude-x","status":"complete","events":5,"ttfb_ms":100,"ttft_ms":200,"duration_ms":3500,"token_events":3,"gap_p50_ms":50,"gap_p90_ms":3000,"gap_p99_ms":3000,"max_gap_ms":3000,"stalls":1,"output_tokens":7,"tokens_per_s":2.30}"#,
                #"{"flow_id":"c1","session_id":"s2","ts":"2026-11-24T10:00:03.000000Z","provider":"chat","model":"kimi","status":null,"events":3,"ttfb_ms":10,"ttft_ms":10,"duration_ms":null,"token_events":2,"gap_p50_ms":10,"gap_p90_ms":10,"gap_p99_ms":10,"max_gap_ms":10,"stalls":0,"output_tokens":2,"tokens_per_s":200.00,"partial":true}"#,
                #"{"flow_id":"u1","session_id":"s3","ts":"2026-11-24T10:00:04.000000Z","provider":"mystery","model":null,"status":"complete","events":0,"ttfb_ms":null,"ttft_ms":null,"duration_ms":500,"token_events":0,"gap_p50_ms":null,"gap_p90_ms":null,"gap_p99_ms":null,"max_gap_ms":null,"stalls":0,"output_tokens":null,"tokens_per_s":null}"#,
            ]
        )
        let noStall = try await runTool("extract-latency", ["--stall-ms", "3000"])
        XCTAssertTrue(noStall.stdoutLines[1].contains(#""stalls":0"#))
        let byModel = try await runTool("extract-latency", ["--by", "model"])
        // claude-x: ttfb 100, 100; gaps 50, 50, 3000 → p50 50, p90 3000; 12 tokens over 0.05 + 3.05 s.
        XCTAssertEqual(
            byModel.stdoutLines.first,
            #"{"by":"model","key":"claude-x","flows":2,"partial_flows":0,"ttfb_p50_ms":100,"ttfb_p90_ms":100,"ttft_p50_ms":200,"ttft_p90_ms":250,"gap_p50_ms":50,"gap_p90_ms":3000,"gap_p99_ms":3000,"max_gap_ms":3000,"stalls":1,"output_tokens":12,"tokens_per_s":3.87}"#
        )
    }

    func testRequestsReferenceTypes() async throws {
        let dir = try TempDir.make("extract-requests")
        let r = try await runTool(
            "extract-requests",
            ["--out-dir", dir, "--extract", "config,system_prompts,tool_calls,tool_results,user_prompts"]
        )
        XCTAssertEqual(r.status, 0, r.stderr)
        func lines(_ type: String) throws -> [String] {
            try String(contentsOfFile: dir + "/" + type + ".jsonl", encoding: .utf8).split(separator: "\n").map(
                String.init
            )
        }
        XCTAssertEqual(
            try lines("config").first,
            #"{"flow_id":"a1","session_id":"s1","ts":"2026-11-24T10:00:00.000000Z","provider":"anthropic","model":"claude-x","stream":true,"max_tokens":100,"temperature":null,"reasoning":null,"tool_choice":null,"n_tools":1,"n_items":1}"#
        )
        XCTAssertEqual(try lines("config").count, 4)
        // "be brief" sent by a1 and a2; "sys" by c1.
        XCTAssertEqual(
            try lines("system_prompts"),
            [
                #"{"hash":"\#(sha("be brief"))","provider":"anthropic","first_flow_id":"a1","first_ts":"2026-11-24T10:00:00.000000Z","flows":2,"chars":8,"text":"be brief"}"#,
                #"{"hash":"\#(sha("sys"))","provider":"chat","first_flow_id":"c1","first_ts":"2026-11-24T10:00:03.000000Z","flows":1,"chars":3,"text":"sys"}"#,
            ]
        )
        XCTAssertEqual(
            try lines("tool_calls"),
            [
                #"{"call_id":"tu1","session_id":"s1","flow_id":"a2","ts":"2026-11-24T10:00:02.000000Z","provider":"anthropic","name":"Bash","arguments":{"command":"ls"}}"#
            ]
        )
        XCTAssertEqual(
            try lines("tool_results"),
            [
                #"{"call_id":"tu1","session_id":"s1","flow_id":"a2","ts":"2026-11-24T10:00:02.000000Z","provider":"anthropic","is_error":false,"output":"a.txt"}"#
            ]
        )
        XCTAssertEqual(try lines("user_prompts").count, 3)
    }

    func testRequestsTaggedStreamAndUnknownType() async throws {
        let r = try await runTool("extract-requests", ["--extract", "models,tool_usage_stats"])
        XCTAssertEqual(
            r.stdoutLines,
            [
                #"{"type":"models","provider":"anthropic","model":"claude-x","flows":2,"first_ts":"2026-11-24T10:00:00.000000Z","last_ts":"2026-11-24T10:00:02.000000Z"}"#,
                #"{"type":"models","provider":"chat","model":"kimi","flows":1,"first_ts":"2026-11-24T10:00:03.000000Z","last_ts":"2026-11-24T10:00:03.000000Z"}"#,
                #"{"type":"tool_usage_stats","name":"Bash","calls":1,"results":1,"errors":0,"sessions":1}"#,
            ]
        )
        let bad = try await runTool("extract-requests", ["--extract", "config,nope"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("unknown type 'nope'"), bad.stderr)
    }
}

func sha(_ text: String) -> String {
    // The reference hashes with hashlib; here the same digest comes from sha256sum.
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["sha256sum"]
    let input = Pipe()
    let output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try? p.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try? input.fileHandleForWriting.close()
    p.waitUntilExit()
    let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return String(out.prefix(64))
}
