/* Deferrable jobs (docs/model.md 5): runs released periodically or at the stamps of a trace, each
 * planned by the policy from the forecast at its release, in its home region or (when the policy
 * moves work) in another allowed one after its input has been transferred; with policy.replan,
 * re-planned at that interval from a fresh forecast until it ends (in the region chosen at
 * release); with duration_cv, its actual work differs from the nominal its plans assume: a run
 * ends early, or runs on past its plan (the rollback: the deadline guard); then admitted under
 * each region's capacity (capacity.h), and charged to the ledger at constant power over its
 * intervals with the actual signals. Freshness is the age of information of the job's output:
 * at time t, t minus the release of the newest completed run.
 * Limit: a job's work is a duration at a power; it has no parallelism to trade for time. */
#ifndef CCS_JOB_H
#define CCS_JOB_H

#include "capacity.h"
#include "ccs_err.h"
#include "ccs_releases.h"
#include "forecast.h"
#include "ledger.h"
#include "policy.h"

#include <stdint.h>

/* When a job's runs are released: periodically (every, at), or at the stamps of a trace file. */
typedef struct ccs_release_cfg {
    int64_t every_us, at_us;
    char *trace; /* CSV: timestamp[,duration_h]; NULL: periodic */
} ccs_release_cfg;

enum { CCS_DEADLINE_AFTER = 0, CCS_DEADLINE_NEXT_WORKDAY, CCS_DEADLINE_NEXT_WORKDAY_LWA };

typedef struct ccs_job_cfg {
    ccs_src_pos pos;
    char *name;
    ccs_release_cfg release;
    int64_t duration_us; /* 0 with a release trace: each stamp's duration_h */
    double power_kw;
    int64_t deadline_us; /* relative to release; 0: the duration (no slack) */
    int deadline_rule;   /* CCS_DEADLINE_AFTER (deadline_us), or NEXT_WORKDAY: 09:00 UTC of the next
                           * workday after the run would end if started at release, unless it ends
                           * within working hours (09:00-17:00, Mon-Fri), then that end;
                           * NEXT_WORKDAY_LWA: the same, except that a run ending on a Friday
                           * evening is due Saturday 09:00, as in Wiesner et al.'s simulator */
    int interruptible;
    int64_t checkpoint_us; /* interruptible: extra run time for each resume after a pause */
    char **regions;        /* allowed regions (data residency), first = home; none given: the first region */
    size_t nregions;
    double input_gb;             /* input data moved when the job runs away from home */
    char *hardware;              /* a hardware profile: power = max_parallelism x its max_w, and its
                           * price_per_hour per device (rented); NULL: power_kw, owned */
    long max_parallelism;        /* devices the job runs on at once (0: not given, 1) */
    double device_hours;         /* work in device-hours instead of duration: duration = this / devices */
    double rent_per_hour;        /* set by the cross-check: devices x the profile's price; 0: owned */
    ccs_trace_ref spot_price;    /* a spot price series for the devices (currency per device-hour),
                               * instead of the profile's price; file NULL: none */
    double reserved_factor;      /* share of the on-demand price paid (a reservation or commitment
                               * discount, stated); 1: on-demand */
    double capex_per_hour;       /* set by the cross-check: owned devices' amortised capital cost */
    double embodied_kg_per_hour; /* set by the cross-check: the devices' and their host share's
                                  * embodied carbon per hour run (0: no hardware profile) */
    double *rent_in;             /* set by the cross-check: rent per hour in each allowed region (as
                               * regions, or the first region with none listed); NULL: owned */
    ccs_policy_cfg policy;       /* its own policy (the scenario's, with the keys it gives); pos.file
                               * NULL: none, the scenario's applies */
    ccs_job_limits limits;       /* its limits on each run; < 0: not set */
    double duration_cv;          /* the coefficient of variation of each run's actual work around its
                               * nominal (lognormal, mean the nominal); planners see the nominal */
} ccs_job_cfg;

typedef struct ccs_transfer_cfg {
    double gbps;        /* bandwidth between regions */
    double cost_per_gb; /* scenario currency per GB moved */
} ccs_transfer_cfg;

typedef struct ccs_job_run_record {
    int64_t release_us, start_us, end_us; /* first start, last end */
    int64_t deadline_us;
    int64_t wait_us; /* time spent waiting for capacity */
    int region;
    uint32_t intervals;
    size_t iv_first;                   /* its intervals: ccs_job_result.iv[iv_first ...] */
    int override;                      /* the deadline guard started it: slack ran out */
    int fallback;                      /* no plan met the policy's constraint or the job's limits:
                                        * a fallback ran (the policy's, or on_infeasible's) */
    int skipped;                       /* no plan met the job's limits and on_infeasible is skip:
                                        * not run (no intervals) */
    int unproven;                      /* a search gave up: not proven the best plan (policy.h) */
    int missed;                        /* it ended after its deadline */
    uint32_t replans;                  /* re-plans (policy.replan) that changed its plan */
    int overran;                       /* its actual work exceeded the nominal: it ran on past its plan */
    double energy_kwh, carbon_g, cost; /* actual, cost with transfer */
    double forecast_carbon_g;          /* what the policy expected */
    double forecast_cost;              /* the full cost the policy expected */
} ccs_job_run_record;

