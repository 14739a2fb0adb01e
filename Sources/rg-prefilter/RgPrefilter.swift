// rg-prefilter: the command. Options and the wiring only; FileSearch runs LineSearcher (pure,
// feed/finish) over LineMatcher on each input; reading is Input (mmap, not TapCLI's LineLoop: the
// search wants whole buffers, not lines); writing is TapCodec's OutputBuffer; exits through TapMain.
import ArgumentParser
import TapCLI
import TapCodec

@main
struct RgPrefilter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rg-prefilter",
        abstract: "Pass the NDJSON lines that match PCRE2 patterns or JSON fields, fast.",
        discussion: "Without -e or --field, the first argument is the pattern. Reads stdin when no FILE is given."
    )

    @Option(
        name: [.customShort("e"), .customLong("regexp")],
        parsing: .unconditionalSingleValue,
        help: ArgumentHelp("A pattern (repeatable: any may match).", valueName: "PATTERN")
    )
    var patterns: [String] = []
    @Option(
        name: .customLong("field"),
        help: ArgumentHelp("A JSON field KEY=VALUE every line must hold (repeatable).", valueName: "KEY=VALUE")
    )
    var fields: [String] = []
    @Flag(name: [.customShort("F"), .customLong("fixed-strings")], help: "Patterns are literal strings, not regexes.")
    var fixedStrings = false
    @Flag(name: [.customShort("i"), .customLong("ignore-case")], help: "Match case-insensitively (Unicode).")
    var ignoreCase = false
    @Flag(name: [.customShort("v"), .customLong("invert-match")], help: "Select the lines that do not match.")
    var invertMatch = false
    @Flag(name: [.customShort("c"), .customLong("count")], help: "Print the number of selected lines per file.")
    var count = false
    @Option(
        name: [.customShort("m"), .customLong("max-count")],
        help: ArgumentHelp("Stop after NUM lines.", valueName: "NUM")
    )
    var maxCount: Int?
    @Flag(
        name: [.customShort("l"), .customLong("files-with-matches")],
        help: "Print only the names of matching files."
    )
    var filesWithMatches = false
    @Flag(help: "Keep reading a file as it grows, like tail -F (rotation and truncation handled).")
    var follow = false
    @Flag(help: "Write after every block read, even when piped (always on a terminal and with --follow).")
    var lineBuffered = false
    @Option(
        name: [.customShort("j"), .customLong("threads")],
        help: ArgumentHelp("Threads for a big file.", valueName: "NUM")
    )
    var threads: Int?
    @Argument(
        help: ArgumentHelp("The pattern (when no -e/--field), then the files (none: stdin).", valueName: "PATTERN|FILE")
    )
    var arguments: [String] = []

    mutating func validate() throws {
        if patterns.isEmpty, fields.isEmpty, arguments.isEmpty {
            throw ValidationError("give a PATTERN, -e PATTERN or --field KEY=VALUE")
        }
        if let maxCount, maxCount < 0 { throw ValidationError("-m NUM must be 0 or more") }
        if let threads, threads < 1 { throw ValidationError("-j NUM must be 1 or more") }
        if let bad = fields.first(where: { FieldPattern($0) == nil }) {
            throw ValidationError("--field \(bad): expected KEY=VALUE")
        }
    }

    func run() throws {
        var query = Query(
            fields: fields.compactMap(FieldPattern.init),
            fixedStrings: fixedStrings,
            ignoreCase: ignoreCase
        )
        var files = arguments
        query.patterns = patterns.isEmpty && fields.isEmpty ? [files.removeFirst()] : patterns
        let matcher: LineMatcher
        do { matcher = try query.matcher() } catch let error as PatternError {
            throw TapFailure("rg-prefilter: \(error)")
        }
        let search = FileSearch(
            query: query,
            matcher: matcher,
            invert: invertMatch,
            mode: filesWithMatches ? .firstOnly : count ? .count : .lines,
            maxCount: maxCount,
            follow: follow,
            threads: threads ?? ParallelSearch.workerCount,
            output: OutputBuffer(lineBuffered: follow || lineBuffered || OutputBuffer.isTerminal(1))
        )
        let result = try search.run(files.isEmpty ? [nil] : files.map { $0 == "-" ? nil : $0 })  // "-": stdin
        if result.failed { throw ExitCode(2) }
        if !result.selected { throw ExitCode(1) }
    }

    static func main() { TapMain.run(Self.self) }  // exit 0/1/2, usage 64 -> 2, EPIPE -> 0
}
