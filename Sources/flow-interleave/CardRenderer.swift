// Turns screen actions into bytes: the text transcript (plain or coloured) or, with
// `--format ndjson`, the input records in the order shown, each tagged with its card's state.
//
// Text layout (one card; `│ ` starts every line inside it):
//
//     ┌─ session 1a2b3c4d · anthropic · claude-sonnet-4-5
//     │ user: fix the failing test
//     │ reasoning: The test fails because…
//     │ assistant: Fixed.
//     │ tool Bash {"command":"swift test"}
//     └─ DONE · complete · 3.2 s · tokens in 12 out 340
//
// Colours (DESIGN §2): user yellow, assistant magenta, reasoning cyan, tool names bright
// yellow, argument keys cyan and values green. No cursor movement: the same transcript works
// in a terminal, a pipe and a golden test.

import TapCodec

struct RenderOptions {
    var color = false
    var showTime = false
    var showFlowID = false
    var ndjson = false
}

struct CardRenderer {
    let options: RenderOptions
    /// Per card: tool names by block index, and where the argument colouriser is.
    private var tools: [String: [Int: String]] = [:]
    private var argColor: [String: JSONColorizer] = [:]
    /// The open card's line state.
    private var segment: (role: ContentRole, index: Int)?
    private var atLineStart = true

    init(options: RenderOptions) { self.options = options }

    mutating func render(_ actions: [ScreenAction], into out: inout [UInt8]) {
        for action in actions { render(action, into: &out) }
    }

    mutating func render(_ action: ScreenAction, into out: inout [UInt8]) {
        switch action {
        case .open(let info, _, let continued, let at):
            segment = nil
            atLineStart = true
            if !options.ndjson { header(info, continued: continued, at: at, into: &out) }
        case .show(let flowID, let item, let state):
            if options.ndjson {
                if case .record(let bytes) = item { Self.tagged(bytes, state: state, into: &out) }
            } else {
                show(flowID, item, into: &out)
            }
        case .close(let info, let state, let at):
            if !options.ndjson { statusLine(info, state, at: at, into: &out) }
            segment = nil
        case .evict(let flowID):
            tools.removeValue(forKey: flowID)
            argColor.removeValue(forKey: flowID)
        }
    }

