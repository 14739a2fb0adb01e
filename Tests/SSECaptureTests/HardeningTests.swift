// Capture hardening (issue 10): 431 for oversized request heads, the slow-loris head timeout that
// never cuts a quiet stream, --proxy-auth (forward, CONNECT, reverse, refusal off loopback), and
// upstream resets at random byte offsets logged as upstream_error. The built sse-capture between
// real curl / raw Python sockets and real upstreams (in-process NIO, or Python raw sockets for
// what NIO will not do: silences, RST at an exact byte). Everything on 127.0.0.1, bounded.
import Foundation
import NIOSSL
import TapCodec
import TapTestSupport
import XCTest

@testable import sse_capture

/// Raw-socket client and upstream for the timing and reset tests. argv: MODE PROXY_PORT [ARGS];
/// prints one JSON object.
///   loris                 half a head, then nothing; and a connection that sends nothing
///   gaps GAP N            an SSE stream of N events GAP seconds apart, through the forward proxy
///   resets SEED K         K streams whose upstream resets (SO_LINGER 0) at random byte offsets
private let hardeningProbe = #"""
    import json, random, socket, struct, sys, threading, time
    mode, proxy_port = sys.argv[1], int(sys.argv[2])

    def serve_once(handler):
        """A one-connection upstream on a free port; handler(conn) runs in a thread."""
        srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", 0)); srv.listen(4); srv.settimeout(30)
        def run():
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            conn.settimeout(30)
            try: handler(conn)
            finally: srv.close()
        threading.Thread(target=run, daemon=True).start()
        return srv.getsockname()[1]

    def read_head(conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk: break
            data += chunk
        return data

    def events(n):
        return [b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"e%d"}}\n\n' % i for i in range(n)]

    def chunked(evs):
        return [b"%x\r\n%s\r\n" % (len(e), e) for e in evs]

    HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"

    def request(port, path):
        s = socket.create_connection(("127.0.0.1", proxy_port)); s.settimeout(30)
        s.sendall(b"GET http://127.0.0.1:%d%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nconnection: close\r\n\r\n" % (port, path, port))
        got = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                got += chunk
        except OSError as e:
            got += b""
        s.close()
        return got

    def dechunk(body):
        """The decoded body bytes of a (possibly cut) chunked body."""
        out, i = b"", 0
        while True:
            j = body.find(b"\r\n", i)
            if j < 0: return out
            size = int(body[i:j] or b"0", 16)
            if size == 0: return out
            out += body[j + 2: j + 2 + size]
            if j + 2 + size > len(body): return out
            i = j + 2 + size + 2

    if mode == "loris":
        result = {}
        for label, send in (("half-head", b"POST http://127.0.0.1:9/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\nX-Slow: "), ("nothing", b"")):
            s = socket.create_connection(("127.0.0.1", proxy_port)); s.settimeout(20)
            start = time.time()
            if send: s.sendall(send)
            try:
                data = s.recv(100); closed = data == b""
            except socket.timeout:
                closed = False
            except OSError:
                closed = True
            result[label] = {"closed": closed, "after": time.time() - start}
            s.close()
        print(json.dumps(result))

    elif mode == "gaps":
        gap, n = float(sys.argv[3]), int(sys.argv[4])
        evs = events(n)
        def handler(conn):
            read_head(conn); conn.sendall(HEAD)
            for c in chunked(evs):
                conn.sendall(c); time.sleep(gap)
            conn.sendall(b"0\r\n\r\n"); time.sleep(0.2); conn.close()
        port = serve_once(handler)
        start = time.time()
        got = request(port, b"/v1/messages")
        head, _, body = got.partition(b"\r\n\r\n")
        print(json.dumps({"status": head.split(b"\r\n")[0].decode("latin-1"), "complete": body.endswith(b"0\r\n\r\n"),
                          "same": dechunk(body) == b"".join(evs), "seconds": time.time() - start}))

    elif mode == "resets":
        rng = random.Random(int(sys.argv[3])); k = int(sys.argv[4])
        evs = events(40); wire = b"".join(chunked(evs))
        results = []
        for i in range(k):
            # The first stream resets before the response head; the others at a random byte of the body.
            offset = -1 if i == 0 else rng.randrange(0, len(wire))
            def handler(conn, offset=offset):
                read_head(conn)
                if offset >= 0:
                    conn.sendall(HEAD)
                    # In a few writes, so the cut may fall after bytes the proxy has already forwarded.
                    sent = 0
                    while sent < offset:
                        step = min(offset - sent, rng.randrange(1, 400))
                        conn.sendall(wire[sent: sent + step]); sent += step; time.sleep(0.002)
                time.sleep(0.05)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            port = serve_once(handler)
            got = request(port, b"/v1/messages?stream=%d" % i)
            head, _, body = got.partition(b"\r\n\r\n")
            decoded = dechunk(body)
            results.append({"offset": offset, "status": head.split(b"\r\n")[0].decode("latin-1"),
                            "prefix": b"".join(evs).startswith(decoded), "whole_events": decoded.count(b"\n\n"),
                            "terminated": body.endswith(b"0\r\n\r\n"), "url_index": i})
        print(json.dumps(results))
    """#

final class HardeningTests: ProxyTestCase {
    var plainUpstream: UpstreamServer?

    override func tearDown() {
        plainUpstream?.stop()
        super.tearDown()
    }

    private func probe(_ arguments: [String]) async throws -> Any {
        let port = try XCTUnwrap(proxy?.port)
        let result = try await Binary.runExecutable(
            "timeout",
            ["120", "python3", "-c", hardeningProbe, arguments[0], String(port)] + arguments.dropFirst()
        )
        XCTAssertEqual(result.status, 0, "probe: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout))
    }

    private func writeHeaderFile(bytes: Int) throws -> String {
        let path = directory + "/big-header.txt"
        try Data(("X-Big: " + String(repeating: "a", count: bytes) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: 431

    func testOversizedHeadGets431PlainReverseAndIntercepted() async throws {
        let ca = try TestUpstreamCA(directory: directory)
        let body = try Fixtures.real("anthropic-tool-use.sse")
        upstream = try UpstreamServer(body: body, tls: ca.serverContext)
        let up = upstream?.port ?? 0
        proxy = try ProxyProcess(
            arguments: [
                "--ca-dir", directory + "/proxy-ca", "--upstream-ca", ca.caPath, "--format", "none",
                "--reverse", "/a=https://localhost:\(up)",
            ],
            directory: directory
        )
        let port = proxy?.port ?? 0
        let proxyCA = directory + "/proxy-ca/ca.pem"
        let big = try writeHeaderFile(bytes: 70 << 10)
        let under = directory + "/under.txt"
        try Data(("X-Big: " + String(repeating: "b", count: 60 << 10) + "\n").utf8).write(
            to: URL(fileURLWithPath: under)
        )
        let targets: [(String, [String])] = [
            ("reverse", ["http://127.0.0.1:\(port)/a/v1/messages"]),
            ("forward", ["-x", "http://127.0.0.1:\(port)", "http://127.0.0.1:\(port)/never-routed"]),
            (
                "intercepted",
                ["--cacert", proxyCA, "-x", "http://127.0.0.1:\(port)", "https://localhost:\(up)/v1/messages"]
            ),
        ]
        for (label, target) in targets {
            let result = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "@" + big] + target)
            XCTAssertEqual(result.stdoutText, "431", "\(label): \(result.stderr)")
        }
        // A 60 KiB head is still fine: the limit is 64 KiB, not something smaller.
        for (label, target) in targets where label != "forward" {
            let result = try await curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "@" + under] + target)
            XCTAssertEqual(result.stdoutText, "200", "\(label) under the limit: \(result.stderr)")
        }
        let errors =
            (try? String(contentsOfFile: (proxy?.logDirectory ?? "") + "/sse_logger.error", encoding: .utf8)) ?? ""
        XCTAssertTrue(errors.contains("header bytes"), "the refusal is logged: \(errors)")
    }

    // MARK: slow-loris

    /// Requests whose target is the proxy itself (forward, CONNECT, a reverse route pointing back)
    /// get 508 at once instead of going round until descriptors run out.
    func testRequestsToTheProxyItselfAreRefused() async throws {
        let port = Network.freePort()
        proxy = try ProxyProcess(
            arguments: [
                "--ca-dir", directory + "/proxy-ca", "--format", "none", "--reverse", "/self=http://localhost:\(port)",
            ],
            directory: directory,
            port: port
        )
        let proxyURL = "http://127.0.0.1:\(port)"
        let cases: [(String, [String], String)] = [
            ("forward 127.0.0.1", ["-w", "%{http_code}", "-x", proxyURL, "http://127.0.0.1:\(port)/x"], "508"),
            ("forward localhost", ["-w", "%{http_code}", "-x", proxyURL, "http://localhost:\(port)/x"], "508"),
            ("connect", ["-w", "%{http_connect}", "-x", proxyURL, "https://127.0.0.1:\(port)/x"], "508"),
            ("reverse", ["-w", "%{http_code}", "http://127.0.0.1:\(port)/self/v1/messages"], "508"),
        ]
        for (label, arguments, expected) in cases {
            let result = try await curl(["-o", "/dev/null"] + arguments)
            XCTAssertEqual(result.stdoutText, expected, "\(label): \(result.stderr)")
        }
        let errors =
            (try? String(contentsOfFile: (proxy?.logDirectory ?? "") + "/sse_logger.error", encoding: .utf8)) ?? ""
        XCTAssertEqual(errors.components(separatedBy: "own address").count - 1, cases.count, errors)
    }

    func testTargetsSelf() {
        XCTAssertTrue(Route.targetsSelf(host: "127.0.0.1", port: 9110, localHost: "127.0.0.1", localPort: 9110))
        XCTAssertTrue(Route.targetsSelf(host: "LOCALHOST", port: 9110, localHost: "127.0.0.1", localPort: 9110))
        XCTAssertTrue(Route.targetsSelf(host: "::1", port: 9110, localHost: "127.0.0.1", localPort: 9110))
        XCTAssertTrue(Route.targetsSelf(host: "192.168.1.5", port: 9110, localHost: "192.168.1.5", localPort: 9110))
        XCTAssertFalse(Route.targetsSelf(host: "127.0.0.1", port: 9111, localHost: "127.0.0.1", localPort: 9110))
        XCTAssertFalse(Route.targetsSelf(host: "api.anthropic.com", port: 443, localHost: "127.0.0.1", localPort: 443))
        // A proxy on a LAN address is not reached through loopback.
        XCTAssertFalse(Route.targetsSelf(host: "127.0.0.1", port: 9110, localHost: "192.168.1.5", localPort: 9110))
    }

    func testSlowLorisClientsAreClosedAfterHeaderTimeout() async throws {
        proxy = try ProxyProcess(
            arguments: ["--no-intercept", "--format", "none", "--header-timeout", "1"],
            directory: directory
        )
        let reportObject = try await probe(["loris"])
        let report = try XCTUnwrap(reportObject as? [String: [String: Any]])
        for label in ["half-head", "nothing"] {
            let entry = try XCTUnwrap(report[label], label)
            XCTAssertEqual(entry["closed"] as? Bool, true, "\(label): \(entry)")
            let after = try XCTUnwrap(entry["after"] as? Double)
            // The bound: 1 s timeout plus scheduling slack on a busy machine; never the 20 s socket timeout.
            XCTAssertGreaterThanOrEqual(after, 0.9, "\(label) closed before the timeout")
            XCTAssertLessThan(after, 5, "\(label) not closed within the bound")
        }
        XCTAssertEqual(proxy?.records("sse_flows.jsonl").count, 0, "no flow for a request that never arrived")
    }

    func testStreamQuieterThanHeaderTimeoutIsNotCut() async throws {
        proxy = try ProxyProcess(
            arguments: ["--no-intercept", "--format", "none", "--header-timeout", "1"],
            directory: directory
        )
        // Four events 1.6 s apart: every gap is longer than the 1 s head timeout.
        let reportObject = try await probe(["gaps", "1.6", "4"])
        let report = try XCTUnwrap(reportObject as? [String: Any])
        XCTAssertEqual(report["status"] as? String, "HTTP/1.1 200 OK", "\(report)")
        XCTAssertEqual(report["complete"] as? Bool, true, "the stream was cut: \(report)")
        XCTAssertEqual(report["same"] as? Bool, true, "the client got other bytes: \(report)")
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(1))
        XCTAssertEqual(ends.first?["status"] as? String, "complete")
        XCTAssertEqual(ends.first?["events"] as? Int, 4)
    }

    // MARK: upstream resets

    func testUpstreamResetsAtRandomOffsetsEndAsUpstreamError() async throws {
        proxy = try ProxyProcess(arguments: ["--no-intercept", "--format", "none"], directory: directory)
        let seed = UInt32.random(in: 1...1_000_000)
        let streams = 7
        let reportObject = try await probe(["resets", String(seed), String(streams)])
        let report = try XCTUnwrap(reportObject as? [[String: Any]])
        XCTAssertEqual(report.count, streams)
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(streams))
        let flows = proxy?.records("sse_flows.jsonl") ?? []
        let lines = proxy?.records("sse_lines.jsonl") ?? []
        XCTAssertEqual(ends.count, streams, "seed \(seed)")
        for entry in report {
            let offset = entry["offset"] as? Int ?? -2
            let index = entry["url_index"] as? Int ?? -1
            let what = "seed \(seed), offset \(offset)"
            let flow = try XCTUnwrap(
                flows.first { ($0["url"] as? String)?.hasSuffix("stream=\(index)") == true },
                what
            )
            let flowID = try XCTUnwrap(flow["flow_id"] as? String)
            let end = try XCTUnwrap(ends.first { $0["flow_id"] as? String == flowID }, what)
            XCTAssertEqual(end["status"] as? String, "upstream_error", "\(what): \(end)")
            XCTAssertEqual(entry["terminated"] as? Bool, false, "\(what): the client must see the cut")
            XCTAssertEqual(entry["prefix"] as? Bool, true, "\(what): the client got bytes the upstream never sent")
            if offset < 0 {
                XCTAssertEqual(entry["status"] as? String, "HTTP/1.1 502 Bad Gateway", what)
            } else {
                // Every event the client received whole was logged, and nothing else.
                let logged = lines.filter { $0["flow_id"] as? String == flowID }.count
                XCTAssertEqual(logged, entry["whole_events"] as? Int, what)
                XCTAssertEqual(end["events"] as? Int, logged, what)
            }
        }
    }

    // MARK: --proxy-auth

    func testProxyAuthForwardConnectAndReverse() async throws {
        let password = "s3cr3t-PASS-\(UInt32.random(in: 1000...9999))"
        let token = String(decoding: Base64.encode(Array("user:\(password)".utf8)), as: UTF8.self)
        let ca = try TestUpstreamCA(directory: directory)
        let body = try Fixtures.real("anthropic-tool-use.sse")
        upstream = try UpstreamServer(body: body, tls: ca.serverContext)
        plainUpstream = try UpstreamServer(body: body)
        let up = upstream?.port ?? 0
        proxy = try ProxyProcess(
            arguments: [
                "--ca-dir", directory + "/proxy-ca", "--upstream-ca", ca.caPath,
                "--proxy-auth", "user:\(password)", "--reverse", "/a=https://localhost:\(up)",
            ],
            directory: directory
        )
        let port = proxy?.port ?? 0
        let proxyCA = directory + "/proxy-ca/ca.pem"
        let origin = "https://localhost:\(up)/v1/messages"
        // Plain forward request (absolute-form) to a plain upstream.
        let forwardTarget = "http://127.0.0.1:\(plainUpstream?.port ?? 0)/v1/messages"

        // Without and with wrong credentials: 407 and the Basic challenge.
        let guess = "guess-\(UInt32.random(in: 1000...9999))"
        for proxyURL in ["http://127.0.0.1:\(port)", "http://user:\(guess)@127.0.0.1:\(port)"] {
            let result = try await curl(["-D", "-", "-o", "/dev/null", "-x", proxyURL, forwardTarget])
            XCTAssertTrue(result.stdoutText.hasPrefix("HTTP/1.1 407"), "\(proxyURL): \(result.stdoutText)")
            XCTAssertTrue(
                result.stdoutText.lowercased().contains("proxy-authenticate: basic realm=\"sse-capture\""),
                result.stdoutText
            )
        }
        // CONNECT without credentials: curl reports the proxy's 407 and gives up.
        let refused = try await curl([
            "-o", "/dev/null", "-w", "%{http_connect}", "--cacert", proxyCA, "-x", "http://127.0.0.1:\(port)", origin,
        ])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(refused.stdoutText, "407")

        // With credentials: forward and CONNECT stream the fixture byte for byte.
        let authed = "http://user:\(password)@127.0.0.1:\(port)"
        let forward = try await curl(["-N", "-x", authed, forwardTarget])
        XCTAssertEqual(forward.stdout, body, "forward: \(forward.stderr)")
        let connect = try await curl(["-N", "--cacert", proxyCA, "-x", authed, origin])
        XCTAssertEqual(connect.stdout, body, "CONNECT: \(connect.stderr)")
        // Reverse route from a loopback client (a base-URL client sends no proxy credentials): allowed.
        let reverse = try await curl(["-N", "http://127.0.0.1:\(port)/a/v1/messages"])
        XCTAssertEqual(reverse.stdout, body, "reverse: \(reverse.stderr)")

        // The credentials never went upstream and never reached a log or stdout.
        for server in [upstream, plainUpstream] {
            let heads = server?.requestHeads.all ?? []
            XCTAssertFalse(heads.isEmpty)
            XCTAssertFalse(heads.contains { $0.headers.contains(name: "proxy-authorization") }, "sent upstream")
        }
        _ = proxy?.waitForFlowEnds(3)
        proxy?.stop()
        var everything = Data()
        let logs = proxy?.logDirectory ?? ""
        for path in (FileManager.default.subpaths(atPath: logs) ?? []) {
            everything.append(FileManager.default.contents(atPath: logs + "/" + path) ?? Data())
        }
        everything.append(FileManager.default.contents(atPath: proxy?.stdoutPath ?? "") ?? Data())
        everything.append(FileManager.default.contents(atPath: proxy?.stderrPath ?? "") ?? Data())
        let text = String(decoding: everything, as: UTF8.self)
        XCTAssertTrue(text.contains("\"type\":\"flow\""), "the outputs were read")
        XCTAssertTrue(text.contains("Proxy-Authorization for"), "the refusals are logged")
        let guessToken = String(decoding: Base64.encode(Array("user:\(guess)".utf8)), as: UTF8.self)
        for secret in [password, token, guess, guessToken, Redaction.hash("Basic " + token)] {
            XCTAssertFalse(text.contains(secret), "\(secret) reached an output")
        }
    }

    func testListeningOffLoopbackWithoutProxyAuthIsRefused() async throws {
        let result = try await Binary.run(
            "sse-capture",
            ["--listen", "0.0.0.0:\(Network.freePort())", "--log-dir", directory + "/logs", "--no-intercept"]
        )
        XCTAssertEqual(result.status, 2)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("sse-capture: refusing to listen on 0.0.0.0"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--proxy-auth USER:PASS"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/logs"), "nothing was started")
        let bad = try await Binary.run("sse-capture", ["--proxy-auth", "nocolon", "--log-dir", directory + "/logs"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--proxy-auth: expected USER:PASS"), bad.stderr)
    }

    // MARK: the pure policy

    func testBase64MatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            XCTAssertEqual(String(decoding: Base64.encode(bytes), as: UTF8.self), Data(bytes).base64EncodedString())
        }
    }

    func testCredentialsAcceptOnlyTheExactToken() throws {
        let credentials = try XCTUnwrap(ProxyCredentials(argument: "user:pa:ss"))
        let token = Data("user:pa:ss".utf8).base64EncodedString()
        for good in ["Basic " + token, "basic " + token, "BASIC  " + token + " ", "  Basic " + token] {
            XCTAssertTrue(credentials.accepts(good), good)
        }
        for bad in [
            "", "Basic", "Basic ", "Bearer " + token, "Basic " + token + "x", "Basic " + token.dropLast(),
            "Basic" + token, "Basic " + Data("user:pa:sS".utf8).base64EncodedString(),
        ] {
            XCTAssertFalse(credentials.accepts(bad), bad)
        }
        XCTAssertNil(ProxyCredentials(argument: "nocolon"))
        XCTAssertNil(ProxyCredentials(argument: ":pass"))
        XCTAssertNotNil(ProxyCredentials(argument: "user:"))
    }

    func testAccessMatrix() throws {
        let credentials = try XCTUnwrap(ProxyCredentials(argument: "u:p"))
        let good = ("Proxy-Authorization", "Basic " + Data("u:p".utf8).base64EncodedString())
        let other = ("x-api-key", "k")
        func decide(
            _ method: String,
            _ target: String,
            _ headers: [(String, String)],
            tunnel: Bool = false,
            loopback: Bool = true
        )
            -> AccessDecision
        {
            RequestPolicy.access(
                method: method,
                target: target,
                headers: headers,
                inTunnel: tunnel,
                clientIsLoopback: loopback,
                credentials: credentials
            )
        }
        // Forward and CONNECT need the credentials, from loopback too; they are stripped when accepted.
        XCTAssertEqual(decide("GET", "http://h/x", [other]), .proxyAuthRequired)
        XCTAssertEqual(decide("CONNECT", "h:443", [other]), .proxyAuthRequired)
        XCTAssertEqual(decide("POST", "http://h/x", [other, good]), .allow(headers: [other]))
        XCTAssertEqual(decide("CONNECT", "h:443", [good]), .allow(headers: []))
        // Reverse (origin-form): loopback clients pass; others need the credentials.
        XCTAssertEqual(decide("POST", "/a/v1/messages", [other]), .allow(headers: [other]))
        XCTAssertEqual(decide("POST", "/a/v1/messages", [other], loopback: false), .proxyAuthRequired)
        XCTAssertEqual(decide("POST", "/a/v1/messages", [good, other], loopback: false), .allow(headers: [other]))
        // Inside an authorised tunnel nothing more is asked, and a stray Proxy-Authorization is still dropped.
        XCTAssertEqual(
            decide("POST", "/v1/messages", [good, other], tunnel: true, loopback: false),
            .allow(headers: [other])
        )
        // Without --proxy-auth everything passes untouched (the recorder redacts the header as before).
        XCTAssertEqual(
            RequestPolicy.access(
                method: "GET",
                target: "http://h/",
                headers: [good],
                inTunnel: false,
                clientIsLoopback: false,
                credentials: nil
            ),
            .allow(headers: [good])
        )
    }

    /// Regression of the first `capture` fuzz finding: `http://user@:[:1]:80?x` made a host `:[:1]`,
    /// whose Host header `[:[:1]]` named another endpoint than the one connected to.
    func testHostWithBracketsIsRejected() {
        XCTAssertEqual(
            Route.decide(method: .GET, uri: "http://user@:[:1]:80?x", tunnel: nil, reverse: []),
            .reject("bad request target \("http://user@:[:1]:80?x".debugDescription)")
        )
        for bad in [":[:1]:80", "a]b:80", "[a]b]:80", "a[b", "a\u{7F}b:1", "a\tb"] {
            XCTAssertNil(HostPort(bad, defaultPort: 80), bad)
        }
        for good in ["[::1]:8443", "::1:80", "[fe80::1%eth0]:443", "api.anthropic.com", "user@h:1"] {
            let parsed = HostPort(good, defaultPort: 443)
            XCTAssertNotNil(parsed, good)
            if let parsed {
                let upstream = Upstream(host: parsed.host, port: parsed.port, tls: true)
                XCTAssertEqual(
                    HostPort(upstream.authority, defaultPort: 443),
                    parsed,
                    "Host header round trip of \(good)"
                )
            }
        }
    }

    func testLoopbackAndListenRefusal() throws {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST", "::ffff:127.0.0.1"] {
            XCTAssertTrue(RequestPolicy.isLoopback(host), host)
            XCTAssertNil(RequestPolicy.refusesToListen(host: host, credentials: nil), host)
        }
        for host in [
            "0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", "127.0.0", "128.0.0.1", "127.0.0.256", "",
        ] {
            XCTAssertFalse(RequestPolicy.isLoopback(host), host)
            XCTAssertNotNil(RequestPolicy.refusesToListen(host: host, credentials: nil), host)
            XCTAssertNil(
                RequestPolicy.refusesToListen(host: host, credentials: ProxyCredentials(argument: "u:p")),
                host
            )
        }
    }
}
