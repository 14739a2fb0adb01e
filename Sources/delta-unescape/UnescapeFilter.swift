// delta-unescape's record filter: one chunk-aware JSON-string unescaper per (flow_id, block
// index), fed the `text` of each selected delta in order, so an escape cut between two deltas
// decodes as if it had arrived whole. Pure: records in, bytes out, no I/O.
//
// NDJSON out (the wire format): a selected delta is written back with `text` replaced by the
// decoded text and `"unescaped":true` added; everything else passes through byte for byte.
// The bytes of an escape still open when its block ends (or the input ends) go out literally
// in one extra delta record placed before that `block_end`, with `"flushed":true`, so the
// texts of a block always concatenate to every byte that came in.

import TapCodec

/// Per-stream unescapers: the core state, keyed by (flow, block).
struct UnescapeStreams {
    var streams: [DeltaStreamKey: JSONFragmentUnescaper] = [:]
    /// Invalid escapes kept literally, over all streams.
    private(set) var issues = 0
    private(set) var firstIssue: String?

    /// Decodes one fragment of the stream `key`.
    mutating func decode(_ key: DeltaStreamKey, _ fragment: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var state = (streams.isEmpty ? nil : streams.removeValue(forKey: key)) ?? JSONFragmentUnescaper()
        let before = state.issues
        state.feed(fragment, into: &out)
        noteIssues(state, since: before)
        // Only streams with an escape still open need to be remembered.
        if state.isInsideEscape { streams[key] = state }
    }

    /// Ends the stream `key`: what an unfinished escape held, literally.
    mutating func end(_ key: DeltaStreamKey, into out: inout [UInt8]) {
        guard var state = streams.removeValue(forKey: key) else { return }
        let before = state.issues
        state.finish(into: &out)
        noteIssues(state, since: before)
    }

    /// The keys that still hold an open escape (sorted, so the end of input is deterministic).
    var openKeys: [DeltaStreamKey] {
        streams.keys.sorted {
            ($0.flow.lexicographicallyPrecedes($1.flow)) || ($0.flow == $1.flow && $0.index < $1.index)
        }
    }

    private mutating func noteIssues(_ state: JSONFragmentUnescaper, since before: Int) {
        guard state.issues > before else { return }
        issues += state.issues - before
        if firstIssue == nil { firstIssue = state.firstIssue }
    }
}

struct UnescapeFilter {
    enum Output { case ndjson, text }

