// The line validator's AVX-512 stage 1 (level 2, CTapSIMD/line_validator.h) against its AVX2
// one (level 1) and the reference: the same answer on every input, down to the offset of the
// `\n` found and the spans noted, with the data cut at every length (the masked load of the
// data's last bytes) and ending right before an unreadable page (a load past the data would
// fault). Level 1 itself is checked against ReferenceValidator by JSONValidatorBlockTests, and
// the reader at level tap_simd_level() (2 on a CPU with AVX-512) by FieldSpansTests and
// JSONValidatorBlockTests; here the two C levels meet on the same bytes.

import CTapSIMD
import Foundation
import TapTestSupport
import XCTest

@testable import TapCodec

#if canImport(Glibc)
import Glibc
#endif

final class LineValidatorLevelsTests: XCTestCase {
    private let asked = ["type", "flow_id", "a_key_longer_than_sixteen_bytes", ""]

    override func setUpWithError() throws {
        guard tap_simd_level() >= 2 else {
            throw XCTSkip("no AVX-512 line validator on this CPU (or TAPCODEC_SIMD caps the level)")
        }
    }

    /// Both levels' answers for `data[..<count]`: the plain verdict and the fields walk's verdict,
    /// spans and `unsure`, compared; also the line's verdict against the reference when found.
    private func compare(_ data: [UInt8], count: Int, _ label: @autoclosure () -> String) {
        let asked = self.asked
        let keys = NotedKeys(asked)
        func run(_ level: Int32) -> (Int, Int, [Int], Int32) {
            data.withUnsafeBytes { raw in
                let plain = tap_validate_line(level, raw.baseAddress, count)
                var spans = [Int](repeating: -7, count: 2 * asked.count)
                let (noted, unsure) = spans.withUnsafeMutableBufferPointer { spans in
                    keys.withFields(span: spans.baseAddress!) { fields in
                        (tap_validate_line_fields(level, raw.baseAddress, count, &fields), fields.unsure)
                    }
                }
                // Only the spans of keys found are defined (an end with no start is garbage).
                var defined: [Int] = []
                for i in 0..<asked.count where spans[2 * i] >= 0 { defined += [i, spans[2 * i], spans[2 * i + 1]] }
                return (plain, noted, noted >= 0 ? defined : [], noted >= 0 ? unsure : 0)
            }
        }
        let avx2 = run(1)
        let avx512 = run(2)
        if avx2.0 != avx512.0 || avx2.1 != avx512.1 || avx2.2 != avx512.2 || avx2.3 != avx512.3 {
            XCTFail("levels differ on \(label()) cut at \(count): AVX2 \(avx2), AVX-512 \(avx512): \(describe(data))")
            return
        }
        if avx512.0 >= 0 {
            let line = Array(data[..<avx512.0])
            XCTAssertTrue(
                ReferenceValidator.isValid(line, requireObject: true),
                "found a line the reference rejects: \(label()) \(describe(line))"
            )
        }
    }

    /// `compare` with the data cut at every length from `from` (default: all of them).
    private func compareEveryCut(_ data: [UInt8], from: Int = 0, _ label: @autoclosure () -> String) {
        for count in from...data.count { compare(data, count: count, label()) }
    }

    private func describe(_ bytes: [UInt8]) -> String {
        let shown =
            bytes.count > 160 ? Array(bytes[..<80]) + Array("…".utf8) + Array(bytes[(bytes.count - 80)...]) : bytes
        return String(decoding: shown, as: UTF8.self).debugDescription + " (\(bytes.count) bytes)"
    }

