// otel-capture: an OTLP/HTTP receiver that turns the agents' own telemetry into NDJSON records.
import ArgumentParser
import Foundation
import TapCLI
import TapCodec

@main
struct OTelCapture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otel-capture",
        abstract: "OTLP/HTTP receiver: Codex and Claude Code telemetry as NDJSON records.",
        subcommands: [Serve.self, Env.self],
        defaultSubcommand: Serve.self
    )

    static func main() { TapMain.run(Self.self) }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive OTLP/HTTP on /v1/logs, /v1/metrics, /v1/traces (the default command)."
    )

    @Option(help: "Address to listen on (HOST:PORT; port 0 picks a free one).")
    var listen = "127.0.0.1:4318"
    @Option(
        name: .customLong("log-dir"),
        help: "Directory for otel_events.jsonl and otel_capture.error (created 0700, files 0600)."
    )
    var logDirectory: String?
    @Option(help: "stdout: ndjson (default when not a terminal), text (one line per request), or none.")
    var format: OutputFormat?
    @Option(
        name: .customLong("max-body"),
        help: "Largest request body accepted, in bytes after decompression (413 above)."
    )
    var maxBody = 16 << 20
    @Option(help: "Event-loop threads.")
    var threads = 2

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson, text, none
    }

    func validate() throws {
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen \(listen): expected HOST:PORT") }
        guard maxBody > 0, threads > 0 else { throw ValidationError("--max-body and --threads must be positive") }
    }

    mutating func run() throws {
        guard let address = ListenAddress(listen) else {
            throw ValidationError("--listen \(listen): expected HOST:PORT")
        }
        let stdoutMode: StdoutMode
        switch format {
        case .ndjson: stdoutMode = .ndjson
        case .text: stdoutMode = .summary
        case .none?: stdoutMode = .none
        case nil: stdoutMode = .automatic
        }
        do {
            let sink = try EventSink(directory: logDirectory, stdoutMode: stdoutMode)
            try Receiver(host: address.host, port: address.port, threads: threads, maxBody: maxBody, sink: sink).run()
        } catch let error as CaptureError {
            // A runtime failure (address in use, log directory not writable): one line, exit 2, no usage text.
            throw TapFailure("otel-capture: \(error.description)")
        }
    }
}

struct Env: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the shell lines (and Codex config block) that point Claude Code and Codex here."
    )
    @Option(help: "The receiver address the lines point at.")
    var listen = "127.0.0.1:4318"
    @Flag(name: .customLong("no-prompts"), help: "Leave the prompt text out of the telemetry (the agents' default).")
    var noPrompts = false

    mutating func run() throws {
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen \(listen): expected HOST:PORT") }
        print(TelemetryEnvironment.text(endpoint: "http://" + listen, logPrompts: !noPrompts), terminator: "")
    }
}
