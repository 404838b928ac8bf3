/* geo-shift: run as soon as the job can (after the transfer of its input, away from home) in the
 * allowed region with the least forecast carbon (docs/model.md 6). For time and place together,
 * set policy.geo_shift: true on a temporal policy instead. */
#include "policy.h"

static int plan(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    int rc = ccs_policy_run_at_ready(d, k, out);
    out->w_carbon = 1; /* weighed by carbon, as between regions */
    out->w_cost = 0;
    if (rc == 0 && out->run.feasible) out->objective = ccs_policy_carbon_g(d, k, &out->run);
    return rc;
}

const ccs_policy_type ccs_policy_geo_shift = {
    .version = CCS_POLICY_VERSION,
    .name = "geo-shift",
    .summary = "run now in the allowed region with the least forecast carbon",
    .moves = 1,
    .plan = plan,
};
