// The request state machine and the encoders, without a socket: answers, record bytes, the
// event-name rules, and split invariance (any chunking of the body gives the same answer).
import Foundation
import TapTestSupport
import XCTest

@testable import otel_capture

final class ExportRequestTests: XCTestCase {
    private func request(
        _ path: String = "/v1/logs",
        type: String? = "application/json",
        encoding: String? = nil,
        length: Int? = nil,
        maxBody: Int = 1 << 20
    ) -> ExportRequest {
        ExportRequest(
            method: "POST",
            path: path,
            contentType: type,
            contentEncoding: encoding,
            contentLength: length,
            maxBody: maxBody
        )
    }

    private func answer(_ body: [UInt8], type: String = "application/json", path: String = "/v1/logs") -> ExportAnswer {
        var r = request(path, type: type)
        r.feed(body)
        return r.finish(receivedNanos: 1)
    }

    func testBothEncodingsGiveTheHandWrittenRecord() {
        let json = answer(Array(Samples.codexPromptJSON.utf8))
        XCTAssertEqual(json.status, 200, json.error ?? "")
        XCTAssertEqual(String(decoding: json.body, as: UTF8.self), "{}")
        XCTAssertEqual(String(decoding: json.records, as: UTF8.self), Samples.codexPromptRecord)
        let protobuf = answer(Samples.codexPromptProtobuf, type: "application/x-protobuf")
        XCTAssertEqual(protobuf.status, 200, protobuf.error ?? "")
        XCTAssertEqual(protobuf.body, [], "an empty ExportLogsServiceResponse is zero bytes")
        XCTAssertEqual(protobuf.contentType, "application/x-protobuf")
        XCTAssertEqual(String(decoding: protobuf.records, as: UTF8.self), Samples.codexPromptRecord)
    }

    func testSplitInvariance() {
        for (body, type) in [
            (Array(Samples.codexPromptJSON.utf8), "application/json"),
            (Samples.codexPromptProtobuf, "application/x-protobuf"),
        ] {
            let whole = answer(body, type: type)
            var generator = SeededGenerator(seed: 7)
            var chunkings: [[Int]] = [Array(repeating: 1, count: body.count)]
            for _ in 0..<20 {
                var sizes: [Int] = []
                var left = body.count
                while left > 0 {
                    let n = Int.random(in: 1...max(1, min(left, 97)), using: &generator)
                    sizes.append(n)
                    left -= n
                }
                chunkings.append(sizes)
            }
            for sizes in chunkings {
                var r = request(type: type)
                var offset = 0
                for n in sizes {
                    r.feed(Array(body[offset..<offset + n]))
                    offset += n
                }
                XCTAssertEqual(r.finish(receivedNanos: 1), whole)
            }
        }
    }

    func testEveryTruncationOfAProtobufBodyIsRefusedWholeOrDecodedWhole() {
        let body = Samples.codexPromptProtobuf
        var refused = 0
        for cut in 1..<body.count {
            let result = answer(Array(body[..<cut]), type: "application/x-protobuf")
            if result.status == 400 {
                refused += 1
                XCTAssertEqual(result.records, [], "cut \(cut)")
                XCTAssertEqual(result.body.first, 0x08, "a google.rpc.Status")
            } else {
                XCTAssertEqual(result.status, 200, "cut \(cut)")
            }
        }
        XCTAssertGreaterThan(refused, body.count / 2)
    }

