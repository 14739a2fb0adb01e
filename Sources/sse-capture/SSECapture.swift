import ArgumentParser
import TapCLI

@main
struct SSECapture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sse-capture",
        abstract: "Capturing HTTP/HTTPS proxy that logs the SSE streams of AI coding agents.",
        subcommands: [Proxy.self, CA.self, Doctor.self],
        defaultSubcommand: Proxy.self
    )

    static func main() { TapMain.run(Self.self) }
}

struct Proxy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the proxy (the default command)."
    )
    @OptionGroup var options: ProxyOptions

    mutating func run() throws {
        do {
            try options.makeServer().run()
        } catch let error as CaptureError {
            throw ValidationError(error.description)
        }
    }
}

struct CA: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the local CA's certificate path, or the shell lines that make clients trust it."
    )
    @Option(name: .customLong("ca-dir"), help: "CA directory (default $XDG_CONFIG_HOME/streamtap/ca).")
    var caDirectory: String?
    @Flag(help: "Print the path of the CA certificate (PEM), creating the CA if needed.")
    var path = false
    @Flag(help: "Print export lines for HTTPS_PROXY and the CA variables of Claude Code, Codex CLI, Python, curl.")
    var env = false
    @Option(help: "The proxy address the --env lines point at.")
    var listen = "127.0.0.1:9110"

    mutating func run() throws {
        let authority = try CertificateAuthority(files: CAFiles.resolve(caDirectory))
        let pem = authority.files.certificatePath
        if env {
            print(CAEnvironment.lines(proxy: "http://" + listen, caPath: pem), terminator: "")
        } else {
            print(pem)
        }
    }
}

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a real TLS handshake through the running proxy and say what is wrong."
    )
    @Option(help: "The proxy to check (HOST:PORT).")
    var listen = "127.0.0.1:9110"
    @Option(name: .customLong("ca-dir"), help: "CA directory (default $XDG_CONFIG_HOME/streamtap/ca).")
    var caDirectory: String?
    @Option(help: "The host to open a CONNECT tunnel to.")
    var host = "api.anthropic.com"

    mutating func run() throws {
        let ok = try DoctorCheck(listen: listen, files: CAFiles.resolve(caDirectory), host: host).run()
        if !ok { throw ExitCode(2) }
    }
}
