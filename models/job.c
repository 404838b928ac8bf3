/* Deferrable jobs; see job.h. Three passes. Plan: per run, build what the policy may see (each
 * allowed region's forecast window, ready time and transfer cost), ask the policy for each region
 * it may use, keep the least objective (home first among equals). Admit: in each region with a
 * capacity, every job's runs together (capacity.c). Book: the intervals as run, with the actual
 * signals; then misses, delays and freshness. Plans never depend on other jobs, so the first
 * pass goes job by job. */
#include "job.h"

#include "ccs_rng.h"
#include "ccs_time.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t ccs_job_first_release(const ccs_job_cfg *cfg, int64_t start_us)
{
    int64_t r = ccs_time_floor(start_us, CCS_US_PER_DAY) + cfg->release.at_us;
    if (r < start_us) r += ((start_us - r + cfg->release.every_us - 1) / cfg->release.every_us) * cfg->release.every_us;
    return r;
}

int64_t ccs_job_deadline(const ccs_job_cfg *cfg, int64_t rel_us, int64_t work_us)
{
    if (cfg->deadline_rule == CCS_DEADLINE_AFTER) return rel_us + (cfg->deadline_us ? cfg->deadline_us : work_us);
    /* by the start of the next workday after the run would end if started at once */
    const int64_t h = CCS_US_PER_HOUR, end = rel_us + work_us;
    int64_t day = ccs_time_floor(end, CCS_US_PER_DAY), tod = end - day;
    int weekday = (int)((day / CCS_US_PER_DAY % 7 + 7 + 3) % 7);  /* 1970-01-01 was a Thursday; Monday 0 */
    if (weekday < 5 && tod >= 9 * h && tod <= 17 * h) return end; /* ends in working hours: no slack */
    if (weekday < 5 && tod < 9 * h) return day + 9 * h;
    int ahead = weekday == 5 ? 2 : 1; /* Sat, Sun: Monday */
    /* Friday evening: Monday; in Let's Wait Awhile's simulator (strategy.py) the next morning,
     * Saturday 09:00, which is what its published figures were computed with */
    if (weekday == 4 && cfg->deadline_rule == CCS_DEADLINE_NEXT_WORKDAY) ahead = 3;
    return day + ahead * CCS_US_PER_DAY + 9 * h;
}

void ccs_job_result_free(ccs_job_result *r)
{
    free(r->records);
    free(r->iv);
    r->records = NULL;
    r->iv = NULL;
}

