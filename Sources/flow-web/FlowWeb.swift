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
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen wants host:port, got '\(listen)'") }
    }

    mutating func run() throws {
        guard let address = ListenAddress(listen) else { return }
        let hub = Hub(state: PageState(keep: keep))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let server: Channel
        do {
            server = try WebServer.start(host: address.host, port: address.port, hub: hub, group: group)
        } catch {
            throw TapFailure("flow-web: cannot listen on \(listen): \(error)")
        }
        writeStandardError("flow-web: serving http://\(address.host):\(server.localAddress?.port ?? address.port)/")
        if !address.isLoopback {
            // Same default as the capture: loopback. Said out loud when told otherwise.
            writeStandardError(
                "flow-web: warning: \(address.host) is not loopback; the page is reachable from the network"
            )
        }
        let passThrough = io.resolvedFormat == .ndjson
        var input = RecordFeed(hub: hub)
        var loop = LineLoop(io, tool: "flow-web")
        loop.onIdle = { _ in hub.publish() }
        try loop.runRecords(
            feed: { record, _, out in
                if passThrough { out.appendLine(record.line) }
                input.feed(record)
            },
            finish: { _ in input.finish() }
        )
        // The input is done; the page stays up until SIGINT/SIGTERM unless --exit-at-end.
        if !exitAtEnd { try server.closeFuture.wait() }
    }

    static func main() { TapMain.run(Self.self) }
}
