// The input loop of a tool that reads only the lines holding one of a few literals (extract-usage):
// one SIMD pass (LineHitScanner, CTapSIMD/linehits.h) finds the lines and those literals, `body`
// sees only the lines that hold one, every other line is judged by its `{`…`}` shape alone
// (skipped, or bad when it is not blank), which is the verdict a tool that skips it by type or
// literal gives. A named regular file is mapped and cut at line boundaries into windows of 4 MiB,
// scanned (and their lines prepared) on Dispatch's threads, up to 64 ahead, while this thread hands
// their lines to `body` in file order, so the answer cannot depend on the cut. Stdin, pipes and
// what a file grew by after it was mapped are read with read(2).

import CTapSIMD
import Dispatch
import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the scan of one window found (written by one scanning thread, read after it signalled).
final class PartScan<Prepared>: @unchecked Sendable {
    let start: Int, end: Int
    var lines = 0
    /// The lines to judge, in order: index of the line in the window, and what the tool's
    /// `prepare` made of it on the scanning thread (nil for a line that is not `{`…`}` nor blank).
    var kept: [(index: Int, prepared: Prepared?)] = []

    init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    func scan(
        _ base: UnsafeRawPointer,
        _ scanner: LineHitScanner,
        _ prepare: (UnsafeRawBufferPointer, UInt32) -> Prepared
    ) {
        // The pages fault in as the scan reads them, 16 at a time (the kernel's fault-around):
        // cheaper here than MADV_POPULATE_READ, which walks them one by one (measured, Linux 6.18).
        lines =
            scanner.forEachKeptLine(base, from: start, to: end) { s, e, index, literals in
                // Every line here ends with its newline (the window ends after one).
                let line = UnsafeRawBufferPointer(start: base + s, count: e - s + 1)
                kept.append((index, literals != 0 ? prepare(line, literals) : nil))
            }.lines
        // Nothing reads these pages again (the tool gets what `prepare` made): out of our resident
        // set now, on this thread rather than the one handing out the windows in order.
        ExtractDriver.releasePages(base, from: start, to: end)
    }
}

/// True for a line that is blank or looks like one object (`{` … `}` between blanks): the same
/// test the C pass applies (CTapSIMD/linehits.h).
@inline(__always)
func lineHasObjectShape(_ line: UnsafeRawBufferPointer) -> Bool {
    guard let base = line.baseAddress else { return true }
    return tap_linehits_object_shape(base.assumingMemoryBound(to: UInt8.self), 0, line.count) != 0
}

extension ExtractDriver {
    /// Bytes per window of a mapped file, the unit one thread scans (its pages are released after
    /// it: RSS stays flat). `STREAMTAP_SCAN_WINDOW` (bytes) sets it, so that the tests can cover
    /// many windows with a small file.
    static let windowSize: Int = {
        guard let text = getenv("STREAMTAP_SCAN_WINDOW"), let bytes = Int(String(cString: text)), bytes > 0 else {
            return 4 << 20
        }
        return min(bytes, 1 << 30)
    }()
    /// Windows scheduled ahead of the one being judged. A scanning thread releases a window's
    /// pages as soon as it has scanned it, so what waits is only the prepared lines; many ahead,
    /// so that the scanning threads never wait for this thread to schedule more (with 8, they
    /// did whenever this thread lost its core to them).
    static let windowsAhead = 64

