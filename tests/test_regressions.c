/* Bugs a mutation test showed no test would notice (issue 14), each pinned by a hand-computed
 * expectation: every test here fails on the one-line mutation named above it and passes on the
 * code. The mutations themselves are listed, with the others, in tests/mutations.txt. */
#include "cache.h"
#include "ccs_csv.h"
#include "ccs_engine.h"
#include "ccs_scenario.h"
#include "ccs_trace.h"
#include "helpers.h"
#include "run.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CLOSE(a, b) (fabs((double)(a) - (double)(b)) <= 1e-9 * fmax(1.0, fabs((double)(b))))

/* cache.c: `now - at < ttl` made `<=`. A result stored at 0 with a 10 s TTL is served at
 * 9.999999 s and has expired at 10 s exactly (DOMAIN.md 4: younger than the TTL). */
Test(regressions, ttl_cache_serves_until_the_ttl_and_not_at_it)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    ccs_cache_cfg cfg = {.kind = CCS_CACHE_TTL, .hit_prob = -1, .ttl_us = 10000000, .keys = 1, .zipf_s = 1.0};
    ccs_cache *c;
    ccs_err err = {0};
    cr_assert_eq(ccs_cache_create(&cfg, rng, &c, &err), 0, "%s", err.msg);
    int64_t age = -1;
    cr_assert_eq(ccs_cache_lookup(c, 0, &age), 0, "the first request is a miss");
    cr_assert_eq(ccs_cache_lookup(c, 9999999, &age), 1, "a result 1 us short of the TTL is served");
    cr_assert_eq(age, 9999999);
    cr_assert_eq(ccs_cache_lookup(c, 10000000, &age), 0, "a result as old as the TTL has expired");
    cr_assert_eq(ccs_cache_lookup(c, 10000001, &age), 1, "the miss at 10 s stored a fresh result");
    cr_assert_eq(age, 1);
    ccs_cache_destroy(c);
    gsl_rng_free(rng);
}

/* ccs_csv.c: the record libcsv completes only at csv_fini dropped. The bundled Azure traces end
 * without a newline. */
