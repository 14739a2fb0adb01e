// The proxy's command-line options and how they become a running server.
import ArgumentParser
import NIOCore
import NIOSSL
import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct ProxyOptions: ParsableArguments {
    @Option(help: "Address to listen on (HOST:PORT).")
    var listen = "127.0.0.1:9110"
    @Option(name: .customLong("log-dir"), help: "Directory for sse_*.jsonl, sse_logger.error and sse_logs/.")
    var logDirectory: String?
    @Option(
        name: .customLong("reverse"),
        help: ArgumentHelp("Reverse route: requests under PREFIX go to URL (repeatable).", valueName: "PREFIX=URL")
    )
    var reverse: [String] = []
    @Option(help: ArgumentHelp("Tunnel CONNECT to HOST untouched, no interception (repeatable).", valueName: "HOST"))
    var passthrough: [String] = []
    @Flag(name: .customLong("no-intercept"), help: "Tunnel every CONNECT untouched (no CA needed).")
    var noIntercept = false
    @Option(name: .customLong("ca-dir"), help: "CA directory (default $XDG_CONFIG_HOME/streamtap/ca).")
    var caDirectory: String?
    @Option(name: .customLong("upstream-ca"), help: "Also trust this PEM CA file for upstream TLS.")
    var upstreamCA: String?
    @Flag(name: .customLong("insecure-upstream"), help: "Do not verify upstream TLS certificates (loudly).")
    var insecureUpstream = false
    @Option(
        name: .customLong("redact-header"),
        help: ArgumentHelp("Also redact this header (repeatable).", valueName: "NAME")
    )
    var redactHeaders: [String] = []
    @Option(name: .customLong("max-body"), help: "Largest request body kept in a flow record, in bytes.")
    var maxBody = 16 << 20
    @Flag(help: "Also keep each SSE body's raw bytes in sse_logs/<session_id>/<flow_id>.sse.")
    var raw = false
    @Option(help: "stdout: ndjson (default when not a terminal), text (one line per flow), or none.")
    var format: OutputFormat?
    @Option(name: .customLong("idle-timeout"), help: "Seconds without upstream bytes before a flow ends as timeout.")
    var idleTimeout = 600
    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for an upstream connection.")
    var connectTimeout = 30
    @Option(
        name: .customLong("header-timeout"),
        help: "Seconds a client may take to send a request head before it is disconnected."
    )
    var headerTimeout = 30
    @Option(
        name: .customLong("proxy-auth"),
        help: ArgumentHelp(
            "Require these Basic credentials (Proxy-Authorization) for forward and CONNECT requests; needed to listen off loopback.",
            valueName: "USER:PASS"
        )
    )
    var proxyAuth: String?
    @Option(help: "Event-loop threads (one loop carries hundreds of streams; each more costs memory).")
    var threads = 1
    @Option(
        name: .customLong("upstream-keepalive"),
        help: "Seconds an idle upstream connection is kept for reuse (0: a new connection per request)."
    )
    var upstreamKeepAlive = 30

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson, text, none
    }

    func validate() throws {
        for route in reverse where ReverseRoute(argument: route) == nil {
            throw ValidationError("--reverse \(route): expected PREFIX=http(s)://HOST[:PORT][/PATH]")
        }
        guard HostPort(listen, defaultPort: 9110) != nil else {
            throw ValidationError("--listen \(listen): expected HOST:PORT")
        }
        guard maxBody >= 0, idleTimeout > 0, connectTimeout > 0, headerTimeout > 0 else {
            throw ValidationError("--max-body, --idle-timeout, --connect-timeout and --header-timeout must be positive")
        }
        if let proxyAuth, ProxyCredentials(argument: proxyAuth) == nil {
            throw ValidationError("--proxy-auth: expected USER:PASS")
        }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        guard upstreamKeepAlive >= 0 else { throw ValidationError("--upstream-keepalive must not be negative") }
    }

    func makeServer() throws -> ProxyServer {
        let credentials = proxyAuth.flatMap(ProxyCredentials.init(argument:))
        if let host = HostPort(listen, defaultPort: 9110)?.host,
            let why = RequestPolicy.refusesToListen(host: host, credentials: credentials)
        {
            throw TapFailure("sse-capture: \(why)")
        }
        // One malloc arena for the whole process: the event loops' threads would each get their
        // own (64 MiB reserved, partly touched and fragmented) for a few KiB of live data each.
        MallocTuning.singleArena()
        let directory = logDirectory ?? homeDirectory() + "/centralized-logs/all-mitm-sse"
        let stdoutMode: StdoutMode
        switch format {
        case .ndjson: stdoutMode = .ndjson
        case .text: stdoutMode = .summary
        case .none?: stdoutMode = .none
        case nil: stdoutMode = .automatic
        }
        let sink = try LogSink(directory: directory, stdoutMode: stdoutMode, keepRaw: raw)

        var client = TLSConfiguration.makeClientConfiguration()
        client.applicationProtocols = ["http/1.1"]
        // An empty value (`--upstream-ca=` from a template with nothing to fill in) means none.
        if let upstreamCA, !upstreamCA.isEmpty { client.additionalTrustRoots = [.file(upstreamCA)] }
        if insecureUpstream {
            client.certificateVerification = .none
            writeStandardError(
                "sse-capture: WARNING: --insecure-upstream: upstream TLS certificates are NOT verified\n"
            )
        }
        var settings = ProxySettings(
            reverse: reverse.compactMap(ReverseRoute.init(argument:)),
            passthrough: Set(passthrough.map { $0.lowercased() }),
            recorder: RecorderSettings(
                maxBody: maxBody,
                redactHeaders: RecorderSettings.defaultRedacted.union(redactHeaders.map { $0.lowercased() })
            ),
            upstreamTLS: try NIOSSLContext(configuration: client),
            idleTimeout: .seconds(Int64(idleTimeout)),
            connectTimeout: .seconds(Int64(connectTimeout)),
            upstreamKeepAlive: .seconds(Int64(upstreamKeepAlive))
        )
        settings.headerTimeout = .seconds(Int64(headerTimeout))
        settings.proxyAuth = credentials
        let authority = noIntercept ? nil : try CertificateAuthority(files: CAFiles.resolve(caDirectory))
        let address = HostPort(listen, defaultPort: 9110) ?? HostPort("127.0.0.1:9110", defaultPort: 9110)
        return ProxyServer(
            host: address?.host ?? "127.0.0.1",
            port: address?.port ?? 9110,
            threads: threads,
            proxy: ProxyContext(settings: settings, sink: sink, authority: authority, openFlows: OpenFlows())
        )
    }
}

