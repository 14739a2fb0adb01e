// extract-requests skips the conversation items a request resends (ResentItems.swift): every
// type's answer must be the same as when every item of every request is walked. Checked on
// hand-made sessions that grow, fork (an edited history), resend a request unchanged,
// interleave a subagent's conversation with the main one, hold numbers as items (whose end
// depends on the byte after them), and span the three providers; and on a generated corpus.
// Each with the default memory budget, none (every item walked) and budgets small enough to
// evict arrays or refuse to keep them.

import Foundation
import TapExtract
import TapTestSupport
import XCTest

final class ResentItemsTests: XCTestCase {
    /// The extractor fed the lines the way extract-requests feeds them; every type's bytes.
    private func extract(_ lines: [[UInt8]], budget: Int?) -> (output: [String: [UInt8]], skipped: Int) {
        let types = RequestType.allCases
        var extractor =
            budget.map { RequestExtractor(types: types, rememberedItemBytes: $0) } ?? RequestExtractor(types: types)
        for line in lines {
            line.withUnsafeBytes { buffer in
                guard let view = RecordView(line: buffer), let type = view.type else { return }
                if type == .flow {
                    _ = extractor.feedFlowLine(view, buffer)
                } else if extractor.reads(type), view.isValid {
                    extractor.feed(view, type: type)
                }
            }
        }
        extractor.finish()
        var output: [String: [UInt8]] = [:]
        extractor.drain { type, bytes in output[type.rawValue, default: []] += bytes }
        return (output, extractor.resentItemsSkipped)
    }

    private var flowNumber = 0

