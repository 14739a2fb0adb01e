// The multi-threaded search of one mapped file must print exactly what the one-pass search
// prints, in the same order, whatever the segment size and the number of threads.
import Foundation
import TapTestSupport
import XCTest

@testable import rg_prefilter

final class ParallelSearchTests: XCTestCase {
    private func sequential(
        _ bytes: [UInt8],
        _ query: Query,
        invert: Bool,
        mode: LineSearcher.Mode
    ) throws -> ([UInt8], Int) {
        var searcher = LineSearcher(matcher: try query.matcher(), invert: invert, mode: mode)
        var out: [UInt8] = []
        try bytes.withUnsafeBytes { try searcher.feed($0, into: &out) }
        try searcher.finish(into: &out)
        return (out, searcher.selected)
    }

    func testSameOutputAsOnePassOnTheCorpus() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 5, badLines: 0.001)
        // Cut to 1 MB (whole lines), plus a last line without newline: segments of 16-64 KB.
        let all = Array(try Data(contentsOf: URL(fileURLWithPath: corpus)))
        let cut = (all[..<1_000_000].lastIndex(of: 0x0A) ?? 0) + 1
        let bytes = Array(all[..<cut]) + Array(#"{"type":"flow","last":true}"#.utf8)
        let queries = [
            Query(patterns: [#""type":"flow""#]),
            Query(fields: [FieldPattern("type=flow_end")].compactMap { $0 }),
            Query(patterns: [#""event":"(content_block_delta|response\.output_text\.delta)""#]),
            Query(patterns: ["error|timeout"], ignoreCase: true),
        ]
        for query in queries {
            for (invert, mode) in [(false, LineSearcher.Mode.lines), (true, .lines), (false, .count)] {
                let expected = try sequential(bytes, query, invert: invert, mode: mode)
                XCTAssertGreaterThan(expected.1, 0, "\(query.patterns): a vacuous case")
                for (workers, segment) in [(1, 1 << 20), (2, 16 << 10), (3, 64 << 10), (8, 20_000)] {
                    nonisolated(unsafe) var out: [UInt8] = []
                    let lock = NSLock()
                    let selected = try bytes.withUnsafeBytes { whole in
                        try ParallelSearch.run(
                            whole,
                            workers: workers,
                            segmentSize: segment,
                            makeMatcher: { try query.matcher() },
                            makeSearcher: { LineSearcher(matcher: $0, invert: invert, mode: mode) },
                            emit: { list in lock.withLock { list.drain(into: &out) } }
                        )
                    }
                    XCTAssertEqual(
                        selected,
                        expected.1,
                        "\(query.patterns) \(query.fields.map(\.key)) workers \(workers)"
                    )
                    XCTAssertTrue(
                        out == expected.0,
                        "\(query.patterns) invert \(invert) workers \(workers) segment \(segment)"
                    )
                }
            }
        }
    }

    func testAnErrorInAWorkerReachesTheCaller() throws {
        struct Boom: Error {}
        let bytes = Array(String(repeating: "line\n", count: 10_000).utf8)
        XCTAssertThrowsError(
            try bytes.withUnsafeBytes { whole in
                try ParallelSearch.run(
                    whole,
                    workers: 2,
                    segmentSize: 1000,
                    makeMatcher: { throw Boom() },
                    makeSearcher: { LineSearcher(matcher: $0) },
                    emit: { _ in }
                )
            }
        ) { XCTAssertTrue($0 is Boom) }
    }

    /// The built binary takes the parallel path for files of 16 MB and more: same bytes as rg.
    func testBigFileMatchesRipgrep() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 5, badLines: 0.001)
        let dir = try TempDir.make("rg-prefilter-big")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = dir + "/big.jsonl"
        let data = try Data(contentsOf: URL(fileURLWithPath: corpus))
        var whole = Data()
        for _ in 0..<4 { whole += data }
        try whole.write(to: URL(fileURLWithPath: big))
        XCTAssertGreaterThanOrEqual(whole.count, ParallelSearch.minimumSize)
        let cases: [([String], [String])] = [
            ([#""type":"flow""#], [#""type":"flow""#]),
            (["-c", "--field", "type=flow"], ["-c", #""type"\s*:\s*"flow""#]),
            (["-v", "-c", "flow_id"], ["-v", "-c", "flow_id"]),
            (
                [#""event":"(content_block_delta|response\.output_text\.delta)""#],
                [#""event":"(content_block_delta|response\.output_text\.delta)""#]
            ),
        ]
        // A closed pipe stops the workers and ends quietly with 0.
        let script = "\"$0\" -j 2 flow \"$1\" | head -1 >/dev/null; echo ${PIPESTATUS[0]}"
        let piped = try await Binary.runExecutable("bash", ["-c", script, Binary.path("rg-prefilter"), big])
        XCTAssertEqual(piped.stdoutText, "0\n")
        XCTAssertEqual(piped.stderr, "")
        for (ours, theirs) in cases {
            for threads in ["2", "1"] {
                let mine = try await Binary.run("rg-prefilter", ["-j", threads] + ours + [big])
                let reference = try await Binary.runExecutable("rg", ["--no-config"] + theirs + [big])
                XCTAssertEqual(mine.status, reference.status, "\(ours) -j \(threads)")
                XCTAssertFalse(mine.stdout.isEmpty)
                XCTAssertTrue(mine.stdout == reference.stdout, "\(ours) -j \(threads): output differs from rg")
            }
        }
    }
}
