// flow-web: the live browser view of a capture. Records come in on stdin or files (followed with
// --follow); each goes through TapCodec's DeltaDecoder (sse/ws -> deltas, request -> user_prompt)
// into the page-state machine (PageState.swift), whose ops reach the browsers over SSE
// (WebServer.swift). Records pass through to stdout, byte-identical, when stdout is not a terminal.

import ArgumentParser
import NIOCore
import NIOPosix
import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct FlowWeb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow-web",
        abstract: "Serve a live web view of the flows in capture records.",
        discussion: """
            Shows sessions and flows in a browser as they stream: text, folded reasoning, tool calls, \
            shell commands recognised by bash-detect (pipe through it), usage, latency and STREAMING/DONE/DEAD. \
            Records pass through to stdout when it is not a terminal.
            """
    )

    @OptionGroup var io: StreamOptions

    @Option(
        help: ArgumentHelp(
            "Address to serve on (loopback unless told otherwise; port 0 picks one).",
            valueName: "host:port"
        )
    )
    var listen = "127.0.0.1:9115"

    @Option(
        help: ArgumentHelp("Flows kept in memory and on the page; older finished flows are paged out.", valueName: "n")
    )
    var keep = 1000

    @Flag(help: "Exit when the input ends instead of serving until interrupted.")
    var exitAtEnd = false

    func validate() throws {
        guard keep > 0 else { throw ValidationError("--keep must be at least 1") }
        guard Self.address(listen) != nil else { throw ValidationError("--listen wants host:port, got '\(listen)'") }
    }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        let host = String(text[..<colon].filter { $0 != "[" && $0 != "]" })
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    mutating func run() throws {
        guard let (host, port) = Self.address(listen) else { return }
        let hub = Hub(state: PageState(keep: keep))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server: Channel
        do {
            server = try WebServer.start(host: host, port: port, hub: hub, group: group)
        } catch {
            throw TapFailure("flow-web: cannot listen on \(listen): \(error)")
        }
        writeStandardError("flow-web: serving http://\(host):\(server.localAddress?.port ?? port)/")
        if !(host.hasPrefix("127.") || host == "::1" || host == "localhost") {
            // Same default as the capture: loopback. Said out loud when told otherwise.
            writeStandardError(
                "flow-web: warning: \(host) is not a loopback address; the page is reachable from the network")
        }
        let passThrough = io.resolvedFormat == .ndjson
        var decoder = DeltaDecoder(keepEvents: false)
        var decoded: [UInt8] = []
        var lastPublish = Timestamp.now()
        var loop = LineLoop(io, tool: "flow-web")
        loop.onIdle = { _ in hub.publish() }
        try loop.runRecords(
            feed: { record, _, out in
                if passThrough { out.appendLine(record.line) }
                decoded.removeAll(keepingCapacity: true)
                decoder.feed(record, into: &decoded)
                Self.forEachLine(decoded) { hub.feed($0) }
                // Browsers get changes in batches: at most every 50 ms, or sooner when much is pending.
                let now = Timestamp.now()
                if now.microseconds - lastPublish.microseconds > 50_000 || hub.pendingBytes > 256 << 10 {
                    hub.publish()
                    lastPublish = now
                }
            },
            finish: { _ in
                decoded.removeAll(keepingCapacity: true)
                decoder.finish(into: &decoded)
                Self.forEachLine(decoded) { hub.feed($0) }
                hub.publish()
            }
        )
        if !exitAtEnd {
            // The input is done; the page stays up until SIGINT/SIGTERM.
            try server.closeFuture.wait()
        }
        try? group.syncShutdownGracefully()
    }

    /// Each line of the decoder's output as a record.
    static func forEachLine(_ bytes: [UInt8], _ body: (Record) -> Void) {
        bytes.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                var end = start
                while end < all.count, all[end] != 0x0A { end += 1 }
                if let record = Record(line: UnsafeRawBufferPointer(rebasing: all[start..<end]), validate: false) {
                    body(record)
                }
                start = end + 1
            }
        }
    }

    static func main() { TapMain.run(Self.self) }
}
