// Where a proxied request goes: the pure part of the proxy's request handling.
//
// A request reaches sse-capture in one of three shapes: absolute-form (`GET http://host/p`,
// plain forward proxy), origin-form under a `--reverse` prefix (`POST /anthropic/v1/messages`),
// or origin-form inside an intercepted CONNECT tunnel (the tunnel fixes host and port). `Route`
// turns the request head into the upstream's address and the head to send it, with no I/O.
import NIOHTTP1

/// One upstream endpoint.
struct Upstream: Hashable, Sendable {
    var host: String
    var port: Int
    var tls: Bool

    /// `host[:port]` as a Host header writes it (the default port left out).
    var authority: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }
    var origin: String { (tls ? "https://" : "http://") + authority }
}

/// `--reverse /prefix=http(s)://host[:port][/base]`.
struct ReverseRoute: Hashable, Sendable {
    var prefix: String
    var upstream: Upstream
    var basePath: String

    init?(argument: String) {
        guard let eq = argument.firstIndex(of: "=") else { return nil }
        var prefix = String(argument[..<eq])
        if !prefix.hasPrefix("/") { prefix = "/" + prefix }
        while prefix.count > 1 && prefix.hasSuffix("/") { prefix.removeLast() }
        guard let url = ParsedURL(String(argument[argument.index(after: eq)...])) else { return nil }
        self.prefix = prefix
        self.upstream = url.upstream
        self.basePath = url.path == "/" ? "" : (url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path)
    }
}

/// An absolute http(s) URL split into the parts a proxy needs.
struct ParsedURL: Equatable {
    var upstream: Upstream
    /// Path and query, always starting with "/".
    var path: String

    init?(_ text: String) {
        let lower = text.lowercased()
        let tls: Bool
        let rest: Substring
        if lower.hasPrefix("http://") {
            tls = false
            rest = text.dropFirst(7)
        } else if lower.hasPrefix("https://") {
            tls = true
            rest = text.dropFirst(8)
        } else {
            return nil
        }
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        guard let hostPort = HostPort(String(rest[..<slash]), defaultPort: tls ? 443 : 80) else { return nil }
        upstream = Upstream(host: hostPort.host, port: hostPort.port, tls: tls)
        let tail = String(rest[slash...])
        path = tail.isEmpty ? "/" : (tail.hasPrefix("?") ? "/" + tail : tail)
    }
}

/// `host`, `host:port`, `[v6]:port` (a CONNECT target or a URL authority).
struct HostPort: Equatable {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(_ text: String, defaultPort: Int) {
        var authority = Substring(text)
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            host = String(authority)
            port = defaultPort
        }
        // No brackets left inside the host (fuzz finding: `[:[:1]]` gave a Host header naming another
        // endpoint than the one connected to), no spaces, slashes or control bytes.
        let refused: (UInt8) -> Bool = { $0 <= 0x20 || $0 == 0x7F || $0 == 0x2F || $0 == 0x5B || $0 == 0x5D }
        if host.isEmpty || host.utf8.contains(where: refused) { return nil }
    }
}

/// The decision for one request head.
enum RouteDecision: Equatable {
    /// Send `head` (origin-form URI, Host set) to `upstream`; `url` is what the log records.
    case forward(upstream: Upstream, uri: String, url: String)
    /// Open a tunnel to this host (CONNECT).
    case connect(HostPort)
    /// Not something this proxy can route; the string says why (goes in the 400 body and the error log).
    case reject(String)

    /// Where the request would go (nil for a rejected one).
    var target: HostPort? {
        switch self {
        case .forward(let upstream, _, _): return HostPort(host: upstream.host, port: upstream.port)
        case .connect(let target): return target
        case .reject: return nil
        }
    }
}

enum Route {
    /// Decides where `head` goes. `tunnel` is the CONNECT target when the request arrived inside an
    /// intercepted TLS tunnel (the request is origin-form then, and reverse prefixes do not apply).
    static func decide(method: HTTPMethod, uri: String, tunnel: Upstream?, reverse: [ReverseRoute]) -> RouteDecision {
        if method == .CONNECT {
            guard tunnel == nil, let target = HostPort(uri, defaultPort: 443) else {
                return .reject("bad CONNECT target \(uri.debugDescription)")
            }
            return .connect(target)
        }
        if let tunnel {
            guard uri.hasPrefix("/") else { return .reject("bad request target \(uri.debugDescription)") }
            return .forward(upstream: tunnel, uri: uri, url: tunnel.origin + uri)
        }
        if let url = ParsedURL(uri) {
            return .forward(upstream: url.upstream, uri: url.path, url: url.upstream.origin + url.path)
        }
        if uri.hasPrefix("/") {
            // Longest prefix first, on a path-segment boundary: /anthropic matches /anthropic/v1 but not /anthropicx.
            let path = uri.prefix(while: { $0 != "?" })
            for route in reverse.sorted(by: { $0.prefix.count > $1.prefix.count }) {
                let matches =
                    route.prefix == "/" || path == route.prefix
                    || path.hasPrefix(route.prefix + "/")
                if matches {
                    var rest = route.prefix == "/" ? uri : String(uri.dropFirst(route.prefix.count))
                    if !rest.hasPrefix("/") { rest = "/" + rest }
                    let target = route.basePath + rest
                    return .forward(upstream: route.upstream, uri: target, url: route.upstream.origin + target)
                }
            }
            return .reject("no --reverse route for \(String(path).debugDescription)")
        }
        return .reject("bad request target \(uri.debugDescription)")
    }
}

extension Route {
    /// Whether `host:port` is this proxy itself, listening on `local` (the address the client
    /// connected to): a request sent there would come straight back and go round until the
    /// descriptors run out. Loopback names and addresses count as local when the proxy itself is
    /// on loopback or on a wildcard address; names other than `localhost` are not resolved (a DNS
    /// name aliasing the proxy is the user's own doing and costs one refused hop per lap anyway).
    static func targetsSelf(host: String, port: Int, localHost: String, localPort: Int) -> Bool {
        guard port == localPort else { return false }
        let name = host.lowercased()
        if name == localHost.lowercased() { return true }
        let isLoopbackName =
            name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name.hasPrefix("127.")
        let isWildcard = name == "0.0.0.0" || name == "::"
        let localIsLoopbackOrWildcard =
            localHost.hasPrefix("127.") || localHost == "::1" || localHost == "0.0.0.0" || localHost == "::"
        return (isLoopbackName || isWildcard) && localIsLoopbackOrWildcard
    }
}