Test(regressions, csv_keeps_the_last_row_without_a_trailing_newline)
{
    const char *path = write_text(tmp_folder(), "t.csv", "a,b\n1,2\n3,4");
    ccs_csv *c;
    ccs_err err = {0};
    cr_assert_eq(ccs_csv_open(path, ',', &c, &err), 0, "%s", err.msg);
    char **f;
    int n, rows = 0;
    char last[2][8] = {"", ""};
    while (ccs_csv_next(c, &f, &n, &err) == 1) {
        cr_assert_eq(n, 2);
        snprintf(last[0], sizeof last[0], "%s", f[0]);
        snprintf(last[1], sizeof last[1], "%s", f[1]);
        rows++;
    }
    cr_assert_eq(rows, 3, "%d records", rows);
    cr_assert_str_eq(last[0], "3");
    cr_assert_str_eq(last[1], "4");
    cr_assert_eq(ccs_csv_line(c), 3);
    ccs_csv_close(c);
    /* and through the trace loader: the last stamp's value is there */
    path = write_text(tmp_folder(), "ci.csv", "timestamp,value\n2023-01-01T00:00:00Z,100\n2023-01-01T01:00:00Z,250");
    ccs_trace *t;
    ccs_trace_opts o = {0};
    cr_assert_eq(ccs_trace_load(path, &o, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_len(t), 2u);
    cr_assert_eq(ccs_trace_values(t)[1], 250.0);
    ccs_trace_destroy(t);
}

/* ccs_yaml.c: `--set list.NAME.key` applied to the list's first item. */
Test(regressions, set_by_item_name_changes_that_item_only)
{
    const char *dir = tmp_folder();
    write_text(dir, "ci.csv", hourly_trace);
    const char *path = write_text(dir, "s.yaml",
                                  "start: \"2023-01-01T00:00:00Z\"\nduration: 2h\nseed: 1\n"
                                  "regions: [{name: r, carbon: ci.csv}, {name: q, carbon: ci.csv}]\n"
                                  "jobs:\n  - {name: a, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 2h}\n"
                                  "  - {name: b, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 2, deadline: 2h}\n");
    char set1[] = "jobs.b.power_kw=7", set2[] = "regions.q.pue=1.4";
    char *sets[] = {set1, set2};
    ccs_scenario *s;
    ccs_err err = {0};
    cr_assert_eq(ccs_scenario_load(path, sets, 2, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s->jobs[0].power_kw, 1.0);
    cr_assert_eq(s->jobs[1].power_kw, 7.0);
    cr_assert_eq(s->regions[0].pue, 1.0);
    cr_assert_eq(s->regions[1].pue, 1.4);
    ccs_scenario_destroy(s);
}

/* run.c: the baseline on another seed than the policy's run. A service of random arrivals and
 * service times (its energy depends on the seed's streams) and a job released at 02:00 into a
 * rising trace, which greenest-window runs at once, as run-now does: the policy's run and its
 * baseline are then the same run, and both equal a separate run of run-now. */
#define BASE_HEAD                                                                                            \
    "start: \"2023-01-01T00:00:00Z\"\nduration: 4h\nseed: 11\n"                                           \
    "regions: [{name: r, carbon: ci.csv, tariff_per_mwh: 80}]\n"                                           \
    "hardware: [{name: box, idle_w: 10, max_w: 100}]\n"                                                   \
    "services: [{name: s, hardware: box, arrivals: {rate_per_s: 20}, service_time: {mean_ms: 30}}]\n"     \
    "jobs: [{name: j, release: {every: 24h, at: \"02:00\"}, duration: 1h, power_kw: 3, deadline: 4h}]\n"
Test(regressions, the_baseline_is_a_run_of_run_now_on_the_same_seed)
{
    ran p = run_text(BASE_HEAD "policy: {name: greenest-window}\n");
    ran b = run_text(BASE_HEAD "policy: {name: run-now}\n");
    cr_assert_eq(p.r->jobs[0].records[0].start_us, p.r->jobs[0].records[0].release_us, "the job waited");
    /* the service's busy energy: requests x 30 ms x 90 W above idle, requests a Poisson draw */
    cr_assert_gt(p.r->services[0].busy_energy_j, 0.0);
    cr_assert_eq(p.r->totals.energy_kwh, p.r->baseline.energy_kwh, "%.17g vs %.17g", p.r->totals.energy_kwh,
                 p.r->baseline.energy_kwh);
    cr_assert_eq(p.r->totals.carbon_kg, p.r->baseline.carbon_kg);
    cr_assert_eq(p.r->totals.cost, p.r->baseline.cost);
    cr_assert_eq(p.r->baseline.energy_kwh, b.r->totals.energy_kwh, "%.17g vs %.17g", p.r->baseline.energy_kwh,
                 b.r->totals.energy_kwh);
    cr_assert_eq(p.r->baseline.carbon_kg, b.r->totals.carbon_kg);
    cr_assert_eq(p.r->baseline.cost, b.r->totals.cost);
    ran_free(p);
    ran_free(b);
}

/* run.c: the baseline simulated with the policy's plan. geo-shift moves the job to the region
 * with the lower PUE (1 against 2); run-now keeps it home, so the baseline's carbon is the home
 * region's: 1 kW x PUE 2 x 1 h x 100 g/kWh = 200 g, the policy's 100 g. */
Test(regressions, the_baseline_keeps_run_now_s_plan)
{
    ran p = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 3\n"
                     "regions: [{name: home, carbon: ci.csv, pue: 2}, {name: away, carbon: ci.csv, pue: 1}]\n"
                     "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 3h,"
                     " regions: [home, away]}]\n"
                     "transfer: {gbps: 1, cost_per_gb: 0}\npolicy: {name: geo-shift}\n");
    cr_assert_eq(p.r->jobs[0].moved, 1u, "geo-shift moves the job to the region with the lower PUE");
    cr_assert(CLOSE(p.r->jobs[0].charge.carbon_g, 100.0), "policy: %.17g g", p.r->jobs[0].charge.carbon_g);
    cr_assert(CLOSE(p.r->baseline.carbon_kg, 0.2), "baseline: %.17g kg", p.r->baseline.carbon_kg);
    ran_free(p);
}

/* job.c: the transfer cost not booked. geo-shift moves a job with 10 GB of input at 0.5 per GB:
 * 5 of transfer; no electricity prices, so the job's cost and the run's are exactly 5. */
Test(regressions, geo_shift_books_the_transfer_cost)
{
    ran p = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 3\n"
                     "regions: [{name: home, carbon: ci.csv, pue: 1.5}, {name: away, carbon: ci.csv, pue: 1}]\n"
                     "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 3h,"
                     " input_gb: 10, regions: [home, away]}]\n"
                     "transfer: {gbps: 1, cost_per_gb: 0.5}\npolicy: {name: geo-shift}\n");
    cr_assert_eq(p.r->jobs[0].moved, 1u);
    cr_assert(CLOSE(p.r->jobs[0].transfer_cost, 5.0), "%.17g", p.r->jobs[0].transfer_cost);
    cr_assert(CLOSE(p.r->jobs[0].charge.cost, 5.0), "job cost %.17g", p.r->jobs[0].charge.cost);
    cr_assert(CLOSE(p.r->totals.cost, 5.0), "run cost %.17g", p.r->totals.cost);
    cr_assert_eq(p.r->baseline.cost, 0.0);
    ran_free(p);
}

