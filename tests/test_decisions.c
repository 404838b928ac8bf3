/* Decisions as finance and operations make them (issue 16): a job's own policy, its limits on
 * each run (planned exactly, with the crossings inside an hour), what runs when no plan meets
 * them, and the full cost the planner weighs and the outputs break down. Every figure below is
 * worked out by hand from two 8-hour traces:
 *   hour       0    1    2    3    4    5    6    7
 *   gCO2e/kWh 300  100  400  200  500   50  600  600
 *   per MWh    10   50   20   40    5   60   30   30
 * A 1 h run at 1 kW (PUE 1) released at 00:00 with a 6 h deadline starts in [0 h, 5 h]; starting at
 * s inside hour k it spends (k + 1 - s) h in hour k and (s - k) h in hour k + 1. Run-now: 300 g,
 * 0.010. */
#include "ccs_rng.h"
#include "ccs_scenario.h"
#include "helpers.h"
#include "job.h"
#include "run.h"
#include "window.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const int64_t H = 3600000000LL;

/* The scenario head with region r on the two traces and the region keys given ("pue: 1", ...). */
static const char *traces_with(const char *keys)
{
    static char yaml[1024];
    const char *dir = tmp_folder();
    const char *ci = write_text(dir, "ci8.csv",
                                "timestamp,value\n2023-01-01T00:00:00Z,300\n2023-01-01T01:00:00Z,100\n"
                                "2023-01-01T02:00:00Z,400\n2023-01-01T03:00:00Z,200\n2023-01-01T04:00:00Z,500\n"
                                "2023-01-01T05:00:00Z,50\n2023-01-01T06:00:00Z,600\n2023-01-01T07:00:00Z,600\n");
    const char *pr = write_text(dir, "price8.csv",
                                "timestamp,value\n2023-01-01T00:00:00Z,10\n2023-01-01T01:00:00Z,50\n"
                                "2023-01-01T02:00:00Z,20\n2023-01-01T03:00:00Z,40\n2023-01-01T04:00:00Z,5\n"
                                "2023-01-01T05:00:00Z,60\n2023-01-01T06:00:00Z,30\n2023-01-01T07:00:00Z,30\n");
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\ncurrency: USD\n"
             "regions: [{name: r, carbon: %s, price: %s, %s}]\n",
             ci, pr, keys);
    return yaml;
}

static const char *traces(void) { return traces_with("pue: 1"); }

/* One job "j" (1 h at 1 kW, deadline 6 h) with the extra keys given, under a scenario policy. */
static ran one_job(const char *policy, const char *extra)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%sjobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 6h%s}]\n"
             "policy: %s\n",
             traces(), extra, policy);
    return run_text(yaml);
}

static double start_h(const ran *x) { return (double)(x->r->jobs[0].records[0].start_us - x->s->start_us) / (double)H; }

Test(decisions, a_jobs_own_policy_overrides_the_scenarios)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%sjobs: [{name: a, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 6h,"
             " policy: {name: cheapest-window}},\n"
             "       {name: b, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 6h}]\n"
             "policy: {name: greenest-window, forecast: perfect}\n",
             traces());
    ran x = run_text(yaml);
    /* a: the cheapest hour, 4 (5 per MWh); b: the scenario's greenest, hour 5 (50 g) */
    cr_assert_eq(x.r->jobs[0].records[0].start_us - x.s->start_us, 4 * H);
    cr_assert_float_eq(x.r->jobs[0].charge.cost, 0.005, 1e-12);
    cr_assert_eq(x.r->jobs[1].records[0].start_us - x.s->start_us, 5 * H);
    cr_assert_float_eq(x.r->jobs[1].charge.carbon_g, 50, 1e-9);
    /* the job's map inherits what it does not give: the scenario's forecast */
    cr_assert_eq(x.s->jobs[0].policy.forecast, x.s->policy.forecast);
    cr_assert_str_eq(x.s->jobs[0].policy.type->name, "cheapest-window");
    ran_free(x);
    char msg[512];
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                                 "jobs: [{name: j, release: {every: 24h}, duration: 1h, power_kw: 1,"
                                 " policy: {name: greenest-windw}}]\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "jobs[j].policy.name: unknown policy 'greenest-windw'"), "%s", msg);
    cr_assert(strstr(msg, "did you mean 'greenest-window'"), "%s", msg);
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                                 "jobs: [{name: j, release: {every: 24h}, duration: 1h, power_kw: 1,"
                                 " policy: {name: carbon-cap}}]\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "s.yaml:4:") &&
                  strstr(msg, "jobs[j].policy: carbon-cap needs jobs[j].policy.carbon_cap_g_per_kwh"),
              "%s", msg);
}

Test(decisions, max_cost_increase_binds_inside_an_hour)
{
    /* greenest under cost <= B + x B, B = 0.010. x = 0: only run-now costs 0.010 or less (other
     * starts: s in [3, 4] needs s >= 3.857, 457 g or more) -> 300 g at 0 h. x = 1 (<= 0.020):
     * in hour 0, 10 + 40 s <= 20 gives s <= 0.25, carbon 300 - 200 s = 250 g. */
    ran x = one_job("{name: greenest-window}", ", max_cost_increase: 0");
    cr_assert_float_eq(start_h(&x), 0, 1e-12);
    cr_assert_float_eq(x.r->jobs[0].charge.carbon_g, 300, 1e-9);
    cr_assert_eq(x.r->jobs[0].planned, 1u);
    ran_free(x);
    x = one_job("{name: greenest-window}", ", max_cost_increase: 1");
    cr_assert_float_eq(start_h(&x), 0.25, 1e-6, "start %.9f h", start_h(&x));
    cr_assert_float_eq(x.r->jobs[0].charge.carbon_g, 250, 1e-3);
    cr_assert(x.r->jobs[0].charge.cost <= 0.020, "cost %.15g over the cap", x.r->jobs[0].charge.cost);
    ran_free(x);
    /* max_cost states the same cap in money */
    x = one_job("{name: greenest-window}", ", max_cost: 0.02");
    cr_assert_float_eq(start_h(&x), 0.25, 1e-6);
    ran_free(x);
    /* with a looser cap of the policy's own (price-tolerance at X = 10: 0.11, which would take
     * hour 5, 50 g), the tighter of the two binds */
    x = one_job("{name: price-tolerance, price_tolerance: 10}", ", max_cost: 0.02");
    cr_assert_float_eq(start_h(&x), 0.25, 1e-6);
    ran_free(x);
}

