/* Scheduling policies as plug-ins (docs/model.md 6). A policy plans one run of a deferrable job in
 * one allowed region at a time, from the forecast as seen at the run's release; the job driver
 * (job.c) asks it for each region it may use (all allowed regions when the policy moves work,
 * or when the scenario sets policy.geo_shift; otherwise the home region only) and keeps the plan
 * with the least objective. Adding a policy is one file in policies/ and one line in policy.c's
 * registry. Policies never print, never allocate beyond the plan they fill, and never read the
 * actual trace: only the forecast windows they are given. */
#ifndef CCS_POLICY_H
#define CCS_POLICY_H

#include "ccs_schema.h"
#include "forecast.h"
#include "window.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ccs_policy_type ccs_policy_type;

/* Parameters: every registered policy's own keys together (distinct), and one policy's own. */
enum { CCS_POLICY_MAX_KEYS = 16, CCS_POLICY_MAX_OWN = 4 };

/* The policy map of a scenario: what every policy shares (the forecast, geo_shift), the chosen
 * policy, and the values of every policy's own keys (a sweep may set one policy's key for
 * points that run another). */
typedef struct ccs_policy_cfg {
    ccs_src_pos pos;
    char *name; /* NULL: run-now */
    int forecast;
    double forecast_error;            /* noisy: relative standard deviation at 24 h ahead */
    int forecast_error_growth;        /* how that spread grows with the horizon */
    int forecast_error_scale;         /* CCS_ERROR_OF_VALUE: sd relative to each value; _OF_MEAN: to the
                                * signal's mean over the traces (additive, as Wiesner et al.) */
    double forecast_error_corr;       /* the correlation of one forecast's errors an hour apart (AR(1)) */
    int signal;                       /* CCS_SIGNAL_AVERAGE or _MARGINAL: the intensity plans minimise */
    int64_t replan_us;                /* re-plan unfinished runs at this interval; 0: never */
    int geo_shift;                    /* also search every allowed region, paying transfer */
    double keys[CCS_POLICY_MAX_KEYS]; /* every registered parameter, by the registry's slot */
    /* set by ccs_policy_resolve: */
    const ccs_policy_type *type;
    double param[CCS_POLICY_MAX_OWN]; /* the chosen policy's own parameters, in its order */
} ccs_policy_cfg;

/* One region a run may use, as the policy sees it. */
typedef struct ccs_option {
    int region; /* index into the scenario's regions */
    double pue;
    int64_t ready_us;     /* earliest start: the release, plus the transfer time away from home */
    double transfer_cost; /* currency; 0 at home */
    ccs_window w;         /* forecast from the release to the deadline */
} ccs_option;

/* A job's own limits on each of its runs (jobs[].max_cost, ...): hard bounds on the plan, on top
 * of the policy's own constraint, planned exactly by the same searches. < 0: not set. */
enum { CCS_INFEASIBLE_RUN_NOW = 0, CCS_INFEASIBLE_BEST_EFFORT, CCS_INFEASIBLE_SKIP };
typedef struct ccs_job_limits {
    double max_cost;          /* currency per run, the full cost (with rent, capex, transfer) */
    double max_cost_increase; /* fraction over the run's run-now cost: cost <= B + x |B| */
    double max_intensity;     /* gCO2e/kWh, the mean over the run's energy */
    double min_saving;        /* fraction of the run's run-now carbon: carbon <= (1 - s) C0 */
    int on_infeasible;        /* CCS_INFEASIBLE_*: what runs when no plan meets them */
} ccs_job_limits;

/* Whether any limit is set. */
int ccs_job_limits_any(const ccs_job_limits *l);

typedef struct ccs_job_decision {
    int64_t release_us, deadline_us; /* epoch microseconds */
    int64_t work_us;                 /* run time without pauses */
    int64_t checkpoint_us;           /* extra run time of each resume (interruptible) */
    double power_w;
    int interruptible;
    const ccs_option *opts; /* allowed regions; opts[0] is home */
    size_t nopts;
    double baseline_cost;         /* forecast cost of run-now: at release, at home, in one go */
    const ccs_policy_cfg *cfg;    /* its own parameters in cfg->param, and the rest */
    const ccs_job_limits *limits; /* the job's limits, or NULL: none */
    double baseline_carbon;       /* forecast carbon (g) of run-now, for min_saving */
} ccs_job_decision;

typedef struct ccs_plan {
    ccs_run_plan run;        /* intervals, forecast integrals, feasible */
    double objective;        /* what the policy minimised, comparable between regions */
    double w_carbon, w_cost; /* objective = w_carbon x carbon (g) + w_cost x cost, so that another
                              * plan can be weighed the same way (a re-plan against the plan it
                              * would replace); both 0: a policy that minimises nothing */
    int override;            /* the deadline guard chose the start: slack ran out */
    int fallback;            /* no plan met the policy's constraint: its fallback was taken */
    int unproven;            /* a search behind it gave up (CCS_SLOTS_TOO_MANY): the best plan it
                              * found, feasible, but not proven the best (or proven that none fits) */
} ccs_plan;

/* A parameter of a policy: policy.KEY in a scenario, a number. */
enum { CCS_PARAM_PLAIN = 0, CCS_PARAM_COST_TOLERANCE };
typedef struct ccs_policy_param {
    const char *key;
    double def, min, max; /* max INFINITY: no upper bound */
    const char *expect;   /* what a good value looks like, for messages ("an intensity in gCO2e/kWh") */
    int required;         /* the policy needs a value above min: the default means "not set" */
    int role;             /* CCS_PARAM_COST_TOLERANCE: a bound on cost as a fraction over run-now's
                           * |cost|, the X the sweep's report answers Finance with */
} ccs_policy_param;

