// The OTLP data the receiver keeps, independent of the wire encoding (protobuf or JSON).
//
// Both decoders turn a request into these values and hand them to `TelemetryEncoder`, so the
// records are the same whichever encoding an exporter chose. Integers stay Int64 all the way:
// a token count or a nanosecond timestamp never passes through a Double.

/// An OTLP AnyValue.
indirect enum OTelValue: Equatable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case array([OTelValue])
    case kvlist([OTelAttribute])
    /// An AnyValue with no value set (OTLP: "empty"); written as JSON null.
    case empty

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

struct OTelAttribute: Equatable {
    var key: String
    var value: OTelValue
}

struct OTelScope: Equatable {
    var name = ""
    var version = ""
    var attributes: [OTelAttribute] = []
}

struct OTelLogRecord: Equatable {
    var timeNanos: UInt64 = 0
    var observedNanos: UInt64 = 0
    var severityNumber: Int32 = 0
    var severityText = ""
    var body: OTelValue?
    var attributes: [OTelAttribute] = []
    var traceID: [UInt8] = []
    var spanID: [UInt8] = []
    var eventName = ""
}

struct OTelSpan: Equatable {
    var traceID: [UInt8] = []
    var spanID: [UInt8] = []
    var parentSpanID: [UInt8] = []
    var name = ""
    var kind: Int32 = 0
    var startNanos: UInt64 = 0
    var endNanos: UInt64 = 0
    var attributes: [OTelAttribute] = []
    var statusCode: Int32 = 0
    var statusMessage = ""
}

/// The metric a data point belongs to.
struct OTelMetric: Equatable {
    var name = ""
    var unit = ""
    var description = ""
    /// gauge, sum, histogram, exponential_histogram or summary.
    var kind = ""
    /// Sums only: OTLP AggregationTemporality (1 delta, 2 cumulative) and monotonicity.
    var temporality: Int32?
    var monotonic: Bool?
}

/// One data point of any metric kind: `value` for gauges and sums, `fields` for the
/// distribution kinds (count, sum, min, max, bucket_counts, explicit_bounds, quantiles, …).
struct OTelDataPoint: Equatable {
    var startNanos: UInt64 = 0
    var timeNanos: UInt64 = 0
    var attributes: [OTelAttribute] = []
    var value: OTelValue?
    var fields: [OTelAttribute] = []
}

/// The three OTLP/HTTP signals, by request path.
enum OTelSignal: String, CaseIterable, Sendable {
    case logs, metrics, traces

    init?(path: String) {
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch bare {
        case "/v1/logs": self = .logs
        case "/v1/metrics": self = .metrics
        case "/v1/traces": self = .traces
        default: return nil
        }
    }

    /// The request's top-level repeated field (JSON name) and what each entry holds.
    var resourceKey: String {
        switch self {
        case .logs: return "resourceLogs"
        case .metrics: return "resourceMetrics"
        case .traces: return "resourceSpans"
        }
    }
}

/// Why a request body was refused (400 with this reason).
struct OTLPDecodeError: Error, Equatable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
