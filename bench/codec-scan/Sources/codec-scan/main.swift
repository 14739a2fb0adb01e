// codec-scan FILE: validates every line (RFC 8259, must be an object), reads `type` and
// `flow_id` of each record, and prints counts — the work of the orjson anchor
// (bench/anchors/scan_type_flow.py), so the two can be timed side by side.
import TapCodec

guard CommandLine.arguments.count == 2 else {
    writeStandardError("usage: codec-scan FILE")
    exit(2)
}
let reader = try LineReader(path: CommandLine.arguments[1])
var lines = 0
var invalid = 0
var types: [String: Int] = [:]
var flowIDBytes = 0
try reader.forEachLine { line in
    lines += 1
    guard let record = Record(line: line) else {
        invalid += 1
        return
    }
    if let type = record.type { types[type, default: 0] += 1 }
    if let flowID = record.field("flow_id") { flowIDBytes += flowID.count }
}
print("lines \(lines) invalid \(invalid) flow_id_bytes \(flowIDBytes)")
for (type, count) in types.sorted(by: { $0.key < $1.key }) { print("\(type) \(count)") }

#if canImport(Glibc)
import Glibc
#endif
