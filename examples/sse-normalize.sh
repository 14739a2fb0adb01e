#!/usr/bin/env bash
# sse-normalize by example. Run from anywhere; needs sse-normalize on PATH (./install.sh) and jq.
# The sample stream (examples/data/anthropic-bash.sse) is a hand-written Anthropic Messages stream, the
# bytes `curl -N https://api.anthropic.com/v1/messages ...` prints: a text block, then a Bash tool call.
set -euo pipefail
stream="$(cd "$(dirname "$0")" && pwd)/data/anthropic-bash.sse"

echo "# 1. The answer's text, as it streams (live: curl -N ... | sse-normalize --raw-sse | jq ...)"
sse-normalize --raw-sse "$stream" | jq -j 'select(.kind == "text").text'
echo

echo "# 2. Each tool call: name and its arguments reassembled from the fragments"
sse-normalize --raw-sse "$stream" |
    jq -rs 'map(select(.call_id != null)) | group_by(.call_id)[] |
            (map(select(.kind == "block_start"))[0].tool) + " " + (map(select(.kind == "tool_args").text) | join(""))'

echo "# 3. Token usage (the last usage delta of a flow is its total) and how the message ended"
sse-normalize --raw-sse "$stream" | jq -c 'select(.kind == "usage" or .kind == "message_end") |
    {kind, input_tokens, cache_read_tokens, output_tokens, stop_reason} | with_entries(select(.value != null))'

echo "# 4. Records in, records out: sse records (here made with --keep-events) become deltas"
sse-normalize --raw-sse --keep-events --flow-id demo "$stream" | jq -c 'select(.type == "sse")' |
    sse-normalize | jq -c '{type, kind, index, text}' | head -5
