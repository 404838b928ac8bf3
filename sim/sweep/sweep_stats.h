/* The statistics of a sweep's report: a mean with its 95% confidence interval over seeds
 * (Student's t), per-point summaries paired against the run-now baseline of the same seed, and the
 * Pareto-efficient set of points. Pure functions over ccs_sweep_table. */
#ifndef CCS_SWEEP_STATS_H
#define CCS_SWEEP_STATS_H

#include "sweep_db.h"

#include <stddef.h>

typedef struct ccs_ci {
    double mean, sd, half; /* half-width of the 95% interval; NAN with fewer than 2 values */
    size_t n;
} ccs_ci;

/* Mean, sample standard deviation and t(0.975, n-1) * sd / sqrt(n) of the values that are not NaN. */
ccs_ci ccs_ci95(const double *v, size_t n);

/* Marks on_front[i] = 1 for the points not dominated when both x and y are to be minimised (a
 * point is dominated if another is no worse in both and better in one; equal points are both on
 * the front). NaN points are never on it. */
void ccs_pareto_front(const double *x, const double *y, size_t n, int *on_front);

typedef struct ccs_point_stats {
    size_t point, seeds_done;
    double cost_tolerance; /* the point's cost tolerance X (a fraction), see sweep_run.h */
    char policy[48];
    ccs_ci carbon_saved_pct;                     /* per seed: 100 (baseline - policy) / baseline carbon */
    ccs_ci cost_change_pct;                      /* per seed: 100 (policy - baseline) / |baseline cost| */
    ccs_ci p95_change_pct;                       /* worst service's P95; NaN without services */
    ccs_ci freshness_change_h;                   /* mean age of the jobs' outputs, policy - baseline; NaN
                                                  * without jobs */
    ccs_ci carbon_kg, cost, p95_ms, freshness_h; /* absolute, for the curves */
    double misses, baseline_misses, overrides, fallbacks, unproven; /* per run, mean over seeds */
    int within_tolerance;                                           /* mean cost change <= 100 X */
    double planned_cost, jobs_cost;    /* the jobs' full cost, planned and actual, mean over seeds */
    double capped_runs, runs_over_cap; /* runs of jobs with a max_cost, and those over it, per run */
    int ignores_tolerance;             /* its policy declares no cost tolerance: X changes nothing */
    double constraints_broken;         /* constraint rules broken per run, mean over seeds */
    int breaks_constraint;             /* some seed broke a constraint: marked, never headlined */
    int no_jobs;    /* no done seed had jobs: misses, overrides, fallbacks, unproven and the jobs' costs
                  * are 0 above, and report.csv leaves them empty */
    size_t same_as; /* the first point that is the same scenario: itself, or an earlier point of a policy
                     * that ignores X, differing only in X, with the same figures at every seed */
} ccs_point_stats;

/* One entry per point, in point order; points with no done run have seeds_done 0. */
ccs_point_stats *ccs_sweep_point_stats(const ccs_sweep_table *t);

/* Whether policy declares no parameter with the cost tolerance role (CCS_PARAM_COST_TOLERANCE), so
 * that X cannot change its plans. A name this build does not know is taken to read X. */
int ccs_sweep_ignores_tolerance(const char *policy);

/* Whether path ("policy.name") is one of the sweep's parameters. sweep.csv and report.csv then
 * leave out their own column of the same values (`policy` for policy.name, the cost tolerance's
 * for policy.<its key>): one column per fact. */
int ccs_sweep_has_param(const ccs_sweep_table *t, const char *path);
/* The same for the cost tolerance's parameter, policy.<ccs_sweep_tolerance_column()>. */
int ccs_sweep_has_tolerance_param(const ccs_sweep_table *t);

/* A parameter value as people read it: the YAML quotes --set needed taken off. */
void ccs_sweep_display_value(const char *value, char *buf, size_t size);
/* "policy.name=run-now, services.search.replicas=4" */
void ccs_sweep_point_label(const ccs_sweep_table *t, size_t point, char *buf, size_t size);

#endif
