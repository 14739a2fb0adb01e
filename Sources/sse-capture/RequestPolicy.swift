// Who may use the proxy and how large a request head may be: the pure checks that run on every
// request head before routing (issue 10). No NIO and no Foundation here, so fuzz/build.sh can
// compile this file as it is into the libFuzzer binary; ProxyGuard applies the decisions.

/// `--proxy-auth USER:PASS`: the Basic credentials forward and CONNECT requests must carry.
struct ProxyCredentials: Sendable, Equatable {
    /// base64("USER:PASS"), the token after `Basic ` in a `Proxy-Authorization` value.
    let token: [UInt8]

    /// nil unless the argument is `USER:PASS` with a non-empty user.
    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":"), colon != argument.startIndex else { return nil }
        token = Base64.encode(Array(argument.utf8))
    }

    /// Whether one `Proxy-Authorization` header value carries these credentials. The scheme is
    /// case-insensitive (RFC 9110 §11.1); the token is compared in constant time, so the time a
    /// refusal takes says nothing about how much of a guess was right.
    func accepts(_ value: String) -> Bool {
        var bytes = Substring(value).utf8.drop(while: { $0 == 0x20 || $0 == 0x09 })
        let scheme = Array("basic".utf8)
        guard bytes.count > scheme.count else { return false }
        for expected in scheme {
            guard let byte = bytes.first, byte | 0x20 == expected else { return false }
            bytes = bytes.dropFirst()
        }
        guard let space = bytes.first, space == 0x20 else { return false }
        let given = Array(
            bytes.drop(while: { $0 == 0x20 }).reversed().drop(while: { $0 == 0x20 || $0 == 0x09 }).reversed()
        )
        guard given.count == token.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given, token) { difference |= a ^ b }
        return difference == 0
    }
}

/// What ProxyGuard does with a request head.
enum AccessDecision: Equatable {
    /// Pass it on, with these headers (the credentials removed when `--proxy-auth` checked them).
    case allow(headers: [(String, String)])
    /// Answer 407 with `Proxy-Authenticate: Basic realm="sse-capture"` and close.
    case proxyAuthRequired

    static func == (lhs: AccessDecision, rhs: AccessDecision) -> Bool {
        switch (lhs, rhs) {
        case (.proxyAuthRequired, .proxyAuthRequired): return true
        case (.allow(let a), .allow(let b)): return a.elementsEqual(b, by: { $0 == $1 })
        default: return false
        }
    }
}

enum RequestPolicy {
    /// Largest request head (request line and every header, names and values): 64 KiB, as common
    /// servers allow (nginx 4 x 8 KiB, Node 16 KiB, Go 1 MiB). A larger head gets 431. Claude
    /// Code's and Codex's heads are under 4 KiB; the bodies, which hold the prompts, are not limited.
    static let maxHeadBytes = 64 << 10

    /// The realm of the 407 answer.
    static let realm = "sse-capture"

    /// Whether a request may use the proxy.
    ///
    /// Without `--proxy-auth` everything is allowed (the proxy then listens on loopback only, see
    /// `refusesToListen`). With it, forward requests (absolute-form) and CONNECT need a matching
    /// `Proxy-Authorization`; requests inside an intercepted tunnel were authorised by their CONNECT;
    /// reverse-route requests (origin-form) need it only from a client that is not on loopback,
    /// because a client pointed at a base URL (Claude Code's ANTHROPIC_BASE_URL) sends no proxy
    /// credentials unless told to (ANTHROPIC_CUSTOM_HEADERS). `Proxy-Authorization` is removed
    /// whenever credentials are configured: it never reaches the upstream nor the log.
    static func access(
        method: String,
        target: String,
        headers: [(String, String)],
        inTunnel: Bool,
        clientIsLoopback: Bool,
        credentials: ProxyCredentials?
    ) -> AccessDecision {
        guard let credentials else { return .allow(headers: headers) }
        let isProxyAuthorization = { (name: String) in name.lowercased() == "proxy-authorization" }
        let stripped = headers.filter { !isProxyAuthorization($0.0) }
        let forward = method == "CONNECT" || !target.hasPrefix("/")
        let needed = !inTunnel && (forward || !clientIsLoopback)
        if !needed { return .allow(headers: stripped) }
        let authorised = headers.contains { isProxyAuthorization($0.0) && credentials.accepts($0.1) }
        return authorised ? .allow(headers: stripped) : .proxyAuthRequired
    }

    /// Loopback as `--listen` or a peer address spells it: 127.0.0.0/8, ::1, localhost.
    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "::1" || lower == "[::1]" || lower == "0:0:0:0:0:0:0:1" { return true }
        if lower.hasPrefix("::ffff:") { return isLoopback(String(lower.dropFirst(7))) }
        let parts = lower.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in UInt8(part).map { _ in true } ?? false }
    }

    /// Why the proxy must not start, or nil: a listener off loopback without `--proxy-auth` would be
    /// an open proxy that anyone on the network could use, with their traffic in this user's logs.
    static func refusesToListen(host: String, credentials: ProxyCredentials?) -> String? {
        if credentials != nil || isLoopback(host) { return nil }
        return "refusing to listen on \(host) (not loopback) without --proxy-auth USER:PASS:"
            + " anyone who can reach it could use it as an open proxy"
    }
}

/// RFC 4648 base64 with padding (only encoding is needed: the expected token is built once).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return out
    }
}