Test(decisions, max_intensity_and_min_saving_bind_the_cheapest)
{
    /* cheapest with mean intensity <= 250: s = 0.25 in hour 0 (cost 10 + 40 s = 20 per MWh);
     * the next best crossings cost 34.2 (s = 3.167) and 35 per MWh */
    ran x = one_job("{name: cheapest-window}", ", max_intensity: 250");
    cr_assert_float_eq(start_h(&x), 0.25, 1e-6);
    cr_assert_float_eq(x.r->jobs[0].charge.cost, 0.020, 1e-8);
    ran_free(x);
    /* the mean is per kWh: at 2 kW and PUE 1.5 the same limit gives the same start */
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%sjobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 2, deadline: 6h,"
             " max_intensity: 250}]\npolicy: {name: cheapest-window}\n",
             traces_with("pue: 1.5"));
    x = run_text(yaml);
    cr_assert_float_eq(start_h(&x), 0.25, 1e-6);
    cr_assert_float_eq(x.r->jobs[0].charge.carbon_g, 250 * 3, 1e-2);
    ran_free(x);
    /* saving half of run-now's 300 g: carbon <= 150, 300 - 200 s <= 150 -> s = 0.75, 40 per MWh */
    x = one_job("{name: cheapest-window}", ", min_saving: 0.5");
    cr_assert_float_eq(start_h(&x), 0.75, 1e-6);
    cr_assert_float_eq(x.r->jobs[0].charge.carbon_g, 150, 1e-3);
    cr_assert_float_eq(x.r->jobs[0].charge.cost, 0.040, 1e-8);
    ran_free(x);
}

Test(decisions, on_infeasible_run_now_best_effort_and_skip)
{
    /* threshold (run below 250 g: hour 1, 0.050) does not search: its plan breaks max_cost 0.03,
     * and no other plan is its own -> on_infeasible */
    ran x = one_job("{name: threshold, threshold_g_per_kwh: 250}", "");
    cr_assert_float_eq(start_h(&x), 1, 1e-12);
    ran_free(x);
    x = one_job("{name: threshold, threshold_g_per_kwh: 250}", ", max_cost: 0.03");
    cr_assert_float_eq(start_h(&x), 0, 1e-12); /* run-now, the default */
    cr_assert_eq(x.r->jobs[0].fallbacks, 1u);
    cr_assert_eq(x.r->jobs[0].planned, 0u);
    ran_free(x);
    /* best-effort: as far towards the cap as it goes: the cheapest hour, 4 */
    x = one_job("{name: threshold, threshold_g_per_kwh: 250}", ", max_cost: 0.03, on_infeasible: best-effort");
    cr_assert_float_eq(start_h(&x), 4, 1e-12);
    cr_assert_eq(x.r->jobs[0].fallbacks, 1u);
    ran_free(x);
    /* min_saving 0.9 (30 g) fits nowhere: skip runs nothing and counts it */
    x = one_job("{name: greenest-window}", ", min_saving: 0.9, on_infeasible: skip");
    cr_assert_eq(x.r->jobs[0].runs, 1u);
    cr_assert_eq(x.r->jobs[0].skipped, 1u);
    cr_assert_eq(x.r->jobs[0].planned, 0u);
    cr_assert_float_eq(x.r->jobs[0].charge.energy_j, 0, 1e-12);
    cr_assert_float_eq(x.r->totals.energy_kwh, 0, 1e-12);
    ran_free(x);
    char msg[512];
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                                 "jobs: [{name: j, release: {every: 24h}, duration: 1h, power_kw: 1,"
                                 " on_infeasible: later}]\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "expected one of run-now, best-effort, skip"), "%s", msg);
}

/* The full cost: owned hardware pays electricity and capex; rented pays rent by region, from the
 * bundled table; the planner weighs what the ledger books, and the outputs break it down. */
Test(decisions, full_cost_breakdown_and_rent_by_cloud_region)
{
    /* owned: 1 kW, capex 8766 over 1 year = 1 per hour; 2 h from 00:00: energy 10 + 50 per MWh x
     * 1 kWh = 0.060, capex 2 */
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%shardware: [{name: box, idle_w: 0, max_w: 1000, capex: 8766, lifetime_years: 1}]\n"
             "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 2h, hardware: box}]\n",
             traces());
    ran x = run_text(yaml);
    const double *m = x.r->jobs[0].charge.money;
    cr_assert_float_eq(m[CCS_MONEY_ENERGY], 0.060, 1e-12);
    cr_assert_float_eq(m[CCS_MONEY_CAPEX], 2.0, 1e-12);
    cr_assert_float_eq(m[CCS_MONEY_RENT] + m[CCS_MONEY_TRANSFER], 0, 0);
    cr_assert_float_eq(x.r->totals.cost, 2.060, 1e-12);
    cr_assert_float_eq(x.r->totals.money[CCS_MONEY_CAPEX], 2.0, 1e-12);
    cr_assert_float_eq(x.r->totals.money[CCS_MONEY_ENERGY], 0.060, 1e-12);
    ran_free(x);
    /* rented L4s: the bundled table's aws/eu-central-1 g6.xlarge, 1.0064 per hour; 2 devices,
     * 1 h, a 1-year commitment at 0.63 of on-demand: 2 x 1.0064 x 0.63 */
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\ncurrency: USD\n"
             "regions: [{name: de, carbon: ci.csv, tariff_per_mwh: 100, cloud_region: aws/eu-central-1}]\n"
             "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, hardware: l4,"
             " max_parallelism: 2, reserved_factor: 0.63}]\n");
    x = run_text(yaml);
    cr_assert_float_eq(x.r->jobs[0].charge.money[CCS_MONEY_RENT], 2 * 1.0064 * 0.63, 1e-12);
    cr_assert_float_eq(x.r->jobs[0].charge.money[CCS_MONEY_ENERGY], 0, 0); /* the instance price has it */
    ran_free(x);
}

