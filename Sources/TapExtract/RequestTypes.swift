// The data types of extract-requests (DESIGN §6). The first six are defined by
// bench/anchors/README.md ("requests") and cross-checked against the reference; the others
// are defined here and in man/extract-requests.1. Body types read each flow's request body
// once, in flow order; event types come from the flow's events and flow_end (FlowTable).

public enum RequestType: String, CaseIterable, Sendable {
    // Cross-checked against bench/anchors/requests.py.
    case config
    case systemPrompts = "system_prompts"
    case userPrompts = "user_prompts"
    case toolsDefined = "tools_defined"
    case toolCalls = "tool_calls"
    case toolResults = "tool_results"
    // Request bodies.
    case callIndex = "call_index"
    case telemetry
    case assistantMessages = "assistant_messages"
    case reasoningPresence = "reasoning_presence"
    case headers, envelope
    case conversationGrowth = "conversation_growth"
    case callLinkage = "call_linkage"
    case functionCallErrors = "function_call_errors"
    case toolUsageStats = "tool_usage_stats"
    case models
    case thinkingConfig = "thinking_config"
    case toolChoice = "tool_choice"
    case imagesAndFiles = "images_and_files"
    case cacheControl = "cache_control"
    // Responses (events and flow_end).
    case usage
    case cacheUsage = "cache_usage"
    case stopReasons = "stop_reasons"
    case errors, latency

    /// Types answered from the events rather than the request body.
    public var fromEvents: Bool {
        switch self {
        case .usage, .cacheUsage, .stopReasons, .errors, .latency: return true
        default: return false
        }
    }

    /// Parses `all` or a comma-separated list; nil names the first unknown type.
    public static func parse(_ list: String) -> Result<[RequestType], UnknownType> {
        if list == "all" { return .success(allCases) }
        var result: [RequestType] = []
        for name in list.split(separator: ",") {
            let name = name.trimmingSpaces
            guard let type = RequestType(rawValue: name) else { return .failure(UnknownType(name: name)) }
            if !result.contains(type) { result.append(type) }
        }
        return .success(result)
    }

    public struct UnknownType: Error, CustomStringConvertible {
        public let name: String
        public var description: String {
            "unknown type '\(name)' (known: \(RequestType.allCases.map(\.rawValue).joined(separator: ",")), or all)"
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
