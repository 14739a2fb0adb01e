// Output of the search without copying the file: ripgrep writes a long matched line straight
// from its buffer; rg-prefilter's searcher hands selected lines to a LineSink, and WriteList
// keeps long stretches of a mapped file by reference (the mapping outlives the write) and copies
// only short lines, the `FILE:` prefixes and added newlines. One writev(2) per block then writes
// the lot. An array of bytes is a LineSink too (it copies everything): the tests use it.
import Glibc
import TapCodec

/// Where LineSearcher puts the lines it selects.
protocol LineSink {
    /// Bytes of the searched block; `stable` when they stay valid until the sink is written out
    /// (a mapped file), so that a sink may keep a reference instead of a copy.
    mutating func append(_ bytes: UnsafeRawBufferPointer, stable: Bool)
    mutating func append(_ byte: UInt8)
}

extension Array: LineSink where Element == UInt8 {
    mutating func append(_ bytes: UnsafeRawBufferPointer, stable: Bool) { append(contentsOf: bytes) }
}

struct WriteList: LineSink {
    /// Stable stretches at least this long are kept by reference; shorter ones are cheaper to copy
    /// than to describe to the kernel.
    static let referenceMinimum = 4096

    /// A stretch to write: `start` in a mapped file, or (start nil) `offset` into `owned`.
    private struct Piece {
        var start: UnsafeRawPointer?
        var offset: Int
        var count: Int
    }

    private var owned: [UInt8] = []
    private var pieces: [Piece] = []

    var isEmpty: Bool { pieces.isEmpty }

    mutating func append(_ bytes: UnsafeRawBufferPointer, stable: Bool) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if stable, bytes.count >= WriteList.referenceMinimum {
            if let last = pieces.last, let start = last.start, start + last.count == base {
                pieces[pieces.count - 1].count += bytes.count  // the next line of the same stretch
            } else {
                pieces.append(Piece(start: base, offset: 0, count: bytes.count))
            }
            return
        }
        appendOwned(count: bytes.count)
        owned.append(contentsOf: bytes)
    }

    mutating func append(_ byte: UInt8) {
        appendOwned(count: 1)
        owned.append(byte)
    }

    private mutating func appendOwned(count: Int) {
        if let last = pieces.last, last.start == nil, last.offset + last.count == owned.count {
            pieces[pieces.count - 1].count += count
        } else {
            pieces.append(Piece(start: nil, offset: owned.count, count: count))
        }
    }

    /// Writes everything to `fd` with writev(2) (IOV_MAX pieces per call, partial writes resumed)
    /// and empties the list. A closed pipe throws OutputClosed.
    mutating func write(to fd: Int32) throws {
        guard !pieces.isEmpty else { return }
        try owned.withUnsafeBytes { ownedBytes in
            var vectors = pieces.map { piece in
                let start = piece.start ?? UnsafeRawPointer(ownedBytes.baseAddress.map { $0 + piece.offset })
                return iovec(iov_base: UnsafeMutableRawPointer(mutating: start), iov_len: piece.count)
            }
            var index = 0
            while index < vectors.count {
                let batch = Int32(min(1024, vectors.count - index))
                let written = vectors.withUnsafeMutableBufferPointer { buffer in
                    writev(fd, buffer.baseAddress.map { $0 + index }, batch)
                }
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    if errno == EPIPE { throw OutputClosed() }
                    throw InputError(name: "<stdout>", errno: errno)
                }
                var left = written
                while left > 0, index < vectors.count {
                    if left >= vectors[index].iov_len {
                        left -= vectors[index].iov_len
                        index += 1
                    } else {
                        vectors[index].iov_base = vectors[index].iov_base.map { $0 + left }
                        vectors[index].iov_len -= left
                        left = 0
                    }
                }
                while index < vectors.count, vectors[index].iov_len == 0 { index += 1 }
            }
        }
        removeAll()
    }

    /// The bytes the list describes, in order (a copy), and empties it.
    mutating func drain(into bytes: inout [UInt8]) {
        owned.withUnsafeBytes { ownedBytes in
            for piece in pieces {
                if let start = piece.start {
                    bytes.append(contentsOf: UnsafeRawBufferPointer(start: start, count: piece.count))
                } else {
                    bytes.append(contentsOf: ownedBytes[piece.offset..<piece.offset + piece.count])
                }
            }
        }
        removeAll()
    }

    private mutating func removeAll() {
        pieces.removeAll(keepingCapacity: true)
        owned.removeAll(keepingCapacity: true)
    }
}
