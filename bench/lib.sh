# shellcheck shell=bash
# Shared helpers of the StreamTap benchmarks; sourced by bench/*.sh, not run.
#
# Every benchmark times a StreamTap tool side by side with its anchor in ONE hyperfine run
# on the same generated corpus and reports ratios: absolute numbers on a shared 2-core
# machine are noise (../shared/bench/BASELINES.md).
#
# Environment understood by every script that sources this file:
#   WORK        scratch dir kept between runs (default ${TMPDIR:-/tmp}/streamtap-bench; the
#               corpus generated there is shared with ../shared/bench/run-anchors.sh)
#   SHARED      the shared folder with bench/gen-corpus.py (default: ../shared beside the repo)
#   CORPUS      use this NDJSON file instead of generating one
#   SEED, SIZE_MB  corpus generator settings (defaults per script; 7331 and 200 as in BASELINES.md)
#   RUNS        hyperfine runs per command (default 3)
#   BIN         where the tools are (default .build/release: benchmarks time release builds)
#   BUILD=1     build a missing release tool first (swift build -c release --product NAME)
#   NO_INSTALL=1  never apt-get / pip install; fail with the list of what is missing

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
SHARED=${SHARED:-$REPO_ROOT/../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/streamtap-bench}
RUNS=${RUNS:-3}
BIN=${BIN:-$REPO_ROOT/.build/release}
mkdir -p "$WORK/out"

bench_log() { printf '%s\n' "$*" >&2; }
bench_die() { printf 'bench: %s\n' "$*" >&2; exit 2; }

# bench_need_commands CMD:DEBIAN_PACKAGE ...  installs the packages of missing commands
# (as root, or with sudo), or dies naming them when NO_INSTALL is set or neither is possible.
bench_need_commands() {
    local spec missing=()
    for spec in "$@"; do
        command -v "${spec%%:*}" >/dev/null 2>&1 || missing+=("${spec#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 && sudo=sudo
    fi
    if [[ -n ${NO_INSTALL:-} || ($(id -u) -ne 0 && -z $sudo) ]]; then
        bench_die "missing: ${missing[*]} (apt-get install ${missing[*]})"
    fi
    bench_log "installing ${missing[*]}"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# bench_need_python MODULE[:PIP_PACKAGE] ...  pip-installs missing Python modules.
bench_need_python() {
    local spec missing=()
    for spec in "$@"; do
        python3 -c "import ${spec%%:*}" 2>/dev/null || missing+=("${spec#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    [[ -n ${NO_INSTALL:-} ]] && bench_die "missing Python packages: ${missing[*]} (pip install ${missing[*]})"
    python3 -m pip install -q "${missing[@]}"
}

# bench_corpus [SEED] [SIZE_MB]  prints the corpus path, generating it when absent.
bench_corpus() {
    local seed=${1:-${SEED:-7331}} size=${2:-${SIZE_MB:-200}}
    if [[ -n ${CORPUS:-} ]]; then
        [[ -s $CORPUS ]] || bench_die "CORPUS=$CORPUS is empty or missing"
        printf '%s\n' "$CORPUS"
        return 0
    fi
    local path=$WORK/corpus-$seed-$size.jsonl
    if [[ ! -s $path ]]; then
        [[ -f $SHARED/bench/gen-corpus.py ]] || bench_die "no $SHARED/bench/gen-corpus.py (set SHARED=)"
        bench_log "generating $path (seed $seed, $size MB)"
        python3 "$SHARED/bench/gen-corpus.py" --seed "$seed" --size-mb "$size" --out "$path.tmp"
        mv "$path.tmp" "$path"
    fi
    printf '%s\n' "$path"
}

# bench_page_cache FILE  with PAGE_CACHE=readahead, drops FILE from the page cache and reads it
# back with cat, so that its cached pages are what the kernel's readahead makes — large folios on
# ext4 and XFS with Linux 6.x, the state of a log read from disk — whatever state it was in.
# Tools that map the file (extract-*, codec-scan, rg) spend less
# on page tables over large folios; bench/README.md ("extract.sh, session 5") has both figures.
# PAGE_CACHE=small drops it and reads it back a page per read(2) with readahead off
# (POSIX_FADV_RANDOM): 4 KiB pages, the worst case for the mapping tools. Which of the two a
# freshly written file gets depends on the kernel and on how fragmented free memory is: in
# session 5 gen-corpus.py left the corpus in 4 KiB pages, in session 6 (more memory free) in large
# folios. The default (unset) leaves the page cache as it is.
bench_page_cache() {
    case ${PAGE_CACHE:-} in
        '') ;;
        readahead)
            sync "$1"
            python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$1"
            cat "$1" >/dev/null
            bench_log "page cache of $1: dropped and read back (PAGE_CACHE=readahead)"
            ;;
        small)
            sync "$1"
            python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
while os.read(fd, 4096):
    pass' "$1"
            bench_log "page cache of $1: dropped and read back a page at a time (PAGE_CACHE=small)"
            ;;
        *) bench_die "PAGE_CACHE=${PAGE_CACHE}: expected readahead, small or nothing" ;;
    esac
}

