// Top-level keys the AVX2 line validator notes the values of while it walks a line
// (CTapSIMD/line_validator.h, `tap_validate_line_fields`): the one place that builds its
// `tap_fields` and reads the spans back, for LineReader.forEachRecordLine(fields:) and the
// extract tools' RecordView.withValidatedFields.

import CTapSIMD

public struct NotedKeys: Sendable {
    public let keys: [String]
    let bytes: [UInt8]
    let lengths: [Int]
    /// False when a key holds a quote, a backslash or a control byte (such a key compares by its
    /// decoded value only, and the walk compares raw bytes), or when a key is asked twice (the
    /// walk gives each asked key the next member of that name, not the first).
    public let rawComparable: Bool
    public var count: Int { keys.count }

    public init(_ keys: [String]) {
        self.keys = keys
        bytes = keys.flatMap { Array($0.utf8) }
        lengths = keys.map { $0.utf8.count }
        rawComparable =
            Set(keys).count == keys.count
            && keys.allSatisfy { $0.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C } }
    }

    public init(_ keys: String...) { self.init(keys) }

    /// `body` with the walk's `tap_fields` for these keys, noting their spans into `span`
    /// (room for 2 × count).
    func withFields<R>(span: UnsafeMutablePointer<Int>, _ body: (inout tap_fields) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { keyBytes in
            try lengths.withUnsafeBufferPointer { keyLengths in
                var fields = tap_fields(
                    count: Int32(count),
                    key_bytes: keyBytes.baseAddress,
                    key_len: keyLengths.baseAddress,
                    span: span,
                    unsure: 0
                )
                return try body(&fields)
            }
        }
    }

    /// The value of key `i` as the walk noted it in `span` (nil: no such member).
    static func noted(_ i: Int, _ span: UnsafePointer<Int>, in json: JSONScanner) -> JSONSpan? {
        let start = span[2 * i]
        guard start >= 0, let kind = json.kind(at: start) else { return nil }
        return JSONSpan(kind: kind, start: start, end: span[2 * i + 1])
    }

    /// For `line` ending with its `\n`: when the walk at `level` (`tap_simd_level`) shows it
    /// valid, `body(field)` where `field(i)` is the value of key i (exactly what the scanner's
    /// lookup gives); nil when the walk cannot tell (not shown valid, an escaped top-level key,
    /// a key it cannot compare, no AVX2), and the caller looks the other way.
    public func withValidated<R>(
        _ line: UnsafeRawBufferPointer,
        level: Int32,
        _ body: ((Int) -> JSONSpan?) -> R
    ) -> R? {
        guard rawComparable, level > 0, let base = line.baseAddress, line.count > 1, line[line.count - 1] == 0x0A else {
            return nil
        }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: max(2 * count, 1)) { span -> R? in
            guard let spanBase = span.baseAddress else { return nil }
            let found = withFields(span: spanBase) { fields in
                tap_validate_line_fields(level, base, line.count, &fields) == line.count - 1 && fields.unsure == 0
            }
            guard found else { return nil }
            let json = JSONScanner(line)
            return body { Self.noted($0, spanBase, in: json) }
        }
    }
}
