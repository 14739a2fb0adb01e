// OTLP data -> StreamTap telemetry records (docs/FORMAT.md, "Telemetry records").
//
// One NDJSON line per log record, span and metric data point:
//   {"v":1,"type":…,"ts":…,"session_id":…, <signal fields>, "attributes":{…},"resource":{…},"scope":{…}}
// `type` is the event name (codex.user_prompt, claude_code.api_request, …), otel.log for a log
// record without one, otel.span, otel.metric. Attribute lists become JSON objects (key -> value);
// int64 values are JSON integers when |n| <= 2^53-1 (exact in every JSON reader) and decimal
// strings otherwise, so no reader rounds them. The encoder is pure: it only appends bytes.
import TapCodec

struct TelemetryEncoder {
    /// The records so far, each ending in "\n".
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0
    /// The received time, for records that carry no time of their own.
    let receivedNanos: UInt64

    // The current resource and scope, encoded once and spliced into each of their records.
    private var resourceJSON: [UInt8] = Array("{}".utf8)
    private var resourceSession: String?
    private var serviceName: String?
    private var scopeJSON: [UInt8] = Array("{}".utf8)
    private var scopeName = ""

    init(receivedNanos: UInt64) {
        self.receivedNanos = receivedNanos
    }

    mutating func setResource(_ attributes: [OTelAttribute]) {
        var w = JSONWriter(capacity: 128)
        Self.writeAttributes(attributes, into: &w)
        resourceJSON = w.bytes
        resourceSession = Self.sessionID(attributes)
        serviceName = attributes.first { $0.key == "service.name" }?.value.stringValue
    }

    mutating func setScope(_ scope: OTelScope) {
        var w = JSONWriter(capacity: 64)
        w.beginObject()
        if !scope.name.isEmpty { w.field("name", scope.name) }
        if !scope.version.isEmpty { w.field("version", scope.version) }
        if !scope.attributes.isEmpty {
            w.key("attributes")
            Self.writeAttributes(scope.attributes, into: &w)
        }
        w.endObject()
        scopeJSON = w.bytes
        scopeName = scope.name
    }

    mutating func log(_ record: OTelLogRecord) {
        let nanos =
            record.timeNanos != 0
            ? record.timeNanos : (record.observedNanos != 0 ? record.observedNanos : receivedNanos)
        var w = begin(type: eventType(record), nanos: nanos, attributes: record.attributes)
        if !record.severityText.isEmpty { w.field("severity", record.severityText) }
        if record.severityNumber != 0 { w.field("severity_number", record.severityNumber) }
        if let body = record.body {
            w.key("body")
            Self.writeValue(body, into: &w)
        }
        writeIDs(trace: record.traceID, span: record.spanID, parent: [], into: &w)
        end(&w, attributes: record.attributes)
    }

    mutating func span(_ span: OTelSpan) {
        var w = begin(
            type: "otel.span",
            nanos: span.startNanos != 0 ? span.startNanos : receivedNanos,
            attributes: span.attributes
        )
        w.field("name", span.name)
        writeIDs(trace: span.traceID, span: span.spanID, parent: span.parentSpanID, into: &w)
        w.field("kind", span.kind)
        if span.endNanos != 0 {
            w.field("end", Self.iso(span.endNanos))
            if span.endNanos >= span.startNanos { w.field("duration_ns", span.endNanos - span.startNanos) }
        }
        if span.statusCode != 0 || !span.statusMessage.isEmpty {
            w.key("status")
            w.beginObject()
            w.field("code", span.statusCode)
            if !span.statusMessage.isEmpty { w.field("message", span.statusMessage) }
            w.endObject()
        }
        end(&w, attributes: span.attributes)
    }

    mutating func dataPoint(_ point: OTelDataPoint, of metric: OTelMetric) {
        var w = begin(
            type: "otel.metric",
            nanos: point.timeNanos != 0 ? point.timeNanos : receivedNanos,
            attributes: point.attributes
        )
        w.field("name", metric.name)
        if !metric.unit.isEmpty { w.field("unit", metric.unit) }
        w.field("kind", metric.kind)
        if let temporality = metric.temporality {
            w.field("temporality", temporality == 1 ? "delta" : temporality == 2 ? "cumulative" : "unspecified")
        }
        if let monotonic = metric.monotonic { w.field("monotonic", monotonic) }
        if point.startNanos != 0 { w.field("start", Self.iso(point.startNanos)) }
        if let value = point.value {
            w.key("value")
            Self.writeValue(value, into: &w)
        }
        for field in point.fields {
            w.key(field.key)
            Self.writeValue(field.value, into: &w)
        }
        end(&w, attributes: point.attributes)
    }

