// LineReader.forEachRecordLine(fields:): the AVX2 validator notes the values of a few top-level
// keys while it walks a line. Every span it hands out must be exactly what the Swift scanner's
// lookup (`Record.field`) finds, and every verdict exactly `isValidObject`: checked on random
// records built to hit the walk's edges (escaped keys that decode to an asked key, duplicate
// keys, the asked keys nested deeper, whitespace around values, long keys, keys at the end of
// the data), on corrupted copies of them, and on JSONTestSuite, at both validator levels.

import CTapSIMD
import Foundation
import TapTestSupport
import XCTest

@testable import TapCodec

final class FieldSpansTests: XCTestCase {
    private let asked = ["type", "flow_id", "a_key_longer_than_sixteen_bytes", ""]

    /// Checks every line of `text` through `forEachRecordLine(fields:)` at both levels against
    /// the line split, `isValidObject` and `Record.field`; returns how many lines had spans.
    @discardableResult
    private func checkFile(
        _ text: [UInt8],
        keys: [String],
        _ label: String,
        file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> Int {
        let dir = try TempDir.make()
        let path = dir + "/fields.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data(text))
        var expected: [([UInt8], Bool, [JSONSpan?])] = []
        try LineReader(path: path).forEachLine { line in
            let valid = JSONScanner.isValidObject(line)
            let record = valid ? Record(line: line, validate: false) : nil
            expected.append((Array(line), valid, keys.map { record?.field($0) }))
        }
        var withSpans = 0
        for level in Set([Int32(0), Int32(tap_simd_level())]) {
            var got: [([UInt8], Bool, [JSONSpan?])] = []
            let reader = try LineReader(path: path)
            reader.simdLevel = level
            try reader.forEachRecordLine(fields: keys) { line, valid, fields in
                XCTAssertEqual(fields.count, keys.count)
                got.append((Array(line), valid, (0..<keys.count).map { fields[$0] }))
            }
            XCTAssertEqual(got.count, expected.count, "\(label) level \(level): line count", file: file, line: line)
            for (index, (g, e)) in zip(got, expected).enumerated() where g.0 != e.0 || g.1 != e.1 || g.2 != e.2 {
                XCTFail(
                    "\(label) level \(level) line \(index + 1): \(String(decoding: g.0, as: UTF8.self).debugDescription)"
                        + " valid \(g.1) spans \(g.2), expected valid \(e.1) spans \(e.2)",
                    file: file,
                    line: line
                )
                break
            }
            withSpans = got.filter { $0.2.contains { $0 != nil } }.count
        }
        return withSpans
    }

    private func randomRecords(seed: UInt64, count: Int) -> [[UInt8]] {
        var random = SeededGenerator(seed: seed)
        func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        let keys = [
            #""type""#, #""flow_id""#, #""typ\u0065""#, #""\u0074ype""#, #""flow\u005fid""#, #""types""#, #""typ""#,
            #""flow_i""#, #""t\"pe""#, #""ty\\pe""#, #""""#, #""a_key_longer_than_sixteen_bytes""#,
            #""a_key_longer_than_sixteen_byteS""#, #""a_key_longer_than_sixteen_\u0062ytes""#, #""data""#, #""é""#,
        ]
        let space = ["", " ", "\t", "\r", "  \t "]
        func ws() -> String { space[pick(space.count)] }
        func value(_ depth: Int) -> String {
            switch pick(depth > 2 ? 6 : 9) {
            case 0: return #""sse""#
            case 1: return #""f-\#(pick(1000))\"x\\""#
            case 2: return ["0", "-12.5e+3", "7", "1E9", "-0"][pick(5)]
            case 3: return ["true", "false", "null"][pick(3)]
            case 4: return "\"" + String(repeating: "s", count: pick(90)) + "é🎉\""
            case 5: return #""\ud83d\ude00\n""#
            case 6: return "{" + members(depth + 1) + "}"
            case 7: return "[" + (0..<pick(4)).map { _ in ws() + value(depth + 1) + ws() }.joined(separator: ",") + "]"
            default: return "{" + ws() + #""type":"inner","flow_id":1"# + ws() + "}"
            }
        }
        func members(_ depth: Int) -> String {
            (0..<pick(7)).map { _ in ws() + keys[pick(keys.count)] + ws() + ":" + ws() + value(depth) + ws() }
                .joined(separator: ",")
        }
        let junk: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x20, 0x09, 0x01, 0x80, 0xC0, 0xFF, 0x75]
        return (0..<count).map { round in
            var text = Array((ws() + "{" + members(0) + "}" + ws()).utf8)
            if round % 4 == 1 {
                text[pick(text.count)] = junk[pick(junk.count)]
            } else if round % 4 == 2 {
                text.insert(junk[pick(junk.count)], at: pick(text.count + 1))
            }
            text.removeAll { $0 == 0x0A }
            return text
        }
    }

