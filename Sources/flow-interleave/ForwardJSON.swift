// Forward-only navigation into a validated JSON line: the start of a member's value without
// skipping that value. JSONScanner's `field` returns whole spans, so reaching
// `request.body.messages` of a flow record (tens of kilobytes) with it scans the body several
// times; this walks it once. Only for lines already validated (Record(line:) did that).

import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    func skipSpace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
        return i
    }

    /// The end of the string whose quote is at `start` (memchr to each quote, then count the
    /// backslashes before it).
    func skipString(_ start: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var i = start + 1
        while i < bytes.count {
            guard let hit = memchr(base + i, 0x22, bytes.count - i) else { return nil }
            let quote = base.distance(to: UnsafeRawPointer(hit))
            var backslashes = 0
            var j = quote - 1
            while j > start, bytes[j] == UInt8(ascii: "\\") {
                backslashes += 1
                j -= 1
            }
            if backslashes & 1 == 0 { return quote + 1 }
            i = quote + 1
        }
        return nil
    }

    func skipValue(_ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return skipString(start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default:
                    break
                }
                i += 1
            }
            return nil
        default:
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x09, 0x0D: return i
                default: i += 1
                }
            }
            return i
        }
    }
}
