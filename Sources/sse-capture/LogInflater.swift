// Decompression of gzip / deflate response bodies, for the log only.
//
// The client gets the compressed bytes exactly as the upstream sent them; the log needs the
// events inside, so a copy goes through zlib (the copy vendored by swift-nio-extras for
// NIOHTTPCompression, reached through its C module) before the SSE tap sees it.
import CNIOExtrasZlib

final class LogInflater {
    private let stream: UnsafeMutablePointer<cnioextras_z_stream>
    private var initialized = false
    /// Set on corrupt input: the rest of the body is not decoded.
    private(set) var failed = false

    /// nil for encodings zlib cannot read (br, zstd, …).
    init?(contentEncoding: String) {
        let encoding = contentEncoding.lowercased().trimmingCharacters(in: " \t")
        guard ["gzip", "x-gzip", "deflate"].contains(encoding) else { return nil }
        stream = .allocate(capacity: 1)
        stream.initialize(to: cnioextras_z_stream())
        // 15 + 32: the largest window, and zlib detects gzip or zlib framing from the header.
        guard CNIOExtrasZlib_inflateInit2(stream, 15 + 32) == CNIOEXTRAS_Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
        initialized = true
    }

    deinit {
        if initialized {
            cnioextras_z_inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
    }

    /// Appends the decompressed bytes of `input` to `out`; false once the input turned out corrupt.
    func inflate(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        guard !failed else { return false }
        guard let base = input.baseAddress, input.count > 0 else { return true }
        stream.pointee.next_in = CNIOExtrasZlib_voidPtr_to_BytefPtr(UnsafeMutableRawPointer(mutating: base))
        stream.pointee.avail_in = UInt32(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        var window = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let (rc, produced) = window.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                guard let out = buffer.baseAddress else { return (CNIOEXTRAS_Z_BUF_ERROR, 0) }
                stream.pointee.next_out = CNIOExtrasZlib_voidPtr_to_BytefPtr(out)
                stream.pointee.avail_out = UInt32(buffer.count)
                let rc = cnioextras_z_inflate(stream, CNIOEXTRAS_Z_NO_FLUSH)
                return (rc, buffer.count - Int(stream.pointee.avail_out))
            }
            out.append(contentsOf: window[0..<produced])
            if rc == CNIOEXTRAS_Z_STREAM_END {
                // Several gzip members back to back are one body: start the next one.
                guard stream.pointee.avail_in > 0 else { return true }
                cnioextras_z_inflateReset(stream)
                continue
            }
            if rc != CNIOEXTRAS_Z_OK && rc != CNIOEXTRAS_Z_BUF_ERROR {
                failed = true
                return false
            }
            // All input consumed and zlib had room left: it needs more input.
            if stream.pointee.avail_in == 0 && produced < window.count { return true }
            if rc == CNIOEXTRAS_Z_BUF_ERROR && produced == 0 { return true }
        }
    }
}
