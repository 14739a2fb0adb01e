// One OTLP/HTTP export request, from its head to its answer: a pure state machine (no I/O).
//
// The NIO handler feeds it the head, the (already decompressed) body chunks and any decoding
// failure, then asks `finish` for the answer. OTLP/HTTP says: 200 with an empty Export*Response
// in the request's encoding; 400 with a google.rpc.Status (reason in `message`) for a body that
// does not decode; 415 for an unsupported content type; and we add 404 (unknown path), 405 (not
// POST) and 413 (body over --max-body). A refused request writes no record.
import Foundation
import TapCodec

/// How the body is encoded, from Content-Type.
enum OTLPEncoding: Sendable {
    case protobuf, json

    init?(contentType: String?) {
        guard let contentType else { return nil }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        switch media {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
}

/// What to send back, and the records to write when the request was accepted.
struct ExportAnswer: Equatable {
    var status: Int
    var contentType: String
    var body: [UInt8]
    var records: [UInt8] = []
    var recordCount = 0
    /// The one error line for a refused request (nil when accepted).
    var error: String?
}

struct ExportRequest {
    let method: String
    let path: String
    let signal: OTelSignal?
    let encoding: OTLPEncoding?
    let maxBody: Int
    private(set) var body: [UInt8] = []
    /// The first reason to refuse, with its status; later chunks are then only counted.
    private(set) var refusal: (status: Int, reason: String)?
    private(set) var bodyBytes = 0

    init(
        method: String,
        path: String,
        contentType: String?,
        contentEncoding: String?,
        contentLength: Int?,
        maxBody: Int
    ) {
        self.method = method
        self.path = path
        self.maxBody = maxBody
        signal = OTelSignal(path: path)
        encoding = OTLPEncoding(contentType: contentType)
        let coding = contentEncoding?.lowercased() ?? "identity"
        if signal == nil {
            refusal = (404, "no OTLP endpoint at \(path) (use /v1/logs, /v1/metrics or /v1/traces)")
        } else if method != "POST" {
            refusal = (405, "\(method) \(path): OTLP export requests are POST")
        } else if encoding == nil {
            refusal = (
                415,
                "unsupported Content-Type \(contentType.map { "'\($0)'" } ?? "(none)"): use application/x-protobuf or application/json"
            )
        } else if !["identity", "gzip", "deflate", "x-gzip"].contains(coding) {
            refusal = (415, "unsupported Content-Encoding '\(coding)': use gzip or none")
        } else if let contentLength, contentLength > maxBody {
            refusal = (413, "body of \(contentLength) bytes is over --max-body \(maxBody)")
        }
        // One allocation for the body in the usual case (a gzip body grows past it once).
        if refusal == nil, let contentLength, contentLength > 0 { body.reserveCapacity(contentLength) }
    }

    /// A chunk of the (decompressed) body.
    mutating func feed(_ chunk: [UInt8]) {
        chunk.withUnsafeBytes { feed($0) }
    }

    /// A chunk read in place (the NIO buffer's bytes, copied once into the body).
    mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        bodyBytes += chunk.count
        guard refusal == nil else { return }
        if bodyBytes > maxBody {
            refusal = (413, "body over --max-body \(maxBody) bytes")
            body = []
            return
        }
        body.append(contentsOf: chunk)
    }

    /// The body could not be read (bad gzip, decompression limit).
    mutating func fail(status: Int, _ reason: String) {
        guard refusal == nil else { return }
        refusal = (status, reason)
        body = []
    }

    /// The answer, decoding the body into records when nothing refused it.
    func finish(receivedNanos: UInt64) -> ExportAnswer {
        if let refusal { return refused(refusal.status, refusal.reason) }
        guard let signal, let encoding else { return refused(400, "bad request") }
        // The common request (protobuf logs) decoded straight into record bytes; anything the
        // fast path declines goes the general way below, which gives the same records or the 400.
        if signal == .logs, encoding == .protobuf,
            let fast = OTLPLogsWireDecoder.decode(body, receivedNanos: receivedNanos)
        {
            return ExportAnswer(
                status: 200,
                contentType: encoding.contentType,
                body: [],
                records: fast.bytes,
                recordCount: fast.count
            )
        }
        var encoder = TelemetryEncoder(receivedNanos: receivedNanos)
        do {
            switch encoding {
            case .protobuf: try OTLPProtobufDecoder.decode(body, signal: signal, into: &encoder)
            case .json: try OTLPJSONDecoder.decode(body, signal: signal, into: &encoder)
            }
        } catch let error as OTLPDecodeError {
            return refused(400, error.description)
        } catch {
            return refused(400, "\(error)")
        }
        // An empty Export*Response: zero bytes in protobuf, `{}` in JSON.
        return ExportAnswer(
            status: 200,
            contentType: encoding.contentType,
            body: encoding == .protobuf ? [] : Array("{}".utf8),
            records: encoder.bytes,
            recordCount: encoder.count
        )
    }

    /// A google.rpc.Status in the request's encoding (JSON when the encoding is unknown).
    private func refused(_ status: Int, _ reason: String) -> ExportAnswer {
        // gRPC codes: INVALID_ARGUMENT 3, RESOURCE_EXHAUSTED 8, UNIMPLEMENTED 12.
        let code: Int32 = status == 413 ? 8 : (status == 404 || status == 405) ? 12 : 3
        let line = "\(method) \(path): \(status) \(reason)"
        if encoding == .protobuf {
            return ExportAnswer(
                status: status,
                contentType: "application/x-protobuf",
                body: Self.statusProtobuf(code: code, message: reason),
                error: line
            )
        }
        var w = JSONWriter()
        w.beginObject()
        w.field("code", code)
        w.field("message", reason)
        w.endObject()
        return ExportAnswer(status: status, contentType: "application/json", body: w.bytes, error: line)
    }

    /// google.rpc.Status { int32 code = 1; string message = 2; } in protobuf wire format.
    static func statusProtobuf(code: Int32, message: String) -> [UInt8] {
        var out: [UInt8] = [0x08]
        appendVarint(UInt64(UInt32(bitPattern: code)), to: &out)
        out.append(0x12)
        let text = Array(message.utf8)
        appendVarint(UInt64(text.count), to: &out)
        out.append(contentsOf: text)
        return out
    }

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
