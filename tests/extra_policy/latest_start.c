/* latest-start: an extra policy that is not built into ccsim, for tests/extra_policy.sh, which
 * adds it as a contributor would (this file in models/policies/, one registry line, one build
 * line) and runs it. It starts a run a share of the way through its slack: at ready +
 * policy.start_share x (deadline - work - ready), in one go; 0 is run-now, 1 the latest start. */
#include "policy.h"

#include <math.h>

enum { SHARE };
static const ccs_policy_param params[] = {
    [SHARE] = {.key = "start_share", .def = 1, .min = 0, .max = 1, .expect = "a share of the slack"},
};

static int plan(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    const ccs_option *o = &d->opts[k];
    out->override = out->fallback = out->unproven = 0;
    out->run.n = 0;
    out->run.feasible = 0;
    int64_t latest = d->deadline_us - d->work_us;
    if (o->w.n == 0 || o->ready_us > latest || d->deadline_us > o->w.t[o->w.n]) return 0;
    int64_t start = o->ready_us + llround(d->cfg->param[SHARE] * (double)(latest - o->ready_us));
    if (ccs_run_plan_single(&out->run, &o->w, start, start + d->work_us) != 0) return -1;
    out->objective = ccs_policy_carbon_g(d, k, &out->run);
    return 0;
}

const ccs_policy_type ccs_policy_latest_start = {
    .version = CCS_POLICY_VERSION,
    .name = "latest-start",
    .summary = "start a share policy.start_share of the way through the slack",
    .params = params,
    .nparams = 1,
    .plan = plan,
};
