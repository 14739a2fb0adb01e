// Which lines of a buffer hold any of a few literals, in one pass over the bytes: the prefilter
// of a tool that reads only a small share of the lines (extract-usage). Per 16 bytes, SSE2
// compares give the newline positions and the places where a literal may start (its first,
// second and last byte all match: rare in JSON text); only those places are compared in full.
// Every line is handed out once, with whether it holds a literal, so that the lines a tool skips
// can still be judged by their shape (a bad line is counted whatever the prefilter says).

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public struct LineHitScanner: Sendable {
    /// The literals (one to three, each of 2 bytes or more, none holding a newline).
    public let literals: [[UInt8]]
    /// The longest literal's last offset: how far past a position the probes read.
    let reach: Int

    #if arch(x86_64)
    /// Per literal: its first, second and last byte splatted, and the last byte's offset.
    struct Probe {
        var first: __m128i
        var second: __m128i
        var last: __m128i
        var lastOffset: Int
    }
    let probes: [Probe]
    #endif

    public init(literals: [[UInt8]]) {
        precondition((1...3).contains(literals.count) && literals.allSatisfy { $0.count >= 2 && !$0.contains(0x0A) })
        self.literals = literals
        reach = literals.map(\.count).max() ?? 0
        #if arch(x86_64)
        probes = literals.map { l in
            Probe(
                first: _mm_set1_epi8(Int8(bitPattern: l[0])),
                second: _mm_set1_epi8(Int8(bitPattern: l[1])),
                last: _mm_set1_epi8(Int8(bitPattern: l[l.count - 1])),
                lastOffset: l.count - 1
            )
        }
        #endif
    }

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
        var i = from
        #if arch(x86_64)
        let newline = _mm_set1_epi8(0x0A)
        // Up to three literals, their probes in registers (a missing one repeats the first).
        let a = probes[0]
        let b = probes[probes.count > 1 ? 1 : 0]
        let c = probes[probes.count > 2 ? 2 : 0]
        @inline(__always) func load(_ p: UnsafeRawPointer) -> __m128i {
            _mm_loadu_si128(p.assumingMemoryBound(to: __m128i.self))
        }
        @inline(__always) func matches(_ v0: __m128i, _ v1: __m128i, _ p: UnsafeRawPointer, _ probe: Probe) -> __m128i {
            _mm_and_si128(
                _mm_and_si128(_mm_cmpeq_epi8(v0, probe.first), _mm_cmpeq_epi8(v1, probe.second)),
                _mm_cmpeq_epi8(load(p + probe.lastOffset), probe.last)
            )
        }
        // 64 bytes a step while every probe stays inside the buffer.
        while i + 64 + reach <= end {
            var nl: UInt64 = 0
            var hit: UInt64 = 0
            for k in 0..<4 {
                let p = base + i + 16 * k
                let v0 = load(p)
                let v1 = load(p + 1)
                nl |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(_mm_cmpeq_epi8(v0, newline)))) << (16 * k)
                let m = _mm_or_si128(_mm_or_si128(matches(v0, v1, p, a), matches(v0, v1, p, b)), matches(v0, v1, p, c))
                hit |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(m))) << (16 * k)
            }
            while nl | hit != 0 {
                let nextNewline = nl.trailingZeroBitCount
                if hit != 0, hit.trailingZeroBitCount < nextNewline {
                    let at = i + hit.trailingZeroBitCount
                    if !holds, holdsLiteral(base, at, end) { holds = true }
                    hit &= hit - 1
                    continue
                }
                let lineEnd = i + nextNewline
                line(lineStart, lineEnd, holds)
                lineStart = lineEnd + 1
                holds = false
                nl &= nl - 1
            }
            i += 64
        }
        #endif
        // The rest (and every byte where SSE2 is not there) one byte at a time.
        while i < end {
            if base.load(fromByteOffset: i, as: UInt8.self) == 0x0A {
                line(lineStart, i, holds)
                lineStart = i + 1
                holds = false
            } else if !holds, holdsLiteral(base, i, end) {
                holds = true
            }
            i += 1
        }
        if final, lineStart < end {
            line(lineStart, end, holds)
            return end
        }
        return lineStart
    }

    /// True when one of the literals starts at `at` (and ends before `end`).
    @inline(__always)
    func holdsLiteral(_ base: UnsafeRawPointer, _ at: Int, _ end: Int) -> Bool {
        for l in literals where at + l.count <= end {
            let same = l.withUnsafeBytes { literal in
                guard let start = literal.baseAddress else { return false }
                return memcmp(base + at, start, l.count) == 0
            }
            if same { return true }
        }
        return false
    }
}
