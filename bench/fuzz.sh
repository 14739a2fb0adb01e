#!/usr/bin/env bash
# bench/fuzz.sh [SECONDS] [TARGET...]: runs every libFuzzer target (fuzz/FuzzTargets.swift) for
# SECONDS each (default 60), one after the other, seeded from ../shared/fixtures, and prints the
# executions per target. A finding (crash, ASan report, broken property, slow input) is saved
# under fuzz/.build/findings/<target>/ and makes the script exit 1; turn each into a regression
# test (Tests/HostileInputTests or the tool's tests) before deleting it.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json sse delta-records delta-raw unescape pretty bash field capture)
shared=${STREAMTAP_SHARED:-../shared}
out=fuzz/.build

[ -n "${NO_BUILD:-}" ] || ./fuzz/build.sh >/dev/null || { echo "fuzz.sh: build failed" >&2; exit 2; }

# Seeds: the real fixtures for the parsers, the JSON test suite for the JSON machines, record
# lines of the sample capture for the record decoder, and a few hand-written ones.
seed() {
    local target=$1 dir=$out/corpus/$1
    [ -d "$dir" ] && return
    mkdir -p "$dir"
    case $target in
        json | pretty)
            cp "$shared"/fixtures/jsontestsuite/*.json "$dir"/ 2>/dev/null
            cp "$shared"/fixtures/real/*.json "$dir"/ ;;
        sse | delta-raw) cp "$shared"/fixtures/real/*.sse "$dir"/ ;;
        delta-records) split -l 8 -d examples/sample.jsonl "$dir/sample-" ;;
        unescape)
            for f in "$shared"/fixtures/jsontestsuite/y_string_*.json; do sed 's/^\["//; s/"\]$//' "$f" >"$dir/$(basename "$f")"; done
            printf '%s' 'a\"b\\c\nd\u00e9\ud83d\ude00 \u12' >"$dir/escapes" ;;
        bash)
            printf '%s' '{"command":["bash","-lc","ls -la && echo \"hi\""],"timeout":5}' >"$dir/argv"
            printf '%s' '{"command":"git status --short","description":"x"}' >"$dir/string"
            printf '%s' '{"cmd":"rg -n foo","workdir":"/tmp"}' >"$dir/cmd" ;;
        field)
            for a in 'type=flow' 'n=12' 'id="12"' 'flag=true' 'a b=x"y\z' 'k=null' 'x=-1.5e3' 'emoji=é😀'; do
                printf '%s' "$a" >"$dir/$(printf '%s' "$a" | md5sum | cut -c1-8)"
            done ;;
        capture)
            # First byte: flags (1 in a tunnel, 2 loopback client, 4 --proxy-auth), then a request:
            # the real request bodies under reverse, forward and tunnel heads, and CONNECTs.
            local auth='Proxy-Authorization: Basic dXNlcjpwYTpzcw==' n=0
            for f in "$shared"/fixtures/real/*.json; do
                for head in 'POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:9110\r\nx-claude-code-session-id: 6f1c\r\n' \
                    'POST https://api.openai.com/v1/responses HTTP/1.1\r\nHost: api.openai.com\r\nsession_id: abc\r\n' \
                    'POST /v1/messages?beta=true HTTP/1.1\r\nHost: api.anthropic.com\r\n'; do
                    n=$((n + 1))
                    { printf "\\x0$((n % 8))"; printf "$head"; printf '%s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n' \
                        "$auth" "$(wc -c <"$f")"; cat "$f"; } >"$dir/request-$n"
                done
            done
            printf '\x04CONNECT api.anthropic.com:443 HTTP/1.1\r\nHost: api.anthropic.com:443\r\n%s\r\n\r\n' "$auth" >"$dir/connect"
            printf '\x06CONNECT [::1]:8443 HTTP/1.1\r\nProxy-Authorization: basic  dXNlcjpwYTpzcw== \r\n\r\n' >"$dir/connect-v6"
            printf '\x02GET http://user@[::1]:80?x HTTP/1.1\r\nHost: x\r\n\r\n' >"$dir/absolute-userinfo"
            printf '\x00GET /o/x/y?z=/o/x HTTP/1.1\r\nconversation_id: ../../x\r\n\r\n' >"$dir/reverse-nested" ;;
    esac
}

status=0
printf '%-14s %12s %10s  %s\n' target executions exec/s result
for target in "${targets[@]}"; do
    seed "$target"
    mkdir -p "$out/findings/$target"
    log=$out/$target.log
    FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
        "$out/streamtap-fuzz" "$out/corpus/$target" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/findings/$target/" >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ $rc -eq 0 ]; then result="no finding"; else result="FINDING (see $log)"; status=1; fi
    printf '%-14s %12s %10s  %s\n' "$target" "${execs:-?}" "${rate:-?}" "$result"
done
exit $status
