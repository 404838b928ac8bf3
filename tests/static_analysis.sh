#!/bin/sh
# Static analysis as CI runs it: clang-tidy with the repository's .clang-tidy (the analyzer and
# the bugprone checks, every finding an error) on every C file of sim/, models/, validation/ and
# the Python extension (python/), compiled as BUILD_DIR compiles them (its compile_commands.json;
# a build without the extension has no entry for it, and it is left out).
#   tests/static_analysis.sh [BUILD_DIR]       (default build-ci); exit 0 only with no finding
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-ci}
[ -f "$build/compile_commands.json" ] || { echo "static_analysis.sh: no $build/compile_commands.json" >&2; exit 2; }
files=$(ls sim/*/*.c models/*.c models/*/*.c validation/*.c python/*/*.c)
# GCC's -Wno-format-truncation is unknown to clang: not a finding
# shellcheck disable=SC2086
if ! run-clang-tidy -quiet -p "$build" -j "$(nproc)" -extra-arg=-Wno-unknown-warning-option $files \
        >"$build/clang-tidy.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$build/clang-tidy.log" | grep -E '(warning|error):' | sort -u >&2 || true
    echo "static_analysis.sh: clang-tidy found problems (full log: $build/clang-tidy.log)" >&2
    exit 1
fi
echo "static_analysis.sh: clang-tidy clean on $(echo $files | wc -w) files"
