#!/usr/bin/env bash
# The extract tools by example, on examples/sample.jsonl (a small capture: Anthropic, Responses
# over SSE and WebSocket, Chat Completions). Run from the repository root or anywhere; needs the
# tools on PATH (./install.sh) or built (swift build: .build/debug is used when present), and jq.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for dir in "$here/../.build/release" "$here/../.build/debug"; do
    [[ -x $dir/extract-prompts ]] && PATH="$dir:$PATH" && break
done
log=$here/sample.jsonl

echo "# 1. The last three user prompts, newest first"
extract-prompts -n 3 "$log" | jq -c '{ts, provider, text: .text[:70]}'

echo "# 2. Turns (prompt → idle) with duration, calls and tools"
extract-turns --mode all -n 0 "$log" | jq -c '{ts_user, duration_ms, calls, tools_used, out: .tokens.output}'

echo "# 3. Each prompt with the reply the user saw last"
extract-pairs -n 0 "$log" | jq -r '"> " + (.prompt[:60] | gsub("\n"; " ")) + "\n  " + ((.reply // "(no reply)")[:80] | gsub("\n"; " "))'

echo "# 4. Per flow: streamed text size, tool calls (complete or cut), stop reason"
extract-deltas "$log" | jq -c '{flow_id, provider, status, chars: (.text | length),
    calls: [.tool_calls[] | .name + (if .complete then "" else " (cut)" end)], stop_reason}'

echo "# 5. Tokens per model, with a cost"
prices=$(mktemp)
trap 'rm -f "$prices"; rm -rf "${out:-}"' EXIT
echo '{"*": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}}' >"$prices"
extract-usage --by model --prices "$prices" "$log" | jq -c '{key, flows, input_tokens, output_tokens, cost_usd}'

echo "# 6. Many data types in one pass, one file each"
out=$(mktemp -d)
extract-requests --out-dir "$out" "$log"
for f in "$out"/*.jsonl; do printf '%6d %s\n' "$(wc -l <"$f")" "$(basename "$f")"; done | sort -rn | head -8
jq -c '{name, calls, errors}' "$out/tool_usage_stats.jsonl"

echo "# 7. Latency per model: time to first token and the gaps between tokens"
extract-latency --by model "$log" | jq -c '{key, flows, ttft_p50_ms, gap_p90_ms, tokens_per_s}'

if command -v duckdb >/dev/null; then
    echo "# 8. The same NDJSON straight into DuckDB"
    extract-turns --mode all -n 0 "$log" >"$out/turns.jsonl"
    duckdb -c "SELECT provider, count(*) AS turns, sum(calls) AS calls FROM read_json('$out/turns.jsonl') GROUP BY 1"
fi
