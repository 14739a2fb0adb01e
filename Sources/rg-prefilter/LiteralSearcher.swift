// A fixed-string finder for the whole-buffer candidate scan (DESIGN §7): instead of running the
// regex on every line, rg-prefilter looks for a literal every match must contain.
//
// The scan is the "generic SIMD" memmem of Rust's memchr crate (which ripgrep uses): compare two
// of the needle's rarest bytes at their offsets, 64 positions per step, and verify the rare
// positions where both agree with memcmp. Rarity comes from a byte-rank table measured on NDJSON
// capture logs, so `"type":"flow"` is found by its `y` and `w`, not by its many `"`.
import Glibc

final class LiteralSearcher {
    let needle: [UInt8]
    /// A copy of `needle` the scan reads without retaining the array (one call per candidate line:
    /// the per-call cost matters as much as the scan).
    private let needleBytes: UnsafeMutableRawPointer
    /// Offsets in `needle` of the two bytes the vector scan compares (the rarest two).
    private let offset1: Int
    private let offset2: Int
    private let byte1: UInt8
    private let byte2: UInt8

    init(_ needle: [UInt8]) {
        precondition(!needle.isEmpty, "an empty literal matches everywhere; callers use the regex instead")
        self.needle = needle
        needleBytes = UnsafeMutableRawPointer.allocate(byteCount: needle.count, alignment: 16)
        needleBytes.copyMemory(from: needle, byteCount: needle.count)
        let byRarity = needle.indices.sorted { (ByteRank.of(needle[$0]), $0) < (ByteRank.of(needle[$1]), $1) }
        offset1 = byRarity[0]
        offset2 = byRarity.count > 1 ? byRarity[1] : byRarity[0]
        byte1 = needle[offset1]
        byte2 = needle[offset2]
    }

    deinit { needleBytes.deallocate() }

    /// The offset of the first occurrence of the needle in `haystack` at or after `start`.
    func firstIndex(in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = haystack.baseAddress else { return nil }
        let count = needle.count
        let last = haystack.count - count  // the last offset where the needle fits
        guard start <= last else { return nil }
        if count == 1 {
            guard let hit = memchr(base + start, Int32(byte1), haystack.count - start) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
        let (needleBase, offset1, offset2, byte1, byte2) = (
            UnsafeRawPointer(needleBytes), offset1, offset2, byte1, byte2
        )
        do {
            /// The first offset of 16 whose two rare bytes agree (`mask`) where the whole needle is.
            @inline(__always)
            func verify(_ mask: SIMDMask<SIMD16<Int8>>, at first: Int) -> Int? {
                for lane in LaneBits(mask) where memcmp(base + first + lane, needleBase, count) == 0 {
                    return first + lane
                }
                return nil
            }
            let splat1 = SIMD16<UInt8>(repeating: byte1)
            let splat2 = SIMD16<UInt8>(repeating: byte2)
            var position = start
            // Each step tests the 64 candidate offsets position..<position+64 (four 16-byte vectors per
            // byte), reduced to one test of two 64-bit words; all loads stay in bounds because
            // position + 63 <= last and both offsets are < count. Wrapping arithmetic: no overflow
            // checks in the hot loop (the bounds above keep every sum far from Int.max).
            while position &+ 63 <= last {
                let at1 = base + (position &+ offset1)
                let at2 = base + (position &+ offset2)
                let m0 =
                    (at1.loadUnaligned(as: SIMD16<UInt8>.self) .== splat1)
                    .& (at2.loadUnaligned(as: SIMD16<UInt8>.self) .== splat2)
                let m1 =
                    (at1.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self) .== splat1)
                    .& (at2.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self) .== splat2)
                let m2 =
                    (at1.loadUnaligned(fromByteOffset: 32, as: SIMD16<UInt8>.self) .== splat1)
                    .& (at2.loadUnaligned(fromByteOffset: 32, as: SIMD16<UInt8>.self) .== splat2)
                let m3 =
                    (at1.loadUnaligned(fromByteOffset: 48, as: SIMD16<UInt8>.self) .== splat1)
                    .& (at2.loadUnaligned(fromByteOffset: 48, as: SIMD16<UInt8>.self) .== splat2)
                if !LaneBits((m0 .| m1) .| (m2 .| m3)).isEmpty {
                    if let hit = verify(m0, at: position) ?? verify(m1, at: position &+ 16)
                        ?? verify(m2, at: position &+ 32) ?? verify(m3, at: position &+ 48)
                    {
                        return hit
                    }
                }
                position &+= 64
            }
            while position <= last {
                if base.load(fromByteOffset: position + offset1, as: UInt8.self) == byte1,
                    base.load(fromByteOffset: position + offset2, as: UInt8.self) == byte2,
                    memcmp(base + position, needleBase, count) == 0
                {
                    return position
                }
                position += 1
            }
            return nil
        }
    }
}

