// Tests of the provider delta decoders: every real stream decodes to what its provider sent (checked against
// an independent, deliberately simple decode written here with Foundation's JSONSerialization, and against
// literal expectations), chunking never changes the deltas, records and raw bytes give the same deltas, and
// the per-provider quirks of SSE-EDGE-CASES.md are handled.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

/// What a stream's content adds up to: compared between the decoder's deltas and the oracle.
struct Reassembled: Equatable {
    var text = ""
    var reasoning = ""
    /// call_id -> concatenated argument fragments.
    var toolArgs: [String: String] = [:]
    /// call_id -> tool name.
    var toolNames: [String: String] = [:]
    /// Set only when the message really ended (message_end).
    var stopReason: String?
    var errors: [String] = []
    /// output tokens of the last usage seen.
    var outputTokens: Int?
}

private let fixedTimestamp = Timestamp(microseconds: 1_795_000_000_000_000)

/// Runs the raw decoder over chunks with one fixed arrival time (so chunking is the only variable).
func rawDeltas(_ chunks: [[UInt8]], provider: DeltaProvider = .unknown, keepEvents: Bool = false) -> [UInt8] {
    var decoder = RawSSEDecoder(flowID: "f1", provider: provider, keepEvents: keepEvents)
    var out: [UInt8] = []
    for chunk in chunks { decoder.feed(chunk, ts: fixedTimestamp, into: &out) }
    decoder.finish(ts: fixedTimestamp, into: &out)
    return out
}

/// Runs the record decoder over NDJSON text (one record per line).
func recordDeltas(_ ndjson: [UInt8], keepEvents: Bool = false) -> (out: [UInt8], openFlows: Int) {
    var decoder = DeltaDecoder(keepEvents: keepEvents)
    var out: [UInt8] = []
    for line in ndjson.split(separator: 0x0A, omittingEmptySubsequences: true) {
        Array(line).withUnsafeBytes { raw in
            if let record = Record(line: raw) {
                decoder.feed(record, into: &out)
            } else {
                out.appendLine(raw)
            }
        }
    }
    let open = decoder.openFlows
    decoder.finish(into: &out)
    return (out, open)
}

