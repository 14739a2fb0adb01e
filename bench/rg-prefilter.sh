#!/usr/bin/env bash
# rg-prefilter side by side with ripgrep, grep -P and cat on the generated 200 MB corpus
# (issue 8): a literal, a --field pattern (vs the equivalent regex) and an alternation, each as
# a count (-c) and printing the lines to a pipe. Prints MB/s and throughput ratios
# (anchor time / rg-prefilter time: > 1 means rg-prefilter is faster).
#
#   bench/rg-prefilter.sh                    # release build, 200 MB corpus (seed 7331), 5 runs
#   SIZE_MB=20 RUNS=3 bench/rg-prefilter.sh
#   RG_PREFILTER=/path/to/rg-prefilter bench/rg-prefilter.sh   # skip the build
#
# Environment: SIZE_MB (200), SEED (7331), RUNS (5), WORK (${TMPDIR:-/tmp}/streamtap-bench, shared
# with ../shared/bench/run-anchors.sh), CORPUS (use this file), RG_PREFILTER (binary to time).
# Targets: ratio >= 1.0 vs rg on the literal and the field, >= 0.8 on the alternation, and within
# 3x of `cat FILE > /dev/null`.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
SIZE_MB=${SIZE_MB:-200}
SEED=${SEED:-7331}
RUNS=${RUNS:-5}
WORK=${WORK:-${TMPDIR:-/tmp}/streamtap-bench}
mkdir -p "$WORK"
for tool in hyperfine rg grep python3; do
  command -v "$tool" >/dev/null || { echo "rg-prefilter.sh: missing $tool" >&2; exit 2; }
done

if [ -z "${RG_PREFILTER:-}" ]; then
  (cd "$ROOT" && swift build -c release --static-swift-stdlib --product rg-prefilter >&2)
  RG_PREFILTER=$ROOT/.build/release/rg-prefilter
fi

C=${CORPUS:-$WORK/corpus-$SEED-$SIZE_MB.jsonl}
if [ ! -s "$C" ]; then
  echo "generating $C (seed $SEED, $SIZE_MB MB)" >&2
  python3 "$SHARED/bench/gen-corpus.py" --seed "$SEED" --size-mb "$SIZE_MB" --out "$C.tmp"
  mv "$C.tmp" "$C"
fi
CB=$(stat -c %s "$C")
OUT=$WORK/out-rg-prefilter
rm -rf "$OUT"; mkdir -p "$OUT"
echo "corpus: $C  $CB bytes, $(wc -l < "$C") lines" >&2
echo "tools: $RG_PREFILTER; $(rg --version | head -1); $(grep --version | head -1); $(hyperfine --version); cpus $(nproc)" >&2

q() { printf "'%s'" "$1"; }
QC=$(q "$C"); QR=$(q "$RG_PREFILTER")
LIT='"type":"flow"'
FIELD_RE='"type"\s*:\s*"flow"'
ALT='"event":"(content_block_delta|response\.output_text\.delta|response\.function_call_arguments\.delta)"'

# Every rg-prefilter answer must equal rg's before anything is timed.
check() {
  local ours theirs
  ours=$(eval "$1" | md5sum); theirs=$(eval "$2" | md5sum)
  [ "$ours" = "$theirs" ] || { echo "rg-prefilter.sh: output differs: $1 vs $2" >&2; exit 1; }
}
check "$QR -c '$LIT' $QC" "rg --no-config -c '$LIT' $QC"
check "$QR -c --field type=flow $QC" "rg --no-config -c '$FIELD_RE' $QC"
check "$QR -c '$ALT' $QC" "rg --no-config -c '$ALT' $QC"
check "$QR --field type=flow $QC" "rg --no-config '$FIELD_RE' $QC"

# group NAME 'label::command' ...  (hyperfine, --output=pipe: the output really goes through a pipe)
group() {
  local name=$1; shift
  local args=() cmd
  for cmd in "$@"; do args+=(-n "${cmd%%::*}" "${cmd#*::}"); done
  hyperfine --style basic --output=pipe --warmup 1 --runs "$RUNS" -i --export-json "$OUT/$name.json" "${args[@]}" >&2
  echo "$name" >> "$OUT/groups"
}

group cat "cat::cat $QC > /dev/null"
group literal-count \
  "rg-prefilter::$QR -c '$LIT' $QC" "rg::rg --no-config -c '$LIT' $QC" "grep -P::grep -cP '$LIT' $QC"
group field-count \
  "rg-prefilter::$QR -c --field type=flow $QC" "rg::rg --no-config -c '$FIELD_RE' $QC" "grep -P::grep -cP '$FIELD_RE' $QC"
group alternation-count \
  "rg-prefilter::$QR -c '$ALT' $QC" "rg::rg --no-config -c '$ALT' $QC" "grep -P::grep -cP '$ALT' $QC"
group literal-print \
  "rg-prefilter::$QR '$LIT' $QC" "rg::rg --no-config '$LIT' $QC" "grep -P::grep -P '$LIT' $QC"
group field-print \
  "rg-prefilter::$QR --field type=flow $QC" "rg::rg --no-config '$FIELD_RE' $QC" "grep -P::grep -P '$FIELD_RE' $QC"
group alternation-print \
  "rg-prefilter::$QR '$ALT' $QC" "rg::rg --no-config '$ALT' $QC" "grep -P::grep -P '$ALT' $QC"

python3 - "$OUT" "$CB" <<'PY'
import json, os, sys
out, nbytes = sys.argv[1], int(sys.argv[2])
def load(name):
    return {r["command"]: r for r in json.load(open(os.path.join(out, name + ".json")))["results"]}
cat = load("cat")["cat"]["mean"]
print("cat FILE > /dev/null: %.1f ms, %.0f MB/s" % (cat * 1e3, nbytes / 1e6 / cat))
print()
print("| task | rg-prefilter ms | MB/s | rg ms | grep -P ms | vs rg | vs grep -P | time / cat |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name in [l.strip() for l in open(os.path.join(out, "groups"))][1:]:
    r = load(name)
    ours, rg, grep = r["rg-prefilter"]["mean"], r["rg"]["mean"], r["grep -P"]["mean"]
    print("| %s | %.1f ± %.1f | %.0f | %.1f | %.1f | %.2f | %.2f | %.2f |" % (
        name, ours * 1e3, (r["rg-prefilter"]["stddev"] or 0) * 1e3, nbytes / 1e6 / ours, rg * 1e3, grep * 1e3,
        rg / ours, grep / ours, ours / cat))
PY
