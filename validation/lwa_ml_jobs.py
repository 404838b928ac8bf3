#!/usr/bin/python3
"""Writes the job set of Scenario II of Wiesner et al., "Let's Wait Awhile" (Middleware 2021):
3,387 ad hoc ML training jobs submitted on the workdays of 2020 between 09:00 and 17:00 (UTC,
30-minute steps), each 4 h to 89.5 h long in 30-minute steps, as the paper describes them.

The draws follow the paper's published procedure with NumPy's default generator seeded 0, in
the same order (one multinomial split of the jobs over the workdays; per calendar day, its
submission slots drawn uniformly and sorted; then every duration), so that the set should be the
paper's own. Used once to write validation/lwa-ml-jobs-2020.csv (committed); ccsim itself never
runs Python. Needs Debian's python3-numpy.

    /usr/bin/python3 validation/lwa_ml_jobs.py > validation/lwa-ml-jobs-2020.csv
"""
import datetime as dt
import sys

import numpy as np

N_JOBS = 3387
STEP_MIN = 30


def main():
    rng = np.random.default_rng(0)
    durations_min = range(4 * 60, 90 * 60, STEP_MIN)       # 4 h .. 89.5 h
    slots_min = range(9 * 60, 17 * 60, STEP_MIN)           # 09:00 .. 16:30
    first, last = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    workdays = [d for d in days if d.weekday() < 5]
    per_workday = rng.multinomial(N_JOBS, [1 / len(workdays)] * len(workdays))
    count = dict(zip(workdays, per_workday))
    stamps = []
    for d in days:
        k = int(count.get(d, 0))
        for m in np.sort(rng.choice(slots_min, size=k)):
            stamps.append(dt.datetime(d.year, d.month, d.day) + dt.timedelta(minutes=int(m)))
    durations = rng.choice(durations_min, size=N_JOBS)
    out = sys.stdout
    out.write("timestamp,duration_h\n")
    for t, m in zip(stamps, durations):
        out.write(f"{t:%Y-%m-%dT%H:%M:%SZ},{int(m) / 60:g}\n")


if __name__ == "__main__":
    main()
