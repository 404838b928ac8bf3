/* price-tolerance: the least forecast carbon whose forecast cost (with transfer) stays within
 * X of run-now's: cost <= B + X |B|, B the run-now cost, X = policy.price_tolerance. Why |B| and
 * not (1 + X) B: prices can be negative, and (1 + X) B would then tighten as X grows. X = 0
 * keeps run-now's cost as the cap, and run-now itself always meets it. */
#include "policy.h"

#include <math.h>

enum { TOLERANCE };
static const ccs_policy_param params[] = {
    [TOLERANCE] = {.key = "price_tolerance",
                   .def = 0,
                   .min = 0,
                   .max = 10,
                   .expect = "a fraction over the run-now cost",
                   .role = CCS_PARAM_COST_TOLERANCE},
};

static int plan(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    double b = d->baseline_cost, cap = b + d->cfg->param[TOLERANCE] * fabs(b);
    return ccs_policy_search(d, k, 1, 0, 0, 1, 0, cap, out);
}

const ccs_policy_type ccs_policy_price_tolerance = {
    .version = CCS_POLICY_VERSION,
    .name = "price-tolerance",
    .summary = "least carbon with cost within policy.price_tolerance of run-now's",
    .params = params,
    .nparams = 1,
    .plan = plan,
};
