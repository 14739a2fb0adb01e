#!/usr/bin/env bash
# The codec's scan, side by side with Python + orjson, in one hyperfine run.
#
#   bench/codec-scan.sh                    # 200 MB corpus (seed 7331), release sse-normalize
#   SIZE_MB=20 RUNS=2 bench/codec-scan.sh  # smaller, quicker
#   BUILD=1 bench/codec-scan.sh            # build the release sse-normalize first
#
# Commands (same corpus, page cache warm):
#   codec-scan C > /dev/null               the codec's scan alone (bench/codec-scan/, a tiny
#                                          package over TapCodec): validate every line as a JSON
#                                          object, read `type` and `flow_id` — the anchor's work
#   sse-normalize C > /dev/null            the same scan inside a real tool: also decodes the
#                                          sse/ws records into deltas and writes every record
#   scan_type_flow.py C > /dev/null        the anchor: orjson.loads of every line + two field reads
#   cat C > /dev/null                      the page-cache ceiling
# Prints MB/s, the speed relative to the orjson anchor, and each command's peak RSS
# (GNU time), also on the first 20 MB to show that memory does not grow with the input.
# Target (issue 3): at least 8x the anchor, memory flat. TAPCODEC_SIMD=0 in the environment
# times the codec's Swift (SSE2) line validator instead of the C one; TAPCODEC_SIMD=1 the AVX2
# stage 1 where the CPU also has AVX-512 (which it uses by default).
# A command whose release binary is not built is left out, and the script says so
# (BUILD=1 builds both: `swift build -c release --product sse-normalize` and
# `swift build -c release --package-path bench/codec-scan`).
set -euo pipefail
# shellcheck source=bench/lib.sh
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
scan_bin=$BENCH_DIR/codec-scan/.build/release/codec-scan
if [[ ! -x $scan_bin && -n ${BUILD:-} ]]; then
    bench_log "building bench/codec-scan (release)"
    swift build -c release --package-path "$BENCH_DIR/codec-scan" >&2
fi
if [[ -x $scan_bin ]]; then
    bench_log "codec-scan: $scan_bin"
    # Same answer as the anchor (records per type) on the slice, or the timing means nothing.
    per_type() { grep -E '^[a-z_.]+ [0-9]+$' | grep -vE '^(flows|bad) ' | sort; }
    ours=$("$scan_bin" "$slice" | per_type) || bench_die "$scan_bin failed on $slice"
    theirs=$(python3 "$BENCH_DIR/anchors/scan_type_flow.py" "$slice" | per_type)
    [[ $ours == "$theirs" ]] || bench_die "codec-scan and the anchor disagree on $slice: $ours / $theirs"
    bench_log "codec-scan and the anchor agree on $slice: $(tr '\n' ' ' <<<"$ours")"
    commands+=("codec-scan::$(bench_quote "$scan_bin") $qc > /dev/null")
    rss_commands+=("codec-scan::$(bench_quote "$scan_bin") $qc > /dev/null"
        "codec-scan (first 20 MB)::$(bench_quote "$scan_bin") $qs > /dev/null")
else
    bench_log "NOTE: no $scan_bin (BUILD=1 builds it): leaving codec-scan out"
fi
if tool=$(bench_tool sse-normalize); then
    bench_log "tool: $tool"
    # A run that fails or writes nothing is not a measurement.
    out_bytes=$("$tool" "$slice" | wc -c) || bench_die "$tool failed on $slice"
    ((out_bytes > 0)) || bench_die "$tool wrote nothing for $slice"
    commands+=("sse-normalize::$(bench_quote "$tool") $qc > /dev/null")
    rss_commands+=("sse-normalize::$(bench_quote "$tool") $qc > /dev/null"
        "sse-normalize (first 20 MB)::$(bench_quote "$tool") $qs > /dev/null")
else
    bench_log "NOTE: no release sse-normalize in $BIN (BUILD=1 builds it): leaving it out"
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
