// `sse-capture doctor`: a real CONNECT and TLS handshake through the running proxy, trusting only
// the local CA, and a look at the environment variables the agents read. Each step says what is
// wrong in one line and what to do about it.
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct DoctorCheck {
    let listen: String
    let files: CAFiles
    let host: String

    /// Prints one line per check; true when the handshake through the proxy worked.
    func run() throws -> Bool {
        guard access(files.certificatePath, F_OK) == 0 else {
            say(
                "FAIL",
                "no CA at \(files.certificatePath): start sse-capture once (it creates the CA) or pass --ca-dir"
            )
            return false
        }
        say("ok", "CA certificate: \(files.certificatePath)")
        guard let proxy = HostPort(listen, defaultPort: 9110) else {
            say("FAIL", "--listen \(listen): expected HOST:PORT")
            return false
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let ok = handshake(group: group, proxy: proxy)
        environment()
        return ok
    }

    private func handshake(group: EventLoopGroup, proxy: HostPort) -> Bool {
        let channel: Channel
        do {
            channel = try ClientBootstrap(group: group).connectTimeout(.seconds(5))
                .connect(host: proxy.host, port: proxy.port).wait()
        } catch {
            say("FAIL", "nothing accepts connections on \(listen) (\(error)): is sse-capture running there?")
            return false
        }
        defer { channel.close(promise: nil) }
        let reply = channel.eventLoop.makePromise(of: String.self)
        let handshake = channel.eventLoop.makePromise(of: Void.self)
        do {
            try channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(ConnectReplyHandler(reply: reply))
            }.wait()
            let request = "CONNECT \(host):443 HTTP/1.1\r\nHost: \(host):443\r\n\r\n"
            try channel.writeAndFlush(ByteBuffer(string: request)).wait()
            let statusLine = try reply.futureResult.wait()
            guard statusLine.hasPrefix("HTTP/1.1 200") || statusLine.hasPrefix("HTTP/1.0 200") else {
                say("FAIL", "CONNECT \(host):443 answered \(statusLine.debugDescription)")
                return false
            }
            say("ok", "CONNECT \(host):443 through \(listen): \(statusLine)")
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(files.certificatePath)
            tls.applicationProtocols = ["http/1.1"]
            let context = try NIOSSLContext(configuration: tls)
            try channel.eventLoop.submit {
                let ops = channel.pipeline.syncOperations
                try ops.removeHandler(context: ops.context(handlerType: ConnectReplyHandler.self), promise: nil)
                try ops.addHandler(NIOSSLClientHandler(context: context, serverHostname: host), position: .first)
                try ops.addHandler(HandshakeWatcher(done: handshake))
            }.wait()
            try handshake.futureResult.wait()
            say("ok", "TLS handshake with \(host) through the proxy: certificate signed by the StreamTap CA")
            return true
        } catch {
            say(
                "FAIL",
                "TLS through the proxy failed: \(error). If it names a certificate, the proxy runs with "
                    + "another CA (--ca-dir) or does not intercept \(host) (--passthrough, --no-intercept)."
            )
            return false
        }
    }

    private func environment() {
        let proxyURL = environmentValue("HTTPS_PROXY") ?? environmentValue("https_proxy")
        say(proxyURL == nil ? "note" : "ok", "HTTPS_PROXY=\(proxyURL ?? "(unset): agents will not use the proxy")")
        for name in ["NODE_EXTRA_CA_CERTS", "CODEX_CA_CERTIFICATE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"] {
            let value = environmentValue(name)
            if value == files.certificatePath {
                say("ok", "\(name) points at the CA")
            } else {
                say("note", "\(name)=\(value ?? "(unset)"): `eval \"$(sse-capture ca --env)\"` sets it")
            }
        }
    }

    private func say(_ verdict: String, _ message: String) {
        print(verdict + String(repeating: " ", count: max(0, 4 - verdict.count)) + "  " + message)
    }
}

/// Reads the proxy's reply to CONNECT up to the blank line and hands back its status line.
private final class ConnectReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private var received = ""
    private let reply: EventLoopPromise<String>

    init(reply: EventLoopPromise<String>) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received += buffer.readString(length: buffer.readableBytes) ?? ""
        if received.contains("\r\n\r\n") {
            // By bytes: in Swift "\r\n" is one Character, so a Character search for "\r" finds nothing.
            reply.succeed(String(decoding: received.utf8.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reply.fail(ChannelError.eof)
    }
}

/// Completes when the TLS handshake does (or fails with its error).
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let done: EventLoopPromise<Void>

    init(done: EventLoopPromise<Void>) { self.done = done }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { done.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { done.fail(error) }

    func channelInactive(context: ChannelHandlerContext) { done.fail(ChannelError.eof) }
}
