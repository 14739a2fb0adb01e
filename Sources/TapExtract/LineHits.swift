// Which lines of a buffer hold any of a few literals, in one pass over the bytes: the prefilter
// of a tool that reads only a small share of the lines (extract-usage). The scan itself is C
// (CTapSIMD/linehits.h: AVX2 when the CPU has it, else SSE2): per 64 bytes, compares give the
// newline positions and the places where a literal may start (its first, second and last bytes
// all match: rare in JSON text), those places are compared in full, and only the newlines and the
// literals found come back here, a few hundred at a time.
// Every line is handed out once, with whether it holds a literal, so that the lines a tool skips
// can still be judged by their shape (a bad line is counted whatever the prefilter says).

import CTapSIMD

public struct LineHitScanner: Sendable {
    /// Which code scans (CTapSIMD/linehits.h): the best this CPU runs, or one chosen by a test.
    public enum Path: Int32, Sendable, CaseIterable {
        case portable = 0
        case sse2 = 1
        case avx2 = 2

        /// The best path this machine runs (AVX2 when the CPU and OS support it), found once.
        public static let best = Path(rawValue: Int32(tap_linehits_best_path())) ?? .portable

        /// The paths this machine can run, for tests.
        public static var runnable: [Path] { allCases.filter { $0.rawValue <= best.rawValue } }
    }

    /// The literals (one to three, each of 2 to 32 bytes, none holding a newline).
    public let literals: [[UInt8]]
    public let path: Path
    let cLiterals: tap_linehits_literals

    public init(literals: [[UInt8]], path: Path = .best) {
        precondition(
            (1...3).contains(literals.count)
                && literals.allSatisfy { (2...32).contains($0.count) && !$0.contains(0x0A) }
        )
        self.literals = literals
        self.path = path
        var c = tap_linehits_literals()
        withUnsafeMutableBytes(of: &c.bytes) { bytes in
            for (k, l) in literals.enumerated() {
                for (j, byte) in l.enumerated() { bytes[k * 32 + j] = byte }
            }
        }
        withUnsafeMutableBytes(of: &c.length) { lengths in
            let lengths = lengths.bindMemory(to: UInt32.self)
            for (k, l) in literals.enumerated() { lengths[k] = UInt32(l.count) }
        }
        c.count = UInt32(literals.count)
        c.reach = UInt32(literals.map(\.count).max() ?? 0)
        cLiterals = c
    }

    /// Events read back per call of the C scan (a newline or a literal each).
    static let eventCapacity = 512

    /// Hands out the lines of `base[from..<end]` in order: `line(start, end, holdsLiteral)`, the
    /// end excluding the newline. Only newline-terminated lines, plus the bytes after the last
    /// newline when `final`; returns where the unfinished line starts (`end` when none).
    @inline(__always)
    public func forEachLine(
        _ base: UnsafeRawPointer,
        from: Int,
        to end: Int,
        final: Bool,
        _ line: (Int, Int, Bool) -> Void
    ) -> Int {
        var lineStart = from
        var holds = false
        var literals = cLiterals
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.eventCapacity) { events in
            guard let eventBase = events.baseAddress else { return }
            var position = from
            while position < end {
                let count = tap_linehits_scan(bytes, &position, end, &literals, path.rawValue, eventBase, events.count)
                for k in 0..<count {
                    let event = eventBase[k]
                    if event & 1 != 0 {
                        holds = true
                    } else {
                        let at = Int(event >> 1)
                        line(lineStart, at, holds)
                        lineStart = at + 1
                        holds = false
                    }
                }
            }
        }
        if final, lineStart < end {
            line(lineStart, end, holds)
            return end
        }
        return lineStart
    }
    /// The newline-terminated lines of `base[from..<to]` that hold a literal or are not `{`…`}`
    /// (nor blank), in order: `line(start, end, index, literals)` (end excludes the newline,
    /// index counts every line from `from`, bit k of `literals` is set when the line holds
    /// `self.literals[k]`: 0 for a line kept for its shape); the other lines are only counted,
    /// in C. Returns the number of lines and where the unfinished line starts.
    @inline(__always)
    public func forEachKeptLine(
        _ base: UnsafeRawPointer,
        from: Int,
        to end: Int,
        _ line: (Int, Int, Int, UInt32) -> Void
    ) -> (lines: Int, unfinished: Int) {
        var literals = cLiterals
        var state = tap_linehits_state(line_start: UInt64(from), lines: 0, holds: 0)
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        withUnsafeTemporaryAllocation(of: tap_linehits_line.self, capacity: Self.eventCapacity) { kept in
            guard let keptBase = kept.baseAddress else { return }
            var position = from
            while position < end {
                let count = tap_linehits_lines(
                    bytes,
                    &position,
                    end,
                    &literals,
                    path.rawValue,
                    &state,
                    keptBase,
                    kept.count
                )
                for k in 0..<count {
                    let l = keptBase[k]
                    line(Int(l.start), Int(l.end), Int(l.index), l.holds)
                }
            }
        }
        return (Int(state.lines), Int(state.line_start))
    }

    /// Bit k set when `line` holds `literals[k]` (what `forEachKeptLine` reports, for a line
    /// found another way).
    public func literalMask(_ line: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = line.baseAddress else { return 0 }
        var mask: UInt32 = 0
        for (k, literal) in literals.enumerated()
        where literal.withUnsafeBytes({
            findBytes(base, line.count, $0.baseAddress, $0.count) != nil
        }) {
            mask |= 1 << UInt32(k)
        }
        return mask
    }
}
