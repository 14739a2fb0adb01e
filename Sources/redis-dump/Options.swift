// The option groups of `redis-dump` and how they become a RedisTarget and a ReadPlan.
import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ConnectionOptions: ParsableArguments {
    @Option(help: "Redis host (default 127.0.0.1, or the host of --url / REDIS_URL).")
    var host: String?
    @Option(help: "Redis port (default 6379).")
    var port: Int?
    @Option(help: ArgumentHelp("Connect to a Unix socket instead of TCP.", valueName: "path"))
    var socket: String?
    @Option(help: "ACL user name (AUTH user password).")
    var user: String?
    @Option(help: "Password (AUTH); prefer REDIS_URL or --url to keep it out of ps.")
    var password: String?
    @Option(help: ArgumentHelp("Database number (SELECT).", valueName: "n"))
    var db: Int?
    @Option(
        help: ArgumentHelp(
            "redis://[user:password@]host[:port][/db] or unix:///path[?db=n]; default REDIS_URL.",
            valueName: "url"
        )
    )
    var url: String?

    func target() throws -> RedisTarget {
        let fromEnvironment = getenv("REDIS_URL").map { String(cString: $0) }
        return try RedisTarget.resolve(
            url: url ?? (fromEnvironment?.isEmpty == false ? fromEnvironment : nil),
            overrides: .init(host: host, port: port, socket: socket, user: user, password: password, database: db)
        )
    }
}

struct ReadOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Range: first id (inclusive; `(ID` exclusive; default -). Follow: read after this id (0 = whole stream; default: the end, $). --create-group: the group's start id.",
            valueName: "id"
        )
    )
    var from: String?
    @Option(help: ArgumentHelp("Range: last id, inclusive (default +).", valueName: "id"))
    var to: String?
    @Option(help: ArgumentHelp("Entries per XRANGE/XREAD page, or per pipelined --xadd batch.", valueName: "n"))
    var batch = 1000
    @Flag(help: "Keep reading new entries as they arrive (XREAD BLOCK, or XREADGROUP BLOCK with --group).")
    var follow = false
    @Option(help: ArgumentHelp("Consumer group to read as (XREADGROUP); needs --consumer.", valueName: "name"))
    var group: String?
    @Option(help: ArgumentHelp("Consumer name within --group.", valueName: "name"))
    var consumer: String?
    @Flag(help: "Create the group (XGROUP CREATE ... MKSTREAM) at --from (default $) when it does not exist.")
    var createGroup = false
    @Option(
        help: ArgumentHelp(
            "With --group: claim pending entries idle this long from other consumers (XAUTOCLAIM).",
            valueName: "ms"
        )
    )
    var claimIdle = 60_000
    @Option(help: ArgumentHelp("Stop after writing N entries.", valueName: "n"))
    var count: Int?
    @Option(help: ArgumentHelp("How long one blocking read waits before it is re-issued.", valueName: "ms"))
    var blockMs = 1000
    @Option(
        help: ArgumentHelp(
            "After the connection drops, keep reconnecting this long (0: fail at once).",
            valueName: "seconds"
        )
    )
    var reconnectTimeout = 60.0

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let count, count < 0 { throw ValidationError("--count must not be negative") }
        if (group == nil) != (consumer == nil) { throw ValidationError("--group and --consumer go together") }
        if createGroup && group == nil { throw ValidationError("--create-group needs --group") }
        if to != nil && (follow || group != nil) { throw ValidationError("--to is for range mode only") }
        if blockMs < 1 || claimIdle < 0 || reconnectTimeout < 0 { throw ValidationError("timeouts must be positive") }
    }

    func plan() throws -> ReadPlan {
        let mode: ReadPlan.Mode
        if let group, let consumer {
            mode = .group(
                name: group,
                consumer: consumer,
                create: createGroup,
                createFrom: from ?? "$",
                claimIdleMs: claimIdle,
                follow: follow
            )
        } else if follow {
            mode = .follow(after: from)
        } else {
            mode = .range(from: from ?? "-", to: to ?? "+")
        }
        return ReadPlan(mode: mode, batch: batch, count: count, blockMs: blockMs, reconnectSeconds: reconnectTimeout)
    }
}
