#!/usr/bin/env bash
# Runs the libFuzzer harnesses of tests/fuzz: a long campaign, or the short bounded run of CI.
#
#   tests/fuzz/campaign.sh [--build DIR] [--jobs N] HARNESS|all LIMIT
#     HARNESS  scenario, trace_csv, trace_h5, trace_h5_reader, releases, csv, prices, requests or vidur (all: each in turn)
#     LIMIT    a time (90s, 30m, 2h: each job runs that long) or a number of executions in total
#              (10000000: shared out over the jobs)
#     --jobs N parallel libFuzzer jobs (default 1; the machine's cores, for a long campaign)
#     --build  a build configured with -Dfuzz=enabled (default: build-fuzz in the source tree)
#
# trace_h5_reader is the HDF5 reader without the child-process read that guards the public entry
# (fuzz_trace_h5_reader.c): it runs from a build with -Dfuzz_sanitizers=undefined (build-fuzz-ub;
# under ASan every file open pays fresh pages for libhdf5's metadata cache: ~300 inputs/s against
# ~16,000). Deaths are expected there: libhdf5 1.10.8 dies on some damaged headers, the very reason
# for the guard. The harness's own handler writes the input that killed it (a signal, or 3 s on one
# input) to deaths/ and the job starts a new libFuzzer round until its share of the executions is
# done; each process counts its inputs in counts/, which survives its death. Each input found is
# then judged: the frame where it happened must be in libhdf5, not ccsim's code, and the public
# entry of the ASan build (replay_trace_h5) must refuse it cleanly; at the end the grown corpus is
# replayed through the public entry under ASan too. A death in our code, or one the public entry
# does not survive, is a failure.
#
# Each harness runs in DIR/fuzz-campaign/HARNESS/: the corpus it grows there (kept between
# campaigns, seeded from tests/fuzz/corpus/HARNESS and regressions/HARNESS), logs, and any crash,
# leak, timeout or out-of-memory input (crash-*, leak-*, timeout-*, oom-*). A hang longer than
# 10 s on one input and a process above 2 GB count as failures. At the end it prints, per harness,
# the executions, the wall time and executions per second, and exits non-zero when any harness
# found something: copy the input to tests/fuzz/regressions/HARNESS/ with a descriptive name,
# fix it, and the ordinary test suite replays it from then on. (The HDF5 loader reads each file in
# a child process first; inputs that kill only that child are the loader doing its job, and are
# filed under child-deaths/ for a look, not counted as failures.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build-fuzz
ub_build=$root/build-fuzz-ub
jobs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --ub-build) ub_build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--build DIR] [--jobs N] HARNESS|all 90s|30m|2h|RUNS" >&2; exit 2; }
harnesses=$1
limit=$2
[ "$harnesses" = all ] && harnesses="scenario trace_csv trace_h5 trace_h5_reader releases csv prices requests vidur"
for h in $harnesses; do
  case "$h" in scenario|trace_csv|trace_h5|trace_h5_reader|releases|csv|prices|requests|vidur) ;;
    *) echo "$0: unknown harness '$h': expected scenario, trace_csv, trace_h5, trace_h5_reader, releases, csv, prices, requests, vidur or all" >&2; exit 2 ;;
  esac
done
case "$limit" in
  *[0-9]s) limit_flag=-max_total_time=${limit%s} ;;
  *[0-9]m) limit_flag=-max_total_time=$(( ${limit%m} * 60 )) ;;
  *[0-9]h) limit_flag=-max_total_time=$(( ${limit%h} * 3600 )) ;;
  *[!0-9]*|'') echo "$0: limit '$limit': expected 90s, 30m, 2h or a number of executions" >&2; exit 2 ;;
  *) limit_flag=-runs=$(( (limit + jobs - 1) / jobs )) ;;
esac
case "$jobs" in ''|*[!0-9]*|0) echo "$0: --jobs '$jobs': expected a positive number" >&2; exit 2 ;; esac
build=$(cd "$build" && pwd)

