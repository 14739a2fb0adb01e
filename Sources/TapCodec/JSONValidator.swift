// The RFC 8259 validator behind `JSONScanner.isValid`: one pass, no allocation but the
// container stack, strings checked for escapes and UTF-8 (overlong forms, surrogates and
// code points past U+10FFFF rejected). Strings, where a capture log spends its bytes, are
// checked with SSE2 bit masks (CTapSIMD): a short string in one 32-byte step, a longer one in
// 64-byte blocks whose escapes and UTF-8 sequences are found from the masks.

import CTapSIMD

struct Validator {
    let bytes: UnsafeRawBufferPointer
    var i = 0
    /// Open containers: how many, and whether each is an object. The first 64 levels live in
    /// the bits of `shallow` (a record line never allocates); deeper ones spill to `deep`.
    var depth = 0
    var shallow: UInt64 = 0
    var deep: [Bool] = []
    /// Line mode (`runLine`): `\n` is not whitespace but the end of the line.
    let lineMode: Bool

    init(_ bytes: UnsafeRawBufferPointer, lineMode: Bool = false) {
        self.bytes = bytes
        self.lineMode = lineMode
    }

    mutating func run(requireObject: Bool) -> Bool {
        skipWhitespace()
        if requireObject, i >= bytes.count || bytes[i] != UInt8(ascii: "{") { return false }
        guard value() else { return false }
        skipWhitespace()
        return i == bytes.count
    }

