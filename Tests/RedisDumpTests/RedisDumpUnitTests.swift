// The pure parts of redis-dump, driven bare: connection targets, entry encoding, XADD encoding.
import XCTest

@testable import redis_dump

private func bytes(_ text: String, _ body: (UnsafeRawBufferPointer) -> Void) {
    Array(text.utf8).withUnsafeBytes(body)
}

/// Bytes that stay put until deallocated (a reply's bytes stand still the same way).
private func copied(_ text: String) -> UnsafeMutableRawBufferPointer {
    let utf8 = Array(text.utf8)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: utf8.count, alignment: 1)
    buffer.copyBytes(from: utf8)
    return buffer
}

final class RedisTargetTests: XCTestCase {
    func testParsesURLWithUserPasswordPortAndDatabase() throws {
        let target = try RedisTarget.parse(url: "redis://alice:s%40cret@db.example:6380/3")
        XCTAssertEqual(target.endpoint, .tcp(host: "db.example", port: 6380))
        XCTAssertEqual(target.user, "alice")
        XCTAssertEqual(target.password, "s@cret")
        XCTAssertEqual(target.database, 3)
        XCTAssertEqual(target.address, "db.example:6380")
    }

    func testURLWithPasswordOnlyAndDefaults() throws {
        let target = try RedisTarget.parse(url: "redis://:pw@localhost")
        XCTAssertEqual(target.endpoint, .tcp(host: "localhost", port: 6379))
        XCTAssertNil(target.user)
        XCTAssertEqual(target.password, "pw")
        XCTAssertEqual(target.database, 0)
        XCTAssertEqual(try RedisTarget.parse(url: "redis://tok@h:1").password, "tok")
    }

    func testUnixSocketURLAndIPv6() throws {
        let unix = try RedisTarget.parse(url: "unix:///run/redis.sock?db=2")
        XCTAssertEqual(unix.endpoint, .unix(path: "/run/redis.sock"))
        XCTAssertEqual(unix.database, 2)
        let v6 = try RedisTarget.parse(url: "redis://[::1]:7000")
        XCTAssertEqual(v6.endpoint, .tcp(host: "::1", port: 7000))
        XCTAssertEqual(v6.address, "[::1]:7000")
    }

    func testRejectsBadURLsWithoutShowingThePassword() {
        for url in ["redis://h:99999", "http://h", "rediss://h", "redis://h/x", "localhost:6379"] {
            XCTAssertThrowsError(try RedisTarget.parse(url: url), url)
        }
        XCTAssertThrowsError(try RedisTarget.parse(url: "redis://u:topsecret@h:0")) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("topsecret"), text)
            XCTAssertTrue(text.contains("redis://u:***@h:0"), text)
        }
    }

    func testOptionsOverrideTheURLFieldByField() throws {
        let target = try RedisTarget.resolve(
            url: "redis://u:p@h:7000/1",
            overrides: .init(port: 7001, password: "q", database: 4)
        )
        XCTAssertEqual(
            target,
            RedisTarget(endpoint: .tcp(host: "h", port: 7001), user: "u", password: "q", database: 4)
        )
        let socket = try RedisTarget.resolve(url: nil, overrides: .init(socket: "/tmp/r.sock"))
        XCTAssertEqual(socket.endpoint, .unix(path: "/tmp/r.sock"))
        XCTAssertEqual(try RedisTarget.resolve(url: nil, overrides: .init()).address, "127.0.0.1:6379")
    }
}

