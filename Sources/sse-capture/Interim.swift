// INTERIM: a WHATWG SSE parser until TapCodec's SSEParser lands on main; then this file goes.

/// INTERIM WHATWG SSE parser (until TapCodec's SSEParser): BOM, CR/LF/CRLF (split too), comments,
/// one leading space, data joined with "\n", id without NUL persists, no dispatch without data.
struct InterimSSEEvent: Equatable {
    var event: String?
    var data: [UInt8]
    var id: String?
}

struct InterimSSEParser {
    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var bomMatched = 0
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: [UInt8]? = nil
    private var lastID: [UInt8]? = nil

    mutating func feed(_ bytes: UnsafeRawBufferPointer, into out: inout [InterimSSEEvent]) {
        for b in bytes {
            if atStart {
                let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
                if b == bom[bomMatched] {
                    bomMatched += 1
                    if bomMatched == 3 { atStart = false }
                    continue
                }
                atStart = false
                if bomMatched > 0 { line.append(contentsOf: bom[0..<bomMatched]) }
            }
            if afterCR {
                afterCR = false
                if b == 10 { continue }
            }
            if b == 10 || b == 13 {
                afterCR = b == 13
                processLine(&out)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(b)
            }
        }
    }

    /// End of stream: an unterminated last line is processed, but an event without its blank line is not dispatched.
    mutating func finish(into out: inout [InterimSSEEvent]) {
        if !line.isEmpty { var ignored: [InterimSSEEvent] = []; processLine(&ignored); line.removeAll() }
    }

    private mutating func processLine(_ out: inout [InterimSSEEvent]) {
        if line.isEmpty {
            if hasData {
                out.append(
                    InterimSSEEvent(
                        event: eventType.map { String(decoding: $0, as: UTF8.self) }, data: data,
                        id: lastID.map { String(decoding: $0, as: UTF8.self) }))
            }
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventType = nil
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        var name = line[...]
        var value: ArraySlice<UInt8> = []
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == 32 { value = value.dropFirst() }
        }
        switch Array(name) {
        case Array("data".utf8):
            if hasData { data.append(10) }
            data.append(contentsOf: value)
            hasData = true
        case Array("event".utf8): eventType = Array(value)
        case Array("id".utf8): if !value.contains(0) { lastID = Array(value) }
        default: break
        }
    }
}

