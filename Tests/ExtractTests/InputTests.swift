// How the extract tools read their input: several files are their concatenation, the order of
// the capture's three log files does not change an answer, bad lines are counted and reported
// once (fatal with --strict), and the pure flow table gives what the binaries print.

import Foundation
import TapCodec
import TapExtract
import TapTestSupport
import XCTest

final class InputTests: XCTestCase {
    static let tools: [(String, [String])] = [
        ("extract-prompts", ["-n", "0"]), ("extract-turns", ["--mode", "all", "-n", "0"]),
        ("extract-pairs", ["-n", "0"]),
        ("extract-deltas", []), ("extract-usage", ["--by", "session"]), ("extract-latency", []),
    ]

    func testSeveralFilesAreTheirConcatenation() async throws {
        let dir = try TempDir.make("extract-split")
        let lines = Fixture.lines
        let whole = try Fixture.write(lines, "whole.jsonl", in: dir)
        // Seeded cuts at line boundaries: 1, 2 and 5 pieces.
        var rng = SystemRandomNumberGenerator()
        for pieces in [1, 2, 5] {
            var cuts = Set<Int>()
            while cuts.count < pieces - 1 { cuts.insert(Int.random(in: 1..<lines.count, using: &rng)) }
            let bounds = [0] + cuts.sorted() + [lines.count]
            var files: [String] = []
            for i in 0..<(bounds.count - 1) {
                files.append(
                    try Fixture.write(Array(lines[bounds[i]..<bounds[i + 1]]), "p\(pieces)-\(i).jsonl", in: dir)
                )
            }
            for (tool, args) in Self.tools {
                let a = try await Binary.run(tool, args + [whole])
                let b = try await Binary.run(tool, args + files)
                XCTAssertEqual(a.stdoutText, b.stdoutText, "\(tool) with cuts \(bounds)")
                XCTAssertFalse(a.stdout.isEmpty, tool)
            }
        }
    }

