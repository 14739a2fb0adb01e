// sse-capture end to end: the built binary between real curl and an in-process NIO upstream.
import Foundation
import NIOSSL
import TapCodec
import TapTestSupport
import XCTest

@testable import sse_capture

final class EndToEndTests: ProxyTestCase {
    private func start(fixture: String, tls: Bool = false, proxyArguments: [String] = []) throws -> [UInt8] {
        let body = try Fixtures.real(fixture)
        var extra = proxyArguments
        if tls {
            let ca = try TestUpstreamCA(directory: directory)
            upstream = try UpstreamServer(body: body, tls: ca.serverContext)
            extra += ["--upstream-ca", ca.caPath]
        } else {
            upstream = try UpstreamServer(body: body)
        }
        let port = upstream?.port ?? 0
        extra = extra.map { $0.replacingOccurrences(of: "{upstream}", with: "\(port)") }
        proxy = try ProxyProcess(arguments: ["--ca-dir", directory + "/proxy-ca"] + extra, directory: directory)
        return body
    }

    /// The log of one complete flow: a flow record, one sse record per fixture event in order, a flow_end.
    private func assertCompleteFlow(
        _ fixture: [UInt8],
        session: String,
        source: String,
        file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let proxy = try XCTUnwrap(proxy)
        let ends = proxy.waitForFlowEnds(1)
        let flows = proxy.records("sse_flows.jsonl")
        let lines = proxy.records("sse_lines.jsonl")
        XCTAssertEqual(flows.count, 1, file: file, line: line)
        XCTAssertEqual(ends.count, 1, file: file, line: line)
        let flowID = try XCTUnwrap(flows.first?["flow_id"] as? String)
        XCTAssertEqual(flows.first?["session_id"] as? String, session, file: file, line: line)
        XCTAssertEqual(flows.first?["session_source"] as? String, source, file: file, line: line)
        XCTAssertEqual(flows.first?["provider"] as? String, "anthropic", file: file, line: line)
        let expected = fixtureEvents(fixture)
        XCTAssertEqual(lines.map { $0["event"] as? String ?? "" }, expected.names, file: file, line: line)
        XCTAssertEqual(lines.count, expected.dataLines, file: file, line: line)
        XCTAssertEqual(lines.map { $0["seq"] as? Int ?? -1 }, Array(0..<lines.count), file: file, line: line)
        XCTAssertTrue(lines.allSatisfy { $0["flow_id"] as? String == flowID && $0["data"] is [String: Any] })
        XCTAssertEqual(ends.first?["status"] as? String, "complete", file: file, line: line)
        XCTAssertEqual(ends.first?["events"] as? Int, expected.dataLines, file: file, line: line)
        XCTAssertEqual(ends.first?["bytes"] as? Int, fixture.count, file: file, line: line)
    }