/* policy.c: the transfer left out of a plan's cost. cheapest-window with geo_shift: 10 kWh at
 * home costs 100/MWh x 10 kWh = 1.00, away 90/MWh = 0.90 plus 1 GB x 0.5 = 0.50 of transfer:
 * 1.40. It stays home and pays 1.00. */
Test(regressions, a_plan_s_cost_includes_the_transfer)
{
    ran p = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 3\n"
                     "regions: [{name: home, carbon: ci.csv, tariff_per_mwh: 100}, {name: away, carbon: ci.csv,"
                     " tariff_per_mwh: 90}]\n"
                     "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 10, deadline: 3h,"
                     " input_gb: 1, regions: [home, away]}]\n"
                     "transfer: {gbps: 1, cost_per_gb: 0.5}\npolicy: {name: cheapest-window, geo_shift: true}\n");
    cr_assert_eq(p.r->jobs[0].moved, 0u, "moved for 0.90 + 0.50 against 1.00 at home");
    cr_assert(CLOSE(p.r->jobs[0].charge.cost, 1.0), "%.17g", p.r->jobs[0].charge.cost);
    ran_free(p);
    /* at 0.05 per GB the move pays: 0.90 + 0.05 */
    ran q = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 3\n"
                     "regions: [{name: home, carbon: ci.csv, tariff_per_mwh: 100}, {name: away, carbon: ci.csv,"
                     " tariff_per_mwh: 90}]\n"
                     "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 10, deadline: 3h,"
                     " input_gb: 1, regions: [home, away]}]\n"
                     "transfer: {gbps: 1, cost_per_gb: 0.05}\npolicy: {name: cheapest-window, geo_shift: true}\n");
    cr_assert_eq(q.r->jobs[0].moved, 1u);
    cr_assert(CLOSE(q.r->jobs[0].charge.cost, 0.95), "%.17g", q.r->jobs[0].charge.cost);
    ran_free(q);
}

/* pool.c: the batch window counted from the request's arrival at the service instead of its
 * entry into the stage. One request every 100 ms through stage a (3 ms) into stage b, which
 * batches (up to 8, window 2 ms) and serves a batch in 5 ms: each request waits its whole
 * window in b, alone: 3 + 2 + 5 = 10 ms. Counted from the arrival, the window would have
 * passed on entry: 8 ms. */
Test(regressions, a_second_stage_s_batch_window_starts_at_its_entry)
{
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\nregions: [{name: r, carbon: ci.csv}]\n"
                     "services:\n  - name: s\n    arrivals: {process: deterministic, rate_per_s: 10}\n"
                     "    stages:\n"
                     "      - {name: a, service_time: {dist: deterministic, mean_ms: 3}}\n"
                     "      - {name: b, service_time: {dist: deterministic, mean_ms: 5},"
                     " batching: {max_batch: 8, window_ms: 2}}\n");
    const ccs_service_result *v = &x.r->services[0];
    cr_assert_eq(v->requests, 36000u);
    cr_assert(CLOSE(v->mean_ms, 10.0), "mean %.12g ms", v->mean_ms);
    ran_free(x);
}

/* pool.c: scale_down_delay ignored. 300 requests/s of 10 ms for 30 minutes, then 1/s; at target
 * 0.5 the scaler holds its maximum of 6, and after the drop wants 1. It scales down at the first
 * tick whose need has stayed low for the delay: with 60 s, 5 replicas stay 60 s longer than
 * with 0 s, so 300 replica-seconds more are provisioned, and nothing else differs. */
