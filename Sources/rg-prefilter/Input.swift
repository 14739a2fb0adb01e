// Reading for rg-prefilter, kept here rather than in TapCLI's LineLoop on purpose: the search
// wants whole buffers, not lines. A regular file is mapped whole and handed over in big slices
// (no copy at all, like ripgrep's mmap path); pipes and followed files use 1 MiB reads into one
// reused buffer. `--follow` keeps reading after the end, like `tail -F` (truncation, rotation).
import Glibc

struct InputError: Error, CustomStringConvertible {
    var name: String
    var message: String
    var description: String { "\(name): \(message)" }

    init(name: String, errno code: Int32) {
        self.name = name
        message = String(cString: strerror(code))
    }
}

enum Input {
    /// Slice handed to the searcher per call when a file is mapped: output is flushed between slices.
    static let mappedSlice = 2 << 20
    static let readSize = 1 << 20

    /// Calls `body` with consecutive blocks of the input (`path` nil: stdin) until the end, or until
    /// `body` returns false. With `follow`, waits for more data at the end (`idle` runs before each wait).
    /// `whole`, when given, is offered a mapped regular file in one piece first (the parallel
    /// search); when it returns false the file is handed to `body` in slices as usual.
    static func blocks(
        path: String?,
        follow: Bool,
        idle: () throws -> Void,
        whole wholeHandler: ((UnsafeRawBufferPointer) throws -> Bool)? = nil,
        _ body: (UnsafeRawBufferPointer, _ stable: Bool) throws -> Bool
    ) throws {
        guard let path else {
            try readAll(fd: 0, name: "<stdin>", body)
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(name: path, errno: errno) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw InputError(name: path, errno: code)
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw InputError(name: path, errno: EISDIR)
        }
        if follow {
            try followFile(fd: fd, path: path, idle: idle, body)
            return
        }
        defer { close(fd) }
        if (status.st_mode & S_IFMT) == S_IFREG, status.st_size > 0,
            let mapped = mmap(nil, Int(status.st_size), PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED
        {
            defer { munmap(mapped, Int(status.st_size)) }
            _ = madvise(mapped, Int(status.st_size), MADV_SEQUENTIAL)
            let whole = UnsafeRawBufferPointer(start: mapped, count: Int(status.st_size))
            if let wholeHandler, try wholeHandler(whole) { return }
            var start = 0
            while start < whole.count {
                let end = min(start + mappedSlice, whole.count)
                guard try body(UnsafeRawBufferPointer(rebasing: whole[start..<end]), true) else { return }
                start = end
            }
            return
        }
        try readAll(fd: fd, name: path, body)
    }

    /// Reads `fd` to its end in big blocks; returns false when `body` asked to stop.
    @discardableResult
    private static func readAll(
        fd: Int32,
        name: String,
        _ body: (UnsafeRawBufferPointer, _ stable: Bool) throws -> Bool
    ) throws -> Bool {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(name: name, errno: errno)
            }
            if count == 0 { return true }
            guard try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), false) else { return false }
        }
    }

    /// `tail -F`: read to the end, then poll; reopen when the path names a new file (rotation) and
    /// start over when the file shrank (truncation). Ends only when `body` says stop, or on an error.
    private static func followFile(
        fd initialFD: Int32,
        path: String,
        idle: () throws -> Void,
        _ body: (UnsafeRawBufferPointer, _ stable: Bool) throws -> Bool
    ) throws {
        var fd = initialFD
        defer { close(fd) }
        var offset = 0
        while true {
            var reachedEnd = false
            let keepGoing = try readAll(fd: fd, name: path) { block, stable in
                offset += block.count
                return try body(block, stable)
            }
            reachedEnd = keepGoing
            guard reachedEnd else { return }
            try idle()
            usleep(200_000)
            var current = stat()
            var named = stat()
            guard fstat(fd, &current) == 0 else { throw InputError(name: path, errno: errno) }
            if stat(path, &named) == 0, named.st_ino != current.st_ino || named.st_dev != current.st_dev {
                let reopened = open(path, O_RDONLY | O_CLOEXEC)
                if reopened >= 0 {
                    // Rotated: what is left in the old file was read above; continue with the new one.
                    close(fd)
                    fd = reopened
                    offset = 0
                }
            } else if Int(current.st_size) < offset {
                lseek(fd, 0, SEEK_SET)
                offset = 0
            }
        }
    }
}
