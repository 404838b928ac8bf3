#!/usr/bin/python3
"""Queueing throughput benchmark (meson test --benchmark). Never fails on time.

1. M/M/1 at rho = 0.9, 1e7 customers, through the full `ccsim run` path (scenario loading,
   the event loop, all outputs): customers per second of wall time.
2. M/M/c (c = 4, rho = 0.9) in ccsim and the same model in SimPy 2.3 (Debian's python3-simpy),
   the same number of requests, in this same run: the ratio ccsim / SimPy.
3. The reference serving scenario (scenarios/reference-serving.yaml: Poisson arrivals, a fixed-
   rate cache, dynamic batching, 4 replicas, one stage, energy booked per batch): simulated
   requests per second of wall time, one core.
4. Peak memory of ccsim for 1e6 and 1e8 requests: they must be close (memory must not grow
   with requests).
ccsim runs as a child process; its peak RSS comes from os.wait4 for that child alone.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ccsim, source = sys.argv[1], sys.argv[2]
# CI sets CCSIM_BENCH_QUICK=1: 1e6 customers (SimPy's 1e7 alone took 72 s of 79); the figures for
# a note come from a full run
quick = "--quick" in sys.argv or os.environ.get("CCSIM_BENCH_QUICK") == "1"
N = 10**6 if quick else 10**7


def run_ccsim(scenario, rate, customers, tmp, folder="validation"):
    out = os.path.join(tmp, "out-%d-%d" % (customers, time.monotonic_ns()))
    args = [ccsim, "run", os.path.join(source, folder, scenario), "--no-plot", "--format", "json",
            "--out", out, "--set", "services.api.arrivals.rate_per_s=%r" % rate,
            "--set", "duration=%ds" % round(customers / rate)]
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE)
    data = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit("ccsim failed: %r" % args)
    svc = json.loads(data)["services"][0]
    return svc["requests"], wall, usage.ru_maxrss, svc["p95_ms"]


def simpy_mmc(customers, rate, mean_s, servers):
    from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate
    random.seed(1)
    total = [0.0, 0]

    class Customer(Process):
        def visit(self, server):
            arrived = now()
            yield request, self, server
            yield hold, self, random.expovariate(1.0 / mean_s)
            yield release, self, server
            total[0] += now() - arrived
            total[1] += 1

    class Source(Process):
        def generate(self, server):
            for _ in range(customers):
                c = Customer()
                activate(c, c.visit(server))
                yield hold, self, random.expovariate(rate)

    initialize()
    server = Resource(capacity=servers)
    src = Source()
    activate(src, src.generate(server))
    t0 = time.perf_counter()
    simulate(until=1e18)
    return total[1], time.perf_counter() - t0, total[0] / total[1]


with tempfile.TemporaryDirectory() as tmp:
    n, wall, rss, p95 = run_ccsim("mm1.yaml", 90.0, N, tmp)
    print("M/M/1 rho=0.9, %d customers, full ccsim run path: %.2f s, %.1f M customers/s (P95 %.1f ms, theory 299.6)"
          % (n, wall, n / wall / 1e6, p95))
    nc, wallc, _, _ = run_ccsim("mmc.yaml", 360.0, N, tmp)
    print("M/M/c c=4 rho=0.9, %d customers, ccsim: %.2f s, %.2f M customers/s" % (nc, wallc, nc / wallc / 1e6))
    ns, walls, mean = simpy_mmc(N, 360.0, 0.010, 4)
    print("M/M/c c=4 rho=0.9, %d customers, SimPy 2.3: %.2f s, %.3f M customers/s (mean sojourn %.2f ms, theory 29.69)"
          % (ns, walls, ns / walls / 1e6, 1e3 * mean))
    print("ratio ccsim / SimPy (customers per second): %.0fx" % ((nc / wallc) / (ns / walls)))
    nr, wallr, _, p95r = run_ccsim("reference-serving.yaml", 2000.0, 3 * N, tmp, folder="scenarios")
    print("reference serving scenario (Poisson, fixed-rate cache, batching, 4 replicas, 1 stage), %d requests:"
          " %.2f s, %.1f M requests/s (P95 %.1f ms)" % (nr, wallr, nr / wallr / 1e6, p95r))
    small = run_ccsim("mm1.yaml", 90.0, 10**6, tmp)
    big = run_ccsim("mm1.yaml", 90.0, 10**7 if quick else 10**8, tmp)
    print("peak RSS: %d requests %.1f MiB, %d requests %.1f MiB (ratio %.3f)"
          % (small[0], small[2] / 1024, big[0], big[2] / 1024, big[2] / small[2]))
