/* run-now: the baseline every result is compared with. Each run starts at its release in its
 * first allowed region. */
#include "policy.h"

static int place(const void *ctx, const ccs_job_run *run, ccs_placement *out)
{
    (void)ctx;
    out->region = run->regions[0];
    out->start_us = run->release_us;
    return 0;
}

const ccs_policy_type ccs_policy_run_now = {
    .version = 1,
    .name = "run-now",
    .summary = "start every job at its release, in its home region (the baseline)",
    .place = place,
};
