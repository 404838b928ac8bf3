#!/bin/bash
# A policy added as a contributor adds one (CONTRIBUTING.md): tests/extra_policy/latest_start.c
# copied into models/policies/ of a copy of this tree, one line in models/policies/registry.h,
# one line in models/meson.build, nothing else. The copy is built and the new policy run: its
# own parameter (policy.start_share) is a scenario key with its range checked, a --set and sweep
# axis like any other, and its plans are the ones the policy's rule gives, checked by hand.
#   tests/extra_policy.sh [WORK_DIR]      (default: a temporary folder, removed afterwards)
# About a minute (an unoptimised build of ccsim alone).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/ccsim-extra-policy.XXXXXX)}
[ $# -ge 1 ] || trap 'rm -rf "$work"' EXIT
fail() { echo "extra_policy: FAILED: $*" >&2; exit 1; }

# the tree as a clean clone has it (tracked files), without build folders
mkdir -p "$work/tree"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$src" ls-files -z | (cd "$src" && xargs -0 cp --parents -t "$work/tree")
else
  (cd "$src" && tar --exclude='./build*' -cf - .) | (cd "$work/tree" && tar -xf -)
fi
t=$work/tree
cp -r "$t/models" "$work/models.before"
# the three edits
cp "$src/tests/extra_policy/latest_start.c" "$t/models/policies/latest_start.c"
echo 'CCS_POLICY(latest_start)' >> "$t/models/policies/registry.h"
grep -q "^  'policies/geo_shift.c',$" "$t/models/meson.build" || fail "models/meson.build has no policies list to add to"
sed -i "s#^  'policies/geo_shift.c',\$#&\n  'policies/latest_start.c',#" "$t/models/meson.build"
changed=$( (diff -rq "$work/models.before" "$t/models" || true) | wc -l)
[ "$changed" = 3 ] || fail "expected 3 files touched, found: $(diff -rq "$work/models.before" "$t/models")"

meson setup "$work/build" "$t" --buildtype=plain -Dtests=disabled -Dwerror=true >/dev/null
ninja -C "$work/build" ccsim >/dev/null
ccsim=$work/build/ccsim

# A day of hourly intensity: 100 g/kWh except 200 in 02:00-03:00 and 300 in 05:00-06:00. A 1 MW
# job released at 00:00 that runs 1 h with a 6 h deadline: run-now (and start_share 0) burns
# 1 MWh x 100 = 100 kg; the latest start, 05:00, 1 MWh x 300 = 300 kg; start_share 0.4 starts at
# 00:00 + 0.4 x 5 h = 02:00: 200 kg.
mkdir -p "$work/s"
{
  echo "timestamp,value"
  for h in $(seq 0 23); do printf '2023-01-01T%02d:00:00Z,%s\n' "$h" "$(case $h in 2) echo 200 ;; 5) echo 300 ;; *) echo 100 ;; esac)"; done
  echo "2023-01-02T00:00:00Z,100"
} > "$work/s/ci.csv"
cat > "$work/s/extra.yaml" <<'YAML'
name: extra
start: "2023-01-01T00:00:00Z"
duration: 1d
regions: [{name: r, carbon: ci.csv}]
jobs: [{name: j, release: {every: 24h, at: "00:00"}, duration: 1h, power_kw: 1000, deadline: 6h}]
policy: {name: latest-start, forecast: perfect}
sweep:
  policy.start_share: [0, 0.4, 1]
YAML
carbon() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(d["totals"]["carbon_kg"], 6), round(d["baseline"]["carbon_kg"], 6))' "$1"; }

"$ccsim" run "$work/s/extra.yaml" --out "$work/o1" --no-plot >/dev/null || fail "ccsim run with the extra policy"
[ "$(carbon "$work/o1/summary.json")" = "300.0 100.0" ] || fail "latest start: carbon $(carbon "$work/o1/summary.json"), expected 300 against run-now's 100"
"$ccsim" run "$work/s/extra.yaml" --set policy.start_share=0 --out "$work/o2" --no-plot >/dev/null || fail "--set policy.start_share=0"
[ "$(carbon "$work/o2/summary.json")" = "100.0 100.0" ] || fail "start_share 0: carbon $(carbon "$work/o2/summary.json"), expected run-now's 100"
# its range comes from its own schema row
if "$ccsim" run "$work/s/extra.yaml" --set policy.start_share=2 --out "$work/o3" --no-plot 2>"$work/err" >/dev/null; then
  fail "policy.start_share=2 accepted: expected the range [0, 1] to be checked"
fi
grep -q "policy.start_share" "$work/err" || fail "the range message does not name policy.start_share: $(cat "$work/err")"
# a sweep over its parameter, with no sweep code knowing it
"$ccsim" sweep "$work/s/extra.yaml" --out "$work/sw" --jobs 1 --quiet --no-plot || fail "ccsim sweep over policy.start_share"
cut -d, -f5,7,10 "$work/sw/sweep.csv" > "$work/cut.csv"
grep -q '^0,latest-start,100$' "$work/cut.csv" || fail "sweep point start_share 0: $(cat "$work/sw/sweep.csv")"
grep -q '^1,latest-start,300$' "$work/cut.csv" || fail "sweep point start_share 1: $(cat "$work/sw/sweep.csv")"
grep -q '^0.4,latest-start,200$' "$work/cut.csv" || fail "sweep point start_share 0.4: $(cat "$work/sw/sweep.csv")"
"$ccsim" run --help 2>&1 | grep -A1 "latest-start" | grep -q "policy.start_share" || fail "ccsim --help does not list the added policy"
echo "extra_policy: latest-start added in 3 files (source, registry line, build line); runs, --set, range check, sweep and --help: ok"