    // MARK: - Record frame

    private func begin(type: String, nanos: UInt64, attributes: [OTelAttribute]) -> JSONWriter {
        var w = JSONWriter(appendingTo: [])
        w.beginObject()
        w.field("v", 1)
        w.field("type", type)
        w.field("ts", Self.iso(nanos))
        if let session = Self.sessionID(attributes) ?? resourceSession { w.field("session_id", session) }
        return w
    }

    private mutating func end(_ w: inout JSONWriter, attributes: [OTelAttribute]) {
        w.key("attributes")
        Self.writeAttributes(attributes, into: &w)
        w.key("resource")
        w.raw(resourceJSON)
        w.key("scope")
        w.raw(scopeJSON)
        w.endObject()
        w.newline()
        bytes.append(contentsOf: w.bytes)
        count += 1
    }

    private func writeIDs(trace: [UInt8], span: [UInt8], parent: [UInt8], into w: inout JSONWriter) {
        if !trace.isEmpty { w.field("trace_id", Self.hex(trace)) }
        if !span.isEmpty { w.field("span_id", Self.hex(span)) }
        if !parent.isEmpty { w.field("parent_span_id", Self.hex(parent)) }
    }

    /// The event name of a log record. OTLP's own `event_name` field first, then the
    /// `event.name` attribute. Claude Code puts the bare name there (`user_prompt`) and the full
    /// one in the body (`claude_code.user_prompt`): a bare name takes the body when the body
    /// ends in ".<name>", else the `claude_code.` prefix when the service or scope is Claude Code's.
    func eventType(_ record: OTelLogRecord) -> String {
        var name = record.eventName
        if name.isEmpty, let attribute = record.attributes.first(where: { $0.key == "event.name" })?.value.stringValue {
            name = attribute
        }
        guard !name.isEmpty else { return "otel.log" }
        if name.contains(".") { return name }
        if let body = record.body?.stringValue, body.hasSuffix("." + name), !body.contains(" ") { return body }
        if serviceName == "claude-code" || scopeName.contains("claude_code") { return "claude_code." + name }
        return name
    }

    /// `conversation.id` (Codex) or `session.id` (Claude Code), as a string.
    static func sessionID(_ attributes: [OTelAttribute]) -> String? {
        for key in ["conversation.id", "session.id"] {
            guard let value = attributes.first(where: { $0.key == key })?.value else { continue }
            switch value {
            case .string(let text) where !text.isEmpty: return text
            case .int(let number): return String(number)
            default: continue
            }
        }
        return nil
    }

    // MARK: - Values

    static let maxExactJSONInteger: Int64 = (1 << 53) - 1

    static func writeAttributes(_ attributes: [OTelAttribute], into w: inout JSONWriter) {
        w.beginObject()
        for attribute in attributes {
            w.key(attribute.key)
            writeValue(attribute.value, into: &w)
        }
        w.endObject()
    }

    static func writeValue(_ value: OTelValue, into w: inout JSONWriter) {
        switch value {
        case .string(let text): w.string(text)
        case .bool(let flag): w.bool(flag)
        case .int(let number):
            if number >= -maxExactJSONInteger && number <= maxExactJSONInteger {
                w.int(number)
            } else {
                w.string(String(number))
            }
        case .double(let number):
            // JSON has no NaN or infinity: the proto3 JSON spellings, as strings.
            if number.isNaN {
                w.string("NaN")
            } else if number.isInfinite {
                w.string(number > 0 ? "Infinity" : "-Infinity")
            } else {
                w.double(number)
            }
        case .bytes(let data): w.string(base64(data))
        case .array(let values):
            w.beginArray()
            for element in values { writeValue(element, into: &w) }
            w.endArray()
        case .kvlist(let members): writeAttributes(members, into: &w)
        case .empty: w.null()
        }
    }

    static func iso(_ nanos: UInt64) -> String {
        Timestamp(microseconds: Int64(clamping: nanos / 1000)).iso8601
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ data: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(data.count * 2)
        for byte in data {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ data: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((data.count + 2) / 3 * 4)
        var i = 0
        while i < data.count {
            let b0 = UInt32(data[i])
            let b1 = i + 1 < data.count ? UInt32(data[i + 1]) : 0
            let b2 = i + 2 < data.count ? UInt32(data[i + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(base64Alphabet[Int(triple >> 18 & 63)])
            out.append(base64Alphabet[Int(triple >> 12 & 63)])
            out.append(i + 1 < data.count ? base64Alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < data.count ? base64Alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
