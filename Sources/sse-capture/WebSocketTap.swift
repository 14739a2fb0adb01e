// WebSocket frames as a pure state machine, for the log only: the proxied bytes pass untouched.
//
// Codex CLI tries the Responses API over a WebSocket before SSE. After the upstream answers 101,
// both connections become byte tunnels; a copy of each direction's bytes goes through a
// `WebSocketFrameParser` (RFC 6455 framing: 7/16/64-bit lengths, client masking, fragmented
// messages with control frames between fragments), and every complete text message becomes a
// `ws` record. The proxy asks for no compression extension (it drops Sec-WebSocket-Extensions from
// the client's request), so text frames are readable here.

import NIOCore
import NIOHTTP1
import TapCodec

/// One complete message (fragments joined), or a control frame.
struct WebSocketMessage: Equatable {
    var opcode: UInt8
    var payload: [UInt8]
    /// The message was longer than the parser keeps (`payload` holds its start).
    var truncated = false
}

struct WebSocketFrameParser {
    static let text: UInt8 = 1
    static let binary: UInt8 = 2
    static let close: UInt8 = 8

    /// Messages longer than this are cut in the log (the bytes still pass through whole).
    let maxMessage: Int
    private var header: [UInt8] = []
    private var headerNeeded = 2
    private var remaining = 0
    private var mask: [UInt8] = []
    private var maskOffset = 0
    private var frameOpcode: UInt8 = 0
    private var frameFin = false
    private var message: [UInt8] = []
    private var messageOpcode: UInt8 = 0
    private var messageTruncated = false
    private var control: [UInt8] = []
    /// Set after a protocol error (for example a reserved opcode): the rest is not parsed.
    private(set) var failed = false

    init(maxMessage: Int = 64 << 20) { self.maxMessage = maxMessage }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, into out: inout [WebSocketMessage]) {
        var i = 0
        while i < bytes.count && !failed {
            if remaining == 0 && headerNeeded > 0 {
                header.append(bytes[i])
                i += 1
                if header.count == headerNeeded { headerComplete(&out) }
                continue
            }
            let take = min(remaining, bytes.count - i)
            payload(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)]))
            i += take
            remaining -= take
            if remaining == 0 { frameComplete(&out) }
        }
    }

    private mutating func headerComplete(_ out: inout [WebSocketMessage]) {
        if header.count == 2 {
            let lengthCode = Int(header[1] & 0x7F)
            let masked = header[1] & 0x80 != 0
            let extra = (lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0) + (masked ? 4 : 0)
            if extra > 0 {
                headerNeeded = 2 + extra
                return
            }
        }
        let lengthCode = Int(header[1] & 0x7F)
        var offset = 2
        var length = lengthCode
        if lengthCode == 126 {
            length = Int(header[2]) << 8 | Int(header[3])
            offset = 4
        } else if lengthCode == 127 {
            length = 0
            for k in 2..<10 { length = length << 8 | Int(header[k]) }
            offset = 10
            if length < 0 {
                failed = true
                return
            }
        }
        mask = header[1] & 0x80 != 0 ? Array(header[offset..<(offset + 4)]) : []
        maskOffset = 0
        frameFin = header[0] & 0x80 != 0
        frameOpcode = header[0] & 0x0F
        if frameOpcode >= 3 && frameOpcode <= 7 || frameOpcode > 10 {
            failed = true
            return
        }
        if frameOpcode != 0 && frameOpcode < 8 {
            message.removeAll(keepingCapacity: true)
            messageOpcode = frameOpcode
            messageTruncated = false
        }
        control.removeAll()
        header.removeAll(keepingCapacity: true)
        headerNeeded = 2
        remaining = length
        if remaining == 0 { frameComplete(&out) }
    }

    private mutating func payload(_ bytes: UnsafeRawBufferPointer) {
        let isControl = frameOpcode >= 8
        for var byte in bytes {
            if !mask.isEmpty {
                byte ^= mask[maskOffset & 3]
                maskOffset += 1
            }
            if isControl {
                control.append(byte)
            } else if message.count < maxMessage {
                message.append(byte)
            } else {
                messageTruncated = true
            }
        }
    }

    private mutating func frameComplete(_ out: inout [WebSocketMessage]) {
        if frameOpcode >= 8 {
            out.append(WebSocketMessage(opcode: frameOpcode, payload: control))
        } else if frameFin {
            out.append(WebSocketMessage(opcode: messageOpcode, payload: message, truncated: messageTruncated))
            message.removeAll(keepingCapacity: true)
        }
    }
}

/// Which way a WebSocket message went.
enum WebSocketDirection: String {
    case client, server
}

/// The log of one upgraded exchange: both directions' parsers and the flow's end (once).
final class WebSocketLog {
    private let recorder: FlowRecorder
    private var parsers: [WebSocketDirection: WebSocketFrameParser] = [.client: .init(), .server: .init()]
    private var closeSeen = false
    private var ended = false

    init(recorder: FlowRecorder) { self.recorder = recorder }

    /// Bytes that have already been forwarded in `direction`.
    func forwarded(_ buffers: [ByteBuffer], direction: WebSocketDirection) {
        guard var parser = parsers[direction] else { return }
        var messages: [WebSocketMessage] = []
        var count = 0
        for buffer in buffers {
            count += buffer.readableBytes
            buffer.withUnsafeReadableBytes { parser.feed($0, into: &messages) }
        }
        parsers[direction] = parser
        if messages.contains(where: { $0.opcode == WebSocketFrameParser.close }) { closeSeen = true }
        recorder.webSocket(messages, direction: direction, bytes: count)
    }

    /// One side closed: the flow ends (complete after a close frame, else blamed on the side that went first).
    func closed(_ direction: WebSocketDirection) {
        guard !ended else { return }
        ended = true
        recorder.end(closeSeen ? .complete : (direction == .client ? .clientAbort : .upstreamError))
    }
}

/// Sits before the GlueHandler on each side of an upgraded exchange: forwards first, logs after the flush.
final class WebSocketTapHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let log: WebSocketLog
    private let direction: WebSocketDirection
    private var pending: [ByteBuffer] = []

    init(log: WebSocketLog, direction: WebSocketDirection) {
        self.log = log
        self.direction = direction
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        drain()
    }

    func channelInactive(context: ChannelHandlerContext) {
        drain()
        log.closed(direction)
        context.fireChannelInactive()
    }

    private func drain() {
        guard !pending.isEmpty else { return }
        log.forwarded(pending, direction: direction)
        pending.removeAll(keepingCapacity: true)
    }
}
