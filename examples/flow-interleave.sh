#!/usr/bin/env bash
# flow-interleave on examples/sample.jsonl: six flows of four sessions as cards, first as the
# deterministic transcript (--clock recorded), then replayed live at 20x speed, as you would
# watch a running capture. Run from the repository root after `swift build` (or ./install.sh).
set -euo pipefail

sample=examples/sample.jsonl
[[ -f $sample ]] || { echo "flow-interleave.sh: run me from the repository root" >&2; exit 2; }
bin=${STREAMTAP_BIN:-}
for d in "$bin" .build/debug .build/release; do
    if [[ -n $d && -x $d/flow-interleave ]]; then bin=$d; break; fi
done
run() { if [[ -n $bin && -x $bin/$1 ]]; then "$bin/$@"; else "$@"; fi; }

echo "== the transcript of a saved log (same output every run)"
run flow-interleave --clock recorded --show-time --show-flow-id "$sample"

echo
echo "== the same log replayed live, 20x faster (cards switch as the flows stream)"
run flow-replay --speed 20 --max-gap 1 "$sample" | run flow-interleave --show-time

echo
echo "== the records in the order shown, tagged with their card's state"
run flow-interleave --clock recorded --format ndjson "$sample" | head -3 | cut -c1-120

echo
echo "== with the agent's own telemetry (otel-capture records): tool lines on the session's card"
session=3a5c44a4-ca19-4f2b-90a7-552863412d80
telemetry='{"v":1,"type":"claude_code.tool_decision","ts":"2026-11-02T07:34:02.000000Z","session_id":"'$session'","attributes":{"event.name":"tool_decision","session.id":"'$session'","tool_name":"Bash","decision":"accept","source":"config"},"resource":{"service.name":"claude-code"},"scope":{}}
{"v":1,"type":"claude_code.tool_result","ts":"2026-11-02T07:34:02.500000Z","session_id":"'$session'","attributes":{"event.name":"tool_result","session.id":"'$session'","tool_name":"Bash","success":"true","duration_ms":"120"},"resource":{"service.name":"claude-code"},"scope":{}}'
{ cat "$sample"; printf '%s\n' "$telemetry"; } | run flow-interleave --clock recorded | tail -7
