// The built receiver under real traffic: the OpenTelemetry Python SDK's OTLP/HTTP protobuf
// exporters (plain and gzip), the same payloads as OTLP/JSON through curl, and bad requests.
import Foundation
import TapTestSupport
import XCTest

final class EndToEndTests: XCTestCase {
    private func requireSDK() async throws {
        let probe = try await Binary.runExecutable(
            "python3",
            ["-c", "import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http"]
        )
        try XCTSkipIf(probe.status != 0, "pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http")
    }

    private func writeScript(_ directory: String) throws -> String {
        let path = directory + "/send.py"
        try PythonSender.script.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The 12 log records, 1 span and 3 metric data points of one sender run.
    static let recordsPerRun = 16

    func testPythonSDKProtobufPlainGzipAndCurlJSONGiveTheSameRecords() async throws {
        try await requireSDK()
        let directory = try TempDir.make("otel-capture-e2e")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try ReceiverProcess(directory: directory)
        defer { receiver.stop() }
        let script = try writeScript(directory)

        let plain = try await Binary.runExecutable("python3", [script, "proto", receiver.url])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let gzip = try await Binary.runExecutable("python3", [script, "proto", receiver.url, "gzip"])
        XCTAssertEqual(gzip.status, 0, gzip.stderr)
        XCTAssertEqual(receiver.waitForRecords(2 * Self.recordsPerRun).count, 2 * Self.recordsPerRun)

        let jsonDirectory = directory + "/json"
        try FileManager.default.createDirectory(atPath: jsonDirectory, withIntermediateDirectories: true)
        let dump = try await Binary.runExecutable("python3", [script, "json", jsonDirectory])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        for (file, path) in [("logs0", "logs"), ("logs1", "logs"), ("traces", "traces"), ("metrics", "metrics")] {
            let (status, body) = try await curlPost(
                receiver.url + "/v1/" + path,
                contentType: "application/json",
                bodyFile: jsonDirectory + "/\(file).json"
            )
            XCTAssertEqual(status, 200, file)
            XCTAssertEqual(String(decoding: body, as: UTF8.self), "{}", "an empty Export*Response in JSON")
        }
        let all = receiver.waitForRecords(3 * Self.recordsPerRun)
        XCTAssertEqual(all.count, 3 * Self.recordsPerRun)
        XCTAssertEqual(receiver.errorLines, [])

        let runs = stride(from: 0, to: all.count, by: Self.recordsPerRun).map {
            Array(all[$0..<$0 + Self.recordsPerRun])
        }
        // Log records carry the sender's own timestamps: identical across protobuf, gzip and JSON.
        for run in runs.dropFirst() {
            for i in 0..<12 { XCTAssertEqual(comparable(run[i]), comparable(runs[0][i]), "log record \(i)") }
        }
        for run in runs {
            XCTAssertEqual(
                run.map { $0["type"] as? String },
                [
                    "codex.conversation_starts", "codex.user_prompt", "codex.api_request", "codex.sse_event",
                    "codex.tool_decision", "codex.tool_result", "claude_code.user_prompt", "claude_code.api_request",
                    "claude_code.tool_decision", "claude_code.tool_result", "claude_code.api_error",
                    "claude_code.user_prompt", "otel.span", "otel.metric", "otel.metric", "otel.metric",
                ]
            )
            XCTAssertEqual(run[12]["name"] as? String, "codex.turn")
            XCTAssertEqual((run[12]["trace_id"] as? String)?.count, 32)
            XCTAssertEqual(run[12]["session_id"] as? String, "019ac1b2-conv-4e5f")
            let points = run[13...].map { ($0["name"] as? String ?? "", $0["value"] as? NSNumber) }
            XCTAssertEqual(
                points.map(\.0),
                ["claude_code.token.usage", "claude_code.token.usage", "claude_code.cost.usage"]
            )
            XCTAssertEqual(points.map { $0.1?.doubleValue }, [1500, 300, 0.0123])
        }

        // The raw lines: exact int64 (beyond 2^53 as strings), non-ASCII text as UTF-8, record shape.
        let lines = receiver.rawLines()
        XCTAssertTrue(
            lines[7].contains(#""big_counter":"4611686018427387905","negative":"-4611686018427387905""#),
            lines[7]
        )
        XCTAssertTrue(lines[7].contains(#""input_tokens":1500,"#), lines[7])
        XCTAssertTrue(
            lines[1].hasPrefix(
                #"{"v":1,"type":"codex.user_prompt","ts":"2025-11-26T09:40:00.123457Z","session_id":"019ac1b2-conv-4e5f""#
            ),
            lines[1]
        )
        XCTAssertTrue(lines[1].contains(#""prompt":"Fix the tests — ünïcode 日本語""#), lines[1])
        XCTAssertTrue(lines[6].contains(#""prompt":"Explique-moi ce code 🙂""#), lines[6])
        let prompt = all[6]
        XCTAssertEqual(prompt["session_id"] as? String, "5c1d-claude-session")
        XCTAssertEqual((prompt["resource"] as? [String: Any])?["service.name"] as? String, "claude-code")
        XCTAssertEqual((prompt["scope"] as? [String: Any])?["name"] as? String, "com.anthropic.claude_code.events")

        // The seed's prefilter works on the output unchanged.
        let grep = try await Binary.runExecutable("rg", ["-c", #""type":"codex.user_prompt""#, receiver.eventsPath])
        XCTAssertEqual(grep.stdoutText, "3\n")
        // stdout (a file here, so NDJSON) holds the same lines as the log.
        let stdout = (try? String(contentsOfFile: receiver.stdoutPath, encoding: .utf8)) ?? ""
        XCTAssertEqual(stdout.split(separator: "\n").map(String.init), lines)
        let attributes = try FileManager.default.attributesOfItem(atPath: receiver.eventsPath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testBadRequestsGetA4xxAndOneErrorLineAndTheReceiverKeepsServing() async throws {
        let directory = try TempDir.make("otel-capture-bad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try ReceiverProcess(directory: directory)
        defer { receiver.stop() }
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = directory + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let good = try file("good.json", Array(Samples.codexPromptJSON.utf8))
        // A real one-record protobuf request, cut in the middle of its log record.
        let protobuf = Samples.codexPromptProtobuf
        let truncated = try file("truncated.pb", Array(protobuf[..<(protobuf.count - 7)]))
        let fifty = try file("fifty.pb", [UInt8](repeating: 0x0A, count: 50 << 20))
        let notOTLP = try file("not-otlp.json", Array(#"{"messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let notGzip = try file("not-gzip.json", Array("this is not gzip".utf8))

        let cases: [(String, String?, String, [String], Int, String)] = [
            ("truncated protobuf", "application/x-protobuf", truncated, [], 400, "truncated"),
            ("wrong content type", "text/plain", good, [], 415, "Content-Type"),
            ("50 MB body", "application/x-protobuf", fifty, [], 413, "max-body"),
            ("not OTLP", "application/json", notOTLP, [], 400, "no resourceLogs"),
            ("bad gzip", "application/json", notGzip, ["content-encoding: gzip"], 400, "gzip"),
        ]
        for (index, (label, contentType, body, headers, expected, reason)) in cases.enumerated() {
            let (status, answer) = try await curlPost(
                receiver.url + "/v1/logs",
                contentType: contentType,
                bodyFile: body,
                extraHeaders: headers
            )
            XCTAssertEqual(status, expected, label)
            if contentType == "application/x-protobuf" {
                // google.rpc.Status in protobuf: field 1 (code), field 2 (message).
                XCTAssertEqual(answer.first, 0x08, label)
                XCTAssertTrue(String(decoding: answer, as: UTF8.self).contains(reason), label)
            } else {
                let object = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any]
                XCTAssertTrue((object?["message"] as? String)?.contains(reason) == true, "\(label): \(object ?? [:])")
            }
            XCTAssertEqual(receiver.errorLines.count, index + 1, "\(label): one error line each\n\(receiver.stderr)")
            XCTAssertTrue(
                receiver.errorLines.last?.hasPrefix("otel-capture: POST /v1/logs: \(expected) ") == true,
                label
            )
            XCTAssertTrue(receiver.isRunning, label)
            // Nothing half-written, and a good request right after is served.
            let (goodStatus, _) = try await curlPost(
                receiver.url + "/v1/logs",
                contentType: "application/json",
                bodyFile: good
            )
            XCTAssertEqual(goodStatus, 200, "after \(label)")
            XCTAssertEqual(receiver.waitForRecords(index + 1).count, index + 1, label)
        }
        XCTAssertEqual(Set(receiver.rawLines()).count, 1, "only the good record, once per good request")
        let errorLog =
            (try? String(contentsOfFile: receiver.logDirectory + "/otel_capture.error", encoding: .utf8)) ?? ""
        XCTAssertEqual(errorLog.split(separator: "\n").count, cases.count)
    }

    func testUnknownPathAndMethod() async throws {
        let directory = try TempDir.make("otel-capture-path")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try ReceiverProcess(directory: directory)
        defer { receiver.stop() }
        let good = directory + "/good.json"
        try Samples.codexPromptJSON.write(toFile: good, atomically: true, encoding: .utf8)
        let (status, _) = try await curlPost(
            receiver.url + "/v1/profiles",
            contentType: "application/json",
            bodyFile: good
        )
        XCTAssertEqual(status, 404)
        let get = try await Binary.runExecutable(
            "curl",
            ["-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", receiver.url + "/v1/logs"]
        )
        XCTAssertEqual(get.stdoutText, "405")
        XCTAssertEqual(receiver.records().count, 0)
        XCTAssertEqual(receiver.errorLines.count, 2)
    }

    func testEnvPrintsTheLinesForBothAgents() async throws {
        let result = try await Binary.run("otel-capture", ["env", "--listen", "127.0.0.1:4999"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = result.stdoutText
        for line in [
            "export CLAUDE_CODE_ENABLE_TELEMETRY=1", "export OTEL_LOGS_EXPORTER=otlp",
            "export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4999",
            "export OTEL_LOG_USER_PROMPTS=1", "# [otel]", "# log_user_prompt = true",
            #"# exporter = { otlp-http = { endpoint = "http://127.0.0.1:4999/v1/logs", protocol = "binary" } }"#,
        ] {
            XCTAssertTrue(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)\n\(text)")
        }
        let quiet = try await Binary.run("otel-capture", ["env", "--no-prompts"])
        XCTAssertTrue(quiet.stdoutText.contains("OTEL_LOG_USER_PROMPTS=0"))
        XCTAssertTrue(quiet.stdoutText.contains("log_user_prompt = false"))
    }
}
