// Where telemetry records go: <log-dir>/otel_events.jsonl, stdout, and the error log.
//
// The records of one export request are encoded first and written with one write(2) on an
// O_APPEND descriptor: each record (each line) lands whole, in one write, never interleaved
// with another request's lines, and a body that fails to decode writes nothing. Files are 0600
// (prompts are in there), the directory 0700. stdout gets the same NDJSON when it is a pipe or
// file (not a terminal, not /dev/null); a terminal gets one line per request.
import Foundation
import Synchronization
import TapCodec

final class EventSink: Sendable {
    static let eventsFile = "otel_events.jsonl"
    static let errorFile = "otel_capture.error"

    let directory: String?
    private let eventsFD: Int32
    private let errorFD: Int32
    private let stdoutMode: StdoutMode
    private let stdoutLock = Mutex<Void>(())
    private let written = Atomic<Int>(0)

    init(directory: String?, stdoutMode: StdoutMode) throws {
        self.directory = directory
        self.stdoutMode = stdoutMode
        guard let directory else {
            eventsFD = -1
            errorFD = -1
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw CaptureError("\(directory): cannot create the log directory (\(error.localizedDescription))")
        }
        eventsFD = try Self.openAppend(directory + "/" + Self.eventsFile)
        errorFD = try Self.openAppend(directory + "/" + Self.errorFile)
    }

    private static func openAppend(_ path: String) throws -> Int32 {
        let fd = RecordLog.openAppend(path)
        guard fd >= 0 else { throw CaptureError("\(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    var recordsWritten: Int { written.load(ordering: .relaxed) }

    /// Writes the whole lines of one request: one write(2) to the events file, then stdout.
    func write(records: [UInt8], count: Int, summary: @autoclosure () -> String) {
        guard !records.isEmpty else { return }
        if eventsFD >= 0 { RecordLog.writeAll(eventsFD, records) }
        switch stdoutMode {
        case .ndjson: stdoutLock.withLock { _ in RecordLog.writeAll(STDOUT_FILENO, records) }
        case .summary:
            let line = Array((summary() + "\n").utf8)
            stdoutLock.withLock { _ in RecordLog.writeAll(STDOUT_FILENO, line) }
        case .none: break
        }
        written.add(count, ordering: .relaxed)
    }

    /// One line on stderr (`otel-capture: …`) and, with a log directory, one JSON line in otel_capture.error.
    func error(_ message: String) {
        FileHandle.standardError.write(Data("otel-capture: \(message)\n".utf8))
        guard errorFD >= 0 else { return }
        var w = JSONWriter()
        w.beginObject()
        w.field("ts", Timestamp.now().iso8601)
        w.field("error", message)
        w.endObject()
        w.newline()
        RecordLog.writeAll(errorFD, w.bytes)
    }

    func sync() {
        if eventsFD >= 0 { fsync(eventsFD) }
    }
}

struct CaptureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