/* Rent by region in planning: the cleaner region's GPUs cost more per hour, so a cost tolerance
 * of 0 keeps the run home and a tolerance that covers the difference moves it. */
Test(decisions, cost_tolerance_binds_on_rent_between_regions)
{
    const char *dir = tmp_folder();
    const char *dirty = write_text(dir, "dirty.csv",
                                   "timestamp,value\n2023-01-01T00:00:00Z,400\n"
                                   "2023-01-01T06:00:00Z,400\n");
    const char *clean = write_text(dir, "clean.csv",
                                   "timestamp,value\n2023-01-01T00:00:00Z,100\n"
                                   "2023-01-01T06:00:00Z,100\n");
    char yaml[2048];
    for (int k = 0; k < 2; k++) {
        /* home gcp/us-central1 (g2-standard-4: 0.70683), away aws/eu-central-1 (g6.xlarge: 1.0064):
         * moving costs 0.29957 more, 42.4% over run-now; no input to transfer */
        snprintf(yaml, sizeof yaml,
                 "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\ncurrency: USD\n"
                 "regions: [{name: home, carbon: %s, tariff_per_mwh: 100, cloud_region: gcp/us-central1},\n"
                 "          {name: away, carbon: %s, tariff_per_mwh: 100, cloud_region: aws/eu-central-1}]\n"
                 "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, hardware: l4,"
                 " regions: [home, away]}]\n"
                 "policy: {name: price-tolerance, price_tolerance: %s, geo_shift: true}\n",
                 dirty, clean, k ? "0.43" : "0.42");
        ccs_err err = {0};
        ccs_scenario *s;
        ccs_run_result *r;
        cr_assert_eq(ccs_scenario_load(write_text(dir, "s.yaml", yaml), NULL, 0, &s, &err), 0, "%s", err.msg);
        cr_assert_eq(ccs_run(s, &r, &err), 0, "%s", err.msg);
        cr_assert_eq(r->jobs[0].records[0].region, k, "tolerance %s: region %d", k ? "0.43" : "0.42",
                     r->jobs[0].records[0].region);
        cr_assert_float_eq(r->jobs[0].charge.cost, k ? 1.0064 : 0.70683, 1e-12);
        ccs_run_result_destroy(r);
        ccs_scenario_destroy(s);
    }
}

/* Two constraints on a contiguous run (a job's cost cap and its carbon cap together), checked
 * against a brute force over every start on a 1-second grid, on 2,000 seeded random windows of
 * whole-minute pieces: the planner's plan meets both, and nothing on the grid that meets both does
 * better; and the grid's best is within one second's worth of the objective of the plan's. */
Test(decisions, two_constraints_on_a_contiguous_run_match_a_brute_force)
{
    enum { N = 12 };
    int feasible = 0, binding = 0;
    int64_t t[N + 1];
    double ci[N], pr[N], ci_h[N + 1], pr_h[N + 1];
    for (unsigned seed = 1; seed <= 2000; seed++) {
        test_gen g = {seed * 0x9E3779B97F4A7C15ULL};
        t[0] = 0;
        ci_h[0] = pr_h[0] = 0;
        for (int k = 0; k < N; k++) {
            t[k + 1] = t[k] + (1 + gen_below(&g, 90)) * 60000000LL;
            ci[k] = 20 + 580 * gen_unif(&g);
            pr[k] = -20 + 120 * gen_unif(&g);
            double h = (double)(t[k + 1] - t[k]) / 3.6e9;
            ci_h[k + 1] = ci_h[k] + ci[k] * h;
            pr_h[k + 1] = pr_h[k] + pr[k] * h;
        }
        ccs_window w = {N, t, ci, pr, ci_h, pr_h};
        int64_t d = (5 + gen_below(&g, 120)) * 60000000LL, hi = t[N] - d;
        /* objective: carbon, cost or a mix; caps between the extremes run-now could see */
        double oc = gen_below(&g, 3) == 0 ? 0 : 1, op = oc == 0 ? 1 : gen_unif(&g) < 0.5 ? 0 : 0.01;
        double c0, p0;
        ccs_window_integrals(&w, 0, d, &c0, &p0);
        ccs_objective o = {oc, op, 0, 1, 0, p0 + fabs(p0) * gen_unif(&g), 1, 0, 0, c0 * (0.6 + 0.6 * gen_unif(&g))};
        ccs_run_plan plan = {0};
        cr_assert_eq(ccs_window_best_start(&w, d, 0, hi, &o, &plan), 0);
        double best = INFINITY, slope = 0;
        for (int k = 0; k < N; k++) slope = fmax(slope, fabs(oc * ci[k]) + fabs(op * pr[k]));
        for (int64_t s = 0; s <= hi; s += 1000000) {
            double c, p;
            ccs_window_integrals(&w, s, s + d, &c, &p);
            if (p <= o.bound && c <= o.bound2) best = fmin(best, oc * c + op * p);
        }
        if (!plan.feasible) {
            cr_assert(isinf(best), "seed %u: planner found nothing, the grid found %.9g", seed, best);
            continue;
        }
        double v = oc * plan.ci_h + op * plan.price_h;
        feasible++;
        binding += plan.price_h > o.bound - 1e-6 * fabs(o.bound) || plan.ci_h > o.bound2 - 1e-6 * fabs(o.bound2);
        cr_assert(plan.price_h <= o.bound && plan.ci_h <= o.bound2, "seed %u: plan breaks a constraint", seed);
        cr_assert(v <= best + 1e-9 * (1 + fabs(best)), "seed %u: plan %.12g, grid %.12g", seed, v, best);
        /* the grid is 1 s coarse: its best is at most 2 s of the steepest rate worse */
        cr_assert(isinf(best) || best <= v + 2 * slope / 3600 + 1e-9, "seed %u: grid %.12g far from %.12g", seed, best,
                  v);
        ccs_run_plan_free(&plan);
    }
    /* the instances must exercise what they test: most feasible, many with a cap binding */
    cr_assert(feasible > 1000 && binding > 300, "%d feasible, %d binding", feasible, binding);
    cr_log_info("%d feasible, %d binding", feasible, binding);
}

