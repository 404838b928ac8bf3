#!/bin/sh
# Line and branch coverage of models/ and sim/, per folder, from the ordinary suites (and the
# validation suite with --validation). Forked sweep workers and the HDF5 reading child count
# too (sim/core/ccs_exit.h flushes their counters before _exit).
#   tests/coverage.sh [--validation]      ->  build-cov/coverage.txt (table) and coverage.json
# Installs gcovr (Debian's) if it is missing. Takes a few minutes: a debug build with -O0.
set -eu
cd "$(dirname "$0")/.."
if ! command -v gcovr >/dev/null 2>&1; then
    apt-get update && apt-get install -y gcovr
fi
build=build-cov
[ -d "$build" ] || meson setup "$build" -Db_coverage=true --buildtype=debug >/dev/null
ninja -C "$build" >/dev/null
find "$build" -name '*.gcda' -delete
suites="--no-suite fuzz --no-suite validation"
[ "${1:-}" = "--validation" ] && suites="--no-suite fuzz"
# shellcheck disable=SC2086
meson test -C "$build" --no-rebuild -q --timeout-multiplier 10 $suites || echo "coverage.sh: some tests failed; coverage is still reported" >&2
gcovr -r . "$build" --filter 'models/' --filter 'sim/' --exclude-unreachable-branches \
    --json-summary "$build/coverage.json" >/dev/null
/usr/bin/python3 - "$build/coverage.json" <<'PY' | tee "$build/coverage.txt"
import json, os, sys
d = json.load(open(sys.argv[1]))
folders = {}
for f in d["files"]:
    k = os.path.dirname(f["filename"]) or "."
    a = folders.setdefault(k, [0, 0, 0, 0])
    a[0] += f["line_covered"]; a[1] += f["line_total"]
    a[2] += f["branch_covered"]; a[3] += f["branch_total"]
print(f"{'folder':24s} {'lines':>15s} {'branches':>17s}")
tot = [0, 0, 0, 0]
for k in sorted(folders):
    a = folders[k]
    tot = [x + y for x, y in zip(tot, a)]
    print(f"{k:24s} {100*a[0]/max(a[1],1):6.1f}% {a[0]:5d}/{a[1]:<5d} {100*a[2]/max(a[3],1):6.1f}% {a[2]:5d}/{a[3]:<5d}")
print(f"{'all':24s} {100*tot[0]/max(tot[1],1):6.1f}% {tot[0]:5d}/{tot[1]:<5d} {100*tot[2]/max(tot[3],1):6.1f}% {tot[2]:5d}/{tot[3]:<5d}")
PY
