// The search state machine, driven bare: selection (-v, -m, -c, -l, prefix) and split invariance
// (whole input, one byte at a time and seeded random cuts all give the same output).
import XCTest

@testable import rg_prefilter

final class LineSearcherTests: XCTestCase {
    private let input = """
        {"v":1,"type":"flow","flow_id":"f1"}
        {"v":1,"type":"sse","flow_id":"f1","data":{"type":"content_block_delta"}}
        {"v":1, "type": "flow", "flow_id":"f2"}\r
        not json at all: type flow

        {"v":1,"type":"flow_end","flow_id":"f1","status":"complete"}
        {"v":1,"type":"flow","flow_id":"f3","bytes":"\u{00}\u{FF}\u{FE}"}
        last line without newline "type":"flow"
        """

    private func makeMatcher(
        _ patterns: [String] = [],
        fields: [String] = [],
        fixed: Bool = false,
        caseless: Bool = false
    )
        throws -> LineMatcher
    {
        try Query(
            patterns: patterns,
            fields: fields.compactMap(FieldPattern.init),
            fixedStrings: fixed,
            ignoreCase: caseless
        )
        .matcher()
    }

    /// Runs a searcher over `bytes` cut at `cuts` (sorted offsets).
    private func run(_ make: () -> LineSearcher, _ bytes: [UInt8], cuts: [Int]) throws -> (String, Int) {
        var searcher = make()
        var out: [UInt8] = []
        var start = 0
        for cut in cuts + [bytes.count] where cut >= start {
            try bytes[start..<cut].withUnsafeBytes { try searcher.feed($0, into: &out) }
            start = cut
        }
        try searcher.finish(into: &out)
        return (String(decoding: out, as: UTF8.self), searcher.selected)
    }

    /// Whole, one byte at a time, and 50 seeded random cuttings: all equal; returns the whole-input result.
    private func assertSplitInvariant(
        _ make: () -> LineSearcher,
        _ text: String,
        file: StaticString = #filePath,
        line: UInt = #line
    )
        throws -> (String, Int)
    {
        let bytes = Array(text.utf8)
        let whole = try run(make, bytes, cuts: [])
        let single = try run(make, bytes, cuts: Array(0..<bytes.count))
        XCTAssertEqual(single.0, whole.0, "one byte at a time", file: file, line: line)
        XCTAssertEqual(single.1, whole.1, file: file, line: line)
        var generator = SplitMix64(seed: 42)
        for round in 0..<50 {
            let cuts = (0..<Int(generator.next() % 8)).map { _ in Int(generator.next() % UInt64(bytes.count + 1)) }
                .sorted()
            let result = try run(make, bytes, cuts: cuts)
            XCTAssertEqual(result.0, whole.0, "seed 42 round \(round), cuts \(cuts)", file: file, line: line)
            XCTAssertEqual(result.1, whole.1, file: file, line: line)
        }
        return whole
    }

