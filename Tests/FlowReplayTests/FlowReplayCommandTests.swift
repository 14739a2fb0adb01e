// End to end: flow-replay re-emitting a log (order, bytes, scaled gaps) and serving recorded
// flows to curl and to the real Python anthropic and openai clients, all on 127.0.0.1.

import Foundation
import TapCodec
import TapTestSupport
import XCTest

final class FlowReplayCommandTests: XCTestCase {
    /// Three records 1 s and 0.5 s apart, a line that is not JSON, a record without ts.
    let shortLog = """
        {"v":1,"type":"flow","flow_id":"f","ts":"2026-11-26T10:00:00.000000Z"}
        {"v":1,"type":"sse","flow_id":"f","ts":"2026-11-26T10:00:01.000000Z","seq":0,"event":"message","data":"a"}
        not json
        {"v":1,"type":"note"}
        {"v":1,"type":"flow_end","flow_id":"f","ts":"2026-11-26T10:00:01.500000Z","status":"complete"}

        """

    func testNoWaitIsByteIdentical() async throws {
        let result = try await Binary.run("flow-replay", ["--no-wait"], stdin: shortLog)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText, shortLog)
        XCTAssertEqual(result.stderr, "flow-replay: line 3: not a JSON object (passed through)\n")
    }

    func testStrictStopsAtTheBadLine() async throws {
        let result = try await Binary.run("flow-replay", ["--no-wait", "--strict"], stdin: shortLog)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "flow-replay: line 3: not a JSON object\n")
    }

    func testOptionsExcludeEachOther() async throws {
        let result = try await Binary.run("flow-replay", ["--no-wait", "--speed", "2"], stdin: "")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("exclude each other"), result.stderr)
    }

    /// Lines arrive with the recorded gaps divided by --speed: 1 s and 0.5 s at speed 5.
    func testGapsAreScaled() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path("flow-replay"))
        process.arguments = ["--speed", "5"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(shortLog.utf8))
        try input.fileHandleForWriting.close()
        var arrivals: [(Date, String)] = []
        var pending = ""
        let start = Date()
        while arrivals.count < 5 {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            pending += String(decoding: data, as: UTF8.self)
            while let nl = pending.firstIndex(of: "\n") {
                arrivals.append((Date(), String(pending[..<nl])))
                pending = String(pending[pending.index(after: nl)...])
            }
        }
        process.waitUntilExit()
        XCTAssertEqual(arrivals.map(\.1), shortLog.split(separator: "\n").map(String.init))
        let gap1 = arrivals[1].0.timeIntervalSince(arrivals[0].0)
        let gap2 = arrivals[4].0.timeIntervalSince(arrivals[1].0)
        XCTAssertGreaterThanOrEqual(gap1, 0.19, "1 s at speed 5")
        XCTAssertLessThan(gap1, 0.6)
        XCTAssertGreaterThanOrEqual(gap2, 0.09, "0.5 s at speed 5")
        XCTAssertLessThan(gap2, 0.5)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2.0)
    }

    // MARK: - --serve

    /// A running `flow-replay --serve 127.0.0.1:0`; stopped at deinit.
    final class Server {
        let process = Process()
        let port: Int

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: Binary.path("flow-replay"))
            process.arguments = ["--serve", "127.0.0.1:0"] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The first line says where it listens.
            var text = ""
            while !text.contains("\n") {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            guard let range = text.range(of: #"(?<=127\.0\.0\.1:)\d+"#, options: .regularExpression),
                let port = Int(text[range])
            else { throw NSError(domain: "flow-replay did not listen: \(text)", code: 1) }
            self.port = port
        }

        deinit {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    struct CorpusFlow {
        var id: String
        var model: String
        var text: String
        var events: [[String: Any]]
        var eventNames: [String]
    }

    /// The first complete, successful flow of a provider in the corpus, with its recorded text.
    func corpusFlow(_ provider: String, corpus: String) throws -> CorpusFlow {
        let lines = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        let complete = Set(
            records.filter { $0["type"] as? String == "flow_end" && $0["status"] as? String == "complete" }
                .compactMap { $0["flow_id"] as? String }
        )
        for flow in records
        where flow["type"] as? String == "flow" && flow["provider"] as? String == provider
            && flow["status"] as? Int == 200
        {
            guard let id = flow["flow_id"] as? String, complete.contains(id),
                let body = (flow["request"] as? [String: Any])?["body"] as? [String: Any],
                let model = body["model"] as? String
            else { continue }
            let events = records.filter { $0["type"] as? String == "sse" && $0["flow_id"] as? String == id }
            var text = ""
            for event in events {
                guard let data = event["data"] as? [String: Any] else { continue }
                if provider == "anthropic", let delta = data["delta"] as? [String: Any],
                    delta["type"] as? String == "text_delta"
                {
                    text += delta["text"] as? String ?? ""
                }
                if provider == "chat", let choices = data["choices"] as? [[String: Any]],
                    let delta = choices.first?["delta"] as? [String: Any]
                {
                    text += delta["content"] as? String ?? ""
                }
            }
            if !text.isEmpty {
                return CorpusFlow(
                    id: id,
                    model: model,
                    text: text,
                    events: events.map { $0["data"] as? [String: Any] ?? [:] },
                    eventNames: events.map { $0["event"] as? String ?? "" }
                )
            }
        }
        throw XCTSkip("no complete \(provider) flow with text in the corpus")
    }

    func testServeAnswersCurlWithTheRecordedEvents() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1)
        let flow = try corpusFlow("anthropic", corpus: corpus)
        let server = try Server(["--flow", flow.id, "--speed", "100", "--max-requests", "1", corpus])
        let result = try await Binary.runExecutable(
            "curl",
            ["-sN", "-i", "--max-time", "30", "-d", "{}", "http://127.0.0.1:\(server.port)/v1/messages"]
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        let response = result.stdoutText
        let parts = response.components(separatedBy: "\r\n\r\n")
        XCTAssertTrue(parts[0].hasPrefix("HTTP/1.1 200 OK\r\n"), parts[0])
        XCTAssertTrue(parts[0].contains("content-type: text/event-stream"), parts[0])
        // The body: one event per sse record, in order, names and data as recorded.
        let events = parts.dropFirst().joined(separator: "\r\n\r\n").components(separatedBy: "\n\n").filter {
            !$0.isEmpty
        }
        XCTAssertEqual(events.count, flow.events.count)
        for (i, event) in events.enumerated() {
            let lines = event.split(separator: "\n")
            XCTAssertEqual(lines.first, "event: \(flow.eventNames[i])")
            let data = try JSONSerialization.jsonObject(with: Data(lines[1].dropFirst("data: ".count).utf8))
            XCTAssertEqual(data as? NSDictionary, flow.events[i] as NSDictionary)
        }
    }

    func pythonClient(_ script: String, _ arguments: [String], module: String) async throws -> String {
        let check = try await Binary.runExecutable("python3", ["-c", "import \(module)"])
        if check.status != 0 {
            throw XCTSkip("Python module \(module) is missing: pip install \(module)")
        }
        let result = try await Binary.runExecutable("timeout", ["60", "python3", "-c", script] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdoutText
    }

    func testAnthropicClientReceivesTheRecordedText() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1)
        let flow = try corpusFlow("anthropic", corpus: corpus)
        let server = try Server(["--flow", flow.id, "--speed", "50", "--max-requests", "1", corpus])
        let script = """
            import sys, anthropic
            client = anthropic.Anthropic(base_url="http://127.0.0.1:" + sys.argv[1], api_key="test", max_retries=0, timeout=30)
            with client.messages.stream(model=sys.argv[2], max_tokens=1024, messages=[{"role": "user", "content": "hi"}]) as stream:
                sys.stdout.write("".join(stream.text_stream))
            """
        let text = try await pythonClient(script, ["\(server.port)", flow.model], module: "anthropic")
        XCTAssertEqual(text, flow.text)
    }

    func testOpenAIClientReceivesTheRecordedChatText() async throws {
        let corpus = try await Corpus.generate(seed: 3, sizeMB: 1)
        let flow = try corpusFlow("chat", corpus: corpus)
        let server = try Server(["--flow", flow.id, "--speed", "50", "--max-requests", "1", corpus])
        let script = """
            import sys, openai
            client = openai.OpenAI(base_url="http://127.0.0.1:" + sys.argv[1] + "/v1", api_key="test", max_retries=0, timeout=30)
            stream = client.chat.completions.create(model=sys.argv[2], messages=[{"role": "user", "content": "hi"}], stream=True)
            sys.stdout.write("".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices))
            """
        let text = try await pythonClient(script, ["\(server.port)", flow.model], module: "openai")
        XCTAssertEqual(text, flow.text)
    }

    /// Without --flow, one recorded flow per request in order; then 404.
    func testServesFlowsInOrderThenNotFound() async throws {
        let log = """
            {"v":1,"type":"flow","flow_id":"one","ts":"2026-11-26T10:00:00.000000Z","status":200,"response":{"headers":{"content-type":"text/event-stream","content-length":"99"}}}
            {"v":1,"type":"sse","flow_id":"one","ts":"2026-11-26T10:00:00.100000Z","seq":0,"event":"message","data":{"n":1}}
            {"v":1,"type":"flow","flow_id":"two","ts":"2026-11-26T10:00:01.000000Z","status":529,"response":{"headers":{}}}
            {"v":1,"type":"sse","flow_id":"two","ts":"2026-11-26T10:00:01.100000Z","seq":0,"event":"error","data":{"type":"error"}}

            """
        let dir = try TempDir.make("flow-replay")
        let path = dir + "/log.jsonl"
        try log.write(toFile: path, atomically: true, encoding: .utf8)
        let server = try Server(["--no-wait", "--max-requests", "3", path])
        var bodies: [String] = []
        for _ in 0..<3 {
            let result = try await Binary.runExecutable(
                "curl",
                ["-sN", "-i", "--max-time", "10", "http://127.0.0.1:\(server.port)/any"]
            )
            bodies.append(result.stdoutText)
        }
        XCTAssertEqual(
            bodies[0],
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\ndata: {\"n\":1}\n\n"
        )
        XCTAssertEqual(
            bodies[1],
            "HTTP/1.1 529 Overloaded\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\nconnection: close\r\n\r\nevent: error\ndata: {\"type\":\"error\"}\n\n"
        )
        XCTAssertTrue(bodies[2].hasPrefix("HTTP/1.1 404 Not Found\r\n"), bodies[2])
        server.process.waitUntilExit()
        XCTAssertEqual(server.process.terminationStatus, 0)
    }
}
