// The fast path for the common request, OTLP/protobuf logs: reads the wire format directly and
// writes each record's JSON straight into one output buffer, with no intermediate messages,
// Strings or arrays per record (swift-protobuf's messages cost ~10 µs per Codex-like record).
//
// It gives byte for byte the records of OTLPProtobufDecoder + TelemetryEncoder (a test compares
// the two on random requests) and declines — returns nil, and the caller runs that general path,
// which also words the 400 — on anything it does not handle exactly: malformed or truncated
// data, invalid UTF-8, groups, a repeated singular message field, an AnyValue with more than one
// value set, nesting deeper than `maxDepth`. Unknown fields are skipped as swift-protobuf skips them.
import TapCodec

/// Thrown inside the fast path to hand the request to the general one.
struct WireDecline: Error {}

struct OTLPLogsWireDecoder {
    private let p: UnsafeRawBufferPointer
    private let receivedNanos: UInt64
    private var w: JSONWriter
    private(set) var count = 0

    // Per resource / scope: their JSON, spliced into each record, and what event names need.
    private var resourceJSON: [UInt8] = Array("{}".utf8)
    private var resourceSession: Range<Int>?
    private var resourceSessionInt: Int64?
    private var serviceIsClaudeCode = false
    private var scopeJSON: [UInt8] = Array("{}".utf8)
    private var scopeIsClaudeCode = false

    // Scratch reused across records: (key, value) byte ranges of the current attribute list.
    private var keys: [Range<Int>] = []
    private var values: [Range<Int>?] = []
    private var scratch: [UInt8] = []
    // The calendar day of the last timestamp written, cached (records of a batch share it).
    private var cachedDay: Int64 = .min
    private var cachedDate: [UInt8] = []

    static let maxDepth = 64

    /// The records of an ExportLogsServiceRequest body, or nil when the general path must decide.
    static func decode(_ body: [UInt8], receivedNanos: UInt64) -> (bytes: [UInt8], count: Int)? {
        body.withUnsafeBytes { p -> (bytes: [UInt8], count: Int)? in
            var decoder = OTLPLogsWireDecoder(p: p, receivedNanos: receivedNanos, capacity: p.count * 2 + 64)
            do {
                try decoder.request()
            } catch {
                return nil
            }
            return (decoder.w.bytes, decoder.count)
        }
    }

    private init(p: UnsafeRawBufferPointer, receivedNanos: UInt64, capacity: Int) {
        self.p = p
        self.receivedNanos = receivedNanos
        w = JSONWriter(capacity: capacity)
        keys.reserveCapacity(32)
        values.reserveCapacity(32)
        scratch.reserveCapacity(64)
    }

    // MARK: - Wire format

    private func varint(_ i: inout Int, _ end: Int) throws(WireDecline) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < end {
            let byte = p[i]
            i += 1
            if shift == 63 && byte > 1 { throw WireDecline() }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        throw WireDecline()
    }

    private func fixed64(_ i: inout Int, _ end: Int) throws(WireDecline) -> UInt64 {
        guard end - i >= 8 else { throw WireDecline() }
        let value = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        i += 8
        return UInt64(littleEndian: value)
    }

    private func length(_ i: inout Int, _ end: Int) throws(WireDecline) -> Range<Int> {
        let n = try varint(&i, end)
        guard n <= UInt64(end - i) else { throw WireDecline() }
        let range = i..<(i + Int(n))
        i = range.upperBound
        return range
    }

    /// The next (field, wire type), or nil at the end of the message.
    private func tag(_ i: inout Int, _ end: Int) throws(WireDecline) -> (field: UInt64, wire: UInt64)? {
        guard i < end else { return nil }
        let key = try varint(&i, end)
        let field = key >> 3
        guard field > 0, field <= 536_870_911 else { throw WireDecline() }
        return (field, key & 7)
    }

