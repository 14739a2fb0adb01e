// The per-call FSM of bash-detect (the seed's CodexStreamParserFSM / ParserV3): it reads the
// argument JSON of one tool call as its fragments arrive and recognises a shell command as soon
// as the fragments make it certain — not when the call ends. Pure: fragments in, results out.
//
// Recognised forms (any JSON whitespace between tokens, any escaping inside the strings):
//   {"command":["bash","-lc","…"]}    also sh/zsh/dash/ksh, a path (/bin/bash), flags -c, -lc,
//                                     -ec, or several flags (-l -c): Codex's `shell` tool.
//   {"command":"…"} / {"cmd":"…"}     Codex shell_command / exec_command, Claude Code's Bash tool
//                                     (with "description"): when the tool is a shell tool or unknown.
// Certain means: for the array form, the shell token and a flag with `c` are complete and the
// next element's opening quote has arrived; for the string form, the value's opening quote.

import TapCodec

struct ShellCallDetector {
    /// Shells whose `-c` runs a command string.
    static let shells: Set<String> = ["bash", "sh", "zsh", "dash", "ksh", "fish"]
    /// Tool names whose `command`/`cmd` string is a shell command.
    static let shellTools: Set<String> = [
        "Bash", "bash", "shell", "shell_command", "exec_command", "local_shell", "container.exec",
    ]

    enum Form: Equatable { case array, string }

    /// What a string being read is for.
    enum Role: Equatable { case key, commandString, argv, workdir, description, other }

    /// What one fragment did.
    struct Step: Equatable {
        /// The pattern became certain inside this fragment.
        var detected = false
        /// Decoded command text that arrived in this fragment (after detection only).
        var commandText: [UInt8] = []
        /// The arguments' JSON object closed in this fragment.
        var completed = false
    }

    let toolName: String?
    private(set) var form: Form?
    private(set) var detectedAtSeq: Int64?
    private(set) var rejectedArrayForm = false
    private(set) var isComplete = false
    private(set) var argv: [String] = []
    private(set) var command: [UInt8] = []
    private(set) var workdir: String?
    private(set) var descriptionText: String?

    // Lexer state.
    var stack: [UInt8] = []
    var expectingKey = false
    var inString = false
    var escaped = false
    var role: Role = .other
    var key: [UInt8] = []
    var captured: [UInt8] = []
    var unescaper = JSONFragmentUnescaper()
    /// The top-level key whose value is being read.
    var topKey: [UInt8] = []
    /// Inside the `command` array (depth 2).
    var inCommandArray = false
    /// The next argv element is the command string (a `c` flag was the last element).
    var nextIsCommand = false
    var argvIsCommand = false

    init(toolName: String?) {
        self.toolName = toolName
    }

    var isDetected: Bool { detectedAtSeq != nil }
    var shell: String? {
        if form == .array, let first = argv.first { return first }
        if form == .string, let toolName, toolName == "Bash" || toolName == "bash" { return "bash" }
        return nil
    }

    /// Reads one fragment (raw JSON text, cut anywhere) that arrived with `seq`.
    mutating func feed(_ fragment: UnsafeRawBufferPointer, seq: Int64) -> Step {
        var step = Step()
        guard !isComplete else { return step }
        var i = 0
        let n = fragment.count
        while i < n {
            let c = fragment[i]
            if inString {
                // Fast path: runs of plain bytes inside a string.
                var j = i
                if !escaped {
                    while j < n, fragment[j] != 0x22, fragment[j] != 0x5C { j += 1 }
                }
                if j > i {
                    takeString(UnsafeRawBufferPointer(rebasing: fragment[i..<j]), into: &step)
                    i = j
                    continue
                }
                if escaped {
                    escaped = false
                    takeString(UnsafeRawBufferPointer(rebasing: fragment[i..<(i + 1)]), into: &step)
                } else if c == 0x5C {
                    escaped = true
                    takeString(UnsafeRawBufferPointer(rebasing: fragment[i..<(i + 1)]), into: &step)
                } else {
                    endString(into: &step)
                }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                valueStarts(isString: false, isArray: c == UInt8(ascii: "["), seq: seq, into: &step)
                stack.append(c)
                expectingKey = c == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if stack.count == 2, inCommandArray { inCommandArray = false }
                if !stack.isEmpty { stack.removeLast() }
                if stack.isEmpty {
                    isComplete = true
                    step.completed = true
                    return step
                }
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = stack.last == UInt8(ascii: "{")
            case UInt8(ascii: ":"):
                expectingKey = false
            case 0x22:
                if expectingKey {
                    role = .key
                    key.removeAll(keepingCapacity: true)
                } else {
                    valueStarts(isString: true, isArray: false, seq: seq, into: &step)
                }
                inString = true
                captured.removeAll(keepingCapacity: true)
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                // A number or literal: only matters inside the command array (not a shell form).
                valueStarts(isString: false, isArray: false, seq: seq, into: &step)
                skipScalar(fragment, &i)
                continue
            }
            i += 1
        }
        return step
    }

