// Where to connect and as whom: `--url redis://user:password@host:port/db` (or `unix:///path?db=N`,
// or REDIS_URL), overridden field by field by `--host --port --socket --user --password --db`.
// Pure: the command resolves it once and the connection wrapper uses it for every reconnect.

/// A TCP host and port, or a Unix socket path.
enum RedisEndpoint: Equatable {
    case tcp(host: String, port: Int)
    case unix(path: String)
}

/// Everything needed to (re)connect, plus the address text used in error messages.
struct RedisTarget: Equatable {
    var endpoint: RedisEndpoint = .tcp(host: "127.0.0.1", port: 6379)
    var user: String?
    var password: String?
    var database = 0

    /// `host:port` or the socket path, as printed in errors (never the password).
    var address: String {
        switch endpoint {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
    }

    /// Explicit options, each overriding the URL (when given) field by field.
    struct Overrides: Equatable {
        var host: String?
        var port: Int?
        var socket: String?
        var user: String?
        var password: String?
        var database: Int?
    }

    /// Resolves the target: `url` (from `--url`, else REDIS_URL) first, then the overrides.
    static func resolve(url: String?, overrides: Overrides) throws -> RedisTarget {
        var target = try url.map(parse(url:)) ?? RedisTarget()
        if let socket = overrides.socket {
            target.endpoint = .unix(path: socket)
        } else if overrides.host != nil || overrides.port != nil {
            var host = "127.0.0.1"
            var port = 6379
            if case .tcp(let h, let p) = target.endpoint { (host, port) = (h, p) }
            target.endpoint = .tcp(host: overrides.host ?? host, port: overrides.port ?? port)
        }
        if let user = overrides.user { target.user = user }
        if let password = overrides.password { target.password = password }
        if let database = overrides.database { target.database = database }
        return target
    }

    enum URLError: Error, CustomStringConvertible, Equatable {
        case invalid(String, reason: String)
        var description: String {
            switch self {
            case .invalid(let url, let reason): "invalid Redis URL '\(url.redactingPassword)': \(reason)"
            }
        }
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]` and `unix://[[user]:password@]/path[?db=N]`.
    static func parse(url: String) throws -> RedisTarget {
        let fail = { (reason: String) in URLError.invalid(url, reason: reason) }
        guard let schemeEnd = url.firstRange(of: "://") else { throw fail("expected redis:// or unix://") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(url[schemeEnd.upperBound...])
        var target = RedisTarget()
        // The credentials end at the last '@' (a password may itself hold '@' when percent-encoded or not).
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = try percentDecoded(credentials[..<colon], fail)
                target.user = user.isEmpty ? nil : user
                target.password = try percentDecoded(credentials[credentials.index(after: colon)...], fail)
            } else if !credentials.isEmpty {
                // redis://secret@host is the common form for a password without a user.
                target.password = try percentDecoded(credentials, fail)
            }
        }
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        switch scheme {
        case "redis":
            var hostPort = rest
            if let slash = rest.firstIndex(of: "/") {
                hostPort = rest[..<slash]
                let db = rest[rest.index(after: slash)...]
                if !db.isEmpty {
                    guard let n = Int(db), n >= 0 else { throw fail("database '\(db)' is not a number") }
                    target.database = n
                }
            }
            var host = hostPort
            var port = 6379
            if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
                host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
                let after = hostPort[hostPort.index(after: close)...]
                if after.hasPrefix(":") {
                    guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw fail("bad port") }
                    port = p
                }
            } else if let colon = hostPort.lastIndex(of: ":") {
                host = hostPort[..<colon]
                guard let p = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(p) else {
                    throw fail("bad port")
                }
                port = p
            }
            target.endpoint = .tcp(host: host.isEmpty ? "127.0.0.1" : String(host), port: port)
        case "unix", "redis+unix":
            guard rest.hasPrefix("/") else { throw fail("expected an absolute socket path") }
            target.endpoint = .unix(path: String(rest))
        case "rediss":
            throw fail("TLS (rediss://) is not supported; use a local tunnel such as stunnel")
        default:
            throw fail("unknown scheme '\(scheme)'")
        }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first == "db", parts.count == 2 {
                guard let n = Int(parts[1]), n >= 0 else { throw fail("database '\(parts[1])' is not a number") }
                target.database = n
            }
        }
        return target
    }

    private static func percentDecoded(_ text: Substring, _ fail: (String) -> URLError) throws -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard iterator.count >= 2,
                    let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
                else { throw fail("bad percent escape") }
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// The URL with its password replaced by `***`, safe to print.
    var redactingPassword: String {
        guard let schemeEnd = firstRange(of: "://"), let at = self[schemeEnd.upperBound...].lastIndex(of: "@") else {
            return self
        }
        let credentials = self[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else {
            return String(self[..<schemeEnd.upperBound]) + "***" + self[at...]
        }
        return String(self[..<colon]) + ":***" + self[at...]
    }
}
