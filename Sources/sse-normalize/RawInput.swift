// Reading a raw byte stream chunk by chunk, as it arrives (the I/O edge of `--raw-sse`): read(2) returns
// whatever a pipe holds, so the deltas of a live `curl -N` appear as the server sends them.

import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum RawInput {
    /// Calls `body` with each chunk read from `path` ("-" = standard input) until end of input.
    static func forEachChunk(path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TapFailure("sse-normalize: \(path): \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }
        let capacity = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, capacity)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw TapFailure("sse-normalize: \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(start: buffer, count: n))
        }
    }
}
