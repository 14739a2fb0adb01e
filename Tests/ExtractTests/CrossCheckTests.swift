// Cross-check against the reference (bench/anchors/*.py, two phases: rg then orjson): the same
// records on a generated corpus with bad lines (gen-corpus.py --seed 3 --size-mb 5
// --bad-lines 0.001). The tools add `"partial":true` to answers built from a flow without a
// flow_end, which the reference does not mark: that key is removed before the comparison,
// and every other byte must be equal.

import Foundation
import TapTestSupport
import XCTest

final class CrossCheckTests: XCTestCase {
    static var anchors: String { Repo.shared + "/bench/anchors" }

    func corpus() async throws -> String {
        try await Corpus.generate(seed: 3, sizeMB: 5, badLines: 0.001)
    }

    func reference(_ script: String, _ args: [String]) async throws -> String {
        let r = try await Binary.runExecutable("python3", [Self.anchors + "/" + script] + args)
        XCTAssertEqual(r.status, 0, "\(script): \(r.stderr)")
        return r.stdoutText
    }

    static func withoutPartial(_ text: String) -> String {
        text.replacingOccurrences(of: #","partial":true}"# + "\n", with: "}\n")
    }

    func testSameAnswersAsTheReferenceScripts() async throws {
        let path = try await corpus()
        let tasks: [(String, String, [String])] = [
            ("prompts.py", "extract-prompts", ["-n", "0"]),
            ("prompts.py", "extract-prompts", ["-n", "25", "--oldest-first"]),
            ("turns.py", "extract-turns", ["-n", "0", "--mode", "all"]),
            ("turns.py", "extract-turns", ["-n", "10", "--mode", "paired"]),
            ("turns.py", "extract-turns", ["-n", "10", "--mode", "open", "--oldest-first"]),
            ("pairs.py", "extract-pairs", ["-n", "0"]),
            ("deltas.py", "extract-deltas", []),
            ("usage.py", "extract-usage", ["--by", "session"]),
            ("usage.py", "extract-usage", ["--by", "model"]),
            ("usage.py", "extract-usage", ["--by", "day"]),
        ]
        var partial = 0
        for (script, tool, args) in tasks {
            let expected = try await reference(script, [path] + args)
            let r = try await Binary.run(tool, [path] + args)
            XCTAssertEqual(r.status, 0, tool)
            XCTAssertFalse(expected.isEmpty, "\(script) \(args)")
            let got = Self.withoutPartial(r.stdoutText)
            partial += r.stdoutText.components(separatedBy: #","partial":true}"#).count - 1
            XCTAssertEqual(got, expected, "\(tool) \(args.joined(separator: " ")) differs from \(script)")
            // The corpus has bad lines: reported, never fatal.
            XCTAssertTrue(r.stderr.contains("lines were not JSON objects (skipped)"), r.stderr)
        }
        // The corpus has flows without a flow_end; some answers must say so.
        XCTAssertGreaterThan(partial, 0)
    }

    func testRequestsSameAsReference() async throws {
        let path = try await corpus()
        let dir = try TempDir.make("extract-crosscheck")
        _ = try await reference("requests.py", [path, "--out-dir", dir + "/py"])
        let r = try await Binary.run("extract-requests", [path, "--out-dir", dir + "/sw"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for type in ["config", "system_prompts", "user_prompts", "tools_defined", "tool_calls", "tool_results"] {
            let expected = try String(contentsOfFile: "\(dir)/py/\(type).jsonl", encoding: .utf8)
            let got = try String(contentsOfFile: "\(dir)/sw/\(type).jsonl", encoding: .utf8)
            XCTAssertFalse(expected.isEmpty, type)
            XCTAssertEqual(got, expected, "requests \(type)")
        }
        // Every other type was written, and every record is one JSON object.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/sw")
        XCTAssertGreaterThanOrEqual(names.count, 25)
        let check = try await Binary.runExecutable(
            "python3",
            [
                "-c",
                """
                import orjson, sys, glob
                n = 0
                for f in glob.glob(sys.argv[1] + '/*.jsonl'):
                    for line in open(f, 'rb'):
                        assert isinstance(orjson.loads(line), dict), f
                        n += 1
                print(n)
                """, dir + "/sw",
            ]
        )
        XCTAssertEqual(check.status, 0, check.stderr)
    }
}
