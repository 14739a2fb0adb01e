// WebSocket upgrades through sse-capture: a real `websockets` (pip) server and client on both
// sides of reverse mode; the frame parser's split invariance on masked, fragmented, long frames.
import Foundation
import TapTestSupport
import XCTest

@testable import sse_capture

final class WebSocketTests: XCTestCase {
    static let script = """
        import asyncio, json, sys, websockets
        ws_port, proxy_port = int(sys.argv[1]), int(sys.argv[2])
        async def handler(ws):
            async for message in ws:
                request = json.loads(message)
                for i in range(3):
                    await ws.send(json.dumps({"type": "response.output_text.delta", "delta": "part%d" % i}))
                await ws.send(b"\\x00\\x01binary")
                await ws.send("not json")
                await ws.send(json.dumps({"type": "response.output_text.delta", "delta": "x" * request["big"]}))
                await ws.send(json.dumps({"type": "response.completed"}))
        async def main():
            async with websockets.serve(handler, "127.0.0.1", ws_port):
                url = "ws://127.0.0.1:%d/ws/v1/responses" % proxy_port
                async with websockets.connect(url, max_size=None, proxy=None) as ws:
                    await ws.send(json.dumps({"type": "response.create", "big": 100000}))
                    got = []
                    while True:
                        message = await asyncio.wait_for(ws.recv(), 10)
                        got.append(message if isinstance(message, str) else "<binary>")
                        if "response.completed" in got[-1]:
                            break
                    print(json.dumps([len(m) for m in got]))
        asyncio.run(main())
        """

    func testUpgradeIsTunnelledAndTextFramesBecomeWSRecords() async throws {
        let probe = try await Binary.runExecutable("python3", ["-c", "import websockets"])
        try XCTSkipIf(probe.status != 0, "python3 -m pip install websockets (not installed here)")
        let directory = try TempDir.make("sse-capture-ws")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wsPort = Network.freePort()
        let proxy = try ProxyProcess(
            arguments: ["--reverse", "/ws=http://127.0.0.1:\(wsPort)", "--no-intercept"],
            directory: directory
        )
        defer { proxy.stop() }
        let result = try await Binary.runExecutable(
            "python3",
            ["-c", Self.script, String(wsPort), String(proxy.port)]
        )
        XCTAssertEqual(result.status, 0, result.stderr)
        // The client got every message whole: 3 deltas, binary, "not json", the 100 KB delta, completed.
        let lengths = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [Int]
        XCTAssertEqual(lengths?.count, 7)
        XCTAssertGreaterThan(lengths?[5] ?? 0, 100_000)

        let ends = proxy.waitForFlowEnds(1)
        XCTAssertEqual(ends.first?["status"] as? String, "complete")
        let flow = proxy.records("sse_flows.jsonl").first
        XCTAssertEqual(flow?["status"] as? Int, 101)
        XCTAssertEqual(flow?["provider"] as? String, "openai-responses")
        let ws = proxy.records("sse_lines.jsonl")
        XCTAssertEqual(ws.map { $0["direction"] as? String ?? "" }, ["client"] + Array(repeating: "server", count: 6))
        XCTAssertEqual(ws.map { $0["seq"] as? Int ?? -1 }, Array(0..<7))
        XCTAssertTrue(
            ws.allSatisfy { $0["type"] as? String == "ws" && $0["flow_id"] as? String == flow?["flow_id"] as? String }
        )
        XCTAssertEqual((ws[0]["data"] as? [String: Any])?["type"] as? String, "response.create")
        XCTAssertEqual((ws[1]["data"] as? [String: Any])?["delta"] as? String, "part0")
        XCTAssertEqual(ws[4]["data"] as? String, "not json")
        XCTAssertEqual(((ws[5]["data"] as? [String: Any])?["delta"] as? String)?.count, 100_000)
        XCTAssertEqual((ws[6]["data"] as? [String: Any])?["type"] as? String, "response.completed")
    }

    /// A masked client frame (RFC 6455 §5.3), optionally a fragment.
    private func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, mask: [UInt8]? = [1, 2, 3, 4]) -> [UInt8]
    {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 {
            out.append(maskBit | UInt8(payload.count))
        } else if payload.count < 65536 {
            out += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(maskBit | 127)
            out += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        guard let mask else { return out + payload }
        return out + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    }

    private func parse(_ bytes: [UInt8], cuts: [Int]) -> [WebSocketMessage] {
        var parser = WebSocketFrameParser()
        var out: [WebSocketMessage] = []
        var start = 0
        for cut in cuts.sorted() + [bytes.count] where cut >= start {
            bytes[start..<cut].withUnsafeBytes { parser.feed($0, into: &out) }
            start = cut
        }
        return out
    }

    func testFrameParserIsSplitInvariant() {
        let long = Array(repeating: UInt8(ascii: "y"), count: 70_000)
        let stream =
            frame(1, Array("{\"a\":1}".utf8)) + frame(1, Array("hel".utf8), fin: false)
            + frame(9, Array("ping".utf8)) + frame(0, Array("lo".utf8))
            + frame(1, Array(repeating: 65, count: 300), mask: nil)
            + frame(1, long) + frame(2, [0, 1, 2]) + frame(8, [3, 232])
        let whole = parse(stream, cuts: [])
        XCTAssertEqual(whole.map(\.opcode), [1, 9, 1, 1, 1, 2, 8])
        XCTAssertEqual(whole[0].payload, Array("{\"a\":1}".utf8))
        XCTAssertEqual(whole[2].payload, Array("hello".utf8), "fragments join around a control frame")
        XCTAssertEqual(whole[3].payload.count, 300)
        XCTAssertEqual(whole[4].payload, long)
        XCTAssertEqual(parse(stream, cuts: Array(1..<300) + Array(stride(from: 300, to: stream.count, by: 997))), whole)
        for _ in 0..<10 {
            let cuts = (0..<30).map { _ in Int.random(in: 0...stream.count) }
            XCTAssertEqual(parse(stream, cuts: cuts), whole, "cuts \(cuts.sorted())")
        }
    }
}
