// InlineText (extract-usage's flow and session ids): equal bytes are equal texts and hash
// alike, on either side of the inline room (40 bytes); a JSON string gives its decoded text
// whether it holds escapes or not; the text comes back unchanged.

import Dispatch
import TapCodec
import TapExtract
import XCTest

final class InlineTextTests: XCTestCase {
    func testEqualityHashAndTextAcrossTheInlineRoom() {
        let texts = [
            "", "a", "4bb54b16-0001-7ce1b7d7", "36fe4727-bbd2-90d7a19c8d1d-4bb54b16-36fe",
            String(repeating: "x", count: 39),
            String(repeating: "x", count: 40), String(repeating: "x", count: 41), String(repeating: "é", count: 30),
            "otel:12",
        ]
        for a in texts {
            XCTAssertEqual(InlineText(a).string, a)
            for b in texts {
                XCTAssertEqual(InlineText(a) == InlineText(b), a.utf8.elementsEqual(b.utf8), "\(a) vs \(b)")
            }
            var h1 = Hasher()
            var h2 = Hasher()
            InlineText(a).hash(into: &h1)
            InlineText(String(decoding: Array(a.utf8), as: UTF8.self)).hash(into: &h2)
            XCTAssertEqual(h1.finalize(), h2.finalize(), a)
        }
        // Bytes, not canonical equivalence: é precomposed and decomposed are two ids, as in Python.
        XCTAssertNotEqual(InlineText("\u{E9}"), InlineText("e\u{301}"))
        let set: Set<InlineText> = [InlineText("a"), InlineText("a"), InlineText(String(repeating: "y", count: 50))]
        XCTAssertEqual(set.count, 2)
    }

    /// A long text is stored once and known by its number: the same text made on many threads at
    /// once is one text, its bytes come back, and distinct long texts stay distinct.
    func testLongTextsMadeOnManyThreadsAreOneText() {
        let texts = (0..<8).map { "long-\($0)-" + String(repeating: "z", count: 60) }
        nonisolated(unsafe) let made = UnsafeMutableBufferPointer<InlineText?>.allocate(capacity: 8 * 64)
        made.initialize(repeating: nil)
        defer { made.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8 * 64) { i in made[i] = InlineText(texts[i % 8]) }
        for (i, text) in made.enumerated() {
            XCTAssertEqual(text, InlineText(texts[i % 8]))
            XCTAssertEqual(text?.bytes, Array(texts[i % 8].utf8))
            XCTAssertNotEqual(text, InlineText(texts[(i + 1) % 8]))
        }
        XCTAssertEqual(InlineText(bytes: Array("abc".utf8)).bytes, Array("abc".utf8))
    }

    func testFromJSONStringsWithAndWithoutEscapes() {
        let line = #"{"a":"flow-1","b":"fl\u006fw-1","c":"\ud83d\ude00x","d":12,"e":"\ud800"}"#
        Array(line.utf8).withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let root = json.root() else { return XCTFail("no root") }
            func text(_ key: String) -> InlineText? { InlineText(json.field(key, in: root), in: json) }
            XCTAssertEqual(text("a"), InlineText("flow-1"))
            XCTAssertEqual(text("b"), InlineText("flow-1"))
            XCTAssertEqual(text("c")?.string, "😀x")
            XCTAssertNil(text("d"))  // not a string
            XCTAssertNil(text("missing"))
            // What JSONScanner.text gives, escapes or not.
            XCTAssertEqual(text("e")?.string, json.text(json.field("e", in: root)))
        }
    }
}
