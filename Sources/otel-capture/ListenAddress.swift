// HOST:PORT parsing for --listen, and the stdout check the default --format needs.
import Foundation

struct ListenAddress: Equatable {
    var host: String
    var port: Int

    /// "127.0.0.1:4318", "[::1]:4318", "localhost:0".
    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    /// Writing NDJSON to /dev/null would only cost CPU.
    static func stdoutIsDevNull() -> Bool {
        var out = stat()
        var null = stat()
        guard fstat(STDOUT_FILENO, &out) == 0, stat("/dev/null", &null) == 0 else { return false }
        return out.st_dev == null.st_dev && out.st_ino == null.st_ino
    }
}
