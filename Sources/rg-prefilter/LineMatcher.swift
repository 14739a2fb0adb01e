// Decides which lines of a block of complete lines match: the `-e` patterns (any of them) and every
// `--field` must hold. One clause drives the search over the whole block (its literal through
// `LiteralSearcher`, else its JIT regex over the block); the line around each candidate is then
// checked against every clause. The regex never runs on a line the literal ruled out.
import Glibc

/// One condition a selected line must meet: a regex, with a required literal when one is known.
struct Clause {
    let regex: PCRE2Regex
    let literal: LiteralSearcher?
    /// A literal hit is a match by itself (the pattern is that literal): no regex call needed.
    let literalIsMatch: Bool
    /// The pattern compiled anchored, when every match starts with the literal: a hit is then
    /// checked where it stands instead of by a scan of the whole line.
    let anchored: PCRE2Regex?
    /// The regex may find a match in a block that it would not find in the line alone
    /// (lookaround into the next or previous line, `\A`), so block matches are re-checked per line.
    let needsLineCheck: Bool

    init(pattern: String, caseless: Bool, literal: RequiredLiteral?) throws {
        let options: PCRE2Regex.Options = caseless ? [.caseless, .multiline] : [.multiline]
        regex = try PCRE2Regex(pattern, options: options)
        // A case-insensitive literal would need case variants; only literals without letters stay usable.
        let usable = literal.flatMap { literal in
            let hasCase = literal.bytes.contains { $0 >= 0x80 || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
            return literal.bytes.isEmpty || literal.bytes.contains(0x0A) || (caseless && hasCase) ? nil : literal
        }
        self.literal = usable.map { LiteralSearcher($0.bytes) }
        literalIsMatch = usable?.isWholePattern ?? false
        anchored =
            usable?.isPrefix == true && !literalIsMatch
            ? try PCRE2Regex(pattern, options: options.union(.anchored)) : nil
        needsLineCheck = ["(?<", "(?=", "(?!", "\\A", "\\G", "\\z", "\\Z", "\\K"].contains { pattern.contains($0) }
    }
}

final class LineMatcher {
    let clauses: [Clause]
    /// Index in `clauses` of the clause that finds candidates.
    private let driver: Int
    /// The driving clause, taken apart once: reading it out of the array per candidate line would
    /// retain and release its three references every time.
    private let driverRegex: PCRE2Regex
    private let driverLiteral: LiteralSearcher?
    private let driverAnchored: PCRE2Regex?
    private let driverLiteralIsMatch: Bool
    private let driverNeedsLineCheck: Bool

    init(clauses: [Clause]) {
        precondition(!clauses.isEmpty, "a matcher needs at least one clause")
        self.clauses = clauses
        let scored = clauses.indices.map { index in
            (score: clauses[index].literal.map { LiteralExtractor.score($0.needle) } ?? -1, index: index)
        }
        driver = scored.max { ($0.score, -$0.index) < ($1.score, -$1.index) }?.index ?? 0
        driverRegex = clauses[driver].regex
        driverLiteral = clauses[driver].literal
        driverAnchored = clauses[driver].anchored
        driverLiteralIsMatch = clauses[driver].literalIsMatch
        driverNeedsLineCheck = clauses[driver].needsLineCheck
    }

    /// The next line of `block` at or after `start` (a line start) that meets every clause, without
    /// its newline. `block` holds whole lines; only its last line may lack the newline.
    func nextMatchingLine(in block: UnsafeRawBufferPointer, from start: Int) throws -> Range<Int>? {
        var position = start
        while position < block.count {
            let candidate: Int
            var driverMatched: Bool
            if let literal = driverLiteral {
                guard let hit = literal.firstIndex(in: block, from: position) else { return nil }
                candidate = hit
                driverMatched = driverLiteralIsMatch
            } else {
                guard let match = try driverRegex.firstMatch(in: block, from: position) else { return nil }
                candidate = match.lowerBound
                driverMatched = !driverNeedsLineCheck && indexOfNewline(in: block, match) == nil
            }
            // An empty match right after the last newline is not on any line.
            if candidate == block.count, block.count > 0, block[block.count - 1] == 0x0A { return nil }
            let lineStart = lastNewline(in: block, position..<candidate).map { $0 + 1 } ?? position
            let lineEnd = indexOfNewline(in: block, candidate..<block.count) ?? block.count
            let line = UnsafeRawBufferPointer(rebasing: block[lineStart..<lineEnd])
            if !driverMatched, let anchored = driverAnchored, let literal = driverLiteral {
                // Try the pattern at each hit of its prefix in this line.
                var hit: Int? = candidate - lineStart
                while let offset = hit {
                    driverMatched = try anchored.firstMatch(in: line, from: offset) != nil
                    hit = driverMatched ? nil : literal.firstIndex(in: line, from: offset + 1)
                }
            } else if !driverMatched {
                driverMatched = try driverRegex.matches(line)
            }
            if driverMatched, try otherClausesMatch(line) {
                return lineStart..<lineEnd
            }
            position = lineEnd + 1
        }
        return nil
    }

    private func otherClausesMatch(_ line: UnsafeRawBufferPointer) throws -> Bool {
        guard clauses.count > 1 else { return true }
        for index in clauses.indices where index != driver {
            guard try clauses[index].regex.matches(line) else { return false }
        }
        return true
    }
}

/// The offset of the first `\n` in `range` of `block`.
func indexOfNewline(in block: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
    guard let base = block.baseAddress, !range.isEmpty,
        let hit = memchr(base + range.lowerBound, 0x0A, range.count)
    else { return nil }
    return base.distance(to: UnsafeRawPointer(hit))
}

/// The offset of the last `\n` in `range` of `block`: a backwards SIMD scan (Glibc's memrchr is
/// not visible to Swift without _GNU_SOURCE), so finding the start of a 30 KB line stays cheap.
func lastNewline(in block: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
    guard let base = block.baseAddress else { return nil }
    let newlines = SIMD16<UInt8>(repeating: 0x0A)
    var end = range.upperBound
    while end - 16 >= range.lowerBound {
        let chunk = base.loadUnaligned(fromByteOffset: end - 16, as: SIMD16<UInt8>.self)
        if let lane = LaneBits(chunk .== newlines).last { return end - 16 + lane }
        end -= 16
    }
    while end > range.lowerBound {
        end -= 1
        if base.load(fromByteOffset: end, as: UInt8.self) == 0x0A { return end }
    }
    return nil
}
