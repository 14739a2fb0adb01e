// The fast protobuf-logs path (OTLPLogsWireDecoder) against the general one (swift-protobuf
// messages + TelemetryEncoder): on random requests it must give the same bytes, and on damaged
// ones (truncated, bytes flipped, invalid UTF-8) either decline or give what the general path
// gives — never accept what the general path refuses.
import Foundation
import SwiftProtobuf
import TapTestSupport
import XCTest

@testable import otel_capture

final class WireDecoderTests: XCTestCase {
    typealias AnyValue = Opentelemetry_Proto_Common_V1_AnyValue
    typealias KeyValue = Opentelemetry_Proto_Common_V1_KeyValue

    /// The general path's records, or nil when it refuses the body.
    private func general(_ body: [UInt8]) -> [UInt8]? {
        var encoder = TelemetryEncoder(receivedNanos: 1_764_158_400_123_456_789)
        do {
            try OTLPProtobufDecoder.decode(body, signal: .logs, into: &encoder)
        } catch {
            return nil
        }
        return encoder.bytes
    }

    private func fast(_ body: [UInt8]) -> [UInt8]? {
        OTLPLogsWireDecoder.decode(body, receivedNanos: 1_764_158_400_123_456_789)?.bytes
    }

    private func pick<T>(_ options: [T], _ g: inout SeededGenerator) -> T {
        options[Int.random(in: 0..<options.count, using: &g)]
    }

    private func randomString(_ g: inout SeededGenerator) -> String {
        pick(
            [
                "", "x", "codex.user_prompt", "user_prompt", "claude_code.user_prompt", "héllo 日本 \"q\"\n\t\u{1}",
                "a b.user_prompt",
                "019ac1b2-0001", "tool_result", "🙂 emoji", "back\\slash",
            ],
            &g
        )
    }

    private func randomValue(_ g: inout SeededGenerator, depth: Int = 0) -> AnyValue {
        var any = AnyValue()
        switch Int.random(in: 0..<(depth < 3 ? 10 : 7), using: &g) {
        case 0: break  // empty
        case 1, 2: any.value = .stringValue(randomString(&g))
        case 3: any.value = .boolValue(Bool.random(using: &g))
        case 4:
            any.value = .intValue(pick([0, 1, -1, 42, 9_007_199_254_740_991, 9_007_199_254_740_992, .min, .max], &g))
        case 5: any.value = .doubleValue(pick([0.25, -1.5, 3, 1e300, .nan, .infinity, -.infinity, 0.1], &g))
        case 6: any.value = .bytesValue(Data((0..<Int.random(in: 0..<5, using: &g)).map { UInt8($0 * 37) }))
        case 7:
            var array = Opentelemetry_Proto_Common_V1_ArrayValue()
            array.values = (0..<Int.random(in: 0..<3, using: &g)).map { _ in randomValue(&g, depth: depth + 1) }
            any.value = .arrayValue(array)
        case 8:
            var list = Opentelemetry_Proto_Common_V1_KeyValueList()
            list.values = (0..<Int.random(in: 0..<3, using: &g)).map { _ in randomPair(&g, depth: depth + 1) }
            any.value = .kvlistValue(list)
        default: any.value = .stringValueStrindex(Int32.random(in: -3...3, using: &g))
        }
        return any
    }

    private func randomPair(_ g: inout SeededGenerator, depth: Int = 0) -> KeyValue {
        var pair = KeyValue()
        pair.key = pick(
            ["event.name", "conversation.id", "session.id", "service.name", "model", "prompt", "ünï", ""],
            &g
        )
        if pair.key == "service.name" { pair.value.value = .stringValue(pick(["claude-code", "codex_cli_rs"], &g)) }
        if Int.random(in: 0..<8, using: &g) > 0 && pair.key != "service.name" {
            pair.value = randomValue(&g, depth: depth)
        }
        return pair
    }

