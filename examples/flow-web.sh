#!/usr/bin/env bash
# flow-web by example. Run from the repository root after `swift build` (or ./install.sh); needs curl.
# Tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
# To watch it yourself:  flow-replay --speed 10 examples/sample.jsonl | bash-detect --line-buffered | flow-web
# and open http://127.0.0.1:9115/ (flow-web keeps serving after the input ends; Ctrl-C stops it).
set -euo pipefail
for d in "${STREAMTAP_BIN:-}" .build/debug .build/release; do
    if [[ -n $d && -x $d/flow-web ]]; then PATH="$PWD/$d:$PATH"; break; fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# 1. In a pipeline it passes every record through unchanged"
flow-web --listen 127.0.0.1:0 --exit-at-end examples/sample.jsonl 2> /dev/null | cmp - examples/sample.jsonl && echo "identical"

echo "# 2. What a browser gets from /events: a snapshot op per flow, then live ops"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{ cat examples/sample.jsonl; sleep 3; } | flow-web --listen "127.0.0.1:$port" --exit-at-end > /dev/null 2> "$tmp/err" &
server=$!
for _ in $(seq 50); do grep -q serving "$tmp/err" 2> /dev/null && break; sleep 0.1; done
curl --noproxy '*' -sN --max-time 1 "http://127.0.0.1:$port/events" | sed -n 's/^data: \({.*\)/\1/p' | cut -c1-150 | head -4 || true
wait "$server"