dict_of() {
  case "$1" in
    scenario) echo "$here/scenario.dict" ;;
    trace_csv|releases|csv|prices|requests|vidur) echo "$here/csv.dict" ;;
    trace_h5|trace_h5_reader) echo "$here/hdf5.dict" ;;
  esac
}

status=0
summary=()
# The first frame of a crash report that is not the sanitizer's or libc's: where it happened.
# A hang is caught after ${3:-10} s (the reader's own alarm is 3 s: 4 s there).
crash_frame() {
  timeout -k 5 60 "$1" -timeout="${3:-10}" "$2" 2>&1 | awk '/^    #[0-9]+ / && !/libclang_rt|compiler-rt|sanitizer_common|__sanitizer_|fuzzer::|libc\.so|sysdeps\/|in __(mem|str)|in (malloc|calloc|realloc|free|memcpy|memset|memmove|__interceptor)/ { print; exit }'
}

# One job of the reader's campaign: libFuzzer rounds, each ended by the limit or by a death that
# the harness's own handler wrote to deaths/ (fuzz_trace_h5_reader.c says why not libFuzzer's);
# the next round starts where it stopped, with the grown corpus. Prints its executions.
# Removes from the corpus and the seeds each input that killed the harness since marker $1 (the
# input itself stays in deaths/ for judging): cmp against the files of the same size only.
quarantine() {
  local d f
  for d in $(find "$work/deaths" -type f -name 'died-*' -newer "$1"); do
    [ -s "$d" ] || continue
    for f in $(find "$work/corpus" "$work/seeds" -type f -size "$(stat -c %s "$d")c" 2> /dev/null); do
      if cmp -s "$d" "$f"; then rm -f "$f"; fi
    done
  done
  return 0
}

reader_job() {
  local k=$1 want=$2 deadline=$3 done=0 round=0 rc n flag
  while :; do
    if [ "$want" -gt 0 ]; then
      [ "$done" -lt "$want" ] || break
      flag=-runs=$((want - done))
    else
      [ "$(date +%s)" -lt "$deadline" ] || break
      flag=-max_total_time=$((deadline - $(date +%s)))
    fi
    round=$((round + 1))
    rc=0
    touch "$work/logs/job$k-$round.start"
    (cd "$work" && CCS_FUZZ_ARTIFACTS="$work/deaths" CCS_FUZZ_COUNT="$work/counts/job$k-$round" \
       UBSAN_OPTIONS=handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_abort=0:handle_sigill=0:symbolize=0 \
       "$bin" -handle_segv=0 -handle_bus=0 -handle_fpe=0 -handle_abrt=0 -handle_ill=0 -timeout=0 \
       -detect_leaks=0 -rss_limit_mb=2048 -dict="$here/hdf5.dict" "$flag" -artifact_prefix="$work/" \
       "$work/corpus" "$work/seeds") > "$work/logs/job$k-$round.log" 2>&1 || rc=$?
    # the input that killed this round would kill the next one as it loads the corpus: set aside
    quarantine "$work/logs/job$k-$round.start"
    n=$(od -An -t u8 "$work/counts/job$k-$round" 2> /dev/null | tr -d ' ')
    done=$((done + ${n:-0}))
    # a round that ran nothing and did not die is stuck: stop rather than spin
    if [ "${n:-0}" -eq 0 ]; then echo "   job $k round $round ran nothing (exit $rc): $work/logs/job$k-$round.log" >&2; break; fi
  done
  echo "$done $round"
}

