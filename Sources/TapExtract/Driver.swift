// The I/O edge shared by the extract tools: the inputs (stdin, or files read one after the
// other as if concatenated), the count of lines that are not JSON objects (the first named on
// stderr, the total at the end; fatal with --strict), the progress line on a terminal, and
// one big buffered output written when the answer is complete.

import ArgumentParser
import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public struct ExtractOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Capture logs (standard input when none, or for -); several files are read as their concatenation.",
            valueName: "file"
        )
    )
    public var files: [String] = []

    @Flag(
        help: "Never show the progress line (it is shown only when stderr is a terminal and the input is over 50 MB)."
    )
    public var noProgress = false

    @Flag(help: "Make a line that is not a JSON object a fatal error (exit 2).")
    public var strict = false

    public init() {}
}

/// What a line turned out to be, for the bad-line count.
public enum LineVerdict {
    case used, skipped, bad
}

public final class ExtractDriver {
    public let tool: String
    let options: ExtractOptions
    public internal(set) var badLines = 0
    public internal(set) var lines = 0

    public init(tool: String, options: ExtractOptions) {
        self.tool = tool
        self.options = options
    }

    /// Reads every input line through `body`, then lets `finish` write the answer.
    public func run(
        _ body: (UnsafeRawBufferPointer) -> LineVerdict,
        finish: (inout [UInt8]) throws -> Void
    ) throws {
        try forEachNamedInput(finish: finish) { input, several, progress in
            let reader: LineReader
            do {
                reader = input == "-" ? LineReader() : try LineReader(path: input)
            } catch {
                writeStandardError("\(tool): \(error)")
                return false
            }
            var number = 0
            try reader.forEachLine { line in
                number += 1
                lines += 1
                progress.advance(line.count + 1)
                if body(line) == .bad { try noteBad(input, number, several) }
            }
            return true
        }
    }

    /// The inputs (standard input when none is named) one after the other: `read(input, several,
    /// &progress)` returns false when the input could not be read (said on stderr; the tool then
    /// exits 2 after its answer); then `finish` writes the answer.
    func forEachNamedInput(
        finish: (inout [UInt8]) throws -> Void,
        _ read: (String, Bool, inout Progress) throws -> Bool
    ) throws {
        let inputs = options.files.isEmpty ? ["-"] : options.files
        var progress = Progress(tool: tool, total: Self.totalSize(inputs), enabled: !options.noProgress)
        var failed = false
        for input in inputs {
            if try !read(input, inputs.count > 1, &progress) { failed = true }
        }
        progress.end()
        if badLines > 1 { writeStandardError("\(tool): \(badLines) lines were not JSON objects (skipped)") }
        let output = OutputBuffer(lineBuffered: false)
        try finish(&output.bytes)
        try output.flush()
        if failed { throw TapFailure("", status: 2) }
    }

    /// Counts a bad line; the first is named on stderr (fatal with --strict).
    func noteBad(_ input: String, _ number: Int, _ several: Bool) throws {
        badLines += 1
        let label = several ? "\(input == "-" ? "<stdin>" : input):\(number)" : "line \(number)"
        if options.strict { throw TapFailure("\(tool): \(label): not a JSON object") }
        if badLines == 1 { writeStandardError("\(tool): \(label): not a JSON object (skipped)") }
    }

    /// Runs the classic loop of the flow tools: classify, feed the table the records it reads.
    public func run(table: inout FlowTable, finish: (FlowTable, inout [UInt8]) throws -> Void) throws {
        if let literals = table.eventLiterals {
            // The event literals are found in the pass that finds the line ends (no memmem per line).
            try run(
                marking: literals,
                { line, holds in
                    guard let view = RecordView(line: line) else { return RecordView.isBlank(line) ? .skipped : .bad }
                    guard let type = view.type else { return view.isValid ? .skipped : .bad }
                    if type == .flow { return table.feedFlow(view) ? .used : .bad }
                    if type == .sse, !holds { return .skipped }
                    guard table.reads(type) else { return .skipped }
                    guard view.isValid else { return .bad }
                    table.feed(view, type: type)
                    return .used
                },
                finish: { out in try finish(table, &out) }
            )
            return
        }
        try run(
            { line in
                // `classify` inlined on the view already made (its type read once): flow records
                // (most of the bytes) are checked by their one-pass parser, the other types the
                // table reads fully (RFC 8259), untyped lines must be valid, the rest is skipped.
                guard let view = RecordView(line: line) else { return RecordView.isBlank(line) ? .skipped : .bad }
                guard let type = view.type else { return view.isValid ? .skipped : .bad }
                if type == .flow { return table.feedFlow(view) ? .used : .bad }
                if type == .sse, !table.mayMatter(line) { return .skipped }
                guard table.reads(type) else { return .skipped }
                guard view.isValid else { return .bad }
                table.feed(view, type: type)
                return .used
            },
            finish: { out in try finish(table, &out) }
        )
    }

    /// Total bytes of the regular-file inputs (stdin counts when it is a file), for progress.
    static func totalSize(_ inputs: [String]) -> Int {
        var total = 0
        for input in inputs {
            var st = stat()
            let ok = input == "-" ? fstat(0, &st) == 0 : stat(input, &st) == 0
            if ok, (st.st_mode & S_IFMT) == S_IFREG { total += Int(st.st_size) }
        }
        return total
    }
}

/// The one-line progress display: bytes read of total, MB/s, lines; on a terminal stderr only,
/// for inputs over 50 MB, redrawn at most 5 times a second and erased at the end.
struct Progress {
    let tool: String
    let total: Int
    let enabled: Bool
    var bytes = 0
    var lines = 0
    var nextCheck = 8 << 20
    var start: Int64 = 0
    var lastDraw: Int64 = 0
    var drawn = false

    init(tool: String, total: Int, enabled: Bool) {
        self.tool = tool
        self.total = total
        self.enabled = enabled && total > 50_000_000 && isatty(2) == 1
        start = Timestamp.now().microseconds
    }

    @inline(__always)
    mutating func advance(_ count: Int) {
        guard enabled else { return }
        bytes += count
        lines += 1
        if bytes >= nextCheck {
            nextCheck = bytes + (8 << 20)
            draw()
        }
    }

    /// Several lines at once (the prefiltered scan counts lines it never hands out).
    @inline(__always)
    mutating func advance(bytes count: Int, lines n: Int) {
        guard enabled else { return }
        bytes += count
        lines += n
        if bytes >= nextCheck {
            nextCheck = bytes + (8 << 20)
            draw()
        }
    }

    mutating func draw() {
        let now = Timestamp.now().microseconds
        guard now - lastDraw >= 200_000 else { return }
        lastDraw = now
        let seconds = max(Double(now - start) / 1e6, 1e-6)
        let mb = Double(bytes) / 1e6
        let line = "\(tool): \(Int(mb)) of \(total / 1_000_000) MB, \(Int(mb / seconds)) MB/s, \(lines) lines"
        writeRaw("\r\u{1B}[2K" + line)
        drawn = true
    }

    mutating func end() {
        if drawn { writeRaw("\r\u{1B}[2K") }
    }

    func writeRaw(_ text: String) {
        var text = text
        text.withUTF8 { try? OutputBuffer.writeAll(2, UnsafeRawBufferPointer($0)) }
    }
}

/// The bytes of a small file (prices, fixtures), nil when it cannot be read.
public func readWholeFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65536, file) }
        if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        if n < 65536 { break }
    }
    return ferror(file) == 0 ? bytes : nil
}