    private func record(_ content: [UInt8]) -> [UInt8] {
        Array(#"{"type":"sse","k":""#.utf8) + content + Array(#"","flow_id":"f"}"#.utf8)
    }

    /// Special bytes, escapes and UTF-8 (valid and not) at every position of two blocks, the line
    /// followed by the next one, then by nothing at every cut.
    func testSpecialBytesAtEveryPositionAgree() {
        let specials: [[UInt8]] = [
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\/"#.utf8), Array(#"\n"#.utf8), Array(#"\u0041"#.utf8),
            Array(#"\ud83d\ude00"#.utf8), Array(#"\ud83d"#.utf8), Array(#"\ude00"#.utf8), Array(#"\x"#.utf8),
            Array(#"\u00G1"#.utf8), [0x5C, 0xC3, 0xA9], [0x00], [0x09], [0x0A], [0x1F], [0x7F], [0x22, 0x22],
            [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xED, 0xA0, 0x80], [0xC0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0x80], [0xFF], [0xE2, 0x82], [0xF0, 0x9F, 0x98], Array("测试 🎉".utf8),
            Array(#"\\\""#.utf8), Array(#"\\\\"#.utf8), Array(#"},{"#.utf8), Array(#"":1,"x":""#.utf8),
        ]
        for position in 0..<135 {
            let before = [UInt8](repeating: UInt8(ascii: "a"), count: position)
            for special in specials {
                let line = record(before + special + Array("bb".utf8))
                let withNext = line + [0x0A] + Array(#"{"type":"next"}"#.utf8) + [0x0A]
                compare(withNext, count: withNext.count, "special \(special) at \(position)")
                // The line alone, cut near its end (the masked tail load).
                compareEveryCut(line + [0x0A], from: max(0, line.count - 70), "special \(special) at \(position)")
            }
        }
    }

    /// Random objects (nested containers, every scalar, the asked keys at every depth, escaped
    /// keys, long keys) with random byte corruptions, each cut at every length.
    func testRandomDocumentsAgreeAtEveryCut() {
        var random = SeededGenerator(seed: 5_12)
        func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        let atoms = [
            #""a""#, #""""#, #""\"\\""#, #""\u00e9\ud83d\ude00x""#, "\"é🎉中\"", "0", "-1.5e+3", "12", "true",
            "false", "null", #""\/\b\f\n\r\t""#, "\"\(String(repeating: "z", count: 70))\"", "-0", "1E9",
        ]
        let keys = [
            #""type""#, #""flow_id""#, #""typ\u0065""#, #""a_key_longer_than_sixteen_bytes""#, #""""#, #""k""#,
            #""types""#, #""é""#,
        ]
        let space = ["", " ", "\t", "\r", "  "]
        func value(_ depth: Int) -> String {
            if depth > 4 || pick(3) == 0 { return atoms[pick(atoms.count)] }
            let count = pick(4)
            if pick(2) == 0 {
                return "[" + (0..<count).map { _ in space[pick(5)] + value(depth + 1) }.joined(separator: ",") + "]"
            }
            return "{"
                + (0..<count).map { _ in keys[pick(keys.count)] + space[pick(5)] + ":" + value(depth + 1) }
                .joined(separator: ",") + "}"
        }
        let junk: [UInt8] = [
            0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x0A, 0x09, 0x01, 0x80, 0xC0, 0xED, 0xFF, 0x75,
        ]
        for round in 0..<1_500 {
            let members = (0..<pick(5)).map { _ in keys[pick(keys.count)] + ":" + value(1) }
            var text = Array(("{" + members.joined(separator: ",") + "}").utf8)
            if round % 3 == 1 {
                text[pick(text.count)] = junk[pick(junk.count)]
            } else if round % 3 == 2 {
                text.insert(junk[pick(junk.count)], at: pick(text.count + 1))
            }
            let padded = [UInt8](repeating: 0x20, count: pick(70)) + text + [UInt8](repeating: 0x20, count: pick(3))
            compareEveryCut(padded + [0x0A] + Array(#"{"n":1}"#.utf8), "round \(round)")
        }
    }

    /// JSONTestSuite's one-line texts, alone, padded, and as the value of a record's `type`.
    func testJSONTestSuiteAgrees() throws {
        let dir = Fixtures.jsonTestSuiteDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThan(names.count, 300)
        for name in names {
            let content = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            guard content.count < 100_000 else { continue }
            for data in [
                content + [0x0A], [UInt8](repeating: 0x20, count: 70) + content + [0x0A],
                Array(#"{"type":"#.utf8) + content + Array(#","flow_id":1}"#.utf8) + [0x0A],
            ] {
                compare(data, count: data.count, name)
            }
        }
    }

    /// The data's last byte is the last readable byte of a page, at every offset of its block:
    /// the masked load reads nothing past the data (a load that did would fault here).
    func testNoReadPastTheDataBeforeAnUnreadablePage() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let map = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            map != MAP_FAILED
        else { throw XCTSkip("mmap failed") }
        defer { munmap(map, 2 * page) }
        XCTAssertEqual(mprotect(map + page, page, PROT_NONE), 0)
        let line = Array(#"{"type":"sse","flow_id":"f-1","data":{"text":"héllo \"you\"","n":[1,2.5,true]}}"#.utf8)
        for tail in 0..<130 {
            for data in [
                line + [UInt8](repeating: 0x20, count: tail) + [0x0A], line + [UInt8](repeating: 0x20, count: tail),
            ]
            where data.count <= page {
                let start = map + page - data.count
                data.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
                let found1 = tap_validate_line(1, start, data.count)
                let found2 = tap_validate_line(2, start, data.count)
                XCTAssertEqual(found2, found1, "tail \(tail)")
                XCTAssertEqual(found2, data.last == 0x0A ? data.count - 1 : -1, "tail \(tail)")
            }
        }
    }
}
