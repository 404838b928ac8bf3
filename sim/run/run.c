/* The run driver; see run.h. Order of work is fixed (regions, services, jobs, each in file
 * order) so that the same scenario and seed give bit-identical numbers. */
#include "run.h"
#include "ccs_units.h"

#include "ccs_engine.h"
#include "ccs_rng.h"
#include "ccs_trace.h"
#include "forecast.h"
#include "policy.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct loaded_traces {
    ccs_trace **carbon, **price, **marginal;
    ccs_trace **temperature, **humidity; /* the facility's weather; NULL entries: none */
    size_t n;
    ccs_releases *releases; /* per job; n 0: periodic */
    ccs_trace **spot;       /* per job; NULL: none */
    size_t njobs;
} loaded_traces;

static void traces_free(loaded_traces *t)
{
    for (size_t i = 0; i < t->n; i++) {
        ccs_trace_destroy(t->carbon[i]);
        ccs_trace_destroy(t->price[i]);
        ccs_trace_destroy(t->marginal[i]);
        ccs_trace_destroy(t->temperature[i]);
        ccs_trace_destroy(t->humidity[i]);
    }
    for (size_t i = 0; t->releases && i < t->njobs; i++) ccs_releases_free(&t->releases[i]);
    for (size_t i = 0; t->spot && i < t->njobs; i++) ccs_trace_destroy(t->spot[i]);
    free(t->spot);
    free(t->carbon);
    free(t->price);
    free(t->marginal);
    free(t->temperature);
    free(t->humidity);
    free(t->releases);
}

/* One trace a scenario names: its file, read as the kind the model needs (NULL: any) in the
 * scenario's units and currency, or its stated constant over the run and a year either side. */
static int load_ref(const ccs_scenario *s, const ccs_trace_ref *ref, const char *kind, bool allow_negative,
                    ccs_trace **out, ccs_err *err)
{
    ccs_trace_opts o = ccs_trace_ref_opts(ref);
    o.kind = kind;
    o.allow_negative = allow_negative;
    o.currency = s->currency;
    o.fx = s->fx;
    o.nfx = s->nfx;
    if (ref->file) return ccs_trace_load(ref->file, &o, out, err);
    const int64_t year = 366 * CCS_US_PER_DAY;
    return ccs_trace_constant(ref->value, &o, s->start_us - year, s->end_us + year, out, err);
}

static int traces_load(const ccs_scenario *s, loaded_traces *t, ccs_err *err)
{
    t->n = s->nregions;
    t->carbon = calloc(s->nregions ? s->nregions : 1, sizeof *t->carbon);
    t->price = calloc(s->nregions ? s->nregions : 1, sizeof *t->price);
    t->marginal = calloc(s->nregions ? s->nregions : 1, sizeof *t->marginal);
    t->temperature = calloc(s->nregions ? s->nregions : 1, sizeof *t->temperature);
    t->humidity = calloc(s->nregions ? s->nregions : 1, sizeof *t->humidity);
    if (!t->carbon || !t->price || !t->marginal || !t->temperature || !t->humidity)
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < s->nregions; i++) {
        const ccs_region_cfg *r = &s->regions[i];
        int rc = load_ref(s, &r->carbon, "carbon_intensity", false, &t->carbon[i], err);
        if (!rc && ccs_trace_ref_set(&r->carbon_marginal))
            rc = load_ref(s, &r->carbon_marginal, "carbon_intensity", false, &t->marginal[i], err);
        if (!rc && ccs_trace_ref_set(&r->price)) rc = load_ref(s, &r->price, "price", true, &t->price[i], err);
        if (!rc && ccs_trace_ref_set(&r->facility.temperature))
            rc = load_ref(s, &r->facility.temperature, "temperature", true, &t->temperature[i], err);
        if (!rc && ccs_trace_ref_set(&r->facility.humidity))
            rc = load_ref(s, &r->facility.humidity, "humidity", false, &t->humidity[i], err);
        if (rc) {
            ccs_err_prefix(err, "region '%s': ", r->name);
            return rc;
        }
    }
    t->njobs = s->njobs;
    t->releases = calloc(s->njobs ? s->njobs : 1, sizeof *t->releases);
    t->spot = calloc(s->njobs ? s->njobs : 1, sizeof *t->spot);
    if (!t->releases || !t->spot) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < s->njobs; i++) {
        const ccs_job_cfg *j = &s->jobs[i];
        int rc = 0;
        if (ccs_trace_ref_set(&j->spot_price)) rc = load_ref(s, &j->spot_price, NULL, false, &t->spot[i], err);
        if (rc || !j->release.trace) {
            if (rc) ccs_err_prefix(err, "job '%s': ", j->name);
            if (rc) return rc;
            continue;
        }
        rc = ccs_releases_load(j->release.trace, &t->releases[i], err);
        if (!rc && !t->releases[i].work_us && j->duration_us == 0)
            rc = ccs_err_at(err, CCS_EINPUT, j->pos.file, j->pos.line, j->pos.col,
                            "jobs[%s]: no duration: expected the key 'duration', or a duration_h column in %s", j->name,
                            j->release.trace);
        if (rc) {
            ccs_err_prefix(err, "job '%s': ", j->name);
            return rc;
        }
    }
    return 0;
}

