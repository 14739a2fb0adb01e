// A test oracle for the renderers: the streamed fragments of each content block of a real SSE
// fixture (text, reasoning, tool arguments), taken out with Foundation's JSON parser and a
// plain `data:` line split — independent of TapCodec's SSE parser and DeltaDecoder, so the
// renderers' tests can build delta records without them and compare against them.

import Foundation

public struct FixtureStream: Sendable {
    /// `text`, `reasoning` or `tool_args`.
    public var kind: String
    public var index: Int
    /// The tool's name for `tool_args` streams, when the stream says.
    public var tool: String?
    public var fragments: [String]

    /// The fragments joined: the whole text or argument JSON as the provider sent it.
    public var joined: String { fragments.joined() }
}

public enum FixtureFragments {
    /// The `data:` payloads of an SSE fixture that are JSON objects, in order.
    public static func events(_ name: String) throws -> [[String: Any]] {
        let text = String(decoding: try Fixtures.real(name), as: UTF8.self)
        var events: [[String: Any]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix("data:") {
            var payload = line.dropFirst(5)
            if payload.first == " " { payload = payload.dropFirst() }
            guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else {
                continue
            }
            events.append(object)
        }
        return events
    }

    /// The fragment streams of one fixture, in order of first appearance.
    public static func streams(_ name: String) throws -> [FixtureStream] {
        var order: [String] = []
        var streams: [String: FixtureStream] = [:]
        var tools: [Int: String] = [:]
        func add(_ kind: String, _ index: Int, _ fragment: String?) {
            guard let fragment else { return }
            let key = "\(kind)#\(index)"
            if streams[key] == nil {
                order.append(key)
                streams[key] = FixtureStream(
                    kind: kind,
                    index: index,
                    tool: kind == "tool_args" ? tools[index] : nil,
                    fragments: []
                )
            }
            streams[key]?.fragments.append(fragment)
        }
        for event in try events(name) {
            let type = event["type"] as? String ?? ""
            let delta = event["delta"] as? [String: Any]
            switch type {
            case "content_block_start":
                if let block = event["content_block"] as? [String: Any], let index = event["index"] as? Int,
                    block["type"] as? String == "tool_use"
                {
                    tools[index] = block["name"] as? String
                }
            case "content_block_delta":
                let index = event["index"] as? Int ?? 0
                switch delta?["type"] as? String {
                case "text_delta": add("text", index, delta?["text"] as? String)
                case "thinking_delta": add("reasoning", index, delta?["thinking"] as? String)
                case "input_json_delta": add("tool_args", index, delta?["partial_json"] as? String)
                default: break
                }
            case "response.output_item.added":
                if let item = event["item"] as? [String: Any], let index = event["output_index"] as? Int,
                    item["type"] as? String == "function_call"
                {
                    tools[index] = item["name"] as? String
                }
            case "response.output_text.delta":
                add("text", event["output_index"] as? Int ?? 0, event["delta"] as? String)
            case "response.reasoning_summary_text.delta":
                add("reasoning", event["output_index"] as? Int ?? 0, event["delta"] as? String)
            case "response.function_call_arguments.delta":
                add("tool_args", event["output_index"] as? Int ?? 0, event["delta"] as? String)
            default:
                // Chat Completions chunks have no type.
                guard let choices = event["choices"] as? [[String: Any]] else { break }
                for choice in choices {
                    guard let d = choice["delta"] as? [String: Any] else { continue }
                    add("text", 0, d["content"] as? String)
                    add("reasoning", 0, (d["reasoning_content"] ?? d["reasoning"]) as? String)
                    for call in d["tool_calls"] as? [[String: Any]] ?? [] {
                        let index = 1 + (call["index"] as? Int ?? 0)
                        let function = call["function"] as? [String: Any]
                        if let name = function?["name"] as? String { tools[index] = name }
                        add("tool_args", index, function?["arguments"] as? String)
                    }
                }
            }
        }
        return order.compactMap { streams[$0] }
    }

    /// Every stream of every `.sse` fixture, labelled `file#kind#index`.
    public static func all() throws -> [(label: String, stream: FixtureStream)] {
        var result: [(String, FixtureStream)] = []
        for name in try Fixtures.realNames(withExtension: "sse") {
            for stream in try streams(name) { result.append(("\(name)#\(stream.kind)#\(stream.index)", stream)) }
        }
        return result
    }

    /// A `delta` record line for one fragment (what sse-normalize writes, DESIGN §5).
    public static func deltaLine(
        flow: String,
        kind: String,
        index: Int,
        text: String? = nil,
        seq: Int? = nil,
        tool: String? = nil,
        callID: String? = nil
    ) -> String {
        var object: [String: Any] = [
            "v": 1, "type": "delta", "flow_id": flow, "session_id": "s-" + flow, "kind": kind, "index": index,
        ]
        if let text { object["text"] = text }
        if let seq { object["seq"] = seq }
        if let tool { object["tool"] = tool }
        if let callID { object["call_id"] = callID }
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
