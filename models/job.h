/* Deferrable jobs: periodic releases, each run placed by the policy and charged to the ledger
 * at constant power over [start, start + duration). Freshness is the age of information of the
 * job's output (DOMAIN.md 5): at time t, t minus the release of the newest completed run.
 * Limit (the spine): regions have unlimited capacity here, so runs never queue; finite capacity
 * and interruptible runs come with the policies. */
#ifndef CCS_JOB_H
#define CCS_JOB_H

#include "ccs_err.h"
#include "ccs_scenario.h"
#include "ledger.h"
#include "policy.h"

#include <stdint.h>

typedef struct ccs_job_result {
    uint64_t runs;
    uint64_t deadline_misses;
    double freshness_mean_h; /* time average from the first completion to the end of the period
                              * (or the last completion, if later); 0 with no completed run */
    double freshness_max_h;
    ccs_charge charge;
} ccs_job_result;

/* First release at or after start_us: days (of `every`) are counted from 00:00 UTC of the
 * start's day, offset by `at`. */
int64_t ccs_job_first_release(const ccs_job_cfg *cfg, int64_t start_us);

/* Runs every release in [start_us, end_us). regions: the job's allowed region indices. */
int ccs_job_simulate(const ccs_job_cfg *cfg, const int *regions, size_t nregions,
                     const ccs_policy_type *policy, const void *policy_ctx, ccs_ledger *ledger,
                     int64_t start_us, int64_t end_us, ccs_job_result *out, ccs_err *err);

#endif
