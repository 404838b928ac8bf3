/* The queueing validation runner: runs validation/{mm1,mmc,md1}.yaml through the ordinary
 * scenario-and-run path (with --set overrides for rate, seed, duration and warm-up) at several
 * loads and seeds, and compares the mean and P95 sojourn with queueing theory:
 *   M/M/1  mean 1/(mu - lambda), P95 ln(20)/(mu - lambda)
 *   M/M/c  Erlang C: mean W = C / (c mu - lambda); sojourn T = W + S, P(T > t) solved for 0.05
 *   M/D/1  Pollaczek-Khinchine mean wait lambda D^2 / (2 (1 - rho)), plus D
 * A check passes when theory lies inside the confidence interval of the mean over seeds and the
 * relative error is below 1%. Many checks are made, so each interval is Bonferroni-corrected to
 * keep the family-wise confidence at 95% (otherwise about one run in two would fail by chance).
 * Usage: validate [mm1|mmc|md1] [--quick]; prints a table, exits 1 on any failure. */
#include "ccs_scenario.h"
#include "run.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEEDS 16

typedef struct model {
    const char *name, *file;
    int servers;
    int deterministic;
    int check_p95;
} model;

static const model models[] = {
    {"mm1", "mm1.yaml", 1, 0, 1},
    {"mmc", "mmc.yaml", 4, 0, 1},
    {"md1", "md1.yaml", 1, 1, 0},
};

static const double loads[] = {0.5, 0.8, 0.9, 0.95};

/* Erlang C: probability of waiting with c servers and offered load a = lambda / mu. */
static double erlang_c(int c, double a)
{
    double rho = a / c, sum = 0, term = 1;
    for (int k = 0; k < c; k++) {
        if (k > 0) term *= a / k;
        sum += term;
    }
    double last = term * a / c; /* a^c / c! */
    double top = last / (1 - rho);
    return top / (sum + top);
}

typedef struct sojourn_tail {
    double mu, theta, cwait;
} sojourn_tail;

/* P(T > t) - 0.05 for T = W + S, W = 0 w.p. 1 - C else Exp(theta), S ~ Exp(mu). */
static double tail_minus(double t, void *p)
{
    const sojourn_tail *s = p;
    double both = fabs(s->mu - s->theta) < 1e-12
                      ? (1 + s->mu * t) * exp(-s->mu * t)
                      : (s->mu * exp(-s->theta * t) - s->theta * exp(-s->mu * t)) / (s->mu - s->theta);
    return (1 - s->cwait) * exp(-s->mu * t) + s->cwait * both - 0.05;
}

static double mmc_p95(double lambda, double mu, int c)
{
    sojourn_tail st = {mu, c * mu - lambda, erlang_c(c, lambda / mu)};
    gsl_function f = {tail_minus, &st};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    double lo = 0, hi = 100.0 / (c * mu - lambda) + 100.0 / mu;
    gsl_root_fsolver_set(s, &f, lo, hi);
    double root = 0;
    for (int i = 0; i < 200; i++) {
        gsl_root_fsolver_iterate(s);
        root = gsl_root_fsolver_root(s);
        lo = gsl_root_fsolver_x_lower(s);
        hi = gsl_root_fsolver_x_upper(s);
        if (gsl_root_test_interval(lo, hi, 0, 1e-13) == GSL_SUCCESS) break;
    }
    gsl_root_fsolver_free(s);
    return root;
}

static void theory(const model *m, double lambda, double mean_s, double *t_mean, double *t_p95)
{
    double mu = 1.0 / mean_s;
    if (m->deterministic) {
        double rho = lambda * mean_s;
        *t_mean = lambda * mean_s * mean_s / (2 * (1 - rho)) + mean_s;
        *t_p95 = NAN;
    } else if (m->servers == 1) {
        *t_mean = 1.0 / (mu - lambda);
        *t_p95 = log(20.0) / (mu - lambda);
    } else {
        int c = m->servers;
        *t_mean = erlang_c(c, lambda / mu) / (c * mu - lambda) + 1.0 / mu;
        *t_p95 = mmc_p95(lambda, mu, c);
    }
}

/* Customers per seed so that the standard error of the mean over all seeds is 0.2%: then an
 * error of 1% is 5 standard errors away. (Measured first at 0.3% and 8 seeds: errors of
 * 0.5-0.7% at rho = 0.95 and an interval whose width varied twofold between seed sets.) The relative spread of a sojourn-time mean over n
 * customers is about k / sqrt(n), with k from the asymptotic variance of the M/M/1 waiting time
 * (Whitt 1989, sigma^2 = rho (2 + 5 rho - 4 rho^2 + rho^3) / (1 - rho)^4 service times^2),
 * over the mean sojourn 1 / (1 - rho): k = 39 at rho = 0.95. M/M/c and M/D/1 spread less, so
 * the M/M/1 figure is a safe bound for all three. --quick: a smoke run, ~1/50 of that. */
