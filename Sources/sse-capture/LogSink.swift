// Where records go: the log directory's files, per-session folders, and stdout.
//
// Every batch of records bound for one file is written with a single write(2) on an O_APPEND
// descriptor, so concurrent flows (several event-loop threads) never interleave inside a line
// and a crash (even kill -9) leaves only whole lines. Files are created 0600: request bodies
// hold prompts and code. stdout gets the same NDJSON when it is not a terminal (and is not
// /dev/null, where writing would only cost CPU); a terminal gets one summary line per flow.
import Synchronization
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which log file a record belongs in.
enum LogFile: Int, CaseIterable {
    case flows, lines, flowEnds, errors

    var name: String {
        switch self {
        case .flows: return "sse_flows.jsonl"
        case .lines: return "sse_lines.jsonl"
        case .flowEnds: return "sse_flow_ends.jsonl"
        case .errors: return "sse_logger.error"
        }
    }
}

/// The process-wide writer of records. Thread-safe: each file write is one syscall; the per-session
/// descriptor cache and stdout are behind locks.
final class LogSink: Sendable {
    let directory: String
    private let fds: [Int32]
    private let stdoutMode: StdoutMode
    private let keepRaw: Bool
    private let sessionFDs = Mutex<SessionFDCache>(SessionFDCache())
    private let stdoutLock = Mutex<Void>(())

    init(directory: String, stdoutMode: StdoutMode, keepRaw: Bool) throws {
        self.directory = directory
        self.stdoutMode = stdoutMode
        self.keepRaw = keepRaw
        guard makeDirectories(directory + "/sse_logs", mode: 0o700) else {
            throw CaptureError.io(directory + "/sse_logs", errno)
        }
        var opened: [Int32] = []
        for file in LogFile.allCases {
            let path = directory + "/" + file.name
            let fd = RecordLog.openAppend(path)
            guard fd >= 0 else { throw CaptureError.io(path, errno) }
            opened.append(fd)
        }
        fds = opened
    }

    /// Appends `bytes` (whole lines) to `file` with one write(2); the session copy and stdout follow.
    func write(_ file: LogFile, _ bytes: [UInt8], session: String?) {
        guard !bytes.isEmpty else { return }
        RecordLog.writeAll(fds[file.rawValue], bytes)
        if let session, file != .errors {
            let fd = sessionFDs.withLock { $0.fd(directory: directory, session: session, name: "records.jsonl") }
            if fd >= 0 { RecordLog.writeAll(fd, bytes) }
        }
        if stdoutMode == .ndjson && file != .errors {
            stdoutLock.withLock { _ in RecordLog.writeAll(STDOUT_FILENO, bytes) }
        }
    }

    /// Keeps the raw SSE bytes of a flow (`--raw`) in `sse_logs/<session>/<flow_id>.sse`.
    func writeRaw(_ bytes: UnsafeRawBufferPointer, session: String, flowID: String) {
        guard keepRaw, bytes.count > 0 else { return }
        let fd = sessionFDs.withLock { $0.fd(directory: directory, session: session, name: flowID + ".sse") }
        if fd >= 0 { RecordLog.writeAll(fd, bytes) }
    }

    func closeRaw(session: String, flowID: String) {
        guard keepRaw else { return }
        sessionFDs.withLock { $0.close(directory: directory, session: session, name: flowID + ".sse") }
    }

    /// A terminal's one line per finished flow.
    func summary(_ line: String) {
        guard stdoutMode == .summary else { return }
        stdoutLock.withLock { _ in RecordLog.writeAll(STDOUT_FILENO, Array((line + "\n").utf8)) }
    }

    /// One error line in sse_logger.error (JSON: ts, where, error) and on stderr.
    func error(_ whereText: String, _ message: String) {
        var w = JSONWriter()
        w.beginObject()
        w.key("ts")
        w.string(Timestamp.now().iso8601)
        w.key("where")
        w.string(whereText)
        w.key("error")
        w.string(message)
        w.endObject()
        w.newline()
        write(.errors, w.bytes, session: nil)
        writeStandardError("sse-capture: \(whereText): \(message)\n")
    }

    func sync() {
        for fd in fds { fsync(fd) }
    }
}

/// Open descriptors of per-session files, bounded so thousands of sessions do not exhaust fds.
struct SessionFDCache {
    /// Keyed by (session, file name) as given: a hit (every write) builds no path string.
    private struct Key: Hashable {
        let session: String
        let name: String
    }
    private var open: [Key: Int32] = [:]
    private var order: [Key] = []
    private let limit = 64

    mutating func fd(directory: String, session: String, name: String) -> Int32 {
        let key = Key(session: session, name: name)
        if let fd = open[key] { return fd }
        let safe = Self.safeName(session)
        let path = directory + "/sse_logs/" + safe + "/" + name
        mkdir(directory + "/sse_logs/" + safe, 0o700)
        let fd = RecordLog.openAppend(path)
        guard fd >= 0 else { return -1 }
        open[key] = fd
        order.append(key)
        if order.count > limit {
            let oldest = order.removeFirst()
            if let old = open.removeValue(forKey: oldest) { closeDescriptor(old) }
        }
        return fd
    }

    mutating func close(directory: String, session: String, name: String) {
        let key = Key(session: session, name: name)
        if let fd = open.removeValue(forKey: key) {
            closeDescriptor(fd)
            order.removeAll { $0 == key }
        }
    }

    /// A session id as one safe path component: [A-Za-z0-9._-] kept, anything else `_`, no leading dot.
    static func safeName(_ session: String) -> String {
        var out = String(
            String.UnicodeScalarView(
                session.unicodeScalars.prefix(128).map { scalar in
                    let ok =
                        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                        || (scalar >= "0" && scalar <= "9") || scalar == "-" || scalar == "_" || scalar == "."
                    return ok ? scalar : "_"
                }
            )
        )
        if out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out.isEmpty ? "_" : out
    }
}

enum CaptureError: Error, CustomStringConvertible {
    case io(String, Int32)
    case usage(String)

    var description: String {
        switch self {
        case .io(let path, let code): return "\(path): \(String(cString: strerror(code)))"
        case .usage(let message): return message
        }
    }
}
