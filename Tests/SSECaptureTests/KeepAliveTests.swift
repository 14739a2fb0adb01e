// Upstream keep-alive reuse, end to end: separate curl processes (so separate client connections)
// through the built proxy, counting the connections the in-test upstream accepts. The proxy runs
// with one event loop: its pools are per event loop, and the tests want one pool.
import Foundation
import TapTestSupport
import XCTest

@testable import sse_capture

final class KeepAliveTests: ProxyTestCase {
    private func start(tls: Bool = false, proxyArguments: [String] = []) throws -> [UInt8] {
        let body = try Fixtures.real("anthropic-tool-use-haiku.sse")
        var extra = ["--threads", "1", "--ca-dir", directory + "/proxy-ca"] + proxyArguments
        if tls {
            let ca = try TestUpstreamCA(directory: directory)
            upstream = try UpstreamServer(body: body, tls: ca.serverContext)
            extra += ["--upstream-ca", ca.caPath]
        } else {
            upstream = try UpstreamServer(body: body)
        }
        proxy = try ProxyProcess(arguments: extra, directory: directory)
        return body
    }

    /// One curl process (its own client connection) through the proxy; returns (exit status, body).
    private func fetch(_ url: String, _ extra: [String] = [], tls: Bool = false) async throws -> (Int32, [UInt8]) {
        let out = directory + "/out-\(UUID().uuidString)"
        var args = ["-N", "-o", out, "-x", "http://127.0.0.1:\(proxy?.port ?? 0)"] + extra
        if tls { args += ["--cacert", directory + "/proxy-ca/ca.pem"] }
        let result = try await curl(args + [url])
        let body = FileManager.default.contents(atPath: out).map { Array($0) } ?? []
        return (result.status, body)
    }

    private var base: String { "http://127.0.0.1:\(upstream?.port ?? 0)" }

