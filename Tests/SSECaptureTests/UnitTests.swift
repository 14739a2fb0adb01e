// The pure parts of sse-capture: the flow tap (split invariance over every real fixture),
// routing, session ids, sniffing.
import NIOCore
import NIOHTTP1
import TapCodec
import TapTestSupport
import XCTest

@testable import sse_capture

final class FlowTapTests: XCTestCase {
    private func run(_ bytes: [UInt8], cuts: [Int], kind: BodyKind = .sse) -> [UInt8] {
        var tap = FlowTap(flowID: "f", sessionID: "s", kind: kind)
        var out: [UInt8] = []
        var start = 0
        for cut in cuts + [bytes.count] where cut >= start {
            bytes[start..<cut].withUnsafeBytes { tap.feed($0, ts: "T", into: &out) }
            start = cut
        }
        tap.finish(ts: "T", into: &out)
        return out
    }

    func testEveryRealFixtureIsSplitInvariant() throws {
        for name in try Fixtures.realNames(withExtension: "sse") {
            let bytes = try Fixtures.real(name)
            let whole = run(bytes, cuts: [])
            XCTAssertFalse(whole.isEmpty, name)
            XCTAssertEqual(run(bytes, cuts: Array(1..<bytes.count)), whole, "\(name): 1-byte chunks")
            var rng = SystemRandomNumberGenerator()
            for round in 0..<8 {
                let seedCuts = (0..<Int.random(in: 1...40, using: &rng)).map { _ in
                    Int.random(in: 0...bytes.count, using: &rng)
                }
                XCTAssertEqual(
                    run(bytes, cuts: seedCuts.sorted()),
                    whole,
                    "\(name): round \(round) cuts \(seedCuts.sorted())"
                )
            }
            // Sniffing (no Content-Type) finds the same events.
            XCTAssertEqual(run(bytes, cuts: Array(1..<min(bytes.count, 12)), kind: .sniff), whole, "\(name): sniffed")
        }
    }

    func testRecordsCarryParsedJSONOrTheString() throws {
        let out = run(Array("event: a\ndata: {\"x\":\ndata: 1}\n\ndata: [DONE]\n\nid: 7\ndata: q\n\n".utf8), cuts: [])
        XCTAssertEqual(
            String(decoding: out, as: UTF8.self),
            """
            {"v":1,"type":"sse","flow_id":"f","session_id":"s","ts":"T","seq":0,"event":"a","data":{"x": 1}}
            {"v":1,"type":"sse","flow_id":"f","session_id":"s","ts":"T","seq":1,"event":"message","data":"[DONE]"}
            {"v":1,"type":"sse","flow_id":"f","session_id":"s","ts":"T","seq":2,"event":"message","id":"7","data":"q"}

            """
        )
    }

    func testUnterminatedLastEventIsNotDispatched() throws {
        let bytes = try Fixtures.real("anthropic-text-ping.sse")
        let lines = run(bytes, cuts: []).split(separator: UInt8(ascii: "\n"))
        XCTAssertEqual(lines.count, fixtureEvents(bytes).dataLines - 1)
    }

    func testSniffDecidesFromTheFirstBytes() {
        XCTAssertEqual(FlowTap.sniff(Array("da".utf8), final: false), nil)
        XCTAssertEqual(FlowTap.sniff(Array("data: x".utf8), final: false), true)
        XCTAssertEqual(FlowTap.sniff(Array(": ping".utf8), final: false), true)
        XCTAssertEqual(FlowTap.sniff(Array("{\"a\":1}".utf8), final: false), false)
        XCTAssertEqual(FlowTap.sniff(Array("da".utf8), final: true), false)
        XCTAssertEqual(BodyKind(contentType: "text/event-stream; charset=utf-8"), .sse)
        XCTAssertEqual(BodyKind(contentType: nil), .sniff)
        XCTAssertEqual(BodyKind(contentType: "application/json"), .other)
    }

    func testOtherBodiesAreCountedNotParsed() {
        var tap = FlowTap(flowID: "f", sessionID: "s", kind: .other)
        var out: [UInt8] = []
        Array("data: x\n\n".utf8).withUnsafeBytes { tap.feed($0, ts: "T", into: &out) }
        tap.finish(ts: "T", into: &out)
        XCTAssertEqual(out, [])
        XCTAssertEqual(tap.bytes, 9)
        XCTAssertEqual(tap.seq, 0)
    }
}

final class RouteTests: XCTestCase {
    let routes = ["/anthropic=https://api.anthropic.com", "/openai=http://127.0.0.1:8080/v1"].compactMap(
        ReverseRoute.init(argument:)
    )

    func testAbsoluteFormGoesToItsHost() {
        XCTAssertEqual(
            Route.decide(method: .POST, uri: "http://example.com:8080/v1/messages?x=1", tunnel: nil, reverse: routes),
            .forward(
                upstream: Upstream(host: "example.com", port: 8080, tls: false),
                uri: "/v1/messages?x=1",
                url: "http://example.com:8080/v1/messages?x=1"
            )
        )
    }

