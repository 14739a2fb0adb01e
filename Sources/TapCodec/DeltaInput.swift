// The renderers' input: any StreamTap record in, the records they read out. `delta` records
// go straight through; `sse`, `ws`, `flow` and `flow_end` records go through the provider
// decoders (DeltaDecoder, which also turns `redis` records holding a Redis session's events
// into deltas), and come out as `sse-normalize` writes them: an event record
// is replaced by its deltas; flow and flow_end records pass unchanged. The request deltas a
// flow record (or a client `ws` request) gives (`user_prompt`, `tool_result`) are left out:
// a normalised log already holds them beside its flow records, and they are not streamed
// text. So `tool capture.jsonl` and `sse-normalize capture.jsonl | tool` agree on every
// streamed delta, and delta-unescape, json-pretty-stream and bash-detect need no decoder of
// their own. (A log written with `sse-normalize --keep-events` holds events and their deltas:
// normalise it without --keep-events, or its events would be decoded twice.)

public struct DeltaInput {
    var decoder = DeltaDecoder(keepEvents: false)
    var decoded: [UInt8] = []
    /// Flows seen but not yet given to the decoder: a small flow record (ids, provider, url,
    /// no request body) per flow_id, fed when the flow's first event arrives. A normalised log
    /// (flow records, no events) never pays for the decoder, and the request body, which a
    /// renderer does not show, is never parsed.
    var waitingFlows: [[UInt8]: [UInt8]] = [:]

    public init() {}

    /// Calls `body` with the record itself or, for a decoded record, what the decoder wrote for it
    /// (the record itself when it passes, and its deltas). `sourceSeq` is the event record's `seq` (deltas do not carry one).
    public mutating func feed(_ record: Record, _ body: (Record, _ sourceSeq: Int64?) throws -> Void) rethrows {
        guard let type = record.typeSpan, type.kind == .string else { return try body(record, nil) }
        let json = record.json
        guard
            json.stringEquals(type, RecordType.sse) || json.stringEquals(type, RecordType.ws)
                || json.stringEquals(type, RecordType.flow) || json.stringEquals(type, RecordType.flowEnd)
                || json.stringEquals(type, RecordType.redis)
        else { return try body(record, nil) }
        if json.stringEquals(type, RecordType.redis) {
            // A Redis session entry (FORMAT.md 5.1) becomes its deltas; the decoder writes any
            // other entry back unchanged, which `emit` hands on as the record itself.
            decoded.removeAll(keepingCapacity: true)
            decoder.feed(record, into: &decoded)
            return try emit(source: record, seq: nil, body)
        }
        if json.stringEquals(type, RecordType.flow) {
            if let flow = record.field("flow_id") { waitingFlows[json.rawArray(flow)] = Self.smallFlowRecord(record) }
            return try body(record, nil)
        }
        if json.stringEquals(type, RecordType.ws), let direction = record.field("direction"),
            json.stringEquals(direction, "client")
        {
            return try body(record, nil)  // a request: its deltas are not streamed text
        }
        if let flow = record.field("flow_id"), !waitingFlows.isEmpty {
            let id = json.rawArray(flow)
            if let small = waitingFlows.removeValue(forKey: id) {
                // A flow that ends with no event: nothing to decode.
                if json.stringEquals(type, RecordType.flowEnd) { return try body(record, nil) }
                small.withUnsafeBytes { raw in
                    guard let flowRecord = Record(line: raw, validate: false) else { return }
                    var ignored: [UInt8] = []
                    decoder.feed(flowRecord, into: &ignored)
                }
            }
        }
        decoded.removeAll(keepingCapacity: true)
        decoder.feed(record, into: &decoded)
        try emit(source: record, seq: record.int("seq"), body)
    }

    /// The flow record without its request and response: what the decoder needs to decode the
    /// flow's events (flow_id, session_id, ts, provider, url).
    static func smallFlowRecord(_ record: Record) -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        w.field("v", 1)
        w.field("type", RecordType.flow)
        for name in ["flow_id", "session_id", "ts", "provider", "url"] {
            if let span = record.field(name) { w.field(name, raw: record.json.raw(span)) }
        }
        w.endObject()
        return w.bytes
    }

    /// End of input: deltas the decoders still owe (a Chat stream's message_end).
    public mutating func finish(_ body: (Record, _ sourceSeq: Int64?) throws -> Void) rethrows {
        decoded.removeAll(keepingCapacity: true)
        decoder.finish(into: &decoded)
        try emit(source: nil, seq: nil, body)
    }

    /// Splits the decoder's output into lines: the source line is handed back as the source
    /// record (byte-identical), every other line is a delta written by the decoder.
    private mutating func emit(source: Record?, seq: Int64?, _ body: (Record, Int64?) throws -> Void) rethrows {
        let output = decoded
        try output.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                var end = start
                while end < all.count, all[end] != 0x0A { end += 1 }
                let line = UnsafeRawBufferPointer(rebasing: all[start..<end])
                start = end + 1
                if let source, line.count == source.line.count, line.elementsEqual(source.line) {
                    try body(source, nil)
                } else if let delta = Record(line: line, validate: false) {
                    try body(delta, seq)
                }
            }
        }
    }
}
