#!/usr/bin/python3
"""Sampled fidelity against full fidelity (docs/sampling.md), on every bundled serving scenario.

Each scenario runs in full and in sampled fidelity with the same 5 seeds, over a horizon long
enough for sampling to pay (3 days; shorter horizons fall back to full fidelity, which is checked
too). Over the 5 seeds, the mean of the sampled figures must be within, of the mean of the full:
P50, P95 and P99 1%; energy, carbon and cost 0.5%; cache hit rate 0.5 points. A service that
sampled fidelity simulates whole (an LLM pool) must give the full run's figures exactly. The
intervals reported (*_ci) are checked to cover the full run's figure in most runs (a 95%
interval: at least 3 of 5 seeds for each figure).

usage: validate_sampled.py CCSIM SOURCE_DIR [--jobs N] [--only NAME,...]
Prints one line per check and "validation: N passed, N failed"; exits 1 on any failure.
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

ccsim, source = sys.argv[1], sys.argv[2]
jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 2
only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None

SEEDS = [1, 2, 3, 4, 5]
WHOLE_SEEDS = [1]  # where sampled fidelity simulates the service whole, one seed shows the same figures
# (scenario, horizon): 3 days where sampling pays; the LLM scenarios at their own day (None: sampled
# fidelity simulates their services whole, which one seed shows)
SCENARIOS = [("search-rerank", "3d"), ("default", "3d"), ("geo-shift-eu", "3d"), ("checkout-risk", "3d"),
             ("edge-vs-central", "3d"), ("reference-serving", "3d"), ("sweep-batching", "3d"),
             ("chatbot", None), ("llm-cascade", None)]
TOL = {"p50_ms": 0.01, "p95_ms": 0.01, "p99_ms": 0.01, "energy_kwh": 0.005, "carbon_kg": 0.005, "cost": 0.005}

passed = failed = 0


def check(ok, what):
    global passed, failed
    passed += bool(ok)
    failed += not ok
    print("  %-74s %s" % (what, "ok" if ok else "FAILED"))


def run(tmp, scenario, horizon, seed, fidelity):
    out = os.path.join(tmp, "%s-%d-%s" % (scenario, seed, fidelity))
    args = [ccsim, "run", os.path.join(source, "scenarios", scenario + ".yaml"), "--no-plot", "--format", "json",
            "--out", out, "--seed", str(seed), "--threads", "1", "--set", "fidelity=" + fidelity]
    if horizon:
        args += ["--set", "duration=" + horizon]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode:
        sys.exit("ccsim failed (%s): %s" % (" ".join(args), p.stderr))
    return json.loads(p.stdout)


with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(jobs) as pool:
    todo = [(sc, h) for sc, h in SCENARIOS if not only or sc in only]
    seeds_of = {sc: WHOLE_SEEDS if h is None else SEEDS for sc, h in todo}
    runs = {(sc, seed, f): pool.submit(run, tmp, sc, h, seed, f)
            for sc, h in todo for seed in seeds_of[sc] for f in ("full", "sampled")}
    for sc, h in todo:
        full = [runs[(sc, s, "full")].result() for s in seeds_of[sc]]
        samp = [runs[(sc, s, "sampled")].result() for s in seeds_of[sc]]
        print("%s (%s, seeds %s)" % (sc, h or "its own period", ",".join(map(str, seeds_of[sc]))))
        for i, svc in enumerate(full[0]["services"]):
            name = svc["name"]
            fid = samp[0]["services"][i].get("fidelity")
            if fid != "sampled":
                same = all(json.dumps(f["services"][i], sort_keys=True) ==
                           json.dumps(dict(g["services"][i], fidelity="full"), sort_keys=True)
                           for f, g in zip(full, samp))
                check(same, "%s: simulated whole in sampled fidelity, the full run's figures" % name)
                continue
            frac = sum(g["services"][i]["simulated_frac"] for g in samp) / len(samp)
            print("  %s: %d windows, %.1f%% of the period simulated" %
                  (name, samp[0]["services"][i]["windows"], 100 * frac))
            for k, tol in TOL.items():
                a = sum(f["services"][i][k] for f in full) / len(full)
                b = sum(g["services"][i][k] for g in samp) / len(samp)
                err = (b - a) / a if a else 0.0
                check(abs(err) <= tol, "%s %-10s full %12.6g sampled %12.6g  %+.3f%% (within %g%%)" %
                      (name, k, a, b, 100 * err, 100 * tol))
                covered = sum(abs(g["services"][i][k] - f["services"][i][k]) <= g["services"][i][k + "_ci"] +
                              1e-9 * abs(f["services"][i][k]) for f, g in zip(full, samp))
                check(covered >= 3, "%s %-10s the 95%% interval covers the full run's figure in %d of 5" %
                      (name, k, covered))
            if "cache" in svc:
                a = sum(f["services"][i]["cache"]["hit_rate"] for f in full) / len(full)
                b = sum(g["services"][i]["cache"]["hit_rate"] for g in samp) / len(samp)
                check(abs(b - a) <= 0.005, "%s hit rate  full %.5f sampled %.5f  %+.3f points (within 0.5)" %
                      (name, a, b, 100 * (b - a)))

print("validation: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
