// delta-unescape end to end: the built binary, its exit statuses and messages.

import Foundation
import TapTestSupport
import XCTest

final class DeltaUnescapeCommandTests: XCTestCase {
    let input =
        [
            FixtureFragments.deltaLine(flow: "f", kind: "text", index: 0, text: #"a \"q\" \u00"#),
            "not json",
            FixtureFragments.deltaLine(flow: "f", kind: "text", index: 0, text: #"e9 \x"#),
        ].joined(separator: "\n") + "\n"

    func testDecodesPassesBadLinesThroughAndWarns() async throws {
        let r = try await Binary.run("delta-unescape", [], stdin: input)
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdoutLines.count, 3)
        XCTAssertEqual(r.stdoutLines[1], "not json")
        XCTAssertTrue(r.stdoutLines[0].contains(#""text":"a \"q\" ","type""#), r.stdoutLines[0])
        XCTAssertTrue(r.stdoutLines[2].contains(#""text":"é \\x","type""#), r.stdoutLines[2])
        XCTAssertEqual(
            r.stderr,
            """
            delta-unescape: line 2: not a JSON object (passed through)
            delta-unescape: line 3: invalid escape \\x kept literally

            """
        )
    }

    func testStrictFailsAtTheBadLine() async throws {
        let r = try await Binary.run("delta-unescape", ["--strict"], stdin: input)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "delta-unescape: line 2: not a JSON object\n")
    }

    func testTextAndRawModes() async throws {
        let text = try await Binary.run("delta-unescape", ["--text"], stdin: input)
        XCTAssertEqual(text.stdoutText, "--- flow f block 0 (text) ---\na \"q\" not json\né \\x\n")
        let raw = try await Binary.run("delta-unescape", ["--raw"], stdin: #"tab\there \ud83d\ude00 \"end\""#)
        XCTAssertEqual(raw.stdoutText, "tab\there 😀 \"end\"")
        XCTAssertEqual(raw.status, 0)
    }

    func testUsageErrorExits2AndMissingFileExits2() async throws {
        let usage = try await Binary.run("delta-unescape", ["--no-such-option"])
        XCTAssertEqual(usage.status, 2)
        let missing = try await Binary.run("delta-unescape", ["/nonexistent/file.jsonl"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/file.jsonl"), missing.stderr)
    }

    func testClosedPipeExitsZero() async throws {
        let many = String(
            repeating: FixtureFragments.deltaLine(flow: "f", kind: "text", index: 0, text: "x") + "\n",
            count: 20_000
        )
        let path = try TempDir.make() + "/in.jsonl"
        try many.write(toFile: path, atomically: true, encoding: .utf8)
        let status = try await Binary.runExecutable(
            "/bin/bash",
            ["-c", "set -o pipefail; '\(Binary.path("delta-unescape"))' '\(path)' | head -1 >/dev/null"]
        )
        XCTAssertEqual(status.status, 0, status.stderr)
    }
}
