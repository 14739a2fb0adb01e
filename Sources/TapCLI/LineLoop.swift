// The line loop every tool runs: inputs in order (files or stdin), each line to the tool's
// state machine, output through one OutputBuffer, errors as `tool: line N: message`
// (`FILE:N: message` with several inputs), like ripgrep's crates/cli.

import ArgumentParser
import TapCodec

/// Where a line came from, for messages.
public struct LinePosition {
    public var file: String?
    public var number: Int
    public var severalInputs: Bool

    /// `line 12` or `FILE:12`.
    public var label: String {
        if severalInputs, let file { return "\(file):\(number)" }
        return "line \(number)"
    }
}

/// A failure that ends the tool with an exit status (2 unless said otherwise).
public struct TapFailure: Error, CustomStringConvertible {
    public let description: String
    public let status: Int32
    public init(_ description: String, status: Int32 = 2) {
        self.description = description
        self.status = status
    }
}

/// Stderr messages of one tool: the first bad line is named, the rest counted.
public final class Diagnostics {
    public let tool: String
    public private(set) var badLines = 0
    public private(set) var errors = 0

    public init(tool: String) { self.tool = tool }

    public func warn(_ message: String) {
        writeStandardError("\(tool): \(message)")
    }

    public func error(_ message: String) {
        errors += 1
        writeStandardError("\(tool): \(message)")
    }

    /// A line that is not a JSON object: one warning for the first, a count at the end.
    public func badLine(at position: LinePosition, strict: Bool) throws {
        badLines += 1
        if strict { throw TapFailure("\(tool): \(position.label): not a JSON object") }
        if badLines == 1 { warn("\(position.label): not a JSON object (passed through)") }
    }

    public func summary() {
        if badLines > 1 { warn("\(badLines) lines were not JSON objects (passed through)") }
    }
}

public struct LineLoop {
    public let options: StreamOptions
    public let output: OutputBuffer
    public let diagnostics: Diagnostics
    /// Follow settings (flow-interleave starts at the end); used with --follow.
    public var follow = LineReader.Follow()
    /// Periodic callback while input is idle (live views); nil for plain filters.
    public var onIdle: ((OutputBuffer) throws -> Void)?
    public var idleMilliseconds: Int32 = 100

    public init(_ options: StreamOptions, tool: String) {
        self.options = options
        output = OutputBuffer(lineBuffered: options.shouldLineBuffer)
        diagnostics = Diagnostics(tool: tool)
    }

    /// Runs `feed` on every line (raw bytes, no JSON check), then `finish`.
    public func run(
        feed: (UnsafeRawBufferPointer, LinePosition, inout [UInt8]) throws -> Void,
        finish: (inout [UInt8]) throws -> Void = { _ in }
    ) throws {
        try drive(validating: false, feed: { line, _, position, out in try feed(line, position, &out) }, finish: finish)
    }

    /// Runs `feed` on every line that is a JSON object; other lines pass through unchanged
    /// with a warning (fatal with --strict), as DESIGN §4 rule 2 says. Lines come from
    /// LineReader.forEachRecordLine, whose one pass validates a line and finds its end.
    public func runRecords(
        feed: (Record, LinePosition, inout [UInt8]) throws -> Void,
        finish: (inout [UInt8]) throws -> Void = { _ in }
    ) throws {
        let strict = options.strict
        let diagnostics = self.diagnostics
        try drive(
            validating: true,
            feed: { line, isValidObject, position, out in
                if isValidObject, let record = Record(line: line, validate: false) {
                    try feed(record, position, &out)
                } else if isBlank(line) {
                    out.appendLine(line)
                } else {
                    try diagnostics.badLine(at: position, strict: strict)
                    out.appendLine(line)
                }
            },
            finish: finish
        )
    }

    /// The inputs in order, every line to `feed` (with `isValidObject` when `validating`), then `finish`.
    private func drive(
        validating: Bool,
        feed: (UnsafeRawBufferPointer, Bool, LinePosition, inout [UInt8]) throws -> Void,
        finish: (inout [UInt8]) throws -> Void
    ) throws {
        let inputs = options.files.isEmpty ? ["-"] : options.files
        var position = LinePosition(file: nil, number: 0, severalInputs: inputs.count > 1)
        var failed = false
        for input in inputs {
            let reader: LineReader
            do {
                if input == "-" {
                    reader = LineReader()
                } else {
                    reader = try LineReader(path: input, follow: options.follow ? follow : nil)
                }
            } catch {
                diagnostics.error("\(error)")
                failed = true
                continue
            }
            if let onIdle {
                let output = self.output
                reader.idleMilliseconds = idleMilliseconds
                reader.onIdle = { try onIdle(output) }
            }
            position.file = input == "-" ? "<stdin>" : input
            position.number = 0
            func deliver(_ line: UnsafeRawBufferPointer, _ isValidObject: Bool) throws {
                position.number += 1
                try feed(line, isValidObject, position, &output.bytes)
                try output.recordDone()
            }
            if validating {
                try reader.forEachRecordLine(deliver)
            } else {
                try reader.forEachLine { try deliver($0, false) }
            }
        }
        try finish(&output.bytes)
        try output.flush()
        diagnostics.summary()
        if failed { throw TapFailure("", status: 2) }
    }
}

/// Empty lines (or only whitespace) are kept but not reported.
func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
    line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
}
