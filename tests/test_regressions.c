/* Bugs a mutation test showed no test would notice (issue 14), each pinned by a hand-computed
 * expectation: every test here fails on the one-line mutation named above it and passes on the
 * code. The mutations themselves are listed, with the others, in tests/mutations.txt. */
#include "cache.h"
#include "ccs_csv.h"
#include "ccs_engine.h"
#include "ccs_scenario.h"
#include "ccs_trace.h"
#include "forecast.h"
#include "helpers.h"
#include "ledger.h"
#include "out_fs.h"
#include "policy.h"
#include "run.h"
#include "window.h"
#include "zipf.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define H           3600000000LL
#define CLOSE(a, b) (fabs((double)(a) - (double)(b)) <= 1e-9 * fmax(1.0, fabs((double)(b))))

/* cache.c: `now - at < ttl` made `<=`. A result stored at 0 with a 10 s TTL is served at
 * 9.999999 s and has expired at 10 s exactly (docs/model.md 4: younger than the TTL). */
/* A TTL cache over `keys` Zipf keys (s = 1) drawing from *rng (allocated here; the caller frees). */
static ccs_cache *ttl_cache(int64_t ttl_us, long keys, gsl_rng **rng)
{
    *rng = gsl_rng_alloc(gsl_rng_taus2);
    ccs_cache_cfg cfg = {.kind = CCS_CACHE_TTL, .hit_prob = -1, .ttl_us = ttl_us, .keys = keys, .zipf_s = 1.0};
    ccs_cache *c;
    ccs_err err = {0};
    cr_assert_eq(ccs_cache_create(&cfg, *rng, &c, &err), 0, "%s", err.msg);
    return c;
}

Test(regressions, ttl_cache_serves_until_the_ttl_and_not_at_it)
{
    gsl_rng *rng;
    ccs_cache *c = ttl_cache(10000000, 1, &rng);
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
    const char *path = write_text(
        dir, "s.yaml",
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
#define BASE_HEAD                                                                                     \
    "start: \"2023-01-01T00:00:00Z\"\nduration: 4h\nseed: 11\n"                                       \
    "regions: [{name: r, carbon: ci.csv, tariff_per_mwh: 80}]\n"                                      \
    "hardware: [{name: box, idle_w: 10, max_w: 100}]\n"                                               \
    "services: [{name: s, hardware: box, arrivals: {rate_per_s: 20}, service_time: {mean_ms: 30}}]\n" \
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

/* job.c: the transfer cost not booked, and the transfer time of GB over Gbit/s without the 8
 * bits per byte. geo-shift moves a job with 10 GB of input at 0.5 per GB: 5 of transfer; no
 * electricity prices, so the job's cost and the run's are exactly 5. Over 1 Gbit/s the input
 * takes 80 s on the wire: the run starts 80 s after its release, away. */
Test(regressions, geo_shift_books_the_transfer_cost_and_time)
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
    const ccs_job_run_record *rec = &p.r->jobs[0].records[0];
    cr_assert_eq(rec->start_us - rec->release_us, 80000000, "started %lld us after release",
                 (long long)(rec->start_us - rec->release_us));
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
    (void)now;
    engine_order[engine_n++] = 'S';
    if (arg != 0) return;
    int64_t next = *(int64_t *)ctx;
    if (ccs_engine_advance(eng, next))
        engine_order[engine_n++] = 'i'; /* handled inline */
    else
        ccs_engine_schedule(eng, next, engine_src_kind, 1);
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
    ccs_engine_schedule(eng, 10, kp, 0);             /* pending at 10 */
    ccs_engine_schedule(eng, 5, engine_src_kind, 0); /* the source at 5, its next at `next` */
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
    ran x =
        run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 5h\nseed: 1\n"
                 "regions: [{name: r, carbon: ci.csv, tariff: {day_per_mwh: 100, night_per_mwh: 50,"
                 " day_from: \"02:00\", day_to: \"04:00\"}}]\n"
                 "jobs: [{name: j, release: {every: 24h, at: \"03:00\"}, duration: 2h, power_kw: 1, deadline: 2h}]\n");
    cr_assert_eq(x.r->jobs[0].runs, 1u);
    cr_assert(CLOSE(x.r->jobs[0].charge.cost, 0.15), "%.17g", x.r->jobs[0].charge.cost);
    ran_free(x);
}

