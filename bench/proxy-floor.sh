#!/usr/bin/env bash
# How low scenario a can go on this machine: sse-capture beside its anchor (mitmdump + the seed's
# addon) and beside anchors/epoll_forwarder.c, a minimal C epoll forward proxy (one read and one
# write per event, plus one or two log writes: no HTTP, SSE or JSON work, no TLS), in one run of
# ../shared/bench/proxy-latency.py, scenario a (200 x 1 KB events 20 ms apart), plain HTTP.
#
#   bench/proxy-floor.sh                  # RUNS=4
#   RUNS=2 BUILD=1 bench/proxy-floor.sh
#
# Read it as: the C forwarder's added latency and CPU seconds are the floor of any proxy here
# (every event costs the proxy one wake-up from epoll_wait, a read and a write, and the client
# one more wake-up); "proxy CPU per event >= 10x lower than mitmdump" is at or below that floor
# in scenario a (session 3: the C forwarder with two log writes was 9.1-9.6x, with none 12x).
# Rows: proxy0 mitmdump, proxy1 sse-capture, proxy2 forwarder with two log writes (like
# sse-capture: the log and the per-session copy), proxy3 forwarder with none.
# Environment: RUNS, BIN, BUILD=1, SHARED, MITM_VENV (as run-proxy-anchor.sh), CC (default cc).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tool="$BIN/sse-capture"
if [[ ! -x $tool && -n ${BUILD:-} ]]; then
    (cd "$REPO_ROOT" && swift build -c release --product sse-capture >&2)
fi
[[ -x $tool ]] || bench_die "no release sse-capture at $tool (BUILD=1)"
tool=$(realpath "$tool")
mitmdump=${MITM_VENV:-${TMPDIR:-/tmp}/streamtap-bench/mitm-venv}/bin/mitmdump
[[ -x $mitmdump ]] || bench_die "missing $mitmdump (run ../shared/bench/run-proxy-anchor.sh once to install it)"
forwarder="$WORK/epoll-forwarder"
"${CC:-cc}" -O2 -o "$forwarder" "$BENCH_DIR/anchors/epoll_forwarder.c" || bench_die "cannot compile the forwarder"

bench_log "tool: $tool ($(cd "$REPO_ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')); $(uptime)"
cd "$SHARED/bench"   # the anchor's addon path is relative to it
python3 proxy-latency.py --events 200 --size 1024 --interval-ms 20 --concurrency 1 --runs "${RUNS:-4}" \
    --proxy-cmd "$(bench_quote "$mitmdump") -q -s anchors/mitm_sse_addon.py --listen-host 127.0.0.1 --listen-port {port} --set sse_log_dir={workdir}/logs{i} --set confdir={workdir}/conf{i}" \
    --proxy-cmd "$(bench_quote "$tool") --listen 127.0.0.1:{port} --log-dir {workdir}/logs{i} --ca-dir {workdir}/ca{i}" \
    --proxy-cmd "$(bench_quote "$forwarder") {port} -l {workdir}/logs{i} -2" \
    --proxy-cmd "$(bench_quote "$forwarder") {port}" \
    --count-lines '{workdir}/logs{i}/sse_lines.jsonl' --json "$WORK/out/proxy-floor.json"
bench_log "$(uptime)"
