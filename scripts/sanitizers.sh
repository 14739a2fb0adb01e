#!/usr/bin/env bash
# scripts/sanitizers.sh [address|thread|both] [FILTER]: builds the package and its tests with a
# sanitizer in its own scratch path (.build-asan, .build-tsan, so the normal .build is untouched)
# and runs the tests on that build. FILTER (a `swift test --filter` regex) limits the run, e.g.
#   scripts/sanitizers.sh address 'TapCodecTests|DeltaUnescapeTests|JSONPrettyStreamTests'
# The end-to-end tests run the tools built in the same scratch path, so they are sanitized too.
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-both}
filter=${2:-}

run() {
    local sanitizer=$1 scratch=$2
    echo "== $sanitizer: swift build --build-tests --sanitize=$sanitizer --scratch-path $scratch"
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
    local args=(--skip-build --sanitize="$sanitizer" --scratch-path "$scratch")
    [ -n "$filter" ] && args+=(--filter "$filter")
    echo "== $sanitizer: swift test ${args[*]}"
    # Swift's runtime keeps some allocations for the life of the process: leaks are not findings.
    # halt_on_error: the first report fails the run; second_deadlock_stack: TSan names both sides;
    # scripts/tsan-suppressions.txt silences the test harness's process runner (see there).
    # STREAMTAP_SANITIZER: tests with a fixed wait stretch it (Tests/TapTestSupport/SanitizerTiming.swift).
    STREAMTAP_SANITIZER=$sanitizer ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1} \
        TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan-suppressions.txt} \
        swift test "${args[@]}"
}

case $which in
    address) run address .build-asan ;;
    thread) run thread .build-tsan ;;
    both) run address .build-asan && run thread .build-tsan ;;
    *) echo "usage: scripts/sanitizers.sh [address|thread|both] [FILTER]" >&2; exit 2 ;;
esac
