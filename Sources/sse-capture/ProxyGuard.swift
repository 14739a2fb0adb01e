// The client connection's guards (issue 10), in front of ProxyHandler:
//   - a request head larger than RequestPolicy.maxHeadBytes gets 431 (the decoder's limit);
//   - a client that does not finish a request head within --header-timeout is closed (slow-loris).
//     The clock runs from the connection's start until the first head, and on a kept-alive
//     connection from the first byte of the next head until that head is complete. It never runs
//     during an exchange, so a streaming response may stay silent as long as --idle-timeout allows,
//     and an idle keep-alive connection (no byte sent) stays open for the client's pool;
//   - with --proxy-auth, requests without the credentials get 407 (RequestPolicy.access).
// ProxyGuard takes the place of NIO's HTTPServerProtocolErrorHandler (same 400 answer to a
// malformed request, 431 for an oversized head); HeadByteWatch sits in front of the decoder only
// to notice the first byte of a head.
import NIOCore
import NIOHTTP1

/// The head timer of one connection, shared by its HeadByteWatch and ProxyGuard (same event loop).
final class HeadClock {
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// True between exchanges: the next bytes are a request head.
    private(set) var awaitingHead = true

    init(timeout: TimeAmount) { self.timeout = timeout }

    /// Starts the clock if a head is awaited and it is not running yet.
    func start(_ context: ChannelHandlerContext) {
        guard awaitingHead, timer == nil else { return }
        let channel = context.channel
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            guard let self, self.awaitingHead else { return }
            self.timer = nil
            channel.close(promise: nil)
        }
    }

    /// A whole head arrived: no clock until the exchange is over.
    func headArrived() {
        awaitingHead = false
        stop()
    }

    /// The response ended: the connection waits for its next request (the clock starts at its first byte).
    func exchangeEnded() { awaitingHead = true }

    func stop() {
        timer?.cancel()
        timer = nil
    }
}

/// In front of the request decoder: the first byte of a request head starts the head clock.
final class HeadByteWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let clock: HeadClock

    init(clock: HeadClock) { self.clock = clock }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if clock.awaitingHead { clock.start(context) }
        context.fireChannelRead(data)
    }
}

/// Between the HTTP server handlers and ProxyHandler: head timeout, proxy authentication, and
/// the answer to a request the decoder refused.
final class ProxyGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let clock: HeadClock
    private let credentials: ProxyCredentials?
    private let inTunnel: Bool
    private let sink: LogSink
    private var clientIsLoopback = false
    private var clientAddress = ""
    private var hasUnterminatedResponse = false
    /// A 407 was sent: the rest of that request is dropped and the connection closes.
    private var refused = false

    init(clock: HeadClock, credentials: ProxyCredentials?, inTunnel: Bool, sink: LogSink) {
        self.clock = clock
        self.credentials = credentials
        self.inTunnel = inTunnel
        self.sink = sink
    }

    /// The decoder with the head limit, this guard and its byte watch, in pipeline order around
    /// the HTTP server handlers (see ProxyPipeline.addHTTPServerHandlers).
    static func decoder() -> ByteToMessageHandler<HTTPRequestDecoder> {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = RequestPolicy.maxHeadBytes
        limits.maxHeaderFieldSize = RequestPolicy.maxHeadBytes
        return ByteToMessageHandler(
            HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes, limitConfiguration: limits)
        )
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? ""
        clientAddress = address
        clientIsLoopback = RequestPolicy.isLoopback(address)
        // A connection that never sends a byte is closed too; inside a tunnel the clock covers the TLS handshake.
        if context.channel.isActive { clock.start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        clock.start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        clock.stop()
    }

    func channelInactive(context: ChannelHandlerContext) {
        clock.stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let part = unwrapInboundIn(data)
        guard case .head(var head) = part else {
            context.fireChannelRead(data)
            return
        }
        clock.headArrived()
        guard credentials != nil else {
            context.fireChannelRead(data)
            return
        }
        let decision = RequestPolicy.access(
            method: head.method.rawValue,
            target: head.uri,
            headers: head.headers.map { ($0.name, $0.value) },
            inTunnel: inTunnel,
            clientIsLoopback: clientIsLoopback,
            credentials: credentials
        )
        switch decision {
        case .allow(let headers):
            head.headers = HTTPHeaders(headers)
            context.fireChannelRead(wrapInboundOut(.head(head)))
        case .proxyAuthRequired:
            refused = true
            // The credentials (a guess or a wrong password) are never logged, only that they failed.
            let given = head.headers.contains(name: "proxy-authorization") ? "wrong" : "no"
            sink.error("auth", "\(clientAddress): \(given) Proxy-Authorization for \(head.method.rawValue) \(head.uri)")
            context.respondAndClose(
                .proxyAuthenticationRequired,
                "sse-capture: proxy authentication required\n",
                extraHeaders: [("proxy-authenticate", "Basic realm=\"\(RequestPolicy.realm)\"")]
            )
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code / 100 == 1 && head.status != .switchingProtocols:
            break
        case .head:
            hasUnterminatedResponse = true
        case .body:
            break
        case .end:
            hasUnterminatedResponse = false
            clock.exchangeEnded()
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // As HTTPServerProtocolErrorHandler: a parser error is fatal; answer it if no response has
        // started (the decoder closes the connection right after this returns).
        if let parserError = error as? HTTPParserError, !hasUnterminatedResponse {
            let status: HTTPResponseStatus =
                parserError == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
            let headers = HTTPHeaders([("Connection", "close"), ("Content-Length", "0")])
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil
            )
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.fireErrorCaught(error)
    }
}
