// Real parts for the end-to-end tests: an in-process NIO upstream (plain or TLS with a test CA)
// that streams a fixture, the built sse-capture binary as a child process, curl, and readers of
// the log files. Everything listens on 127.0.0.1 and stops itself; every wait has a deadline.
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TapTestSupport
import XCTest

@testable import sse_capture

/// What the upstream does with a request, chosen by the request path.
///   /v1/messages        streams the body in 64-byte chunks, then ends
///   /drop               streams half the body, then closes the connection (no terminating chunk)
///   /slow               streams one chunk every 50 ms (for client aborts and shutdowns)
///   /json               answers a small application/json body
///   /json-close         the same with `Connection: close`, then closes
///   /once               /json for a connection's first request; on a later one it closes without
///                       answering (an upstream whose keep-alive timeout hits just as the proxy reuses it)
final class UpstreamServer: @unchecked Sendable {
    let port: Int
    let body: [UInt8]
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// Counts connections the upstream saw close (client aborts must close the upstream side too).
    let closedConnections = ManagedAtomicCounter()
    /// Counts connections the upstream accepted (keep-alive reuse means fewer than requests).
    let acceptedConnections = ManagedAtomicCounter()
    let requestHeads = LockedList<HTTPRequestHead>()

    init(body: [UInt8], tls: NIOSSLContext? = nil, chunkSize: Int = 64, contentEncoding: String? = nil) throws {
        self.body = body
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let body = self.body
        let closed = closedConnections
        let accepted = acceptedConnections
        let heads = requestHeads
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.increment()
                channel.closeFuture.whenComplete { _ in closed.increment() }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        StreamingResponder(
                            body: body,
                            heads: heads,
                            chunkSize: chunkSize,
                            contentEncoding: contentEncoding
                        )
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

final class ManagedAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

final class LockedList<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ item: T) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }
    var all: [T] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

private final class StreamingResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let body: [UInt8]
    private let heads: LockedList<HTTPRequestHead>
    private let chunkSize: Int
    private let contentEncoding: String?
    private var path = ""
    private var requestsOnConnection = 0

    init(body: [UInt8], heads: LockedList<HTTPRequestHead>, chunkSize: Int, contentEncoding: String?) {
        self.body = body
        self.heads = heads
        self.chunkSize = chunkSize
        self.contentEncoding = contentEncoding
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = String(head.uri.prefix(while: { $0 != "?" }))
            heads.append(head)
            requestsOnConnection += 1
        case .body:
            break
        case .end:
            respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        if path == "/once" && requestsOnConnection > 1 {
            context.close(promise: nil)
            return
        }
        if path == "/json" || path == "/json-close" || path == "/once" {
            let json = ByteBuffer(string: "{\"ok\":true}")
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(json.readableBytes))
            if path == "/json-close" { headers.add(name: "connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                promise: nil
            )
            context.write(wrapOutboundOut(.body(.byteBuffer(json))), promise: nil)
            let sent = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if path == "/json-close" { sent.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
            return
        }
        headers.add(name: "content-type", value: "text/event-stream")
        headers.add(name: "transfer-encoding", value: "chunked")
        if let contentEncoding { headers.add(name: "content-encoding", value: contentEncoding) }
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
            promise: nil
        )
        let chunks = stride(from: 0, to: body.count, by: chunkSize).map {
            Array(body[$0..<min($0 + chunkSize, body.count)])
        }
        switch path {
        case "/drop":
            for chunk in chunks.prefix(chunks.count / 2) {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: chunk)))), promise: nil)
            }
            context.close(promise: nil)
        case "/slow":
            sendSlowly(chunks[...], context: context)
        default:
            for chunk in chunks {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: chunk)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    private func sendSlowly(_ chunks: ArraySlice<[UInt8]>, context: ChannelHandlerContext) {
        guard let chunk = chunks.first, context.channel.isActive else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: chunk)))), promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(50)) {
            self.sendSlowly(chunks.dropFirst(), context: context)
        }
    }
}

/// The end-to-end tests' fixture: a temporary directory, an in-test upstream and the proxy under
/// test, stopped and removed after each test.
class ProxyTestCase: XCTestCase {
    var directory = ""
    var upstream: UpstreamServer?
    var proxy: ProxyProcess?

    override func setUpWithError() throws {
        directory = try TempDir.make("sse-capture-\(type(of: self))")
    }

    override func tearDown() {
        proxy?.stop()
        upstream?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The built sse-capture running as a child process on a free port.
final class ProxyProcess {
    let port: Int
    let logDirectory: String
    let stdoutPath: String
    let stderrPath: String
    private let process = Process()

    /// `port`: listen there (a test that must name the proxy's port in its arguments); default a free one.
    init(arguments: [String], directory: String, port: Int = Network.freePort()) throws {
        self.port = port
        logDirectory = directory + "/logs"
        stdoutPath = directory + "/stdout.ndjson"
        stderrPath = directory + "/stderr.txt"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Binary.path("sse-capture"))
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--log-dir", logDirectory] + arguments
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        // Ready when the port accepts a connection (deadline 20 s: a debug build starts slowly on a busy machine).
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if Self.canConnect(port) { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        process.terminate()
        throw HarnessError("sse-capture did not start: \(stderr)")
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGTERM and wait (the proxy closes open flows and flushes); SIGKILL after 10 s.
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func records(_ file: String) -> [[String: Any]] {
        Self.records(atPath: logDirectory + "/" + file)
    }

    static func records(atPath path: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any]
        }
    }

    /// Waits until sse_flow_ends.jsonl holds `count` records (logging follows forwarding, so it may lag curl).
    func waitForFlowEnds(_ count: Int, timeout: TimeInterval = 20) -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        var ends = records("sse_flow_ends.jsonl")
        while ends.count < count && Date() < deadline {
            usleep(20_000)
            ends = records("sse_flow_ends.jsonl")
        }
        return ends
    }

    private static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A test CA (made by sse-capture's own CertificateAuthority code in a temp dir) and a TLS server
/// context for `localhost` / 127.0.0.1 signed by it: the upstream's certificate.
struct TestUpstreamCA {
    let caPath: String
    let serverContext: NIOSSLContext

    init(directory: String) throws {
        let authority = try CertificateAuthority(files: CAFiles(directory: directory + "/upstream-ca"))
        caPath = authority.files.certificatePath
        serverContext = try authority.serverContext(for: "localhost")
    }
}

/// The `event:` names and `data:` line count of an SSE fixture, read line by line (independent of the parser).
func fixtureEvents(_ bytes: [UInt8]) -> (names: [String], dataLines: Int) {
    var names: [String] = []
    var data = 0
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("event:") { names.append(line.dropFirst(6).trimmingCharacters(in: " ")) }
        if line.hasPrefix("data:") { data += 1 }
    }
    return (names, data)
}

/// Runs curl; returns its exit status and stdout bytes.
func curl(_ arguments: [String]) async throws -> RunResult {
    try await Binary.runExecutable("curl", ["-sS", "--max-time", "30"] + arguments)
}
