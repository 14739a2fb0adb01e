// The SIMD candidate scan against the obvious search, on random haystacks over small alphabets
// (so needles occur often, at every offset of the 32-byte steps and near the end).
import XCTest

@testable import rg_prefilter

final class LiteralSearcherTests: XCTestCase {
    private func naive(_ haystack: [UInt8], _ needle: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        return (start...(haystack.count - needle.count)).first {
            haystack[$0..<$0 + needle.count].elementsEqual(needle)
        }
    }

    func testAgreesWithNaiveSearchOnRandomInput() {
        var generator = SplitMix64(seed: 8)
        for round in 0..<400 {
            let alphabet: [UInt8] = round % 2 == 0 ? Array("ab\n".utf8) : Array(#"{"type":flow}y w"#.utf8)
            let length = Int(generator.next() % 300)
            let haystack = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let needleLength = 1 + Int(generator.next() % 6)
            let needle = (0..<needleLength).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let searcher = LiteralSearcher(needle)
            var start = 0
            while true {
                let expected = naive(haystack, needle, from: start)
                let found = haystack.withUnsafeBytes { searcher.firstIndex(in: $0, from: start) }
                XCTAssertEqual(found, expected, "round \(round): needle \(needle) from \(start)")
                guard let hit = expected else { break }
                start = hit + 1
            }
        }
    }

    func testFindsTheNeedleAtTheVeryEnd() {
        let haystack = Array(String(repeating: "x", count: 1000).utf8) + Array(#""type":"flow""#.utf8)
        let found = haystack.withUnsafeBytes {
            LiteralSearcher(Array(#""type":"flow""#.utf8)).firstIndex(in: $0, from: 0)
        }
        XCTAssertEqual(found, 1000)
    }

    func testLastNewlineAgreesWithNaiveSearch() {
        var generator = SplitMix64(seed: 9)
        for _ in 0..<300 {
            let bytes = (0..<Int(generator.next() % 100)).map { _ in generator.next() % 7 == 0 ? UInt8(0x0A) : 0x61 }
            let lower = bytes.isEmpty ? 0 : Int(generator.next() % UInt64(bytes.count))
            let expected = bytes[lower...].lastIndex(of: 0x0A)
            XCTAssertEqual(bytes.withUnsafeBytes { lastNewline(in: $0, lower..<bytes.count) }, expected)
        }
    }
}

/// A small seeded generator, so a failure names a reproducible case.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