/* An hourly window from 0 over the intensities given (prices all p), for the search and the
 * policies called directly. */
typedef struct hourly_window {
    int64_t t[16];
    double ci[15], price[15], ci_h[16], price_h[16];
    ccs_window w;
} hourly_window;

static void hourly(hourly_window *h, size_t n, const double *ci, double p)
{
    h->ci_h[0] = h->price_h[0] = 0;
    for (size_t k = 0; k <= n; k++) h->t[k] = (int64_t)k * H;
    for (size_t k = 0; k < n; k++) {
        h->ci[k] = ci[k];
        h->price[k] = p;
        h->ci_h[k + 1] = h->ci_h[k] + ci[k];
        h->price_h[k + 1] = h->price_h[k] + p;
    }
    h->w = (ccs_window){n, h->t, h->ci, h->price, h->ci_h, h->price_h};
}

/* window.c: among equal windows the latest start kept (`<=`). On a flat day every start of a
 * 1 h run in [0, 2 h] emits 100: the earliest, 0, is the answer (window.h); the mutation takes
 * 2 h, an hour of freshness lost for nothing. */
Test(regressions, equal_windows_keep_the_earliest_start)
{
    hourly_window h;
    hourly(&h, 3, (const double[]){100, 100, 100}, 0);
    ccs_objective green = {1, 0, 0, 0, 0, INFINITY, 0, 0, 0, 0};
    ccs_run_plan p = {0};
    cr_assert_eq(ccs_window_best_start(&h.w, H, 0, 2 * H, &green, &p), 0);
    cr_assert(p.feasible);
    cr_assert_eq(p.iv[0].a_us, 0, "start %lld", (long long)p.iv[0].a_us);
    cr_assert(CLOSE(p.ci_h, 100));
    /* and from a later lo, that lo */
    cr_assert_eq(ccs_window_best_start(&h.w, H, H / 2, 2 * H, &green, &p), 0);
    cr_assert_eq(p.iv[0].a_us, H / 2, "start %lld", (long long)p.iv[0].a_us);
    ccs_run_plan_free(&p);
}

/* forecast.c: the price noise drawn from the carbon stream. Both relative errors would then be
 * the same normal draws, perfectly correlated. Over 240 hours of a noisy forecast (constant
 * spread 0.2 of each value) the two errors' sample correlation is |r| < 0.3 when independent
 * (its spread is 1 / sqrt(240) = 0.065: 4.6 sd), and each error's spread is near 0.2. */