    func testLiteralSelectsLinesUnchanged() throws {
        let matcher = try makeMatcher([#""type":"flow""#])
        let (out, count) = try assertSplitInvariant({ LineSearcher(matcher: matcher) }, input)
        XCTAssertEqual(
            out,
            """
            {"v":1,"type":"flow","flow_id":"f1"}
            {"v":1,"type":"flow","flow_id":"f3","bytes":"\u{00}\u{FF}\u{FE}"}
            last line without newline "type":"flow"

            """
        )
        XCTAssertEqual(count, 3)
    }

    func testFieldToleratesWhitespaceAndKeepsCRLF() throws {
        let matcher = try makeMatcher(fields: ["type=flow"])
        let (out, _) = try assertSplitInvariant({ LineSearcher(matcher: matcher) }, input)
        XCTAssertEqual(
            out,
            """
            {"v":1,"type":"flow","flow_id":"f1"}
            {"v":1, "type": "flow", "flow_id":"f2"}\r
            {"v":1,"type":"flow","flow_id":"f3","bytes":"\u{00}\u{FF}\u{FE}"}
            last line without newline "type":"flow"

            """
        )
    }

    func testInvertSelectsTheOtherLinesIncludingTheEmptyOne() throws {
        let matcher = try makeMatcher(["flow_id"])
        let (out, count) = try assertSplitInvariant({ LineSearcher(matcher: matcher, invert: true) }, input)
        XCTAssertEqual(out, "not json at all: type flow\n\nlast line without newline \"type\":\"flow\"\n")
        XCTAssertEqual(count, 3)
    }

    func testMaxCountStopsAndPrefixIsWritten() throws {
        let matcher = try makeMatcher(["flow"])
        let (out, count) = try assertSplitInvariant(
            { LineSearcher(matcher: matcher, maxCount: 2, prefix: Array("f.jsonl:".utf8)) },
            input
        )
        XCTAssertEqual(
            out,
            """
            f.jsonl:{"v":1,"type":"flow","flow_id":"f1"}
            f.jsonl:{"v":1,"type":"sse","flow_id":"f1","data":{"type":"content_block_delta"}}

            """
        )
        XCTAssertEqual(count, 2)
        let inverted = try assertSplitInvariant({ LineSearcher(matcher: matcher, invert: true, maxCount: 1) }, input)
        XCTAssertEqual(inverted.0, "\n")
    }

    func testCountAndFirstOnlyWriteNothing() throws {
        let matcher = try makeMatcher(["flow"])
        let counted = try assertSplitInvariant({ LineSearcher(matcher: matcher, mode: .count) }, input)
        XCTAssertEqual(counted.0, "")
        XCTAssertEqual(counted.1, 7)
        let first = try assertSplitInvariant({ LineSearcher(matcher: matcher, mode: .firstOnly) }, input)
        XCTAssertEqual(first.1, 1)
    }

    func testRegexWithoutLiteralAnchorsAndEmptyMatches() throws {
        let anchored = try makeMatcher([#"^\{"v":1,"type":"flow(_end)?""#])
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: anchored) }, input).1, 3)
        let dollar = try makeMatcher([#"\}$"#])
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: dollar) }, input).1, 4)  // not the \r line
        let empty = try makeMatcher([""])
        let all = try assertSplitInvariant({ LineSearcher(matcher: empty) }, input)
        XCTAssertEqual(all.1, 8)
        XCTAssertEqual(all.0, input + "\n")
    }

    func testAMatchAcrossLinesIsNotALineMatch() throws {
        // `\s*` could run over the newline in a block search; each line must match on its own.
        let matcher = try makeMatcher([#"f3\S*\s*last"#])
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: matcher) }, input).1, 0)
        // Lookahead is zero-width: the match does not hold the newline, the lookahead still saw it.
        let lookahead = try makeMatcher([#"w(?=\n\n)"#])
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: lookahead) }, input).1, 0)
        let other = try makeMatcher([#"complete"\}\s*$"#])
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: other) }, input).1, 1)
    }

    func testAnchoredTryAtEveryHitOfThePrefixInALine() throws {
        // The first `"event":"` of the line is not followed by a wanted name, the second one is.
        let text = """
            {"event":"ping","data":{"event":"content_block_delta"}}
            {"event":"ping"}
            {"x":1,"event":"message_stop"}
            """
        let matcher = try makeMatcher([#""event":"(content_block_delta|message_stop)""#])
        let (out, count) = try assertSplitInvariant({ LineSearcher(matcher: matcher) }, text)
        XCTAssertEqual(count, 2)
        XCTAssertEqual(
            out,
            "{\"event\":\"ping\",\"data\":{\"event\":\"content_block_delta\"}}\n{\"x\":1,\"event\":\"message_stop\"}\n"
        )
    }

    func testEveryPatternAndEveryFieldCombine() throws {
        let anyOf = try makeMatcher(["flow_end", "not json"])
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: anyOf) }, input).1, 2)
        let allOf = try makeMatcher(["f1"], fields: ["type=flow"])
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: allOf) }, input).1, 1)
        let fixed = try makeMatcher(["\"type\": \"flow\""], fixed: true)
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: fixed) }, input).1, 1)
        let caseless = try makeMatcher(["NOT JSON"], caseless: true)
        XCTAssertEqual(try assertSplitInvariant({ LineSearcher(matcher: caseless) }, input).1, 1)
    }

    func testBadPatternReportsMessageAndOffset() {
        XCTAssertThrowsError(try makeMatcher(["ab(c"])) { error in
            XCTAssertEqual((error as? PatternError)?.offset, 4)
            XCTAssertEqual((error as? PatternError)?.message, "missing closing parenthesis")
        }
        XCTAssertThrowsError(try makeMatcher(["ok", "x[z"])) { error in
            XCTAssertEqual((error as? PatternError)?.pattern, "x[z")
        }
    }
}