void ccs_region_queue_free(ccs_region_queue *q)
{
    free(q->hourly);
    q->hourly = NULL;
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
    size_t n = 0;
    ccs_job_run_record *by_end = malloc((out->runs ? out->runs : 1) * sizeof *by_end);
    if (!by_end) return -1;
    for (size_t k = 0; k < out->runs; k++) /* a skipped run completes nothing */
        if (!out->records[k].skipped) by_end[n++] = out->records[k];
    if (n == 0) {
        free(by_end);
        return 0;
    }
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
    out->freshness_mean_h = span > 0 ? integral / span / CCS_US_PER_HOUR_F : a0 / CCS_US_PER_HOUR_F;
    out->freshness_max_h = max_age / CCS_US_PER_HOUR_F;
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

static int add_record(ccs_job_result *out, size_t *cap, const ccs_job_run_record *rec, const ccs_run_plan *run)
{
    if (out->runs == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        ccs_job_run_record *r = realloc(out->records, c * sizeof *r);
        if (!r) return -1;
        out->records = r;
        *cap = c;
    }
    if (out->niv + run->n > out->ivcap) {
        size_t c = out->ivcap ? 2 * out->ivcap : 64;
        while (c < out->niv + run->n) c *= 2;
        ccs_interval *v = realloc(out->iv, c * sizeof *v);
        if (!v) return -1;
        out->iv = v;
        out->ivcap = c;
    }
    ccs_job_run_record *r = &out->records[out->runs++];
    *r = *rec;
    r->iv_first = out->niv;
    r->intervals = (uint32_t)run->n;
    if (run->n) memcpy(out->iv + out->niv, run->iv, run->n * sizeof *run->iv);
    out->niv += run->n;
    return 0;
}

/* What a run costs in one option, as a window a policy can search: the forecast window with its
 * price replaced by the job's cost per MWh it draws (electricity when owned, plus its rent, spot
 * rent and capital cost spread over its energy at constant power), so that the planner's cost,
 * price_h x MW x PUE + transfer, is the full cost the ledger books. Rented devices pay no
 * electricity (the instance price includes it). Spot prices are taken as known (no forecast). */
typedef struct cost_window {
    int64_t *t;
    double *ci, *price, *ci_h, *price_h;
    size_t cap;
} cost_window;

static void cost_window_free(cost_window *c)
{
    free(c->t);
    free(c->ci);
    free(c->price);
    free(c->ci_h);
    free(c->price_h);
    *c = (cost_window){0};
}

/* Each array grown to cap elements (a realloc that fails leaves its array as it was). */
#define GROW(p, cap) ((tmp = realloc((p), (cap) * sizeof *(p))) != NULL ? ((p) = tmp, 0) : -1)

static int cost_window_reserve(cost_window *c, size_t n)
{
    if (n + 1 <= c->cap && c->t) return 0; /* c->t: every array is there once cap is set */
    size_t cap = c->cap ? c->cap : 64;
    while (cap < n + 1) cap *= 2;
    void *tmp;
    /* all or nothing: cap grows only when every array has */
    if (GROW(c->t, cap) || GROW(c->ci, cap) || GROW(c->price, cap) || GROW(c->ci_h, cap) || GROW(c->price_h, cap))
        return -1;
    c->cap = cap;
    return 0;
}
#undef GROW

/* The money per hour a job pays in an option beyond electricity, and whether it pays electricity. */
typedef struct job_money {
    int owned;     /* pays electricity */
    double rent_h; /* on-demand or reserved rent per hour (0 with a spot series) */
    const ccs_trace *spot;
    double devices; /* the spot series is per device */
    double capex_h; /* amortised capital cost per hour */
} job_money;

/* Fills out from the forecast window fw for a job of mw_pue MW from the grid. A spot series ends
 * the window where it has no price. 0; -1 memory; 1 the window then ends (at *gap) before
 * ready_end, the end of a run started when ready. */
static int cost_window_build(const ccs_window *fw, const job_money *m, double mw_pue, int64_t ready_end, cost_window *c,
                             ccs_window *out, int64_t *gap)
{
    if (m->owned && m->rent_h == 0 && !m->spot && m->capex_h == 0) { /* electricity only: as forecast */
        *out = *fw;
        return 0;
    }
    size_t n = 0, si = 0, hint = 0, ns = m->spot ? ccs_trace_len(m->spot) : 0;
    const int64_t *st = m->spot ? ccs_trace_times(m->spot) : NULL;
    const double *sv = m->spot ? ccs_trace_values(m->spot) : NULL;
    if (fw->n == 0) {
        *out = (ccs_window){0};
        return 0;
    }
    while (si < ns && st[si] <= fw->t[0]) si++;
    if (cost_window_reserve(c, fw->n + 1) != 0) return -1;
    c->t[0] = fw->t[0];
    for (size_t k = 0; k < fw->n; k++) { /* the union of the window's and the series' boundaries */
        for (; si < ns && st[si] < fw->t[k + 1]; si++) {
            if (st[si] <= c->t[n]) continue;
            if (cost_window_reserve(c, n + 2) != 0) return -1;
            c->ci[n] = fw->ci[k];
            c->price[n] = fw->price[k];
            c->t[++n] = st[si];
        }
        if (cost_window_reserve(c, n + 2) != 0) return -1;
        c->ci[n] = fw->ci[k];
        c->price[n] = fw->price[k];
        c->t[++n] = fw->t[k + 1];
    }
    c->ci_h[0] = c->price_h[0] = 0;
    for (size_t i = 0; i < n; i++) {
        double rate = m->rent_h + m->capex_h; /* money per hour beyond electricity */
        if (m->spot) {
            long j = ccs_trace_index_at(m->spot, c->t[i], &hint);
            if (j < 0 || c->t[i] >= ccs_trace_end_us(m->spot)) { /* no price from here: plan before */
                n = i;
                break;
            }
            rate += m->devices * sv[j];
        }
        c->price[i] = (m->owned ? c->price[i] : 0.0) + rate / mw_pue;
        double hours = (double)(c->t[i + 1] - c->t[i]) / CCS_US_PER_HOUR_F;
        c->ci_h[i + 1] = c->ci_h[i] + c->ci[i] * hours;
        c->price_h[i + 1] = c->price_h[i] + c->price[i] * hours;
    }
    *out = (ccs_window){n, c->t, c->ci, c->price, c->ci_h, c->price_h};
    *gap = c->t[n];
    return n > 0 && c->t[n] >= ready_end ? 0 : 1;
}

static int spot_gap_error(ccs_err *err, const ccs_job_cfg *cfg, const ccs_trace *spot, int64_t at)
{
    char a[32];
    ccs_time_format(at, a, sizeof a);
    return ccs_err_set(err, CCS_EINPUT,
                       "job '%s': the spot price series %s has no price for the run at %s: expected it to cover "
                       "every run",
                       cfg->name, ccs_trace_path(spot), a);
}

/* The money of the job's devices in its i-th allowed region. */
static job_money money_of(const ccs_job_spec *spec, size_t i)
{
    const ccs_job_cfg *cfg = spec->cfg;
    double rent = spec->rent_per_hour ? spec->rent_per_hour[i] : cfg->rent_per_hour;
    job_money m = {.owned = rent <= 0 && !spec->spot,
                   .rent_h = spec->spot ? 0.0 : rent,
                   .spot = spec->spot,
                   .devices = (double)(cfg->max_parallelism ? cfg->max_parallelism : 1)};
    m.capex_h = m.owned ? cfg->capex_per_hour : 0.0;
    return m;
}

/* Plans d in every option with plan and keeps the least objective in *best (home first among
 * equals; limits: only plans meeting the job's limits). *chosen: the option, SIZE_MAX if none.
 * Returns 0, or -1 if memory ran out. */
static int choose(const ccs_job_decision *d, int (*plan)(const ccs_job_decision *, size_t, ccs_plan *), int limits,
                  ccs_plan *best, ccs_plan *cand, size_t *chosen, int *unproven)
{
    for (size_t k = 0; k < d->nopts; k++) {
        /* labels are the plan's own, never a previous run's */
        cand->override = cand->fallback = cand->unproven = 0;
        if (plan(d, k, cand) != 0) return -1;
        *unproven |= cand->unproven;
        if (!cand->run.feasible || (limits && !ccs_policy_limits_met(d, k, &cand->run))) continue;
        if (*chosen == SIZE_MAX || cand->objective < best->objective - 1e-12 * fabs(best->objective)) {
            ccs_plan t = *best;
            *best = *cand;
            *cand = t;
            *chosen = k;
        }
    }
    return 0;
}

/* ---- a run as it runs: its actual work, re-plans, and running on past its plan ---- */

/* The actual work of the run released at rel: the nominal, or with duration_cv a lognormal draw
 * whose mean is the nominal, from the stream "job/<name>/duration" seeded by the release, so that
 * every policy and the baseline meet the same work (common random numbers). */
static int64_t actual_work(const ccs_job_env *env, const ccs_job_cfg *cfg, int64_t rel, int64_t work, gsl_rng *rng)
{
    if (cfg->duration_cv <= 0 || !rng) return work;
    char name[320];
    snprintf(name, sizeof name, "job/%s/duration", cfg->name);
    gsl_rng_set(rng, (unsigned long)ccs_rng_substream_seed(env->seed, name, (uint64_t)rel));
    double s2 = log1p(cfg->duration_cv * cfg->duration_cv);
    double f = gsl_ran_lognormal(rng, -s2 / 2, sqrt(s2));
    if (f > 1000) f = 1000; /* over 9 sd at the largest cv: keeps the time in range */
    int64_t w = llround((double)work * f);
    return w > 0 ? w : 1;
}

/* d's run-now figures, what limits and cost tolerances are measured against: its work from the
 * decision's release, straight through, in option k, on the forecast. */
static void set_baseline(ccs_job_decision *d, size_t k)
{
    double ci_h, price_h;
    ccs_window_integrals(&d->opts[k].w, d->release_us, d->release_us + d->work_us, &ci_h, &price_h);
    d->baseline_cost = ccs_policy_cost_of(d, k, price_h);
    d->baseline_carbon = ci_h * d->power_w / 1e3 * d->opts[k].pue;
}

static int same_intervals(const ccs_interval *a, size_t na, const ccs_interval *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

/* What a run needs to re-plan: the job, its forecast and policy, and the option it runs in. */
typedef struct replanner {
    const ccs_job_spec *spec;
    const ccs_policy_type *type;
    ccs_forecast *forecast;
    size_t allowed; /* the option's index among the job's allowed regions */
    cost_window *cw;
    int64_t every_us; /* 0: never */
} replanner;

/* Plans what is left of a run at `now` (work_us of it, the option's region only): the policy's
 * plan from the forecast issued now, if one meets the limits (max_cost held to the remainder's
 * share of the nominal work); the deadline guard's run straight from now if the time left is
 * not enough; else *adopt = 0 (the current plan stays). Returns 0, or -1 with err set. */
static int replan_at(const replanner *rp, const ccs_job_decision *d0, size_t k, int64_t now, int64_t work_us,
                     double share, const ccs_interval *old, size_t nold, ccs_plan *cand, int *adopt, ccs_err *err)
{
    const ccs_job_cfg *cfg = rp->spec->cfg;
    ccs_option opt = d0->opts[k];
    opt.ready_us = now;
    opt.transfer_cost = 0; /* the input is there since release */
    *adopt = 0;
    cand->override = cand->fallback = cand->unproven = 0;
    if (now + work_us > d0->deadline_us) { /* the rollback: slack ran out, run it through now */
        cand->run.n = 0;
        if (ccs_run_plan_append(&cand->run, now, now + work_us) != 0)
            return ccs_err_set(err, CCS_ERUN, "out of memory");
        cand->override = 1;
        *adopt = 1;
        return 0;
    }
    ccs_window fw;
    int64_t gap = 0;
    job_money m = money_of(rp->spec, rp->allowed);
    if (ccs_forecast_window(rp->forecast, opt.region, now, d0->deadline_us, &fw) != 0)
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    int b = cost_window_build(&fw, &m, d0->power_w / 1e6 * opt.pue, now + work_us, rp->cw, &opt.w, &gap);
    if (b < 0) return ccs_err_set(err, CCS_ERUN, "out of memory");
    if (b > 0) return spot_gap_error(err, cfg, rp->spec->spot, gap);
    ccs_job_limits lim = d0->limits ? *d0->limits : (ccs_job_limits){0};
    if (lim.max_cost >= 0) lim.max_cost *= share;
    ccs_job_decision d = *d0;
    d.release_us = now;
    d.work_us = work_us;
    d.opts = &opt;
    d.nopts = 1;
    d.limits = d0->limits ? &lim : NULL;
    set_baseline(&d, 0);
    if (rp->type->plan(&d, 0, cand) != 0) return ccs_err_set(err, CCS_ERUN, "out of memory");
    *adopt = cand->run.feasible && cand->run.n > 0 && ccs_policy_limits_met(&d, 0, &cand->run);
    if (!*adopt || nold == 0 || old[nold - 1].b_us > opt.w.t[opt.w.n]) return 0;
    /* the plan it would replace, weighed the same way on the fresh forecast: kept unless the new
     * one is strictly better or the old one now breaks a limit (no churn between equals) */
    ccs_run_plan tail = {.iv = (ccs_interval *)(uintptr_t)old, .n = nold, .cap = nold, .feasible = 1};
    ccs_run_plan_totals(&tail, &opt.w);
    double was = cand->w_carbon * ccs_policy_carbon_g(&d, 0, &tail) + cand->w_cost * ccs_policy_cost(&d, 0, &tail);
    *adopt = cand->objective < was - 1e-9 * fabs(was) || !ccs_policy_limits_met(&d, 0, &tail);
    return 0;
}

/* Runs the plan in *best (option k of d0) until the run's actual work is done, into *ran: at
 * each re-plan tick what is left is re-planned (an interruptible run at any time, a contiguous
 * one until it starts); a resume after a pause costs the checkpoint; once its plan is used up
 * with work left (more work than the nominal) the run goes on without a pause, and with work
 * done early it ends there. Counts the re-plans that changed the plan; marks overrides. */
static int run_actual(const replanner *rp, const ccs_job_decision *d0, size_t k, int64_t actual, ccs_plan *best,
                      ccs_plan *cand, ccs_run_plan *ran, ccs_job_run_record *rec, ccs_err *err)
{
    const int64_t ck = d0->checkpoint_us, nominal = d0->work_us;
    int64_t done = 0, overhead = 0; /* work done; checkpoint time still owed by the current resume */
    int64_t tick = rp->every_us > 0 ? d0->release_us + rp->every_us : INT64_MAX;
    size_t next = 0;
    ran->n = 0;
    for (;;) {
        while (next < best->run.n && best->run.iv[next].a_us < tick) {
            ccs_interval v = best->run.iv[next];
            if (ran->n && ran->iv[ran->n - 1].b_us != v.a_us) overhead = ck; /* a resume */
            int64_t end = v.b_us < tick ? v.b_us : tick, avail = end - v.a_us;
            int64_t paid = overhead < avail ? overhead : avail;
            overhead -= paid;
            if (actual - done <= avail - paid) /* done in this interval */
                return ccs_run_plan_append(ran, v.a_us, v.a_us + paid + (actual - done)) != 0
                           ? ccs_err_set(err, CCS_ERUN, "out of memory")
                           : 0;
            done += avail - paid;
            if (ccs_run_plan_append(ran, v.a_us, end) != 0) return ccs_err_set(err, CCS_ERUN, "out of memory");
            if (end < v.b_us) {
                best->run.iv[next].a_us = end; /* cut at the tick: the rest stays planned */
                break;
            }
            next++;
        }
        if (next == best->run.n) { /* the plan is used up with work left: it runs on */
            rec->overran = 1;
            if (ran->n == 0) /* no plan ran at all (none is empty): from its release */
                return ccs_run_plan_append(ran, d0->release_us, d0->release_us + actual) != 0
                           ? ccs_err_set(err, CCS_ERUN, "out of memory")
                           : 0;
            ran->iv[ran->n - 1].b_us += overhead + (actual - done);
            return 0;
        }
        int64_t now = tick;
        tick = now > INT64_MAX - rp->every_us ? INT64_MAX : now + rp->every_us;
        int64_t left = nominal - done;
        if ((!d0->interruptible && ran->n) || left <= 0) continue; /* runs on as planned */
        /* A run going on at `now` pays no checkpoint if its plan goes on too, and one if it pauses:
         * planned without it, a plan going on is the best of all (it bounds every other from
         * below); else it is planned with the checkpoint, as a paused run is */
        int adopt = 0, running = ran->n && ran->iv[ran->n - 1].b_us == now;
        double share = (double)left / (double)nominal;
        const ccs_interval *old = best->run.iv + next;
        size_t nold = best->run.n - next;
        int settled = 0; /* the plan without the checkpoint goes on now: the best there is */
        if (running) {
            if (replan_at(rp, d0, k, now, left, share, old, nold, cand, &adopt, err) != 0) return -1;
            settled = cand->run.feasible && cand->run.n && cand->run.iv[0].a_us == now;
            if (!settled && now + left + ck > d0->deadline_us) settled = 1, adopt = 0; /* no time to pause */
        }
        if (!settled && replan_at(rp, d0, k, now, left + (ran->n ? ck : 0), share, old, nold, cand, &adopt, err) != 0)
            return -1;
        if (!adopt) continue;
        rec->override |= cand->override;
        rec->unproven |= cand->unproven;
        if (!same_intervals(cand->run.iv, cand->run.n, best->run.iv + next, best->run.n - next)) rec->replans++;
        ccs_run_plan t = best->run;
        best->run = cand->run;
        cand->run = t;
        next = 0;
        overhead = 0; /* a plan made now counts its own resume in its work */
    }
}

/* Pass 1: every run of one job, planned. */
static int plan_job(const ccs_job_env *env, const ccs_job_spec *spec, ccs_job_result *out, ccs_err *err)
{
    const ccs_job_cfg *cfg = spec->cfg;
    const ccs_releases *rl = spec->releases;
    const ccs_policy_cfg *policy = env->baseline ? NULL : spec->policy ? spec->policy : env->policy;
    const ccs_policy_type *type = policy ? policy->type : &ccs_policy_run_now;
    const ccs_job_limits *limits = env->baseline || !ccs_job_limits_any(&cfg->limits) ? NULL : &cfg->limits;
    ccs_forecast *forecast = spec->forecast ? spec->forecast : env->forecast;
    const double power_w = cfg->power_kw * 1000.0;
    const int64_t transfer_us = llround(cfg->input_gb * 8.0 / env->transfer->gbps * 1e6);
    const int moves = type->moves > 0 || (type->moves == 0 && policy && policy->geo_shift);
    /* best-effort plans in every allowed region the policy may use; run-now at home only */
    const size_t nconsider = moves ? spec->nregions : 1;
    ccs_option *opts = calloc(spec->nregions, sizeof *opts);
    cost_window *cw = calloc(spec->nregions, sizeof *cw);
    ccs_plan best = {0}, cand = {0};
    ccs_run_plan ran = {0};
    size_t cap = 0, next = 0;
    gsl_rng *work_rng = cfg->duration_cv > 0 ? ccs_rng_alloc() : NULL;
    int rc = opts && cw && (work_rng || cfg->duration_cv <= 0) ? 0 : ccs_err_set(err, CCS_ERUN, "out of memory");
    int64_t rel = rl ? INT64_MIN : ccs_job_first_release(cfg, env->start_us);
    if (rl) /* the trace's stamps inside the period */
        while (next < rl->n && rl->release_us[next] < env->start_us) next++;
    while (!rc) {
        int64_t work = cfg->duration_us;
        if (rl) {
            if (next == rl->n) break;
            rel = rl->release_us[next];
            if (rl->work_us) work = rl->work_us[next];
            next++;
        } else if (out->runs) {
            rel += cfg->release.every_us;
        }
        if (rel >= env->end_us) break;
        int64_t deadline = ccs_job_deadline(cfg, rel, work);
        if (deadline < rel + work) {
            char a[32];
            ccs_time_format(rel, a, sizeof a);
            rc = ccs_err_at(err, CCS_EINPUT, cfg->pos.file, cfg->pos.line, cfg->pos.col,
                            "job '%s': the run released at %s has %.10g h of work but a deadline "
                            "of %.10g h: expected jobs.%s.deadline >= each run's work",
                            cfg->name, a, (double)work / CCS_US_PER_HOUR_F,
                            (double)(deadline - rel) / CCS_US_PER_HOUR_F, cfg->name);
            break;
        }
        if (deadline > ccs_ledger_t1(env->ledger)) {
            rc = traces_end_error(err, cfg, rel, deadline, env->ledger);
            break;
        }
        for (size_t i = 0; i < nconsider && !rc; i++) {
            ccs_option *o = &opts[i];
            o->region = spec->regions[i];
            o->pue = env->regions[spec->regions[i]].pue;
            o->ready_us = rel + (i ? transfer_us : 0);
            o->transfer_cost = i ? cfg->input_gb * env->transfer->cost_per_gb : 0.0;
            ccs_window fw;
            int64_t gap = 0;
            job_money m = money_of(spec, i);
            if (ccs_forecast_window(forecast, spec->regions[i], rel, deadline, &fw) != 0) {
                rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                break;
            }
            int b = cost_window_build(&fw, &m, power_w / 1e6 * o->pue, o->ready_us + work, &cw[i], &o->w, &gap);
            if (b < 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            if (b > 0) rc = spot_gap_error(err, cfg, spec->spot, gap);
        }
        if (rc) break;
        ccs_job_decision d = {.release_us = rel,
                              .deadline_us = deadline,
                              .work_us = work,
                              .checkpoint_us = cfg->checkpoint_us,
                              .power_w = power_w,
                              .interruptible = cfg->interruptible,
                              .opts = opts,
                              .nopts = nconsider,
                              .cfg = policy ? policy : env->policy,
                              .limits = limits};
        set_baseline(&d, 0); /* at home: no transfer */
        size_t chosen = SIZE_MAX;
        int unproven = 0; /* any region's search gave up: the choice among them is not proven */
        /* the job's limits bind every policy: a plan over one is no plan */
        if (choose(&d, type->plan, 1, &best, &cand, &chosen, &unproven) != 0) {
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            break;
        }
        int skipped = 0;
        if (chosen == SIZE_MAX && limits && limits->on_infeasible == CCS_INFEASIBLE_SKIP) {
            skipped = 1;
            chosen = 0;
            best.run.n = 0;
            best.override = best.unproven = 0;
            best.fallback = 1;
        } else if (chosen == SIZE_MAX && limits && limits->on_infeasible == CCS_INFEASIBLE_BEST_EFFORT &&
                   choose(&d, ccs_policy_best_effort, 0, &best, &cand, &chosen, &unproven) != 0) {
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            break;
        }
        if (chosen == SIZE_MAX) { /* no plan anywhere: the fallback runs it now, at home */
            if (ccs_policy_run_at_ready(&d, 0, &best) != 0 || !best.run.feasible) {
                rc = best.run.feasible ? ccs_err_set(err, CCS_ERUN, "out of memory")
                                       : traces_end_error(err, cfg, rel, rel + work, env->ledger);
                break;
            }
            best.fallback = 1;
            chosen = 0;
        }
        ccs_job_run_record rec = {.release_us = rel,
                                  .deadline_us = deadline,
                                  .region = opts[chosen].region,
                                  .override = best.override,
                                  .fallback = best.fallback,
                                  .skipped = skipped,
                                  .unproven = unproven,
                                  .forecast_carbon_g = skipped ? 0 : ccs_policy_carbon_g(&d, chosen, &best.run),
                                  .forecast_cost = skipped ? 0 : ccs_policy_cost(&d, chosen, &best.run)};
        /* as it runs: with its actual work, re-planned at each tick (never in the baseline) */
        int64_t actual = actual_work(env, cfg, rel, work, work_rng);
        int64_t every = env->baseline || !d.cfg ? 0 : d.cfg->replan_us;
        const ccs_run_plan *as_run = &best.run;
        if (!skipped && (every > 0 || actual != work)) {
            replanner rp = {spec, type, forecast, chosen, &cw[chosen], every};
            if (run_actual(&rp, &d, chosen, actual, &best, &cand, &ran, &rec, err) != 0) {
                rc = -1;
                break;
            }
            as_run = &ran;
        }
        if (add_record(out, &cap, &rec, as_run) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (work_rng) gsl_rng_free(work_rng);
    ccs_run_plan_free(&ran);
    ccs_run_plan_free(&best.run);
    ccs_run_plan_free(&cand.run);
    for (size_t i = 0; cw && i < spec->nregions; i++) cost_window_free(&cw[i]);
    free(cw);
    free(opts);
    return rc;
}

/* Pass 2: in each region with a capacity, all runs there, across jobs, admitted together. */
static int admit(const ccs_job_env *env, const ccs_job_spec *specs, size_t n, ccs_job_result *out,
                 ccs_region_queue *queues, ccs_err *err)
{
    /* the hours of the ledger: the period and the time runs released in it may take to finish */
    size_t nhours = (size_t)((ccs_ledger_t1(env->ledger) - env->start_us + CCS_US_PER_HOUR - 1) / CCS_US_PER_HOUR);
    for (size_t r = 0; r < env->nregions; r++) {
        double capacity = env->regions[r].capacity_kw;
        if (queues) queues[r].capacity_kw = capacity;
        if (capacity <= 0) continue;
        size_t count = 0;
        for (size_t j = 0; j < n; j++)
            for (size_t k = 0; k < out[j].runs; k++)
                count += out[j].records[k].region == (int)r && !out[j].records[k].skipped;
        ccs_capacity_run *runs = malloc((count ? count : 1) * sizeof *runs);
        uint32_t *hourly = queues ? calloc(nhours ? nhours : 1, sizeof *hourly) : NULL;
        if (!runs || (queues && !hourly)) {
            free(runs);
            free(hourly);
            return ccs_err_set(err, CCS_ERUN, "out of memory");
        }
        /* in release order across jobs (a stable merge by release, job order among equals), so
         * that ties in time go to the run released first */
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            for (size_t k = 0; k < out[j].runs; k++) {
                ccs_job_run_record *rec = &out[j].records[k];
                if (rec->region != (int)r || rec->skipped) continue;
                runs[m++] = (ccs_capacity_run){rec->deadline_us,       specs[j].cfg->checkpoint_us,
                                               specs[j].cfg->power_kw, out[j].iv + rec->iv_first,
                                               &rec->intervals,        0};
            }
        ccs_capacity_stats st;
        int rc = ccs_capacity_admit(capacity, runs, m, env->start_us, hourly, nhours, &st);
        m = 0;
        for (size_t j = 0; !rc && j < n; j++)
            for (size_t k = 0; k < out[j].runs; k++)
                if (out[j].records[k].region == (int)r && !out[j].records[k].skipped)
                    out[j].records[k].wait_us = runs[m++].wait_us;
        free(runs);
        if (queues) {
            queues[r].stats = st;
            queues[r].hourly = hourly;
            queues[r].nhours = nhours;
        }
        if (rc) return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    return 0;
}

/* Rent of devices on a spot price series over [a, b), booked piece by piece (cut at the
 * series' steps and at hours) in the region's cost. Returns 0, or -1 where the series has no
 * price. */
static int spot_rent(const ccs_trace *tr, double devices, ccs_ledger *l, int region, int64_t a, int64_t b,
                     ccs_charge *c)
{
    const int64_t *ts = ccs_trace_times(tr);
    const double *v = ccs_trace_values(tr);
    size_t hint = 0, n = ccs_trace_len(tr);
    for (int64_t x = a; x < b;) {
        long i = ccs_trace_index_at(tr, x, &hint);
        if (i < 0) return -1;
        int64_t y = (size_t)i + 1 < n ? ts[i + 1] : ccs_trace_end_us(tr);
        int64_t hour_end = ccs_time_floor(x, CCS_US_PER_HOUR) + CCS_US_PER_HOUR;
        if (y > hour_end) y = hour_end;
        if (y > b) y = b;
        double m = devices * v[i] * (double)(y - x) / CCS_US_PER_HOUR_F;
        if (ccs_ledger_add_money(l, region, x, m, CCS_MONEY_RENT, c) != 0) return -1;
        x = y;
    }
    return 0;
}

/* The index of a region among the job's allowed ones (0 if it is not one: home). */
static size_t allowed_index(const ccs_job_spec *spec, int region)
{
    for (size_t i = 0; i < spec->nregions; i++)
        if (spec->regions[i] == region) return i;
    return 0;
}

/* Pass 3: one job's runs booked with the actual signals, and its figures. */
static int book_job(const ccs_job_env *env, const ccs_job_spec *spec, ccs_job_result *out, ccs_err *err)
{
    const ccs_job_cfg *cfg = spec->cfg;
    const double power_w = cfg->power_kw * 1000.0;
    const ccs_policy_cfg *policy = spec->policy ? spec->policy : env->policy;
    /* an intensity limit is judged on the signal the plans minimised */
    const int marginal = policy && policy->signal == CCS_SIGNAL_MARGINAL;
    uint64_t ran = 0;
    for (size_t k = 0; k < out->runs; k++) {
        ccs_job_run_record *rec = &out->records[k];
        out->fallbacks += (uint64_t)rec->fallback;
        out->unproven += (uint64_t)rec->unproven;
        out->replans += rec->replans;
        out->overruns += (uint64_t)rec->overran;
        if (rec->skipped) {
            out->skipped++;
            rec->start_us = rec->end_us = rec->release_us;
            continue;
        }
        const ccs_interval *iv = out->iv + rec->iv_first;
        const job_money m = money_of(spec, allowed_index(spec, rec->region));
        ccs_charge c = {0};
        for (uint32_t i = 0; i < rec->intervals; i++)
            if (ccs_ledger_add(env->ledger, rec->region, iv[i].a_us, iv[i].b_us, power_w, m.owned, m.rent_h, &c) != 0 ||
                ccs_ledger_add_rate(env->ledger, rec->region, iv[i].a_us, iv[i].b_us, m.capex_h, CCS_MONEY_CAPEX, &c) !=
                    0)
                return traces_end_error(err, cfg, rec->release_us, iv[i].b_us, env->ledger);
        for (uint32_t i = 0; m.spot && i < rec->intervals; i++)
            if (spot_rent(m.spot, m.devices, env->ledger, rec->region, iv[i].a_us, iv[i].b_us, &c) != 0)
                return spot_gap_error(err, cfg, m.spot, iv[i].a_us);
        if (rec->region != spec->regions[0] && cfg->input_gb > 0) {
            double money = cfg->input_gb * env->transfer->cost_per_gb;
            ccs_ledger_add_money(env->ledger, rec->region, iv[0].a_us, money, CCS_MONEY_TRANSFER, &c);
            out->transfer_cost += money;
        }
        rec->start_us = iv[0].a_us;
        rec->end_us = iv[rec->intervals - 1].b_us;
        for (size_t k = 0; k < rec->intervals; k++) /* its devices' hours, and their host share's */
            out->embodied_kg += (double)(iv[k].b_us - iv[k].a_us) / CCS_US_PER_HOUR_F * cfg->embodied_kg_per_hour;
        rec->energy_kwh = c.energy_j / CCS_J_PER_KWH;
        rec->carbon_g = c.carbon_g;
        rec->cost = c.cost;
        rec->missed = rec->end_us > rec->deadline_us;
        out->deadline_misses += (uint64_t)rec->missed;
        out->overrides += (uint64_t)rec->override;
        out->planned += !rec->override && !rec->fallback;
        out->moved += rec->region != spec->regions[0];
        out->queued += rec->wait_us > 0;
        out->queue_wait_h += (double)rec->wait_us / CCS_US_PER_HOUR_F;
        out->delay_mean_h += (double)(rec->start_us - rec->release_us) / CCS_US_PER_HOUR_F;
        out->forecast_carbon_g += rec->forecast_carbon_g;
        out->forecast_cost += rec->forecast_cost;
        /* caps are judged on actuals: the plan met them on the forecast */
        const ccs_job_limits *lim = &cfg->limits;
        out->over_max_cost += lim->max_cost >= 0 && c.cost > lim->max_cost * (1 + 1e-9);
        double judged_g = marginal ? c.carbon_marginal_g : c.carbon_g;
        out->over_max_intensity +=
            lim->max_intensity >= 0 && judged_g > lim->max_intensity * (c.energy_j / CCS_J_PER_KWH) * (1 + 1e-9);
        ccs_charge_add(&out->charge, &c);
        ran++;
    }
    if (ran) out->delay_mean_h /= (double)ran;
    if (freshness(out, env->end_us) != 0) return ccs_err_set(err, CCS_ERUN, "out of memory");
    return 0;
}

int ccs_jobs_simulate(const ccs_job_env *env, const ccs_job_spec *specs, size_t n, ccs_job_result *out,
                      ccs_region_queue *queues, ccs_err *err)
{
    memset(out, 0, n * sizeof *out);
    if (queues) memset(queues, 0, env->nregions * sizeof *queues);
    int rc = 0;
    for (size_t j = 0; j < n && !rc; j++) rc = plan_job(env, &specs[j], &out[j], err);
    if (!rc) rc = admit(env, specs, n, out, queues, err);
    for (size_t j = 0; j < n && !rc; j++) rc = book_job(env, &specs[j], &out[j], err);
    if (rc) {
        for (size_t j = 0; j < n; j++) ccs_job_result_free(&out[j]);
        for (size_t r = 0; queues && r < env->nregions; r++) ccs_region_queue_free(&queues[r]);
    }
    return rc;
}

/* ---- the schemas of a job and of transfers between regions ---- */
/* ---- jobs ---- */
static const ccs_field release_fields[] = {
    {"every", CCS_F_DURATION, offsetof(ccs_release_cfg, every_us), 0, 1, INFINITY, NULL, NULL, 0,
     "a period such as 24h", NULL},
    {"at", CCS_F_CLOCK, offsetof(ccs_release_cfg, at_us), 0, CCS_NO_RANGE, NULL, NULL, 0, "a UTC clock time \"HH:MM\"",
     NULL},
    {"trace", CCS_F_PATH, offsetof(ccs_release_cfg, trace), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a CSV file of release stamps (timestamp[,duration_h])", NULL},
};
static const ccs_schema release_schema = {"release", sizeof(ccs_release_cfg), release_fields, 3, CCS_NOPOS, NULL};
static const char *const deadline_rule_words[] = {"after", "next_workday", "next_workday_lwa", NULL};
static const char *const infeasible_words[] = {"run-now", "best-effort", "skip", NULL};
static void job_defaults(void *p)
{
    ccs_job_cfg *j = p;
    j->limits = (ccs_job_limits){-1, -1, -1, -1, CCS_INFEASIBLE_RUN_NOW};
    j->reserved_factor = 1;
}
static ccs_field job_fields[] = {
    /* not const: the policy row's schema comes from the registry */
    {"name", CCS_F_NAME, offsetof(ccs_job_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"release", CCS_F_MAP, offsetof(ccs_job_cfg, release), 1, CCS_NO_RANGE, NULL, &release_schema, 0,
     "{every: 24h, at: \"HH:MM\"} or {trace: FILE}", NULL},
    {"duration", CCS_F_DURATION, offsetof(ccs_job_cfg, duration_us), 0, 1e-6, INFINITY, NULL, NULL, 0,
     "a run time such as 30m", NULL},
    {"power_kw", CCS_F_DOUBLE, offsetof(ccs_job_cfg, power_kw), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the job's IT power in kW", NULL},
    {"hardware", CCS_F_NAME, offsetof(ccs_job_cfg, hardware), 0, CCS_NO_RANGE, NULL, NULL, 0, "a hardware profile name",
     NULL},
    {"max_parallelism", CCS_F_INT, offsetof(ccs_job_cfg, max_parallelism), 0, 1, 1e6, NULL, NULL, 0,
     "the number of devices the job runs on at once", NULL},
    {"device_hours", CCS_F_DOUBLE, offsetof(ccs_job_cfg, device_hours), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the work in device-hours", NULL},
    {"spot_price", CCS_F_MAP, offsetof(ccs_job_cfg, spot_price), 0, CCS_NO_RANGE, NULL, &ccs_trace_ref_schema, 0,
     "a spot price series path (currency per device-hour) or {file, column, fill}", "file"},
    {"deadline", CCS_F_DURATION, offsetof(ccs_job_cfg, deadline_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a time after release such as 4h30m", NULL},
    {"deadline_rule", CCS_F_ENUM, offsetof(ccs_job_cfg, deadline_rule), 0, CCS_NO_RANGE, deadline_rule_words, NULL, 0,
     "after (the deadline after release), next_workday or next_workday_lwa", NULL},
    {"interruptible", CCS_F_BOOL, offsetof(ccs_job_cfg, interruptible), 0, CCS_NO_RANGE, NULL, NULL, 0, "true or false",
     NULL},
    {"checkpoint", CCS_F_DURATION, offsetof(ccs_job_cfg, checkpoint_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the extra run time of each resume after a pause, such as 5m", NULL},
    {"regions", CCS_F_NAMELIST, offsetof(ccs_job_cfg, regions), 0, CCS_NO_RANGE, NULL, NULL,
     offsetof(ccs_job_cfg, nregions), "a list of region names", NULL},
    {"input_gb", CCS_F_DOUBLE, offsetof(ccs_job_cfg, input_gb), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the input data size in GB", NULL},
    {"reserved_factor", CCS_F_DOUBLE, offsetof(ccs_job_cfg, reserved_factor), 0, 0, 1, NULL, NULL, 0,
     "the share of the on-demand instance price paid under a reservation or commitment, such as 0.63", NULL},
    {"policy", CCS_F_MAP, offsetof(ccs_job_cfg, policy), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a policy map as the top-level one, such as {name: cheapest-window}", NULL},
    {"max_cost", CCS_F_DOUBLE, offsetof(ccs_job_cfg, limits.max_cost), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "a cost per run in the scenario's currency", NULL},
    {"max_cost_increase", CCS_F_DOUBLE, offsetof(ccs_job_cfg, limits.max_cost_increase), 0, 0, 10, NULL, NULL, 0,
     "a fraction over the run's run-now cost, such as 0.05", NULL},
    {"max_intensity", CCS_F_DOUBLE, offsetof(ccs_job_cfg, limits.max_intensity), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "a mean intensity over the run in gCO2e/kWh", NULL},
    {"min_saving", CCS_F_DOUBLE, offsetof(ccs_job_cfg, limits.min_saving), 0, 0, 1, NULL, NULL, 0,
     "a fraction of the run's run-now carbon, such as 0.2", NULL},
    {"duration_cv", CCS_F_DOUBLE, offsetof(ccs_job_cfg, duration_cv), 0, 0, 3, NULL, NULL, 0,
     "the coefficient of variation of each run's actual work, such as 0.2 (0: exactly the nominal)", NULL},
    {"on_infeasible", CCS_F_ENUM, offsetof(ccs_job_cfg, limits.on_infeasible), 0, CCS_NO_RANGE, infeasible_words, NULL,
     0, "run-now, best-effort or skip", NULL},
};
const ccs_schema ccs_job_schema = {
    "job",       sizeof(ccs_job_cfg), job_fields, sizeof job_fields / sizeof job_fields[0], offsetof(ccs_job_cfg, pos),
    job_defaults};

void ccs_job_schema_link(void)
{
    for (size_t i = 0; i < sizeof job_fields / sizeof job_fields[0]; i++)
        if (strcmp(job_fields[i].key, "policy") == 0) job_fields[i].sub = ccs_policy_schema();
}

/* ---- transfer between regions ---- */
static const ccs_field transfer_fields[] = {
    {"gbps", CCS_F_DOUBLE, offsetof(ccs_transfer_cfg, gbps), 0, 1e-9, INFINITY, NULL, NULL, 0, "a bandwidth in Gbit/s",
     NULL},
    {"cost_per_gb", CCS_F_DOUBLE, offsetof(ccs_transfer_cfg, cost_per_gb), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "a price per GB in the scenario's currency", NULL},
};
const ccs_schema ccs_transfer_schema = {"transfer",      sizeof(ccs_transfer_cfg),
                                        transfer_fields, sizeof transfer_fields / sizeof transfer_fields[0],
                                        CCS_NOPOS,       NULL};

/* A job's own rules, after the loader has settled its power and duration from a hardware profile:
 * a periodic release or a trace, a duration unless the trace gives them, a deadline no shorter
 * than the run (its default: the duration). */
int ccs_job_check(ccs_job_cfg *j, ccs_err *err)
{
    if ((j->release.every_us > 0) == (j->release.trace != NULL))
        return ccs_err_at(err, CCS_EINPUT, j->pos.file, j->pos.line, j->pos.col,
                          "jobs[%s].release: expected either every (with at) or trace, "
                          "%s",
                          j->name, j->release.trace ? "not both" : "neither was given");
    if (!j->release.trace && j->duration_us == 0)
        return ccs_err_at(err, CCS_EINPUT, j->pos.file, j->pos.line, j->pos.col,
                          "jobs[%s]: missing key 'duration': expected a run time such as 30m "
                          "(only a release trace with a duration_h column may leave it out)",
                          j->name);
    if (j->deadline_us == 0 && j->deadline_rule == CCS_DEADLINE_AFTER) j->deadline_us = j->duration_us;
    if (j->deadline_rule == CCS_DEADLINE_AFTER && j->deadline_us < j->duration_us)
        return ccs_err_at(err, CCS_EINPUT, j->pos.file, j->pos.line, j->pos.col,
                          "jobs[%s].deadline: shorter than the duration: expected a deadline >= "
                          "the job's duration",
                          j->name);
    return 0;
}
