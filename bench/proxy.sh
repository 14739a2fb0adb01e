#!/usr/bin/env bash
# sse-capture side by side with its anchor (mitmdump + the seed's SSE addon re-created), in one
# run of ../shared/bench/run-proxy-anchor.sh: plain HTTP forward and HTTPS MITM (CONNECT, each
# proxy's own CA), scenarios a (latency, 200 x 1 KB events 20 ms apart), b (one tight stream of
# 20,000 x 200 B events) and c (50 concurrent tight streams of 2,000 events).
#
#   bench/proxy.sh                      # both modes, scenarios a b c (about 10 minutes)
#   MODES=http SCEN=a bench/proxy.sh    # a quick look
#   BUILD=1 bench/proxy.sh              # build the release sse-capture first
#
# The harness prints Markdown rows per target (direct, proxy0 = mitmdump anchor, proxy1 =
# sse-capture): per-event delivery latency p50/p90/p99, the latency added over direct, events/s,
# proxy CPU seconds and peak RSS, and the line counts of each proxy's log files (every event
# must be logged). Targets (issue 6), as ratios from the same run: added latency p50/p99 at
# least 4x lower than the anchor's, proxy CPU per event at least 10x lower, events/s within
# 10 % of direct in b and c, peak RSS <= 32 MiB with 50 TLS streams.
# Notes: the harness's upstream answers `Connection: close` and opens a connection (and, over
# HTTPS, a TLS handshake) per stream, so sse-capture's upstream keep-alive pool never engages
# here: scenario a measures per-event forwarding, not connection set-up. Peak RSS is VmHWM and
# counts the binary's mapped pages: measure the release build (static Swift runtime, see
# Package.swift), not a debug one.
# Environment: MODES, SCEN, RUNS_A/RUNS_B/RUNS_C, OUT_DIR, NO_INSTALL (see run-proxy-anchor.sh),
# BIN (default .build/release), BUILD=1, SHARED (default ../shared).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tool="$BIN/sse-capture"
if [[ ! -x $tool && -n ${BUILD:-} ]]; then
    (cd "$REPO_ROOT" && swift build -c release --product sse-capture >&2)
fi
[[ -x $tool ]] && tool=$(realpath "$tool")   # the harness starts proxies in another directory
[[ -x $tool ]] || bench_die "no release sse-capture at $tool (swift build -c release --product sse-capture, or BUILD=1)"
if "$tool" --help 2>&1 | grep -q "not built yet"; then bench_die "$tool is the placeholder"; fi
anchor="$SHARED/bench/run-proxy-anchor.sh"
[[ -x $anchor || -f $anchor ]] || bench_die "missing $anchor (SHARED=$SHARED)"

# Each proxy gets its own log dir (the harness counts its lines) and its own CA dir; in HTTPS mode
# the upstream's test CA is trusted with --upstream-ca. One harness run per mode, so each mode
# gets its own TOOL_CMD.
base="$(bench_quote "$tool") --listen 127.0.0.1:{port} --log-dir {workdir}/logs{i} --ca-dir {workdir}/ca{i}"
export TOOL_CACERT='{workdir}/ca{i}/ca.pem'
bench_log "tool: $tool ($(cd "$REPO_ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
for mode in ${MODES:-http https}; do
    if [[ $mode == https ]]; then
        TOOL_CMD="$base --upstream-ca {upstream_ca}"
    else
        TOOL_CMD="$base"
    fi
    MODES=$mode TOOL_CMD=$TOOL_CMD bash "$anchor"
done
