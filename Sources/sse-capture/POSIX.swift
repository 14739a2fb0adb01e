// The few operating-system calls the proxy makes outside SwiftNIO: environment, home directory,
// directory creation, stderr. Plain libc instead of Foundation, whose static copy (with ICU) was
// the largest part of the binary for these four things.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The value of environment variable `name`, or nil when it is unset.
func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// `$HOME`, else the password database's home directory for this user, else "/".
func homeDirectory() -> String {
    if let home = environmentValue("HOME"), !home.isEmpty { return home }
    if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
    return "/"
}

/// `mkdir -p` where each directory it creates gets `mode` (less the umask); true when `path` is
/// a directory afterwards. Existing directories keep their mode.
func makeDirectories(_ path: String, mode: mode_t) -> Bool {
    if isDirectory(path) { return true }
    var parent = path
    while parent.count > 1, parent.hasSuffix("/") { parent.removeLast() }
    if let slash = parent.lastIndex(of: "/") {
        let prefix = String(parent[..<slash])
        if !prefix.isEmpty, !makeDirectories(prefix, mode: mode) { return false }
    }
    if mkdir(path, mode) == 0 { return true }
    return errno == EEXIST && isDirectory(path)
}

private func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
}

/// Writes `message` to stderr with one write(2) (a line, so concurrent writers do not interleave).
func writeStandardError(_ message: String) {
    let bytes = Array(message.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        offset += written
    }
}

/// close(2), callable from types that have a `close` method of their own.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