/* Simulates everything under one policy; fills services, jobs and the ledger. */
static int same_forecast(const ccs_policy_cfg *a, const ccs_policy_cfg *b)
{
    return a->forecast == b->forecast && a->forecast_error == b->forecast_error &&
           a->forecast_error_growth == b->forecast_error_growth && a->forecast_error_scale == b->forecast_error_scale &&
           a->forecast_error_corr == b->forecast_error_corr && a->signal == b->signal;
}

static int forecast_for(const ccs_scenario *s, const ccs_ledger *ledger, const ccs_policy_cfg *p, ccs_forecast **out,
                        ccs_err *err)
{
    const char **rnames = calloc(s->nregions ? s->nregions : 1, sizeof *rnames);
    if (!rnames) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < s->nregions; i++) rnames[i] = s->regions[i].name;
    /* seeded from the scenario: a job with the same forecast settings sees the same forecast */
    ccs_forecast_params fp = {.kind = p->forecast,
                              .error = p->forecast_error,
                              .growth = p->forecast_error_growth,
                              .scale = p->forecast_error_scale,
                              .corr = p->forecast_error_corr,
                              .signal = p->signal,
                              .seed = s->seed,
                              .region_names = rnames};
    int rc = ccs_forecast_create(ledger, s->nregions, &fp, out, err);
    free(rnames);
    return rc;
}

/* The ledger of a run with nothing booked yet: the regions' traces cut into segments. */
static int empty_ledger(const ccs_scenario *s, const loaded_traces *tr, ccs_ledger **out, ccs_err *err)
{
    ccs_ledger_region *lr = calloc(s->nregions ? s->nregions : 1, sizeof *lr);
    if (!lr) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < s->nregions; i++) {
        lr[i].name = s->regions[i].name;
        lr[i].carbon = tr->carbon[i];
        lr[i].marginal = tr->marginal[i];
        lr[i].price = tr->price[i];
        lr[i].fixed_price_per_mwh = s->regions[i].fixed_price_per_mwh;
        lr[i].day_night = s->regions[i].tariff.day_per_mwh >= 0;
        lr[i].day_per_mwh = s->regions[i].tariff.day_per_mwh;
        lr[i].night_per_mwh = s->regions[i].tariff.night_per_mwh;
        lr[i].day_from_us = s->regions[i].tariff.day_from_us;
        lr[i].day_to_us = s->regions[i].tariff.day_to_us;
        lr[i].pue = s->regions[i].pue;
        lr[i].facility = &s->regions[i].facility;
        lr[i].temperature = tr->temperature[i];
        lr[i].humidity = tr->humidity[i];
    }
    int rc = ccs_ledger_create(lr, s->nregions, s->start_us, s->end_us, out, err);
    free(lr);
    return rc;
}

/* ---- services: each on its own engine, streams and copy of the ledger ----
 * Services never read each other's state nor the jobs' (a service's draws come from streams
 * named after it), so each is simulated alone, on any thread, and its bookings are added to the
 * run's ledger in file order afterwards: the same bytes on one thread or many. Nor does the
 * jobs' policy reach them: they are simulated once for the policy's run and the baseline. */
typedef struct service_task {
    const ccs_scenario *s;
    const ccs_ledger *empty;
    size_t i;
    ccs_ledger *ledger;
    ccs_service_result *out;
    uint64_t events;
    int rc;
    ccs_err err;
    _Atomic int64_t done_us; /* simulated time done, for the progress line */
} service_task;

