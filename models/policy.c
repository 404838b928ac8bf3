/* The policy registry (every built-in policy, chosen by name) and the helpers they share. */
#include "policy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const ccs_policy_type *const registry[] = {
    &ccs_policy_run_now,    &ccs_policy_greenest_window, &ccs_policy_cheapest_window, &ccs_policy_price_tolerance,
    &ccs_policy_carbon_cap, &ccs_policy_threshold,       &ccs_policy_geo_shift,
};
#define NPOLICIES (sizeof registry / sizeof registry[0])

static const char *names[NPOLICIES + 1];

const ccs_policy_type *ccs_policy_find(const char *name)
{
    for (size_t i = 0; i < NPOLICIES; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const char *const *ccs_policy_names(void)
{
    for (size_t i = 0; i < NPOLICIES; i++) names[i] = registry[i]->name;
    return names;
}

size_t ccs_policy_count(void) { return NPOLICIES; }

void ccs_policy_list(char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < NPOLICIES; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, registry[i]->name, size - strlen(buf) - 1);
    }
}

/* Integrals are value x hours: gCO2e/kWh x h x kW = g; currency/MWh x h x MW = currency. */
double ccs_policy_carbon_g(const ccs_job_decision *d, size_t k, const ccs_run_plan *r)
{
    return r->ci_h * d->power_w / 1e3 * d->opts[k].pue;
}

double ccs_policy_cost_of(const ccs_job_decision *d, size_t k, double price_h)
{
    return price_h * (d->power_w / 1e6 * d->opts[k].pue) + d->opts[k].transfer_cost;
}

double ccs_policy_cost(const ccs_job_decision *d, size_t k, const ccs_run_plan *r)
{
    return ccs_policy_cost_of(d, k, r->price_h);
}

static double con_of(const ccs_job_decision *d, size_t k, const ccs_run_plan *r, double con_carbon, double con_cost,
                     double con_hours)
{
    double v = 0;
    if (con_carbon != 0) v += con_carbon * ccs_policy_carbon_g(d, k, r);
    if (con_cost != 0) v += con_cost * ccs_policy_cost(d, k, r);
    if (con_hours != 0) v += con_hours * r->hours;
    return v;
}

/* Run-at-ready fits option k: inside the deadline and the forecast. */
static int run_at_ready_fits(const ccs_job_decision *d, size_t k)
{
    const ccs_option *o = &d->opts[k];
    return o->ready_us + d->work_us <= d->deadline_us && o->w.n > 0 && o->ready_us + d->work_us <= o->w.t[o->w.n];
}

int ccs_policy_search(const ccs_job_decision *d, size_t k, double obj_carbon, double obj_cost, double con_carbon,
                      double con_cost, double con_hours, double bound, ccs_plan *out)
{
    const ccs_option *o = &d->opts[k];
    double g_per = d->power_w / 1e3 * o->pue, c_per = d->power_w / 1e6 * o->pue;
    double inner = INFINITY;
    if (isfinite(bound)) { /* the search's bound, a tolerance inside the policy's */
        double moved = bound - con_cost * o->transfer_cost;
        inner = moved - CCS_POLICY_CAP_TOL * (fabs(bound) + fabs(con_cost * o->transfer_cost));
    }
    ccs_objective obj = {obj_carbon * g_per, obj_cost * c_per, con_carbon * g_per, con_cost * c_per, con_hours, inner};
    out->override = 0;
    out->fallback = 0;
    int rc =
        d->interruptible
            ? ccs_window_best_slots(&o->w, d->work_us, d->checkpoint_us, o->ready_us, d->deadline_us, &obj, &out->run)
            : ccs_window_best_start(&o->w, d->work_us, o->ready_us, d->deadline_us - d->work_us, &obj, &out->run);
    if (rc != 0) return rc;
    out->unproven = !out->run.exact;
    if (out->run.feasible)
        out->objective =
            obj_carbon * ccs_policy_carbon_g(d, k, &out->run) + obj_cost * ccs_policy_cost(d, k, &out->run);
    /* run-at-ready, checked exactly: at a cap of exactly its own cost (price-tolerance at X = 0)
     * the search's tolerance leaves it out. Weighed on the stack; built only if it wins. */
    if (!run_at_ready_fits(d, k)) return 0;
    ccs_interval iv = {o->ready_us, o->ready_us + d->work_us};
    ccs_run_plan now = {.iv = &iv, .n = 1, .cap = 1, .feasible = 1};
    ccs_run_plan_totals(&now, &o->w);
    if (isfinite(bound) && !(con_of(d, k, &now, con_carbon, con_cost, con_hours) <= bound)) return 0;
    double v = obj_carbon * ccs_policy_carbon_g(d, k, &now) + obj_cost * ccs_policy_cost(d, k, &now);
    if (out->run.feasible && !(v < out->objective - 1e-12 * fabs(out->objective))) return 0;
    if (ccs_run_plan_single(&out->run, &o->w, iv.a_us, iv.b_us) != 0) return -1;
    out->objective = v;
    return 0;
}

int ccs_policy_run_at_ready(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    const ccs_option *o = &d->opts[k];
    out->override = 0;
    out->fallback = 0;
    out->unproven = 0;
    out->objective = 0;
    if (!run_at_ready_fits(d, k)) {
        out->run.n = 0;
        out->run.feasible = 0;
        return 0;
    }
    return ccs_run_plan_single(&out->run, &o->w, o->ready_us, o->ready_us + d->work_us);
}
