// delta-unescape's record filter, driven bare: records in, bytes out.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import delta_unescape

/// Runs the filter over NDJSON lines; returns the output text.
func runFilter(
    _ lines: [String],
    kinds: Set<String> = ["text", "reasoning", "tool_args"],
    output: UnescapeFilter.Output = .ndjson
)
    -> (text: String, warnings: [String])
{
    var filter = UnescapeFilter(kinds: kinds, output: output, color: false)
    var out: [UInt8] = []
    var warnings: [String] = []
    for line in lines {
        var bytes = Array(line.utf8)
        bytes.withUnsafeBytes { raw in
            guard let record = Record(line: raw) else { return XCTFail("not a record: \(line)") }
            if let w = filter.feed(record, into: &out) { warnings.append(w) }
        }
        bytes.removeAll()
    }
    filter.finish(into: &out)
    return (String(decoding: out, as: UTF8.self), warnings)
}

/// The `text` of every delta output line, joined.
func joinedTexts(_ ndjson: String, kind: String? = nil) -> String {
    ndjson.split(separator: "\n").compactMap { line -> String? in
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            object["type"] as? String == "delta", kind == nil || object["kind"] as? String == kind
        else { return nil }
        return object["text"] as? String
    }.joined()
}

final class UnescapeFilterTests: XCTestCase {
    func testReplacesTextAndMarksTheRecord() {
        let line = FixtureFragments.deltaLine(flow: "f1", kind: "text", index: 0, text: #"say \"hi\"\n"#)
        let (out, warnings) = runFilter([line])
        XCTAssertEqual(
            out,
            #"{"flow_id":"f1","index":0,"kind":"text","session_id":"s-f1","text":"say \"hi\"\n","type":"delta","v":1,"unescaped":true}"#
                + "\n"
        )
        XCTAssertEqual(warnings, [])
    }

    func testPassesOtherRecordsThroughByteIdentical() {
        let lines = [
            #"{"v":1, "type":"sse" ,"data":{"text":"\\n"}}"#,
            #"{"v":1,"type":"delta","kind":"usage","index":0,"text":"\\n"}"#,
            #"{"v":1,"type":"delta","kind":"text","index":0,"text":"\\n","unescaped":true}"#,
        ]
        XCTAssertEqual(runFilter(lines).text, lines.joined(separator: "\n") + "\n")
        // --fields text leaves tool_args alone.
        let toolArgs = FixtureFragments.deltaLine(flow: "f", kind: "tool_args", index: 1, text: #"{\"a\":1}"#)
        XCTAssertEqual(runFilter([toolArgs], kinds: ["text"]).text, toolArgs + "\n")
    }

    func testEscapeSplitAcrossDeltasOfOneBlockButNotAcrossBlocksOrFlows() {
        let lines = [
            FixtureFragments.deltaLine(flow: "A", kind: "text", index: 0, text: #"x \ud83d"#),
            FixtureFragments.deltaLine(flow: "B", kind: "text", index: 0, text: #"\u00"#),
            FixtureFragments.deltaLine(flow: "A", kind: "text", index: 1, text: #"\"#),
            FixtureFragments.deltaLine(flow: "A", kind: "text", index: 0, text: #"\ude00 y"#),
            FixtureFragments.deltaLine(flow: "B", kind: "text", index: 0, text: #"e9"#),
            FixtureFragments.deltaLine(flow: "A", kind: "text", index: 1, text: #"t"#),
        ]
        let out = runFilter(lines).text
        let texts = out.split(separator: "\n").map { line -> String in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["text"] as? String ?? "?"
        }
        XCTAssertEqual(texts, ["x ", "", "", "😀 y", "é", "\t"])
    }

    func testOpenEscapeIsFlushedBeforeBlockEndAndNothingIsLost() {
        let lines = [
            FixtureFragments.deltaLine(flow: "f", kind: "text", index: 2, text: #"abc\u00"#),
            FixtureFragments.deltaLine(flow: "f", kind: "block_end", index: 2),
            FixtureFragments.deltaLine(flow: "g", kind: "text", index: 0, text: #"tail\"#),
        ]
        let (out, warnings) = runFilter(lines)
        let outLines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(outLines.count, 5)
        XCTAssertEqual(
            outLines[1],
            #"{"v":1,"type":"delta","flow_id":"f","session_id":"s-f","kind":"text","index":2,"text":"\\u00","unescaped":true,"flushed":true}"#
        )
        XCTAssertEqual(outLines[2], lines[1])
        XCTAssertEqual(
            outLines[4],
            #"{"v":1,"type":"delta","flow_id":"g","session_id":"s-g","kind":"text","index":0,"text":"\\","unescaped":true,"flushed":true}"#
        )
        XCTAssertEqual(joinedTexts(out), #"abc\u00tail\"#)
        XCTAssertEqual(warnings, [])  // finish-time issues are counted, not warned per line
    }

    func testWarnsOnceForInvalidEscapes() {
        let lines = (0..<3).map { _ in FixtureFragments.deltaLine(flow: "f", kind: "text", index: 0, text: #"bad \q"#) }
        let (out, warnings) = runFilter(lines)
        XCTAssertEqual(warnings, [#"invalid escape \q kept literally"#])
        XCTAssertEqual(joinedTexts(out), #"bad \qbad \qbad \q"#)
    }

    func testTextModePrintsDecodedTextWithHeaders() {
        let lines = [
            FixtureFragments.deltaLine(flow: "f1", kind: "text", index: 0, text: #"line one\nline "#),
            FixtureFragments.deltaLine(flow: "f1", kind: "text", index: 0, text: #"two"#),
            #"{"v":1,"type":"sse","data":{}}"#,
            FixtureFragments.deltaLine(flow: "f1", kind: "reasoning", index: 1, text: #"hmm \u00e9"#),
        ]
        XCTAssertEqual(
            runFilter(lines, output: .text).text,
            """
            --- flow f1 block 0 (text) ---
            line one
            line two
            --- flow f1 block 1 (reasoning) ---
            hmm é

            """
        )
    }

    /// Every fixture stream, escaped and cut into deltas anywhere: the decoded texts always join
    /// to the provider's text.
    func testRecordStreamsAreSplitInvariant() throws {
        for (label, stream) in try FixtureFragments.all() {
            let escaped = Array(asciiEscaped(stream.joined).utf8)
            assertSplitInvariant(escaped, seeds: 1...3, exhaustiveLimit: 0) { pieces -> String in
                let lines = pieces.map {
                    FixtureFragments.deltaLine(
                        flow: "f",
                        kind: stream.kind,
                        index: stream.index,
                        text: String(decoding: $0, as: UTF8.self)
                    )
                }
                // A cut inside a UTF-8 sequence cannot be a JSON string; fixtures are escaped to ASCII.
                return joinedTexts(runFilter(lines).text)
            }
            XCTAssertEqual(
                joinedTexts(
                    runFilter([
                        FixtureFragments.deltaLine(
                            flow: "f",
                            kind: stream.kind,
                            index: 0,
                            text: String(decoding: escaped, as: UTF8.self)
                        )
                    ]).text
                ),
                stream.joined,
                label
            )
        }
    }
}