    /// Like `run(_:finish:)`, `body` seeing what `prepare` made of each line that holds one of
    /// `literals`, in input order. `prepare(line, found)` (pure: it may run on a scanning thread,
    /// ahead of `body`) gets the line with its `\n` when it has one (a line validator may need the
    /// mark), and which literals it holds (bit k for `literals[k]`).
    public func run<Prepared: Sendable>(
        linesHoldingAny literals: [[UInt8]],
        prepare: @escaping @Sendable (UnsafeRawBufferPointer, UInt32) -> Prepared,
        _ body: (Prepared) -> LineVerdict,
        finish: (inout [UInt8]) throws -> Void
    ) throws {
        let scanner = LineHitScanner(literals: literals)
        func verdict(_ line: UnsafeRawBufferPointer, _ holds: Bool, _ newline: Bool) -> LineVerdict {
            guard holds else { return lineHasObjectShape(line) ? .skipped : .bad }
            let found = scanner.literalMask(line)
            return body(
                prepare(newline ? UnsafeRawBufferPointer(start: line.baseAddress, count: line.count + 1) : line, found)
            )
        }
        try forEachInput(
            scanner,
            everyLine: false,
            prepare: prepare,
            use: body,
            finish: finish,
            verdict
        )
    }

    /// Like `run(_:finish:)`, `body` seeing every line, with whether it holds one of `literals`
    /// (found in the same pass as the line ends; a named regular file is mapped, one thread).
    public func run(
        marking literals: [[UInt8]],
        _ body: (UnsafeRawBufferPointer, Bool) -> LineVerdict,
        finish: (inout [UInt8]) throws -> Void
    ) throws {
        func verdict(_ line: UnsafeRawBufferPointer, _ holds: Bool, _: Bool) -> LineVerdict { body(line, holds) }
        try forEachInput(
            LineHitScanner(literals: literals),
            everyLine: true,
            prepare: { _, _ in () },
            use: { _ in .skipped },
            finish: finish,
            verdict
        )
    }

