// A stand-in for the two NIOHTTP1 types that sse-capture's pure request code uses (HTTPMethod in
// Routing.swift, HTTPHeaders in SessionID.swift), compiled by fuzz/build.sh as a module named
// NIOHTTP1. Building SwiftNIO itself with -sanitize=fuzzer is not worth the minutes on this
// machine; the request bytes NIO would decode are split by the harness (fuzz/CaptureFuzz.swift).
// Same semantics as NIO for what the code calls: header names compare case-insensitively.

public enum HTTPMethod: Equatable, Sendable {
    case GET, POST, CONNECT
    case RAW(value: String)

    public init(rawValue: String) {
        switch rawValue {
        case "GET": self = .GET
        case "POST": self = .POST
        case "CONNECT": self = .CONNECT
        default: self = .RAW(value: rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .GET: return "GET"
        case .POST: return "POST"
        case .CONNECT: return "CONNECT"
        case .RAW(let value): return value
        }
    }
}

public struct HTTPHeaders: Sequence, Sendable {
    private var list: [(name: String, value: String)]

    public init(_ list: [(String, String)] = []) {
        self.list = list.map { (name: $0.0, value: $0.1) }
    }

    public func first(name: String) -> String? {
        let lower = name.lowercased()
        return list.first { $0.name.lowercased() == lower }?.value
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        list.makeIterator()
    }
}
