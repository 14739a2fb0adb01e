#!/usr/bin/env bash
# The README's pipeline cookbook, run on examples/sample.jsonl (six captured flows: Chat
# Completions, Anthropic Messages, OpenAI Responses over SSE and over WebSocket, one cut by an
# upstream error). Run from the repository root after `swift build` (or ./install.sh):
#
#     examples/pipeline.sh            # every step whose tool is built
#     examples/pipeline.sh prompts    # one step (see the step names below)
#
# Tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
# A step whose tool is not built yet is skipped with a note; a step that fails is an error.
set -uo pipefail

sample=${SAMPLE:-examples/sample.jsonl}
if [[ ! -f $sample ]]; then
    echo "pipeline.sh: $sample not found: run me from the repository root" >&2
    exit 2
fi

bin_dir=""
for d in "${STREAMTAP_BIN:-}" .build/debug .build/release; do
    if [[ -n $d && -x $d/sse-normalize ]]; then bin_dir=$d; break; fi
done

# tool NAME: the path of a built tool (not the placeholder that prints "not built yet").
tool() {
    local path
    if [[ -n $bin_dir && -x $bin_dir/$1 ]]; then path=$bin_dir/$1; else path=$(command -v "$1") || return 1; fi
    if "$path" --help 2>&1 | grep -q 'not built yet'; then return 1; fi
    printf '%s\n' "$path"
}

failed=0
ran=0
skipped=0
# step NAME TITLE TOOL... -- COMMAND: runs COMMAND (with the tools on PATH) when every TOOL is built.
step() {
    local name=$1 title=$2 t
    shift 2
    local tools=()
    while [[ $1 != -- ]]; do tools+=("$1"); shift; done
    shift
    if [[ -n $only && $only != "$name" ]]; then return 0; fi
    local path_dirs=""
    for t in "${tools[@]}"; do
        local p
        if ! p=$(tool "$t"); then
            printf '\n## %s: skipped (%s is not built)\n' "$name" "$t"
            skipped=$((skipped + 1))
            return 0
        fi
        path_dirs="$(dirname "$p"):$path_dirs"
    done
    printf '\n## %s: %s\n$ %s\n' "$name" "$title" "$*"
    ran=$((ran + 1))
    if ! PATH="$path_dirs$PATH" bash -o pipefail -c "$*"; then
        echo "pipeline.sh: step $name failed" >&2
        failed=$((failed + 1))
    fi
}

only=${1:-}

step answer "the streamed assistant text of every flow, reassembled from delta records" sse-normalize -- \
    "sse-normalize $sample | jq -nr 'reduce (inputs | select(.type==\"delta\" and .kind==\"text\")) as \$d ({}; .[\$d.flow_id] += \$d.text) | to_entries[] | \"[\\(.key)]\\n\\(.value)\\n\"'"

step kinds "how many delta records of each kind the three providers gave" sse-normalize -- \
    "sse-normalize $sample | jq -r 'select(.type==\"delta\") | [.provider, .kind] | @tsv' | sort | uniq -c"

step passthrough "records sse-normalize does not rewrite pass through byte-identical" sse-normalize -- \
    "cmp <(grep -E '\"type\":\"(flow|flow_end)\"' $sample) <(sse-normalize $sample | grep -E '\"type\":\"(flow|flow_end)\"') && echo 'flow and flow_end records: identical'"

step prompts "the last 5 user prompts (only the flow lines are parsed)" rg-prefilter extract-prompts -- \
    "rg-prefilter --field type=flow $sample | extract-prompts -n 5 | jq -c '{provider, model, text: .text[:80]}'"

step unescape "tool-call arguments, unescaped as they stream" sse-normalize delta-unescape -- \
    "sse-normalize $sample | delta-unescape --text | head -40"

step pretty "tool-call JSON pretty-printed while it arrives" sse-normalize json-pretty-stream -- \
    "sse-normalize $sample | json-pretty-stream --text | head -40"

step bash "shell commands recognised inside tool calls" sse-normalize bash-detect -- \
    "sse-normalize $sample | bash-detect --format ndjson | jq -c 'select(.type==\"bash\") | {flow_id, shell, command}'"

step deltas "one reassembled record per flow" extract-deltas -- \
    "extract-deltas $sample | cut -c1-160"

step usage "tokens per model" extract-usage -- \
    "extract-usage --by model $sample | cut -c1-160"

step latency "time to first token per model" extract-latency -- \
    "extract-latency --by model $sample | cut -c1-160"

step turns "user -> idle turns" extract-turns -- \
    "extract-turns --mode all -n 0 $sample | cut -c1-160"

step view "the multi-flow view as plain text, on the recorded clock" sse-normalize flow-interleave -- \
    "flow-interleave --format text --clock recorded $sample | head -60"

printf '\npipeline.sh: %d step(s) ran, %d failed, %d skipped (tool not built)\n' "$ran" "$failed" "$skipped"
((failed == 0))
