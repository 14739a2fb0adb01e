#!/usr/bin/env bash
# The codec's scan, side by side with Python + orjson, in one hyperfine run.
#
#   bench/codec-scan.sh                    # 200 MB corpus (seed 7331), release sse-normalize
#   SIZE_MB=20 RUNS=2 bench/codec-scan.sh  # smaller, quicker
#   BUILD=1 bench/codec-scan.sh            # build the release sse-normalize first
#
# Commands (same corpus, page cache warm):
#   sse-normalize C > /dev/null            reads every line, validates it, finds `type` (and
#                                          `flow_id`), decodes the sse/ws records into deltas,
#                                          passes the rest through
#   scan_type_flow.py C > /dev/null        the anchor: orjson.loads of every line + two field reads
#   cat C > /dev/null                      the page-cache ceiling
# Prints MB/s, the speed relative to the orjson anchor, and each command's peak RSS
# (GNU time), also on the first 20 MB to show that memory does not grow with the input.
# Target (issue 3): sse-normalize at least 8x the anchor, memory flat.
# When sse-normalize is not built (release), the anchors run alone and the script says so.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

bench_need_commands hyperfine:hyperfine /usr/bin/time:time
bench_need_python orjson
corpus=$(bench_corpus "${SEED:-7331}" "${SIZE_MB:-200}")
slice=$(bench_slice "$corpus" 20)
bench_environment "$corpus"

qc=$(bench_quote "$corpus")
qs=$(bench_quote "$slice")
anchor_py=$(bench_quote "$BENCH_DIR/anchors/scan_type_flow.py")
anchor="python orjson scan"
commands=()
rss_commands=()
if tool=$(bench_tool sse-normalize); then
    bench_log "tool: $tool"
    # A run that fails or writes nothing is not a measurement.
    out_bytes=$("$tool" "$slice" | wc -c) || bench_die "$tool failed on $slice"
    ((out_bytes > 0)) || bench_die "$tool wrote nothing for $slice"
    commands+=("sse-normalize::$(bench_quote "$tool") $qc > /dev/null")
    rss_commands+=("sse-normalize::$(bench_quote "$tool") $qc > /dev/null"
        "sse-normalize (first 20 MB)::$(bench_quote "$tool") $qs > /dev/null")
else
    bench_log "NOTE: no release sse-normalize in $BIN (BUILD=1 builds it): timing the anchors only"
fi
commands+=("$anchor::python3 $anchor_py $qc > /dev/null" "cat::cat $qc > /dev/null")
rss_commands+=("$anchor::python3 $anchor_py $qc > /dev/null"
    "$anchor (first 20 MB)::python3 $anchor_py $qs > /dev/null" "cat::cat $qc > /dev/null")

bench_hyperfine codec-scan "${commands[@]}"
bench_peak_rss codec-scan "${rss_commands[@]}"
echo
echo "codec scan, $(stat -c %s "$corpus") bytes ($(basename "$corpus")), $RUNS runs each:"
bench_report codec-scan "$(stat -c %s "$corpus")" "$anchor"
echo
echo "peak RSS (KiB) by input size:"
sed 's/^/  /' "$WORK/out/codec-scan.rss"
