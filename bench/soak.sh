#!/usr/bin/env bash
# bench/soak.sh [MINUTES] [RATE] [FLOWS]: one sse-capture (forward proxy, plain HTTP) under a
# steady load from ../shared/bench/proxy-latency.py for MINUTES (default 10): FLOWS concurrent
# streams (default 50) at RATE events/s in total (default 1000), in rounds of about 10 s. After
# each round it prints the proxy's RSS and the round's p99 added latency (proxy p99 - direct
# p99, same round); at the end the RSS growth from the first round to the last (target < 5 %)
# and the first and last rounds' p99 added latency (target: unchanged), and it checks that every
# event was logged. Issue 10's soak: bench/soak.sh 10 1000 50.
# Environment: BIN (default .build/release; .build/debug works for a short look), SHARED.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
rate=${2:-1000}
flows=${3:-50}
bin=${BIN:-.build/release}/sse-capture
shared=${SHARED:-../shared}
[[ -x $bin ]] || { echo "soak.sh: no sse-capture at $bin (swift build -c release --product sse-capture)" >&2; exit 2; }
bin=$(realpath "$bin")
work=$(mktemp -d)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --listen "127.0.0.1:$port" --log-dir "$work/logs" --ca-dir "$work/ca" --format none 2>"$work/proxy.err" &
pid=$!
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done

# Each flow sends one event every FLOWS/RATE seconds; a round is about 10 s of events.
interval_ms=$(python3 -c "print(round(1000 * $flows / $rate, 3))")
events=$(python3 -c "print(max(1, int(10000 / (1000 * $flows / $rate))))")
deadline=$(( $(date +%s) + minutes * 60 ))
round=0
expected=0
printf '%5s %10s %12s %12s\n' round rss_mib p99_added_ms events_per_s
while (( $(date +%s) < deadline )); do
    round=$((round + 1))
    python3 "$shared/bench/proxy-latency.py" --proxy "http://127.0.0.1:$port" --pid "$pid" \
        --events "$events" --size 200 --interval-ms "$interval_ms" --concurrency "$flows" \
        --json "$work/round.json" >"$work/round.out" 2>>"$work/harness.err" || { echo "soak.sh: harness failed"; cat "$work/harness.err"; exit 1; }
    expected=$((expected + events * flows + 5))   # the harness sends 5 warm-up events per run
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
    python3 - "$work/round.json" "$round" "$rss" >>"$work/rounds.tsv" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
by = {r["target"]: r for r in s["results"]}
proxy = next(r for t, r in by.items() if t != "direct")
print("%s\t%s\t%.3f\t%.0f" % (sys.argv[2], sys.argv[3], proxy["lat_ms"]["p99"] - by["direct"]["lat_ms"]["p99"], proxy["events_per_s"]))
PY
    tail -1 "$work/rounds.tsv" | awk -F'\t' '{printf "%5s %10s %12s %12s\n", $1, $2, $3, $4}'
done
kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
logged=$(wc -l <"$work/logs/sse_lines.jsonl")
python3 - "$work/rounds.tsv" "$logged" "$expected" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
first, last = rows[0], rows[-1]
growth = (float(last[1]) - float(first[1])) / float(first[1]) * 100
print("rounds %d; RSS %s -> %s MiB (%+.1f %%, target < 5 %%); p99 added %s ms -> %s ms" % (len(rows), first[1], last[1], growth, first[2], last[2]))
print("events logged (sse_lines.jsonl) %s, sent through the proxy %s: %s" % (sys.argv[2], sys.argv[3], "all logged" if int(sys.argv[2]) == int(sys.argv[3]) else "MISMATCH"))
sys.exit(0 if int(sys.argv[2]) == int(sys.argv[3]) else 1)
PY
