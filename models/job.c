/* Deferrable jobs; see job.h. Per run: build what the policy may see (each allowed region's
 * forecast window, ready time and transfer cost), ask the policy for each region it may use,
 * keep the least objective (home first among equals), book the plan with actual signals. */
#include "job.h"

#include "ccs_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int64_t ccs_job_first_release(const ccs_job_cfg *cfg, int64_t start_us)
{
    int64_t r = ccs_time_floor(start_us, CCS_US_PER_DAY) + cfg->release.at_us;
    if (r < start_us) r += ((start_us - r + cfg->release.every_us - 1) / cfg->release.every_us) *
                           cfg->release.every_us;
    return r;
}

void ccs_job_result_free(ccs_job_result *r)
{
    free(r->records);
    r->records = NULL;
}

static int cmp_end(const void *a, const void *b)
{
    const ccs_job_run_record *x = a, *y = b;
    if (x->end_us != y->end_us) return (x->end_us > y->end_us) - (x->end_us < y->end_us);
    return (x->release_us > y->release_us) - (x->release_us < y->release_us);
}

/* Age of information from the records: between completions the newest completed release is
 * fixed, so the age grows linearly; integrate it piece by piece. Runs may finish out of release
 * order (different plans): a late finisher does not make the output older. */
static int freshness(ccs_job_result *out, int64_t end_us)
{
    size_t n = out->runs;
    if (n == 0) return 0;
    ccs_job_run_record *by_end = malloc(n * sizeof *by_end);
    if (!by_end) return -1;
    memcpy(by_end, out->records, n * sizeof *by_end);
    qsort(by_end, n, sizeof *by_end, cmp_end);
    int64_t newest = by_end[0].release_us, first = by_end[0].end_us;
    double integral = 0, max_age = (double)(by_end[0].end_us - by_end[0].release_us);
    for (size_t i = 1; i < n; i++) {
        double a0 = (double)(by_end[i - 1].end_us - newest), a1 = (double)(by_end[i].end_us - newest);
        integral += (a1 * a1 - a0 * a0) / 2.0;
        if (a1 > max_age) max_age = a1;
        if (by_end[i].release_us > newest) newest = by_end[i].release_us;
    }
    int64_t last = by_end[n - 1].end_us, until = end_us > last ? end_us : last;
    double a0 = (double)(last - newest), a1 = (double)(until - newest);
    integral += (a1 * a1 - a0 * a0) / 2.0;
    if (a1 > max_age) max_age = a1;
    double span = (double)(until - first);
    out->freshness_mean_h = span > 0 ? integral / span / 3.6e9 : a0 / 3.6e9;
    out->freshness_max_h = max_age / 3.6e9;
    free(by_end);
    return 0;
}

static int traces_end_error(ccs_err *err, const ccs_job_cfg *cfg, int64_t rel, int64_t end, const ccs_ledger *l)
{
    char a[32], b[32], t1[32];
    ccs_time_format(rel, a, sizeof a);
    ccs_time_format(end, b, sizeof b);
    ccs_time_format(ccs_ledger_t1(l), t1, sizeof t1);
    return ccs_err_set(err, CCS_EINPUT,
                       "job '%s': the run released at %s needs the traces until %s, but the region "
                       "traces end at %s: shorten the period or extend the traces",
                       cfg->name, a, b, t1);
}

