// The renderers' input: any StreamTap record in, the records they read out. `delta` records
// go straight through; `sse`, `ws`, `flow` and `flow_end` records go through the provider
// decoders (DeltaDecoder) first and come out as `sse-normalize` writes them: an event record
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

    public init() {}

    /// Calls `body` with the record itself or, for a decoded record, what the decoder wrote for it
    /// (the record itself when it passes, and its deltas). `sourceSeq` is the event record's `seq` (deltas do not carry one).
    public mutating func feed(_ record: Record, _ body: (Record, _ sourceSeq: Int64?) throws -> Void) rethrows {
        guard let type = record.typeSpan, type.kind == .string else { return try body(record, nil) }
        let json = record.json
        guard json.stringEquals(type, RecordType.sse) || json.stringEquals(type, RecordType.ws)
            || json.stringEquals(type, RecordType.flow) || json.stringEquals(type, RecordType.flowEnd)
        else { return try body(record, nil) }
        let seq = record.int("seq")
        decoded.removeAll(keepingCapacity: true)
        decoder.feed(record, into: &decoded)
        let isRequest = json.stringEquals(type, RecordType.flow)
            || (json.stringEquals(type, RecordType.ws) && record.field("direction").map { json.stringEquals($0, "client") } == true)
        if isRequest { return try body(record, nil) }
        try emit(source: record, seq: seq, body)
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