    func testStatusesAndReasons() {
        XCTAssertEqual(request(type: nil).finish(receivedNanos: 1).status, 415)
        XCTAssertEqual(request(encoding: "br").finish(receivedNanos: 1).status, 415)
        XCTAssertEqual(request("/v1/profiles").finish(receivedNanos: 1).status, 404)
        XCTAssertEqual(request(length: 2 << 20).finish(receivedNanos: 1).status, 413)
        var big = request(maxBody: 10)
        big.feed(Array("{\"resourceLogs\":[]}".utf8))
        let refused = big.finish(receivedNanos: 1)
        XCTAssertEqual(refused.status, 413)
        XCTAssertEqual(refused.records, [])
        var get = ExportRequest(
            method: "GET",
            path: "/v1/logs",
            contentType: nil,
            contentEncoding: nil,
            contentLength: nil,
            maxBody: 10
        )
        get.feed([])
        XCTAssertEqual(get.finish(receivedNanos: 1).status, 405)
        for (body, reason) in [
            ("", "not valid JSON"), ("[1]", "not a JSON object"), (#"{"foo":1}"#, "no resourceLogs"),
            (#"{"resourceLogs":{}}"#, "resourceLogs is not an array"),
            (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"zz"}]}]}]}"#, "traceId is not hex"),
            (
                #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"k","value":{"intValue":"1.5"}}]}]}]}]}"#,
                "intValue"
            ),
        ] {
            let result = answer(Array(body.utf8))
            XCTAssertEqual(result.status, 400, body)
            XCTAssertTrue(result.error?.contains(reason) == true, "\(body): \(result.error ?? "")")
            XCTAssertEqual(result.records, [])
        }
        XCTAssertEqual(answer(Array("{}".utf8)).status, 200, "an empty export")
        XCTAssertEqual(answer(Array("{}".utf8), type: "application/json; charset=utf-8").status, 200)
        XCTAssertEqual(answer(Array(#"{"resource_logs":[]}"#.utf8)).status, 200, "snake_case names are OTLP too")
        XCTAssertEqual(
            ExportRequest.statusProtobuf(code: 3, message: "bad"),
            [0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]
        )
    }

    func testEventNames() {
        func type(_ record: OTelLogRecord, service: String? = nil, scope: String = "") -> String {
            var encoder = TelemetryEncoder(receivedNanos: 1)
            if let service { encoder.setResource([OTelAttribute(key: "service.name", value: .string(service))]) }
            encoder.setScope(OTelScope(name: scope))
            return encoder.eventType(record)
        }
        let bare = OTelAttribute(key: "event.name", value: .string("api_request"))
        XCTAssertEqual(type(OTelLogRecord(eventName: "codex.sse_event")), "codex.sse_event")
        XCTAssertEqual(
            type(OTelLogRecord(body: .string("claude_code.api_request"), attributes: [bare])),
            "claude_code.api_request"
        )
        XCTAssertEqual(type(OTelLogRecord(attributes: [bare]), service: "claude-code"), "claude_code.api_request")
        XCTAssertEqual(
            type(OTelLogRecord(attributes: [bare]), scope: "com.anthropic.claude_code.events"),
            "claude_code.api_request"
        )
        XCTAssertEqual(type(OTelLogRecord(attributes: [bare])), "api_request")
        XCTAssertEqual(type(OTelLogRecord(body: .string("hello"))), "otel.log")
    }

    func testSessionIDAndTimes() {
        var encoder = TelemetryEncoder(receivedNanos: 1_764_150_000_000_000_000)
        encoder.setResource([OTelAttribute(key: "session.id", value: .string("from-resource"))])
        encoder.log(OTelLogRecord())
        encoder.log(
            OTelLogRecord(
                observedNanos: 1_764_150_001_000_000_000,
                attributes: [OTelAttribute(key: "conversation.id", value: .string("c"))]
            )
        )
        let lines = String(decoding: encoder.bytes, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(
            lines.map(String.init),
            [
                #"{"v":1,"type":"otel.log","ts":"2025-11-26T09:40:00.000000Z","session_id":"from-resource","attributes":{},"resource":{"session.id":"from-resource"},"scope":{}}"#,
                #"{"v":1,"type":"otel.log","ts":"2025-11-26T09:40:01.000000Z","session_id":"c","attributes":{"conversation.id":"c"},"resource":{"session.id":"from-resource"},"scope":{}}"#,
            ]
        )
    }
}
