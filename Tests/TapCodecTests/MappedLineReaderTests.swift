// LineReader's mapped path (a regular file read through windows of a read-only mapping, with
// CTapSIMD/mapped_window.h's SIGBUS handler for a file truncated under the map) against its
// read(2) path: the same lines, verdicts and spans for every window size (lines across window
// ends, lines longer than a window, a last line without a newline, an empty file), and a file
// truncated while it is read ends the input early and cleanly on both paths, wherever it is cut.

import CTapSIMD
import Foundation
import TapTestSupport
import XCTest

@testable import TapCodec

#if canImport(Glibc)
import Glibc
#endif

final class MappedLineReaderTests: XCTestCase {
    private typealias Got = [([UInt8], Bool, [JSONSpan?])]

    private func readAll(_ path: String, mapped: Bool, window: Int, level: Int32) throws -> Got {
        let reader = try LineReader(path: path)
        reader.mapsFiles = mapped
        reader.mapWindow = window
        reader.simdLevel = level
        var got: Got = []
        try reader.forEachRecordLine(fields: ["type", "flow_id"]) { line, valid, fields in
            got.append((Array(line), valid, [fields[0], fields[1]]))
        }
        // And the plain split, which shares the window loop but not the validator.
        var size = stat()
        XCTAssertEqual(stat(path, &size), 0)
        XCTAssertEqual(reader.windowsMapped > 0, mapped && size.st_size > 0, "mapped \(mapped): windows used")
        var plain: [[UInt8]] = []
        let splitter = try LineReader(path: path)
        splitter.mapsFiles = mapped
        splitter.mapWindow = window
        try splitter.forEachLine { plain.append(Array($0)) }
        XCTAssertEqual(plain, got.map(\.0), "forEachLine, mapped \(mapped) window \(window)")
        return got
    }

    private func assertSame(
        _ got: Got,
        _ expected: Got,
        _ label: String,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(got.count, expected.count, "\(label): line count", file: file, line: line)
        for (index, (g, e)) in zip(got, expected).enumerated() where g.0 != e.0 || g.1 != e.1 || g.2 != e.2 {
            XCTFail(
                "\(label) line \(index + 1): \(g.0.count) bytes valid \(g.1) spans \(g.2), expected \(e.0.count) bytes valid \(e.1) spans \(e.2)",
                file: file,
                line: line
            )
            return
        }
    }

