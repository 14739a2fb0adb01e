import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `redis-dump`: a Redis stream to NDJSON (range, follow, consumer group), or NDJSON to a stream (`--xadd`).
@main
struct RedisDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis-dump",
        abstract: "Dump a Redis stream as NDJSON (range, follow, consumer group), or publish NDJSON to one.")

    @Argument(help: "The stream key to read (not with --xadd).")
    var key: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var reading: ReadOptions
    @Option(name: .customLong("xadd"), help: ArgumentHelp("Read NDJSON from stdin; XADD each line to KEY as field `record`.", valueName: "KEY"))
    var xaddKey: String?
    @Option(help: ArgumentHelp("With --xadd: trim the stream to about N entries (XADD MAXLEN ~ N).", valueName: "~N"))
    var maxlen: String?

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

    mutating func run() throws {
        let target = try connection.target()
        if let xaddKey {
            let publisher = XaddPublisher(
                key: xaddKey, target: target, batch: reading.batch, maxLength: try maxLength(),
                isJSONObject: RecordCheck.isJSONObject, warn: Diagnostics.warn)
            let summary = try publisher.run { body in try forEachLine(body) }
            if summary.refused > 0 {
                Diagnostics.warn("\(summary.refused) line(s) refused, \(summary.written) written")
                throw ExitCode(2)
            }
        } else if let key {
            let reader = StreamReader(
                key: key, target: target, plan: try reading.plan(), output: StdoutWriter(), log: Diagnostics.warn)
            try reader.run()
        }
    }

    static func main() {
        signal(SIGPIPE, SIG_IGN)  // a closed stdout shows up as EPIPE, ended quietly below
        do {
            var command = try parseAsRoot()
            try command.run()
            Glibc.exit(0)
        } catch is OutputClosed {
            Glibc.exit(0)
        } catch let error as ExitCode {
            Glibc.exit(error.rawValue)
        } catch let error as RedisError {
            Diagnostics.fail(error.description)
        } catch let error as XaddError {
            Diagnostics.fail(error.description)
        } catch let error as RedisTarget.URLError {
            Diagnostics.fail(error.description)
        } catch let error as IOError {
            Diagnostics.fail(error.description)
        } catch {
            // ArgumentParser's usage errors exit 64; the StreamTap contract says 2.
            if exitCode(for: error).rawValue == 64 { Diagnostics.fail(fullMessage(for: error), prefixed: false) }
            exit(withError: error)
        }
    }
}
