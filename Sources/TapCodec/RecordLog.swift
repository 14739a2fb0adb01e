// The capturing tools' output (sse-capture, otel-capture): append-only record files and the
// choice of what goes to stdout. One place for what both need, so the guarantees are the same:
// files are created 0600 (they hold prompts and code), every batch of whole lines goes out in
// one write(2) on an O_APPEND descriptor (concurrent writers never interleave inside a line and
// kill -9 leaves only whole lines), a short write is continued.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum RecordLog {
    /// Opens `path` for appending, creating it 0600; -1 with `errno` set on failure.
    public static func openAppend(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    }

    /// Writes all of `bytes` (OutputBuffer.writeAll: one write(2) in the normal case, a short
    /// write continued, EINTR retried). A failure (disk full, a closed stdout) loses this batch
    /// only: a capturing tool keeps serving its clients.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        _ = try? OutputBuffer.writeAll(fd, bytes)
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }
}

/// What a capturing tool writes on stdout besides its log files.
public enum StdoutMode: Sendable {
    /// Every record, as in the files (a pipe or a file).
    case ndjson
    /// One human line per flow or request (a terminal).
    case summary
    case none

    /// The default when `--format` is not given: a summary on a terminal, nothing into
    /// /dev/null (writing records there only burns CPU; a benchmark harness or a service
    /// manager does this), NDJSON otherwise.
    public static var automatic: StdoutMode {
        if isatty(STDOUT_FILENO) != 0 { return .summary }
        var out = stat()
        var null = stat()
        guard fstat(STDOUT_FILENO, &out) == 0, stat("/dev/null", &null) == 0 else { return .ndjson }
        return out.st_dev == null.st_dev && out.st_ino == null.st_ino ? .none : .ndjson
    }
}
