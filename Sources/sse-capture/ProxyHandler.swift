// The client side of the proxy: one handler per client connection, one exchange at a time.
//
// Shape from swift-nio-examples connect-proxy (ConnectHandler's state enum, GlueHandler's paired
// reads): the upstream connection lives on the client's event loop, so the two sides call each
// other directly. Backpressure both ways: the upstream is read only while the client is
// writable, the client only while the upstream is writable; nothing is buffered without bound.
// Response bytes are written to the client first and handed to the FlowRecorder after the flush
// that sends them, so logging never delays a byte.
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Settings shared by every connection (immutable after start).
struct ProxySettings: Sendable {
    var reverse: [ReverseRoute]
    var passthrough: Set<String>
    var recorder: RecorderSettings
    var upstreamTLS: NIOSSLContext
    var idleTimeout: TimeAmount
    var connectTimeout: TimeAmount
    /// How long an idle upstream connection is kept for reuse (zero: a new connection per request).
    var upstreamKeepAlive: TimeAmount = .seconds(30)
    /// Longest wait for a request head (ProxyGuard); `--header-timeout`.
    var headerTimeout: TimeAmount = .seconds(30)
    /// `--proxy-auth`: credentials forward and CONNECT requests must carry (ProxyGuard).
    var proxyAuth: ProxyCredentials? = nil
}

/// Everything a connection needs, shared across connections.
struct ProxyContext: Sendable {
    let settings: ProxySettings
    let sink: LogSink
    let authority: CertificateAuthority?
    let openFlows: OpenFlows
    let pools = UpstreamPools()
}

