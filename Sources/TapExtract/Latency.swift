// extract-latency's answers, from the per-event timestamps the capture recorded (no reference
// script: the definitions are here and in man/extract-latency.1). Times are microseconds;
// a flow starts at its flow record's ts (when the response headers arrived).
//
//   ttfb      first event − flow start           ttft   first token event − flow start
//   gap       between consecutive token events   stall  a gap longer than --stall-ms
//   duration  flow_end − flow start              tokens_per_s  output tokens / (last − first token event)
//
// A token event is an event that carries a text, reasoning or tool-argument fragment.
// Percentiles are nearest-rank. Interrupted flows (no flow_end) are included and marked partial.

import TapCodec

public enum LatencyGrouping: String, CaseIterable, Sendable {
    case flow, model, session
}

public struct LatencyReport {
    public let stallUS: Int64

    public init(stallMilliseconds: Int) {
        stallUS = Int64(stallMilliseconds) * 1000
    }

    struct Metrics {
        var ttfb: Int64?
        var ttft: Int64?
        var duration: Int64?
        var gaps: [Int64]
        var stalls: Int
        var outputTokens: Int64?
        var tokenSpan: Int64?
    }

    func metrics(_ f: FlowState) -> Metrics {
        let start = f.ts.flatMap { Timestamp(iso8601: $0) }?.microseconds
        let end = f.endTS.flatMap { Timestamp(iso8601: $0) }?.microseconds
        var m = Metrics(gaps: f.tokenGapsUS, stalls: f.tokenGapsUS.filter { $0 > stallUS }.count)
        if let start {
            m.ttfb = f.firstEventUS.map { $0 - start }
            m.ttft = f.firstTokenUS.map { $0 - start }
            m.duration = end.map { $0 - start }
        }
        m.outputTokens = f.fold.usage?.output
        if let first = f.firstTokenUS, let last = f.lastTokenUS, last > first { m.tokenSpan = last - first }
        return m
    }

    public func write(_ flows: [FlowState], by grouping: LatencyGrouping, into out: inout [UInt8]) {
        if grouping == .flow {
            for f in flows { flowRecord(f, into: &out) }
            return
        }
        struct Group {
            var flows = 0, partial = 0, stalls = 0
            var ttfb: [Int64] = [], ttft: [Int64] = [], gaps: [Int64] = []
            var outputTokens: Int64 = 0, rateTokens: Int64 = 0, rateSpan: Int64 = 0
        }
        var groups: [String: Group] = [:]
        for f in flows {
            let key: String
            if grouping == .model {
                key = f.model.flatMap { canonicalString($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
            } else {
                key = f.sessionID ?? ""
            }
            let m = metrics(f)
            var g = groups[key] ?? Group()
            g.flows += 1
            if f.isPartial { g.partial += 1 }
            g.stalls += m.stalls
            if let v = m.ttfb { g.ttfb.append(v) }
            if let v = m.ttft { g.ttft.append(v) }
            g.gaps += m.gaps
            g.outputTokens += m.outputTokens ?? 0
            if let tokens = m.outputTokens, let span = m.tokenSpan {
                g.rateTokens += tokens
                g.rateSpan += span
            }
            groups[key] = g
        }
        for key in groups.keys.sorted(by: utf8Less) {
            guard var g = groups[key] else { continue }
            g.ttfb.sort()
            g.ttft.sort()
            g.gaps.sort()
            JSONWriter.append(to: &out) { w in
                w.beginObject()
                w.field("by", grouping.rawValue)
                w.field("key", key)
                w.field("flows", g.flows)
                w.field("partial_flows", g.partial)
                w.ms("ttfb_p50_ms", percentile(g.ttfb, 50))
                w.ms("ttfb_p90_ms", percentile(g.ttfb, 90))
                w.ms("ttft_p50_ms", percentile(g.ttft, 50))
                w.ms("ttft_p90_ms", percentile(g.ttft, 90))
                w.ms("gap_p50_ms", percentile(g.gaps, 50))
                w.ms("gap_p90_ms", percentile(g.gaps, 90))
                w.ms("gap_p99_ms", percentile(g.gaps, 99))
                w.ms("max_gap_ms", g.gaps.last)
                w.field("stalls", g.stalls)
                w.field("output_tokens", g.outputTokens)
                w.rate("tokens_per_s", g.rateSpan > 0 ? (tokens: g.rateTokens, span: g.rateSpan) : nil)
                w.endObject()
                w.newline()
            }
        }
    }

    func flowRecord(_ f: FlowState, into out: inout [UInt8]) {
        let m = metrics(f)
        let sorted = m.gaps.sorted()
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("flow_id", f.flowID)
            w.field("session_id", f.sessionID)
            w.field("ts", f.ts)
            w.field("provider", f.providerName)
            w.field("model", json: f.model)
            w.field("status", json: f.status)
            w.field("events", f.fold.events)
            w.ms("ttfb_ms", m.ttfb)
            w.ms("ttft_ms", m.ttft)
            w.ms("duration_ms", m.duration)
            w.field("token_events", f.tokenEvents)
            w.ms("gap_p50_ms", percentile(sorted, 50))
            w.ms("gap_p90_ms", percentile(sorted, 90))
            w.ms("gap_p99_ms", percentile(sorted, 99))
            w.ms("max_gap_ms", sorted.last)
            w.field("stalls", m.stalls)
            w.key("output_tokens")
            if let t = m.outputTokens { w.int(t) } else { w.null() }
            w.rate("tokens_per_s", m.outputTokens.flatMap { t in m.tokenSpan.map { (tokens: t, span: $0) } })
            w.partial(f.isPartial)
            w.endObject()
            w.newline()
        }
    }
}

/// Nearest-rank percentile of sorted values: the value at rank ⌈p/100 · n⌉.
public func percentile(_ sorted: [Int64], _ p: Int) -> Int64? {
    guard !sorted.isEmpty else { return nil }
    let rank = (p * sorted.count + 99) / 100
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}

/// Microseconds as milliseconds, exact: `37`, `37.5`, `0.012`.
public func formatMilliseconds(_ us: Int64) -> String {
    let sign = us < 0 ? "-" : ""
    let a = us.magnitude
    var text = sign + String(a / 1000)
    var frac = a % 1000
    if frac != 0 {
        var digits = String(frac)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") {
            digits.removeLast()
            frac /= 10
        }
        text += "." + digits
    }
    return text
}

extension JSONWriter {
    mutating func ms(_ name: String, _ us: Int64?) {
        key(name)
        if let us { raw(Array(formatMilliseconds(us).utf8)) } else { null() }
    }

    /// tokens / seconds with 2 decimals.
    mutating func rate(_ name: String, _ value: (tokens: Int64, span: Int64)?) {
        key(name)
        guard let value, value.span > 0 else { return null() }
        let centi = (Double(value.tokens) * 1e6 / Double(value.span) * 100).rounded()
        let whole = Int64(centi) / 100
        let frac = Int64(centi) % 100
        raw(Array("\(whole).\(frac < 10 ? "0" : "")\(frac)".utf8))
    }
}
