#!/usr/bin/python3
"""Mutation testing: does the suite notice the bugs we would plausibly write?

Each mutation in tests/mutations.txt replaces one exact line fragment of one file. For each, this
script applies it, rebuilds a build folder of its own, runs the suites and reports it KILLED (with
the tests that failed), SURVIVED, or STILLBORN (it did not compile: no information), then restores
the file, whatever happens (also on Ctrl-C). At the end: the score, killed / (killed + survived).

    tests/mutate.py [--build DIR] [--suite NAME ...] [--test NAME ...] [--only N,M] [--list]

--build   the build folder (default build-mutate; created with meson if missing, as CI builds: debugoptimized)
--test    run only these tests (meson test names, e.g. regressions cli); default: every test
          outside the validation, fuzz and benchmark suites
--suite   add a suite (e.g. validation) to what runs
--only    the mutations to run, by number (1-based, as --list prints them)
--all     run every test on each mutation (default: stop at the first failing test, which is
          enough to call it killed, and run the slow tests (--slow) only when the others pass)
--slow    tests run last, only for mutations the others missed (default: plan_props)

The format of the patterns file, one block per mutation:

    @@ path/to/file.c :: why this is a bug someone would write
    - the exact text as it stands (must occur exactly once in the file)
    + its replacement

Equivalent mutants (no behaviour changes) are not listed; when one is found, it is removed with
a line saying why. Run it as an optional job (not in every CI run): a mutation costs a rebuild and
a run of the suites.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse(path):
    muts, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("@@ "):
                if cur:
                    muts.append(cur)
                head = line[3:]
                if " :: " not in head:
                    sys.exit(f"{path}:{n}: expected '@@ FILE :: WHY'")
                file, why = head.split(" :: ", 1)
                cur = {"file": file.strip(), "why": why.strip(), "line": n, "old": None, "new": None}
            elif line.startswith("- ") and cur and cur["old"] is None:
                cur["old"] = line[2:]
            elif line.startswith("+ ") and cur and cur["new"] is None:
                cur["new"] = line[2:]
            elif line.startswith("+") and line.strip() == "+" and cur and cur["new"] is None:
                cur["new"] = ""
            elif line.strip() and not line.startswith("#"):
                sys.exit(f"{path}:{n}: expected '@@', '- ', '+ ' or a comment")
    if cur:
        muts.append(cur)
    for m in muts:
        if m["old"] is None or m["new"] is None:
            sys.exit(f"{path}:{m['line']}: a mutation needs a '- ' and a '+ ' line")
    return muts


def run(cmd, timeout=None):
    return subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)


def failed_tests(build):
    """The names of the tests that failed in the last meson test run, from its JSON log."""
    import json
    names = []
    log = os.path.join(ROOT, build, "meson-logs", "testlog.json")
    try:
        with open(log, encoding="utf-8") as f:
            for line in f:
                t = json.loads(line)
                if t.get("result") in ("FAIL", "ERROR", "TIMEOUT", "UNEXPECTEDPASS"):
                    names.append(t.get("name", "?"))
    except OSError:
        pass
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build-mutate")
    ap.add_argument("--patterns", default=os.path.join(ROOT, "tests", "mutations.txt"))
    ap.add_argument("--test", nargs="*", default=[])
    ap.add_argument("--suite", nargs="*", default=[])
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--skip-base", action="store_true",
                    help="do not first run the unmutated suite (when it was just run green)")
    ap.add_argument("--slow", nargs="*", default=["plan_props"])
    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # a line per mutation as it ends, also into a log file
    muts = parse(a.patterns)
    for i, m in enumerate(muts, 1):
        path = os.path.join(ROOT, m["file"])
        with open(path, encoding="utf-8") as f:
            count = f.read().count(m["old"])
        if count != 1:
            sys.exit(f"{a.patterns}:{m['line']}: the text occurs {count} times in {m['file']}, expected once")
    if a.list:
        for i, m in enumerate(muts, 1):
            print(f"{i:3d} {m['file']}: {m['why']}")
        return 0
    chosen = range(1, len(muts) + 1)
    if a.only:
        chosen = [int(x) for x in a.only.split(",")]
    if not os.path.isdir(os.path.join(ROOT, a.build)):
        r = run(["meson", "setup", a.build, "--buildtype=debugoptimized", "-Dwerror=false"])
        if r.returncode:
            sys.exit(r.stdout)
    r = run(["ninja", "-C", a.build])
    if r.returncode:
        sys.exit("the unmutated tree does not build:\n" + r.stdout[-3000:])
    base_cmd = ["meson", "test", "-C", a.build, "--no-rebuild", "--print-errorlogs", "-q"]
    if a.test:
        names = list(a.test)
    else:  # every test outside the validation, fuzz and benchmark suites
        lst = run(["meson", "test", "-C", a.build, "--no-rebuild", "--list"]).stdout.split("\n")
        names = [l.split(" / ", 1)[1].strip() for l in lst if l.startswith("ccsim / ")]
    for s in a.suite:
        names += [l.split(" / ", 1)[1].strip() for l in
                  run(["meson", "test", "-C", a.build, "--no-rebuild", "--list"]).stdout.split("\n")
                  if l.startswith(f"ccsim:{s} / ")]
    if a.all:
        stages = [names]
    else:
        stages = [[n for n in names if n not in a.slow], [n for n in names if n in a.slow]]
        stages = [st for st in stages if st]
    for st in ([] if a.skip_base else stages):
        base = run(base_cmd + st)
        if base.returncode:
            sys.exit("the unmutated suite fails: " + ", ".join(failed_tests(a.build)))
    test_cmds = [base_cmd + st + ([] if a.all else ["--maxfail", "1"]) for st in stages]
    killed = survived = stillborn = 0
    survivors = []
    for i in chosen:
        m = muts[i - 1]
        path = os.path.join(ROOT, m["file"])
        with open(path, encoding="utf-8") as f:
            original = f.read()
        t0 = time.time()
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original.replace(m["old"], m["new"], 1))
            b = run(["ninja", "-C", a.build])
            if b.returncode:
                verdict, by = "STILLBORN", "does not compile"
                stillborn += 1
            else:
                failed = None
                for cmd in test_cmds:
                    t = run(cmd, timeout=3600)
                    if t.returncode:
                        failed = ", ".join(failed_tests(a.build)) or "the suite failed"
                        break
                if failed:
                    verdict, by = "KILLED", failed
                    killed += 1
                else:
                    verdict, by = "SURVIVED", ""
                    survived += 1
                    survivors.append(f"{i} {m['file']}: {m['why']}")
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
        print(f"{i:3d} {verdict:9s} {m['file']}: {m['why']} ({time.time() - t0:.0f} s) {by}", flush=True)
    run(["ninja", "-C", a.build])  # leave the folder built from the unmutated tree
    judged = killed + survived
    score = 100.0 * killed / judged if judged else float("nan")
    print(f"mutations: {killed} killed, {survived} survived, {stillborn} stillborn; score {score:.1f}%")
    for s in survivors:
        print("  survived:", s)
    return 0 if not survived else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
