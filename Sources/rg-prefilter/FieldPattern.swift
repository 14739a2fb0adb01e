// `--field KEY=VALUE`: a JSON-aware condition on a line, written as a PCRE2 pattern so that it
// tolerates any whitespace the writer used (`"type":"flow"`, `"type": "flow"`), plus the literal
// that drives the candidate scan (the value, usually rarer than the key).
//
// KEY and VALUE are escaped as a JSON writer escapes strings, then for the regex. A VALUE that is
// a JSON number, `true`, `false` or `null` is matched unquoted and must end there (`"n":1` does
// not match `"n":12`); `--field 'id="12"'` asks for the string "12". The key may be at any depth
// of the line: this is a prefilter, the exact check belongs to the tool behind it.

struct FieldPattern: Equatable {
    var key: String
    var value: String
    var pattern: String
    /// The literal for the candidate scan: the quoted value for strings (rarer than the key).
    var literal: RequiredLiteral?

    /// Parses `KEY=VALUE` (split at the first `=`); nil when there is no `=` or the key is empty.
    init?(_ argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
        let keyText = FieldPattern.jsonString(key)
        let valueText: String
        let valueEnd: String
        if FieldPattern.isBareJSONValue(value) {
            valueText = value
            valueEnd = #"(?=\s*[,}\]])"#
        } else {
            var inner = value
            if inner.count >= 2, inner.hasPrefix("\""), inner.hasSuffix("\"") {
                inner = String(inner.dropFirst().dropLast())
            }
            valueText = FieldPattern.jsonString(inner)
            valueEnd = ""
        }
        pattern = LiteralExtractor.escape(keyText) + #"\s*:\s*"# + LiteralExtractor.escape(valueText) + valueEnd
        literal =
            valueEnd.isEmpty
            ? RequiredLiteral(bytes: Array(valueText.utf8), isWholePattern: false)
            : LiteralExtractor.requiredLiteral(of: pattern)
    }

    /// `text` as a JSON string literal, quotes included, escaped the way JSON writers do.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A JSON number (RFC 8259 grammar), `true`, `false` or `null`.
    static func isBareJSONValue(_ text: String) -> Bool {
        if ["true", "false", "null"].contains(text) { return true }
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let leadingZero = bytes.first == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0, !(leadingZero && integerDigits > 1) else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
