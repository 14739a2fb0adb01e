#!/usr/bin/env bash
# bench/fuzz-simd.sh [SECONDS] [TARGET...]: fuzzes the hand-written SIMD C of Sources/CTapSIMD
# under AddressSanitizer + UndefinedBehaviorSanitizer (clang, -fno-sanitize-recover=all) with
# differential oracles (bench/fuzz-simd/*.c say which), SECONDS per target (default 60).
# Targets: validate (line_validator.h), linehits (linehits.h), skip (skip.h).
# libFuzzer when the clang has it (-fsanitize=fuzzer), else the harness's own mutation loop
# (-DFUZZ_STANDALONE; FUZZ_MODE=standalone forces it). Seeds: ../shared/fixtures/jsontestsuite and lines of the bench corpus
# (CORPUS, default /tmp/streamtap-bench/corpus-7331-20.jsonl; skipped when missing).
# A mismatch or sanitizer report prints the window (libFuzzer also saves the input under
# bench/fuzz-simd/.build/findings/TARGET/); the script then exits 1. After the validate target,
# every line of CORPUS is checked once with all its cuts (the real records, deterministically).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(validate linehits skip)
shared=${STREAMTAP_SHARED:-../shared}
corpus=${CORPUS:-/tmp/streamtap-bench/corpus-7331-20.jsonl}
out=bench/fuzz-simd/.build
CC=${CC:-$(command -v /opt/swift/usr/bin/clang || command -v clang)}
[ -n "$CC" ] || { echo "fuzz-simd.sh: no clang" >&2; exit 2; }
flags=(-g -O1 -D_GNU_SOURCE -fsanitize=address,undefined -fno-sanitize-recover=all -mavx2 -mbmi -mbmi2 -mpclmul)
mkdir -p "$out"

# libFuzzer when this clang links it.
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$out/probe.c"
if [ -n "${FUZZ_MODE:-}" ]; then
    mode=$FUZZ_MODE  # libfuzzer or standalone, to force one
elif "$CC" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null; then
    mode=libfuzzer
else
    mode=standalone
fi

seed() {
    local target=$1 dir=$out/corpus/$1
    [ -d "$dir" ] && return
    mkdir -p "$dir"
    cp "$shared"/fixtures/jsontestsuite/*.json "$dir"/ 2>/dev/null
    # Record lines (with their `\n`) of every size class, one file each: every 9th line of the first 18000.
    [ -f "$corpus" ] && head -n 18000 "$corpus" | awk 'NR % 9 == 0 && length($0) < 16000' | split -l 1 -a 4 -d - "$dir/line-"
    if [ "$target" = linehits ]; then
        # Several lines per input, with the literals extract-usage asks for.
        [ -f "$corpus" ] && head -n 600 "$corpus" | split -l 6 -a 3 -d - "$dir/lines-"
        printf '\x05\x07\x0d\x22"usage"{"a":1}\n\n  {"usage":2}  \nnot json\n{"b":"\\"codex."}' >"$dir/hand"
    fi
}

status=0
for target in "${targets[@]}"; do
    src=bench/fuzz-simd/fuzz_$target.c
    [ -f "$src" ] || { echo "fuzz-simd.sh: no target $target" >&2; exit 2; }
    bin=$out/fuzz_$target
    if [ $mode = libfuzzer ]; then
        "$CC" "${flags[@]}" -fsanitize=fuzzer "$src" -o "$bin" 2>&1 | grep -v 'Cannot export' >&2
    else
        "$CC" "${flags[@]}" -DFUZZ_STANDALONE "$src" -o "$bin" 2>&1 | grep -v 'Cannot export' >&2
    fi
    [ -x "$bin" ] || { echo "fuzz-simd.sh: build of $target failed" >&2; exit 2; }
    seed "$target"
    mkdir -p "$out/findings/$target" "$out/work/$target"
    log=$out/$target.log
    echo "== $target ($mode, ${seconds}s)"
    if [ $mode = libfuzzer ]; then
        "$bin" "$out/work/$target" "$out/corpus/$target" -max_total_time="$seconds" -max_len=16384 -timeout=20 \
            -rss_limit_mb=4096 -print_final_stats=1 -dict=bench/fuzz-simd/json.dict \
            -artifact_prefix="$out/findings/$target/" >"$log" 2>&1
    else
        "$bin" "$seconds" "$out/corpus/$target" >"$log" 2>&1
    fi
    rc=$?
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|standalone:)|cov: .*DONE|ORACLE MISMATCH|ERROR: |runtime error' "$log" | head -8
    if [ $rc -ne 0 ]; then
        echo "fuzz-simd.sh: $target FAILED (exit $rc); log $log, input in $out/findings/$target/" >&2
        status=1
    fi
    if [ "$target" = validate ] && [ -f "$corpus" ]; then
        # Then every line of the corpus once, with all its cuts: the real records, deterministically.
        "$CC" "${flags[@]}" -DFUZZ_STANDALONE "$src" -o "$out/lines_$target" 2>&1 | grep -v 'Cannot export' >&2
        "$out/lines_$target" --lines "$corpus" 2>&1 | tail -3 || { echo "fuzz-simd.sh: $target FAILED on a line of $corpus" >&2; status=1; }
    fi
done
exit $status