Test(regressions, forecast_price_and_carbon_errors_are_independent)
{
    enum { N = 240 };
    const char *dir = tmp_folder();
    char *ci = malloc(N * 40 + 32), *pr = malloc(N * 40 + 32);
    cr_assert(ci && pr);
    strcpy(ci, "timestamp,value\n");
    strcpy(pr, "timestamp,value\n");
    size_t lc = strlen(ci), lp = strlen(pr);
    for (int k = 0; k < N; k++) {
        char stamp[32];
        snprintf(stamp, sizeof stamp, "2023-01-%02dT%02d:00:00Z", 1 + k / 24, k % 24);
        lc += (size_t)sprintf(ci + lc, "%s,%d\n", stamp, 100 + 10 * (k % 37));
        lp += (size_t)sprintf(pr + lp, "%s,%d\n", stamp, 40 + 3 * (k % 29));
    }
    ccs_err err = {0};
    ccs_trace *tc, *tp;
    ccs_trace_opts o = {0};
    cr_assert_eq(ccs_trace_load(write_text(dir, "ci.csv", ci), &o, &tc, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_load(write_text(dir, "pr.csv", pr), &o, &tp, &err), 0, "%s", err.msg);
    free(ci);
    free(pr);
    int64_t t0 = ccs_trace_times(tc)[0];
    ccs_ledger_region reg = {.name = "r", .carbon = tc, .price = tp, .fixed_price_per_mwh = -1, .pue = 1};
    ccs_ledger *l;
    cr_assert_eq(ccs_ledger_create(&reg, 1, t0, t0 + N * H, &l, &err), 0, "%s", err.msg);
    const char *names[] = {"r"};
    ccs_forecast_params fp = {.kind = CCS_FORECAST_NOISY,
                              .error = 0.2,
                              .growth = CCS_GROWTH_CONSTANT,
                              .scale = CCS_ERROR_OF_VALUE,
                              .seed = 7,
                              .region_names = names};
    ccs_forecast *f;
    cr_assert_eq(ccs_forecast_create(l, 1, &fp, &f, &err), 0, "%s", err.msg);
    ccs_window w;
    cr_assert_eq(ccs_forecast_window(f, 0, t0, t0 + N * H, &w), 0);
    cr_assert_eq(w.n, (size_t)N);
    double sc = 0, sp = 0, scc = 0, spp = 0, scp = 0;
    for (int k = 0; k < N; k++) {
        double ec = w.ci[k] / (100 + 10 * (k % 37)) - 1, ep = w.price[k] / (40 + 3 * (k % 29)) - 1;
        sc += ec, sp += ep, scc += ec * ec, spp += ep * ep, scp += ec * ep;
    }
    double vc = scc / N - (sc / N) * (sc / N), vp = spp / N - (sp / N) * (sp / N);
    double r = (scp / N - (sc / N) * (sp / N)) / sqrt(vc * vp);
    cr_assert(fabs(r) < 0.3, "carbon and price errors correlated: r = %.3f", r);
    cr_assert(fabs(sqrt(vc) - 0.2) < 0.05 && fabs(sqrt(vp) - 0.2) < 0.05, "spreads %.3f and %.3f, expected 0.2",
              sqrt(vc), sqrt(vp));
    ccs_forecast_destroy(f);
    ccs_ledger_destroy(l);
    ccs_trace_destroy(tc);
    ccs_trace_destroy(tp);
}

/* policy.c: the transfer cost added to a constrained search's bound instead of taken off it.
 * price-tolerance in the away option: 10 kW for 1 h at 100/MWh is 1.00 of electricity, plus 0.50
 * of transfer: 1.50. Run-now's cost B = 1.00; at X = 0.4 the cap is 1.40 and nothing away fits;
 * at X = 0.6 (cap 1.60) the run at ready does, at 1.50. */
static ccs_plan away_plan(double x)
{
    static hourly_window h;
    static ccs_option opt[2];
    static ccs_policy_cfg cfg;
    hourly(&h, 2, (const double[]){50, 50}, 100);
    opt[0] = (ccs_option){.region = 0, .pue = 1, .ready_us = 0, .transfer_cost = 0, .w = h.w};
    opt[1] = (ccs_option){.region = 1, .pue = 1, .ready_us = 0, .transfer_cost = 0.5, .w = h.w};
    cfg.param[0] = x; /* price-tolerance's X */
    ccs_job_decision d = {0, 2 * H, H, 0, 10000.0, 0, opt, 2, 1.0, &cfg, NULL, 0};
    ccs_plan p = {0};
    cr_assert_eq(ccs_policy_find("price-tolerance")->plan(&d, 1, &p), 0);
    if (p.run.feasible)
        cr_assert(ccs_policy_cost(&d, 1, &p.run) <= 1.0 + x + 1e-12, "cost %.17g over the cap",
                  ccs_policy_cost(&d, 1, &p.run));
    return p;
}

Test(regressions, a_cap_counts_the_transfer_against_the_plan)
{
    ccs_plan p = away_plan(0.4);
    cr_assert_eq(p.run.feasible, 0, "1.00 + 0.50 of transfer fits a cap of 1.40");
    ccs_run_plan_free(&p.run);
    ccs_plan q = away_plan(0.6);
    cr_assert_eq(q.run.feasible, 1);
    cr_assert(CLOSE(q.objective, 50.0 * 10), "carbon %.17g g", q.objective);
    ccs_run_plan_free(&q.run);
}

/* threshold.c (contiguous): "below Y" read as "at most Y". Intensities 300, 150, 100 and
 * Y = 150: the first hour strictly below Y is the third; a 1 h run with a 3 h deadline starts
 * there, at 2 h, and emits 100 g per kW. */
static ccs_plan threshold_on(const double *ci, size_t n, double y, int64_t work, int64_t ck, int interruptible)
{
    static hourly_window h;
    static ccs_option opt;
    static ccs_policy_cfg cfg;
    hourly(&h, n, ci, 0);
    opt = (ccs_option){.region = 0, .pue = 1, .ready_us = 0, .transfer_cost = 0, .w = h.w};
    cfg.param[0] = y; /* threshold's Y */
    ccs_job_decision d = {0, (int64_t)n * H, work, ck, 1000.0, interruptible, &opt, 1, 0.0, &cfg, NULL, 0};
    ccs_plan p = {0};
    cr_assert_eq(ccs_policy_find("threshold")->plan(&d, 0, &p), 0);
    cr_assert(p.run.feasible);
    return p;
}

Test(regressions, threshold_starts_strictly_below_y)
{
    ccs_plan p = threshold_on((const double[]){300, 150, 100}, 3, 150, H, 0, 0);
    cr_assert_eq(p.run.iv[0].a_us, 2 * H, "start %lld", (long long)p.run.iv[0].a_us);
    cr_assert(CLOSE(p.run.ci_h, 100));
    cr_assert_eq(p.override, 0);
    ccs_run_plan_free(&p.run);
}

/* threshold.c (interruptible): the checkpoint paid after a resume counted as work. Intensities
 * 100, 300, 100, 300, 100, Y = 150, 2 h of work, 30 min per resume, deadline 5 h: hour 0 does
 * 60 min of work; hour 2 pays 30 min of checkpoint and does 30 of work; hour 4 pays 30 and does
 * the last 30: [0, 1 h), [2 h, 3 h), [4 h, 5 h), 300 g. Counting the checkpoint as work, the plan
 * would stop after hour 2 with 30 min of work never done. */
Test(regressions, threshold_does_all_the_work_besides_checkpoints)
{
    ccs_plan p = threshold_on((const double[]){100, 300, 100, 300, 100}, 5, 150, 2 * H, H / 2, 1);
    cr_assert_eq(p.run.n, 3u, "%zu intervals", p.run.n);
    for (size_t i = 0; i < 3; i++)
        cr_assert(p.run.iv[i].a_us == (int64_t)(2 * i) * H && p.run.iv[i].b_us == (int64_t)(2 * i + 1) * H,
                  "interval %zu: [%lld, %lld)", i, (long long)p.run.iv[i].a_us, (long long)p.run.iv[i].b_us);
    cr_assert(CLOSE(p.run.hours, 2.0 + 2 * 0.5), "hours %.17g: the work and two resumes", p.run.hours);
    cr_assert(CLOSE(p.run.ci_h, 300), "%.17g", p.run.ci_h);
    cr_assert_eq(p.override, 0);
    ccs_run_plan_free(&p.run);
}

/* arrivals/trace_counts.c: an offset into the trace ignored inside its first interval. Counts
 * of 3,600 in the first hour and none after, read from 30 min in, for an hour: the first
 * interval has 30 min left, so about 1,800 requests (Poisson: sd 42) and none after; taking
 * the whole first hour would give about 3,600. */
Test(regressions, a_trace_offset_starts_inside_its_interval)
{
    const char *dir = tmp_folder();
    write_text(dir, "counts.csv",
               "timestamp,value\n2023-01-01T00:00:00Z,3600\n2023-01-01T01:00:00Z,0\n"
               "2023-01-01T02:00:00Z,0\n");
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 4\nregions: [{name: r, carbon: ci.csv}]\n"
             "services:\n  - name: s\n    arrivals: {process: trace-counts, trace: %s/counts.csv, scale: 1,"
             " offset: 30m}\n    service_time: {dist: deterministic, mean_ms: 1}\n",
             dir);
    ran x = run_text(yaml);
    double n = (double)x.r->services[0].requests;
    cr_assert(fabs(n - 1800) < 5 * sqrt(1800), "%g requests, expected about 1,800", n);
    ran_free(x);
}

