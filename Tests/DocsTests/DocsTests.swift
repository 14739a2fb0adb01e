// The delivery kit, checked: every man page lints clean with mandoc and documents every option
// of its tool; every tool ships a man page, completions that know its options, and a README
// row; CI runs exactly the README's test command; every benchmark script is listed.
//
// Options come from the built binaries (`--experimental-dump-help`), so the checks follow the
// code. A tool whose binary is still the skeleton's placeholder is skipped, not passed.

import Foundation
import TapTestSupport
import XCTest

final class DocsTests: XCTestCase {
    /// mandoc STYLE messages that are not defects of a StreamTap page:
    /// - "operating system explicitly specified": STYLE.md §7 asks for `.Os StreamTap`, so the
    ///   footer names the suite rather than whatever system renders the page.
    /// - "referenced manual not found": `.Xr` to a sibling tool or to jq(1)/rg(1) depends on the
    ///   man database of the machine running the lint (the StreamTap pages are not installed
    ///   there), not on the page.
    static let toleratedStyle = ["operating system explicitly specified", "referenced manual not found"]

    /// Sections every StreamTap man page has (brief: OPTIONS, EXIT STATUS, ENVIRONMENT, EXAMPLES, SEE ALSO).
    static let requiredSections = [
        "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "SEE ALSO",
    ]

    /// The tools this suite checks one by one (one test method each, below).
    static let checkedTools = [
        "sse-capture", "sse-normalize", "redis-dump", "delta-unescape", "json-pretty-stream", "bash-detect",
        "flow-interleave", "flow-replay", "rg-prefilter", "extract-prompts", "extract-turns", "extract-pairs",
        "extract-deltas", "extract-requests", "extract-usage", "extract-latency", "flow-har", "flow-web",
        "otel-capture",
    ]

    private func manPagesOrSkip() throws -> [String] {
        let pages = try Kit.manPages()
        if pages.isEmpty { throw XCTSkip("no man pages in man/ yet") }
        return pages
    }

    // MARK: every man page

    func testEveryManPageIsMandocLintClean() async throws {
        for tool in try manPagesOrSkip() {
            let (messages, other) = try await Kit.lint("man/\(tool).1")
            for message in messages {
                let tolerated = message.level == "STYLE" && Self.toleratedStyle.contains { message.text.hasPrefix($0) }
                XCTAssertTrue(tolerated, "man/\(tool).1: \(message)")
            }
            // The only non-message line mandoc prints here is about the machine's own database.
            for line in other where !line.contains("mandoc.db") {
                XCTFail("man/\(tool).1: mandoc said: \(line)")
            }
        }
    }

