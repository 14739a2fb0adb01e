import ArgumentParser
import TapCLI
import TapCodec

/// `redis-dump`: a Redis stream to NDJSON (range, follow, consumer group), or NDJSON to a stream (`--xadd`).
@main
struct RedisDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis-dump",
        abstract: "Dump a Redis stream as NDJSON (range, follow, consumer group), or publish NDJSON to one."
    )

    @Argument(help: "The stream key to read (not with --xadd).")
    var key: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var reading: ReadOptions
    @Option(
        name: .customLong("xadd"),
        help: ArgumentHelp("Read NDJSON from stdin; XADD each line to KEY as field `record`.", valueName: "key")
    )
    var xaddKey: String?
    @Option(help: ArgumentHelp("With --xadd: trim the stream to about N entries (XADD MAXLEN ~ N).", valueName: "~n"))
    var maxlen: String?
    @Flag(help: "Flush output after every page even when piped (always on a terminal).")
    var lineBuffered = false

    func validate() throws {
        if xaddKey != nil && key != nil { throw ValidationError("give either KEY or --xadd KEY, not both") }
        if xaddKey == nil && key == nil { throw ValidationError("missing KEY (or --xadd KEY)") }
        if maxlen != nil && xaddKey == nil { throw ValidationError("--maxlen needs --xadd") }
        _ = try maxLength()
        try reading.validate()
    }

    private func maxLength() throws -> Int? {
        guard let maxlen else { return nil }
        guard let n = Int(maxlen.hasPrefix("~") ? String(maxlen.dropFirst()) : maxlen), n >= 0 else {
            throw ValidationError("--maxlen expects ~N, a count of entries")
        }
        return n
    }

    func run() throws {
        let diagnostics = Diagnostics(tool: "redis-dump")
        do {
            let target = try connection.target()
            if let xaddKey {
                let publisher = XaddPublisher(
                    key: xaddKey,
                    target: target,
                    batch: reading.batch,
                    maxLength: try maxLength(),
                    isJSONObject: JSONScanner.isValidObject,
                    warn: diagnostics.warn
                )
                let summary = try publisher.run { try LineReader(standardInput: ()).forEachLine($0) }
                if summary.refused > 0 {
                    throw TapFailure("redis-dump: \(summary.refused) line(s) refused, \(summary.written) written")
                }
            } else if let key {
                let output = OutputBuffer(lineBuffered: lineBuffered || OutputBuffer.isTerminal(1))
                try StreamReader(key: key, target: target, plan: reading.plan(), output: output, log: diagnostics.warn)
                    .run()
            }
        } catch let error as RedisError {
            throw TapFailure("redis-dump: \(error)")
        } catch let error as XaddError {
            throw TapFailure("redis-dump: \(error)")
        } catch let error as RedisTarget.URLError {
            throw TapFailure("redis-dump: \(error)")
        }
    }

    static func main() { TapMain.run(Self.self) }
}
