// A tiny writer of StreamTap records for the tests: flow, delta (DESIGN §5) and flow_end lines
// at times given in seconds after 10:00:00 on 2026-11-26.

import TapCodec

@testable import flow_interleave

struct LogBuilder {
    static let base = Timestamp(iso8601: "2026-11-26T10:00:00.000000Z")?.microseconds ?? 0
    var lines: [String] = []

    static func ts(_ seconds: Double) -> String {
        Timestamp(microseconds: base + Int64((seconds * 1_000_000).rounded())).iso8601
    }

    static func quoted(_ text: String) -> String {
        var writer = JSONWriter()
        writer.string(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    mutating func flow(
        _ id: String,
        session: String,
        at seconds: Double,
        provider: String = "anthropic",
        model: String = "claude-x",
        prompt: String,
        status: Int = 200,
        messages: String? = nil
    ) {
        let items = messages ?? #"[{"role":"user","content":\#(Self.quoted(prompt))}]"#
        lines.append(
            #"{"v":1,"type":"flow","flow_id":"\#(id)","session_id":"\#(session)","ts":"\#(Self.ts(seconds))","provider":"\#(provider)","status":\#(status),"request":{"body":{"model":"\#(model)","messages":\#(items)}}}"#
        )
    }

    /// A delta record; `extra` is spliced as more members (`"block":"tool","tool":"Bash"`).
    mutating func delta(
        _ id: String,
        session: String,
        at seconds: Double,
        _ kind: String,
        index: Int = 0,
        text: String? = nil,
        extra: String = ""
    ) {
        var line =
            #"{"v":1,"type":"delta","flow_id":"\#(id)","session_id":"\#(session)","ts":"\#(Self.ts(seconds))","provider":"anthropic","kind":"\#(kind)","index":\#(index)"#
        if !extra.isEmpty { line += "," + extra }
        if let text { line += #","text":\#(Self.quoted(text))"# }
        lines.append(line + "}")
    }

    mutating func flowEnd(_ id: String, session: String, at seconds: Double, status: String = "complete") {
        lines.append(
            #"{"v":1,"type":"flow_end","flow_id":"\#(id)","session_id":"\#(session)","ts":"\#(Self.ts(seconds))","status":"\#(status)"}"#
        )
    }

    var text: String { lines.map { $0 + "\n" }.joined() }
}

/// Runs the interleaver in-process under the recorded clock; `tickEvery` adds ticks between records.
func interleave(
    _ lines: [String],
    policy: ScreenPolicy = ScreenPolicy(),
    options: RenderOptions = RenderOptions(showTime: true),
    tickEvery: Int64? = nil,
    finish: Bool = true
) -> String {
    var view = Interleaver(policy: policy, render: options)
    var out: [UInt8] = []
    var last: Int64?
    for line in lines {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { raw in
            guard let record = Record(line: UnsafeRawBufferPointer(raw)) else {
                view.passThrough(UnsafeRawBufferPointer(raw), now: nil, into: &out)
                return
            }
            if let step = tickEvery, let from = last, let to = record.timestamp?.microseconds {
                var t = from + step
                while t < to {
                    view.tick(now: Timestamp(microseconds: t), into: &out)
                    t += step
                }
            }
            last = record.timestamp?.microseconds ?? last
            view.feed(record, now: record.timestamp, into: &out)
        }
    }
    if finish { view.finish(into: &out) }
    return String(decoding: out, as: UTF8.self)
}