typedef struct service_pool {
    service_task *tasks;
    size_t n;
    _Atomic size_t next;
    _Atomic int stop;  /* a service failed: the others stop at their next hour */
    long threads_each; /* threads for a sampled service's windows: the run's, shared by its services */
} service_pool;

enum { CHUNK_US = 3600LL * 1000000 }; /* a service runs an hour of simulated time between looks */

static void run_service(service_pool *pool, service_task *t)
{
    const ccs_scenario *s = t->s;
    const ccs_service_cfg *c = &s->services[t->i];
    int region = c->region ? ccs_scenario_region_index(s, c->region) : 0;
    ccs_engine *eng = ccs_engine_create();
    ccs_streams *streams = ccs_streams_create(s->seed);
    ccs_service *svc = NULL;
    int rc = !eng || !streams ? ccs_err_set(&t->err, CCS_ERUN, "out of memory") : 0;
    if (!rc) rc = ccs_ledger_clone(t->empty, &t->ledger, &t->err);
    if (!rc && s->fidelity == CCS_FIDELITY_SAMPLED && !ccs_service_has_llm(c)) {
        /* estimated from windows (an LLM service is simulated whole: see docs/sampling.md) */
        rc = ccs_sampled_service(s, t->i, pool->threads_each, t->ledger, t->out, &t->events, &t->done_us, &pool->stop,
                                 &t->err);
        if (rc != CCS_SAMPLED_NOT_WORTH) {
            if (!rc) atomic_store(&t->done_us, s->duration_us);
            if (rc) atomic_store(&pool->stop, 1);
            t->rc = rc;
            ccs_streams_destroy(streams);
            ccs_engine_destroy(eng);
            return;
        }
        rc = 0; /* a period too short for sampling to pay: simulated whole, below */
    }
    if (!rc)
        rc = ccs_service_create(c, region, eng, t->ledger, streams, s->start_us, s->duration_us, s->warmup_us, &svc,
                                &t->err);
    if (!rc && ccs_service_start(svc) != 0) rc = ccs_err_set(&t->err, CCS_ERUN, "out of memory");
    for (int64_t until = CHUNK_US; !rc;) {
        t->events += ccs_engine_run(eng, until);
        if (ccs_engine_failed(eng)) rc = ccs_err_set(&t->err, CCS_ERUN, "out of memory in the event set");
        atomic_store(&t->done_us, until < s->duration_us ? until : s->duration_us);
        if (!ccs_engine_pending(eng) || atomic_load(&pool->stop)) break;
        until = until > INT64_MAX - CHUNK_US ? INT64_MAX : until + CHUNK_US;
    }
    if (!rc && atomic_load(&pool->stop)) rc = -1; /* another service's error is the one reported */
    if (!rc) rc = ccs_service_finish(svc, t->out, &t->err);
    if (rc) atomic_store(&pool->stop, 1);
    t->rc = rc;
    ccs_service_destroy(svc);
    ccs_streams_destroy(streams);
    ccs_engine_destroy(eng);
}

