// The agents' own telemetry (otel-capture records, docs/FORMAT.md "Telemetry records") as the
// extract tools read it beside the capture records: prompts as typed (codex.user_prompt,
// claude_code.user_prompt) and token counts (codex.sse_event response.completed,
// claude_code.api_request). Kept apart from the wire analysis: a telemetry record never
// becomes a flow, and the tools' answers for capture-only input are unchanged.

import TapCodec

/// A prompt event of the telemetry.
public struct TelemetryPrompt {
    public var sessionID: String?
    public var ts: String?
    /// "codex" or "claude_code" (the event name's prefix).
    public var agent: String
    public var model: [UInt8]?
    /// The prompt text; nil when the agent redacted it (prompt logging off).
    public var text: [UInt8]?
    public var length: Int64?
}

/// The token counts of one model request, from telemetry.
public struct TelemetryUsage: Sendable {
    public var sessionID: String?
    public var ts: String?
    public var usage: Usage
}

public enum Telemetry {
    /// The prefixes of the event names the extract tools read (with the opening quote).
    static let agentPrefixes: [[UInt8]] = [Array("\"codex.".utf8), Array("\"claude_code.".utf8)]

    /// The telemetry event name of a record (`type`), nil for any other record. A byte
    /// comparison first, so capture records cost one member lookup and no allocation.
    public static func eventName(_ view: RecordView) -> String? {
        guard let span = view.field("type"), span.kind == .string else { return nil }
        let bytes = view.json.bytes
        let isAgent = agentPrefixes.contains { prefix in
            span.count > prefix.count && prefix.indices.allSatisfy { bytes[span.start + $0] == prefix[$0] }
        }
        return isAgent ? view.json.string(span) : nil
    }

    /// A redacted prompt: Claude Code writes `<REDACTED>` unless OTEL_LOG_USER_PROMPTS=1, Codex
    /// `[REDACTED]` unless log_user_prompt = true; an absent prompt counts as redacted too.
    static let redactedSpellings: [[UInt8]] = [Array("<REDACTED>".utf8), Array("[REDACTED]".utf8)]

    public static func prompt(_ view: RecordView, event: String) -> TelemetryPrompt? {
        guard event == "codex.user_prompt" || event == "claude_code.user_prompt" else { return nil }
        let json = view.json
        let attributes = view.field("attributes")
        var prompt = TelemetryPrompt(
            sessionID: json.text(view.field("session_id")),
            ts: json.text(view.field("ts")),
            agent: event.hasPrefix("codex.") ? "codex" : "claude_code"
        )
        if let model = json.member(attributes, "model"), model.kind == .string { prompt.model = json.canonical(model) }
        let text = json.decoded(json.member(attributes, "prompt"))
        prompt.text = text.flatMap { redactedSpellings.contains($0) ? nil : $0 }
        prompt.length = integer(json, json.member(attributes, "prompt_length"))
        return prompt
    }

    public static func usage(_ view: RecordView, event: String) -> TelemetryUsage? {
        let json = view.json
        let attributes = view.field("attributes")
        func count(_ key: String) -> Int64 { integer(json, json.member(attributes, key)) ?? 0 }
        var usage = Usage()
        switch event {
        case "codex.sse_event":
            // The token counts ride on the response.completed event only. Like the wire's
            // Responses usage, input excludes the cached part, which is cache_read.
            guard json.isString(json.member(attributes, "event.kind"), "response.completed") else { return nil }
            let cached = count("cached_token_count")
            usage.input = count("input_token_count") - cached
            usage.output = count("output_token_count")
            usage.cacheRead = cached
        case "claude_code.api_request":
            usage.input = count("input_tokens")
            usage.output = count("output_tokens")
            usage.cacheRead = count("cache_read_tokens")
            usage.cacheWrite = count("cache_creation_tokens")
        default:
            return nil
        }
        if let model = json.member(attributes, "model"), model.kind == .string {
            usage.model = json.canonical(model).map(InlineText.init(bytes:))
        }
        return TelemetryUsage(
            sessionID: json.text(view.field("session_id")),
            ts: json.text(view.field("ts")),
            usage: usage
        )
    }

    /// An integer attribute: a JSON number, or the decimal string otel-capture writes beyond 2^53.
    static func integer(_ json: JSONScanner, _ span: JSONSpan?) -> Int64? {
        guard let span else { return nil }
        if span.kind == .number { return json.int(span) }
        if span.kind == .string, let text = json.string(span) { return Int64(text) }
        return nil
    }
}

extension ExtractDriver {
    /// The classic flow-table loop, with the telemetry records (valid JSON objects whose `type`
    /// is a Codex or Claude Code event) handed to `telemetry` instead.
    public func run(
        table: inout FlowTable,
        telemetry: (RecordView, String) -> Void,
        finish: (FlowTable, inout [UInt8]) throws -> Void
    ) throws {
        try run(
            { line in
                if let view = RecordView(line: line), let event = Telemetry.eventName(view) {
                    guard view.isValid else { return .bad }
                    telemetry(view, event)
                    return .used
                }
                let (kind, view) = classify(line, needs: table.reads)
                switch kind {
                case .bad: return .bad
                case .blank, .untyped: return .skipped
                case .record(let type):
                    guard let view else { return .skipped }
                    table.feed(view, type: type)
                    return .used
                }
            },
            finish: { out in try finish(table, &out) }
        )
    }
}