    /// The inputs one after the other; `verdict(line, holdsLiteral, newlineFollows)` for every line,
    /// except in the mapped prefiltered scan, which prepares the lines holding a literal and gives
    /// them to `use`, and counts the lines of a bad shape.
    private func forEachInput<Prepared>(
        _ scanner: LineHitScanner,
        everyLine: Bool,
        prepare: @escaping @Sendable (UnsafeRawBufferPointer, UInt32) -> Prepared,
        use: (Prepared) -> LineVerdict,
        finish: (inout [UInt8]) throws -> Void,
        _ verdict: (UnsafeRawBufferPointer, Bool, Bool) -> LineVerdict
    ) throws {
        try forEachNamedInput(finish: finish) { input, several, progress in
            let fd: Int32 = input == "-" ? 0 : open(input, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                writeStandardError("\(tool): \(input): \(String(cString: strerror(errno)))")
                return false
            }
            defer { if fd > 0 { close(fd) } }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                writeStandardError("\(tool): \(input): \(String(cString: strerror(errno)))")
                return false
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                writeStandardError("\(tool): \(input): is a directory")
                return false
            }
            var number = 0
            func handle(_ line: UnsafeRawBufferPointer, _ n: Int, _ holds: Bool, _ newline: Bool) throws {
                if verdict(line, holds, newline) == .bad { try self.noteBad(input, n, several) }
            }
            var offset = 0
            if input != "-", (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 {
                let size = Int(st.st_size)
                offset =
                    try everyLine
                    ? scanMappedEveryLine(fd, size: size, scanner, &number, &progress, handle)
                    : scanMapped(fd, size: size, scanner, prepare, &number, &progress) { n, prepared in
                        // A line of a bad shape comes without a `prepared`.
                        if (prepared.map(use) ?? .bad) == .bad {
                            try noteBad(input, n, several)
                        }
                    }
                guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
                    throw TapFailure("\(tool): \(input): \(String(cString: strerror(errno)))")
                }
            }
            try scanRead(fd, input: input, scanner, &number, &progress, handle)
            return true
        }
    }

    /// A mapped regular file up to its last newline, every line handed out in order on this
    /// thread; pages are released every window. Returns where read(2) takes over.
    private func scanMappedEveryLine(
        _ fd: Int32,
        size: Int,
        _ scanner: LineHitScanner,
        _ number: inout Int,
        _ progress: inout Progress,
        _ handle: (UnsafeRawBufferPointer, Int, Bool, Bool) throws -> Void
    ) throws -> Int {
        try withMappedLines(fd, size: size) { base, mappedEnd in
            var windowStart = 0
            while windowStart < mappedEnd {
                let windowEnd = Self.lineBoundary(base, after: windowStart + Self.windowSize, limit: mappedEnd)
                _ = try handOutLines(
                    scanner,
                    base,
                    from: windowStart,
                    to: windowEnd,
                    final: false,
                    &number,
                    &progress,
                    handle
                )
                Self.releasePages(base, from: windowStart, to: windowEnd)
                windowStart = windowEnd
            }
        }
    }

    /// Maps a regular file and runs `body(base, end)` over its bytes up to its last newline (the
    /// lines a truncation under the map would cut are read with read(2)); a SIGBUS from a file
    /// truncated anyway ends the tool with one line (TruncationGuard). Returns where read(2) takes
    /// over: 0 when the file could not be mapped or holds no newline.
    private func withMappedLines(
        _ fd: Int32,
        size: Int,
        _ body: (UnsafeRawPointer, Int) throws -> Void
    ) rethrows -> Int {
        TruncationGuard.install(tool: tool)
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { return 0 }
        defer { munmap(map, size) }
        _ = madvise(map, size, MADV_SEQUENTIAL)  // only a read-ahead hint
        guard let last = findLastByte(map, 0x0A, size) else { return 0 }
        let mappedEnd = map.distance(to: last) + 1
        try body(UnsafeRawPointer(map), mappedEnd)
        return mappedEnd
    }

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Drops the pages of `base[from..<to]` handed out from our resident set (they stay in the
    /// page cache); the page holding `to` stays for the bytes after it.
    static func releasePages(_ base: UnsafeRawPointer, from: Int, to: Int) {
        let start = from & ~(pageSize - 1)
        let end = to & ~(pageSize - 1)
        if end > start { _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED) }
    }

    /// Hands the lines of `base[from..<to]` to `handle(line, number, holdsLiteral, newlineFollows)` in order,
    /// counting them; returns where the unfinished line starts (see LineHitScanner.forEachLine).
    private func handOutLines(
        _ scanner: LineHitScanner,
        _ base: UnsafeRawPointer,
        from: Int,
        to: Int,
        final: Bool,
        _ number: inout Int,
        _ progress: inout Progress,
        _ handle: (UnsafeRawBufferPointer, Int, Bool, Bool) throws -> Void
    ) throws -> Int {
        var failure: Error?
        let start = scanner.forEachLine(base, from: from, to: to, final: final) { s, e, holds in
            guard failure == nil else { return }
            number += 1
            lines += 1
            progress.advance(bytes: e - s + 1, lines: 1)
            do {
                try handle(UnsafeRawBufferPointer(start: base + s, count: e - s), number, holds, e < to)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return start
    }

    /// The mapped part of a regular file, up to its last newline; returns where read(2) takes over.
    /// `handle(number, prepared)` is called for the lines holding a literal, `handle(number, nil)`
    /// for the lines of a bad shape (the others are skipped whatever the tool, and only counted).
    private func scanMapped<Prepared>(
        _ fd: Int32,
        size: Int,
        _ scanner: LineHitScanner,
        _ prepare: @escaping @Sendable (UnsafeRawBufferPointer, UInt32) -> Prepared,
        _ number: inout Int,
        _ progress: inout Progress,
        _ handle: (Int, Prepared?) throws -> Void
    ) throws -> Int {
        try withMappedLines(fd, size: size) { mapped, mappedEnd in
            nonisolated(unsafe) let base = mapped
            // The windows are scanned (and their lines prepared) on Dispatch's threads, several at a
            // time and ahead of this thread, which takes them in file order: every core stays busy,
            // whatever the lines of one window cost.
            let scanning = DispatchGroup()
            defer { scanning.wait() }  // before the unmap: no scan may still read the pages
            var ahead: [(part: PartScan<Prepared>, done: DispatchSemaphore)] = []
            var scheduled = 0
            func scheduleNext() {
                guard scheduled < mappedEnd else { return }
                let end = Self.lineBoundary(fd, base, after: scheduled + Self.windowSize, limit: mappedEnd)
                let part = PartScan<Prepared>(start: scheduled, end: end)
                let done = DispatchSemaphore(value: 0)
                DispatchQueue.global().async(group: scanning) {
                    part.scan(base, scanner, prepare)
                    done.signal()
                }
                ahead.append((part, done))
                scheduled = end
            }
            for _ in 0..<Self.windowsAhead { scheduleNext() }
            var k = 0
            while k < ahead.count {
                let (part, done) = ahead[k]
                done.wait()
                // Taken out of the part, then lent element by element: no copy (a retain and a
                // release of each line's payload) on the way to `handle`.
                let kept = part.kept
                part.kept = []
                for i in kept.indices { try handle(number + kept[i].index + 1, kept[i].prepared) }
                number += part.lines
                lines += part.lines
                progress.advance(bytes: part.end - part.start, lines: part.lines)
                scheduleNext()
                k += 1
            }
        }
    }

    /// The index after the first newline at or after `at` (`limit` when there is none before it).
    static func lineBoundary(_ base: UnsafeRawPointer, after at: Int, limit: Int) -> Int {
        guard at < limit, let nl = memchr(base + at, 0x0A, limit - at) else { return limit }
        return base.distance(to: UnsafeRawPointer(nl)) + 1
    }

    /// `lineBoundary` of the mapped file `fd`, read with pread(2) rather than from the map: the
    /// thread that schedules windows far ahead must not fault the file's pages in. Over the large
    /// folios that readahead makes (Linux 6.x, a log read from disk), one byte touched maps up to
    /// 2 MB, and 64 windows ahead kept ~100 MB resident until their scans released them (measured
    /// on the 200 MB corpus, bench/README.md "extract.sh, session 5"); pread copies the bytes out
    /// of the page cache and maps nothing. On a read error, the map.
    static func lineBoundary(_ fd: Int32, _ base: UnsafeRawPointer, after at: Int, limit: Int) -> Int {
        var offset = at
        let found: Int? = withUnsafeTemporaryAllocation(byteCount: 16 << 10, alignment: 16) { buffer in
            guard let bytes = buffer.baseAddress else { return nil }
            while offset < limit {
                let got = pread(fd, bytes, min(buffer.count, limit - offset), off_t(offset))
                guard got > 0 else { return nil }
                if let nl = memchr(bytes, 0x0A, got) { return offset + bytes.distance(to: nl) + 1 }
                offset += got
            }
            return limit
        }
        return found ?? lineBoundary(base, after: offset, limit: limit)
    }

    /// The read(2) loop: stdin, pipes, and the bytes of a file after its mapped part.
    private func scanRead(
        _ fd: Int32,
        input: String,
        _ scanner: LineHitScanner,
        _ number: inout Int,
        _ progress: inout Progress,
        _ handle: (UnsafeRawBufferPointer, Int, Bool, Bool) throws -> Void
    ) throws {
        var capacity = 1 << 20
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var end = 0  // bytes in the buffer; the unfinished line starts at 0
        while true {
            let n = read(fd, buffer + end, capacity - end)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw TapFailure("\(tool): \(input == "-" ? "stdin" : input): \(String(cString: strerror(errno)))")
            }
            let atEnd = n == 0
            end += n
            let start = try handOutLines(scanner, buffer, from: 0, to: end, final: atEnd, &number, &progress, handle)
            if atEnd { break }
            // Keep the unfinished line at the front; grow for a line longer than the buffer.
            if start > 0 {
                if end > start { memmove(buffer, buffer + start, end - start) }
                end -= start
            } else if end == capacity {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: buffer, byteCount: end)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
        }
    }
}

/// glibc's memrchr (a GNU extension the Glibc module does not export): the last newline of a map.
@_silgen_name("memrchr")
func findLastByte(_ haystack: UnsafeRawPointer?, _ byte: Int32, _ count: Int) -> UnsafeMutableRawPointer?