    func testSequentialRequestsShareOneUpstreamConnection() async throws {
        let fixture = try start()
        for _ in 0..<2 {
            let (status, body) = try await fetch(base + "/v1/messages")
            XCTAssertEqual(status, 0)
            XCTAssertEqual(body, fixture)
        }
        let (status, body) = try await fetch(base + "/json")
        XCTAssertEqual(status, 0)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "{\"ok\":true}")
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(3))
        XCTAssertEqual(ends.map { $0["status"] as? String }, ["complete", "complete", "complete"])
        XCTAssertEqual(upstream?.requestHeads.all.count, 3)
        XCTAssertEqual(upstream?.acceptedConnections.value, 1, "three requests, one upstream connection")
    }

    /// Two streamed responses on ONE client connection (one curl process, two URLs): the proxy
    /// frames the body chunks itself below the response encoder, and the encoder's last chunk and
    /// the server pipeline's state must still close each response so the second reads back whole.
    private func twoStreamsOnOneClientConnection(tls: Bool) async throws {
        let fixture = try start(tls: tls)
        let url = tls ? "https://localhost:\(upstream?.port ?? 0)/v1/messages" : base + "/v1/messages"
        let outs = (0..<2).map { directory + "/same-connection-\($0)" }
        var args = ["-N", "-x", "http://127.0.0.1:\(proxy?.port ?? 0)", "-w", "%{num_connects}\\n"]
        if tls { args += ["--cacert", directory + "/proxy-ca/ca.pem"] }
        let result = try await curl(args + [url, "-o", outs[0], url, "-o", outs[1]])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutLines, ["1", "0"], "the second transfer reuses the client connection")
        for out in outs {
            XCTAssertEqual(FileManager.default.contents(atPath: out).map { Array($0) }, fixture, out)
        }
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(2))
        XCTAssertEqual(ends.map { $0["status"] as? String }, ["complete", "complete"])
    }

    func testTwoStreamsOnOnePlainClientConnectionArriveWhole() async throws {
        try await twoStreamsOnOneClientConnection(tls: false)
    }

    func testTwoStreamsInOneConnectTunnelArriveWhole() async throws {
        try await twoStreamsOnOneClientConnection(tls: true)
    }

    func testTLSUpstreamConnectionIsReusedAcrossConnectTunnels() async throws {
        let fixture = try start(tls: true)
        let url = "https://localhost:\(upstream?.port ?? 0)/v1/messages"
        for _ in 0..<2 {
            let (status, body) = try await fetch(url, tls: true)
            XCTAssertEqual(status, 0)
            XCTAssertEqual(body, fixture)
        }
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(2))
        XCTAssertEqual(ends.map { $0["status"] as? String }, ["complete", "complete"])
        XCTAssertEqual(upstream?.acceptedConnections.value, 1, "one TLS handshake to the upstream for two requests")
    }

    func testConnectionCloseFromUpstreamIsNotReused() async throws {
        _ = try start()
        for _ in 0..<2 {
            let (status, body) = try await fetch(base + "/json-close")
            XCTAssertEqual(status, 0)
            XCTAssertEqual(String(decoding: body, as: UTF8.self), "{\"ok\":true}")
        }
        _ = proxy?.waitForFlowEnds(2)
        XCTAssertEqual(upstream?.acceptedConnections.value, 2)
    }

    func testKeepAliveZeroOpensAConnectionPerRequest() async throws {
        _ = try start(proxyArguments: ["--upstream-keepalive", "0"])
        for _ in 0..<2 {
            let (status, _) = try await fetch(base + "/json")
            XCTAssertEqual(status, 0)
        }
        _ = proxy?.waitForFlowEnds(2)
        XCTAssertEqual(upstream?.acceptedConnections.value, 2)
    }

    func testReusedConnectionClosedByUpstreamIsReplacedForAnIdempotentRequest() async throws {
        _ = try start()
        // First GET: answered, connection parked. Second GET: the upstream closes the reused
        // connection without answering; the proxy resends on a new connection and the client never knows.
        for _ in 0..<2 {
            let (status, body) = try await fetch(base + "/once")
            XCTAssertEqual(status, 0)
            XCTAssertEqual(String(decoding: body, as: UTF8.self), "{\"ok\":true}")
        }
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(2))
        XCTAssertEqual(ends.map { $0["status"] as? String }, ["complete", "complete"])
        XCTAssertEqual(upstream?.acceptedConnections.value, 2)
        XCTAssertEqual(upstream?.requestHeads.all.count, 3, "the second request reached the upstream twice")
    }

    func testReusedConnectionFailureIsNotReplayedForAPlainPost() async throws {
        _ = try start()
        let (first, _) = try await fetch(base + "/once", ["-d", "{}"])
        XCTAssertEqual(first, 0)
        // A POST is not safe to send twice (no Idempotency-Key): the client gets a 502 and decides.
        let (_, body) = try await fetch(base + "/once", ["-d", "{}"])
        XCTAssertTrue(String(decoding: body, as: UTF8.self).contains("upstream closed before responding"))
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(2))
        XCTAssertEqual(ends.map { $0["status"] as? String }, ["complete", "upstream_error"])
        XCTAssertEqual(upstream?.requestHeads.all.count, 2)
        // With an Idempotency-Key the same failure is retried on a new connection: the third request
        // opens connection 2 (parked after it), the fourth reuses it, is refused, and is resent on connection 3.
        for key in ["k1", "k2"] {
            let (status, keyed) = try await fetch(base + "/once", ["-d", "{}", "-H", "Idempotency-Key: \(key)"])
            XCTAssertEqual(status, 0)
            XCTAssertEqual(String(decoding: keyed, as: UTF8.self), "{\"ok\":true}")
        }
        let all = try XCTUnwrap(proxy?.waitForFlowEnds(4))
        XCTAssertEqual(all.map { $0["status"] as? String }, ["complete", "upstream_error", "complete", "complete"])
        XCTAssertEqual(upstream?.acceptedConnections.value, 3)
        XCTAssertEqual(upstream?.requestHeads.all.count, 5)
    }
}
