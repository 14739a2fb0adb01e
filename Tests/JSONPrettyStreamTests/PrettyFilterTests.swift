// json-pretty-stream's record filter: tool_args deltas per call, pretty fields, pass-through.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import json_pretty_stream

func runPrettyFilter(_ lines: [String], output: PrettyFilter.Output = .ndjson) -> (text: String, warnings: [String]) {
    var filter = PrettyFilter(output: output, indent: 2, color: false)
    var out: [UInt8] = []
    var warnings: [String] = []
    for line in lines {
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { raw in
            guard let record = Record(line: raw) else { return XCTFail("not a record: \(line)") }
            if let w = filter.feed(record, into: &out) { warnings.append(w) }
        }
    }
    filter.finish(into: &out)
    return (String(decoding: out, as: UTF8.self), warnings)
}

/// The `pretty` fields of every output record of one call, joined.
func joinedPretty(_ ndjson: String, index: Int) -> String {
    ndjson.split(separator: "\n").compactMap { line -> String? in
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            object["index"] as? Int == index
        else { return nil }
        return object["pretty"] as? String
    }.joined()
}

/// A call as delta records: block_start, the fragments, block_end.
func callLines(flow: String = "f", index: Int, tool: String = "get_weather", _ fragments: [String]) -> [String] {
    [FixtureFragments.deltaLine(flow: flow, kind: "block_start", index: index, tool: tool, callID: "call_\(index)")]
        + fragments.map { FixtureFragments.deltaLine(flow: flow, kind: "tool_args", index: index, text: $0) }
        + [FixtureFragments.deltaLine(flow: flow, kind: "block_end", index: index)]
}

final class PrettyFilterTests: XCTestCase {
    func testPrettyFieldsOfACallJoinToJqOutputInEveryChunking() async throws {
        for (label, stream) in try FixtureFragments.all() where stream.kind == "tool_args" {
            let whole = Array(stream.joined.utf8)
            guard let expected = try await jq(whole) else { continue }
            // Cut at character boundaries (a delta's text is a JSON string: whole characters).
            let scalars = Array(stream.joined.unicodeScalars)
            let byScalar = scalars.map { UInt8(truncatingIfNeeded: $0.value) }
            assertSplitInvariant(byScalar, seeds: 1...4, exhaustiveLimit: 0) { pieces -> String in
                var start = 0
                let fragments = pieces.map { piece -> String in
                    defer { start += piece.count }
                    return String(String.UnicodeScalarView(scalars[start..<(start + piece.count)]))
                }
                return joinedPretty(
                    runPrettyFilter(callLines(index: stream.index, fragments)).text,
                    index: stream.index
                )
            }
            assertSameAsJq(
                Array(
                    joinedPretty(
                        runPrettyFilter(callLines(index: stream.index, stream.fragments)).text,
                        index: stream.index
                    ).utf8
                ),
                expected,
                label
            )
        }
    }

    func testOtherRecordsPassThroughAndBlockEndCarriesTheTail() {
        let lines = [#"{"v":1, "type":"sse","data":{}}"#] + callLines(index: 1, [#"{"a":"#, #"[1,2"#, "]}"])
        let out = runPrettyFilter(lines).text.split(separator: "\n").map(String.init)
        XCTAssertEqual(out.count, 6)
        XCTAssertEqual(out[0], lines[0])
        XCTAssertEqual(out[1], lines[1])  // block_start: unchanged
        XCTAssertTrue(out[2].hasSuffix(#","pretty":"{\n  \"a\": "}"#), out[2])
        XCTAssertTrue(out[4].hasSuffix(#","pretty":"\n  ]\n}\n"}"#), out[4])  // the value closes: final newline
        XCTAssertEqual(out[5], lines[5])  // nothing left for block_end
        let cut = runPrettyFilter(callLines(index: 1, [#"{"a":"#, "12"])).text.split(separator: "\n").map(String.init)
        XCTAssertTrue(cut[3].hasSuffix(#","pretty":"\n"}"#), cut[3])  // cut off: block_end ends the line
    }

    func testParallelCallsAreFormattedSeparately() {
        let a = callLines(index: 1, [#"{"city":"#, #""Paris"}"#])
        let b = callLines(index: 2, tool: "get_stock", [#"{"sym"#, #"bol":"AAPL"}"#])
        let interleaved = [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]]
        let out = runPrettyFilter(interleaved).text
        XCTAssertEqual(joinedPretty(out, index: 1), "{\n  \"city\": \"Paris\"\n}\n")
        XCTAssertEqual(joinedPretty(out, index: 2), "{\n  \"symbol\": \"AAPL\"\n}\n")
        XCTAssertEqual(
            runPrettyFilter(interleaved, output: .text).text,
            """
            --- flow f call 1 get_weather ---
            {
              "city": 
            --- flow f call 2 get_stock ---
            {
              "sym
            --- flow f call 1 get_weather ---
            "Paris"
            }
            --- flow f call 2 get_stock ---
            bol": "AAPL"
            }

            """
        )

    }

    func testInvalidArgumentsWarnOnceAndPassThroughRaw() {
        let (out, warnings) = runPrettyFilter(callLines(index: 0, [#"{"a":tr"#, #"ux}"#, "more"]), output: .text)
        XCTAssertEqual(
            warnings,
            ["call 0 of flow f: invalid JSON (invalid literal at byte 9), the rest passes through raw"]
        )
        XCTAssertEqual(out, "--- flow f call 0 get_weather ---\n{\n  \"a\": trux}more\n")
    }
}
