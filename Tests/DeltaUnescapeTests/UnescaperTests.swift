// The chunk-aware unescaper (TapCodec.JSONFragmentUnescaper) and delta-unescape's record filter:
// every escape, every invalid form kept literally, and the same output for every chunking.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import delta_unescape

/// Decodes `chunks` in order with one unescaper; returns the text and the issue count.
func unescape(_ chunks: [[UInt8]], policy: JSONFragmentUnescaper.LoneSurrogatePolicy = .keepLiteral) -> [UInt8] {
    var u = JSONFragmentUnescaper(loneSurrogates: policy)
    var out: [UInt8] = []
    for chunk in chunks { u.feed(chunk, into: &out) }
    u.finish(into: &out)
    return out
}

func unescape(_ text: String) -> String { String(decoding: unescape([Array(text.utf8)]), as: UTF8.self) }

/// The text as the inside of a JSON string with every non-ASCII scalar as `\uXXXX` (surrogate
/// pairs above U+FFFF), like Python's json.dumps(ensure_ascii=True): the hardest input for the
/// unescaper, written independently of TapCodec.
func asciiEscaped(_ text: String) -> String {
    var out = ""
    for unit in text.utf16 {
        switch unit {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x2F: out += "\\/"
        case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
        default: out += String(format: "\\u%04x", unit)
        }
    }
    return out
}

final class UnescaperTests: XCTestCase {
    func testEverySimpleEscape() {
        XCTAssertEqual(unescape(#"a\"b\\c\/d\be\ff\ng\rh\ti"#), "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti")
    }

    func testUnicodeEscapesAndSurrogatePair() {
        XCTAssertEqual(unescape(#"caf\u00e9 \u4e16\u754c \ud83d\ude00 \u0041"#), "café 世界 😀 A")
        XCTAssertEqual(unescape(#"\uD83D\uDE00"#), "😀")
    }

    func testEscapeCutAfterBackslashInsideHexAndBetweenSurrogateHalves() {
        let cuts: [[String]] = [
            ["say \\", "\"hi\\", "\""],
            ["\\u", "00", "e", "9"],
            ["\\ud83d", "\\ude00"],
            ["\\ud83d\\", "ude00"],
            ["\\ud83d\\u", "de", "00"],
            ["\\", "u", "d", "8", "3", "d", "\\", "u", "d", "e", "0", "0"],
        ]
        let expected = ["say \"hi\"", "é", "😀", "😀", "😀", "😀"]
        for (pieces, want) in zip(cuts, expected) {
            XCTAssertEqual(String(decoding: unescape(pieces.map { Array($0.utf8) }), as: UTF8.self), want, "\(pieces)")
        }
    }

    func testInvalidEscapesAreKeptLiterallyAndCounted() {
        let cases: [(String, String, Int)] = [
            (#"a\xb"#, #"a\xb"#, 1),
            (#"\u12G4"#, #"\u12G4"#, 1),
            (#"\u12\n"#, "\\u12\n", 1),  // the broken escape stays, the next one still decodes
            (#"\ud800 x"#, #"\ud800 x"#, 1),  // lone high surrogate
            (#"\udc00"#, #"\udc00"#, 1),  // lone low surrogate
            (#"\ud83d\u0041"#, #"\ud83dA"#, 1),  // high surrogate then a plain escape
            (#"\ud83d\ud83d\ude00"#, #"\ud83d😀"#, 1),  // high, then a full pair
            (#"\ud83d\n"#, "\\ud83d\n", 1),  // high, then another escape
            (#"\ud83d\u00"#, #"\ud83d\u00"#, 1),  // cut off at the end of input
            ("end\\", "end\\", 1),
        ]
        for (input, want, issues) in cases {
            var u = JSONFragmentUnescaper()
            var out: [UInt8] = []
            u.feed(Array(input.utf8), into: &out)
            u.finish(into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), want, input)
            XCTAssertEqual(u.issues, issues, input)
            XCTAssertNotNil(u.firstIssue, input)
        }
    }

    func testLoneSurrogateBecomesReplacementCharacterWhenAsked() {
        XCTAssertEqual(
            String(decoding: unescape([Array(#"\udc00x"#.utf8)], policy: .replacementCharacter), as: UTF8.self),
            "\u{FFFD}x"
        )
    }

    func testFirstIssueNamesTheBrokenEscape() {
        var u = JSONFragmentUnescaper()
        var out: [UInt8] = []
        u.feed(Array(#"ok \q then \z"#.utf8), into: &out)
        XCTAssertEqual(u.firstIssue, #"\q"#)
        XCTAssertEqual(u.issues, 2)
    }

    func testAdversarialInputsAreSplitInvariant() {
        let inputs = [
            #"\ud83d\ude00\ud83d\ude00 \u00e9\u00E9 \"\\\/ \\u0041 \\\\\" end"#,
            #"\ud83d\u0041\ud800\n\udc00\x\u12G4\u\ud83d\ud83d\ude00\"#,
            #"no escapes at all, just text 世界"#,
            #"\\\\\\\\\\\\\\\\\"\"\"\"\u005c\u005c"#,
        ]
        for input in inputs {
            assertSplitInvariant(Array(input.utf8)) { unescape($0) }
        }
    }

    func testEveryFixtureStreamRoundTripsInEveryChunking() throws {
        let all = try FixtureFragments.all()
        XCTAssertGreaterThan(all.count, 15)
        for (label, stream) in all {
            let escaped = Array(asciiEscaped(stream.joined).utf8)
            XCTAssertEqual(String(decoding: unescape([escaped]), as: UTF8.self), stream.joined, label)
            // The provider's own cuts, then arbitrary ones.
            let providerCuts = stream.fragments.map { Array(asciiEscaped($0).utf8) }
            XCTAssertEqual(unescape(providerCuts), Array(stream.joined.utf8), label)
            assertSplitInvariant(escaped, seeds: 1...4, exhaustiveLimit: 256) { unescape($0) }
        }
    }
}