/* A plug-in. Adding one is a file in policies/, a line in policies/registry.h and a line in
 * models/meson.build: its keys join the policy schema and its rules the scenario's checks. */
#define CCS_POLICY_VERSION 1
struct ccs_policy_type {
    int version; /* CCS_POLICY_VERSION; first, as in sqlite3_vfs, so the struct can grow */
    const char *name;
    const char *summary;            /* one line for --help and the README */
    int moves;                      /* 1: searches every allowed region by itself */
    const ccs_policy_param *params; /* its own keys, at most CCS_POLICY_MAX_OWN */
    size_t nparams;
    /* Optional cross-field rules on cfg (its own parameters in cfg->param): NULL if good, else
     * what is wrong, for a message at the policy map. */
    const char *(*check)(const ccs_policy_cfg *cfg);
    /* Plans the run in option k. Fills out (run.feasible 0: nothing fits there). Returns 0, or
     * -1 if memory ran out. */
    int (*plan)(const ccs_job_decision *d, size_t k, ccs_plan *out);
};

/* ---- the registry ---- */

/* A registered policy by name; NULL if none (or if it failed ccs_policy_type_check). */
const ccs_policy_type *ccs_policy_find(const char *name);
const char *const *ccs_policy_names(void);
size_t ccs_policy_count(void);
void ccs_policy_list(char *buf, size_t size); /* "a, b, c" */
/* Every policy as its plug-in describes itself: name, summary, then each own key with its range
 * and default, two lines per policy and one per key, for --help. */
void ccs_policy_describe(FILE *f);

/* NULL if t is a well-formed plug-in of this version, else what is wrong with it, in buf. */
const char *ccs_policy_type_check(const ccs_policy_type *t, char *buf, size_t size);

/* The schema of the policy map (the shared keys, then every registered policy's own), and its
 * defaults: for the scenario loader. */
const ccs_schema *ccs_policy_schema(void);
void ccs_policy_defaults(ccs_policy_cfg *cfg);

/* Finds the policy cfg->name (NULL: run-now), checks its required parameters and rules, and fills
 * cfg->type and cfg->param. key: the map's key path in messages ("policy", "jobs[x].policy");
 * at: where to report an unknown name; pos: the policy map. */
int ccs_policy_resolve(ccs_policy_cfg *cfg, const char *key, const ccs_src_pos *at, ccs_err *err);

/* The cost tolerance of a policy map: the value of the parameter some registered policy declares
 * with CCS_PARAM_COST_TOLERANCE (0 if none does), and that parameter's key (NULL if none). */
double ccs_policy_cost_tolerance(const ccs_policy_cfg *cfg);
const char *ccs_policy_cost_tolerance_key(void);

/* The baseline every plan is measured against (the one built-in the run driver names). */
extern const ccs_policy_type ccs_policy_run_now;

/* ---- helpers shared by the built-ins ---- */

/* Carbon (g) and cost (currency: electricity, plus the option's transfer cost) of a plan's
 * forecast integrals in option k. ccs_policy_cost is the one place a cost is computed, for a
 * plan, for run-now's baseline B (ccs_policy_cost_of, from its price integral) and for caps:
 * always price_h x (power / 1e6 x PUE) + transfer, in that order, so that run-now's cost equals
 * B to the last bit and a cap of B + 0 |B| admits it. */
double ccs_policy_carbon_g(const ccs_job_decision *d, size_t k, const ccs_run_plan *r);
double ccs_policy_cost(const ccs_job_decision *d, size_t k, const ccs_run_plan *r);
double ccs_policy_cost_of(const ccs_job_decision *d, size_t k, double price_h);

/* The tolerance of caps and limits, relative to their magnitude: a plan meets a cap when its value
 * is at most the cap plus this share of it (ten times the rounding of a search's sums, ~1e-13).
 * Without it, plans that tie with the cap (a rented device's flat rent costs the same at any
 * start as run-now's B) would fall either side of it by rounding, and a cost tolerance of 0 could
 * never shift a run in time at no extra cost. */
#define CCS_POLICY_CAP_TOL 1e-12

/* The best plan in option k for an objective on carbon (g) and cost (currency) with an optional
 * constraint in the same units; contiguous or, for an interruptible job, a set of intervals.
 * obj/con weights: carbon_g, cost (+ transfer, a constant), hours. Run-at-ready is always a
 * candidate: taken when it meets the constraint (checked exactly, with ccs_policy_cost) and does
 * strictly better than what the search found. out->fallback = 0, out->override = 0. */
int ccs_policy_search(const ccs_job_decision *d, size_t k, double obj_carbon, double obj_cost, double con_carbon,
                      double con_cost, double con_hours, double bound, ccs_plan *out);

/* Starts at the option's ready time and runs straight through. */
int ccs_policy_run_at_ready(const ccs_job_decision *d, size_t k, ccs_plan *out);

/* Whether a plan in option k meets every limit of d (exactly, on its forecast integrals). 1 if d
 * has none. */
int ccs_policy_limits_met(const ccs_job_decision *d, size_t k, const ccs_run_plan *r);

/* on_infeasible: best-effort. The plan in option k that goes furthest towards all of d's limits
 * together: least sum of each limited quantity over its limit (cost / cap, carbon / cap, and
 * for an intensity limit carbon / (Y x energy)), unconstrained; run-at-ready if no limit is set. */
int ccs_policy_best_effort(const ccs_job_decision *d, size_t k, ccs_plan *out);

#endif
