#!/usr/bin/env bash
# Builds fuzz/.build/streamtap-fuzz: one libFuzzer binary (FUZZ_TARGET picks the target) from
# TapCodec's sources plus the tools' pure state machines, with -sanitize=fuzzer,address.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/.build
mkdir -p "$out"
# TapCodec as its own module (the tools' files `import TapCodec`), instrumented the same way.
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name TapCodec -I Sources/CTapDigest -I Sources/CTapSIMD \
    -emit-module -emit-module-path "$out/TapCodec.swiftmodule" -emit-library -static \
    -o "$out/libTapCodec.a" Sources/TapCodec/*.swift
# sse-capture's pure request code imports NIOHTTP1 for two types: a stand-in module provides them.
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name NIOHTTP1 \
    -emit-module -emit-module-path "$out/NIOHTTP1.swiftmodule" -emit-library -static \
    -o "$out/libNIOHTTP1.a" fuzz/NIOHTTP1Standin.swift
sources=(
    Sources/json-pretty-stream/PrettyFormatter.swift
    Sources/bash-detect/ShellCallDetector.swift
    Sources/rg-prefilter/FieldPattern.swift
    Sources/rg-prefilter/LiteralExtractor.swift
    Sources/rg-prefilter/LiteralSearcher.swift
    Sources/rg-prefilter/PCRE2Regex.swift
    Sources/sse-capture/Routing.swift
    Sources/sse-capture/RequestPolicy.swift
    Sources/sse-capture/SessionID.swift
    fuzz/CaptureFuzz.swift
    fuzz/FuzzTargets.swift
)
# -O: fuzzing wants executions; overflow checks and preconditions stay on (not -Ounchecked).
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name StreamTapFuzz \
    -I "$out" -I Sources/CTapDigest -I Sources/CTapSIMD -I Sources/CPCRE2 -L "$out" -lTapCodec -lNIOHTTP1 -lpcre2-8 \
    "${sources[@]}" -o "$out/streamtap-fuzz"
echo "$out/streamtap-fuzz"
