// A private redis-server for the end-to-end tests: a free loopback port, a temp dir, no
// persistence unless asked (AOF for the restart test), stopped in tearDown. Plus small helpers
// to run redis-cli and a redis-dump process that runs alongside the test (follow, groups).
// Children are started with posix_spawn and reaped with waitpid(pid): Foundation's Process
// relies on a SIGCHLD handler that the Subprocess package (TapTestSupport's Binary.run) replaces,
// so a Process started after a Binary.run call may never be seen to exit.
import Foundation
import TapTestSupport
import XCTest

final class RedisServer {
    let port: Int
    let directory: String
    let appendOnly: Bool
    private var process: Child?

    init(appendOnly: Bool = false) throws {
        port = Network.freePort()
        directory = try TempDir.make("redis-dump-test")
        self.appendOnly = appendOnly
        try start()
    }

    /// Starts redis-server and waits (up to 5 s) until it answers PING.
    func start() throws {
        var args = [
            "redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--dir", directory,
            "--logfile", directory + "/redis.log", "--daemonize", "no",
        ]
        args += appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]
        process = try Child(args, stdout: .null)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if (try? cli(["PING"])) == "PONG" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("redis-server did not start on port \(port)")
    }

    /// Stops the server (SIGTERM: an AOF server writes its log out first) and waits for it.
    func stop() {
        guard let p = process else { return }
        p.signal(SIGTERM)
        _ = p.wait()
        process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs redis-cli against this server; returns its stdout without the trailing newline.
    @discardableResult
    func cli(_ args: [String]) throws -> String {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ChildError(message: "pipe failed") }
        let child = try Child(["redis-cli", "-p", "\(port)"] + args, stdout: .fd(fds[1]))
        close(fds[1])
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &chunk, chunk.count)
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        close(fds[0])
        _ = child.wait()
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}

extension RedisServer {
    /// The number of entries delivered to the group's consumers and not acknowledged (XPENDING).
    func pendingCount(_ key: String, _ group: String) throws -> Int? {
        Int(try cli(["XPENDING", key, group]).split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }
}

/// A redis-dump process running beside the test; stdout (unless a pipe fd is given) and stderr
/// collected into files.
final class BackgroundDump {
    let child: Child
    let outputPath: String
    let errorPath: String
    private(set) var status: Int32?

    init(_ arguments: [String], directory: String, name: String, stdoutFD: Int32? = nil) throws {
        outputPath = directory + "/\(name).out"
        errorPath = directory + "/\(name).err"
        child = try Child(
            [Binary.path("redis-dump")] + arguments,
            stdout: stdoutFD.map { .fd($0) } ?? .file(outputPath),
            stderr: .file(errorPath)
        )
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }
    var lines: [String] { output.split(separator: "\n").map(String.init) }

    /// Waits for the process to end by itself; kills it after `seconds` and fails.
    func waitForExit(seconds: Double, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let code = child.poll() {
                status = code
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        child.signal(SIGKILL)
        status = child.wait()
        XCTFail("redis-dump still running after \(seconds) s; stderr: \(errors)", file: file, line: line)
    }

    func kill() {
        child.signal(SIGKILL)
        status = child.wait()
    }

    deinit {
        if status == nil {
            child.signal(SIGKILL)
            _ = child.wait()
        }
    }
}

struct ChildError: Error { let message: String }

/// A child process started with posix_spawnp (PATH lookup), reaped with waitpid on its own pid.
final class Child {
    enum Output {
        case null
        case file(String)
        case fd(Int32)
    }

    let pid: pid_t
    private var exitStatus: Int32?

    init(_ argv: [String], stdout: Output, stderr: Output = .null) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (fd, output) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch output {
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .fd(let source): posix_spawn_file_actions_adddup2(&actions, source, fd)
            }
        }
        // The test runner's threads block some signals; a child must start with none blocked and
        // default handlers, or redis-server would never see the SIGTERM that stops it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for arg in cArgs { free(arg) } }
        var spawned: pid_t = 0
        let rc = posix_spawnp(&spawned, argv[0], &actions, &attributes, &cArgs, environ)
        guard rc == 0 else { throw ChildError(message: "cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        pid = spawned
    }

    func signal(_ signal: Int32) {
        if exitStatus == nil { Glibc.kill(pid, signal) }
    }

    /// The exit status (128 + signal when killed) once the child has ended, else nil.
    func poll() -> Int32? {
        if exitStatus == nil { reap(options: WNOHANG) }
        return exitStatus
    }

    /// Blocks until the child ends; returns its exit status (128 + signal when killed).
    func wait() -> Int32 {
        while exitStatus == nil { reap(options: 0) }
        return exitStatus ?? -1
    }

    private func reap(options: Int32) {
        var status: Int32 = 0
        let r = waitpid(pid, &status, options)
        if r == pid {
            let signal = status & 0x7F
            exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        } else if r < 0 && errno != EINTR {
            exitStatus = -1  // already reaped elsewhere: nothing left to wait for
        }
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