    func testLogFilesInAnyOrder() async throws {
        // The capture's own layout: flows, events and flow_ends in three files, events first.
        let dir = try TempDir.make("extract-order")
        let lines = Fixture.lines
        let flows = try Fixture.write(lines.filter { $0.contains(#""type":"flow","#) }, "sse_flows.jsonl", in: dir)
        let events = try Fixture.write(lines.filter { $0.contains(#""type":"sse""#) }, "sse_lines.jsonl", in: dir)
        let ends = try Fixture.write(
            lines.filter { $0.contains(#""type":"flow_end""#) },
            "sse_flow_ends.jsonl",
            in: dir
        )
        let whole = try Fixture.write(lines, "whole.jsonl", in: dir)
        for (tool, args) in Self.tools {
            let a = try await Binary.run(tool, args + [whole])
            let b = try await Binary.run(tool, args + [events, ends, flows])
            XCTAssertEqual(a.stdoutText, b.stdoutText, tool)
        }
    }

    func testBadLinesCountedAndNamedOnce() async throws {
        for (tool, args) in Self.tools {
            let r = try await runTool(tool, args)
            XCTAssertEqual(r.status, 0, tool)
            let messages = r.stderr.split(separator: "\n")
            XCTAssertEqual(
                messages,
                ["\(tool): line 8: not a JSON object (skipped)", "\(tool): 2 lines were not JSON objects (skipped)"],
                tool
            )
        }
        let strict = try await runTool("extract-turns", ["--strict"])
        XCTAssertEqual(strict.status, 2)
        XCTAssertEqual(strict.stderr, "extract-turns: line 8: not a JSON object\n")
    }

    func testTruncatedRecordNeverBecomesAFlow() async throws {
        // The last line is a flow record cut mid-string; its flow id "zz" must not appear.
        for (tool, args) in Self.tools {
            let r = try await runTool(tool, args)
            XCTAssertFalse(r.stdoutText.contains(#""zz""#), tool)
        }
        // A cut that happens to end in "}" is still not a record (full check of used lines).
        let cut =
            #"{"v":1,"type":"flow","flow_id":"yy","session_id":"s9","ts":"2026-11-24T10:00:07.000000Z","provider":"chat","request":{"body":{"messages":[{"role":"user","content":"x"}]}}"#
        let r = try await runTool("extract-prompts", ["-n", "0"], input: fixture + "\n" + cut)
        XCTAssertFalse(r.stdoutText.contains(#""yy""#))
        XCTAssertTrue(r.stderr.contains("3 lines were not JSON objects"), r.stderr)
    }

    func testEmptyInputAndMissingFile() async throws {
        for (tool, args) in Self.tools {
            let empty = try await Binary.run(tool, args, stdin: [])
            XCTAssertEqual(empty.status, 0, tool)
            XCTAssertEqual(empty.stdout, [], tool)
        }
        let missing = try await Binary.run("extract-prompts", ["/nonexistent/sse_flows.jsonl"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/sse_flows.jsonl"), missing.stderr)
    }

    func testPureFlowTableMatchesTheTool() async throws {
        // The state machine alone, fed line by line with no I/O, gives the tool's answer.
        var table = FlowTable(needs: [.toolNames, .usage])
        for line in Fixture.lines {
            var bytes = Array(line.utf8)
            bytes.withUnsafeBytes { buffer in
                let (kind, view) = classify(buffer, needs: table.reads)
                if case .record(let type) = kind, let view { table.feed(view, type: type) }
            }
        }
        var out: [UInt8] = []
        for turn in newestFirst(buildTurns(table.finish()), limit: 0, oldestFirst: false, key: \.sortKey) {
            Answers.turn(turn, into: &out)
        }
        let tool = try await runTool("extract-turns", ["--mode", "all", "-n", "0"])
        XCTAssertEqual(String(decoding: out, as: UTF8.self), tool.stdoutText)
    }

    /// Codex over WebSocket: the body is the first client `response.create` frame, events are
    /// the server frames; the answer is the same when the ws records come before the flow record.
    func testWebSocketFlowBodyFromClientFrame() async throws {
        let flow =
            #"{"v":1,"type":"flow","flow_id":"w1","session_id":"s5","ts":"2026-11-24T11:00:00.000000Z","provider":"openai-responses","method":"GET","url":"wss://chatgpt.com/backend-api/codex/responses","status":101,"request":{"headers":{},"body":null},"response":{"headers":{}}}"#
        let ws = [
            #"{"v":1,"type":"ws","flow_id":"w1","session_id":"s5","ts":"2026-11-24T11:00:00.002000Z","seq":0,"direction":"client","data":{"type":"response.create","model":"gpt-5-codex","instructions":"be terse","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"run tests"}]}]}}"#,
            #"{"v":1,"type":"ws","flow_id":"w1","session_id":"s5","ts":"2026-11-24T11:00:00.050000Z","seq":1,"direction":"server","data":{"type":"response.output_text.delta","delta":"ok"}}"#,
            #"{"v":1,"type":"ws","flow_id":"w1","session_id":"s5","ts":"2026-11-24T11:00:00.060000Z","seq":2,"direction":"server","data":{"type":"response.completed","response":{"status":"completed","model":"gpt-5-codex","usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":60},"output_tokens":3}}}}"#,
            #"{"v":1,"type":"flow_end","flow_id":"w1","session_id":"s5","ts":"2026-11-24T11:00:00.070000Z","status":"complete","duration_ms":70,"events":2,"bytes":300}"#,
        ]
        let expected =
            #"{"session_id":"s5","flow_id":"w1","provider":"openai-responses","model":"gpt-5-codex","prompt":"run tests","ts_user":"2026-11-24T11:00:00.000000Z","ts_idle":"2026-11-24T11:00:00.070000Z","duration_ms":70,"calls":1,"tool_calls":0,"tools_used":[],"tokens":{"input":40,"output":3,"cache_read":60,"cache_write":0}}"#
        for lines in [[flow] + ws, ws + [flow]] {
            let r = try await runTool("extract-turns", [], input: lines.joined(separator: "\n"))
            XCTAssertEqual(r.stdoutLines, [expected])
            let d = try await runTool("extract-deltas", [], input: lines.joined(separator: "\n"))
            XCTAssertTrue(
                d.stdoutText.contains(
                    #""events":2,"text":"ok","reasoning":"","tool_calls":[],"stop_reason":"completed""#
                ),
                d.stdoutText
            )
        }
        // extract-requests reads bodies in input order: the frame after its flow record.
        let dir = try TempDir.make("extract-ws")
        _ = try await runTool(
            "extract-requests",
            ["--extract", "system_prompts", "--out-dir", dir],
            input: ([flow] + ws).joined(separator: "\n")
        )
        let prompts = try String(contentsOfFile: dir + "/system_prompts.jsonl", encoding: .utf8)
        XCTAssertTrue(
            prompts.contains(
                #""first_flow_id":"w1","first_ts":"2026-11-24T11:00:00.000000Z","flows":1,"chars":8,"text":"be terse"}"#
            ),
            prompts
        )
    }
}
