#!/usr/bin/env bash
# rg-prefilter side by side with ripgrep and grep -P, and `cat FILE > /dev/null`, on the
# generated 200 MB corpus (issue 8): a literal, a --field pattern (against the equivalent
# regex) and an alternation, each counted (-c) and printed through a pipe. Every answer of
# rg-prefilter is checked against ripgrep's before anything is timed.
#
#   bench/rg-prefilter.sh                  # 200 MB corpus (seed 7331), 5 runs each
#   SIZE_MB=20 RUNS=3 bench/rg-prefilter.sh
#   BUILD=1 bench/rg-prefilter.sh          # build the release binary first (static stdlib)
#
# Environment: see bench/lib.sh (WORK, SHARED, CORPUS, SEED, SIZE_MB, RUNS, BIN, BUILD,
# NO_INSTALL). Output: hyperfine's lines on stderr, then a Markdown table on stdout: mean and
# minimum ms, MB/s (corpus bytes / 10^6 / mean s), speed relative to rg and to grep -P
# (their mean / ours: 1.00x = as fast), our time relative to cat, and CPU time (user + system,
# mean) of the three, which a busy machine disturbs less than wall time.
# Targets: >= 1.0x rg on the literal and the field, >= 0.8x rg on the alternation, and at most
# 3x the time of cat.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}
bench_need_commands hyperfine:hyperfine rg:ripgrep
if [[ -n ${BUILD:-} ]]; then
    # The release binaries ship with the static Swift runtime (DESIGN §8); it also starts faster.
    (cd "$REPO_ROOT" && swift build -c release --static-swift-stdlib --product rg-prefilter >&2)
fi
RGP=$(bench_tool rg-prefilter) || bench_die "rg-prefilter is not built in $BIN (BUILD=1, or swift build -c release)"
C=$(bench_corpus "${SEED:-7331}" "${SIZE_MB:-200}")
CB=$(stat -c %s "$C")
bench_environment "$C"
bench_log "tools: $RGP; $(rg --version | head -1); $(grep --version | head -1)"

QC=$(bench_quote "$C")
QR=$(bench_quote "$RGP")
LIT='"type":"flow"'
FIELD_RE='"type"\s*:\s*"flow"'
ALT='"event":"(content_block_delta|response\.output_text\.delta|response\.function_call_arguments\.delta)"'
QLIT=$(bench_quote "$LIT")
QFIELD=$(bench_quote "$FIELD_RE")
QALT=$(bench_quote "$ALT")

# The same bytes as ripgrep, or no timing at all.
check() {
    local ours theirs
    ours=$(bash -c "$1" | md5sum)
    theirs=$(bash -c "$2" | md5sum)
    [[ $ours == "$theirs" ]] || bench_die "output differs: $1  vs  $2"
}
check "$QR $QLIT $QC" "rg --no-config $QLIT $QC"
check "$QR --field type=flow $QC" "rg --no-config $QFIELD $QC"
check "$QR $QALT $QC" "rg --no-config $QALT $QC"

: >"$WORK/out/rg-prefilter.groups"
# group NAME 'LABEL::COMMAND' ...: one hyperfine run; --output=pipe so the lines really go
# through a pipe (GNU grep stops at the first match when its output is /dev/null).
group() {
    local name=$1 spec args=()
    shift
    for spec in "$@"; do args+=(-n "${spec%%::*}" "${spec#*::}"); done
    hyperfine --style basic --output=pipe --warmup 1 --runs "$RUNS" \
        --export-json "$WORK/out/rg-prefilter-$name.json" "${args[@]}" >&2
    echo "$name" >>"$WORK/out/rg-prefilter.groups"
}
trio() {  # trio NAME OUR_ARGS RG_AND_GREP_ARGS
    group "$1" "rg-prefilter::$QR $2 $QC" "rg::rg --no-config $3 $QC" "grep -P::grep -P $3 $QC"
}

group cat "cat::cat $QC > /dev/null"
trio literal-count "-c $QLIT" "-c $QLIT"
trio field-count "-c --field type=flow" "-c $QFIELD"
trio alternation-count "-c $QALT" "-c $QALT"
trio literal-print "$QLIT" "$QLIT"
trio field-print "--field type=flow" "$QFIELD"
trio alternation-print "$QALT" "$QALT"

python3 - "$WORK/out" "$CB" <<'PY'
import json, os, sys
out, nbytes = sys.argv[1], int(sys.argv[2])
def load(name):
    return {r["command"]: r for r in json.load(open(os.path.join(out, "rg-prefilter-%s.json" % name)))["results"]}
cat = load("cat")["cat"]
print("cat FILE > /dev/null: mean %.1f ms, min %.1f ms, %.0f MB/s" % (cat["mean"] * 1e3, cat["min"] * 1e3, nbytes / 1e6 / cat["mean"]))
print()
print("| task | rg-prefilter mean ms | min ms | MB/s | rg mean ms | grep -P mean ms | vs rg | vs rg (min) | vs grep -P "
      "| time / cat | CPU ms ours / rg / grep -P |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
cpu = lambda r: (r["user"] + r["system"]) * 1e3  # user + system: steadier than wall time on a busy machine
for name in [line.strip() for line in open(os.path.join(out, "rg-prefilter.groups"))][1:]:
    r = load(name)
    ours, rg, grep = r["rg-prefilter"], r["rg"], r["grep -P"]
    print("| %s | %.1f ± %.1f | %.1f | %.0f | %.1f | %.1f | %.2fx | %.2fx | %.2fx | %.2f | %.0f / %.0f / %.0f |" % (
        name, ours["mean"] * 1e3, (ours["stddev"] or 0) * 1e3, ours["min"] * 1e3, nbytes / 1e6 / ours["mean"],
        rg["mean"] * 1e3, grep["mean"] * 1e3, rg["mean"] / ours["mean"], rg["min"] / ours["min"],
        grep["mean"] / ours["mean"], ours["mean"] / cat["mean"], cpu(ours), cpu(rg), cpu(grep)))
PY