# bench_slice CORPUS MB  prints the path of the corpus's first MB megabytes (whole lines only).
bench_slice() {
    local corpus=$1 mb=$2 path
    path=$WORK/$(basename "$corpus" .jsonl)-first-${mb}mb.jsonl
    if [[ ! -s $path || $corpus -nt $path ]]; then
        head -c "$((mb * 1000000))" "$corpus" | sed '$d' >"$path"
    fi
    printf '%s\n' "$path"
}

# bench_tool NAME  prints the path of the release build of a tool, or returns 1 when it is not
# built (or is still the placeholder that prints "not built yet"). BUILD=1 builds it first.
bench_tool() {
    local name=$1 path=$BIN/$1
    if [[ ! -x $path && -n ${BUILD:-} ]]; then
        bench_log "building $name (release)"
        (cd "$REPO_ROOT" && swift build -c release --product "$name" >&2) || return 1
    fi
    [[ -x $path ]] || return 1
    if "$path" --help 2>&1 | grep -q 'not built yet'; then return 1; fi
    printf '%s\n' "$path"
}

# bench_quote STRING  single-quotes a string for a hyperfine command line.
bench_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# bench_hyperfine NAME 'LABEL::COMMAND' ...  times the commands side by side in one hyperfine
# run ($RUNS runs each, one warm-up so every command sees the corpus in the page cache) and
# exports $WORK/out/NAME.json. A command that exits non-zero fails the benchmark.
bench_hyperfine() {
    local name=$1 spec args=()
    shift
    for spec in "$@"; do args+=(-n "${spec%%::*}" "${spec#*::}"); done
    hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$WORK/out/$name.json" "${args[@]}" >&2
}

# bench_peak_rss NAME 'LABEL::COMMAND' ...  runs each command once under GNU time and appends
# "LABEL<TAB>max RSS in KiB" to $WORK/out/NAME.rss.
bench_peak_rss() {
    local name=$1 spec kib
    shift
    : >"$WORK/out/$name.rss"
    for spec in "$@"; do
        kib=$( { /usr/bin/time -v bash -c "${spec#*::}" 2>&1 >/dev/null; } |
            sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p')
        printf '%s\t%s\n' "${spec%%::*}" "${kib:-?}" >>"$WORK/out/$name.rss"
    done
}

# bench_report NAME INPUT_BYTES ANCHOR_LABEL  prints a Markdown table of the hyperfine run:
# mean and spread, MB/s (input bytes / 10^6 / mean s), speed relative to the anchor
# (anchor mean / command mean: "8.0x" = eight times as fast), the same two on CPU time
# (user + system; steadier than wall time on a busy machine) and peak RSS when measured.
bench_report() {
    python3 - "$WORK/out/$1.json" "$WORK/out/$1.rss" "$2" "$3" <<'PY'
import json, os, sys
results, rss_path, nbytes, anchor = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
runs = json.load(open(results))["results"]
rss = {}
if os.path.exists(rss_path):
    for line in open(rss_path):
        label, _, kib = line.rstrip("\n").rpartition("\t")
        rss[label] = kib
base = next((r["mean"] for r in runs if r["command"] == anchor), None)
# CPU seconds (user + system, of the command and its children) say more than wall time when
# the machine is shared: other jobs stretch the wall clock, not the work done.
cpu = {r["command"]: r["user"] + r["system"] for r in runs}
base_cpu = cpu.get(anchor)
print("| command | mean s | ± s | min s | MB/s | vs %s | CPU s | MB/s of CPU | vs %s, CPU | peak RSS MiB |"
      % (anchor, anchor))
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in runs:
    ratio = "%.2fx" % (base / r["mean"]) if base else "—"
    c = cpu[r["command"]]
    cpu_rate = "%.0f" % (nbytes / 1e6 / c) if c > 0 else "—"
    cpu_ratio = "%.2fx" % (base_cpu / c) if base_cpu and c > 0 else "—"
    kib = rss.get(r["command"], "")
    mib = "%.1f" % (int(kib) / 1024) if kib.isdigit() else "—"
    print("| %s | %.3f | %.3f | %.3f | %.0f | %s | %.3f | %s | %s | %s |" % (
        r["command"], r["mean"], r["stddev"] or 0.0, r["min"], nbytes / 1e6 / r["mean"], ratio, c, cpu_rate,
        cpu_ratio, mib))
PY
}

# bench_environment CORPUS  logs what the numbers depend on.
bench_environment() {
    bench_page_cache "$1"
    bench_log "corpus: $1  $(stat -c %s "$1") bytes, $(wc -l <"$1") lines"
    bench_log "machine: $(nproc) cpus, $(uname -srm); $(hyperfine --version); python $(python3 -c 'import sys, orjson; print(sys.version.split()[0], "orjson", orjson.__version__)')"
    bench_log "repo: $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') on $(date -u +%FT%TZ)"
}