static double customers_per_seed(double rho, int quick)
{
    double k = sqrt(rho * (2 + 5 * rho - 4 * rho * rho + rho * rho * rho)) / (1 - rho);
    double n = pow(k / 0.002, 2) / SEEDS;
    if (n < 1e5) n = 1e5;
    return quick ? n / 50 : n;
}

typedef struct stats {
    double mean, half;
} stats;

static stats interval(const double *x, int n, double alpha)
{
    double m = 0, v = 0;
    for (int i = 0; i < n; i++) m += x[i];
    m /= n;
    for (int i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
    v /= n - 1;
    stats s = {m, gsl_cdf_tdist_Pinv(1 - alpha / 2, n - 1) * sqrt(v / n)};
    return s;
}

static int check(const char *what, double theory_ms, const double *x, int n, double alpha)
{
    stats s = interval(x, n, alpha);
    double rel = fabs(s.mean - theory_ms) / theory_ms;
    int in_ci = fabs(s.mean - theory_ms) <= s.half;
    int ok = in_ci && rel < 0.01;
    printf("  %-5s theory %10.4f ms  ccsim %10.4f +- %7.4f ms  rel.err %6.3f%%  %s%s\n", what, theory_ms, s.mean,
           s.half, 100 * rel, ok ? "ok" : "FAIL",
           ok      ? ""
           : in_ci ? " (error >= 1%)"
                   : " (theory outside the interval)");
    return ok;
}

int main(int argc, char **argv)
{
    const char *seed_env = getenv("CCSIM_SEED_BASE");
    int quick = 0, seed_base = seed_env ? atoi(seed_env) : 1000;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else
            only = argv[i];
    }
    const char *dir = getenv("CCSIM_SOURCE_DIR");
    /* The family is every check of the validation, all models, even when one model runs here
     * (meson runs them one per test): the mean, and the P95 where theory gives one. */
    int family = 0, known = !only;
    for (size_t mi = 0; mi < sizeof models / sizeof models[0]; mi++) {
        family += (int)(sizeof loads / sizeof loads[0]) * (1 + models[mi].check_p95);
        known |= only && strcmp(only, models[mi].name) == 0;
    }
    if (!known) {
        fprintf(stderr, "validate: unknown model '%s': expected mm1, mmc or md1\n", only);
        return 2;
    }
    double alpha = 0.05 / family;
    int failures = 0, checks = 0;
    printf("queueing validation: %d seeds per load, intervals at %.4f%% each (95%% family-wise)\n", SEEDS,
           100 * (1 - alpha));
    for (size_t mi = 0; mi < sizeof models / sizeof models[0]; mi++) {
        const model *m = &models[mi];
        if (only && strcmp(only, m->name) != 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/validation/%s", dir ? dir : ".", m->file);
        for (size_t li = 0; li < sizeof loads / sizeof loads[0]; li++) {
            double rho = loads[li], mean_s = 0.010;
            double lambda = rho * m->servers / mean_s;
            double n = customers_per_seed(rho, quick);
            double warmup_s = 2000.0 * mean_s / pow(1 - sqrt(rho), 2); /* ~ relaxation times */
            double run_s = n / lambda + warmup_s;
            double x_mean[SEEDS], x_p95[SEEDS];
            for (int k = 0; k < SEEDS; k++) {
                char o1[64], o2[64], o3[64], o4[64];
                snprintf(o1, sizeof o1, "services.api.arrivals.rate_per_s=%.17g", lambda);
                snprintf(o2, sizeof o2, "seed=%d", seed_base + k);
                snprintf(o3, sizeof o3, "duration=%.0fs", ceil(run_s));
                snprintf(o4, sizeof o4, "warmup=%.0fs", ceil(warmup_s));
                char *sets[] = {o1, o2, o3, o4};
                ccs_scenario *s;
                ccs_run_result *r;
                ccs_err err = {0};
                if (ccs_scenario_load(path, sets, 4, &s, &err) || ccs_run(s, &r, &err)) {
                    fprintf(stderr, "validate: %s\n", err.msg);
                    return 2;
                }
                x_mean[k] = r->services[0].mean_ms;
                x_p95[k] = r->services[0].p95_ms;
                ccs_run_result_destroy(r);
                ccs_scenario_destroy(s);
            }
            double t_mean, t_p95;
            theory(m, lambda, mean_s, &t_mean, &t_p95);
            printf("%s rho=%.2f  lambda=%.1f/s  %.2g customers x %d seeds\n", m->name, rho, lambda, n, SEEDS);
            failures += !check("mean", 1e3 * t_mean, x_mean, SEEDS, alpha);
            checks++;
            if (m->check_p95) {
                failures += !check("P95", 1e3 * t_p95, x_p95, SEEDS, alpha);
                checks++;
            }
        }
    }
    printf("validation: %d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
