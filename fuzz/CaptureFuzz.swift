// The capture's request path (issue 10), target "capture": the bytes of a request head (and body)
// go through the same pure functions sse-capture runs on every request — Route.decide (absolute-form,
// CONNECT, reverse prefixes, inside a tunnel), RequestPolicy.access (--proxy-auth, stripping of
// Proxy-Authorization), SessionID.resolve — and each answer is checked against what the proxy
// relies on. The first byte picks the connection's circumstances (tunnel, loopback, credentials).
import Foundation  // SessionID.swift calls String.range(of:); in sse-capture another file imports Foundation
import NIOHTTP1
import TapCodec

let captureRoutes = [
    "/anthropic=https://api.anthropic.com", "/o/x=https://[::1]:8443/v1/", "/=http://127.0.0.1:8080/base",
]
.compactMap(ReverseRoute.init(argument:))
let captureTunnel = Upstream(host: "tunnel.example", port: 443, tls: true)
let captureCredentials = ProxyCredentials(argument: "user:pa:ss")

/// Request line and header lines up to the first empty line (CRLF or LF), then the body; header
/// lines without a colon are skipped (NIO refuses them before ProxyHandler sees anything).
func splitRequest(
    _ bytes: ArraySlice<UInt8>
) -> (method: String, target: String, headers: [(String, String)], body: [UInt8]) {
    var lines: [String] = []
    var start = bytes.startIndex
    var index = bytes.startIndex
    var bodyStart = bytes.endIndex
    while index < bytes.endIndex {
        if bytes[index] == 0x0A {
            var end = index
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            if end == start && !lines.isEmpty {
                bodyStart = index + 1
                break
            }
            lines.append(String(decoding: bytes[start..<end], as: UTF8.self))
            start = index + 1
        }
        index += 1
    }
    if bodyStart == bytes.endIndex && start < bytes.endIndex {
        lines.append(String(decoding: bytes[start...], as: UTF8.self))
    }
    let requestLine = (lines.first ?? "").split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
    let method = requestLine.count > 0 ? String(requestLine[0]) : ""
    let target = requestLine.count > 1 ? String(requestLine[1]) : ""
    var headers: [(String, String)] = []
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
        headers.append((String(line[..<colon]), String(value)))
    }
    return (method, target, headers, Array(bytes[bodyStart...]))
}

func fuzzCapture(_ bytes: [UInt8]) {
    guard let flags = bytes.first else { return }
    let inTunnel = flags & 1 != 0
    let loopback = flags & 2 != 0
    let credentials = flags & 4 != 0 ? captureCredentials : nil
    let request = splitRequest(bytes.dropFirst())
    let method = HTTPMethod(rawValue: request.method)

    // Routing: where the request goes, and the head it is sent with.
    let tunnel = inTunnel ? captureTunnel : nil
    switch Route.decide(method: method, uri: request.target, tunnel: tunnel, reverse: captureRoutes) {
    case .forward(let upstream, let uri, let url):
        if method == .CONNECT { finding("CONNECT forwarded as a request") }
        if !uri.hasPrefix("/") { finding("forwarded with a URI that is not origin-form: \(uri.debugDescription)") }
        if url != upstream.origin + uri { finding("logged URL \(url.debugDescription) is not the upstream's") }
        if upstream.host.isEmpty || !(1...65535).contains(upstream.port) { finding("bad upstream \(upstream)") }
        if let tunnel, upstream != tunnel { finding("a request inside a tunnel left it for \(upstream)") }
        // The Host header the proxy writes names the same endpoint it connects to.
        let back = HostPort(upstream.authority, defaultPort: upstream.tls ? 443 : 80)
        if back?.host != upstream.host || back?.port != upstream.port {
            finding("Host \(upstream.authority.debugDescription) does not name \(upstream)")
        }
    case .connect(let target):
        if method != .CONNECT || inTunnel { finding("tunnel opened for \(request.method) in tunnel=\(inTunnel)") }
        if target.host.isEmpty || !(1...65535).contains(target.port) { finding("bad CONNECT target \(target)") }
    case .reject(let why):
        if why.isEmpty { finding("a rejection without a reason") }
    }

    // Access: with credentials configured, Proxy-Authorization never survives, and a request that
    // needed them passes only with a header the credentials accept.
    let isProxyAuthorization = { (name: String) in name.lowercased() == "proxy-authorization" }
    let decision = RequestPolicy.access(
        method: request.method,
        target: request.target,
        headers: request.headers,
        inTunnel: inTunnel,
        clientIsLoopback: loopback,
        credentials: credentials
    )
    switch decision {
    case .allow(let kept):
        if let credentials {
            if kept.contains(where: { isProxyAuthorization($0.0) }) { finding("Proxy-Authorization kept") }
            if kept.count != request.headers.filter({ !isProxyAuthorization($0.0) }).count {
                finding("other headers lost")
            }
            let needed = !inTunnel && (request.method == "CONNECT" || !request.target.hasPrefix("/") || !loopback)
            if needed && !request.headers.contains(where: { isProxyAuthorization($0.0) && credentials.accepts($0.1) }) {
                finding("allowed without credentials")
            }
        } else if kept.count != request.headers.count {
            finding("headers changed without --proxy-auth")
        }
    case .proxyAuthRequired:
        guard let credentials else { finding("407 without --proxy-auth") }
        // The right credentials always open the door.
        let good = ("Proxy-Authorization", "Basic " + String(decoding: credentials.token, as: UTF8.self))
        let retry = RequestPolicy.access(
            method: request.method,
            target: request.target,
            headers: request.headers + [good],
            inTunnel: inTunnel,
            clientIsLoopback: loopback,
            credentials: credentials
        )
        if retry == .proxyAuthRequired { finding("refused with the right credentials") }
    }
    // Any USER:PASS accepts its own token and nothing shorter.
    for (_, value) in request.headers.prefix(2) {
        if let made = ProxyCredentials(argument: value) {
            let token = String(decoding: made.token, as: UTF8.self)
            if !made.accepts("Basic " + token) { finding("credentials refuse their own token") }
            if made.accepts("Basic " + token.dropLast()) { finding("credentials accept a prefix") }
        }
        _ = RequestPolicy.isLoopback(value)
    }

    // Session id: headers first, then the JSON body, else the fallback hash; never empty.
    let json = JSONScanner.isValid(request.body) ? request.body : []
    let (session, source) = SessionID.resolve(
        headers: HTTPHeaders(request.headers),
        jsonBody: json,
        fallback: request.target
    )
    if session.isEmpty { finding("empty session id from \(source)") }
    if source.hasPrefix("header."), HTTPHeaders(request.headers).first(name: String(source.dropFirst(7))) != session {
        finding("session id \(session.debugDescription) is not the \(source) header")
    }
}