    /// Line mode: when `bytes` starts with a line that is one valid JSON object (followed by
    /// optional spaces, tabs or `\r`, then `\n`), the offset of that `\n`; nil otherwise, also
    /// when no `\n` follows. Lets a line reader find the line's end in the validation pass.
    /// The validator never steps over a `\n` here (it is not whitespace, and a raw control
    /// byte in a string is invalid), so it never judges bytes past the line's end.
    mutating func runLine() -> Int? {
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{"), value() else { return nil }
        skipWhitespace()
        guard i < bytes.count, bytes[i] == 0x0A else { return nil }
        return i
    }

    @inline(__always)
    private mutating func push(isObject: Bool) {
        if depth < 64 {
            let bit: UInt64 = 1 << UInt64(depth)
            shallow = isObject ? shallow | bit : shallow & ~bit
        } else {
            deep.append(isObject)
        }
        depth += 1
    }

    @inline(__always)
    private func innermostIsObject() -> Bool {
        let level = depth - 1
        return level < 64 ? (shallow >> UInt64(level)) & 1 != 0 : deep[level - 64]
    }

    @inline(__always)
    private mutating func pop() {
        depth -= 1
        if depth >= 64 { deep.removeLast() }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A where !lineMode: i += 1
            default: return
            }
        }
    }

    /// Parses one value; containers are handled iteratively so that nesting depth costs heap,
    /// not stack (JSONTestSuite opens 100,000 arrays).
    private mutating func value() -> Bool {
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
    private mutating func key() -> Bool {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), string() else { return false }
        skipWhitespace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return false }
        i += 1
        return true
    }

    /// `true`, `false` or `null` at `i`, compared as one 4-byte load (plus the `e` of `false`)
    /// rather than through memcmp.
    @inline(__always)
    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n, let base = bytes.baseAddress else { return false }
        let head = UnsafeRawPointer(word.utf8Start).loadUnaligned(as: UInt32.self)
        guard (base + i).loadUnaligned(as: UInt32.self) == head else { return false }
        if n == 5 && base.load(fromByteOffset: i + 4, as: UInt8.self) != word.utf8Start[4] { return false }
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

    @inline(__always)
    private mutating func string() -> Bool {
        let count = bytes.count
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        // A local index: the stored `i` would be written back to memory on every step.
        var j = i + 1  // past the opening quote
        // Most strings (keys, ids, short values) hold no special byte before their closing
        // quote in the first 32 bytes: one SSE2 step and done (the quote mask says that the
        // first special byte is the quote without loading it).
        if j + 32 <= count {
            let masks = tap_string_special_quote32(base + j)
            let first = masks & (0 &- masks) & 0xFFFF_FFFF  // the first special byte
            if first & (masks >> 32) != 0 {  // is the closing quote
                i = j + first.trailingZeroBitCount + 1
                return true
            }
        }
        // Longer strings, escapes and non-ASCII text: 64-byte blocks of bit masks, so that the
        // escapes and UTF-8 sequences of a block cost no branch each (a capture log holds
        // escaped JSON, one backslash every ~40 bytes, and CJK/emoji text).
        var escapedCarry: UInt64 = 0  // 1 when the block's first byte is escaped
        var utf8Until = j  // UTF-8 sequences are validated up to here
        var unicodeUntil = j  // `\u` escapes (and the low half of a pair) checked up to here
        while j + 64 <= count {
            let block = tap_string_masks64(base + j)
            var escaped = escapedCarry
            var nextCarry: UInt64 = 0
            if block.backslash != 0 {
                (escaped, nextCarry) = escapedBytes(backslashes: block.backslash, carry: escapedCarry)
            }
            let quotes = block.quote & ~escaped
            // The bytes that are still in the string: up to the closing quote or all 64.
            let inside: UInt64 = quotes == 0 ? ~0 : (quotes & (0 &- quotes)) &- 1
            if block.control & inside != 0 { return false }
            var escapes = escaped & inside
            while escapes != 0 {
                let k = j + escapes.trailingZeroBitCount
                escapes &= escapes &- 1
                switch base[k] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    // The `u` of a pair's low half was checked with its high half.
                    if k < unicodeUntil { continue }
                    i = k - 1
                    guard escape() else { return false }
                    unicodeUntil = i
                default:
                    return false
                }
            }
            var high = block.nonascii & inside
            if utf8Until > j { high &= utf8Until - j >= 64 ? 0 : ~0 << UInt64(utf8Until - j) }
            while high != 0 {
                var k = j + high.trailingZeroBitCount
                repeat {
                    guard let length = utf8SequenceLength(base, at: k, count: count) else { return false }
                    k += length
                } while k < count && base[k] >= 0x80
                utf8Until = k
                high &= k - j >= 64 ? 0 : ~0 << UInt64(k - j)
            }
            if quotes != 0 {
                i = j + quotes.trailingZeroBitCount + 1
                return true
            }
            j += 64
            escapedCarry = nextCarry
        }
        // The last bytes of the line, fewer than 64: byte by byte (8 at a time where plain).
        // Resume where the blocks left off: at the backslash of an escape that straddles the
        // last block's end, or past a UTF-8 sequence that does.
        if escapedCarry != 0 {
            j -= 1
        } else if utf8Until > j {
            j = utf8Until
        }
        while true {
            if j + 8 <= count {
                let mask = specialByteMask(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
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
                guard j + 1 < count else { return false }
                switch base[j + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    if j + 1 < unicodeUntil {
                        j = unicodeUntil  // the low half of a pair checked in the last block
                    } else {
                        i = j
                        guard escape() else { return false }
                        j = i
                    }
                default:
                    return false
                }
            } else if c < 0x20 {
                return false
            } else if c < 0x80 {
                j += 1  // only in the last 7 bytes, which the 8-byte step does not cover
            } else {
                repeat {
                    guard let length = utf8SequenceLength(base, at: j, count: count) else { return false }
                    j += length
                } while j < count && base[j] >= 0x80
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

    /// The length of the multi-byte UTF-8 sequence at `j` (first byte >= 0x80), nil when it is
    /// not well-formed (Unicode Table 3-7: no overlong forms, surrogates or code points past
    /// U+10FFFF).
    @inline(__always)
    private func utf8SequenceLength(_ base: UnsafePointer<UInt8>, at j: Int, count: Int) -> Int? {
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

/// Which bytes of a 64-byte block are escaped (follow an escaping backslash), given the
/// block's backslashes and whether its first byte is escaped by the block before; and whether
/// the next block's first byte is. A run of backslashes escapes every second byte after its
/// start, so `\\\\"` leaves the quote unescaped and `\\\"` does not. simdjson's carry-free
/// arithmetic (json_escape_scanner): subtracting each run's potential escapes from the odd
/// bits makes the borrow ripple through exactly the run.
@inline(__always)
func escapedBytes(backslashes: UInt64, carry: UInt64) -> (escaped: UInt64, carry: UInt64) {
    let oddBits: UInt64 = 0xAAAA_AAAA_AAAA_AAAA
    let potentialEscapes = backslashes & ~carry
    let maybeEscaped = potentialEscapes << 1
    let escapeAndTerminal = ((maybeEscaped | oddBits) &- potentialEscapes) ^ oddBits
    let escaped = escapeAndTerminal ^ (backslashes | carry)
    let escapes = escapeAndTerminal & backslashes
    return (escaped, escapes >> 63)
}

/// The high bit of each of the 8 bytes of `x` that is `"`, `\\`, a control character or
/// non-ASCII. Borrows can set bits above a true hit, never below it, so the lowest set bit
/// marks the first such byte exactly (little-endian load).
@inline(__always)
func specialByteMask(_ x: UInt64) -> UInt64 {
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
