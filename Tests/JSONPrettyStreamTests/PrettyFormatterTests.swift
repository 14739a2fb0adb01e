// The chunk-aware pretty printer against jq itself: every JSON text of ../shared/fixtures
// (request bodies, the data of every SSE event, reassembled tool arguments, JSONTestSuite y_
// files) must print exactly as `jq --indent 2 .` prints it, in every chunking.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import json_pretty_stream

func pretty(_ chunks: [[UInt8]], indent: Int = 2, style: PrettyStyle = .plain) -> [UInt8] {
    var formatter = PrettyFormatter(indent: indent, style: style)
    var out: [UInt8] = []
    for chunk in chunks { formatter.feed(chunk, into: &out) }
    formatter.finish(into: &out)
    return out
}

func pretty(_ text: String, indent: Int = 2) -> String {
    String(decoding: pretty([Array(text.utf8)], indent: indent), as: UTF8.self)
}

/// What jq prints, or nil when jq rejects the input.
func jq(_ input: [UInt8], indent: Int = 2) async throws -> [UInt8]? {
    let r = try await Binary.runExecutable("jq", ["--indent", "\(indent)", "."], stdin: input)
    return r.status == 0 ? r.stdout : nil
}

/// JSONTestSuite y_ files jq prints differently on purpose: jq keeps only the last of duplicate
/// keys; we print what came, as it streams (no tree).
let jqDropsDuplicateKeys: Set<String> = ["y_object_duplicated_key.json", "y_object_duplicated_key_and_value.json"]