/* cache.c: its keys drawn ahead in blocks (two halves, one refilled while the other is used) are
 * the keys one-by-one draws give, in order. LOOKUPS lookups at random times on `keys` keys (s = 1)
 * replayed by hand: the same seed's keys from ccs_zipf_draw, one stamp per key; every lookup's hit
 * and age must agree. A half refilled too early, too late or not at all repeats or skips keys and
 * parts from the replay within a few hundred lookups. */
static void replay_by_hand(long keys, int64_t ttl)
{
    enum { LOOKUPS = 200000 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, 99); /* seeded before the cache is made: it draws ahead at once */
    ccs_cache_cfg cfg = {.kind = CCS_CACHE_TTL, .hit_prob = -1, .ttl_us = ttl, .keys = keys, .zipf_s = 1.0};
    ccs_cache *c;
    ccs_err err = {0};
    cr_assert_eq(ccs_cache_create(&cfg, rng, &c, &err), 0, "%s", err.msg);
    gsl_rng *mine = gsl_rng_alloc(gsl_rng_taus2), *times = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(mine, 99);
    gsl_rng_set(times, 5);
    ccs_zipf z;
    ccs_zipf_init(&z, keys, 1.0);
    int64_t *stamp = malloc((size_t)(keys + 1) * sizeof *stamp);
    cr_assert_not_null(stamp);
    for (long k = 0; k <= keys; k++) stamp[k] = -1;
    int64_t now = 0;
    long hits = 0, last_half = 0;
    for (long i = 0; i < LOOKUPS; i++) {
        now += (int64_t)gsl_rng_uniform_int(times, 200);
        long k = ccs_zipf_draw(&z, mine);
        int want = stamp[k] >= 0 && now - stamp[k] < ttl;
        int64_t want_age = want ? now - stamp[k] : 0, age = -1;
        if (!want) stamp[k] = now;
        int got = ccs_cache_lookup(c, now, &age);
        cr_assert(got == want && age == want_age, "lookup %ld at %lld us: %s age %lld, by hand %s age %lld", i,
                  (long long)now, got ? "hit" : "miss", (long long)age, want ? "hit" : "miss", (long long)want_age);
        hits += want;
        last_half += k > keys / 2;
    }
    cr_assert(hits > LOOKUPS / 10 && hits < LOOKUPS * 9 / 10, "%ld hits: the check needs both", hits);
    cr_assert(last_half > 0, "no key from the upper half of %ld was looked up: the check needs the whole array", keys);
    free(stamp);
    ccs_cache_destroy(c);
    gsl_rng_free(rng);
    gsl_rng_free(mine);
    gsl_rng_free(times);
}

