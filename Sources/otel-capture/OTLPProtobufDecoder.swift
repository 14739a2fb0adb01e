// OTLP/protobuf request bodies -> TelemetryEncoder calls, through the swift-protobuf messages
// generated once from opentelemetry-proto (Generated/, see Generated/README.md).
import Foundation
import SwiftProtobuf

enum OTLPProtobufDecoder {
    static func decode(_ body: [UInt8], signal: OTelSignal, into encoder: inout TelemetryEncoder) throws {
        do {
            switch signal {
            case .logs:
                let request = try Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest(serializedBytes: body)
                for resource in request.resourceLogs {
                    encoder.setResource(attributes(resource.resource.attributes))
                    for scopeLogs in resource.scopeLogs {
                        encoder.setScope(scope(scopeLogs.scope))
                        for record in scopeLogs.logRecords { encoder.log(log(record)) }
                    }
                }
            case .traces:
                let request = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(
                    serializedBytes: body
                )
                for resource in request.resourceSpans {
                    encoder.setResource(attributes(resource.resource.attributes))
                    for scopeSpans in resource.scopeSpans {
                        encoder.setScope(scope(scopeSpans.scope))
                        for span in scopeSpans.spans { encoder.span(self.span(span)) }
                    }
                }
            case .metrics:
                let request = try Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest(
                    serializedBytes: body
                )
                for resource in request.resourceMetrics {
                    encoder.setResource(attributes(resource.resource.attributes))
                    for scopeMetrics in resource.scopeMetrics {
                        encoder.setScope(scope(scopeMetrics.scope))
                        for metric in scopeMetrics.metrics { self.metric(metric, into: &encoder) }
                    }
                }
            }
        } catch let error as BinaryDecodingError {
            throw OTLPDecodeError("not a valid OTLP \(signal.rawValue) protobuf message (\(reason(error)))")
        }
    }

    private static func reason(_ error: BinaryDecodingError) -> String {
        switch error {
        case .truncated: return "truncated"
        case .malformedProtobuf: return "malformed"
        case .invalidUTF8: return "a string is not UTF-8"
        case .messageDepthLimit: return "nested too deep"
        default: return "\(error)"
        }
    }

    static func attributes(_ list: [Opentelemetry_Proto_Common_V1_KeyValue]) -> [OTelAttribute] {
        list.map { OTelAttribute(key: $0.key, value: $0.hasValue ? value($0.value) : .empty) }
    }

    static func value(_ any: Opentelemetry_Proto_Common_V1_AnyValue) -> OTelValue {
        switch any.value {
        case .stringValue(let text)?: return .string(text)
        case .boolValue(let flag)?: return .bool(flag)
        case .intValue(let number)?: return .int(number)
        case .doubleValue(let number)?: return .double(number)
        case .bytesValue(let data)?: return .bytes([UInt8](data))
        case .arrayValue(let array)?: return .array(array.values.map(value))
        case .kvlistValue(let list)?: return .kvlist(attributes(list.values))
        // A string-table index only means something inside a profiles dictionary.
        case .stringValueStrindex(let index)?: return .int(Int64(index))
        case nil: return .empty
        }
    }

    static func scope(_ scope: Opentelemetry_Proto_Common_V1_InstrumentationScope) -> OTelScope {
        OTelScope(name: scope.name, version: scope.version, attributes: attributes(scope.attributes))
    }

    static func log(_ record: Opentelemetry_Proto_Logs_V1_LogRecord) -> OTelLogRecord {
        OTelLogRecord(
            timeNanos: record.timeUnixNano,
            observedNanos: record.observedTimeUnixNano,
            severityNumber: Int32(truncatingIfNeeded: record.severityNumber.rawValue),
            severityText: record.severityText,
            body: record.hasBody ? value(record.body) : nil,
            attributes: attributes(record.attributes),
            traceID: [UInt8](record.traceID),
            spanID: [UInt8](record.spanID),
            eventName: record.eventName
        )
    }

    static func span(_ span: Opentelemetry_Proto_Trace_V1_Span) -> OTelSpan {
        OTelSpan(
            traceID: [UInt8](span.traceID),
            spanID: [UInt8](span.spanID),
            parentSpanID: [UInt8](span.parentSpanID),
            name: span.name,
            kind: Int32(truncatingIfNeeded: span.kind.rawValue),
            startNanos: span.startTimeUnixNano,
            endNanos: span.endTimeUnixNano,
            attributes: attributes(span.attributes),
            statusCode: Int32(truncatingIfNeeded: span.status.code.rawValue),
            statusMessage: span.status.message
        )
    }

