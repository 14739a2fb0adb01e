// Turns one Redis stream entry into one NDJSON line (the wire format of `redis-dump`'s output):
//
//   - an entry whose only field is `record` and whose value is one JSON object on one line
//     (it begins with `{`, ends with `}` and holds no newline: what `--xadd` writes) is written
//     as that value, byte-identical: Redis as transport for StreamTap records;
//   - any other entry becomes a `redis` record, every field kept in order (duplicates too):
//     {"v":1,"type":"redis","stream":KEY,"id":ID,"ts":ISO-8601 from the id's milliseconds,
//      "fields":{NAME:VALUE,...}}; names and values are JSON strings (invalid UTF-8 → U+FFFD).
//
// Pure: works on borrowed bytes (the reply's own), appends to the caller's buffer.
import TapCodec

/// Encodes entries of one stream; the stream name's JSON is prepared once.
struct EntryEncoder {
    private let streamJSON: [UInt8]

    init(stream: String) {
        var json: [UInt8] = []
        JSONText.appendString(Array(stream.utf8), to: &json)
        streamJSON = json
    }

    /// True when `fields` is exactly one `record` field whose value looks like a single-line JSON object.
    static func isRecordEntry(
        fieldCount: Int,
        firstName: UnsafeRawBufferPointer,
        firstValue: UnsafeRawBufferPointer
    )
        -> Bool
    {
        guard fieldCount == 1, firstName.elementsEqual("record".utf8), let first = firstValue.first,
            let last = firstValue.last, first == UInt8(ascii: "{"), last == UInt8(ascii: "}")
        else { return false }
        return !firstValue.contains(UInt8(ascii: "\n"))
    }

    /// Appends a carried record's bytes and the line's newline.
    func appendRecord(_ value: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(contentsOf: value)
        out.append(UInt8(ascii: "\n"))
    }

    /// Appends a `redis` record for a foreign entry; `field(i)` gives the i-th (name, value).
    func appendForeign(
        id: UnsafeRawBufferPointer,
        fieldCount: Int,
        field: (Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer),
        to out: inout [UInt8]
    ) {
        out.append(contentsOf: #"{"v":1,"type":"redis","stream":"#.utf8)
        out.append(contentsOf: streamJSON)
        out.append(contentsOf: #","id":"#.utf8)
        JSONText.appendString(id, to: &out)
        if let id = StreamID(id) {
            out.append(contentsOf: #","ts":""#.utf8)
            out.append(contentsOf: Timestamp(microseconds: Int64(clamping: id.milliseconds) &* 1000).iso8601.utf8)
            out.append(UInt8(ascii: "\""))
        }
        out.append(contentsOf: #","fields":{"#.utf8)
        for index in 0..<fieldCount {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let (name, value) = field(index)
            JSONText.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendString(value, to: &out)
        }
        out.append(contentsOf: "}}\n".utf8)
    }
}

/// A stream entry id `MS-SEQ`, ordered as Redis orders them.
struct StreamID: Comparable, Hashable, CustomStringConvertible {
    var milliseconds: UInt64
    var sequence: UInt64

    init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// Parses `MS-SEQ` or `MS` (sequence 0); nil for anything else.
    init?<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        var ms: UInt64 = 0
        var seq: UInt64 = 0
        var sawDash = false
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                guard !sawDash, digits > 0 else { return nil }
                sawDash = true
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = UInt64(byte - UInt8(ascii: "0"))
            if sawDash {
                let (m, o1) = seq.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                seq = s
            } else {
                let (m, o1) = ms.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                ms = s
            }
            digits += 1
        }
        guard digits > 0 else { return nil }
        self.init(milliseconds: ms, sequence: seq)
    }

    init?(_ text: String) { self.init(Array(text.utf8)) }

    var description: String { "\(milliseconds)-\(sequence)" }

    static func < (a: StreamID, b: StreamID) -> Bool {
        (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
    }
}

/// JSON strings for field names and values, which Redis keeps as arbitrary bytes: invalid
/// UTF-8 is replaced by U+FFFD (as Python's "replace" does), then TapCodec escapes it.
enum JSONText {
    static func appendString<Bytes: Collection<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
        if let done = bytes.withContiguousStorageIfAvailable({ buffer -> Bool in
            let raw = UnsafeRawBufferPointer(buffer)
            guard isValidUTF8(raw) else { return false }
            JSONStringEncoder.appendQuoted(raw, to: &out)
            return true
        }), done {
            return
        }
        let repaired = Array(String(decoding: bytes, as: UTF8.self).utf8)
        repaired.withUnsafeBytes { JSONStringEncoder.appendQuoted($0, to: &out) }
    }

    /// Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF).
    static func isValidUTF8<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        var iterator = bytes.makeIterator()
        while let lead = iterator.next() {
            if lead < 0x80 { continue }
            let need: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: need = 1
            case 0xE0:
                need = 2
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED:
                need = 2
                upper = 0x9F
            case 0xF0:
                need = 3
                lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4:
                need = 3
                upper = 0x8F
            default: return false
            }
            for k in 0..<need {
                guard let next = iterator.next() else { return false }
                if k == 0 {
                    guard next >= lower, next <= upper else { return false }
                } else {
                    guard next >= 0x80, next <= 0xBF else { return false }
                }
            }
        }
        return true
    }
}