/* 1,000 keys, TTL 50 ms */
Test(regressions, ttl_cache_replays_keys_drawn_one_by_one) { replay_by_hand(1000, 50000); }

/* 300,000 keys (2.4 MB of stamps: the array on huge pages, its size rounded up to 4 MB), TTL 5 s */
Test(regressions, ttl_cache_on_huge_pages_replays_keys_drawn_one_by_one) { replay_by_hand(300000, 5000000); }

/* cache.c: Zipf popularity with the exponent's sign lost, and the theoretical hit rate left
 * unweighted by each key's share. Three keys, s = 1: shares 6/11, 3/11, 2/11; one request a
 * second, TTL 1 s: each key's hit probability is lt / (1 + lt), lt = share x 1 x 1, and the
 * rate is their mean weighted by share: 36/187 + 9/154 + 4/143 = 0.27893... */
Test(regressions, ttl_cache_theory_by_hand)
{
    gsl_rng *rng;
    ccs_cache *c = ttl_cache(1000000, 3, &rng);
    double want = 36.0 / 187 + 9.0 / 154 + 4.0 / 143;
    double got = ccs_cache_expected_hit_rate(c, 1.0);
    cr_assert(CLOSE(got, want), "theory %.17g, by hand %.17g", got, want);
    ccs_cache_destroy(c);
    gsl_rng_free(rng);
}

