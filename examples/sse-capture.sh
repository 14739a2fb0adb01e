#!/usr/bin/env bash
# sse-capture in reverse mode, end to end on this machine: a tiny local upstream streams a real
# Anthropic Messages SSE recording, curl asks for it through the proxy, and the log directory
# then holds the flow, one sse record per event, and the flow_end. Run from the repository root
# after `swift build` (or ./install.sh). Nothing leaves 127.0.0.1; everything stops at the end.
#
#     examples/sse-capture.sh
#
# Tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
set -euo pipefail

bin=""
for d in "${STREAMTAP_BIN:-}" .build/debug .build/release; do
    if [[ -n $d && -x $d/sse-capture ]]; then bin=$d/sse-capture; break; fi
done
[[ -n $bin ]] || bin=$(command -v sse-capture) || { echo "sse-capture.sh: build sse-capture first" >&2; exit 2; }

fixture=../shared/fixtures/real/anthropic-tool-use-haiku.sse
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
if [[ ! -f $fixture ]]; then
    fixture=$work/stream.sse
    printf 'event: message_start\ndata: {"type":"message_start"}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hello"}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n' >"$fixture"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up_port=$(free_port)
proxy_port=$(free_port)

# The upstream: answers any POST with the recording as text/event-stream, one chunk per event.
python3 - "$up_port" "$fixture" <<'PY' &
import http.server, sys
body = open(sys.argv[2], "rb").read()
class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for event in body.split(b"\n\n"):
            chunk = event + b"\n\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Upstream).serve_forever()
PY
pids+=($!)

"$bin" --listen "127.0.0.1:$proxy_port" --log-dir "$work/logs" --format none \
    --reverse "/anthropic=http://127.0.0.1:$up_port" 2>"$work/proxy.err" &
pids+=($!)
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 200); do listening "$up_port" && listening "$proxy_port" && break; sleep 0.05; done

echo "== the client's view (ANTHROPIC_BASE_URL=http://127.0.0.1:$proxy_port/anthropic)"
curl -sN "http://127.0.0.1:$proxy_port/anthropic/v1/messages" \
    -H 'x-api-key: sk-ant-example-not-a-real-key' -H 'x-claude-code-session-id: example-session' \
    -H 'content-type: application/json' -d '{"model":"claude-haiku-4-5","stream":true}' | head -c 300
echo " ..."

for _ in $(seq 100); do [[ -s $work/logs/sse_flow_ends.jsonl ]] && break; sleep 0.05; done
echo "== sse_flows.jsonl (the key is only a hash)"
cut -c1-400 "$work/logs/sse_flows.jsonl"
echo "== sse_lines.jsonl: $(wc -l <"$work/logs/sse_lines.jsonl") events; the first two:"
head -2 "$work/logs/sse_lines.jsonl" | cut -c1-200
echo "== sse_flow_ends.jsonl"
cat "$work/logs/sse_flow_ends.jsonl"
echo "== per session: $(ls "$work/logs/sse_logs")"
