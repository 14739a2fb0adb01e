// The read modes of `redis-dump KEY`, the I/O edge around EntryEncoder:
//   range   XRANGE KEY FROM TO COUNT batch, the next page from `(LAST_ID`, until a short page;
//   follow  XREAD BLOCK ms COUNT batch STREAMS KEY LAST_ID (`$` resolved once to a real id, so a
//           reconnect resumes exactly where the output stopped);
//   group   XREADGROUP: first this consumer's own pending entries (history from 0), then entries
//           of consumers idle longer than --claim-idle (XAUTOCLAIM), then new ones (`>`); each
//           page is written to stdout and flushed, then XACKed.
// When the connection drops, it reconnects with backoff and resumes after the last id written
// (group mode: acks still owed are sent first), so nothing is lost or written twice.
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `redis-dump KEY` reads.
struct ReadPlan {
    enum Mode: Equatable {
        case range(from: String, to: String)
        /// `after`: the id to read after (exclusive); nil = from the stream's end (`$`).
        case follow(after: String?)
        case group(name: String, consumer: String, create: Bool, createFrom: String, claimIdleMs: Int, follow: Bool)
    }
    var mode: Mode
    var batch = 1000
    var count: Int?
    var blockMs = 1000
    /// Seconds to keep reconnecting after the connection drops (0: give up at once).
    var reconnectSeconds = 60.0
}

/// Drives one read plan against one stream.
final class StreamReader {
    private let key: String
    private let keyBytes: [UInt8]
    private let target: RedisTarget
    private let plan: ReadPlan
    private let encoder: EntryEncoder
    private let output: OutputBuffer
    private let log: (String) -> Void

    private var connection: RedisConnection?
    private var everConnected = false
    /// Counts connections made, so a request pipelined on an earlier one is never waited for on a new one.
    private var connectionGeneration = 0
    private var remaining: Int
    /// The last id written to stdout; reads resume after it.
    private var lastWritten: [UInt8]?
    /// Ids written and flushed whose XACK has not been confirmed (group mode).
    private var owedAcks: [[UInt8]] = []

    init(key: String, target: RedisTarget, plan: ReadPlan, output: OutputBuffer, log: @escaping (String) -> Void) {
        self.key = key
        keyBytes = Array(key.utf8)
        self.target = target
        self.plan = plan
        encoder = EntryEncoder(stream: key)
        self.output = output
        self.log = log
        remaining = plan.count ?? Int.max
    }

    func run() throws {
        switch plan.mode {
        case .range(let from, let to): try runRange(from: from, to: to)
        case .follow(let after): try runFollow(after: after)
        case .group(let name, let consumer, let create, let createFrom, let claimIdleMs, let follow):
            try runGroup(
                name: name,
                consumer: consumer,
                create: create,
                createFrom: createFrom,
                claimIdleMs: claimIdleMs,
                follow: follow
            )
        }
        try output.flush()
    }

    // MARK: connection

    private var socketTimeout: Double { Double(plan.blockMs) / 1000 + 10 }

    /// Runs `step` on a live connection; a lost connection is re-made with backoff for up to
    /// `reconnectSeconds`, and `step` runs again (it must derive what to read from the state).
    private func withConnection<T>(_ step: (RedisConnection) throws -> T) throws -> T {
        var backoff = Backoff()
        var lostAt: Double?
        while true {
            do {
                let live: RedisConnection
                if let connection {
                    live = connection
                } else {
                    live = try RedisConnection(target, timeoutSeconds: socketTimeout)
                    connection = live
                    connectionGeneration += 1
                    if everConnected { try reconnected(live) }
                    if lostAt != nil { log("reconnected to \(target.address)") }
                    everConnected = true
                }
                return try step(live)
            } catch let error as RedisError {
                switch error {
                case .connectionLost, .cannotConnect:
                    // The first connection failing is a plain error; later ones are retried.
                    guard everConnected, plan.reconnectSeconds > 0 else { throw error }
                    connection = nil
                    let now = monotonicSeconds()
                    if lostAt == nil {
                        lostAt = now
                        log("\(error); reconnecting")
                    }
                    if let lostAt, now - lostAt > plan.reconnectSeconds { throw error }
                    sleepSeconds(backoff.next())
                default:
                    throw error
                }
            }
        }
    }

    /// Called on each new connection after the first: settle acks owed from before the drop.
    private func reconnected(_ live: RedisConnection) throws {
        groupPhase = .history(cursor: Array("0-0".utf8))
        try sendOwedAcks(live)
    }

    // MARK: range

