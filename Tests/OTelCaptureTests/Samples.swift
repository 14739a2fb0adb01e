// Small OTLP requests for the unit and bad-input tests: one Codex prompt as OTLP/JSON, and the
// same request as protobuf (encoded with the generated swift-protobuf messages).
import Foundation

@testable import otel_capture

enum Samples {
    static let codexPromptJSON = #"""
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex_cli_rs"}}]},
         "scopeLogs":[{"scope":{"name":"codex_otel","version":"0.63.0"},"logRecords":[{"timeUnixNano":"1764150000123456789",
         "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
         "body":{"stringValue":"codex.user_prompt"},"attributes":[
          {"key":"event.name","value":{"stringValue":"codex.user_prompt"}},
          {"key":"conversation.id","value":{"stringValue":"conv-1"}},
          {"key":"prompt","value":{"stringValue":"héllo 日本 \"quoted\"\n"}},
          {"key":"exact","value":{"intValue":"9007199254740991"}},
          {"key":"beyond","value":{"intValue":"9007199254740992"}},
          {"key":"min","value":{"intValue":"-9223372036854775808"}},
          {"key":"plain","value":{"intValue":42}},
          {"key":"ratio","value":{"doubleValue":0.25}},
          {"key":"nan","value":{"doubleValue":"NaN"}},
          {"key":"list","value":{"arrayValue":{"values":[{"boolValue":true},{"stringValue":"x"}]}}},
          {"key":"map","value":{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}}]}}},
          {"key":"raw","value":{"bytesValue":"AAEC"}}
         ]}]}]}]}
        """#

    static var codexPromptProtobuf: [UInt8] {
        var request = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest()
        var resource = Opentelemetry_Proto_Logs_V1_ResourceLogs()
        resource.resource.attributes = [keyValue("service.name", .stringValue("codex_cli_rs"))]
        var scope = Opentelemetry_Proto_Logs_V1_ScopeLogs()
        scope.scope.name = "codex_otel"
        scope.scope.version = "0.63.0"
        var record = Opentelemetry_Proto_Logs_V1_LogRecord()
        record.timeUnixNano = 1_764_150_000_123_456_789
        record.traceID = Data([
            0x5B, 0x8E, 0xFF, 0xF7, 0x98, 0x03, 0x81, 0x03, 0xD2, 0x69, 0xB6, 0x33, 0x81, 0x3F, 0xC6, 0x0C,
        ])
        record.spanID = Data([0xEE, 0xE1, 0x9B, 0x7E, 0xC3, 0xC1, 0xB1, 0x74])
        record.body.value = .stringValue("codex.user_prompt")
        var list = Opentelemetry_Proto_Common_V1_ArrayValue()
        list.values = [anyValue(.boolValue(true)), anyValue(.stringValue("x"))]
        var map = Opentelemetry_Proto_Common_V1_KeyValueList()
        map.values = [keyValue("a", .intValue(1))]
        record.attributes = [
            keyValue("event.name", .stringValue("codex.user_prompt")),
            keyValue("conversation.id", .stringValue("conv-1")),
            keyValue("prompt", .stringValue("héllo 日本 \"quoted\"\n")),
            keyValue("exact", .intValue(9_007_199_254_740_991)),
            keyValue("beyond", .intValue(9_007_199_254_740_992)),
            keyValue("min", .intValue(Int64.min)),
            keyValue("plain", .intValue(42)),
            keyValue("ratio", .doubleValue(0.25)),
            keyValue("nan", .doubleValue(.nan)),
            keyValue("list", .arrayValue(list)),
            keyValue("map", .kvlistValue(map)),
            keyValue("raw", .bytesValue(Data([0, 1, 2]))),
        ]
        scope.logRecords = [record]
        resource.scopeLogs = [scope]
        request.resourceLogs = [resource]
        return (try? request.serializedBytes()) ?? []
    }

    static func anyValue(
        _ value: Opentelemetry_Proto_Common_V1_AnyValue.OneOf_Value
    ) -> Opentelemetry_Proto_Common_V1_AnyValue {
        var any = Opentelemetry_Proto_Common_V1_AnyValue()
        any.value = value
        return any
    }

    static func keyValue(
        _ key: String,
        _ value: Opentelemetry_Proto_Common_V1_AnyValue.OneOf_Value
    ) -> Opentelemetry_Proto_Common_V1_KeyValue {
        var pair = Opentelemetry_Proto_Common_V1_KeyValue()
        pair.key = key
        pair.value = anyValue(value)
        return pair
    }

    /// The record both encodings of the sample must give, written out by hand.
    static let codexPromptRecord =
        #"{"v":1,"type":"codex.user_prompt","ts":"2025-11-26T09:40:00.123456Z","session_id":"conv-1","body":"codex.user_prompt","#
        + #""trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","attributes":{"event.name":"codex.user_prompt","#
        + #""conversation.id":"conv-1","prompt":"héllo 日本 \"quoted\"\n","exact":9007199254740991,"beyond":"9007199254740992","#
        + #""min":"-9223372036854775808","plain":42,"ratio":0.25,"nan":"NaN","list":[true,"x"],"map":{"a":1},"raw":"AAEC"},"#
        + #""resource":{"service.name":"codex_cli_rs"},"scope":{"name":"codex_otel","version":"0.63.0"}}"# + "\n"
}
