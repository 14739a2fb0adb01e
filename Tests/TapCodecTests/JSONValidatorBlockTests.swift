// The validator's SIMD block path (64-byte bit masks of quotes, backslashes, control and
// non-ASCII bytes) and its line mode, at their edges: every special byte at every position of
// a block, escapes and UTF-8 sequences straddling blocks, every class of invalid UTF-8, and
// random strings — each verdict checked against the expected one where it is known by
// construction, and always against ReferenceValidator (the scalar validator of session 1).

import CTapSIMD
import Foundation
import TapTestSupport
import XCTest

@testable import TapCodec

final class JSONValidatorBlockTests: XCTestCase {
    /// Checks `text` with the validator in every mode against the reference (and `expected`
    /// when given): as any JSON text, as an object, and in line mode followed by a newline.
    private func check(
        _ text: [UInt8],
        _ expected: Bool? = nil,
        _ label: @autoclosure () -> String = "",
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let reference = ReferenceValidator.isValid(text)
        let valid = JSONScanner.isValid(text)
        XCTAssertEqual(
            valid,
            reference,
            "isValid differs from the reference: \(label()) \(describe(text))",
            file: file,
            line: line
        )
        if let expected {
            XCTAssertEqual(valid, expected, "isValid: \(label()) \(describe(text))", file: file, line: line)
        }
        let referenceObject = ReferenceValidator.isValid(text, requireObject: true)
        let object = text.withUnsafeBytes { JSONScanner.isValidObject($0) }
        XCTAssertEqual(
            object,
            referenceObject,
            "isValidObject differs: \(label()) \(describe(text))",
            file: file,
            line: line
        )
        // Line mode sees the line up to the first newline, then the next line's bytes.
        let lineEnd = text.firstIndex(of: 0x0A) ?? text.count
        let lineValid = ReferenceValidator.isValid(Array(text[..<lineEnd]), requireObject: true)
        let withNext = text + [0x0A] + Array(#"{"next":"line"}"#.utf8) + [0x0A]
        let found: Int? = withNext.withUnsafeBytes { raw in
            var validator = Validator(raw, lineMode: true)
            return validator.runLine()
        }
        XCTAssertEqual(
            found,
            lineValid ? lineEnd : nil,
            "line mode: \(label()) \(describe(text))",
            file: file,
            line: line
        )
        checkSIMDLine(withNext, expected: lineValid ? lineEnd : nil, label(), file: file, line: line)
    }

    /// The AVX2 line validator (CTapSIMD) on the same line, when this CPU has it: a line it
    /// finds must be exactly the valid one; it may decline (-1) only an invalid line or one
    /// nested deeper than 64, which the Swift validator then judges.
    private func checkSIMDLine(
        _ withNext: [UInt8],
        expected: Int?,
        _ label: @autoclosure () -> String,
        file: StaticString,
        line: UInt
    ) {
        guard tap_simd_level() > 0 else { return }
        let found = withNext.withUnsafeBytes { raw in tap_validate_line(1, raw.baseAddress, raw.count) }
        if found >= 0 {
            XCTAssertEqual(
                found,
                expected,
                "SIMD line validator: \(label()) \(describe(withNext))",
                file: file,
                line: line
            )
        } else if let expected {
            let opens = withNext[..<expected].filter { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }.count
            XCTAssertGreaterThan(
                opens,
                64,
                "SIMD line validator rejected a valid line: \(label()) \(describe(withNext))",
                file: file,
                line: line
            )
        }
    }

    private func describe(_ bytes: [UInt8]) -> String {
        let shown =
            bytes.count > 160 ? Array(bytes[..<80]) + Array("…".utf8) + Array(bytes[(bytes.count - 80)...]) : bytes
        return String(decoding: shown, as: UTF8.self).debugDescription + " (\(bytes.count) bytes)"
    }

    /// `{"k":"<content>"}` followed by `pad` spaces (with 64 or more, every string byte is
    /// checked by the block path; with fewer, the line's last bytes by the scalar tail).
    private func record(_ content: [UInt8], pad: Int = 0) -> [UInt8] {
        Array(#"{"k":""#.utf8) + content + Array(#""}"#.utf8) + [UInt8](repeating: 0x20, count: pad)
    }

    private let paddings = [0, 5, 64, 100]

    // MARK: JSONTestSuite through the block path

    /// JSONTestSuite's texts are short, so unpadded they never reach the block path: padded with
    /// trailing whitespace (which does not change a verdict) every string in them does.
    func testJSONTestSuitePaddedThroughTheBlockPath() throws {
        let dir = Fixtures.jsonTestSuiteDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThan(names.count, 300)
        for name in names {
            let text = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            guard text.count < 100_000 else { continue }  // the 100,000 open arrays: no string in them
            let expected: Bool? = name.hasPrefix("y_") ? true : name.hasPrefix("n_") ? false : nil
            for pad in [64, 130] {
                check(text + [UInt8](repeating: 0x20, count: pad), expected, name)
                check([UInt8](repeating: 0x20, count: 37) + text + [UInt8](repeating: 0x0A, count: pad), expected, name)
            }
            // As a member's value of a record line (the verdict there is the reference's).
            check(Array(#"{"k":"#.utf8) + text + Array("}".utf8) + [UInt8](repeating: 0x20, count: 64), nil, name)
        }
    }

    // MARK: escapes

    /// `escapedBytes` against the definition, one byte at a time: a byte is escaped when it
    /// follows a backslash that is not itself escaped.
    func testEscapedBytesMatchesTheBitByBitDefinition() {
        func reference(_ backslashes: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
            var escaped: UInt64 = 0
            var nextEscaped = carry != 0
            for bit in 0..<64 {
                if nextEscaped {
                    escaped |= 1 << UInt64(bit)
                    nextEscaped = false
                } else if backslashes >> UInt64(bit) & 1 != 0 {
                    nextEscaped = true
                }
            }
            return (escaped, nextEscaped ? 1 : 0)
        }
        var random = SeededGenerator(seed: 8259)
        var cases: [UInt64] = [0, ~0, 0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA, 1, 1 << 63, 3 << 62]
        for pattern in 0..<(1 << 12) {
            cases.append(UInt64(pattern))  // every run shape in the low bits
            cases.append(UInt64(pattern) << 52)  // and at the block's end (the carry out)
        }
        for _ in 0..<30_000 {
            let density = random.next() % 4
            var mask = random.next()
            for _ in 0..<density { mask &= random.next() }
            if density == 3 { mask = ~mask }
            cases.append(mask)
        }
        for mask in cases {
            for carry: UInt64 in [0, 1] {
                let fast = escapedBytes(backslashes: mask, carry: carry)
                let slow = reference(mask, carry)
                XCTAssertEqual(fast.escaped, slow.0, "escaped of \(String(mask, radix: 2)) carry \(carry)")
                XCTAssertEqual(fast.carry, slow.1, "carry of \(String(mask, radix: 2)) carry \(carry)")
            }
        }
    }

    /// A special byte or sequence at every position 0..<140 of a string (two blocks and the
    /// scalar tail), followed by plain bytes or not, with and without padding after the line.
    func testSpecialBytesAtEveryPositionOfABlock() {
        let specials: [(bytes: [UInt8], valid: Bool)] = [
            (Array(#"\""#.utf8), true), (Array(#"\\"#.utf8), true), (Array(#"\/"#.utf8), true),
            (Array(#"\b"#.utf8), true), (Array(#"\f"#.utf8), true), (Array(#"\n"#.utf8), true),
            (Array(#"\r"#.utf8), true), (Array(#"\t"#.utf8), true), (Array(#"\u0041"#.utf8), true),
            (Array(#"\u00e9\u20AC"#.utf8), true), (Array(#"\x"#.utf8), false), (Array(#"\'"#.utf8), false),
            (Array(#"\U0041"#.utf8), false), (Array(#"\u00G1"#.utf8), false), (Array(#"\u12g"#.utf8), false),
            ([0x5C, 0xC3, 0xA9], false),  // a backslash before a non-ASCII character
            ([0x5C, 0x01], false),  // a backslash before a control character
            ([0x00], false), ([0x01], false), ([0x09], false), ([0x0A], false), ([0x0D], false), ([0x1F], false),
            ([0x7F], true), ([0x22, 0x22], false),  // DEL is allowed; a bare quote ends the string early
        ]
        for position in 0..<140 {
            let before = [UInt8](repeating: UInt8(ascii: "a"), count: position)
            for special in specials {
                for after in [0, 3, 70] {
                    let content = before + special.bytes + [UInt8](repeating: UInt8(ascii: "b"), count: after)
                    for pad in paddings {
                        check(record(content, pad: pad), special.valid, "special \(special.bytes) at \(position)")
                    }
                }
            }
        }
    }

    /// Runs of 1...6 backslashes ending at every position around the first two block ends,
    /// before a quote or a letter: an odd run escapes it, an even run leaves a quote closing.
    func testBackslashRunsAcrossBlockBoundaries() {
        for runEnd in Array(50..<80) + Array(118..<140) {
            for count in 1...6 where runEnd - count >= 0 {
                for next in [UInt8(ascii: "\""), UInt8(ascii: "n"), UInt8(ascii: "u")] {
                    var content = [UInt8](repeating: UInt8(ascii: "a"), count: runEnd - count)
                    content += [UInt8](repeating: UInt8(ascii: "\\"), count: count) + [next]
                    if next == UInt8(ascii: "u") { content += Array("00e9".utf8) }
                    content += [UInt8](repeating: UInt8(ascii: "b"), count: 20)
                    // Even: the run is pairs and `next` is plain (a quote then closes early).
                    let valid = count % 2 == 1 || next != UInt8(ascii: "\"")
                    for pad in paddings {
                        check(
                            record(content, pad: pad),
                            valid,
                            "\(count) backslashes ending at \(runEnd) before \(next)"
                        )
                    }
                }
            }
        }
    }

    /// `\u` escapes at every position: surrogate pairs whose halves straddle a block end, and
    /// every way a pair can be broken.
    func testUnicodeEscapesAtEveryPosition() {
        let escapes: [(String, Bool)] = [
            (#"\ud83d\ude00"#, true), (#"\uD83D\uDE00"#, true), (#"\udbff\udfff"#, true), (#"\ud800\udc00"#, true),
            (#"\u00e9"#, true), (#"\uffff"#, true), (#"\ud83d"#, false), (#"\ude00"#, false),
            (#"\ud83dx"#, false), (#"\ud83d\u0041"#, false), (#"\ud83d\ud83d"#, false), (#"\ude00\ud83d"#, false),
            (#"\ud83d\\ude00"#, false), (#"\ud83d\ude0"#, false), (#"\ud83d\ude00\ude00"#, false),
        ]
        for position in 0..<140 {
            let before = [UInt8](repeating: UInt8(ascii: "a"), count: position)
            for (escape, valid) in escapes {
                for after in [0, 40, 70] {
                    // Not a hex digit after the escape: it must not complete a short one.
                    let content = before + Array(escape.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: after)
                    for pad in paddings {
                        check(record(content, pad: pad), valid, "\(escape) at \(position)")
                    }
                }
            }
        }
    }

    // MARK: UTF-8

    /// Well-formed sequences of every length and at every boundary of Unicode Table 3-7, and
    /// ill-formed ones of every class, at every position: straddling block ends, in runs, and cut
    /// short by the closing quote.
    func testUTF8AtEveryPosition() {
        let sequences: [([UInt8], Bool)] = [
            ([0xC2, 0x80], true), ([0xC3, 0xA9], true), ([0xDF, 0xBF], true),
            ([0xE0, 0xA0, 0x80], true), ([0xE2, 0x82, 0xAC], true), ([0xED, 0x9F, 0xBF], true),
            ([0xEE, 0x80, 0x80], true), ([0xEF, 0xBF, 0xBF], true), ([0xE6, 0xB5, 0x8B, 0xE8, 0xAF, 0x95], true),
            ([0xF0, 0x90, 0x80, 0x80], true), ([0xF0, 0x9F, 0x98, 0x80], true), ([0xF4, 0x8F, 0xBF, 0xBF], true),
            // Overlong forms.
            ([0xC0, 0x80], false), ([0xC1, 0xBF], false), ([0xE0, 0x80, 0x80], false), ([0xE0, 0x9F, 0xBF], false),
            ([0xF0, 0x80, 0x80, 0x80], false), ([0xF0, 0x8F, 0xBF, 0xBF], false),
            // Surrogates D800-DFFF encoded.
            ([0xED, 0xA0, 0x80], false), ([0xED, 0xAF, 0xBF], false), ([0xED, 0xB0, 0x80], false),
            ([0xED, 0xBF, 0xBF], false),
            // Past U+10FFFF, and bytes that never occur.
            ([0xF4, 0x90, 0x80, 0x80], false), ([0xF5, 0x80, 0x80, 0x80], false), ([0xF7, 0xBF, 0xBF, 0xBF], false),
            ([0xF8, 0x88, 0x80, 0x80, 0x80], false), ([0xFE], false), ([0xFF], false),
            // Stray continuation bytes.
            ([0x80], false), ([0xBF], false), ([0xC3, 0xA9, 0xA9], false), ([0xE2, 0x82, 0xAC, 0x80], false),
            // Truncated sequences (followed by ASCII, or by another lead byte).
            ([0xC3], false), ([0xE2, 0x82], false), ([0xF0, 0x9F, 0x98], false), ([0xF0, 0x9F], false),
            ([0xE2, 0xC3, 0xA9], false), ([0xF0, 0x9F, 0x98, 0xE2, 0x82, 0xAC], false),
        ]
        for position in 0..<140 {
            let before = [UInt8](repeating: UInt8(ascii: "a"), count: position)
            for (sequence, valid) in sequences {
                for after in [0, 2, 70] {
                    let content = before + sequence + [UInt8](repeating: UInt8(ascii: "b"), count: after)
                    for pad in [0, 64] {
                        check(record(content, pad: pad), valid, "UTF-8 \(sequence) at \(position)")
                    }
                }
            }
        }
        // Long runs of multi-byte text across many blocks, then one bad byte somewhere in them.
        let text = Array("测试用例 🎉 流式输出 標準入力 ∑ é".utf8)
        var long: [UInt8] = []
        for _ in 0..<12 { long += text }
        check(record(long, pad: 64), true)
        for index in stride(from: 0, to: long.count, by: 7) {
            var broken = long
            broken[index] = 0xFF
            check(record(broken, pad: 64), false, "0xFF at \(index)")
            // A continuation byte where a character starts (replacing a continuation byte by
            // another may well leave valid UTF-8).
            guard long[index] < 0x80 || long[index] >= 0xC0 else { continue }
            broken[index] = 0x80
            check(record(broken, pad: 64), false, "0x80 at \(index)")
        }
    }

    // MARK: random

    /// Random strings over an alphabet rich in special bytes, and random byte changes of a
    /// realistic record: the verdicts must be the reference's.
    func testRandomStringsAgreeWithTheReference() {
        let alphabet: [[UInt8]] = [
            [0x61], [0x61], [0x61], [0x20], [0x5C], [0x5C], [0x22], [0x75], [0x64], [0x38], [0x44], [0x65], [0x30],
            [0x6E], [0x2F], [0x01], [0x0A], [0x7F], [0x80], [0xBF], [0xC3], [0xA9], [0xE2], [0x82], [0xAC], [0xED],
            [0xA0], [0xF0], [0x9F], [0x98], [0xF4], [0x90], Array(#"\ud83d"#.utf8), Array(#"\ude00"#.utf8),
            Array("é".utf8), Array("🎉".utf8), Array("测".utf8),
        ]
        var random = SeededGenerator(seed: 20_261_126)
        for _ in 0..<6_000 {
            let length = Int(random.next() % 200)
            var content: [UInt8] = []
            for _ in 0..<length {
                // Mostly plain text with a special piece now and then, or specials throughout.
                let piece = random.next() % 3 == 0 ? alphabet[Int(random.next() % UInt64(alphabet.count))] : [0x61]
                content += piece
            }
            check(record(content, pad: Int(random.next() % 80)))
        }
        let base = Array(
            #"{"v":1,"type":"sse","flow_id":"4bb54b16-0001","data":{"text":"Hi \"you\" \ud83d\ude00\n 测试用例 🎉 \\path\\to","list":[1,-2.5e3,true,false,null,{"a":[]}],"s":"plain text that is long enough to fill more than one block of sixty-four bytes, twice over at least"}}"#
                .utf8
        )
        check(base + [UInt8](repeating: 0x20, count: 64), true)
        let replacements: [UInt8] = [
            0x22, 0x5C, 0x00, 0x0A, 0x80, 0xC3, 0xED, 0xF4, 0xFF, 0x7D, 0x5D, 0x2C, 0x3A, 0x75, 0x20,
        ]
        for _ in 0..<4_000 {
            var mutated = base
            for _ in 0...(random.next() % 3) {
                mutated[Int(random.next() % UInt64(mutated.count))] =
                    replacements[Int(random.next() % UInt64(replacements.count))]
            }
            check(mutated + [UInt8](repeating: 0x20, count: Int(random.next() % 70)))
        }
    }

    // MARK: skipping

    /// `JSONScanner.skipString` (32 bytes at a time, a backslash skips the next byte) ends a
    /// string where counting the backslashes before each quote does (its session-1 form), on
    /// strings with quotes and backslash runs at every position, valid or not.
    func testSkipStringAgreesWithBackslashCounting() {
        func reference(_ bytes: [UInt8], _ start: Int) -> Int? {
            var i = start + 1
            while i < bytes.count {
                guard let q = bytes[i...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                var backslashes = 0
                var j = q - 1
                while j > start, bytes[j] == UInt8(ascii: "\\") {
                    backslashes += 1
                    j -= 1
                }
                if backslashes & 1 == 0 { return q + 1 }
                i = q + 1
            }
            return nil
        }
        var random = SeededGenerator(seed: 3_2_64)
        let pieces: [UInt8] = [0x61, 0x61, 0x61, 0x5C, 0x22, 0x6E, 0xC3, 0xA9]
        for _ in 0..<20_000 {
            var text: [UInt8] = [0x22]
            for _ in 0..<Int(random.next() % 120) { text.append(pieces[Int(random.next() % UInt64(pieces.count))]) }
            let got = text.withUnsafeBytes { JSONScanner($0).skipString(0) }
            XCTAssertEqual(got, reference(text, 0), describe(text))
        }
        for position in 0..<100 {
            for run in 0...4 {
                let text =
                    [0x22] + [UInt8](repeating: 0x61, count: position) + [UInt8](repeating: 0x5C, count: run)
                    + Array(#""tail"more"#.utf8) + [UInt8](repeating: 0x20, count: 40)
                let got = text.withUnsafeBytes { JSONScanner($0).skipString(0) }
                XCTAssertEqual(got, reference(text, 0), describe(text))
            }
        }
    }

    // MARK: the AVX2 line validator on random JSON

    /// Random JSON objects (nested containers, numbers, literals, strings with escapes, `\u`
    /// pairs and UTF-8) with random single-byte corruptions, each padded to reach block edges:
    /// the AVX2 line validator (through `check`) agrees with the reference on every one.
    func testRandomDocumentsThroughTheSIMDLineValidator() {
        var random = SeededGenerator(seed: 7)
        func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        let atoms = [
            #""a""#, #""""#, #""\"\\""#, #""\u00e9\ud83d\ude00x""#, "\"é🎉中\"", "0", "-1.5e+3", "12", "true",
            "false", "null", #""\/\b\f\n\r\t""#, "\"\(String(repeating: "z", count: 70))\"",
        ]
        func value(_ depth: Int) -> String {
            if depth > 4 || pick(3) == 0 { return atoms[pick(atoms.count)] }
            let count = pick(4)
            if pick(2) == 0 {
                return "[" + (0..<count).map { _ in value(depth + 1) }.joined(separator: pick(8) == 0 ? " , " : ",")
                    + "]"
            }
            return "{" + (0..<count).map { k in "\"k\(k)\" :" + value(depth + 1) }.joined(separator: ",") + "}"
        }
        let junk: [UInt8] = [
            0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x0A, 0x09, 0x01, 0x80, 0xC0, 0xED, 0xFF, 0x75,
        ]
        for round in 0..<3_000 {
            var text = Array(("{\"r\":" + value(0) + "}").utf8)
            if round % 3 == 1 {
                text[pick(text.count)] = junk[pick(junk.count)]
            } else if round % 3 == 2 {
                text.insert(junk[pick(junk.count)], at: pick(text.count + 1))
            }
            let padded = [UInt8](repeating: 0x20, count: pick(70)) + text + [UInt8](repeating: 0x20, count: pick(3))
            check(padded, nil, "round \(round)")
        }
    }

    // MARK: line reader

    /// `forEachRecordLine` splits exactly like `forEachLine` and reports exactly
    /// `isValidObject` for each line: valid and invalid lines, blank lines, `\r`, newlines that
    /// would be whitespace inside one JSON text, lines across the 1 MiB read blocks, lines
    /// longer than a block, and a last line without a newline.
    func testRecordLinesSplitAndValidateLikeSplitThenValidate() throws {
        var pieces: [String] = [
            #"{"a":1}"#, "", "   ", #"{"a":1}  "#, #"{"a":1}"# + "\r", "\r", #"  {"b":[1,2,{"c":"d"}]}"#,
            "{\"a\":", "1}", #"{"a":"unterminated"#, #"[1,2]"#, #""string""#, "42", #"{"a":1}x"#, #"{"a":1} {"b":2}"#,
            #"{"a":"\ud83d"}"#, #"{"a":"\ud83d\ude00"}"#, "{\"a\":\"\u{7F}\"}", #"{"a":tru}"#, #"{"a":01}"#,
        ]
        var random = SeededGenerator(seed: 42)
        for i in 0..<40_000 {
            let fill = String(repeating: "x", count: Int(random.next() % 200))
            pieces.append(i % 97 == 0 ? #"{"i":\#(i),"bad":"\#(fill)"# : #"{"i":\#(i),"pad":"\#(fill)","u":"é🎉\"q\""}"#)
        }
        let long = String(repeating: "y", count: 3 << 20)
        pieces += [#"{"long":"\#(long)"}"#, #"{"long":"\#(long)""#, #"{"after":"long"}"#]
        var content = Array(pieces.joined(separator: "\n").utf8)
        for last in ["\n", #"{"last":"no newline"}"#, #"{"last":"no newline""#] {
            let text = content + Array(last.utf8)
            let dir = try TempDir.make()
            let path = dir + "/lines.jsonl"
            FileManager.default.createFile(atPath: path, contents: Data(text))
            var expected: [([UInt8], Bool)] = []
            try LineReader(path: path).forEachLine { line in
                expected.append((Array(line), ReferenceValidator.isValid(Array(line), requireObject: true)))
            }
            // Both line validators: the Swift one (level 0) and the AVX2 one where the CPU has it.
            for level in Set([Int32(0), Int32(tap_simd_level())]) {
                var got: [([UInt8], Bool)] = []
                let reader = try LineReader(path: path)
                reader.simdLevel = level
                try reader.forEachRecordLine { line, valid in got.append((Array(line), valid)) }
                XCTAssertEqual(got.count, expected.count, "level \(level), lines ending with \(last.prefix(20))")
                for (index, (g, e)) in zip(got, expected).enumerated() where g.0 != e.0 || g.1 != e.1 {
                    XCTFail(
                        "level \(level) line \(index + 1): \(describe(g.0)) valid \(g.1), expected \(describe(e.0)) valid \(e.1)"
                    )
                    break
                }
            }
            XCTAssertGreaterThan(expected.filter(\.1).count, 39_000)
        }
        content.removeAll()
    }

    // MARK: truncation while reading

    /// A file truncated by another process while it is being read ends early; it does not kill
    /// the reader (a mapped file would raise SIGBUS on its next page).
    func testFileTruncatedWhileReadingEndsEarly() throws {
        let dir = try TempDir.make()
        let path = dir + "/shrinking.jsonl"
        var text: [UInt8] = []
        var originals: [[UInt8]] = []
        for i in 0..<200_000 {
            let line = Array(#"{"i":\#(i),"pad":"\#(String(repeating: "z", count: i % 50))"}"#.utf8)
            originals.append(line)
            text += line + [0x0A]
        }
        FileManager.default.createFile(atPath: path, contents: Data(text))
        var got: [[UInt8]] = []
        try LineReader(path: path).forEachRecordLine { line, _ in
            if got.isEmpty { XCTAssertEqual(truncate(path, 0), 0) }
            got.append(Array(line))
        }
        XCTAssertGreaterThan(got.count, 0)
        XCTAssertLessThan(got.count, originals.count)
        // Every complete line is the file's line; the last may be cut where the last read ended.
        for (index, line) in got.dropLast().enumerated() where line != originals[index] {
            XCTFail("line \(index + 1) differs after the truncation")
            break
        }
    }

    /// The same with a real tool, the truncation from another thread while it runs: whatever it
    /// read, it exits by itself (no SIGBUS), several times over.
    func testToolSurvivesTruncationWhileReading() async throws {
        let dir = try TempDir.make()
        var text: [UInt8] = []
        for i in 0..<150_000 {
            text += Array(
                #"{"v":1,"type":"sse","flow_id":"f\#(i % 7)","seq":\#(i),"data":{"type":"ping","pad":"\#(String(repeating: "p", count: i % 90))"}}"#
                    .utf8
            )
            text.append(0x0A)
        }
        for attempt in 0..<4 {
            let path = dir + "/capture-\(attempt).jsonl"
            FileManager.default.createFile(atPath: path, contents: Data(text))
            let truncation = Task.detached {
                try await Task.sleep(nanoseconds: UInt64(5 + attempt * 15) * 1_000_000)
                return truncate(path, 0)
            }
            let result = try await Binary.run("sse-normalize", [path])
            let truncated = try await truncation.value
            XCTAssertEqual(truncated, 0)
            XCTAssertLessThan(
                result.status,
                128,
                "sse-normalize died of a signal: \(result.status - 128) (\(result.stderr))"
            )
            XCTAssertEqual(result.status, 0, result.stderr)
        }
    }
}