static void *service_worker(void *arg)
{
    service_pool *pool = arg;
    for (size_t i; (i = atomic_fetch_add(&pool->next, 1)) < pool->n;) run_service(pool, &pool->tasks[i]);
    return NULL;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Simulates every service into `services` and books their draws into `ledger` (nothing else
 * booked yet), on up to opts->threads threads. */
static int simulate_services(const ccs_scenario *s, const ccs_run_opts *opts, ccs_ledger *ledger,
                             ccs_service_result *services, uint64_t *events, ccs_err *err)
{
    *events = 0;
    if (!s->nservices) return 0;
    service_pool pool = {.tasks = calloc(s->nservices, sizeof *pool.tasks), .n = s->nservices};
    if (!pool.tasks) return ccs_err_set(err, CCS_ERUN, "out of memory");
    atomic_init(&pool.next, 0);
    atomic_init(&pool.stop, 0);
    for (size_t i = 0; i < s->nservices; i++) {
        pool.tasks[i] = (service_task){.s = s, .empty = ledger, .i = i, .out = &services[i]};
        atomic_init(&pool.tasks[i].done_us, 0);
    }
    long want = opts && opts->threads > 0 ? opts->threads : 1;
    pool.threads_each = want / (long)s->nservices > 1 ? want / (long)s->nservices : 1;
    size_t nthreads = (size_t)want < s->nservices ? (size_t)want : s->nservices, started = 0;
    pthread_t *th = calloc(nthreads, sizeof *th);
    int rc = th ? 0 : ccs_err_set(err, CCS_ERUN, "out of memory");
    /* with a progress line, every service on a thread of its own and this one watching them */
    int watch = !rc && opts && opts->progress;
    size_t spawn = watch ? nthreads : nthreads - 1;
    for (; !rc && started < spawn; started++)
        if (pthread_create(&th[started], NULL, service_worker, &pool) != 0) break;
    if (!watch || started == 0) service_worker(&pool); /* this thread works too (or alone) */
    if (watch && started > 0) {
        int64_t total = s->duration_us * (int64_t)s->nservices;
        for (;;) {
            int64_t done = 0;
            for (size_t i = 0; i < s->nservices; i++) done += atomic_load(&pool.tasks[i].done_us);
            opts->progress(opts->progress_ctx, done, total);
            if (done >= total || atomic_load(&pool.stop)) break;
            sleep_s(0.2);
        }
    }
    for (size_t i = 0; i < started; i++) pthread_join(th[i], NULL);
    free(th);
    for (size_t i = 0; i < s->nservices && !rc; i++) { /* the first failure in file order */
        service_task *t = &pool.tasks[i];
        if (t->rc > 0) {
            *err = t->err;
            rc = t->rc;
        }
    }
    for (size_t i = 0; i < s->nservices && !rc; i++)
        if (pool.tasks[i].rc) rc = ccs_err_set(err, CCS_ERUN, "service '%s' failed", s->services[i].name);
    for (size_t i = 0; i < s->nservices; i++) { /* in file order: the same sums on any threads */
        service_task *t = &pool.tasks[i];
        if (!rc) ccs_ledger_merge(ledger, t->ledger);
        *events += t->events;
        ccs_ledger_destroy(t->ledger);
    }
    free(pool.tasks);
    return rc;
}

/* Simulates the jobs under one policy (baseline: every job run-now, without its own policy or
 * limits) into the ledger, which holds the services' draws already. */
static int simulate_jobs(const ccs_scenario *s, const loaded_traces *tr, const ccs_policy_cfg *policy, int baseline,
                         ccs_job_result *jobs, ccs_region_queue *queues, ccs_ledger *ledger, ccs_err *err)
{
    int rc = 0;
    ccs_forecast *fc = NULL, **own = calloc(s->njobs ? s->njobs : 1, sizeof *own);
    if (!own) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc && s->njobs) rc = forecast_for(s, ledger, &s->policy, &fc, err);
    for (size_t i = 0; !rc && !baseline && i < s->njobs; i++)
        if (s->jobs[i].policy.type && !same_forecast(&s->jobs[i].policy, &s->policy))
            rc = forecast_for(s, ledger, &s->jobs[i].policy, &own[i], err);
    ccs_job_env env = {s->regions, s->nregions, &s->transfer, policy,   fc,
                       ledger,     s->start_us, s->end_us,    baseline, s->seed};
    ccs_job_spec *specs = calloc(s->njobs ? s->njobs : 1, sizeof *specs);
    int *idx = calloc(s->nregions * (s->njobs ? s->njobs : 1) + 1, sizeof *idx);
    if (!rc && (!specs || !idx)) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < s->njobs && !rc; i++) {
        const ccs_job_cfg *j = &s->jobs[i];
        int *ri = idx + i * s->nregions;
        size_t n = 0;
        for (size_t k = 0; k < j->nregions; k++) ri[n++] = ccs_scenario_region_index(s, j->regions[k]);
        if (n == 0) ri[n++] = 0; /* no list: the first region */
        specs[i] = (ccs_job_spec){j,           ri,
                                  n,           tr->releases[i].n ? &tr->releases[i] : NULL,
                                  tr->spot[i], j->policy.type ? &j->policy : NULL,
                                  own[i],      j->rent_in};
    }
    if (!rc && s->njobs) rc = ccs_jobs_simulate(&env, specs, s->njobs, jobs, queues, err);
    free(specs);
    free(idx);
    ccs_forecast_destroy(fc);
    for (size_t i = 0; own && i < s->njobs; i++) ccs_forecast_destroy(own[i]);
    free(own);
    return rc;
}

/* Totals are the sums of the hourly series, region by region, hour by hour: so they equal the
 * series by construction, and the summation order never changes. */
