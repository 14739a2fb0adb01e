// The built otel-capture as a child process on a free 127.0.0.1 port, with its log directory,
// stdout and stderr in files; curl for requests. Every wait has a deadline; stop() always runs.
import Foundation
import TapTestSupport
import XCTest

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

final class ReceiverProcess {
    let port: Int
    let logDirectory: String
    let stdoutPath: String
    let stderrPath: String
    private let process = Process()

    init(directory: String, arguments: [String] = []) throws {
        port = Network.freePort()
        logDirectory = directory + "/logs"
        stdoutPath = directory + "/stdout.ndjson"
        stderrPath = directory + "/stderr.txt"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Binary.path("otel-capture"))
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--log-dir", logDirectory] + arguments
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if stderr.contains("listening on") { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        process.terminate()
        throw HarnessError("otel-capture did not start: \(stderr)")
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var isRunning: Bool { process.isRunning }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { !$0.contains("listening on") } }
    var eventsPath: String { logDirectory + "/otel_events.jsonl" }

    func records() -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: eventsPath) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any]
        }
    }

    func rawLines() -> [String] {
        guard let data = FileManager.default.contents(atPath: eventsPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Waits until the events file holds `count` records (an exporter's shutdown returns after the answer).
    func waitForRecords(_ count: Int, timeout: TimeInterval = 20) -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        var all = records()
        while all.count < count && Date() < deadline {
            usleep(20_000)
            all = records()
        }
        return all
    }

    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// curl with a deadline: returns (HTTP status, response body).
func curlPost(
    _ url: String,
    contentType: String?,
    bodyFile: String,
    extraHeaders: [String] = []
) async throws -> (Int, [UInt8]) {
    var arguments = ["-sS", "--max-time", "30", "-o", "-", "-w", "\n%{http_code}", "--data-binary", "@" + bodyFile]
    if let contentType {
        arguments += ["-H", "content-type: " + contentType]
    } else {
        arguments += ["-H", "content-type:"]
    }
    for header in extraHeaders { arguments += ["-H", header] }
    arguments.append(url)
    let result = try await Binary.runExecutable("curl", arguments)
    guard result.status == 0, let newline = result.stdout.lastIndex(of: UInt8(ascii: "\n")),
        let code = Int(String(decoding: result.stdout[(newline + 1)...], as: UTF8.self))
    else { throw HarnessError("curl failed: \(result.status) \(result.stderr)") }
    return (code, Array(result.stdout[..<newline]))
}

/// A record without the fields that differ between two SDK runs (the SDK's random instance id).
func comparable(_ record: [String: Any]) -> NSDictionary {
    var copy = record
    if var resource = copy["resource"] as? [String: Any] {
        resource.removeValue(forKey: "service.instance.id")
        copy["resource"] = resource
    }
    return copy as NSDictionary
}