    private func flow(_ session: String?, _ provider: String, _ body: String) -> [UInt8] {
        flowNumber += 1
        let sessionJSON = session.map { "\"\($0)\"" } ?? "null"
        return Array(
            (#"{"v":1,"type":"flow","flow_id":"f\#(flowNumber)","session_id":\#(sessionJSON),"#
                + #""ts":"2026-11-02T07:32:\#(10 + flowNumber % 50).000000Z","provider":"\#(provider)","method":"POST","#
                + #""url":"https://example.test/v1","status":200,"request":{"headers":{"host":"example.test"},"#
                + #""body":\#(body)}}"#).utf8
        )
    }

    private func anthropic(_ session: String?, _ items: [String]) -> [UInt8] {
        flow(
            session,
            "anthropic",
            #"{"model":"claude-x","system":"be brief","tools":[{"name":"Bash","input_schema":{}}],"#
                + #""thinking":{"type":"enabled","budget_tokens":1024},"messages":[\#(items.joined(separator: ","))],"#
                + #""stream":true}"#
        )
    }

    func testSameAnswersAsWalkingEveryItem() throws {
        let u1 = #"{"role":"user","content":"hello"}"#
        let a1 =
            #"{"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},"#
            + #"{"type":"tool_use","id":"t1","name":"Bash","input":{"cmd":"ls"}}]}"#
        let r1 =
            #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"Error: no","#
            + #""cache_control":{"type":"ephemeral"}}]}"#
        let a2 =
            #"{"role":"assistant","content":[{"type":"text","text":"done"},"#
            + #"{"type":"tool_use","id":"t2","name":"Read","input":{"path":"/é"}}]}"#
        let r2 = #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"t2","content":"ok"}]}"#
        let u2 = #"{"role":"user","content":"next, please"}"#
        let edited = #"{"role":"user","content":"hello again"}"#
        let sub1 = #"{"role":"user","content":"subagent task"}"#
        let subA = #"{"role":"assistant","content":[{"type":"tool_use","id":"s1","name":"Grep","input":{}}]}"#
        let subR = #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"s1","content":"x"}]}"#
        let a9 = #"{"role":"assistant","content":[{"type":"tool_use","id":"t9","name":"Bash","input":{}}]}"#
        var lines: [[UInt8]] = [
            anthropic("S1", [u1]),
            anthropic("S1", [u1, a1, r1]),
            anthropic("S1", [u1, a1, r1]),  // resent unchanged (a retry)
            anthropic("S1", [sub1]),  // a subagent in the same session
            anthropic("S1", [u1, a1, r1, a2, r2]),
            anthropic("S1", [sub1, subA, subR]),
            anthropic("S1", [u1, a1, r1, a2, r2, u2]),
            anthropic("S1", [edited, a1, r1]),  // history edited at the first item
            anthropic("S1", [u1, a1, r1, a2]),  // back to a shorter prefix of the main line
            anthropic(nil, [u1, a1]),  // no session
            anthropic(nil, [u1, a1, r1]),
            // Numbers as items: `[1,2` is a prefix of `[1,23`, but the item 2 is not 23.
            anthropic("S4", ["1", "2"]),
            anthropic("S4", ["1", "23", a9]),
            anthropic("S4", ["1", "23", a9, "\"s\"", "[]"]),
            anthropic("S4", ["1", "23", a9, "\"s\"", "[1]", a2]),
        ]
        // OpenAI Responses and Chat Completions, growing and forking.
        let fc =
            #"{"type":"function_call","call_id":"c1","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"}"#
        let fco = #"{"type":"function_call_output","call_id":"c1","output":"Traceback: boom"}"#
        let reasoning = #"{"type":"reasoning","summary":[]}"#
        let msg = #"{"type":"message","role":"user","content":[{"type":"input_text","text":"go"}]}"#
        let answer =
            #"{"type":"message","role":"assistant","content":[{"type":"output_text","text":"ok"}]}"#
        for input in [[msg], [msg, reasoning, fc, fco], [msg, reasoning, fc, fco, answer, msg]] {
            lines.append(
                flow(
                    "S2",
                    "openai-responses",
                    #"{"model":"gpt-x","instructions":"do","input":[\#(input.joined(separator: ","))],"tools":[]}"#
                )
            )
        }
        let sys = #"{"role":"system","content":"sys"}"#
        let user = #"{"role":"user","content":"q"}"#
        let call =
            #"{"role":"assistant","content":null,"reasoning_content":"r","tool_calls":[{"id":"k1","type":"function","#
            + #""function":{"name":"f","arguments":"{}"}}]}"#
        let toolMessage = #"{"role":"tool","tool_call_id":"k1","content":"error: nope"}"#
        for messages in [[sys, user], [sys, user, call, toolMessage], [sys, user, call, toolMessage, user]] {
            lines.append(
                flow("S3", "chat", #"{"model":"c-x","messages":[\#(messages.joined(separator: ","))]}"#)
            )
        }
        try check(lines, expectSkips: true)
    }

    func testSameAnswersOnAGeneratedCorpus() async throws {
        let path = try await Corpus.generate(seed: 3, sizeMB: 5, badLines: 0.001)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        let lines = bytes.split(separator: 0x0A).map(Array.init)
        try check(lines, expectSkips: true)
    }

    private func check(_ lines: [[UInt8]], expectSkips: Bool) throws {
        let walked = extract(lines, budget: 0)
        XCTAssertEqual(walked.skipped, 0, "budget 0 walks every item")
        XCTAssertFalse(walked.output.isEmpty)
        for type in ["config", "tool_calls", "tool_results", "reasoning_presence", "cache_control", "call_linkage"] {
            XCTAssertFalse(walked.output[type, default: []].isEmpty, "\(type) has records to compare")
        }
        for budget in [nil, 64, 600, 4096] {
            let skipping = extract(lines, budget: budget)
            if budget == nil, expectSkips { XCTAssertGreaterThan(skipping.skipped, 0, "resent items were skipped") }
            XCTAssertEqual(Set(skipping.output.keys), Set(walked.output.keys), "budget \(budget ?? -1)")
            for (type, expected) in walked.output {
                XCTAssertEqual(
                    String(decoding: skipping.output[type] ?? [], as: UTF8.self),
                    String(decoding: expected, as: UTF8.self),
                    "\(type), budget \(budget ?? -1)"
                )
            }
        }
    }
}