static int sum_ledger(ccs_ledger *l, size_t nregions, ccs_region_result *regions, ccs_totals *tot)
{
    memset(tot, 0, sizeof *tot);
    for (size_t r = 0; r < nregions; r++) {
        ccs_hourly h;
        if (ccs_ledger_hourly(l, (int)r, &h) != 0) return -1;
        ccs_totals rt = {0};
        for (size_t i = 0; i < h.n; i++) {
            rt.energy_kwh += h.energy_kwh[i];
            rt.it_kwh += h.it_energy_kwh[i];
            rt.cooling_kwh += h.cooling_kwh[i];
            rt.water_l += h.water_l[i];
            rt.heat_reused_kwh += h.heat_reused_kwh[i];
            rt.carbon_kg += h.carbon_kg[i];
            if (h.carbon_marginal_kg) rt.carbon_marginal_kg += h.carbon_marginal_kg[i];
            rt.cost += h.cost[i];
        }
        ccs_ledger_breakdown(l, (int)r, rt.money);
        rt.heat_avoided_kg = rt.heat_reused_kwh * ccs_ledger_heat_avoided_g_per_kwh(l, (int)r) / 1000.0;
        if (regions) regions[r].totals = rt;
        tot->energy_kwh += rt.energy_kwh;
        tot->it_kwh += rt.it_kwh;
        tot->cooling_kwh += rt.cooling_kwh;
        tot->water_l += rt.water_l;
        tot->heat_reused_kwh += rt.heat_reused_kwh;
        tot->heat_avoided_kg += rt.heat_avoided_kg;
        tot->carbon_kg += rt.carbon_kg;
        tot->carbon_marginal_kg += rt.carbon_marginal_kg;
        tot->cost += rt.cost;
        for (int k = 0; k < CCS_MONEY_KINDS; k++) tot->money[k] += rt.money[k];
    }
    return 0;
}

static void outcome_of(const ccs_scenario *s, const ccs_service_result *sv, const ccs_job_result *jb, ccs_outcome *o)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < s->nservices; i++) {
        if (sv[i].p95_ms > o->p95_ms) o->p95_ms = sv[i].p95_ms;
        if (sv[i].slo_met >= 0) o->slo_total++;
        if (sv[i].slo_met > 0) o->slo_met++;
    }
    for (size_t i = 0; i < s->njobs; i++) {
        o->freshness_h += jb[i].freshness_mean_h;
        o->misses += jb[i].deadline_misses;
        o->overrides += jb[i].overrides;
        o->fallbacks += jb[i].fallbacks;
        o->unproven += jb[i].unproven;
    }
    if (s->njobs) o->freshness_h /= (double)s->njobs;
}

static int add_rule(ccs_run_result *r, size_t *cap, int satisfied, double value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int add_rule(ccs_run_result *r, size_t *cap, int satisfied, double value, const char *fmt, ...)
{
    if (r->nconstraints == *cap) {
        size_t c = *cap ? 2 * *cap : 8;
        ccs_constraint_result *v = realloc(r->constraints, c * sizeof *v);
        if (!v) return -1;
        r->constraints = v;
        *cap = c;
    }
    ccs_constraint_result *x = &r->constraints[r->nconstraints++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->what, sizeof x->what, fmt, ap);
    va_end(ap);
    x->satisfied = satisfied;
    x->value = value;
    return 0;
}

/* The scenario's constraints as the policy's run met them; base: the run-now services. */
static int check_constraints(const ccs_scenario *s, ccs_run_result *r, const ccs_service_result *base)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->nconstraints; i++) {
        const ccs_constraint_cfg *c = &s->constraints[i];
        char allowed[512] = "";
        for (size_t k = 0, used = 0; k < c->nregions && used < sizeof allowed; k++)
            used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s", k ? ", " : "", c->regions[k]);
        int rc = 0;
        if (c->service) {
            size_t k = 0;
            while (k < s->nservices && strcmp(s->services[k].name, c->service) != 0) k++;
            double p95 = r->services[k].p95_ms, b = base[k].p95_ms, change = b > 0 ? (p95 - b) / b : 0.0;
            if (!rc && c->p95_change_max >= 0)
                rc = add_rule(r, &cap, change <= c->p95_change_max + 1e-12, change,
                              "service %s: P95 within %g%% of run-now's", c->service, 100 * c->p95_change_max);
            if (!rc && c->p95_max_ms > 0)
                rc = add_rule(r, &cap, p95 <= c->p95_max_ms, p95, "service %s: P95 at most %g ms", c->service,
                              c->p95_max_ms);
            const char *region = s->services[k].region ? s->services[k].region : s->regions[0].name;
            int inside = ccs_constraint_allows(c, region);
            if (!rc && c->nregions)
                rc = add_rule(r, &cap, inside, inside ? 0.0 : 1.0, "service %s: served only from %s", c->service,
                              allowed);
        } else {
            size_t j = 0;
            while (j < s->njobs && strcmp(s->jobs[j].name, c->job) != 0) j++;
            uint64_t outside = 0;
            for (size_t k = 0; k < r->jobs[j].runs; k++) {
                const ccs_job_run_record *rec = &r->jobs[j].records[k];
                outside += !rec->skipped && !ccs_constraint_allows(c, s->regions[rec->region].name);
            }
            rc = add_rule(r, &cap, outside == 0, (double)outside, "job %s: runs only in %s", c->job, allowed);
        }
        if (rc) return -1;
    }
    for (size_t i = 0; i < r->nconstraints; i++) r->outcome.constraints_broken += !r->constraints[i].satisfied;
    return 0;
}

