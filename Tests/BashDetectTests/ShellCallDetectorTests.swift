// The per-call FSM: which argument shapes are shell commands, the delta at which that becomes
// certain, and the same answer for every way the argument JSON is cut into deltas.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

@testable import bash_detect

struct Detection: Equatable {
    var detectedAtSeq: Int64?
    var form: ShellCallDetector.Form?
    var shell: String?
    var argv: [String]
    var command: String
    var workdir: String?
    var complete: Bool
    /// The command text as it was streamed out, piece by piece, joined.
    var streamedCommand: String
}

/// Feeds the fragments in order (seq = 1, 2, …).
func detect(_ fragments: [[UInt8]], tool: String? = nil) -> Detection {
    var detector = ShellCallDetector(toolName: tool)
    var streamed: [UInt8] = []
    for (n, fragment) in fragments.enumerated() {
        let step = fragment.withUnsafeBytes { detector.feed($0, seq: Int64(n + 1)) }
        streamed += step.commandText
    }
    return Detection(
        detectedAtSeq: detector.detectedAtSeq,
        form: detector.form,
        shell: detector.shell,
        argv: detector.argv,
        command: String(decoding: detector.command, as: UTF8.self),
        workdir: detector.workdir,
        complete: detector.isComplete,
        streamedCommand: String(decoding: streamed, as: UTF8.self)
    )
}

func detect(_ fragments: [String], tool: String? = nil) -> Detection {
    detect(fragments.map { Array($0.utf8) }, tool: tool)
}

/// The seed's example: `{"command":["bash","-lc","…"]}` streamed so that the pattern becomes
/// certain in delta 8 (the opening quote of the command string).
let seedExample = [
    #"{"c"#, #"omma"#, #"nd":"#, #"["#, #""bash"#, #"",""#, #"-lc""#, #",\"ls -la"#, #" /tmp\necho \"done\"""#, "]",
    "}",
]