reader_campaign() {
  local bin=$ub_build/tests/fuzz/fuzz_trace_h5_reader public=$build/tests/fuzz/replay_trace_h5
  [ -x "$bin" ] || { echo "$0: no $bin: CC=clang meson setup $ub_build -Dfuzz=enabled -Dfuzz_sanitizers=undefined -Dtests=disabled, then build it" >&2; exit 2; }
  [ -x "$public" ] || { echo "$0: no $public: build $build first" >&2; exit 2; }
  work=$ub_build/fuzz-campaign/trace_h5_reader
  mkdir -p "$work/corpus" "$work/libhdf5"
  rm -rf "$work/run.log" "$work/logs" "$work/counts" "$work/deaths" "$work/seeds"
  mkdir -p "$work/logs" "$work/counts" "$work/deaths" "$work/seeds"
  cp "$here"/corpus/trace_h5/* "$here"/regressions/trace_h5/* "$work/seeds/"
  local want=0 deadline=0
  case "$limit_flag" in
    -runs=*) want=${limit_flag#-runs=} ;;
    *) deadline=$(( $(date +%s) + ${limit_flag#-max_total_time=} )) ;;
  esac
  echo "== fuzz_trace_h5_reader: $limit, $jobs job(s), restarted after each death, in $work"
  marker=$work/.started
  touch "$marker"
  start=$(date +%s)
  local k pids=()
  for k in $(seq 1 "$jobs"); do
    reader_job "$k" "$want" "$deadline" > "$work/logs/job$k.total" &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || true; done
  elapsed=$(( $(date +%s) - start ))
  [ "$elapsed" -gt 0 ] || elapsed=1
  execs=$(cat "$work"/logs/job*.total | awk '{ n += $1 } END { print n + 0 }')
  local rounds
  rounds=$(cat "$work"/logs/job*.total | awk '{ n += $2 } END { print n + 0 }')
  found=""
  local n_lib=0
  local seen=" " sum
  for f in $( (find "$work/deaths" -type f; find "$work" -maxdepth 1 -type f -newer "$marker" \
                \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \)) | sort); do
    [ -s "$f" ] || { rm -f "$f"; continue; } # a death between inputs: nothing to judge
    sum=$(md5sum < "$f" | cut -c1-32)
    case "$seen" in *" $sum "*) rm -f "$f"; continue ;; esac # the same input twice: judged once
    seen="$seen$sum "
    where=$(crash_frame "$bin" "$f" 4 || true)
    if ! "$public" "$f" > "$f.public.log" 2>&1; then
      found="$found $f"; echo "   the public entry did not survive $f: $f.public.log"
    elif [ -n "$where" ] && ! echo "$where" | grep -q 'libhdf5'; then
      found="$found $f"; echo "   $f: a crash outside libhdf5: $where"
    else
      mv "$f" "$f.public.log" "$work/libhdf5/"; n_lib=$((n_lib + 1))
    fi
  done
  echo "   $n_lib input(s) killed libhdf5 in this process and were refused cleanly by the public entry: $work/libhdf5/"
  echo "   replaying the corpus ($(ls "$work/corpus" | wc -l) inputs) through the public entry under ASan"
  if ! "$public" "$work/corpus" > "$work/public-replay.log" 2>&1; then
    found="$found corpus"; echo "   FOUND SOMETHING replaying the corpus: $work/public-replay.log"; tail -n 20 "$work/public-replay.log" | sed 's/^/   | /'
  fi
  if [ "$execs" -eq 0 ]; then found="$found no-executions"; echo "   the campaign ran nothing: $work/logs/"; fi
  [ -z "$found" ] || status=1
  line=$(printf '%-10s %12d executions in %6d s: %8d exec/s (%d job%s, %d round%s; %d libhdf5 death%s)%s' \
         trace_h5_reader "$execs" "$elapsed" "$((execs / elapsed))" "$jobs" "$([ "$jobs" -eq 1 ] || echo s)" \
         "$rounds" "$([ "$rounds" -eq 1 ] || echo s)" \
         "$n_lib" "$([ "$n_lib" -eq 1 ] || echo s)" "$([ -z "$found" ] || echo ', FOUND SOMETHING')")
  echo "   $line"
  summary+=("$line")
}

for h in $harnesses; do
  if [ "$h" = trace_h5_reader ]; then reader_campaign; continue; fi
  bin=$build/tests/fuzz/fuzz_$h
  [ -x "$bin" ] || { echo "$0: no $bin: configure with CC=clang meson setup $build -Dfuzz=enabled and build it" >&2; exit 2; }
  work=$build/fuzz-campaign/$h
  mkdir -p "$work/corpus"
  rm -f "$work"/fuzz-*.log "$work/run.log"
  args=(-dict="$(dict_of "$h")" "$limit_flag" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$work/" "$work/corpus" "$here/corpus/$h" "$here/regressions/$h")
  echo "== fuzz_$h: $limit, $jobs job(s), in $work"
  marker=$work/.started
  touch "$marker"
  start=$(date +%s)
  rc=0
  if [ "$jobs" -eq 1 ]; then
    (cd "$work" && "$bin" "${args[@]}") > "$work/run.log" 2>&1 || rc=$?
  else
    (cd "$work" && "$bin" -jobs="$jobs" -workers="$jobs" "${args[@]}") > "$work/run.log" 2>&1 || rc=$?
  fi
  elapsed=$(( $(date +%s) - start ))
  [ "$elapsed" -gt 0 ] || elapsed=1
  # The judge is each libFuzzer process itself: it ends with "Done N runs" unless it stopped on a
  # crash, leak, timeout, out-of-memory or failed oracle. Artifacts written while every process
  # came through are from child processes: the HDF5 loader reads a file in a child first, and a
  # child that dies there (in libhdf5, or on libFuzzer's malloc limit) is the loader doing its job;
  # they are kept apart, in child-deaths/, for a look.
  if [ "$jobs" -eq 1 ]; then logs=("$work/run.log"); else logs=("$work"/fuzz-*.log); fi
  # the last count of each log is its process's own (a dying child prints one too)
  execs=$(for l in "${logs[@]}"; do awk '/^stat::number_of_executed_units:/ { n = $2 } END { print n + 0 }' "$l"; done |
          awk '{ n += $1 } END { print n + 0 }')
  found=$(find "$work" -maxdepth 1 -type f -newer "$marker" \( -name 'crash-*' -o -name 'leak-*' \
          -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  survived=0
  for l in "${logs[@]}"; do grep -qE '^Done [0-9]+ runs in' "$l" && survived=$((survived + 1)); done
  if [ "$rc" -eq 0 ] && [ "$survived" -eq "$jobs" ]; then
    if [ -n "$found" ]; then
      mkdir -p "$work/child-deaths"
      mv $found "$work/child-deaths/"
      echo "   $(echo "$found" | wc -l) input(s) killed the loader's child process, not the harness: $work/child-deaths/"
      found=""
    fi
  else
    status=1
    echo "   FOUND SOMETHING (exit $rc, $survived of $jobs job(s) completed); inputs written:"
    for f in $found; do echo "     $f"; done
    for l in "${logs[@]}"; do # the report that stopped it: the last one in its log
      grep -qE '^Done [0-9]+ runs in' "$l" && continue
      awk '/^==[0-9]+== ?ERROR|^ALARM: working on the last Unit|runtime error:/ { last = NR } { line[NR] = $0 }
           END { for (i = (last > 3 ? last - 3 : 1); last && i <= NR && i < last + 50; i++) print line[i] }' "$l" |
        sed 's/^/   | /'
    done
    [ -n "$found" ] || found=none
  fi
  line=$(printf '%-10s %12d executions in %6d s: %8d exec/s (%d job%s)%s' "$h" "$execs" "$elapsed" \
         "$((execs / elapsed))" "$jobs" "$([ "$jobs" -eq 1 ] || echo s)" "$([ -z "$found" ] || echo ', FOUND SOMETHING')")
  echo "   $line"
  summary+=("$line")
done
echo "== fuzz summary"
printf '   %s\n' "${summary[@]}"
exit "$status"