/* Money that would silently mean something else is refused: a profile priced in USD in a EUR
 * scenario, capex without the years it is spread over, capex on rented hardware. */
Test(decisions, money_in_another_currency_or_without_a_lifetime_is_refused)
{
    char msg[512];
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\ncurrency: EUR\n"
                                 "regions: [{name: r, carbon: ci.csv}]\n"
                                 "jobs: [{name: j, release: {every: 24h}, duration: 1h, hardware: l4}]\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "l4.yaml") && strstr(msg, "its prices are in USD, the scenario's currency is EUR"), "%s",
              msg);
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                                 "hardware: [{name: b, idle_w: 0, max_w: 10, capex: 100}]\n"
                                 "jobs: [{name: j, release: {every: 24h}, duration: 1h, hardware: b}]\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "s.yaml:4:") && strstr(msg, "capex without lifetime_years"), "%s", msg);
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                                 "hardware: [{name: b, idle_w: 0, max_w: 10, capex: 100, lifetime_years: 3,"
                                 " price_per_hour: 1}]\n"
                                 "jobs: [{name: j, release: {every: 24h}, duration: 1h, hardware: b}]\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "both capex and price_per_hour"), "%s", msg);
}

/* A bad price table names its file, line and what was expected. */
Test(decisions, a_bad_price_table_names_file_and_line)
{
    const char *dir = tmp_folder();
    const char *bad[][2] = {
        {"cloud_region,hardware,devices,on_demand_per_hour,currency,price_date\n", "missing column 'source'"},
        {"cloud_region,hardware,devices,on_demand_per_hour,currency,price_date,source\naws/a,l4,0,1,USD,d,s\n",
         "prices.csv:2:3: devices '0': expected a whole number"},
        {"cloud_region,hardware,devices,on_demand_per_hour,currency,price_date,source\naws/a,l4,1,-2,USD,d,s\n",
         "prices.csv:2:4: on_demand_per_hour '-2'"},
        {"cloud_region,hardware,devices,on_demand_per_hour,currency,price_date,source\naws/a,l4\n",
         "prices.csv:2: a row of 2 fields: expected at least 7"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *prices = write_text(dir, "prices.csv", bad[i][0]);
        char yaml[1024], msg[512];
        snprintf(yaml, sizeof yaml,
                 "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\ncurrency: USD\ninstance_prices: %s\n"
                 "regions: [{name: r, carbon: ci.csv, cloud_region: aws/a}]\n"
                 "jobs: [{name: j, release: {every: 24h}, duration: 1h, hardware: l4}]\n",
                 prices);
        cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0, "case %zu ran", i);
        cr_assert(strstr(msg, bad[i][1]), "case %zu: %s", i, msg);
    }
}

/* ---- runs as they run: actual work (duration_cv) and re-planning (policy.replan) ---- */

/* The factor a run's work is drawn with, computed here as job.h documents it: lognormal with mean
 * 1 and the given cv, from stream "job/<name>/duration" seeded by the scenario seed and the
 * release. */
static double work_factor(uint64_t seed, const char *job, int64_t rel, double cv)
{
    char name[64];
    snprintf(name, sizeof name, "job/%s/duration", job);
    gsl_rng *g = ccs_rng_alloc();
    gsl_rng_set(g, (unsigned long)ccs_rng_substream_seed(seed, name, (uint64_t)rel));
    double s2 = log1p(cv * cv), f = gsl_ran_lognormal(g, -s2 / 2, sqrt(s2));
    gsl_rng_free(g);
    return f;
}

/* greenest-window puts the 1 h run in hour 5 (50 g). With more work f > 1 it runs on into hour 6
 * (600 g): 50 + 600 (f - 1) g, ending at 5 + f h, after its 6 h deadline (a miss, an overrun);
 * with less, 50 f g and on time. The seeds are picked so that both happen. */
