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
// In a function, not top-level code: top-level variables are main-actor globals, and every
// access from the closure paid an executor check (swift_task_isCurrentExecutor in the profile).
func scan(path: String) throws {
    let reader = try LineReader(path: path)
    var lines = 0
    var invalid = 0
    var typeNames: [String] = []
    var typeCounts: [Int] = []
    var flowIDBytes = 0
    try reader.forEachRecordLine(fields: ["type", "flow_id"]) { line, isValidObject, fields in
        lines += 1
        guard isValidObject else {
            invalid += 1
            return
        }
        let json = JSONScanner(line)
        if let span = fields[0], span.kind == .string {
            if let known = typeNames.firstIndex(where: { json.stringEquals(span, $0) }) {
                typeCounts[known] += 1
            } else if let name = json.string(span) {
                typeNames.append(name)
                typeCounts.append(1)
            }
        }
        if let flowID = fields[1] { flowIDBytes += flowID.count }
    }
    print("lines \(lines) invalid \(invalid) flow_id_bytes \(flowIDBytes)")
    for (type, count) in zip(typeNames, typeCounts).sorted(by: { $0.0 < $1.0 }) { print("\(type) \(count)") }
}

try scan(path: CommandLine.arguments[1])

#if canImport(Glibc)
import Glibc
#endif
