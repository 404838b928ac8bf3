/* Deferrable jobs (DOMAIN.md 5): periodic releases, each run planned by the policy from the
 * forecast at its release, in its home region or (when the policy moves work) in another allowed
 * one after its input has been transferred, and charged to the ledger at constant power over the
 * planned intervals with the actual signals. Freshness is the age of information of the job's
 * output: at time t, t minus the release of the newest completed run.
 * Limits (for now): regions have unlimited capacity, so runs never queue; work is given as a
 * duration at a power, with no parallelism to trade for time. */
#ifndef CCS_JOB_H
#define CCS_JOB_H

#include "ccs_err.h"
#include "ccs_scenario.h"
#include "forecast.h"
#include "ledger.h"
#include "policy.h"

#include <stdint.h>

typedef struct ccs_job_run_record {
    int64_t release_us, start_us, end_us; /* first start, last end */
    int region;
    uint32_t intervals;
    int override, missed;
    double energy_kwh, carbon_g, cost;    /* actual, cost with transfer */
    double forecast_carbon_g;             /* what the policy expected */
} ccs_job_run_record;

typedef struct ccs_job_result {
    uint64_t runs;
    uint64_t deadline_misses;
    uint64_t overrides;        /* runs the deadline guard started */
    uint64_t moved;            /* runs away from home */
    double freshness_mean_h;   /* time average from the first completion to the end of the period
                                * (or the last completion, if later); 0 with no completed run */
    double freshness_max_h;
    double delay_mean_h;       /* first start - release */
    double transfer_cost;
    double forecast_carbon_g;
    ccs_charge charge;         /* actual, transfer included in cost */
    ccs_job_run_record *records; /* one per run, in release order */
} ccs_job_result;

void ccs_job_result_free(ccs_job_result *r);

typedef struct ccs_job_env {
    const ccs_scenario *sc;
    const ccs_policy_type *policy;
    ccs_forecast *forecast;
    ccs_ledger *ledger;
    int64_t start_us, end_us;  /* releases in [start, end) */
} ccs_job_env;

/* First release at or after start_us: days (of `every`) are counted from 00:00 UTC of the
 * start's day, offset by `at`. */
int64_t ccs_job_first_release(const ccs_job_cfg *cfg, int64_t start_us);

/* Runs every release of the job. regions: its allowed region indices, home first. */
int ccs_job_simulate(const ccs_job_env *env, const ccs_job_cfg *cfg, const int *regions, size_t nregions,
                     ccs_job_result *out, ccs_err *err);

#endif