func jsonLines(_ bytes: [UInt8]) -> [[String: Any]] {
    bytes.split(separator: 0x0A).compactMap { line in
        (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
    }
}

/// Adds up the deltas the decoder wrote.
func reassemble(_ deltas: [[String: Any]]) -> Reassembled {
    var result = Reassembled()
    for delta in deltas where delta["type"] as? String == "delta" {
        let text = delta["text"] as? String ?? ""
        switch delta["kind"] as? String {
        case "text": result.text += text
        case "reasoning": result.reasoning += text
        case "tool_args": result.toolArgs[delta["call_id"] as? String ?? "?", default: ""] += text
        case "block_start":
            if delta["block"] as? String == "tool", let id = delta["call_id"] as? String {
                result.toolNames[id] = delta["tool"] as? String
                result.toolArgs[id, default: ""] += ""
            }
        case "message_end": result.stopReason = delta["stop_reason"] as? String ?? "null"
        case "error": result.errors.append(text)
        case "usage": result.outputTokens = delta["output_tokens"] as? Int
        default: break
        }
    }
    return result
}

/// The oracle: a direct reading of each provider's events, written without the codec.
func oracle(_ events: [SSEEvent], provider: String) -> Reassembled {
    var result = Reassembled()
    var callIDs: [Int: String] = [:]
    var finishReason: String?
    for event in events {
        if event.text == "[DONE]" {
            result.stopReason = finishReason ?? "null"
            continue
        }
        guard let data = (try? JSONSerialization.jsonObject(with: Data(event.data))) as? [String: Any] else { continue }
        let type = data["type"] as? String
        switch provider {
        case "anthropic":
            let index = data["index"] as? Int ?? 0
            let delta = data["delta"] as? [String: Any] ?? [:]
            let block = data["content_block"] as? [String: Any] ?? [:]
            switch type {
            case "content_block_delta":
                if delta["type"] as? String == "text_delta" { result.text += delta["text"] as? String ?? "" }
                if delta["type"] as? String == "thinking_delta" {
                    result.reasoning += delta["thinking"] as? String ?? ""
                }
                if delta["type"] as? String == "input_json_delta" {
                    result.toolArgs[callIDs[index] ?? "?", default: ""] += delta["partial_json"] as? String ?? ""
                }
            case "content_block_start" where block["type"] as? String == "tool_use":
                callIDs[index] = block["id"] as? String
                result.toolNames[block["id"] as? String ?? "?"] = block["name"] as? String
                result.toolArgs[block["id"] as? String ?? "?", default: ""] += ""
            case "message_start":
                let usage = (data["message"] as? [String: Any])?["usage"] as? [String: Any]
                result.outputTokens = usage?["output_tokens"] as? Int
            case "message_delta":
                finishReason = delta["stop_reason"] as? String
                if let usage = data["usage"] as? [String: Any] { result.outputTokens = usage["output_tokens"] as? Int }
            case "message_stop": result.stopReason = finishReason ?? "null"
            case "error": result.errors.append((data["error"] as? [String: Any])?["message"] as? String ?? "")
            default: break
            }
        case "openai-responses":
            let index = data["output_index"] as? Int ?? 0
            switch type {
            case "response.output_text.delta": result.text += data["delta"] as? String ?? ""
            case "response.reasoning_summary_text.delta": result.reasoning += data["delta"] as? String ?? ""
            case "response.function_call_arguments.delta":
                result.toolArgs[callIDs[index] ?? "?", default: ""] += data["delta"] as? String ?? ""
            case "response.output_item.added":
                let item = data["item"] as? [String: Any] ?? [:]
                if item["type"] as? String == "function_call", let id = item["call_id"] as? String {
                    callIDs[index] = id
                    result.toolNames[id] = item["name"] as? String
                    result.toolArgs[id, default: ""] += ""
                }
            case "response.completed":
                let response = data["response"] as? [String: Any] ?? [:]
                result.stopReason = response["status"] as? String
                result.outputTokens = (response["usage"] as? [String: Any])?["output_tokens"] as? Int
            default: break
            }
        default:  // chat
            if let error = data["error"] as? [String: Any] {
                result.errors.append(error["message"] as? String ?? "")
                continue
            }
            if let usage = data["usage"] as? [String: Any] { result.outputTokens = usage["completion_tokens"] as? Int }
            for choice in data["choices"] as? [[String: Any]] ?? [] {
                let delta = choice["delta"] as? [String: Any] ?? [:]
                result.reasoning += delta["reasoning_content"] as? String ?? ""
                result.reasoning += delta["reasoning"] as? String ?? ""
                result.text += delta["content"] as? String ?? ""
                for call in delta["tool_calls"] as? [[String: Any]] ?? [] {
                    let index = call["index"] as? Int ?? 0
                    let function = call["function"] as? [String: Any] ?? [:]
                    if let id = call["id"] as? String, callIDs[index] == nil {
                        callIDs[index] = id
                        result.toolNames[id] = function["name"] as? String
                        result.toolArgs[id, default: ""] += ""
                    }
                    result.toolArgs[callIDs[index] ?? "?", default: ""] += function["arguments"] as? String ?? ""
                }
                if let reason = choice["finish_reason"] as? String { finishReason = reason }
            }
        }
    }
    // A Chat stream that finished but lost its `[DONE]` still ends (the decoder's documented rule).
    if provider == "chat", result.stopReason == nil, let finishReason { result.stopReason = finishReason }
    return result
}

func providerOfFixture(_ name: String) -> String {
    if name.hasPrefix("anthropic") { return "anthropic" }
    if name.hasPrefix("responses") { return "openai-responses" }
    return "chat"
}

/// The fixture's events as `sse` records of one flow, with a flow record first and a flow_end last.
func fixtureRecords(_ bytes: [UInt8], provider: String?, url: String? = nil, asWebSocket: Bool = false) -> [UInt8] {
    var lines: [String] = []
    var flow = #"{"v":1,"type":"flow","flow_id":"f1","session_id":"s1","ts":"2026-11-26T10:00:00.000000Z""#
    if let provider { flow += #","provider":"\#(provider)""# }
    if let url { flow += #","url":"\#(url)""# }
    lines.append(flow + "}")
    for (seq, event) in SSEParser.parse(bytes).events.enumerated() {
        let data = JSONScanner.isValid(event.data) ? event.text : "\"\(event.text)\""
        let kind = asWebSocket ? #""type":"ws","direction":"server""# : #""type":"sse""#
        let name = event.event.map { #","event":"\#($0)""# } ?? ""
        lines.append(
            #"{"v":1,\#(kind),"flow_id":"f1","session_id":"s1","ts":"2026-11-26T10:00:01.000000Z","seq":\#(seq)\#(name),"data":\#(data)}"#
        )
    }
    lines.append(
        #"{"v":1,"type":"flow_end","flow_id":"f1","session_id":"s1","ts":"2026-11-26T10:00:02.000000Z","status":"complete"}"#
    )
    return Array(lines.joined(separator: "\n").utf8) + [0x0A]
}

/// Delta lines with the fields that differ between the raw and the record paths removed.
func comparableDeltas(_ bytes: [UInt8]) -> [NSDictionary] {
    jsonLines(bytes).filter { $0["type"] as? String == "delta" }.map { delta in
        var copy = delta
        copy["ts"] = nil
        copy["session_id"] = nil
        return copy as NSDictionary
    }
}

final class DeltaDecoderTests: XCTestCase {
    // MARK: Real streams

    func testEveryRealStreamDecodesToWhatItsProviderSent() throws {
        let names = try Fixtures.realNames(withExtension: "sse")
        XCTAssertEqual(names.count, 14)
        for name in names {
            let bytes = try Fixtures.real(name)
            let provider = providerOfFixture(name)
            let got = reassemble(jsonLines(rawDeltas([bytes])))
            let expected = oracle(SSEParser.parse(bytes).events, provider: provider)
            XCTAssertEqual(got, expected, name)
            XCTAssertFalse(got.text.isEmpty && got.reasoning.isEmpty && got.toolArgs.isEmpty, "\(name): no content")
            // Auto detection and the named provider agree.
            let named = DeltaProvider(rawValue: provider) ?? .unknown
            XCTAssertEqual(rawDeltas([bytes], provider: named), rawDeltas([bytes]), name)
        }
    }

    func testAnthropicToolUseLiterally() throws {
        let got = reassemble(jsonLines(rawDeltas([try Fixtures.real("anthropic-tool-use.sse")])))
        XCTAssertEqual(got.text, "I'll check the current weather in Paris for you.")
        XCTAssertEqual(got.toolArgs, ["toolu_01NRLabsLyVHZPKxbKvkfSMn": #"{"location": "Paris"}"#])
        XCTAssertEqual(got.toolNames, ["toolu_01NRLabsLyVHZPKxbKvkfSMn": "get_weather"])
        XCTAssertNil(got.stopReason, "the fixture's unterminated message_stop must not produce message_end")
        XCTAssertEqual(got.outputTokens, 65)
    }

    func testAnthropicPingDroppedAndDeltaOrder() throws {
        let kinds = jsonLines(rawDeltas([try Fixtures.real("anthropic-text-ping.sse")])).compactMap {
            $0["kind"] as? String
        }
        XCTAssertEqual(
            kinds,
            ["usage", "block_start", "text", "text", "text", "block_end", "usage"],
            "ping gives nothing; message_stop is unterminated in this fixture"
        )
    }

    func testAnthropicMaxTokensLeavesIncompleteArguments() throws {
        let got = reassemble(jsonLines(rawDeltas([try Fixtures.real("anthropic-tool-use-max-tokens-padded.sse")])))
        XCTAssertEqual(got.toolArgs.count, 1)
        let args = try XCTUnwrap(got.toolArgs.values.first)
        XCTAssertTrue(args.hasPrefix(#"{"filename": "#), args)
        XCTAssertFalse(JSONScanner.isValid(Array(args.utf8)), "cut by max_tokens: never valid JSON")
    }

    func testAnthropicThinkingIsReasoning() throws {
        let lines = jsonLines(rawDeltas([try Fixtures.real("anthropic-thinking.sse")]))
        XCTAssertEqual(lines.filter { $0["kind"] as? String == "reasoning" }.count, 14)
        XCTAssertEqual(lines.filter { $0["kind"] as? String == "text" }.count, 95)
        XCTAssertEqual(lines.first { $0["kind"] as? String == "block_start" }?["block"] as? String, "reasoning")
        XCTAssertEqual(lines.last?["kind"] as? String, "message_end")
        XCTAssertEqual(lines.last?["stop_reason"] as? String, "end_turn")
    }

    func testChatParallelToolCallsByIndex() throws {
        let got = reassemble(jsonLines(rawDeltas([try Fixtures.real("chat-tool-calls-parallel.sse")])))
        XCTAssertEqual(
            got.toolArgs,
            [
                "call_JMW1whyEaYG438VE1OIflxA2": #"{"city": "Edinburgh", "country": "GB", "units": "c"}"#,
                "call_DNYTawLBoN8fj3KN6qU9N1Ou": #"{"ticker": "AAPL", "exchange": "NASDAQ"}"#,
            ]
        )
        XCTAssertEqual(
            got.toolNames,
            ["call_JMW1whyEaYG438VE1OIflxA2": "GetWeatherArgs", "call_DNYTawLBoN8fj3KN6qU9N1Ou": "get_stock_price"]
        )
        XCTAssertEqual(got.stopReason, "tool_calls")
    }

    func testChatUsageChunkWithEmptyChoicesAndDone() throws {
        let lines = jsonLines(rawDeltas([try Fixtures.real("chat-max-tokens-length.sse")]))
        let kinds = lines.compactMap { $0["kind"] as? String }
        XCTAssertEqual(kinds, ["block_start", "text", "block_end", "usage", "message_end"])
        XCTAssertEqual(lines.last?["stop_reason"] as? String, "length")
        let usage = try XCTUnwrap(lines.first { $0["kind"] as? String == "usage" })
        XCTAssertNotNil(usage["usage"] as? [String: Any])
    }

    func testDeepSeekReasoningContentThenContent() throws {
        let lines = jsonLines(rawDeltas([try Fixtures.real("chat-deepseek-reasoning-content.sse")]))
        let blocks = lines.filter { $0["kind"] as? String == "block_start" }.map { $0["block_type"] as? String }
        XCTAssertEqual(blocks, ["reasoning_content", "content"])
        let usage = try XCTUnwrap(lines.last { $0["kind"] as? String == "usage" })
        XCTAssertNotNil(usage["input_tokens"] as? Int)
        XCTAssertEqual(lines.last?["kind"] as? String, "message_end")
    }

    func testGroqReasoningAndErrorMidStream() throws {
        let lines = jsonLines(rawDeltas([try Fixtures.real("chat-groq-error-midstream.sse")]))
        XCTAssertEqual(lines.first { $0["kind"] as? String == "block_start" }?["block_type"] as? String, "reasoning")
        let error = try XCTUnwrap(lines.last)
        XCTAssertEqual(error["kind"] as? String, "error")
        XCTAssertEqual(error["error_type"] as? String, "invalid_request_error")
        XCTAssertTrue((error["text"] as? String ?? "").hasPrefix("Tool call validation failed"))
        XCTAssertNil(lines.first { $0["kind"] as? String == "message_end" }, "no [DONE], no finish: no message_end")
    }

    func testResponsesObfuscationAndReasoningItem() throws {
        let lines = jsonLines(rawDeltas([try Fixtures.real("responses-function-call-obfuscation.sse")]))
        let starts = lines.filter { $0["kind"] as? String == "block_start" }
        XCTAssertEqual(starts.map { $0["block"] as? String }, ["reasoning", "tool"])
        XCTAssertNil(lines.first { $0["obfuscation"] != nil }, "padding never leaks into deltas")
        let usage = try XCTUnwrap(lines.first { $0["kind"] as? String == "usage" })
        XCTAssertNotNil(usage["reasoning_tokens"] as? Int)
    }

    // MARK: Split invariance

    func testRawDecodingIsSplitInvariant() throws {
        for name in try Fixtures.realNames(withExtension: "sse") {
            let bytes = try Fixtures.real(name)
            let seeds: ClosedRange<UInt64> = bytes.count > 50_000 ? 1...3 : 1...12
            assertSplitInvariant(bytes, seeds: seeds, exhaustiveLimit: 0) { rawDeltas($0) }
        }
    }

    func testRawDecodingOfSmallStreamAtEveryCut() throws {
        assertSplitInvariant(try Fixtures.real("chat-max-tokens-length.sse"), exhaustiveLimit: 2000) { rawDeltas($0) }
        assertSplitInvariant(try Fixtures.real("anthropic-text-ping.sse"), exhaustiveLimit: 2000) { rawDeltas($0) }
    }

    // MARK: Records

    func testRecordsGiveTheSameDeltasAsRawBytes() throws {
        for name in try Fixtures.realNames(withExtension: "sse") {
            let bytes = try Fixtures.real(name)
            let provider = providerOfFixture(name)
            let raw = comparableDeltas(rawDeltas([bytes]))
            // Flow record naming the provider, naming only a URL, or nothing (detected from the events).
            let urls = [
                "anthropic": "https://api.anthropic.com/v1/messages?beta=true",
                "openai-responses": "https://api.openai.com/v1/responses",
                "chat": "https://api.deepseek.com/chat/completions",
            ]
            for (label, records) in [
                ("provider", fixtureRecords(bytes, provider: provider)),
                ("url", fixtureRecords(bytes, provider: nil, url: urls[provider])),
                ("shapes", fixtureRecords(bytes, provider: nil)),
            ] {
                let (out, _) = recordDeltas(records)
                XCTAssertEqual(comparableDeltas(out), raw, "\(name) via \(label)")
                // flow and flow_end pass through byte-identical; no sse record is left.
                let lines = out.split(separator: 0x0A).map { Array($0) }
                let inputLines = records.split(separator: 0x0A).map { Array($0) }
                XCTAssertEqual(lines.first, inputLines.first, name)
                XCTAssertEqual(lines.last, inputLines.last, name)
                XCTAssertFalse(String(decoding: out, as: UTF8.self).contains(#""type":"sse""#), name)
            }
        }
    }

    func testWebSocketServerFramesDecodeLikeSSE() throws {
        for name in ["responses-function-call.sse", "responses-text-sequence-number.sse"] {
            let bytes = try Fixtures.real(name)
            let sse = recordDeltas(fixtureRecords(bytes, provider: "openai-responses")).out
            let ws = recordDeltas(fixtureRecords(bytes, provider: "openai-responses", asWebSocket: true)).out
            XCTAssertEqual(comparableDeltas(ws), comparableDeltas(sse), name)
            XCTAssertGreaterThan(comparableDeltas(ws).count, 5, name)
        }
    }

    func testStateIsFreedAtMessageEndAndFlowEnd() throws {
        // A complete Responses stream frees its flow at response.completed, before flow_end.
        var records = fixtureRecords(try Fixtures.real("responses-function-call.sse"), provider: "openai-responses")
        records.removeLast()
        let withoutFlowEnd = Array(records.split(separator: 0x0A).dropLast().joined(separator: [0x0A])) + [0x0A]
        XCTAssertEqual(recordDeltas(withoutFlowEnd).openFlows, 0)
        // An interrupted Anthropic stream (no message_stop) holds state until its flow_end.
        let anthropic = fixtureRecords(try Fixtures.real("anthropic-tool-use.sse"), provider: "anthropic")
        let anthropicNoEnd = Array(anthropic.split(separator: 0x0A).dropLast().joined(separator: [0x0A])) + [0x0A]
        XCTAssertEqual(recordDeltas(anthropicNoEnd).openFlows, 1)
        XCTAssertEqual(recordDeltas(anthropic).openFlows, 0)
    }

    func testUnhandledRecordsPassThroughByteIdentical() {
        let input = """
            {"v":1,"type":"bash","flow_id":"x","call_id":"c","command":"ls",  "shell":"bash"}
            {"v":1,"type":"sse","flow_id":"u1","ts":"2026-11-26T10:00:00Z","seq":0,"event":"hello","data":{"mystery":1}}
            {"v":1,"type":"sse","flow_id":"u1","ts":"2026-11-26T10:00:00Z","seq":1,"data":"not json"}
            {"v":1,"type":"ws","flow_id":"w","direction":"client","data":{"type":"ping"}}
            {"v":1, "type" : "redis", "stream":"k","id":"1-0","fields":{"a":"\\u00e9"}}
            {"no_type":true}

            """
        XCTAssertEqual(String(decoding: recordDeltas(Array(input.utf8)).out, as: UTF8.self), input)
    }

    func testKeepEventsPutsEachEventBeforeItsDeltas() {
        let input = """
            {"v":1,"type":"sse","flow_id":"a","session_id":null,"ts":"T1","seq":0,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}}
            {"v":1,"type":"sse","flow_id":"a","session_id":null,"ts":"T2","seq":1,"event":"ping","data":{"type": "ping"}}

            """
        let expected = """
            {"v":1,"type":"sse","flow_id":"a","session_id":null,"ts":"T1","seq":0,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}}
            {"v":1,"type":"delta","flow_id":"a","session_id":null,"ts":"T1","provider":"anthropic","kind":"text","index":0,"text":"Hi"}
            {"v":1,"type":"sse","flow_id":"a","session_id":null,"ts":"T2","seq":1,"event":"ping","data":{"type": "ping"}}

            """
        XCTAssertEqual(String(decoding: recordDeltas(Array(input.utf8), keepEvents: true).out, as: UTF8.self), expected)
        let withoutEvents = """
            {"v":1,"type":"delta","flow_id":"a","session_id":null,"ts":"T1","provider":"anthropic","kind":"text","index":0,"text":"Hi"}

            """
        XCTAssertEqual(String(decoding: recordDeltas(Array(input.utf8)).out, as: UTF8.self), withoutEvents)
    }

    func testAnthropicErrorEventMidStream() {
        // SSE-EDGE-CASES quirk 2: an error event after the stream opened with HTTP 200.
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


            """
        let lines = jsonLines(rawDeltas([Array(stream.utf8)]))
        XCTAssertEqual(lines.compactMap { $0["kind"] as? String }, ["usage", "error"])
        XCTAssertEqual(lines.last?["error_type"] as? String, "overloaded_error")
        XCTAssertEqual(lines.last?["text"] as? String, "Overloaded")
        XCTAssertEqual(lines.first?["model"] as? String, "claude-x")
    }

    func testDataHeldAsJSONStringIsDecoded() {
        let input = """
            {"v":1,"type":"sse","flow_id":"s","ts":"T","seq":0,"data":"{\\"choices\\":[{\\"index\\":0,\\"delta\\":{\\"content\\":\\"ok\\"}}]}"}

            """
        let lines = jsonLines(recordDeltas(Array(input.utf8)).out)
        XCTAssertEqual(lines.compactMap { $0["kind"] as? String }, ["block_start", "text"])
        XCTAssertEqual(lines.last?["text"] as? String, "ok")
        XCTAssertEqual(lines.last?["provider"] as? String, "chat")
    }

    // MARK: Requests

    /// A flow record with the body on one line (a JSON text has newlines only as whitespace).
    private func flowRecord(provider: String, body: String) -> [UInt8] {
        let body = body.replacingOccurrences(of: "\n", with: " ")
        return Array(
            #"{"v":1,"type":"flow","flow_id":"r1","session_id":"s","ts":"T0","provider":"\#(provider)","request":{"headers":{},"body":\#(body)}}"#
                .utf8
        ) + [0x0A]
    }

    func testAnthropicRequestGivesToolResultOnly() throws {
        let body = String(decoding: try Fixtures.real("anthropic-messages-request-tool-result.json"), as: UTF8.self)
        let lines = jsonLines(recordDeltas(flowRecord(provider: "anthropic", body: body)).out)
        XCTAssertEqual(lines.count, 2, "the flow and one delta")
        guard lines.count == 2 else { return }
        XCTAssertEqual(lines[0]["type"] as? String, "flow")
        XCTAssertEqual(lines[1]["kind"] as? String, "tool_result")
        XCTAssertEqual(lines[1]["call_id"] as? String, "toolu_018acGYLtfR52q9yDbWaEdQZ")
        XCTAssertEqual(lines[1]["index"] as? Int, 2)
        XCTAssertEqual(
            lines[1]["text"] as? String,
            #"{"location": "San Francisco, CA", "temperature": "68\u00b0F", "condition": "Sunny"}"#
        )
    }

    func testResponsesRequestGivesFunctionCallOutput() throws {
        let body = String(decoding: try Fixtures.real("responses-request-function-call-output.json"), as: UTF8.self)
        let lines = jsonLines(recordDeltas(flowRecord(provider: "openai-responses", body: body)).out)
        XCTAssertEqual(lines.compactMap { $0["kind"] as? String }, ["tool_result"])
        XCTAssertEqual(lines.last?["call_id"] as? String, "fc_67e554a1de488191af0831d35cbe082e0794405d35281ae2")
        XCTAssertEqual(lines.last?["text"] as? String, "Paris")
    }

    func testUserPromptsAfterLastAssistantTurn() {
        let chat =
            #"{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"old"},{"role":"assistant","content":"a"},{"role":"tool","tool_call_id":"c9","content":"42"},{"role":"user","content":[{"type":"text","text":"new"},{"type":"text","text":"line"}]}]}"#
        let lines = jsonLines(recordDeltas(flowRecord(provider: "chat", body: chat)).out).dropFirst()
        XCTAssertEqual(lines.compactMap { $0["kind"] as? String }, ["tool_result", "user_prompt"])
        XCTAssertEqual(lines.first?["call_id"] as? String, "c9")
        XCTAssertEqual(lines.last?["text"] as? String, "new\nline")
        XCTAssertEqual(lines.last?["index"] as? Int, 4)
        // A body stored as a string of JSON, and a Responses string input.
        let asString = flowRecord(provider: "openai-responses", body: #""{\"input\":\"hello\"}""#)
        let prompt = jsonLines(recordDeltas(asString).out).last
        XCTAssertEqual(prompt?["kind"] as? String, "user_prompt")
        XCTAssertEqual(prompt?["text"] as? String, "hello")
    }

    func testCodexWebSocketRequestGivesPrompt() {
        let input = """
            {"v":1,"type":"ws","flow_id":"w1","session_id":"s","ts":"T","seq":0,"direction":"client","data":{"type":"response.create","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"run tests"}]}]}}

            """
        let out = recordDeltas(Array(input.utf8)).out
        let lines = jsonLines(out)
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0]["type"] as? String, "ws", "the request frame itself passes through")
        XCTAssertEqual(lines[1]["kind"] as? String, "user_prompt")
        XCTAssertEqual(lines[1]["text"] as? String, "run tests")
        XCTAssertEqual(lines[1]["provider"] as? String, "openai-responses")
    }
}
