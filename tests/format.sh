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
bad=0
for f in $files; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "format.sh: $f is not formatted (tests/format.sh --fix)" >&2
        bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "format.sh: $(echo "$files" | wc -w) C files formatted"
exit "$bad"
