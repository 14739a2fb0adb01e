// The page-state machine driven bare: records in, ops and snapshot out (no server, no browser).

import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import flow_web

final class PageStateTests: XCTestCase {
    /// Feeds NDJSON lines; returns the ops as parsed objects.
    @discardableResult
    func feed(_ state: inout PageState, _ lines: [String]) throws -> [[String: Any]] {
        var ops: [UInt8] = []
        for line in lines {
            var bytes = Array(line.utf8)
            bytes.withUnsafeBytes { raw in
                guard let record = Record(line: raw) else { return XCTFail("not a record: \(line)") }
                state.feed(record, into: &ops)
            }
        }
        return try parse(ops)
    }

    func parse(_ ops: [UInt8]) throws -> [[String: Any]] {
        try String(decoding: ops, as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    func snapshot(_ state: PageState) throws -> [[String: Any]] {
        var ops: [UInt8] = []
        state.snapshot(into: &ops)
        return try parse(ops)
    }

    static func flow(_ id: String, status: Int = 200, ts: String = "2026-11-24T19:15:16.000000Z") -> String {
        #"{"v":1,"type":"flow","flow_id":"\#(id)","session_id":"s1","ts":"\#(ts)","provider":"anthropic","method":"POST","url":"https://api.anthropic.com/v1/messages","status":\#(status)}"#
    }

    static func delta(
        _ id: String,
        _ kind: String,
        _ extra: String = "",
        ts: String = "2026-11-24T19:15:16.400000Z"
    ) -> String {
        #"{"v":1,"type":"delta","flow_id":"\#(id)","session_id":"s1","ts":"\#(ts)","provider":"anthropic","kind":"\#(kind)"\#(extra)}"#
    }

    func testTextStreamsInAndMessageEndMakesItDone() throws {
        var state = PageState()
        let ops = try feed(
            &state,
            [
                Self.flow("f1"),
                Self.delta("f1", "user_prompt", #","index":0,"text":"<script>alert(1)</script>""#),
                Self.delta("f1", "block_start", #","index":0,"block":"text","block_type":"text""#),
                Self.delta("f1", "text", #","index":0,"text":"Hel""#),
                Self.delta("f1", "text", #","index":0,"text":"lo\n""#),
                Self.delta(
                    "f1",
                    "usage",
                    #","input_tokens":5,"output_tokens":2,"cache_read_tokens":0,"model":"claude-x""#
                ),
                Self.delta("f1", "message_end", #","stop_reason":"end_turn""#, ts: "2026-11-24T19:15:17.000000Z"),
            ]
        )
        XCTAssertEqual(ops.map { $0["op"] as? String }, ["flow", "prompt", "block", "text", "text", "usage", "state"])
        XCTAssertEqual(ops[4]["text"] as? String, "lo\n")
        XCTAssertEqual(ops.last?["state"] as? String, "DONE")
        XCTAssertEqual(ops.last?["ttft_ms"] as? Int, 400)
        let full = try snapshot(state)
        XCTAssertEqual(full.count, 1)
        XCTAssertEqual(full[0]["prompt"] as? String, "<script>alert(1)</script>")
        XCTAssertEqual((full[0]["blocks"] as? [[String: Any]])?.first?["text"] as? String, "Hello\n")
        XCTAssertEqual(full[0]["model"] as? String, "claude-x")
    }

    func testErrorStatusAndAbortMakeItDead() throws {
        var state = PageState()
        try feed(
            &state,
            [
                Self.flow("a", status: 529),
                Self.flow("b"), Self.delta("b", "error", #","error_type":"overloaded_error","text":"busy""#),
                Self.flow("c"),
                #"{"v":1,"type":"flow_end","flow_id":"c","ts":"2026-11-24T19:15:18.000000Z","status":"client_abort","duration_ms":2000}"#,
                Self.flow("d"),
                #"{"v":1,"type":"flow_end","flow_id":"d","ts":"2026-11-24T19:15:18.000000Z","status":"complete","duration_ms":900}"#,
            ]
        )
        let byID = Dictionary(uniqueKeysWithValues: try snapshot(state).map { ($0["id"] as? String ?? "", $0) })
        XCTAssertEqual(byID["a"]?["state"] as? String, "DEAD")
        XCTAssertEqual(byID["a"]?["reason"] as? String, "HTTP 529")
        XCTAssertEqual(byID["b"]?["reason"] as? String, "overloaded_error")
        XCTAssertEqual(byID["c"]?["state"] as? String, "DEAD")
        XCTAssertEqual(byID["c"]?["reason"] as? String, "client_abort")
        XCTAssertEqual(byID["d"]?["state"] as? String, "DONE")
        XCTAssertEqual(byID["d"]?["duration_ms"] as? Int, 900)
    }

    func testBashRecordsShowOncePerCall() throws {
        var state = PageState()
        let bash =
            #"{"v":1,"type":"bash","flow_id":"f1","call_id":"toolu_1","tool":"Bash","shell":"bash","command":"ls -la"}"#
        try feed(&state, [Self.flow("f1"), bash, bash.replacingOccurrences(of: "ls -la", with: "ls -la /tmp")])
        let calls = try snapshot(state).first?["bash"] as? [[String: Any]]
        XCTAssertEqual(calls?.map { $0["command"] as? String }, ["ls -la /tmp"])
    }

    func testOldFinishedFlowsArePagedOut() throws {
        var state = PageState(keep: 3)
        let end = { (id: String) in #"{"v":1,"type":"flow_end","flow_id":"\#(id)","status":"complete","duration_ms":1}"#
        }
        var ops = try feed(&state, [Self.flow("live")])  // stays STREAMING
        for n in 1...5 { ops += try feed(&state, [Self.flow("f\(n)"), end("f\(n)")]) }
        XCTAssertEqual(ops.filter { $0["op"] as? String == "evict" }.map { $0["id"] as? String }, ["f1", "f2", "f3"])
        XCTAssertEqual(state.flows.count, 3)
        XCTAssertEqual(Set(state.flows.keys), ["live", "f4", "f5"])
        XCTAssertEqual(state.evicted, 3)
        // Thousands later the memory holds `keep` flows still.
        for n in 6...1500 { try feed(&state, [Self.flow("f\(n)"), end("f\(n)")]) }
        XCTAssertEqual(state.flows.count, 3)
        XCTAssertNotNil(state.flows["live"])
    }

    func testBlockTextIsCapped() throws {
        var state = PageState(keep: 10, maxBlockBytes: 8)
        try feed(
            &state,
            [
                Self.flow("f"), Self.delta("f", "text", #","index":0,"text":"12345""#),
                Self.delta("f", "text", #","index":0,"text":"67890""#),
            ]
        )
        let block = (try snapshot(state).first?["blocks"] as? [[String: Any]])?.first
        XCTAssertEqual(block?["text"] as? String, "12345678")
        try feed(&state, [Self.delta("f", "text", #","index":0,"text":"x""#)])
        XCTAssertEqual((try snapshot(state).first?["blocks"] as? [[String: Any]])?.first?["truncated"] as? Bool, true)
    }

    /// Split invariance: the text of every real fixture stream, cut into deltas at every chunking,
    /// gives the same page text as the stream whole.
    func testPageTextIsSplitInvariant() throws {
        for (label, stream) in try FixtureFragments.all().prefix(12) {
            let kind = stream.kind == "tool_args" ? "tool_args" : (stream.kind == "reasoning" ? "reasoning" : "text")
            assertSplitInvariant(Array(stream.joined.utf8), seeds: 1...6, exhaustiveLimit: 64) { chunks in
                var state = PageState()
                var lines = [Self.flow("f")]
                // A delta's text is a JSON string, so providers cut between characters, never inside
                // one: continuation bytes at the head of a chunk move to the chunk before.
                var whole: [[UInt8]] = []
                for chunk in chunks {
                    let head = chunk.prefix { $0 & 0xC0 == 0x80 }
                    if !whole.isEmpty {
                        whole[whole.count - 1] += head
                    } else if !head.isEmpty {
                        whole.append(Array(head))
                    }
                    if head.count < chunk.count { whole.append(Array(chunk.dropFirst(head.count))) }
                }
                for chunk in whole {
                    var text = JSONWriter()
                    text.string(utf8: chunk)
                    lines.append(
                        Self.delta("f", kind, #","index":0,"text":"# + String(decoding: text.bytes, as: UTF8.self))
                    )
                }
                _ = try? feed(&state, lines)
                let block = (try? snapshot(state))?.first?["blocks"] as? [[String: Any]]
                return block?.first?["text"] as? String ?? "<none: \(label)>"
            }
        }
    }
}