    func testRandomRecordsSpansEqualTheScannersLookup() throws {
        let records = randomRecords(seed: 7, count: 20_000)
        let text: [UInt8] = records.flatMap { $0 + [UInt8(0x0A)] }
        let withSpans = try checkFile(text, keys: asked, "random records")
        XCTAssertGreaterThan(withSpans, 5_000)
        // The same records without their newline at the end of the data (each the last line of
        // its file): the key comparison's 16-byte loads near the data's end.
        for record in records.prefix(300) {
            try checkFile(record, keys: asked, "last line")
            try checkFile(record + [0x0A], keys: asked, "last line with newline")
        }
    }

    /// Asked keys that compare only by their decoded value (a quote, a backslash, a control
    /// byte in them) go to the scanner's lookup: still exact.
    func testKeysWithEscapesAreLookedUpExactly() throws {
        let lines = [
            #"{"t\"pe":1,"ty\\pe":2,"a\nb":3}"#, #"{"t\u0022pe":1,"ty\u005cpe":[2],"a\u000ab":{"c":3}}"#,
            #"{"type":"x"}"#,
        ]
        let text = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        let withSpans = try checkFile(text, keys: ["t\"pe", "ty\\pe", "a\nb", "type"], "escaped asked keys")
        XCTAssertEqual(withSpans, 3)
    }

    /// The span of a key spelled with escapes in the line is found by decoding it, and the first
    /// member of a name wins, whichever way it is spelled.
    func testEscapedAndDuplicateKeysInTheLine() throws {
        let lines = [
            #"{"typ\u0065":"first","type":"second"}"#, #"{"type" : "first" ,"typ\u0065":"second"}"#,
            #"{"v":{"type":"nested"},"type":[1, {"type":2}] , "flow_id":"f"}"#, #"{"flow_id":"a","flow_id":"b"}"#,
        ]
        let text = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        try checkFile(text, keys: ["type", "flow_id"], "escaped and duplicate keys")
        // And the spans themselves, not only their agreement with the scanner.
        let reader = try LineReader(
            path: try {
                let path = try TempDir.make() + "/spans.jsonl"
                FileManager.default.createFile(atPath: path, contents: Data(text))
                return path
            }()
        )
        var types: [String?] = []
        var flows: [String?] = []
        try reader.forEachRecordLine(fields: ["type", "flow_id"]) { line, valid, fields in
            XCTAssertTrue(valid)
            let json = JSONScanner(line)
            types.append(fields[0].map { String(decoding: json.raw($0), as: UTF8.self) })
            flows.append(fields[1].map { String(decoding: json.raw($0), as: UTF8.self) })
        }
        XCTAssertEqual(types, [#""first""#, #""first""#, #"[1, {"type":2}]"#, nil])
        XCTAssertEqual(flows, [nil, nil, #""f""#, #""a""#])
    }

    /// A key asked twice gets the first member of that name both times (the AVX2 walk alone gave
    /// the second one to the second ask: fuzz-simd's finding, session 5).
    func testAKeyAskedTwiceGetsTheFirstMemberTwice() throws {
        let lines = [#"{"a":1,"a":2}"#, #"{"type":"x","flow_id":"f","type":"y"}"#, #"{"b":{"a":0},"a":[1],"a":2}"#]
        let text = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        XCTAssertEqual(try checkFile(text, keys: ["a", "type", "a"], "a key asked twice"), 3)
        XCTAssertFalse(NotedKeys("a", "b", "a").rawComparable)
        XCTAssertTrue(NotedKeys("a", "b").rawComparable)
    }

    /// JSONTestSuite's texts, each one line (those without a newline in them), padded so that
    /// their strings reach the block path: a verdict or span that differs fails.
    func testJSONTestSuiteThroughTheFieldsPath() throws {
        let dir = Fixtures.jsonTestSuiteDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThan(names.count, 300)
        var text: [UInt8] = []
        for name in names {
            let content = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            guard content.count < 100_000, !content.contains(0x0A) else { continue }
            text += [UInt8](repeating: 0x20, count: 70) + content + [0x0A]
            text += Array(#"{"type":"#.utf8) + content + Array(#","flow_id":1}"#.utf8) + [0x0A]
        }
        try checkFile(text, keys: ["type", "flow_id"], "JSONTestSuite")
    }

    /// The C entry point itself: the same verdict as `tap_validate_line` on every random record,
    /// with the newline at every distance from the end of the data.
    func testFieldsWalkGivesTheSameVerdict() throws {
        guard tap_simd_level() > 0 else { throw XCTSkip("no AVX2 line validator on this CPU") }
        let keys = NotedKeys(asked)
        var spans = [Int](repeating: 0, count: 2 * asked.count)
        for (index, record) in randomRecords(seed: 11, count: 3_000).enumerated() {
            let data = record + [0x0A] + [UInt8](repeating: 0x20, count: index % 20)
            let plain = data.withUnsafeBytes { tap_validate_line(1, $0.baseAddress, $0.count) }
            let noted = spans.withUnsafeMutableBufferPointer { spans in
                keys.withFields(span: spans.baseAddress!) { fields in
                    data.withUnsafeBytes { tap_validate_line_fields(1, $0.baseAddress, $0.count, &fields) }
                }
            }
            XCTAssertEqual(noted, plain, "record \(index): \(String(decoding: record, as: UTF8.self).debugDescription)")
        }
    }
}
