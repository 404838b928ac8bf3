#!/bin/sh
# Behaviour-preserving changes (refactors) must leave every bundled scenario's outputs
# byte-identical. This writes summary.json of every bundled run scenario and sweep.csv of every
# bundled sweep into one folder, to be compared before and after with `diff -r`:
#   tests/same_outputs.sh BUILD_DIR OUT_DIR     e.g. build-ci /tmp/before
# Plots are off (their bytes depend on gnuplot, not on ccsim).
set -eu
cd "$(dirname "$0")/.."
bin=$1/ccsim out=$2
mkdir -p "$out"
for s in scenarios/*.yaml; do
    name=$(basename "$s" .yaml)
    rm -rf "$out/work-$name"
    if grep -q '^sweep:' "$s"; then
        "$bin" sweep "$s" --out "$out/work-$name" --jobs 2 --quiet --no-plot
        cp "$out/work-$name/sweep.csv" "$out/$name.sweep.csv"
    else
        "$bin" run "$s" --out "$out/work-$name" --no-plot >/dev/null
        cp "$out/work-$name/summary.json" "$out/$name.summary.json"
    fi
    rm -rf "$out/work-$name"
done
rm -f "$out/runs.sqlite"
ls "$out"
