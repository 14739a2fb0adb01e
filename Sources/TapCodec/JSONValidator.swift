// The RFC 8259 validator behind `JSONScanner.isValid`: one pass, no allocation but the
// container stack, strings checked for escapes and UTF-8 (overlong forms, surrogates and
// code points past U+10FFFF rejected). Plain string bytes are skipped 16 at a time, which is
// where a capture log spends its bytes.

struct Validator {
    let bytes: UnsafeRawBufferPointer
    var i = 0
    /// Open containers, innermost last: true for an object.
    var stack: [Bool] = []

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

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    /// Parses one value; containers are handled iteratively so that nesting depth costs heap,
    /// not stack (JSONTestSuite opens 100,000 arrays).
    private mutating func value() -> Bool {
        let baseDepth = stack.count
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
                stack.append(true)
                guard key() else { return false }
                continue
            case UInt8(ascii: "["):
                i += 1
                skipWhitespace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    break
                }
                stack.append(false)
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
                if stack.count == baseDepth { return true }
                skipWhitespace()
                guard i < bytes.count else { return false }
                let isObject = stack[stack.count - 1]
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
                    stack.removeLast()
                } else {
                    return false
                }
            }
        }
    }

    /// `"key" :` inside an object.
    private mutating func key() -> Bool {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), string() else { return false }
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
        i += 1
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n, let base = bytes.baseAddress, memcmp(base + i, word.utf8Start, n) == 0 else {
            return false
        }
        i += n
        return true
    }

    private mutating func digits() -> Int {
        let start = i
        while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        return i - start
    }

    private mutating func number() -> Bool {
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

    private mutating func string() -> Bool {
        i += 1  // opening quote
        let count = bytes.count
        guard let base = bytes.baseAddress else { return false }
        while true {
            // 8 plain bytes at a time (printable ASCII, neither quote nor backslash), tested with
            // SWAR bit tricks: Swift's SIMD comparisons compile to per-lane loops here.
            // (A local index: the stored `i` would be written back to memory on every step.)
            var j = i
            while j + 8 <= count, !hasSpecialByte((base + j).loadUnaligned(as: UInt64.self)) {
                j += 8
            }
            i = j
            guard i < count else { return false }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return true
            } else if c == UInt8(ascii: "\\") {
                guard escape() else { return false }
            } else if c < 0x20 {
                return false
            } else if c < 0x80 {
                i += 1
            } else {
                guard utf8Sequence() else { return false }
            }
        }
    }

    private mutating func escape() -> Bool {
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

    private func hex4(at start: Int) -> UInt32? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for k in start..<(start + 4) {
            guard let digit = hexValue(bytes[k]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// One multi-byte UTF-8 sequence starting at a byte >= 0x80 (Unicode Table 3-7).
    private mutating func utf8Sequence() -> Bool {
        let c = bytes[i]
        let count = bytes.count
        func cont(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            k < count && bytes[k] >= low && bytes[k] <= high
        }
        switch c {
        case 0xC2...0xDF:
            guard cont(i + 1) else { return false }
            i += 2
        case 0xE0:
            guard cont(i + 1, 0xA0), cont(i + 2) else { return false }
            i += 3
        case 0xE1...0xEC, 0xEE...0xEF:
            guard cont(i + 1), cont(i + 2) else { return false }
            i += 3
        case 0xED:
            guard cont(i + 1, 0x80, 0x9F), cont(i + 2) else { return false }
            i += 3
        case 0xF0:
            guard cont(i + 1, 0x90), cont(i + 2), cont(i + 3) else { return false }
            i += 4
        case 0xF1...0xF3:
            guard cont(i + 1), cont(i + 2), cont(i + 3) else { return false }
            i += 4
        case 0xF4:
            guard cont(i + 1, 0x80, 0x8F), cont(i + 2), cont(i + 3) else { return false }
            i += 4
        default:
            return false
        }
        return true
    }
}

/// True when one of the 8 bytes of `x` is `"`, `\\`, a control character or non-ASCII.
@inline(__always)
func hasSpecialByte(_ x: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let quote = x ^ (ones &* 0x22)
    let backslash = x ^ (ones &* 0x5C)
    let zeroInQuote = (quote &- ones) & ~quote
    let zeroInBackslash = (backslash &- ones) & ~backslash
    let control = (x &- ones &* 0x20) & ~x
    return (zeroInQuote | zeroInBackslash | control | x) & highs != 0
}

@inline(__always)
func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
