/* forecast.c's noisy forecast (issue 16): errors that persist across the hours of one forecast as
 * an AR(1) process, standard normal at each point with correlation rho^dt at dt hours, a fresh
 * draw per issue and the same draw for the same issue (common random numbers). Checked on
 * constant traces, where the relative error of each forecast value is sd x e exactly. */
#include "ccs_trace.h"
#include "ccs_units.h"
#include "forecast.h"
#include "helpers.h"
#include "ledger.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define H CCS_US_PER_HOUR

typedef struct fixture {
    ccs_trace *ci, *price;
    ccs_ledger *l;
    ccs_forecast *f;
    int64_t t0;
} fixture;

/* n steps of step_min minutes of a constant 100 gCO2e/kWh and 50 per MWh, forecast noisy with a
 * constant spread sd and correlation corr an hour apart. */
static fixture make(int n, int step_min, double sd, double corr)
{
    const char *dir = tmp_folder();
    char *ci = malloc((size_t)n * 40 + 32), *pr = malloc((size_t)n * 40 + 32);
    cr_assert(ci && pr);
    strcpy(ci, "timestamp,value\n");
    strcpy(pr, "timestamp,value\n");
    size_t lc = strlen(ci), lp = strlen(pr);
    for (int k = 0; k < n; k++) {
        long long m = (long long)k * step_min;
        char stamp[40];
        time_t secs = (time_t)(1672531200LL + m * 60); /* from 2023-01-01T00:00:00Z */
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        lc += (size_t)sprintf(ci + lc, "%s,100\n", stamp);
        lp += (size_t)sprintf(pr + lp, "%s,50\n", stamp);
    }
    fixture x = {0};
    ccs_err err = {0};
    ccs_trace_opts o = {0};
    cr_assert_eq(ccs_trace_load(write_text(dir, "ci.csv", ci), &o, &x.ci, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_load(write_text(dir, "pr.csv", pr), &o, &x.price, &err), 0, "%s", err.msg);
    free(ci);
    free(pr);
    x.t0 = ccs_trace_times(x.ci)[0];
    ccs_ledger_region reg = {.name = "r", .carbon = x.ci, .price = x.price, .fixed_price_per_mwh = -1, .pue = 1};
    cr_assert_eq(ccs_ledger_create(&reg, 1, x.t0, x.t0 + (int64_t)n * step_min * 60 * 1000000, &x.l, &err), 0, "%s",
                 err.msg);
    static const char *names[] = {"r"};
    ccs_forecast_params fp = {.kind = CCS_FORECAST_NOISY,
                              .error = sd,
                              .growth = CCS_GROWTH_CONSTANT,
                              .scale = CCS_ERROR_OF_VALUE,
                              .corr = corr,
                              .seed = 11,
                              .region_names = names};
    cr_assert_eq(ccs_forecast_create(x.l, 1, &fp, &x.f, &err), 0, "%s", err.msg);
    return x;
}

static void destroy(fixture *x)
{
    ccs_forecast_destroy(x->f);
    ccs_ledger_destroy(x->l);
    ccs_trace_destroy(x->ci);
    ccs_trace_destroy(x->price);
}

/* The lag-1 and lag-2 sample autocorrelations and the spread of one long forecast's errors. */
static void moments(const ccs_window *w, double sd, double *r1, double *r2, double *spread)
{
    double s = 0, ss = 0, s1 = 0, s2 = 0;
    size_t n = w->n;
    double *e = malloc(n * sizeof *e);
    cr_assert(e);
    for (size_t k = 0; k < n; k++) {
        e[k] = (w->ci[k] / 100.0 - 1.0) / sd;
        s += e[k], ss += e[k] * e[k];
    }
    double m = s / (double)n, v = ss / (double)n - m * m;
    for (size_t k = 1; k < n; k++) s1 += (e[k] - m) * (e[k - 1] - m);
    for (size_t k = 2; k < n; k++) s2 += (e[k] - m) * (e[k - 2] - m);
    *r1 = s1 / (double)(n - 1) / v;
    *r2 = s2 / (double)(n - 2) / v;
    *spread = sqrt(v) * sd;
    free(e);
}

/* Hourly steps, rho = 0.9: lag-1 0.9, lag-2 0.81, spread 0.2 (the AR(1) keeps N(0, 1) at every
 * point). Over 20,000 hours the estimates' spreads are ~0.003 and ~0.002 x 0.2 / sqrt(1 - rho):
 * the bounds are over 5 of them. */
Test(forecast, errors_are_ar1_an_hour_apart)
{
    fixture x = make(20000, 60, 0.2, 0.9);
    ccs_window w;
    cr_assert_eq(ccs_forecast_window(x.f, 0, x.t0, x.t0 + 20000 * H, &w), 0);
    cr_assert_eq(w.n, 20000u);
    double r1, r2, spread;
    moments(&w, 0.2, &r1, &r2, &spread);
    cr_assert(fabs(r1 - 0.9) < 0.015, "lag-1 autocorrelation %.4f, expected 0.9", r1);
    cr_assert(fabs(r2 - 0.81) < 0.025, "lag-2 autocorrelation %.4f, expected 0.81", r2);
    cr_assert(fabs(spread - 0.2) < 0.012, "spread %.4f, expected 0.2", spread);
    destroy(&x);
}

/* Half-hour steps: the correlation is per hour, so one step apart it is 0.9^0.5 = 0.9487 and two
 * steps apart 0.9. */
Test(forecast, correlation_is_per_hour_whatever_the_step)
{
    fixture x = make(20000, 30, 0.2, 0.9);
    ccs_window w;
    cr_assert_eq(ccs_forecast_window(x.f, 0, x.t0, x.t0 + 10000 * H, &w), 0);
    cr_assert_eq(w.n, 20000u);
    double r1, r2, spread;
    moments(&w, 0.2, &r1, &r2, &spread);
    cr_assert(fabs(r1 - sqrt(0.9)) < 0.012, "lag-1 autocorrelation %.4f, expected 0.9487", r1);
    cr_assert(fabs(r2 - 0.9) < 0.015, "lag-2 autocorrelation %.4f, expected 0.9", r2);
    destroy(&x);
}

/* What the correlation is for: the error of a run's mean intensity. Over an 8-hour run the mean
 * of AR(1) errors has variance (1/64) sum_ij rho^|i-j|: with rho = 0.9 its spread is
 * 0.2 x 0.8793 = 0.1759 (hand sum below), against 0.2 / sqrt(8) = 0.0707 when independent.
 * Estimated over 4,000 issues (each a fresh draw): within 6% (the estimate's spread is 1.1%). */
static double mean_error_spread(double corr)
{
    fixture x = make(4100, 60, 0.2, corr);
    double s = 0, ss = 0;
    enum { ISSUES = 4000 };
    for (int i = 0; i < ISSUES; i++) {
        ccs_window w;
        int64_t issue = x.t0 + (int64_t)i * H;
        cr_assert_eq(ccs_forecast_window(x.f, 0, issue, issue + 8 * H, &w), 0);
        cr_assert_eq(w.n, 8u);
        double m = (w.ci_h[8] / 8.0) / 100.0 - 1.0;
        s += m, ss += m * m;
    }
    destroy(&x);
    double mean = s / ISSUES;
    return sqrt(ss / ISSUES - mean * mean);
}

Test(forecast, a_runs_mean_error_keeps_its_spread)
{
    double sum = 0;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) sum += pow(0.9, abs(i - j));
    double want = 0.2 * sqrt(sum) / 8.0;
    cr_assert(fabs(want - 0.2 * 0.8793) < 1e-4, "hand sum %.5f", want);
    double got = mean_error_spread(0.9);
    cr_assert(fabs(got / want - 1) < 0.06, "8-hour mean error spread %.4f, expected %.4f", got, want);
    double indep = mean_error_spread(0.0);
    cr_assert(fabs(indep / (0.2 / sqrt(8.0)) - 1) < 0.06, "independent: %.4f, expected %.4f", indep, 0.2 / sqrt(8.0));
}

/* A fresh draw per issue, the same draw for the same issue: the value at one hour differs when
 * forecast an hour later, and is the same to the bit when asked again (another policy, the
 * baseline, or a re-plan at the same moment). */
Test(forecast, fresh_draw_per_issue_same_draw_per_moment)
{
    fixture x = make(100, 60, 0.2, 0.9);
    ccs_window w;
    cr_assert_eq(ccs_forecast_window(x.f, 0, x.t0 + 10 * H, x.t0 + 30 * H, &w), 0);
    double at20 = w.ci[10];
    cr_assert_eq(ccs_forecast_window(x.f, 0, x.t0 + 11 * H, x.t0 + 30 * H, &w), 0);
    cr_assert(w.ci[9] != at20, "the same error at 20 h from issues at 10 h and 11 h");
    cr_assert_eq(ccs_forecast_window(x.f, 0, x.t0 + 10 * H, x.t0 + 30 * H, &w), 0);
    cr_assert(w.ci[10] == at20, "the same issue drew another forecast");
    destroy(&x);
}