    func testReverseModeForwardsExactBytesAndLogsEveryEvent() async throws {
        let fixture = try start(
            fixture: "anthropic-tool-use-haiku.sse",
            proxyArguments: ["--reverse", "/anthropic=http://127.0.0.1:{upstream}"]
        )
        let out = directory + "/got.sse"
        let result = try await curl([
            "-N", "-o", out, "-H", "x-claude-code-session-id: sess-reverse-1", "-d", "{\"model\":\"m\"}",
            "http://127.0.0.1:\(proxy?.port ?? 0)/anthropic/v1/messages",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: out))), fixture)
        try assertCompleteFlow(fixture, session: "sess-reverse-1", source: "header.x-claude-code-session-id")
        XCTAssertEqual(upstream?.requestHeads.all.first?.uri, "/v1/messages")
        let flow = try XCTUnwrap(proxy?.records("sse_flows.jsonl").first)
        XCTAssertEqual((flow["request"] as? [String: Any])?["body"] as? [String: String], ["model": "m"])
        // The per-session folder holds that session's records.
        let perSession = ProxyProcess.records(
            atPath: (proxy?.logDirectory ?? "") + "/sse_logs/sess-reverse-1/records.jsonl"
        )
        XCTAssertEqual(perSession.count, 2 + fixtureEvents(fixture).dataLines)
    }

    func testForwardConnectInterceptsTLSWithTheLocalCA() async throws {
        let fixture = try start(fixture: "anthropic-thinking.sse", tls: true)
        let out = directory + "/got.sse"
        let result = try await curl([
            "-N", "-o", out, "-x", "http://127.0.0.1:\(proxy?.port ?? 0)", "--cacert", directory + "/proxy-ca/ca.pem",
            "-H", "session_id: sess-tls-1", "-H", "content-type: application/json",
            "-d", "{\"metadata\":{\"user_id\":\"user_ab_account_cd_session_11111111-2222-3333-4444-555555555555\"}}",
            "https://localhost:\(upstream?.port ?? 0)/v1/messages",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: out))), fixture)
        try assertCompleteFlow(fixture, session: "sess-tls-1", source: "header.session_id")
        let flow = try XCTUnwrap(proxy?.records("sse_flows.jsonl").first)
        XCTAssertEqual(flow["url"] as? String, "https://localhost:\(upstream?.port ?? 0)/v1/messages")
        // CA files: directory 0700, key 0600.
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/proxy-ca/ca-key.pem")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: directory + "/proxy-ca")
        XCTAssertEqual((dirAttributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }

    func testPlainForwardProxyAndSessionFromUserID() async throws {
        let fixture = try start(fixture: "anthropic-tool-use-haiku.sse")
        let out = directory + "/got.sse"
        let result = try await curl([
            "-N", "-o", out, "-x", "http://127.0.0.1:\(proxy?.port ?? 0)",
            "-d",
            "{\"metadata\":{\"user_id\":\"{\\\"device_id\\\":\\\"d\\\",\\\"session_id\\\":\\\"json-sess-9\\\"}\"}}",
            "http://127.0.0.1:\(upstream?.port ?? 0)/v1/messages",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: out))), fixture)
        try assertCompleteFlow(fixture, session: "json-sess-9", source: "body.metadata.user_id")
    }

    func testSecretsAreRedactedInEveryOutput() async throws {
        _ = try start(
            fixture: "anthropic-tool-use-haiku.sse",
            proxyArguments: [
                "--reverse", "/a=http://127.0.0.1:{upstream}", "--redact-header", "X-Custom-Token", "--raw",
            ]
        )
        let secrets = [
            "authorization": "Bearer sk-ant-SECRET-authz-0001", "x-api-key": "sk-ant-SECRET-apikey-0002",
            "cookie": "sid=SECRET-cookie-0003", "proxy-authorization": "Basic SECRET-proxyauth-0004",
            "x-custom-token": "SECRET-custom-0005",
        ]
        var args = ["-N", "-o", "/dev/null"]
        for (name, value) in secrets { args += ["-H", "\(name): \(value)"] }
        let result = try await curl(args + ["http://127.0.0.1:\(proxy?.port ?? 0)/a/v1/messages"])
        XCTAssertEqual(result.status, 0, result.stderr)
        _ = proxy?.waitForFlowEnds(1)
        proxy?.stop()
        var everything = Data()
        let enumerator = FileManager.default.enumerator(atPath: directory + "/logs")
        while let name = enumerator?.nextObject() as? String {
            everything.append(FileManager.default.contents(atPath: directory + "/logs/" + name) ?? Data())
        }
        everything.append(FileManager.default.contents(atPath: directory + "/stdout.ndjson") ?? Data())
        everything.append(FileManager.default.contents(atPath: directory + "/stderr.txt") ?? Data())
        let text = String(decoding: everything, as: UTF8.self)
        XCTAssertTrue(text.contains("\"type\":\"flow\""), "stdout and files were read")
        for (name, value) in secrets {
            XCTAssertFalse(text.contains("SECRET"), "\(name): a secret reached an output")
            XCTAssertTrue(text.contains(Redaction.hash(value)), "\(name): its hash is missing")
        }
    }

    func testUpstreamDropMidStreamEndsAsUpstreamErrorAndKeepsEarlierEvents() async throws {
        let fixture = try start(fixture: "anthropic-thinking.sse")
        let out = directory + "/got.sse"
        let result = try await curl([
            "-N", "-o", out, "-x", "http://127.0.0.1:\(proxy?.port ?? 0)",
            "http://127.0.0.1:\(upstream?.port ?? 0)/drop",
        ])
        XCTAssertNotEqual(result.status, 0, "the client must see the cut")
        let got = Array(try Data(contentsOf: URL(fileURLWithPath: out)))
        XCTAssertEqual(got, Array(fixture.prefix(got.count)))
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(1))
        XCTAssertEqual(ends.first?["status"] as? String, "upstream_error")
        let events = proxy?.records("sse_lines.jsonl").count ?? 0
        XCTAssertGreaterThan(events, 10)
        XCTAssertEqual(ends.first?["events"] as? Int, events)
        XCTAssertFalse(
            (try String(contentsOfFile: (proxy?.logDirectory ?? "") + "/sse_logger.error", encoding: .utf8)).isEmpty
        )
    }

    func testClientAbortEndsAsClientAbortAndClosesUpstream() async throws {
        _ = try start(fixture: "anthropic-thinking.sse")
        let result = try await Binary.runExecutable(
            "curl",
            [
                "-sS", "-N", "--max-time", "1", "-o", "/dev/null", "-x", "http://127.0.0.1:\(proxy?.port ?? 0)",
                "http://127.0.0.1:\(upstream?.port ?? 0)/slow",
            ]
        )
        XCTAssertEqual(result.status, 28, "curl timed out on purpose")
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(1))
        XCTAssertEqual(ends.first?["status"] as? String, "client_abort")
        let deadline = Date().addingTimeInterval(5)
        while (upstream?.closedConnections.value ?? 0) < 1 && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(upstream?.closedConnections.value, 1, "the upstream connection is closed")
    }

    func testShutdownSignalEndsOpenFlows() async throws {
        _ = try start(fixture: "anthropic-thinking.sse")
        let port = proxy?.port ?? 0
        let upstreamPort = upstream?.port ?? 0
        async let transfer = Binary.runExecutable(
            "curl",
            [
                "-sS", "-N", "--max-time", "20", "-o", "/dev/null", "-x", "http://127.0.0.1:\(port)",
                "http://127.0.0.1:\(upstreamPort)/slow",
            ]
        )
        let deadline = Date().addingTimeInterval(10)
        while (proxy?.records("sse_flows.jsonl").count ?? 0) < 1 && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(proxy?.stop(), 0)
        _ = try await transfer
        let ends = proxy?.records("sse_flow_ends.jsonl") ?? []
        XCTAssertEqual(ends.count, 1)
        XCTAssertEqual(ends.first?["status"] as? String, "client_abort")
        XCTAssertEqual(ends.first?["reason"] as? String, "shutdown")
    }

    func testHundredConcurrentStreamsAreAllLogged() async throws {
        let fixture = try start(fixture: "anthropic-tool-use-haiku.sse")
        var args = ["--parallel", "--parallel-max", "100", "-x", "http://127.0.0.1:\(proxy?.port ?? 0)"]
        for i in 0..<100 {
            args += [
                "-o", directory + "/out\(i).sse",
                "http://127.0.0.1:\(upstream?.port ?? 0)/v1/messages?i=\(i)",
            ]
        }
        let result = try await curl(args)
        XCTAssertEqual(result.status, 0, result.stderr)
        for i in 0..<100 {
            XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/out\(i).sse"))), fixture)
        }
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(100, timeout: 60))
        XCTAssertEqual(ends.count, 100)
        let events = fixtureEvents(fixture).dataLines
        XCTAssertTrue(ends.allSatisfy { $0["status"] as? String == "complete" && $0["events"] as? Int == events })
        XCTAssertEqual(proxy?.records("sse_lines.jsonl").count, 100 * events)
        XCTAssertEqual(Set(ends.compactMap { $0["flow_id"] as? String }).count, 100)
    }

    func testMalformedRequestGets400AndAnErrorLine() throws {
        _ = try start(fixture: "anthropic-tool-use-haiku.sse")
        let reply = try rawExchange(port: proxy?.port ?? 0, "THIS IS NOT HTTP\r\n\r\n")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 400"), reply)
        let deadline = Date().addingTimeInterval(5)
        var errors = ""
        while errors.isEmpty && Date() < deadline {
            errors =
                (try? String(contentsOfFile: (proxy?.logDirectory ?? "") + "/sse_logger.error", encoding: .utf8)) ?? ""
            usleep(20_000)
        }
        XCTAssertTrue(errors.contains("malformed request"), errors)
        // An origin-form request that matches no --reverse route is refused the same way.
        let unrouted = try rawExchange(port: proxy?.port ?? 0, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(unrouted.hasPrefix("HTTP/1.1 400"), unrouted)
    }

    func testNonSSEResponsesGetAFlowAndNoEvents() async throws {
        _ = try start(fixture: "anthropic-tool-use-haiku.sse")
        let result = try await curl([
            "-x", "http://127.0.0.1:\(proxy?.port ?? 0)", "http://127.0.0.1:\(upstream?.port ?? 0)/json",
        ])
        XCTAssertEqual(result.stdoutText, "{\"ok\":true}")
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(1))
        XCTAssertEqual(ends.first?["events"] as? Int, 0)
        XCTAssertEqual(ends.first?["bytes"] as? Int, 11)
        XCTAssertEqual(proxy?.records("sse_lines.jsonl").count, 0)
    }

    func testTenMegabyteEventIsForwardedAndLoggedWhole() async throws {
        let text = String(repeating: "0123456789abcdef", count: 10 << 16)
        let stream = Array("event: big\ndata: {\"text\":\"\(text)\"}\n\ndata: [DONE]\n\n".utf8)
        upstream = try UpstreamServer(body: stream, chunkSize: 16 << 10)
        proxy = try ProxyProcess(arguments: ["--no-intercept"], directory: directory)
        let out = directory + "/got.sse"
        let result = try await curl([
            "-N", "-o", out, "-x", "http://127.0.0.1:\(proxy?.port ?? 0)",
            "http://127.0.0.1:\(upstream?.port ?? 0)/v1/x",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: out))), stream)
        // Logging the 10 MB event after forwarding it takes a while in an instrumented debug build.
        let ends = proxy?.waitForFlowEnds(1, timeout: SanitizerTiming.scaled(20)) ?? []
        XCTAssertEqual(ends.first?["events"] as? Int, 2)
        let lines = proxy?.records("sse_lines.jsonl") ?? []
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual((lines.first?["data"] as? [String: String])?["text"]?.count, text.count)
        XCTAssertEqual(lines.last?["data"] as? String, "[DONE]")
    }

    func testGzipBodyIsForwardedAsSentAndDecodedForTheLog() async throws {
        let fixture = try Fixtures.real("anthropic-thinking.sse")
        let gzip = try await Binary.runExecutable("gzip", ["-c", Fixtures.realDirectory + "/anthropic-thinking.sse"])
        XCTAssertEqual(gzip.status, 0)
        upstream = try UpstreamServer(body: gzip.stdout, contentEncoding: "gzip")
        proxy = try ProxyProcess(arguments: ["--no-intercept"], directory: directory)
        let out = directory + "/got.gz"
        let result = try await curl([
            "-N", "-o", out, "-x", "http://127.0.0.1:\(proxy?.port ?? 0)",
            "http://127.0.0.1:\(upstream?.port ?? 0)/v1/messages",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: out))), gzip.stdout, "forwarded as sent")
        let ends = try XCTUnwrap(proxy?.waitForFlowEnds(1))
        XCTAssertEqual(ends.first?["events"] as? Int, fixtureEvents(fixture).dataLines)
        XCTAssertEqual(ends.first?["bytes"] as? Int, gzip.stdout.count)
        XCTAssertEqual(
            proxy?.records("sse_lines.jsonl").map { $0["event"] as? String ?? "" },
            fixtureEvents(fixture).names
        )
    }

    func testDoctorHandshakesThroughTheProxyAndNamesAWrongCA() async throws {
        _ = try start(fixture: "anthropic-tool-use-haiku.sse")
        let listen = "127.0.0.1:\(proxy?.port ?? 0)"
        let good = try await Binary.run(
            "sse-capture",
            ["doctor", "--listen", listen, "--ca-dir", directory + "/proxy-ca", "--host", "localhost"]
        )
        XCTAssertEqual(good.status, 0, good.stdoutText + good.stderr)
        XCTAssertTrue(good.stdoutText.contains("ok    TLS handshake with localhost"), good.stdoutText)
        // Another CA (as when the proxy runs with a different --ca-dir): the handshake fails, and doctor says so.
        let other = try await Binary.run("sse-capture", ["ca", "--ca-dir", directory + "/other-ca"])
        XCTAssertEqual(other.stdoutText, directory + "/other-ca/ca.pem\n")
        let bad = try await Binary.run(
            "sse-capture",
            ["doctor", "--listen", listen, "--ca-dir", directory + "/other-ca", "--host", "localhost"]
        )
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stdoutText.contains("FAIL  TLS through the proxy failed"), bad.stdoutText)
        let nobody = try await Binary.run(
            "sse-capture",
            ["doctor", "--listen", "127.0.0.1:\(Network.freePort())", "--ca-dir", directory + "/proxy-ca"]
        )
        XCTAssertEqual(nobody.status, 2)
        XCTAssertTrue(nobody.stdoutText.contains("nothing accepts connections"), nobody.stdoutText)
    }

    func testCAEnvPrintsTheClientVariables() async throws {
        let result = try await Binary.run(
            "sse-capture",
            ["ca", "--env", "--ca-dir", directory + "/ca", "--listen", "127.0.0.1:9999"]
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        let pem = "'" + directory + "/ca/ca.pem'"
        for line in [
            "export HTTPS_PROXY=http://127.0.0.1:9999", "export NODE_EXTRA_CA_CERTS=\(pem)",
            "export CODEX_CA_CERTIFICATE=\(pem)", "export SSL_CERT_FILE=\(pem)", "export REQUESTS_CA_BUNDLE=\(pem)",
            "export CURL_CA_BUNDLE=\(pem)",
        ] {
            XCTAssertTrue(result.stdoutLines.contains(line), "missing \(line) in \(result.stdoutText)")
        }
    }

    func testKillDuringHeavyLoggingLeavesOnlyWholeLines() async throws {
        _ = try start(fixture: "anthropic-thinking.sse")
        let port = proxy?.port ?? 0
        let upstreamPort = upstream?.port ?? 0
        var args = ["-sS", "--max-time", "20", "--parallel", "--parallel-max", "40", "-x", "http://127.0.0.1:\(port)"]
        for i in 0..<200 { args += ["-o", "/dev/null", "http://127.0.0.1:\(upstreamPort)/v1/messages?i=\(i)"] }
        async let load = Binary.runExecutable("curl", args)
        let linesPath = (proxy?.logDirectory ?? "") + "/sse_lines.jsonl"
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: linesPath)[.size] as? NSNumber)?.intValue ?? 0
            if size > 200_000 { break }
            usleep(5_000)
        }
        kill(proxy?.pid ?? 0, SIGKILL)
        _ = try await load
        var checked = 0
        for name in ["sse_flows.jsonl", "sse_lines.jsonl", "sse_flow_ends.jsonl"] {
            let data = FileManager.default.contents(atPath: (proxy?.logDirectory ?? "") + "/" + name) ?? Data()
            if data.isEmpty { continue }
            XCTAssertEqual(data.last, UInt8(ascii: "\n"), "\(name) ends inside a line")
            for line in data.split(separator: UInt8(ascii: "\n")) {
                XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line)), "\(name): torn line")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }

    /// Regression: a body sent after the head (as the Python SDK does) was never read while the
    /// upstream connected, and the exchange hung.
    func testRequestBodyArrivingAfterTheHeadIsForwarded() throws {
        let fixture = try start(fixture: "anthropic-tool-use-haiku.sse")
        let head =
            "POST http://127.0.0.1:\(upstream?.port ?? 0)/v1/messages HTTP/1.1\r\nHost: x\r\n"
            + "Content-Length: 2\r\nConnection: close\r\n\r\n"
        let reply = try rawExchange(port: proxy?.port ?? 0, head, thenAfter: 0.3, "{}")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200"), reply)
        XCTAssertEqual(proxy?.waitForFlowEnds(1).first?["events"] as? Int, fixtureEvents(fixture).dataLines)
        XCTAssertEqual(upstream?.requestHeads.all.count, 1)
    }

    /// Sends `request` on a fresh connection and returns what comes back until the proxy closes it.
    private func rawExchange(
        port: Int,
        _ request: String,
        thenAfter delay: TimeInterval = 0,
        _ more: String = ""
    )
        throws -> String
    {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw HarnessError("connect failed") }
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        if !more.isEmpty {
            usleep(useconds_t(delay * 1_000_000))
            _ = more.withCString { send(fd, $0, strlen($0), 0) }
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
