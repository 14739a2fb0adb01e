#!/usr/bin/env bash
# flow-interleave: records per second in text mode on the corpus, side by side with the
# codec's decoder alone and the Python + orjson scan anchor, in one hyperfine run.
#
#   bench/flow-interleave.sh                    # 200 MB corpus (seed 7331), release builds
#   SIZE_MB=20 RUNS=2 bench/flow-interleave.sh  # smaller, quicker
#   BUILD=1 bench/flow-interleave.sh            # build the release tools first
#
# Commands (same corpus, page cache warm):
#   flow-interleave text     --clock recorded --format text --color never C > /dev/null: every
#                            record validated, sse/ws decoded to deltas (codec DeltaDecoder),
#                            prompts read from request bodies, cards scheduled and rendered
#   flow-interleave ndjson   the same, writing the records in shown order, tagged
#   sse-normalize            the codec's decoder alone (when built): the floor of the above
#   python orjson scan       the anchor: orjson.loads of every line + two field reads
#   cat                      the page-cache ceiling
# Prints records/s (input lines / mean s, and per CPU second: user+sys, which a loaded machine
# does not inflate), MB/s, the speed relative to the anchor, and peak
# RSS on the first 20 MB and on the whole corpus (memory must not grow with the input).
# Target (issue 5): flow-interleave text at least 200,000 records/s.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

bench_need_commands hyperfine:hyperfine /usr/bin/time:time
bench_need_python orjson
corpus=$(bench_corpus "${SEED:-7331}" "${SIZE_MB:-200}")
slice=$(bench_slice "$corpus" 20)
bench_environment "$corpus"

tool=$(bench_tool flow-interleave) || bench_die "no release flow-interleave in $BIN (BUILD=1 builds it)"
bench_log "tool: $tool"
qc=$(bench_quote "$corpus")
qs=$(bench_quote "$slice")
qt=$(bench_quote "$tool")
text="$qt --clock recorded --format text --color never"
# A run that fails or writes nothing is not a measurement.
out_bytes=$($tool --clock recorded --format text --color never "$slice" | wc -c) || bench_die "$tool failed on $slice"
((out_bytes > 0)) || bench_die "$tool wrote nothing for $slice"

anchor="python orjson scan"
anchor_py=$(bench_quote "$BENCH_DIR/anchors/scan_type_flow.py")
commands=("flow-interleave text::$text $qc > /dev/null"
    "flow-interleave ndjson::$qt --clock recorded --format ndjson $qc > /dev/null")
if normalize=$(bench_tool sse-normalize); then
    commands+=("sse-normalize::$(bench_quote "$normalize") $qc > /dev/null")
fi
commands+=("$anchor::python3 $anchor_py $qc > /dev/null" "cat::cat $qc > /dev/null")
rss_commands=("flow-interleave text::$text $qc > /dev/null"
    "flow-interleave text (first 20 MB)::$text $qs > /dev/null")

bench_hyperfine flow-interleave "${commands[@]}"
bench_peak_rss flow-interleave "${rss_commands[@]}"
lines=$(wc -l <"$corpus")
echo
echo "flow-interleave, $(stat -c %s "$corpus") bytes, $lines records ($(basename "$corpus")), $RUNS runs each:"
bench_report flow-interleave "$(stat -c %s "$corpus")" "$anchor"
echo
python3 - "$WORK/out/flow-interleave.json" "$lines" <<'PY'
import json, sys
runs, lines = json.load(open(sys.argv[1]))["results"], int(sys.argv[2])
for r in runs:
    cpu = r.get("user", 0) + r.get("system", 0)
    # On a shared machine the wall clock waits for the CPU; records per CPU second do not.
    print("%s: %.0f records/s wall, %.0f records per CPU second (user+sys %.2f s)%s" % (
        r["command"], lines / r["mean"], lines / cpu if cpu else 0, cpu,
        " (target 200000)" if r["command"].startswith("flow-interleave") else ""))
PY
echo
echo "peak RSS (KiB) by input size:"
sed 's/^/  /' "$WORK/out/flow-interleave.rss"
