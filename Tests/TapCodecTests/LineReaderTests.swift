import Foundation
import TapCodec
import TapTestSupport
import XCTest

final class LineReaderTests: XCTestCase {
    private func lines(of content: [UInt8]) throws -> [[UInt8]] {
        let dir = try TempDir.make()
        let path = dir + "/in.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data(content))
        let reader = try LineReader(path: path)
        var result: [[UInt8]] = []
        try reader.forEachLine { result.append(Array($0)) }
        return result
    }

    func testSplitsLinesKeepsCRAndLastUnterminatedLine() throws {
        let got = try lines(of: Array("a\r\nb\n\nc".utf8))
        XCTAssertEqual(got.map { String(decoding: $0, as: UTF8.self) }, ["a\r", "b", "", "c"])
        XCTAssertEqual(try lines(of: []), [])
    }

    func testFiftyMegabyteLine() throws {
        var content = [UInt8](repeating: UInt8(ascii: "x"), count: 50 << 20)
        content.append(0x0A)
        content.append(contentsOf: Array("tail\n".utf8))
        let got = try lines(of: content)
        XCTAssertEqual(got.count, 2)
        XCTAssertEqual(got[0].count, 50 << 20)
        XCTAssertEqual(got[1], Array("tail".utf8))
    }

    func testUnterminatedLastLineLongerThanABlock() throws {
        // An unfinished last line longer than the 1 MiB read block: the buffer must grow for it.
        let long = [UInt8](repeating: UInt8(ascii: "z"), count: 3 << 20)
        let got = try lines(of: Array("first\n".utf8) + long)
        XCTAssertEqual(got.count, 2)
        XCTAssertEqual(got[0], Array("first".utf8))
        XCTAssertEqual(got[1].count, long.count)
        XCTAssertEqual(got[1], long)
        XCTAssertEqual(try lines(of: Array("only".utf8)), [Array("only".utf8)])
    }

    func testLinesAcrossBlockBoundaries() throws {
        // 300,000 lines of varying length cross many 1 MiB block boundaries.
        var content: [UInt8] = []
        var expected: [[UInt8]] = []
        for i in 0..<300_000 {
            let line = Array("{\"i\":\(i),\"pad\":\"\(String(repeating: "y", count: i % 17))\"}".utf8)
            expected.append(line)
            content += line + [0x0A]
        }
        XCTAssertEqual(try lines(of: content), expected)
    }

    func testFollowSeesAppendedLinesAndTruncation() throws {
        let dir = try TempDir.make()
        let path = dir + "/grow.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data("one\n".utf8))
        let reader = try LineReader(path: path, follow: .init(startAtEnd: false, pollMilliseconds: 10))
        var got: [String] = []
        struct Stop: Error {}
        var ticks = 0
        reader.onIdle = {
            ticks += 1
            if ticks == 3 {
                let h = FileHandle(forWritingAtPath: path)!
                h.seekToEndOfFile()
                h.write(Data("two\npart".utf8))
                h.closeFile()
            }
            if ticks == 8 {
                // Truncate and write anew: tail -F starts over.
                try Data("three\n".utf8).write(to: URL(fileURLWithPath: path))
            }
            if ticks > 30 { throw Stop() }
        }
        reader.idleMilliseconds = 10
        XCTAssertThrowsError(try reader.forEachLine { got.append(String(decoding: $0, as: UTF8.self)) })
        XCTAssertEqual(got.first, "one")
        XCTAssertTrue(got.contains("two"))
        XCTAssertTrue(got.contains("three"), "\(got)")
        XCTAssertFalse(got.contains("part"), "an unfinished line waits while following")
    }
}