final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Between exchanges.
        case idle
        /// A CONNECT head was read; the tunnel opens after its `.end`.
        case connectRequested(HostPort, intercept: Bool)
        /// A passthrough tunnel's upstream is connecting (or connected, waiting for the request's end).
        case tunnelling
        /// One request/response exchange is in flight.
        case exchanging(Exchange)
        /// Responding with an error and closing.
        case failed
    }

    let proxy: ProxyContext
    /// The CONNECT target when this connection is an intercepted TLS tunnel.
    let tunnel: Upstream?
    private var state: State = .idle
    private var context: ChannelHandlerContext?
    private var pendingClientRead = false
    private var clientAddress = ""
    /// The HTTPResponseEncoder's context, below which pre-framed body chunks are written.
    private var encoderContext: ChannelHandlerContext?

    init(proxy: ProxyContext, tunnel: Upstream?) {
        self.proxy = proxy
        self.tunnel = tunnel
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        clientAddress = context.channel.remoteAddress?.ipAddress ?? ""
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        encoderContext = nil
    }

    // MARK: client -> proxy

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .idle:
            guard case .head(let head) = part else { return }
            begin(head, context: context)
        case .connectRequested(let target, let intercept):
            if case .end = part { openTunnel(to: target, intercept: intercept, context: context) }
        case .exchanging(let exchange):
            exchange.requestPart(part)
        case .tunnelling, .failed:
            break
        }
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let decision = Route.decide(method: head.method, uri: head.uri, tunnel: tunnel, reverse: proxy.settings.reverse)
        if let local = context.channel.localAddress, let localHost = local.ipAddress, let localPort = local.port,
            let target = decision.target,
            Route.targetsSelf(host: target.host, port: target.port, localHost: localHost, localPort: localPort)
        {
            let why = "request to the proxy's own address \(target.host):\(target.port) (it would loop)"
            proxy.sink.error("request", "\(clientAddress): \(why)")
            return respondError(.loopDetected, why, context: context)
        }
        switch decision {
        case .reject(let why):
            proxy.sink.error("request", "\(clientAddress): \(why)")
            respondError(.badRequest, why, context: context)
        case .connect(let target):
            let intercept = proxy.authority != nil && !proxy.settings.passthrough.contains(target.host.lowercased())
            state = .connectRequested(target, intercept: intercept)
        case .forward(let upstream, let uri, let url):
            var upstreamHead = head
            upstreamHead.uri = uri
            upstreamHead.version = .http1_1
            // Hop-by-hop headers of the client<->proxy leg stay here.
            for name in ["proxy-connection", "proxy-authorization", "connection", "keep-alive", "te", "trailer"] {
                upstreamHead.headers.remove(name: name)
            }
            if head.headers.first(name: "upgrade") != nil {
                upstreamHead.headers.replaceOrAdd(name: "connection", value: "upgrade")
                // No permessage-deflate: the log reads the text frames as they pass.
                upstreamHead.headers.remove(name: "sec-websocket-extensions")
            } else {
                upstreamHead.headers.remove(name: "upgrade")
            }
            upstreamHead.headers.replaceOrAdd(name: "host", value: upstream.authority)
            let recorder = FlowRecorder(
                sink: proxy.sink,
                settings: proxy.settings.recorder,
                method: head.method.rawValue,
                url: url,
                requestHeaders: head.headers,
                clientAddress: clientAddress
            )
            // An upgrade request that the upstream refuses leaves the request decoder stopped (it waits
            // for an upgrade): such a connection closes after its response.
            let upgrade = head.headers.first(name: "upgrade") != nil
            let exchange = Exchange(
                owner: self,
                recorder: recorder,
                keepAlive: head.isKeepAlive && !upgrade,
                target: upstream,
                replayable: Exchange.isReplayable(head),
                requestMethod: head.method
            )
            state = .exchanging(exchange)
            exchange.send(.head(upstreamHead))
            connect(exchange, to: upstream, context: context)
        }
    }

    // MARK: upstream connection

    /// A parked keep-alive connection to `upstream` when there is one, else a new connection.
    private func connect(_ exchange: Exchange, to upstream: Upstream, context: ChannelHandlerContext) {
        if let (channel, handler) = upstreamPool(context.eventLoop).checkout(PoolKey(upstream)) {
            // A fresh read timer: the old one counts from the previous exchange's last byte.
            let ops = channel.pipeline.syncOperations
            if let timer = try? ops.context(handlerType: IdleStateHandler.self) {
                ops.removeHandler(context: timer, promise: nil)
            }
            try? ops.addHandler(IdleStateHandler(readTimeout: proxy.settings.idleTimeout), position: .before(handler))
            exchange.upstreamConnected(channel, reusing: handler)
            return
        }
        connectNew(exchange, to: upstream, eventLoop: context.eventLoop)
    }

    fileprivate func upstreamPool(_ loop: EventLoop) -> UpstreamPool {
        proxy.pools.pool(on: loop, idleTimeout: proxy.settings.upstreamKeepAlive)
    }

    fileprivate func connectNew(_ exchange: Exchange, to upstream: Upstream, eventLoop: EventLoop) {
        let tls = upstream.tls ? proxy.settings.upstreamTLS : nil
        let sniName = IPAddressBytes(upstream.host) == nil ? upstream.host : nil
        let idle = proxy.settings.idleTimeout
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: ProxyPipeline.receiveAllocator)
            .connectTimeout(proxy.settings.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ops = channel.pipeline.syncOperations
                    if let tls { try ops.addHandler(NIOSSLClientHandler(context: tls, serverHostname: sniName)) }
                    try ops.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes)
                    try ops.addHandler(IdleStateHandler(readTimeout: idle))
                }
            }
            .connect(host: upstream.host, port: upstream.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    exchange.upstreamConnected(channel)
                case .failure(let error):
                    exchange.upstreamFailed(error, connecting: true)
                }
            }
    }

    // MARK: CONNECT tunnels

    private func openTunnel(to target: HostPort, intercept: Bool, context: ChannelHandlerContext) {
        if intercept, let authority = proxy.authority {
            do {
                let tlsContext = try authority.serverContext(for: target.host)
                try switchToTLS(tlsContext, target: target, context: context)
            } catch {
                proxy.sink.error("connect", "\(target.host): \(error)")
                respondError(.badGateway, "cannot intercept \(target.host): \(error)", context: context)
            }
            return
        }
        state = .tunnelling
        ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(proxy.settings.connectTimeout)
            .connect(host: target.host, port: target.port)
            .assumeIsolated()
            .whenComplete { [self] result in
                guard let context = self.context else {
                    if case .success(let channel) = result { channel.close(promise: nil) }
                    return
                }
                switch result {
                case .success(let peer):
                    do {
                        try self.glue(peer, context: context)
                    } catch {
                        peer.close(promise: nil)
                        context.close(promise: nil)
                    }
                case .failure(let error):
                    self.proxy.sink.error("connect", "\(target.host):\(target.port): \(error)")
                    self.respondError(.badGateway, "cannot reach \(target.host):\(target.port)", context: context)
                }
            }
    }

    /// Answers the CONNECT, then turns this connection into a TLS server for `target` with a fresh
    /// HTTP stack and a new ProxyHandler that knows the tunnel's host.
    private func switchToTLS(_ tlsContext: NIOSSLContext, target: HostPort, context: ChannelHandlerContext) throws {
        let ops = context.pipeline.syncOperations
        let decoder = try ops.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try removeHTTPServerHandlers(ops)
        writeConnectEstablished(context)
        let upstream = Upstream(host: target.host, port: target.port, tls: true)
        try ops.addHandler(NIOSSLServerHandler(context: tlsContext), position: .before(self))
        try ProxyPipeline.addHTTPServerHandlers(
            ops,
            position: .before(self),
            handler: ProxyHandler(proxy: proxy, tunnel: upstream)
        )
        state = .tunnelling
        // The old decoder hands any bytes it already read (an eager ClientHello) to the TLS handler.
        ops.removeHandler(context: decoder, promise: nil)
        ops.removeHandler(self, promise: nil)
    }

    private func glue(_ peer: Channel, context: ChannelHandlerContext) throws {
        let ops = context.pipeline.syncOperations
        let decoder = try ops.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try removeHTTPServerHandlers(ops)
        writeConnectEstablished(context)
        let (local, remote) = GlueHandler.matchedPair()
        try ops.addHandler(local, position: .before(self))
        try peer.pipeline.syncOperations.addHandler(remote)
        ops.removeHandler(context: decoder, promise: nil)
        ops.removeHandler(self, promise: nil)
    }

    private func removeHTTPServerHandlers(_ ops: ChannelPipeline.SynchronousOperations) throws {
        for ctx in [
            try ops.context(handlerType: HTTPResponseEncoder.self),
            try ops.context(handlerType: HTTPServerPipelineHandler.self),
            try ops.context(handlerType: ProxyGuard.self),
            try ops.context(handlerType: HeadByteWatch.self),
        ] {
            ops.removeHandler(context: ctx, promise: nil)
        }
    }

    private func writeConnectEstablished(_ context: ChannelHandlerContext) {
        // Written below the (removed) encoder as raw bytes: a 200 to CONNECT has no body and no framing headers.
        let bytes = context.channel.allocator.buffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")
        context.channel.writeAndFlush(bytes, promise: nil)
    }

    // MARK: WebSocket upgrade

    /// After a 101 (already flushed to the client): both pipelines drop HTTP and are glued byte for
    /// byte, each with a WebSocketTapHandler in front of its GlueHandler.
    fileprivate func switchToWebSocket(upstream: Channel, upstreamHandler: UpstreamHandler, recorder: FlowRecorder) {
        guard let context else {
            upstream.close(promise: nil)
            return
        }
        let log = WebSocketLog(recorder: recorder)
        do {
            let ops = context.pipeline.syncOperations
            let decoder = try ops.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try removeHTTPServerHandlers(ops)
            let (local, remote) = GlueHandler.matchedPair()
            try ops.addHandler(WebSocketTapHandler(log: log, direction: .client), position: .before(self))
            try ops.addHandler(local, position: .before(self))
            let up = upstream.pipeline.syncOperations
            let upDecoder = try up.context(handlerType: ByteToMessageHandler<HTTPResponseDecoder>.self)
            // Everything HTTP on the upstream side goes (the header validator too, or it would see raw bytes).
            for ctx in [
                try? up.context(handlerType: HTTPRequestEncoder.self),
                try? up.context(handlerType: NIOHTTPRequestHeadersValidator.self),
                try? up.context(handlerType: IdleStateHandler.self),
            ] {
                if let ctx { up.removeHandler(context: ctx, promise: nil) }
            }
            try up.addHandler(WebSocketTapHandler(log: log, direction: .server), position: .before(upstreamHandler))
            try up.addHandler(remote, position: .before(upstreamHandler))
            up.removeHandler(context: upDecoder, promise: nil)
            up.removeHandler(upstreamHandler, promise: nil)
            state = .tunnelling
            ops.removeHandler(context: decoder, promise: nil)
            ops.removeHandler(self, promise: nil)
            upstream.flush()
            context.flush()
            // A read either handler held back (backpressure) would otherwise never be reissued.
            upstream.read()
            context.read()
        } catch {
            proxy.sink.error("websocket", "\(recorder.flowID): \(error)")
            recorder.end(.upstreamError)
            upstream.close(promise: nil)
            context.close(promise: nil)
        }
    }

    // MARK: responses to the client

    fileprivate func clientWrite(_ part: HTTPServerResponsePart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    fileprivate func clientFlush() {
        context?.flush()
    }

    /// Whether the response encoder sends this head's body chunked (its own rule: HTTP/1.1, a
    /// status that may have a body, no Content-Length, not an answer to HEAD), so the proxy may
    /// frame body chunks itself.
    fileprivate func encoderChunks(_ head: HTTPResponseHead, requestMethod: HTTPMethod) -> Bool {
        requestMethod != .HEAD && head.version == .http1_1 && head.status.mayHaveResponseBody
            && !head.headers.contains(name: "content-length")
    }

    /// Writes one body chunk already framed (`size CRLF bytes CRLF`) as a single buffer, below the
    /// response encoder. The encoder would write three buffers (size line, bytes, CRLF): three
    /// iovecs, and through TLS three SSL_write calls and three records per event, where one will
    /// do; the handlers in between only track heads and ends. The encoder still writes the head
    /// and the last chunk, so its state and HTTPServerPipelineHandler's stay in step.
    fileprivate func clientWriteFramedChunk(_ body: ByteBuffer) {
        guard body.readableBytes > 0 else { return }  // an empty chunk would end the body
        guard let context else { return }
        if encoderContext == nil {
            encoderContext = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        }
        guard let encoderContext else { return clientWrite(.body(.byteBuffer(body))) }
        var framed = context.channel.allocator.buffer(capacity: body.readableBytes + ChunkFraming.overhead)
        ChunkFraming.frame(body, into: &framed)
        encoderContext.write(NIOAny(framed), promise: nil)
    }

    fileprivate var clientWritable: Bool { context?.channel.isWritable ?? false }

    fileprivate func clientClose() {
        context?.close(promise: nil)
    }

    /// Ends the response, and closes once those bytes are out (a close may drop unwritten data).
    fileprivate func clientEndThenClose() {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// The exchange is over; the connection serves the next request (or closes when not keep-alive).
    fileprivate func exchangeFinished(_ exchange: Exchange, keepAlive: Bool) {
        guard case .exchanging(let current) = state, current === exchange else { return }
        state = .idle
        guard let context else { return }
        if !keepAlive {
            context.close(promise: nil)
        } else if pendingClientRead {
            pendingClientRead = false
            context.read()
        }
    }

    fileprivate func upstreamBecameWritable() {
        if pendingClientRead, let context {
            pendingClientRead = false
            context.read()
        }
    }

    private func respondError(_ status: HTTPResponseStatus, _ message: String, context: ChannelHandlerContext) {
        state = .failed
        context.respondAndClose(status, "sse-capture: \(message)\n")
    }

    // MARK: reads, writability, close

    func read(context: ChannelHandlerContext) {
        switch state {
        case .exchanging(let exchange):
            if exchange.upstreamWritable {
                context.read()
            } else {
                pendingClientRead = true
            }
        case .idle, .connectRequested, .tunnelling, .failed:
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .exchanging(let exchange) = state {
            exchange.clientBecameWritable()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .exchanging(let exchange) = state {
            exchange.clientClosed(shutdown: proxy.openFlows.isShuttingDown)
        }
        state = .failed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError {
            // ProxyGuard has answered 400 (431 for an oversized head) already.
            proxy.sink.error("request", "\(clientAddress): malformed request: \(error)")
        } else if let tls = error as? NIOSSLError, case .uncleanShutdown = tls {
            // A client that hangs up without close_notify: routine, not worth a line.
        } else if error is NIOSSLError || error is BoringSSLError {
            let host = tunnel?.host ?? "?"
            proxy.sink.error(
                "tls",
                "\(clientAddress) -> \(host): \(error) (does the client trust the CA? see sse-capture doctor)"
            )
        } else {
            proxy.sink.error("client", "\(clientAddress): \(error)")
        }
        context.close(promise: nil)
    }

}

/// One request/response exchange: the request parts on their way up, the response on its way down.
final class Exchange {
    private unowned let owner: ProxyHandler
    let recorder: FlowRecorder
    private let keepAlive: Bool
    private var upstream: Channel?
    private var upstreamHandler: UpstreamHandler?
    /// Request parts that arrived before the upstream connection was up (bounded by read gating).
    private var pending: [HTTPClientRequestPart] = []
    /// Response body buffers written to the client but not yet logged (logged after the flush).
    private var unlogged: [ByteBuffer] = []
    private var responseHeadSent = false
    private var upgrading = false
    private var finished = false
    /// Where the request goes (the pool key of its connection).
    private let target: Upstream
    /// The request's end has been handed to the upstream connection.
    private var requestEnded = false
    /// The upstream's response allows another request on its connection (HTTP/1.1, no `Connection: close`).
    private var upstreamKeepAlive = false
    /// The connection came from the pool: it may have been closed by the upstream just as it was reused.
    private var reusedConnection = false
    /// The request parts sent so far, kept until the response starts so a request that is safe to
    /// repeat can be resent on a new connection when a reused one fails first; nil when not replayable.
    private var replay: [HTTPClientRequestPart]?
    private var replayBytes = 0
    private static let maxReplayBytes = 1 << 20

    /// The request's method (a HEAD response has no body to frame).
    private let requestMethod: HTTPMethod
    /// The response body goes to the client chunked and the proxy frames each chunk itself.
    private var framesChunks = false

    init(
        owner: ProxyHandler,
        recorder: FlowRecorder,
        keepAlive: Bool,
        target: Upstream,
        replayable: Bool,
        requestMethod: HTTPMethod
    ) {
        self.owner = owner
        self.recorder = recorder
        self.keepAlive = keepAlive
        self.target = target
        self.replay = replayable ? [] : nil
        self.requestMethod = requestMethod
    }

    /// Safe to send twice (RFC 9110 §9.2.2 idempotent methods, or an Idempotency-Key), as Go's
    /// net/http decides when a reused connection fails: a plain POST is never repeated.
    static func isReplayable(_ head: HTTPRequestHead) -> Bool {
        switch head.method {
        case .GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE: return true
        default:
            return head.headers.contains(name: "idempotency-key") || head.headers.contains(name: "x-idempotency-key")
        }
    }

    var upstreamWritable: Bool { upstream?.isWritable ?? false }

    func requestPart(_ part: HTTPServerRequestPart) {
        let out: HTTPClientRequestPart
        switch part {
        case .head(let head): out = .head(head)
        case .body(let buffer):
            recorder.requestBody(buffer)
            out = .body(.byteBuffer(buffer))
        case .end(let trailers): out = .end(trailers)
        }
        send(out)
    }

    func send(_ part: HTTPClientRequestPart) {
        guard !finished else { return }
        if case .end = part { requestEnded = true }
        if replay != nil { keepForReplay(part) }
        if let upstream {
            upstream.writeAndFlush(part, promise: nil)
        } else {
            pending.append(part)
        }
    }

    private func keepForReplay(_ part: HTTPClientRequestPart) {
        if case .body(.byteBuffer(let buffer)) = part { replayBytes += buffer.readableBytes }
        if replayBytes > Self.maxReplayBytes {
            replay = nil
        } else {
            replay?.append(part)
        }
    }

    /// A new connection (`reusing` nil) or a pooled one with its handler.
    func upstreamConnected(_ channel: Channel, reusing pooled: UpstreamHandler? = nil) {
        guard !finished else {
            channel.close(promise: nil)
            return
        }
        let handler: UpstreamHandler
        if let pooled {
            handler = pooled
            handler.attach(self)
            reusedConnection = true
        } else {
            handler = UpstreamHandler(exchange: self)
            do {
                try channel.pipeline.syncOperations.addHandler(handler)
            } catch {
                channel.close(promise: nil)
                upstreamFailed(error, connecting: true)
                return
            }
        }
        upstream = channel
        upstreamHandler = handler
        for part in pending { channel.write(part, promise: nil) }
        pending = []
        channel.flush()
        // Reads from the client were held while connecting (nothing to forward to): resume them.
        owner.upstreamBecameWritable()
    }

    // MARK: upstream -> client

    func responsePart(_ part: HTTPClientResponsePart) {
        guard !finished else { return }
        switch part {
        case .head(let head):
            if head.status.code / 100 == 1 && head.status != .switchingProtocols {
                // 100 Continue and friends: forward, the real head follows.
                owner.clientWrite(
                    .head(HTTPResponseHead(version: .http1_1, status: head.status, headers: head.headers))
                )
                return
            }
            var headers = head.headers
            // The response has begun: the request will not be resent.
            replay = nil
            reusedConnection = false
            upstreamKeepAlive = head.isKeepAlive
            if head.status == .switchingProtocols {
                upgrading = true
            } else {
                for name in ["connection", "keep-alive", "proxy-connection"] { headers.remove(name: name) }
                if !keepAlive { headers.add(name: "connection", value: "close") }
            }
            responseHeadSent = true
            let clientHead = HTTPResponseHead(version: .http1_1, status: head.status, headers: headers)
            framesChunks = !upgrading && owner.encoderChunks(clientHead, requestMethod: requestMethod)
            owner.clientWrite(.head(clientHead))
            owner.clientFlush()
            recorder.responseHead(status: Int(head.status.code), headers: head.headers)
        case .body(let buffer):
            if framesChunks {
                owner.clientWriteFramedChunk(buffer)
            } else {
                owner.clientWrite(.body(.byteBuffer(buffer)))
            }
            unlogged.append(buffer)
        case .end(let trailers):
            if upgrading, let upstream, let upstreamHandler {
                // 101: both sides become byte tunnels with a WebSocket tap; this exchange steps aside.
                finished = true
                self.upstreamHandler = nil
                self.upstream = nil
                upstreamHandler.detach()
                owner.switchToWebSocket(upstream: upstream, upstreamHandler: upstreamHandler, recorder: recorder)
                return
            }
            owner.clientWrite(.end(trailers))
            owner.clientFlush()
            logUnlogged()
            finish(.complete)
        }
    }

    func upstreamReadComplete() {
        owner.clientFlush()
        logUnlogged()
    }

    private func logUnlogged() {
        guard !unlogged.isEmpty else { return }
        recorder.responseBody(unlogged)
        unlogged.removeAll(keepingCapacity: true)
    }

    var clientWritable: Bool { owner.clientWritable }

    func clientBecameWritable() { upstreamHandler?.resumeReading() }

    func upstreamBecameWritable() { owner.upstreamBecameWritable() }

    /// The upstream connection closed or failed before the response ended.
    func upstreamFailed(_ error: Error?, connecting: Bool) {
        guard !finished else { return }
        if reusedConnection, let replay, !responseHeadSent {
            // The upstream closed a pooled connection as it was reused (its keep-alive timeout):
            // the request never reached it; resend it, once, on a new connection.
            reusedConnection = false
            self.replay = nil
            upstreamHandler?.detach()
            upstreamHandler = nil
            if let upstream {
                upstream.close(promise: nil)
                self.upstream = nil
                pending = replay
                owner.connectNew(self, to: target, eventLoop: upstream.eventLoop)
                return
            }
        }
        let status: FlowEndStatus
        if let error, error is ChannelError, case .connectTimeout = error as? ChannelError {
            status = .timeout
        } else if let error, error is IdleTimeoutError {
            status = .timeout
        } else {
            status = .upstreamError
        }
        if let error { recorder.sink.error("upstream", "\(recorder.flowID): \(error)") }
        logUnlogged()
        // The flow ends before the client is touched: closing the client re-enters through clientClosed.
        let headSent = responseHeadSent
        finish(status)
        if headSent {
            // The client must see the cut: closing mid-body leaves its chunked body unterminated.
            owner.clientFlush()
            owner.clientClose()
        } else {
            let message =
                "sse-capture: " + (connecting ? "cannot reach upstream" : "upstream closed before responding") + "\n"
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "text/plain; charset=utf-8")
            headers.add(name: "content-length", value: String(message.utf8.count))
            headers.add(name: "connection", value: "close")
            let code: HTTPResponseStatus = status == .timeout ? .gatewayTimeout : .badGateway
            owner.clientWrite(.head(HTTPResponseHead(version: .http1_1, status: code, headers: headers)))
            owner.clientWrite(.body(.byteBuffer(ByteBuffer(string: message))))
            owner.clientEndThenClose()
        }
    }

    /// The client went away mid-exchange (or the proxy is shutting down and closed it).
    func clientClosed(shutdown: Bool) {
        guard !finished else { return }
        logUnlogged()
        finish(.clientAbort, reason: shutdown ? "shutdown" : nil)
    }

    private func finish(_ status: FlowEndStatus, reason: String? = nil) {
        finished = true
        recorder.end(status, reason: reason)
        // Reuse only a connection whose exchange is over on both sides and that the upstream keeps open.
        if status == .complete, requestEnded, upstreamKeepAlive, !upgrading, let upstream, let upstreamHandler {
            let pool = owner.upstreamPool(upstream.eventLoop)
            upstreamHandler.detach()
            if !pool.checkin(upstream, handler: upstreamHandler, key: PoolKey(target)) { upstream.close(promise: nil) }
            self.upstreamHandler = nil
            self.upstream = nil
        }
        upstream?.close(promise: nil)
        if status == .complete { owner.exchangeFinished(self, keepAlive: keepAlive) }
        upstreamHandler?.detach()
        upstreamHandler = nil
        upstream = nil
    }
}

/// The upstream side: hands response parts to its exchange; reads only while the client can take them.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private var exchange: Exchange?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Set while the connection sits idle in a pool.
    private var parkedIn: (pool: UpstreamPool, key: PoolKey)?

    init(exchange: Exchange?) { self.exchange = exchange }

    func detach() { exchange = nil }

    func attach(_ exchange: Exchange) { self.exchange = exchange }

    /// Idle in `pool`: keep reading so an upstream close is seen; any event drops the connection.
    func park(in pool: UpstreamPool, key: PoolKey) {
        exchange = nil
        parkedIn = (pool, key)
        resumeReading()
    }

    func unpark() { parkedIn = nil }

    /// A parked connection that closes, errs, times out or sends bytes nobody asked for is dropped.
    private func dropParked(_ context: ChannelHandlerContext) {
        guard let parkedIn else { return }
        self.parkedIn = nil
        parkedIn.pool.remove(context.channel, key: parkedIn.key)
        context.close(promise: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let exchange {
            exchange.responsePart(unwrapInboundIn(data))
        } else {
            dropParked(context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstreamReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if exchange?.clientWritable ?? true {
            context.read()
        } else {
            pendingRead = true
        }
    }

    func resumeReading() {
        if pendingRead, let context {
            pendingRead = false
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { exchange?.upstreamBecameWritable() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange?.upstreamFailed(nil, connecting: false)
        dropParked(context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            exchange?.upstreamFailed(IdleTimeoutError(), connecting: false)
            dropParked(context)
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        exchange?.upstreamFailed(error, connecting: false)
        dropParked(context)
        context.close(promise: nil)
    }
}

struct IdleTimeoutError: Error, CustomStringConvertible {
    var description: String { "no bytes from upstream within --idle-timeout" }
}

extension ChannelHandlerContext {
    /// Answers with a short plain-text response and closes the connection once it is written: the
    /// proxy's own refusals (400, 407, 502, 508), from whichever handler refuses.
    func respondAndClose(_ status: HTTPResponseStatus, _ message: String, extraHeaders: [(String, String)] = []) {
        let body = channel.allocator.buffer(string: message)
        var headers = HTTPHeaders(extraHeaders)
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).assumeIsolated().whenComplete { _ in
            self.close(promise: nil)
        }
    }
}

/// HTTP/1.1 chunk framing (RFC 9112 §7.1) of one non-empty chunk into one buffer.
enum ChunkFraming {
    /// Most bytes the framing adds: 16 hex digits and two CRLFs.
    static let overhead = 20

    static func frame(_ body: ByteBuffer, into out: inout ByteBuffer) {
        let digits: StaticString = "0123456789abcdef"
        let size = body.readableBytes
        var shift = (Int.bitWidth - size.leadingZeroBitCount + 3) / 4 * 4
        if shift == 0 { shift = 4 }
        repeat {
            shift -= 4
            out.writeInteger(digits.utf8Start[(size >> shift) & 0xF])
        } while shift > 0
        out.writeStaticString("\r\n")
        out.writeImmutableBuffer(body)
        out.writeStaticString("\r\n")
    }
}
