// Standard output for the tools: records are appended to `bytes` and written in large
// blocks when piped, or per record on a terminal / with `--line-buffered` (DESIGN §4 rule 5).
// A closed pipe (`| head`) surfaces as `OutputClosed`, which the command wrapper turns into
// a quiet exit 0, as ripgrep does.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The reader of our output went away (EPIPE).
public struct OutputClosed: Error {
    public init() {}
}

public struct OutputError: Error, CustomStringConvertible {
    public let description: String
}

public final class OutputBuffer {
    public let fd: Int32
    public var lineBuffered: Bool
    /// Pending bytes; state machines append to it directly (`feed(line, into: &out.bytes)`).
    public var bytes: [UInt8]
    private let flushThreshold: Int

    public init(fd: Int32 = 1, lineBuffered: Bool, capacity: Int = 1 << 20) {
        self.fd = fd
        self.lineBuffered = lineBuffered
        flushThreshold = capacity
        bytes = []
        bytes.reserveCapacity(capacity + capacity / 4)
    }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    public func append(_ data: UnsafeRawBufferPointer) { bytes.append(contentsOf: data) }
    public func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Call after each record: flushes when line-buffered or when the block is full.
    @inline(__always)
    public func recordDone() throws {
        if lineBuffered || bytes.count >= flushThreshold { try flush() }
    }

    public func flush() throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { try Self.writeAll(fd, $0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// write(2) until everything is out; EPIPE -> OutputClosed.
    public static func writeAll(_ fd: Int32, _ data: UnsafeRawBufferPointer) throws {
        guard var p = data.baseAddress else { return }
        var left = data.count
        while left > 0 {
            let n = write(fd, p, left)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == EPIPE { throw OutputClosed() }
                throw OutputError(description: "write error: \(String(cString: strerror(errno)))")
            }
            p += n
            left -= n
        }
    }
}

/// Writes one line to standard error at once (messages never interleave mid-line).
public func writeStandardError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.withUTF8 { try? OutputBuffer.writeAll(2, UnsafeRawBufferPointer($0)) }
}
