// Forward-only navigation into a validated JSON line: the start of a member's value without
// skipping that value. JSONScanner's `field` returns whole spans, so reaching
// `request.body.messages` of a flow record (tens of kilobytes) with it scans the body several
// times; this walks it once. Only for lines already validated (Record(line:) did that).

import TapCodec

struct ForwardJSON {
    let bytes: UnsafeRawBufferPointer

    /// The offset where the value of `key` starts, in the object that starts at `object`.
    func valueStart(of keys: [String], inObjectAt object: Int) -> Int? {
        guard object < bytes.count, bytes[object] == UInt8(ascii: "{") else { return nil }
        var i = skipSpace(object + 1)
        while i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            guard let keyEnd = skipString(i) else { return nil }
            let key = UnsafeRawBufferPointer(rebasing: bytes[(i + 1)..<(keyEnd - 1)])
            i = skipSpace(keyEnd)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i = skipSpace(i + 1)
            for wanted in keys where key.elementsEqual(wanted.utf8) { return i }
            guard let end = skipValue(i) else { return nil }
            i = skipSpace(end)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ",") else { return nil }
            i = skipSpace(i + 1)
        }
        return nil
    }

    /// A span from `start` whose end is not known yet (the line's end): enough for
    /// JSONScanner's forEachMember / forEachElement, which stop at the closing bracket.
    func openSpan(at start: Int) -> JSONSpan? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "{"): return JSONSpan(kind: .object, start: start, end: bytes.count)
        case UInt8(ascii: "["): return JSONSpan(kind: .array, start: start, end: bytes.count)
        case UInt8(ascii: "\""): return skipString(start).map { JSONSpan(kind: .string, start: start, end: $0) }
        default: return nil
        }
    }

    // Skipping is the codec's (JSONScanner), over the same bytes.
    private var scanner: JSONScanner { JSONScanner(bytes) }
    func skipSpace(_ start: Int) -> Int { scanner.skipWhitespace(start) }
    func skipString(_ start: Int) -> Int? { scanner.skipString(start) }
    func skipValue(_ start: Int) -> Int? { scanner.skipValue(start) }
}