Test(decisions, actual_work_runs_on_past_the_plan_or_ends_early)
{
    int seen_more = 0, seen_less = 0;
    for (uint64_t seed = 1; seed < 40 && !(seen_more && seen_less); seed++) {
        const char *t = traces();
        int64_t rel = 1672531200LL * 1000000; /* 2023-01-01T00:00:00Z */
        double f = work_factor(seed, "j", rel, 0.3);
        if (f > 1.0 / 0.3 || (f > 1 ? seen_more : seen_less)) continue; /* stays within the traces */
        char yaml[2048];
        snprintf(yaml, sizeof yaml,
                 "%sseed: %llu\njobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1,"
                 " deadline: 6h, duration_cv: 0.3}]\npolicy: {name: greenest-window}\n",
                 t, (unsigned long long)seed);
        ran x = run_text(yaml);
        const ccs_job_result *j = &x.r->jobs[0];
        double want = f > 1 ? 50 + 600 * (f - 1) : 50 * f;
        cr_assert_float_eq(j->charge.carbon_g, want, 1e-6 * want, "seed %llu: f %.6f, carbon %.6f, expected %.6f",
                           (unsigned long long)seed, f, j->charge.carbon_g, want);
        cr_assert_float_eq(j->charge.energy_j / 3.6e6, f, 1e-9);
        cr_assert_eq(j->deadline_misses, (uint64_t)(f > 1));
        cr_assert_eq(j->overruns, (uint64_t)(f > 1));
        cr_assert_eq(x.r->jobs[0].records[0].start_us - x.s->start_us, 5 * H);
        /* the plan promised the nominal: 50 g */
        cr_assert_float_eq(j->forecast_carbon_g, 50, 1e-9);
        ran_free(x);
        *(f > 1 ? &seen_more : &seen_less) = 1;
    }
    cr_assert(seen_more && seen_less);
}

/* A constant trace of n hours from 2023-01-01, or random values (seeded) if rnd. */
static const char *long_trace(const char *dir, const char *file, int n, int rnd, unsigned long long seed)
{
    size_t cap = (size_t)n * 40 + 32, len;
    char *text = malloc(cap);
    cr_assert(text);
    strcpy(text, "timestamp,value\n");
    len = strlen(text);
    test_gen g = {seed};
    for (int k = 0; k < n; k++) {
        char stamp[32];
        time_t secs = (time_t)(1672531200LL + 3600LL * k); /* from 2023-01-01T00:00:00Z */
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        len += (size_t)snprintf(text + len, cap - len, "%s,%.0f\n", stamp, rnd ? 50 + 500 * gen_unif(&g) : 100.0);
    }
    const char *path = write_text(dir, file, text);
    free(text);
    return path;
}

/* Over 1,000 runs of 30 min at 1 kW (PUE 1, run-now), each run's energy is its actual work: the
 * mean factor is 1 (its estimate's spread 0.3 / sqrt(1000) = 0.0095) and the cv 0.3; another
 * policy meets the same work run by run (common random numbers). */
Test(decisions, actual_work_has_the_stated_mean_and_cv_under_every_policy)
{
    const char *dir = tmp_folder();
    const char *ci = long_trace(dir, "flat.csv", 24 * 28 * 2, 0, 0);
    char yaml[2048];
    for (int greenest = 0; greenest < 2; greenest++) {
        snprintf(yaml, sizeof yaml,
                 "start: \"2023-01-01T00:00:00Z\"\nduration: 1000h\nseed: 3\n"
                 "regions: [{name: r, carbon: %s, pue: 1}]\n"
                 "jobs: [{name: w, release: {every: 1h, at: \"00:00\"}, duration: 30m, power_kw: 1, deadline: 2h,"
                 " duration_cv: 0.3}]\npolicy: {name: %s}\n",
                 ci, greenest ? "greenest-window" : "run-now");
        ran x = run_text(yaml);
        const ccs_job_result *j = &x.r->jobs[0];
        cr_assert_eq(j->runs, 1000u);
        double s = 0, ss = 0;
        for (size_t k = 0; k < j->runs; k++) {
            double f = j->records[k].energy_kwh / 0.5;
            s += f, ss += f * f;
            cr_assert_float_eq(f, work_factor(3, "w", j->records[k].release_us, 0.3), 1e-9, "run %zu", k);
        }
        double m = s / 1000, sd = sqrt(ss / 1000 - m * m);
        cr_assert(fabs(m - 1) < 0.04, "mean factor %.4f", m);
        cr_assert(fabs(sd - 0.3) < 0.04, "cv %.4f", sd);
        ran_free(x);
    }
}

/* One job of 3 h at 1 kW released daily at 18:00 with a 14 h deadline, 40 days on trace ci, under
 * greenest-window with the forecast keys given. */
static ran replan_run(const char *ci, int interruptible, const char *policy_keys)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 40d\nseed: 9\n"
             "regions: [{name: r, carbon: %s, pue: 1}]\n"
             "jobs: [{name: w, release: {every: 24h, at: \"18:00\"}, duration: 3h, power_kw: 1, deadline: 14h,"
             " interruptible: %s, checkpoint: 10m}]\npolicy: {name: greenest-window, %s}\n",
             ci, interruptible ? "true" : "false", policy_keys);
    return run_text(yaml);
}

/* Properties of re-planning, over 5 random traces x 40 runs, contiguous and interruptible with
 * checkpoints: on a perfect forecast it changes nothing (the remainder's best plan is the rest of
 * the plan made at release: no re-plan counted, the same carbon run by run); on a noisy one (30%
 * at 24 h, correlated), re-planned hourly, every run still meets its deadline (the work is
 * exactly the nominal) and emits no less than the perfect plan of the same run (its optimum). */
