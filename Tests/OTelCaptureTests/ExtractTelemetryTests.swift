// extract-prompts and extract-usage on a mixed file: the capture sample (examples/sample.jsonl)
// plus otel-capture records, against answers written by hand. Telemetry prompts join the
// captured ones in time order; a redacted one says so with its length; telemetry token counts
// count for sessions the capture has no usage for, and the wire wins where both exist.
import Foundation
import TapTestSupport
import XCTest

final class ExtractTelemetryTests: XCTestCase {
    static let telemetry = [
        // A prompt as typed, in a session the capture also saw (its flow is 10 ms later).
        #"{"v":1,"type":"codex.user_prompt","ts":"2026-11-02T07:32:33.310000Z","session_id":"433ba4f9-6d84-4e0c-a01a-00e7aea96832","attributes":{"event.name":"codex.user_prompt","conversation.id":"433ba4f9-6d84-4e0c-a01a-00e7aea96832","model":"gpt-5-codex","prompt_length":84,"prompt":"write a man page for Sources/bash-detect/FSM.swift\nwith EXAMPLES and EXIT STATUS sections"},"resource":{"service.name":"codex_cli_rs"},"scope":{"name":"codex_otel"}}"#,
        // A redacted prompt (OTEL_LOG_USER_PROMPTS unset), the newest of all.
        #"{"v":1,"type":"claude_code.user_prompt","ts":"2026-11-02T07:35:00.000000Z","session_id":"cc-tele-1","body":"claude_code.user_prompt","attributes":{"event.name":"user_prompt","session.id":"cc-tele-1","prompt_length":42,"prompt":"<REDACTED>"},"resource":{"service.name":"claude-code"},"scope":{"name":"com.anthropic.claude_code.events"}}"#,
        // Token counts of a captured session: the wire's count wins, this one is dropped.
        #"{"v":1,"type":"codex.sse_event","ts":"2026-11-02T07:32:40.000000Z","session_id":"433ba4f9-6d84-4e0c-a01a-00e7aea96832","attributes":{"event.kind":"response.completed","input_token_count":99999,"output_token_count":99,"cached_token_count":0,"model":"gpt-5-codex"},"resource":{},"scope":{}}"#,
        #"{"v":1,"type":"claude_code.api_request","ts":"2026-11-02T07:35:05.000000Z","session_id":"cc-tele-1","body":"claude_code.api_request","attributes":{"event.name":"api_request","model":"claude-sonnet-4-5","cost_usd":0.0123,"duration_ms":2345,"input_tokens":1500,"output_tokens":300,"cache_read_tokens":9000,"cache_creation_tokens":200},"resource":{},"scope":{}}"#,
        #"{"v":1,"type":"codex.sse_event","ts":"2026-11-02T07:36:00.000000Z","session_id":"codex-tele-2","attributes":{"event.kind":"response.completed","input_token_count":"12034","output_token_count":512,"cached_token_count":11000,"model":"gpt-5-codex"},"resource":{},"scope":{}}"#,
        // No token counts on other SSE events; spans and metrics are not read.
        #"{"v":1,"type":"codex.sse_event","ts":"2026-11-02T07:36:01.000000Z","session_id":"codex-tele-2","attributes":{"event.kind":"response.output_text.delta","duration_ms":3},"resource":{},"scope":{}}"#,
        #"{"v":1,"type":"otel.metric","ts":"2026-11-02T07:36:02.000000Z","session_id":"cc-tele-1","name":"claude_code.token.usage","kind":"sum","value":1500,"attributes":{"type":"input"},"resource":{},"scope":{}}"#,
        #"{"v":1,"type":"codex.api_request","ts":"2026-11-02T07:36:03.000000Z","session_id":"codex-tele-2","attributes":{"attempt":1,"duration_ms":812,"http.response.status_code":200,"model":"gpt-5-codex"},"resource":{},"scope":{}}"#,
    ]

