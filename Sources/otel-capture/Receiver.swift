// The listening socket and process lifetime: bind, serve, stop on SIGINT/SIGTERM.
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import TapCLI

struct Receiver {
    let host: String
    let port: Int
    let threads: Int
    let maxBody: Int
    let sink: EventSink

    /// Binds, says where on stderr, serves until SIGINT/SIGTERM, then syncs the log.
    func run() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let sink = self.sink
        let maxBody = self.maxBody
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ops = channel.pipeline.syncOperations
                    try ops.configureHTTPServerPipeline(withErrorHandling: true)
                    try ops.addHandler(NIOHTTPRequestDecompressor(limit: .size(maxBody)))
                    try ops.addHandler(ReceiverHandler(sink: sink, maxBody: maxBody))
                }
            }
        let server: Channel
        do {
            server = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw CaptureError("cannot listen on \(host):\(port): \(error)")
        }
        let bound = server.localAddress?.port ?? port
        let target = sink.directory.map { "logging to \($0)/\(EventSink.eventsFile)" } ?? "no --log-dir"
        FileHandle.standardError.write(Data("otel-capture: listening on http://\(host):\(bound) (\(target))\n".utf8))

        TerminationSignal.wait()
        try? server.close().wait()
        sink.sync()
        try? group.syncShutdownGracefully()
    }
}