    func testReversePrefixIsStrippedOnASegmentBoundary() {
        XCTAssertEqual(
            Route.decide(method: .POST, uri: "/anthropic/v1/messages", tunnel: nil, reverse: routes),
            .forward(
                upstream: Upstream(host: "api.anthropic.com", port: 443, tls: true),
                uri: "/v1/messages",
                url: "https://api.anthropic.com/v1/messages"
            )
        )
        XCTAssertEqual(
            Route.decide(method: .POST, uri: "/openai/responses", tunnel: nil, reverse: routes),
            .forward(
                upstream: Upstream(host: "127.0.0.1", port: 8080, tls: false),
                uri: "/v1/responses",
                url: "http://127.0.0.1:8080/v1/responses"
            )
        )
        guard case .reject = Route.decide(method: .GET, uri: "/anthropicx/v1", tunnel: nil, reverse: routes) else {
            return XCTFail("a prefix matches whole path segments only")
        }
    }

    func testConnectAndTunnelledRequests() {
        XCTAssertEqual(
            Route.decide(method: .CONNECT, uri: "api.openai.com:443", tunnel: nil, reverse: routes),
            .connect(HostPort("api.openai.com:443", defaultPort: 443) ?? HostPort("x", defaultPort: 1)!)
        )
        let tunnel = Upstream(host: "chatgpt.com", port: 443, tls: true)
        XCTAssertEqual(
            Route.decide(method: .POST, uri: "/backend-api/codex/responses", tunnel: tunnel, reverse: routes),
            .forward(
                upstream: tunnel,
                uri: "/backend-api/codex/responses",
                url: "https://chatgpt.com/backend-api/codex/responses"
            )
        )
        XCTAssertEqual(HostPort("[::1]:8443", defaultPort: 443), HostPort("[::1]:8443", defaultPort: 1))
        XCTAssertEqual(HostPort("[::1]:8443", defaultPort: 443)?.host, "::1")
        XCTAssertNil(HostPort("host:99999", defaultPort: 443))
        XCTAssertNil(ReverseRoute(argument: "/x=ftp://nope"))
    }
}

final class SessionIDTests: XCTestCase {
    private func resolve(_ headers: [(String, String)], _ body: String) -> (String, String) {
        SessionID.resolve(headers: HTTPHeaders(headers), jsonBody: Array(body.utf8), fallback: "1.2.3.4|u|0")
    }

    func testPriorityOrder() {
        let body = """
            {"metadata":{"sessionId":"meta-1","user_id":"user_x_account_y_session_uuid-3"},"prompt_cache_key":"pck-2"}
            """
        XCTAssertEqual(resolve([("conversation_id", "c-0"), ("session_id", "s-0")], body).0, "c-0")
        XCTAssertEqual(resolve([("session-id", "h-1")], body).1, "header.session-id")
        XCTAssertEqual(resolve([], body).1, "body.metadata.sessionId")
        XCTAssertEqual(
            resolve([], "{\"prompt_cache_key\":\"pck-2\",\"metadata\":{\"user_id\":\"user_x_session_u\"}}").0,
            "pck-2"
        )
        XCTAssertEqual(resolve([], "{\"metadata\":{\"user_id\":\"user_x_account_y_session_uuid-3\"}}").0, "uuid-3")
        XCTAssertEqual(
            resolve(
                [],
                "{\"metadata\":{\"user_id\":\"{\\\"device_id\\\":\\\"d\\\",\\\"session_id\\\":\\\"new-4\\\"}\"}}"
            ).0,
            "new-4"
        )
        let fallback = resolve([], "{}")
        XCTAssertEqual(fallback.1, "fallback_hash")
        XCTAssertEqual(fallback.0, "fb-" + Redaction.hash("1.2.3.4|u|0").dropFirst(5))
    }

    func testSessionFolderNamesAreSafe() {
        XCTAssertEqual(SessionFDCache.safeName("../etc/passwd"), "_._etc_passwd")
        XCTAssertEqual(SessionFDCache.safeName("abc-DEF_1.2"), "abc-DEF_1.2")
        XCTAssertEqual(SessionFDCache.safeName(""), "_")
    }
}

final class ChunkFramingTests: XCTestCase {
    /// Each size gets its lowercase hex size line (no leading zeros), the bytes, and a CRLF, in one
    /// buffer (the end-to-end tests check that clients read such bodies back byte for byte).
    func testFramesMatchRFC9112() throws {
        for size in [1, 9, 15, 16, 255, 256, 1044, 4096, 65535, 65536, 1_000_003] {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var framed = ByteBuffer()
            ChunkFraming.frame(ByteBuffer(bytes: payload), into: &framed)
            let bytes = Array(framed.readableBytesView)
            let line = Array(String(size, radix: 16).utf8) + [13, 10]
            XCTAssertEqual(Array(bytes.prefix(line.count)), line, "size \(size)")
            XCTAssertEqual(Array(bytes[line.count..<(line.count + size)]), payload, "size \(size)")
            XCTAssertEqual(Array(bytes.suffix(2)), [13, 10], "size \(size)")
            XCTAssertEqual(bytes.count, line.count + size + 2, "size \(size)")
            XCTAssertLessThanOrEqual(bytes.count - size, ChunkFraming.overhead)
        }
    }
}
