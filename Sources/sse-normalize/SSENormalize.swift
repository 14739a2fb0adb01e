// sse-normalize: StreamTap records in, `delta` records out (DESIGN §5), everything else passed through.
// The decoding lives in TapCodec's DeltaDecoder / RawSSEDecoder; this file only wires options and I/O.

import ArgumentParser
import TapCLI
import TapCodec

/// `--provider` values: the three API shapes, or detect from the events.
enum ProviderChoice: String, ExpressibleByArgument, CaseIterable {
    case anthropic
    case openaiResponses = "openai-responses"
    case chat
    case auto

    var provider: DeltaProvider { DeltaProvider(rawValue: rawValue) ?? .unknown }
}

@main
struct SSENormalize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sse-normalize",
        abstract: "Turn provider SSE events into normalised delta records.",
        discussion: """
            Reads StreamTap records (sse, ws, flow, flow_end, ...) and writes, in order, a delta record for each \
            piece of content the providers streamed. Decoded sse/ws event records are replaced by their deltas; \
            every other record passes through byte-identical. With --raw-sse, reads a raw SSE byte stream \
            instead (what curl -N prints).
            """
    )

    @OptionGroup var io: StreamOptions

    @Flag(help: "Read a raw SSE byte stream (what curl -N prints) instead of records.")
    var rawSSE = false

    @Option(help: "With --raw-sse: the API shape of the stream (auto: detect from the events).")
    var provider: ProviderChoice = .auto

    @Option(help: "With --raw-sse: the flow_id written on every delta.")
    var flowID = "raw"

    @Flag(help: "Keep the decoded event records, each in front of its deltas (with --raw-sse: write sse records).")
    var keepEvents = false

    func validate() throws {
        if !rawSSE && provider != .auto { throw ValidationError("--provider needs --raw-sse") }
        if rawSSE && io.files.count > 1 { throw ValidationError("--raw-sse reads one stream: give at most one file") }
        if rawSSE && io.follow { throw ValidationError("--follow is for record files, not --raw-sse") }
    }

    mutating func run() throws {
        var stage = OutputStage(format: io.resolvedFormat, color: io.useColor)
        if rawSSE {
            var decoder = RawSSEDecoder(flowID: flowID, provider: provider.provider, keepEvents: keepEvents)
            // A live stream: each chunk's deltas are written as soon as it is decoded.
            let output = OutputBuffer(lineBuffered: true)
            try RawInput.forEachChunk(path: io.files.first ?? "-") { chunk in
                stage.write(into: &output.bytes) { decoder.feed(chunk, ts: Timestamp.now(), into: &$0) }
                try output.flush()
            }
            var leftover = SSELeftover()
            stage.write(into: &output.bytes) { leftover = decoder.finish(ts: Timestamp.now(), into: &$0) }
            try output.flush()
            if leftover.bytes > 0 {
                writeStandardError("sse-normalize: \(leftover.bytes) bytes after the last complete event discarded")
            }
            return
        }
        var decoder = DeltaDecoder(keepEvents: keepEvents)
        try LineLoop(io, tool: "sse-normalize").runRecords(
            feed: { record, _, out in stage.write(into: &out) { decoder.feed(record, into: &$0) } },
            finish: { out in stage.write(into: &out) { decoder.finish(into: &$0) } }
        )
    }

    static func main() { TapMain.run(Self.self) }
}
