// --field KEY=VALUE: the JSON spelling it matches (any whitespace, escapes, bare values).
import XCTest

@testable import rg_prefilter

final class FieldPatternTests: XCTestCase {
    private func matches(_ field: String, _ line: String) throws -> Bool {
        let pattern = try XCTUnwrap(FieldPattern(field))
        let clause = try Clause(pattern: pattern.pattern, caseless: false, literal: pattern.literal)
        return try Array(line.utf8).withUnsafeBytes {
            try LineMatcher(clauses: [clause]).nextMatchingLine(in: $0, from: 0) != nil
        }
    }

    func testStringValueWithAnyWhitespace() throws {
        XCTAssertTrue(try matches("type=flow", #"{"v":1,"type":"flow"}"#))
        XCTAssertTrue(try matches("type=flow", "{\"v\": 1, \"type\" :\t \"flow\"}"))
        XCTAssertFalse(try matches("type=flow", #"{"type":"flow_end"}"#))
        XCTAssertFalse(try matches("type=flow", #"{"subtype":"flow"}"#))
    }

    func testValueIsEscapedForJSONAndRegex() throws {
        XCTAssertTrue(try matches(#"path=C:\tmp "x".y"#, #"{"path":"C:\\tmp \"x\".y"}"#))
        XCTAssertFalse(try matches(#"path=C:\tmp "x".y"#, #"{"path":"C:\\tmp \"x\"zy"}"#))
        XCTAssertTrue(try matches("text=a\nb", #"{"text":"a\nb"}"#))
        XCTAssertTrue(try matches("k=会话", #"{"k":"会话"}"#))
    }

    func testBareValuesMatchUnquotedAndWhole() throws {
        XCTAssertTrue(try matches("status=200", #"{"status":200,"x":1}"#))
        XCTAssertTrue(try matches("status=200", #"{"status": 200 }"#))
        XCTAssertFalse(try matches("status=200", #"{"status":2000}"#))
        XCTAssertFalse(try matches("status=200", #"{"status":"200"}"#))
        XCTAssertTrue(try matches("ok=true", #"[{"ok":true}]"#))
        XCTAssertTrue(try matches("x=null", #"{"x":null}"#))
        XCTAssertTrue(try matches("n=-1.5e3", #"{"n":-1.5e3}"#))
    }

    func testQuotedValueAsksForTheString() throws {
        XCTAssertTrue(try matches(#"status="200""#, #"{"status":"200"}"#))
        XCTAssertFalse(try matches(#"status="200""#, #"{"status":200}"#))
    }

    func testParsing() {
        XCTAssertNil(FieldPattern("novalue"))
        XCTAssertNil(FieldPattern("=x"))
        XCTAssertEqual(FieldPattern("a=b=c")?.value, "b=c")
        XCTAssertEqual(FieldPattern("a=")?.value, "")
        XCTAssertTrue(FieldPattern.isBareJSONValue("0"))
        XCTAssertFalse(FieldPattern.isBareJSONValue("01"))
        XCTAssertFalse(FieldPattern.isBareJSONValue("1."))
        XCTAssertFalse(FieldPattern.isBareJSONValue("True"))
    }
}
