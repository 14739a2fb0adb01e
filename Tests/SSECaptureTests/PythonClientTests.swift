// The Python `anthropic` SDK streaming through sse-capture, in reverse mode (no CA) and as a
// forward proxy with the local CA trusted through SSL_CERT_FILE: the text it assembles equals
// the fixture's. Skipped (with the reason) when the package is not installed.
import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import sse_capture

final class PythonClientTests: XCTestCase {
    static let script = """
        import sys, anthropic
        client = anthropic.Anthropic(base_url=sys.argv[1], api_key="sk-ant-test-key", max_retries=0, timeout=20)
        with client.messages.stream(model="claude-sonnet-4-20250514", max_tokens=64,
                                    messages=[{"role": "user", "content": "hi"}]) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
        sys.stdout.write(text)
        sys.stderr.write(final.stop_reason or "")
        """

    /// The concatenated `text_delta` texts of a Messages stream fixture (read with Foundation, not the proxy's code).
    private func expectedText(_ fixture: [UInt8]) -> String {
        var text = ""
        for line in String(decoding: fixture, as: UTF8.self).split(separator: "\n") where line.hasPrefix("data:") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(5).utf8)) as? [String: Any],
                let delta = object["delta"] as? [String: Any], delta["type"] as? String == "text_delta",
                let piece = delta["text"] as? String
            else { continue }
            text += piece
        }
        return text
    }

    private func requireAnthropic() async throws {
        let probe = try await Binary.runExecutable("python3", ["-c", "import anthropic"])
        try XCTSkipIf(probe.status != 0, "python3 -m pip install anthropic (not installed here)")
    }

    func testAnthropicSDKThroughReverseMode() async throws {
        try await requireAnthropic()
        let directory = try TempDir.make("sse-capture-py")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixture = try Fixtures.real("anthropic-thinking.sse")
        let upstream = try UpstreamServer(body: fixture)
        defer { upstream.stop() }
        let proxy = try ProxyProcess(
            arguments: ["--reverse", "/anthropic=http://127.0.0.1:\(upstream.port)", "--ca-dir", directory + "/ca"],
            directory: directory
        )
        defer { proxy.stop() }
        let result = try await Binary.runExecutable(
            "python3",
            ["-c", Self.script, "http://127.0.0.1:\(proxy.port)/anthropic"]
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutText, expectedText(fixture))
        XCTAssertFalse(expectedText(fixture).isEmpty)
        let ends = proxy.waitForFlowEnds(1)
        XCTAssertEqual(ends.first?["status"] as? String, "complete")
        let flow = proxy.records("sse_flows.jsonl").first
        let headers = (flow?["request"] as? [String: Any])?["headers"] as? [String: String] ?? [:]
        // The SDK sends the key as x-api-key or as a bearer token, depending on its version.
        let sent = headers["x-api-key"] ?? headers["authorization"]
        XCTAssertTrue(
            [Redaction.hash("sk-ant-test-key"), Redaction.hash("Bearer sk-ant-test-key")].contains(sent ?? ""),
            "\(headers)"
        )
    }

    func testAnthropicSDKThroughForwardProxyTrustingTheCA() async throws {
        try await requireAnthropic()
        let directory = try TempDir.make("sse-capture-py")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixture = try Fixtures.real("anthropic-thinking.sse")
        let upstreamCA = try TestUpstreamCA(directory: directory)
        let upstream = try UpstreamServer(body: fixture, tls: upstreamCA.serverContext)
        defer { upstream.stop() }
        let proxy = try ProxyProcess(
            arguments: ["--upstream-ca", upstreamCA.caPath, "--ca-dir", directory + "/ca"],
            directory: directory
        )
        defer { proxy.stop() }
        let result = try await Binary.runExecutable(
            "python3",
            ["-c", Self.script, "https://localhost:\(upstream.port)"],
            environment: [
                "HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)", "SSL_CERT_FILE": directory + "/ca/ca.pem",
                "NO_PROXY": "", "no_proxy": "",
            ]
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutText, expectedText(fixture))
        XCTAssertEqual(proxy.waitForFlowEnds(1).first?["status"] as? String, "complete")
    }
}
