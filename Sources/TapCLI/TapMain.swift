// The one `main` of every tool: parse, run, and map the outcome to the exit statuses of
// DESIGN §4 rule 4 — 0 ok, 1 "nothing matched" where a tool says so, 2 usage or runtime
// error (ArgumentParser's usage status 64 becomes 2), and a closed stdout pipe ends quietly
// with 0 (ripgrep's main() does the same: `| head` is not an error).

import ArgumentParser
import TapCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum TapMain {
    public static func run<Command: ParsableCommand>(_ command: Command.Type) -> Never {
        // EPIPE comes back from write(2) as an error we handle, instead of killing us silently mid-flush.
        signal(SIGPIPE, SIG_IGN)
        do {
            var parsed = try Command.parseAsRoot()
            try parsed.run()
            exit(0)
        } catch {
            exit(status(for: error, command))
        }
    }

    /// Prints what the error says and returns the exit status for it.
    static func status<Command: ParsableCommand>(for error: Error, _ command: Command.Type) -> Int32 {
        switch error {
        case is OutputClosed:
            return 0
        case let failure as TapFailure:
            if !failure.description.isEmpty { writeStandardError(failure.description) }
            return failure.status
        case let error as LineReaderError:
            writeStandardError("\(toolName(command)): \(error.description)")
            return 2
        case let code as ExitCode:
            // Thrown on purpose by a tool, e.g. ExitCode(1) for "nothing matched".
            return code.rawValue
        case let error as OutputError:
            writeStandardError("\(toolName(command)): \(error.description)")
            return 2
        default:
            let code = Command.exitCode(for: error)
            let message = Command.fullMessage(for: error)
            if code == .success {
                // --help, --version: to stdout.
                var text = message + "\n"
                text.withUTF8 { try? OutputBuffer.writeAll(1, UnsafeRawBufferPointer($0)) }
                return 0
            }
            if !message.isEmpty { writeStandardError(message) }
            // Usage errors (ArgumentParser's 64) and every runtime error: 2.
            return 2
        }
    }

    static func toolName<Command: ParsableCommand>(_ command: Command.Type) -> String {
        command.configuration.commandName ?? String(describing: command)
    }
}
