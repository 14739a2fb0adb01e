// Split invariance: a streaming state machine must give the same output however its input is cut into
// chunks (the bytes of one read can end anywhere: inside a UTF-8 sequence, between CR and LF, inside a JSON
// escape). Every tool's tests use the one helper here, in the manner of swift-nio's ByteToMessageDecoderVerifier
// and ripgrep's SearcherTester: feed the input whole, one byte at a time, at every single cut point (small
// inputs), and at seeded random cuts; all must equal the whole run. A failure names the seed and the cut offsets
// so it can be replayed with `splits(of:at:)`.

import XCTest

/// A small, fast, seedable generator (SplitMix64) so that random cuts are reproducible from the seed alone.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Sorted, distinct cut offsets in 1..<count chosen from `seed`. The number of cuts varies with the seed:
/// sometimes a few, sometimes dense, so both long and tiny chunks occur.
public func cutOffsets(count: Int, seed: UInt64) -> [Int] {
    guard count > 1 else { return [] }
    var generator = SeededGenerator(seed: seed)
    let maxCuts = count - 1
    let cutCount: Int
    switch generator.next() % 3 {
    case 0: cutCount = Int.random(in: 1...min(maxCuts, 4), using: &generator)
    case 1: cutCount = Int.random(in: 1...min(maxCuts, 64), using: &generator)
    default: cutCount = Int.random(in: 1...max(1, maxCuts / 3), using: &generator)
    }
    var cuts = Set<Int>()
    while cuts.count < cutCount {
        cuts.insert(Int.random(in: 1..<count, using: &generator))
    }
    return cuts.sorted()
}

/// The input cut at the given offsets (sorted, each in 1..<input.count).
public func splits(of input: [UInt8], at offsets: [Int]) -> [[UInt8]] {
    var pieces: [[UInt8]] = []
    var start = 0
    for offset in offsets where offset > start && offset < input.count {
        pieces.append(Array(input[start..<offset]))
        start = offset
    }
    pieces.append(Array(input[start...]))
    return pieces
}

/// The input cut at random offsets chosen from `seed` (see `cutOffsets(count:seed:)`).
public func splits(of input: [UInt8], seed: UInt64) -> [[UInt8]] {
    splits(of: input, at: cutOffsets(count: input.count, seed: seed))
}

/// The input one byte per chunk.
public func byteByByte(_ input: [UInt8]) -> [[UInt8]] {
    input.map { [$0] }
}

/// Runs `run` over the input whole and in many chunkings; returns a description of the first chunking whose
/// output differs from the whole run, or nil when all agree. Framework-neutral core of `assertSplitInvariant`.
///
/// Chunkings: whole (the reference), one byte at a time, every two-piece cut when the input has at most
/// `exhaustiveLimit` bytes, and the random cuts of each seed.
public func splitInvarianceFailure<Output: Equatable>(
    _ input: [UInt8],
    seeds: some Sequence<UInt64> = 1...16,
    exhaustiveLimit: Int = 512,
    run: ([[UInt8]]) -> Output
) -> String? {
    let expected = run([input])
    func describe(_ label: String, _ offsets: [Int], _ got: Output) -> String {
        let shownOffsets = offsets.count > 200 ? "\(offsets.prefix(200))… (\(offsets.count) cuts)" : "\(offsets)"
        return """
            split invariance failed (\(label)), cut offsets \(shownOffsets), input \(input.count) bytes
              whole: \(String(describing: expected).prefix(1500))
              split: \(String(describing: got).prefix(1500))
            """
    }
    if input.count > 1 {
        let got = run(byteByByte(input))
        if got != expected { return describe("1 byte per chunk", Array(1..<input.count), got) }
    }
    if input.count <= exhaustiveLimit {
        for offset in 1..<max(1, input.count) {
            let got = run(splits(of: input, at: [offset]))
            if got != expected { return describe("two pieces", [offset], got) }
        }
    }
    for seed in seeds {
        let offsets = cutOffsets(count: input.count, seed: seed)
        let got = run(splits(of: input, at: offsets))
        if got != expected { return describe("seed \(seed)", offsets, got) }
    }
    return nil
}

/// XCTest assertion: `run` gives the same output for the input whole and in every chunking tried
/// (see `splitInvarianceFailure`). On failure the message names the seed and the cut offsets.
public func assertSplitInvariant<Output: Equatable>(
    _ input: [UInt8],
    seeds: some Sequence<UInt64> = 1...16,
    exhaustiveLimit: Int = 512,
    file: StaticString = #filePath,
    line: UInt = #line,
    run: ([[UInt8]]) -> Output
) {
    if let failure = splitInvarianceFailure(input, seeds: seeds, exhaustiveLimit: exhaustiveLimit, run: run) {
        XCTFail(failure, file: file, line: line)
    }
}
