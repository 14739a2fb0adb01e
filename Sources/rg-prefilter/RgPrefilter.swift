import ArgumentParser
import Glibc

@main
struct RgPrefilter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rg-prefilter",
        abstract: "Pass the NDJSON lines that match PCRE2 patterns or JSON fields, fast.",
        discussion: "Without -e or --field, the first argument is the pattern. Reads stdin when no FILE is given.")

    @Option(name: [.short, .customLong("regexp")], help: ArgumentHelp("A pattern (repeatable: any may match).", valueName: "PATTERN"))
    var patterns: [String] = []
    @Option(name: .customLong("field"), help: ArgumentHelp("A JSON field KEY=VALUE every line must hold (repeatable).", valueName: "KEY=VALUE"))
    var fields: [String] = []
    @Flag(name: [.customShort("F"), .customLong("fixed-strings")], help: "Patterns are literal strings, not regexes.")
    var fixedStrings = false
    @Flag(name: [.short, .customLong("ignore-case")], help: "Match case-insensitively (Unicode).")
    var ignoreCase = false
    @Flag(name: [.customShort("v"), .customLong("invert-match")], help: "Select the lines that do not match.")
    var invertMatch = false
    @Flag(name: [.short, .customLong("count")], help: "Print the number of selected lines (per file) instead.")
    var count = false
    @Option(name: [.short, .customLong("max-count")], help: ArgumentHelp("Stop after NUM selected lines per file.", valueName: "NUM"))
    var maxCount: Int?
    @Flag(name: [.short, .customLong("files-with-matches")], help: "Print only the names of files with a selected line.")
    var filesWithMatches = false
    @Flag(help: "Keep reading a file as it grows, like tail -F (rotation and truncation handled).")
    var follow = false
    @Argument(help: ArgumentHelp("The pattern (when no -e/--field), then the files (none: stdin).", valueName: "PATTERN|FILE"))
    var arguments: [String] = []

    mutating func validate() throws {
        if patterns.isEmpty, fields.isEmpty, arguments.isEmpty { throw ValidationError("give a PATTERN, -e PATTERN or --field KEY=VALUE") }
        if let maxCount, maxCount < 0 { throw ValidationError("-m NUM must be 0 or more") }
        if let bad = fields.first(where: { FieldPattern($0) == nil }) { throw ValidationError("--field \(bad): expected KEY=VALUE") }
    }

    func run() throws {
        var query = Query(fields: fields.compactMap(FieldPattern.init), fixedStrings: fixedStrings, ignoreCase: ignoreCase)
        var files = arguments
        query.patterns = patterns.isEmpty && fields.isEmpty ? [files.removeFirst()] : patterns
        let matcher = try query.matcher()
        let named = files.count > 1
        var output = Output(flushesEachBlock: follow || isatty(1) != 0)
        var anySelected = false
        var failed = false
        for file in files.isEmpty ? [nil] : files.map(Optional.some) {
            let name = file ?? "<stdin>"
            let mode: LineSearcher.Mode = filesWithMatches ? .firstOnly : count ? .count : .lines
            var searcher = LineSearcher(matcher: matcher, invert: invertMatch, mode: mode, maxCount: maxCount,
                                        prefix: named ? Array((name + ":").utf8) : [])
            do {
                if maxCount != 0 {
                    try Input.blocks(path: file, follow: follow, idle: { try output.flush() }) { block in
                        try searcher.feed(block, into: &output.buffer)
                        try output.blockDone()
                        return !searcher.isDone
                    }
                    try searcher.finish(into: &output.buffer)
                }
            } catch let error as InputError {
                failed = true
                try output.flush()
                Self.warn("\(error)")
                continue
            }
            anySelected = anySelected || searcher.selected > 0
            if filesWithMatches, searcher.selected > 0 { output.buffer += Array((name + "\n").utf8) }
            if count, !filesWithMatches, searcher.selected > 0 {
                output.buffer += Array(((named ? name + ":" : "") + "\(searcher.selected)\n").utf8)
            }
            try output.blockDone()
        }
        try output.flush()
        if failed { throw ExitCode(2) }
        if !anySelected { throw ExitCode(1) }
    }

    static func warn(_ message: String) {
        let line = Array("rg-prefilter: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Exit 0 on a selected line, 1 on none, 2 on any error (usage included, not ArgumentParser's 64);
    /// a closed stdout ends the tool quietly with 0.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch is OutputClosed {
            Glibc.exit(0)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch let error as PatternError {
            warn("\(error)")
            Glibc.exit(2)
        } catch {
            if exitCode(for: error) == .success { self.exit(withError: error) }
            let line = Array((fullMessage(for: error) + "\n").utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            Glibc.exit(2)
        }
    }
}
