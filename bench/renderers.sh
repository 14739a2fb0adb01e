#!/usr/bin/env bash
# The renderers (delta-unescape, json-pretty-stream, bash-detect) on the deltas of the corpus,
# side by side with a Python anchor and cat in one hyperfine run; then their --raw modes on
# one big input each, json-pretty-stream beside jq (whose output it reproduces).
#
#   bench/renderers.sh                     # 200 MB corpus (seed 7331), release builds
#   SIZE_MB=20 RUNS=2 bench/renderers.sh   # smaller, quicker
#   BUILD=1 bench/renderers.sh             # build the release tools first
#
# Inputs, made once into $WORK and reused:
#   DELTAS  `sse-normalize CORPUS`: the corpus with every sse/ws event replaced by its delta
#           records (what the renderers read in a pipeline)
#   TEXT    the text and reasoning fragments of DELTAS, each written as the inside of a JSON
#           string with non-ASCII as \uXXXX (surrogate pairs too), repeated up to RAW_MB MB:
#           escape-dense text for delta-unescape --raw
#   JSON    one JSON array holding the first RAW_MB (default 50) MB of the corpus's request
#           bodies: one huge document for json-pretty-stream --raw
# Commands (page cache warm):
#   delta-unescape / json-pretty-stream / bash-detect DELTAS > /dev/null
#   anchor: scan_type_flow.py DELTAS (Python orjson.loads of every line), cat DELTAS
#   delta-unescape --raw TEXT, cat TEXT
#   json-pretty-stream --raw JSON, jq --indent 2 . JSON, cat JSON
# Reports MB/s of the input file, MB/s of delta text (the bytes of the `text` of the text,
# reasoning and tool_args deltas: what the renderers decode and format), the ratio to the
# anchor, and peak RSS (GNU time) on the whole input and on its first 20 MB.
# Targets (issue 4): each tool >= 200 MB/s of delta text, peak RSS < 20 MB whatever the input size.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

bench_need_commands hyperfine:hyperfine /usr/bin/time:time jq:jq
bench_need_python orjson
corpus=$(bench_corpus "${SEED:-7331}" "${SIZE_MB:-200}")
normalize=$(bench_tool sse-normalize) || bench_die "needs a release sse-normalize in $BIN (BUILD=1 builds it)"
tools=()
for name in delta-unescape json-pretty-stream bash-detect; do
    if path=$(bench_tool "$name"); then tools+=("$name::$path"); else bench_log "NOTE: $name not built (release): skipped"; fi
