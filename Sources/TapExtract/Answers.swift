// The answer records of extract-prompts, -turns, -pairs and -deltas, written field by field
// in the order bench/anchors/README.md lists (the reference answers compare byte for byte).
// One addition: `"partial":true` closes a record built from a flow without a flow_end (the
// stream was cut or is still running); the key is absent otherwise.

import TapCodec

extension JSONWriter {
    mutating func field(_ name: String, json value: [UInt8]?) {
        key(name)
        if let value { raw(value) } else { null() }
    }

    mutating func field(_ name: String, utf8 value: [UInt8]?) {
        key(name)
        if let value { string(utf8: value) } else { null() }
    }

    mutating func tokens(_ name: String, _ u: Usage) {
        key(name)
        beginObject()
        field("input", u.input)
        field("output", u.output)
        field("cache_read", u.cacheRead)
        field("cache_write", u.cacheWrite)
        endObject()
    }

    mutating func partial(_ isPartial: Bool) {
        if isPartial { field("partial", true) }
    }
}

public enum Answers {
    public static func prompt(_ f: FlowState, into out: inout [UInt8]) {
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("session_id", f.sessionID)
            w.field("flow_id", f.flowID)
            w.field("ts", f.ts)
            w.field("provider", f.providerName)
            w.field("model", json: f.model)
            w.field("text", utf8: f.prompt)
            w.endObject()
            w.newline()
        }
    }

    public static func turn(_ t: Turn, into out: inout [UInt8]) {
        let f = t.promptFlow
        var names: [String?] = []
        for g in t.flows { names += g.fold.toolNames }
        let used = Set(names.compactMap { $0 }).sorted(by: utf8Less)
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("session_id", f.sessionID)
            w.field("flow_id", f.flowID)
            w.field("provider", f.providerName)
            w.field("model", json: f.model)
            w.field("prompt", utf8: f.prompt)
            w.field("ts_user", f.ts)
            w.field("ts_idle", t.idleFlow?.endTS)
            w.key("duration_ms")
            if let idle = t.idleFlow, let end = idle.endTS.flatMap({ Timestamp(iso8601: $0) }),
                let start = f.ts.flatMap({ Timestamp(iso8601: $0) })
            {
                w.int(floorDiv(end.microseconds - start.microseconds, 1000))
            } else {
                w.null()
            }
            w.field("calls", t.flows.count)
            w.field("tool_calls", names.count)
            w.key("tools_used")
            w.beginArray()
            for name in used { w.string(name) }
            w.endArray()
            w.tokens("tokens", t.tokens)
            w.partial(t.isPartial)
            w.endObject()
            w.newline()
        }
    }

    public static func pair(_ t: Turn, into out: inout [UInt8]) {
        let f = t.promptFlow
        let reply = t.replyFlow
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("session_id", f.sessionID)
            w.field("flow_id", f.flowID)
            w.field("ts_user", f.ts)
            w.field("prompt", utf8: f.prompt)
            w.field("reply_flow_id", reply?.flowID)
            w.field("reply_ts", reply?.ts)
            w.field("reply", utf8: reply?.fold.text)
            w.field("idle", t.isIdle)
            w.partial(t.isPartial)
            w.endObject()
            w.newline()
        }
    }

    public static func delta(_ f: FlowState, into out: inout [UInt8]) {
        let fold = f.fold
        JSONWriter.append(to: &out) { w in
            w.beginObject()
            w.field("flow_id", f.flowID)
            w.field("session_id", f.sessionID)
            w.field("provider", f.providerName)
            w.field("model", json: f.model)
            w.field("ts", f.ts)
            w.field("status", json: f.status)
            w.field("events", fold.events)
            w.field("text", utf8: fold.text)
            w.field("reasoning", utf8: fold.reasoning)
            w.key("tool_calls")
            w.beginArray()
            for call in fold.calls {
                w.beginObject()
                w.field("call_id", json: call.callID)
                w.field("name", json: call.name)
                w.key("arguments")
                if let parsed = canonicalJSON(ofText: call.arguments) {
                    w.raw(parsed)
                    w.field("complete", true)
                } else {
                    w.string(utf8: call.arguments)
                    w.field("complete", false)
                }
                w.endObject()
            }
            w.endArray()
            w.field("stop_reason", json: fold.stopReason)
            if let u = fold.usage { w.tokens("usage", u) } else { w.field("usage", json: nil) }
            w.partial(f.isPartial)
            w.endObject()
            w.newline()
        }
    }
}

