// Decoding and encoding of JSON string contents: the escapes of RFC 8259 §7 both ways.
// Encoding is minimal, as orjson writes it (the anchors compare byte for byte): `\"`, `\\`,
// `\b \f \n \r \t`, other control characters as `\u00XX`, everything else raw UTF-8.

public enum JSONStringDecoder {
    /// Appends the decoded bytes of a string's inside (between the quotes) to `out`.
    /// False on a bad escape or a lone surrogate.
    public static func decode(_ inner: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        var i = 0
        let n = inner.count
        out.reserveCapacity(out.count + n)
        while i < n {
            // Copy the run up to the next backslash in one go.
            var j = i
            while j < n, inner[j] != UInt8(ascii: "\\") { j += 1 }
            if j > i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: inner[i..<j])) }
            i = j
            guard i < n else { break }
            guard i + 1 < n else { return false }
            let c = inner[i + 1]
            i += 2
            switch c {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(inner, i) else { return false }
                i += 4
                var scalar = unit
                if unit >= 0xD800 && unit <= 0xDBFF {
                    guard i + 6 <= n, inner[i] == UInt8(ascii: "\\"), inner[i + 1] == UInt8(ascii: "u"),
                        let low = hex4(inner, i + 2), low >= 0xDC00 && low <= 0xDFFF
                    else { return false }
                    i += 6
                    scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else if unit >= 0xDC00 && unit <= 0xDFFF {
                    return false
                }
                appendUTF8(scalar, to: &out)
            default:
                return false
            }
        }
        return true
    }

    static func hex4(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> UInt32? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for k in start..<(start + 4) {
            guard let digit = hexValue(bytes[k]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

/// Appends the UTF-8 encoding of a Unicode scalar value.
@inline(__always)
public func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        out.append(UInt8(scalar))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | scalar >> 6))
        out.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | scalar >> 12))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    default:
        out.append(UInt8(0xF0 | scalar >> 18))
        out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    }
}

public enum JSONStringEncoder {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `"…"` with the text escaped minimally.
    public static func appendQuoted(_ text: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(0x22)
        appendEscaped(text, to: &out)
        out.append(0x22)
    }

    /// Appends the escaped text without quotes.
    public static func appendEscaped(_ text: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var runStart = 0
        for i in 0..<text.count {
            let c = text[i]
            guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
            if i > runStart { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart..<i])) }
            runStart = i + 1
            out.append(0x5C)
            switch c {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(c >> 4)], hexDigits[Int(c & 0xF)]])
            }
        }
        if runStart < text.count {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart..<text.count]))
        }
    }
}
