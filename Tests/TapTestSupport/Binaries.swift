// Running the built tools from tests: where the binaries are, and one call that runs one
// with arguments, standard input and environment, and returns status, stdout and stderr.

import Foundation
import Subprocess
import SystemPackage
import TapCodec

public struct RunResult: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: String

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stdoutLines: [String] {
        stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }
}

public enum Binary {
    /// The folder with the built executables: beside the test bundle (`.build/debug`).
    public static var directory: String {
        let bundle = Bundle.allBundles.map(\.bundlePath).first { $0.hasSuffix(".xctest") }
        if let bundle {
            let dir = (bundle as NSString).deletingLastPathComponent
            if FileManager.default.fileExists(atPath: dir + "/sse-normalize") { return dir }
        }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = argv0.deletingLastPathComponent()
        // argv0 may be .../debug/StreamTapPackageTests.xctest (a file on Linux).
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("sse-normalize").path) {
                return dir.path
            }
            dir = dir.deletingLastPathComponent()
        }
        return Repo.root + "/.build/debug"
    }

    public static func path(_ name: String) -> String { directory + "/" + name }

    /// Runs a built tool. `stdin` is written whole; output is collected (up to 256 MiB).
    public static func run(
        _ name: String,
        _ arguments: [String] = [],
        stdin: [UInt8] = [],
        environment: [String: String] = [:],
        workingDirectory: String? = nil
    ) async throws -> RunResult {
        try await runExecutable(
            path(name),
            arguments,
            stdin: stdin,
            environment: environment,
            workingDirectory: workingDirectory
        )
    }

    public static func run(
        _ name: String,
        _ arguments: [String] = [],
        stdin: String,
        environment: [String: String] = [:]
    ) async throws -> RunResult {
        try await run(name, arguments, stdin: Array(stdin.utf8), environment: environment)
    }

    /// Runs any executable (a path, or a name looked up in PATH).
    public static func runExecutable(
        _ executable: String,
        _ arguments: [String],
        stdin: [UInt8] = [],
        environment: [String: String] = [:],
        workingDirectory: String? = nil
    ) async throws -> RunResult {
        var env: [Environment.Key: String?] = [:]
        for (k, v) in environment { env[Environment.Key(stringLiteral: k)] = v }
        let exe: Executable = executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
        let result = try await Subprocess.run(
            exe,
            arguments: Arguments(arguments),
            environment: .inherit.updating(env),
            workingDirectory: workingDirectory.map { FilePath($0) },
            input: .array(stdin),
            output: .bytes(limit: 256 << 20),
            error: .string(limit: 16 << 20)
        )
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return RunResult(status: status, stdout: result.standardOutput, stderr: result.standardError ?? "")
    }
}

public enum Repo {
    /// The repository root (this file is Tests/TapTestSupport/Binaries.swift).
    public static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// `../shared` beside the repository.
    public static var shared: String {
        URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared").path
    }
}

public enum Fixtures {
    public static var realDirectory: String { Repo.shared + "/fixtures/real" }
    public static var jsonTestSuiteDirectory: String { Repo.shared + "/fixtures/jsontestsuite" }

    /// The bytes of a real fixture, e.g. `Fixtures.real("anthropic-tool-use.sse")`.
    public static func real(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: realDirectory + "/" + name)))
    }

    /// Names of the real fixtures with an extension (`sse`, `json`), sorted.
    public static func realNames(withExtension ext: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: realDirectory).filter { $0.hasSuffix("." + ext) }.sorted()
    }
}

public enum TempDir {
    /// A fresh temporary directory (removed by the caller or left to the OS).
    public static func make(_ prefix: String = "streamtap") throws -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

public enum Corpus {
    /// A generated capture corpus (../shared/bench/gen-corpus.py), cached per seed and size.
    public static func generate(seed: Int, sizeMB: Double, badLines: Double? = nil) async throws -> String {
        let dir = NSTemporaryDirectory() + "streamtap-test-corpus"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let suffix = badLines.map { "-bad\($0)" } ?? ""
        let path = "\(dir)/corpus-\(seed)-\(sizeMB)\(suffix).jsonl"
        if FileManager.default.fileExists(atPath: path) { return path }
        var args = [
            Repo.shared + "/bench/gen-corpus.py", "--seed", "\(seed)", "--size-mb", "\(sizeMB)", "--out", path + ".tmp",
        ]
        if let badLines { args += ["--bad-lines", "\(badLines)"] }
        let result = try await Binary.runExecutable("python3", args)
        guard result.status == 0 else { throw CorpusError(message: result.stderr) }
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        return path
    }

    struct CorpusError: Error { let message: String }
}

public enum Network {
    /// A free TCP port on 127.0.0.1 (bind to 0, read it back, close).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
