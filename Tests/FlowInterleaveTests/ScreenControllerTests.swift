// Golden tests of the screen controller under the recorded clock: the seed's interleaving
// timeline, three flows from two sessions, priorities, DEAD cards, eviction.

import TapCodec
import XCTest

@testable import flow_interleave

final class ScreenControllerTests: XCTestCase {
    /// The seed's timeline (issue 5): A streaming at T1, B arrives at T2 = T1 + 500 ms (no
    /// switch), A updates at T3, A idle past the flush interval at T4, switch to B at T5 once
    /// 2 s passed since B's first record.
    static func seedTimeline() -> LogBuilder {
        var log = LogBuilder()
        log.flow("A", session: "sess-A", at: 0.0, prompt: "question A")  // T1
        log.delta("A", session: "sess-A", at: 0.1, "text", text: "Hello ")
        log.flow("B", session: "sess-B", at: 0.5, provider: "chat", model: "kimi-k2", prompt: "question B")  // T2
        log.delta("B", session: "sess-B", at: 0.55, "text", text: "B says hi")
        log.delta("A", session: "sess-A", at: 0.9, "text", text: "world")  // T3; T4 = 1.4, T5 = 2.5
        log.delta("B", session: "sess-B", at: 3.0, "message_end", extra: #""stop_reason":"stop""#)
        log.delta("A", session: "sess-A", at: 3.2, "block_start", index: 1, extra: #""block":"tool","tool":"Bash""#)
        log.delta("A", session: "sess-A", at: 3.3, "tool_args", index: 1, text: #"{"command":"ls"}"#)
        log.delta("A", session: "sess-A", at: 3.4, "message_end", extra: #""stop_reason":"tool_use""#)
        log.flowEnd("A", session: "sess-A", at: 3.5)
        return log
    }

    func testSeedTimeline() {
        XCTAssertEqual(
            interleave(Self.seedTimeline().lines),
            """
            ┌─ 10:00:00.000 · session sess-A · anthropic · claude-x
            │ user: question A
            │ assistant: Hello world
            └─ STREAMING · 2.5 s · 10:00:02.500
            ┌─ 10:00:02.500 · session sess-B · chat · kimi-k2
            │ user: question B
            │ assistant: B says hi
            └─ DONE · stop · 2.5 s · 10:00:03.000
            ┌─ 10:00:03.200 · session sess-A · anthropic · claude-x · continued
            │ tool Bash {"command":"ls"}
            └─ DONE · tool_use · 3.4 s · 10:00:03.400

            """
        )
    }

    /// Moment by moment: nothing of B before T5, the switch exactly at T5.
    func testSeedTimelineSwitchesExactlyAtT5() {
        let lines = Array(Self.seedTimeline().lines.prefix(5))  // up to T3
        var view = Interleaver(policy: ScreenPolicy(), render: RenderOptions(showTime: true))
        var out: [UInt8] = []
        for line in lines {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { raw in
                if let record = Record(line: UnsafeRawBufferPointer(raw)) {
                    view.feed(record, now: record.timestamp, into: &out)
                }
            }
        }
        XCTAssertFalse(String(decoding: out, as: UTF8.self).contains("question B"), "B shown at T2 or T3")
        let t4 = Timestamp(microseconds: LogBuilder.base + 1_400_000)
        view.tick(now: t4, into: &out)
        view.tick(now: Timestamp(microseconds: LogBuilder.base + 2_499_999), into: &out)
        XCTAssertFalse(String(decoding: out, as: UTF8.self).contains("question B"), "B shown before T5")
        view.tick(now: Timestamp(microseconds: LogBuilder.base + 2_500_000), into: &out)
        XCTAssertTrue(
            String(decoding: out, as: UTF8.self).hasSuffix(
                """
                └─ STREAMING · 2.5 s · 10:00:02.500
                ┌─ 10:00:02.500 · session sess-B · chat · kimi-k2
                │ user: question B
                │ assistant: B says hi

                """.dropLast()
            )
        )
    }

    /// Ticks every 7 ms or none at all: deadlines are handled at their own time either way.
    func testTickGranularityDoesNotChangeTheTranscript() {
        let lines = Self.seedTimeline().lines
        XCTAssertEqual(interleave(lines, tickEvery: 7_000), interleave(lines))
        XCTAssertEqual(interleave(lines, tickEvery: 500_000), interleave(lines))
    }

    /// Session one runs F1 then F2 (after a tool), session two runs F3 meanwhile.
    func testThreeFlowsFromTwoSessions() {
        var log = LogBuilder()
        let toolTurn =
            #"[{"role":"user","content":"list the files"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"a.txt"}]}]"#
        log.flow("F1", session: "sess-one", at: 0.0, prompt: "list the files")
        log.delta("F1", session: "sess-one", at: 0.1, "text", text: "Here are")
        log.flow("F3", session: "sess-two", at: 0.2, prompt: "explain the error")
        log.delta("F3", session: "sess-two", at: 0.25, "reasoning", text: "Thinking about it")
        log.delta("F1", session: "sess-one", at: 0.3, "text", text: " the files")
        log.delta("F1", session: "sess-one", at: 0.4, "message_end", extra: #""stop_reason":"end_turn""#)
        log.flowEnd("F1", session: "sess-one", at: 0.45)
        log.delta("F3", session: "sess-two", at: 0.7, "text", index: 1, text: "It means")
        log.flow("F2", session: "sess-one", at: 1.0, prompt: "", messages: toolTurn)
        log.delta("F2", session: "sess-one", at: 1.1, "text", text: "Done.")
        log.delta("F2", session: "sess-one", at: 1.5, "message_end", extra: #""stop_reason":"end_turn""#)
        log.delta("F3", session: "sess-two", at: 1.6, "text", index: 1, text: " something")
        log.delta("F3", session: "sess-two", at: 4.0, "text", index: 1, text: "\nMore.")
        log.delta("F3", session: "sess-two", at: 4.1, "message_end", extra: #""stop_reason":"end_turn""#)
        XCTAssertEqual(
            interleave(log.lines),
            """
            ┌─ 10:00:00.000 · session sess-one · anthropic · claude-x
            │ user: list the files
            │ assistant: Here are the files
            └─ DONE · end_turn · 0.4 s · 10:00:00.400
            ┌─ 10:00:00.400 · session sess-two · anthropic · claude-x
            │ user: explain the error
            │ reasoning: Thinking about it
            │ assistant: It means something
            └─ STREAMING · 2.8 s · 10:00:03.000
            ┌─ 10:00:03.000 · session sess-one · anthropic · claude-x
            │ result: 1 tool result
            │ assistant: Done.
            └─ DONE · end_turn · 0.5 s · 10:00:03.000
            ┌─ 10:00:04.000 · session sess-two · anthropic · claude-x · continued
            │ assistant: 
            │   More.
            └─ DONE · end_turn · 3.9 s · 10:00:04.100

            """
        )
    }

    /// STREAMING before DONE before DEAD, whatever waited longer.
    func testPriorityStreamingBeforeDoneBeforeDead() {
        var log = LogBuilder()
        log.flow("cur", session: "s0", at: 0.0, prompt: "current")
        log.flow("dead", session: "s1", at: 0.1, prompt: "will be aborted")
        log.flowEnd("dead", session: "s1", at: 0.2, status: "client_abort")
        log.flow("done", session: "s2", at: 0.3, prompt: "finishes")
        log.delta("done", session: "s2", at: 0.4, "message_end")
        log.flow("live", session: "s3", at: 0.5, prompt: "still streaming")
        log.delta("cur", session: "s0", at: 0.6, "message_end")
        let shown = interleave(log.lines, options: RenderOptions()).split(separator: "\n").filter {
            $0.hasPrefix("│ user:")
        }
        XCTAssertEqual(
            shown,
            ["│ user: current", "│ user: still streaming", "│ user: finishes", "│ user: will be aborted"]
        )
    }

    /// A flow that goes quiet for --dead-after is DEAD; its status line says why.
    func testQuietFlowBecomesDead() {
        var log = LogBuilder()
        log.flow("Q", session: "s", at: 0, prompt: "hello")
        log.delta("Q", session: "s", at: 0.2, "text", text: "partial")
        log.flow("N", session: "t", at: 9, prompt: "next")
        var policy = ScreenPolicy()
        policy.deadAfter = 5_000_000
        XCTAssertEqual(
            interleave(log.lines, policy: policy),
            """
            ┌─ 10:00:00.000 · session s · anthropic · claude-x
            │ user: hello
            │ assistant: partial
            └─ DEAD · no data for 5 s · 5.2 s · 10:00:05.200
            ┌─ 10:00:09.000 · session t · anthropic · claude-x
            │ user: next
            └─ STREAMING · 0 s · 10:00:09.000

            """
        )
    }

    /// `--format ndjson`: every record once, in the order shown, tagged with its card's state.
    func testNDJSONIsTheRecordsInShownOrderTagged() {
        var input = Self.seedTimeline().lines
        input.insert(#"{"v":1,"type":"bash","command":"ls"}"#, at: 5)  // after T3
        let out = interleave(input, options: RenderOptions(ndjson: true))
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, input.count)
        let untagged = lines.map {
            $0.replacingOccurrences(of: #","card_state":"streaming""#, with: "")
                .replacingOccurrences(of: #","card_state":"done""#, with: "")
        }
        XCTAssertEqual(untagged.sorted(), input.sorted(), "a record was lost or changed")
        // B's records come after A's first three (the switch at T5), the foreign record at once.
        let order = lines.map { line -> String in
            line.contains(#""flow_id":"B""#) ? "B" : line.contains(#""flow_id":"A""#) ? "A" : "x"
        }
        XCTAssertEqual(order, ["A", "A", "A", "x", "B", "B", "B", "A", "A", "A", "A"])
        XCTAssertEqual(lines[3], #"{"v":1,"type":"bash","command":"ls"}"#)
        XCTAssertTrue(lines[6].hasSuffix(#""stop_reason":"stop","card_state":"done"}"#), lines[6])
        XCTAssertTrue(lines[0].hasSuffix(#","card_state":"streaming"}"#))
    }

    /// 1,000 flows over a day: finished cards leave memory once closed.
    func testMemoryStaysFlatOverADayOfFlows() {
        var view = Interleaver(policy: ScreenPolicy(), render: RenderOptions())
        var out: [UInt8] = []
        var peak = 0
        for n in 0..<1000 {
            var log = LogBuilder()
            let at = Double(n) * 86.4
            let id = "f\(n)"
            log.flow(id, session: "s\(n % 7)", at: at, prompt: "prompt \(n)")
            log.delta(id, session: "s\(n % 7)", at: at + 0.1, "text", text: String(repeating: "x", count: 100))
            if n % 10 != 3 { log.delta(id, session: "s\(n % 7)", at: at + 0.2, "message_end") }
            if n % 5 == 0 { log.flowEnd(id, session: "s\(n % 7)", at: at + 0.3) }
            for line in log.lines {
                var bytes = Array(line.utf8)
                bytes.withUnsafeMutableBytes { raw in
                    if let record = Record(line: UnsafeRawBufferPointer(raw)) {
                        view.feed(record, now: record.timestamp, into: &out)
                    }
                }
            }
            peak = max(peak, view.screen.openCardCount)
            out.removeAll(keepingCapacity: true)
        }
        XCTAssertLessThanOrEqual(peak, 3, "cards are not evicted")
    }

    func testPromptIsTheLastUserMessageWithoutSyntheticParts() throws {
        let bodies: [(String, RequestPrompt)] = [
            (
                #"{"messages":[{"role":"user","content":"old"},{"role":"assistant","content":"x"},{"role":"user","content":[{"type":"text","text":"<system-reminder>\nctx\n</system-reminder>"},{"type":"text","text":"fix it"}]}]}"#,
                .prompt("fix it")
            ),
            (
                #"{"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi codex"}]}]}"#,
                .prompt("hi codex")
            ),
            (#"{"input":"plain string"}"#, .prompt("plain string")),
            (
                #"{"input":[{"type":"function_call","name":"shell"},{"type":"function_call_output","output":"a"},{"type":"function_call_output","output":"b"}]}"#,
                .toolResults(2)
            ),
            (#"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}"#, .none),
            (#"{"messages":[{"role":"user","content":"  \n"}]}"#, .none),
        ]
        for (body, expected) in bodies {
            let bytes = Array(body.utf8)
            let got = bytes.withUnsafeBytes { raw -> RequestPrompt in
                let json = JSONScanner(raw)
                guard let root = json.root() else { return .none }
                return RequestPrompt.last(in: json, body: root)
            }
            XCTAssertEqual(got, expected, body)
        }
    }
}
