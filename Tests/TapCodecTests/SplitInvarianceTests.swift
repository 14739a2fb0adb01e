// The split-invariance helper itself: it must catch a chunk-dependent machine and name how to replay it.

import TapTestSupport
import XCTest

final class SplitInvarianceTests: XCTestCase {
    func testCutsAreReproducibleFromTheSeed() {
        let input = Array(0..<200).map { UInt8($0) }
        XCTAssertEqual(cutOffsets(count: input.count, seed: 7), cutOffsets(count: input.count, seed: 7))
        XCTAssertEqual(splits(of: input, seed: 7).flatMap { $0 }, input, "pieces put back together are the input")
        XCTAssertTrue(cutOffsets(count: input.count, seed: 7).allSatisfy { (1..<200).contains($0) })
        XCTAssertEqual(splits(of: [1, 2, 3, 4], at: [1, 3]), [[1], [2, 3], [4]])
    }

    func testFailureNamesTheChunkingThatBrokeIt() {
        // A "machine" that only looks at each chunk's first byte depends on how the input is cut.
        let failure = splitInvarianceFailure(Array("abcdef".utf8), seeds: [1]) { chunks in chunks.map { $0.first } }
        XCTAssertNotNil(failure)
        XCTAssertTrue(failure?.contains("cut offsets") ?? false, failure ?? "")
        // A machine that concatenates is invariant.
        XCTAssertNil(splitInvarianceFailure(Array("abcdef".utf8)) { chunks in chunks.flatMap { $0 } })
        // With only the seeded cuts tried, the message names the seed to replay.
        let seeded = splitInvarianceFailure(Array("abcdef".utf8), seeds: [3], exhaustiveLimit: 0) { chunks in
            chunks.count == 1 || chunks.allSatisfy { $0.count == 1 } ? 0 : chunks.count
        }
        XCTAssertTrue(seeded?.contains("seed 3") ?? false, seeded ?? "no failure")
    }
}
