// JSONScanner.skipValue on arrays and objects (64-byte blocks: unescaped quotes, in-string
// bytes as their prefix xor, brackets outside strings) against the validator's answer, on
// random documents with escapes, brackets inside strings and backslash runs, placed so that
// every part of a document meets a block edge; unterminated containers give nil; and the
// root of every accepted JSONTestSuite document ends where its text does.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

final class JSONSkipTests: XCTestCase {
    /// The end of the container opening at `start`, by the validator rather than by counting:
    /// the one `end` where `text[start..<end]` is valid JSON and ends with a bracket (a shorter
    /// piece leaves a bracket open, a longer one has text after the value).
    private func reference(_ bytes: [UInt8], _ start: Int) -> Int? {
        (start + 2...bytes.count).first { end in
            (bytes[end - 1] == UInt8(ascii: "]") || bytes[end - 1] == UInt8(ascii: "}"))
                && JSONScanner.isValid(Array(bytes[start..<end]))
        }
    }

    private func skip(_ bytes: [UInt8], _ start: Int) -> Int? {
        bytes.withUnsafeBytes { JSONScanner($0).skipValue(start) }
    }

    /// Random documents whose every container's end is known from building it.
    func testRandomDocumentsEndWhereTheyWereBuilt() {
        var random = SeededGenerator(seed: 6_4)
        func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        // Strings full of what the block walk must not take for structure.
        let stringParts = [#"\\"#, #"\""#, "{", "}", "[", "]", ",", ":", "a", #"\\\""#, #"\\\\"#, "é", #"\u0022"#]
        var text: [UInt8] = []
        var containers: [(start: Int, end: Int)] = []
        func string() {
            text += Array(
                ("\"" + (0..<pick(12)).map { _ in stringParts[pick(stringParts.count)] }.joined() + "\"").utf8
            )
        }
        func value(_ depth: Int) {
            if depth > 5 || pick(3) == 0 {
                if pick(2) == 0 { string() } else { text += Array(["12", "-0.5e3", "true", "null"][pick(4)].utf8) }
                return
            }
            let start = text.count
            let object = pick(2) == 0
            text.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
            for k in 0..<pick(5) {
                if k > 0 { text += Array(", ".utf8) }
                if object {
                    string()
                    text.append(UInt8(ascii: ":"))
                }
                value(depth + 1)
            }
            text.append(object ? UInt8(ascii: "}") : UInt8(ascii: "]"))
            containers.append((start, text.count))
        }
        var checked = 0
        for round in 0..<4_000 {
            text = [UInt8](repeating: 0x20, count: pick(70))
            containers = []
            value(0)
            value(0)
            text += Array(#" ]}"\"#.utf8)
            for (start, end) in containers {
                checked += 1
                XCTAssertEqual(
                    skip(text, start),
                    end,
                    "round \(round) at \(start): \(String(decoding: text, as: UTF8.self))"
                )
                // Cut before its end: not closed.
                if round % 4 == 0 {
                    let cut = Array(text[..<(start + 1 + pick(end - start - 1))])
                    XCTAssertNil(skip(cut, start), "round \(round), cut at \(cut.count)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 10_000)
        XCTAssert(JSONScanner.isValid(Array("[{\"a\":[1,\"\\\"]\"]}]".utf8)))  // the kind of text built here
    }

    /// Backslash runs of every length ending at every offset around a block edge, before a quote
    /// (an odd run escapes it, and the string goes on to the next one).
    func testBackslashRunsAcrossBlockEdges() {
        for offset in 50..<140 {
            for run in 0...5 {
                let inner =
                    String(repeating: "a", count: offset) + String(repeating: "\\", count: run)
                    + (run % 2 == 1 ? "\"]}" : "")
                let text = Array(("[\"" + inner + "\",\"}\"]  ]" + String(repeating: " ", count: 70)).utf8)
                XCTAssertEqual(skip(text, 0), reference(text, 0), "offset \(offset) run \(run)")
                XCTAssertNotNil(skip(text, 0))
            }
        }
    }

    func testJSONTestSuiteRootsEndWhereTheTextEnds() throws {
        let dir = Fixtures.jsonTestSuiteDirectory
        var checked = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasPrefix("y_") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            guard let start = bytes.firstIndex(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }),
                bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "[")
            else { continue }
            let end = (bytes.lastIndex(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) ?? 0) + 1
            // Padded past a block, so that short documents take the block path too.
            let padded = bytes + [UInt8](repeating: 0x20, count: 64)
            XCTAssertEqual(skip(padded, start), end, name)
            XCTAssertEqual(skip(bytes, start), end, name)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 60)
    }
}
