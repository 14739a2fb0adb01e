#!/usr/bin/env bash
# CPU time (perf stat task-clock) of several commands over one corpus, in alternating rounds so
# that another job's load falls on all of them alike; prints each command's minimum and median.
#
#   bench/ab-task-clock.sh ROUNDS CORPUS CMD...     # each CMD is run as: CMD CORPUS > /dev/null
#   bench/ab-task-clock.sh 11 /tmp/streamtap-bench/corpus-7331-200.jsonl \
#       /tmp/codec-scan.old bench/codec-scan/.build/release/codec-scan \
#       "python3 bench/anchors/scan_type_flow.py"
set -euo pipefail
(($# >= 3)) || { echo "usage: $0 ROUNDS CORPUS CMD..." >&2; exit 2; }
rounds=$1 corpus=$2
shift 2
command -v perf > /dev/null || { echo "$0: needs perf (linux-perf)" >&2; exit 2; }
declare -A times
for ((round = 0; round < rounds; round++)); do
    for cmd in "$@"; do
        # shellcheck disable=SC2086 # CMD is a command line with its arguments
        ms=$(perf stat -x, -e task-clock $cmd "$corpus" 2>&1 > /dev/null | awk -F, '/task-clock/ {print $1}')
        [[ -n $ms ]] || { echo "$0: no task-clock for: $cmd" >&2; exit 1; }
        times[$cmd]+="$ms "
    done
done
for cmd in "$@"; do
    tr ' ' '\n' <<< "${times[$cmd]}" | grep . | sort -n \
        | awk -v cmd="$cmd" '{t[NR] = $1} END {printf "min %7.1f ms  median %7.1f ms  %s\n", t[1], t[int((NR + 1) / 2)], cmd}'
done
