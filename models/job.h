/* Deferrable jobs (docs/model.md 5): runs released periodically or at the stamps of a trace, each
 * planned by the policy from the forecast at its release, in its home region or (when the policy
 * moves work) in another allowed one after its input has been transferred; then admitted under
 * each region's capacity (capacity.h), and charged to the ledger at constant power over its
 * intervals with the actual signals. Freshness is the age of information of the job's output:
 * at time t, t minus the release of the newest completed run.
 * Limit: a job's work is a duration at a power; it has no parallelism to trade for time. */
#ifndef CCS_JOB_H
#define CCS_JOB_H

#include "capacity.h"
#include "ccs_err.h"
#include "ccs_releases.h"
#include "ccs_scenario.h"
#include "forecast.h"
#include "ledger.h"
#include "policy.h"

#include <stdint.h>

typedef struct ccs_job_run_record {
    int64_t release_us, start_us, end_us; /* first start, last end */
    int64_t deadline_us;
    int64_t wait_us; /* time spent waiting for capacity */
    int region;
    uint32_t intervals;
    size_t iv_first;                   /* its intervals: ccs_job_result.iv[iv_first ...] */
    int override;                      /* the deadline guard started it: slack ran out */
    int fallback;                      /* no plan met the policy's constraint: its fallback ran */
    int unproven;                      /* a search gave up: not proven the best plan (policy.h) */
    int missed;                        /* it ended after its deadline */
    double energy_kwh, carbon_g, cost; /* actual, cost with transfer */
    double forecast_carbon_g;          /* what the policy expected */
} ccs_job_run_record;

typedef struct ccs_job_result {
    uint64_t runs;
    uint64_t deadline_misses;
    uint64_t overrides;      /* runs the deadline guard started */
    uint64_t fallbacks;      /* runs no plan met the constraint for: the policy's fallback */
    uint64_t unproven;       /* runs whose plan is not proven the best: a search gave up */
    uint64_t moved;          /* runs away from home */
    uint64_t queued;         /* runs that waited for capacity */
    double queue_wait_h;     /* their total wait */
    double freshness_mean_h; /* time average from the first completion to the end of the period
                                * (or the last completion, if later); 0 with no completed run */
    double freshness_max_h;
    double delay_mean_h; /* first start - release */
    double transfer_cost;
    double forecast_carbon_g;
    ccs_charge charge;           /* actual, transfer included in cost */
    ccs_job_run_record *records; /* one per run, in release order */
    ccs_interval *iv;            /* every run's intervals, as run */
    size_t niv, ivcap;
} ccs_job_result;

void ccs_job_result_free(ccs_job_result *r);

typedef struct ccs_job_env {
    const ccs_scenario *sc;
    const ccs_policy_type *policy;
    ccs_forecast *forecast;
    ccs_ledger *ledger;
    int64_t start_us, end_us; /* releases in [start, end) */
} ccs_job_env;

/* One job as the driver hands it over. */
typedef struct ccs_job_spec {
    const ccs_job_cfg *cfg;
    const int *regions; /* allowed region indices, home first */
    size_t nregions;
    const ccs_releases *releases; /* its release trace, or NULL: periodic */
    const ccs_trace *spot;        /* its devices' spot price series (currency per device-hour), or NULL */
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

#endif
