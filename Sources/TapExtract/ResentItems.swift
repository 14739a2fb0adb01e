// The conversation items a request resends. Every request of an agent resends the whole
// conversation so far, so extract-requests would walk each item once per later request: most
// of its time. Walking an item again changes nothing (its calls, results, assistant message
// and parts are deduplicated by id or content hash on their first walk) except the per-flow
// counts (reasoning items, cache_control blocks), so this remembers, per session and provider,
// the raw bytes of the last few item arrays with each item's end and the counts up to it. A new
// array's longest byte-identical prefix with one of them (compared with memcmp, so exact) covers
// items that are the same values at the same offsets: those are skipped, their counts taken
// from the record, and only the new tail is walked (by FlowLineParser, which counts the items
// and finds the array's end, and by the conversation walk of RequestExtractor). The bytes kept
// are bounded (`budget`); what is dropped is only walked again, never answered differently.

import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct ResentItems {
    struct Key: Hashable {
        var session: String?
        var provider: Provider
    }

    /// Per-item counts the walk keeps for its flow.
    struct Counts: Equatable {
        var reasoning = 0
        var cacheMarks = 0
    }

    /// One item array seen: its bytes from `[` to the end of its last item, each item's end
    /// (offset from `[`, exclusive) and the counts after it.
    struct Seen {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var ends: [Int] = []
        var counts: [Counts] = []
        var lastUse = 0
    }

    /// What a new array shares with one seen before.
    struct Prefix {
        /// Items already walked (the first `items` of the array).
        var items = 0
        /// Offset from `[` just past the last of them (0: none), and where that last one starts.
        var end = 0
        var lastStart = 0
        var counts = Counts()
        /// Which remembered array it came from (to be extended), nil when none matched.
        var slot: Int?
    }

    /// Arrays remembered per key: the latest few (an agent's subagents share its session).
    static let perKey = 4
    var arrays: [Key: [Seen]] = [:]
    var bytesHeld = 0
    /// Bytes of item arrays kept at most (peak RSS stays well under 100 MB).
    var budget = 24 << 20
    var clock = 0

    /// The items of `array` (bytes `base[start..<end]`, `[` at `start`) that an earlier array of
    /// the same key had with the same bytes at the same offsets.
    func knownPrefix(_ key: Key, _ base: UnsafeRawPointer, start: Int, end: Int) -> Prefix {
        guard let seen = arrays[key] else { return Prefix() }
        var best = Prefix()
        for (slot, s) in seen.enumerated() where !s.ends.isEmpty {
            let same = s.bytes.withUnsafeBytes { old -> Int in
                guard let oldBase = old.baseAddress else { return 0 }
                return commonPrefix(oldBase, base + start, min(old.count, end - start))
            }
            // The items ending within the shared bytes are the same values at the same offsets;
            // one ending exactly at the first difference only when it closes itself (`}`, `]`,
            // `"`: a number's end depends on the byte after it).
            var lo = 0
            var hi = s.ends.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if s.ends[mid] <= same { lo = mid + 1 } else { hi = mid }
            }
            if lo > 0, s.ends[lo - 1] == same, !closesItself(s.bytes[same - 1]) { lo -= 1 }
            if lo > best.items {
                best = Prefix(
                    items: lo,
                    end: s.ends[lo - 1],
                    lastStart: s.starts[lo - 1],
                    counts: s.counts[lo - 1],
                    slot: slot
                )
            }
        }
        return best
    }

    /// Records `array` after its walk: the prefix it shared, then the items walked (their ends
    /// relative to `[` and counts). The remembered array it extended is replaced by it.
    mutating func remember(
        _ key: Key,
        _ base: UnsafeRawPointer,
        start: Int,
        prefix: Prefix,
        walkedStarts: [Int],
        walkedEnds: [Int],
        walkedCounts: [Counts]
    ) {
        guard let lastEnd = walkedEnds.last ?? (prefix.items > 0 ? prefix.end : nil), lastEnd <= budget else { return }
        clock += 1
        // Taken out of the dictionary and the list, so that the arrays are uniquely referenced
        // and grow in place (a second reference would copy the whole conversation each time).
        var list = arrays.removeValue(forKey: key) ?? []
        var seen = Seen()
        if let slot = prefix.slot, slot < list.count, prefix.items == list[slot].ends.count {
            // It resends all of that array: extend it in place with the tail.
            seen = list.remove(at: slot)
            bytesHeld -= seen.bytes.count
        } else {
            if let slot = prefix.slot, slot < list.count {
                // It parts from that array (another agent of the session starting alike, an edited
                // history): a new record, so that the longer one stays for its own next request.
                list[slot].lastUse = clock
                seen.starts = Array(list[slot].starts.prefix(prefix.items))
                seen.ends = Array(list[slot].ends.prefix(prefix.items))
                seen.counts = Array(list[slot].counts.prefix(prefix.items))
            }
            if list.count >= Self.perKey, let oldest = list.indices.min(by: { list[$0].lastUse < list[$1].lastUse }) {
                bytesHeld -= list[oldest].bytes.count
                list.remove(at: oldest)
            }
        }
        let from = seen.bytes.count
        seen.bytes.append(contentsOf: UnsafeRawBufferPointer(start: base + start + from, count: lastEnd - from))
        seen.starts += walkedStarts
        seen.ends += walkedEnds
        seen.counts += walkedCounts
        seen.lastUse = clock
        bytesHeld += seen.bytes.count
        list.append(seen)
        arrays[key] = list
        if bytesHeld > budget { evict() }
    }

    /// Drops the least recently used arrays until the bytes held fit the budget again.
    private mutating func evict() {
        var all: [(key: Key, lastUse: Int)] = []
        for (key, list) in arrays {
            for s in list { all.append((key, s.lastUse)) }
        }
        all.sort { $0.lastUse < $1.lastUse }
        for victim in all where bytesHeld > budget / 2 {
            guard var list = arrays[victim.key], let i = list.firstIndex(where: { $0.lastUse == victim.lastUse })
            else { continue }
            bytesHeld -= list[i].bytes.count
            list.remove(at: i)
            arrays[victim.key] = list.isEmpty ? nil : list
        }
    }
}

@inline(__always)
private func closesItself(_ last: UInt8) -> Bool {
    last == UInt8(ascii: "}") || last == UInt8(ascii: "]") || last == UInt8(ascii: "\"")
}

/// How many leading bytes two buffers share (memcmp 4 KiB at a time, then 8 bytes, then one).
func commonPrefix(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Int {
    var i = 0
    while i + 4096 <= count, memcmp(a + i, b + i, 4096) == 0 { i += 4096 }
    while i + 8 <= count,
        a.loadUnaligned(fromByteOffset: i, as: UInt64.self) == b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
    {
        i += 8
    }
    while i < count, a.load(fromByteOffset: i, as: UInt8.self) == b.load(fromByteOffset: i, as: UInt8.self) { i += 1 }
    return i
}
