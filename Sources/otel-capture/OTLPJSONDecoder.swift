// OTLP/JSON request bodies -> TelemetryEncoder calls.
//
// The OTLP JSON mapping is proto3 JSON with two exceptions: trace and span ids are hex, and
// enums are integers. Field names are lowerCamelCase; receivers must also take the original
// snake_case names, so every lookup tries both. 64-bit integers may be JSON strings or numbers;
// both are read exactly. Nothing is written unless the whole body decodes (the caller keeps the
// encoder's bytes only on success).
import Foundation
import TapCodec

enum OTLPJSONDecoder {
    static func decode(_ body: [UInt8], signal: OTelSignal, into encoder: inout TelemetryEncoder) throws {
        try body.withUnsafeBytes { raw in
            guard JSONScanner.isValid(raw) else { throw OTLPDecodeError("body is not valid JSON") }
            let reader = Reader(scanner: JSONScanner(raw))
            guard let root = reader.scanner.root(), root.kind == .object else {
                throw OTLPDecodeError("body is not a JSON object (an OTLP \(signal.rawValue) export request)")
            }
            let snake = signal.resourceKey.snakeCased
            guard let resources = reader.field(signal.resourceKey, snake, in: root) else {
                // `{}` is an empty export; an object with only other members is not OTLP at all.
                var hasMembers = false
                reader.scanner.forEachMember(of: root) { _, _ in
                    hasMembers = true
                    return false
                }
                if hasMembers {
                    throw OTLPDecodeError("not an OTLP \(signal.rawValue) request: no \(signal.resourceKey) array")
                }
                return
            }
            try reader.forEach(resources, signal.resourceKey) { resource in
                try reader.decodeResource(resource, signal: signal, into: &encoder)
            }
        }
    }

    struct Reader {
        let scanner: JSONScanner

        func field(_ camel: String, _ snake: String, in object: JSONSpan) -> JSONSpan? {
            if let span = scanner.field(camel, in: object), span.kind != .null { return span }
            if camel != snake, let span = scanner.field(snake, in: object), span.kind != .null { return span }
            return nil
        }

        func field(_ name: String, in object: JSONSpan) -> JSONSpan? {
            field(name, name.snakeCased, in: object)
        }

        /// Calls `body` for each element of an array, which must be one.
        func forEach(_ span: JSONSpan, _ what: String, _ body: (JSONSpan) throws -> Void) throws {
            guard span.kind == .array else { throw OTLPDecodeError("\(what) is not an array") }
            var failure: Error?
            scanner.forEachElement(of: span) { element in
                do {
                    guard element.kind == .object else { throw OTLPDecodeError("\(what) holds a non-object") }
                    try body(element)
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
        }

        func string(_ name: String, in object: JSONSpan) throws -> String {
            guard let span = field(name, in: object) else { return "" }
            guard span.kind == .string, let text = scanner.string(span) else {
                throw OTLPDecodeError("\(name) is not a string")
            }
            return text
        }

        /// A 64-bit integer given as a JSON number or a decimal string.
        func int64(_ span: JSONSpan, _ name: String) throws -> Int64 {
            if span.kind == .number, let value = scanner.int(span) { return value }
            if span.kind == .string, let text = scanner.string(span), let value = Int64(text) { return value }
            throw OTLPDecodeError("\(name) is not a 64-bit integer")
        }

        func uint64(_ name: String, in object: JSONSpan) throws -> UInt64 {
            guard let span = field(name, in: object) else { return 0 }
            let text: String?
            switch span.kind {
            case .string: text = scanner.string(span)
            case .number: text = rawText(span)
            default: text = nil
            }
            guard let text, let value = UInt64(text) else {
                throw OTLPDecodeError("\(name) is not an unsigned 64-bit integer")
            }
            return value
        }

        func int32(_ name: String, in object: JSONSpan) throws -> Int32 {
            guard let span = field(name, in: object) else { return 0 }
            guard let value = Int32(exactly: try int64(span, name)) else {
                throw OTLPDecodeError("\(name) is out of range")
            }
            return value
        }

        func double(_ span: JSONSpan, _ name: String) throws -> Double {
            if span.kind == .number, let value = scanner.double(span) { return value }
            if span.kind == .string, let text = scanner.string(span) {
                switch text {
                case "NaN": return .nan
                case "Infinity": return .infinity
                case "-Infinity": return -.infinity
                default: if let value = Double(text) { return value }
                }
            }
            throw OTLPDecodeError("\(name) is not a number")
        }

        func rawText(_ span: JSONSpan) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[span.start..<span.end]), as: UTF8.self)
        }

