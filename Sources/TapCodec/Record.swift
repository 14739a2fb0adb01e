// The record model (DESIGN §4): every line is one JSON object with `"v":1` and a `type`.
// `Record` is a view over one validated line: the few fields a tool needs are looked up on
// demand; a record a tool does not handle is written back from `line` byte for byte.

public enum RecordType {
    public static let flow = "flow"
    public static let sse = "sse"
    public static let ws = "ws"
    public static let flowEnd = "flow_end"
    public static let delta = "delta"
    public static let redis = "redis"
    public static let bash = "bash"
}

public struct Record {
    /// The line as read (without its newline).
    public let line: UnsafeRawBufferPointer
    public let json: JSONScanner
    /// The top-level object.
    public let root: JSONSpan

    /// A view of a line that is a JSON object; nil otherwise. Validates the whole line
    /// when `validate` is true (the default: a record must be valid to be trusted).
    public init?(line: UnsafeRawBufferPointer, validate: Bool = true) {
        if validate {
            guard JSONScanner.isValidObject(line) else { return nil }
        }
        let json = JSONScanner(line)
        guard let root = json.root(), root.kind == .object else { return nil }
        self.line = line
        self.json = json
        self.root = root
    }

    public func field(_ key: String) -> JSONSpan? { json.field(key, in: root) }

    public func lookup(_ path: String...) -> JSONSpan? {
        var span = root
        for key in path {
            guard let next = json.field(key, in: span) else { return nil }
            span = next
        }
        return span
    }

    public func string(_ key: String) -> String? { field(key).flatMap { json.string($0) } }
    public func int(_ key: String) -> Int64? { field(key).flatMap { json.int($0) } }

    /// The `type` field's span.
    public var typeSpan: JSONSpan? { field("type") }
    public var type: String? { typeSpan.flatMap { json.string($0) } }

    /// True when `type` equals `name` (no allocation).
    public func isType(_ name: String) -> Bool {
        guard let span = typeSpan else { return false }
        return json.stringEquals(span, name)
    }

    public var flowID: String? { string("flow_id") }
    public var sessionID: String? { string("session_id") }
    public var timestamp: Timestamp? {
        guard let span = field("ts"), span.kind == .string else { return nil }
        return Timestamp(iso8601: UnsafeRawBufferPointer(rebasing: line[(span.start + 1)..<(span.end - 1)]))
    }
}

extension Array where Element == UInt8 {
    /// Appends a line and its newline (pass-through of a record).
    @inline(__always)
    public mutating func appendLine(_ line: UnsafeRawBufferPointer) {
        append(contentsOf: line)
        append(0x0A)
    }
}
