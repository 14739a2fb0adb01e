// Turns the command line's patterns and fields into the clauses a line must meet: the `-e`
// patterns (joined as one alternation: any may match) and one clause per `--field` (all must).

struct Query {
    var patterns: [String] = []
    var fields: [FieldPattern] = []
    var fixedStrings = false
    var ignoreCase = false

    func matcher() throws -> LineMatcher {
        var clauses: [Clause] = []
        if !patterns.isEmpty {
            let sources = fixedStrings ? patterns.map(LiteralExtractor.escape) : patterns
            let joined = sources.count == 1 ? sources[0] : sources.map { "(?:\($0))" }.joined(separator: "|")
            var literal: RequiredLiteral?
            if sources.count == 1 {
                literal =
                    fixedStrings
                    ? RequiredLiteral(bytes: Array(patterns[0].utf8), isWholePattern: true)
                    : LiteralExtractor.requiredLiteral(of: joined)
            }
            if let candidate = literal, !LiteralExtractor.isSelective(candidate.bytes), !candidate.isWholePattern {
                literal = nil  // the JIT's own first-byte scan beats stopping at every `"`
            }
            // Compile each pattern alone first, so a bad one is reported with its own offset.
            if sources.count > 1 { for source in sources { _ = try PCRE2Regex(source) } }
            clauses.append(try Clause(pattern: joined, caseless: ignoreCase, literal: literal))
        }
        for field in fields {
            let literal = field.literal.flatMap { LiteralExtractor.isSelective($0.bytes) ? $0 : nil }
            clauses.append(try Clause(pattern: field.pattern, caseless: ignoreCase, literal: literal))
        }
        return LineMatcher(clauses: clauses)
    }
}
