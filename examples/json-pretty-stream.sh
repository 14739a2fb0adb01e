#!/usr/bin/env bash
# json-pretty-stream by example. Run from the repository root after `swift build` (or ./install.sh);
# needs jq for step 3. Tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
set -euo pipefail
for d in "${STREAMTAP_BIN:-}" .build/debug .build/release; do
    if [[ -n $d && -x $d/json-pretty-stream ]]; then PATH="$PWD/$d:$PATH"; break; fi
done

echo "# 1. Tool-call arguments cut anywhere, pretty as they arrive (--text; coloured on a terminal)"
printf '%s\n' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"block_start","index":1,"tool":"get_weather","call_id":"c1"}' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"tool_args","index":1,"text":"{\"loca"}' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"tool_args","index":1,"text":"tion\":\"Paris\",\"days\":[1,"}' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"tool_args","index":1,"text":"2],\"metric\":tr"}' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"tool_args","index":1,"text":"ue}"}' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"block_end","index":1}' |
    json-pretty-stream --text

echo "# 2. Every tool call of a capture log"
json-pretty-stream --text examples/sample.jsonl | head -12

echo "# 3. Raw JSON in any chunks (--raw): the same bytes as jq --indent 2"
body=examples/sample.jsonl
head -1 "$body" | jq -c .request.body > /tmp/json-pretty-stream-example.json
json-pretty-stream --raw /tmp/json-pretty-stream-example.json | cmp - <(jq --indent 2 . /tmp/json-pretty-stream-example.json) &&
    echo "identical to jq --indent 2 ($(wc -c < /tmp/json-pretty-stream-example.json) bytes of request body)"
rm -f /tmp/json-pretty-stream-example.json