    let kinds: Set<String>
    /// The selected kinds as bytes, compared with the record's `kind` without decoding it.
    let kindBytes: [[UInt8]]
    let output: Output
    let color: Bool
    var streams = UnescapeStreams()
    /// Last stream shown in text mode (a header goes out when it changes).
    var shownKey: DeltaStreamKey?
    var atLineStart = true
    /// The kind of the last fragment per open stream, for the flushed record.
    var lastKind: [DeltaStreamKey: (kind: String, session: String?)] = [:]
    private var decoded: [UInt8] = []
    private var fragment: [UInt8] = []
    private var quoted: [UInt8] = []
    private static let mark = Array(#","unescaped":true"#.utf8)

    init(kinds: Set<String>, output: Output, color: Bool) {
        self.kinds = kinds
        kindBytes = kinds.map { Array($0.utf8) }
        self.output = output
        self.color = color
        decoded.reserveCapacity(4096)
        fragment.reserveCapacity(4096)
    }

    /// One record. Returns a warning the first time an invalid escape is met.
    mutating func feed(_ record: Record, into out: inout [UInt8]) -> String? {
        let issuesBefore = streams.issues
        guard let delta = DeltaFragment(record) else {
            if record.isType(RecordType.flowEnd), let flow = record.field("flow_id") {
                endFlow(record.json.rawArray(flow), into: &out)
            }
            passThrough(record, into: &out)
            return nil
        }
        if delta.isKind("block_end") {
            end(delta.key, into: &out)
            passThrough(record, into: &out)
            return nil
        }
        guard isSelected(delta), let textSpan = delta.textSpan, !delta.hasUnescapedMark else {
            passThrough(record, into: &out)
            return nil
        }
        fragment.removeAll(keepingCapacity: true)
        decoded.removeAll(keepingCapacity: true)
        delta.decodeText(into: &fragment)
        fragment.withUnsafeBytes { streams.decode(delta.key, $0, into: &decoded) }
        if streams.streams[delta.key] != nil {
            lastKind[delta.key] = (delta.kind, delta.sessionID)
        } else if !lastKind.isEmpty {
            lastKind[delta.key] = nil
        }
        switch output {
        case .ndjson:
            quoted.removeAll(keepingCapacity: true)
            decoded.withUnsafeBytes { JSONStringEncoder.appendQuoted($0, to: &quoted) }
            RecordSplice.appendLine(
                record.line,
                root: record.root,
                replacing: textSpan,
                with: quoted,
                adding: Self.mark,
                into: &out
            )
        case .text:
            showHeaderIfNeeded(delta.key, kind: delta.kind, into: &out)
            appendText(decoded, into: &out)
        }
        if streams.issues > 0, issuesBefore == 0, let first = streams.firstIssue {
            return "invalid escape \(first) kept literally"
        }
        return nil
    }

    /// End of input: every escape still open goes out literally.
    mutating func finish(into out: inout [UInt8]) {
        for key in streams.openKeys { end(key, into: &out) }
        if output == .text, !atLineStart { out.append(0x0A) }
    }

    mutating func endFlow(_ flow: [UInt8], into out: inout [UInt8]) {
        for key in streams.openKeys where key.flow == flow { end(key, into: &out) }
    }

    /// Ends one stream; an unfinished escape is written as one flushed delta record.
    mutating func end(_ key: DeltaStreamKey, into out: inout [UInt8]) {
        decoded.removeAll(keepingCapacity: true)
        streams.end(key, into: &decoded)
        let last = lastKind.removeValue(forKey: key)
        guard !decoded.isEmpty else { return }
        switch output {
        case .text:
            appendText(decoded, into: &out)
        case .ndjson:
            JSONWriter.append(to: &out) { w in
                w.beginObject()
                w.field("v", 1)
                w.field("type", RecordType.delta)
                w.key("flow_id")
                w.raw(key.flow.isEmpty ? Array("null".utf8) : key.flow)
                if let session = last?.session { w.field("session_id", session) }
                w.field("kind", last?.kind ?? "text")
                w.field("index", key.index)
                w.key("text")
                w.string(utf8: decoded)
                w.field("unescaped", true)
                w.field("flushed", true)
                w.endObject()
                w.newline()
            }
        }
    }

    /// True when the delta's kind is one of --fields (raw bytes, no String made).
    func isSelected(_ delta: DeltaFragment) -> Bool {
        let span = delta.kindSpan
        let inner = delta.record.json.raw(span)
        let count = span.count - 2
        for kind in kindBytes where kind.count == count {
            if kind.withUnsafeBytes({ $0.elementsEqual(UnsafeRawBufferPointer(rebasing: inner[1..<(inner.count - 1)])) }
            ) {
                return true
            }
        }
        return false
    }

    func passThrough(_ record: Record, into out: inout [UInt8]) {
        if output == .ndjson { out.appendLine(record.line) }
    }

    mutating func showHeaderIfNeeded(_ key: DeltaStreamKey, kind: String, into out: inout [UInt8]) {
        guard shownKey != key else { return }
        shownKey = key
        if !atLineStart { out.append(0x0A) }
        let header = "--- flow \(key.flowID) block \(key.index) (\(kind)) ---"
        out.append(contentsOf: ANSI.paint(header, ANSI.dim, enabled: color).utf8)
        out.append(0x0A)
        atLineStart = true
    }

    mutating func appendText(_ text: [UInt8], into out: inout [UInt8]) {
        guard let last = text.last else { return }
        out.append(contentsOf: text)
        atLineStart = last == 0x0A
    }
}
