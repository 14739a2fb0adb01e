// Property test (swift-property-based): any set of cut points in any real stream gives the events of the whole
// stream. Complements the seeded cuts of `assertSplitInvariant` with shrinking: a failure is reduced to the
// fewest cuts and printed with a `.fixedSeed(...)` to replay it.

import PropertyBased
import TapCodec
import TapTestSupport
import Testing

@Test func sseParserIgnoresArbitraryCutsOfRealStreams() async throws {
    let fixtures = try realFixtureNames().map { try realFixture($0) }
    let wholeResults = fixtures.map { parseSSE([$0]) }
    #expect(fixtures.count == 14)
    await propertyCheck(
        count: 300,
        input: Gen.int(in: 0...(fixtures.count - 1)),
        Gen.int(in: 0...200_000).array(of: 0...60)
    ) { which, rawCuts in
        let bytes = fixtures[which]
        let offsets = Set(rawCuts.map { $0 % bytes.count }).sorted()
        #expect(parseSSE(splits(of: bytes, at: offsets)) == wholeResults[which], "cuts \(offsets)")
    }
}
