#!/bin/bash
# An install that works anywhere (issue 19): `meson install` of BUILD_DIR into a temporary
# --destdir, then the installed ccsim, from a fresh working directory with no CCSIM_* variable
# set, finds its data under the install (ccsim --version says which folder), runs the bundled
# default scenario and a bundled scenario by path (whose traces are named relative to it), and
# still does after the whole install is moved elsewhere. The man page and the bash completion
# are installed, name every option the commands' usage lines name, and the completion completes.
#   tests/install.sh MESON BUILD_DIR       (meson test -C BUILD_DIR --suite install)
# A few seconds.
set -euo pipefail
meson=$1
build=$(cd "$2" && pwd)
fail() { echo "install: FAILED: $*" >&2; exit 1; }
unset CCSIM_DATA_DIR CCSIM_LIBRARY CCSIM_PLOTS_DIR CCSIM_SOURCE_DIR CCSIM_BIN

tmp=$(realpath "$(mktemp -d /tmp/ccsim-install.XXXXXX)")
trap 'rm -rf "$tmp"' EXIT
"$meson" install --no-rebuild --quiet -C "$build" --destdir "$tmp/root" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "meson install"; }

# where this build's prefix, bindir and datadir put things, found rather than assumed
bin=$(find "$tmp/root" -path '*/bin/ccsim' -type f | head -n 1)
[ -x "$bin" ] || fail "no bin/ccsim under the destdir: $(cd "$tmp/root" && find . -type f | head)"
data=$(find "$tmp/root" -path '*/share/ccsim' -type d | head -n 1)
[ -n "$data" ] || fail "no share/ccsim under the destdir"
for f in models/hardware/l4.yaml models/profiles/llm-8b.yaml plots/intensity-energy.gp plots/tradeoff.gp \
  scenarios/default.yaml traces/cloud/instance-prices.csv traces/README.md; do
  [ -f "$data/$f" ] || fail "$data/$f not installed"
done
# every file a bundled scenario names relative to itself is installed beside it
for s in "$data"/scenarios/*.yaml; do
  while read -r rel; do
    [ -f "$data/scenarios/$rel" ] || fail "$(basename "$s") names $rel, not installed"
  done < <(grep -oE '\.\./[^ #"]+' "$s" | sort -u)
done
prefix=${data%/share/ccsim}
man=$prefix/share/man/man1/ccsim.1
completion=$prefix/share/bash-completion/completions/ccsim
[ -f "$man" ] || fail "no man page at $man"
[ -f "$completion" ] || fail "no bash completion at $completion"

# the installed binary, run from elsewhere, reads the installed data
mkdir "$tmp/work"
cd "$tmp/work"
version=$("$bin" --version)
grep -xF "data: $data" <<<"$version" >/dev/null || fail "ccsim --version: expected 'data: $data', got: $version"
"$bin" run --set duration=1d --out default >run.log 2>&1 || { cat run.log >&2; fail "ccsim run (default)"; }
"$bin" run "$data/scenarios/chatbot.yaml" --set duration=20m --set warmup=1m --no-plot --out chatbot >>run.log 2>&1 ||
  { cat run.log >&2; fail "ccsim run chatbot.yaml"; }
for f in default/summary.json default/results.h5 chatbot/summary.json chatbot/results.h5 runs.sqlite; do
  [ -s "$f" ] || fail "no $f after the runs"
done
# the plot template comes from the install too (when gnuplot is there to draw it)
if command -v gnuplot >/dev/null; then
  [ -s default/intensity-energy.png ] || { cat run.log >&2; fail "no intensity-energy.png"; }
fi

# moved as a whole (a relocatable install), it follows
mv "$prefix" "$tmp/moved"
version=$("$tmp/moved/bin/ccsim" --version)
grep -xF "data: $tmp/moved/share/ccsim" <<<"$version" >/dev/null || fail "after moving, ccsim --version says: $version"
# and CCSIM_DATA_DIR still wins
version=$(CCSIM_DATA_DIR="$tmp/work" "$tmp/moved/bin/ccsim" --version)
grep -xF "data: $tmp/work" <<<"$version" >/dev/null || fail "CCSIM_DATA_DIR ignored: $version"
man=$tmp/moved/share/man/man1/ccsim.1
completion=$tmp/moved/share/bash-completion/completions/ccsim
bin=$tmp/moved/bin/ccsim

# the man page: the version, and every option of every command's usage line
grep -q "^\.TH CCSIM 1 .*\"ccsim $("$bin" --version | sed -n 's/^ccsim //p')\"" "$man" ||
  fail "the man page's .TH names another version than ccsim --version"
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1) || fail "groff: $warnings"
  [ -z "$warnings" ] || fail "groff warns about the man page: $warnings"
fi

# the completion, sourced in bash: COMPREPLY for a partial command line
complete_line() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
           COMP_POINT=${#COMP_LINE}; _ccsim; printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@"
}
expect_completion() {
  local want=$1 got
  shift
  got=$(complete_line "$@")
  [ "$got" = "$want" ] || fail "completing '$*' gave '$got', expected '$want'"
}
expect_completion run ccsim ru
expect_completion --format ccsim run --fo
expect_completion json ccsim run --format j
cd "$tmp/moved/share/ccsim/scenarios"
grep -xF default.yaml <<<"$(complete_line ccsim run "")" >/dev/null || fail "completing 'ccsim run ' in scenarios/ gave no default.yaml"
grep -xF sweep-tolerance.yaml <<<"$(complete_line ccsim sweep sw)" >/dev/null || fail "completing 'ccsim sweep sw' gave no sweep-tolerance.yaml"
cd "$tmp/work"
for cmd in run import sweep report plot; do
  help=$("$bin" "$cmd" --help)
  offered=$(complete_line ccsim "$cmd" --)
  # the usage line(s): up to the first blank line of the command's help
  while read -r opt; do
    grep -qF -- "${opt//-/\\-}" "$man" || fail "the man page does not name $cmd $opt"
    grep -xF -- "$opt" <<<"$offered" >/dev/null || fail "the completion does not offer $cmd $opt"
  done < <(sed '/^$/q' <<<"$help" | grep -oE -- '--[a-z][a-z-]*' | sort -u)
done
echo "install: installed into a destdir, ran from $tmp/work on the installed data ($data), moved, man page and completion checked"
