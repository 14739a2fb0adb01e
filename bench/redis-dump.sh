#!/usr/bin/env bash
# redis-dump against its anchors, side by side in one run on one private redis-server:
#   xadd: redis-dump --xadd  vs  anchors/redis_xadd.py (redis-py + orjson; python and hiredis parsers)
#   dump: redis-dump KEY     vs  anchors/redis_dump.py (XRANGE COUNT 1000 pages; python and hiredis parsers)
# then redis-benchmark's pipelined XADD / XRANGE COUNT 1000 as the ceiling of one connection,
# and the ratios. Same input, server and method as ../shared/bench/run-redis-anchor.sh
# (see BASELINES.md "Redis"); this script runs the anchors itself so that every number
# comes from the same run.
#
#   swift build -c release --product redis-dump && bench/redis-dump.sh
#   LINES=200000 RUNS=2 bench/redis-dump.sh
#
# Environment: LINES (1000000), RUNS (3), WORK (${TMPDIR:-/tmp}/streamtap-bench), CORPUS,
# BIN (.build/release), SHARED (../shared), BUILD=1 (build the release redis-dump first). pip packages for the anchors: redis hiredis orjson.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
A="$SHARED/bench/anchors"
BIN=${BIN:-$ROOT/.build/release}
WORK=${WORK:-${TMPDIR:-/tmp}/streamtap-bench}
LINES=${LINES:-1000000}
RUNS=${RUNS:-3}
RD="$BIN/redis-dump"
mkdir -p "$WORK"
[ -n "${BUILD:-}" ] && (cd "$ROOT" && swift build -c release --product redis-dump)
[ -x "$RD" ] || { echo "no $RD: swift build -c release --product redis-dump" >&2; exit 2; }
for tool in redis-server redis-cli redis-benchmark hyperfine; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install redis-server redis-tools hyperfine)" >&2; exit 2; }
done
python3 -c 'import redis, orjson, hiredis' 2>/dev/null || python3 -m pip install -q redis orjson hiredis

# Input: the first LINES `sse` lines of the corpus, cycled (as run-redis-anchor.sh builds it).
C=${CORPUS:-$WORK/corpus-7331-200.jsonl}
IN=$WORK/redis-$LINES.jsonl
if [ ! -s "$IN" ]; then
  if [ ! -s "$C" ]; then
    python3 "$SHARED/bench/gen-corpus.py" --seed 7331 --size-mb 200 --out "$C.tmp" && mv "$C.tmp" "$C"
  fi
  python3 - "$C" "$IN.tmp" "$LINES" <<'PY'
import itertools, re, sys
sse = re.compile(rb'"type"\s*:\s*"sse"')
lines = [l for l in open(sys.argv[1], "rb") if sse.search(l[:200])]
with open(sys.argv[2], "wb") as f:
    f.writelines(itertools.islice(itertools.cycle(lines), int(sys.argv[3])))
PY
  mv "$IN.tmp" "$IN"
fi
BYTES=$(wc -c < "$IN")
echo "input: $IN, $LINES lines, $BYTES bytes" >&2

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile "$WORK/redis-dump-bench.log" &
RPID=$!
trap 'kill $RPID 2>/dev/null; wait $RPID 2>/dev/null || true' EXIT
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
R="redis-cli -p $PORT"
echo "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on 127.0.0.1:$PORT; redis-py $(python3 -c 'import redis; print(redis.__version__)'), hiredis-py $(python3 -c 'import hiredis; print(hiredis.__version__)'), orjson $(python3 -c 'import orjson; print(orjson.__version__)')" >&2

hyperfine --runs "$RUNS" --export-json "$WORK/redis-dump-xadd.json" \
  --prepare "$R del bench:xadd" \
  -n "redis-dump --xadd" "$RD --port $PORT --xadd bench:xadd < $IN" \
  -n "redis_xadd.py --parser python" "python3 $A/redis_xadd.py bench:xadd $IN --port $PORT --parser python" \
  -n "redis_xadd.py --parser hiredis" "python3 $A/redis_xadd.py bench:xadd $IN --port $PORT --parser hiredis" \
  -n "redis_xadd.py --parser hiredis --validate" "python3 $A/redis_xadd.py bench:xadd $IN --port $PORT --parser hiredis --validate"
