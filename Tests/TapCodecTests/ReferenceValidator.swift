// The validator as it was before the SIMD block path (session 1: scalar, SWAR 16 bytes at a
// time; it passed JSONTestSuite), kept here only as the oracle of the differential tests in
// JSONValidatorBlockTests: the block path must give exactly its verdicts.

import Foundation

struct ReferenceValidator {
    let bytes: UnsafeRawBufferPointer
    var i = 0
    /// Open containers: how many, and whether each is an object. The first 64 levels live in
    /// the bits of `shallow` (a record line never allocates); deeper ones spill to `deep`.
    var depth = 0
    var shallow: UInt64 = 0
    var deep: [Bool] = []

    static func isValid(_ bytes: [UInt8], requireObject: Bool = false) -> Bool {
        bytes.withUnsafeBytes { raw in
            var validator = ReferenceValidator(raw)
            return validator.run(requireObject: requireObject)
        }
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func run(requireObject: Bool) -> Bool {
        skipWhitespace()
        if requireObject, i >= bytes.count || bytes[i] != UInt8(ascii: "{") { return false }
        guard value() else { return false }
        skipWhitespace()
        return i == bytes.count
    }

    @inline(__always)
    mutating func push(isObject: Bool) {
        if depth < 64 {
            let bit: UInt64 = 1 << UInt64(depth)
            shallow = isObject ? shallow | bit : shallow & ~bit
        } else {
            deep.append(isObject)
        }
        depth += 1
    }

    @inline(__always)
    func innermostIsObject() -> Bool {
        let level = depth - 1
        return level < 64 ? (shallow >> UInt64(level)) & 1 != 0 : deep[level - 64]
    }

    @inline(__always)
    mutating func pop() {
        depth -= 1
        if depth >= 64 { deep.removeLast() }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    /// Parses one value; containers are handled iteratively so that nesting depth costs heap,
    /// not stack (JSONTestSuite opens 100,000 arrays).
    mutating func value() -> Bool {
        let baseDepth = depth
        while true {
            skipWhitespace()
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                skipWhitespace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                push(isObject: true)
                guard key() else { return false }
                continue
            case UInt8(ascii: "["):
                i += 1
                skipWhitespace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    break
                }
                push(isObject: false)
                continue
            case UInt8(ascii: "\""):
                guard string() else { return false }
            case UInt8(ascii: "t"):
                guard literal("true") else { return false }
            case UInt8(ascii: "f"):
                guard literal("false") else { return false }
            case UInt8(ascii: "n"):
                guard literal("null") else { return false }
            default:
                guard number() else { return false }
            }
            // A value ended: close containers or move to the next member / element.
            while true {
                if depth == baseDepth { return true }
                skipWhitespace()
                guard i < bytes.count else { return false }
                let isObject = innermostIsObject()
                let c = bytes[i]
                if c == UInt8(ascii: ",") {
                    i += 1
                    if isObject {
                        skipWhitespace()
                        guard key() else { return false }
                    }
                    break
                } else if c == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    pop()
                } else {
                    return false
                }
            }
        }
    }

    /// `"key" :` inside an object.
    mutating func key() -> Bool {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), string() else { return false }
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
        i += 1
        return true
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n, let base = bytes.baseAddress, memcmp(base + i, word.utf8Start, n) == 0 else {
            return false
        }
        i += n
        return true
    }

    mutating func digits() -> Int {
        let start = i
        while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        return i - start
    }

    mutating func number() -> Bool {
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count else { return false }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            return false
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return true
    }

    mutating func string() -> Bool {
        let count = bytes.count
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        // A local index: the stored `i` would be written back to memory on every step.
        var j = i + 1  // past the opening quote
        while true {
            // Plain bytes (printable ASCII, neither quote nor backslash) 16 at a time with SWAR
            // bit tricks (Swift's SIMD comparisons compile to per-lane loops here); the lowest
            // set bit of the mask is exactly the first special byte, so we jump straight to it.
            if j + 16 <= count {
                let low = referenceSpecialByteMask(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
                if low != 0 {
                    j += low.trailingZeroBitCount >> 3
                } else {
                    let high = referenceSpecialByteMask(UnsafeRawPointer(base + j + 8).loadUnaligned(as: UInt64.self))
                    if high == 0 {
                        j += 16
                        continue
                    }
                    j += 8 + high.trailingZeroBitCount >> 3
                }
            } else if j + 8 <= count {
                let mask = referenceSpecialByteMask(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
                if mask == 0 {
                    j += 8
                    continue
                }
                j += mask.trailingZeroBitCount >> 3
            } else if j >= count {
                return false
            }
            let c = base[j]
            if c == UInt8(ascii: "\"") {
                i = j + 1
                return true
            } else if c == UInt8(ascii: "\\") {
                // Two-byte escapes (`\"` is common: capture logs hold escaped JSON) inline;
                // `\u` goes through `escape()` for its surrogate rules.
                guard j + 1 < count else { return false }
                switch base[j + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    i = j
                    guard escape() else { return false }
                    j = i
                default:
                    return false
                }
            } else if c < 0x20 {
                return false
            } else if c < 0x80 {
                j += 1  // only in the last 7 bytes, which the SWAR step does not cover
            } else {
                guard let length = utf8SequenceLength(base, at: j, count: count) else { return false }
                j += length
            }
        }
    }

    mutating func escape() -> Bool {
        i += 1
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 1
            return true
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: i + 1) else { return false }
            i += 5
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate.
                guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                    let low = hex4(at: i + 2), low >= 0xDC00 && low <= 0xDFFF
                else { return false }
                i += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                return false
            }
            return true
        default:
            return false
        }
    }

    func hex4(at start: Int) -> UInt32? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for k in start..<(start + 4) {
            guard let digit = referenceHexValue(bytes[k]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The length of the multi-byte UTF-8 sequence at `j` (first byte >= 0x80), nil when it is
    /// not well-formed (Unicode Table 3-7: no overlong forms, surrogates or code points past
    /// U+10FFFF).
    @inline(__always)
    func utf8SequenceLength(_ base: UnsafePointer<UInt8>, at j: Int, count: Int) -> Int? {
        let c = base[j]
        if c < 0xE0 {
            guard c >= 0xC2, j + 1 < count, base[j + 1] & 0xC0 == 0x80 else { return nil }
            return 2
        }
        if c < 0xF0 {
            guard j + 2 < count else { return nil }
            let second = base[j + 1]
            let low: UInt8 = c == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = c == 0xED ? 0x9F : 0xBF
            guard second >= low, second <= high, base[j + 2] & 0xC0 == 0x80 else { return nil }
            return 3
        }
        guard c <= 0xF4, j + 3 < count else { return nil }
        let second = base[j + 1]
        let low: UInt8 = c == 0xF0 ? 0x90 : 0x80
        let high: UInt8 = c == 0xF4 ? 0x8F : 0xBF
        guard second >= low, second <= high, base[j + 2] & 0xC0 == 0x80, base[j + 3] & 0xC0 == 0x80 else {
            return nil
        }
        return 4
    }
}

/// The high bit of each of the 8 bytes of `x` that is `"`, `\\`, a control character or
/// non-ASCII. Borrows can set bits above a true hit, never below it, so the lowest set bit
/// marks the first such byte exactly (little-endian load).
@inline(__always)
func referenceSpecialByteMask(_ x: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let quote = x ^ (ones &* 0x22)
    let backslash = x ^ (ones &* 0x5C)
    let zeroInQuote = (quote &- ones) & ~quote
    let zeroInBackslash = (backslash &- ones) & ~backslash
    let control = (x &- ones &* 0x20) & ~x
    return (zeroInQuote | zeroInBackslash | control | x) & highs
}

@inline(__always)
func referenceHexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
}