    static func metric(_ metric: Opentelemetry_Proto_Metrics_V1_Metric, into encoder: inout TelemetryEncoder) {
        var info = OTelMetric(name: metric.name, unit: metric.unit, description: metric.description_p)
        switch metric.data {
        case .gauge(let gauge)?:
            info.kind = "gauge"
            for point in gauge.dataPoints { encoder.dataPoint(number(point), of: info) }
        case .sum(let sum)?:
            info.kind = "sum"
            info.temporality = Int32(truncatingIfNeeded: sum.aggregationTemporality.rawValue)
            info.monotonic = sum.isMonotonic
            for point in sum.dataPoints { encoder.dataPoint(number(point), of: info) }
        case .histogram(let histogram)?:
            info.kind = "histogram"
            info.temporality = Int32(truncatingIfNeeded: histogram.aggregationTemporality.rawValue)
            for point in histogram.dataPoints {
                var out = OTelDataPoint(
                    startNanos: point.startTimeUnixNano,
                    timeNanos: point.timeUnixNano,
                    attributes: attributes(point.attributes)
                )
                out.fields.append(.init(key: "count", value: .int(Int64(clamping: point.count))))
                if point.hasSum { out.fields.append(.init(key: "sum", value: .double(point.sum))) }
                if point.hasMin { out.fields.append(.init(key: "min", value: .double(point.min))) }
                if point.hasMax { out.fields.append(.init(key: "max", value: .double(point.max))) }
                out.fields.append(
                    .init(key: "bucket_counts", value: .array(point.bucketCounts.map { .int(Int64(clamping: $0)) }))
                )
                out.fields.append(
                    .init(key: "explicit_bounds", value: .array(point.explicitBounds.map { .double($0) }))
                )
                encoder.dataPoint(out, of: info)
            }
        case .exponentialHistogram(let histogram)?:
            info.kind = "exponential_histogram"
            info.temporality = Int32(truncatingIfNeeded: histogram.aggregationTemporality.rawValue)
            for point in histogram.dataPoints {
                var out = OTelDataPoint(
                    startNanos: point.startTimeUnixNano,
                    timeNanos: point.timeUnixNano,
                    attributes: attributes(point.attributes)
                )
                out.fields.append(.init(key: "count", value: .int(Int64(clamping: point.count))))
                if point.hasSum { out.fields.append(.init(key: "sum", value: .double(point.sum))) }
                if point.hasMin { out.fields.append(.init(key: "min", value: .double(point.min))) }
                if point.hasMax { out.fields.append(.init(key: "max", value: .double(point.max))) }
                out.fields.append(.init(key: "scale", value: .int(Int64(point.scale))))
                out.fields.append(.init(key: "zero_count", value: .int(Int64(clamping: point.zeroCount))))
                encoder.dataPoint(out, of: info)
            }
        case .summary(let summary)?:
            info.kind = "summary"
            for point in summary.dataPoints {
                var out = OTelDataPoint(
                    startNanos: point.startTimeUnixNano,
                    timeNanos: point.timeUnixNano,
                    attributes: attributes(point.attributes)
                )
                out.fields.append(.init(key: "count", value: .int(Int64(clamping: point.count))))
                out.fields.append(.init(key: "sum", value: .double(point.sum)))
                let quantiles: [OTelValue] = point.quantileValues.map {
                    .kvlist([
                        .init(key: "quantile", value: .double($0.quantile)),
                        .init(key: "value", value: .double($0.value)),
                    ])
                }
                out.fields.append(.init(key: "quantiles", value: .array(quantiles)))
                encoder.dataPoint(out, of: info)
            }
        case nil:
            return
        }
    }

    static func number(_ point: Opentelemetry_Proto_Metrics_V1_NumberDataPoint) -> OTelDataPoint {
        var out = OTelDataPoint(
            startNanos: point.startTimeUnixNano,
            timeNanos: point.timeUnixNano,
            attributes: attributes(point.attributes)
        )
        switch point.value {
        case .asInt(let number)?: out.value = .int(number)
        case .asDouble(let number)?: out.value = .double(number)
        case nil: break
        }
        return out
    }
}
