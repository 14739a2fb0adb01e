// Robustness of the decoders (swift-property-based): whatever the events hold — fields of the wrong type,
// missing fields, events of another provider, corrupted bytes — the decoders never crash and every line
// they write is one valid JSON object (records passed through stay byte-identical).

import PropertyBased
import TapCodec
import TapTestSupport
import Testing

/// Event payloads with every field a decoder reads given a surprising type or value.
private let adversarialPayloads: [String] = [
    #"{"type":"content_block_delta","index":"0","delta":null}"#,
    #"{"type":"content_block_delta","index":-3,"delta":{"type":"input_json_delta","partial_json":5}}"#,
    #"{"type":"content_block_delta","index":99999999999999999999,"delta":{"type":"text_delta","text":"\ud83d\ude00\n\"q\""}}"#,
    #"{"type":"content_block_start","index":1.5,"content_block":[]}"#,
    #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":7,"name":null}}"#,
    #"{"type":"content_block_stop","index":{}}"#,
    #"{"type":"message_start","message":"x"}"#,
    #"{"type":"message_start","message":{"usage":{"input_tokens":"ten","output_tokens":1e3}}}"#,
    #"{"type":"message_delta","delta":{"stop_reason":5},"usage":[]}"#,
    #"{"type":"message_stop"}"#,
    #"{"type":"error","error":"overloaded"}"#,
    #"{"type":"error"}"#,
    #"{"type":"ping"}"#,
    #"{"type":"response.output_item.added","output_index":"1","item":"x"}"#,
    #"{"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","call_id":null,"name":3}}"#,
    #"{"type":"response.function_call_arguments.delta","output_index":0,"delta":null}"#,
    #"{"type":"response.output_text.delta","output_index":-1,"delta":"\u0000"}"#,
    #"{"type":"response.output_item.done","output_index":[1]}"#,
    #"{"type":"response.completed","response":null}"#,
    #"{"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":4},"usage":{"input_tokens_details":7}}}"#,
    #"{"type":"response.failed","response":{"error":"boom","usage":{"input_tokens":-5}}}"#,
    #"{"type":"response.unknown.new","x":1}"#,
    #"{"choices":"x"}"#,
    #"{"choices":[null,5,"x",{"index":"0"}]}"#,
    #"{"choices":[{"index":0,"delta":{"content":7,"reasoning_content":[],"tool_calls":{}}}]}"#,
    #"{"choices":[{"index":0,"delta":{"tool_calls":[null,{"index":null,"id":1,"function":{"arguments":5}},{"index":0,"function":"f"}]},"finish_reason":7}]}"#,
    #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":3,"function":{"name":"n","arguments":"{\"a"}}]}}]}"#,
    #"{"choices":[],"usage":{"prompt_tokens":"1","completion_tokens":null,"prompt_tokens_details":[]}}"#,
    #"{"error":null,"choices":[{"index":0,"finish_reason":null,"delta":null}]}"#,
    #"{"error":{"message":5,"type":[]}}"#,
    #"{"object":"chat.completion.chunk"}"#,
    #"[1,2,3]"#,
    #""just a string""#,
    #"{}"#,
]

/// Every event payload of the real fixtures.
private func fixturePayloads() throws -> [String] {
    try Fixtures.realNames(withExtension: "sse").flatMap { name in
        SSEParser.parse(try Fixtures.real(name)).events.map(\.text)
    }
}

/// SSE bytes for a list of (event name, payload).
private func sseStream(_ events: [(String?, String)]) -> [UInt8] {
    var text = ""
    for (name, payload) in events {
        if let name { text += "event: \(name)\n" }
        for line in payload.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        text += "\n"
    }
    return Array(text.utf8)
}

private func everyLineIsAJSONObject(_ bytes: [UInt8]) -> Bool {
    bytes.split(separator: 0x0A).allSatisfy { line in
        Array(line).withUnsafeBytes { JSONScanner.isValidObject($0) }
    }
}

@Test func decodersSurviveSurprisingEvents() async throws {
    let pool = try fixturePayloads() + adversarialPayloads + ["[DONE]", "not json"]
    let names: [String?] = [nil, "error", "ping", "message_start", "response.completed"]
    let providers: [DeltaProvider] = [.unknown, .anthropic, .openaiResponses, .chat]
    await propertyCheck(
        count: 400,
        input: Gen.int(in: 0...(pool.count - 1)).array(of: 1...40),
        Gen.int(in: 0...(names.count - 1)).array(of: 40),
        Gen.int(in: 0...(providers.count - 1))
    ) { picks, namePicks, providerPick in
        let events = picks.enumerated().map { (names[namePicks[$0.offset % namePicks.count]], pool[$0.element]) }
        let stream = sseStream(events)
        // Raw bytes, with a fixed or a detected provider.
        var raw = RawSSEDecoder(flowID: "fuzz", provider: providers[providerPick], keepEvents: true)
        var out: [UInt8] = []
        raw.feed(stream, ts: Timestamp(microseconds: 0), into: &out)
        raw.finish(ts: Timestamp(microseconds: 1), into: &out)
        #expect(everyLineIsAJSONObject(out), "raw output: \(String(decoding: out, as: UTF8.self).prefix(2000))")

        // The same events as records of two interleaved flows (the raw --keep-events output feeds records).
        var decoder = DeltaDecoder()
        var recordsOut: [UInt8] = []
        for (n, line) in out.split(separator: 0x0A).enumerated() {
            var bytes = Array(line)
            if n % 2 == 1, let range = bytes.firstRange(of: Array(#""flow_id":"fuzz""#.utf8)) {
                bytes.replaceSubrange(range, with: Array(#""flow_id":"fuzz2""#.utf8))
            }
            bytes.withUnsafeBytes { rawLine in
                guard let record = Record(line: rawLine) else { return }
                decoder.feed(record, into: &recordsOut)
            }
        }
        decoder.finish(into: &recordsOut)
        #expect(everyLineIsAJSONObject(recordsOut))
        #expect(decoder.openFlows == 0, "finish frees every flow")
    }
}

@Test func rawDecoderSurvivesCorruptedBytes() async throws {
    let fixtures = try Fixtures.realNames(withExtension: "sse").map { try Fixtures.real($0) }
    await propertyCheck(
        count: 200,
        input: Gen.int(in: 0...(fixtures.count - 1)),
        Gen.int(in: 0...1_000_000).array(of: 1...30),
        Gen.int(in: 0...255).array(of: 30)
    ) { which, positions, values in
        var bytes = fixtures[which]
        for (n, position) in positions.enumerated() { bytes[position % bytes.count] = UInt8(values[n % values.count]) }
        var decoder = RawSSEDecoder(flowID: "corrupt", keepEvents: true)
        var out: [UInt8] = []
        for piece in splits(of: bytes, seed: UInt64(positions[0])) {
            decoder.feed(piece, ts: Timestamp(microseconds: 0), into: &out)
        }
        decoder.finish(ts: Timestamp(microseconds: 0), into: &out)
        #expect(everyLineIsAJSONObject(out))
    }
}