/// glibc's mallopt and malloc_trim, which Swift's Glibc module does not import (malloc.h), looked up at run time.
enum MallocTuning {
    /// M_ARENA_MAX from glibc's malloc.h.
    private static let arenaMax: Int32 = -8

    static func singleArena() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 1)
    }

    /// malloc_trim(0): returns every free page of the heap to the system, not only its top.
    static func releaseFreeMemory() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        typealias MallocTrim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
    }
}

/// `sse-capture ca --env`: the environment each client needs to trust the CA and use the proxy.
enum CAEnvironment {
    static func lines(proxy: String, caPath: String) -> String {
        // Split on the quote byte, not on Characters: a `'` followed by a combining mark is one
        // Character in Swift but still ends a single-quoted word for the shell.
        let parts = caPath.utf8.split(separator: UInt8(ascii: "'"), omittingEmptySubsequences: false)
        let quoted = "'" + parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "'\\''") + "'"
        return """
            export HTTPS_PROXY=\(proxy)
            export HTTP_PROXY=\(proxy)
            # Claude Code (Node): must be in the shell environment, not only in its settings file
            export NODE_EXTRA_CA_CERTS=\(quoted)
            # Codex CLI (Rust)
            export CODEX_CA_CERTIFICATE=\(quoted)
            export SSL_CERT_FILE=\(quoted)
            # Python requests / httpx, curl
            export REQUESTS_CA_BUNDLE=\(quoted)
            export CURL_CA_BUNDLE=\(quoted)

            """
    }
}
