#!/usr/bin/env bash
# bench/faults.sh [FLOWS]: fault injection against sse-capture (reverse mode, loopback), then a
# check of every log it wrote. Three phases, FLOWS streams each (default 60):
#   resets      the upstream resets the connection (RST) at a random byte offset of the stream
#   disconnects the client hangs up at a random time
#   kill9       the proxy is killed with SIGKILL while every stream is open
# Checked after each phase: every line of every log file is one whole, valid JSON object; no
# flow_id appears twice in sse_flows.jsonl, no (flow_id, seq) twice in sse_lines.jsonl, no
# flow_end twice; every flow has its flow_end (phases 1-2); after kill -9 a flow without a
# flow_end is recognisably open (its flow record is there, its events are whole).
# Environment: BIN (default .build/release; .build/debug works), SEED (random seed, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
flows=${1:-60}
bin=${BIN:-.build/release}/sse-capture
[[ -x $bin ]] || { echo "faults.sh: no sse-capture at $bin" >&2; exit 2; }
bin=$(realpath "$bin")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$bin" "$work" "$flows" "${SEED:-1}" <<'PY'
import json, os, random, signal, socket, struct, subprocess, sys, threading, time
import http.server, socketserver
binary, work, flows, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
EVENTS, GAP = 200, 0.005   # 200 events, 5 ms apart: about 1 s per stream

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        reset_at = int(self.headers.get("x-reset-at") or -1)
        self.send_response(200); self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked"); self.end_headers()
        sent = 0
        for i in range(EVENTS):
            ev = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"e%d"}}\n\n' % i
            chunk = b"%x\r\n%s\r\n" % (len(ev), ev)
            if 0 <= reset_at < sent + len(chunk):
                self.wfile.write(chunk[: reset_at - sent]); self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                # A real RST: rfile (a makefile) keeps the socket open past connection.close(), and
                # close_connection stops the handler from waiting for a next request on it; without
                # both the stream only stalled, and the client's 30 s timeout ended it (client_abort).
                self.close_connection = True
                self.rfile.close(); self.connection.close(); return
            try:
                self.wfile.write(chunk); self.wfile.flush()
            except OSError:
                return
            sent += len(chunk); time.sleep(GAP)
        try:
            self.wfile.write(b"0\r\n\r\n")
        except OSError:   # the proxy hung up first (its client left at the very end): no traceback
            self.close_connection = True
    def log_message(self, *a): pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

up = free_port()
threading.Thread(target=Server(("127.0.0.1", up), Upstream).serve_forever, daemon=True).start()

def start_proxy(logs):
    port = free_port()
    p = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}", "--log-dir", logs, "--format", "none",
                          "--reverse", f"/u=http://127.0.0.1:{up}"], stderr=open(logs + ".err", "w"))
    for _ in range(400):
        try: socket.create_connection(("127.0.0.1", port)).close(); return p, port
        except OSError: time.sleep(0.05)
    raise SystemExit("proxy did not start")

def client(port, headers=b"", hang_up_after=None):
    body = b'{"model":"m","stream":true}'
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(30)
    s.sendall(b"POST /u/v1/messages HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%sconnection: close\r\n\r\n%s" % (len(body), headers, body))
    start = time.time()
    try:
        while s.recv(65536):
            if hang_up_after is not None and time.time() - start > hang_up_after:
                break
    except OSError:
        pass
    s.close()

def run_flows(port, make):
    threads = [threading.Thread(target=client, args=(port,) + make(i)) for i in range(flows)]
    for t in threads: t.start()
    return threads

def check(logs, killed):
    problems, lines = [], {}
    for name in ("sse_flows.jsonl", "sse_lines.jsonl", "sse_flow_ends.jsonl"):
        path = os.path.join(logs, name); recs = []
        data = open(path, "rb").read() if os.path.exists(path) else b""
        if data and not data.endswith(b"\n"): problems.append(f"{name}: last line not whole")
        for n, line in enumerate(data.split(b"\n")[:-1] if data else [], 1):
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict): raise ValueError("not an object")
                recs.append(rec)
            except ValueError as e:
                problems.append(f"{name}:{n}: {e}")
        lines[name] = recs
    flows_ = [r["flow_id"] for r in lines["sse_flows.jsonl"]]
    ends = [r["flow_id"] for r in lines["sse_flow_ends.jsonl"]]
    events = [(r["flow_id"], r.get("seq")) for r in lines["sse_lines.jsonl"]]
    for what, items in (("flow", flows_), ("flow_end", ends), ("event (flow_id, seq)", events)):
        if len(items) != len(set(items)): problems.append(f"duplicate {what}: {len(items) - len(set(items))}")
    open_flows = set(flows_) - set(ends)
    if not killed and open_flows: problems.append(f"{len(open_flows)} flows without flow_end")
    statuses = {}
    for r in lines["sse_flow_ends.jsonl"]: statuses[r.get("status")] = statuses.get(r.get("status"), 0) + 1
    return {"flows": len(flows_), "flow_ends": len(ends), "open": len(open_flows), "events": len(events),
            "end_status": statuses, "problems": problems[:10]}

results = {}
# 1: upstream resets at random offsets (some streams left whole)
logs = os.path.join(work, "resets"); p, port = start_proxy(logs)
for t in run_flows(port, lambda i: (b"x-reset-at: %d\r\n" % rng.randrange(0, 40000) if i % 4 else b"",)): t.join(60)
time.sleep(0.5); p.send_signal(signal.SIGINT); p.wait(15); results["resets"] = check(logs, False)
if not results["resets"]["end_status"].get("upstream_error"):   # the faults must have happened
    results["resets"]["problems"].append("no flow ended with upstream_error")
# 2: clients hang up at random times
logs = os.path.join(work, "disconnects"); p, port = start_proxy(logs)
for t in run_flows(port, lambda i: (b"", rng.uniform(0.0, 1.2))): t.join(60)
time.sleep(1.0); p.send_signal(signal.SIGINT); p.wait(15); results["disconnects"] = check(logs, False)
# 3: kill -9 of the proxy mid-stream
logs = os.path.join(work, "kill9"); p, port = start_proxy(logs)
threads = run_flows(port, lambda i: (b"",))
time.sleep(0.6); p.kill(); p.wait()
for t in threads: t.join(60)
results["kill9"] = check(logs, True)
ok = True
for phase, r in results.items():
    print("%-12s flows %3d  flow_ends %3d  open %3d  events %6d  end statuses %s  %s" % (
        phase, r["flows"], r["flow_ends"], r["open"], r["events"], r["end_status"],
        "OK" if not r["problems"] else "PROBLEMS: " + "; ".join(r["problems"])))
    ok = ok and not r["problems"]
sys.exit(0 if ok else 1)
PY
