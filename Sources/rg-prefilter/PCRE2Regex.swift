// The one Swift wrapper around libpcre2-8: it owns every PCRE2 pointer (compiled code, match data,
// match context, JIT stack) and frees them in `deinit`, so no other file touches the C API.
//
// Patterns are compiled like `rg -P` does by default: UTF + UCP (Unicode `\w`, `.`, case folding),
// with PCRE2_MATCH_INVALID_UTF so that invalid UTF-8 in a log line is searched as bytes that
// simply never match, instead of being an error (or a crash). The JIT is used when available.
import CPCRE2

/// A pattern PCRE2 refused: its message and the offset (in bytes) where it stopped.
struct PatternError: Error, CustomStringConvertible, Equatable {
    var pattern: String
    var message: String
    var offset: Int

    var description: String { "pattern error at offset \(offset): \(message) (in \(pattern))" }
}

/// A compiled PCRE2 pattern with reusable match data; one per thread of use (not Sendable).
final class PCRE2Regex {
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let matchContext: OpaquePointer?
    private let jitStack: OpaquePointer?
    /// True when the JIT compiled the pattern, so `pcre2_jit_match` (no option checks) is safe.
    let isJIT: Bool

    struct Options: OptionSet {
        let rawValue: UInt32
        static let caseless = Options(rawValue: PCRE2_CASELESS)
        /// `^` and `$` at every line start and end: needed when the subject is a block of lines.
        static let multiline = Options(rawValue: PCRE2_MULTILINE)
        /// Match only at the start offset: compiled in, so the JIT code is the anchored one.
        static let anchored = Options(rawValue: PCRE2_ANCHORED)
    }

    init(_ pattern: String, options: Options = []) throws {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let flags = options.rawValue | PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF
        let bytes = Array(pattern.utf8)
        let compiled = bytes.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count, flags, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw PatternError(pattern: pattern, message: PCRE2Regex.message(for: errorCode), offset: errorOffset)
        }
        code = compiled
        isJIT = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
        guard let data = pcre2_match_data_create_from_pattern_8(compiled, nil) else {
            pcre2_code_free_8(compiled)
            throw PatternError(pattern: pattern, message: "out of memory", offset: 0)
        }
        matchData = data
        // A bigger JIT stack than the 32 KiB default: backtracking over a 50 MB line must not fail.
        if isJIT, let stack = pcre2_jit_stack_create_8(32 * 1024, 64 * 1024 * 1024, nil),
            let context = pcre2_match_context_create_8(nil)
        {
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
            jitStack = stack
            matchContext = context
        } else {
            jitStack = nil
            matchContext = nil
        }
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        if let matchContext { pcre2_match_context_free_8(matchContext) }
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        pcre2_code_free_8(code)
    }

    /// The first match in `subject` at or after `start`, as byte offsets into `subject`.
    /// Lookbehind may look at bytes before `start`. Throws on a PCRE2 runtime error (match limit).
    func firstMatch(in subject: UnsafeRawBufferPointer, from start: Int = 0) throws -> Range<Int>? {
        guard let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            // An empty buffer has no base address; PCRE2 still needs a valid pointer for a zero-length subject.
            var zero: UInt8 = 0
            return pcre2_match_8(code, &zero, 0, 0, 0, matchData, nil) > 0 ? 0..<0 : nil
        }
        let rc: Int32
        if isJIT {
            rc = pcre2_jit_match_8(code, base, subject.count, start, 0, matchData, matchContext)
        } else {
            rc = pcre2_match_8(code, base, subject.count, start, 0, matchData, nil)
        }
        if rc == PCRE2_ERROR_NOMATCH { return nil }
        guard rc > 0 else {
            throw PatternError(pattern: "", message: PCRE2Regex.message(for: rc), offset: start)
        }
        guard let ovector = pcre2_get_ovector_pointer_8(matchData) else { return nil }
        let lower = ovector[0]
        let upper = ovector[1]
        // \K can put the start after the end; the line holding the match is what matters here.
        return min(lower, upper)..<max(lower, upper)
    }

    /// Whether `subject` holds a match anywhere.
    func matches(_ subject: UnsafeRawBufferPointer) throws -> Bool {
        try firstMatch(in: subject) != nil
    }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBufferPointer { pointer in
            pcre2_get_error_message_8(errorCode, pointer.baseAddress, pointer.count)
        }
        return count > 0 ? String(decoding: buffer[0..<Int(count)], as: UTF8.self) : "PCRE2 error \(errorCode)"
    }
}
