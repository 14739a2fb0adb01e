#!/usr/bin/env bash
# flow-web: memory stays flat over a day of log (old flows paged out), and the page stays responsive
# with 1,000 flows (issue 11). Measures, on slices of one generated corpus:
#   1. peak RSS of `flow-web --keep 1000 --exit-at-end FILE > /dev/null` per slice (GNU time), next to
#      sse-normalize on the same slice (same decoding, no page state) as the anchor;
#   2. wall time of both side by side (hyperfine) on the largest slice;
#   3. with headless Chromium (selenium): time for the page to show the first 1,000 flows from the
#      snapshot, and for the search box to filter them (bench/flow-web-page.py).
# Environment: see bench/lib.sh (SIZE_MB default 100 here, about 3,300 flows; BIN may be .build/debug).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SIZE_MB=${SIZE_MB:-100}

web=$(bench_tool flow-web) || bench_die "flow-web is not built in $BIN (BUILD=1, or BIN=.build/debug)"
normalize=$(bench_tool sse-normalize) || bench_die "sse-normalize is not built in $BIN"
bench_need_commands hyperfine:hyperfine /usr/bin/time:time
corpus=$(bench_corpus "${SEED:-7331}" "$SIZE_MB")

slices=()
for mb in 10 30 "$SIZE_MB"; do
    if [[ $mb == "$SIZE_MB" ]]; then slices+=("$corpus"); else slices+=("$(bench_slice "$corpus" "$mb")"); fi
done

printf '| input | MB | flows | flow-web peak RSS (KiB) | sse-normalize peak RSS (KiB) |\n|---|---|---|---|---|\n'
for slice in "${slices[@]}"; do
    flows=$(grep -c '"type":"flow",' "$slice" || true)
    bench_peak_rss flow-web-rss \
        "flow-web::$(bench_quote "$web") --keep 1000 --exit-at-end --listen 127.0.0.1:0 $(bench_quote "$slice")" \
        "sse-normalize::$(bench_quote "$normalize") $(bench_quote "$slice")"
    web_kib=$(sed -n 's/^flow-web\t//p' "$WORK/out/flow-web-rss.rss")
    norm_kib=$(sed -n 's/^sse-normalize\t//p' "$WORK/out/flow-web-rss.rss")
    printf '| %s | %s | %s | %s | %s |\n' "$(basename "$slice")" "$(($(stat -c %s "$slice") / 1000000))" "$flows" "$web_kib" "$norm_kib"
done

bench_hyperfine flow-web \
    "sse-normalize::$(bench_quote "$normalize") $(bench_quote "$corpus") > /dev/null" \
    "flow-web::$(bench_quote "$web") --keep 1000 --exit-at-end --listen 127.0.0.1:0 $(bench_quote "$corpus") > /dev/null"
bench_report flow-web "$(stat -c %s "$corpus")" sse-normalize

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] && python3 -c 'import selenium' 2>/dev/null; then
    python3 "$BENCH_DIR/flow-web-page.py" "$web" "$corpus" 1000
else
    bench_log "page timing skipped: needs chromium, chromium-driver and selenium"
fi
