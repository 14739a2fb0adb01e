// The shipped example runs from the repository root and shows what it says it shows.
import TapTestSupport
import XCTest

final class ExampleTests: XCTestCase {
    func testExampleScriptRuns() async throws {
        let result = try await Binary.runExecutable(
            "bash",
            [Repo.root + "/examples/rg-prefilter.sh"],
            environment: ["STREAMTAP_BIN": Binary.directory],
            workingDirectory: Repo.root
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdoutLines
        // Six flows in the sample, one of them cut by an upstream error.
        XCTAssertEqual(lines.drop { !$0.contains("-c --field type=flow ") }.dropFirst().first, "6")
        XCTAssertTrue(lines.contains("3a5c44a4-0009-1202cc09"), result.stdoutText)
        XCTAssertTrue(lines.contains("exit 2"), result.stdoutText)
        XCTAssertTrue(
            result.stderr.contains("rg-prefilter: examples/none.jsonl: No such file or directory"),
            result.stderr
        )
    }
}
