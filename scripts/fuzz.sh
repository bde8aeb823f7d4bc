#!/usr/bin/env bash
# Installs what is missing, builds the libFuzzer targets (preset fuzz: clang-14, ASan + UBSan)
# and runs each from a copy of its seed corpus (tests/fuzz/corpus/<target>/, never written to).
# Fails on a crash, a leak, a timeout or too much memory, and prints the reproducer's path.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default: about 60 s for all targets together)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
baton_install_deps
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

# One target per corpus folder: tests/fuzz/corpus/NAME/ seeds build-fuzz/tests/fuzz/fuzz_NAME.
corpora=(tests/fuzz/corpus/*/)
seconds=${1:-$(( 60 / ${#corpora[@]} > 0 ? 60 / ${#corpora[@]} : 1 ))}
run=build-fuzz/fuzz-run
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
passed=0
failed=0
for seeds in "${corpora[@]}"; do
    seeds=${seeds%/}
    name=fuzz_$(basename "$seeds")
    binary=build-fuzz/tests/fuzz/$name
    work=$run/$name
    rm -rf "$work"
    mkdir -p "$work/artifacts"
    cp -r "$seeds" "$work/corpus"
    if "$binary" "$work/corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1; then
        echo "fuzz: $name: ok ($(grep -a 'DONE' "$work/log" | tail -1 | tr -s ' \t' ' '))"
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        tail -n 40 "$work/log" >&2
        for input in "$work"/artifacts/*; do
            [ -e "$input" ] || continue
            echo "fuzz: $name FAILED; reproducer: $input" >&2
            echo "  replay: $binary $input   (then add it to $seeds/ with a regression test)" >&2
        done
        echo "fuzz: $name FAILED; full log: $work/log" >&2
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
