// The `--raw` input of the renderers: inputs read as plain bytes in whatever chunks read(2)
// returns (not lines), each chunk handed to a chunk-aware state machine at once. A terminal or
// a pipe from a live producer returns what is there, so output follows the input as it streams.

import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public struct RawChunkLoop {
    public let options: StreamOptions
    public let output: OutputBuffer
    public let tool: String
    /// Flush after every chunk (live output) even when piped.
    public var flushEachChunk: Bool

    public init(_ options: StreamOptions, tool: String) {
        self.options = options
        self.tool = tool
        output = OutputBuffer(lineBuffered: options.shouldLineBuffer)
        flushEachChunk = options.shouldLineBuffer
    }

    /// Feeds every chunk of every input in order, then `finish`.
    public func run(
        chunkSize: Int = 1 << 16,
        feed: (UnsafeRawBufferPointer, inout [UInt8]) throws -> Void,
        finish: (inout [UInt8]) throws -> Void
    ) throws {
        let inputs = options.files.isEmpty ? ["-"] : options.files
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var failed = false
        for input in inputs {
            let fd = input == "-" ? 0 : open(input, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                writeStandardError("\(tool): \(input): \(String(cString: strerror(errno)))")
                failed = true
                continue
            }
            defer { if fd != 0 { close(fd) } }
            while true {
                let n = read(fd, buffer.baseAddress, chunkSize)
                if n < 0 {
                    if errno == EINTR { continue }
                    writeStandardError("\(tool): \(input): \(String(cString: strerror(errno)))")
                    failed = true
                    break
                }
                if n == 0 { break }
                try feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), &output.bytes)
                if flushEachChunk { try output.flush() } else { try output.recordDone() }
            }
        }
        try finish(&output.bytes)
        try output.flush()
        if failed { throw TapFailure("", status: 2) }
    }
}
