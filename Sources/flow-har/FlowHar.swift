// flow-har: capture records -> HAR 1.2 (for browser devtools, Charles, mitmproxy and other HAR
// readers), and `--to-ndjson` HAR -> records, so HAR files enter the StreamTap pipeline. The
// mapping is in HarWriter.swift and HarReader.swift.

import ArgumentParser
import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct FlowHar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow-har",
        abstract: "Convert capture records to HAR 1.2, or HAR back to records.",
        discussion: """
            Reads flow, sse, ws and flow_end records and writes one HAR 1.2 document: an entry per flow with \
            the SSE body rebuilt as response text and WebSocket frames in _webSocketMessages. With \
            --to-ndjson, reads HAR files and writes flow, sse/ws and flow_end records.
            """
    )

    @Argument(help: ArgumentHelp("Input files (standard input when none, or for -).", valueName: "file"))
    var files: [String] = []

    @Flag(help: "Read HAR files and write NDJSON records instead.")
    var toNdjson = false

    @Flag(help: "Make a line that is not a JSON object a fatal error (exit 2).")
    var strict = false

    mutating func run() throws {
        if toNdjson { return try harToRecords() }
        // The shared options, made from ours (flow-har has no --format/--color/--follow: HAR is one document).
        let options = try StreamOptions.parse((strict ? ["--strict"] : []) + ["--"] + files)
        let loop = LineLoop(options, tool: "flow-har")
        var writer = HarWriter()
        try loop.run(
            feed: { line, position, out in
                if Record(line: line) == nil, !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    try loop.diagnostics.badLine(at: position, strict: strict)
                }
                writer.feed(line: line, into: &out)
            },
            finish: { out in writer.finish(into: &out) }
        )
    }

    func harToRecords() throws {
        let output = OutputBuffer(lineBuffered: false)
        var failed = false
        for input in files.isEmpty ? ["-"] : files {
            do {
                let document = try Self.readAll(input)
                try document.withUnsafeBytes { try HarReader.convert($0, into: &output.bytes) }
                try output.recordDone()
            } catch let error as HarReadError {
                writeStandardError("flow-har: \(input): \(error.description)")
                failed = true
            }
        }
        try output.flush()
        if failed { throw TapFailure("", status: 2) }
    }

    /// The whole file (a HAR is one JSON document, not lines).
    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HarReadError(description: String(cString: strerror(errno))) }
        defer { if fd != 0 { close(fd) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw HarReadError(description: String(cString: strerror(errno))) }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    static func main() { TapMain.run(Self.self) }
}
