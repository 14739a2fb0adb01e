#!/usr/bin/env bash
# rg-prefilter by example, on examples/sample.jsonl (six captured flows). Run from the
# repository root after `swift build` (or ./install.sh):
#
#     examples/rg-prefilter.sh
#
# The tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
# The extract-* steps run when those tools are built, and are skipped with a note otherwise.
set -euo pipefail

sample=${SAMPLE:-examples/sample.jsonl}
[[ -f $sample ]] || { echo "rg-prefilter.sh: $sample not found: run me from the repository root" >&2; exit 2; }

tool() {
    local d
    for d in "${STREAMTAP_BIN:-}" .build/debug .build/release; do
        if [[ -n $d && -x $d/$1 ]] && ! "$d/$1" --help 2>&1 | grep -q 'not built yet'; then
            printf '%s\n' "$d/$1"
            return 0
        fi
    done
    command -v "$1"
}
rgp=$(tool rg-prefilter) || { echo "rg-prefilter.sh: rg-prefilter is not built (swift build)" >&2; exit 2; }

show() { printf '\n$ %s\n' "$*"; }

show "rg-prefilter -c --field type=flow $sample            # flow records, any spacing"
"$rgp" -c --field type=flow "$sample"

show "rg-prefilter --field type=flow_end $sample | jq -c '{flow_id, status}'"
"$rgp" --field type=flow_end "$sample" | jq -c '{flow_id, status}'

show "rg-prefilter --field type=flow_end --field status=upstream_error $sample | jq -r .flow_id"
"$rgp" --field type=flow_end --field status=upstream_error "$sample" | jq -r .flow_id

show "rg-prefilter -c '\"type\":\"(content_block_delta|response\\.output_text\\.delta)\"' $sample"
"$rgp" -c '"type":"(content_block_delta|response\.output_text\.delta)"' "$sample"

show "rg-prefilter -v --field type=sse $sample | jq -r .type | sort | uniq -c   # all but the SSE events"
"$rgp" -v --field type=sse "$sample" | jq -r .type | sort | uniq -c

show "rg-prefilter -m 1 -F '\"provider\":\"anthropic\"' $sample | jq -r .url"
"$rgp" -m 1 -F '"provider":"anthropic"' "$sample" | jq -r .url

show "rg-prefilter '\"type\":\"flow\"' examples/none.jsonl < /dev/null; echo \"exit \$?\"   # 2: no such file"
status=0
"$rgp" '"type":"flow"' examples/none.jsonl </dev/null || status=$?
echo "exit $status"

# The two-phase pattern: the prefilter cuts the log to the flow lines (the request bodies hold
# the prompts), the extractor parses only those.
if path=$(tool extract-prompts); then
    show "rg-prefilter --field type=flow $sample | extract-prompts -n 3"
    "$rgp" --field type=flow "$sample" | "$path" -n 3 | cut -c1-160
else
    printf '\n(extract-prompts is not built yet: skipped)\n'
fi
