// codec-scan FILE: validates every line (RFC 8259, must be an object), reads `type` and
// `flow_id` of each record, and prints counts — the work of the orjson anchor
// (bench/anchors/scan_type_flow.py), so the two can be timed side by side.
//
// As a StreamTap tool would: the reader validates each line while finding its end
// (`forEachRecordLine(fields:)`, which also notes where `type` and `flow_id` are while it
// walks the line), and a record's type is compared in place with the types seen so far (a
// handful), so no String is made per line.
import TapCodec

guard CommandLine.arguments.count == 2 else {
    writeStandardError("usage: codec-scan FILE")
    exit(2)
}

/// Lines per record type. A type's value is compared as raw bytes with the names seen so far
/// whose JSON form is their own bytes (no quote, backslash or control byte: a raw value equal
/// to one has no escape, so it decodes to that name), the last type matched first (records
/// come in runs); any other value is decoded and compared by its text. Session 4 compared
/// each line's value with every name through `JSONScanner.stringEquals` (a String copy and a
/// closure per name): ~500 instructions a line, 7.7 % of the scan (callgrind, bench/README.md).
struct TypeCounts {
    private(set) var names: [String] = []
    private(set) var counts: [Int] = []
    private var rawBytes: [UInt8] = []
    private var rawStart: [Int] = []
    private var rawCount: [Int] = []  // -1: the name's JSON form is not its bytes
    private var last = 0

    mutating func add(_ span: JSONSpan, in json: JSONScanner) {
        let inner = UnsafeRawBufferPointer(rebasing: json.bytes[(span.start + 1)..<(span.end - 1)])
        if last < names.count, rawEquals(last, inner) {
            counts[last] += 1
            return
        }
        for i in 0..<names.count where rawEquals(i, inner) {
            counts[i] += 1
            last = i
            return
        }
        guard let name = json.string(span) else { return }
        if let known = names.firstIndex(of: name) {
            counts[known] += 1
            last = known
            return
        }
        let bytes = Array(name.utf8)
        rawStart.append(rawBytes.count)
        rawCount.append(bytes.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C } ? bytes.count : -1)
        rawBytes += bytes
        names.append(name)
        counts.append(1)
        last = names.count - 1
    }

    private func rawEquals(_ i: Int, _ inner: UnsafeRawBufferPointer) -> Bool {
        guard rawCount[i] == inner.count else { return false }
        return rawBytes.withUnsafeBytes { all in
            guard let names = all.baseAddress, let value = inner.baseAddress else { return inner.count == 0 }
            return memcmp(names + rawStart[i], value, inner.count) == 0
        }
    }
}

// In a function, not top-level code: top-level variables are main-actor globals, and every
// access from the closure paid an executor check (swift_task_isCurrentExecutor in the profile).
func scan(path: String) throws {
    let reader = try LineReader(path: path)
    var lines = 0
    var invalid = 0
    var types = TypeCounts()
    var flowIDBytes = 0
    try reader.forEachRecordLine(fields: ["type", "flow_id"]) { line, isValidObject, fields in
        lines += 1
        guard isValidObject else {
            invalid += 1
            return
        }
        if let span = fields[0], span.kind == .string { types.add(span, in: JSONScanner(line)) }
        if let flowID = fields[1] { flowIDBytes += flowID.count }
    }
    print("lines \(lines) invalid \(invalid) flow_id_bytes \(flowIDBytes)")
    for (type, count) in zip(types.names, types.counts).sorted(by: { $0.0 < $1.0 }) { print("\(type) \(count)") }
}

try scan(path: CommandLine.arguments[1])

#if canImport(Glibc)
import Glibc
#endif
