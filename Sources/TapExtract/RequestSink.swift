// Where extract-requests writes: one `TYPE.jsonl` per type in a directory (created, and every
// wanted file truncated, before the pass), or one stream on stdout whose records carry their
// type as a leading `"type"` key. Output is written in big blocks as the pass goes.

import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public final class RequestSink {
    let directory: String?
    var files: [RequestType: Int32] = [:]
    let stdout = OutputBuffer(lineBuffered: false)

    public init(types: [RequestType], directory: String?) throws {
        self.directory = directory
        guard let directory else { return }
        if mkdir(directory, 0o755) != 0, errno != EEXIST {
            throw TapFailure("extract-requests: \(directory): \(String(cString: strerror(errno)))")
        }
        for type in types {
            let path = directory + "/" + type.rawValue + ".jsonl"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw TapFailure("extract-requests: \(path): \(String(cString: strerror(errno)))") }
            files[type] = fd
        }
    }

    deinit {
        for fd in files.values { Glibc.close(fd) }
    }

    /// Writes whole records of one type.
    public func write(_ type: RequestType, _ records: [UInt8]) throws {
        if let fd = files[type] {
            try records.withUnsafeBytes { try OutputBuffer.writeAll(fd, $0) }
            return
        }
        // Tagged stream: `{"type":"NAME",` + the rest of each record.
        let tag = Array("{\"type\":\"\(type.rawValue)\",".utf8)
        var start = 0
        while start < records.count {
            guard let nl = records[start...].firstIndex(of: 0x0A) else { break }
            stdout.bytes += tag
            stdout.bytes += records[(start + 1)...nl]
            start = nl + 1
            try stdout.recordDone()
        }
    }

    public func finish() throws {
        try stdout.flush()
    }
}
