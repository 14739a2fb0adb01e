// Token totals from the usage events on the wire (bench/anchors/README.md, "usage"): no flow
// record is needed, the provider of each event is inferred from its shape, so a prefilter may
// keep only the usage events. Per flow the last usage wins (Anthropic: field by field over
// message_start and message_delta); flows are then summed per session, model or day.
// Optional prices (USD per million tokens, per model) add a cost per group.

import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum UsageGrouping: String, CaseIterable, Sendable {
    case session, model, day
}

/// USD per million tokens of one model.
public struct Price: Sendable {
    public var input = 0.0, output = 0.0, cacheRead = 0.0, cacheWrite = 0.0

    func cost(_ u: Usage) -> Double {
        (Double(u.input) * input + Double(u.output) * output + Double(u.cacheRead) * cacheRead
            + Double(u.cacheWrite) * cacheWrite) / 1e6
    }
}

public struct PriceTable: Sendable {
    public var byModel: [String: Price] = [:]

    /// Parses `{"MODEL": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}, …}`;
    /// the key `"*"` is the price of models not listed.
    public init?(json text: [UInt8]) {
        var table: [String: Price]?
        text.withUnsafeBytes { buffer in
            guard JSONScanner.isValid(buffer) else { return }
            let json = JSONScanner(buffer)
            guard let root = json.root(), root.kind == .object else { return }
            var result: [String: Price] = [:]
            json.forEachMember(of: root) { key, value in
                guard let model = json.string(key), value.kind == .object else { return true }
                var p = Price()
                p.input = json.member(value, "input").flatMap { json.double($0) } ?? 0
                p.output = json.member(value, "output").flatMap { json.double($0) } ?? 0
                p.cacheRead = json.member(value, "cache_read").flatMap { json.double($0) } ?? 0
                p.cacheWrite = json.member(value, "cache_write").flatMap { json.double($0) } ?? 0
                result[model] = p
                return true
            }
            table = result
        }
        guard let table else { return nil }
        byModel = table
    }

    public func price(model: String) -> Price? { byModel[model] ?? byModel["*"] }
}

public struct UsageTotals {
    struct FlowUsage {
        var session: InlineText?
        var day: InlineText?
        var usage: Usage?

        mutating func apply(_ event: UsageEvent) {
            guard let update = event.update else { return }
            usage = update.applied(to: usage)
            if day == nil { day = event.day ?? InlineText("") }
        }
    }

    /// The captured flows in first-seen order, and the index of each flow id's (the dictionary
    /// holds small entries: growing it moves an id and an index, not a flow).
    var flows: [FlowUsage] = []
    var flowIndex: [InlineText?: Int] = [:]
    /// One flow per telemetry request (`feedTelemetry`), without an id that could clash with a
    /// captured one.
    var telemetryFlows: [FlowUsage] = []
    /// The telemetry cost points that count, per series (see `feedCost`), with their input order.
    var costPoints: [[UInt8]: (order: Int, point: TelemetryCost)] = [:]
    var costCount = 0

    public init() {
        // Room for a few thousand flows from the start (the 200 MB bench corpus has 4k): every
        // doubling rehashes each id with the seeded SipHash, and growing to 4k cost more than all
        // the lookups of the flows (callgrind, bench/README.md "extract.sh, session 6"). Room
        // never written costs no memory.
        flows.reserveCapacity(1 << 12)
        flowIndex.reserveCapacity(1 << 12)
    }

    public static let usageKey: [UInt8] = Array("\"usage\"".utf8)

    /// What every line extract-usage reads holds: a usage key (the wire's events; first, so that
    /// UsageLine knows it by bit 0 of the literals a line holds), the opening
    /// of a Codex or Claude Code event name (telemetry events, raw as Telemetry.eventName
    /// compares them), or the cost metric's name (which begins like Claude Code's event names).
    public static let prefilterLiterals: [[UInt8]] = [usageKey] + Telemetry.agentPrefixes

    /// Applies one event's usage (events of one flow in input order).
    public mutating func feed(_ event: UsageEvent) {
        // One hash of the flow id per event.
        let index = flowIndex[event.flowID, default: flows.count]
        if index == flows.count {
            flowIndex[event.flowID] = index
            flows.append(FlowUsage(session: event.session))
        }
        flows[index].apply(event)
    }

