// Minimal stdin/stdout plumbing until TapCodec's LineReader/OutputBuffer land on main:
// big buffered writes to stdout (EPIPE → OutputClosed) and block reads of stdin split on `\n`.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// stdout was closed by the reader (`| head`): the tool ends quietly.
struct OutputClosed: Error {}

/// Collects output in one buffer and writes it with large `write(2)` calls.
struct StdoutWriter {
    var buffer: [UInt8] = []
    let fd: Int32
    let threshold: Int

    init(fd: Int32 = 1, threshold: Int = 1 << 20) {
        self.fd = fd
        self.threshold = threshold
        buffer.reserveCapacity(threshold + (threshold >> 2))
    }

    /// Writes the buffer out once it has grown past the threshold.
    mutating func flushIfFull() throws {
        if buffer.count >= threshold { try flush() }
    }

    mutating func flush() throws {
        var offset = 0
        let fd = self.fd
        try buffer.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let n = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { throw OutputClosed() }
                    throw IOError(message: "write error: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

struct IOError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Reads `fd` in large blocks and hands each `\n`-terminated line (without the `\n`) to `body`;
/// a last line without a newline is handed over too. Lines may be any length.
func forEachLine(fd: Int32 = 0, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let blockSize = 1 << 20
    var buffer = [UInt8](repeating: 0, count: blockSize)
    var filled = 0
    while true {
        if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress.map { $0 + filled }, raw.count - filled) }
        if n < 0 {
            if errno == EINTR { continue }
            throw IOError(message: "read error: \(String(cString: strerror(errno)))")
        }
        if n == 0 { break }
        let end = filled + n
        var start = 0
        try buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var scan = filled
            while scan < end, let hit = memchr(base + scan, 0x0A, end - scan) {
                let newline = base.distance(to: UnsafeRawPointer(hit))
                try body(UnsafeRawBufferPointer(start: base + start, count: newline - start))
                start = newline + 1
                scan = start
            }
        }
        // Keep the partial last line at the front for the next read.
        if start > 0 {
            buffer.withUnsafeMutableBytes { raw in
                if let base = raw.baseAddress, end > start { memmove(base, base + start, end - start) }
            }
        }
        filled = end - start
    }
    if filled > 0 {
        try buffer.withUnsafeBytes { raw in try body(UnsafeRawBufferPointer(rebasing: raw[0..<filled])) }
    }
}
