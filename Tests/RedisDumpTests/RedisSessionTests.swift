// RedisSessionDecoder (TapCodec): a Claude Code session carried by a Redis stream, entry by entry,
// becomes the same delta records as a captured Anthropic stream would.
import TapCodec
import TapTestSupport
import XCTest

/// A recorded session as `redis` records (what redis-dump writes for the seed's entries): user prompt,
/// streamed text, a tool call whose arguments arrive in pieces, its result, turn end. The kind comes under
/// `type`, `event` and `kind`, the payload under `data` and `payload`, once without its own `type`.
let recordedSession = #"""
    {"v":1,"type":"redis","stream":"cc","id":"1700000000000-0","ts":"2023-11-14T22:13:20.000000Z","fields":{"type":"user_prompt","session_id":"s1","data":"{\"prompt\":\"list files in \\\"src\\\"\\n\"}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000001-0","ts":"2023-11-14T22:13:20.001000Z","fields":{"event":"content_block_start","session_id":"s1","data":"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000002-0","ts":"2023-11-14T22:13:20.002000Z","fields":{"kind":"content_block_delta","session_id":"s1","payload":"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"I'll look \\u00e9\\n\"}}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000003-0","ts":"2023-11-14T22:13:20.003000Z","fields":{"type":"content_block_stop","session_id":"s1","data":"{\"type\":\"content_block_stop\",\"index\":0}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000004-0","ts":"2023-11-14T22:13:20.004000Z","fields":{"type":"content_block_start","session_id":"s1","data":"{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{}}}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000005-0","ts":"2023-11-14T22:13:20.005000Z","fields":{"type":"content_block_delta","session_id":"s1","data":"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"command\\\": \\\"ls\"}}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000006-0","ts":"2023-11-14T22:13:20.006000Z","fields":{"type":"Content-Block-Delta","session_id":"s1","data":"{\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\" src\\\"}\"}}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000007-0","ts":"2023-11-14T22:13:20.007000Z","fields":{"type":"content_block_stop","session_id":"s1","data":"{\"type\":\"content_block_stop\",\"index\":1}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000008-0","ts":"2023-11-14T22:13:20.008000Z","fields":{"type":"tool_result","session_id":"s1","data":"{\"tool_use_id\":\"toolu_1\",\"content\":\"a.swift\\nb.swift\",\"is_error\":false}"}}
    {"v":1,"type":"redis","stream":"cc","id":"1700000000009-0","ts":"2023-11-14T22:13:20.009000Z","fields":{"type":"turn_end","session_id":"s1","data":"{\"stop_reason\":\"end_turn\"}"}}

    """#

/// The deltas of `recordedSession`, field by field as DESIGN §5 and the DeltaDecoder header define them.
let recordedSessionDeltas = #"""
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.000000Z","provider":"anthropic","kind":"user_prompt","index":0,"text":"list files in \"src\"\n"}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.001000Z","provider":"anthropic","kind":"block_start","index":0,"block":"text","block_type":"text"}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.002000Z","provider":"anthropic","kind":"text","index":0,"text":"I'll look \u00e9\n"}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.003000Z","provider":"anthropic","kind":"block_end","index":0}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.004000Z","provider":"anthropic","kind":"block_start","index":1,"block":"tool","block_type":"tool_use","tool":"Bash","call_id":"toolu_1"}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.005000Z","provider":"anthropic","kind":"tool_args","index":1,"call_id":"toolu_1","text":"{\"command\": \"ls"}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.006000Z","provider":"anthropic","kind":"tool_args","index":1,"call_id":"toolu_1","text":" src\"}"}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.007000Z","provider":"anthropic","kind":"block_end","index":1}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.008000Z","provider":"anthropic","kind":"tool_result","index":0,"call_id":"toolu_1","is_error":false,"text":"a.swift\nb.swift"}
    {"v":1,"type":"delta","flow_id":"s1","session_id":"s1","ts":"2023-11-14T22:13:20.009000Z","provider":"anthropic","kind":"message_end","stop_reason":"end_turn"}

    """#

/// Feeds NDJSON lines to a fresh decoder; lines it does not handle pass through, as DeltaDecoder does.
func decodeSession(_ text: String, decoder: inout RedisSessionDecoder) -> String {
    var out: [UInt8] = []
    for line in text.split(separator: "\n") {
        Array(line.utf8).withUnsafeBytes { raw in
            if let record = Record(line: raw), decoder.feed(record, into: &out) { return }
            out.append(contentsOf: raw)
            out.append(0x0A)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

final class RedisSessionTests: XCTestCase {
    func testRecordedSessionBecomesDeltas() {
        var decoder = RedisSessionDecoder()
        XCTAssertEqual(decodeSession(recordedSession, decoder: &decoder), recordedSessionDeltas)
        XCTAssertEqual(decoder.deltasWritten, 10)
        XCTAssertEqual(decoder.openSessions, 0, "turn end frees the session")
    }

    func testOtherRecordsAndUnknownKindsAreNotHandled() {
        let lines = #"""
            {"v":1,"type":"redis","stream":"cc","id":"1-0","ts":"1970-01-01T00:00:00.001000Z","fields":{"type":"heartbeat","data":"{}"}}
            {"v":1,"type":"redis","stream":"cc","id":"2-0","fields":{"host":"m1"}}
            {"v":1,"type":"sse","flow_id":"f","data":{"type":"content_block_stop","index":0}}
            {"v":1,"type":"redis","stream":"cc","id":"3-0","fields":{"type":"content_block_delta","data":"not json"}}

            """#
        var decoder = RedisSessionDecoder()
        XCTAssertEqual(decodeSession(lines, decoder: &decoder), lines)
        XCTAssertEqual(decoder.deltasWritten, 0)
    }

    func testPlainTextPayloadAndStreamAsFlowWithoutSession() {
        let lines = #"""
            {"v":1,"type":"redis","stream":"cc","id":"1-0","ts":"1970-01-01T00:00:00.001000Z","fields":{"kind":"prompt","payload":"hello \"you\""}}
            {"v":1,"type":"redis","stream":"cc","id":"2-0","ts":"1970-01-01T00:00:00.002000Z","fields":{"kind":"tool_output","data":"{\"call_id\":\"c9\",\"output\":[{\"type\":\"text\",\"text\":\"x\"},{\"type\":\"text\",\"text\":\"y\"}]}"}}
            {"v":1,"type":"redis","stream":"cc","id":"3-0","ts":"1970-01-01T00:00:00.003000Z","fields":{"kind":"stop"}}

            """#
        var decoder = RedisSessionDecoder()
        XCTAssertEqual(
            decodeSession(lines, decoder: &decoder),
            #"""
            {"v":1,"type":"delta","flow_id":"cc","session_id":null,"ts":"1970-01-01T00:00:00.001000Z","provider":"anthropic","kind":"user_prompt","index":0,"text":"hello \"you\""}
            {"v":1,"type":"delta","flow_id":"cc","session_id":null,"ts":"1970-01-01T00:00:00.002000Z","provider":"anthropic","kind":"tool_result","index":0,"call_id":"c9","is_error":null,"text":"x\ny"}
            {"v":1,"type":"delta","flow_id":"cc","session_id":null,"ts":"1970-01-01T00:00:00.003000Z","provider":"anthropic","kind":"message_end","stop_reason":null}

            """#
        )
    }
}

final class RedisSessionEndToEndTests: XCTestCase {
    private var server: RedisServer?

    override func tearDown() {
        server?.stop()
        server = nil
    }

    /// The seed's entries written one by one with redis-cli, dumped by redis-dump, decoded: the same deltas.
    func testSessionWrittenWithRedisCliDecodesToDeltas() async throws {
        let server = try RedisServer()
        self.server = server
        for (index, line) in recordedSession.split(separator: "\n").enumerated() {
            // Take the fields back out of the fixture record and XADD them as the seed's producer would.
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let fields = try XCTUnwrap(record?["fields"] as? [String: String])
            var args = ["XADD", "cc", "17000000000\(String(format: "%02d", index))-0"]
            for key in ["type", "event", "kind", "session_id", "data", "payload"] {
                if let value = fields[key] { args += [key, value] }
            }
            try server.cli(args)
        }
        let dump = try await Binary.run("redis-dump", ["--port", "\(server.port)", "cc"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        var decoder = RedisSessionDecoder()
        let deltas = decodeSession(dump.stdoutText, decoder: &decoder)
        // Same ids as the fixture, so the same ts: the deltas are exactly the fixture's.
        XCTAssertEqual(deltas, recordedSessionDeltas)
    }
}
