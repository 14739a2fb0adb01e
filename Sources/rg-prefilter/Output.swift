// Writing for rg-prefilter: the searcher appends to one buffer, written with one write(2) call
// per filled buffer (or per block on a terminal and with --follow, so lines show up live).
// A closed pipe (`| head -1`) is not an error: it ends the tool quietly with exit 0.
import Glibc

/// The reader of stdout went away (EPIPE).
struct OutputClosed: Error {}

struct Output {
    var buffer: [UInt8] = []
    let fd: Int32
    /// Write after every block, not only when the buffer is full.
    let flushesEachBlock: Bool
    static let capacity = 1 << 20

    init(fd: Int32 = 1, flushesEachBlock: Bool) {
        self.fd = fd
        self.flushesEachBlock = flushesEachBlock
        buffer.reserveCapacity(Output.capacity + 64 * 1024)
    }

    /// Called after each block the searcher handled.
    mutating func blockDone() throws {
        if flushesEachBlock || buffer.count >= Output.capacity { try flush() }
    }

    mutating func flush() throws {
        var written = 0
        try buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let count = write(fd, bytes.baseAddress.map { $0 + written }, bytes.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { throw OutputClosed() }
                    throw InputError(name: "<stdout>", errno: errno)
                }
                written += count
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