    /// Takes one `claude_code.cost.usage` data point. Nothing is counted twice: of a cumulative
    /// series (same attributes, resource and start) only the latest point counts (its running
    /// total; a tie in `ts` goes to the later line), of a delta series each interval once (the
    /// same point exported twice, or a file read twice, is one point).
    public mutating func feedCost(_ point: TelemetryCost) {
        costCount += 1
        if let known = costPoints[point.series] {
            guard point.cumulative, (point.ts ?? "") >= (known.point.ts ?? "") else { return }
            costPoints[point.series] = (known.order, point)
        } else {
            costPoints[point.series] = (costCount, point)
        }
    }

    /// USD per group from the cost points (summed in input order, so the total is reproducible).
    func telemetryCosts(by grouping: UsageGrouping) -> [String?: Double] {
        var result: [String?: Double] = [:]
        for (_, point) in costPoints.values.sorted(by: { $0.order < $1.order }) {
            let key: String?
            switch grouping {
            case .session: key = point.sessionID
            case .model: key = (point.model?.isEmpty ?? true) ? "unknown" : point.model
            case .day: key = point.ts.map { String($0.unicodeScalars.prefix(10)) }
            }
            result[key, default: 0] += point.value
        }
        return result
    }

    /// One record per group, keys ascending: `by, key, flows, input_tokens, output_tokens,
    /// cache_read_tokens, cache_write_tokens` (+ `cost_usd` with prices, + `telemetry_cost_usd`
    /// when the input holds Claude Code's cost metric).
    public func finish(by grouping: UsageGrouping, prices: PriceTable?, into out: inout [UInt8]) {
        struct Group {
            var flows = 0
            var total = Usage()
            var cost = 0.0
            var unpriced = false
            var telemetryCost: Double?

            /// `price` nil without a price table, .some(nil) for a model the table lacks.
            mutating func add(_ u: Usage, price: Price??) {
                flows += 1
                total += u
                switch price {
                case .none: break
                case .some(.none): unpriced = true
                case .some(.some(let p)): cost += p.cost(u)
                }
            }
        }
        // Thousands of flows fall into a handful of groups and models, and the flows of one
        // session (so of one day, and mostly one model) come one after the other in first-seen
        // order: the group and the model of the flow before are kept at hand, and the dictionaries
        // (keyed by InlineText: one word to hash) asked only when they change. Each group adds its
        // flows' costs in input order.
        var groups: [InlineText?: Group] = [:]
        var models: [InlineText?: (name: InlineText, price: Price?)] = [:]
        func known(_ json: InlineText?) -> (name: InlineText, price: Price?) {
            if let known = models[json] { return known }
            let text = json.flatMap { canonicalString($0.bytes) }
            let name = (text?.isEmpty ?? true) ? "unknown" : text ?? "unknown"
            let known = (InlineText(name), prices?.price(model: name))
            models[json] = known
            return known
        }
        var last: (json: InlineText?, model: (name: InlineText, price: Price?))?
        var group: (key: InlineText?, totals: Group)?
        for f in [flows, telemetryFlows].joined() {
            guard let u = f.usage else { continue }
            let model: (name: InlineText, price: Price?)
            if let last, last.json == u.model {
                model = last.model
            } else {
                model = known(u.model)
                last = (u.model, model)
            }
            let key: InlineText?
            switch grouping {
            case .session: key = f.session
            case .model: key = model.name
            case .day: key = f.day
            }
            if group.map({ $0.key != key }) ?? true {
                if let group { groups[group.key] = group.totals }
                group = (key, groups[key] ?? Group())
            }
            group?.totals.add(u, price: prices == nil ? nil : .some(model.price))
        }
        if let group { groups[group.key] = group.totals }
        // The agent's own cost, in groups of its own when no flow has tokens there.
        for (key, cost) in telemetryCosts(by: grouping) {
            let text = key.map { InlineText($0) }
            var g = groups[text] ?? Group()
            g.telemetryCost = (g.telemetryCost ?? 0) + cost
            groups[text] = g
        }
        let named = groups.map { (key: $0.key?.string, group: $0.value) }
        let sorted = named.sorted { a, b in
            guard let a = a.key else { return b.key != nil }
            guard let b = b.key else { return false }
            return utf8Less(a, b)
        }
        for (key, g) in sorted {
            JSONWriter.append(to: &out) { w in
                w.beginObject()
                w.field("by", grouping.rawValue)
                w.field("key", key)
                w.field("flows", g.flows)
                w.field("input_tokens", g.total.input)
                w.field("output_tokens", g.total.output)
                w.field("cache_read_tokens", g.total.cacheRead)
                w.field("cache_write_tokens", g.total.cacheWrite)
                if prices != nil {
                    w.key("cost_usd")
                    // A group with a model missing from the price table has no honest total.
                    if g.unpriced { w.null() } else { w.raw(Array(formatCost(g.cost).utf8)) }
                }
                if !costPoints.isEmpty {
                    // Only when the input holds the cost metric: capture-only answers keep their shape.
                    w.key("telemetry_cost_usd")
                    if let c = g.telemetryCost { w.raw(Array(formatCost(c).utf8)) } else { w.null() }
                }
                w.endObject()
                w.newline()
            }
        }
    }
}