    private func runRange(from: String, to: String) throws {
        let toBytes = Array(to.utf8)
        func xrange(_ start: [UInt8], _ count: Int) -> [[UInt8]] {
            [Array("XRANGE".utf8), keyBytes, start, toBytes, Array("COUNT".utf8), Array(String(count).utf8)]
        }
        // The next page's request is sent as soon as a full page has arrived, before that page is
        // written out, so the server prepares it while we copy: (connection, count) of that request.
        var prefetched: (generation: Int, want: Int)?
        while remaining > 0 {
            let done: Bool = try withConnection { live in
                let want: Int
                if let ahead = prefetched, ahead.generation == connectionGeneration {
                    want = ahead.want
                } else {
                    want = min(plan.batch, remaining)
                    try live.append(xrange(lastWritten.map { [UInt8(ascii: "(")] + $0 } ?? Array(from.utf8), want))
                }
                prefetched = nil
                return try live.nextReply(commandName: "XRANGE") { reply in
                    let got = reply.count
                    let left = remaining - got
                    if got == want && left > 0 && reply[got - 1].count == 2 {
                        let next = min(plan.batch, left)
                        try live.append(xrange([UInt8(ascii: "(")] + Array(reply[got - 1][0].bytes), next))
                        try live.flush()
                        prefetched = (connectionGeneration, next)
                    }
                    _ = try writeEntries(reply, command: "XRANGE")
                    return got < want
                }
            }
            try output.recordDone()
            if done { break }
        }
    }

    // MARK: follow

    private func runFollow(after: String?) throws {
        if let after, after != "$" {
            lastWritten = Array((after == "-" ? "0-0" : after).utf8)
        } else {
            // Resolve `$` once: a reconnect must resume from a real id, not from "whatever is last then".
            lastWritten = try withConnection { live in
                try live.command([
                    Array("XREVRANGE".utf8), keyBytes, Array("+".utf8), Array("-".utf8),
                    Array("COUNT".utf8), Array("1".utf8),
                ]) { reply -> [UInt8] in
                    reply.count > 0 && reply[0].count > 0 ? Array(reply[0][0].bytes) : Array("0-0".utf8)
                }
            }
        }
        while remaining > 0 {
            let want = min(plan.batch, remaining)
            _ = try withConnection { live in
                try live.command([
                    Array("XREAD".utf8), Array("COUNT".utf8), Array(String(want).utf8),
                    Array("BLOCK".utf8), Array(String(plan.blockMs).utf8), Array("STREAMS".utf8),
                    keyBytes, lastWritten ?? Array("$".utf8),
                ]) { reply in
                    // [[key, [entries...]]] or nil on timeout.
                    if reply.count > 0, reply[0].count == 2 { _ = try writeEntries(reply[0][1], command: "XREAD") }
                }
            }
            try output.flush()
        }
    }

    // MARK: group

    private enum GroupPhase: Equatable {
        case history(cursor: [UInt8])
        case claim(cursor: [UInt8])
        case new
    }
    private var groupPhase = GroupPhase.history(cursor: Array("0-0".utf8))

