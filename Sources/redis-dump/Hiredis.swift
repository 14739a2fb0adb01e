// The one Swift wrapper over hiredis (through CHiredis). It owns every `redisContext` (freed in
// `deinit`) and every `redisReply` (freed with `freeReplyObject` right after the caller's closure
// has read it), so no C pointer escapes this file. Replies are handed out as `RedisReply` views
// over hiredis' own bytes: the hot path (XRANGE pages) reads ids and field values in place,
// without building a Swift String per entry.
import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What went wrong talking to Redis; `connectionLost` is the one a reader may retry after reconnecting.
enum RedisError: Error, CustomStringConvertible, Equatable {
    case cannotConnect(address: String, reason: String)
    case connectionLost(address: String, reason: String)
    case server(command: String, message: String)
    case unexpectedReply(command: String, detail: String)

    var description: String {
        switch self {
        case .cannotConnect(let address, let reason): "cannot connect to \(address): \(reason)"
        case .connectionLost(let address, let reason): "connection to \(address) lost: \(reason)"
        case .server(let command, let message): "\(command): \(message)"
        case .unexpectedReply(let command, let detail): "\(command): unexpected reply: \(detail)"
        }
    }
}

/// A borrowed view of one hiredis reply. Valid only inside the closure it was passed to: the
/// wrapper frees the reply when the closure returns.
struct RedisReply {
    fileprivate let pointer: UnsafeMutablePointer<redisReply>

    enum Kind { case string, array, integer, null, status, error }

    var kind: Kind {
        switch pointer.pointee.type {
        case REDIS_REPLY_STRING: .string
        case REDIS_REPLY_ARRAY: .array
        case REDIS_REPLY_INTEGER: .integer
        case REDIS_REPLY_STATUS: .status
        case REDIS_REPLY_ERROR: .error
        default: .null
        }
    }

    var isNull: Bool { pointer.pointee.type == REDIS_REPLY_NIL }
    var integer: Int64 { Int64(pointer.pointee.integer) }
    var count: Int { pointer.pointee.type == REDIS_REPLY_ARRAY ? Int(pointer.pointee.elements) : 0 }

    /// The bytes of a string, status or error reply (empty for other kinds).
    var bytes: UnsafeRawBufferPointer {
        guard let str = pointer.pointee.str else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: str, count: Int(pointer.pointee.len))
    }

    /// Decodes the bytes as UTF-8 (for ids and messages, off the hot path).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    subscript(index: Int) -> RedisReply {
        precondition(index >= 0 && index < count, "reply element out of range")
        // hiredis never stores a null element pointer inside an array reply.
        guard let element = pointer.pointee.element[index] else { preconditionFailure("hiredis null element") }
        return RedisReply(pointer: element)
    }
}

