// The options every StreamTap tool shares (DESIGN §4 rules 2-6), as one @OptionGroup.

import ArgumentParser
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case ndjson, text
}

public enum ColorMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    case auto, always, never
}

public struct StreamOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Input files (standard input when none, or for -).", valueName: "file"))
    public var files: [String] = []

    @Option(help: "Output: ndjson (records) or text (the rendered view). Default: text on a terminal, else ndjson.")
    public var format: OutputFormat?

    @Option(help: "Colour in text output: auto (terminal and no NO_COLOR), always, never.")
    public var color: ColorMode = .auto

    @Flag(help: "Make a line that is not a JSON object a fatal error (exit 2).")
    public var strict = false

    @Flag(help: "Flush output after every record, even when piped.")
    public var lineBuffered = false

    @Flag(help: "Keep reading files as they grow (like tail -F: rotation and truncation handled).")
    public var follow = false

    public init() {}

    public var stdoutIsTerminal: Bool { OutputBuffer.isTerminal(1) }

    /// text on a terminal, ndjson when piped, unless --format says.
    public var resolvedFormat: OutputFormat { format ?? (stdoutIsTerminal ? .text : .ndjson) }

    /// Colour decision: --color always/never win; auto means a terminal, NO_COLOR unset, TERM not dumb.
    public var useColor: Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
            if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
            return stdoutIsTerminal
        }
    }

    /// Line-buffered when asked or when stdout is a terminal.
    public var shouldLineBuffer: Bool { lineBuffered || stdoutIsTerminal }
}
