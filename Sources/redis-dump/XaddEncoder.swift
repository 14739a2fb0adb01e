// `--xadd KEY`: each NDJSON input line becomes `XADD KEY [MAXLEN ~ N] * record LINE`, formatted
// straight into RESP bytes (the command prefix is built once; per line only the length and the
// line's own bytes are copied), so the caller can hand a whole batch to hiredis in one call.
// Lines that are not a JSON object are refused (not written) with their line number; empty
// lines are skipped. Pure: no I/O, the caller sends `commands` and reads `pending` replies.

struct XaddEncoder {
    /// Why a line was not written.
    enum Refusal: Equatable {
        case notJSONObject(line: Int)
    }

    private let prefix: [UInt8]
    private let isJSONObject: (UnsafeRawBufferPointer) -> Bool
    /// RESP commands waiting to be sent.
    private(set) var commands: [UInt8] = []
    /// Input line numbers of the commands formatted and not yet answered, in order, from `answeredHead` on
    /// (a moving head instead of removeFirst: one reply at a time must not shift the whole array).
    private var lineNumbers: [Int] = []
    private var answeredHead = 0
    var pendingLines: ArraySlice<Int> { lineNumbers[answeredHead...] }
    private(set) var lineNumber = 0

    /// `isJSONObject` decides which lines are accepted (RFC 8259 validation of one object).
    init(key: String, maxLength: Int?, isJSONObject: @escaping (UnsafeRawBufferPointer) -> Bool) {
        var args: [[UInt8]] = [Array("XADD".utf8), Array(key.utf8)]
        if let maxLength { args += [Array("MAXLEN".utf8), [UInt8(ascii: "~")], Array(String(maxLength).utf8)] }
        args += [[UInt8(ascii: "*")], Array("record".utf8)]
        var prefix = Array("*\(args.count + 1)\r\n".utf8)
        for arg in args {
            prefix += Array("$\(arg.count)\r\n".utf8)
            prefix += arg
            prefix += [0x0D, 0x0A]
        }
        self.prefix = prefix
        self.isJSONObject = isJSONObject
        commands.reserveCapacity(1 << 20)
    }

    /// Takes one input line (without its `\n`; a trailing `\r` is dropped).
    mutating func feed(line raw: UnsafeRawBufferPointer) -> Refusal? {
        lineNumber += 1
        var line = raw
        if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        if line.isEmpty { return nil }
        guard isJSONObject(line) else { return .notJSONObject(line: lineNumber) }
        commands.append(contentsOf: prefix)
        commands.append(UInt8(ascii: "$"))
        appendDecimal(line.count)
        commands.append(contentsOf: [0x0D, 0x0A])
        commands.append(contentsOf: line)
        commands.append(contentsOf: [0x0D, 0x0A])
        lineNumbers.append(lineNumber)
        return nil
    }

    /// Hands the formatted commands to the caller (to send) and empties the buffer; returns their count.
    mutating func takeCommands(_ send: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Int {
        let count = lineNumbers.count - sent
        try commands.withUnsafeBytes(send)
        commands.removeAll(keepingCapacity: true)
        sent = lineNumbers.count
        return count
    }

    /// Index in `lineNumbers` up to which commands were handed out.
    private var sent = 0

    /// Marks the oldest `count` sent commands as answered; returns the line number of the last one.
    @discardableResult
    mutating func answered(_ count: Int) -> Int? {
        let last = count > 0 ? lineNumbers[answeredHead + count - 1] : nil
        answeredHead += count
        if answeredHead >= 4096 && answeredHead * 2 >= lineNumbers.count {
            lineNumbers.removeFirst(answeredHead)
            sent -= answeredHead
            answeredHead = 0
        }
        return last
    }

    /// Commands formatted but not yet handed out.
    var bufferedCount: Int { lineNumbers.count - sent }

    private mutating func appendDecimal(_ value: Int) {
        if value >= 10 { appendDecimal(value / 10) }
        commands.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
