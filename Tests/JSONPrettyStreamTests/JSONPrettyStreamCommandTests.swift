// json-pretty-stream end to end: the built binary on records and on raw JSON.

import Foundation
import TapTestSupport
import XCTest

final class JSONPrettyStreamCommandTests: XCTestCase {
    func testRawModeEqualsJqOnARequestBody() async throws {
        let input = try Fixtures.real("responses-request-function-call-output.json")
        let r = try await Binary.run("json-pretty-stream", ["--raw"], stdin: input)
        let expected = try await Binary.runExecutable("jq", ["--indent", "2", "."], stdin: input)
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdoutText, expected.stdoutText)
        XCTAssertEqual(r.stderr, "")
    }

    func testRecordsGetPrettyFieldsAndBadLinesPassThrough() async throws {
        let lines = callLines(index: 3, [#"{"q":"#, #"1}"#]) + ["not json"]
        let r = try await Binary.run("json-pretty-stream", [], stdin: lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdoutLines.count, 5)
        XCTAssertEqual(joinedPretty(r.stdoutText, index: 3), "{\n  \"q\": 1\n}\n")
        XCTAssertEqual(r.stdoutLines[4], "not json")
        XCTAssertEqual(r.stderr, "json-pretty-stream: line 5: not a JSON object (passed through)\n")
    }

    func testTextModeAndInvalidJSONWarning() async throws {
        let lines = callLines(index: 0, [#"{"a":[1,"#, "oops"])
        let r = try await Binary.run("json-pretty-stream", ["--text"], stdin: lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(r.stdoutText, "--- flow f call 0 get_weather ---\n{\n  \"a\": [\n    1,\n    oops\n")
        XCTAssertEqual(
            r.stderr,
            "json-pretty-stream: line 3: call 0 of flow f: invalid JSON (unexpected 'o' at byte 9), the rest passes through raw\n"
        )
    }

    func testBadIndentIsAUsageError() async throws {
        let r = try await Binary.run("json-pretty-stream", ["--indent", "9"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("--indent must be between 0 and 7"), r.stderr)
    }
}
