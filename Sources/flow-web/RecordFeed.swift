// The input side of flow-web, between the line loop and the page state: each record through
// TapCodec's DeltaDecoder (sse/ws -> deltas, a flow's request -> user_prompt; deltas and other
// records pass), every resulting record into the hub, and the hub's pending ops out to the
// browsers in batches. Also the --listen address.

import TapCodec

struct RecordFeed {
    let hub: Hub
    private var decoder = DeltaDecoder(keepEvents: false)
    private var decoded: [UInt8] = []
    private var lastPublish = Timestamp(microseconds: 0)

    init(hub: Hub) { self.hub = hub }

    mutating func feed(_ record: Record) {
        decoded.removeAll(keepingCapacity: true)
        decoder.feed(record, into: &decoded)
        Self.forEachLine(decoded) { hub.feed($0) }
        // Browsers get changes in batches: at most every 50 ms, or sooner when much is pending.
        let now = Timestamp.now()
        if now.microseconds - lastPublish.microseconds > 50_000 || hub.pendingBytes > 256 << 10 {
            hub.publish()
            lastPublish = now
        }
    }

    mutating func finish() {
        decoded.removeAll(keepingCapacity: true)
        decoder.finish(into: &decoded)
        Self.forEachLine(decoded) { hub.feed($0) }
        hub.publish()
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
}

/// `host:port` of --listen (`[::1]:9115` too; an empty host is 127.0.0.1).
struct ListenAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        let host = String(text[..<colon].filter { $0 != "[" && $0 != "]" })
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
    }

    var isLoopback: Bool { host.hasPrefix("127.") || host == "::1" || host == "localhost" }
}
