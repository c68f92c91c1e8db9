#!/bin/sh
# libFuzzer over xmask's parsers: builds xmask-libfuzzer with -sanitize=fuzzer (coverage
# instrumentation of every Swift module, libFuzzer's main) in its own build directory, so the
# normal `swift build`/`swift test` are untouched, then runs one format after another, each for
# SECONDS, with the format's structure-aware mutator (Sources/XMaskLibFuzzer).
#
#   Scripts/libfuzzer/run.sh [SECONDS] [FORMAT…]      (default 60 s, every format)
#
# Corpora and crash files go to $XMASK_LIBFUZZER_OUT (default /tmp/xmask-libfuzzer/FORMAT).
# A crash stops that format's run and leaves crash-* there; replay it without the sanitizer:
#   swift run xmask-libfuzzer FORMAT crash-…
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
formats=${*:-"safetensors idx npz csv yaml hw-config masks bundle cifar png import"}
out=${XMASK_LIBFUZZER_OUT:-/tmp/xmask-libfuzzer}
swift build -c release --scratch-path .build/libfuzzer --product xmask-libfuzzer \
    -Xswiftc -sanitize=fuzzer -Xswiftc -DXMASK_LIBFUZZER
binary=.build/libfuzzer/release/xmask-libfuzzer
for format in $formats; do
    mkdir -p "$out/$format"
    echo "== $format ($seconds s)"
    # -rss_limit_mb: the issue's 1 GiB bound; -timeout: a hang is an input over 10 s.
    XMASK_FUZZ_FORMAT=$format "$binary" "$out/$format" -max_total_time="$seconds" -max_len=2097152 \
        -rss_limit_mb=1024 -timeout=10 -artifact_prefix="$out/$format/" -print_final_stats=1 2>&1 \
        | grep -E "^(stat::|==|SUMMARY|Done|INFO: Running|.*(crash|deadly|timeout|leak|oom))" || true
done