static double provisioned_hours(const char *dir, const char *delay)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 2h\nseed: 5\nregions: [{name: r, carbon: ci.csv}]\n"
             "services:\n  - name: s\n    arrivals: {process: trace-counts, trace: %s/counts.csv, scale: 1}\n"
             "    service_time: {dist: deterministic, mean_ms: 10}\n"
             "    autoscale: {min: 1, max: 6, target: 0.5, interval: 10s, scale_up_delay: 0s,"
             " scale_down_delay: %s}\n",
             dir, delay);
    ran x = run_text(yaml);
    double h = x.r->services[0].pools[0].r.provisioned_hours;
    cr_assert_eq(x.r->services[0].pools[0].r.scale_downs, 1u);
    ran_free(x);
    return h;
}

Test(regressions, the_autoscaler_waits_its_scale_down_delay)
{
    const char *dir = tmp_folder();
    char counts[8192] = "timestamp,value\n", row[64];
    for (int m = 0; m < 120; m++) {
        snprintf(row, sizeof row, "2023-01-01T%02d:%02d:00Z,%d\n", m / 60, m % 60, m < 30 ? 18000 : 60);
        strcat(counts, row);
    }
    write_text(dir, "counts.csv", counts);
    double slow = provisioned_hours(dir, "60s"), fast = provisioned_hours(dir, "0s");
    cr_assert(CLOSE(slow - fast, 5 * 60 / 3600.0), "%.12g replica-hours more with the delay, expected %.12g",
              slow - fast, 5 * 60 / 3600.0);
}

/* ccs_engine.c: advance's `time >= next pending` made `>`. An arrival handled inline at the same
 * instant as a pending event would jump ahead of it; ties must go in scheduling order, as if the
 * arrival had been scheduled: the pending event first. */
static char engine_order[16];
static int engine_n, engine_src_kind;

static void on_pending(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)eng, (void)ctx, (void)now, (void)arg;
    engine_order[engine_n++] = 'P';
}

static void on_source(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)ctx, (void)now;
    engine_order[engine_n++] = 'S';
    if (arg != 0) return;
    int64_t next = *(int64_t *)ctx;
    if (ccs_engine_advance(eng, next)) engine_order[engine_n++] = 'i'; /* handled inline */
    else ccs_engine_schedule(eng, next, engine_src_kind, 1);
}

static const char *engine_run(int64_t next)
{
    engine_n = 0;
    memset(engine_order, 0, sizeof engine_order);
    ccs_engine *eng = ccs_engine_create();
    static int64_t at;
    at = next;
    int kp = ccs_engine_add_handler(eng, on_pending, NULL);
    engine_src_kind = ccs_engine_add_handler(eng, on_source, &at);
    ccs_engine_schedule(eng, 10, kp, 0);              /* pending at 10 */
    ccs_engine_schedule(eng, 5, engine_src_kind, 0);  /* the source at 5, its next at `next` */
    ccs_engine_run(eng, INT64_MAX);
    ccs_engine_destroy(eng);
    return engine_order;
}

Test(regressions, an_inline_arrival_never_overtakes_a_pending_event_at_its_instant)
{
    cr_assert_str_eq(engine_run(7), "SiP", "before the pending event: handled inline");
    cr_assert_str_eq(engine_run(10), "SPS", "at the pending event's instant: scheduled, after it");
    cr_assert_str_eq(engine_run(12), "SPS", "after it: scheduled");
}

/* ledger.c: the day/night tariff's end hour billed at the day rate. Day 100/MWh from 02:00 to
 * 04:00 (whole hours, UTC), night 50: a 1 kW run from 03:00 to 05:00 pays one day hour and one
 * night hour, 0.100 + 0.050 = 0.150. */
Test(regressions, a_tariff_s_day_ends_at_day_to)
{
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 5h\nseed: 1\n"
                     "regions: [{name: r, carbon: ci.csv, tariff: {day_per_mwh: 100, night_per_mwh: 50,"
                     " day_from: \"02:00\", day_to: \"04:00\"}}]\n"
                     "jobs: [{name: j, release: {every: 24h, at: \"03:00\"}, duration: 2h, power_kw: 1, deadline: 2h}]\n");
    cr_assert_eq(x.r->jobs[0].runs, 1u);
    cr_assert(CLOSE(x.r->jobs[0].charge.cost, 0.15), "%.17g", x.r->jobs[0].charge.cost);
    ran_free(x);
}
