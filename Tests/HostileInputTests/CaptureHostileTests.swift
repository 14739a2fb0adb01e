// Hostile requests to the capture (issue 10): session ids taken from a header or the body are
// untrusted, and `sse_logs/<session_id>/` must never leave the log directory (`../`, `/`, NUL,
// very long, non-UTF-8 ids); header values with CR/LF are refused; per-session folders are 0700
// and their files 0600. A real upstream (Python http.server), a real sse-capture in reverse mode
// on loopback, and a raw-socket Python client; everything bounded by timeouts.

import Foundation
import TapTestSupport
import Testing

/// The client: starts the upstream and the proxy, sends one request per hostile id, prints a JSON
/// object {"statuses": {label: status line}} and stops the proxy (SIGTERM).
private let captureProbe = #"""
    import json, os, socket, subprocess, sys, threading, time, http.server
    capture, logs = sys.argv[1], sys.argv[2]
    def free_port():
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port
    up, px = free_port(), free_port()
    class Upstream(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length") or 0))
            body = b'event: message_start\ndata: {"type":"message_start"}\n\n'
            self.send_response(200); self.send_header("content-type", "text/event-stream")
            self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
        def log_message(self, *args): pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", up), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = subprocess.Popen([capture, "--listen", f"127.0.0.1:{px}", "--log-dir", logs, "--format", "none",
                              "--reverse", f"/a=http://127.0.0.1:{up}"], stderr=subprocess.DEVNULL)
    for _ in range(400):
        try: socket.create_connection(("127.0.0.1", px)).close(); break
        except OSError: time.sleep(0.05)
    def post(headers, body=b'{"model":"m"}'):
        extra = b"".join(k + b": " + v + b"\r\n" for k, v in headers)
        request = (b"POST /a/v1/messages HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: "
                   + str(len(body)).encode() + b"\r\n" + extra + b"connection: close\r\n\r\n" + body)
        s = socket.create_connection(("127.0.0.1", px)); s.settimeout(10); s.sendall(request); data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
        except socket.timeout: data += b"<timeout>"
        s.close(); return data.split(b"\r\n")[0].decode("latin-1")
    statuses = {}
    for label, sid in [("dotdot", b"../../escape"), ("absolute", b"/etc/passwd"), ("parent", b".."), ("dot", b"."),
                       ("mixed", b"a/../../b"), ("long", b"x" * 5000), ("non-utf8", b"\xff\xfe\xc0/.."),
                       ("backslash", b"..\\..\\win")]:
        statuses["header:" + label] = post([(b"x-claude-code-session-id", sid)])
    for label, sid in [("dotdot", "../../body"), ("nul", "..\u0000/x"), ("absolute", "/abs"), ("unicode", "\u00e9/../x")]:
        statuses["body:" + label] = post([], json.dumps({"metadata": {"sessionId": sid}}).encode())
    statuses["cr-in-header"] = post([(b"x-test", b"a\rb")])
    statuses["lf-in-header"] = post([(b"x-test", b"a\nX-Injected: 1")])
    time.sleep(0.3)
    proxy.terminate(); proxy.wait(timeout=10)
    print(json.dumps({"statuses": statuses}))
    """#

@Suite("Hostile requests to sse-capture")
struct CaptureHostileTests {
    @Test("session ids never escape sse_logs/, CR/LF header values are refused, modes 0700/0600")
    func sessionIDsStayInside() async throws {
        let capture = Binary.path("sse-capture")
        guard FileManager.default.isExecutableFile(atPath: capture) else {
            print("CaptureHostileTests: sse-capture is not built; skipped")
            return
        }
        let root = try TempDir.make("hostile-capture")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Deep enough that `../../x` from sse_logs/<id>/ would land inside `root`, where we look.
        let logs = root + "/a/b/logs"
        let result = try await Binary.runExecutable("timeout", ["120", "python3", "-c", captureProbe, capture, logs])
        #expect(result.status == 0, "probe: \(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
        let statuses = report?["statuses"] as? [String: String] ?? [:]
        for (label, status) in statuses where label.hasPrefix("header:") || label.hasPrefix("body:") {
            #expect(status.hasPrefix("HTTP/1.1 200"), "\(label): \(status)")
        }
        // A CR or LF inside a header value never reaches the upstream: the request is refused.
        #expect(statuses["cr-in-header"]?.hasPrefix("HTTP/1.1 400") == true, "\(statuses["cr-in-header"] ?? "-")")
        #expect(statuses["lf-in-header"]?.isEmpty == false, "no answer to a request with an LF header")

        // Nothing was created outside the log directory...
        let outside = try FileManager.default.subpathsOfDirectory(atPath: root).filter {
            !("/" + $0 + "/").hasPrefix("/a/b/logs/") && $0 != "a" && $0 != "a/b" && $0 != "a/b/logs"
        }
        #expect(outside.isEmpty, "created outside the log directory: \(outside)")
        // ...and every session folder is one direct child of sse_logs/ with a safe name, 0700,
        // holding regular files 0600.
        let sessions = logs + "/sse_logs"
        let names = try FileManager.default.contentsOfDirectory(atPath: sessions)
        #expect(names.count >= 8, "session folders: \(names)")
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8)
        for name in names {
            #expect(
                name.utf8.allSatisfy(safe.contains) && !name.hasPrefix(".") && name.utf8.count <= 255,
                "unsafe folder name \(name)"
            )
            var info = stat()
            #expect(
                lstat(sessions + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR,
                "\(name): not a directory"
            )
            #expect(info.st_mode & 0o777 == 0o700, "\(name): mode \(String(info.st_mode & 0o777, radix: 8))")
            for file in try FileManager.default.contentsOfDirectory(atPath: sessions + "/" + name) {
                var fileInfo = stat()
                #expect(
                    lstat(sessions + "/" + name + "/" + file, &fileInfo) == 0 && (fileInfo.st_mode & S_IFMT) == S_IFREG
                )
                #expect(
                    fileInfo.st_mode & 0o777 == 0o600,
                    "\(name)/\(file): mode \(String(fileInfo.st_mode & 0o777, radix: 8))"
                )
            }
        }
        // The record keeps the id as sent (escaped JSON), only the folder name is sanitised.
        let flows = (try? String(contentsOfFile: logs + "/sse_flows.jsonl", encoding: .utf8)) ?? ""
        #expect(flows.contains(#""session_id":"../../escape""#), "the hostile id is not in sse_flows.jsonl as sent")
    }
}