    /// Mixed lines (valid records, invalid ones, blank ones, `\r`, long ones) through windows of
    /// one page up to the default, at every validator level: the same as the read(2) path.
    func testEveryWindowSizeGivesTheReadPathsLines() throws {
        var random = SeededGenerator(seed: 4_096)
        var pieces: [String] = ["", #"{"type":"first"}"#, "  ", #"{"a":1}"# + "\r", "{\"a\":", #"[1,2]"#]
        for i in 0..<6_000 {
            let fill = String(repeating: "x", count: Int(random.next() % 300))
            switch i % 50 {
            case 0: pieces.append(#"{"type":"bad","pad":"\#(fill)"#)
            case 1: pieces.append(#"{"type":"long","flow_id":"\#(String(repeating: "L", count: 20_000 + i))"}"#)
            default: pieces.append(#"{"v":1,"type":"sse","flow_id":"f\#(i % 9)","pad":"\#(fill)","u":"é🎉\"q\""}"#)
            }
        }
        let dir = try TempDir.make()
        let levels = Set([Int32(0), Int32(tap_simd_level())])
        for last in ["\n", #"{"type":"last","flow_id":"no newline"}"#, #"{"last":"cut"#, ""] {
            let path = dir + "/lines.jsonl"
            let text = Array(pieces.joined(separator: "\n").utf8) + Array(last.utf8)
            FileManager.default.createFile(atPath: path, contents: Data(text))
            let expected = try readAll(path, mapped: false, window: 0, level: 0)
            XCTAssertGreaterThan(expected.count, 6_000)
            for window in [4_096, 3 * 4_096, 65_536, 1 << 20] {
                for level in levels {
                    let got = try readAll(path, mapped: true, window: window, level: level)
                    assertSame(
                        got,
                        expected,
                        "window \(window) level \(level) ending \(last.prefix(12).debugDescription)"
                    )
                }
            }
        }
        // An empty file and a file of one newline.
        for content in [[], [UInt8(0x0A)]] as [[UInt8]] {
            let path = dir + "/small.jsonl"
            FileManager.default.createFile(atPath: path, contents: Data(content))
            assertSame(
                try readAll(path, mapped: true, window: 4_096, level: Int32(tap_simd_level())),
                try readAll(path, mapped: false, window: 0, level: 0),
                "\(content.count)-byte file"
            )
        }
    }

    /// A file truncated (to nothing, or to somewhere in the middle) by the reader's own caller
    /// while it reads: the input ends early and cleanly on both paths; every line handed out but
    /// the last is the file's line (the read path's last may be cut where its last read ended,
    /// the mapped path's where the kernel zeroed the rest of the new end's page).
    func testFileTruncatedWhileReadingEndsEarlyOnBothPaths() throws {
        let dir = try TempDir.make()
        var text: [UInt8] = []
        var originals: [[UInt8]] = []
        for i in 0..<150_000 {
            let line = Array(#"{"type":"sse","i":\#(i),"pad":"\#(String(repeating: "z", count: i % 70))"}"#.utf8)
            originals.append(line)
            text += line + [0x0A]
        }
        for mapped in [true, false] {
            for (cutName, cutAt) in [("0", 0), ("middle", text.count / 2 + 17), ("one page", 4_096)] {
                for afterLines in [1, 20_000] {
                    let path = dir + "/shrinking.jsonl"
                    FileManager.default.createFile(atPath: path, contents: Data(text))
                    let reader = try LineReader(path: path)
                    reader.mapsFiles = mapped
                    reader.mapWindow = 1 << 20
                    var got: [[UInt8]] = []
                    try reader.forEachRecordLine(fields: ["type"]) { line, _, _ in
                        got.append(Array(line))
                        if got.count == afterLines { XCTAssertEqual(truncate(path, off_t(cutAt)), 0) }
                    }
                    let label = "mapped \(mapped), cut at \(cutName) after \(afterLines) lines"
                    XCTAssertGreaterThanOrEqual(got.count, afterLines, label)
                    XCTAssertLessThan(got.count, originals.count, label)
                    for (index, line) in got.dropLast().enumerated() where line != originals[index] {
                        XCTFail("\(label): line \(index + 1) differs after the truncation")
                        break
                    }
                }
            }
        }
    }

    /// Readers one after another (each window registered and unregistered with the SIGBUS
    /// handler's 64 slots): every one still maps its file (a slot leaked per reader would send
    /// the later ones back to read(2) — `readAll` checks `windowsMapped`).
    func testManyReadersInARowAllMapTheirFile() throws {
        let dir = try TempDir.make()
        let path = dir + "/small.jsonl"
        let text =
            Array((0..<2_000).map { #"{"type":"t\#($0 % 3)","flow_id":"f"}"# }.joined(separator: "\n").utf8) + [0x0A]
        FileManager.default.createFile(atPath: path, contents: Data(text))
        let expected = try readAll(path, mapped: false, window: 0, level: 0)
        for round in 0..<200 {
            let got = try readAll(path, mapped: true, window: 4_096, level: Int32(tap_simd_level()))
            assertSame(got, expected, "round \(round)")
        }
    }
    /// A file that reports size 0 and still has bytes (procfs) is read, not mapped as empty.
    func testAFileThatSaysItIsEmptyIsStillRead() throws {
        let reader = try LineReader(path: "/proc/self/status")
        var names: [String] = []
        try reader.forEachLine { names.append(String(decoding: $0.prefix { $0 != 0x3A }, as: UTF8.self)) }
        XCTAssertTrue(names.contains("Pid"), "\(names)")
        XCTAssertEqual(reader.windowsMapped, 0)
    }

    /// A second pass over the same reader goes on from where the first ended, on both paths:
    /// nothing when the file did not change, the appended lines when it grew.
    func testASecondPassGoesOnFromWhereTheFirstEnded() throws {
        let dir = try TempDir.make()
        for mapped in [true, false] {
            let path = dir + "/grows-\(mapped).jsonl"
            let first = (0..<3_000).map { #"{"type":"a","i":\#($0)}"# }
            let more = (0..<500).map { #"{"type":"b","i":\#($0)}"# }
            FileManager.default.createFile(atPath: path, contents: Data((first.joined(separator: "\n") + "\n").utf8))
            let reader = try LineReader(path: path)
            reader.mapsFiles = mapped
            reader.mapWindow = 8_192
            var got: [String] = []
            try reader.forEachLine { got.append(String(decoding: $0, as: UTF8.self)) }
            XCTAssertEqual(got, first, "mapped \(mapped): first pass")
            got = []
            try reader.forEachLine { got.append(String(decoding: $0, as: UTF8.self)) }
            XCTAssertEqual(got, [], "mapped \(mapped): second pass, file unchanged")
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
            handle.seekToEndOfFile()
            handle.write(Data((more.joined(separator: "\n") + "\n").utf8))
            handle.closeFile()
            try reader.forEachLine { got.append(String(decoding: $0, as: UTF8.self)) }
            XCTAssertEqual(got, more, "mapped \(mapped): third pass, after the file grew")
        }
    }
}
