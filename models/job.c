/* Periodic deferrable jobs; see job.h. */
#include "job.h"

#include "ccs_time.h"

#include <string.h>

int64_t ccs_job_first_release(const ccs_job_cfg *cfg, int64_t start_us)
{
    int64_t r = ccs_time_floor(start_us, CCS_US_PER_DAY) + cfg->release.at_us;
    if (r < start_us) r += ((start_us - r + cfg->release.every_us - 1) / cfg->release.every_us) *
                           cfg->release.every_us;
    return r;
}

int ccs_job_simulate(const ccs_job_cfg *cfg, const int *regions, size_t nregions,
                     const ccs_policy_type *policy, const void *policy_ctx, ccs_ledger *ledger,
                     int64_t start_us, int64_t end_us, ccs_job_result *out, ccs_err *err)
{
    memset(out, 0, sizeof *out);
    /* Age of information: between completions the newest completed release is fixed, so the
     * age grows linearly; integrate it piece by piece. */
    int64_t newest_release = INT64_MIN, last_completion = INT64_MIN, first_completion = INT64_MIN;
    double age_integral_us2 = 0, age_max_us = 0;
    for (int64_t rel = ccs_job_first_release(cfg, start_us); rel < end_us; rel += cfg->release.every_us) {
        ccs_job_run run = {rel, rel + cfg->deadline_us, cfg->duration_us, cfg->power_kw * 1000.0,
                           regions, nregions};
        ccs_placement p;
        if (policy->place(policy_ctx, &run, &p) != 0)
            return ccs_err_set(err, CCS_ERUN, "job '%s': policy %s could not place the run", cfg->name,
                               policy->name);
        int64_t done = p.start_us + cfg->duration_us;
        ccs_charge c = {0};
        if (ccs_ledger_add(ledger, p.region, p.start_us, done, run.power_w, 1, 0.0, &c) != 0) {
            char a[32], b[32], t1[32];
            ccs_time_format(rel, a, sizeof a);
            ccs_time_format(done, b, sizeof b);
            ccs_time_format(ccs_ledger_t1(ledger), t1, sizeof t1);
            return ccs_err_set(err, CCS_EINPUT,
                               "job '%s': the run released at %s ends at %s, but the region traces "
                               "end at %s: shorten the period or extend the traces",
                               cfg->name, a, b, t1);
        }
        ccs_charge_add(&out->charge, &c);
        out->runs++;
        if (done > rel + cfg->deadline_us) out->deadline_misses++;
        /* Runs complete in release order here (no queueing), so each completion makes its
         * release the newest. */
        if (last_completion != INT64_MIN) {
            double a0 = (double)(last_completion - newest_release), a1 = (double)(done - newest_release);
            age_integral_us2 += (a1 * a1 - a0 * a0) / 2.0;
            if (a1 > age_max_us) age_max_us = a1;
        } else {
            first_completion = done;
        }
        if ((double)(done - rel) > age_max_us) age_max_us = (double)(done - rel);
        newest_release = rel;
        last_completion = done;
    }
    if (out->runs > 0) {
        int64_t until = end_us > last_completion ? end_us : last_completion;
        double a0 = (double)(last_completion - newest_release), a1 = (double)(until - newest_release);
        age_integral_us2 += (a1 * a1 - a0 * a0) / 2.0;
        if (a1 > age_max_us) age_max_us = a1;
        double span = (double)(until - first_completion);
        out->freshness_mean_h = span > 0 ? age_integral_us2 / span / 3.6e9 : a0 / 3.6e9;
        out->freshness_max_h = age_max_us / 3.6e9;
    }
    return 0;
}
