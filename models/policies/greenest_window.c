/* greenest-window: the least forecast carbon within [release, deadline]: the best start of a
 * contiguous run, or the best set of intervals for an interruptible one (docs/model.md 6). */
#include "policy.h"

#include <math.h>

static int plan(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    return ccs_policy_search(d, k, 1, 0, 0, 0, 0, INFINITY, out);
}

const ccs_policy_type ccs_policy_greenest_window = {
    .version = CCS_POLICY_VERSION,
    .name = "greenest-window",
    .summary = "least forecast carbon before the deadline",
    .plan = plan,
};