typedef struct ccs_job_result {
    uint64_t runs;
    uint64_t deadline_misses;
    uint64_t overrides;      /* runs the deadline guard started */
    uint64_t planned;        /* runs as the policy planned them: no override, fallback or skip */
    uint64_t fallbacks;      /* runs no plan met the constraint or limits for: a fallback ran */
    uint64_t skipped;        /* runs not run: no plan met the limits, on_infeasible: skip */
    uint64_t unproven;       /* runs whose plan is not proven the best: a search gave up */
    uint64_t replans;        /* re-plans that changed a run's plan (policy.replan) */
    uint64_t overruns;       /* runs whose actual work exceeded the nominal (duration_cv) */
    uint64_t moved;          /* runs away from home */
    uint64_t queued;         /* runs that waited for capacity */
    double queue_wait_h;     /* their total wait */
    double freshness_mean_h; /* time average from the first completion to the end of the period
                                * (or the last completion, if later); 0 with no completed run */
    double freshness_max_h;
    double delay_mean_h; /* first start - release */
    double transfer_cost;
    double forecast_carbon_g;
    double forecast_cost;        /* the full cost the plans expected (runs that ran) */
    uint64_t over_max_cost;      /* runs whose actual cost broke max_cost (planned on the forecast) */
    uint64_t over_max_intensity; /* runs whose actual mean intensity broke max_intensity */
    ccs_charge charge;           /* actual, transfer included in cost */
    double embodied_kg;          /* hours run x the devices' (and host share's) embodied per hour */
    ccs_job_run_record *records; /* one per run, in release order */
    ccs_interval *iv;            /* every run's intervals, as run */
    size_t niv, ivcap;
} ccs_job_result;

void ccs_job_result_free(ccs_job_result *r);

typedef struct ccs_job_env {
    const ccs_region_cfg *regions; /* the scenario's, by index */
    size_t nregions;
    const ccs_transfer_cfg *transfer;
    const ccs_policy_cfg *policy; /* resolved: policy->type is the plug-in */
    ccs_forecast *forecast;
    ccs_ledger *ledger;
    int64_t start_us, end_us; /* releases in [start, end) */
    int baseline;             /* 1: every job run-now, limits ignored (the baseline run) */
    uint64_t seed;            /* the scenario's: each run's actual work is drawn from it */
} ccs_job_env;

/* One job as the driver hands it over. */
typedef struct ccs_job_spec {
    const ccs_job_cfg *cfg;
    const int *regions; /* allowed region indices, home first */
    size_t nregions;
    const ccs_releases *releases; /* its release trace, or NULL: periodic */
    const ccs_trace *spot;        /* its devices' spot price series (currency per device-hour), or NULL */
    const ccs_policy_cfg *policy; /* its own policy, resolved, or NULL: env's */
    ccs_forecast *forecast;       /* the forecast its policy sees, or NULL: env's */
    const double *rent_per_hour;  /* per allowed region (as regions): its devices' rent there; NULL:
                                   * cfg->rent_per_hour everywhere */
} ccs_job_spec;

/* A region's queue of runs waiting for capacity (regions without a capacity: all zero). */
typedef struct ccs_region_queue {
    double capacity_kw; /* 0: unlimited */
    ccs_capacity_stats stats;
    uint32_t *hourly; /* most runs waiting in each hour from the period's start to the
                                * ledger's end */
    size_t nhours;
} ccs_region_queue;

/* First release at or after start_us: days (of `every`) are counted from 00:00 UTC of the
 * start's day, offset by `at`. */
int64_t ccs_job_first_release(const ccs_job_cfg *cfg, int64_t start_us);

/* The deadline of a run released at rel with work_us of work, by the job's rule. */
int64_t ccs_job_deadline(const ccs_job_cfg *cfg, int64_t rel_us, int64_t work_us);

/* Runs every release of every job: plans, admission under capacity, booking. out: one result
 * per spec; queues: one per scenario region (hourly arrays allocated here), or NULL. */
int ccs_jobs_simulate(const ccs_job_env *env, const ccs_job_spec *specs, size_t n, ccs_job_result *out,
                      ccs_region_queue *queues, ccs_err *err);

void ccs_region_queue_free(ccs_region_queue *q);

/* The schemas of a job and of the transfers between regions. ccs_job_schema_link joins the
 * policy registry's schema to the job's policy key: call it once before loading. */
extern const ccs_schema ccs_job_schema, ccs_transfer_schema;
void ccs_job_schema_link(void);

/* A job's own rules (release, duration, deadline; fills the default deadline). */
int ccs_job_check(ccs_job_cfg *j, ccs_err *err);

#endif
