import Foundation
import TapCodec
import TapTestSupport
import XCTest

final class JSONScannerTests: XCTestCase {
    /// JSONTestSuite: every y_ accepted, every n_ rejected, no crash on any i_ (whatever the verdict).
    func testJSONTestSuite() throws {
        let dir = Fixtures.jsonTestSuiteDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThan(names.count, 300)
        var counts = (y: 0, n: 0, i: 0)
        for name in names {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            let valid = JSONScanner.isValid(bytes)
            // Navigation must never crash either, valid or not.
            bytes.withUnsafeBytes { raw in
                let scanner = JSONScanner(raw)
                if let root = scanner.root() {
                    scanner.forEachMember(of: root) { k, v in
                        _ = scanner.string(k)
                        _ = scanner.string(v)
                        return true
                    }
                    scanner.forEachElement(of: root) {
                        _ = scanner.string($0)
                        _ = scanner.int($0)
                        return true
                    }
                }
            }
            switch name.first {
            case "y":
                counts.y += 1
                XCTAssertTrue(valid, "should accept \(name)")
            case "n":
                counts.n += 1
                XCTAssertFalse(valid, "should reject \(name)")
            default:
                counts.i += 1
            }
        }
        XCTAssertGreaterThan(counts.y, 90)
        XCTAssertGreaterThan(counts.n, 180)
    }

    func testLookupPathWithoutTree() {
        let line =
            #"{"v":1,"type":"sse","data":{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Hi \"you\" \ud83d\ude00\n"}},"n":-42}"#
        Array(line.utf8).withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            XCTAssertEqual(json.lookup("type").flatMap(json.string), "sse")
            XCTAssertEqual(json.lookup("data", "index").flatMap(json.int), 2)
            XCTAssertEqual(json.lookup("data", "delta", "text").flatMap(json.string), "Hi \"you\" 😀\n")
            XCTAssertEqual(json.lookup("n").flatMap(json.int), -42)
            XCTAssertNil(json.lookup("data", "missing"))
            XCTAssertEqual(json.lookup("data", "delta")?.kind, .object)
        }
    }

    func testStringDecodingRejectsLoneSurrogatesAndBadEscapes() {
        for bad in [#""\ud800""#, #""\udc00x""#, #""\x""#, #""\u12g4""#] {
            Array(bad.utf8).withUnsafeBytes { raw in
                let json = JSONScanner(raw)
                XCTAssertNil(json.root().flatMap(json.string), bad)
            }
        }
        Array(#""a\/b\t\u00e9\u20AC""#.utf8).withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            XCTAssertEqual(json.root().flatMap(json.string), "a/b\té€")
        }
    }

    func testKeysWithEscapesMatch() {
        Array(#"{"ty\u0070e":"x","a":[1,{"b":true}]}"#.utf8).withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            XCTAssertEqual(json.lookup("type").flatMap(json.string), "x")
            let array = json.lookup("a")!
            XCTAssertEqual(json.elements(of: array).map(\.kind), [.number, .object])
            XCTAssertEqual(json.lastElement(of: array).flatMap { json.field("b", in: $0) }?.kind, .true)
        }
    }

    func testPaddedAnthropicDataIsValid() {
        // Live Anthropic data lines end with runs of spaces after the JSON (SSE-EDGE-CASES quirk 2).
        XCTAssertTrue(JSONScanner.isValid(Array(#"{"type":"ping","index":0        }   "#.utf8)))
    }

    func testWriterEscapesLikeOrjsonAndSplicesRaw() {
        var w = JSONWriter()
        w.beginObject()
        w.field("v", 1)
        w.field("text", "a\"b\\c\n\t\u{01}\u{7F}é😀")
        w.key("data")
        w.raw(Array(#"{"x": [1, 2]}"#.utf8))
        w.key("list")
        w.beginArray()
        w.int(1)
        w.string("two")
        w.null()
        w.endArray()
        w.field("ok", true)
        w.endObject()
        XCTAssertEqual(
            String(decoding: w.bytes, as: UTF8.self),
            #"{"v":1,"text":"a\"b\\c\n\t\u0001"# + "\u{7F}é😀"
                + #"","data":{"x": [1, 2]},"list":[1,"two",null],"ok":true}"#
        )
        XCTAssertTrue(JSONScanner.isValid(w.bytes))
    }

    func testWriterRoundTripsEveryScalarClass() {
        var text = ""
        for scalar in [0, 1, 0x1F, 0x20, 0x22, 0x5C, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFD, 0x10000, 0x10FFFF] {
            text.unicodeScalars.append(Unicode.Scalar(UInt32(scalar))!)
        }
        var w = JSONWriter()
        w.string(text)
        w.bytes.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            XCTAssertTrue(JSONScanner.isValid(raw))
            XCTAssertEqual(json.root().flatMap(json.string), text)
        }
    }

    func testTimestampRoundTrip() throws {
        let text = "2026-11-24T19:15:16.123456Z"
        let t = try XCTUnwrap(Timestamp(iso8601: text))
        XCTAssertEqual(t.iso8601, text)
        XCTAssertEqual(Timestamp(iso8601: "1970-01-01T00:00:01Z")?.microseconds, 1_000_000)
        XCTAssertEqual(Timestamp(iso8601: "2026-11-24T19:15:16.5Z")?.microseconds, t.microseconds - 123_456 + 500_000)
        XCTAssertEqual(Timestamp(iso8601: "2000-02-29T00:00:00.000000Z")?.iso8601, "2000-02-29T00:00:00.000000Z")
        XCTAssertNil(Timestamp(iso8601: "yesterday"))
    }

    func testRedactionHashIsSHA256Prefix() {
        // echo -n secret | sha256sum -> 2bb80d537b1da3e3...
        XCTAssertEqual(Redaction.hash("secret"), "hash:2bb80d537b1da3e3")
    }
}
