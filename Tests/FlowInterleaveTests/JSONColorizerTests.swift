// The tool-argument colouriser sees JSON cut anywhere: every chunking must paint every
// character the same (split invariance, STYLE.md §3).

import TapCodec
import XCTest

@testable import flow_interleave

final class JSONColorizerTests: XCTestCase {
    /// (character, active SGR colour) for each visible byte of coloured output.
    func paintedCharacters(_ bytes: [UInt8]) -> [(UInt8, String)] {
        var result: [(UInt8, String)] = []
        var color = ""
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x1B, i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") {
                var j = i + 2
                while j < bytes.count, bytes[j] != UInt8(ascii: "m") { j += 1 }
                let code = String(decoding: bytes[(i + 2)..<j], as: UTF8.self)
                color = code == "0" ? "" : code
                i = j + 1
                continue
            }
            result.append((bytes[i], color))
            i += 1
        }
        return result
    }

    func colorize(_ text: [UInt8], cuts: [Int]) -> [UInt8] {
        var colorizer = JSONColorizer()
        var out: [UInt8] = []
        var start = 0
        for cut in cuts + [text.count] where cut > start {
            colorizer.feed(Array(text[start..<cut]), into: &out)
            start = cut
        }
        return out
    }

    func testEveryChunkingPaintsTheSame() {
        let samples = [
            #"{"command":"ls -la \"dir\"","timeout":120000,"flags":[true,null,"x\\"],"nested":{"k":"v"}}"#,
            #"{"command":["bash","-lc","echo \u00e9 \ud83d\ude00"],"workdir":"/tmp"}"#,
        ]
        var generator = SystemRandomNumberGenerator()
        for sample in samples {
            let text = Array(sample.utf8)
            let whole = paintedCharacters(colorize(text, cuts: []))
            XCTAssertEqual(whole.map(\.0), text)
            let oneByte = paintedCharacters(colorize(text, cuts: Array(1..<text.count)))
            XCTAssertTrue(whole.elementsEqual(oneByte, by: { $0 == $1 }), "1-byte chunks differ")
            for _ in 0..<50 {
                let cuts = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                    Int.random(in: 1..<text.count, using: &generator)
                }.sorted()
                let random = paintedCharacters(colorize(text, cuts: cuts))
                XCTAssertTrue(whole.elementsEqual(random, by: { $0 == $1 }), "cuts \(cuts) differ")
            }
        }
    }

    func testKeysCyanValuesGreenPunctuationPlain() {
        let painted = paintedCharacters(colorize(Array(#"{"k":"v","n":1}"#.utf8), cuts: []))
        let colors = painted.map(\.1)
        XCTAssertEqual(colors, ["", "36", "36", "36", "", "32", "32", "32", "", "36", "36", "36", "", "32", ""])
    }
}
