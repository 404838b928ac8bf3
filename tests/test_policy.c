/* Window search, forecasts and policies by hand: a 6-hour day of known intensities and prices
 * (helpers.c's hourly_trace: 100, 200, ..., 600 gCO2e/kWh from 2023-01-01T00:00Z), a tiny window
 * for the search functions, and the deadline guard. */
#include "helpers.h"
#include "run.h"
#include "window.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#define H 3600000000LL
#define CLOSE(a, b) (fabs((double)(a) - (double)(b)) <= 1e-9 * fmax(1.0, fabs((double)(b))))

/* ci 300, 100, 200, 50 per hour; prices 10, 40, 20, 30 */
static const int64_t T[] = {0, H, 2 * H, 3 * H, 4 * H};
static const double CI[] = {300, 100, 200, 50}, PR[] = {10, 40, 20, 30};
static double CIH[5], PRH[5];

static ccs_window tiny(void)
{
    for (int k = 0; k < 4; k++) {
        CIH[k + 1] = CIH[k] + CI[k];
        PRH[k + 1] = PRH[k] + PR[k];
    }
    return (ccs_window){4, T, CI, PR, CIH, PRH};
}

Test(policy, best_start_takes_crossings_and_constraints)
{
    ccs_window w = tiny();
    ccs_run_plan p = {0};
    ccs_objective green = {1, 0, 0, 0, 0, INFINITY};
    /* a 90-min run in [0, 4h]: starting at 2.5 h gives 0.5 x 200 + 1 x 50 = 150, the least */
    ccs_window_best_start(&w, 3 * H / 2, 0, 4 * H - 3 * H / 2, &green, &p);
    cr_assert(p.feasible);
    cr_assert_eq(p.iv[0].a_us, 5 * H / 2);
    cr_assert(CLOSE(p.ci_h, 150), "%g", p.ci_h);
    /* cost <= 35 (x hours): [0.5, 2) costs 0.5 x 10 + 40 = 45 ... the start where the price
     * integral crosses 35 is a candidate: least carbon under that bound, by hand */
    ccs_objective capped = {1, 0, 0, 1, 0, 35};
    ccs_window_best_start(&w, 3 * H / 2, 0, 5 * H / 2, &capped, &p);
    cr_assert(p.feasible);
    cr_assert(p.price_h <= 35 + 1e-9, "cost %g", p.price_h);
    /* feasible starts: cost(s) = ... the best is s = 2.5 h again (cost 0.5 x 20 + 30 = 40 > 35:
     * not allowed), so the answer lies where cost crosses 35: checked against a fine scan */
    double best = INFINITY;
    for (int64_t s = 0; s <= 5 * H / 2; s += 60000000) {
        double c, q;
        ccs_window_integrals(&w, s, s + 3 * H / 2, &c, &q);
        if (q <= 35 + 1e-12 && c < best) best = c;
    }
    cr_assert(p.ci_h <= best + 1e-9, "search %g vs minute scan %g", p.ci_h, best);
    ccs_run_plan_free(&p);
}

Test(policy, best_slots_pick_clean_hours_and_pay_checkpoints)
{
    ccs_window w = tiny();
    ccs_run_plan p = {0};
    ccs_objective green = {1, 0, 0, 0, 0, INFINITY};
    /* 2 h of work, no checkpoint cost: hours 3 (50) and 1 (100) */
    ccs_window_best_slots(&w, 2 * H, 0, 0, 4 * H, &green, &p);
    cr_assert(p.feasible);
    cr_assert_eq(p.n, 2u);
    cr_assert(CLOSE(p.ci_h, 150));
    /* with 30 min per resume, hours 3 and 1 apart need 2.5 h: 100 + 0.5 x 200 + 50 = 250;
     * [2 h, 4 h) in one go is 200 + 50 = 250 too; either way 250, and the hours run are the
     * work plus one checkpoint per resume */
    ccs_window_best_slots(&w, 2 * H, H / 2, 0, 4 * H, &green, &p);
    cr_assert(p.feasible);
    cr_assert(CLOSE(p.ci_h, 250), "carbon %g", p.ci_h);
    cr_assert(CLOSE(p.hours, 2.0 + 0.5 * (double)(p.n - 1)), "hours %g in %zu intervals", p.hours, p.n);
    ccs_run_plan_free(&p);
}

#define JOBS_HEAD "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\nregions: [{name: r, carbon: ci.csv}]\n"

Test(policy, threshold_waits_then_the_guard_starts_the_run)
{
    /* released 00:00, 1 h, deadline 3 h; intensities 100, 200, 300: below 150 at once */
    ran a = run_text(JOBS_HEAD "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1,"
                               " deadline: 3h}]\npolicy: {name: threshold, threshold_g_per_kwh: 150}\n");
    cr_assert_eq(a.r->jobs[0].overrides, 0u);
    cr_assert(CLOSE(a.r->jobs[0].charge.carbon_g, 100));
    ran_free(a);
    /* never below 50: the guard starts at the latest start, 2 h (300 g), and counts it */
    ran b = run_text(JOBS_HEAD "jobs: [{name: j, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1,"
                               " deadline: 3h}]\npolicy: {name: threshold, threshold_g_per_kwh: 50}\n");
    cr_assert_eq(b.r->jobs[0].overrides, 1u);
    cr_assert(CLOSE(b.r->jobs[0].charge.carbon_g, 300));
    cr_assert_eq(b.r->jobs[0].deadline_misses, 0u);
    ran_free(b);
}

Test(policy, persistence_forecast_repeats_yesterday)
{
    /* hourly 100..600 for 6 h only: a forecast made at 05:00 for 05:00-06:00 is "same hour
     * yesterday", which the period lacks, so the first day's own value: the greenest 1 h run
     * within [05:00, 06:00] is the only one */
    ran a = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 6h\nregions: [{name: r, carbon: ci.csv}]\n"
                     "jobs: [{name: j, release: {every: 24h, at: \"01:00\"}, duration: 1h, power_kw: 2,"
                     " deadline: 4h}]\npolicy: {name: greenest-window, forecast: persistence}\n");
    /* from 01:00 the greenest hour is 01:00-02:00 (200): 2 kW x 1 h x 200 = 400 g */
    cr_assert(CLOSE(a.r->jobs[0].charge.carbon_g, 400), "%g", a.r->jobs[0].charge.carbon_g);
    cr_assert(CLOSE(a.r->jobs[0].forecast_carbon_g, 400));
    ran_free(a);
}

Test(policy, noisy_forecast_is_the_same_for_every_policy_and_seeded)
{
    const char *y = "start: \"2023-01-01T00:00:00Z\"\nduration: 2h\nseed: 9\nregions: [{name: r, carbon: ci.csv}]\n"
                    "jobs: [{name: j, release: {every: 1h, at: \"00:00\"}, duration: 1h, power_kw: 1,"
                    " deadline: 3h}]\npolicy: {name: greenest-window, forecast: noisy, forecast_error: 0.5,"
                    " forecast_error_growth: constant}\n";
    ran a = run_text(y), b = run_text(y);
    cr_assert_eq(a.r->jobs[0].forecast_carbon_g, b.r->jobs[0].forecast_carbon_g);
    cr_assert_eq(a.r->jobs[0].charge.carbon_g, b.r->jobs[0].charge.carbon_g);
    /* what the policy expected differs from what it got: the forecast is noisy */
    cr_assert_neq(a.r->jobs[0].forecast_carbon_g, a.r->jobs[0].charge.carbon_g);
    ran_free(a);
    ran_free(b);
}
