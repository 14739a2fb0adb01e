// Chunk-aware decoding of JSON-string escapes (RFC 8259 §7) in text that arrives in fragments.
//
// Streamed deltas cut text anywhere: after a backslash, inside the four hex digits of `\uXXXX`,
// between the two halves of a surrogate pair. This decoder keeps the unfinished escape (at most
// 11 bytes: `\uD83D\uDE0`) across `feed` calls, so the output does not depend on where the
// cuts fall. Used by delta-unescape (escapes inside streamed text), json-pretty-stream (string
// contents) and bash-detect (the command string). Pure: no I/O, O(1) state.
//
// Every byte that is not part of a valid escape goes out unchanged: an invalid escape is kept
// literally (`\x` stays `\x`) and counted, so nothing is ever lost.

public struct JSONFragmentUnescaper: Sendable {
    /// What to write for a surrogate escape without its other half.
    public enum LoneSurrogatePolicy: Sendable {
        /// The escape text as it came (`\ud800`), counted as an issue (delta-unescape).
        case keepLiteral
        /// U+FFFD, as jq does (json-pretty-stream).
        case replacementCharacter
    }

    enum Phase: Equatable, Sendable {
        case idle
        case backslash
        /// Inside `\u`: `count` hex digits read so far, their value.
        case hex(count: Int, value: UInt32)
        /// A high surrogate is complete; a `\` must follow.
        case afterHigh(high: UInt32)
        /// `\uD83D\` read; a `u` must follow.
        case afterHighBackslash(high: UInt32)
        /// `\uD83D\u` plus `count` hex digits.
        case lowHex(high: UInt32, count: Int, value: UInt32)
    }

    var phase: Phase = .idle
    /// The bytes of the unfinished escape, written literally if it turns out invalid.
    var pending: [UInt8] = []
    public let loneSurrogates: LoneSurrogatePolicy
    /// How many invalid escapes (or lone surrogates kept literally) were seen.
    public private(set) var issues = 0
    /// The text of the first issue, for a one-line report.
    public private(set) var firstIssue: String?

    public init(loneSurrogates: LoneSurrogatePolicy = .keepLiteral) {
        self.loneSurrogates = loneSurrogates
        pending.reserveCapacity(12)
    }

    /// The raw bytes of the unfinished escape (what `finish` would write literally).
    public var pendingBytes: [UInt8] { pending }

    /// Forgets an unfinished escape (after the caller has written `pendingBytes` itself).
    public mutating func discardPending() { reset() }

    /// True between a backslash and the end of its escape (the caller must not treat the next
    /// byte as plain text).
    public var isInsideEscape: Bool { phase != .idle }