Test(decisions, replanning_properties_on_random_traces)
{
    const char *dir = tmp_folder();
    uint64_t noisy_replans = 0;
    for (unsigned long long seed = 7; seed < 12; seed++) {
        char ci[1024]; /* write_text's paths rotate: kept here across the runs */
        snprintf(ci, sizeof ci, "%s", long_trace(dir, "rnd.csv", 24 * 28 * 2, 1, seed));
        for (int interruptible = 0; interruptible < 2; interruptible++) {
            ran best = replan_run(ci, interruptible, "replan: 0s");
            ran same = replan_run(ci, interruptible, "replan: 1h");
            ran noisy = replan_run(ci, interruptible, "replan: 1h, forecast: noisy, forecast_error: 0.3");
            const ccs_job_result *b = &best.r->jobs[0], *p = &same.r->jobs[0], *n = &noisy.r->jobs[0];
            cr_assert_eq(p->replans, 0u, "seed %llu: %llu re-plans on a perfect forecast", seed,
                         (unsigned long long)p->replans);
            cr_assert_eq(n->deadline_misses, 0u, "seed %llu: a re-planned run missed its deadline", seed);
            cr_assert_eq(b->runs, 40u);
            noisy_replans += n->replans;
            for (size_t k = 0; k < b->runs; k++) {
                double g = b->records[k].carbon_g;
                cr_assert_float_eq(p->records[k].carbon_g, g, 1e-9 * g, "seed %llu run %zu", seed, k);
                cr_assert(n->records[k].carbon_g >= g * (1 - 1e-9), "seed %llu run %zu: %.9f g below the optimum %.9f",
                          seed, k, n->records[k].carbon_g, g);
            }
            ran_free(best);
            ran_free(same);
            ran_free(noisy);
        }
    }
    cr_assert(noisy_replans >= 100, "only %llu re-plans on the noisy forecast: the bound tests little",
              (unsigned long long)noisy_replans);
}

/* Re-planning uses the fresh forecast: with errors that grow with the horizon (linear, 100% at
 * 24 h, independent), a plan made at release chases noise far ahead; re-planned every hour, the
 * near hours are forecast better and the start moves to them. Over 50 runs of a 1 h job with a
 * 16 h deadline on a random trace the re-planned runs emit less, and most runs were re-planned. */
Test(decisions, replanning_uses_the_fresh_forecast)
{
    const char *dir = tmp_folder();
    const char *ci = long_trace(dir, "rnd.csv", 24 * 28 * 2, 1, 11);
    double carbon[2];
    uint64_t replans = 0;
    for (int replan = 0; replan < 2; replan++) {
        char yaml[2048];
        snprintf(yaml, sizeof yaml,
                 "start: \"2023-01-01T00:00:00Z\"\nduration: 50d\nseed: 5\n"
                 "regions: [{name: r, carbon: %s, pue: 1}]\n"
                 "jobs: [{name: w, release: {every: 24h, at: \"06:00\"}, duration: 1h, power_kw: 1, deadline: 16h}]\n"
                 "policy: {name: greenest-window, forecast: noisy, forecast_error: 1, forecast_error_growth: linear,"
                 " forecast_error_corr: 0, replan: %s}\n",
                 ci, replan ? "1h" : "0s");
        ran x = run_text(yaml);
        carbon[replan] = x.r->jobs[0].charge.carbon_g;
        if (replan) replans = x.r->jobs[0].replans;
        ran_free(x);
    }
    cr_assert(carbon[1] < 0.9 * carbon[0], "re-planned %.1f g against %.1f g", carbon[1], carbon[0]);
    cr_assert(replans >= 25, "%llu re-plans", (unsigned long long)replans);
    char msg[512];
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                                 "policy: {name: greenest-window, replan: 10s}\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "policy.replan: 10 s: expected 0 (never) or at least 1m"), "%s", msg);
}

/* ---- average and marginal signals ---- */

/* The 8-hour traces with a marginal intensity beside them:
 *   hour        0    1    2    3    4    5    6    7
 *   average   300  100  400  200  500   50  600  600
 *   marginal  500  600  450  400  700  650  300  300
 * The 1 h run starts in [0, 5]; inside an hour both integrals are linear in the start, so the best
 * starts are hours: average at 5 h (50 g; marginal there 650 g), marginal at 3 h (400 g; average
 * there 200 g). Run-now: 300 g average, 500 g marginal. */
static ran marginal_run(const char *signal)
{
    const char *dir = tmp_folder();
    const char *m = write_text(dir, "marginal8.csv",
                               "timestamp,value\n2023-01-01T00:00:00Z,500\n2023-01-01T01:00:00Z,600\n"
                               "2023-01-01T02:00:00Z,450\n2023-01-01T03:00:00Z,400\n2023-01-01T04:00:00Z,700\n"
                               "2023-01-01T05:00:00Z,650\n2023-01-01T06:00:00Z,300\n2023-01-01T07:00:00Z,300\n");
    char keys[512], yaml[2048];
    snprintf(keys, sizeof keys, "carbon_marginal: %s, pue: 1", m);
    snprintf(yaml, sizeof yaml,
             "%sjobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 6h}]\n"
             "policy: {name: greenest-window, signal: %s}\n",
             traces_with(keys), signal);
    return run_text(yaml);
}

Test(decisions, the_planner_minimises_the_signal_it_is_given_and_both_are_reported)
{
    ran x = marginal_run("average");
    cr_assert_float_eq(start_h(&x), 5, 1e-12);
    cr_assert_float_eq(x.r->totals.carbon_kg, 0.050, 1e-12);
    cr_assert_float_eq(x.r->totals.carbon_marginal_kg, 0.650, 1e-12);
    cr_assert_float_eq(x.r->baseline.carbon_kg, 0.300, 1e-12);
    cr_assert_float_eq(x.r->baseline.carbon_marginal_kg, 0.500, 1e-12);
    cr_assert_float_eq(x.r->jobs[0].charge.carbon_marginal_g, 650, 1e-9);
    ran_free(x);
    x = marginal_run("marginal");
    cr_assert_float_eq(start_h(&x), 3, 1e-12);
    cr_assert_float_eq(x.r->totals.carbon_kg, 0.200, 1e-12);
    cr_assert_float_eq(x.r->totals.carbon_marginal_kg, 0.400, 1e-12);
    cr_assert_float_eq(x.r->jobs[0].forecast_carbon_g, 400, 1e-9); /* planned on the marginal signal */
    ran_free(x);
}

