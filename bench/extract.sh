#!/usr/bin/env bash
# The extract tools side by side with the two reference pipelines, one hyperfine run per task.
#
#   bench/extract.sh                        # 200 MB corpus (seed 7331), release tools, 3 runs
#   ONLY="prompts usage" bench/extract.sh   # some tasks only
#   SIZE_MB=20 RUNS=2 bench/extract.sh      # a quick look
#   BUILD=1 bench/extract.sh                # build the missing release tools first
#
# Per task (same corpus, page cache warm, output to a file so that nothing is skipped):
#   extract-TASK ARGS C                      the tool
#   python3 anchors/TASK.py C ARGS           the seed's two-phase pipeline: rg prefilter + orjson
#   python3 anchors/duckdb_queries.py TASK C ARGS   DuckDB SQL over read_json
# (anchors: ../shared/bench/anchors; their answers are the definition, see README.md there).
# Tasks: prompts -n 10, turns --mode paired -n 10, pairs -n 10, deltas, usage --by model,
# requests (the six reference types, into a directory), latency (no anchor: timed alone).
# Before timing, each tool's answer is compared with the Python anchor's (the "partial" key
# the tools add is removed first); a difference fails the benchmark.
# Prints one Markdown table per task: mean, MB/s, speed vs the Python anchor, peak RSS.
# Targets (issue 9): >= 10x the Python pipeline, faster than DuckDB, peak RSS < 100 MB.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

bench_need_commands hyperfine:hyperfine /usr/bin/time:time rg:ripgrep
bench_need_python orjson duckdb
corpus=$(bench_corpus "${SEED:-7331}" "${SIZE_MB:-200}")
bench_environment "$corpus"
anchors=$SHARED/bench/anchors
[[ -f $anchors/prompts.py ]] || bench_die "no reference scripts in $anchors (set SHARED=)"
qc=$(bench_quote "$corpus")
out=$WORK/out
bytes=$(stat -c %s "$corpus")
six=config,system_prompts,user_prompts,tools_defined,tool_calls,tool_results

# task|tool args|anchor args (after the corpus)
tasks=(
    "prompts|-n 10|-n 10"
    "turns|--mode paired -n 10|--mode paired -n 10"
    "pairs|-n 10|-n 10"
    "deltas||"
    "usage|--by model|--by model"
    "requests|--extract $six --out-dir $out/rq-tool|--out-dir $out/rq-py"
    "latency||"
)
summary=()
for spec in "${tasks[@]}"; do
    IFS='|' read -r task targs aargs <<<"$spec"
    if [[ -n ${ONLY:-} && " $ONLY " != *" $task "* ]]; then continue; fi
    tool=$(bench_tool "extract-$task") || { bench_log "NOTE: extract-$task is not built (release): skipped"; continue; }
    # shellcheck disable=SC2086
    tcmd="$(bench_quote "$tool") $qc $targs > $out/extract-$task.tool"
    commands=("extract-$task::$tcmd")
    if [[ $task != latency ]]; then
        acmd="python3 $(bench_quote "$anchors/$task.py") $qc $aargs > $out/extract-$task.py"
        dargs=${aargs//rq-py/rq-dd}
        dcmd="python3 $(bench_quote "$anchors/duckdb_queries.py") $task $qc $dargs > $out/extract-$task.dd"
        commands+=("python $task.py::$acmd" "duckdb $task::$dcmd")
        # Same answer first: a fast wrong answer is not a result.
        bash -c "$tcmd" 2>/dev/null
        bash -c "$acmd"
        if [[ $task == requests ]]; then
            for t in ${six//,/ }; do
                cmp -s "$out/rq-tool/$t.jsonl" "$out/rq-py/$t.jsonl" || bench_die "requests $t differs from the anchor"
            done
        else
            sed 's/,"partial":true}$/}/' "$out/extract-$task.tool" | cmp -s - "$out/extract-$task.py" ||
                bench_die "extract-$task differs from $task.py"
        fi
        bench_log "extract-$task: same answer as $task.py"
    fi
    bench_hyperfine "extract-$task" "${commands[@]}"
    bench_peak_rss "extract-$task" "${commands[@]}"
    echo
    echo "### $task ($bytes bytes, $(basename "$corpus"), $RUNS runs each)"
    if [[ $task == latency ]]; then
        bench_report "extract-$task" "$bytes" "extract-$task"
    else
        bench_report "extract-$task" "$bytes" "python $task.py"
    fi
    summary+=("$task")
done
echo
echo "tasks: ${summary[*]:-none}"