/// The lanes set in a 16-byte comparison mask, as a sequence of lane numbers. Swift's `any(mask)`
/// is a reduction that the optimiser leaves as a function call per step; two 64-bit words are not.
struct LaneBits: Sequence, IteratorProtocol {
    private var low: UInt64
    private var high: UInt64

    @inline(__always)
    init(_ mask: SIMDMask<SIMD16<Int8>>) {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        low = words[0]
        high = words[1]
    }

    var isEmpty: Bool { low | high == 0 }

    /// The next set lane (each lane is a whole byte of 0xFF), lowest first.
    @inline(__always)
    mutating func next() -> Int? {
        if low != 0 {
            let lane = low.trailingZeroBitCount / 8
            low &= ~(UInt64(0xFF) << (lane * 8))
            return lane
        }
        if high != 0 {
            let lane = high.trailingZeroBitCount / 8
            high &= ~(UInt64(0xFF) << (lane * 8))
            return 8 + lane
        }
        return nil
    }

    /// The highest set lane.
    var last: Int? {
        if high != 0 { return 8 + (63 - high.leadingZeroBitCount) / 8 }
        if low != 0 { return (63 - low.leadingZeroBitCount) / 8 }
        return nil
    }
}

/// How common each byte is in NDJSON capture logs (0 = rarest, 255 = most common), measured on
/// `gen-corpus.py --seed 3 --size-mb 5`: JSON punctuation, lower-case letters and digits rank high.
enum ByteRank {
    static func of(_ byte: UInt8) -> Int { Int(table[Int(byte)]) }

    private static let table: [UInt8] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 189, 10, 11, 12, 13, 14,
        15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        253, 31, 255, 108, 107, 106, 116, 143, 123, 121, 112, 102, 238, 239, 225, 210,
        236, 235, 231, 226, 227, 219, 222, 224, 220, 221, 246, 117, 141, 118, 131, 105,
        32, 203, 193, 202, 197, 204, 198, 185, 186, 192, 190, 182, 187, 200, 207, 201,
        205, 183, 199, 208, 211, 194, 181, 180, 176, 188, 206, 179, 244, 178, 33, 230,
        161, 249, 232, 242, 245, 254, 237, 218, 228, 243, 209, 216, 241, 233, 250, 247,
        234, 212, 248, 251, 252, 240, 223, 217, 215, 229, 184, 214, 127, 213, 34, 35,
        119, 158, 154, 153, 128, 148, 151, 139, 146, 113, 133, 159, 103, 96, 110, 137,
        167, 114, 95, 163, 162, 152, 150, 135, 145, 173, 142, 149, 165, 122, 160, 168,
        36, 37, 38, 140, 132, 164, 115, 147, 174, 109, 144, 39, 134, 169, 138, 175,
        40, 97, 41, 42, 130, 172, 43, 98, 104, 136, 157, 99, 170, 44, 156, 100,
        45, 46, 47, 111, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
        60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75,
        76, 77, 120, 177, 155, 195, 196, 171, 191, 129, 124, 78, 125, 126, 79, 101,
        166, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94,
    ]
}