    /// A record with `"card_state":"…"` spliced in before its closing brace.
    static func tagged(_ record: [UInt8], state: CardState, into out: inout [UInt8]) {
        var end = record.count
        while end > 0, record[end - 1] != UInt8(ascii: "}") { end -= 1 }
        guard end > 0 else {
            out.append(contentsOf: record)
            out.append(0x0A)
            return
        }
        out.append(contentsOf: record[..<(end - 1)])
        // `{}` gets no comma.
        var k = end - 2
        while k >= 0, record[k] == 0x20 || record[k] == 0x09 { k -= 1 }
        if k >= 0, record[k] != UInt8(ascii: "{") { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: #""card_state":""#.utf8)
        out.append(contentsOf: state.tag.utf8)
        out.append(contentsOf: #""}"#.utf8)
        out.append(0x0A)
    }

    // MARK: - Text

    /// Control characters as `^X` (ESC above all never reaches the terminal raw).
    static func visible(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        var out: [UInt8] = []
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F {
                out.append(UInt8(ascii: "^"))
                out.append(byte == 0x7F ? UInt8(ascii: "?") : byte + 0x40)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func paint(_ text: String, _ color: String, into out: inout [UInt8]) {
        if options.color { out.append(contentsOf: color.utf8) }
        out.append(contentsOf: text.utf8)
        if options.color { out.append(contentsOf: ANSI.reset.utf8) }
    }

    private func header(_ info: CardInfo, continued: Bool, at: Timestamp, into out: inout [UInt8]) {
        paint("┌─", ANSI.dim, into: &out)
        var parts: [String] = []
        if options.showTime { parts.append(clockTime(at)) }
        parts.append("session " + String(info.sessionID.prefix(8)))
        parts.append(info.provider)
        parts.append(info.model ?? "?")
        if options.showFlowID { parts.append("flow " + info.flowID) }
        if continued { parts.append("continued") }
        out.append(0x20)
        paint(parts.joined(separator: " · "), ANSI.bold, into: &out)
        out.append(0x0A)
    }

    private mutating func statusLine(_ info: CardInfo, _ state: CardState, at: Timestamp, into out: inout [UInt8]) {
        if !atLineStart { out.append(0x0A) }
        atLineStart = true
        paint("└─", ANSI.dim, into: &out)
        out.append(0x20)
        let color = state == .streaming ? ANSI.green : state == .done ? ANSI.blue : ANSI.red
        paint(state.rawValue, ANSI.bold + color, into: &out)
        var parts: [String] = []
        if let reason = info.reason, state != .streaming { parts.append(reason) }
        let end = state == .streaming ? at : (info.endedAt ?? at)
        parts.append(formatSeconds(max(0, end.microseconds - info.startedAt.microseconds)))
        if info.inputTokens != nil || info.outputTokens != nil {
            parts.append("tokens in \(info.inputTokens ?? 0) out \(info.outputTokens ?? 0)")
        }
        if options.showTime { parts.append(clockTime(at)) }
        out.append(contentsOf: (" · " + parts.joined(separator: " · ")).utf8)
        out.append(0x0A)
    }

    private mutating func show(_ flowID: String, _ item: CardItem, into out: inout [UInt8]) {
        switch item {
        case .record, .final:
            return
        case .telemetry(let text):
            // A line of its own; control characters made visible as in the transcript.
            if !atLineStart { out.append(0x0A) }
            paint("│", ANSI.dim, into: &out)
            out.append(0x20)
            paint(Self.visible(text), ANSI.cyan, into: &out)
            out.append(0x0A)
            atLineStart = true
            segment = nil
        case .toolStart(let index, let name):
            tools[flowID, default: [:]][index] = name
            argColor[flowID] = JSONColorizer()
            startSegment(.toolArgs, index, flowID: flowID, into: &out)
        case .content(let role, let index, let text):
            if segment == nil || segment?.role != role || segment?.index != index {
                startSegment(role, index, flowID: flowID, into: &out)
            }
            body(text, role: role, flowID: flowID, into: &out)
        }
    }

    /// A new line with the role's label.
    private mutating func startSegment(_ role: ContentRole, _ index: Int, flowID: String, into out: inout [UInt8]) {
        if !atLineStart { out.append(0x0A) }
        paint("│", ANSI.dim, into: &out)
        out.append(0x20)
        switch role {
        case .user: paint("user:", ANSI.yellow, into: &out)
        case .assistant: paint("assistant:", ANSI.magenta, into: &out)
        case .reasoning: paint("reasoning:", ANSI.cyan, into: &out)
        case .toolArgs:
            out.append(contentsOf: "tool ".utf8)
            paint(tools[flowID]?[index] ?? "?", ANSI.bold + ANSI.brightYellow, into: &out)
        case .toolResult: paint("result:", ANSI.dim, into: &out)
        case .usage: paint("usage:", ANSI.dim, into: &out)
        case .error: paint("error:", ANSI.bold + ANSI.red, into: &out)
        }
        out.append(0x20)
        atLineStart = false
        segment = (role, index)
    }

    /// Text of the open segment; every new line inside the card starts with `│ `.
    private mutating func body(_ text: String, role: ContentRole, flowID: String, into out: inout [UInt8]) {
        let color: String
        switch role {
        case .user: color = ANSI.yellow
        case .assistant: color = ANSI.magenta
        case .reasoning: color = ANSI.cyan
        case .toolArgs, .usage, .toolResult: color = ""
        case .error: color = ANSI.red
        }
        if !options.color {
            plainBody(text, into: &out)
            return
        }
        var run: [UInt8] = []
        func flushRun(_ out: inout [UInt8]) {
            guard !run.isEmpty else { return }
            if role == .toolArgs, options.color {
                var colorizer = argColor[flowID] ?? JSONColorizer()
                colorizer.feed(run, into: &out)
                argColor[flowID] = colorizer
            } else if options.color, !color.isEmpty {
                out.append(contentsOf: color.utf8)
                out.append(contentsOf: run)
                out.append(contentsOf: ANSI.reset.utf8)
            } else {
                out.append(contentsOf: run)
            }
            run.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case 0x0A:
                flushRun(&out)
                // An empty line keeps the card's margin.
                if atLineStart { paint("│", ANSI.dim, into: &out) }
                out.append(0x0A)
                atLineStart = true
            case 0x0D:
                continue  // a CR would move the cursor back over the card's margin
            default:
                if atLineStart {
                    flushRun(&out)
                    paint("│", ANSI.dim, into: &out)
                    out.append(contentsOf: "   ".utf8)
                    atLineStart = false
                }
                if byte < 0x20 && byte != 0x09 || byte == 0x7F {
                    // Control characters (ESC above all) never reach the terminal raw.
                    run.append(UInt8(ascii: "^"))
                    run.append(byte == 0x7F ? UInt8(ascii: "?") : byte + 0x40)
                } else {
                    run.append(byte)
                }
            }
        }
        flushRun(&out)
    }
}

extension CardRenderer {
    /// `body` without colour: the same bytes, written straight to `out` (no run buffer to
    /// colour), and runs of plain bytes copied at once.
    fileprivate mutating func plainBody(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var i = 0
            let count = bytes.count
            while i < count {
                let byte = bytes[i]
                if byte == 0x0A {
                    // An empty line keeps the card's margin.
                    if atLineStart { out.append(contentsOf: "│".utf8) }
                    out.append(0x0A)
                    atLineStart = true
                    i += 1
                    continue
                }
                if byte == 0x0D {
                    i += 1  // a CR would move the cursor back over the card's margin
                    continue
                }
                if atLineStart {
                    out.append(contentsOf: "│   ".utf8)
                    atLineStart = false
                }
                if byte < 0x20 && byte != 0x09 || byte == 0x7F {
                    // Control characters (ESC above all) never reach the terminal raw.
                    out.append(UInt8(ascii: "^"))
                    out.append(byte == 0x7F ? UInt8(ascii: "?") : byte + 0x40)
                    i += 1
                    continue
                }
                // A run of printable bytes, copied in one go.
                var end = i + 1
                while end < count {
                    let next = bytes[end]
                    if next < 0x20 && next != 0x09 || next == 0x7F { break }
                    end += 1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<end]))
                i = end
            }
        }
    }
}