    /// Skips the rest of a number or literal in this fragment (it may continue in the next one,
    /// where its bytes are skipped the same way).
    func skipScalar(_ fragment: UnsafeRawBufferPointer, _ i: inout Int) {
        while i < fragment.count {
            switch fragment[i] {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return
            default: i += 1
            }
        }
    }

    /// A value begins at the current depth.
    mutating func valueStarts(isString: Bool, isArray: Bool, seq: Int64, into step: inout Step) {
        role = .other
        if stack.count == 1, stack.last == UInt8(ascii: "{") {
            let isCommandKey = topKey == Array("command".utf8) || topKey == Array("cmd".utf8)
            if isString && isCommandKey && form == nil && toolAllowsStringForm {
                form = .string
                role = .commandString
                detect(seq, into: &step)
            } else if isArray && topKey == Array("command".utf8) && form == nil {
                inCommandArray = true
                argv = []
            } else if isString && topKey == Array("workdir".utf8) {
                role = .workdir
            } else if isString && topKey == Array("description".utf8) {
                role = .description
            }
        } else if stack.count == 2, inCommandArray {
            if !isString {
                rejectedArrayForm = true
                inCommandArray = false
                return
            }
            role = .argv
            argvIsCommand = nextIsCommand
            nextIsCommand = false
            if argvIsCommand && form == nil && !rejectedArrayForm {
                form = .array
                detect(seq, into: &step)
            }
        }
    }

    var toolAllowsStringForm: Bool {
        guard let toolName else { return true }
        return Self.shellTools.contains(toolName)
    }

    mutating func detect(_ seq: Int64, into step: inout Step) {
        detectedAtSeq = seq
        step.detected = true
    }

    /// Bytes inside a string (escapes included, raw).
    mutating func takeString(_ bytes: UnsafeRawBufferPointer, into step: inout Step) {
        switch role {
        case .other:
            return
        case .key:
            // Keys that matter are short; a long one is just not one of them.
            if key.count < 64 { unescaper.feed(bytes, into: &key) }
        case .commandString:
            let start = command.count
            unescaper.feed(bytes, into: &command)
            step.commandText.append(contentsOf: command[start...])
        case .argv:
            if argvIsCommand && form == .array {
                let start = command.count
                unescaper.feed(bytes, into: &command)
                step.commandText.append(contentsOf: command[start...])
            } else {
                unescaper.feed(bytes, into: &captured)
            }
        case .workdir, .description:
            unescaper.feed(bytes, into: &captured)
        }
    }

    mutating func endString(into step: inout Step) {
        inString = false
        escaped = false
        switch role {
        case .key:
            var rest: [UInt8] = []
            unescaper.finish(into: &rest)
            key += rest
            if stack.count == 1 { topKey = key }
        case .commandString:
            unescaper.finish(into: &command)
        case .argv:
            if argvIsCommand && form == .array {
                unescaper.finish(into: &command)
                argv.append(String(decoding: command, as: UTF8.self))
            } else {
                unescaper.finish(into: &captured)
                argvElementDone(String(decoding: captured, as: UTF8.self))
            }
        case .workdir:
            unescaper.finish(into: &captured)
            workdir = String(decoding: captured, as: UTF8.self)
        case .description:
            unescaper.finish(into: &captured)
            descriptionText = String(decoding: captured, as: UTF8.self)
        case .other:
            break
        }
        role = .other
        expectingKey = false
    }

    /// An argv element before the command: the shell, then flags up to one with `c`.
    mutating func argvElementDone(_ element: String) {
        argv.append(element)
        guard form == nil, !rejectedArrayForm else { return }
        if argv.count == 1 {
            let base = element.split(separator: "/").last.map(String.init) ?? element
            if !Self.shells.contains(base) { rejectedArrayForm = true }
            return
        }
        let isFlag =
            element.count >= 2 && element.hasPrefix("-") && element.dropFirst().allSatisfy { $0.isLetter || $0 == "-" }
        guard isFlag else {
            rejectedArrayForm = true
            return
        }
        if !element.hasPrefix("--") && element.contains("c") { nextIsCommand = true }
    }
}
