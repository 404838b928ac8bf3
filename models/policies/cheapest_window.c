/* cheapest-window: the least forecast electricity cost (plus transfer, when it moves) within
 * [release, deadline]. Negative prices are real, and this policy will seek them out. */
#include "policy.h"

#include <math.h>

static int plan(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    return ccs_policy_search(d, k, 0, 1, 0, 0, 0, INFINITY, out);
}

const ccs_policy_type ccs_policy_cheapest_window = {
    .version = CCS_POLICY_VERSION,
    .name = "cheapest-window",
    .summary = "least forecast cost before the deadline",
    .plan = plan,
};
