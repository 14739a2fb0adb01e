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
