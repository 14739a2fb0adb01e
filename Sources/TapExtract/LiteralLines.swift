// The lines of a file that contain a literal, found the way ripgrep finds them: the file is
// mapped and searched whole with memmem, and only the lines around the hits are handed out.
// extract-usage needs a few thousand usage events out of a log whose bytes are mostly request
// bodies; this never splits the other lines at all. Regular files only (a pipe is read with
// LineReader instead).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum LiteralLines {
    /// Calls `body(line, lineNumber?)` for each line of `path` holding `needle`, in order.
    /// False when the file cannot be mapped (not a regular file): read it line by line instead.
    public static func forEach(
        in path: String, containing needle: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        let size = Int(st.st_size)
        if size == 0 { return true }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { return false }
        defer { munmap(map, size) }
        madvise(map, size, MADV_SEQUENTIAL)
        let base = UnsafeRawPointer(map)
        var from = 0
        try needle.withUnsafeBytes { key in
            while from < size, let hit = findBytes(base + from, size - from, key.baseAddress, key.count) {
                let at = base.distance(to: UnsafeRawPointer(hit))
                var start = at
                while start > from, base.load(fromByteOffset: start - 1, as: UInt8.self) != 0x0A { start -= 1 }
                let rest = size - at
                let end = memchr(base + at, 0x0A, rest).map { base.distance(to: UnsafeRawPointer($0)) } ?? size
                try body(UnsafeRawBufferPointer(start: base + start, count: end - start))
                from = end + 1
            }
        }
        return true
    }
}
