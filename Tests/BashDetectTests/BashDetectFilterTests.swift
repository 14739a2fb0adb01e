// bash-detect's filter: the bash records, pass-through, and the terminal rendering bytes.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import bash_detect

func runBashFilter(
    _ lines: [String],
    output: BashDetectFilter.Output = .ndjson,
    functionOnly: Bool = false,
    width: Int = 120
)
    -> String
{
    var filter = BashDetectFilter(output: output, functionOnly: functionOnly, color: false, width: width)
    var out: [UInt8] = []
    for line in lines {
        Array(line.utf8).withUnsafeBytes { raw in
            guard let record = Record(line: raw) else { return XCTFail("not a record: \(line)") }
            filter.feed(record, into: &out)
        }
    }
    filter.finish(into: &out)
    return String(decoding: out, as: UTF8.self)
}

/// A tool call as delta records with seq numbers from `firstSeq`.
func toolCall(
    flow: String = "f1",
    index: Int = 1,
    tool: String?,
    _ fragments: [String],
    firstSeq: Int = 1,
    end: Bool = true
) -> [String] {
    var lines = [
        FixtureFragments.deltaLine(flow: flow, kind: "block_start", index: index, tool: tool, callID: "call_\(index)")
    ]
    for (n, fragment) in fragments.enumerated() {
        lines.append(
            FixtureFragments.deltaLine(flow: flow, kind: "tool_args", index: index, text: fragment, seq: firstSeq + n)
        )
    }
    if end { lines.append(FixtureFragments.deltaLine(flow: flow, kind: "block_end", index: index)) }
    return lines
}

func records(_ ndjson: String, type: String) -> [[String: Any]] {
    ndjson.split(separator: "\n").compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }.filter { $0["type"] as? String == type }
}

final class BashDetectFilterTests: XCTestCase {
    let seedCall = toolCall(tool: "shell", seedExample.map { $0.replacingOccurrences(of: #",\""#, with: #",""#) })

    func testOneBashRecordAfterTheArgumentsCloseAndEverythingPassesThrough() throws {
        let input = [#"{"v":1,"type":"sse" , "data":{}}"#] + seedCall
        let out = runBashFilter(input)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, input.count + 1)
        // The bash record comes right after the delta that closed the arguments (the last one).
        XCTAssertEqual(Array(lines[0..<(input.count - 1)]), Array(input[0..<(input.count - 1)]))
        XCTAssertEqual(lines.last, input.last)
        let bash = try XCTUnwrap(records(out, type: "bash").first)
        XCTAssertEqual(bash["detected_at_seq"] as? Int, 8)
        XCTAssertEqual(bash["call_id"] as? String, "call_1")
        XCTAssertEqual(bash["tool"] as? String, "shell")
        XCTAssertEqual(bash["shell"] as? String, "bash")
        XCTAssertEqual(bash["argv"] as? [String], ["bash", "-lc", "ls -la /tmp\necho \"done\""])
        XCTAssertEqual(bash["command"] as? String, "ls -la /tmp\necho \"done\"")
        XCTAssertEqual(bash["session_id"] as? String, "s-f1")
        XCTAssertEqual(bash["complete"] as? Bool, true)
        XCTAssertTrue(bash["workdir"] is NSNull)
        XCTAssertEqual(
            lines[lines.count - 2],
            #"{"v":1,"type":"bash","flow_id":"f1","session_id":"s-f1","index":1,"call_id":"call_1","tool":"shell","shell":"bash","argv":["bash","-lc","ls -la /tmp\necho \"done\""],"command":"ls -la /tmp\necho \"done\"","workdir":null,"detected_at_seq":8,"complete":true}"#
        )
    }

    func testCutOffCallGetsAnIncompleteRecordAtBlockEnd() throws {
        let out = runBashFilter(toolCall(tool: "Bash", [#"{"command":"make "#, #"al"#]))
        let bash = try XCTUnwrap(records(out, type: "bash").first)
        XCTAssertEqual(bash["complete"] as? Bool, false)
        XCTAssertEqual(bash["command"] as? String, "make al")
        XCTAssertEqual(out.split(separator: "\n").count, 5)
    }

    func testUnrecognisedCallsAndOtherFlowsAreKeptApart() {
        let weather = toolCall(flow: "f2", index: 0, tool: "get_weather", [#"{"command":"#, #""Paris"}"#])
        let mixed =
            [seedCall[0], weather[0], seedCall[1], weather[1], seedCall[2], weather[2]] + seedCall[3...] + weather[3...]
        let out = runBashFilter(Array(mixed))
        XCTAssertEqual(records(out, type: "bash").count, 1)
        XCTAssertEqual(records(out, type: "bash").first?["flow_id"] as? String, "f1")
    }

    func testFunctionOnlyDropsOtherDeltasButNotOtherRecords() {
        let text = FixtureFragments.deltaLine(flow: "f1", kind: "text", index: 0, text: "hello")
        let sse = #"{"v":1,"type":"sse","data":{}}"#
        let out = runBashFilter([sse, text] + seedCall, functionOnly: true)
        XCTAssertFalse(out.contains(#""kind":"text""#))
        XCTAssertTrue(out.hasPrefix(sse + "\n"))
        XCTAssertEqual(records(out, type: "bash").count, 1)
    }

    func testTerminalRenderingErasesTheProvisionalLineAtDetection() {
        let out = runBashFilter(seedCall, output: .text)
        XCTAssertEqual(
            out,
            #"[shell] {"command":["bash","-lc""# + "\r\u{1B}[2K" + """
                [TOOL] Bash command:
                ls -la /tmp
                echo "done"

                """
        )
    }

    func testUnrecognisedCallEndsAsAFlatLineWithNewlinesAsSpaces() {
        let out = runBashFilter(toolCall(tool: "get_weather", ["{\n  \"city\":", " \"Paris\"\n}"]), output: .text)
        XCTAssertEqual(out, "[get_weather] {   \"city\": \"Paris\" }\n")
    }

    func testWrappedProvisionalLineIsErasedRowByRow() {
        // 10 columns: the prefix and the fragments before detection take 4 rows.
        let call = toolCall(tool: "shell", [#"{"workdir":"/w","#, #""command":["bash","-lc""#, #","pwd"]}"#])
        let out = runBashFilter(call, output: .text, width: 10)
        let provisional = #"[shell] {"workdir":"/w","command":["bash","-lc""#
        XCTAssertEqual(provisional.count, 47)
        XCTAssertEqual(
            out,
            provisional + "\r\u{1B}[2K" + String(repeating: "\u{1B}[1A\u{1B}[2K", count: 4)
                + "[TOOL] Bash command: (workdir: /w)\npwd\n"
        )
    }

    func testClaudeBashToolShowsTheDescriptionAfterTheCommand() {
        let call = toolCall(tool: "Bash", [#"{"command":"git st"#, #"atus","description":"Show"#, #" status"}"#])
        XCTAssertEqual(runBashFilter(call, output: .text), "[TOOL] Bash command:\ngit status\n  # Show status\n")
    }

    func testTextDeltasAreShownUnlessFunctionOnly() {
        let lines = [FixtureFragments.deltaLine(flow: "f1", kind: "text", index: 0, text: "Let me look.")] + seedCall
        XCTAssertTrue(runBashFilter(lines, output: .text).hasPrefix("[text] Let me look.\n[shell] "))
        XCTAssertTrue(runBashFilter(lines, output: .text, functionOnly: true).hasPrefix("[shell] "))
    }
}
