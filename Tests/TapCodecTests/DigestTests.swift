// SHA-256 through the libcrypto that CTapDigest loads on first use: the known vectors, a large
// buffer against coreutils' sha256sum, and the point of loading it late — a tool that never
// hashes does not have libcrypto among its libraries (it cost ~1 ms of every start).
import TapCodec
import TapTestSupport
import XCTest

final class DigestTests: XCTestCase {
    private func digest(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    func testKnownVectors() {
        // FIPS 180-2 examples.
        XCTAssertEqual(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        XCTAssertEqual(Redaction.hash("secret"), "hash:2bb80d537b1da3e3")
    }

    func testLargeBufferMatchesSha256sum() async throws {
        var generator = SeededGenerator(seed: 2026)
        let bytes = (0..<3_000_017).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let sha256sum = try await Binary.runExecutable("sha256sum", [], stdin: bytes)
        XCTAssertEqual(sha256sum.status, 0)
        let expected = String(decoding: sha256sum.stdout.prefix(64), as: UTF8.self)
        XCTAssertEqual(sha256Hex(bytes), expected)
        XCTAssertEqual(bytes.withUnsafeBytes { sha256($0) }.count, 32)
    }

    /// The libraries a built tool names (readelf -d), e.g. "libcrypto.so.3".
    private func neededLibraries(_ tool: String) async throws -> [String] {
        let result = try await Binary.runExecutable("readelf", ["-d", Binary.path(tool)])
        XCTAssertEqual(result.status, 0, result.stderr)
        return String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
            .filter { $0.contains("(NEEDED)") }
            .compactMap { line in line.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
    }

    func testOnlyTheCaptureLinksLibcrypto() async throws {
        let capture = try await neededLibraries("sse-capture")
        XCTAssertTrue(capture.contains { $0.hasPrefix("libcrypto") }, "\(capture)")
        for tool in ["extract-usage", "extract-requests", "sse-normalize", "rg-prefilter"] {
            let libraries = try await neededLibraries(tool)
            XCTAssertFalse(libraries.isEmpty, tool)
            XCTAssertFalse(libraries.contains { $0.hasPrefix("libcrypto") }, "\(tool): \(libraries)")
        }
    }
}