    private func runGroup(
        name: String,
        consumer: String,
        create: Bool,
        createFrom: String,
        claimIdleMs: Int,
        follow: Bool
    ) throws {
        let group = Array(name.utf8)
        let me = Array(consumer.utf8)
        if create {
            try withConnection { live in
                try live.command(
                    [
                        Array("XGROUP".utf8), Array("CREATE".utf8), keyBytes, group, Array(createFrom.utf8),
                        Array("MKSTREAM".utf8),
                    ],
                    acceptErrors: true
                ) { reply in
                    // An existing group is fine: several consumers start with --create-group.
                    if reply.kind == .error && !reply.text.hasPrefix("BUSYGROUP") {
                        throw RedisError.server(command: "XGROUP CREATE", message: reply.text)
                    }
                }
            }
        }
        var lastClaim = -Double.infinity
        while remaining > 0 {
            let want = Array(String(min(plan.batch, remaining)).utf8)
            var ids: [[UInt8]] = []
            let phaseDone: Bool = try withConnection { live in
                switch groupPhase {
                case .history(let cursor):
                    return try live.command([
                        Array("XREADGROUP".utf8), Array("GROUP".utf8), group, me,
                        Array("COUNT".utf8), want, Array("STREAMS".utf8), keyBytes, cursor,
                    ]) {
                        reply in
                        guard reply.count > 0, reply[0].count == 2 else { return true }
                        let page = try writeEntries(reply[0][1], command: "XREADGROUP", collect: &ids)
                        if let last = page.lastSeen { groupPhase = .history(cursor: last) }
                        return page.seen == 0
                    }
                case .claim(let cursor):
                    return try live.command([
                        Array("XAUTOCLAIM".utf8), keyBytes, group, me,
                        Array(String(claimIdleMs).utf8), cursor, Array("COUNT".utf8), want,
                    ]) {
                        reply in
                        // [next-cursor, [entries...], (Redis 7: [deleted ids])]
                        guard reply.count >= 2 else {
                            throw RedisError.unexpectedReply(command: "XAUTOCLAIM", detail: "\(reply.count) elements")
                        }
                        let next = Array(reply[0].bytes)
                        _ = try writeEntries(reply[1], command: "XAUTOCLAIM", collect: &ids)
                        groupPhase = .claim(cursor: next)
                        return next.elementsEqual("0-0".utf8)
                    }
                case .new:
                    var args = [Array("XREADGROUP".utf8), Array("GROUP".utf8), group, me, Array("COUNT".utf8), want]
                    if follow { args += [Array("BLOCK".utf8), Array(String(plan.blockMs).utf8)] }
                    args += [Array("STREAMS".utf8), keyBytes, [UInt8(ascii: ">")]]
                    return try live.command(args) { reply in
                        guard reply.count > 0, reply[0].count == 2 else { return true }
                        return try writeEntries(reply[0][1], command: "XREADGROUP", collect: &ids).seen == 0
                    }
                }
            }
            // Written and flushed first, acknowledged second: a crash in between re-delivers, never loses.
            try output.flush()
            owedAcks += ids
            if !owedAcks.isEmpty { try withConnection { try sendOwedAcks($0) } }
            if phaseDone {
                switch groupPhase {
                case .history:
                    groupPhase = .claim(cursor: Array("0-0".utf8))
                    lastClaim = monotonicSeconds()
                case .claim:
                    groupPhase = .new
                case .new:
                    guard follow else { return }
                    // While idle, look again for entries a consumer that died since left behind.
                    if monotonicSeconds() - lastClaim >= Double(claimIdleMs) / 1000 {
                        groupPhase = .claim(cursor: Array("0-0".utf8))
                        lastClaim = monotonicSeconds()
                    }
                }
            }
        }
    }

    private func sendOwedAcks(_ live: RedisConnection) throws {
        guard case .group(let name, _, _, _, _, _) = plan.mode, !owedAcks.isEmpty else { return }
        try live.command([Array("XACK".utf8), keyBytes, Array(name.utf8)] + owedAcks) { _ in }
        owedAcks.removeAll()
    }

    // MARK: entries

    private func writeEntries(_ entries: RedisReply, command: String) throws -> (entries: Int, lastSeen: [UInt8]?) {
        var unused: [[UInt8]] = []
        let page = try writeEntries(entries, command: command, collect: &unused, collecting: false)
        return (page.seen, page.lastSeen)
    }

    /// Writes each entry of an entries array ([[id, [name, value, ...]], ...]) to the output buffer,
    /// at most `remaining`; ids go to `collect` (to acknowledge), including those of deleted entries.
    private func writeEntries(
        _ entries: RedisReply,
        command: String,
        collect: inout [[UInt8]],
        collecting: Bool = true
    ) throws -> (seen: Int, lastSeen: [UInt8]?) {
        guard entries.kind == .array else {
            if entries.isNull { return (0, nil) }
            throw RedisError.unexpectedReply(command: command, detail: "\(entries.kind) instead of entries")
        }
        var lastSeen: [UInt8]?
        let n = entries.count
        for index in 0..<n where remaining > 0 {
            let entry = entries[index]
            guard entry.count == 2 else { continue }
            let id = entry[0].bytes
            let fields = entry[1]
            if collecting {
                collect.append(Array(id))
                lastSeen = collect.last
            }
            // A pending entry deleted from the stream comes back with nil fields: acknowledge, skip.
            if fields.kind == .array {
                let fieldCount = fields.count / 2
                if fieldCount > 0
                    && EntryEncoder.isRecordEntry(
                        fieldCount: fieldCount,
                        firstName: fields[0].bytes,
                        firstValue: fields[1].bytes
                    )
                {
                    encoder.appendRecord(fields[1].bytes, to: &output.bytes)
                } else {
                    encoder.appendForeign(
                        id: id,
                        fieldCount: fieldCount,
                        field: { (fields[2 * $0].bytes, fields[2 * $0 + 1].bytes) },
                        to: &output.bytes
                    )
                }
                remaining -= 1
            }
            if index == n - 1 || remaining == 0 {
                lastWritten = Array(id)
                if !collecting { lastSeen = lastWritten }
            }
        }
        return (n, lastSeen)
    }
}

/// Reconnect delays: 50 ms doubling up to 2 s.
struct Backoff {
    private(set) var current = 0.05
    let ceiling = 2.0

    mutating func next() -> Double {
        defer { current = min(current * 2, ceiling) }
        return current
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func sleepSeconds(_ seconds: Double) {
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var left = timespec()
    while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
}
