// SSEParser: the WHATWG "parsing an event stream" algorithm as an incremental, value-type state machine.
//
// Why a hand-written byte scanner: captured SSE logs are large (hundreds of MB) and every tool that reads a
// raw stream goes through here, so lines are found with `memchr` over the chunk and field names are compared
// as bytes; nothing walks `Character`s. No I/O, no clock: the caller feeds bytes as they arrive and calls
// `finish()` at end of stream.
//
// The rules (see shared/fixtures/SSE-EDGE-CASES.md, numbered as there):
// 1. UTF-8 always; one BOM (EF BB BF) at the very start is dropped, even when split across chunks; invalid
//    UTF-8 becomes U+FFFD (repaired per line value, which is equivalent because line ends and `:` are ASCII).
// 2. A line ends at CR LF, LF or CR; a CR at the end of a chunk followed by LF at the start of the next is one
//    line end.
// 3. A blank line dispatches the event.   4. A line starting with `:` is a comment.
// 5. `name:value`, exactly one leading space of the value removed.   6. No colon: the whole line is the name.
// 7. `data` lines append value + LF.   8. One trailing LF removed at dispatch.
// 9. Empty data buffer at the blank line: nothing dispatched, the event type cleared.
// 10. The event type is reset after every blank line.
// 11. `id` persists across events; a value containing NUL makes the line ignored.
// 12. `retry` only when the value is ASCII digits (and fits in an Int).
// 13. At end of stream an unterminated event (and an unterminated last line) is discarded and counted.
// 14. Unknown fields are ignored.   15. Output never depends on how the bytes were chunked.
//
// Choice for the `event` field (the same everywhere in StreamTap): `SSEEvent.event` is nil when the event had
// no `event:` line or an empty one (the spec's default type "message"); `event: message` written out by the
// server gives "message". `SSEEvent.type` returns the spec's type either way.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One dispatched server-sent event.
public struct SSEEvent: Equatable, Hashable, Sendable {
    /// The `event:` value; nil when the event had none (or an empty one), i.e. the default type "message".
    public var event: String?
    /// The data buffer as dispatched (lines joined by LF, the final LF removed); always valid UTF-8.
    public var data: [UInt8]
    /// The stream's last event ID at dispatch; nil when no `id:` line has been seen yet in the stream.
    public var id: String?
    /// The reconnection time set by a valid `retry:` line inside this event, if any.
    public var retry: Int?

    public init(event: String? = nil, data: [UInt8], id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// Convenience for literals and tests: data given as a string.
    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.init(event: event, data: Array(data.utf8), id: id, retry: retry)
    }

    /// The spec's event type: the `event:` value, or "message".
    public var type: String { event ?? "message" }

    /// The data decoded as a string.
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// What `SSEParser.finish()` found at end of stream.
public struct SSELeftover: Equatable, Sendable {
    /// Bytes after the last blank line that never became part of a dispatched event (a partial event
    /// and/or an unterminated last line). A capture reports them in `flow_end` and keeps them with `--raw`.
    public var bytes: Int
    /// True when those bytes held at least one `data` line, i.e. an event a lenient client would have shown.
    public var discardedEvent: Bool

    public init(bytes: Int = 0, discardedEvent: Bool = false) {
        self.bytes = bytes
        self.discardedEvent = discardedEvent
    }
}

/// Counters of spec-exact decisions that lenient SDK decoders make differently (quirk 8 of SSE-EDGE-CASES.md).
public struct SSECounters: Equatable, Sendable {
    /// Events dispatched so far.
    public var dispatched = 0
    /// Blank lines that ended an event with fields but no data (the spec dispatches nothing; some SDKs do).
    public var droppedWithoutData = 0
    /// `retry:` lines ignored because the value was not only ASCII digits.
    public var ignoredRetry = 0
    /// `id:` lines ignored because the value contained NUL.
    public var ignoredIdWithNUL = 0
    /// Comment lines (keep-alives).
    public var comments = 0

    public init() {}
}

/// The WHATWG event-stream parser: feed bytes in any chunking, collect dispatched events.
public struct SSEParser: Sendable {
    /// The reconnection time last set by a valid `retry:` line (milliseconds), nil if none.
    public private(set) var reconnectionTime: Int?
    /// The stream's last event ID (nil until the first `id:` line).
    public private(set) var lastEventID: String?
    /// Running counters, see `SSECounters`.
    public private(set) var counters = SSECounters()
    /// Set by `finish()`.
    public private(set) var leftover = SSELeftover()