extension Answers {
    /// A telemetry prompt in the shape of `prompt(_:into:)` (flow_id null), plus
    /// `"source":"telemetry"`; a redacted one has text null, `"redacted":true` and its length.
    public static func telemetryPrompt(_ p: TelemetryPrompt, into out: inout [UInt8]) {
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("session_id", p.sessionID)
            w.field("flow_id", nil as String?)
            w.field("ts", p.ts)
            w.field("provider", p.agent)
            w.field("model", json: p.model)
            w.field("text", utf8: p.text)
            w.field("source", "telemetry")
            if p.text == nil {
                w.field("redacted", true)
                w.key("prompt_length")
                if let length = p.length { w.int(length) } else { w.null() }
            }
            w.endObject()
            w.newline()
        }
    }
}

extension UsageTotals {
    /// Adds the token counts of one telemetry request as a flow of its own. Call
    /// `dropTelemetryOfCapturedSessions()` before `finish` so a session seen on the wire too is
    /// not counted twice.
    public mutating func feedTelemetry(_ t: TelemetryUsage) {
        let day = t.ts.map { InlineText(String($0.unicodeScalars.prefix(10))) }
        telemetryFlows.append(FlowUsage(session: t.sessionID.map(InlineText.init), day: day, usage: t.usage))
    }

    /// Removes the telemetry flows of every session that also has usage from captured traffic:
    /// the wire's own counts win there (the same requests would otherwise count twice).
    public mutating func dropTelemetryOfCapturedSessions() {
        guard !telemetryFlows.isEmpty else { return }  // captured traffic only: nothing to drop
        let none = InlineText("")
        var wire = Set<InlineText>()
        for f in flows where f.usage != nil { wire.insert(f.session ?? none) }
        telemetryFlows.removeAll { wire.contains($0.session ?? none) }
    }
}

/// What the telemetry closure collects for `finish` (a box, so the two closures the driver
/// takes do not both capture one variable).
public final class TelemetryCollection<Item> {
    public var items: [Item] = []
    public init() {}
}

/// The duration of one model request as the agent measured it.
public struct TelemetryLatency {
    public var event: String
    public var sessionID: String?
    public var ts: String?
    public var model: [UInt8]?
    public var durationMS: Int64
}

extension Telemetry {
    /// `duration_ms` of codex.api_request (the HTTP request), codex.sse_event with
    /// `event.kind` = response.completed (the whole stream) and claude_code.api_request.
    public static func latency(_ view: RecordView, event: String) -> TelemetryLatency? {
        let json = view.json
        let attributes = view.field("attributes")
        switch event {
        case "codex.api_request", "claude_code.api_request": break
        case "codex.sse_event":
            guard json.isString(json.member(attributes, "event.kind"), "response.completed") else { return nil }
        default: return nil
        }
        guard let duration = integer(json, json.member(attributes, "duration_ms")) else { return nil }
        var latency = TelemetryLatency(
            event: event,
            sessionID: json.text(view.field("session_id")),
            ts: json.text(view.field("ts")),
            durationMS: duration
        )
        if let model = json.member(attributes, "model"), model.kind == .string { latency.model = json.canonical(model) }
        return latency
    }
}

extension Answers {
    /// One extract-latency record of a telemetry duration: flow_id null, the event, the
    /// agent's own `duration_ms`, `"source":"telemetry"`.
    public static func telemetryLatency(_ t: TelemetryLatency, into out: inout [UInt8]) {
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("flow_id", nil as String?)
            w.field("session_id", t.sessionID)
            w.field("ts", t.ts)
            w.field("event", t.event)
            w.field("model", json: t.model)
            w.field("duration_ms", t.durationMS)
            w.field("source", "telemetry")
            w.endObject()
            w.newline()
        }
    }
}

/// One data point of Claude Code's `claude_code.cost.usage` metric (USD): the agent's own cost.
public struct TelemetryCost: Sendable {
    public var sessionID: String?
    public var ts: String?
    public var model: String?
    /// A cumulative sum's point is the series' running total (the last one counts); a delta
    /// sum's point is the cost since the previous one (each distinct point counts).
    public var cumulative: Bool
    /// What identifies the time series (attributes, resource, start) and, for a delta point,
    /// its interval: the same point exported twice is counted once.
    public var series: [UInt8]
    public var value: Double
}

extension Telemetry {
    static let costMetric = "claude_code.cost.usage"

    /// The cost data point of an otel-capture metric record, nil for any other record (or a
    /// value that is not a finite number).
    public static func cost(_ view: RecordView) -> TelemetryCost? {
        let json = view.json
        guard json.isString(view.field("type"), "otel.metric"), json.isString(view.field("name"), costMetric),
            let valueSpan = view.field("value"), valueSpan.kind == .number, let value = json.double(valueSpan),
            value.isFinite
        else { return nil }
        let attributes = view.field("attributes")
        var series: [UInt8] = []
        for key in ["attributes", "resource", "start"] {
            if let span = view.field(key) { series += json.rawArray(span) }
            series.append(0x0A)  // no raw JSON value holds a newline: the parts stay apart
        }
        let cumulative = json.isString(view.field("temporality"), "cumulative")
        let ts = json.text(view.field("ts"))
        if !cumulative { series += Array((ts ?? "").utf8) }
        return TelemetryCost(
            sessionID: json.text(view.field("session_id")),
            ts: ts,
            model: json.member(attributes, "model").flatMap { $0.kind == .string ? json.string($0) : nil },
            cumulative: cumulative,
            series: series,
            value: value
        )
    }
}
