// The NIO glue of one connection: HTTP parts in, ExportRequest fed, its answer written out.
//
// NIOHTTPRequestDecompressor sits in front and inflates gzip/deflate bodies; its failures
// (bad gzip, over the limit) arrive as errors and refuse the request in progress rather than
// dropping the connection, so the client gets its 400/413 and the receiver keeps serving.
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

final class ReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let sink: EventSink
    private let maxBody: Int
    private var request: ExportRequest?
    private var keepAlive = true

    init(sink: EventSink, maxBody: Int) {
        self.sink = sink
        self.maxBody = maxBody
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            request = ExportRequest(
                method: head.method.rawValue,
                path: head.uri,
                contentType: head.headers.first(name: "content-type"),
                contentEncoding: head.headers.first(name: "content-encoding"),
                contentLength: head.headers.first(name: "content-length").flatMap { Int($0) },
                maxBody: maxBody
            )
        case .body(let buffer):
            buffer.withUnsafeReadableBytes { request?.feed($0) }
        case .end:
            guard let finished = request else { return }
            request = nil
            let now = UInt64(max(0, Date().timeIntervalSince1970 * 1e9))
            let answer = finished.finish(receivedNanos: now)
            if let error = answer.error {
                sink.error(error)
            } else {
                let signal = finished.signal?.rawValue ?? ""
                sink.write(
                    records: answer.records,
                    count: answer.recordCount,
                    summary: "\(signal): \(answer.recordCount) records"
                )
            }
            respond(context: context, answer)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        switch error {
        case NIOHTTPDecompression.DecompressionError.limit:
            request?.fail(status: 413, "decompressed body over --max-body \(maxBody) bytes")
        case is NIOHTTPDecompression.DecompressionError, is NIOHTTPDecompression.ExtraDecompressionError:
            request?.fail(status: 400, "body is not valid gzip/deflate data")
        default:
            // Unparseable HTTP and connection errors: nothing sensible to answer on this connection.
            context.close(promise: nil)
        }
    }

    private func respond(context: ChannelHandlerContext, _ answer: ExportAnswer) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: answer.contentType)
        headers.add(name: "content-length", value: String(answer.body.count))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1,
            status: HTTPResponseStatus(statusCode: answer.status),
            headers: headers
        )
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !answer.body.isEmpty {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))),
                promise: nil
            )
        }
        let keepAlive = self.keepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
