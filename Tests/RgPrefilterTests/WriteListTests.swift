// WriteList keeps long lines of a mapped file by reference and copies the rest: what it writes
// with writev(2) must be byte for byte what an array sink collects, for every selection mode.
import Foundation
import TapTestSupport
import XCTest

@testable import rg_prefilter

final class WriteListTests: XCTestCase {
    func testWritesWhatAnArrayCollects() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 5, badLines: 0.001)
        let all = Array(try Data(contentsOf: URL(fileURLWithPath: corpus)))
        // Long lines (flow records of 10-60 KB) and short ones; no final newline on the last line.
        let bytes = Array(all[..<2_000_000]) + Array("{\"type\":\"flow\",\"end\":1}".utf8)
        let dir = try TempDir.make("rg-prefilter-writelist")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, Bool, [UInt8])] = [
            (#""type":"flow""#, false, []), ("flow", true, []), (#""type":"sse""#, false, Array("f:".utf8)),
        ]
        for (pattern, invert, prefix) in cases {
            let matcher = try Query(patterns: [pattern]).matcher()
            var expectedSearcher = LineSearcher(matcher: matcher, invert: invert, prefix: prefix)
            var expected: [UInt8] = []
            try bytes.withUnsafeBytes { try expectedSearcher.feed($0, into: &expected) }
            try expectedSearcher.finish(into: &expected)

            let path = dir + "/out-\(invert)-\(prefix.count)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            XCTAssertGreaterThanOrEqual(fd, 0)
            var searcher = LineSearcher(matcher: matcher, invert: invert, prefix: prefix)
            var list = WriteList()
            var drained: [UInt8] = []
            try bytes.withUnsafeBytes { whole in
                // Slices of 300 KB, like the mapped-file path: lines cut at a slice end are carried.
                var start = 0
                while start < whole.count {
                    let end = min(start + 300_000, whole.count)
                    try searcher.feed(UnsafeRawBufferPointer(rebasing: whole[start..<end]), stable: true, into: &list)
                    var copy = list
                    copy.drain(into: &drained)
                    try list.write(to: fd)
                    XCTAssertTrue(list.isEmpty)
                    start = end
                }
                try searcher.finish(into: &list)
                var copy = list
                copy.drain(into: &drained)
                try list.write(to: fd)
            }
            close(fd)
            let written = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertFalse(expected.isEmpty)
            XCTAssertTrue(
                written == expected,
                "\(pattern) invert \(invert): \(written.count) vs \(expected.count) bytes"
            )
            XCTAssertTrue(drained == expected, "\(pattern) invert \(invert): drained copy differs")
        }
    }
}