        /// A hex trace or span id (the OTLP JSON exception to proto3's base64).
        func id(_ name: String, in object: JSONSpan) throws -> [UInt8] {
            let text = try string(name, in: object)
            guard text.utf8.count % 2 == 0 else { throw OTLPDecodeError("\(name) is not hex") }
            var out: [UInt8] = []
            var high: UInt8?
            for c in text.utf8 {
                let nibble: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
                default: throw OTLPDecodeError("\(name) is not hex")
                }
                if let h = high {
                    out.append(h << 4 | nibble)
                    high = nil
                } else {
                    high = nibble
                }
            }
            return out
        }

        func attributes(_ name: String, in object: JSONSpan) throws -> [OTelAttribute] {
            guard let list = field(name, in: object) else { return [] }
            var out: [OTelAttribute] = []
            try forEach(list, name) { pair in
                let key = try string("key", in: pair)
                let value = try field("value", in: pair).map { try anyValue($0) } ?? .empty
                out.append(OTelAttribute(key: key, value: value))
            }
            return out
        }

        func anyValue(_ span: JSONSpan) throws -> OTelValue {
            guard span.kind == .object else { throw OTLPDecodeError("an AnyValue is not an object") }
            if let v = field("stringValue", in: span) {
                guard v.kind == .string, let text = scanner.string(v) else {
                    throw OTLPDecodeError("stringValue is not a string")
                }
                return .string(text)
            }
            if let v = field("boolValue", in: span) {
                guard let flag = scanner.bool(v) else { throw OTLPDecodeError("boolValue is not a boolean") }
                return .bool(flag)
            }
            if let v = field("intValue", in: span) { return .int(try int64(v, "intValue")) }
            if let v = field("doubleValue", in: span) { return .double(try double(v, "doubleValue")) }
            if let v = field("bytesValue", in: span) {
                guard v.kind == .string, let text = scanner.string(v), let data = Data(base64Encoded: text) else {
                    throw OTLPDecodeError("bytesValue is not base64")
                }
                return .bytes([UInt8](data))
            }
            if let v = field("arrayValue", in: span) {
                var values: [OTelValue] = []
                if let list = field("values", in: v) {
                    guard list.kind == .array else { throw OTLPDecodeError("arrayValue.values is not an array") }
                    var failure: Error?
                    scanner.forEachElement(of: list) { element in
                        do {
                            values.append(try anyValue(element))
                            return true
                        } catch {
                            failure = error
                            return false
                        }
                    }
                    if let failure { throw failure }
                }
                return .array(values)
            }
            if let v = field("kvlistValue", in: span) { return .kvlist(try attributes("values", in: v)) }
            return .empty
        }

        // MARK: - Signals

        func decodeResource(_ resource: JSONSpan, signal: OTelSignal, into encoder: inout TelemetryEncoder) throws {
            let resourceAttributes =
                try field("resource", in: resource).map { try attributes("attributes", in: $0) } ?? []
            encoder.setResource(resourceAttributes)
            let scopesKey: String
            switch signal {
            case .logs: scopesKey = "scopeLogs"
            case .metrics: scopesKey = "scopeMetrics"
            case .traces: scopesKey = "scopeSpans"
            }
            guard let scopes = field(scopesKey, in: resource) else { return }
            try forEach(scopes, scopesKey) { scopeEntry in
                var scope = OTelScope()
                if let s = field("scope", in: scopeEntry) {
                    scope.name = try string("name", in: s)
                    scope.version = try string("version", in: s)
                    scope.attributes = try attributes("attributes", in: s)
                }
                encoder.setScope(scope)
                switch signal {
                case .logs:
                    guard let records = field("logRecords", in: scopeEntry) else { return }
                    try forEach(records, "logRecords") { encoder.log(try logRecord($0)) }
                case .traces:
                    guard let spans = field("spans", in: scopeEntry) else { return }
                    try forEach(spans, "spans") { encoder.span(try span($0)) }
                case .metrics:
                    guard let metrics = field("metrics", in: scopeEntry) else { return }
                    try forEach(metrics, "metrics") { try self.metric($0, into: &encoder) }
                }
            }
        }

        func logRecord(_ object: JSONSpan) throws -> OTelLogRecord {
            var record = OTelLogRecord()
            record.timeNanos = try uint64("timeUnixNano", in: object)
            record.observedNanos = try uint64("observedTimeUnixNano", in: object)
            record.severityNumber = try int32("severityNumber", in: object)
            record.severityText = try string("severityText", in: object)
            record.body = try field("body", in: object).map { try anyValue($0) }
            record.attributes = try attributes("attributes", in: object)
            record.traceID = try id("traceId", in: object)
            record.spanID = try id("spanId", in: object)
            record.eventName = try string("eventName", in: object)
            return record
        }

        func span(_ object: JSONSpan) throws -> OTelSpan {
            var span = OTelSpan()
            span.traceID = try id("traceId", in: object)
            span.spanID = try id("spanId", in: object)
            span.parentSpanID = try id("parentSpanId", in: object)
            span.name = try string("name", in: object)
            span.kind = try int32("kind", in: object)
            span.startNanos = try uint64("startTimeUnixNano", in: object)
            span.endNanos = try uint64("endTimeUnixNano", in: object)
            span.attributes = try attributes("attributes", in: object)
            if let status = field("status", in: object) {
                span.statusCode = try int32("code", in: status)
                span.statusMessage = try string("message", in: status)
            }
            return span
        }

        func metric(_ object: JSONSpan, into encoder: inout TelemetryEncoder) throws {
            var metric = OTelMetric()
            metric.name = try string("name", in: object)
            metric.unit = try string("unit", in: object)
            metric.description = try string("description", in: object)
            for kind in ["gauge", "sum", "histogram", "exponentialHistogram", "summary"] {
                guard let data = field(kind, in: object) else { continue }
                metric.kind = kind.snakeCased
                if kind == "sum" {
                    metric.temporality = try int32("aggregationTemporality", in: data)
                    metric.monotonic = field("isMonotonic", in: data).flatMap { scanner.bool($0) } ?? false
                } else if kind == "histogram" || kind == "exponentialHistogram" {
                    metric.temporality = try int32("aggregationTemporality", in: data)
                }
                guard let points = field("dataPoints", in: data) else { return }
                try forEach(points, "dataPoints") { encoder.dataPoint(try dataPoint($0, kind: kind), of: metric) }
                return
            }
        }

        func dataPoint(_ object: JSONSpan, kind: String) throws -> OTelDataPoint {
            var point = OTelDataPoint()
            point.startNanos = try uint64("startTimeUnixNano", in: object)
            point.timeNanos = try uint64("timeUnixNano", in: object)
            point.attributes = try attributes("attributes", in: object)
            if let v = field("asInt", in: object) {
                point.value = .int(try int64(v, "asInt"))
            } else if let v = field("asDouble", in: object) {
                point.value = .double(try double(v, "asDouble"))
            }
            if kind == "gauge" || kind == "sum" { return point }
            if let v = field("count", in: object) {
                point.fields.append(.init(key: "count", value: .int(try int64(v, "count"))))
            }
            for name in ["sum", "min", "max"] {
                if let v = field(name, in: object) {
                    point.fields.append(.init(key: name, value: .double(try double(v, name))))
                }
            }
            if let list = field("bucketCounts", in: object) {
                point.fields.append(
                    .init(key: "bucket_counts", value: .array(try numbers(list, "bucketCounts", integer: true)))
                )
            }
            if let list = field("explicitBounds", in: object) {
                point.fields.append(
                    .init(key: "explicit_bounds", value: .array(try numbers(list, "explicitBounds", integer: false)))
                )
            }
            if let v = field("scale", in: object) {
                point.fields.append(.init(key: "scale", value: .int(try int64(v, "scale"))))
            }
            if let v = field("zeroCount", in: object) {
                point.fields.append(.init(key: "zero_count", value: .int(try int64(v, "zeroCount"))))
            }
            if let list = field("quantileValues", in: object) {
                var quantiles: [OTelValue] = []
                try forEach(list, "quantileValues") { q in
                    let quantile = try field("quantile", in: q).map { try double($0, "quantile") } ?? 0
                    let value = try field("value", in: q).map { try double($0, "value") } ?? 0
                    quantiles.append(
                        .kvlist([
                            .init(key: "quantile", value: .double(quantile)),
                            .init(key: "value", value: .double(value)),
                        ])
                    )
                }
                point.fields.append(.init(key: "quantiles", value: .array(quantiles)))
            }
            return point
        }

        func numbers(_ list: JSONSpan, _ name: String, integer: Bool) throws -> [OTelValue] {
            guard list.kind == .array else { throw OTLPDecodeError("\(name) is not an array") }
            var out: [OTelValue] = []
            var failure: Error?
            scanner.forEachElement(of: list) { element in
                do {
                    out.append(integer ? .int(try int64(element, name)) : .double(try double(element, name)))
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
            return out
        }
    }
}

extension String {
    /// lowerCamelCase -> snake_case (the proto field name of an OTLP JSON name).
    var snakeCased: String {
        var out = ""
        for c in self {
            if c.isUppercase {
                out.append("_")
                out.append(contentsOf: c.lowercased())
            } else {
                out.append(c)
            }
        }
        return out
    }
}
