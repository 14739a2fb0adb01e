// The local CA and its leaf certificates (made with the system libcrypto), checked with the real
// `openssl` command: the chain verifies for TLS servers, each leaf names its host as the one
// subjectAltName (DNS or IP), and a CA key in the older SEC1 form (`EC PRIVATE KEY`, as
// `openssl ecparam -genkey` writes it) still loads.
import Foundation
import TapTestSupport
import XCTest

@testable import sse_capture

final class CertificateTests: ProxyTestCase {
    private func openssl(_ arguments: [String]) async throws -> RunResult {
        try await Binary.runExecutable("openssl", arguments)
    }

    /// Writes the leaf for `host` as DER, verifies it against the CA for TLS server use, and
    /// returns `openssl x509 -text` of it.
    private func verifiedLeafText(_ authority: CertificateAuthority, host: String) async throws -> String {
        let der = directory + "/leaf-\(host).der"
        try Data(try authority.leafCertificateDER(for: host)).write(to: URL(fileURLWithPath: der))
        let pem = directory + "/leaf-\(host).pem"
        let converted = try await openssl(["x509", "-inform", "DER", "-in", der, "-out", pem])
        XCTAssertEqual(converted.status, 0, converted.stderr)
        let verified = try await openssl([
            "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", authority.files.certificatePath, pem,
        ])
        XCTAssertEqual(verified.status, 0, "\(host): \(verified.stdoutText) \(verified.stderr)")
        let text = try await openssl(["x509", "-in", pem, "-noout", "-text"])
        XCTAssertEqual(text.status, 0, text.stderr)
        return text.stdoutText
    }

    func testLeavesVerifyAgainstTheCAAndNameTheirHost() async throws {
        let authority = try CertificateAuthority(files: CAFiles(directory: directory + "/ca"))
        let attributes = try FileManager.default.attributesOfItem(atPath: authority.files.keyPath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let ca = try await openssl(["x509", "-in", authority.files.certificatePath, "-noout", "-text"])
        XCTAssertTrue(ca.stdoutText.contains("CA:TRUE, pathlen:0"), ca.stdoutText)
        XCTAssertTrue(ca.stdoutText.contains("Certificate Sign"), ca.stdoutText)

        let dns = try await verifiedLeafText(authority, host: "api.anthropic.com")
        XCTAssertTrue(dns.contains("DNS:api.anthropic.com"), dns)
        XCTAssertTrue(dns.contains("Subject: CN = api.anthropic.com"), dns)
        XCTAssertTrue(dns.contains("TLS Web Server Authentication"), dns)
        XCTAssertTrue(dns.contains("CA:FALSE"), dns)
        XCTAssertTrue(dns.contains("prime256v1"), dns)

        let v4 = try await verifiedLeafText(authority, host: "127.0.0.1")
        XCTAssertTrue(v4.contains("IP Address:127.0.0.1"), v4)
        let v6 = try await verifiedLeafText(authority, host: "[::1]")
        XCTAssertTrue(v6.contains("IP Address:0:0:0:0:0:0:0:1"), v6)

        // A second load of the same directory keeps the CA (same certificate file, no new key).
        let before = try Data(contentsOf: URL(fileURLWithPath: authority.files.certificatePath))
        _ = try CertificateAuthority(files: authority.files)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: authority.files.certificatePath)), before)
    }

    func testACAKeyInTheOlderECFormLoads() async throws {
        let files = CAFiles(directory: directory + "/sec1")
        try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
        let key = try await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", files.keyPath])
        XCTAssertEqual(key.status, 0, key.stderr)
        XCTAssertTrue(try String(contentsOfFile: files.keyPath, encoding: .utf8).contains("BEGIN EC PRIVATE KEY"))
        let certificate = try await openssl([
            "req", "-new", "-x509", "-key", files.keyPath, "-out", files.certificatePath, "-days", "30",
            "-subj", "/CN=Older CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,digitalSignature",
        ])
        XCTAssertEqual(certificate.status, 0, certificate.stderr)
        let authority = try CertificateAuthority(files: files)
        let leaf = try await verifiedLeafText(authority, host: "localhost")
        XCTAssertTrue(leaf.contains("Issuer: CN = Older CA"), leaf)
    }

    /// An encrypted CA key is refused with an error, not with a passphrase prompt (libcrypto's
    /// default when no callback is given: the proxy would wait on the terminal at startup).
    func testAnEncryptedKeyIsRefused() async throws {
        let files = CAFiles(directory: directory + "/encrypted")
        try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
        let key = try await openssl([
            "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:secret",
            "-out", files.keyPath,
        ])
        XCTAssertEqual(key.status, 0, key.stderr)
        XCTAssertTrue(try String(contentsOfFile: files.keyPath, encoding: .utf8).contains("ENCRYPTED"))
        // (With either file missing a new CA would be made: the certificate's content is not read
        // before the key's.)
        try "not read\n".write(toFile: files.certificatePath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CertificateAuthority(files: files)) { error in
            XCTAssertTrue("\(error)".hasPrefix(files.directory + ": "), "\(error)")
            XCTAssertTrue("\(error)".contains("not an unencrypted PEM private key"), "\(error)")
        }
    }

    func testAnUnreadableKeySaysWhichDirectory() throws {
        let files = CAFiles(directory: directory + "/broken")
        try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
        try "not a key\n".write(toFile: files.keyPath, atomically: true, encoding: .utf8)
        try "not a certificate\n".write(toFile: files.certificatePath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CertificateAuthority(files: files)) { error in
            XCTAssertTrue("\(error)".hasPrefix(files.directory + ": "), "\(error)")
        }
    }
}

/// The libc replacements for what Foundation did: `mkdir -p` and the shell quoting of `ca --env`.
final class POSIXTests: ProxyTestCase {
    func testMakeDirectoriesCreatesEveryMissingLevelPrivately() throws {
        let nested = directory + "/a/b/c/"
        XCTAssertTrue(makeDirectories(nested, mode: 0o700))
        XCTAssertTrue(makeDirectories(nested, mode: 0o700), "an existing directory is fine")
        for path in [directory + "/a", directory + "/a/b", directory + "/a/b/c"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeDirectory, path)
            XCTAssertEqual(((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o077, 0, path)
        }
        try "x".write(toFile: directory + "/file", atomically: true, encoding: .utf8)
        XCTAssertFalse(makeDirectories(directory + "/file", mode: 0o700), "a file is not a directory")
        XCTAssertFalse(makeDirectories(directory + "/file/below", mode: 0o700))
    }

    func testCAEnvironmentQuotesAPathWithAQuote() {
        let lines = CAEnvironment.lines(proxy: "http://127.0.0.1:9110", caPath: "/tmp/it's/ca.pem")
        XCTAssertTrue(lines.contains("export NODE_EXTRA_CA_CERTS='/tmp/it'\\''s/ca.pem'\n"), lines)
        XCTAssertTrue(lines.contains("export HTTPS_PROXY=http://127.0.0.1:9110\n"), lines)
    }

    /// A quote followed by a combining mark is one Character to Swift, but the shell still ends
    /// the quoted word there: the line must stay one word when bash reads it.
    func testCAEnvironmentQuotesAQuoteBeforeACombiningMark() async throws {
        let path = "/tmp/a'\u{301}; touch \(directory)/pwned; #/ca.pem"
        let lines = CAEnvironment.lines(proxy: "http://127.0.0.1:9110", caPath: path)
        let script = lines + "\nprintf '%s' \"$NODE_EXTRA_CA_CERTS\"\n"
        let result = try await Binary.runExecutable("bash", ["-c", script])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutText, path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/pwned"))
    }
}
