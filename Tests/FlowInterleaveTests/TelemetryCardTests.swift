// Tool decisions and tool results from the agents' telemetry (otel-capture records) on the card
// of the flow of the same session: a mixed fixture of capture and telemetry records, through the
// interleaver in-process and through the built binary, in text and ndjson.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import flow_interleave

final class TelemetryCardTests: XCTestCase {
    /// A telemetry record as otel-capture writes it (docs/FORMAT.md §6a).
    static func telemetry(_ type: String, session: String?, at seconds: Double, _ attributes: String) -> String {
        let sessionField = session.map { #","session_id":"\#($0)""# } ?? ""
        return
            #"{"v":1,"type":"\#(type)","ts":"\#(LogBuilder.ts(seconds))"\#(sessionField),"attributes":{\#(attributes)},"resource":{"service.name":"claude-code"},"scope":{"name":"com.anthropic.claude_code.events"}}"#
    }

    /// Session S: flow A asks for Bash and ends (t 0-2); Claude Code decides and runs the tool
    /// (telemetry t 2.5, 3.0); flow B carries the result back and streams (t 3.5-6) while a Codex
    /// result of session C arrives with C's flow open; a result of a session with no flow (t 7).
    static func mixedFixture() -> [String] {
        var log = LogBuilder()
        log.flow("A", session: "sess-S", at: 0, prompt: "run the tests")
        log.delta("A", session: "sess-S", at: 0.5, "block_start", index: 0, extra: #""block":"tool","tool":"Bash""#)
        log.delta("A", session: "sess-S", at: 0.6, "tool_args", index: 0, text: #"{"command":"swift test"}"#)
        log.delta("A", session: "sess-S", at: 2, "message_end", extra: #""stop_reason":"tool_use""#)
        var lines = log.lines
        lines.append(
            telemetry(
                "claude_code.tool_decision",
                session: "sess-S",
                at: 2.5,
                #""event.name":"tool_decision","session.id":"sess-S","tool_name":"Bash","decision":"accept","source":"config""#
            )
        )
        lines.append(
            telemetry(
                "claude_code.tool_result",
                session: "sess-S",
                at: 3.0,
                #""event.name":"tool_result","session.id":"sess-S","tool_name":"Bash","success":"true","duration_ms":"120""#
            )
        )
        var more = LogBuilder()
        more.flow(
            "B",
            session: "sess-S",
            at: 3.5,
            prompt: "",
            messages: #"[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]"#
        )
        more.delta("B", session: "sess-S", at: 3.6, "text", text: "All tests pass.")
        more.flow("C", session: "conv-C", at: 3.7, provider: "responses", model: "gpt-5-codex", prompt: "list files")
        more.delta("C", session: "conv-C", at: 3.8, "text", text: "Listing.")
        lines += more.lines
        // Codex spells booleans and numbers as JSON values here; the error runs over two lines.
        lines.append(
            telemetry(
                "codex.tool_result",
                session: "conv-C",
                at: 4.0,
                #""event.name":"codex.tool_result","conversation.id":"conv-C","tool_name":"shell","call_id":"c1","success":false,"duration_ms":40,"error":"exit 1\nno such file""#
            )
        )
        var end = LogBuilder()
        end.delta("B", session: "sess-S", at: 5, "message_end", extra: #""stop_reason":"end_turn""#)
        end.delta("C", session: "conv-C", at: 6, "message_end", extra: #""stop_reason":"end_turn""#)
        lines += end.lines
        lines.append(
            telemetry(
                "codex.tool_decision",
                session: "conv-Z",
                at: 7,
                #""event.name":"codex.tool_decision","conversation.id":"conv-Z","tool_name":"shell","decision":"approved","source":"user""#
            )
        )
        return lines
    }

    /// The transcript, checked by hand: A's card closes at its message_end; the decision and the
    /// result come back on A's card ("continued", still DONE); B opens; C waits for the session
    /// guard (B is of another session and streaming) and shows its telemetry line in its place.
    static let expectedTranscript = """
        ┌─ session sess-S · anthropic · claude-x
        │ user: run the tests
        │ tool Bash {"command":"swift test"}
        └─ DONE · tool_use · 2 s
        ┌─ session sess-S · anthropic · claude-x · continued
        │ ⚙ tool Bash accepted (config)
        └─ DONE · tool_use · 2 s
        ┌─ session sess-S · anthropic · claude-x · continued
        │ ✓ Bash 120 ms
        └─ DONE · tool_use · 2 s
        ┌─ session sess-S · anthropic · claude-x
        │ result: 1 tool result
        │ assistant: All tests pass.
        └─ DONE · end_turn · 1.5 s
        ┌─ session conv-C · responses · gpt-5-codex
        │ user: list files
        │ assistant: Listing.
        │ ✗ shell 40 ms · exit 1 ⏎ no such file
        └─ DONE · end_turn · 2.3 s
        · 1 tool event from telemetry matched no flow (session conv-Z: 1)

        """

    func testToolTelemetryJoinsTheCardsOfItsSession() {
        let out = interleave(Self.mixedFixture(), options: RenderOptions())
        XCTAssertEqual(out, Self.expectedTranscript)
    }

    func testNDJSONTagsJoinedTelemetryAndPassesTheRestThrough() {
        let input = Self.mixedFixture()
        let out = interleave(input, options: RenderOptions(ndjson: true))
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, input.count, "one line out per record in")
        // Nothing lost or changed but the tags.
        let untagged = lines.map { line in
            var line = line
            for tag in [
                #","card_state":"done""#, #","card_state":"streaming""#, #","card_flow_id":"A""#,
                #","card_flow_id":"C""#,
            ] {
                line = line.replacingOccurrences(of: tag, with: "")
            }
            return line
        }
        XCTAssertEqual(untagged.sorted(), input.sorted())
        let telemetry = lines.filter {
            $0.contains(#""type":"claude_code.tool"#) || $0.contains(#""type":"codex.tool"#)
        }
        XCTAssertEqual(telemetry.count, 4)
        XCTAssertTrue(telemetry[0].hasSuffix(#""card_flow_id":"A","card_state":"done"}"#), telemetry[0])
        XCTAssertTrue(
            telemetry[1].contains(#""type":"claude_code.tool_result""#)
                && telemetry[1].hasSuffix(#""card_flow_id":"A","card_state":"done"}"#),
            telemetry[1]
        )
        XCTAssertTrue(
            telemetry[2].contains(#""type":"codex.tool_result""#)
                && telemetry[2].hasSuffix(#""card_flow_id":"C","card_state":"streaming"}"#),
            telemetry[2]
        )
        // The session without a flow: passed through as it came, untagged.
        XCTAssertEqual(telemetry[3], input.last)
        XCTAssertEqual(lines.last, input.last)
        // Joined records are valid JSON.
        for line in telemetry {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)), line)
        }
    }

    func testTheBinaryShowsTheSameInBothFormats() async throws {
        let text = Self.mixedFixture().map { $0 + "\n" }.joined()
        let transcript = try await Binary.run("flow-interleave", ["--clock", "recorded"], stdin: text)
        XCTAssertEqual(transcript.status, 0, transcript.stderr)
        XCTAssertEqual(transcript.stdoutText, Self.expectedTranscript)
        let records = try await Binary.run(
            "flow-interleave",
            ["--clock", "recorded", "--format", "ndjson"],
            stdin: text
        )
        XCTAssertEqual(records.status, 0, records.stderr)
        XCTAssertEqual(records.stdoutText, interleave(Self.mixedFixture(), options: RenderOptions(ndjson: true)))
    }

    func testTelemetryOnTheOpenCardIsShownAtOnce() {
        var log = LogBuilder()
        log.flow("A", session: "s", at: 0, prompt: "go")
        log.delta("A", session: "s", at: 0.1, "text", text: "Working")
        var lines = log.lines
        lines.append(
            Self.telemetry(
                "codex.tool_decision",
                session: "s",
                at: 0.2,
                #""tool_name":"shell","decision":"approved_for_session""#
            )
        )
        var end = LogBuilder()
        end.delta("A", session: "s", at: 0.3, "text", text: " still")
        lines += end.lines
        let out = interleave(lines, options: RenderOptions(), finish: false)
        XCTAssertEqual(
            out,
            """
            ┌─ session s · anthropic · claude-x
            │ user: go
            │ assistant: Working
            │ ⚙ tool shell approved_for_session
            │ assistant:  still
            """
        )
    }

    func testEventLines() throws {
        func event(_ line: String) throws -> ToolTelemetry? {
            var bytes = Array(line.utf8)
            return try bytes.withUnsafeMutableBytes { raw in
                let record = try XCTUnwrap(Record(line: UnsafeRawBufferPointer(raw)))
                return ToolTelemetry(record, type: try XCTUnwrap(record.typeSpan))
            }
        }
        XCTAssertNil(try event(#"{"v":1,"type":"claude_code.user_prompt","session_id":"s","attributes":{}}"#))
        XCTAssertNil(try event(#"{"v":1,"type":"delta","kind":"text"}"#))
        let reject = try XCTUnwrap(
            try event(
                Self.telemetry(
                    "claude_code.tool_decision",
                    session: "s",
                    at: 0,
                    #""tool_name":"Edit","decision":"reject","source":"user_reject""#
                )
            )
        )
        XCTAssertEqual(reject.line, "⚙ tool Edit rejected (user_reject)")
        XCTAssertEqual(reject.sessionID, "s")
        let bare = try XCTUnwrap(
            try event(#"{"v":1,"type":"codex.tool_result","attributes":{"tool_name":"x\u001b[2J"}}"#)
        )
        XCTAssertEqual(bare.line, "• x\u{1B}[2J")
        XCTAssertEqual(CardRenderer.visible(bare.line), "• x^[[2J")
        XCTAssertNil(bare.sessionID)
        let slow = try XCTUnwrap(
            try event(
                Self.telemetry(
                    "codex.tool_result",
                    session: "s",
                    at: 0,
                    #""tool_name":"shell","success":"true","duration_ms":"1500.4""#
                )
            )
        )
        XCTAssertEqual(slow.line, "✓ shell 1500 ms")
    }

    func testTelemetryWithoutASessionIsCounted() {
        let lines = [
            Self.telemetry("claude_code.tool_result", session: nil, at: 0, #""tool_name":"Read","success":"true""#)
        ]
        XCTAssertEqual(
            interleave(lines, options: RenderOptions()),
            "· 1 tool event from telemetry matched no flow (session (none): 1)\n"
        )
        XCTAssertEqual(interleave(lines, options: RenderOptions(ndjson: true)), lines[0] + "\n")
    }
}
