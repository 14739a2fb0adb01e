// The local certificate authority of the TLS-intercepting forward proxy.
//
// The CA (a P-256 key and a self-signed certificate) lives in one directory, created 0700 on
// first use with the key file 0600; clients trust `ca.pem`. Leaf certificates are minted per
// host on demand, signed by the CA, share one process-wide P-256 key (like mitmproxy: key
// generation is the slow part) and are cached as ready-made NIOSSLContexts, so a host costs one
// signature the first time and nothing after.
@preconcurrency import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import Synchronization
import X509

enum CAError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case unsafeDirectory(String)

    var description: String {
        switch self {
        case .unreadable(let path, let why): return "\(path): \(why)"
        case .unsafeDirectory(let path): return "\(path): cannot create the CA directory"
        }
    }
}

/// The CA's files: `ca.pem` (certificate, world-readable) and `ca-key.pem` (0600, never logged).
struct CAFiles {
    let directory: String
    var certificatePath: String { directory + "/ca.pem" }
    var keyPath: String { directory + "/ca-key.pem" }

    /// `--ca-dir`, else `$XDG_CONFIG_HOME/streamtap/ca`, else `~/.config/streamtap/ca`.
    static func resolve(_ override: String?) -> CAFiles {
        if let override, !override.isEmpty { return CAFiles(directory: override) }
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CONFIG_HOME"], !xdg.isEmpty { return CAFiles(directory: xdg + "/streamtap/ca") }
        let home = env["HOME"] ?? NSHomeDirectory()
        return CAFiles(directory: home + "/.config/streamtap/ca")
    }
}

/// A loaded (or freshly created) CA that signs leaf certificates for intercepted hosts.
final class CertificateAuthority: Sendable {
    let files: CAFiles
    private let caCertificate: Certificate
    private let caKey: P256.Signing.PrivateKey
    private let leafKey: P256.Signing.PrivateKey
    private let nioCACertificate: NIOSSLCertificate
    private let nioLeafKey: NIOSSLPrivateKey
    private let contexts = Mutex<[String: NIOSSLContext]>([:])

    /// Loads the CA from `files`, creating the directory (0700) and the key pair on first use.
    init(files: CAFiles) throws {
        self.files = files
        let fm = FileManager.default
        if !fm.fileExists(atPath: files.certificatePath) || !fm.fileExists(atPath: files.keyPath) {
            try Self.create(files)
        }
        do {
            let keyPEM = try String(contentsOfFile: files.keyPath, encoding: .utf8)
            let certPEM = try String(contentsOfFile: files.certificatePath, encoding: .utf8)
            caKey = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
            caCertificate = try Certificate(pemEncoded: certPEM)
            nioCACertificate = try NIOSSLCertificate(bytes: Array(certPEM.utf8), format: .pem)
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError.unreadable(files.directory, "\(error)")
        }
        leafKey = P256.Signing.PrivateKey()
        nioLeafKey = try NIOSSLPrivateKey(bytes: Array(leafKey.pemRepresentation.utf8), format: .pem)
    }

    private static func create(_ files: CAFiles) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: files.directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw CAError.unsafeDirectory(files.directory)
        }
        // An existing directory keeps its mode unless we tighten it: the key must not be readable by others.
        chmod(files.directory, 0o700)
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName("StreamTap sse-capture CA")
            OrganizationName("StreamTap")
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key)
        )
        try writeFile(files.keyPath, key.pemRepresentation, mode: 0o600)
        try writeFile(files.certificatePath, try certificate.serializeAsPEM().pemString, mode: 0o644)
    }

    /// Writes a new file with `mode` from the start (open with O_EXCL), so a key is never briefly readable.
    private static func writeFile(_ path: String, _ text: String, mode: mode_t) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CAError.unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CAError.unreadable(path, "short write") }
    }

    /// A server TLS context presenting a leaf certificate for `host` (cached per host), offering
    /// HTTP/1.1 in ALPN. When the client's SNI names another host, that host's leaf is used.
    func serverContext(for host: String) throws -> NIOSSLContext {
        let key = host.lowercased()
        if let cached = contexts.withLock({ $0[key] }) { return cached }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try chain(for: key),
            privateKey: .privateKey(nioLeafKey)
        )
        configuration.applicationProtocols = ["http/1.1"]
        configuration.sslContextCallback = { [self] values, promise in
            guard let sni = values.serverHostname?.lowercased(), sni != key else {
                promise.succeed(.noChanges)
                return
            }
            do {
                var override = NIOSSLContextConfigurationOverride()
                override.certificateChain = try self.chain(for: sni)
                promise.succeed(override)
            } catch {
                promise.fail(error)
            }
        }
        let context = try NIOSSLContext(configuration: configuration)
        contexts.withLock { $0[key] = context }
        return context
    }

    private let chains = Mutex<[String: [NIOSSLCertificateSource]]>([:])

    private func chain(for host: String) throws -> [NIOSSLCertificateSource] {
        if let cached = chains.withLock({ $0[host] }) { return cached }
        let leaf = try NIOSSLCertificate(bytes: try leafCertificateDER(for: host), format: .der)
        let chain: [NIOSSLCertificateSource] = [.certificate(leaf), .certificate(nioCACertificate)]
        chains.withLock { $0[host] = chain }
        return chain
    }

    /// A leaf certificate for `host` (a DNS name or an IP address), DER encoded.
    func leafCertificateDER(for host: String) throws -> [UInt8] {
        let now = Date()
        let altName: GeneralName
        if let ip = IPAddressBytes(host) {
            altName = .ipAddress(ASN1OctetString(contentBytes: ArraySlice(ip)))
        } else {
            altName = .dnsName(host)
        }
        let leaf = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400),
            // Under 398 days: clients that cap leaf lifetimes accept it.
            notValidAfter: now.addingTimeInterval(390 * 86_400),
            issuer: caCertificate.subject,
            subject: try DistinguishedName { CommonName(String(host.prefix(64))) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([altName])
            },
            issuerPrivateKey: .init(caKey)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(leaf)
        return serializer.serializedBytes
    }
}

/// The 4 or 16 bytes of an IPv4/IPv6 literal, or nil for a DNS name.
func IPAddressBytes(_ host: String) -> [UInt8]? {
    let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    var v4 = in_addr()
    if inet_pton(AF_INET, bare, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, bare, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    return nil
}