    /// Decodes `bytes`, appending the result to `out`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = bytes.count
        var i = 0
        while i < n {
            if phase == .idle {
                // Copy the run up to the next backslash in one go.
                var j = i
                while j < n, bytes[j] != 0x5C { j += 1 }
                if j > i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<j])) }
                i = j
                guard i < n else { return }
                // Fast path: a whole escape inside this chunk decodes at once.
                let used = Self.decodeWhole(bytes, at: i, into: &out)
                if used > 0 {
                    i += used
                    continue
                }
            }
            step(bytes[i], into: &out)
            i += 1
        }
    }

    public mutating func feed(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBytes { feed($0, into: &out) }
    }

    /// Ends the text: an unfinished escape goes out literally (and counts as an issue).
    public mutating func finish(into out: inout [UInt8]) {
        switch phase {
        case .idle:
            return
        case .afterHigh:
            loneSurrogate(pending, into: &out)
        default:
            invalid(into: &out)
        }
        reset()
    }

    /// One byte. Fed bytes that end an escape early are re-read from the idle state, so
    /// `\u12\n` keeps `\u12` literally and still decodes the `\n`.
    public mutating func step(_ byte: UInt8, into out: inout [UInt8]) {
        switch phase {
        case .idle:
            if byte == 0x5C {
                pending.append(byte)
                phase = .backslash
            } else {
                out.append(byte)
            }
        case .backslash:
            if let decoded = Self.simpleEscape(byte) {
                out.append(decoded)
                reset()
            } else if byte == UInt8(ascii: "u") {
                pending.append(byte)
                phase = .hex(count: 0, value: 0)
            } else {
                invalid(into: &out, before: byte)
                reset()
                step(byte, into: &out)
            }
        case .hex(let count, let value):
            guard let digit = hexValue(byte) else {
                invalid(into: &out, before: byte)
                reset()
                step(byte, into: &out)
                return
            }
            pending.append(byte)
            let unit = value << 4 | UInt32(digit)
            if count < 3 {
                phase = .hex(count: count + 1, value: unit)
            } else {
                completeUnit(unit, into: &out)
            }
        case .afterHigh(let high):
            if byte == 0x5C {
                pending.append(byte)
                phase = .afterHighBackslash(high: high)
            } else {
                loneSurrogate(pending, into: &out)
                reset()
                step(byte, into: &out)
            }
        case .afterHighBackslash(let high):
            if byte == UInt8(ascii: "u") {
                pending.append(byte)
                phase = .lowHex(high: high, count: 0, value: 0)
            } else {
                // `\uD83D` stands alone; the backslash starts a new escape.
                loneSurrogate(Array(pending[0..<6]), into: &out)
                reset()
                step(0x5C, into: &out)
                step(byte, into: &out)
            }
        case .lowHex(let high, let count, let value):
            guard let digit = hexValue(byte) else {
                // `\uD83D` alone, then `\u` + fewer than four digits: invalid.
                loneSurrogate(Array(pending[0..<6]), into: &out)
                let rest = Array(pending[6...])
                reset()
                for b in rest { step(b, into: &out) }
                step(byte, into: &out)
                return
            }
            pending.append(byte)
            let unit = value << 4 | UInt32(digit)
            if count < 3 {
                phase = .lowHex(high: high, count: count + 1, value: unit)
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                appendUTF8(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), to: &out)
                reset()
            } else {
                // Not a low half: the high one stands alone, the second escape starts afresh.
                loneSurrogate(Array(pending[0..<6]), into: &out)
                let second = Array(pending[6...])
                reset()
                pending = second
                completeUnit(unit, into: &out)
            }
        }
    }

    /// Decodes the escape at `bytes[i]` (a backslash) when it is complete and valid within
    /// `bytes`; returns the bytes used, or 0 to leave it to the byte-by-byte path (cut escapes,
    /// invalid ones, lone surrogates).
    @inline(__always)
    static func decodeWhole(_ bytes: UnsafeRawBufferPointer, at i: Int, into out: inout [UInt8]) -> Int {
        let n = bytes.count
        guard i + 1 < n else { return 0 }
        let c = bytes[i + 1]
        if let decoded = simpleEscape(c) {
            out.append(decoded)
            return 2
        }
        guard c == UInt8(ascii: "u"), let unit = JSONStringDecoder.hex4(bytes, i + 2) else { return 0 }
        if unit < 0xD800 || unit > 0xDFFF {
            appendUTF8(unit, to: &out)
            return 6
        }
        guard unit <= 0xDBFF, i + 12 <= n, bytes[i + 6] == 0x5C, bytes[i + 7] == UInt8(ascii: "u"),
            let low = JSONStringDecoder.hex4(bytes, i + 8), low >= 0xDC00, low <= 0xDFFF
        else { return 0 }
        appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), to: &out)
        return 12
    }

    /// A complete `\uXXXX` whose text is in `pending`.
    mutating func completeUnit(_ unit: UInt32, into out: inout [UInt8]) {
        if unit >= 0xD800 && unit <= 0xDBFF {
            phase = .afterHigh(high: unit)
        } else if unit >= 0xDC00 && unit <= 0xDFFF {
            loneSurrogate(pending, into: &out)
            reset()
        } else {
            appendUTF8(unit, to: &out)
            reset()
        }
    }

    mutating func reset() {
        phase = .idle
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes the unfinished escape literally; `byte` (the one that broke it, re-read next) only
    /// names it in the report.
    mutating func invalid(into out: inout [UInt8], before byte: UInt8? = nil) {
        note(byte.map { pending + [$0] } ?? pending)
        out.append(contentsOf: pending)
    }

    mutating func loneSurrogate(_ text: [UInt8], into out: inout [UInt8]) {
        switch loneSurrogates {
        case .keepLiteral:
            note(text)
            out.append(contentsOf: text)
        case .replacementCharacter:
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
        }
    }

    mutating func note(_ text: [UInt8]) {
        issues += 1
        if firstIssue == nil { firstIssue = String(decoding: text, as: UTF8.self) }
    }

    @inline(__always)
    static func simpleEscape(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""): return 0x22
        case UInt8(ascii: "\\"): return 0x5C
        case UInt8(ascii: "/"): return 0x2F
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }
}