final class ShellCallDetectorTests: XCTestCase {
    func testSeedExampleIsDetectedAtDeltaEight() {
        let d = detect(seedExample.map { $0.replacingOccurrences(of: #",\""#, with: #",""#) })
        XCTAssertEqual(d.detectedAtSeq, 8)
        XCTAssertEqual(d.form, .array)
        XCTAssertEqual(d.shell, "bash")
        XCTAssertEqual(d.argv, ["bash", "-lc", "ls -la /tmp\necho \"done\""])
        XCTAssertEqual(d.command, "ls -la /tmp\necho \"done\"")
        XCTAssertEqual(d.streamedCommand, d.command)
        XCTAssertTrue(d.complete)
        // Seven deltas are not enough: `["bash","-lc"` could still be anything after it.
        XCTAssertNil(detect(Array(seedExample.prefix(7))).detectedAtSeq)
    }

    func testArrayFormsAndTheirCommands() {
        let cases: [(String, [String], String)] = [
            (#"{"command":["sh","-c","echo 1"]}"#, ["sh", "-c", "echo 1"], "echo 1"),
            (#"{"command":["zsh","-lc","ls"],"workdir":"/w"}"#, ["zsh", "-lc", "ls"], "ls"),
            (#"{"command":["/bin/bash","-l","-c","pwd"]}"#, ["/bin/bash", "-l", "-c", "pwd"], "pwd"),
            ("{ \"command\" :\n [ \"bash\" ,\t\"-lc\" , \"a\\tb\" ] }", ["bash", "-lc", "a\tb"], "a\tb"),
            (#"{"command":["b\u0061sh","-\u006cc","caf\u00e9 \ud83d\ude00"]}"#, ["bash", "-lc", "café 😀"], "café 😀"),
            (
                #"{"workdir":"/repo","timeout_ms":1000,"command":["bash","-lc","make","extra"]}"#,
                ["bash", "-lc", "make", "extra"], "make"
            ),
        ]
        for (json, argv, command) in cases {
            let d = detect([json])
            XCTAssertEqual(d.detectedAtSeq, 1, json)
            XCTAssertEqual(d.form, .array, json)
            XCTAssertEqual(d.argv, argv, json)
            XCTAssertEqual(d.command, command, json)
            XCTAssertTrue(d.complete, json)
        }
        XCTAssertEqual(detect([#"{"workdir":"/repo","command":["bash","-lc","x"]}"#]).workdir, "/repo")
    }

    func testStringFormsForShellToolsAndUnknownTools() {
        let cases: [(String, String?, String)] = [
            (#"{"command":"git status","description":"Show status"}"#, "Bash", "git status"),
            (#"{"command":"ls\n"}"#, "shell_command", "ls\n"),
            (#"{"cmd":"rg -n TODO","workdir":"/r"}"#, "exec_command", "rg -n TODO"),
            (#"{"command":"echo \"hi\""}"#, nil, "echo \"hi\""),
        ]
        for (json, tool, command) in cases {
            let d = detect([json], tool: tool)
            XCTAssertEqual(d.detectedAtSeq, 1, json)
            XCTAssertEqual(d.form, .string, json)
            XCTAssertEqual(d.command, command, json)
            XCTAssertEqual(d.argv, [], json)
        }
        XCTAssertEqual(detect([#"{"command":"x"}"#], tool: "Bash").shell, "bash")
        XCTAssertEqual(detect([#"{"cmd":"x","workdir":"/r"}"#], tool: "exec_command").workdir, "/r")
    }

    func testWhatIsNotAShellCommand() {
        let cases: [(String, String?)] = [
            (#"{"command":["ls","-la"]}"#, nil),  // no shell
            (#"{"command":["python3","-c","print(1)"]}"#, nil),  // not a shell
            (#"{"command":["bash","script.sh"]}"#, nil),  // no -c
            (#"{"command":["bash",1,"x"]}"#, nil),  // not strings
            (#"{"command":"SELECT 1"}"#, "run_sql"),  // a tool that is not a shell
            (#"{"location":"Paris","unit":"c"}"#, "get_weather"),
            (#"{"nested":{"command":"ls"}}"#, nil),  // not at top level
            (#"["command","ls"]"#, nil),
        ]
        for (json, tool) in cases {
            let d = detect([json], tool: tool)
            XCTAssertNil(d.detectedAtSeq, json)
            XCTAssertEqual(d.command, "", json)
            XCTAssertTrue(d.complete, json)
        }
    }

    func testCommandEscapesCutAnywhereDecodeWhole() {
        let d = detect(
            [#"{"command":"a\"#, #"u00"#, #"e9 \ud83d"#, #"\ude00 \"#, #"" \\"#, #"\\ end"}"#],
            tool: "Bash"
        )
        XCTAssertEqual(d.command, "aé 😀 \" \\\\ end")
        XCTAssertTrue(d.complete)
        XCTAssertEqual(d.streamedCommand, d.command)
    }

    /// For every chunking: the same detection, and it fires in the chunk that holds the byte
    /// completing the pattern (found by feeding one byte per delta).
    func testDetectionIsSplitInvariantAndFiresAtTheCompletingDelta() throws {
        var inputs = [
            seedExample.joined().replacingOccurrences(of: #",\""#, with: #",""#),
            #"{"command":["bash","-lc","cat > /tmp/x <<'EOF'\n{\"key\": \"va\\\"lue\"}\nEOF"],"workdir":"/repo"}"#,
            #"{"command":"printf '%s\\n' \"h\u00e9llo \ud83d\ude80\"","description":"Print"}"#,
            #"{"workdir":"/a","command":["/usr/bin/zsh", "-l" , "-c","echo \\\\ \"q\""]}"#,
            #"{"command":["ls","-la"],"workdir":"/x"}"#,
            #"{"cmd":"swift test --filter X 2>&1 | tail -20"}"#,
        ]
        // The real fixtures' tool arguments (none of them is a shell command).
        inputs += try FixtureFragments.all().filter { $0.stream.kind == "tool_args" }.map { $0.stream.joined }
        for input in inputs {
            let bytes = Array(input.utf8)
            let perByte = detect(bytes.map { [$0] })
            assertSplitInvariant(bytes, seeds: 1...24, exhaustiveLimit: 300) { pieces -> Detection in
                var d = detect(pieces)
                // Map the firing chunk back to a byte position: it must hold the completing byte.
                if let seq = d.detectedAtSeq, let at = perByte.detectedAtSeq {
                    let end = pieces.prefix(Int(seq)).reduce(0) { $0 + $1.count }
                    let start = end - pieces[Int(seq) - 1].count
                    d.detectedAtSeq = (start < Int(at) && Int(at) <= end) ? at : -seq
                }
                return d
            }
        }
    }
}
