// When one literal is a prefix of another, both start at the same byte. The line/literal scan
// (CTapSIMD/linehits.h) used to report one literal per position (the first listed), so the
// mapped scan's `holds` (forEachKeptLine) lacked the longer literal where the read path's
// `literalMask` (memmem) had it: the same line got two answers depending on how the input was
// read. Found while writing bench/fuzz-simd.sh's naive-scan oracle. Each path (portable, SSE2,
// AVX2), lines long enough to be scanned in 64-byte blocks and a short tail scanned byte by byte.

import TapExtract
import XCTest

final class LineHitsPrefixLiteralTests: XCTestCase {
    func testEveryLiteralStartingAtOnePlaceIsInTheLinesMask() {
        let literals: [[UInt8]] = [Array("ab".utf8), Array("abc".utf8), Array("xabcd".utf8)]
        // Each line and the literals it holds: "abc" holds ab and abc; "xabcd" all three.
        let shapes: [(line: String, holds: UInt32)] = [
            (#"{"k":"abc"}"#, 0b011), (#"{"k":"ab"}"#, 0b001), (#"{"k":"xabcd"}"#, 0b111), ("{}", 0), ("abc", 0b011),
        ]
        var text: [UInt8] = []
        var expected: [(index: Int, holds: UInt32)] = []
        for round in 0..<40 {
            let (line, holds) = shapes[round % shapes.count]
            // Filler before the literal moves it across the 64-byte block edges.
            let padded = line.hasPrefix("{") ? "{\"pad\":\"\(String(repeating: "z", count: round))\"," + line.dropFirst() : line
            if holds != 0 { expected.append((round, holds)) }
            text += Array(padded.utf8) + [0x0A]
        }
        for path in LineHitScanner.Path.runnable {
            let scanner = LineHitScanner(literals: literals, path: path)
            var kept: [(index: Int, holds: UInt32, memmem: UInt32)] = []
            let counted = text.withUnsafeBytes { buffer in
                scanner.forEachKeptLine(buffer.baseAddress!, from: 0, to: buffer.count) { s, e, index, holds in
                    let line = UnsafeRawBufferPointer(rebasing: buffer[s..<e])
                    kept.append((index, holds, scanner.literalMask(line)))
                }
            }
            XCTAssertEqual(counted.lines, 40, "\(path)")
            XCTAssertEqual(kept.map(\.index), expected.map(\.index), "\(path)")
            XCTAssertEqual(kept.map(\.holds), expected.map(\.holds), "\(path): the scan's mask")
            XCTAssertEqual(kept.map(\.memmem), expected.map(\.holds), "\(path): memmem's mask")
        }
    }
}