# The last xadd run was the anchor's; refill with redis-dump so the dump reads what it wrote.
$R del bench:xadd >/dev/null
"$RD" --port "$PORT" --xadd bench:xadd < "$IN"
echo "stream length: $($R xlen bench:xadd)" >&2

OUT=$WORK/redis-dump-bench.out
hyperfine --runs "$RUNS" --export-json "$WORK/redis-dump-dump.json" \
  -n "redis-dump KEY" "$RD --port $PORT bench:xadd > $OUT" \
  -n "redis_dump.py --parser python" "python3 $A/redis_dump.py bench:xadd --port $PORT --out $OUT --parser python" \
  -n "redis_dump.py --parser hiredis" "python3 $A/redis_dump.py bench:xadd --port $PORT --out $OUT --parser hiredis"
"$RD" --port "$PORT" bench:xadd > "$OUT"
if cmp -s "$IN" "$OUT"; then echo "redis-dump output == input (byte-identical)" >&2; else echo "redis-dump output differs from input!" >&2; fi
/usr/bin/time -f "redis-dump KEY: max RSS %M KB" "$RD" --port "$PORT" bench:xadd > /dev/null
$R del bench:mem >/dev/null
/usr/bin/time -f "redis-dump --xadd: max RSS %M KB" "$RD" --port "$PORT" --xadd bench:mem < "$IN"
$R del bench:mem >/dev/null
rm -f "$OUT"

# Ceiling: redis-benchmark, one connection, the same commands (346-byte value = the mean line).
VAL=$(head -c 346 /dev/zero | tr '\0' 'x')
$R del bench:raw >/dev/null
XADD_CEIL=$(redis-benchmark -p "$PORT" -c 1 -n "$LINES" -P 1000 -q --csv xadd bench:raw '*' record "$VAL" | tail -1 | cut -d, -f2 | tr -d '"')
XRANGE_CEIL=$(redis-benchmark -p "$PORT" -c 1 -n 2000 -q --csv xrange bench:xadd - + COUNT 1000 | tail -1 | cut -d, -f2 | tr -d '"')
echo "ceiling: XADD pipelined $XADD_CEIL/s, XRANGE COUNT 1000 $XRANGE_CEIL req/s" >&2

python3 - "$WORK" "$LINES" "$BYTES" "$XADD_CEIL" "$XRANGE_CEIL" <<'PY'
import json, sys
work, lines, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
xadd_ceiling, xrange_ceiling = float(sys.argv[4]), float(sys.argv[5]) * 1000
print("| command | mean s | ± s | entries/s | MB/s |")
print("|---|---:|---:|---:|---:|")
rates = {}
for name in ("xadd", "dump"):
    for r in json.load(open("%s/redis-dump-%s.json" % (work, name)))["results"]:
        rates[r["command"]] = lines / r["mean"]
        print("| `%s` | %.3f | %.3f | %.0f | %.1f |" % (
            r["command"], r["mean"], r["stddev"] or 0, lines / r["mean"], nbytes / 1e6 / r["mean"]))
print("| `redis-benchmark XADD -P 1000 -c 1` (ceiling) | | | %.0f | |" % xadd_ceiling)
print("| `redis-benchmark XRANGE COUNT 1000 -c 1` (ceiling) | | | %.0f | |" % xrange_ceiling)
x, d = rates["redis-dump --xadd"], rates["redis-dump KEY"]
print()
print("xadd: %.2fx redis_xadd.py --parser python, %.2fx --parser hiredis (target >= 3.5x); %.0f%% of the XADD ceiling (target >= 70%%)" % (
    x / rates["redis_xadd.py --parser python"], x / rates["redis_xadd.py --parser hiredis"], 100 * x / xadd_ceiling))
print("dump: %.2fx redis_dump.py --parser hiredis (target >= 3x), %.2fx --parser python; %.0f%% of the XRANGE ceiling (target >= 85%%)" % (
    d / rates["redis_dump.py --parser hiredis"], d / rates["redis_dump.py --parser python"], 100 * d / xrange_ceiling))
PY
