// extract-requests: one pass over a capture, one JSONL per data type (DESIGN §6,
// man/extract-requests.1). The state machine is TapExtract's RequestExtractor; this file
// wires options, the pass and the output files.

import ArgumentParser
import TapCLI
import TapCodec
import TapExtract

@main
struct ExtractRequests: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-requests",
        abstract: "Extract many data types from request bodies (and responses) in one pass, one JSONL per type."
    )

    @OptionGroup var input: ExtractOptions

    @Option(
        help: ArgumentHelp(
            "Comma-separated types, or all: \(RequestType.allCases.map(\.rawValue).joined(separator: ",")).",
            valueName: "list"
        )
    )
    var extract = "all"

    @Option(
        help: ArgumentHelp(
            "Write TYPE.jsonl files here (created if needed); without it, one stream on stdout with a \"type\" key per record.",
            valueName: "dir"
        )
    )
    var outDir: String?

    mutating func validate() throws {
        if case .failure(let error) = RequestType.parse(extract) { throw ValidationError(error.description) }
    }

    mutating func run() throws {
        guard case .success(let types) = RequestType.parse(extract) else { return }
        var extractor = RequestExtractor(types: types)
        let sink = try RequestSink(types: types, directory: outDir)
        var failure: Error?
        try ExtractDriver(tool: "extract-requests", options: input).run(
            { line in
                // `classify` on the view already made (the type read once). Flow records (most
                // of the bytes): the one-pass structural check, not the validator.
                guard let view = RecordView(line: line) else { return RecordView.isBlank(line) ? .skipped : .bad }
                guard let type = view.type else { return view.isValid ? .skipped : .bad }
                if type == .flow {
                    guard extractor.feedFlowLine(view, line) else { return .bad }
                    return .used
                }
                guard extractor.reads(type) else { return .skipped }
                guard view.isValid else { return .bad }
                extractor.feed(view, type: type)
                if extractor.pendingBytes > 4 << 20 {
                    do { try extractor.drain(sink.write) } catch { failure = failure ?? error }
                }
                return .used
            },
            finish: { _ in
                if let failure { throw failure }
                extractor.finish()
                try extractor.drain(sink.write)
                try sink.finish()
            }
        )
    }

    static func main() { TapMain.run(Self.self) }
}
