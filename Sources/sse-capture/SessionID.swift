// The session id of a request, by priority; `session_source` names the rule that matched.
import NIOHTTP1
import TapCodec

enum SessionID {
    static let headerNames = ["conversation_id", "session_id", "session-id", "x-claude-code-session-id"]

    /// First match wins: headers, body `metadata.sessionId`, body `prompt_cache_key`, body
    /// `metadata.user_id` (legacy `user_<hash>_account_<id>_session_<uuid>`, or a JSON string with
    /// `session_id`), else `fb-` + 16 hex of SHA-256 of `fallback` (client address, URL, body length).
    /// `jsonBody` is the request body when it is one valid JSON text, else empty.
    static func resolve(headers: HTTPHeaders, jsonBody: [UInt8], fallback: String) -> (String, String) {
        for name in headerNames {
            if let value = headers.first(name: name), !value.isEmpty { return (value, "header." + name) }
        }
        if !jsonBody.isEmpty {
            let found: (String, String)? = jsonBody.withUnsafeBytes { bytes in
                let scanner = JSONScanner(bytes)
                if let span = scanner.lookup("metadata", "sessionId"), let value = scanner.string(span), !value.isEmpty
                {
                    return (value, "body.metadata.sessionId")
                }
                if let span = scanner.lookup("prompt_cache_key"), let value = scanner.string(span), !value.isEmpty {
                    return (value, "body.prompt_cache_key")
                }
                if let span = scanner.lookup("metadata", "user_id"), let value = scanner.string(span),
                    let session = sessionInUserID(value)
                {
                    return (session, "body.metadata.user_id")
                }
                return nil
            }
            if let found { return found }
        }
        return ("fb-" + Redaction.hash(fallback).dropFirst(5), "fallback_hash")
    }

    /// The session UUID inside Claude Code's `metadata.user_id`, in either of its two shapes.
    static func sessionInUserID(_ userID: String) -> String? {
        let bytes = Array(userID.utf8)
        if userID.hasPrefix("{"), JSONScanner.isValid(bytes) {
            return bytes.withUnsafeBytes { raw -> String? in
                let scanner = JSONScanner(raw)
                guard let span = scanner.lookup("session_id"), let session = scanner.string(span), !session.isEmpty
                else { return nil }
                return session
            }
        }
        guard let range = userID.firstRange(of: "_session_") else { return nil }
        let tail = userID[range.upperBound...]
        return tail.isEmpty ? nil : String(tail)
    }
}
