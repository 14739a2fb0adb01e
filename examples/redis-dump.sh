#!/usr/bin/env bash
# Two terminals, one stream: a publisher pipes NDJSON into a Redis stream with
# `redis-dump --xadd`, a viewer follows the stream, and a consumer group shares the work.
# Runs from the repository root against a private redis-server on a free loopback port.
#
#   swift build && examples/redis-dump.sh          # BIN=.build/release examples/redis-dump.sh
set -euo pipefail
BIN=${BIN:-.build/debug}
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)" >&2; exit 2; }
DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" --logfile "$DIR/redis.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
export REDIS_URL="redis://127.0.0.1:$PORT/0"

records() {
  for i in 1 2 3; do
    printf '{"v":1,"type":"sse","flow_id":"f1","session_id":"s1","ts":"2026-11-26T12:00:0%d.000000Z","seq":%d,"event":"content_block_delta","data":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"part %d \\"quoted\\" é"}}}\n' "$i" "$i" "$i"
  done
}

echo "## terminal 1: a viewer follows the stream (stops after 4 entries)"
"$BIN/redis-dump" agents:sse --follow --count 4 > "$DIR/viewer.jsonl" &
VIEWER=$!
sleep 0.5

echo "## terminal 2: a capture is published (here: three sse records)"
records | "$BIN/redis-dump" --xadd agents:sse --maxlen '~100000'
# A foreign producer writes a plain entry; it comes out as a "redis" record.
redis-cli -p "$PORT" XADD agents:sse '*' kind user_prompt session_id s1 data '{"text":"hello"}' >/dev/null
wait "$VIEWER"
cat "$DIR/viewer.jsonl"

echo "## a consumer group: each entry goes to one consumer, acknowledged after it is written"
"$BIN/redis-dump" agents:sse --group viewers --consumer "$(hostname)" --create-group --from 0 --count 2
echo "## the same group later: the rest"
"$BIN/redis-dump" agents:sse --group viewers --consumer "$(hostname)"
echo "## pending (unacknowledged) entries in the group: $(redis-cli -p "$PORT" XPENDING agents:sse viewers | head -1)"
