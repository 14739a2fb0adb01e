// NDJSON line input: big block reads, lines split with memchr, lines of any length (the
// buffer grows for a long line and shrinks back after it), and `tail -F` following.
//
// A line is handed out without its `\n`; a `\r` before it stays (JSON treats it as
// whitespace, and pass-through stays byte-identical). A last line without `\n` is a line,
// except when following, where it is an unfinished write and waits for the rest.

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
        var start = 0  // first byte of the unfinished line
        var end = try forEachMappedLine(body)  // end of the bytes read
        while true {
            // Hand out every complete line in the buffer.
            while start < end, let nl = memchr(buffer + start, 0x0A, end - start) {
                let lineEnd = buffer.distance(to: nl)
                try body(UnsafeRawBufferPointer(start: buffer + start, count: lineEnd - start))
                start = lineEnd + 1
            }
            // Keep the unfinished line at the front; grow for a line longer than the buffer.
            if start > 0 {
                if end > start { memmove(buffer, buffer + start, end - start) }
                end -= start
                start = 0
            }
            if end == capacity { grow() } else if end < Self.blockSize / 2, capacity > Self.blockSize { shrink(keeping: end) }
            let n = try readSome(into: buffer + end, count: capacity - end)
            if n == Self.restarted {
                end = 0  // the unfinished line belonged to the file before rotation/truncation
                continue
            }
            if n > 0 {
                end += n
                continue
            }
            // End of input.
            if end > 0 { try body(UnsafeRawBufferPointer(start: buffer, count: end)) }
            return
        }
    }

    /// A regular file that is not followed is mapped, not read: its lines are handed out from
    /// the page cache without read(2) copying every byte. Returns how many bytes after the last
    /// newline it left at the front of `buffer`; read(2) takes over at the mapped end, so a file
    /// that grew meanwhile still reads to its end as on the read path. 0 and nothing done for
    /// stdin, pipes, following and empty files.
    private func forEachMappedLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        guard path != nil, follow == nil, onIdle == nil, offset == 0 else { return 0 }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else { return 0 }
        let size = Int(st.st_size)
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { return 0 }
        defer { munmap(map, size) }
        _ = madvise(map, size, MADV_SEQUENTIAL)  // only a read-ahead hint
        var start = 0
        // Pages already handed out are dropped from our resident set every 1 MiB (they stay in
        // the page cache), so RSS stays flat whatever the file size, as on the read(2) path.
        let window = 1 << 20
        var released = 0
        while start < size, let nl = memchr(map + start, 0x0A, size - start) {
            let lineEnd = map.distance(to: nl)
            try body(UnsafeRawBufferPointer(start: map + start, count: lineEnd - start))
            start = lineEnd + 1
            if start - released >= 2 * window {
                // Keep the last window mapped in: the current line may have started there.
                let upTo = (start - window) & ~(window - 1)
                if upTo > released {
                    _ = madvise(map + released, upTo - released, MADV_DONTNEED)
                    released = upTo
                }
            }
        }
        let rest = size - start
        while capacity < rest { grow() }
        if rest > 0 { buffer.copyMemory(from: map + start, byteCount: rest) }
        guard lseek(fd, off_t(size), SEEK_SET) == off_t(size) else {
            throw LineReaderError("\(path ?? "stdin"): \(String(cString: strerror(errno)))")
        }
        offset = off_t(size)
        return rest
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
