/* Serving validation: dynamic batching against its hand computation (batching.yaml), energy
 * conservation in the same runs, and the TTL cache against theory (cache.yaml). Runs through
 * the ordinary scenario-and-run path; prints each figure beside what it should be. */
#include "ccs_scenario.h"
#include "check.h"
#include "ledger.h"
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ccs_run_result *run(const char *dir, const char *file, char **sets, size_t nsets, ccs_scenario **s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/validation/%s", dir, file);
    return check_run(path, sets, nsets, s);
}

/* One batching configuration: n requests every 1 ms over 1 h, batches of b taking 2 ms, the
 * latencies of a batch's requests given; percentiles are nearest-rank (of 5, 4, 3, 2 ms the
 * P50 is 3). */
static void batching_case(const char *dir, const char *label, char **sets, size_t nsets, size_t nb,
                          const double *lat_ms, double p50, double p95)
{
    const double b = (double)nb; /* lat_ms holds nb latencies */
    printf("batching %s\n", label);
    ccs_scenario *s;
    ccs_run_result *r = run(dir, "batching.yaml", sets, nsets, &s);
    const ccs_service_result *v = &r->services[0];
    const double n = 3.6e6, batches = n / b, busy_s = batches * 0.002;
    double mean = 0;
    for (size_t i = 0; i < nb; i++) mean += lat_ms[i] / b;
    check("requests", (double)v->requests, n, 0);
    check("batches", (double)v->pools[0].r.batches, batches, 0);
    check("mean batch", v->pools[0].r.mean_batch, b, 0);
    check("mean latency ms", v->mean_ms, mean, 1e-12);
    /* percentiles are reported at the histogram's bucket midpoint: within 0.05% */
    check("P50 ms", v->p50_ms, p50, 5e-4);
    check("P95 ms", v->p95_ms, p95, 5e-4);
    /* energies are sums of ~1e6 per-batch charges in floating point: equal to 1e-9 */
    check("busy IT energy kWh = 300 W x busy time", v->busy_energy_j / 3.6e6, 300 * busy_s / 3.6e6, 1e-9);
    check("idle IT energy kWh = 100 W x 1 h", v->idle_energy_j / 3.6e6, 0.1, 1e-12);
    /* conservation: what the service was charged is what the region's books hold, hour by
     * hour summed; and busy + idle = the integral of P(t) = 100 W + 300 W x busy(t) */
    ccs_hourly h;
    if (ccs_ledger_hourly(r->ledger, 0, &h) != 0) exit(2);
    double region_it = 0, series_it = 0;
    for (size_t i = 0; i < h.n; i++) region_it += h.it_energy_kwh[i];
    for (size_t i = 0; i < v->series.n; i++) series_it += v->series.it_energy_kwh[i];
    check("region IT kWh = busy + idle", region_it, (v->busy_energy_j + v->idle_energy_j) / 3.6e6, 1e-12);
    check("integral of P(t) dt, kWh", (v->busy_energy_j + v->idle_energy_j) / 3.6e6,
          (100 * 3600 + 300 * busy_s) / 3.6e6, 1e-9);
    check("hourly series IT kWh = busy + idle", series_it, (v->busy_energy_j + v->idle_energy_j) / 3.6e6, 1e-9);
    ccs_run_result_destroy(r);
    ccs_scenario_destroy(s);
}

static void cache_case(const char *dir)
{
    enum { SEEDS = 8 };
    double hit[SEEDS], age[SEEDS], theory = 0, sum = 0, sum2 = 0, asum = 0;
    for (int k = 0; k < SEEDS; k++) {
        char seed[32];
        snprintf(seed, sizeof seed, "seed=%d", 100 + k);
        char *sets[] = {seed};
        ccs_scenario *s;
        ccs_run_result *r = run(dir, "cache.yaml", sets, 1, &s);
        hit[k] = r->services[0].cache_hit_rate;
        age[k] = r->services[0].age_hit_mean_s;
        theory = r->services[0].cache_hit_rate_theory;
        sum += hit[k];
        sum2 += hit[k] * hit[k];
        asum += age[k];
        ccs_run_result_destroy(r);
        ccs_scenario_destroy(s);
    }
    double mean = sum / SEEDS, sd = sqrt((sum2 - SEEDS * mean * mean) / (SEEDS - 1)), se = sd / sqrt(SEEDS);
    printf("TTL cache, %d seeds: hit rate %.6f +- %.6f (SE) vs theory %.6f\n", SEEDS, mean, se, theory);
    check("hit rate (relative error < 1%)", mean, theory, 0.01);
    /* and inside a 99.9% interval: |z| < 3.3 (a cold start in each run biases it by ~1e-4) */
    check_true("hit rate within 3.3 SE (+ warm-up bias 2e-4)", fabs(mean - theory) < 3.3 * se + 2e-4, "");
    check("mean age of a hit s = TTL / 2", asum / SEEDS, 1.0, 0.01);
}

int main(void)
{
    const char *dir = getenv("CCSIM_SOURCE_DIR") ? getenv("CCSIM_SOURCE_DIR") : ".";
    const double lat3[] = {4.5, 3.5, 2.5}, lat4[] = {5, 4, 3, 2};
    batching_case(dir, "max_batch 8, window 2.5 ms: batches of 3 on the window", NULL, 0, 3, lat3, 3.5, 4.5);
    char b4[] = "services.api.batching={max_batch: 4, window_ms: 10}";
    char *sets[] = {b4};
    batching_case(dir, "max_batch 4, window 10 ms: full batches of 4", sets, 1, 4, lat4, 3.0, 5.0);
    cache_case(dir);
    return check_report();
}
