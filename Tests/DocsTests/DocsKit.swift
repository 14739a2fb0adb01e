// What the docs tests read: the repository's man pages, completions, README and scripts, the
// options each built tool declares (`--experimental-dump-help`, swift-argument-parser's
// ToolInfo JSON), and mandoc's lint and text output. Kept apart from the assertions so each
// test reads as the rule it checks.

import Foundation
import TapTestSupport
import XCTest

enum Kit {
    static var root: String { Repo.root }

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    static func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// The tools of the package: every folder under Sources/ with a `main.swift` or an `@main` type.
    static func tools() throws -> [String] {
        let sources = path("Sources")
        return try FileManager.default.contentsOfDirectory(atPath: sources).sorted().filter { name in
            let dir = sources + "/" + name
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return false }
            if files.contains("main.swift") { return true }
            return files.contains { file in
                guard file.hasSuffix(".swift"),
                    let text = try? String(contentsOfFile: dir + "/" + file, encoding: .utf8)
                else { return false }
                return text.contains("@main")
            }
        }
    }

    /// Tools with a man page `man/<tool>.1`.
    static func manPages() throws -> [String] {
        guard exists("man") else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: path("man")).filter { $0.hasSuffix(".1") }
            .map { String($0.dropLast(2)) }.sorted()
    }

    /// The completion files of a tool, as scripts/gen-completions.sh names them.
    static func completionFiles(_ tool: String) -> [(shell: String, path: String)] {
        [
            ("bash", "completions/bash/\(tool).bash"), ("zsh", "completions/zsh/_\(tool)"),
            ("fish", "completions/fish/\(tool).fish"),
        ]
    }

    /// The README table row of a tool: a line `| ... \`tool\` ... |` whose first cell names it.
    static func readmeRow(_ tool: String, in readme: String) -> String? {
        readme.split(separator: "\n").map(String.init).first { line in
            guard line.hasPrefix("|") else { return false }
            let firstCell = line.dropFirst().prefix { $0 != "|" }
            return firstCell.contains("`\(tool)`")
        }
    }

    // MARK: mandoc

    struct LintMessage: CustomStringConvertible {
        var level: String  // STYLE, WARNING, ERROR, UNSUPP
        var text: String
        var line: String
        var description: String { line }
    }

    /// `mandoc -T lint` of a page, every message (style level included), parsed.
    static func lint(_ relative: String) async throws -> (messages: [LintMessage], other: [String]) {
        let result = try await Binary.runExecutable("mandoc", ["-T", "lint", "-W", "style", path(relative)])
        // mandoc exits 0 (clean), 1 (style), 2 (warning), 3 (error), 4 (unsupported); above: it failed.
        XCTAssertLessThanOrEqual(result.status, 4, "mandoc failed on \(relative): \(result.stderr)")
        var messages: [LintMessage] = []
        var other: [String] = []
        for line in (result.stdoutText + "\n" + result.stderr).split(separator: "\n").map(String.init) {
            // "mandoc: /path/x.1:3:5: STYLE: operating system explicitly specified: Os StreamTap (NetBSD)"
            let parts = line.components(separatedBy: ": ")
            if parts.count >= 4, parts[0] == "mandoc",
                ["STYLE", "WARNING", "ERROR", "UNSUPP", "BADARG", "SYSERR"].contains(parts[2])
            {
                messages.append(LintMessage(level: parts[2], text: parts[3...].joined(separator: ": "), line: line))
            } else if !line.isEmpty {
                other.append(line)
            }
        }
        return (messages, other)
    }

    /// The page as plain text (mandoc -T ascii, overstrike removed), wide enough not to break lines.
    static func render(_ relative: String) async throws -> String {
        let result = try await Binary.runExecutable("mandoc", ["-T", "ascii", "-O", "width=400", path(relative)])
        XCTAssertEqual(result.status, 0, "mandoc -T ascii \(relative): \(result.stderr)")
        // Bold is "X\bX", underline "_\bX": drop every character that a backspace erases.
        var plain: [UInt8] = []
        for byte in result.stdout {
            if byte == 0x08 {
                if !plain.isEmpty { plain.removeLast() }
            } else {
                plain.append(byte)
            }
        }
        return String(decoding: plain, as: UTF8.self)
    }

    // MARK: options of a built tool

    /// One option or flag a command declares.
    struct Option: Hashable {
        var command: [String]  // e.g. ["sse-capture", "ca"]
        var longNames: [String]  // without the dashes
        var shortNames: [String]
    }

    /// What a built tool declares: its options (of every subcommand) and subcommand names.
    struct Declared {
        var options: [Option] = []
        var subcommands: [String] = []
    }

    enum ToolState {
        case missing  // no binary: not built in this checkout
        case placeholder  // the skeleton's main.swift that prints "not built yet"
        case built(Declared)
    }

    static func state(of tool: String) async throws -> ToolState {
        let binary = Binary.path(tool)
        guard FileManager.default.isExecutableFile(atPath: binary) else { return .missing }
        let result = try await Binary.run(tool, ["--experimental-dump-help"])
        if result.stdoutText.contains("not built yet") || result.stderr.contains("not built yet") {
            return .placeholder
        }
        XCTAssertEqual(result.status, 0, "\(tool) --experimental-dump-help: \(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout))
        guard let root = json as? [String: Any], let command = root["command"] as? [String: Any] else {
            XCTFail("\(tool) --experimental-dump-help is not ToolInfo JSON")
            return .built(Declared())
        }
        var declared = Declared()
        collect(command, path: [tool], into: &declared)
        return .built(declared)
    }

    private static func collect(_ command: [String: Any], path: [String], into declared: inout Declared) {
        for argument in command["arguments"] as? [[String: Any]] ?? [] {
            guard argument["kind"] as? String != "positional" else { continue }
            // Hidden options (shouldDisplay false) are not part of the documented interface.
            guard argument["shouldDisplay"] as? Bool ?? true else { continue }
            let names = argument["names"] as? [[String: Any]] ?? []
            let long = names.filter { $0["kind"] as? String != "short" }.compactMap { $0["name"] as? String }
            let short = names.filter { $0["kind"] as? String == "short" }.compactMap { $0["name"] as? String }
            // -h/--help and --version are ArgumentParser's own, on every command.
            if long.contains("help") || long == ["version"] { continue }
            declared.options.append(Option(command: path, longNames: long, shortNames: short))
        }
        for sub in command["subcommands"] as? [[String: Any]] ?? [] {
            guard let name = sub["commandName"] as? String, name != "help" else { continue }
            declared.subcommands.append(name)
            collect(sub, path: path + [name], into: &declared)
        }
    }

    /// Whether `token` occurs in `text` as a whole word: not preceded or followed by a name character.
    static func containsToken(_ text: String, _ token: String) -> Bool {
        let isNameByte: (UInt8) -> Bool = { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F
        }
        let haystack = Array(text.utf8)
        let needle = Array(token.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == needle[0], Array(haystack[start..<start + needle.count]) == needle {
                let before = start == 0 ? nil : haystack[start - 1]
                let after = start + needle.count < haystack.count ? haystack[start + needle.count] : nil
                if !(before.map(isNameByte) ?? false), !(after.map(isNameByte) ?? false) { return true }
            }
            start += 1
        }
        return false
    }
}