/// The text of a canonical JSON string value (nil when the value is not a string).
func canonicalString(_ json: [UInt8]) -> String? {
    json.withUnsafeBytes { buffer in
        let scanner = JSONScanner(buffer)
        guard let root = scanner.root(), root.kind == .string else { return nil }
        return scanner.string(root)
    }
}

/// Cost with 6 decimals (micro-dollars), as a JSON number.
func formatCost(_ value: Double) -> String {
    let micros = Int64((value * 1e6).rounded())
    let whole = micros / 1_000_000
    var frac = String(abs(micros % 1_000_000))
    frac = String(repeating: "0", count: 6 - frac.count) + frac
    return "\(micros < 0 && whole == 0 ? "-" : "")\(whole).\(frac)"
}

/// glibc's memmem (a GNU extension the Glibc module does not export): the SIMD substring
/// search behind the literal prefilter.
@_silgen_name("memmem")
func findBytes(
    _ haystack: UnsafeRawPointer?,
    _ haystackCount: Int,
    _ needle: UnsafeRawPointer?,
    _ needleCount: Int
) -> UnsafeMutableRawPointer?

extension ExtractDriver {
    /// extract-usage's pass: only the lines holding a usage key or an agent's telemetry name are
    /// read (every record used has one: events with usage, codex.*/claude_code.* events, the cost
    /// metric), each into a UsageLine on the scanning threads; the totals take them in input
    /// order, then `finish` writes the answer. (Here rather than in the tool so that the
    /// compiler specializes the generic scan for UsageLine.)
    public func runUsage(finish: (inout UsageTotals, inout [UInt8]) throws -> Void) throws {
        var totals = UsageTotals()
        try run(
            linesHoldingAny: UsageTotals.prefilterLiterals,
            prepare: { UsageLine($0, literals: $1) },
            { read in
                switch read {
                case .skipped: return .skipped
                case .bad: return .bad
                case .telemetry(let usage): totals.feedTelemetry(usage)
                case .cost(let cost): totals.feedCost(cost)
                case .event(let event): if let event { totals.feed(event) }
                }
                return .used
            },
            finish: { out in try finish(&totals, &out) }
        )
    }
}

/// An event record of a known provider, read for its usage (UsageLine).
/// Made on a scanning thread, fed on the main one: a class, so that handing it over is one
/// reference (its texts are InlineText: one allocation in all).
public final class UsageEvent: Sendable {
    let flowID: InlineText?
    let session: InlineText?
    /// The first 10 characters of `ts` (UTC day), read only when the event carries usage.
    let day: InlineText?
    let update: UsageUpdate?

