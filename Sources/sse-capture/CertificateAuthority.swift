// The local certificate authority of the TLS-intercepting forward proxy.
//
// The CA (a P-256 key and a self-signed certificate) lives in one directory, created 0700 on
// first use with the key file 0600; clients trust `ca.pem`. Leaf certificates are minted per
// host on demand, signed by the CA, share one process-wide P-256 key (like mitmproxy: key
// generation is the slow part) and are cached as ready-made NIOSSLContexts, so a host costs one
// signature the first time and nothing after.
import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
        if let xdg = environmentValue("XDG_CONFIG_HOME"), !xdg.isEmpty {
            return CAFiles(directory: xdg + "/streamtap/ca")
        }
        return CAFiles(directory: homeDirectory() + "/.config/streamtap/ca")
    }
}

/// A loaded (or freshly created) CA that signs leaf certificates for intercepted hosts.
final class CertificateAuthority: Sendable {
    let files: CAFiles
    private let caCertificate: MintedCertificate
    private let caKey: MintedKey
    private let leafKey: MintedKey
    private let nioCACertificate: NIOSSLCertificate
    private let nioLeafKey: NIOSSLPrivateKey
    private let contexts = Mutex<[String: NIOSSLContext]>([:])
    /// Held while a leaf is signed: a host's first connection is rare, and libcrypto is then never
    /// asked to sign with one key from two threads at once.
    private let signing = Mutex<Void>(())

    /// Loads the CA from `files`, creating the directory (0700) and the key pair on first use.
    init(files: CAFiles) throws {
        self.files = files
        if access(files.certificatePath, F_OK) != 0 || access(files.keyPath, F_OK) != 0 {
            try Self.create(files)
        }
        do {
            let keyPEM = try readFile(files.keyPath)
            let certPEM = try readFile(files.certificatePath)
            caKey = try MintedKey.fromPEM(keyPEM)
            caCertificate = try MintedCertificate.fromPEM(certPEM)
            nioCACertificate = try NIOSSLCertificate(bytes: certPEM, format: .pem)
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError.unreadable(files.directory, "\(error)")
        }
        leafKey = try MintedKey.generateP256()
        nioLeafKey = try NIOSSLPrivateKey(bytes: try leafKey.pemRepresentation(), format: .pem)
    }

    private static func create(_ files: CAFiles) throws {
        guard makeDirectories(files.directory, mode: 0o700) else { throw CAError.unsafeDirectory(files.directory) }
        // An existing directory keeps its mode unless we tighten it: the key must not be readable by others.
        chmod(files.directory, 0o700)
        let key = try MintedKey.generateP256()
        let certificate = try CertificateMinting.certificateAuthority(key: key)
        try writeFile(files.keyPath, try key.pemRepresentation(), mode: 0o600)
        try writeFile(files.certificatePath, try certificate.pemRepresentation(), mode: 0o644)
    }

    /// Writes a new file with `mode` from the start (open with O_EXCL), so a key is never briefly readable.
    private static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CAError.unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
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
        try signing.withLock { _ in
            try CertificateMinting.leaf(
                host: host,
                ipAddress: IPAddressBytes(host),
                publicKey: leafKey,
                issuer: caCertificate,
                issuerKey: caKey
            ).derRepresentation()
        }
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

/// The whole file, or CAError.unreadable.
private func readFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CAError.unreadable(path, String(cString: strerror(errno))) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw CAError.unreadable(path, String(cString: strerror(errno))) }
        if count == 0 { return bytes }
        bytes += chunk[0..<count]
    }
}
