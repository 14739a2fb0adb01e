// The listening socket and process lifetime: bind, accept, shut down on SIGINT/SIGTERM.
//
// Every accepted connection gets the HTTP/1.1 server stack and a ProxyHandler. Open client
// connections are tracked so a signal can close them: each open exchange then writes its
// flow_end (client_abort, reason shutdown) before the process exits.
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TapCLI

/// The connections that are open now, and whether the proxy is shutting down.
final class OpenFlows: Sendable {
    private let channels = Mutex<[ObjectIdentifier: Channel]>([:])
    private let stopping = Atomic<Bool>(false)

    var isShuttingDown: Bool { stopping.load(ordering: .relaxed) }

    func add(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            let remaining = channels.withLock { open in
                open.removeValue(forKey: id)
                return open.count
            }
            // The last connection of a burst is gone: hand the heap's free pages back. glibc
            // returns only the top of the heap by itself, and a few long-lived blocks above the
            // freed TLS buffers of 100 connections kept ~8 MiB resident after the bench's
            // 50-stream run (0.7 MiB in use). Costs a heap walk (about a millisecond) per idle moment.
            if remaining == 0 && !isShuttingDown { MallocTuning.releaseFreeMemory() }
        }
    }

    /// Closes every open connection; the future completes when all are closed.
    func closeAll(on loop: EventLoop) -> EventLoopFuture<Void> {
        stopping.store(true, ordering: .relaxed)
        let open = channels.withLock { Array($0.values) }
        let closed = open.map { channel in
            channel.close().flatMapErrorThrowing { _ in () }
        }
        return EventLoopFuture.andAllComplete(closed, on: loop)
    }
}

enum ProxyPipeline {
    /// Socket reads of at most 16 KiB (one TLS record; NIO's default grows to 64 KiB): every
    /// channel keeps its last receive buffer for reuse, so this bounds what 100 open connections
    /// hold at rest.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 16384)
    /// A client that reads slower than its upstream sends stops the upstream reads once 32 KiB wait
    /// for it (NIO's default is 64 KiB): per stream, that is what backpressure lets pile up here.
    static let clientWriteWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 16384, high: 32768)

    /// The HTTP/1.1 server stack in front of a ProxyHandler (the decoder forwards leftover bytes so a
    /// CONNECT tunnel can take over the connection).
    static func addHTTPServerHandlers(
        _ ops: ChannelPipeline.SynchronousOperations,
        position: ChannelPipeline.SynchronousOperations.Position,
        handler: ProxyHandler
    ) throws {
        let clock = HeadClock(timeout: handler.proxy.settings.headerTimeout)
        let settings = handler.proxy.settings
        try ops.addHandlers(
            [
                HeadByteWatch(clock: clock),
                ProxyGuard.decoder(),
                HTTPResponseEncoder(),
                HTTPServerPipelineHandler(),
                ProxyGuard(
                    clock: clock,
                    credentials: settings.proxyAuth,
                    inTunnel: handler.tunnel != nil,
                    sink: handler.proxy.sink
                ),
                handler,
            ],
            position: position
        )
    }
}

struct ProxyServer {
    let host: String
    let port: Int
    let threads: Int
    let proxy: ProxyContext

    /// Binds, prints the address on stderr, runs until SIGINT/SIGTERM, closes open flows, flushes.
    func run() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let proxy = self.proxy
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: ProxyPipeline.receiveAllocator)
            .childChannelOption(.writeBufferWaterMark, value: ProxyPipeline.clientWriteWaterMark)
            .childChannelInitializer { channel in
                proxy.openFlows.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try ProxyPipeline.addHTTPServerHandlers(
                        channel.pipeline.syncOperations,
                        position: .last,
                        handler: ProxyHandler(proxy: proxy, tunnel: nil)
                    )
                }
            }
        let server = try bootstrap.bind(host: host, port: port).wait()
        let bound = server.localAddress.flatMap { $0.port }.map(String.init) ?? String(port)
        writeStandardError("sse-capture: listening on \(host):\(bound), logging to \(proxy.sink.directory)\n")

        TerminationSignal.wait()
        try? server.close().wait()
        let loop = group.next()
        _ = try? proxy.openFlows.closeAll(on: loop).wait()
        // Give the closed connections' event loops a moment to run their flow_end writes.
        _ = try? loop.scheduleTask(in: .milliseconds(50)) {}.futureResult.wait()
        proxy.sink.sync()
        try? group.syncShutdownGracefully()
    }
}
