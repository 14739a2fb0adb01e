// flow-har end to end: the built binary on the generated corpus and on small literal inputs;
// HAR output checked against the HAR 1.2 JSON schema (Resources/har-1.2.schema.json) with
// python's jsonschema, and NDJSON -> HAR -> NDJSON compared record by record.

import Foundation
import TapTestSupport
import XCTest

final class FlowHarTests: XCTestCase {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources/har-1.2.schema.json").path

    /// Each line as canonical JSON (sorted keys), so field order does not matter.
    func canonicalLines(_ bytes: [UInt8]) throws -> [String] {
        try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
            let value = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
            let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
            return String(decoding: data, as: UTF8.self)
        }
    }

    func validate(_ har: [UInt8], file: StaticString = #filePath, line: UInt = #line) async throws {
        let dir = try TempDir.make("flow-har")
        let path = dir + "/out.har"
        try Data(har).write(to: URL(fileURLWithPath: path))
        let check = try await Binary.runExecutable(
            "python3",
            [
                "-c",
                "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))",
                path, Self.schema,
            ]
        )
        XCTAssertEqual(check.status, 0, "HAR 1.2 schema: \(check.stderr)", file: file, line: line)
    }

    func testCorpusRoundTripKeepsEveryFlowAndEvent() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1)
        let har = try await Binary.run("flow-har", [corpus])
        XCTAssertEqual(har.status, 0, har.stderr)
        try await validate(har.stdout)
        let back = try await Binary.run("flow-har", ["--to-ndjson"], stdin: har.stdout)
        XCTAssertEqual(back.status, 0, back.stderr)
        let original = try canonicalLines(Array(try Data(contentsOf: URL(fileURLWithPath: corpus))))
        let returned = try canonicalLines(back.stdout)
        XCTAssertGreaterThan(original.count, 1000)
        XCTAssertEqual(original.sorted(), returned.sorted(), "every flow, event and flow_end comes back")
        // Within a flow the events keep their order.
        func perFlow(_ lines: [String]) throws -> [String: [String]] {
            var map: [String: [String]] = [:]
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                map[object["flow_id"] as? String ?? "", default: []].append(line)
            }
            return map
        }
        XCTAssertEqual(try perFlow(original), try perFlow(returned))
    }

    static let anthropicFlow = """
        {"v":1,"type":"flow","flow_id":"f1","session_id":"s1","session_source":"header","ts":"2026-11-24T19:15:16.000000Z","provider":"anthropic","method":"POST","url":"https://api.anthropic.com/v1/messages?beta=true","status":200,"request":{"headers":{"content-type":"application/json"},"body":{"model":"m","messages":[{"role":"user","content":"hi"}]}},"response":{"headers":{"content-type":"text/event-stream"}}}
        {"v":1,"type":"sse","flow_id":"f1","session_id":"s1","ts":"2026-11-24T19:15:16.250000Z","seq":0,"event":"message_start","data":{"type":"message_start"}}
        {"v":1,"type":"sse","flow_id":"f1","session_id":"s1","ts":"2026-11-24T19:15:16.500000Z","seq":1,"event":"message","id":"7","data":"two\\nlines"}
        {"v":1,"type":"flow_end","flow_id":"f1","session_id":"s1","ts":"2026-11-24T19:15:17.000000Z","status":"complete","duration_ms":1000,"events":2,"bytes":120}

        """

    func testSSEBodyRebuiltAsEventStreamText() async throws {
        let har = try await Binary.run("flow-har", stdin: Self.anthropicFlow)
        XCTAssertEqual(har.status, 0, har.stderr)
        try await validate(har.stdout)
        let root = try JSONSerialization.jsonObject(with: Data(har.stdout)) as? [String: Any]
        let log = root?["log"] as? [String: Any]
        let entry = (log?["entries"] as? [[String: Any]])?.first
        let response = entry?["response"] as? [String: Any]
        let content = response?["content"] as? [String: Any]
        XCTAssertEqual(
            content?["text"] as? String,
            "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: message\nid: 7\ndata: two\ndata: lines\n\n"
        )
        XCTAssertEqual(content?["mimeType"] as? String, "text/event-stream")
        XCTAssertEqual(entry?["time"] as? Int, 1000)
        XCTAssertEqual((entry?["timings"] as? [String: Any])?["wait"] as? Int, 250)
        let request = entry?["request"] as? [String: Any]
        XCTAssertEqual((request?["queryString"] as? [[String: String]])?.first, ["name": "beta", "value": "true"])
        XCTAssertEqual(
            (request?["postData"] as? [String: Any])?["text"] as? String,
            #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#
        )
    }

    func testWebSocketFramesUseChromesField() async throws {
        let input = """
            {"v":1,"type":"flow","flow_id":"w","session_id":"s","ts":"2026-11-24T19:15:16.000000Z","provider":"openai-responses","method":"GET","url":"wss://chatgpt.com/backend-api/codex/responses","status":101,"request":{"headers":{},"body":null},"response":{"headers":{"upgrade":"websocket"}}}
            {"v":1,"type":"ws","flow_id":"w","session_id":"s","ts":"2026-11-24T19:15:16.500000Z","seq":0,"direction":"client","data":{"type":"response.create"}}
            {"v":1,"type":"ws","flow_id":"w","session_id":"s","ts":"2026-11-24T19:15:17.000000Z","seq":1,"direction":"server","data":"plain"}

            """
        let har = try await Binary.run("flow-har", stdin: input)
        try await validate(har.stdout)
        let root = try JSONSerialization.jsonObject(with: Data(har.stdout)) as? [String: Any]
        let entry = ((root?["log"] as? [String: Any])?["entries"] as? [[String: Any]])?.first
        let messages = entry?["_webSocketMessages"] as? [[String: Any]]
        XCTAssertEqual(messages?.map { $0["type"] as? String }, ["send", "receive"])
        XCTAssertEqual(messages?.map { $0["data"] as? String }, [#"{"type":"response.create"}"#, "plain"])
        XCTAssertEqual(messages?.first?["time"] as? Double, 1_795_547_716.5)
        // No flow_end in: none made up on the way back.
        let back = try await Binary.run("flow-har", ["--to-ndjson"], stdin: har.stdout)
        XCTAssertEqual(try canonicalLines(back.stdout), try canonicalLines(Array(input.utf8)))
    }

    func testForeignHarEntersThePipeline() async throws {
        // The shape Chrome's devtools export for an SSE request: no _streamtap field.
        let har = #"""
            {"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],"entries":[
            {"startedDateTime":"2026-11-24T19:15:16.000Z","time":800,"request":{"method":"POST","url":"https://api.openai.com/v1/chat/completions","httpVersion":"HTTP/1.1","headers":[{"name":"content-type","value":"application/json"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":2,"postData":{"mimeType":"application/json","text":"{}"}},
             "response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[{"name":"content-type","value":"text/event-stream"}],"cookies":[],"content":{"size":60,"mimeType":"text/event-stream","text":"data: {\"choices\":[]}\r\n\r\n: comment\ndata: [DONE]\n\n"},"redirectURL":"","headersSize":-1,"bodySize":60},
             "cache":{},"timings":{"send":1,"wait":300,"receive":499}}]}}
            """#
        let back = try await Binary.run("flow-har", ["--to-ndjson"], stdin: har)
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(back.stdoutLines.count, 4)
        let expected = """
            {"v":1,"type":"flow","flow_id":"har-1","session_id":"har","session_source":"har","ts":"2026-11-24T19:15:16.000000Z","provider":"chat","method":"POST","url":"https://api.openai.com/v1/chat/completions","status":200,"request":{"headers":{"content-type":"application/json"},"body":{}},"response":{"headers":{"content-type":"text/event-stream"}}}
            {"v":1,"type":"sse","flow_id":"har-1","session_id":"har","ts":"2026-11-24T19:15:16.300000Z","seq":0,"event":null,"data":{"choices":[]}}
            {"v":1,"type":"sse","flow_id":"har-1","session_id":"har","ts":"2026-11-24T19:15:16.300000Z","seq":1,"event":null,"data":"[DONE]"}
            {"v":1,"type":"flow_end","flow_id":"har-1","session_id":"har","ts":"2026-11-24T19:15:16.800000Z","status":"complete","duration_ms":800,"events":2,"bytes":60}

            """
        XCTAssertEqual(back.stdoutText, expected)
    }

    func testOtherRecordsAndBadLinesAreKept() async throws {
        let input = "{\"v\":1,\"type\":\"bash\",\"flow_id\":\"f1\",\"command\":\"ls\"}\nnot json\n" + Self.anthropicFlow
        let har = try await Binary.run("flow-har", stdin: input)
        XCTAssertEqual(har.status, 0)
        XCTAssertEqual(har.stderr, "flow-har: line 2: not a JSON object (passed through)\n")
        try await validate(har.stdout)
        let back = try await Binary.run("flow-har", ["--to-ndjson"], stdin: har.stdout)
        let lines = back.stdoutLines
        XCTAssertEqual(
            Array(lines.suffix(2)),
            ["{\"v\":1,\"type\":\"bash\",\"flow_id\":\"f1\",\"command\":\"ls\"}", "not json"]
        )
        let strict = try await Binary.run("flow-har", ["--strict"], stdin: input)
        XCTAssertEqual(strict.status, 2)
        XCTAssertEqual(strict.stderr, "flow-har: line 2: not a JSON object\n")
    }

    func testNotAHarFileIsAnError() async throws {
        let result = try await Binary.run("flow-har", ["--to-ndjson"], stdin: "{\"log\":{}}")
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "flow-har: -: no log.entries array (not a HAR file)\n")
        XCTAssertEqual(result.stdout, [])
    }
}
