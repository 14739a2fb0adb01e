// extract-usage's input path and its telemetry cost: the line/literal scanner (each SIMD path) agrees with a
// naive split on random bytes in every chunking; a mapped file scanned in two parts side by side
// (extract-usage) or in one with the event literals marked (extract-turns) gives the same answer
// and the same bad-line report as the same bytes read from stdin; and the
// cost column from Claude Code's cost metric, on a mixed capture + telemetry file, against sums
// worked out by hand.

import Foundation
import TapExtract
import TapTestSupport
import XCTest

final class UsageScanTests: XCTestCase {
    /// What a naive reader sees: each line and whether it holds a literal.
    private func naive(_ bytes: [UInt8], _ literals: [[UInt8]]) -> [(line: [UInt8], holds: Bool)] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if bytes.last == 0x0A || bytes.isEmpty { lines.removeLast() }
        return lines.map { line in
            (
                line,
                literals.contains { l in
                    line.count >= l.count
                        && (0...(line.count - l.count)).contains { Array(line[$0..<($0 + l.count)]) == l }
                }
            )
        }
    }

    /// The scanner fed in the given chunks, the way the read(2) loop feeds it.
    private func scanned(_ chunks: [[UInt8]], _ scanner: LineHitScanner) -> [(line: [UInt8], holds: Bool)] {
        var result: [(line: [UInt8], holds: Bool)] = []
        var pending: [UInt8] = []
        for (k, chunk) in chunks.enumerated() {
            pending += chunk
            let final = k == chunks.count - 1
            let start = pending.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return scanner.forEachLine(base, from: 0, to: buffer.count, final: final) { s, e, holds in
                    result.append((Array(buffer[s..<e]), holds))
                }
            }
            pending.removeFirst(start)
        }
        return result
    }

    func testScannerMatchesANaiveSplitInEveryChunking() throws {
        // extract-usage's literals (one first byte) and extract-turns' event literals (three).
        let turns = try XCTUnwrap(FlowTable(needs: [.toolNames, .usage]).eventLiterals)
        // Every code path this CPU runs (portable, SSE2, and AVX2 where the CPU has it).
        XCTAssertTrue(LineHitScanner.Path.runnable.contains(.portable))
        XCTAssertEqual(LineHitScanner.Path.runnable.last, LineHitScanner.Path.best)
        // And a set for each way the AVX2 compares share probes (linehits.h, tap_linehits_share):
        // none, the first byte, the first byte and a second byte (each pair of literals), fewer literals.
        let shares = [
            ["alpha", "beta:", "{gamma"], ["\"alpha", "\"beta", "\"gamma"], ["\"cache", "\"claim", "\"usage"],
            ["\"cab", "\"usage", "\"cow"], ["\"usage", "\"cache", "\"coal"], ["\"id\""], ["\"a1", "\"b2"],
        ].map { $0.map { Array($0.utf8) } }
        for path in LineHitScanner.Path.runnable {
            for literals in [UsageTotals.prefilterLiterals, turns] {
                try checkScanner(literals, path)
            }
            for literals in shares {
                try checkScanner(literals, path, rounds: 20)
            }
        }
    }

    private func checkScanner(_ literals: [[UInt8]], _ path: LineHitScanner.Path, rounds: Int = 200) throws {
        let scanner = LineHitScanner(literals: literals, path: path)
        // Pieces that make near misses likely: literal prefixes and suffixes, quotes, newlines.
        let pieces: [[UInt8]] =
            literals + literals.map { Array($0.dropLast()) } + literals.map { Array($0.dropFirst()) }
            + [
                Array("\"".utf8), Array("\n".utf8), Array("{\"type\":\"sse\"}".utf8), Array("usage".utf8),
                Array("\n{\"a\":1}\n".utf8), Array("\n \t\r\n".utf8), Array("\n{}\n".utf8), Array("\n{\n".utf8),
                Array("é🧪".utf8),
            ]
        var rng = SystemRandomNumberGenerator()
        for round in 0..<rounds {
            var bytes: [UInt8] = []
            // Every tenth round dense with newlines and literals: more events than one call of
            // the C scan returns, so that it stops for want of room and resumes.
            let dense = round % 10 == 0
            let target = dense ? 20000 : Int.random(in: 0...3000, using: &rng)
            while bytes.count < target {
                if dense || Bool.random(using: &rng) {
                    bytes += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
                } else {
                    bytes += (0..<Int.random(in: 1...80, using: &rng)).map { _ in
                        UInt8.random(in: 0x20...0x7E, using: &rng)
                    }
                }
            }
            let expected = naive(bytes, literals)
            var chunkings: [[[UInt8]]] = [[bytes]]
            if round < 20 { chunkings.append(bytes.map { [$0] }) }  // one byte at a time
            var cuts = (0..<Int.random(in: 1...8, using: &rng)).map { _ in Int.random(in: 0...bytes.count, using: &rng)
            }
            cuts = ([0] + cuts.sorted() + [bytes.count])
            chunkings.append((0..<(cuts.count - 1)).map { Array(bytes[cuts[$0]..<cuts[$0 + 1]]) })
            try checkKeptLines(bytes, expected, scanner, "\(path) round \(round)")
            for chunks in chunkings {
                let got = scanned(chunks, scanner)
                XCTAssertEqual(got.map(\.line), expected.map(\.line), "\(path) round \(round), \(chunks.count) chunks")
                XCTAssertEqual(
                    got.map(\.holds),
                    expected.map(\.holds),
                    "\(path) round \(round), \(chunks.count) chunks"
                )
            }
        }
    }

    /// `forEachKeptLine` (the mapped scan's pass) keeps exactly the newline-terminated lines
    /// that hold a literal or are not `{`…`}` nor blank, with their index among all lines and
    /// which literals each holds (the same as `literalMask`, the read path's answer).
    private func checkKeptLines(
        _ bytes: [UInt8],
        _ expected: [(line: [UInt8], holds: Bool)],
        _ scanner: LineHitScanner,
        _ label: String
    ) throws {
        func shapeOK(_ line: [UInt8]) -> Bool {
            let blank: Set<UInt8> = [0x20, 0x09, 0x0D]
            let trimmed = line.drop { blank.contains($0) }.reversed().drop { blank.contains($0) }.reversed()
            return trimmed.isEmpty || (trimmed.count >= 2 && trimmed.first == 0x7B && trimmed.last == 0x7D)
        }
        let terminated = bytes.last == 0x0A ? expected : Array(expected.dropLast())
        let want = terminated.enumerated().filter { $0.element.holds || !shapeOK($0.element.line) }
        var got: [(index: Int, line: [UInt8], literals: UInt32)] = []
        let (lines, unfinished) = bytes.withUnsafeBytes { buffer -> (Int, Int) in
            guard let base = buffer.baseAddress else { return (0, 0) }
            return scanner.forEachKeptLine(base, from: 0, to: buffer.count) { s, e, index, literals in
                got.append((index, Array(buffer[s..<e]), literals))
            }
        }
        func naiveMask(_ line: [UInt8]) -> UInt32 {
            var mask: UInt32 = 0
            for (k, l) in scanner.literals.enumerated()
            where line.count >= l.count
                && (0...(line.count - l.count)).contains(where: { Array(line[$0..<($0 + l.count)]) == l })
            {
                mask |= 1 << UInt32(k)
            }
            return mask
        }
        XCTAssertEqual(lines, terminated.count, label)
        XCTAssertEqual(unfinished, (bytes.lastIndex(of: 0x0A) ?? -1) + 1, label)
        XCTAssertEqual(got.map(\.index), want.map(\.offset), label)
        XCTAssertEqual(got.map(\.line), want.map(\.element.line), label)
        XCTAssertEqual(got.map { $0.literals != 0 }, want.map(\.element.holds), label)
        XCTAssertEqual(got.map(\.literals), want.map { naiveMask($0.element.line) }, label)
        let readPath = got.map { hit in hit.line.withUnsafeBytes { scanner.literalMask($0) } }
        XCTAssertEqual(readPath, got.map(\.literals), label)
    }

    /// The fixture repeated until the file is large enough to be scanned in two parts (8 MiB),
    /// each copy's flows renamed; its bad line (line 8 of each copy) kept, its truncated last
    /// line only at the very end, without a newline.
    private func bigFile() throws -> (path: String, copies: Int) {
        let lines = Fixture.lines
        let body = lines.dropLast()
        var text = ""
        var copies = 0
        while text.utf8.count < 8 << 20 {
            for line in body {
                text += line.replacingOccurrences(of: #""flow_id":""#, with: #""flow_id":"r\#(copies)-"#) + "\n"
            }
            copies += 1
        }
        text += lines[lines.count - 1]
        let dir = try TempDir.make("extract-usage-big")
        let path = dir + "/big.jsonl"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, copies)
    }

    func testMappedFileInTwoPartsSameAsStdin() async throws {
        let (path, copies) = try bigFile()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let runs = [
            ("extract-usage", ["--by", "session"]), ("extract-usage", ["--by", "model"]),
            ("extract-usage", ["--by", "day"]), ("extract-turns", ["--mode", "all", "-n", "0"]),
        ]
        for (tool, args) in runs {
            let mapped = try await Binary.run(tool, args + [path])
            let piped = try await Binary.run(tool, args, stdin: bytes)
            XCTAssertEqual(mapped.status, 0, mapped.stderr)
            XCTAssertEqual(mapped.stdoutText, piped.stdoutText, "\(tool) \(args)")
            XCTAssertEqual(mapped.stderr, piped.stderr, "\(tool) \(args)")
            XCTAssertFalse(mapped.stdout.isEmpty, tool)
        }
        // Many windows, each in two parts, one scanned while the one before is read: the same
        // answer and messages whatever the window (odd sizes cut lines anywhere).
        let whole = try await Binary.run("extract-usage", ["--by", "session", path])
        for window in [1 << 20, 300_001, 65_537] {
            let windowed = try await Binary.run(
                "extract-usage",
                ["--by", "session", path],
                environment: ["STREAMTAP_SCAN_WINDOW": String(window)]
            )
            XCTAssertEqual(windowed.stdoutText, whole.stdoutText, "window \(window)")
            XCTAssertEqual(windowed.stderr, whole.stderr, "window \(window)")
        }
        // Each copy: s1 has two flows (10+20 in, 5+7 out, 100 cache read), s2 one (10, 2, 40).
        let r = try await Binary.run("extract-usage", ["--by", "session", path])
        let n = copies
        XCTAssertEqual(
            r.stdoutLines,
            [
                #"{"by":"session","key":"s1","flows":\#(2 * n),"input_tokens":\#(30 * n),"output_tokens":\#(12 * n),"cache_read_tokens":\#(100 * n),"cache_write_tokens":0}"#,
                #"{"by":"session","key":"s2","flows":\#(n),"input_tokens":\#(10 * n),"output_tokens":\#(2 * n),"cache_read_tokens":\#(40 * n),"cache_write_tokens":0}"#,
            ]
        )
        // One bad line per copy plus the truncated last line; the first named by its number.
        XCTAssertEqual(
            r.stderr.split(separator: "\n"),
            [
                "extract-usage: line 8: not a JSON object (skipped)",
                "extract-usage: \(n + 1) lines were not JSON objects (skipped)",
            ]
        )
    }

    // MARK: - The agent's own cost

    static let telemetry = [
        // Token counts of a session the capture did not see (no cost attribute is read from it).
        #"{"v":1,"type":"claude_code.api_request","ts":"2026-11-02T07:35:05.000000Z","session_id":"cc-tele-1","body":"claude_code.api_request","attributes":{"event.name":"api_request","model":"claude-sonnet-4-5","cost_usd":0.0123,"duration_ms":2345,"input_tokens":1500,"output_tokens":300,"cache_read_tokens":9000,"cache_creation_tokens":200},"resource":{},"scope":{}}"#,
        // Delta points of cc-tele-1: 0.0123 (exported twice: counted once) and 0.0007 (another model).
        #"{"v":1,"type":"otel.metric","ts":"2026-11-02T07:35:06.000000Z","session_id":"cc-tele-1","name":"claude_code.cost.usage","unit":"USD","kind":"sum","temporality":"delta","monotonic":true,"start":"2026-11-02T07:35:00.000000Z","value":0.0123,"attributes":{"session.id":"cc-tele-1","model":"claude-sonnet-4-5"},"resource":{"service.name":"claude-code"},"scope":{"name":"com.anthropic.claude_code"}}"#,
        #"{"v":1,"type":"otel.metric","ts":"2026-11-02T07:35:06.000000Z","session_id":"cc-tele-1","name":"claude_code.cost.usage","unit":"USD","kind":"sum","temporality":"delta","monotonic":true,"start":"2026-11-02T07:35:00.000000Z","value":0.0123,"attributes":{"session.id":"cc-tele-1","model":"claude-sonnet-4-5"},"resource":{"service.name":"claude-code"},"scope":{"name":"com.anthropic.claude_code"}}"#,
        #"{"v":1,"type":"otel.metric","ts":"2026-11-02T07:36:06.000000Z","session_id":"cc-tele-1","name":"claude_code.cost.usage","unit":"USD","kind":"sum","temporality":"delta","monotonic":true,"start":"2026-11-02T07:35:06.000000Z","value":0.0007,"attributes":{"session.id":"cc-tele-1","model":"claude-haiku-4-5"},"resource":{"service.name":"claude-code"},"scope":{"name":"com.anthropic.claude_code"}}"#,
        // A cumulative series of a session with no token counts at all: the last total counts (0.75).
        #"{"v":1,"type":"otel.metric","ts":"2026-11-03T09:00:00.000000Z","session_id":"cc-tele-3","name":"claude_code.cost.usage","unit":"USD","kind":"sum","temporality":"cumulative","monotonic":true,"start":"2026-11-03T08:00:00.000000Z","value":0.5,"attributes":{"session.id":"cc-tele-3","model":"claude-sonnet-4-5"},"resource":{},"scope":{}}"#,
        // Token counts are another metric: not read.
        #"{"v":1,"type":"otel.metric","ts":"2026-11-03T09:00:30.000000Z","session_id":"cc-tele-3","name":"claude_code.token.usage","kind":"sum","temporality":"cumulative","value":1500,"attributes":{"session.id":"cc-tele-3","type":"input"},"resource":{},"scope":{}}"#,
        #"{"v":1,"type":"otel.metric","ts":"2026-11-03T09:01:00.000000Z","session_id":"cc-tele-3","name":"claude_code.cost.usage","unit":"USD","kind":"sum","temporality":"cumulative","monotonic":true,"start":"2026-11-03T08:00:00.000000Z","value":0.75,"attributes":{"session.id":"cc-tele-3","model":"claude-sonnet-4-5"},"resource":{},"scope":{}}"#,
        // The cost of a captured session: beside the wire's token counts (integer value: 2 USD).
        #"{"v":1,"type":"otel.metric","ts":"2026-11-02T07:33:00.000000Z","session_id":"3a5c44a4-ca19-4f2b-90a7-552863412d80","name":"claude_code.cost.usage","unit":"USD","kind":"sum","temporality":"delta","start":"2026-11-02T07:32:00.000000Z","value":2,"attributes":{"session.id":"3a5c44a4-ca19-4f2b-90a7-552863412d80","model":"claude-opus-4-1"},"resource":{},"scope":{}}"#,
    ]

    private func mixedFile() throws -> String {
        let sample = try String(contentsOfFile: Repo.root + "/examples/sample.jsonl", encoding: .utf8)
        let dir = try TempDir.make("extract-usage-cost")
        let path = dir + "/mixed.jsonl"
        // Telemetry before, inside and after the capture: the order in the file must not matter.
        let text =
            Self.telemetry[0...1].joined(separator: "\n") + "\n" + sample
            + Self.telemetry[2...].joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTelemetryCostBesideTheTokenCounts() async throws {
        let path = try mixedFile()
        let bySession = try await Binary.run("extract-usage", [path])
        XCTAssertEqual(bySession.status, 0, bySession.stderr)
        // cc-tele-1: 0.0123 + 0.0007 (the repeated point once, the api_request's cost_usd not
        // added); cc-tele-3: 0.75; the captured session 3a5c44a4: 2; the others have none.
        XCTAssertEqual(
            bySession.stdoutLines,
            [
                #"{"by":"session","key":"3a5c44a4-ca19-4f2b-90a7-552863412d80","flows":2,"input_tokens":50,"output_tokens":104,"cache_read_tokens":24824,"cache_write_tokens":26114,"telemetry_cost_usd":2.000000}"#,
                #"{"by":"session","key":"433ba4f9-6d84-4e0c-a01a-00e7aea96832","flows":1,"input_tokens":21071,"output_tokens":52,"cache_read_tokens":0,"cache_write_tokens":0,"telemetry_cost_usd":null}"#,
                #"{"by":"session","key":"6d67f063-b935-4c56-ad45-34a03fff0600","flows":1,"input_tokens":3596,"output_tokens":28,"cache_read_tokens":18637,"cache_write_tokens":0,"telemetry_cost_usd":null}"#,
                #"{"by":"session","key":"cc-tele-1","flows":1,"input_tokens":1500,"output_tokens":300,"cache_read_tokens":9000,"cache_write_tokens":200,"telemetry_cost_usd":0.013000}"#,
                #"{"by":"session","key":"cc-tele-3","flows":0,"input_tokens":0,"output_tokens":0,"cache_read_tokens":0,"cache_write_tokens":0,"telemetry_cost_usd":0.750000}"#,
                #"{"by":"session","key":"fb-3c51e07c558ad0c1","flows":2,"input_tokens":25907,"output_tokens":115,"cache_read_tokens":19308,"cache_write_tokens":0,"telemetry_cost_usd":null}"#,
            ]
        )
        // By model, with prices: the computed cost first, the agent's own beside it.
        let dir = try TempDir.make("extract-usage-cost-prices")
        let prices = dir + "/prices.json"
        try #"{"claude-sonnet-4-5":{"input":3,"output":15,"cache_read":0.3,"cache_write":3.75}}"#.write(
            toFile: prices,
            atomically: true,
            encoding: .utf8
        )
        let byModel = try await Binary.run("extract-usage", ["--by", "model", "--prices", prices, path])
        XCTAssertEqual(byModel.status, 0, byModel.stderr)
        // sonnet: (1500·3 + 300·15 + 9000·0.3 + 200·3.75) / 1e6 = 0.01245; telemetry 0.0123 + 0.75.
        XCTAssert(
            byModel.stdoutLines.contains(
                #"{"by":"model","key":"claude-sonnet-4-5","flows":1,"input_tokens":1500,"output_tokens":300,"cache_read_tokens":9000,"cache_write_tokens":200,"cost_usd":0.012450,"telemetry_cost_usd":0.762300}"#
            ),
            byModel.stdoutText
        )
        XCTAssert(
            byModel.stdoutLines.contains(
                #"{"by":"model","key":"claude-haiku-4-5","flows":0,"input_tokens":0,"output_tokens":0,"cache_read_tokens":0,"cache_write_tokens":0,"cost_usd":0.000000,"telemetry_cost_usd":0.000700}"#
            ),
            byModel.stdoutText
        )
        let byDay = try await Binary.run("extract-usage", ["--by", "day", path])
        XCTAssertEqual(byDay.stdoutLines.last?.hasSuffix(#""telemetry_cost_usd":0.750000}"#), true, byDay.stdoutText)
        XCTAssertEqual(byDay.stdoutLines.first?.hasSuffix(#""telemetry_cost_usd":2.013000}"#), true, byDay.stdoutText)
        // Without the cost metric the records keep their shape (no column).
        let sample = try await Binary.run("extract-usage", [Repo.root + "/examples/sample.jsonl"])
        XCTAssertFalse(sample.stdoutText.contains("telemetry_cost_usd"))
        XCTAssertEqual(sample.stdoutLines.count, 4)
    }

    /// A telemetry request is a flow of its own, whatever the captured flow ids: they were once
    /// `otel:N` in the same table, and a captured flow named `otel:0` took the first request's
    /// tokens. Long session ids and model names (over InlineText's 40 bytes) group like short ones.
    func testTelemetryFlowsAndCapturedFlowIDsNeverMeet() async throws {
        let longSession = "session-" + String(repeating: "a", count: 60)
        let longModel = "claude-" + String(repeating: "m", count: 50)
        let lines = [
            Self.telemetry[0],  // cc-tele-1: 1500 in, 300 out (no captured flow in that session)
            #"{"v":1,"type":"sse","flow_id":"otel:0","session_id":"wire-1","ts":"2026-11-02T08:00:00.000000Z","seq":0,"event":"message_start","data":{"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":7,"output_tokens":1}}}}"#,
            #"{"v":1,"type":"sse","flow_id":"long-1","session_id":"\#(longSession)","ts":"2026-11-02T08:00:01.000000Z","seq":0,"event":"message_start","data":{"type":"message_start","message":{"model":"\#(longModel)","usage":{"input_tokens":5,"output_tokens":2}}}}"#,
            #"{"v":1,"type":"sse","flow_id":"long-2","session_id":"\#(longSession)","ts":"2026-11-02T08:00:02.000000Z","seq":0,"event":"message_start","data":{"type":"message_start","message":{"model":"\#(longModel)","usage":{"input_tokens":4,"output_tokens":3}}}}"#,
        ]
        let dir = try TempDir.make("extract-usage-ids")
        let path = dir + "/ids.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let bySession = try await Binary.run("extract-usage", [path])
        XCTAssertEqual(bySession.status, 0, bySession.stderr)
        XCTAssertEqual(
            bySession.stdoutLines,
            [
                #"{"by":"session","key":"cc-tele-1","flows":1,"input_tokens":1500,"output_tokens":300,"cache_read_tokens":9000,"cache_write_tokens":200}"#,
                #"{"by":"session","key":"\#(longSession)","flows":2,"input_tokens":9,"output_tokens":5,"cache_read_tokens":0,"cache_write_tokens":0}"#,
                #"{"by":"session","key":"wire-1","flows":1,"input_tokens":7,"output_tokens":1,"cache_read_tokens":0,"cache_write_tokens":0}"#,
            ]
        )
        let byModel = try await Binary.run("extract-usage", ["--by", "model", path])
        XCTAssertEqual(
            byModel.stdoutLines,
            [
                #"{"by":"model","key":"\#(longModel)","flows":2,"input_tokens":9,"output_tokens":5,"cache_read_tokens":0,"cache_write_tokens":0}"#,
                #"{"by":"model","key":"claude-sonnet-4-5","flows":1,"input_tokens":1500,"output_tokens":300,"cache_read_tokens":9000,"cache_write_tokens":200}"#,
                #"{"by":"model","key":"claude-x","flows":1,"input_tokens":7,"output_tokens":1,"cache_read_tokens":0,"cache_write_tokens":0}"#,
            ]
        )
    }

    /// A usage line is validated and its record's members found in one AVX2 walk when it can
    /// be; every line that walk cannot judge (escaped keys, deep nesting, invalid JSON) goes the
    /// Swift way. Both ways give the same answers and the same bad-line reports: the same file
    /// with the AVX2 path forced off (`TAPCODEC_SIMD=0`) is the reference.
    func testOneWalkUsageLinesSameAsTheSwiftPath() async throws {
        let start = #"{"type":"message_start","message":{"model":"m1","usage":{"input_tokens":5,"output_tokens":1}}}"#
        let delta = #"{"type":"message_delta","usage":{"output_tokens":7}}"#
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let lines = [
            #"{"v":1,"type":"sse","flow_id":"a","session_id":"s1","ts":"2026-11-01T00:00:00Z","data":\#(start)}"#,
            #"{"v":1,"typ\u0065":"sse","flow_id":"b","session_id":"s1","ts":"2026-11-01T00:00:00Z","data":\#(start)}"#,
            #"{"type":"other","type":"sse","flow_id":"c","data":\#(start)}"#,
            #"{"type":"sse","flow_id":"d","data":\#(start)"#,  // cut short: bad
            #"{"type":"sse","flow_id":"e","data":{"type":"text","text":"\"codex.x\""}}"#,
            #"{"type":"ws","direction":"client","flow_id":"f","data":\#(start)}"#,
            #"{"type":"ws","direction":"server","flow_id":"g","session_id":"s2","ts":"2026-11-02","data":{"type":"response.completed","response":{"model":"m2","usage":{"input_tokens":9,"output_tokens":2,"input_tokens_details":{"cached_tokens":4}}}}}"#,
            "  " + #"{"type":"sse","flow_id":"a","data":\#(delta)}"# + " \r",
            #"{"type":"sse","flow_id":"h","note":"usage","deep":\#(deep),"data":\#(delta)}"#,
            #"{"type":"sse","session_id":"s5","data":\#(delta)}"#,  // no flow id: the flow nil
            #"{"type":"sse","fl\u006fw_id":"i","session_id":"s3","data":\#(delta)}"#,  // flow "i", not nil
            #"{"v":1,"type":"claude_code.api_request","ts":"2026-11-03T00:00:00Z","session_id":"s4","attributes":{"model":"m3","input_tokens":3,"output_tokens":4}}"#,
            #"{"type":"sse","flow_id":"j","data":{"object":"chat.completion.chunk","model":"m4","usage":{"prompt_tokens":8,"completion_tokens":3}}}"#,
        ]
        let dir = try TempDir.make("extract-usage-one-walk")
        let path = dir + "/lines.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        for grouping in ["session", "model", "day"] {
            let walk = try await Binary.run("extract-usage", ["--by", grouping, path])
            let swift = try await Binary.run(
                "extract-usage",
                ["--by", grouping, path],
                environment: ["TAPCODEC_SIMD": "0"]
            )
            XCTAssertEqual(walk.stdoutText, swift.stdoutText, grouping)
            XCTAssertEqual(walk.stderr, swift.stderr, grouping)
            XCTAssertEqual(walk.status, swift.status, grouping)
            XCTAssert(walk.stderr.contains("line 4"), walk.stderr)
        }
        let bySession = try await Binary.run("extract-usage", ["--by", "session", path])
        XCTAssert(bySession.stdoutLines.contains { $0.contains(#""key":"s3","flows":1"#) }, bySession.stdoutText)
        let byModel = try await Binary.run("extract-usage", ["--by", "model", path])
        // m1: flows a (5 in, 7 out after its delta) and b (the escaped type key is still "type");
        // c is not an sse record (its first type is "other"), f is from the client.
        XCTAssert(
            byModel.stdoutLines.contains { $0.contains(#""key":"m1","flows":2,"input_tokens":10,"output_tokens":8"#) },
            byModel.stdoutText
        )
        XCTAssert(
            byModel.stdoutLines.contains {
                $0.contains(#""key":"m2","flows":1,"input_tokens":5,"output_tokens":2,"cache_read_tokens":4"#)
            },
            byModel.stdoutText
        )
    }

    /// The day of a usage event is the first 10 characters of its `ts`, whatever its spelling:
    /// plain ASCII (read from the bytes), escaped, non-ASCII, short, absent.
    func testDayKeysFromAnySpellingOfTs() async throws {
        func event(_ flow: String, _ ts: String?) -> String {
            let tsMember = ts.map { #""ts":\#($0),"# } ?? ""
            return
                #"{"v":1,"type":"sse","flow_id":"\#(flow)",\#(tsMember)"data":{"type":"message_delta","usage":{"output_tokens":1}}}"#
        }
        let lines = [
            event("a", #""2026-11-02T07:32:46Z""#),
            event("b", #""2026-11-02T00:00:00Z""#),  // escaped: the same day
            event("c", #""é026-11-03xyz""#),  // non-ASCII: ten characters, not ten bytes
            event("d", #""short""#),
            event("e", nil),
            event("f", "42"),
        ]
        let dir = try TempDir.make("extract-usage-days")
        let path = dir + "/days.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await Binary.run("extract-usage", ["--by", "day", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdoutLines.map { line in line.split(separator: ",")[1] },
            [#""key":"""#, #""key":"2026-11-02""#, #""key":"short""#, #""key":"é026-11-03""#]
        )
        XCTAssert(result.stdoutLines[0].contains(#""flows":2"#), result.stdoutText)
        XCTAssert(result.stdoutLines[1].contains(#""flows":2"#), result.stdoutText)
    }

    /// extract-usage and extract-turns map a named file; truncating it from another process while
    /// they read it must end them with their usual error (exit 2, one line), never a SIGBUS.
    func testFileTruncatedWhileMappedEndsWithAnError() async throws {
        let dir = try TempDir.make()
        var text: [UInt8] = []
        for i in 0..<200_000 {
            let usage = i % 5 == 0 ? #","usage":{"input_tokens":\#(i % 97),"output_tokens":3}"# : ""
            text += Array(
                #"{"v":1,"type":"sse","flow_id":"f\#(i % 7)","seq":\#(i),"data":{"type":"message_delta"\#(usage),"pad":"\#(String(repeating: "p", count: i % 90))"}}"#
                    .utf8
            )
            text.append(0x0A)
        }
        for (attempt, tool) in ["extract-usage", "extract-turns", "extract-usage", "extract-turns"].enumerated() {
            let path = dir + "/capture-\(attempt).jsonl"
            FileManager.default.createFile(atPath: path, contents: Data(text))
            let truncation = Task.detached {
                try await Task.sleep(nanoseconds: UInt64(5 + attempt * 20) * 1_000_000)
                return truncate(path, 4096)
            }
            let result = try await Binary.run(tool, ["--no-progress", path])
            let truncated = try await truncation.value
            XCTAssertEqual(truncated, 0)
            XCTAssertLessThan(result.status, 128, "\(tool) died of a signal: \(result.status - 128) (\(result.stderr))")
            if result.status != 0 {
                XCTAssertEqual(result.status, 2, result.stderr)
                XCTAssertEqual(
                    result.stderr,
                    "\(tool): an input file was truncated while it was being read; stopping\n"
                )
            }
        }
    }
}