int ccs_job_simulate(const ccs_job_env *env, const ccs_job_cfg *cfg, const int *regions, size_t nregions,
                     ccs_job_result *out, ccs_err *err)
{
    memset(out, 0, sizeof *out);
    const ccs_scenario *sc = env->sc;
    const double power_w = cfg->power_kw * 1000.0;
    const int64_t transfer_us = llround(cfg->input_gb * 8.0 / sc->transfer.gbps * 1e6);
    const int moves = env->policy->moves > 0 || (env->policy->moves == 0 && sc->policy.geo_shift);
    const size_t nconsider = moves ? nregions : 1;
    ccs_option *opts = calloc(nregions, sizeof *opts);
    ccs_plan best = {0}, cand = {0};
    size_t cap = 0;
    int rc = opts ? 0 : ccs_err_set(err, CCS_ERUN, "out of memory");
    for (int64_t rel = ccs_job_first_release(cfg, env->start_us); !rc && rel < env->end_us;
         rel += cfg->release.every_us) {
        int64_t deadline = rel + cfg->deadline_us;
        if (deadline > ccs_ledger_t1(env->ledger)) {
            rc = traces_end_error(err, cfg, rel, deadline, env->ledger);
            break;
        }
        for (size_t i = 0; i < nconsider && !rc; i++) {
            ccs_option *o = &opts[i];
            o->region = regions[i];
            o->pue = sc->regions[regions[i]].pue;
            o->ready_us = rel + (i ? transfer_us : 0);
            o->transfer_cost = i ? cfg->input_gb * sc->transfer.cost_per_gb : 0.0;
            if (ccs_forecast_window(env->forecast, regions[i], rel, deadline, &o->w) != 0)
                rc = ccs_err_set(err, CCS_ERUN, "out of memory");
        }
        if (rc) break;
        ccs_job_decision d = {rel, deadline, cfg->duration_us, cfg->checkpoint_us, power_w, cfg->interruptible,
                              opts, nconsider, 0.0, &sc->policy};
        double ci_h, price_h;
        ccs_window_integrals(&opts[0].w, rel, rel + cfg->duration_us, &ci_h, &price_h);
        d.baseline_cost = price_h * power_w / 1e6 * opts[0].pue;
        size_t chosen = SIZE_MAX;
        for (size_t k = 0; k < nconsider && !rc; k++) {
            if (env->policy->plan(&d, k, &cand) != 0) {
                rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                break;
            }
            if (!cand.run.feasible) continue;
            if (chosen == SIZE_MAX || cand.objective < best.objective - 1e-12 * fabs(best.objective)) {
                ccs_plan t = best;
                best = cand;
                cand = t;
                chosen = k;
            }
        }
        if (rc) break;
        if (chosen == SIZE_MAX) { /* nothing fits anywhere: the guard runs it now, at home */
            if (ccs_policy_run_at_ready(&d, 0, &best) != 0 || !best.run.feasible) {
                rc = best.run.feasible ? ccs_err_set(err, CCS_ERUN, "out of memory")
                                       : traces_end_error(err, cfg, rel, rel + cfg->duration_us, env->ledger);
                break;
            }
            best.override = 1;
            chosen = 0;
        }
        /* book it with the actual signals */
        const ccs_option *o = &opts[chosen];
        ccs_charge c = {0};
        for (size_t i = 0; i < best.run.n && !rc; i++)
            if (ccs_ledger_add(env->ledger, o->region, best.run.iv[i].a_us, best.run.iv[i].b_us, power_w, 1, 0.0,
                               &c) != 0)
                rc = traces_end_error(err, cfg, rel, best.run.iv[i].b_us, env->ledger);
        if (rc) break;
        if (o->transfer_cost > 0) {
            ccs_ledger_add_money(env->ledger, o->region, best.run.iv[0].a_us, o->transfer_cost);
            c.cost += o->transfer_cost;
            out->transfer_cost += o->transfer_cost;
        }
        if (out->runs == cap) {
            cap = cap ? 2 * cap : 64;
            ccs_job_run_record *r = realloc(out->records, cap * sizeof *r);
            if (!r) {
                rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                break;
            }
            out->records = r;
        }
        ccs_job_run_record *rec = &out->records[out->runs++];
        *rec = (ccs_job_run_record){rel, best.run.iv[0].a_us, best.run.iv[best.run.n - 1].b_us, o->region,
                                    (uint32_t)best.run.n, best.override, 0, c.energy_j / 3.6e6, c.carbon_g, c.cost,
                                    ccs_policy_carbon_g(&d, chosen, &best.run)};
        rec->missed = rec->end_us > deadline;
        out->deadline_misses += (uint64_t)rec->missed;
        out->overrides += (uint64_t)best.override;
        out->moved += chosen != 0;
        out->delay_mean_h += (double)(rec->start_us - rel) / 3.6e9;
        out->forecast_carbon_g += rec->forecast_carbon_g;
        ccs_charge_add(&out->charge, &c);
    }
    ccs_run_plan_free(&best.run);
    ccs_run_plan_free(&cand.run);
    free(opts);
    if (!rc && out->runs) out->delay_mean_h /= (double)out->runs;
    if (!rc && freshness(out, env->end_us) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (rc) ccs_job_result_free(out);
    return rc;
}
