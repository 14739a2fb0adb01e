#!/usr/bin/env bash
# bash-detect by example. Run from the repository root after `swift build` (or ./install.sh); needs jq.
# Tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
set -euo pipefail
for d in "${STREAMTAP_BIN:-}" .build/debug .build/release; do
    if [[ -n $d && -x $d/bash-detect ]]; then PATH="$PWD/$d:$PATH"; break; fi
done

# The seed's example: {"command":["bash","-lc","…"]} in 11 deltas; certain at delta 8.
call() {
    local seq=0 fragment
    printf '%s\n' '{"v":1,"type":"delta","flow_id":"f1","kind":"block_start","index":1,"tool":"shell","call_id":"call_1"}'
    for fragment in '{"c' 'omma' 'nd":' '[' '"bash' '","' '-lc"' ',"ls -la' ' /tmp\necho \"done\""' ']' '}'; do
        seq=$((seq + 1))
        jq -cn --arg t "$fragment" --argjson s "$seq" \
            '{v:1,type:"delta",flow_id:"f1",kind:"tool_args",index:1,seq:$s,text:$t}'
    done
    printf '%s\n' '{"v":1,"type":"delta","flow_id":"f1","kind":"block_end","index":1}'
}

echo "# 1. Records: one bash record when the arguments close; detected at delta 8"
call | bash-detect | jq -c 'select(.type=="bash") | {command, argv, detected_at_seq}'

echo "# 2. The terminal view, paced (on a terminal you see the provisional line replaced)"
call | bash-detect --format text --delay-ms 60

echo "# 3. Every shell command in a capture log"
bash-detect examples/sample.jsonl | jq -r 'select(.type=="bash") | "\(.shell // "-")\t\(.command)"'
