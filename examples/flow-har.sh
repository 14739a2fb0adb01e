#!/usr/bin/env bash
# flow-har by example. Run from the repository root after `swift build` (or ./install.sh); needs jq.
# Tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
set -euo pipefail
for d in "${STREAMTAP_BIN:-}" .build/debug .build/release; do
    if [[ -n $d && -x $d/flow-har ]]; then PATH="$PWD/$d:$PATH"; break; fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# 1. A capture log as HAR 1.2 (open it in the browser's devtools: Network, Import HAR)"
flow-har examples/sample.jsonl > "$tmp/sample.har"
jq -r '.log.entries[] | "\(.request.method) \(.request.url) \(.response.status) \(.time) ms, \(.response.content.size) bytes of \(.response.content.mimeType), \(._webSocketMessages // [] | length) ws frames"' "$tmp/sample.har"

echo "# 2. The first SSE body, rebuilt from the sse records"
# (Written whole, then cut: `jq | head` dies of SIGPIPE under pipefail when head closes first.)
jq -r '[.log.entries[] | select(.response.content.mimeType | startswith("text/event-stream"))][0].response.content.text' "$tmp/sample.har" > "$tmp/body.txt"
head -6 "$tmp/body.txt"

echo "# 3. And back: the same records (compared as sorted, canonical JSON)"
if diff <(jq -cS . examples/sample.jsonl | sort) <(flow-har --to-ndjson "$tmp/sample.har" | jq -cS . | sort) > /dev/null; then
    echo "round trip: all $(wc -l < examples/sample.jsonl) records came back"
else
    echo "round trip: records differ" >&2; exit 1
fi
