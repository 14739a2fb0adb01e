// `--xadd KEY`, the I/O edge around XaddEncoder: reads stdin lines, sends the formatted XADDs in
// batches with two batches in flight (the next batch is written while the server answers the
// previous one), and checks every reply. No retry after a dropped connection: which XADDs of
// the unanswered batch landed is unknown, so it stops and names the last line confirmed.

struct XaddPublisher {
    let key: String
    let target: RedisTarget
    let batch: Int
    let maxLength: Int?
    let isJSONObject: (UnsafeRawBufferPointer) -> Bool
    /// Receives refusals (bad lines) and other one-line messages for stderr.
    let warn: (String) -> Void

    struct Summary: Equatable {
        var written = 0
        var refused = 0
    }

    func run(readLines: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Summary {
        let connection = try RedisConnection(target, timeoutSeconds: 30)
        var encoder = XaddEncoder(key: key, maxLength: maxLength, isJSONObject: isJSONObject)
        var summary = Summary()
        var inFlight = 0  // commands sent whose replies are not read yet

        func readReplies(_ count: Int) throws {
            for _ in 0..<count {
                do {
                    try connection.nextReply(commandName: "XADD") { reply in
                        guard reply.kind == .string else {
                            throw RedisError.unexpectedReply(command: "XADD", detail: "\(reply.kind)")
                        }
                    }
                } catch let error as RedisError {
                    let line = encoder.pendingLines.first ?? encoder.lineNumber
                    if case .connectionLost = error {
                        throw XaddError.lost(error, confirmedLines: summary.written, firstUnconfirmed: line)
                    }
                    throw XaddError.refusedByServer(error, line: line)
                }
                encoder.answered(1)
                summary.written += 1
            }
        }

        func sendBatch() throws {
            let sending = try encoder.takeCommands { try connection.appendFormatted($0) }
            // Reading the previous batch's replies first flushes this one: both are in flight.
            try readReplies(inFlight)
            if sending > 0 {
                do { try connection.flush() } catch let error as RedisError {
                    throw XaddError.lost(
                        error,
                        confirmedLines: summary.written,
                        firstUnconfirmed: encoder.pendingLines.first ?? encoder.lineNumber
                    )
                }
            }
            inFlight = sending
        }

        try readLines { line in
            if let refusal = encoder.feed(line: line) {
                summary.refused += 1
                switch refusal {
                case .notJSONObject(let number): warn("line \(number): not a JSON object (not written)")
                }
            }
            if encoder.bufferedCount >= batch { try sendBatch() }
        }
        try sendBatch()
        try readReplies(inFlight)
        return summary
    }
}

enum XaddError: Error, CustomStringConvertible {
    case lost(RedisError, confirmedLines: Int, firstUnconfirmed: Int)
    case refusedByServer(RedisError, line: Int)

    var description: String {
        switch self {
        case .lost(let error, let confirmed, let first):
            "\(error); \(confirmed) entries confirmed, line \(first) and later not confirmed"
        case .refusedByServer(let error, let line): "line \(line): \(error)"
        }
    }
}
