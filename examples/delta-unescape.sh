#!/usr/bin/env bash
# delta-unescape by example. Run from the repository root after `swift build` (or ./install.sh).
# Tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
set -euo pipefail
for d in "${STREAMTAP_BIN:-}" .build/debug .build/release; do
    if [[ -n $d && -x $d/delta-unescape ]]; then PATH="$PWD/$d:$PATH"; break; fi
done

echo "# 1. An escape cut between two deltas (after the backslash, inside \\u00e9, between surrogate halves)"
printf '%s\n' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"text","index":0,"text":"say \\\"caf\\u00"}' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"text","index":0,"text":"e9\\\" \\ud83d"}' \
    '{"v":1,"type":"delta","flow_id":"f","kind":"text","index":0,"text":"\\ude00\\n"}' |
    delta-unescape --text

echo "# 2. The same as records: text replaced, \"unescaped\":true added"
printf '%s\n' '{"v":1,"type":"delta","flow_id":"f","kind":"text","index":0,"text":"tab\\there"}' | delta-unescape

echo "# 3. A capture log: the tool-call arguments of examples/sample.jsonl, decoded"
delta-unescape --fields tool_args --text examples/sample.jsonl | head -6

echo "# 4. Plain text in (--raw): chunks of any size"
printf 'line one\\nline two \\"quoted\\" \\u4e16\\u754c\n' | delta-unescape --raw
