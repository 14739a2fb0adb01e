// The pacer is pure: these tests check the waits it asks for, without waiting.

import TapCodec
import XCTest

@testable import flow_replay

final class ReplayPacerTests: XCTestCase {
    func at(_ seconds: Double) -> Timestamp {
        Timestamp(microseconds: 1_800_000_000_000_000 + Int64(seconds * 1_000_000))
    }

    func testRecordedGapsScaledBySpeed() {
        var pacer = ReplayPacer(pacing: .speed(4))
        XCTAssertEqual(
            [0, 1, 1.5, 3.5].map { pacer.wait(before: at($0)) },
            [0, 250_000, 125_000, 500_000]
        )
    }

    func testRecordsWithoutTimeOrGoingBackAreWrittenAtOnce() {
        var pacer = ReplayPacer(pacing: .speed(1))
        XCTAssertEqual(
            [at(10), nil, at(11), at(5), at(12)].map { pacer.wait(before: $0) },
            [0, 0, 1_000_000, 0, 1_000_000]
        )
    }

    func testFixedDelayAndNoWaitAndCap() {
        var fixed = ReplayPacer(pacing: .fixed(20_000))
        XCTAssertEqual([at(0), at(100), nil].map { fixed.wait(before: $0) }, [20_000, 20_000, 20_000])
        var none = ReplayPacer(pacing: .noWait)
        XCTAssertEqual([at(0), at(100)].map { none.wait(before: $0) }, [0, 0])
        var capped = ReplayPacer(pacing: .speed(1), maxGap: 2_000_000)
        XCTAssertEqual([at(0), at(3600), at(3601)].map { capped.wait(before: $0) }, [0, 2_000_000, 1_000_000])
    }

    func testEventBytesRebuiltFromSSERecords() {
        let cases: [(String, String)] = [
            (
                #"{"v":1,"type":"sse","flow_id":"f","seq":0,"event":"message_start","data":{"type":"message_start","n":1}}"#,
                "event: message_start\ndata: {\"type\":\"message_start\",\"n\":1}\n\n"
            ),
            (#"{"v":1,"type":"sse","flow_id":"f","seq":1,"event":"message","data":"[DONE]"}"#, "data: [DONE]\n\n"),
            (
                #"{"v":1,"type":"sse","flow_id":"f","seq":2,"event":"x","id":"7","data":"a\nb"}"#,
                "event: x\nid: 7\ndata: a\ndata: b\n\n"
            ),
        ]
        for (line, expected) in cases {
            let bytes = Array(line.utf8)
            let event = bytes.withUnsafeBytes { raw in
                Record(line: raw).map { RecordedFlowsBuilder.eventBytes($0) } ?? []
            }
            XCTAssertEqual(String(decoding: event, as: UTF8.self), expected)
        }
    }
}
