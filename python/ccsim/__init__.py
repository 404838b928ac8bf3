"""ccsim from Python: run a scenario or a sweep and get the results as Python objects.

    import ccsim
    res = ccsim.run("scenarios/default.yaml", set={"duration": "2d"}, seed=7)
    res.summary["totals"]["carbon_kg"]      # summary.json, as a dict
    res.hourly["de", "energy_kwh"]          # pandas, one row per hour (UTC)
    res.jobs, res.services                  # one row per job run / per service
    table = ccsim.sweep("scenarios/sweep-tolerance.yaml", jobs=2, seeds=1)

The simulation is ccsim's C library itself (the extension ccsim._ccsim): the same loader, checks,
models and summary as `ccsim run`, with no program started and no text parsed. Bad input raises
ccsim.Error, whose message names the file, line and column, as the CLI's does.

pandas is imported when a table is first asked for, so `import ccsim` needs only the extension.
"""

import json as _json
import os as _os

from . import _ccsim

__all__ = ["Error", "Result", "run", "sweep", "scenario_path", "SOURCE_DIR", "__version__"]

#: ccsim's version, the one `ccsim --version` prints.
__version__ = _ccsim.version
#: The source tree the extension was built from: its bundled scenarios, traces and profiles.
SOURCE_DIR = _ccsim.source_dir

#: A scenario, trace or sweep the library refused, or a run that failed (a ValueError; see run()).
Error = _ccsim.Error


def scenario_path(name):
    """The path of a bundled scenario: scenario_path("default") is SOURCE_DIR/scenarios/default.yaml."""
    if not name.endswith(".yaml"):
        name += ".yaml"
    return _os.path.join(SOURCE_DIR, "scenarios", name)