/// Python's `//` for integers (floor, also for negative differences).
public func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// extract-deltas' groupings: a record per flow (the reference), per block, or per session.
public enum DeltaGrouping: String, CaseIterable, Sendable {
    case flow, block, session
}

extension Answers {
    /// One record per block of each flow, in flow order: its text, its reasoning (each when not
    /// empty), then each streamed tool call. `complete`: a tool call whose arguments parse; a
    /// text or reasoning block of a flow that ended `complete`.
    public static func blocks(_ f: FlowState, into out: inout [UInt8]) {
        let fold = f.fold
        let ended = f.statusText == "complete"
        func head(_ w: inout JSONWriter, _ block: String) {
            w.beginObject()
            w.field("flow_id", f.flowID)
            w.field("session_id", f.sessionID)
            w.field("ts", f.ts)
            w.field("provider", f.providerName)
            w.field("block", block)
        }
        JSONWriter.append(to: &out) { w in
            for (name, text) in [("text", fold.text), ("reasoning", fold.reasoning)] where !text.isEmpty {
                head(&w, name)
                w.field("call_id", json: nil)
                w.field("name", json: nil)
                w.field("content", utf8: text)
                w.field("complete", ended)
                w.partial(f.isPartial)
                w.endObject()
                w.newline()
            }
            for call in fold.calls {
                head(&w, "tool_call")
                w.field("call_id", json: call.callID)
                w.field("name", json: call.name)
                w.key("content")
                let parsed = canonicalJSON(ofText: call.arguments)
                if let parsed { w.raw(parsed) } else { w.string(utf8: call.arguments) }
                w.field("complete", parsed != nil)
                w.partial(f.isPartial)
                w.endObject()
                w.newline()
            }
        }
    }

    /// One record per session, ordered by its first flow: flows, time span, events, text and
    /// reasoning sizes (code points), tool calls (and how many were cut), usage summed.
    public static func sessions(_ flows: [FlowState], into out: inout [UInt8]) {
        var order: [String?] = []
        var groups: [String?: [FlowState]] = [:]
        for f in flows {
            if groups[f.sessionID] == nil { order.append(f.sessionID) }
            groups[f.sessionID, default: []].append(f)
        }
        for session in order {
            guard let members = groups[session] else { continue }
            var usage = Usage()
            var hasUsage = false
            var events = 0
            var textChars = 0
            var reasoningChars = 0
            var calls = 0
            var cut = 0
            for f in members {
                events += f.fold.events
                textChars += String(decoding: f.fold.text, as: UTF8.self).unicodeScalars.count
                reasoningChars += String(decoding: f.fold.reasoning, as: UTF8.self).unicodeScalars.count
                calls += f.fold.calls.count
                cut += f.fold.calls.filter { canonicalJSON(ofText: $0.arguments) == nil }.count
                if let u = f.fold.usage {
                    usage += u
                    hasUsage = true
                }
            }
            JSONWriter.append(to: &out) { w in
                w.beginObject()
                w.field("session_id", session)
                w.field("flows", members.count)
                w.field("first_ts", members.first?.ts)
                w.field("last_ts", members.last?.ts)
                w.field("events", events)
                w.field("text_chars", textChars)
                w.field("reasoning_chars", reasoningChars)
                w.field("tool_calls", calls)
                w.field("incomplete_tool_calls", cut)
                if hasUsage { w.tokens("usage", usage) } else { w.field("usage", json: nil) }
                w.partial(members.contains { $0.isPartial })
                w.endObject()
                w.newline()
            }
        }
    }
}
