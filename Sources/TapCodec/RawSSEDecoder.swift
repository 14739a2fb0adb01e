// RawSSEDecoder: a raw SSE byte stream (what `curl -N` prints) -> delta records, for `sse-normalize --raw-sse`.
//
// The SSE parser finds the events, the provider decoders of DeltaDecoder turn them into deltas. A raw stream
// has no records, so the caller names the flow and gives each chunk's arrival time (read at the I/O edge);
// the provider is fixed by the caller or detected from the first recognisable event.

public struct RawSSEDecoder {
    /// With `keepEvents`, each event is also written as an `sse` record (DESIGN §4) in front of its deltas.
    public var keepEvents: Bool
    /// Events that were not JSON (other than `[DONE]`) or whose provider could not be told: no deltas.
    public private(set) var undecodedEvents = 0
    /// Deltas written so far.
    public private(set) var deltasWritten = 0

    private var parser = SSEParser()
    private var events: [SSEEvent] = []
    private let configuredProvider: DeltaProvider
    private var state: FlowState
    /// Raw JSON of the flow id.
    private let flowID: [UInt8]
    private var seq = 0

    /// `provider` `.unknown` means detect from the events.
    public init(flowID: String, provider: DeltaProvider = .unknown, keepEvents: Bool = false) {
        var quoted: [UInt8] = []
        var id = flowID
        id.withUTF8 { JSONStringEncoder.appendQuoted(UnsafeRawBufferPointer($0), to: &quoted) }
        self.flowID = quoted
        self.configuredProvider = provider
        self.keepEvents = keepEvents
        self.state = FlowState(provider: provider)
    }

    /// Feeds the next chunk, which arrived at `ts` (nil: no timestamp, `ts` is null in the output).
    public mutating func feed(_ bytes: some Collection<UInt8>, ts: Timestamp?, into out: inout [UInt8]) {
        parser.feed(bytes, into: &events)
        flushEvents(ts: ts, into: &out)
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer, ts: Timestamp?, into out: inout [UInt8]) {
        parser.feed(bytes, into: &events)
        flushEvents(ts: ts, into: &out)
    }

    /// Ends the stream: an unterminated last event is discarded (SSE rule 13) and reported; a Chat stream that
    /// saw `finish_reason` but no `[DONE]` gets its `message_end`.
    @discardableResult
    public mutating func finish(ts: Timestamp?, into out: inout [UInt8]) -> SSELeftover {
        let leftover = parser.finish(into: &events)
        flushEvents(ts: ts, into: &out)
        let tsJSON = Self.quoted(ts)
        flowID.withUnsafeBytes { flow in
            tsJSON.withUnsafeBytes { tsBytes in
                let header = DeltaHeader(flowID: flow, sessionID: DeltaHeader.null, ts: tsBytes)
                ChatDecoder.finishPending(&state, header, into: &out, counter: &deltasWritten)
            }
        }
        return leftover
    }

    private static func quoted(_ ts: Timestamp?) -> [UInt8] {
        guard let ts else { return Array("null".utf8) }
        return Array("\"\(ts.iso8601)\"".utf8)
    }

    private mutating func flushEvents(ts: Timestamp?, into out: inout [UInt8]) {
        guard !events.isEmpty else { return }
        let tsJSON = Self.quoted(ts)
        let pending = events
        events.removeAll(keepingCapacity: true)
        for event in pending {
            flowID.withUnsafeBytes { flow in
                tsJSON.withUnsafeBytes { tsBytes in
                    let header = DeltaHeader(flowID: flow, sessionID: DeltaHeader.null, ts: tsBytes)
                    decode(event, header, into: &out)
                }
            }
        }
    }

    private mutating func decode(_ event: SSEEvent, _ header: DeltaHeader, into out: inout [UInt8]) {
        let isDone = event.data == Self.done
        let isJSON = !isDone && JSONScanner.isValid(event.data)
        if keepEvents { writeEventRecord(event, isJSON: isJSON, header, into: &out) }
        seq += 1
        guard isDone || isJSON else {
            undecodedEvents += 1
            return
        }
        event.data.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            let root = isJSON ? json.root() : nil
            let input = EventInput(
                json: json,
                data: root?.kind == .object ? root : nil,
                isDone: isDone,
                eventIsError: event.event == "error"
            )
            if state.provider == .unknown { state.provider = input.detectProvider() }
            guard state.provider != .unknown else {
                undecodedEvents += 1
                return
            }
            if DeltaDecoder.decode(input, &state, header, into: &out, counter: &deltasWritten) {
                state = FlowState(provider: configuredProvider == .unknown ? state.provider : configuredProvider)
            }
        }
    }

    private static let done: [UInt8] = Array("[DONE]".utf8)

    /// `{"v":1,"type":"sse","flow_id","session_id":null,"ts","seq","event","id"?,"data"}`.
    private func writeEventRecord(_ event: SSEEvent, isJSON: Bool, _ header: DeltaHeader, into out: inout [UInt8]) {
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("v", 1)
            w.field("type", "sse")
            w.field("flow_id", raw: header.flowID)
            w.field("session_id", raw: header.sessionID)
            w.field("ts", raw: header.ts)
            w.field("seq", seq)
            w.field("event", event.event)
            if let id = event.id { w.field("id", id) }
            w.key("data")
            if isJSON {
                // Spliced verbatim except that a multi-line payload's newlines are JSON whitespace: drop them
                // so the record stays on one line.
                w.raw(event.data.filter { $0 != 0x0A && $0 != 0x0D })
            } else {
                w.string(utf8: event.data)
            }
            w.endObject()
            w.newline()
        }
    }
}
