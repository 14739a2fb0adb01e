#!/usr/bin/env bash
# otel-capture by example: a private receiver on a free loopback port, the pipeline
#
#     otel-capture | rg-prefilter --field type=codex.user_prompt | extract-prompts -n 5
#
# fed with OTLP/JSON by curl (what Codex and Claude Code export when telemetry is on), then
# the same records in the log directory, and `otel-capture env`. Run from the repository root
# after `swift build` (or ./install.sh):
#
#     examples/otel-capture.sh
#
# The tools are taken from $STREAMTAP_BIN, else .build/debug, else .build/release, else PATH.
set -euo pipefail

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
otel=$(tool otel-capture) || { echo "otel-capture.sh: otel-capture is not built (swift build)" >&2; exit 2; }
rgp=$(tool rg-prefilter) || { echo "otel-capture.sh: rg-prefilter is not built" >&2; exit 2; }
prompts=$(tool extract-prompts) || { echo "otel-capture.sh: extract-prompts is not built" >&2; exit 2; }
command -v curl >/dev/null || { echo "otel-capture.sh: needs curl" >&2; exit 2; }

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
show() { printf '\n$ %s\n' "$*"; }

# One Codex prompt event per call, in OTLP/JSON (attribute names as Codex exports them).
codex_prompt() {
    cat <<JSON
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex_cli_rs"}}]},
 "scopeLogs":[{"scope":{"name":"codex_otel"},"logRecords":[{"timeUnixNano":"$1",
  "attributes":[{"key":"event.name","value":{"stringValue":"codex.user_prompt"}},
   {"key":"conversation.id","value":{"stringValue":"019ac1b2-example"}},
   {"key":"model","value":{"stringValue":"gpt-5-codex"}},
   {"key":"prompt_length","value":{"intValue":"${#2}"}},
   {"key":"prompt","value":{"stringValue":"$2"}}]}]}]}]}
JSON
}
claude_request() {
    cat <<JSON
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}}]},
 "scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events"},"logRecords":[{"timeUnixNano":"$1",
  "body":{"stringValue":"claude_code.api_request"},
  "attributes":[{"key":"event.name","value":{"stringValue":"api_request"}},
   {"key":"session.id","value":{"stringValue":"5c1d-example"}},
   {"key":"model","value":{"stringValue":"claude-sonnet-4-5"}},
   {"key":"input_tokens","value":{"intValue":"1500"}},{"key":"output_tokens","value":{"intValue":"300"}},
   {"key":"cache_read_tokens","value":{"intValue":"9000"}},{"key":"cache_creation_tokens","value":{"intValue":"200"}},
   {"key":"cost_usd","value":{"doubleValue":0.0123}},{"key":"duration_ms","value":{"intValue":"2345"}}]}]}]}]}
JSON
}

show "otel-capture --listen 127.0.0.1:$port --log-dir \$dir | rg-prefilter --field type=codex.user_prompt | extract-prompts -n 5"
# The receiver writes into a FIFO that the rest of the pipeline reads, so $! is its pid.
mkfifo "$dir/records"
"$rgp" --field type=codex.user_prompt <"$dir/records" | "$prompts" -n 5 >"$dir/answer" &
pipeline=$!
"$otel" --listen "127.0.0.1:$port" --log-dir "$dir/logs" >"$dir/records" 2>"$dir/stderr" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
# The receiver is ready when it says where it listens.
for _ in $(seq 200); do grep -q 'listening on' "$dir/stderr" 2>/dev/null && break; sleep 0.05; done

t=1764158400000000000
for text in "Fix the failing test" "Explain this diff — ünïcode ok" "Add a --dry-run flag"; do
    t=$((t + 60000000000))
    codex_prompt "$t" "$text" | curl -s -o /dev/null -w "POST /v1/logs (codex.user_prompt): %{http_code}\n" \
        -H 'content-type: application/json' --data-binary @- "http://127.0.0.1:$port/v1/logs"
done
claude_request "$((t + 1000000000))" | curl -s -o /dev/null -w "POST /v1/logs (claude_code.api_request): %{http_code}\n" \
    -H 'content-type: application/json' --data-binary @- "http://127.0.0.1:$port/v1/logs"
printf 'not otlp' | curl -s -w " <- %{http_code}\n" -H 'content-type: text/plain' --data-binary @- "http://127.0.0.1:$port/v1/logs"

# Stopping the receiver ends the pipeline: extract-prompts answers at end of input.
kill "$pid"
wait "$pid" || true
wait "$pipeline" || true
cat "$dir/answer"

show "cat \$dir/logs/otel_events.jsonl     # every record (4 here)"
cat "$dir/logs/otel_events.jsonl"
show "cat \$dir/logs/otel_capture.error    # the refused request"
cat "$dir/logs/otel_capture.error"

show "otel-capture env --listen 127.0.0.1:4318"
"$otel" env --listen 127.0.0.1:4318
