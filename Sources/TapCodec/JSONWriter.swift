// Writes JSON into a byte buffer: records are built field by field, raw JSON values from the
// input are spliced verbatim (never re-encoded), strings escaped as orjson does.
//
// Commas are implied by the last byte written: a key or a value after `{`, `[` or `:` needs
// none, anything else does. That keeps the writer stateless and the call sites short:
//
//     var w = JSONWriter()
//     w.beginObject(); w.field("v", 1); w.field("type", "delta"); w.endObject()

public struct JSONWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Writes into `out` in place (no copy): `JSONWriter.append(to: &out) { w in w.beginObject() … }`.
    public static func append(to out: inout [UInt8], _ body: (inout JSONWriter) throws -> Void) rethrows {
        var writer = JSONWriter(capacity: 0)
        swap(&writer.bytes, &out)
        defer { swap(&writer.bytes, &out) }
        try body(&writer)
    }

    @inline(__always)
    mutating func separator() {
        guard let last = bytes.last else { return }
        switch last {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: ":"), UInt8(ascii: "\n"): return
        default: bytes.append(UInt8(ascii: ","))
        }
    }

    public mutating func beginObject() {
        separator()
        bytes.append(UInt8(ascii: "{"))
    }

    public mutating func endObject() { bytes.append(UInt8(ascii: "}")) }

    public mutating func beginArray() {
        separator()
        bytes.append(UInt8(ascii: "["))
    }

    public mutating func endArray() { bytes.append(UInt8(ascii: "]")) }

    public mutating func key(_ name: String) {
        separator()
        var name = name
        name.withUTF8 { JSONStringEncoder.appendQuoted(UnsafeRawBufferPointer($0), to: &bytes) }
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ text: String) {
        separator()
        var text = text
        text.withUTF8 { JSONStringEncoder.appendQuoted(UnsafeRawBufferPointer($0), to: &bytes) }
    }

    /// A string from UTF-8 bytes (escaped; bytes are assumed to be UTF-8).
    public mutating func string(utf8 text: UnsafeRawBufferPointer) {
        separator()
        JSONStringEncoder.appendQuoted(text, to: &bytes)
    }

    public mutating func string(utf8 text: [UInt8]) {
        text.withUnsafeBytes { string(utf8: $0) }
    }

    public mutating func int<I: BinaryInteger>(_ value: I) {
        separator()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func double(_ value: Double) {
        separator()
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else if value.isFinite {
            bytes.append(contentsOf: "\(value)".utf8)
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    public mutating func bool(_ value: Bool) {
        separator()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        separator()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Splices a JSON value verbatim (the caller vouches that it is one).
    public mutating func raw(_ json: UnsafeRawBufferPointer) {
        separator()
        bytes.append(contentsOf: json)
    }

    public mutating func raw(_ json: [UInt8]) {
        json.withUnsafeBytes { raw($0) }
    }

    // Field shorthands: `key` then the value.
    public mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    public mutating func field<I: BinaryInteger>(_ name: String, _ value: I) {
        key(name)
        int(value)
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    public mutating func field(_ name: String, raw value: UnsafeRawBufferPointer) {
        key(name)
        raw(value)
    }

    /// Ends a record: one newline.
    public mutating func newline() { bytes.append(UInt8(ascii: "\n")) }
}
