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
        ("extract-prompts", ["-n", "0"]), ("extract-turns", ["--mode", "all", "-n", "0"]), ("extract-pairs", ["-n", "0"]),
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
                files.append(try Fixture.write(Array(lines[bounds[i]..<bounds[i + 1]]), "p\(pieces)-\(i).jsonl", in: dir))
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
        let ends = try Fixture.write(lines.filter { $0.contains(#""type":"flow_end""#) }, "sse_flow_ends.jsonl", in: dir)
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
            XCTAssertEqual(messages, ["\(tool): line 8: not a JSON object (skipped)", "\(tool): 2 lines were not JSON objects (skipped)"], tool)
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
        let cut = #"{"v":1,"type":"flow","flow_id":"yy","session_id":"s9","ts":"2026-11-24T10:00:07.000000Z","provider":"chat","request":{"body":{"messages":[{"role":"user","content":"x"}]}}"#
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
}