/// `HH:MM:SS.mmm` (UTC).
func clockTime(_ t: Timestamp) -> String {
    let iso = t.iso8601
    let start = iso.index(iso.startIndex, offsetBy: 11)
    let end = iso.index(start, offsetBy: 12)
    return String(iso[start..<end])
}

/// Colours JSON text that arrives in fragments cut anywhere: keys cyan, values green,
/// punctuation plain. O(1) state: inside a string or not, escape pending, key or value position.
struct JSONColorizer {
    private var inString = false
    private var escaped = false
    private var stringIsKey = false
    /// In an object, before the colon: the next string is a key.
    private var expectKey = false
    private var inScalar = false
    private var containers: [UInt8] = []

    mutating func feed(_ bytes: [UInt8], into out: inout [UInt8]) {
        // Each fragment starts with the colour of where it is and resets at its end.
        if inString { out.append(contentsOf: (stringIsKey ? ANSI.cyan : ANSI.green).utf8) }
        if inScalar { out.append(contentsOf: ANSI.green.utf8) }
        for byte in bytes {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    out.append(contentsOf: ANSI.reset.utf8)
                }
                continue
            }
            if inScalar {
                switch byte {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x09:
                    inScalar = false
                    out.append(contentsOf: ANSI.reset.utf8)
                default:
                    out.append(byte)
                    continue
                }
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                stringIsKey = expectKey
                out.append(contentsOf: (stringIsKey ? ANSI.cyan : ANSI.green).utf8)
                out.append(byte)
            case UInt8(ascii: "{"):
                containers.append(byte)
                expectKey = true
                out.append(byte)
            case UInt8(ascii: "["):
                containers.append(byte)
                expectKey = false
                out.append(byte)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = containers.popLast()
                expectKey = false
                out.append(byte)
            case UInt8(ascii: ":"):
                expectKey = false
                out.append(byte)
            case UInt8(ascii: ","):
                expectKey = containers.last == UInt8(ascii: "{")
                out.append(byte)
            case 0x20, 0x0A, 0x09, 0x0D:
                out.append(byte)
            default:
                inScalar = true
                out.append(contentsOf: ANSI.green.utf8)
                out.append(byte)
            }
        }
        if inString || inScalar { out.append(contentsOf: ANSI.reset.utf8) }
    }
}
