#!/usr/bin/env python3
"""The Python package ccsim (python/ccsim), imported from the build tree: its figures checked
against the ccsim program's own outputs for the same inputs (summary.json, sweep.csv), which reach
the same library by another road (the CLI, its registry and the sweep database), and against the
summary's own invariants; seeds; errors as ccsim.Error with file:line; the GIL released during a run.

    tests/test_python.py PACKAGE_DIR CCSIM_BIN SOURCE_DIR    (PACKAGE_DIR "": not built, exit 77)
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SKIP = 77  # meson's "skipped"
if len(sys.argv) < 4 or not sys.argv[1]:
    print("test_python: the extension was not built (-Dpython, python3-dev, or a sanitizer build): skipped")
    sys.exit(SKIP)
PACKAGE_DIR, CCSIM_BIN, SOURCE_DIR = sys.argv[1:4]
sys.path.insert(0, PACKAGE_DIR)
import ccsim  # noqa: E402  (after the path)
import pandas as pd  # noqa: E402

DEFAULT = os.path.join(SOURCE_DIR, "scenarios", "default.yaml")
NIGHTLY = os.path.join(SOURCE_DIR, "scenarios", "nightly-batch.yaml")
SWEEP = os.path.join(SOURCE_DIR, "tests", "sweep-python.yaml")
SHORT = {"duration": "1d"}  # default.yaml's week is 8 M requests: one day is enough here


def close(a, b, rel=1e-9, abs_=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def cli(*args, cwd=None):
    p = subprocess.run([CCSIM_BIN, *args], capture_output=True, text=True, cwd=cwd)
    if p.returncode != 0:
        raise AssertionError(f"ccsim {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p.stdout


class Run(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = ccsim.run(DEFAULT, set=SHORT, seed=7)
        cls.nightly = ccsim.run(NIGHTLY, set={"duration": "7d"})

    def test_imported_from_the_build(self):
        self.assertTrue(os.path.realpath(ccsim.__file__).startswith(os.path.realpath(PACKAGE_DIR)), ccsim.__file__)
        self.assertEqual(ccsim.SOURCE_DIR, SOURCE_DIR)

    def test_summary_is_the_cli_summary(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = cli("run", DEFAULT, "--set", "duration=1d", "--seed", "7", "--no-plot", "--format", "json",
                      "--out", os.path.join(tmp, "run"))
            with open(os.path.join(tmp, "run", "summary.json")) as f:
                written = json.load(f)
        self.assertEqual(self.res.summary, json.loads(out))
        self.assertEqual(self.res.summary, written)
        self.assertEqual(self.res.summary["seed"], 7)

    def test_hourly_sums_to_the_summary(self):
        h = self.res.hourly
        for reg in self.res.summary["regions"]:
            for q in ("energy_kwh", "carbon_kg", "cost"):
                self.assertTrue(close(h[reg["name"], q].sum(), reg[q]), (reg["name"], q, h[reg["name"], q].sum(), reg[q]))
        t = self.res.totals
        for q in ("energy_kwh", "carbon_kg", "cost"):
            self.assertTrue(close(h.xs(q, axis=1, level="quantity").sum().sum(), t[q]), q)

    def test_hourly_index_is_utc_hours_from_the_start(self):
        idx = self.res.hourly.index
        self.assertEqual(str(idx.tz), "UTC")
        self.assertEqual(idx[0], pd.Timestamp(self.res.summary["period"]["start"]))
        self.assertTrue((idx[1:] - idx[:-1] == pd.Timedelta(hours=1)).all())
        # a day: 24 hours, and the drain of the last requests may reach into a 25th
        self.assertIn(len(idx), (24, 25))

    def test_hourly_run_now_baseline_is_the_policy(self):
        h = self.res.hourly["de"]  # default.yaml runs run-now: the baseline is the same run
        self.assertTrue((h["energy_kwh"] == h["baseline_energy_kwh"]).all())

    def test_jobs_one_row_per_run(self):
        jobs = self.nightly.jobs
        for j in self.nightly.summary["jobs"]:
            rows = jobs[jobs["job"] == j["name"]]
            self.assertEqual(len(rows), j["runs"])
            self.assertEqual(list(rows["run"]), list(range(j["runs"])))
            self.assertTrue(close(rows["energy_kwh"].sum(), j["energy_kwh"]), j["name"])
            self.assertTrue(close(rows["carbon_kg"].sum(), j["carbon_kg"]), j["name"])
            self.assertEqual(int(rows["missed"].sum()), j["deadline_misses"])
        ran = jobs[~jobs["skipped"]]
        self.assertTrue((ran["start"] >= ran["release"]).all() and (ran["end"] > ran["start"]).all())
        self.assertEqual(str(jobs["release"].dt.tz), "UTC")

    def test_services_one_row_per_service(self):
        s = self.res.services
        self.assertEqual(list(s.index), [v["name"] for v in self.res.summary["services"]])
        for v in self.res.summary["services"]:
            self.assertEqual(s.loc[v["name"], "p95_ms"], v["p95_ms"])
            self.assertEqual(s.loc[v["name"], "per_request.carbon_g"], v["per_request"]["carbon_g"])
        self.assertNotIn("pools", s.columns)

    def test_same_seed_same_summary_other_seed_another(self):
        again = ccsim.run(DEFAULT, set=SHORT, seed=7)
        other = ccsim.run(DEFAULT, set=SHORT, seed=8)
        self.assertEqual(again.summary, self.res.summary)
        self.assertNotEqual(other.summary["services"][0]["requests"], self.res.summary["services"][0]["requests"])

    def test_set_takes_python_values(self):
        more = ccsim.run(DEFAULT, set={**SHORT, "services.search-rerank.replicas": 8, "seed": 7})
        pool, base = more.summary["services"][0]["pools"][0], self.res.summary["services"][0]["pools"][0]
        self.assertEqual(pool["replicas_max"], 8)
        # twice the replicas idle twice the hours: twice the idle energy, on the same arrivals
        self.assertTrue(close(pool["idle_it_energy_kwh"], 2 * base["idle_it_energy_kwh"]))
        self.assertEqual(more.summary["services"][0]["requests"], self.res.summary["services"][0]["requests"])
        self.assertEqual(ccsim._value_text(True), "true")
        self.assertEqual(ccsim._value_text(["de", "es"]), '["de", "es"]')

    def test_run_releases_the_gil(self):
        got = {}
        t = threading.Thread(target=lambda: got.setdefault("r", ccsim.run(DEFAULT, set={"duration": "2d"})))
        start = time.monotonic()
        t.start()
        last, gap = start, 0.0
        while t.is_alive():
            now = time.monotonic()
            gap, last = max(gap, now - last), now
            time.sleep(0.001)
        t.join()
        took = time.monotonic() - start
        self.assertIn("r", got)
        # holding the GIL, the run would stop this loop for all of it
        self.assertLess(gap, took / 2, f"longest pause {gap:.3f} s of a {took:.3f} s run")


class Errors(unittest.TestCase):
    def test_unknown_key_names_file_and_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.yaml")
            with open(DEFAULT) as f:
                text = f.read()
            lines = text.splitlines()
            at = lines.index("currency: USD            # the price trace is in USD/MWh")
            lines.insert(at + 1, "colour: green")
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            with self.assertRaises(ccsim.Error) as cm:
                ccsim.run(path)
        self.assertIsInstance(cm.exception, ValueError)
        self.assertIn(f"{path}:{at + 2}:", str(cm.exception))
        self.assertIn("colour", str(cm.exception))
        self.assertEqual(cm.exception.code, 2)

    def test_bad_override_is_named(self):
        with self.assertRaises(ccsim.Error) as cm:
            ccsim.run(DEFAULT, set={"duration": "soon"})
        self.assertIn("--set 'duration=soon'", str(cm.exception))

    def test_missing_file(self):
        with self.assertRaises(ccsim.Error) as cm:
            ccsim.run("/nonexistent/scenario.yaml")
        self.assertIn("/nonexistent/scenario.yaml", str(cm.exception))

    def test_bad_sweep_point_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sweep.yaml")
            with open(SWEEP) as f:
                text = f.read().replace("../traces/", os.path.join(SOURCE_DIR, "traces") + "/")
            with open(path, "w") as f:
                f.write(text.replace("[run-now, greenest-window, cheapest-window]", "[run-now, no-such-policy]"))
            with self.assertRaises(ccsim.Error) as cm:
                ccsim.sweep(path, jobs=1)
        self.assertIn("sweep point 1", str(cm.exception))
        self.assertIn("no-such-policy", str(cm.exception))

    def test_not_a_sweep(self):
        with self.assertRaises(ccsim.Error):
            ccsim.sweep(DEFAULT)


class Sweep(unittest.TestCase):
    def test_table_is_the_cli_sweep_csv(self):
        df = ccsim.sweep(SWEEP, jobs=2)
        with tempfile.TemporaryDirectory() as tmp:
            cli("sweep", SWEEP, "--jobs", "2", "--quiet", "--no-plot", "--out", tmp)
            csv = pd.read_csv(os.path.join(tmp, "sweep.csv"))
        self.assertEqual(list(df.columns), list(csv.columns))
        self.assertEqual(len(df), 3 * 2)  # 3 policies x 2 seeds
        self.assertEqual(list(df["run"]), [f"p{p:03d}-s{k:02d}" for p in range(3) for k in range(2)])
        self.assertEqual(list(df["policy.name"]), list(csv["policy.name"]))
        self.assertEqual(list(df["seed"]), [11, 12] * 3)
        self.assertTrue((df["status"] == "done").all())
        for col in df.columns:
            if pd.api.types.is_numeric_dtype(df[col]):
                for a, b in zip(df[col], csv[col]):
                    if pd.isna(a) or pd.isna(b):  # absent figures: empty cells, NaN or None, in both
                        self.assertTrue(pd.isna(a) and pd.isna(b), (col, a, b))
                        continue
                    self.assertTrue(close(float(a), float(b), rel=1e-12, abs_=1e-12), (col, a, b))
            else:
                self.assertEqual(list(df[col]), list(csv[col].astype(str)), col)

    def test_seeds_override(self):
        df = ccsim.sweep(SWEEP, jobs=1, seeds=1)
        self.assertEqual(list(df["seed_index"]), [0, 0, 0])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