/* policies/greenest_window.c: weighing cost as well as carbon. Two hours, 100 and 101 g/kWh,
 * the cleaner one at 10,000 per MWh, the other free: greenest-window takes the cleaner hour
 * whatever it costs (100 g for 1 kW); weighing 10.00 of cost too would move it to the free one. */
Test(regressions, greenest_window_ignores_the_price)
{
    static const int64_t t[] = {0, H, 2 * H};
    static const double ci[] = {100, 101}, price[] = {10000, 0}, ci_h[] = {0, 100, 201}, price_h[] = {0, 10000, 10000};
    static ccs_option opt;
    static ccs_policy_cfg cfg;
    opt = (ccs_option){.region = 0, .pue = 1, .ready_us = 0, .transfer_cost = 0, .w = {2, t, ci, price, ci_h, price_h}};
    ccs_job_decision d = {0, 2 * H, H, 0, 1000.0, 0, &opt, 1, 0.0, &cfg, NULL, 0};
    ccs_plan p = {0};
    cr_assert_eq(ccs_policy_find("greenest-window")->plan(&d, 0, &p), 0);
    cr_assert(p.run.feasible);
    cr_assert_eq(p.run.iv[0].a_us, 0, "start %lld", (long long)p.run.iv[0].a_us);
    cr_assert(CLOSE(p.objective, 100), "%.17g g", p.objective);
    ccs_run_plan_free(&p.run);
}

/* out_fs.c: any name holding ".tmp.<pid>" taken for a temporary of ours. Before writing
 * DIR/summary.json, a writer removes the hidden temporaries (.NAME.tmp.PID) of writers that are
 * gone; a user's own file "notes.tmp.<that pid>", not hidden, is not ours and must stay. */
Test(regressions, only_hidden_temporaries_of_ended_writers_are_removed)
{
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    cr_assert_gt(dead, 0);
    waitpid(dead, NULL, 0); /* ended and reaped: kill(dead, 0) fails with ESRCH */
    const char *dir = tmp_folder();
    char ours[64], theirs[64], path[4200], probe[4300];
    snprintf(ours, sizeof ours, ".summary.json.tmp.%ld", (long)dead);
    snprintf(theirs, sizeof theirs, "notes.tmp.%ld", (long)dead);
    write_text(dir, ours, "{");
    write_text(dir, theirs, "a user's file");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    ccs_fs_clean_temporaries(path);
    snprintf(probe, sizeof probe, "%s/%s", dir, ours);
    cr_assert_neq(access(probe, F_OK), 0, "the ended writer's temporary %s is still there", ours);
    snprintf(probe, sizeof probe, "%s/%s", dir, theirs);
    cr_assert_eq(access(probe, F_OK), 0, "the user's file %s was removed", theirs);
}
