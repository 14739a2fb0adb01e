// JSONScanner.skipValue on arrays and objects (64-byte blocks: unescaped quotes, in-string
// bytes as their prefix xor, brackets outside strings) against a byte-at-a-time reference, on
// random documents with escapes, brackets inside strings and backslash runs, placed so that
// every part of a document meets a block edge; unterminated containers give nil; and the
// root of every accepted JSONTestSuite document ends where its text does.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

final class JSONSkipTests: XCTestCase {
    /// The end of the container opening at `start`, one byte at a time (text known to be JSON).
    private func reference(_ bytes: [UInt8], _ start: Int) -> Int? {
        var depth = 0
        var string = false
        var escape = false
        for i in start..<bytes.count {
            let c = bytes[i]
            if string {
                if escape {
                    escape = false
                } else if c == UInt8(ascii: "\\") {
                    escape = true
                } else if c == UInt8(ascii: "\"") {
                    string = false
                }
            } else if c == UInt8(ascii: "\"") {
                string = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
        }
        return nil
    }

    private func skip(_ bytes: [UInt8], _ start: Int) -> Int? {
        bytes.withUnsafeBytes { JSONScanner($0).skipValue(start) }
    }

    func testRandomDocumentsAgreeWithTheByteReference() {
        var random = SeededGenerator(seed: 6_4)
        func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        // Strings full of what the block walk must not take for structure.
        let stringParts = [#"\\"#, #"\""#, "{", "}", "[", "]", ",", ":", "a", #"\\\""#, #"\\\\"#, "é", #"\u0022"#]
        func string() -> String { "\"" + (0..<pick(12)).map { _ in stringParts[pick(stringParts.count)] }.joined() + "\"" }
        func value(_ depth: Int) -> String {
            if depth > 5 || pick(3) == 0 { return [string(), "12", "-0.5e3", "true", "null"][pick(5)] }
            let count = pick(5)
            if pick(2) == 0 { return "[" + (0..<count).map { _ in value(depth + 1) }.joined(separator: ", ") + "]" }
            return "{" + (0..<count).map { _ in string() + ":" + value(depth + 1) }.joined(separator: ",") + "}"
        }
        var containers = 0
        for round in 0..<4_000 {
            let doc = Array(("[" + value(0) + "," + value(0) + "]").utf8)
            let text = [UInt8](repeating: 0x20, count: pick(70)) + doc + Array(#" ]}"\"#.utf8)
            // Every container's start, not only the outer one: inner ones start mid-block.
            var inString = false
            var escape = false
            for (i, c) in text.enumerated() {
                if inString {
                    if escape { escape = false } else if c == 0x5C { escape = true } else if c == 0x22 { inString = false }
                    continue
                }
                if c == 0x22 { inString = true }
                guard c == UInt8(ascii: "{") || c == UInt8(ascii: "[") else { continue }
                containers += 1
                XCTAssertEqual(skip(text, i), reference(text, i), "round \(round) at \(i): \(String(decoding: text, as: UTF8.self))")
                // Cut before its end: not closed.
                if round % 4 == 0, let end = reference(text, i) {
                    let cut = Array(text[..<(i + pick(end - i))])
                    XCTAssertNil(skip(cut, i), "round \(round), cut at \(cut.count)")
                }
            }
        }
        XCTAssertGreaterThan(containers, 20_000)
    }

    /// Backslash runs of every length ending at every offset around a block edge, before a quote.
    func testBackslashRunsAcrossBlockEdges() {
        for offset in 50..<140 {
            for run in 0...5 {
                let inner = String(repeating: "a", count: offset) + String(repeating: "\\", count: run)
                // An odd run escapes the quote after it: then the string goes on to the next quote.
                let text = Array(("[\"" + inner + "\"],\"}\"]  ]" + String(repeating: " ", count: 70)).utf8)
                XCTAssertEqual(skip(text, 0), reference(text, 0), "offset \(offset) run \(run)")
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
