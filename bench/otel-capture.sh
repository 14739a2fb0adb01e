#!/usr/bin/env bash
# otel-capture against a Python OTLP receiver (anchors/otlp_receiver.py: opentelemetry-proto
# decoding, the same record per log record, one O_APPEND write per request), side by side in
# one run: the same load generator sends BATCHES protobuf ExportLogsServiceRequests of 512
# Codex-like log records (11 attributes each) over CONNECTIONS keep-alive connections to each
# receiver in turn; reported: log records per second received and written (the time from the
# first send to the last 200, every record written before its answer), the lines written, and
# each receiver's peak RSS (VmHWM) and CPU time (utime+stime) per record. Targets: >= 100k
# records/s, RSS < 50 MB.
#
#   swift build -c release --product otel-capture && bench/otel-capture.sh
#   BATCHES=200 CONNECTIONS=2 bench/otel-capture.sh
#
# Environment: BATCHES (400), CONNECTIONS (2), RUNS (3), BIN (.build/release), WORK
# (${TMPDIR:-/tmp}/streamtap-bench). pip packages: opentelemetry-proto (orjson used if present).
# The OpenTelemetry Collector's file exporter would be the better anchor; it is not packaged
# for Debian and is not downloaded here.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release}
WORK=${WORK:-${TMPDIR:-/tmp}/streamtap-bench}
BATCHES=${BATCHES:-400}
CONNECTIONS=${CONNECTIONS:-2}
RUNS=${RUNS:-3}
OC="$BIN/otel-capture"
[ -x "$OC" ] || { echo "no $OC: swift build -c release --product otel-capture" >&2; exit 2; }
python3 -c 'import opentelemetry.proto' 2>/dev/null || python3 -m pip install -q opentelemetry-proto
mkdir -p "$WORK"
LOAD=$WORK/otel-capture-load.py
cat > "$LOAD" <<'PY'
#!/usr/bin/env python3
"""Load generator of bench/otel-capture.sh: BATCHES protobuf ExportLogsServiceRequests of 512
Codex/Claude Code-like log records each (encoded once, before the clock starts), POSTed over
CONNECTIONS keep-alive connections; prints records/s from the first send to the last 200.

    python3 otel-capture-load.py URL BATCHES [CONNECTIONS]
"""
import http.client
import sys
import threading
import time
import urllib.parse

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

PER_BATCH = 512


def kv(key, v):
    if isinstance(v, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=v))
    if isinstance(v, int):
        return KeyValue(key=key, value=AnyValue(int_value=v))
    if isinstance(v, float):
        return KeyValue(key=key, value=AnyValue(double_value=v))
    return KeyValue(key=key, value=AnyValue(string_value=v))


def batch(seed):
    request = ExportLogsServiceRequest()
    rl = request.resource_logs.add()
    rl.resource.attributes.extend([kv("service.name", "codex_cli_rs"), kv("service.version", "0.63.0")])
    sl = rl.scope_logs.add()
    sl.scope.name = "codex_otel"
    t0 = 1764158400000000000 + seed * 10**9
    for i in range(PER_BATCH):
        r = sl.log_records.add()
        r.time_unix_nano = t0 + i * 1000
        r.body.string_value = "codex.sse_event"
        r.attributes.extend([
            kv("event.name", "codex.sse_event"), kv("conversation.id", f"019ac1b2-{seed:04d}"),
            kv("app.version", "0.63.0"), kv("model", "gpt-5-codex"), kv("terminal.type", "tmux"),
            kv("event.kind", "response.output_text.delta"), kv("duration_ms", 12 + i),
            kv("input_token_count", 12034), kv("output_token_count", i), kv("cached_token_count", 11000),
            kv("prompt", "Fix the failing tests — ünïcode 日本語 " * 2),
        ])
    return request.SerializeToString()


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    batches = int(sys.argv[2])
    connections = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    bodies = [batch(s) for s in range(8)]
    errors = []

    def worker(n):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        for k in range(n):
            conn.request("POST", "/v1/logs", body=bodies[k % len(bodies)],
                         headers={"content-type": "application/x-protobuf"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        conn.close()

    share = [batches // connections + (1 if i < batches % connections else 0) for i in range(connections)]
    threads = [threading.Thread(target=worker, args=(n,)) for n in share]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    records = batches * PER_BATCH
    print(f"{records} records in {seconds:.3f} s: {records / seconds:,.0f} records/s "
          f"({len(bodies[0])} bytes per batch of {PER_BATCH}){' ERRORS ' + str(errors[:5]) if errors else ''}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_listening() { for _ in $(seq 200); do grep -q 'listening on' "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "did not start: $(cat "$1")" >&2; return 1; }
peak_rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run NAME OUTFILE COMMAND...: start the receiver, load it RUNS times, report, stop it.
run() {
    local name=$1 out=$2; shift 2
    local port; port=$(free_port)
    rm -f "$out" "$WORK/otel-bench.err"
    "$@" "$port" "$out" 2>"$WORK/otel-bench.err" &
    local pid=$!
    wait_listening "$WORK/otel-bench.err"
    local ticks_before; ticks_before=$(cpu_ticks "$pid")
    for run in $(seq "$RUNS"); do
        printf '%-28s run %d: ' "$name" "$run"
        python3 "$LOAD" "http://127.0.0.1:$port" "$BATCHES" "$CONNECTIONS"
    done
    local rss; rss=$(peak_rss_kb "$pid")
    # CPU time is what the receiver itself costs; wall time also measures a busy machine.
    python3 -c "t = ($(cpu_ticks "$pid") - $ticks_before) / $(getconf CLK_TCK); n = $RUNS * $BATCHES * 512
print('%-28s CPU %.2f s for %d records: %.1f us/record, %.0f records per CPU-second' % ('$name', t, n, t / n * 1e6, n / t if t else 0))"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    printf '%-28s lines written: %d (expected %d), peak RSS %d KB\n' "$name" "$(wc -l < "$out")" \
        $((RUNS * BATCHES * 512)) "$rss"
}

# Each runs in the background subshell of `run` and execs, so $! is the receiver's own pid.
otel_capture() { rm -rf "$WORK/otel-bench-logs"; exec "$OC" --listen "127.0.0.1:$1" --log-dir "$WORK/otel-bench-logs" --format none; }
python_anchor() { exec python3 "$ROOT/bench/anchors/otlp_receiver.py" "$1" "$2"; }

echo "load: $BATCHES batches x 512 records, $CONNECTIONS connections, $RUNS runs; $(nproc) cores; python $(python3 -c 'import platform; print(platform.python_version())'), orjson: $(python3 -c 'import orjson; print(orjson.__version__)' 2>/dev/null || echo no)" >&2
run "otel-capture" "$WORK/otel-bench-logs/otel_events.jsonl" otel_capture
run "otlp_receiver.py (anchor)" "$WORK/otel-bench-python.jsonl" python_anchor
