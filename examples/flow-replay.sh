#!/usr/bin/env bash
# flow-replay on examples/sample.jsonl: re-emit the log with its recorded timing (10x faster),
# then serve its recorded flows as live SSE responses and fetch two with curl.
# Run from the repository root after `swift build` (or ./install.sh).
set -euo pipefail

sample=examples/sample.jsonl
[[ -f $sample ]] || { echo "flow-replay.sh: run me from the repository root" >&2; exit 2; }
bin=${STREAMTAP_BIN:-}
for d in "$bin" .build/debug .build/release; do
    if [[ -n $d && -x $d/flow-replay ]]; then bin=$d; break; fi
done
replay() { if [[ -n $bin && -x $bin/flow-replay ]]; then "$bin/flow-replay" "$@"; else flow-replay "$@"; fi; }

echo "== re-emitted with the recorded gaps, 10x faster (long pauses capped at 0.5 s), first 12 records"
replay --speed 10 --max-gap 0.5 "$sample" | head -12 | cut -c1-100

echo
echo "== served as SSE on 127.0.0.1 (any free port), two requests, then it exits"
out=$(mktemp)
replay --serve 127.0.0.1:0 --speed 20 --max-requests 2 "$sample" > "$out" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out" "$out.body"' EXIT
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$out")
echo "-- $url/v1/chat/completions (first recorded flow): status line and first events"
curl -sN -i --max-time 20 "$url/v1/chat/completions" -d '{}' > "$out.body"
head -8 "$out.body" | cut -c1-120
echo "-- second request: the next recorded flow"
curl -sN --max-time 20 "$url/v1/messages" -d '{}' > "$out.body"
echo "$(grep -c '^data:' "$out.body") events"
wait "$server"
