// The literal extractor decides which lines the regex never sees: a literal it reports must be
// in every match (or lines are lost), so each case pins the literal or its absence.
import XCTest

@testable import rg_prefilter

final class LiteralExtractorTests: XCTestCase {
    private func literal(_ pattern: String) -> String? {
        LiteralExtractor.requiredLiteral(of: pattern).map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    func testWholeLiteralIsExact() {
        XCTAssertEqual(
            LiteralExtractor.requiredLiteral(of: #""type":"flow""#),
            RequiredLiteral(bytes: Array(#""type":"flow""#.utf8), isWholePattern: true, isPrefix: true)
        )
        XCTAssertEqual(literal(#"a\.b\"c"#), #"a.b"c"#)
        XCTAssertEqual(LiteralExtractor.requiredLiteral(of: #"a\.b"#)?.isWholePattern, true)
    }

    func testPrefixBeforeAGroupIsRequired() {
        let pattern = #""event":"(content_block_delta|response\.output_text\.delta)""#
        XCTAssertEqual(literal(pattern), #""event":""#)
        XCTAssertEqual(LiteralExtractor.requiredLiteral(of: pattern)?.isWholePattern, false)
    }

    func testPrefixIsKnownSoHitsCanBeCheckedAnchored() {
        let prefix = LiteralExtractor.requiredLiteral(of: #""event":"(content_block_delta|ping)""#)
        XCTAssertEqual(prefix?.isPrefix, true)
        XCTAssertEqual(LiteralExtractor.requiredLiteral(of: "^abcd")?.isPrefix, false)
        XCTAssertEqual(LiteralExtractor.requiredLiteral(of: "a?bcdef")?.isPrefix, false)
        XCTAssertEqual(LiteralExtractor.requiredLiteral(of: "abcdx?yz")?.isPrefix, true)
        // A prefix that stops on every line is not worth it: the rare run in the middle drives.
        let middle = LiteralExtractor.requiredLiteral(of: #""\d+"session_id""#)
        XCTAssertEqual(middle.map { String(decoding: $0.bytes, as: UTF8.self) }, #""session_id""#)
        XCTAssertEqual(middle?.isPrefix, false)
    }

    func testOptionalAtomsAreDropped() {
        XCTAssertEqual(literal("colou?rful"), "colo")  // a prefix wins when about as rare as the best
        XCTAssertEqual(literal("abcdx*y"), "abcd")
        XCTAssertEqual(literal("abc{0,3}zzzz"), "zzzz")
        XCTAssertEqual(literal("abcd+e"), "abcd")
        XCTAssertEqual(literal("xyz{2}q"), "xyz")
    }

    func testClassesEscapesAndAnchorsEndARun() {
        XCTAssertEqual(literal(#"^\{"v":1,"type":"flow_end""#), #"{"v":1,"type":"flow_end""#)
        XCTAssertEqual(literal(#""status":5[0-9]{2}"#), #""status":5"#)
        XCTAssertEqual(literal(#"\bshell\b"#), "shell")
        XCTAssertEqual(literal(#"\d{4}-\d{2}-\d{2}Tabc"#), "Tabc")
        XCTAssertEqual(literal("[]x]yyyy"), "yyyy")
        XCTAssertEqual(literal("[[:alpha:]]zzz"), "zzz")
    }

    func testBraceThatIsNotAQuantifierIsLiteral() {
        XCTAssertEqual(literal(#"{"a"#), #"{"a"#)
        // `{,3}` became a quantifier in PCRE2 10.43; whichever version runs, no literal is claimed.
        XCTAssertNil(literal("x{,3}"))
    }

    func testGivesUpWhereALiteralCouldBeWrong() {
        XCTAssertNil(literal("error|timeout"))
        XCTAssertNil(literal("(?i)abc"))
        XCTAssertNil(literal(#"\Qa.b\E"#))
        XCTAssertNil(literal("(*UTF)abc"))
        XCTAssertNil(literal(#"\x41bc"#))
        XCTAssertNil(literal(""))
        XCTAssertNil(literal("a*"))
    }

    func testNonASCIICharactersStayWhole() {
        XCTAssertEqual(literal("会话é?"), "会话")
        XCTAssertEqual(literal("流式输出"), "流式输出")
    }

    func testEscapeMakesALiteralPattern() throws {
        let text = #"a.b*c\d (x) [y] {z} "q" | $^ 会话"#
        let regex = try PCRE2Regex(LiteralExtractor.escape(text))
        let subject = Array(("zz" + text + "zz").utf8)
        let range = try subject.withUnsafeBytes { try regex.firstMatch(in: $0) }
        XCTAssertEqual(range, 2..<(2 + text.utf8.count))
    }

    func testSelectivity() {
        XCTAssertFalse(LiteralExtractor.isSelective(Array(#"""#.utf8)))
        XCTAssertTrue(LiteralExtractor.isSelective(Array(#""a""#.utf8)))
        XCTAssertTrue(LiteralExtractor.isSelective([0x00]))
    }
}
