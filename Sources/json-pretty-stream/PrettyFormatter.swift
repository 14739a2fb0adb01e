// The chunk-aware JSON pretty printer: JSON text in fragments cut anywhere (tool-call arguments
// as they stream) in, indented and optionally coloured text out, byte for byte what
// `jq --indent N .` prints for valid input (numbers are kept as written; jq 1.6 would
// normalise some, like 1.0 or 1E2). Pure: no I/O.
//
// State is O(depth): the stack of open containers, the lexer state, the bytes of an escape
// being cut (at most 6) and a pending surrogate half. Output goes out as soon as it is
// decided: a number's digits as they arrive, a string's text before its closing quote. Only
// the line break after `{` or `[` waits for the next token (an empty container prints `{}`).
//
// Strings are decoded and re-encoded as jq does: `\/` and `\u00e9` print as `/` and `é`, DEL
// as `\u007f`, control characters as `\n`-style or `\u001f` escapes, lone surrogates as U+FFFD.
// Invalid JSON: from the first error on, the rest goes out unchanged; nothing is lost.

import TapCodec

/// SGR sequences per token class; all empty when colour is off.
struct PrettyStyle {
    var key: [UInt8] = []
    var string: [UInt8] = []
    var number: [UInt8] = []
    var literal: [UInt8] = []
    var punctuation: [UInt8] = []
    var reset: [UInt8] = []

    static let plain = PrettyStyle()
    /// Keys cyan, strings green, numbers yellow, literals magenta, punctuation dim.
    static let color = PrettyStyle(
        key: Array(ANSI.cyan.utf8),
        string: Array(ANSI.green.utf8),
        number: Array(ANSI.yellow.utf8),
        literal: Array(ANSI.magenta.utf8),
        punctuation: Array(ANSI.dim.utf8),
        reset: Array(ANSI.reset.utf8)
    )

    var isPlain: Bool { reset.isEmpty }
}

struct PrettyFormatter {
    enum Lex: Equatable {
        /// A value may start; `first` right after `[` (where `]` may come), `top` at top level.
        case beforeValue(first: Bool)
        /// A key may start; `first` right after `{` (where `}` may come).
        case beforeKey(first: Bool)
        case beforeColon
        case afterValue
        case inString(key: Bool)
        case inNumber(NumberPart)
        case inLiteral
        /// After an error: everything passes through unchanged.
        case raw
    }

    /// Where a number is, to know whether it may end here (RFC 8259 §6).
    enum NumberPart: Equatable {
        case sign, zero, integer, dot, fraction, exponentMark, exponentSign, exponent

        var canEnd: Bool { self == .zero || self == .integer || self == .fraction || self == .exponent }
    }

    /// Escape being read inside a string.
    enum Escape: Equatable {
        case none, backslash
        case hex(Int)
    }

    static let spaces = [UInt8](repeating: 0x20, count: 256)
    static let trueBytes = Array("true".utf8)
    static let falseBytes = Array("false".utf8)
    static let nullBytes = Array("null".utf8)

    /// Deeper nesting is passed through raw (jq 1.6 stops at 256 levels).
    static let maxDepth = 1000

    let indentWidth: Int
    let style: PrettyStyle
    var lex: Lex = .beforeValue(first: false)
    /// Open containers: `{` or `[`.
    var stack: [UInt8] = []
    var escape: Escape = .none
    var escapeBytes: [UInt8] = []
    var unescaper = JSONFragmentUnescaper(loneSurrogates: .replacementCharacter)
    var decoded: [UInt8] = []
    var literal: [UInt8] = []
    var literalMatched = 0
    /// Byte offset of the input, for the error message.
    var offset = 0
    private(set) var error: String?
    /// Input offset of the first byte passed through raw after the error.
    private(set) var errorOffset: Int?
    /// True when the last byte written was a newline (or nothing was written).
    private(set) var atLineStart = true

    init(indent: Int = 2, style: PrettyStyle = .plain) {
        indentWidth = indent
        self.style = style
        stack.reserveCapacity(16)
        escapeBytes.reserveCapacity(8)
    }

