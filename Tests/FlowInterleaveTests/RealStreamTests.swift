// Real provider streams (../shared/fixtures/real) as a capture would log them: a flow record,
// one sse record per event (SSE parsed by the codec), a flow_end. flow-interleave decodes them
// with the codec's DeltaDecoder and shows the card.

import TapCodec
import TapTestSupport
import XCTest

@testable import flow_interleave

final class RealStreamTests: XCTestCase {
    /// The capture records of a fixture: events 10 ms apart from 10:00:00.
    static func captureLines(_ fixture: String, provider: String, model: String, prompt: String) throws -> [String] {
        let bytes = try Fixtures.real(fixture)
        var parser = SSEParser()
        var events: [SSEEvent] = []
        bytes.withUnsafeBytes { parser.feed($0, into: &events) }
        _ = parser.finish(into: &events)
        var log = LogBuilder()
        log.flow("F", session: "sess-real", at: 0, provider: provider, model: model, prompt: prompt)
        for (seq, event) in events.enumerated() {
            let data = JSONScanner.isValid(event.data) ? event.text : LogBuilder.quoted(event.text)
            log.lines.append(
                #"{"v":1,"type":"sse","flow_id":"F","session_id":"sess-real","ts":"\#(LogBuilder.ts(0.01 * Double(seq + 1)))","seq":\#(seq),"event":"\#(event.type)","data":\#(data)}"#
            )
        }
        log.flowEnd("F", session: "sess-real", at: 0.01 * Double(events.count + 1))
        return log.lines
    }

    func testAnthropicToolUseStream() throws {
        let lines = try Self.captureLines(
            "anthropic-tool-use.sse",
            provider: "anthropic",
            model: "claude-sonnet-4-20250514",
            prompt: "weather in Paris?"
        )
        XCTAssertEqual(
            interleave(lines, options: RenderOptions()),
            """
            ┌─ session sess-rea · anthropic · claude-sonnet-4-20250514
            │ user: weather in Paris?
            │ assistant: I'll check the current weather in Paris for you.
            │ tool get_weather {"location": "Paris"}
            └─ DONE · complete · 0.2 s · tokens in 377 out 65

            """
        )
    }

    func testChatParallelToolCallsStream() throws {
        let lines = try Self.captureLines(
            "chat-tool-calls-parallel.sse",
            provider: "chat",
            model: "gpt-4o",
            prompt: "weather and stock"
        )
        XCTAssertEqual(
            interleave(lines, options: RenderOptions()),
            """
            ┌─ session sess-rea · chat · gpt-4o
            │ user: weather and stock
            │ tool GetWeatherArgs {"city": "Edinburgh", "country": "GB", "units": "c"}
            │ tool get_stock_price {"ticker": "AAPL", "exchange": "NASDAQ"}
            └─ DONE · tool_calls · 0.3 s · tokens in 149 out 60

            """
        )
    }
}