static double pct_change(double value, double base) { return base != 0 ? 100.0 * (value - base) / base : 0.0; }

int ccs_run(const ccs_scenario *s, ccs_run_result **out, ccs_err *err) { return ccs_run_with(s, NULL, out, err); }

int ccs_run_with(const ccs_scenario *s, const ccs_run_opts *opts, ccs_run_result **out, ccs_err *err)
{
    *out = NULL;
    const ccs_policy_type *policy = s->policy.type; /* resolved by ccs_scenario_load */
    if (!policy)
        return ccs_err_set(err, CCS_EINPUT, "policy '%s' not resolved: expected a loaded scenario", s->policy.name);
    ccs_run_result *r = calloc(1, sizeof *r);
    loaded_traces tr = {0};
    if (!r) return ccs_err_set(err, CCS_ERUN, "out of memory");
    r->scenario = s;
    r->policy = policy->name;
    r->regions = calloc(s->nregions ? s->nregions : 1, sizeof *r->regions);
    r->services = calloc(s->nservices ? s->nservices : 1, sizeof *r->services);
    r->jobs = calloc(s->njobs ? s->njobs : 1, sizeof *r->jobs);
    int rc = !r->regions || !r->services || !r->jobs ? ccs_err_set(err, CCS_ERUN, "out of memory") : 0;
    if (!rc) rc = traces_load(s, &tr, err);
    r->queues = calloc(s->nregions ? s->nregions : 1, sizeof *r->queues);
    if (!rc && !r->queues) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    /* the policy's run is its own baseline when everything in it runs now, without limits */
    int alone = policy == &ccs_policy_run_now;
    for (size_t i = 0; i < s->njobs; i++)
        if ((s->jobs[i].policy.type && s->jobs[i].policy.type != &ccs_policy_run_now) ||
            ccs_job_limits_any(&s->jobs[i].limits))
            alone = 0;
    /* the services once, then the jobs on a copy of their ledger under the policy (and run-now) */
    ccs_ledger *served = NULL;
    if (!rc) rc = empty_ledger(s, &tr, &served, err);
    if (!rc) rc = simulate_services(s, opts, served, r->services, &r->events, err);
    if (!rc && !alone) rc = ccs_ledger_clone(served, &r->ledger, err);
    if (!rc && alone) {
        r->ledger = served;
        served = NULL;
    }
    if (!rc) rc = simulate_jobs(s, &tr, &s->policy, 0, r->jobs, r->queues, r->ledger, err);
    if (!rc && sum_ledger(r->ledger, s->nregions, r->regions, &r->totals) != 0)
        rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc) outcome_of(s, r->services, r->jobs, &r->outcome);
    if (!rc && alone) {
        r->baseline = r->totals;
        r->baseline_outcome = r->outcome;
        r->baseline_ledger = r->ledger;
        if (check_constraints(s, r, r->services) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    } else if (!rc) {
        /* The baseline: the same services (they do not depend on the jobs' policy), the jobs
         * run-now on the same streams. */
        ccs_job_result *bj = calloc(s->njobs ? s->njobs : 1, sizeof *bj);
        ccs_policy_cfg now = s->policy;
        now.type = &ccs_policy_run_now;
        ccs_ledger *bl = served;
        served = NULL;
        rc = !bj ? ccs_err_set(err, CCS_ERUN, "out of memory") : simulate_jobs(s, &tr, &now, 1, bj, NULL, bl, err);
        if (!rc && sum_ledger(bl, s->nregions, NULL, &r->baseline) != 0)
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
        if (!rc) outcome_of(s, r->services, bj, &r->baseline_outcome);
        if (!rc && check_constraints(s, r, r->services) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
        if (!rc)
            r->baseline_ledger = bl;
        else
            ccs_ledger_destroy(bl);
        for (size_t i = 0; bj && i < s->njobs; i++) ccs_job_result_free(&bj[i]);
        free(bj);
    }
    ccs_ledger_destroy(served);
    if (!rc) {
        r->delta_carbon_pct = pct_change(r->totals.carbon_kg, r->baseline.carbon_kg);
        r->delta_cost_pct = pct_change(r->totals.cost, r->baseline.cost);
        r->delta_carbon_marginal_pct = pct_change(r->totals.carbon_marginal_kg, r->baseline.carbon_marginal_kg);
        for (size_t i = 0; i < s->nregions; i++) {
            const ccs_region_cfg *c = &s->regions[i];
            ccs_region_result *rr = &r->regions[i];
            rr->name = c->name;
            const char *cnote = ccs_trace_note(tr.carbon[i]);
            snprintf(rr->carbon_text, sizeof rr->carbon_text, "%s%s%s",
                     c->carbon.file ? c->carbon.file : ccs_trace_path(tr.carbon[i]), *cnote ? " (" : "", cnote);
            if (*cnote) strncat(rr->carbon_text, ")", sizeof rr->carbon_text - strlen(rr->carbon_text) - 1);
            rr->carbon_path = rr->carbon_text;
            snprintf(rr->carbon_units, sizeof rr->carbon_units, "%s", ccs_trace_units(tr.carbon[i]));
            snprintf(rr->carbon_column, sizeof rr->carbon_column, "%s", ccs_trace_column(tr.carbon[i]));
            if (c->tariff.day_per_mwh >= 0)
                snprintf(rr->tariff_text, sizeof rr->tariff_text,
                         "tariff (stated day/night, not market data: %g %s/MWh %02d:00-%02d:00 UTC, %g otherwise)",
                         c->tariff.day_per_mwh, s->currency, (int)(c->tariff.day_from_us / CCS_US_PER_HOUR),
                         (int)(c->tariff.day_to_us / CCS_US_PER_HOUR), c->tariff.night_per_mwh);
            if (tr.price[i]) {
                const char *pnote = ccs_trace_note(tr.price[i]);
                snprintf(rr->price_text, sizeof rr->price_text, "%s%s%s%s",
                         c->price.file ? c->price.file : ccs_trace_path(tr.price[i]), *pnote ? " (" : "", pnote,
                         *pnote ? ")" : "");
            }
            rr->price_source = tr.price[i]                   ? rr->price_text
                               : rr->tariff_text[0]          ? rr->tariff_text
                               : c->fixed_price_per_mwh >= 0 ? "tariff_per_mwh (stated flat tariff, not market data)"
                                                             : "none";
            ccs_signal sg; /* with a facility model: its PUE(T)'s mean over the period, by time */
            ccs_ledger_signal(r->ledger, (int)i, &sg);
            rr->pue = sg.pue;
        }
    }
    traces_free(&tr);
    if (rc) {
        ccs_run_result_destroy(r);
        return rc;
    }
    *out = r;
    return 0;
}

void ccs_run_result_destroy(ccs_run_result *r)
{
    if (!r) return;
    if (r->baseline_ledger != r->ledger) ccs_ledger_destroy(r->baseline_ledger);
    ccs_ledger_destroy(r->ledger);
    free(r->regions);
    free(r->constraints);
    for (size_t i = 0; r->services && i < r->scenario->nservices; i++) ccs_service_result_free(&r->services[i]);
    free(r->services);
    for (size_t i = 0; r->jobs && i < r->scenario->njobs; i++) ccs_job_result_free(&r->jobs[i]);
    free(r->jobs);
    for (size_t i = 0; r->queues && i < r->scenario->nregions; i++) ccs_region_queue_free(&r->queues[i]);
    free(r->queues);
    free(r);
}
