#!/usr/bin/env bash
# Regenerates linker/sse-capture.order: the functions of the release sse-capture that run when it
# starts and proxies SSE (CONNECT with TLS interception, and plain HTTP), for lld's
# --symbol-ordering-file (Package.swift). Linked first and together, they fill ~5 MiB of pages
# instead of being spread over ~8 MiB of the 13 MiB of code: the kernel maps code 64 KiB around
# each page a process touches, so scattered code costs resident memory (bench/README.md,
# proxy.sh session 3). Functions missing from the list (new code, other paths) are only placed
# after it; names that no longer exist are ignored, so a stale list costs memory, never
# correctness. Re-run after large changes to sse-capture or its dependencies:
#
#   swift build -c release --static-swift-stdlib --product sse-capture
#   linker/update-sse-capture-order.sh
#   rm .build/release/sse-capture   # SwiftPM does not see the list as an input: force the relink
#   swift build -c release --static-swift-stdlib --product sse-capture
#
# Needs valgrind (callgrind records every function executed) and ../shared/bench/proxy-latency.py.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../bench/lib.sh"
bench_need_commands valgrind:valgrind nm:binutils objcopy:binutils
tool="$BIN/sse-capture"
[[ -x $tool ]] || bench_die "no release sse-capture at $tool"
harness="$SHARED/bench/proxy-latency.py"
[[ -f $harness ]] || bench_die "missing $harness (SHARED=$SHARED)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# valgrind cannot read the DWARF of this toolchain; the symbol table is all callgrind needs.
objcopy --strip-debug "$tool" "$scratch/sse-capture"
# run NAME PROXY_OPTIONS [HARNESS_OPTIONS...]: one short profiled run (4 streams of 500 events).
run() {
    local name=$1 proxy_options=$2
    shift 2
    python3 "$harness" --events 500 --size 200 --concurrency 4 --runs 1 --startup-timeout 60 --timeout 300 \
        --proxy-cmd "valgrind --tool=callgrind --demangle=no --callgrind-out-file=$scratch/$name.out $scratch/sse-capture --listen 127.0.0.1:{port} --log-dir {workdir}/logs{i} --ca-dir {workdir}/ca{i}$proxy_options" \
        "$@" --count-lines '{workdir}/logs{i}/sse_lines.jsonl' >"$scratch/$name.log" 2>&1 ||
        bench_die "profiled $name run failed: $(tail -5 "$scratch/$name.log")"
}
run tls " --upstream-ca {upstream_ca}" --tls --cacert '{workdir}/ca{i}/ca.pem'
run http ""

# callgrind names each function once as "fn=(id) name"; keep those defined in the binary's code.
nm --defined-only "$scratch/sse-capture" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$scratch/defined"
sed -n 's/^c\{0,1\}fn=([0-9]*) //p' "$scratch"/tls.out "$scratch"/http.out | sort -u >"$scratch/executed"
comm -12 "$scratch/defined" "$scratch/executed" >"$REPO_ROOT/linker/sse-capture.order"
bench_log "linker/sse-capture.order: $(wc -l <"$REPO_ROOT/linker/sse-capture.order") functions"