/// One blocking connection to a Redis server, authenticated and on its database.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    let target: RedisTarget
    private let readBuffer: UnsafeMutableRawBufferPointer

    /// Connects, then sends AUTH and SELECT as the target asks. `timeoutSeconds` bounds the
    /// connect and every later socket read or write (a blocking XREAD must ask for less).
    init(_ target: RedisTarget, timeoutSeconds: Double) throws {
        self.target = target
        let timeout = timeval(
            tv_sec: Int(timeoutSeconds),
            tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1e6)
        )
        let made: UnsafeMutablePointer<redisContext>? =
            switch target.endpoint {
            case .tcp(let host, let port): redisConnectWithTimeout(host, Int32(port), timeout)
            case .unix(let path): redisConnectUnixWithTimeout(path, timeout)
            }
        guard let made else {
            throw RedisError.cannotConnect(address: target.address, reason: "out of memory")
        }
        if made.pointee.err != 0 {
            let reason = Self.errorText(made)
            redisFree(made)
            throw RedisError.cannotConnect(address: target.address, reason: reason)
        }
        context = made
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        do {
            if let password = target.password {
                let args = target.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                try command(args) { try $0.expectOK("AUTH") }
            }
            if target.database != 0 {
                try command(["SELECT", String(target.database)]) { try $0.expectOK("SELECT") }
            }
        } catch let error as RedisError {
            // A refused AUTH or SELECT is a failure to connect, named with the address.
            if case .server(_, let message) = error {
                throw RedisError.cannotConnect(address: target.address, reason: message)
            }
            throw error
        }
    }

    deinit {
        redisFree(context)
        readBuffer.deallocate()
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix(while: { $0 != 0 })
            return bytes.isEmpty ? "error \(context.pointee.err)" : String(decoding: bytes, as: UTF8.self)
        }
    }

    private func lost() -> RedisError {
        .connectionLost(address: target.address, reason: Self.errorText(context))
    }

    /// Sends one command (arguments as bytes) and hands its reply to `body`; an error reply
    /// throws `RedisError.server` unless `acceptErrors` is set.
    @discardableResult
    func command<T>(
        _ args: [[UInt8]],
        acceptErrors: Bool = false,
        _ body: (RedisReply) throws -> T
    ) throws -> T {
        try append(args)
        return try nextReply(
            commandName: args.first.map { String(decoding: $0, as: UTF8.self) } ?? "",
            acceptErrors: acceptErrors,
            body
        )
    }

    @discardableResult
    func command<T>(_ args: [String], acceptErrors: Bool = false, _ body: (RedisReply) throws -> T) throws -> T {
        try command(args.map { Array($0.utf8) }, acceptErrors: acceptErrors, body)
    }

    /// Queues a command in hiredis' output buffer without waiting for its reply (pipelining).
    func append(_ args: [[UInt8]]) throws {
        // One contiguous copy of the arguments gives stable pointers for the call; hiredis
        // copies them into its output buffer before it returns.
        var joined: [UInt8] = []
        var offsets: [Int] = []
        for arg in args {
            offsets.append(joined.count)
            joined.append(contentsOf: arg)
        }
        joined.append(0)  // never empty, so the base address exists
        let lengths = args.map(\.count)
        let status = joined.withUnsafeBufferPointer { buffer -> Int32 in
            let base = UnsafeRawPointer(buffer.baseAddress)
            var pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                base.map { ($0 + offset).assumingMemoryBound(to: CChar.self) }
            }
            return redisAppendCommandArgv(context, Int32(args.count), &pointers, lengths)
        }
        if status != REDIS_OK { throw lost() }
    }

    /// Queues bytes that already hold one or more RESP commands (the `--xadd` fast path).
    func appendFormatted(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if redisAppendFormattedCommand(context, base.assumingMemoryBound(to: CChar.self), bytes.count) != REDIS_OK {
            throw lost()
        }
    }

    /// Writes everything queued so far to the socket.
    func flush() throws {
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(context, &done) != REDIS_OK { throw lost() }
        }
    }

    /// Waits for the next reply of the pipeline and hands it to `body`, then frees it.
    @discardableResult
    func nextReply<T>(commandName: String, acceptErrors: Bool = false, _ body: (RedisReply) throws -> T) throws -> T {
        var raw: UnsafeMutableRawPointer?
        // What redisGetReply does, with 256 KiB reads instead of its 16 KiB ones: an XRANGE page
        // is about 350 KB, and every read(2) saved counts at a million entries.
        while true {
            if redisGetReplyFromReader(context, &raw) != REDIS_OK { throw lost() }
            if raw != nil { break }
            try flush()
            let n = read(context.pointee.fd, readBuffer.baseAddress, readBuffer.count)
            if n > 0 {
                let fed = readBuffer.withMemoryRebound(to: CChar.self) {
                    redisReaderFeed(context.pointee.reader, $0.baseAddress, n)
                }
                if fed != REDIS_OK { throw lost() }
            } else if n == 0 {
                throw RedisError.connectionLost(address: target.address, reason: "server closed the connection")
            } else if errno != EINTR {
                let reason =
                    errno == EAGAIN || errno == EWOULDBLOCK ? "read timed out" : String(cString: strerror(errno))
                throw RedisError.connectionLost(address: target.address, reason: reason)
            }
        }
        guard let raw else { throw lost() }
        defer { freeReplyObject(raw) }
        let reply = RedisReply(pointer: raw.assumingMemoryBound(to: redisReply.self))
        if reply.kind == .error && !acceptErrors {
            throw RedisError.server(command: commandName, message: reply.text)
        }
        return try body(reply)
    }
}

extension RedisReply {
    func expectOK(_ command: String) throws {
        guard kind == .status || kind == .string else {
            throw RedisError.unexpectedReply(command: command, detail: "\(kind)")
        }
    }
}