    private func skip(_ wire: UInt64, _ i: inout Int, _ end: Int) throws(WireDecline) {
        switch wire {
        case 0: _ = try varint(&i, end)
        case 1:
            guard end - i >= 8 else { throw WireDecline() }
            i += 8
        case 2: _ = try length(&i, end)
        case 5:
            guard end - i >= 4 else { throw WireDecline() }
            i += 4
        default: throw WireDecline()  // groups (3, 4) and invalid types: the general path decides
        }
    }

    private func expect(_ wire: UInt64, _ wanted: UInt64) throws(WireDecline) {
        if wire != wanted { throw WireDecline() }
    }

    private func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: p[range]) }

    /// A string field: valid UTF-8 or the general path (which refuses it).
    private func utf8(_ range: Range<Int>) throws(WireDecline) -> Range<Int> {
        if !UTF8Check.isValid(bytes(range)) { throw WireDecline() }
        return range
    }

    private func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let wanted = text.utf8Start
        for k in 0..<range.count where p[range.lowerBound + k] != wanted[k] { return false }
        return true
    }

    // MARK: - Messages

    private mutating func request() throws(WireDecline) {
        var i = 0
        let end = p.count
        while case let (field, wire)? = try tag(&i, end) {
            if field == 1 {
                try expect(wire, 2)
                try resourceLogs(try length(&i, end))
            } else {
                try skip(wire, &i, end)
            }
        }
    }

    private mutating func resourceLogs(_ range: Range<Int>) throws(WireDecline) {
        try headerThenChildren(
            range,
            header: { (d, r) throws(WireDecline) in try d.setResource(r) },
            child: { (d, r) throws(WireDecline) in try d.scopeLogs(r) }
        )
    }

    /// The shape ResourceLogs and ScopeLogs share: field 1 the one header message (resource,
    /// scope), field 2 the repeated children, field 3 the schema_url (checked, not kept). The
    /// header comes first on the wire in practice, but protobuf allows any order: find it first.
    private mutating func headerThenChildren(
        _ range: Range<Int>,
        header: (inout Self, Range<Int>?) throws(WireDecline) -> Void,
        child: (inout Self, Range<Int>) throws(WireDecline) -> Void
    ) throws(WireDecline) {
        var i = range.lowerBound
        var found: Range<Int>?
        while case let (field, wire)? = try tag(&i, range.upperBound) {
            if field == 1 {
                try expect(wire, 2)
                if found != nil { throw WireDecline() }
                found = try length(&i, range.upperBound)
            } else if field == 3 {
                try expect(wire, 2)
                _ = try utf8(try length(&i, range.upperBound))
            } else {
                try skip(wire, &i, range.upperBound)
            }
        }
        try header(&self, found)
        i = range.lowerBound
        while case let (field, wire)? = try tag(&i, range.upperBound) {
            if field == 2 {
                try expect(wire, 2)
                try child(&self, try length(&i, range.upperBound))
            } else {
                try skip(wire, &i, range.upperBound)
            }
        }
    }

    private mutating func setResource(_ range: Range<Int>?) throws(WireDecline) {
        try attributeList(range, field: 1, decline: 3)
        var out = JSONWriter(capacity: 128)
        try writeAttributes(into: &out, depth: 1)
        resourceJSON = out.bytes
        (resourceSession, resourceSessionInt) = try sessionID()
        serviceIsClaudeCode = false
        if let index = keys.firstIndex(where: { equals($0, "service.name") }), let value = values[index],
            case .string(let name) = try scalar(value)
        {
            serviceIsClaudeCode = equals(name, "claude-code")
        }
    }

    private mutating func scopeLogs(_ range: Range<Int>) throws(WireDecline) {
        try headerThenChildren(
            range,
            header: { (d, r) throws(WireDecline) in try d.setScope(r) },
            child: { (d, r) throws(WireDecline) in try d.logRecord(r) }
        )
    }

    private mutating func setScope(_ range: Range<Int>?) throws(WireDecline) {
        var name: Range<Int>?
        var version: Range<Int>?
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        if let range {
            var i = range.lowerBound
            while case let (field, wire)? = try tag(&i, range.upperBound) {
                switch field {
                case 1:
                    try expect(wire, 2)
                    name = try utf8(try length(&i, range.upperBound))
                case 2:
                    try expect(wire, 2)
                    version = try utf8(try length(&i, range.upperBound))
                case 3:
                    try expect(wire, 2)
                    try keyValue(try length(&i, range.upperBound))
                case 4:
                    try expect(wire, 0)
                    _ = try varint(&i, range.upperBound)
                default: try skip(wire, &i, range.upperBound)
                }
            }
        }
        var out = JSONWriter(capacity: 64)
        out.beginObject()
        if let name, !name.isEmpty {
            out.key("name")
            out.string(utf8: bytes(name))
        }
        if let version, !version.isEmpty {
            out.key("version")
            out.string(utf8: bytes(version))
        }
        if !keys.isEmpty {
            out.key("attributes")
            try writeAttributes(into: &out, depth: 1)
        }
        out.endObject()
        scopeJSON = out.bytes
        scopeIsClaudeCode = name.map { Self.contains(bytes($0), "claude_code") } ?? false
    }

    /// Collects the KeyValues of field `field` of the message at `range` into keys/values.
    /// (`decline`: a message field the fast path does not read, so cannot vouch for: Resource.entity_refs.)
    private mutating func attributeList(_ range: Range<Int>?, field wanted: UInt64, decline: UInt64) throws(WireDecline)
    {
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        guard let range else { return }
        var i = range.lowerBound
        while case let (field, wire)? = try tag(&i, range.upperBound) {
            if field == wanted {
                try expect(wire, 2)
                try keyValue(try length(&i, range.upperBound))
            } else if field == decline {
                throw WireDecline()
            } else {
                try skip(wire, &i, range.upperBound)
            }
        }
    }

    /// One KeyValue: its key (validated) and value ranges appended to the scratch lists.
    private mutating func keyValue(_ range: Range<Int>) throws(WireDecline) {
        let (key, value) = try keyValueRanges(range)
        keys.append(key)
        values.append(value)
    }

    /// The key (validated UTF-8) and the AnyValue of a KeyValue message (nil when it has none).
    private func keyValueRanges(_ range: Range<Int>) throws(WireDecline) -> (key: Range<Int>, value: Range<Int>?) {
        var i = range.lowerBound
        var key = range.lowerBound..<range.lowerBound
        var value: Range<Int>?
        while case let (field, wire)? = try tag(&i, range.upperBound) {
            switch field {
            case 1:
                try expect(wire, 2)
                key = try utf8(try length(&i, range.upperBound))
            case 2:
                try expect(wire, 2)
                if value != nil { throw WireDecline() }
                value = try length(&i, range.upperBound)
            case 3:
                try expect(wire, 0)
                _ = try varint(&i, range.upperBound)
            default: try skip(wire, &i, range.upperBound)
            }
        }
        return (key, value)
    }

    private mutating func logRecord(_ range: Range<Int>) throws(WireDecline) {
        var time: UInt64 = 0
        var observed: UInt64 = 0
        var severityNumber: Int32 = 0
        var severityText: Range<Int>?
        var body: Range<Int>?
        var traceID: Range<Int>?
        var spanID: Range<Int>?
        var eventName: Range<Int>?
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        var i = range.lowerBound
        let end = range.upperBound
        while case let (field, wire)? = try tag(&i, end) {
            switch field {
            case 1:
                try expect(wire, 1)
                time = try fixed64(&i, end)
            case 2:
                try expect(wire, 0)
                severityNumber = Int32(truncatingIfNeeded: try varint(&i, end))
            case 3:
                try expect(wire, 2)
                severityText = try utf8(try length(&i, end))
            case 5:
                try expect(wire, 2)
                if body != nil { throw WireDecline() }
                body = try length(&i, end)
            case 6:
                try expect(wire, 2)
                try keyValue(try length(&i, end))
            case 7:
                try expect(wire, 0)
                _ = try varint(&i, end)
            case 8:
                try expect(wire, 5)
                try skip(wire, &i, end)
            case 9:
                try expect(wire, 2)
                traceID = try length(&i, end)
            case 10:
                try expect(wire, 2)
                spanID = try length(&i, end)
            case 11:
                try expect(wire, 1)
                observed = try fixed64(&i, end)
            case 12:
                try expect(wire, 2)
                eventName = try utf8(try length(&i, end))
            default: try skip(wire, &i, end)
            }
        }

        // The output is moved out of `self` while this record is written: the helpers below
        // read `self`, and an inout access to `self.w` beside them would make Swift copy the
        // whole buffer on every write (copy-on-write of a shared array).
        var out = JSONWriter(capacity: 0)
        swap(&out, &w)
        defer { swap(&out, &w) }
        let nanos = time != 0 ? time : (observed != 0 ? observed : receivedNanos)
        out.beginObject()
        out.field("v", 1)
        out.key("type")
        try writeEventType(eventName: eventName, body: body, into: &out)
        out.key("ts")
        writeTimestamp(nanos, into: &out)
        let (session, sessionInt) = try sessionID()
        if let session {
            out.key("session_id")
            out.string(utf8: bytes(session))
        } else if let sessionInt {
            out.key("session_id")
            out.string(String(sessionInt))
        } else if let resourceSession {
            out.key("session_id")
            out.string(utf8: bytes(resourceSession))
        } else if let resourceSessionInt {
            out.key("session_id")
            out.string(String(resourceSessionInt))
        }
        if let severityText, !severityText.isEmpty {
            out.key("severity")
            out.string(utf8: bytes(severityText))
        }
        if severityNumber != 0 {
            out.key("severity_number")
            Self.appendInt(Int64(severityNumber), to: &out)
        }
        if let body {
            out.key("body")
            try writeValue(body, into: &out, depth: 1)
        }
        if let traceID, !traceID.isEmpty {
            out.key("trace_id")
            writeHex(traceID, into: &out)
        }
        if let spanID, !spanID.isEmpty {
            out.key("span_id")
            writeHex(spanID, into: &out)
        }
        out.key("attributes")
        try writeAttributes(into: &out, depth: 1)
        out.key("resource")
        out.raw(resourceJSON)
        out.key("scope")
        out.raw(scopeJSON)
        out.endObject()
        out.newline()
        count += 1
    }

    // MARK: - Event name and session (the rules of TelemetryEncoder.eventType / sessionID)

    private mutating func writeEventType(
        eventName: Range<Int>?,
        body: Range<Int>?,
        into w: inout JSONWriter
    ) throws(WireDecline) {
        var name = eventName ?? 0..<0
        if name.isEmpty, let index = keys.firstIndex(where: { equals($0, "event.name") }), let value = values[index],
            case .string(let text) = try scalar(value)
        {
            name = text
        }
        guard !name.isEmpty else {
            w.string("otel.log")
            return
        }
        let nameBytes = bytes(name)
        if nameBytes.contains(UInt8(ascii: ".")) {
            w.string(utf8: nameBytes)
            return
        }
        if let body, case .string(let text) = try scalar(body) {
            let bodyBytes = bytes(text)
            let offset = bodyBytes.count - nameBytes.count
            if offset > 0, bodyBytes[offset - 1] == UInt8(ascii: "."),
                nameBytes.indices.allSatisfy({ bodyBytes[offset + $0] == nameBytes[$0] }),
                !bodyBytes.contains(UInt8(ascii: " "))
            {
                w.string(utf8: bodyBytes)
                return
            }
        }
        if serviceIsClaudeCode || scopeIsClaudeCode {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: "claude_code.".utf8)
            scratch.append(contentsOf: nameBytes)
            w.string(utf8: scratch)
            return
        }
        w.string(utf8: nameBytes)
    }

    /// conversation.id, else session.id, of the scratch attributes: a string range or an integer.
    private func sessionID() throws(WireDecline) -> (Range<Int>?, Int64?) {
        for key in Self.sessionKeys {
            guard let index = keys.firstIndex(where: { equals($0, key) }), let value = values[index] else { continue }
            switch try scalar(value) {
            case .string(let text) where !text.isEmpty: return (text, nil)
            case .int(let number): return (nil, number)
            default: continue
            }
        }
        return (nil, nil)
    }

    private static let sessionKeys: [StaticString] = ["conversation.id", "session.id"]

    private enum Scalar {
        case string(Range<Int>)
        case int(Int64)
        case other
    }

    /// What an AnyValue holds, when it is a string or an integer.
    private func scalar(_ range: Range<Int>) throws(WireDecline) -> Scalar {
        var i = range.lowerBound
        var result = Scalar.other
        var seen = false
        while case let (field, wire)? = try tag(&i, range.upperBound) {
            guard field <= 8 else {
                try skip(wire, &i, range.upperBound)
                continue
            }
            if seen { throw WireDecline() }
            seen = true
            switch field {
            case 1:
                try expect(wire, 2)
                result = .string(try utf8(try length(&i, range.upperBound)))
            case 3:
                try expect(wire, 0)
                result = .int(Int64(bitPattern: try varint(&i, range.upperBound)))
            case 8:
                // A string-table index counts as the integer, as in the general path.
                try expect(wire, 0)
                result = .int(Int64(Int32(truncatingIfNeeded: try varint(&i, range.upperBound))))
            default:
                try skip(wire, &i, range.upperBound)
            }
        }
        return result
    }

    // MARK: - Values

    /// The scratch attribute list as a JSON object.
    private func writeAttributes(into out: inout JSONWriter, depth: Int) throws(WireDecline) {
        out.beginObject()
        for index in keys.indices {
            out.string(utf8: bytes(keys[index]))
            out.bytes.append(UInt8(ascii: ":"))
            if let value = values[index] { try writeValue(value, into: &out, depth: depth) } else { out.null() }
        }
        out.endObject()
    }

    /// One AnyValue as JSON (TelemetryEncoder.writeValue's spellings).
    private func writeValue(_ range: Range<Int>, into out: inout JSONWriter, depth: Int) throws(WireDecline) {
        guard depth < Self.maxDepth else { throw WireDecline() }
        var i = range.lowerBound
        let end = range.upperBound
        var written = false
        while case let (field, wire)? = try tag(&i, end) {
            guard field <= 8 else {
                try skip(wire, &i, end)
                continue
            }
            if written { throw WireDecline() }
            written = true
            switch field {
            case 1:
                try expect(wire, 2)
                out.string(utf8: bytes(try utf8(try length(&i, end))))
            case 2:
                try expect(wire, 0)
                out.bool(try varint(&i, end) != 0)
            case 3:
                try expect(wire, 0)
                let number = Int64(bitPattern: try varint(&i, end))
                if number >= -TelemetryEncoder.maxExactJSONInteger && number <= TelemetryEncoder.maxExactJSONInteger {
                    Self.appendInt(number, to: &out)
                } else {
                    out.string(String(number))
                }
            case 4:
                try expect(wire, 1)
                TelemetryEncoder.writeValue(.double(Double(bitPattern: try fixed64(&i, end))), into: &out)
            case 5:
                try expect(wire, 2)
                let list = try length(&i, end)
                out.beginArray()
                var j = list.lowerBound
                while case let (inner, innerWire)? = try tag(&j, list.upperBound) {
                    if inner == 1 {
                        try expect(innerWire, 2)
                        try writeValue(try length(&j, list.upperBound), into: &out, depth: depth + 1)
                    } else {
                        try skip(innerWire, &j, list.upperBound)
                    }
                }
                out.endArray()
            case 6:
                try expect(wire, 2)
                let list = try length(&i, end)
                out.beginObject()
                var j = list.lowerBound
                while case let (inner, innerWire)? = try tag(&j, list.upperBound) {
                    if inner == 1 {
                        try expect(innerWire, 2)
                        try nestedKeyValue(try length(&j, list.upperBound), into: &out, depth: depth + 1)
                    } else {
                        try skip(innerWire, &j, list.upperBound)
                    }
                }
                out.endObject()
            case 7:
                try expect(wire, 2)
                out.string(TelemetryEncoder.base64(Array(bytes(try length(&i, end)))))
            case 8:
                try expect(wire, 0)
                // A string-table index, written as the integer (as the general path does).
                Self.appendInt(Int64(Int32(truncatingIfNeeded: try varint(&i, end))), to: &out)
            default:
                throw WireDecline()
            }
        }
        if !written { out.null() }
    }

    /// A KeyValue inside a kvlist value: written in place (the scratch lists belong to the record).
    private func nestedKeyValue(_ range: Range<Int>, into out: inout JSONWriter, depth: Int) throws(WireDecline) {
        let (key, value) = try keyValueRanges(range)
        out.string(utf8: bytes(key))
        out.bytes.append(UInt8(ascii: ":"))
        if let value { try writeValue(value, into: &out, depth: depth) } else { out.null() }
    }

    // MARK: - Numbers, times, ids without Strings

    /// An integer through JSONWriter.raw (for its separator) from a stack buffer.
    static func appendInt(_ value: Int64, to out: inout JSONWriter) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var magnitude = value.magnitude
            var at = 20
            repeat {
                at -= 1
                buffer[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                at -= 1
                buffer[at] = UInt8(ascii: "-")
            }
            out.raw(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[at..<20]))
        }
    }

    /// `"2026-11-24T19:15:16.123456Z"`, as Timestamp.iso8601 spells it.
    private mutating func writeTimestamp(_ nanos: UInt64, into w: inout JSONWriter) {
        let micros = Int64(clamping: nanos / 1000)
        let seconds = micros / 1_000_000
        let day = seconds / 86400
        if day != cachedDay {
            cachedDay = day
            cachedDate = Array(Timestamp(microseconds: day * 86400 * 1_000_000).iso8601.utf8.prefix(11))
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: cachedDate)
        let rest = seconds % 86400
        Self.appendDigits(rest / 3600, 2, to: &scratch)
        scratch.append(UInt8(ascii: ":"))
        Self.appendDigits(rest / 60 % 60, 2, to: &scratch)
        scratch.append(UInt8(ascii: ":"))
        Self.appendDigits(rest % 60, 2, to: &scratch)
        scratch.append(UInt8(ascii: "."))
        Self.appendDigits(micros % 1_000_000, 6, to: &scratch)
        scratch.append(UInt8(ascii: "Z"))
        w.string(utf8: scratch)
    }

    private static func appendDigits(_ value: Int64, _ width: Int, to out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func writeHex(_ range: Range<Int>, into w: inout JSONWriter) {
        scratch.removeAll(keepingCapacity: true)
        for byte in bytes(range) {
            scratch.append(Self.hexDigits[Int(byte >> 4)])
            scratch.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        w.string(utf8: scratch)
    }

    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard haystack.count >= n else { return false }
        let wanted = needle.utf8Start
        for start in 0...(haystack.count - n) where (0..<n).allSatisfy({ haystack[start + $0] == wanted[$0] }) {
            return true
        }
        return false
    }
}

/// UTF-8 validity as the Unicode standard defines it (no overlongs, surrogates or values above
/// U+10FFFF), with an ASCII fast path: what swift-protobuf requires of a string field.
enum UTF8Check {
    static func isValid(_ text: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = text.count
        while i < n {
            let b0 = text[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            func continuation(_ at: Int) -> Bool { at < n && text[at] & 0xC0 == 0x80 }
            switch b0 {
            case 0xC2...0xDF:
                guard continuation(i + 1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard continuation(i + 1), continuation(i + 2) else { return false }
                let b1 = text[i + 1]
                if b0 == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b0 == 0xED && b1 > 0x9F { return false }  // surrogates
                i += 3
            case 0xF0...0xF4:
                guard continuation(i + 1), continuation(i + 2), continuation(i + 3) else { return false }
                let b1 = text[i + 1]
                if b0 == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xF4 && b1 > 0x8F { return false }  // above U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }
}