    private func randomRequest(_ g: inout SeededGenerator) -> [UInt8] {
        var request = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest()
        for _ in 0..<Int.random(in: 1...2, using: &g) {
            var resource = Opentelemetry_Proto_Logs_V1_ResourceLogs()
            if Bool.random(using: &g) {
                resource.resource.attributes = (0..<Int.random(in: 0..<4, using: &g)).map { _ in randomPair(&g) }
            }
            if Bool.random(using: &g) { resource.schemaURL = "https://opentelemetry.io/schemas/1.0" }
            for _ in 0..<Int.random(in: 1...2, using: &g) {
                var scope = Opentelemetry_Proto_Logs_V1_ScopeLogs()
                if Bool.random(using: &g) {
                    scope.scope.name = pick(["", "codex_otel", "com.anthropic.claude_code.events"], &g)
                    scope.scope.version = pick(["", "1.0"], &g)
                    scope.scope.attributes = (0..<Int.random(in: 0..<2, using: &g)).map { _ in randomPair(&g) }
                }
                for _ in 0..<Int.random(in: 0..<4, using: &g) {
                    var record = Opentelemetry_Proto_Logs_V1_LogRecord()
                    if Bool.random(using: &g) {
                        record.timeUnixNano = UInt64.random(in: 0..<4_000_000_000_000_000_000, using: &g)
                    }
                    if Bool.random(using: &g) { record.observedTimeUnixNano = 1_764_158_400_000_000_001 }
                    if Bool.random(using: &g) { record.severityNumber = .info }
                    if Bool.random(using: &g) { record.severityText = "INFO" }
                    if Bool.random(using: &g) { record.body = randomValue(&g) }
                    record.attributes = (0..<Int.random(in: 0..<6, using: &g)).map { _ in randomPair(&g) }
                    if Bool.random(using: &g) { record.traceID = Data((0..<16).map { UInt8($0 * 17) }) }
                    if Bool.random(using: &g) { record.spanID = Data((0..<8).map { UInt8(255 - $0) }) }
                    if Bool.random(using: &g) { record.eventName = randomString(&g) }
                    scope.logRecords.append(record)
                }
                resource.scopeLogs.append(scope)
            }
            request.resourceLogs.append(resource)
        }
        return (try? request.serializedBytes()) ?? []
    }

    func testRandomRequestsGiveTheGeneralPathsBytes() {
        var g = SeededGenerator(seed: 12)
        for n in 0..<600 {
            let body = randomRequest(&g)
            let expected = general(body)
            XCTAssertNotNil(expected, "request \(n)")
            let got = fast(body)
            XCTAssertNotNil(got, "request \(n): a well-formed request is not declined")
            XCTAssertEqual(
                got.map { String(decoding: $0, as: UTF8.self) },
                expected.map { String(decoding: $0, as: UTF8.self) },
                "request \(n)"
            )
        }
    }

    func testTheHandWrittenSampleComesOutOfTheFastPath() {
        let got = fast(Samples.codexPromptProtobuf)
        XCTAssertEqual(got.map { String(decoding: $0, as: UTF8.self) }, Samples.codexPromptRecord)
    }

    func testDamagedBodiesAreDeclinedOrDecodedAsTheGeneralPathDoes() {
        var g = SeededGenerator(seed: 99)
        var declined = 0
        var accepted = 0
        for _ in 0..<60 {
            let body = randomRequest(&g)
            var damaged: [[UInt8]] = (1..<min(body.count, 80)).map { Array(body[..<$0]) }
            for _ in 0..<40 where !body.isEmpty {
                var copy = body
                let at = Int.random(in: 0..<copy.count, using: &g)
                copy[at] = pick([0xFF, 0x80, 0xC3, 0xED, 0x00, 0x0A, copy[at] ^ 0x40], &g)
                damaged.append(copy)
            }
            for bytes in damaged {
                guard let got = fast(bytes) else {
                    declined += 1
                    continue
                }
                accepted += 1
                XCTAssertEqual(
                    got,
                    general(bytes),
                    "the fast path accepted what the general path decodes differently or refuses"
                )
            }
        }
        XCTAssertGreaterThan(declined, 100)
        XCTAssertGreaterThan(accepted, 100)
    }

    func testInvalidUTF8IsDeclinedAndRefusedByTheGeneralPath() {
        // ExportLogsServiceRequest{resource_logs{scope_logs{log_records{severity_text: <bytes>}}}}
        for text: [UInt8] in [
            [0xC3], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xFF],
        ] {
            let record = [0x1A, UInt8(text.count)] + text
            let scope = [0x12, UInt8(record.count)] + record
            let resource = [0x12, UInt8(scope.count)] + scope
            let body = [0x0A, UInt8(resource.count)] + resource
            XCTAssertNil(fast(body), "\(text)")
            XCTAssertNil(general(body), "\(text)")
        }
        XCTAssertTrue(UTF8Check.isValid(UnsafeRawBufferPointer(start: nil, count: 0)))
        for valid in ["héllo", "日本", "🙂", "\u{10FFFF}", "\u{FFFD}"] {
            var text = valid
            XCTAssertTrue(text.withUTF8 { UTF8Check.isValid(UnsafeRawBufferPointer($0)) }, valid)
        }
    }
}
