/* threshold: run while the forecast intensity is below Y = policy.threshold_g_per_kwh, wait while
 * it is not, and let the deadline guard start the run when the slack is gone (counted as an
 * override). A contiguous run starts at the first moment below Y, or at the latest start. An
 * interruptible run runs in every stretch below Y and pauses in the others; each resume after a
 * pause costs the job's checkpoint time, and once the work left (with that cost) fills the time
 * to the deadline it runs to the end. */
#include "policy.h"

#include <math.h>

enum { Y };
static const ccs_policy_param params[] = {
    [Y] = {.key = "threshold_g_per_kwh",
           .def = 0,
           .min = 0,
           .max = INFINITY,
           .expect = "an intensity in gCO2e/kWh",
           .required = 1},
};

static int contiguous(const ccs_job_decision *d, const ccs_option *o, double y, ccs_plan *out)
{
    const ccs_window *w = &o->w;
    int64_t latest = d->deadline_us - d->work_us, start = -1;
    for (size_t k = 0; k < w->n && w->t[k] <= latest && start < 0; k++) {
        if (w->t[k + 1] <= o->ready_us) continue;
        int64_t s = w->t[k] > o->ready_us ? w->t[k] : o->ready_us;
        if (w->ci[k] < y) start = s;
    }
    if (start < 0) {
        start = latest;
        out->override = 1;
    }
    return ccs_run_plan_single(&out->run, w, start, start + d->work_us);
}

static int intervals(const ccs_job_decision *d, const ccs_option *o, double y, ccs_plan *out)
{
    const ccs_window *w = &o->w;
    ccs_run_plan *r = &out->run;
    int64_t remaining = d->work_us, owed = 0, ck = d->checkpoint_us, dl = d->deadline_us;
    r->n = 0;
    for (size_t k = 0; k < w->n && remaining > 0 && w->t[k] < dl; k++) {
        if (w->t[k + 1] <= o->ready_us) continue;
        int64_t a = w->t[k] > o->ready_us ? w->t[k] : o->ready_us, b = w->t[k + 1] < dl ? w->t[k + 1] : dl;
        int running = r->n > 0 && r->iv[r->n - 1].b_us == a;
        int64_t resume = r->n > 0 && !running ? ck : 0;
        if (w->ci[k] < y) {
            owed += resume;
            int64_t len = b - a < remaining + owed ? b - a : remaining + owed;
            if (ccs_run_plan_append(r, a, a + len) != 0) return -1;
            int64_t paid = len < owed ? len : owed;
            owed -= paid;
            remaining -= len - paid;
            continue;
        }
        /* would wait: unless the slack runs out before b */
        int64_t pause_cost = r->n > 0 ? ck : 0;
        int64_t x = dl - (remaining + owed + pause_cost);
        if (x >= b) continue;
        if (x <= a) {
            x = a;
            owed += resume;
        } else {
            owed += pause_cost;
        }
        if (ccs_run_plan_append(r, x, x + remaining + owed) != 0) return -1;
        remaining = owed = 0;
        out->override = 1;
    }
    if (remaining > 0 || owed > 0) { /* the window ended first: nothing fits here */
        r->n = 0;
        r->feasible = 0;
        return 0;
    }
    r->feasible = 1;
    ccs_run_plan_totals(r, w);
    return 0;
}

static int plan(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    const ccs_option *o = &d->opts[k];
    out->override = 0;
    out->run.n = 0;
    out->run.feasible = 0;
    if (o->w.n == 0 || o->ready_us + d->work_us > d->deadline_us || d->deadline_us > o->w.t[o->w.n]) return 0;
    double y = d->cfg->param[Y];
    int rc = d->interruptible ? intervals(d, o, y, out) : contiguous(d, o, y, out);
    out->w_carbon = 1; /* weighed by carbon, as between regions */
    out->w_cost = 0;
    if (rc == 0 && out->run.feasible) out->objective = ccs_policy_carbon_g(d, k, &out->run);
    return rc;
}

const ccs_policy_type ccs_policy_threshold = {
    .version = CCS_POLICY_VERSION,
    .name = "threshold",
    .summary = "run while intensity is below policy.threshold_g_per_kwh, else wait while slack allows",
    .params = params,
    .nparams = 1,
    .plan = plan,
};