def _value_text(value):
    """A Python value as --set takes it: YAML text (bools as true/false, lists and maps as flow YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        return _json.dumps(value)  # JSON is flow YAML
    raise TypeError(f"set: cannot give {type(value).__name__} {value!r} as a scenario value")


def _overrides(set, seed):
    ov = [f"{path}={_value_text(v)}" for path, v in (set or {}).items()]
    if seed is not None:
        ov.append(f"seed={int(seed)}")  # last: it wins over set={"seed": ...}, as --seed does
    return ov


def _utc(seconds):
    import pandas as pd

    return pd.to_datetime(seconds, unit="s", utc=True)


class Result:
    """One run of a scenario: the policy's run beside the run-now baseline on the same streams.

    summary   dict: summary.json of `ccsim run` (README "Output reference"), key for key
    hourly    DataFrame, one row per hour (UTC DatetimeIndex "hour"), columns (region, quantity):
              energy_kwh, baseline_energy_kwh, it_energy_kwh, carbon_kg, cost, intensity_g_per_kwh,
              price_per_mwh, pue, cooling_kwh, water_l, heat_reused_kwh (carbon_marginal_kg with
              marginal traces), as results.h5's /regions/<name>/; NaN where a region's series is shorter
    jobs      DataFrame, one row per job run in job and release order: times as UTC timestamps
              (start and end NaT for a skipped run), region, energy_kwh, carbon_kg, cost, the forecast,
              queue wait and what happened (missed, override, fallback, skipped, unproven, overran)
    services  DataFrame, one row per service (index: name), its summary figures with nested ones
              flattened ("per_request.carbon_g", "cache.hit_rate"); pools stay in the summary

    The tables are built when first read.
    """

    def __init__(self, raw):
        self._raw = raw
        self.summary = _json.loads(raw["summary_json"])
        self._tables = {}

    def __repr__(self):
        t = self.summary["totals"]
        return (f"<ccsim.Result {self.summary['scenario']} policy={self.policy} seed={self.summary['seed']}: "
                f"{t['energy_kwh']:.6g} kWh, {t['carbon_kg']:.6g} kgCO2e, {t['cost']:.6g} {self.summary['currency']}>")

    @property
    def policy(self):
        """The policy of the run (its name)."""
        return self.summary["policy"]

    @property
    def totals(self):
        """summary["totals"]: energy_kwh, carbon_kg, cost and the rest, under the policy."""
        return self.summary["totals"]

    @property
    def hourly(self):
        """The hourly series per region (see the class)."""
        if "hourly" not in self._tables:
            import pandas as pd

            frames = {}
            for region, cols in self._raw["hourly"].items():
                cols = dict(cols)
                index = _utc(cols.pop("hour_utc_s")).rename("hour")
                frames[region] = pd.DataFrame(cols, index=index)
            if frames:
                df = pd.concat(frames, axis=1, names=["region", "quantity"]).sort_index()
            else:
                df = pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="hour"),
                                  columns=pd.MultiIndex.from_tuples([], names=["region", "quantity"]))
            self._tables["hourly"] = df
        return self._tables["hourly"]

    @property
    def jobs(self):
        """One row per job run (see the class)."""
        if "jobs" not in self._tables:
            import pandas as pd

            df = pd.DataFrame.from_records(self._raw["job_runs"], columns=list(self._raw["job_run_columns"]))
            for col in ("release", "start", "end", "deadline"):
                df[col] = _utc(df.pop(f"{col}_utc_s"))
            for col in ("missed", "override", "fallback", "skipped", "unproven", "overran"):
                df[col] = df[col].astype(bool)
            df.loc[df["skipped"], ["start", "end"]] = pd.NaT
            first = ["job", "run", "release", "start", "end", "deadline"]
            self._tables["jobs"] = df[first + [c for c in df.columns if c not in first]]
        return self._tables["jobs"]

    @property
    def services(self):
        """One row per service (see the class)."""
        if "services" not in self._tables:
            import pandas as pd

            rows = [{k: v for k, v in s.items() if k != "pools"} for s in self.summary["services"]]
            df = pd.json_normalize(rows) if rows else pd.DataFrame(columns=["name"])
            self._tables["services"] = df.set_index("name")
        return self._tables["services"]


def run(scenario, set=None, seed=None):
    """Runs a scenario and returns its Result.

    scenario  the path of a scenario file (scenario_path("default") for a bundled one)
    set       overrides, {"duration": "2h", "services.search-rerank.replicas": 3,
              "policy.name": "greenest-window"}: as `ccsim run --set path=value`, list items by
              their name; values are YAML (Python lists and dicts become flow YAML)
    seed      the run's seed, over the scenario's (and over set["seed"])

    Raises ccsim.Error (a ValueError) with the library's message, file:line:col first, for a bad
    scenario or override, or a run that cannot go on (a pool overloaded, a trace too short).
    Other Python threads keep running meanwhile (the GIL is released); runs in one process take
    turns (Debian's HDF5 is not thread-safe), so for many runs at once use sweep(). Ctrl-C is
    seen when the run returns.
    """
    return Result(_ccsim.run(_os.fspath(scenario), _overrides(set, seed)))


def sweep(spec, jobs=None, seeds=None):
    """Runs the sweep section of a scenario file and returns its table as a pandas DataFrame.

    spec   a scenario file with a `sweep:` section (README "Sweeps")
    jobs   worker processes (default: one per core)
    seeds  seeds per point, over the section's `seeds`

    One row per run, in run order (point-major, seed index minor), with the columns of
    `ccsim sweep`'s sweep.csv: run, point, seed_index, seed, each swept parameter (numbers where
    they are numbers), status, policy, the cost tolerance, energy, carbon and cost beside run-now's,
    carbon_saved_pct, cost_change_pct, P95, freshness, deadline misses, and the counts. The runs
    write their files in a temporary folder, removed after; nothing is resumed. Raises ccsim.Error
    for a bad spec or point (naming it), or if any run failed.
    """
    import pandas as pd

    cols, rows = _ccsim.sweep(_os.fspath(spec), int(jobs or 0), int(seeds or 0))
    df = pd.DataFrame.from_records(list(rows), columns=cols)
    for col in cols[4:cols.index("status")]:  # the swept parameters, given as text
        try:
            df[col] = pd.to_numeric(df[col])
        except (ValueError, TypeError):
            pass
    # counts absent from a run (no jobs, no services) come as None: numbers with NaN, as
    # pandas reads sweep.csv's empty cells
    for col in cols[cols.index("status") + 1:]:
        if df[col].dtype == object and col not in ("policy",):
            df[col] = pd.to_numeric(df[col])
    return df