    /// The first 10 characters of a `ts` string ("" when it is not one): an ASCII timestamp
    /// without escapes straight from its bytes, any other through its decoded text.
    static func day(_ ts: JSONSpan?, _ json: JSONScanner) -> InlineText {
        guard let ts, ts.kind == .string else { return InlineText("") }
        let inner = UnsafeRawBufferPointer(rebasing: json.bytes[(ts.start + 1)..<(ts.end - 1)])
        let head = UnsafeRawBufferPointer(rebasing: inner.prefix(10))
        if head.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\\") }) {
            return InlineText(bytes: head)
        }
        return InlineText(String((json.text(ts) ?? "").unicodeScalars.prefix(10)))
    }

    static let recordNames = MemberNames("flow_id", "session_id", "ts", "data", "direction")
    static let dataNames = MemberNames("type", "object", "usage", "message", "response", "model")
    static let responsesPrefix: [UInt8] = Array("response.".utf8)

    /// Reads one event record (sse, or ws from the server); nil when it is not an event of a
    /// provider whose usage is read (its line is then skipped). The record's members and its
    /// data's are each walked once (a few thousand such lines are most of what extract-usage reads).
    convenience init?(_ view: RecordView, type: CaptureType) {
        var record = RecordMembers()
        view.json.forEachField(Self.recordNames, in: view.root) { i, value in record.set(i, value) }
        self.init(view.json, type: type, record)
    }

    /// The record's members an event is read from, in the order of `recordNames` and
    /// `UsageLine.notedKeys` (after `type`).
    struct RecordMembers {
        var flowID, session, ts, data, direction: JSONSpan?

        mutating func set(_ i: Int, _ value: JSONSpan?) {
            switch i {
            case 0: flowID = value
            case 1: session = value
            case 2: ts = value
            case 3: data = value
            default: direction = value
            }
        }
    }

    init?(_ json: JSONScanner, type: CaptureType, _ record: RecordMembers) {
        if type == .ws, !json.isString(record.direction, "server") { return nil }
        guard type == .sse || type == .ws, let data = record.data, data.kind == .object else { return nil }
        var members:
            (
                type: JSONSpan?, object: JSONSpan?, usage: JSONSpan?, message: JSONSpan?, response: JSONSpan?,
                model: JSONSpan?
            )
        json.forEachField(Self.dataNames, in: data) { i, value in
            switch i {
            case 0: members.type = value
            case 1: members.object = value
            case 2: members.usage = value
            case 3: members.message = value
            case 4: members.response = value
            default: members.model = value
            }
        }
        let provider: Provider
        if let t = members.type, t.kind == .string {
            if json.stringEquals(t, "message_start") || json.stringEquals(t, "message_delta") {
                provider = .anthropic
            } else if json.stringHasPrefix(t, Self.responsesPrefix) {
                provider = .responses
            } else if json.isString(members.object, "chat.completion.chunk") {
                provider = .chat
            } else {
                return nil
            }
        } else if json.isString(members.object, "chat.completion.chunk") {
            provider = .chat
        } else {
            return nil
        }
        flowID = InlineText(record.flowID, in: json)
        session = InlineText(record.session, in: json)
        update = UsageUpdate(
            provider: provider,
            type: members.type,
            usage: members.usage,
            message: members.message,
            response: members.response,
            model: members.model,
            json: json
        )
        day = update != nil ? Self.day(record.ts, json) : nil
    }
}

/// What one line extract-usage reads holds, found without any state: the scanning threads read
/// the lines ahead (PrefilteredInput), only `UsageTotals` is fed in order.
public enum UsageLine: Sendable {
    case skipped, bad
    // Boxed: telemetry lines are few, and unboxed their payloads made every line in a window's
    // kept list ~150 bytes instead of 16 (copied as the list grows, and handed over).
    indirect case telemetry(TelemetryUsage)
    indirect case cost(TelemetryCost)
    /// A valid sse or ws record with a usage key: used, and fed when it is an event of a known
    /// provider (even one without usage: the first event of a flow names its session).
    case event(UsageEvent?)

    /// The members the AVX2 line walk notes while it validates a line: `type`, then those of
    /// `UsageEvent.recordNames`.
    static let notedKeys = NotedKeys("type", "flow_id", "session_id", "ts", "data", "direction")

    /// `literals`: which of `UsageTotals.prefilterLiterals` the line holds (bit k for literal k).
    public init(_ line: UnsafeRawBufferPointer, literals: UInt32) {
        guard let view = RecordView(line: line) else {
            self = RecordView.isBlank(line) ? .skipped : .bad
            return
        }
        // Most lines here are valid usage events: validated and their members found in one walk.
        let noted: UsageLine?? = view.withValidatedFields(Self.notedKeys) { field -> UsageLine? in
            guard let typeSpan = field(0), let type = view.captureType(typeSpan), type == .sse || type == .ws else {
                return nil  // not a capture event: the telemetry readers below
            }
            guard literals & 1 != 0 else { return .skipped }  // prefilterLiterals[0], the usage key
            var record = UsageEvent.RecordMembers()
            for i in 0..<5 { record.set(i, field(i + 1)) }
            return .event(UsageEvent(view.json, type: type, record))
        }
        if case .some(.some(let read)) = noted {
            self = read
            return
        }
        // Capture events first (nearly every line here): their type rules out the telemetry ones.
        if let type = view.type, type == .sse || type == .ws {
            // Only events with a usage object matter; other lines are judged by their shape only.
            guard literals & 1 != 0 else {  // prefilterLiterals[0], the usage key
                self = .skipped
                return
            }
            self = view.isValid ? .event(UsageEvent(view, type: type)) : .bad
            return
        }
        // Telemetry token counts (otel-capture records; see Telemetry.swift).
        if let event = Telemetry.eventName(view) {
            guard view.isValid else {
                self = .bad
                return
            }
            self = Telemetry.usage(view, event: event).map { .telemetry($0) } ?? .skipped
            return
        }
        if let cost = Telemetry.cost(view) {
            self = view.isValid ? .cost(cost) : .bad
            return
        }
        self = .skipped
    }
}