final class EntryEncoderTests: XCTestCase {
    func testOnlyASingleRecordFieldHoldingOneJSONObjectIsUnwrapped() {
        func check(_ count: Int, _ name: String, _ value: String) -> Bool {
            var result = false
            bytes(name) { n in
                bytes(value) { v in result = EntryEncoder.isRecordEntry(fieldCount: count, firstName: n, firstValue: v)
                }
            }
            return result
        }
        XCTAssertTrue(check(1, "record", #"{"v":1,"type":"sse"}"#))
        XCTAssertFalse(check(2, "record", #"{"v":1}"#), "other fields would be lost")
        XCTAssertFalse(check(1, "data", #"{"v":1}"#))
        XCTAssertFalse(check(1, "record", "[1,2]"))
        XCTAssertFalse(check(1, "record", "{\"a\":\n1}"), "a newline would break the NDJSON line")
        XCTAssertFalse(check(1, "record", ""))
    }

    func testForeignEntryKeepsEveryFieldInOrderWithTimestampFromTheID() {
        let encoder = EntryEncoder(stream: "agents:\"x\"")
        let fields: [(String, String)] = [
            ("kind", "user_prompt"), ("data", "{\"text\":\"h\u{e9}\\n\"}"), ("kind", "dup\t"),
        ]
        var out: [UInt8] = []
        let names = fields.map { copied($0.0) }
        let values = fields.map { copied($0.1) }
        defer { for buffer in names + values { buffer.deallocate() } }
        bytes("1700000000123-7") { id in
            encoder.appendForeign(
                id: id,
                fieldCount: fields.count,
                field: { (UnsafeRawBufferPointer(names[$0]), UnsafeRawBufferPointer(values[$0])) },
                to: &out
            )
        }
        XCTAssertEqual(
            String(decoding: out, as: UTF8.self),
            #"{"v":1,"type":"redis","stream":"agents:\"x\"","id":"1700000000123-7","ts":"2023-11-14T22:13:20.123000Z","fields":{"kind":"user_prompt","data":"{\"text\":\"hé\\n\"}","kind":"dup\t"}}"#
                + "\n"
        )
    }

    func testInvalidUTF8BecomesReplacementCharacters() {
        var out: [UInt8] = []
        JSONText.appendString([0x61, 0xFF, 0x62, 0xED, 0xA0, 0x80, 0x01], to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "\"a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}\\u0001\"")
        XCTAssertTrue(JSONText.isValidUTF8(Array("é日😀".utf8)))
        XCTAssertFalse(JSONText.isValidUTF8([0xC0, 0x80]), "overlong")
        XCTAssertFalse(JSONText.isValidUTF8([0xF4, 0x90, 0x80, 0x80]), "above U+10FFFF")
    }

    func testStreamIDsParseAndOrderLikeRedis() {
        XCTAssertEqual(StreamID("1700000000000-12"), StreamID(milliseconds: 1_700_000_000_000, sequence: 12))
        XCTAssertEqual(StreamID("5"), StreamID(milliseconds: 5, sequence: 0))
        XCTAssertLessThan(StreamID("9-99")!, StreamID("10-0")!)
        XCTAssertLessThan(StreamID("10-2")!, StreamID("10-10")!)
        for bad in ["", "-", "1-", "-1", "1-2-3", "x", "99999999999999999999-0", "$", ">"] {
            XCTAssertNil(StreamID(bad), bad)
        }
    }
}

final class XaddEncoderTests: XCTestCase {
    private func encode(
        _ lines: [String],
        maxLength: Int? = nil
    ) -> (resp: String, refusals: [XaddEncoder.Refusal], lines: [Int]) {
        var encoder = XaddEncoder(key: "k", maxLength: maxLength, isJSONObject: { $0.first == UInt8(ascii: "{") })
        var refusals: [XaddEncoder.Refusal] = []
        for line in lines {
            bytes(line) { if let r = encoder.feed(line: $0) { refusals.append(r) } }
        }
        let pending = Array(encoder.pendingLines)
        var resp = ""
        _ = encoder.takeCommands { resp = String(decoding: $0, as: UTF8.self) }
        return (resp, refusals, pending)
    }

    func testFormatsOneXaddPerLineAsRESP() {
        let result = encode([#"{"a":"é"}"#, "{}\r"])
        XCTAssertEqual(
            result.resp,
            "*5\r\n$4\r\nXADD\r\n$1\r\nk\r\n$1\r\n*\r\n$6\r\nrecord\r\n$10\r\n{\"a\":\"é\"}\r\n"
                + "*5\r\n$4\r\nXADD\r\n$1\r\nk\r\n$1\r\n*\r\n$6\r\nrecord\r\n$2\r\n{}\r\n"
        )
        XCTAssertEqual(result.lines, [1, 2])
    }

    func testMaxlenAddsApproximateTrim() {
        XCTAssertEqual(
            encode(["{}"], maxLength: 1000).resp,
            "*8\r\n$4\r\nXADD\r\n$1\r\nk\r\n$6\r\nMAXLEN\r\n$1\r\n~\r\n$4\r\n1000\r\n$1\r\n*\r\n$6\r\nrecord\r\n$2\r\n{}\r\n"
        )
    }

    func testRefusesNonObjectsWithTheirLineNumbersAndSkipsEmptyLines() {
        let result = encode(["{}", "", "nope", "{}", "[1]"])
        XCTAssertEqual(result.refusals, [.notJSONObject(line: 3), .notJSONObject(line: 5)])
        XCTAssertEqual(result.lines, [1, 4])
    }

    func testAnsweredCommandsLeaveThePendingList() {
        var encoder = XaddEncoder(key: "k", maxLength: nil, isJSONObject: { _ in true })
        for line in ["{}", "{}", "{}"] { bytes(line) { _ = encoder.feed(line: $0) } }
        XCTAssertEqual(encoder.takeCommands { _ in }, 3)
        XCTAssertEqual(encoder.bufferedCount, 0)
        XCTAssertEqual(encoder.answered(2), 2)
        XCTAssertEqual(encoder.pendingLines, [3])
    }

    func testBackoffDoublesUpToItsCeiling() {
        var backoff = Backoff()
        XCTAssertEqual((0..<8).map { _ in backoff.next() }, [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0])
    }
}