done
((${#tools[@]} > 0)) || bench_die "no renderer built in $BIN (BUILD=1 builds them)"

base=$WORK/$(basename "$corpus" .jsonl)
deltas=$base-deltas.jsonl
if [[ ! -s $deltas || $corpus -nt $deltas ]]; then
    bench_log "normalising $corpus -> $deltas"
    "$normalize" "$corpus" >"$deltas.tmp"
    mv "$deltas.tmp" "$deltas"
fi
text=$base-text.raw
json=$base-bodies-${RAW_MB:-50}mb.json
stats=$base-delta-text.bytes
if [[ ! -s $text || ! -s $json || ! -s $stats || $deltas -nt $stats || $(stat -c %s "$text") -lt $((${RAW_MB:-50} * 1000000)) ]]; then
    bench_log "making the raw inputs (escaped text, one big JSON document)"
    python3 - "$deltas" "$corpus" "$text" "$json" "$stats" "${RAW_MB:-50}" <<'PY'
import orjson, json, sys
deltas, corpus, text_path, json_path, stats_path, raw_mb = sys.argv[1:7]
delta_text, pieces = 0, []
with open(deltas, "rb") as f:
    for line in f:
        if b'"type":"delta"' not in line:
            continue
        r = orjson.loads(line)
        if r.get("kind") in ("text", "reasoning", "tool_args") and isinstance(r.get("text"), str):
            delta_text += len(r["text"].encode())
            if r["kind"] != "tool_args":
                pieces.append(json.dumps(r["text"], ensure_ascii=True)[1:-1])
limit = int(raw_mb) * 1_000_000
escaped = "".join(pieces).encode()
with open(text_path, "wb") as text:
    for _ in range(max(1, -(-limit // max(1, len(escaped))))):
        text.write(escaped)
written, first = 0, True
with open(corpus, "rb") as f, open(json_path, "wb") as out:
    out.write(b"[")
    for line in f:
        if written >= limit:
            break
        if b'"type":"flow"' not in line[:40]:
            continue
        body = orjson.loads(line).get("request", {}).get("body")
        if body is None:
            continue
        chunk = orjson.dumps(body)
        out.write(chunk if first else b"," + chunk)
        written += len(chunk)
        first = False
    out.write(b"]\n")
open(stats_path, "w").write(str(delta_text))
PY
fi
slice=$(bench_slice "$deltas" 20)
delta_text_bytes=$(cat "$stats")
bench_environment "$deltas"
bench_log "delta text in DELTAS: $delta_text_bytes bytes; TEXT $(stat -c %s "$text") bytes; JSON $(stat -c %s "$json") bytes"

qd=$(bench_quote "$deltas")
qs=$(bench_quote "$slice")
anchor="python orjson scan"
commands=()
rss=()
for spec in "${tools[@]}"; do
    name=${spec%%::*}
    q=$(bench_quote "${spec#*::}")
    # A run that fails or writes nothing is not a measurement.
    out_bytes=$("${spec#*::}" --format ndjson "$slice" | wc -c) || bench_die "$name failed on $slice"
    ((out_bytes > 0)) || bench_die "$name wrote nothing for $slice"
    commands+=("$name::$q --format ndjson $qd > /dev/null")
    rss+=("$name::$q --format ndjson $qd > /dev/null" "$name (first 20 MB)::$q --format ndjson $qs > /dev/null")
done
commands+=("$anchor::python3 $(bench_quote "$BENCH_DIR/anchors/scan_type_flow.py") $qd > /dev/null" "cat::cat $qd > /dev/null")
bench_hyperfine renderers "${commands[@]}"
bench_peak_rss renderers "${rss[@]}"

for spec in "${tools[@]}"; do
    name=${spec%%::*}
    q=$(bench_quote "${spec#*::}")
    case $name in
    delta-unescape)
        bench_hyperfine unescape-raw "delta-unescape --raw::$q --raw $(bench_quote "$text") > /dev/null" "cat::cat $(bench_quote "$text") > /dev/null"
        bench_peak_rss unescape-raw "delta-unescape --raw::$q --raw $(bench_quote "$text") > /dev/null"
        ;;
    json-pretty-stream)
        bench_hyperfine pretty-raw "json-pretty-stream --raw::$q --raw $(bench_quote "$json") > /dev/null" \
            "jq --indent 2::jq --indent 2 . $(bench_quote "$json") > /dev/null" "cat::cat $(bench_quote "$json") > /dev/null"
        bench_peak_rss pretty-raw "json-pretty-stream --raw::$q --raw $(bench_quote "$json") > /dev/null" \
            "jq --indent 2::jq --indent 2 . $(bench_quote "$json") > /dev/null"
        ;;
    esac
done

# cpu_line NAME BYTES  prints MB/s by CPU time (user+sys) for each command of a group.
cpu_line() {
    python3 - "$WORK/out/$1.json" "$2" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    cpu = (r.get("user") or 0) + (r.get("system") or 0)
    if cpu > 0.001:
        print("  %-24s %6.0f MB/s by CPU time" % (r["command"], int(sys.argv[2]) / 1e6 / cpu))
PY
}

echo
echo "renderers on $(basename "$deltas"): $(stat -c %s "$deltas") bytes, of which $delta_text_bytes bytes of delta text; $RUNS runs each:"
bench_report renderers "$(stat -c %s "$deltas")" "$anchor"
echo
echo "MB/s by wall time and by CPU time (user+sys; on a loaded shared machine the CPU figure is the"
echo "stable one), of the input file and of its delta text:"
python3 - "$WORK/out/renderers.json" "$(stat -c %s "$deltas")" "$delta_text_bytes" <<'PY'
import json, sys
nbytes, text = int(sys.argv[2]), int(sys.argv[3])
print("| command | input MB/s wall | input MB/s CPU | delta text MB/s wall | delta text MB/s CPU |")
print("|---|---:|---:|---:|---:|")
for r in json.load(open(sys.argv[1]))["results"]:
    cpu = (r.get("user") or 0) + (r.get("system") or 0)
    f = lambda n, t: "%.0f" % (n / 1e6 / t) if t else "—"
    print("| %s | %s | %s | %s | %s |" % (r["command"], f(nbytes, r["mean"]), f(nbytes, cpu), f(text, r["mean"]), f(text, cpu)))
PY
echo
echo "peak RSS (KiB), whole input and first 20 MB:"
sed 's/^/  /' "$WORK/out/renderers.rss"
if [[ -f $WORK/out/unescape-raw.json ]]; then
    echo
    echo "delta-unescape --raw on $(basename "$text") ($(stat -c %s "$text") bytes of escaped text):"
    bench_report unescape-raw "$(stat -c %s "$text")" cat
    cpu_line unescape-raw "$(stat -c %s "$text")"
fi
if [[ -f $WORK/out/pretty-raw.json ]]; then
    echo
    echo "json-pretty-stream --raw on one $(stat -c %s "$json")-byte JSON document, beside jq:"
    bench_report pretty-raw "$(stat -c %s "$json")" "jq --indent 2"
    cpu_line pretty-raw "$(stat -c %s "$json")"
fi