    func testEveryManPageHasTheStreamTapSections() throws {
        for tool in try manPagesOrSkip() {
            let source = try Kit.read("man/\(tool).1")
            let sections = source.split(separator: "\n").filter { $0.hasPrefix(".Sh ") || $0.hasPrefix(".SH ") }
                .map { $0.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
            for section in Self.requiredSections {
                XCTAssertTrue(sections.contains(section), "man/\(tool).1 has no \(section) section (has \(sections))")
            }
        }
    }

    func testEveryManPageNamesItsTool() throws {
        for tool in try manPagesOrSkip() {
            let source = try Kit.read("man/\(tool).1")
            let lines = source.split(separator: "\n").map(String.init)
            let mdoc = lines.contains { $0.hasPrefix(".Dt ") }
            if mdoc {
                XCTAssertTrue(lines.contains { $0.hasPrefix(".Dt \(tool.uppercased()) 1") }, "man/\(tool).1: .Dt")
                XCTAssertTrue(lines.contains(".Nm \(tool)"), "man/\(tool).1: .Nm \(tool) in NAME")
            } else {
                XCTAssertTrue(
                    lines.contains { $0.uppercased().hasPrefix(".TH \(tool.uppercased()) 1") },
                    "man/\(tool).1: .TH"
                )
            }
        }
    }

    func testEveryManPageHasCompletionsAndAReadmeRow() throws {
        let readme = try Kit.read("README.md")
        for tool in try manPagesOrSkip() {
            XCTAssertNotNil(Kit.readmeRow(tool, in: readme), "README.md has no table row for \(tool)")
            for (shell, file) in Kit.completionFiles(tool) {
                XCTAssertTrue(
                    Kit.exists(file),
                    "no \(shell) completion \(file) for \(tool) (scripts/gen-completions.sh)"
                )
            }
        }
    }

    func testEveryManPageIsOfATool() throws {
        let tools = try Kit.tools()
        for page in try manPagesOrSkip() {
            XCTAssertTrue(tools.contains(page), "man/\(page).1 names no tool under Sources/ (tools: \(tools))")
        }
    }

    func testEveryToolIsCheckedHere() throws {
        for tool in try Kit.tools() {
            XCTAssertTrue(Self.checkedTools.contains(tool), "add a test method for the new tool \(tool) below")
        }
    }

    // MARK: repository scripts

    func testCIRunsTheReadmeTestCommand() throws {
        let ci = try Kit.read(".ci/run")
        let readme = try Kit.read("README.md")
        let assignment = ci.split(separator: "\n").first { $0.hasPrefix("test_cmd='") }
        let command = try XCTUnwrap(assignment, ".ci/run has no test_cmd='…' line").dropFirst("test_cmd='".count)
            .dropLast()
        XCTAssertFalse(command.isEmpty)
        XCTAssertTrue(ci.contains("bash -o pipefail -c \"$test_cmd\""), ".ci/run does not run $test_cmd")
        // The quick start's second command, alone on its line.
        let quickStart = try XCTUnwrap(readme.components(separatedBy: "## Quick start").dropFirst().first)
        let block = try XCTUnwrap(quickStart.components(separatedBy: "```").dropFirst().first)
        let commands = block.split(separator: "\n").filter { !$0.isEmpty && $0 != "sh" }
        XCTAssertEqual(commands.count, 2, "the quick start has exactly two commands: \(commands)")
        XCTAssertEqual(commands.last.map(String.init), String(command), "README test command differs from .ci/run")
    }

    func testEveryBenchScriptIsListedInTheBenchReadme() throws {
        let readme = try Kit.read("bench/README.md")
        let scripts = try FileManager.default.contentsOfDirectory(atPath: Kit.path("bench"))
            .filter { $0.hasSuffix(".sh") || $0.hasSuffix(".py") }
        XCTAssertFalse(scripts.isEmpty)
        for script in scripts {
            XCTAssertTrue(readme.contains("`\(script)`"), "bench/README.md does not list \(script)")
        }
        for anchor in try FileManager.default.contentsOfDirectory(atPath: Kit.path("bench/anchors")) {
            XCTAssertTrue(readme.contains("`anchors/\(anchor)`"), "bench/README.md does not list anchors/\(anchor)")
        }
    }

    func testShellScriptsParse() async throws {
        var scripts = ["install.sh", ".ci/run", "examples/pipeline.sh", "scripts/gen-completions.sh"]
        for dir in ["bench", "examples", "scripts"] where Kit.exists(dir) {
            scripts += try FileManager.default.contentsOfDirectory(atPath: Kit.path(dir))
                .filter { $0.hasSuffix(".sh") }.map { "\(dir)/\($0)" }
        }
        for script in Set(scripts).sorted() {
            XCTAssertTrue(Kit.exists(script), "\(script) is missing")
            let result = try await Binary.runExecutable("bash", ["-n", Kit.path(script)])
            XCTAssertEqual(result.status, 0, "bash -n \(script): \(result.stderr)")
        }
    }

    /// examples/pipeline.sh runs every step whose tools are built, on the sample, without a failure.
    func testExamplePipelineRunsOnTheSample() async throws {
        let result = try await Binary.runExecutable(
            "bash",
            [Kit.path("examples/pipeline.sh")],
            environment: ["STREAMTAP_BIN": Binary.directory],
            workingDirectory: Kit.root
        )
        let summary = result.stdoutText.split(separator: "\n").last { $0.hasPrefix("pipeline.sh: ") } ?? ""
        if summary.hasPrefix("pipeline.sh: 0 step(s) ran") { throw XCTSkip("no tool of the pipeline is built yet") }
        XCTAssertEqual(result.status, 0, "examples/pipeline.sh: \(summary)\n\(result.stderr)")
        XCTAssertTrue(summary.contains(" ran, 0 failed"), String(summary))
    }

    /// Every per-tool example (examples/<tool>.sh) runs from the repository root with the built
    /// tools first on PATH, exits 0 and prints something. Examples of tools not built yet are left out.
    func testEveryToolExampleRuns() async throws {
        let tools = try Kit.tools()
        let examples = try FileManager.default.contentsOfDirectory(atPath: Kit.path("examples"))
            .filter { $0.hasSuffix(".sh") && tools.contains(String($0.dropLast(3))) }.sorted()
        var ran = 0
        for example in examples {
            guard case .built = try await Kit.state(of: String(example.dropLast(3))) else { continue }
            let path = Binary.directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let result = try await Binary.runExecutable(
                "bash",
                [Kit.path("examples/\(example)")],
                environment: ["PATH": path],
                workingDirectory: Kit.root
            )
            XCTAssertEqual(result.status, 0, "examples/\(example) failed: \(result.stderr)")
            XCTAssertFalse(result.stdout.isEmpty, "examples/\(example) printed nothing")
            ran += 1
        }
        if ran == 0 { throw XCTSkip("no per-tool example of a built tool yet") }
    }

    // MARK: each tool: man page, completions and README against the options of the binary

    /// The tool's man page names every option and subcommand the built binary declares; its
    /// completions name every long option; the README has its row. Skipped for a placeholder.
    private func checkTool(_ tool: String) async throws {
        let declared: Kit.Declared
        switch try await Kit.state(of: tool) {
        case .missing: throw XCTSkip("\(tool) is not built (swift build first)")
        case .placeholder: throw XCTSkip("\(tool) is still the placeholder (not built yet)")
        case .built(let options): declared = options
        }
        let page = "man/\(tool).1"
        guard Kit.exists(page) else {
            return XCTFail("\(tool) is built but ships no \(page)")
        }
        XCTAssertFalse(declared.options.isEmpty, "\(tool) declares no option at all?")
        let text = try await Kit.render(page)
        for option in declared.options {
            let scope = option.command.joined(separator: " ")
            for long in option.longNames {
                XCTAssertTrue(Kit.containsToken(text, "--\(long)"), "\(page) does not document --\(long) (\(scope))")
            }
            for short in option.shortNames {
                XCTAssertTrue(Kit.containsToken(text, "-\(short)"), "\(page) does not document -\(short) (\(scope))")
            }
        }
        for subcommand in declared.subcommands {
            XCTAssertTrue(Kit.containsToken(text, subcommand), "\(page) does not document the subcommand \(subcommand)")
        }
        for (shell, file) in Kit.completionFiles(tool) {
            guard Kit.exists(file) else {
                XCTFail("\(tool) has no \(shell) completion \(file) (run scripts/gen-completions.sh)")
                continue
            }
            let script = try Kit.read(file)
            for long in declared.options.flatMap(\.longNames) {
                let mentioned =
                    shell == "fish"
                    ? script.contains("-l '\(long)'") || script.contains("-l \(long) ")
                    : Kit.containsToken(script, "--\(long)")
                XCTAssertTrue(mentioned, "\(file) does not know --\(long): regenerate with scripts/gen-completions.sh")
            }
        }
        XCTAssertNotNil(Kit.readmeRow(tool, in: try Kit.read("README.md")), "README.md has no row for \(tool)")
    }

    func testSSECaptureDocs() async throws { try await checkTool("sse-capture") }
    func testSSENormalizeDocs() async throws { try await checkTool("sse-normalize") }
    func testRedisDumpDocs() async throws { try await checkTool("redis-dump") }
    func testDeltaUnescapeDocs() async throws { try await checkTool("delta-unescape") }
    func testJSONPrettyStreamDocs() async throws { try await checkTool("json-pretty-stream") }
    func testBashDetectDocs() async throws { try await checkTool("bash-detect") }
    func testFlowInterleaveDocs() async throws { try await checkTool("flow-interleave") }
    func testFlowReplayDocs() async throws { try await checkTool("flow-replay") }
    func testRgPrefilterDocs() async throws { try await checkTool("rg-prefilter") }
    func testExtractPromptsDocs() async throws { try await checkTool("extract-prompts") }
    func testExtractTurnsDocs() async throws { try await checkTool("extract-turns") }
    func testExtractPairsDocs() async throws { try await checkTool("extract-pairs") }
    func testExtractDeltasDocs() async throws { try await checkTool("extract-deltas") }
    func testExtractRequestsDocs() async throws { try await checkTool("extract-requests") }
    func testExtractUsageDocs() async throws { try await checkTool("extract-usage") }
    func testExtractLatencyDocs() async throws { try await checkTool("extract-latency") }
    func testFlowHarDocs() async throws { try await checkTool("flow-har") }
    func testFlowWebDocs() async throws { try await checkTool("flow-web") }
    func testOTelCaptureDocs() async throws { try await checkTool("otel-capture") }
}
