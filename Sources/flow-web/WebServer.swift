// The HTTP side of flow-web on SwiftNIO: GET / is the page, GET /events is an SSE stream of page
// ops (the snapshot of what the page state holds, then every change). `Hub` owns the page state
// and the connected browsers behind one lock, so a browser that connects gets a snapshot and then
// exactly the ops after it. A browser that cannot keep up (its channel stops being writable) is
// closed rather than buffered for without bound; EventSource reconnects and starts from a new
// snapshot.

import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import TapCodec

final class Hub: @unchecked Sendable {
    private let lock = NIOLock()
    private var state: PageState
    private var pending: [UInt8] = []
    private var clients: [ObjectIdentifier: Channel] = [:]

    init(state: PageState) { self.state = state }

    /// Applies a record; its ops wait in `pending` until `publish()`.
    func feed(_ record: Record) {
        lock.withLock { state.feed(record, into: &pending) }
    }

    var pendingBytes: Int { lock.withLock { pending.count } }

    /// Sends what is pending to every browser.
    func publish() {
        lock.withLock { publishLocked() }
    }

    private func publishLocked() {
        guard !pending.isEmpty else { return }
        let event = Self.sseEvent(pending)
        pending.removeAll(keepingCapacity: true)
        for (key, channel) in clients {
            guard channel.isWritable else {
                clients.removeValue(forKey: key)
                channel.close(promise: nil)
                continue
            }
            channel.writeAndFlush(
                HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: event))),
                promise: nil
            )
        }
    }

    /// A new browser: pending ops go to the others first (the snapshot already holds them).
    func subscribe(_ channel: Channel) -> [UInt8] {
        lock.withLock {
            publishLocked()
            var ops: [UInt8] = []
            state.snapshot(into: &ops)
            clients[ObjectIdentifier(channel)] = channel
            var event = Array("event: reset\ndata: \n\n".utf8)
            if !ops.isEmpty { event += Self.sseEvent(ops) }
            return event
        }
    }

    func unsubscribe(_ channel: Channel) {
        _ = lock.withLock { clients.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var flowCount: Int { lock.withLock { state.flows.count } }

    /// Op lines -> one SSE event with a `data:` line per op.
    static func sseEvent(_ ops: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ops.count + ops.count / 8 + 8)
        var start = 0
        for i in 0..<ops.count where ops[i] == 0x0A {
            out.append(contentsOf: "data: ".utf8)
            out.append(contentsOf: ops[start..<i])
            out.append(0x0A)
            start = i + 1
        }
        out.append(0x0A)
        return out
    }
}

/// One HTTP connection: routes GET / and GET /events.
final class PageHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let hub: Hub
    private var streaming = false

    init(hub: Hub) { self.hub = hub }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        switch (request.method, path) {
        case (.GET, "/"), (.GET, "/index.html"):
            respond(
                context,
                status: .ok,
                type: "text/html; charset=utf-8",
                body: Array(Page.html.utf8),
                keepAlive: request.isKeepAlive
            )
        case (.GET, "/events"):
            streaming = true
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "text/event-stream")
            headers.add(name: "cache-control", value: "no-store")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))),
                promise: nil
            )
            let first = hub.subscribe(context.channel)
            context.writeAndFlush(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: first)))),
                promise: nil
            )
        case (.GET, "/favicon.ico"):
            respond(context, status: .noContent, type: "image/x-icon", body: [], keepAlive: request.isKeepAlive)
        default:
            respond(
                context,
                status: .notFound,
                type: "text/plain",
                body: Array("not found\n".utf8),
                keepAlive: request.isKeepAlive
            )
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if streaming { hub.unsubscribe(context.channel) }
        context.fireChannelInactive()
    }

    private func respond(
        _ context: ChannelHandlerContext,
        status: HTTPResponseStatus,
        type: String,
        body: [UInt8],
        keepAlive: Bool
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: type)
        headers.add(name: "content-length", value: String(body.count))
        // The page is ours alone: no framing by other sites, no scripts from anywhere else.
        headers.add(
            name: "content-security-policy",
            value: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"
        )
        headers.add(name: "x-content-type-options", value: "nosniff")
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
            promise: nil
        )
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}

enum WebServer {
    /// Binds `host:port` (port 0 picks one) and returns the channel; the server runs on `group`.
    static func start(host: String, port: Int, hub: Hub, group: EventLoopGroup) throws -> Channel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 1 << 20, high: 8 << 20))
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(PageHandler(hub: hub))
                }
            }
        return try bootstrap.bind(host: host, port: port).wait()
    }
}