    /// Bytes of a line not yet terminated in the bytes fed so far.
    private var partialLine: [UInt8] = []
    /// The data buffer of the event being read (each `data` value followed by LF).
    private var dataBuffer: [UInt8] = []
    /// The event type buffer; nil when empty.
    private var eventType: String?
    /// The last event ID buffer (persists across events).
    private var idBuffer: String?
    /// A valid `retry:` value seen inside the current event.
    private var eventRetry: Int?
    /// The previous chunk ended right after a CR: a leading LF in the next chunk belongs to that line end.
    private var skipLeadingLF = false
    /// Whether that LF, if it comes, counts toward `bytesSinceBlankLine` (not after a blank line).
    private var skippedLFCounts = false
    /// How many BOM bytes matched at the start of the stream; -1 once the start has been decided.
    private var bomMatched = 0
    /// Bytes consumed since the last blank line (for `leftover.bytes`), excluding a dropped BOM.
    private var bytesSinceBlankLine = 0
    /// Any field line (not comment) seen since the last blank line.
    private var sawFieldSinceBlankLine = false

    public init() {}

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let cr: UInt8 = 13
    private static let lf: UInt8 = 10
    private static let colon: UInt8 = 58
    private static let space: UInt8 = 32

    /// Feeds the next chunk of the stream; dispatched events are appended to `events`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into events: inout [SSEEvent]) {
        guard !bytes.isEmpty, let base = bytes.baseAddress else { return }
        feed(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count), into: &events)
    }

    /// Feeds the next chunk of the stream; dispatched events are appended to `events`.
    public mutating func feed(_ bytes: some Collection<UInt8>, into events: inout [SSEEvent]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { feed($0, into: &events) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { feed($0, into: &events) }
        }
    }

    /// Ends the stream: an unterminated event is discarded (rule 13) and described in the result.
    @discardableResult
    public mutating func finish(into events: inout [SSEEvent]) -> SSELeftover {
        var pendingBOM = 0
        if bomMatched > 0 {
            // The stream ended inside what could have been a BOM: those bytes are ordinary text.
            pendingBOM = bomMatched
        }
        let discarded =
            sawFieldSinceBlankLine && !dataBuffer.isEmpty
            || (!partialLine.isEmpty && Self.lineIsData(partialLine))
        leftover = SSELeftover(bytes: bytesSinceBlankLine + pendingBOM, discardedEvent: discarded)
        partialLine.removeAll()
        dataBuffer.removeAll()
        eventType = nil
        eventRetry = nil
        skipLeadingLF = false
        bomMatched = -1
        bytesSinceBlankLine = 0
        sawFieldSinceBlankLine = false
        return leftover
    }

    /// Convenience: parse a whole stream at once.
    public static func parse(_ bytes: some Collection<UInt8>) -> (events: [SSEEvent], leftover: SSELeftover) {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        parser.feed(bytes, into: &events)
        let leftover = parser.finish(into: &events)
        return (events, leftover)
    }

    // MARK: - Scanning

    private mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        let end = chunk.count

        if bomMatched >= 0 {
            // Still deciding whether the stream starts with a BOM (it may be split across chunks).
            while start < end && bomMatched < 3 && chunk[start] == Self.bom[bomMatched] {
                bomMatched += 1
                start += 1
            }
            if bomMatched == 3 {
                bomMatched = -1  // dropped
            } else if start < end {
                // Not a BOM: the bytes that matched so far are ordinary text of the first line.
                partialLine.append(contentsOf: Self.bom[0..<bomMatched])
                bytesSinceBlankLine += bomMatched
                bomMatched = -1
            } else {
                return  // the chunk ended inside a possible BOM
            }
        }

        if skipLeadingLF && start < end {
            skipLeadingLF = false
            if chunk[start] == Self.lf {
                start += 1
                if skippedLFCounts { bytesSinceBlankLine += 1 }
            }
        }

        // Position of the next CR at or after `start` (or `end`): CR is rare in real streams, so it is
        // searched with memchr once per CR instead of testing every byte for two values.
        var nextCR = Self.find(Self.cr, base, from: start, to: end)
        while start < end {
            if nextCR < start { nextCR = Self.find(Self.cr, base, from: start, to: end) }
            let searchLFTo = min(nextCR, end)
            let lfAt = Self.find(Self.lf, base, from: start, to: searchLFTo)
            let lineEnd: Int
            var terminatorLength = 1
            var crEndsChunk = false
            if lfAt < searchLFTo {
                lineEnd = lfAt
            } else if nextCR < end {
                lineEnd = nextCR
                if nextCR + 1 < end {
                    if base[nextCR + 1] == Self.lf { terminatorLength = 2 }
                } else {
                    crEndsChunk = true  // an LF may follow at the start of the next chunk
                }
            } else {
                // No line end in the rest of the chunk: keep the partial line.
                partialLine.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
                bytesSinceBlankLine += end - start
                return
            }
            bytesSinceBlankLine += lineEnd - start + terminatorLength
            if partialLine.isEmpty {
                processLine(UnsafeBufferPointer(start: base + start, count: lineEnd - start), into: &events)
            } else {
                partialLine.append(contentsOf: UnsafeBufferPointer(start: base + start, count: lineEnd - start))
                let line = partialLine
                partialLine.removeAll(keepingCapacity: true)
                line.withUnsafeBufferPointer { processLine($0, into: &events) }
            }
            if crEndsChunk {
                skipLeadingLF = true
                // The LF completes this line's terminator; after a blank line it must not count as leftover.
                skippedLFCounts = bytesSinceBlankLine != 0
            }
            start = lineEnd + terminatorLength
        }
    }

    /// Index of the first `byte` in base[from..<to], or `to`.
    @inline(__always)
    private static func find(_ byte: UInt8, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        guard from < to else { return to }
        guard let hit = memchr(base + from, Int32(byte), to - from) else { return to }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    // MARK: - Interpreting lines

    private static let dataName: [UInt8] = Array("data".utf8)
    private static let eventName: [UInt8] = Array("event".utf8)
    private static let idName: [UInt8] = Array("id".utf8)
    private static let retryName: [UInt8] = Array("retry".utf8)

    private static func lineIsData(_ line: [UInt8]) -> Bool {
        line.count >= 4 && line[0..<4].elementsEqual(dataName) && (line.count == 4 || line[4] == colon)
    }

    private mutating func processLine(_ line: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        guard let base = line.baseAddress, line.count > 0 else {
            dispatch(into: &events)
            return
        }
        if line[0] == Self.colon {
            counters.comments += 1
            return
        }
        sawFieldSinceBlankLine = true
        let colonAt = Self.find(Self.colon, base, from: 0, to: line.count)
        let name = UnsafeBufferPointer(start: base, count: colonAt)
        var valueStart = min(colonAt + 1, line.count)
        if valueStart < line.count && line[valueStart] == Self.space { valueStart += 1 }
        let value = UnsafeBufferPointer(start: base + valueStart, count: line.count - valueStart)

        if name.elementsEqual(Self.dataName) {
            dataBuffer.append(contentsOf: value)
            dataBuffer.append(Self.lf)
        } else if name.elementsEqual(Self.eventName) {
            eventType = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual(Self.idName) {
            if memchr(UnsafeRawPointer(base + valueStart), 0, value.count) != nil {
                counters.ignoredIdWithNUL += 1
            } else {
                idBuffer = String(decoding: value, as: UTF8.self)
            }
        } else if name.elementsEqual(Self.retryName) {
            if let milliseconds = Self.digitsOnly(value) {
                reconnectionTime = milliseconds
                eventRetry = milliseconds
            } else {
                counters.ignoredRetry += 1
            }
        }
        // Any other field name is ignored (rule 14).
    }

    /// The value as a base-ten integer when it is non-empty ASCII digits that fit in an Int.
    private static func digitsOnly(_ value: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !value.isEmpty else { return nil }
        var result = 0
        for byte in value {
            guard byte >= 48 && byte <= 57 else { return nil }
            let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - 48))
            if overflow1 || overflow2 { return nil }
            result = sum
        }
        return result
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        lastEventID = idBuffer
        defer {
            eventType = nil
            eventRetry = nil
            bytesSinceBlankLine = 0
            sawFieldSinceBlankLine = false
        }
        guard !dataBuffer.isEmpty else {
            if sawFieldSinceBlankLine { counters.droppedWithoutData += 1 }
            return
        }
        dataBuffer.removeLast()  // the LF added by the last data line (rule 8)
        var data = dataBuffer
        dataBuffer = []
        dataBuffer.reserveCapacity(data.count + 16)
        Self.repairUTF8(&data)
        events.append(SSEEvent(event: eventType, data: data, id: idBuffer, retry: eventRetry))
        counters.dispatched += 1
    }

    /// Replaces invalid UTF-8 with U+FFFD; ASCII and valid UTF-8 (the usual case) are left untouched.
    private static func repairUTF8(_ bytes: inout [UInt8]) {
        let isASCII = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var any: UInt8 = 0
            for byte in buffer { any |= byte }  // vectorises; no early exit needed for short lines
            return any < 0x80
        }
        if isASCII { return }
        if String(validating: bytes, as: UTF8.self) != nil { return }
        bytes = Array(String(decoding: bytes, as: UTF8.self).utf8)
    }
}