/// Compares our text with jq's line by line: equal bytes, except that a line whose only
/// difference is its number may differ in how the number is written (we keep numbers as
/// written; jq 1.6 parses them to doubles and reprints them: `1.0` -> `1`, `1E2` -> `100`;
/// jq 1.7 keeps them). Such numbers must still be the same double. Returns the failure, or nil.
func differenceFromJq(_ ours: [UInt8], _ theirs: [UInt8]) -> String? {
    let a = String(decoding: ours, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let b = String(decoding: theirs, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    guard a.count == b.count else { return "line counts differ: \(a.count) vs jq \(b.count)" }
    for (n, (x, y)) in zip(a, b).enumerated() where x != y {
        guard let (px, nx, sx) = splitNumberLine(x), let (py, ny, sy) = splitNumberLine(y), px == py, sx == sy,
            let dx = Double(nx), let dy = Double(ny), dx == dy
        else { return "line \(n + 1): \(x.debugDescription) vs jq \(y.debugDescription)" }
    }
    return nil
}

/// `  "key": 1.0,` -> (`  "key": `, `1.0`, `,`) when the line's value is a number.
func splitNumberLine(_ line: Substring) -> (Substring, Substring, Substring)? {
    let body = line.hasSuffix(",") ? line.dropLast() : line
    let suffix = line[body.endIndex...]
    var start = body.startIndex
    if let last = body.lastIndex(where: { !"0123456789+-.eE".contains($0) }) { start = body.index(after: last) }
    guard start < body.endIndex else { return nil }
    let prefix = body[..<start]
    guard prefix.allSatisfy({ $0 == " " }) || prefix.hasSuffix("\": ") else { return nil }
    return (prefix, body[start...], suffix)
}

func assertSameAsJq(
    _ ours: [UInt8],
    _ theirs: [UInt8]?,
    _ label: String,
    file: StaticString = #filePath,
    line: UInt = #line
) {
    guard let theirs else { return XCTFail("jq rejected \(label)", file: file, line: line) }
    if let difference = differenceFromJq(ours, theirs) { XCTFail("\(label): \(difference)", file: file, line: line) }
}

final class PrettyFormatterTests: XCTestCase {
    func testNumberLinesCompareByValueOnly() {
        XCTAssertNil(
            differenceFromJq(
                Array("{\n  \"t\": 1.0,\n  \"u\": 1E2\n}\n".utf8),
                Array("{\n  \"t\": 1,\n  \"u\": 100\n}\n".utf8)
            )
        )
        XCTAssertNotNil(differenceFromJq(Array("{\n  \"t\": 1.5\n}\n".utf8), Array("{\n  \"t\": 1\n}\n".utf8)))
        XCTAssertNotNil(differenceFromJq(Array("[\n  \"1.0\"\n]\n".utf8), Array("[\n  \"1\"\n]\n".utf8)))
        XCTAssertNotNil(differenceFromJq(Array("{\n  \"a\": 1\n}\n".utf8), Array("{\n  \"b\": 1\n}\n".utf8)))
    }

    func testShapesLikeJq() {
        XCTAssertEqual(
            pretty(#" {"a":[1,{"b":null}],"c":"x","d":{},"e":[ ],"f":-1.5e+3,"g":true} "#),
            """
            {
              "a": [
                1,
                {
                  "b": null
                }
              ],
              "c": "x",
              "d": {},
              "e": [],
              "f": -1.5e+3,
              "g": true
            }

            """
        )
        XCTAssertEqual(pretty(#"{"a":[1,{"b":null}],"d":{}}"#, indent: 0), #"{"a":[1,{"b":null}],"d":{}}"# + "\n")
        XCTAssertEqual(pretty("1 2 [3]"), "1\n2\n[\n  3\n]\n")
    }

    func testStringsAreReencodedLikeJq() {
        XCTAssertEqual(
            pretty(#""\u00e9\/\u007f\u0000\u001f\ud83d\ude00 \u2028 \"\\ \u005C""#),
            "\"é/\\u007f\\u0000\\u001f😀 \u{2028} \\\"\\\\ \\\\\"\n"
        )
        XCTAssertEqual(pretty("\"a\u{7f}b\""), "\"a\\u007fb\"\n")
        XCTAssertEqual(pretty(#""\udc00x""#), "\"\u{FFFD}x\"\n")
    }

    func testRequestBodiesMatchJq() async throws {
        for name in try Fixtures.realNames(withExtension: "json") {
            let input = try Fixtures.real(name)
            let expected = try await jq(input)
            assertSameAsJq(pretty([input]), expected, name)
            assertSplitInvariant(input, seeds: 1...6, exhaustiveLimit: 0) { pretty($0) }
        }
    }

    func testEverySSEEventDataMatchesJq() async throws {
        var documents = 0
        for name in try Fixtures.realNames(withExtension: "sse") {
            // Every JSON `data:` payload of the stream, one per line: jq prints each in turn.
            let text = String(decoding: try Fixtures.real(name), as: UTF8.self)
            let payloads = text.split(separator: "\n").filter { $0.hasPrefix("data:") }.map { line -> Substring in
                let p = line.dropFirst(5)
                return p.first == " " ? p.dropFirst() : p
            }.filter { $0.first == "{" }
            documents += payloads.count
            let input = Array(payloads.joined(separator: "\n").utf8)
            let expected = try await jq(input)
            assertSameAsJq(pretty([input]), expected, name)
            assertSplitInvariant(input, seeds: 1...3, exhaustiveLimit: 0) { pretty($0) }
        }
        XCTAssertGreaterThan(documents, 1000)
    }

    func testReassembledToolArgumentsMatchJqInTheProvidersCuts() async throws {
        var compared = 0
        for (label, stream) in try FixtureFragments.all() where stream.kind == "tool_args" {
            let whole = Array(stream.joined.utf8)
            let providerCuts = stream.fragments.map { Array($0.utf8) }
            if let expected = try await jq(whole) {
                compared += 1
                assertSameAsJq(pretty(providerCuts), expected, label)
            } else {
                // Cut off by max_tokens: the formatter reports it and loses nothing.
                var formatter = PrettyFormatter()
                var out: [UInt8] = []
                for chunk in providerCuts { formatter.feed(chunk, into: &out) }
                formatter.finish(into: &out)
                XCTAssertNotNil(formatter.error, label)
            }
            assertSplitInvariant(whole, seeds: 1...6, exhaustiveLimit: 400) { pretty($0) }
        }
        XCTAssertGreaterThanOrEqual(compared, 5)
    }

    func testJSONTestSuiteYFilesMatchJq() async throws {
        let dir = Fixtures.jsonTestSuiteDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("y_") }.sorted()
        var compared = 0
        for name in names {
            let input = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            guard let expected = try await jq(input) else { continue }  // only what jq accepts
            let got = pretty([input])
            if jqDropsDuplicateKeys.contains(name) {
                XCTAssertNotEqual(got, expected, "\(name) is listed as differing but matches: remove it from the list")
            } else {
                compared += 1
                assertSameAsJq(got, expected, name)
            }
            assertSplitInvariant(input, seeds: 1...4, exhaustiveLimit: 64) { pretty($0) }
        }
        XCTAssertGreaterThan(compared, 75)
    }

    func testIndentWidthsMatchJq() async throws {
        let input = try Fixtures.real("anthropic-messages-request-tool-result.json")
        for indent in [0, 1, 4, 7] {
            let expected = try await jq(input, indent: indent)
            assertSameAsJq(pretty([input], indent: indent), expected, "indent \(indent)")
        }
    }

    func testCutsInsideLiteralsNumbersStringsAndEscapes() {
        let input = Array(#"{"k\"ey":[true,false,null,-0.5e-10,12345,"\ud83d\ude00\u00e9\n\/",{"":[]}],"x":{}}"#.utf8)
        let expected = pretty([input])
        XCTAssertTrue(String(decoding: expected, as: UTF8.self).contains("\"😀é\\n/\""))
        assertSplitInvariant(input, seeds: 1...64, exhaustiveLimit: 1000) { pretty($0) }
    }

    func testInvalidJSONGoesOutRawFromTheErrorOnAndNothingIsLost() throws {
        let dir = Fixtures.jsonTestSuiteDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
            $0.hasPrefix("n_") || $0.hasPrefix("i_")
        }.sorted()
        var errors = 0
        for name in names {
            let input = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            var formatter = PrettyFormatter()
            var out: [UInt8] = []
            formatter.feed(input, into: &out)
            formatter.finish(into: &out)
            guard let offset = formatter.errorOffset else { continue }
            errors += 1
            let tail = Array(input[offset...])
            var trimmed = out
            if trimmed.last == 0x0A, tail.last != 0x0A { trimmed.removeLast() }
            XCTAssertTrue(
                trimmed.count >= tail.count && Array(trimmed.suffix(tail.count)) == tail,
                "\(name): tail not raw"
            )
            assertSplitInvariant(input, seeds: 1...2, exhaustiveLimit: 32) { pretty($0) }
        }
        XCTAssertGreaterThan(errors, 150)
        var formatter = PrettyFormatter()
        var out: [UInt8] = []
        formatter.feed(Array(#"{"a":tru,"b":1}"#.utf8), into: &out)
        formatter.finish(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "{\n  \"a\": tru,\"b\":1}\n")
        XCTAssertEqual(formatter.error, "invalid literal at byte 9")
    }

    func testColoursKeysStringsNumbersLiteralsAndPunctuation() {
        let out = String(decoding: pretty([Array(#"{"k":"v","n":1,"t":true}"#.utf8)], style: .color), as: UTF8.self)
        XCTAssertTrue(out.contains(ANSI.cyan + "\"k\"" + ANSI.reset), out)
        XCTAssertTrue(out.contains(ANSI.green + "\"v\"" + ANSI.reset), out)
        XCTAssertTrue(out.contains(ANSI.yellow + "1" + ANSI.reset), out)
        XCTAssertTrue(out.contains(ANSI.magenta + "true" + ANSI.reset), out)
        XCTAssertTrue(out.contains(ANSI.dim + "{" + ANSI.reset), out)
        // Without the escapes it is the plain text.
        let stripped = out.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        XCTAssertEqual(stripped, pretty(#"{"k":"v","n":1,"t":true}"#))
    }

    func testBytesGoOutBeforeTheValueCloses() {
        var formatter = PrettyFormatter()
        var out: [UInt8] = []
        formatter.feed(Array(#"{"command":["bash","-lc","echo hel"#.utf8), into: &out)
        XCTAssertEqual(
            String(decoding: out, as: UTF8.self),
            "{\n  \"command\": [\n    \"bash\",\n    \"-lc\",\n    \"echo hel"
        )
        out.removeAll()
        formatter.feed(Array(#"lo"]}"#.utf8), into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "lo\"\n  ]\n}\n")
    }
}
