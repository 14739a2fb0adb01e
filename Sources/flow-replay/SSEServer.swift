// `flow-replay --serve`: a small HTTP/1.1 server on plain POSIX sockets that answers each
// request with the next recorded flow (or the one `--flow` names) as a live SSE response, its
// events paced by their recorded gaps. One connection at a time: it is a test upstream, not a
// production server. The pacing and the bytes come from `RecordedFlow`; this file is the I/O.

import TapCLI
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct ServeAddress {
    var host: String
    var port: UInt16

    /// `127.0.0.1:8080` (port 0: any free port, printed when listening).
    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return nil
        }
        host = String(text[..<colon])
        self.port = port
        guard inet_addr(host) != INADDR_NONE || host == "255.255.255.255" else { return nil }
    }
}

struct SSEServer {
    let flows: [RecordedFlow]
    let pacing: Pacing
    let maxGap: Int64?
    let flowID: String?
    let maxRequests: Int?
    let diagnostics: Diagnostics

    /// Binds, says where on stdout (`listening on http://127.0.0.1:PORT`), then serves.
    func run(at address: ServeAddress) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw TapFailure("flow-replay: socket: \(errorText())") }
        defer { close(listener) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = address.port.bigEndian
        addr.sin_addr.s_addr = inet_addr(address.host)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            throw TapFailure("flow-replay: cannot listen on \(address.host):\(address.port): \(errorText())")
        }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = UInt16(bigEndian: addr.sin_port)
        var banner = "listening on http://\(address.host):\(port)\n"
        banner.withUTF8 { try? OutputBuffer.writeAll(1, UnsafeRawBufferPointer($0)) }

        var next = 0
        var served = 0
        while maxRequests.map({ served < $0 }) ?? true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                throw TapFailure("flow-replay: accept: \(errorText())")
            }
            served += 1
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            defer { close(client) }
            guard readRequest(client) else { continue }
            let flow: RecordedFlow?
            if let flowID {
                flow = flows.first { $0.flowID == flowID }
            } else {
                flow = next < flows.count ? flows[next] : nil
                next += 1
            }
            guard let flow else {
                let body = #"{"error":{"type":"not_found","message":"flow-replay: no more recorded flows"}}"#
                let text =
                    "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n\(body)"
                _ = send(client, Array(text.utf8))
                continue
            }
            serve(flow, to: client)
        }
    }

    /// Reads the request head and its body (by Content-Length); false when the client went away.
    private func readRequest(_ fd: Int32) -> Bool {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        var headEnd: Int?
        while headEnd == nil {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            data.append(contentsOf: chunk[0..<n])
            headEnd = Self.endOfHead(data)
            if headEnd == nil, data.count > 1 << 20 { return false }
        }
        guard let end = headEnd else { return false }
        let head = String(decoding: data[0..<end], as: UTF8.self).lowercased()
        var length = 0
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingSpaces) ?? 0
        }
        var have = data.count - end
        while have < length {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, length - have)) }
            if n <= 0 { return false }
            have += n
        }
        return true
    }

    static func endOfHead(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4)
        where data[i] == 0x0D && data[i + 1] == 0x0A && data[i + 2] == 0x0D && data[i + 3] == 0x0A {
            return i + 4
        }
        return nil
    }

    /// The head at once, then each event after its (scaled) recorded gap.
    private func serve(_ flow: RecordedFlow, to fd: Int32) {
        guard send(fd, flow.head) else { return }
        for (i, event) in flow.events.enumerated() {
            var gap: Int64
            switch pacing {
            case .noWait: gap = 0
            case .fixed(let delay): gap = delay
            case .speed(let factor): gap = Int64((Double(flow.gap(before: i)) / factor).rounded())
            }
            if let maxGap { gap = min(gap, maxGap) }
            sleepMicroseconds(gap)
            guard send(fd, event.bytes) else {
                diagnostics.warn("client closed the connection during flow \(flow.flowID)")
                return
            }
        }
    }

    /// Writes everything; false when the peer is gone.
    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        (try? bytes.withUnsafeBytes { try OutputBuffer.writeAll(fd, $0) }) != nil
    }
}

func sleepMicroseconds(_ microseconds: Int64) {
    guard microseconds > 0 else { return }
    var request = timespec(tv_sec: Int(microseconds / 1_000_000), tv_nsec: Int(microseconds % 1_000_000) * 1000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
}

func errorText() -> String { String(cString: strerror(errno)) }

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