    private func mixedFile() throws -> String {
        let sample = try String(contentsOfFile: Repo.root + "/examples/sample.jsonl", encoding: .utf8)
        let directory = try TempDir.make("otel-extract")
        let path = directory + "/mixed.jsonl"
        // Telemetry first, in the middle and last: order in the file must not matter.
        let text =
            Self.telemetry[0] + "\n" + sample + Self.telemetry[1...3].joined(separator: "\n") + "\n"
            + Self.telemetry[4...].joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testExtractPromptsMixesTelemetryPromptsByTime() async throws {
        let path = try mixedFile()
        let result = try await Binary.run("extract-prompts", ["-n", "4", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdoutLines,
            [
                #"{"session_id":"cc-tele-1","flow_id":null,"ts":"2026-11-02T07:35:00.000000Z","provider":"claude_code","model":null,"text":null,"source":"telemetry","redacted":true,"prompt_length":42}"#,
                #"{"session_id":"6d67f063-b935-4c56-ad45-34a03fff0600","flow_id":"6d67f063-0006-2acf7314","ts":"2026-11-02T07:34:00.231620Z","provider":"openai-responses","model":"gpt-5.1-codex","text":"commit the change with message \"key: handle request\" 🧪"}"#,
                #"{"session_id":"433ba4f9-6d84-4e0c-a01a-00e7aea96832","flow_id":"433ba4f9-0001-e8924da4","ts":"2026-11-02T07:32:33.320361Z","provider":"openai-responses","model":"gpt-5-codex","text":"write a man page for Sources/bash-detect/FSM.swift\nwith EXAMPLES and EXIT STATUS sections"}"#,
                #"{"session_id":"433ba4f9-6d84-4e0c-a01a-00e7aea96832","flow_id":null,"ts":"2026-11-02T07:32:33.310000Z","provider":"codex","model":"gpt-5-codex","text":"write a man page for Sources/bash-detect/FSM.swift\nwith EXAMPLES and EXIT STATUS sections","source":"telemetry"}"#,
            ]
        )
    }

    func testExtractUsageCountsTelemetryOnlyWhereTheWireHasNone() async throws {
        let path = try mixedFile()
        let result = try await Binary.run("extract-usage", [path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdoutLines,
            [
                #"{"by":"session","key":"3a5c44a4-ca19-4f2b-90a7-552863412d80","flows":2,"input_tokens":50,"output_tokens":104,"cache_read_tokens":24824,"cache_write_tokens":26114}"#,
                #"{"by":"session","key":"433ba4f9-6d84-4e0c-a01a-00e7aea96832","flows":1,"input_tokens":21071,"output_tokens":52,"cache_read_tokens":0,"cache_write_tokens":0}"#,
                #"{"by":"session","key":"6d67f063-b935-4c56-ad45-34a03fff0600","flows":1,"input_tokens":3596,"output_tokens":28,"cache_read_tokens":18637,"cache_write_tokens":0}"#,
                #"{"by":"session","key":"cc-tele-1","flows":1,"input_tokens":1500,"output_tokens":300,"cache_read_tokens":9000,"cache_write_tokens":200}"#,
                #"{"by":"session","key":"codex-tele-2","flows":1,"input_tokens":1034,"output_tokens":512,"cache_read_tokens":11000,"cache_write_tokens":0}"#,
                #"{"by":"session","key":"fb-3c51e07c558ad0c1","flows":2,"input_tokens":25907,"output_tokens":115,"cache_read_tokens":19308,"cache_write_tokens":0}"#,
            ]
        )
        let byModel = try await Binary.run("extract-usage", ["--by", "model", path])
        XCTAssertTrue(
            byModel.stdoutLines.contains(
                #"{"by":"model","key":"claude-sonnet-4-5","flows":1,"input_tokens":1500,"output_tokens":300,"cache_read_tokens":9000,"cache_write_tokens":200}"#
            ),
            byModel.stdoutText
        )
    }

    func testCaptureOnlyAnswersAreUnchanged() async throws {
        // The telemetry support must not move a byte of the answers for capture-only input.
        let sample = Repo.root + "/examples/sample.jsonl"
        let mixed = try mixedFile()
        let plain = try await Binary.run("extract-prompts", ["-n", "0", sample])
        let withTelemetry = try await Binary.run("extract-prompts", ["-n", "0", mixed])
        XCTAssertEqual(
            withTelemetry.stdoutLines.filter { !$0.contains(#""source":"telemetry""#) },
            plain.stdoutLines
        )
        XCTAssertEqual(plain.stdoutLines.count, 4)
    }

    func testExtractLatencyAddsTheAgentsOwnDurations() async throws {
        let sample = Repo.root + "/examples/sample.jsonl"
        let mixed = try mixedFile()
        let plain = try await Binary.run("extract-latency", [sample])
        let result = try await Binary.run("extract-latency", [mixed])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(result.stdoutLines.prefix(plain.stdoutLines.count)), plain.stdoutLines)
        XCTAssertEqual(
            Array(result.stdoutLines.dropFirst(plain.stdoutLines.count)),
            [
                #"{"flow_id":null,"session_id":"cc-tele-1","ts":"2026-11-02T07:35:05.000000Z","event":"claude_code.api_request","model":"claude-sonnet-4-5","duration_ms":2345,"source":"telemetry"}"#,
                #"{"flow_id":null,"session_id":"codex-tele-2","ts":"2026-11-02T07:36:03.000000Z","event":"codex.api_request","model":"gpt-5-codex","duration_ms":812,"source":"telemetry"}"#,
            ]
        )
        let byModel = try await Binary.run("extract-latency", ["--by", "model", mixed])
        let plainByModel = try await Binary.run("extract-latency", ["--by", "model", sample])
        XCTAssertEqual(byModel.stdoutLines, plainByModel.stdoutLines, "groups are of captured flows only")
    }
}
