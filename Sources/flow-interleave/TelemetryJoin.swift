// The agents' own telemetry on the flow cards (docs/FORMAT.md §6a): tool decisions and tool
// results (`codex.tool_decision`, `codex.tool_result`, `claude_code.tool_decision`,
// `claude_code.tool_result`, as otel-capture writes them) join the card of a flow of the same
// session — sse-capture's `session_id` is the agents' own conversation/session id.
//
// Which card: the newest STREAMING flow of the session, else its most recently started flow
// (its card comes back, "continued", when it was already closed; ScreenController.flow(ofSession:)). A record whose session has
// no flow yet is counted and named at the end of the transcript (ndjson: passes through as it
// is), never dropped silently. Pure data and parsing here; the Interleaver does the joining.

import TapCodec

/// One tool event of the telemetry, with what its card line shows.
struct ToolTelemetry: Equatable {
    enum Kind: Equatable { case decision, result }

    var kind: Kind
    var sessionID: String?
    var tool: String
    var decision: String?
    var source: String?
    var success: Bool?
    var durationMs: Int64?
    var error: String?

    static let eventNames: [(name: String, kind: Kind)] = [
        ("codex.tool_decision", .decision), ("codex.tool_result", .result),
        ("claude_code.tool_decision", .decision), ("claude_code.tool_result", .result),
    ]

    /// The tool event a record holds, or nil for any other record (a byte comparison of the type first).
    init?(_ record: Record, type typeSpan: JSONSpan) {
        let json = record.json
        guard let kind = Self.eventNames.first(where: { json.stringEquals(typeSpan, $0.name) })?.kind else {
            return nil
        }
        self.kind = kind
        sessionID = record.sessionID
        let attributes = record.field("attributes")
        func member(_ key: String) -> JSONSpan? { attributes.flatMap { json.field(key, in: $0) } }
        func text(_ key: String) -> String? {
            guard let span = member(key) else { return nil }
            if span.kind == .string { return json.string(span).flatMap { $0.isEmpty ? nil : $0 } }
            if span.kind == .number || span.kind == .true || span.kind == .false {
                return String(decoding: json.raw(span), as: UTF8.self)
            }
            return nil
        }
        tool = text("tool_name") ?? "?"
        decision = text("decision")
        source = text("source")
        // Codex writes booleans and numbers through Display: "true", "120" arrive as strings.
        switch text("success") {
        case "true"?: success = true
        case "false"?: success = false
        default: success = nil
        }
        durationMs = text("duration_ms").flatMap { Int64($0) ?? Double($0).map { Int64($0.rounded()) } }
        error = text("error")
    }

    init(
        kind: Kind,
        sessionID: String?,
        tool: String,
        decision: String? = nil,
        source: String? = nil,
        success: Bool? = nil,
        durationMs: Int64? = nil,
        error: String? = nil
    ) {
        self.kind = kind
        self.sessionID = sessionID
        self.tool = tool
        self.decision = decision
        self.source = source
        self.success = success
        self.durationMs = durationMs
        self.error = error
    }

    /// The card line: `⚙ tool Bash accepted (config)`, `✓ Bash 120 ms`, `✗ Bash 40 ms · exit 1`.
    var line: String {
        switch kind {
        case .decision:
            // Claude Code says accept/reject; Codex approved/denied/abort/approved_for_session.
            let word: String
            switch decision {
            case "accept"?: word = "accepted"
            case "reject"?: word = "rejected"
            case let other?: word = other
            case nil: word = "decided"
            }
            return "⚙ tool \(tool) \(word)" + (source.map { " (\($0))" } ?? "")
        case .result:
            let mark = success == true ? "✓" : success == false ? "✗" : "•"
            var parts = ["\(mark) \(tool)"]
            if let durationMs { parts.append("\(durationMs) ms") }
            var line = parts.joined(separator: " ")
            if let error { line += " · " + Interleaver.oneLine(error) }
            return line
        }
    }
}

/// Telemetry that found no flow, by session, for the closing line of the transcript.
struct UnmatchedTelemetry {
    private(set) var total = 0
    private(set) var bySession: [(session: String, count: Int)] = []
    /// Sessions past the first 16 are counted in `total` only.
    private(set) var omitted = false

    mutating func count(session: String?) {
        total += 1
        let name = session ?? "(none)"
        if let index = bySession.firstIndex(where: { $0.session == name }) {
            bySession[index].count += 1
        } else if bySession.count < 16 {
            bySession.append((name, 1))
        } else {
            omitted = true
        }
    }

    /// `· 3 tool events from telemetry matched no flow (session 019ac1b2: 2, session 7f3e9a10: 1)`
    var line: String? {
        guard total > 0 else { return nil }
        let noun = total == 1 ? "tool event" : "tool events"
        let sessions = bySession.map { "session \($0.session.prefix(8)): \($0.count)" }.joined(separator: ", ")
        return "· \(total) \(noun) from telemetry matched no flow (\(sessions)\(omitted ? ", …" : ""))"
    }
}

extension ToolTelemetry {
    /// The record with `"card_flow_id":"<flow>"` spliced in before its closing brace: the flow
    /// whose card it joined (`--format ndjson`; the renderer adds `card_state`).
    static func joined(_ line: UnsafeRawBufferPointer, flowID: String) -> [UInt8] {
        var end = line.count
        while end > 0, line[end - 1] != UInt8(ascii: "}") { end -= 1 }
        guard end > 0 else { return Array(line) }
        var out: [UInt8] = []
        out.reserveCapacity(line.count + flowID.utf8.count + 20)
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[..<(end - 1)]))
        var k = end - 2
        while k >= 0, line[k] == 0x20 || line[k] == 0x09 { k -= 1 }
        if k >= 0, line[k] != UInt8(ascii: "{") { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: #""card_flow_id":"#.utf8)
        var id = flowID
        id.withUTF8 { JSONStringEncoder.appendQuoted(UnsafeRawBufferPointer($0), to: &out) }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
