// The proxy's NIO handlers driven byte by byte with EmbeddedChannel: the client side is the real
// server pipeline (HTTP decoder/encoder, pipeline and error handlers, ProxyHandler); the upstream
// side is the real client codec with an UpstreamHandler, parked in the proxy's keep-alive pool so
// the exchange takes it instead of dialling. Both channels share one EmbeddedEventLoop, as the two
// sides of an exchange share one event loop in the running proxy. Request bytes go in on the
// client, the encoded upstream request is read back, response bytes go in on the upstream, and
// what reaches the client and the log files is checked after every step.
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOSSL
import TapCodec
import TapTestSupport
import XCTest

@testable import sse_capture

final class ProxyHandlerEmbeddedTests: XCTestCase {
    private var directory = ""
    private var loop = EmbeddedEventLoop()
    private var client = EmbeddedChannel()
    private var upstream = EmbeddedChannel()
    private var proxy: ProxyContext?
    private let target = Upstream(host: "127.0.0.1", port: 8080, tls: false)

    override func setUpWithError() throws {
        directory = try TempDir.make("sse-capture-embedded")
        let settings = ProxySettings(
            reverse: [],
            passthrough: [],
            recorder: RecorderSettings(maxBody: 1 << 20, redactHeaders: RecorderSettings.defaultRedacted),
            upstreamTLS: try NIOSSLContext(configuration: .makeClientConfiguration()),
            idleTimeout: .seconds(600),
            connectTimeout: .seconds(5)
        )
        let sink = try LogSink(directory: directory, stdoutMode: .none, keepRaw: false)
        let proxy = ProxyContext(settings: settings, sink: sink, authority: nil, openFlows: OpenFlows())
        self.proxy = proxy
        loop = EmbeddedEventLoop()

        client = EmbeddedChannel(loop: loop)
        try ProxyPipeline.addHTTPServerHandlers(
            client.pipeline.syncOperations,
            position: .last,
            handler: ProxyHandler(proxy: proxy, tunnel: nil)
        )
        try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 50000)).wait()

        upstream = EmbeddedChannel(loop: loop)
        let ops = upstream.pipeline.syncOperations
        try ops.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes)
        try ops.addHandler(IdleStateHandler(readTimeout: .seconds(600)))
        let handler = UpstreamHandler(exchange: nil)
        try ops.addHandler(handler)
        try upstream.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        XCTAssertTrue(pool.checkin(upstream, handler: handler, key: PoolKey(target)))
    }

    override func tearDown() {
        _ = try? client.finish(acceptAlreadyClosed: true)
        _ = try? upstream.finish(acceptAlreadyClosed: true)
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var pool: UpstreamPool {
        proxy?.pools.pool(on: loop, idleTimeout: .seconds(30)) ?? UpstreamPool(loop: loop, idleTimeout: .zero)
    }

    /// Everything a channel has written so far (the encoders emit IOData).
    private func written(_ channel: EmbeddedChannel) throws -> String {
        var out = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { out += String(buffer: buffer) }
        }
        return out
    }

    private func records(_ file: String) -> [[String: Any]] {
        ProxyProcess.records(atPath: directory + "/" + file)
    }

    private func hex(_ text: String) -> String { String(text.utf8.count, radix: 16) }

    /// One chunk of a chunked body.
    private func chunk(_ text: String) -> String { hex(text) + "\r\n" + text + "\r\n" }

    private static let event1 = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
    private static let event2 = "event: content_block_delta\ndata: {\"delta\":{\"text\":\"hi\"}}\n\n"

    func testRequestGoesUpstreamResponseStreamsBackAndEveryEventIsLogged() throws {
        let body = "{\"model\":\"m\"}"
        try client.writeInbound(
            ByteBuffer(
                string: "POST http://127.0.0.1:8080/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                    + "Proxy-Connection: keep-alive\r\nAuthorization: Bearer SECRET-TOKEN\r\n"
                    + "x-claude-code-session-id: sess-embedded\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
            )
        )
        // Upstream: origin-form, the upstream's Host, no proxy hop-by-hop header, the body as sent.
        let request = try written(upstream)
        XCTAssertTrue(request.hasPrefix("POST /v1/messages HTTP/1.1\r\n"), request)
        XCTAssertTrue(request.lowercased().contains("\r\nhost: 127.0.0.1:8080\r\n"), request)
        XCTAssertFalse(request.lowercased().contains("proxy-connection"), request)
        XCTAssertTrue(request.contains("Authorization: Bearer SECRET-TOKEN\r\n"), "the upstream needs the credential")
        XCTAssertTrue(request.hasSuffix("\r\n\r\n" + body), request)
        XCTAssertEqual(pool.idleCount, 0, "the parked connection was taken")

        try upstream.writeInbound(
            ByteBuffer(
                string: "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
            )
        )
        let head = try written(client)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200 OK\r\n"), head)
        XCTAssertEqual(records("sse_flows.jsonl").count, 1, "the flow record follows the forwarded head")

        // The first event arrives split across two reads of the upstream: each piece reaches the client
        // as it arrives (re-framed as its own chunk by the client-side encoder, same body bytes), and
        // nothing is logged until the event is complete.
        let e1 = Self.event1
        let cut = e1.index(e1.startIndex, offsetBy: 20)
        let (piece1, piece2) = (String(e1[..<cut]), String(e1[cut...]))
        try upstream.writeInbound(ByteBuffer(string: hex(e1) + "\r\n" + piece1))
        XCTAssertEqual(try written(client), chunk(piece1))
        XCTAssertEqual(records("sse_lines.jsonl").count, 0)
        try upstream.writeInbound(ByteBuffer(string: piece2 + "\r\n"))
        XCTAssertEqual(try written(client), chunk(piece2))
        XCTAssertEqual(records("sse_lines.jsonl").count, 1)

        try upstream.writeInbound(ByteBuffer(string: chunk(Self.event2) + "0\r\n\r\n"))
        XCTAssertEqual(try written(client), chunk(Self.event2) + "0\r\n\r\n")

        let lines = records("sse_lines.jsonl")
        XCTAssertEqual(lines.map { $0["event"] as? String }, ["message_start", "content_block_delta"])
        XCTAssertEqual(lines.map { $0["seq"] as? Int }, [0, 1])
        XCTAssertEqual((lines.last?["data"] as? [String: Any])?["delta"] as? [String: String], ["text": "hi"])
        let flow = try XCTUnwrap(records("sse_flows.jsonl").first)
        XCTAssertEqual(flow["session_id"] as? String, "sess-embedded")
        let headers = try XCTUnwrap((flow["request"] as? [String: Any])?["headers"] as? [String: String])
        XCTAssertEqual(headers["authorization"], Redaction.hash("Bearer SECRET-TOKEN"))
        XCTAssertEqual((flow["request"] as? [String: Any])?["body"] as? [String: String], ["model": "m"])
        let end = try XCTUnwrap(records("sse_flow_ends.jsonl").first)
        XCTAssertEqual(end["status"] as? String, "complete")
        XCTAssertEqual(end["events"] as? Int, 2)
        XCTAssertEqual(end["bytes"] as? Int, e1.utf8.count + Self.event2.utf8.count)
        let everything = try String(contentsOfFile: directory + "/sse_flows.jsonl", encoding: .utf8)
        XCTAssertFalse(everything.contains("SECRET-TOKEN"))

        // The response was read to its end and the upstream keeps the connection: it is parked again.
        XCTAssertEqual(pool.idleCount, 1)
        XCTAssertTrue(upstream.isActive)
        XCTAssertTrue(client.isActive, "the client connection is keep-alive too")
    }

    func testUpstreamCutMidStreamClosesTheClientAndEndsAsUpstreamError() throws {
        try client.writeInbound(
            ByteBuffer(string: "GET http://127.0.0.1:8080/v1/responses HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
        )
        XCTAssertTrue(try written(upstream).hasPrefix("GET /v1/responses HTTP/1.1\r\n"))
        try upstream.writeInbound(
            ByteBuffer(
                string: "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                    + chunk(Self.event1)
            )
        )
        XCTAssertTrue(try written(client).hasSuffix(Self.event1 + "\r\n"))
        try upstream.close().wait()
        loop.run()
        XCTAssertFalse(client.isActive, "the client sees the cut (no terminating chunk)")
        let end = try XCTUnwrap(records("sse_flow_ends.jsonl").first)
        XCTAssertEqual(end["status"] as? String, "upstream_error")
        XCTAssertEqual(end["events"] as? Int, 1)
        XCTAssertEqual(records("sse_lines.jsonl").count, 1, "the event before the cut is kept")
        XCTAssertEqual(pool.idleCount, 0, "a cut connection is never parked")
    }

    func testMalformedRequestGets400AndAnErrorLineAndNothingGoesUpstream() throws {
        // The decoder's error is answered and consumed in the pipeline (no error escapes to the channel).
        try client.writeInbound(ByteBuffer(string: "THIS IS NOT HTTP\r\n\r\n"))
        loop.run()
        XCTAssertTrue(try written(client).hasPrefix("HTTP/1.1 400"))
        XCTAssertEqual(try written(upstream), "")
        let errors = try String(contentsOfFile: directory + "/sse_logger.error", encoding: .utf8)
        XCTAssertTrue(errors.contains("malformed request"), errors)
        XCTAssertEqual(pool.idleCount, 1, "the parked upstream connection is untouched")
    }
}
