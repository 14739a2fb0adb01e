// Finds a literal that every match of a PCRE2 pattern must contain, so the search can scan the
// whole buffer for it with `LiteralSearcher` and run the regex only on the lines that hold it.
//
// Deliberately conservative (like ripgrep's literal extraction, much smaller): it reads the top
// level of the pattern only; groups, classes, escapes like `\d` and optional atoms end a literal
// run; a top-level `|`, inline options `(?i)`, `\Q…\E` and verbs `(*…)` give up. A wrong answer
// here would lose lines, a missing one only costs speed.

/// A literal required by a pattern.
struct RequiredLiteral: Equatable {
    var bytes: [UInt8]
    /// True when the pattern is exactly this literal, so a hit is a match and no regex is needed.
    var isWholePattern: Bool
    /// True when every match starts with this literal, so the regex can be tried anchored at a hit.
    var isPrefix = false
}

enum LiteralExtractor {
    /// The most selective literal every match of `pattern` contains, or nil when none is known.
    static func requiredLiteral(of pattern: String) -> RequiredLiteral? {
        var parser = Parser(bytes: Array(pattern.utf8))
        guard let runs = parser.literalRuns(), let best = runs.max(by: { score($0) < score($1) }) else {
            return nil
        }
        // The first run is a prefix of every match when nothing came before it (then runs[0] starts
        // the pattern); prefer it when it is about as selective as the best: anchored tries are cheap.
        if parser.startsWithLiteral, let first = runs.first, isSelective(first), 2 * score(first) >= score(best) {
            return RequiredLiteral(
                bytes: first,
                isWholePattern: parser.isPureLiteral && runs.count == 1,
                isPrefix: true
            )
        }
        return RequiredLiteral(bytes: best, isWholePattern: parser.isPureLiteral && runs.count == 1)
    }

    /// Whether a literal is worth a candidate scan: a lone common byte (`"`) would stop on every line.
    static func isSelective(_ literal: [UInt8]) -> Bool {
        literal.count >= 3 || literal.contains { ByteRank.of($0) < 150 }
    }

    /// Longer and rarer is better.
    static func score(_ run: [UInt8]) -> Int { run.reduce(0) { $0 + 256 - ByteRank.of($1) } }

