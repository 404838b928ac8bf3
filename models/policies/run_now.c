/* run-now: the baseline every result is compared with. Each run starts at its release in its
 * home region and runs straight through; it never moves, whatever policy.geo_shift says. */
#include "policy.h"

static int plan(const ccs_job_decision *d, size_t k, ccs_plan *out) { return ccs_policy_run_at_ready(d, k, out); }

const ccs_policy_type ccs_policy_run_now = {
    .version = CCS_POLICY_VERSION,
    .name = "run-now",
    .summary = "start every run at its release, at home, in one go (the baseline)",
    .moves = -1,
    .plan = plan,
};
