// NDJSON line input: a regular file read through windows of a read-only mapping (see
// `splitMapped`), anything else (stdin, pipes, a followed file) by big block reads; lines split
// with memchr or found by the JSON validator itself, lines of any length (the buffer or the
// window grows for a long line and shrinks back after it), and `tail -F` following.
//
// A line is handed out without its `\n`; a `\r` before it stays (JSON treats it as
// whitespace, and pass-through stays byte-identical). A last line without `\n` is a line,
// except when following, where it is an unfinished write and waits for the rest.

import CTapSIMD

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public struct LineReaderError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public final class LineReader {
    /// How to follow a file that grows (`--follow`).
    public struct Follow {
        /// Start at the end of the file, like `tail -f` (flow-interleave's default).
        public var startAtEnd: Bool
        /// How often to look for new data, rotation and truncation.
        public var pollMilliseconds: Int32

        public init(startAtEnd: Bool = false, pollMilliseconds: Int32 = 100) {
            self.startAtEnd = startAtEnd
            self.pollMilliseconds = pollMilliseconds
        }
    }

    public let path: String?
    private var fd: Int32
    private let follow: Follow?
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private static let blockSize = 1 << 20
    private var inode: ino_t = 0
    private var offset: off_t = 0
    /// The line validator `forEachRecordLine` uses: `tap_simd_level()` (AVX2 where the CPU
    /// has it), or 0 for the Swift validator; tests set it to run both.
    var simdLevel = Int32(tap_simd_level())
    /// Whether a regular file that is not followed is read through mapped windows (tests turn it
    /// off to run the read(2) path on the same files).
    var mapsFiles = true
    /// The mapped window's size (a line longer than it gets a window twice as big, and so on).
    /// 1 MiB: as fast as 4 MiB on the 200 MB scan (alternating rounds) with ~3 MiB less resident.
    var mapWindow = 1 << 20
    /// How many windows the mapped path has mapped (tests check that it ran).
    private(set) var windowsMapped = 0

    /// Called when no data arrived for `idleMilliseconds` (timers of live views). Only when set.
    public var onIdle: (() throws -> Void)?
    public var idleMilliseconds: Int32 = 100

    /// Reads standard input (never followed: a pipe ends when its writer does).
    public init(standardInput: Void = ()) {
        path = nil
        fd = 0
        follow = nil
        capacity = Self.blockSize
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    public init(path: String, follow: Follow? = nil) throws {
        self.path = path
        self.follow = follow
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LineReaderError("\(path): \(String(cString: strerror(errno)))") }
        capacity = Self.blockSize
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        var st = stat()
        if fstat(fd, &st) == 0 {
            inode = st.st_ino
            if (st.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw LineReaderError("\(path): is a directory")
            }
            if let follow, follow.startAtEnd {
                offset = lseek(fd, 0, SEEK_END)
            }
        }
    }

    deinit {
        if fd > 0 { close(fd) }
        buffer.deallocate()
    }

    /// Calls `body(line)` for every line until the end of input (or forever when following).
    /// `line` is valid only during the call.
    public func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try splitLines(validating: false, fields: nil) { line, _, _ in try body(line) }
    }

    /// Calls `body(line, isValidObject)` for every line, as `forEachLine`, where
    /// `isValidObject` is `JSONScanner.isValidObject(line)` (RFC 8259, an object). Cheaper than
    /// validating each line after the split: one pass over the bytes both validates a line and
    /// finds its end, and only a line that is not valid is split with memchr (then validated
    /// again on its own, so the answer is always exactly `isValidObject`).
    public func forEachRecordLine(_ body: (UnsafeRawBufferPointer, Bool) throws -> Void) throws {
        try splitLines(validating: true, fields: nil) { line, valid, _ in try body(line, valid) }
    }

    /// `forEachRecordLine`, also handing out where the values of a few top-level `keys` are in
    /// each valid line: `fields[i]` is `Record(line:)?.field(keys[i])`, exactly (the first member
    /// of that name; nil when there is none or the line is not a valid object). The AVX2
    /// validator notes them while it walks the line, so they cost no second pass; a line it did
    /// not judge, or one with an escaped top-level key (which may decode to an asked key), is
    /// looked up by the Swift scanner. `fields` is valid only during the call.
    public func forEachRecordLine(
        fields keys: [String],
        _ body: (UnsafeRawBufferPointer, Bool, FieldSpans) throws -> Void
    ) throws {
        // A key the walk cannot compare (NotedKeys.rawComparable) is looked up by the scanner.
        let noted = NotedKeys(keys)
        var raw = [Int](repeating: -1, count: 2 * keys.count)
        let spans = UnsafeMutablePointer<JSONSpan?>.allocate(capacity: max(keys.count, 1))
        spans.initialize(repeating: nil, count: max(keys.count, 1))
        defer { spans.deallocate() }
        let handedOut = FieldSpans(spans, count: keys.count)
        try raw.withUnsafeMutableBufferPointer { raw in
            guard let rawBase = raw.baseAddress else { return }
            try noted.withFields(span: rawBase) { asked in
                try withUnsafeMutablePointer(to: &asked) { asked in
                    try splitLines(validating: true, fields: noted.rawComparable ? asked : nil) { line, valid, walked in
                        if !valid {
                            for i in 0..<keys.count { spans[i] = nil }
                        } else if walked && asked.pointee.unsure == 0 {
                            let json = JSONScanner(line)
                            for i in 0..<keys.count { spans[i] = NotedKeys.noted(i, rawBase, in: json) }
                        } else {
                            let record = Record(line: line, validate: false)
                            for i in 0..<keys.count { spans[i] = record?.field(keys[i]) }
                        }
                        try body(line, valid, handedOut)
                    }
                }
            }
        }
    }

    /// `body(line, isValidObject, noted)`: `noted` is true when the AVX2 validator found the line
    /// with `fields` given (so `fields` holds its spans). Lines are validated only once they are
    /// complete in the buffer (up to the last `\n` read), so no line is validated twice.
    private func splitLines(
        validating: Bool,
        fields: UnsafeMutablePointer<tap_fields>?,
        _ body: (UnsafeRawBufferPointer, Bool, Bool) throws -> Void
    ) throws {
        if try splitMapped(validating: validating, fields: fields, body) { return }
        var start = 0  // first byte of the unfinished line
        var end = 0  // end of the bytes read
        // Past the last `\n` read: every line before it is complete in the buffer, so the
        // validator never starts a line it cannot finish (the bytes after it wait for the next
        // read instead of being validated twice).
        var complete = 0
        while true {
            // Hand out every complete line in the buffer.
            start = try handOut(
                buffer,
                from: start,
                to: complete,
                window: -1,
                validating: validating,
                fields: fields,
                body
            )
            // Keep the unfinished line at the front; grow for a line longer than the buffer.
            if start > 0 {
                if end > start { memmove(buffer, buffer + start, end - start) }
                end -= start
                complete = 0
                start = 0
            }
            if end == capacity {
                grow()
            } else if end < Self.blockSize / 2, capacity > Self.blockSize {
                shrink(keeping: end)
            }
            let n = try readSome(into: buffer + end, count: capacity - end)
            if n == Self.restarted {
                end = 0  // the unfinished line belonged to the file before rotation/truncation
                complete = 0
                continue
            }
            if n > 0 {
                if let last = lastNewline(buffer + end, 0x0A, n) { complete = buffer.distance(to: last) + 1 }
                end += n
                continue
            }
            // End of input.
            if end > 0 {
                let line = UnsafeRawBufferPointer(start: buffer, count: end)
                try body(line, validating && JSONScanner.isValidObject(line), false)
            }
            return
        }
    }

    /// Hands out the complete lines of `base[start..<complete]` (a `\n` ends each, the last at
    /// `complete - 1`); returns where it stopped: `complete`, or with `window` (a registered
    /// mapped window, else -1) the start of the first line not handed out because the file was
    /// truncated under the window (checked after each line is validated, before it is handed
    /// out: its bytes may be the zeros put in place of the lost pages).
    @inline(__always)
    private func handOut(
        _ base: UnsafeMutableRawPointer,
        from start: Int,
        to complete: Int,
        window: Int32,
        validating: Bool,
        fields: UnsafeMutablePointer<tap_fields>?,
        _ body: (UnsafeRawBufferPointer, Bool, Bool) throws -> Void
    ) throws -> Int {
        var start = start
        while start < complete {
            if validating && simdLevel > 0 {
                // The AVX2 line validator (CTapSIMD/line_validator.h): exact when it finds
                // a line; otherwise the memchr split below asks the Swift validator.
                let lineEnd =
                    fields.map { tap_validate_line_fields(simdLevel, base + start, complete - start, $0) }
                    ?? tap_validate_line(simdLevel, base + start, complete - start)
                if lineEnd >= 0 {
                    if window >= 0 && tap_map_truncated(window) != 0 { return start }
                    try body(UnsafeRawBufferPointer(start: base + start, count: lineEnd), true, fields != nil)
                    start += lineEnd + 1
                    continue
                }
            } else if validating {
                var validator = Validator(
                    UnsafeRawBufferPointer(start: base + start, count: complete - start),
                    lineMode: true
                )
                if let lineEnd = validator.runLine() {
                    if window >= 0 && tap_map_truncated(window) != 0 { return start }
                    try body(UnsafeRawBufferPointer(start: base + start, count: lineEnd), true, false)
                    start += lineEnd + 1
                    continue
                }
            }
            // Not found valid (or not validating): split with memchr (a `\n` is there, at
            // `complete - 1` at the latest); the Swift validator judges the line on its own.
            let nl = memchr(base + start, 0x0A, complete - start).map { base.distance(to: $0) } ?? complete - 1
            let line = UnsafeRawBufferPointer(start: base + start, count: nl - start)
            let valid = validating && JSONScanner.isValidObject(line)
            if window >= 0 && tap_map_truncated(window) != 0 { return start }
            try body(line, valid, false)
            start = nl + 1
        }
        return start
    }

    // A regular file that is not followed is read through windows of a read-only mapping: the
    // validator reads the page cache in place, where read(2) first copies every byte into the
    // buffer (6-7 ms of CPU of ~100 on the 200 MB codec scan, bench/README.md "codec-scan.sh,
    // session 5"). A file that another process truncates meanwhile (a log rotated with
    // copytruncate, a capture restarted) would raise SIGBUS at the next page touched past its
    // new end; CTapSIMD/mapped_window.h's handler puts zero pages in the rest of the window
    // instead and flags it, and `handOut` checks the flag after validating each line, before
    // handing it out: the input ends there, as a read(2) loop ends at the new end of file. What
    // the read path alone guarantees: a line already handed out stays as it was read; here a
    // truncation (or a rewrite in place) while `body` holds a line may change its bytes under
    // it (zeros), so `body` must not trust a line past its own call. One window at a time, each
    // unmapped before the next (the resident set stays about the window's size).
    /// Reads the whole input through mapped windows: true when done (to its end, or to where a
    /// truncation cut it); false when the file is not mapped (not a regular file, followed, no
    /// handler, a failed mmap), and the read(2) path goes on from the first byte not handed out.
    private func splitMapped(
        validating: Bool,
        fields: UnsafeMutablePointer<tap_fields>?,
        _ body: (UnsafeRawBufferPointer, Bool, Bool) throws -> Void
    ) throws -> Bool {
        var st = stat()
        // A regular file that says it is empty may still have bytes to read (/proc and /sys
        // files report size 0): read(2) it.
        guard mapsFiles, follow == nil, onIdle == nil, path != nil, fd > 0, fstat(fd, &st) == 0,
            (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0, tap_map_install() != 0
        else { return false }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var position = Int(offset)  // the first byte not handed out
        var window = mapWindow
        /// Done at `end`: the file position moves there, so a later call goes on from it (as
        /// the read(2) path's would, from wherever its reads ended).
        func ended(at end: Int) -> Bool {
            offset = off_t(end)
            lseek(fd, offset, SEEK_SET)
            return true
        }
        while true {
            guard fstat(fd, &st) == 0 else { break }
            let size = Int(st.st_size)
            if position >= size { return ended(at: position) }
            let base = position & ~(page - 1)
            let skip = position - base
            let length = min(size - base, window)
            guard let map = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, off_t(base)), map != MAP_FAILED else {
                break
            }
            let slot = tap_map_register(map, length)
            guard slot >= 0 else {
                munmap(map, length)
                break
            }
            windowsMapped += 1
            defer {
                tap_map_unregister(slot)
                munmap(map, length)
            }
            let atEnd = base + length == size
            let complete = lastNewline(map + skip, 0x0A, length - skip).map { map.distance(to: $0) + 1 } ?? skip
            if complete == skip && !atEnd {
                window *= 2  // a line longer than the window
                continue
            }
            var next = try handOut(
                map,
                from: skip,
                to: complete,
                window: slot,
                validating: validating,
                fields: fields,
                body
            )
            if tap_map_truncated(slot) != 0 { return ended(at: base + next) }
            if next == complete && atEnd && next < length {
                // The last line, without a `\n`.
                let line = UnsafeRawBufferPointer(start: map + next, count: length - next)
                let valid = validating && JSONScanner.isValidObject(line)
                if tap_map_truncated(slot) != 0 { return ended(at: base + next) }
                try body(line, valid, false)
                next = length
            }
            position = base + next
            window = mapWindow
        }
        // Mapping failed: read(2) from the first byte not handed out.
        guard lseek(fd, off_t(position), SEEK_SET) >= 0 else {
            throw LineReaderError("\(path ?? "stdin"): \(String(cString: strerror(errno)))")
        }
        offset = off_t(position)
        return false
    }

    private func grow() {
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
        bigger.copyMemory(from: buffer, byteCount: capacity)
        buffer.deallocate()
        buffer = bigger
        capacity *= 2
    }

    private func shrink(keeping count: Int) {
        let smaller = UnsafeMutableRawPointer.allocate(byteCount: Self.blockSize, alignment: 16)
        smaller.copyMemory(from: buffer, byteCount: count)
        buffer.deallocate()
        buffer = smaller
        capacity = Self.blockSize
    }

    private static let restarted = -1

    /// One read(2); 0 means end of input. When following, waits for growth instead and
    /// reopens the path when it was rotated or truncated (then returns `restarted`).
    private func readSome(into target: UnsafeMutableRawPointer, count: Int) throws -> Int {
        while true {
            if let onIdle {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, idleMilliseconds)
                if ready == 0 {
                    try onIdle()
                    continue
                }
            }
            let n = read(fd, target, count)
            if n > 0 {
                offset += off_t(n)
                return n
            }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw LineReaderError("\(path ?? "stdin"): \(String(cString: strerror(errno)))")
            }
            guard let follow, let path else { return 0 }
            if try waitForGrowth(path: path, pollMilliseconds: follow.pollMilliseconds) { return Self.restarted }
        }
    }

    /// True when the file was replaced or truncated and reading starts over.
    private func waitForGrowth(path: String, pollMilliseconds: Int32) throws -> Bool {
        if let onIdle { try onIdle() }
        usleep(useconds_t(pollMilliseconds) * 1000)
        var st = stat()
        guard stat(path, &st) == 0 else { return false }  // rotated away and not yet recreated
        if st.st_ino != inode {
            // Rotated: the old file is drained (we read it to EOF); continue with the new one.
            let newFD = open(path, O_RDONLY | O_CLOEXEC)
            guard newFD >= 0 else { return false }
            close(fd)
            fd = newFD
            inode = st.st_ino
            offset = 0
            return true
        } else if st.st_size < offset {
            // Truncated: start over from the beginning, like tail -F.
            lseek(fd, 0, SEEK_SET)
            offset = 0
            return true
        }
        return false
    }
}

/// The values of the keys asked of `LineReader.forEachRecordLine(fields:_:)` in one line, in
/// the order asked (nil: no such top-level member, or the line is not a valid object).
public struct FieldSpans {
    private let spans: UnsafeMutablePointer<JSONSpan?>
    public let count: Int

    init(_ spans: UnsafeMutablePointer<JSONSpan?>, count: Int) {
        self.spans = spans
        self.count = count
    }

    public subscript(index: Int) -> JSONSpan? {
        precondition(index >= 0 && index < count, "FieldSpans index out of range")
        return spans[index]
    }
}

/// glibc's memrchr (a GNU extension the Glibc module does not export): the last `\n` read.
@_silgen_name("memrchr")
private func lastNewline(_ haystack: UnsafeRawPointer?, _ byte: Int32, _ count: Int) -> UnsafeMutableRawPointer?
