/* carbon-cap: the least forecast cost among runs whose mean forecast intensity stays at or
 * below Y = policy.carbon_cap_g_per_kwh. Where no run in the window meets the cap, the least
 * carbon one (the cap is a limit on intensity, so the policy then gets as near it as it can). */
#include "policy.h"

#include <math.h>

enum { CAP };
static const ccs_policy_param params[] = {
    [CAP] = {.key = "carbon_cap_g_per_kwh",
             .def = 0,
             .min = 0,
             .max = INFINITY,
             .expect = "an intensity in gCO2e/kWh",
             .required = 1},
};

static int plan(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    /* carbon_g - Y x kW x PUE x hours <= 0  <=>  mean intensity <= Y */
    double per_hour = d->cfg->param[CAP] * d->power_w / 1e3 * d->opts[k].pue;
    int rc = ccs_policy_search(d, k, 0, 1, 1, 0, -per_hour, 0.0, out);
    if (rc == 0 && !out->run.feasible) {
        int gave_up = out->unproven; /* then a plan under the cap may exist that it did not find */
        rc = ccs_policy_search(d, k, 1, 0, 0, 0, 0, INFINITY, out);
        out->fallback = 1;
        out->unproven |= gave_up;
    }
    return rc;
}

const ccs_policy_type ccs_policy_carbon_cap = {
    .version = CCS_POLICY_VERSION,
    .name = "carbon-cap",
    .summary = "least cost while mean intensity stays below policy.carbon_cap_g_per_kwh",
    .params = params,
    .nparams = 1,
    .plan = plan,
};
