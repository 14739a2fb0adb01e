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
}