/* The summary says which figure is which, and what the plans minimised. */
Test(decisions, the_summary_names_both_accountings)
{
    const char *dir = tmp_folder();
    const char *m = write_text(dir, "m.csv", "timestamp,value\n2023-01-01T00:00:00Z,500\n2023-01-01T01:00:00Z,600\n");
    const char *c = write_text(dir, "c.csv", "timestamp,value\n2023-01-01T00:00:00Z,300\n2023-01-01T01:00:00Z,100\n");
    char yaml[1024], out[600];
    snprintf(yaml, sizeof yaml,
             "name: m\nstart: \"2023-01-01T00:00:00Z\"\nduration: 1h\n"
             "regions: [{name: r, carbon: %s, carbon_marginal: %s}]\n"
             "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 2h}]\n"
             "policy: {name: greenest-window, signal: marginal}\n",
             c, m);
    const char *path = write_text(dir, "m.yaml", yaml);
    snprintf(out, sizeof out, "%s/out", dir);
    cmd_result r;
    run_ccsim(&r, (const char *const[]){"run", path, "--out", out, "--no-plot", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    char sp[700];
    snprintf(sp, sizeof sp, "%s/summary.json", out);
    size_t len;
    char *text = read_all(sp, &len);
    cr_assert(text);
    cr_assert(strstr(text, "\"carbon_accounting\"") && strstr(text, "\"planned_on\": \"marginal\""), "%s", text);
    cr_assert(strstr(text, "\"carbon_marginal_kg\": 0.5") && strstr(text, "\"carbon_kg\": 0.29999999"), "%s", text);
    free(text);
    cr_assert(strstr(r.out, "marginal accounting") && strstr(r.out, "plans minimised the marginal intensity"), "%s",
              r.out);
}

Test(decisions, a_marginal_signal_needs_marginal_traces_everywhere)
{
    char msg[512];
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                                 "jobs: [{name: j, release: {every: 24h}, duration: 1h, power_kw: 1}]\n"
                                 "policy: {name: greenest-window, signal: marginal}\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "policy.signal: marginal, but no region has a carbon_marginal trace"), "%s", msg);
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\n"
                                 "regions: [{name: a, carbon: ci.csv, carbon_marginal: ci.csv},\n"
                                 "          {name: b, carbon: ci.csv}]\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "s.yaml:4:") && strstr(msg, "regions[b]: no carbon_marginal, but regions[a] has one"), "%s",
              msg);
    cr_assert_neq(run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                                 "policy: {signal: marginl}\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "policy.signal"), "%s", msg);
}

/* ---- non-negotiables ---- */

/* Two regions on the 8-hour traces: a (home) and b, where hour 0 is at 10 g (the rest as a). A
 * greenest-window job allowed in both would move to b and start at once (10 g). */
static const char *two_regions(void)
{
    static char yaml[2048];
    const char *dir = tmp_folder();
    const char *b = write_text(dir, "b8.csv",
                               "timestamp,value\n2023-01-01T00:00:00Z,10\n2023-01-01T01:00:00Z,100\n"
                               "2023-01-01T02:00:00Z,400\n2023-01-01T03:00:00Z,200\n2023-01-01T04:00:00Z,500\n"
                               "2023-01-01T05:00:00Z,50\n2023-01-01T06:00:00Z,600\n2023-01-01T07:00:00Z,600\n");
    char base[1024];
    snprintf(base, sizeof base, "%s", traces());
    char *end = strstr(base, "]\n");
    cr_assert(end);
    snprintf(yaml, sizeof yaml, "%.*s, {name: b, carbon: %s, pue: 1}]\ntransfer: {gbps: 1000, cost_per_gb: 0}\n",
             (int)(end - base), base, b);
    return yaml;
}

Test(decisions, a_jobs_regions_constraint_is_enforced_and_reported)
{
    char yaml[4096];
    const char *job = "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 6h,"
                      " regions: [r, b]}]\npolicy: {name: greenest-window, geo_shift: true}\n";
    snprintf(yaml, sizeof yaml, "%s%s", two_regions(), job);
    ran x = run_text(yaml);
    cr_assert_eq(x.r->jobs[0].moved, 1u); /* unconstrained: it moves to b, 10 g */
    cr_assert_float_eq(x.r->jobs[0].charge.carbon_g, 10, 1e-9);
    cr_assert_eq(x.r->nconstraints, 0u);
    ran_free(x);
    /* kept at home: the greenest hour there, 5 h (50 g); the rule met, no run outside */
    snprintf(yaml, sizeof yaml, "%s%sconstraints: [{job: j, regions: [r]}]\n", two_regions(), job);
    x = run_text(yaml);
    cr_assert_eq(x.r->jobs[0].moved, 0u);
    cr_assert_float_eq(x.r->jobs[0].charge.carbon_g, 50, 1e-9);
    cr_assert_eq(x.r->nconstraints, 1u);
    cr_assert(x.r->constraints[0].satisfied);
    cr_assert_float_eq(x.r->constraints[0].value, 0, 1e-12);
    cr_assert_str_eq(x.r->constraints[0].what, "job j: runs only in r");
    cr_assert_eq(x.r->outcome.constraints_broken, 0u);
    ran_free(x);
    /* only b allowed: home stays r (never changed silently), and this run moved to b: met */
    snprintf(yaml, sizeof yaml, "%s%sconstraints: [{job: j, regions: [b]}]\n", two_regions(), job);
    x = run_text(yaml);
    cr_assert_eq(x.r->nconstraints, 1u);
    cr_assert_eq(x.r->jobs[0].records[0].region, 1);
    cr_assert(x.r->constraints[0].satisfied);
    ran_free(x);
}

Test(decisions, a_broken_constraint_is_reported)
{
    /* a job pinned at home r, a rule that allows only b: its one run breaks it */
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "%sjobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 6h}]\n"
             "policy: {name: greenest-window}\nconstraints: [{job: j, regions: [b]}]\n",
             two_regions());
    ran x = run_text(yaml);
    cr_assert_eq(x.r->nconstraints, 1u);
    cr_assert(!x.r->constraints[0].satisfied);
    cr_assert_float_eq(x.r->constraints[0].value, 1, 1e-12);
    cr_assert_eq(x.r->outcome.constraints_broken, 1u);
    ran_free(x);
    /* a service's P95 ceiling below what it serves at: one server, 10 ms each, at 50 req/s (M/D/1
     * at load 0.5): its P95 is over 10 ms, so a 10 ms ceiling is broken; served from r, a rule
     * allowing only b is broken too; its P95 against run-now is unchanged (jobs only move) */
    snprintf(yaml, sizeof yaml,
             "%sservices: [{name: s, region: r, replicas: 1, arrivals: {process: poisson, rate_per_s: 50},"
             " service_time: {mean_ms: 10}}]\n"
             "constraints: [{service: s, p95_max_ms: 10, p95_change_max: 0}, {service: s, regions: [b]}]\n",
             two_regions());
    x = run_text(yaml);
    cr_assert_eq(x.r->nconstraints, 3u);
    cr_assert(x.r->constraints[0].satisfied && x.r->constraints[0].value == 0, "%s %g", x.r->constraints[0].what,
              x.r->constraints[0].value);
    cr_assert(!x.r->constraints[1].satisfied && x.r->constraints[1].value > 10, "%s %g", x.r->constraints[1].what,
              x.r->constraints[1].value);
    cr_assert_float_eq(x.r->constraints[1].value, x.r->services[0].p95_ms, 1e-12);
    cr_assert(!x.r->constraints[2].satisfied);
    cr_assert_eq(x.r->outcome.constraints_broken, 2u);
    ran_free(x);
    char msg[512];
    const char *bad[][2] = {
        {"constraints: [{service: nope, regions: [r]}]\n", "constraints[0].service: unknown service 'nope'"},
        {"constraints: [{job: j, regions: [zz]}]\n", "constraints[0].regions: unknown region 'zz'"},
        {"constraints: [{regions: [r]}]\n", "constraints[0]: expected either 'service' or 'job', neither was given"},
        {"constraints: [{job: j, p95_max_ms: 5}]\n", "a job has no P95"},
        {"constraints: [{job: j}]\n", "no rule: expected p95_change_max, p95_max_ms or regions"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(yaml, sizeof yaml,
                 "%sjobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 6h}]\n"
                 "%s",
                 two_regions(), bad[i][0]);
        cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0, "case %zu ran", i);
        cr_assert(strstr(msg, bad[i][1]), "case %zu: %s", i, msg);
    }
}

/* A service's rented replicas pay its region's instance price: 2 L4 replicas for the traces'
 * first hour (the period) in a region standing for aws/eu-central-1 pay the bundled table's
 * g6.xlarge price, 1.0064 USD per hour each: 2.0128 USD; without a cloud region, the profile's
 * 0.71: 1.42 USD. */
Test(decisions, a_services_replicas_pay_their_regions_instance_price)
{
    const double want[2] = {2 * 1.0064, 2 * 0.71};
    for (int cloud = 0; cloud < 2; cloud++) {
        char yaml[2048];
        snprintf(yaml, sizeof yaml,
                 "%sservices: [{name: s, hardware: l4, replicas: 2, arrivals: {process: poisson, rate_per_s: 1},"
                 " service_time: {mean_ms: 5}}]\n",
                 traces_with(cloud == 0 ? "pue: 1, cloud_region: aws/eu-central-1" : "pue: 1"));
        ran x = run_text(yaml);
        cr_assert_float_eq(x.r->totals.money[CCS_MONEY_RENT], want[cloud], 1e-9, "%s: rent %.9f, expected %.9f",
                           cloud == 0 ? "aws/eu-central-1" : "no cloud region", x.r->totals.money[CCS_MONEY_RENT],
                           want[cloud]);
        ran_free(x);
    }
}

/* A rented device pays the same rent at any start, so run-now's cost B ties with every plan:
 * price-tolerance at X = 0 (cost <= B) may take the greenest hour, 5 h (50 g), at B exactly
 * (one L4 at its profile's 0.71 per hour: 0.71), as max_cost_increase: 0 may. */
Test(decisions, a_tie_with_the_cap_is_within_it)
{
    for (int limit = 0; limit < 2; limit++) {
        char yaml[2048];
        snprintf(
            yaml, sizeof yaml,
            "%sjobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, hardware: l4, deadline: 6h%s}]\n"
            "policy: %s\n",
            traces(), limit ? ", max_cost_increase: 0" : "",
            limit ? "{name: greenest-window}" : "{name: price-tolerance, price_tolerance: 0}");
        ran x = run_text(yaml);
        cr_assert_float_eq(start_h(&x), 5, 1e-12, "%s: start %.6f h", limit ? "limit" : "policy", start_h(&x));
        cr_assert_float_eq(x.r->jobs[0].charge.cost, 0.71, 1e-12);
        cr_assert_eq(x.r->jobs[0].fallbacks, 0u);
        ran_free(x);
    }
}
