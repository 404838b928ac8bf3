#!/usr/bin/python3
"""The outputs as a researcher's Python reads them (issue 19): results.h5 through h5py gives str
for every string attribute and numpy integers for the seed and the counts, not bytes and floats;
sweep.csv through the csv module has each column once and an empty cell, not 0, for a figure the
sweep has none of. The C tests check the HDF5 types themselves (tests/test_outputs.c); this checks
what h5py makes of them, which is what users saw.

Usage: check_h5py.py CCSIM_BINARY. Exit 77 (skipped, for meson) when h5py is not installed."""
import csv
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy
except ImportError:
    print("h5py or numpy is not installed: skipped")
    sys.exit(77)

TRACE = "timestamp,value\n" + "".join(
    "2023-01-01T%02d:00:00Z,%d\n" % (h, 600 - 100 * h) for h in range(6))

# A service at 1 request a second and a job of 1 h due within 6 h; the tail adds the sweep.
SCENARIO = """start: "2023-01-01T00:00:00Z"
duration: 6h
seed: 2
regions: [{name: r, carbon: fall.csv}]
hardware: [{name: box, idle_w: 10, max_w: 100}]
%s
jobs: [{name: j, release: {every: 24h, at: "00:00"}, duration: 1h, power_kw: 1, deadline: 6h}]
%s"""
SERVICE = ("services: [{name: s, hardware: box, replicas: 1, arrivals: {process: deterministic,"
           " rate_per_s: 1}, service_time: {dist: deterministic, mean_ms: 30}}]")


def ccsim(binary, *args):
    r = subprocess.run([binary, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("ccsim %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr))


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "fall.csv"), "w") as f:
            f.write(TRACE)
        run_yaml = os.path.join(d, "run.yaml")
        with open(run_yaml, "w") as f:
            f.write(SCENARIO % (SERVICE, ""))
        ccsim(binary, "run", run_yaml, "--out", os.path.join(d, "out"), "--no-plot")
        with h5py.File(os.path.join(d, "out", "results.h5"), "r") as f:
            for key in ("scenario", "policy", "currency", "ccsim_version"):
                check(isinstance(f.attrs[key], str), "root attribute %s is %r" % (key, type(f.attrs[key])))
            check(isinstance(f.attrs["seed"], numpy.integer) and f.attrs["seed"] == 2,
                  "seed is %r" % (f.attrs["seed"],))
            g = f["regions/r"]
            check(isinstance(g.attrs["price_source"], str), "price_source")
            check(isinstance(g["carbon_kg"].attrs["units"], str), "a dataset's units")
            check(isinstance(f["jobs/j"].attrs["deadline_misses"], numpy.integer), "deadline_misses")
            check(isinstance(f["jobs/j"].attrs["freshness_mean_h"], numpy.floating), "freshness_mean_h")
            check(h5py.check_string_dtype(f["jobs/j/region"].dtype).encoding == "utf-8", "jobs/j/region")
            check([s.decode() for s in f["jobs/j/region"][:]] == ["r"], "jobs/j/region's value")
            req = f["services/s/requests"]
            check(req.dtype.kind == "u", "requests are %s" % req.dtype)
            check(int(req[1]) == 3600, "the second hour's requests: %r" % req[1])

        sweep_yaml = os.path.join(d, "sweep.yaml")
        with open(sweep_yaml, "w") as f:
            f.write(SCENARIO % ("", "sweep:\n  seeds: 1\n  policy.name: [run-now, greenest-window]\n"))
        ccsim(binary, "sweep", sweep_yaml, "--out", os.path.join(d, "sw"), "--jobs", "1", "--quiet", "--no-plot")
        with open(os.path.join(d, "sw", "sweep.csv"), newline="") as f:
            rows = list(csv.reader(f))
        head = rows[0]
        check(len(head) == len(set(head)), "sweep.csv repeats a column: %s" % head)
        check("policy" not in head and "policy.name" in head, "policy.name swept, policy again: %s" % head)
        for row in rows[1:]:
            cell = dict(zip(head, row))
            check(cell["p95_ms"] == "" and cell["slo_total"] == "", "no services, P95 %r" % cell["p95_ms"])
            check(cell["deadline_misses"] == "0", "deadline misses %r" % cell["deadline_misses"])
        with h5py.File(os.path.join(d, "sw", "results.h5"), "r") as f:
            check(isinstance(f.attrs["scenario"], str) and isinstance(f.attrs["seeds"], numpy.integer),
                  "the sweep's results.h5 attributes")
            check(isinstance(f["runs/p001-s00"].attrs["seed"], numpy.integer), "a run's seed through its link")
    print("ok")


if __name__ == "__main__":
    main()