    /// The pattern that matches `text` literally (for `-F` and `--field`).
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) {
                out.append("\\")
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        var runs: [[UInt8]] = []
        var current: [UInt8] = []
        /// Byte length of the last atom in `current` (a UTF-8 character), for quantifiers.
        var lastAtomLength = 0
        var isPureLiteral = true
        /// No construct came before the first literal run (so that run starts every match).
        var startsWithLiteral = true

        init(bytes: [UInt8]) { self.bytes = bytes }

        /// The literal runs of the top level, or nil when the pattern needs a real parser.
        mutating func literalRuns() -> [[UInt8]]? {
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count else { return nil }
                    let next = bytes[index + 1]
                    if isASCIIAlphanumeric(next) {
                        // \d \w \s \b \1 \x{..} \p{..} \Q..\E \n …: only the simple one-letter forms are skipped.
                        guard "dDwWsShHvVbBRX".utf8.contains(next) else { return nil }
                        endRun(pure: false)
                        index += 2
                    } else {
                        guard next < 0x80 else { return nil }
                        appendAtom(index + 1, length: 1)
                        index += 2
                    }
                case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                    endRun(pure: false)
                    index += 1
                case UInt8(ascii: "["):
                    guard skipClass() else { return nil }
                    endRun(pure: false)
                case UInt8(ascii: "("):
                    guard index + 1 < bytes.count else { return nil }
                    let next = bytes[index + 1]
                    if next == UInt8(ascii: "*") { return nil }  // (*UTF) and other verbs
                    if next == UInt8(ascii: "?") {
                        // Groups, lookaround and named groups are skipped; inline options change the meaning.
                        guard index + 2 < bytes.count, ":=!<'P>|#".utf8.contains(bytes[index + 2]) else { return nil }
                    }
                    guard skipGroup() else { return nil }
                    endRun(pure: false)
                case UInt8(ascii: ")"), UInt8(ascii: "|"):
                    return nil
                case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "+"):
                    quantify(allowsZero: byte != UInt8(ascii: "+"))
                    index += 1
                    skipQuantifierSuffix()
                case UInt8(ascii: "{"):
                    // `{,n}` is a literal before PCRE2 10.43 and a quantifier since: do not guess.
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ",") { return nil }
                    if let (minimum, length) = braceQuantifier(at: index) {
                        quantify(allowsZero: minimum == 0)
                        index += length
                        skipQuantifierSuffix()
                    } else {
                        appendAtom(index, length: 1)
                        index += 1
                    }
                default:
                    let length = utf8Length(leading: byte)
                    guard index + length <= bytes.count else { return nil }
                    appendAtom(index, length: length)
                    index += length
                }
            }
            endRun(pure: true)
            return runs
        }

        private mutating func appendAtom(_ start: Int, length: Int) {
            current.append(contentsOf: bytes[start..<start + length])
            lastAtomLength = length
        }

        private mutating func endRun(pure: Bool) {
            if !pure { isPureLiteral = false }
            if runs.isEmpty, current.isEmpty, !pure { startsWithLiteral = false }
            if !current.isEmpty { runs.append(current) }
            current = []
            lastAtomLength = 0
        }

        /// A quantifier applies to the last atom: drop it when it may repeat zero times, and end the run
        /// (`ab+c` requires `ab`, then some `b`s, then `c`: not the literal `abc`).
        private mutating func quantify(allowsZero: Bool) {
            if allowsZero, lastAtomLength > 0 { current.removeLast(lastAtomLength) }
            endRun(pure: false)
        }

        private mutating func skipQuantifierSuffix() {
            if index < bytes.count, bytes[index] == UInt8(ascii: "?") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
        }

        /// `{n}`, `{n,}` or `{n,m}` at `start`: the minimum and the byte length; nil when `{` is a literal.
        private func braceQuantifier(at start: Int) -> (Int, Int)? {
            var position = start + 1
            var minimum = 0
            var digits = 0
            while position < bytes.count, isDigit(bytes[position]) {
                minimum = min(minimum * 10 + Int(bytes[position] - UInt8(ascii: "0")), 1_000_000)
                digits += 1
                position += 1
            }
            guard digits > 0, position < bytes.count else { return nil }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            guard position < bytes.count, bytes[position] == UInt8(ascii: "}") else { return nil }
            return (minimum, position + 1 - start)
        }

        /// Skips `[...]` (with `]` first, escapes and `[:alpha:]`); false when it does not close.
        private mutating func skipClass() -> Bool {
            var position = index + 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "^") { position += 1 }
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1 }
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"):
                    position += 2
                case UInt8(ascii: "["):
                    if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ":") {
                        guard let close = find(":]", from: position + 2) else { return false }
                        position = close + 2
                    } else {
                        position += 1
                    }
                case UInt8(ascii: "]"):
                    index = position + 1
                    return true
                default:
                    position += 1
                }
            }
            return false
        }

        /// Skips a balanced `( … )` with classes and escapes inside; false when it does not close.
        private mutating func skipGroup() -> Bool {
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\\"):
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "Q") { return false }
                    index += 2
                case UInt8(ascii: "["):
                    guard skipClass() else { return false }
                case UInt8(ascii: "("):
                    depth += 1
                    index += 1
                case UInt8(ascii: ")"):
                    depth -= 1
                    index += 1
                    if depth == 0 { return true }
                default:
                    index += 1
                }
            }
            return false
        }

        private func find(_ text: String, from start: Int) -> Int? {
            let needle = Array(text.utf8)
            guard start + needle.count <= bytes.count else { return nil }
            return (start...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
        }
    }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

private func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
}

/// Bytes in the UTF-8 sequence a byte starts (1 for ASCII and for stray continuation bytes).
private func utf8Length(leading byte: UInt8) -> Int {
    switch byte {
    case 0xC0...0xDF: return 2
    case 0xE0...0xEF: return 3
    case 0xF0...0xF7: return 4
    default: return 1
    }
}
