#!/bin/sh
# The C files as .clang-format lays them out (Debian's clang-format 14):
#   tests/format.sh          lists the files that differ; exit 1 if any
#   tests/format.sh --fix    rewrites them in place
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find sim models tests validation -name '*.[ch]')
if [ "${1:-}" = "--fix" ]; then
    # shellcheck disable=SC2086
    clang-format -i $files
    exit 0
fi
# Checked 16 files per clang-format, as many at once as there are cores (one file at a time, one
# after another, took 31 s of CI); clang-format names each file that differs in its report.
report=$(mktemp)
trap 'rm -f "$report"' EXIT
# shellcheck disable=SC2086
if printf '%s\n' $files | xargs -P "$(nproc)" -n 16 clang-format --dry-run --Werror >"$report" 2>&1; then
    ok=1
else
    ok=0
fi
bad=$(sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' "$report" | sort -u)
if [ -n "$bad" ] || [ "$ok" -eq 0 ]; then
    for f in $bad; do echo "format.sh: $f is not formatted (tests/format.sh --fix)" >&2; done
    [ -n "$bad" ] || { cat "$report" >&2; echo "format.sh: clang-format failed" >&2; }
    exit 1
fi
echo "format.sh: $(echo "$files" | wc -w) C files formatted"