    var compact: Bool { indentWidth == 0 }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let start = out.count
        var i = 0
        let n = bytes.count
        while i < n {
            if case .inString = lex, escape == .none {
                // Fast path: copy the run of plain string bytes at once.
                var j = i
                while j < n {
                    let c = bytes[j]
                    if c == 0x22 || c == 0x5C || c < 0x20 || c == 0x7F { break }
                    j += 1
                }
                if j > i {
                    if unescaper.isInsideEscape {
                        unescaper.finish(into: &decoded)
                        flushDecoded(into: &out)
                    }
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<j]))
                    offset += j - i
                    i = j
                    if i == n { break }
                }
            } else if lex == .raw {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<n]))
                offset += n - i
                break
            }
            step(bytes[i], into: &out)
            offset += 1
            i += 1
        }
        if out.count > start { atLineStart = out.last == 0x0A }
    }

    mutating func feed(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBytes { feed($0, into: &out) }
    }

    /// End of the text: a number at the end completes; anything left open is an error (the
    /// bytes already went out). Ends the output with a newline.
    mutating func finish(into out: inout [UInt8]) {
        let start = out.count
        switch lex {
        case .inNumber(let part) where part.canEnd:
            endScalar(into: &out)
            valueDone(into: &out)
        case .beforeValue(first: false) where stack.isEmpty, .raw:
            break
        case .inString:
            if unescaper.isInsideEscape {
                out.append(contentsOf: unescaper.pendingBytes)
                unescaper.discardPending()
            }
            out.append(contentsOf: escapeBytes)
            fail("unexpected end of input inside a string", into: &out)
        default:
            fail("unexpected end of input", into: &out)
        }
        if out.count > start { atLineStart = out.last == 0x0A }
        if !atLineStart {
            out.append(0x0A)
            atLineStart = true
        }
    }

    @inline(__always)
    mutating func step(_ c: UInt8, into out: inout [UInt8]) {
        switch lex {
        case .raw:
            out.append(c)
        case .inString(let key):
            stringByte(c, key: key, into: &out)
        case .inNumber(let part):
            numberByte(c, part, into: &out)
        case .inLiteral:
            if c == literal[literalMatched] {
                out.append(c)
                literalMatched += 1
                if literalMatched == literal.count {
                    endScalar(into: &out)
                    valueDone(into: &out)
                }
            } else {
                fail("invalid literal", into: &out)
                out.append(c)
            }
        case .beforeValue(let first):
            if isWhitespace(c) { return }
            if first && c == UInt8(ascii: "]") {
                closeContainer(c, empty: true, into: &out)
                return
            }
            if first { newlineAndIndent(into: &out) }
            startValue(c, into: &out)
        case .beforeKey(let first):
            if isWhitespace(c) { return }
            if first && c == UInt8(ascii: "}") {
                closeContainer(c, empty: true, into: &out)
                return
            }
            guard c == 0x22 else { return unexpected(c, into: &out) }
            if first { newlineAndIndent(into: &out) }
            out.append(contentsOf: style.key)
            out.append(c)
            lex = .inString(key: true)
        case .beforeColon:
            if isWhitespace(c) { return }
            guard c == UInt8(ascii: ":") else { return unexpected(c, into: &out) }
            punctuation(c, space: !compact, into: &out)
            lex = .beforeValue(first: false)
        case .afterValue:
            if isWhitespace(c) { return }
            guard let top = stack.last else { return unexpected(c, into: &out) }
            if c == UInt8(ascii: ",") {
                punctuation(c, into: &out)
                newlineAndIndent(into: &out)
                lex = top == UInt8(ascii: "{") ? .beforeKey(first: false) : .beforeValue(first: false)
            } else if (c == UInt8(ascii: "}") && top == UInt8(ascii: "{"))
                || (c == UInt8(ascii: "]") && top == UInt8(ascii: "["))
            {
                closeContainer(c, empty: false, into: &out)
            } else {
                unexpected(c, into: &out)
            }
        }
    }

    mutating func startValue(_ c: UInt8, into out: inout [UInt8]) {
        switch c {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // Pretty output grows with the square of the depth; past a sane depth, stop indenting.
            guard stack.count < Self.maxDepth else {
                return unexpected(c, into: &out, "nesting deeper than \(Self.maxDepth)")
            }
            punctuation(c, into: &out)
            stack.append(c)
            lex = c == UInt8(ascii: "{") ? .beforeKey(first: true) : .beforeValue(first: true)
        case 0x22:
            out.append(contentsOf: style.string)
            out.append(c)
            lex = .inString(key: false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            out.append(contentsOf: style.number)
            out.append(c)
            lex = .inNumber(c == UInt8(ascii: "-") ? .sign : c == UInt8(ascii: "0") ? .zero : .integer)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            literal =
                c == UInt8(ascii: "t") ? Self.trueBytes : c == UInt8(ascii: "f") ? Self.falseBytes : Self.nullBytes
            literalMatched = 1
            out.append(contentsOf: style.literal)
            out.append(c)
            lex = .inLiteral
        default:
            unexpected(c, into: &out)
        }
    }

    mutating func stringByte(_ c: UInt8, key: Bool, into out: inout [UInt8]) {
        switch escape {
        case .none:
            switch c {
            case 0x22:
                if unescaper.isInsideEscape {
                    unescaper.finish(into: &decoded)
                    flushDecoded(into: &out)
                }
                out.append(c)
                out.append(contentsOf: style.reset)
                if key {
                    lex = .beforeColon
                } else {
                    valueDone(into: &out)
                }
            case 0x5C:
                escape = .backslash
                escapeBytes.append(c)
            case 0x7F:
                if unescaper.isInsideEscape {
                    unescaper.finish(into: &decoded)
                    flushDecoded(into: &out)
                }
                out.append(contentsOf: Array(#"\u007f"#.utf8))
            default:
                // A raw control character is not allowed in a JSON string.
                failInString("control character in a string", c, into: &out)
            }
        case .backslash:
            escapeBytes.append(c)
            switch c {
            case UInt8(ascii: "u"):
                escape = .hex(0)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                decodeEscape(into: &out)
            default:
                failInString("invalid escape", nil, into: &out)
            }
        case .hex(let count):
            escapeBytes.append(c)
            guard isHexDigit(c) else { return failInString("invalid \\u escape", nil, into: &out) }
            if count == 3 {
                decodeEscape(into: &out)
            } else {
                escape = .hex(count + 1)
            }
        }
    }

    /// A complete, valid escape is in `escapeBytes`: decode (pairing surrogates) and re-encode.
    mutating func decodeEscape(into out: inout [UInt8]) {
        // A pending high surrogate followed by anything but `\u` stands alone.
        if unescaper.isInsideEscape, escapeBytes.count != 6 {
            unescaper.finish(into: &decoded)
        }
        escapeBytes.withUnsafeBytes { unescaper.feed($0, into: &decoded) }
        escapeBytes.removeAll(keepingCapacity: true)
        escape = .none
        flushDecoded(into: &out)
    }

    /// Writes decoded string bytes escaped as jq does.
    mutating func flushDecoded(into out: inout [UInt8]) {
        for c in decoded {
            switch c {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
            default: out.append(c)
            }
        }
        decoded.removeAll(keepingCapacity: true)
    }

    mutating func numberByte(_ c: UInt8, _ part: NumberPart, into out: inout [UInt8]) {
        let digit = c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
        var next: NumberPart?
        switch part {
        case .sign: next = c == UInt8(ascii: "0") ? .zero : digit ? .integer : nil
        case .zero: next = c == UInt8(ascii: ".") ? .dot : (c | 0x20) == UInt8(ascii: "e") ? .exponentMark : nil
        case .integer:
            next =
                digit ? .integer : c == UInt8(ascii: ".") ? .dot : (c | 0x20) == UInt8(ascii: "e") ? .exponentMark : nil
        case .dot: next = digit ? .fraction : nil
        case .fraction: next = digit ? .fraction : (c | 0x20) == UInt8(ascii: "e") ? .exponentMark : nil
        case .exponentMark:
            next = digit ? .exponent : (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) ? .exponentSign : nil
        case .exponentSign, .exponent: next = digit ? .exponent : nil
        }
        if let next {
            out.append(c)
            lex = .inNumber(next)
            return
        }
        // The number ends here (if it may), and this byte belongs to what follows.
        guard part.canEnd, isWhitespace(c) || c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]")
        else {
            fail("invalid number", into: &out)
            out.append(c)
            return
        }
        endScalar(into: &out)
        valueDone(into: &out)
        step(c, into: &out)
    }

    mutating func endScalar(into out: inout [UInt8]) {
        out.append(contentsOf: style.reset)
    }

    /// A value is complete: back to the container, or end of a top-level text.
    mutating func valueDone(into out: inout [UInt8]) {
        if stack.isEmpty {
            out.append(0x0A)
            lex = .beforeValue(first: false)
        } else {
            lex = .afterValue
        }
    }

    mutating func closeContainer(_ c: UInt8, empty: Bool, into out: inout [UInt8]) {
        stack.removeLast()
        if !empty { newlineAndIndent(into: &out) }
        punctuation(c, into: &out)
        valueDone(into: &out)
    }

    mutating func newlineAndIndent(into out: inout [UInt8]) {
        guard !compact else { return }
        out.append(0x0A)
        let width = stack.count * indentWidth
        if width > 0 { out.append(contentsOf: Self.spaces[0..<min(width, Self.spaces.count)]) }
        if width > Self.spaces.count { out.append(contentsOf: repeatElement(0x20, count: width - Self.spaces.count)) }
    }

    /// One punctuation byte, and the space after a colon when asked.
    @inline(__always)
    mutating func punctuation(_ c: UInt8, space: Bool = false, into out: inout [UInt8]) {
        if style.isPlain {
            out.append(c)
        } else {
            out.append(contentsOf: style.punctuation)
            out.append(c)
            out.append(contentsOf: style.reset)
        }
        if space { out.append(0x20) }
    }

    mutating func unexpected(_ c: UInt8, into out: inout [UInt8], _ message: String? = nil) {
        fail(message ?? "unexpected '\(Character(Unicode.Scalar(c)))'", into: &out)
        out.append(c)
    }

    /// An error inside a string: the escape read so far goes out as it came, then `c` if given.
    mutating func failInString(_ message: String, _ c: UInt8?, into out: inout [UInt8]) {
        if unescaper.isInsideEscape {
            out.append(contentsOf: unescaper.pendingBytes)
            unescaper.discardPending()
        }
        out.append(contentsOf: escapeBytes)
        escapeBytes.removeAll()
        escape = .none
        fail(message, into: &out)
        if let c { out.append(c) }
    }

    /// Switches to pass-through and remembers the first error.
    mutating func fail(_ message: String, into out: inout [UInt8]) {
        if error == nil {
            error = "\(message) at byte \(offset + 1)"
            errorOffset = offset
        }
        out.append(contentsOf: style.reset)
        lex = .raw
    }

    @inline(__always) func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
    @inline(__always) func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)
    }
}
