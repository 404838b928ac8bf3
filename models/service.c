/* An interactive service; see service.h. */
#include "service.h"

#include "arrivals.h"
#include "cache.h"
#include "ccs_time.h"
#include "histogram.h"
#include "latency.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pool_ref {
    ccs_service *svc;
    size_t stage, pool;
} pool_ref;

struct ccs_service {
    const ccs_service_cfg *cfg;
    ccs_engine *eng;
    ccs_arrivals *arrivals;
    ccs_cache *cache;
    int64_t horizon_us, warmup_us;
    int64_t measure_from_us; /* pools count from here (a sampled run's window); 0: all */
    int64_t const_us;        /* RTT + lookup */
    int64_t slo_limit_us;    /* INT64_MAX: no SLO */
    int kind_arrival;
    size_t nstages, npools;
    size_t *stage_first; /* pools of stage k: stage_first[k] .. stage_first[k + 1] - 1 */
    double *cum_share;   /* per pool: the cumulative share within its stage */
    gsl_rng **rng_route; /* per stage; NULL for one route */
    gsl_rng **rng_diff;  /* per stage routing by difficulty or cascading; else NULL */
    double *route_max;   /* per pool: max_prompt_tokens or max_difficulty (INFINITY: any) */
    double *keep_below;  /* per pool of a cascade: scores above it escalate (INFINITY: never) */
    uint64_t escalations;
    ccs_pool **pools;
    ccs_llm_pool **llm;      /* per pool: continuous batching instead (pools[i] NULL), or NULL */
    ccs_request_attrs attrs; /* of the arrival being handled (read ahead with its time) */
    ccs_histogram *ttft, *tpot;
    uint64_t good;       /* measured LLM requests within both token SLOs */
    double out_measured; /* output tokens of measured LLM requests */
    int64_t ttft_limit_us, tpot_limit_us, last_done;
    pool_ref *refs;
    double *tables_s;            /* per pool, max_batch entries at table_off[i]; for L(b) lookups */
    unsigned char *memory_bound; /* per pool, as tables_s: the roofline's batch of b is memory-bound */
    size_t *table_off;
    const ccs_pool_cfg **pool_cfg;
    const char **route_name;
    double *route_share;
    ccs_histogram *latency, *age;
    uint64_t hits, looked_up;
    double age_hit_sum_us;
    ccs_series series;
};

static void record(ccs_service *s, int64_t t_arr, int64_t now)
{
    if (now > s->last_done) s->last_done = now;
    if (t_arr < s->warmup_us) return;
    int64_t lat = now - t_arr + s->const_us;
    ccs_histogram_add(s->latency, lat);
    size_t h = ccs_series_slot(&s->series, t_arr);
    s->series.requests[h] += 1;
    s->series.latency_sum_ms[h] += (double)lat / 1e3;
    if (lat > s->slo_limit_us) s->series.slo_misses[h] += 1;
}

static void enter_stage(ccs_service *s, size_t k, int64_t t_arr, int64_t now)
{
    size_t i = s->stage_first[k], last = s->stage_first[k + 1] - 1;
    /* the arrival's token counts reach a first stage; later ones use the pool's (checked) */
    double tin = k == 0 ? s->attrs.tokens_in : 0, tout = k == 0 ? s->attrs.tokens_out : 0, d = 0;
    if (s->rng_diff[k]) d = gsl_rng_uniform(s->rng_diff[k]);
    if (i < last) {
        switch (s->cfg->stages[k].routing) {
        case CCS_ROUTING_PROMPT:
            while (i < last && tin > s->route_max[i]) i++;
            break;
        case CCS_ROUTING_DIFFICULTY:
            while (i < last && d > s->route_max[i]) i++;
            break;
        case CCS_ROUTING_CASCADE: break; /* the first route answers first */
        default: {
            double u = gsl_rng_uniform(s->rng_route[k]);
            while (i < last && u >= s->cum_share[i]) i++;
        }
        }
    }
    if (s->llm[i]) {
        ccs_llm_pool_push(s->llm[i], t_arr, now, tin, tout, d);
        return;
    }
    ccs_pool_push(s->pools[i], t_arr, now);
}

/* An LLM request's token metrics, at its final answer. */
static void token_metrics(ccs_service *s, int64_t t_arr, int64_t t_first, int64_t now, long output_tokens)
{
    if (t_arr < s->warmup_us) return;
    int64_t ttft = t_first - t_arr + s->const_us;
    ccs_histogram_add(s->ttft, ttft);
    size_t h = ccs_series_slot(&s->series, t_arr);
    s->series.output_tokens[h] += (double)output_tokens;
    s->series.ttft_sum_ms[h] += (double)ttft / 1e3;
    s->series.ttft_requests[h] += 1;
    s->out_measured += (double)output_tokens;
    int64_t tpot = 0;
    if (output_tokens > 1) {
        tpot = llround((double)(now - t_first) / (double)(output_tokens - 1));
        ccs_histogram_add(s->tpot, tpot);
        s->series.tpot_sum_ms[h] += (double)tpot / 1e3;
        s->series.tpot_requests[h] += 1;
    }
    if (ttft <= s->ttft_limit_us && tpot <= s->tpot_limit_us) s->good++;
}

/* An LLM pool finished a request: in a cascade a request harder than the route keeps goes on to
 * the next route with the same tokens (its answer here paid for and discarded); else on to the
 * next stage, or recorded (the first token and the latency are the final answer's). */
static void on_llm_finished(void *ctx, const ccs_llm_req *q, int64_t now)
{
    pool_ref *r = ctx;
    ccs_service *s = r->svc;
    if (q->tag > s->keep_below[r->pool]) {
        s->escalations++;
        ccs_llm_pool_push(s->llm[r->pool + 1], q->t_arr, now, (double)q->prompt_tokens, (double)q->output_tokens,
                          q->tag);
        return;
    }
    if (r->stage + 1 < s->nstages) {
        enter_stage(s, r->stage + 1, q->t_arr, now);
        return;
    }
    token_metrics(s, q->t_arr, q->t_first, now, q->output_tokens);
    record(s, q->t_arr, now);
}

static void on_pool_done(void *ctx, const int64_t *t_arr, size_t n, int64_t now)
{
    pool_ref *r = ctx;
    ccs_service *s = r->svc;
    if (r->stage + 1 == s->nstages) {
        for (size_t i = 0; i < n; i++) record(s, t_arr[i], now);
    } else {
        for (size_t i = 0; i < n; i++) enter_stage(s, r->stage + 1, t_arr[i], now);
    }
}

/* The time of the next arrival before the horizon, or -1; its attributes (tokens) in s->attrs,
 * which on_arrival hands to the arrival before it asks for the next. */
static int64_t next_arrival(ccs_service *s)
{
    int64_t next = ccs_arrivals_next(s->arrivals, &s->attrs);
    return next < s->horizon_us ? next : -1;
}

static void arrive(ccs_service *s, int64_t now)
{
    if (s->cache) {
        int64_t age;
        int hit = ccs_cache_lookup(s->cache, now, &age);
        if (now >= s->warmup_us) {
            s->looked_up++;
            if (s->cfg->cache.kind == CCS_CACHE_TTL) ccs_histogram_add(s->age, age); /* fixed: no ages */
            if (hit) {
                s->hits++;
                s->age_hit_sum_us += (double)age;
                s->series.cache_hits[ccs_series_slot(&s->series, now)] += 1;
            }
        }
        if (hit) {
            record(s, now, now);
            return;
        }
    }
    enter_stage(s, 0, now, now);
}

/* Arrivals that come before anything else pending are handled here in a row, without a trip
 * through the event set (ccs_engine_advance); the first that does not is scheduled. */
static void on_arrival(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)arg;
    ccs_service *s = ctx;
    for (;;) {
        arrive(s, now);
        int64_t next = next_arrival(s);
        if (next < 0) return;
        if (!ccs_engine_advance(eng, next)) {
            ccs_engine_schedule_next(eng, next, s->kind_arrival, 0);
            return;
        }
        now = next;
    }
}

/* Latency tables of every pool with a model or a measured table, b = 1..max_batch: the
 * roofline pools in one bulk call of the SoA kernel. */
static int build_tables(ccs_service *s, ccs_err *err)
{
    size_t total = 0, nroof = 0;
    long maxb = 1;
    s->table_off = calloc(s->npools ? s->npools : 1, sizeof *s->table_off);
    if (!s->table_off) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < s->npools; i++) {
        s->table_off[i] = total;
        /* setup_pools set every pool's configuration */
        total += (size_t)s->pool_cfg[i]->batching.max_batch; /* NOLINT(clang-analyzer-core.NullDereference) */
        if (s->pool_cfg[i]->model && !s->pool_cfg[i]->llm.max_num_seqs) {
            nroof++;
            if (s->pool_cfg[i]->batching.max_batch > maxb) maxb = s->pool_cfg[i]->batching.max_batch;
        }
    }
    s->tables_s = calloc(total ? total : 1, sizeof *s->tables_s);
    s->memory_bound = calloc(total ? total : 1, sizeof *s->memory_bound);
    double *soa = calloc(4 * (nroof ? nroof : 1) + (nroof ? nroof : 1) * (size_t)maxb, sizeof *soa);
    if (!s->tables_s || !s->memory_bound || !soa) {
        free(soa);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    double *ov = soa, *comp = soa + nroof, *wts = soa + 2 * nroof, *mem = soa + 3 * nroof, *out = soa + 4 * nroof;
    size_t r = 0;
    for (size_t i = 0; i < s->npools; i++) {
        const ccs_pool_cfg *c = s->pool_cfg[i];
        if (!c->model || c->llm.max_num_seqs) continue; /* an LLM pool times its own iterations */
        const ccs_hardware_cfg *hw = c->hw;
        const ccs_model_cfg *m = c->mdl;
        const ccs_variant_cfg *v = c->var;
        /* a replica computes on its devices; a request of a CPU server on its share of the cores */
        double share = (double)c->devices_per_replica / (double)(c->concurrency > 0 ? c->concurrency : 1);
        double peak = ccs_variant_peak_per_s(hw, v) * share;
        double bw = hw->mem_bw_gb_s * 1e9 * share * v->memory_efficiency;
        ov[r] = m->overhead_ms / 1e3;
        comp[r] = (v->flop_per_item > 0 ? v->flop_per_item : m->flop_per_item) / (peak * m->efficiency);
        wts[r] = v->weight_bytes / bw;
        mem[r] = (v->bytes_per_item > 0 ? v->bytes_per_item : m->bytes_per_item) / bw;
        r++;
    }
    if (nroof) ccs_latency_roofline_tables(nroof, ov, comp, wts, mem, (size_t)maxb, out);
    r = 0;
    int rc = 0;
    for (size_t i = 0; i < s->npools && !rc; i++) {
        const ccs_pool_cfg *c = s->pool_cfg[i];
        double *t = s->tables_s + s->table_off[i];
        if (c->llm.max_num_seqs) {
            continue;
        } else if (c->model) {
            memcpy(t, out + r * (size_t)maxb, (size_t)c->batching.max_batch * sizeof *t);
            unsigned char *mb = s->memory_bound + s->table_off[i];
            for (long b = 1; b <= c->batching.max_batch; b++) /* the roofline's memory side is the longer */
                mb[b - 1] = wts[r] + (double)b * mem[r] > (double)b * comp[r];
            r++;
        } else if (c->latency_table.nbatch) {
            double *ls = malloc(c->latency_table.nms * sizeof *ls);
            if (!ls) return free(soa), ccs_err_set(err, CCS_ERUN, "out of memory");
            for (size_t k = 0; k < c->latency_table.nms; k++) ls[k] = c->latency_table.ms[k] / 1e3;
            rc = ccs_latency_table_from_points(c->latency_table.batch, ls, c->latency_table.nbatch,
                                               (size_t)c->batching.max_batch, t, err);
            free(ls);
        }
    }
    free(soa);
    return rc;
}

/* What the done callback of stage k's pools tolerates (pool.h, CCS_DONE_*). The last stage only
 * records. An earlier one hands requests on to the next stage's pools, which take them ahead of
 * the clock when they come in time order: from a single pool whose completions are known in
 * order (that pool decides), and only to batched or FCFS pools (an LLM pool's scheduler runs on
 * the clock). Routing draws stay in the same order: their streams are per stage and the requests
 * reach the stage in the same order as by events. */
static int hand_on_early(const ccs_service *s, size_t k)
{
    if (k + 1 == s->nstages) return CCS_DONE_EARLY;
    if (s->stage_first[k + 1] - s->stage_first[k] != 1) return CCS_DONE_AT_END;
    for (size_t p = s->stage_first[k + 1]; p < s->stage_first[k + 2]; p++)
        if (s->pool_cfg[p]->llm.max_num_seqs) return CCS_DONE_AT_END;
    return CCS_DONE_EARLY_IN_ORDER;
}

static int setup_pools(ccs_service *s, int region, ccs_ledger *ledger, ccs_streams *streams, int64_t t0_us,
                       ccs_err *err)
{
    const ccs_service_cfg *c = s->cfg;
    s->nstages = c->nstages;
    for (size_t k = 0; k < c->nstages; k++) s->npools += c->stages[k].nroutes ? c->stages[k].nroutes : 1;
    s->stage_first = calloc(s->nstages + 1, sizeof *s->stage_first);
    s->cum_share = calloc(s->npools ? s->npools : 1, sizeof *s->cum_share);
    s->route_share = calloc(s->npools ? s->npools : 1, sizeof *s->route_share);
    s->rng_route = calloc(s->nstages ? s->nstages : 1, sizeof *s->rng_route);
    s->rng_diff = calloc(s->nstages ? s->nstages : 1, sizeof *s->rng_diff);
    s->route_max = calloc(s->npools ? s->npools : 1, sizeof *s->route_max);
    s->keep_below = calloc(s->npools ? s->npools : 1, sizeof *s->keep_below);
    s->pools = calloc(s->npools ? s->npools : 1, sizeof *s->pools);
    s->llm = calloc(s->npools ? s->npools : 1, sizeof *s->llm);
    s->refs = calloc(s->npools ? s->npools : 1, sizeof *s->refs);
    s->pool_cfg = calloc(s->npools ? s->npools : 1, sizeof *s->pool_cfg);
    s->route_name = calloc(s->npools ? s->npools : 1, sizeof *s->route_name);
    if (!s->stage_first || !s->cum_share || !s->route_share || !s->rng_route || !s->rng_diff || !s->route_max ||
        !s->keep_below || !s->pools || !s->llm || !s->refs || !s->pool_cfg || !s->route_name)
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    size_t i = 0;
    char name[600];
    for (size_t k = 0; k < c->nstages; k++) {
        const ccs_stage_cfg *st = &c->stages[k];
        s->stage_first[k] = i;
        double cum = 0;
        if (st->nroutes == 0) {
            s->pool_cfg[i] = &st->pool;
            s->cum_share[i] = s->route_share[i] = 1.0;
            s->keep_below[i] = INFINITY;
            i++;
        } else {
            if (st->routing == CCS_ROUTING_SHARE) {
                snprintf(name, sizeof name, "routing/%s/%s", c->name, st->name);
                if (!(s->rng_route[k] = ccs_streams_get(streams, name)))
                    return ccs_err_set(err, CCS_ERUN, "out of memory");
            } else if (st->routing != CCS_ROUTING_PROMPT) {
                snprintf(name, sizeof name, "difficulty/%s/%s", c->name, st->name);
                if (!(s->rng_diff[k] = ccs_streams_get(streams, name)))
                    return ccs_err_set(err, CCS_ERUN, "out of memory");
            }
            double reach = 1.0; /* a cascade: the share of the stage's requests that reach route r */
            double below = 0.0; /* by difficulty: the scores routes before r take */
            for (size_t r = 0; r < st->nroutes; r++, i++) {
                const ccs_route_cfg *rt = &st->routes[r];
                s->pool_cfg[i] = &rt->pool;
                s->route_name[i] = rt->name;
                s->route_share[i] = rt->share;
                if (st->routing ==
                    CCS_ROUTING_DIFFICULTY) { /* uniform scores: the expected share, for the load check */
                    double upto = rt->max_difficulty > 0 ? rt->max_difficulty : 1.0;
                    s->route_share[i] = upto - below;
                    below = upto;
                }
                s->cum_share[i] = cum += rt->share;
                double max = st->routing == CCS_ROUTING_PROMPT ? rt->max_prompt_tokens : rt->max_difficulty;
                s->route_max[i] = max > 0 ? max : INFINITY;
                /* scores are uniform: of those reaching r (above 1 - reach), escalate the top share */
                s->keep_below[i] =
                    st->routing == CCS_ROUTING_CASCADE && rt->escalate > 0 ? 1.0 - reach * rt->escalate : INFINITY;
                if (st->routing == CCS_ROUTING_CASCADE) reach *= rt->escalate;
            }
        }
    }
    s->stage_first[c->nstages] = i;
    int rc = build_tables(s, err);
    if (rc) return rc;
    double rate = ccs_arrivals_mean_rate_per_s(s->arrivals);
    double miss = s->cache ? 1.0 - ccs_cache_expected_hit_rate(s->cache, rate) : 1.0;
    for (size_t k = 0; k < c->nstages; k++) {
        int early = hand_on_early(s, k);
        for (size_t p = s->stage_first[k]; p < s->stage_first[k + 1]; p++) {
            const ccs_pool_cfg *pc = s->pool_cfg[p];
            if (s->npools == 1)
                snprintf(name, sizeof name, "service_time/%s", c->name);
            else
                snprintf(name, sizeof name, "service_time/%s/%s/%s", c->name, c->stages[k].name,
                         s->route_name[p] ? s->route_name[p] : "");
            s->refs[p] = (pool_ref){s, k, p};
            if (pc->llm.max_num_seqs) {
                ccs_llm_params lp = {
                    .cfg = pc,
                    .perf = ccs_llm_pool_perf(pc),
                    .region = region,
                    .eng = s->eng,
                    .ledger = ledger,
                    .series = &s->series,
                    .t0_us = t0_us,
                    .horizon_us = s->horizon_us,
                    .finished = on_llm_finished,
                    .finished_ctx = &s->refs[p],
                };
                if (pc->llm.prompt_tokens_cv > 0 || pc->llm.output_tokens_cv > 0) {
                    if (s->npools == 1)
                        snprintf(name, sizeof name, "tokens/%s", c->name);
                    else
                        snprintf(name, sizeof name, "tokens/%s/%s/%s", c->name, c->stages[k].name,
                                 s->route_name[p] ? s->route_name[p] : "");
                    if (!(lp.rng = ccs_streams_get(streams, name))) return ccs_err_set(err, CCS_ERUN, "out of memory");
                }
                if ((rc = ccs_llm_pool_create(&lp, &s->llm[p], err))) return rc;
                continue; /* its load shows in its waiting line (llm.max_waiting), not a capacity */
            }
            ccs_pool_params par = {
                .cfg = pc,
                .hw = pc->hw,
                .table_s = pc->model || pc->latency_table.nbatch ? s->tables_s + s->table_off[p] : NULL,
                .memory_bound = pc->model ? s->memory_bound + s->table_off[p] : NULL,
                .region = region,
                .eng = s->eng,
                .ledger = ledger,
                .series = &s->series,
                .rng = ccs_streams_get(streams, name),
                .t0_us = t0_us,
                .horizon_us = s->horizon_us,
                .measure_from_us = s->measure_from_us,
                .done = on_pool_done,
                .done_ctx = &s->refs[p],
                .done_early = early,
            };
            if (!par.rng) return ccs_err_set(err, CCS_ERUN, "out of memory");
            if ((rc = ccs_pool_create(&par, &s->pools[p], err))) return rc;
            /* A stable queue needs a mean offered load below capacity: otherwise the waiting
             * line, and memory, grow without bound. Peaks above it are fine: queues drain. */
            double offered = rate * miss * s->route_share[p], cap = ccs_pool_capacity_per_s(s->pools[p]);
            if (offered >= cap)
                return ccs_err_at(err, CCS_EINPUT, c->stages[k].pos.file, c->stages[k].pos.line, c->stages[k].pos.col,
                                  "services[%s] stage '%s'%s%s: mean offered load %.4g requests/s >= "
                                  "capacity %.4g (replicas x max_batch / L(max_batch)): the queue would "
                                  "grow without bound; expected a load below 1 (mean rate x mean_ms / "
                                  "replicas = %.3g)",
                                  c->name, c->stages[k].name, s->route_name[p] ? " route " : "",
                                  s->route_name[p] ? s->route_name[p] : "", offered, cap, offered / cap);
        }
    }
    return 0;
}

int ccs_service_create(const ccs_service_cfg *cfg, int region, ccs_engine *eng, ccs_ledger *ledger,
                       ccs_streams *streams, int64_t t0_us, int64_t horizon_us, int64_t warmup_us, ccs_service **out,
                       ccs_err *err)
{
    return ccs_service_create_window(cfg, region, eng, ledger, streams, t0_us, horizon_us, warmup_us, NULL, out, err);
}

int ccs_service_create_window(const ccs_service_cfg *cfg, int region, ccs_engine *eng, ccs_ledger *ledger,
                              ccs_streams *streams, int64_t t0_us, int64_t horizon_us, int64_t warmup_us,
                              const ccs_service_window *w, ccs_service **out, ccs_err *err)
{
    *out = NULL;
    ccs_service *s = calloc(1, sizeof *s);
    if (!s) return ccs_err_set(err, CCS_ERUN, "out of memory");
    s->cfg = cfg;
    s->measure_from_us = w ? w->measure_from_us : 0;
    s->eng = eng;
    s->horizon_us = horizon_us;
    s->warmup_us = warmup_us;
    s->const_us = llround((cfg->rtt_ms + (cfg->cache.kind ? cfg->cache.lookup_ms : 0.0)) * 1e3);
    s->slo_limit_us = cfg->slo_p95_ms > 0 ? llround(cfg->slo_p95_ms * 1e3) : INT64_MAX;
    s->latency = ccs_histogram_create();
    s->age = ccs_histogram_create();
    s->ttft = ccs_histogram_create();
    s->tpot = ccs_histogram_create();
    s->ttft_limit_us = cfg->slo_ttft_ms > 0 ? llround(cfg->slo_ttft_ms * 1e3) : INT64_MAX;
    s->tpot_limit_us = cfg->slo_tpot_ms > 0 ? llround(cfg->slo_tpot_ms * 1e3) : INT64_MAX;
    s->last_done = -1;
    s->kind_arrival = ccs_engine_add_handler(eng, on_arrival, s);
    char name[300];
    snprintf(name, sizeof name, "arrivals/%s", cfg->name);
    gsl_rng *ra = ccs_streams_get(streams, name);
    int rc = !s->latency || !s->age || !s->ttft || !s->tpot || s->kind_arrival < 0 || !ra ||
                     ccs_series_init(&s->series, t0_us, horizon_us)
                 ? ccs_err_set(err, CCS_ERUN, "out of memory")
                 : 0;
    if (!rc && (rc = w ? ccs_arrivals_create_from(w->arrivals, ra, w->offset_us, horizon_us, &s->arrivals, err)
                       : ccs_arrivals_create(&cfg->arrivals, ra, horizon_us, &s->arrivals, err)))
        ccs_err_prefix(err, "services[%s].arrivals: ", cfg->name);
    if (!rc && cfg->cache.kind) {
        snprintf(name, sizeof name, "cache/%s", cfg->name);
        gsl_rng *rc_ = ccs_streams_get(streams, name);
        rc = rc_ ? ccs_cache_create(&cfg->cache, rc_, &s->cache, err) : ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc) rc = setup_pools(s, region, ledger, streams, t0_us, err);
    if (rc) {
        ccs_service_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

void ccs_service_destroy(ccs_service *s)
{
    if (!s) return;
    for (size_t i = 0; s->pools && i < s->npools; i++) ccs_pool_destroy(s->pools[i]);
    for (size_t i = 0; s->llm && i < s->npools; i++) ccs_llm_pool_destroy(s->llm[i]);
    free(s->pools);
    free(s->llm);
    free(s->refs);
    free(s->stage_first);
    free(s->cum_share);
    free(s->route_share);
    free(s->rng_route);
    free(s->rng_diff);
    free(s->route_max);
    free(s->keep_below);
    free(s->pool_cfg);
    free(s->route_name);
    free(s->tables_s);
    free(s->memory_bound);
    free(s->table_off);
    ccs_histogram_destroy(s->latency);
    ccs_histogram_destroy(s->age);
    ccs_histogram_destroy(s->ttft);
    ccs_histogram_destroy(s->tpot);
    ccs_arrivals_destroy(s->arrivals);
    ccs_cache_destroy(s->cache);
    ccs_series_free(&s->series); /* unless handed to a result */
    free(s);
}

int ccs_service_start(ccs_service *s)
{
    int64_t first = next_arrival(s);
    if (first >= 0) ccs_engine_schedule_next(s->eng, first, s->kind_arrival, 0);
    for (size_t i = 0; i < s->npools; i++)
        if (s->pools[i]) ccs_pool_start(s->pools[i]);
    return ccs_engine_failed(s->eng) ? -1 : 0;
}

int ccs_service_finish(ccs_service *s, ccs_service_result *out, ccs_err *err)
{
    memset(out, 0, sizeof *out);
    int arc = ccs_arrivals_failed(s->arrivals, err);
    if (arc) {
        ccs_err_prefix(err, "services[%s].arrivals: ", s->cfg->name);
        return arc;
    }
    out->pools = calloc(s->npools, sizeof *out->pools);
    if (!out->pools) return ccs_err_set(err, CCS_ERUN, "out of memory");
    out->npools = s->npools;
    for (size_t k = 0; k < s->nstages; k++)
        for (size_t p = s->stage_first[k]; p < s->stage_first[k + 1]; p++) {
            ccs_service_pool_result *pr = &out->pools[p];
            const ccs_pool_cfg *c = s->pool_cfg[p];
            int rc = s->llm[p] ? ccs_llm_pool_finish(s->llm[p], &pr->r, &pr->llm, err)
                               : ccs_pool_finish(s->pools[p], &pr->r, err);
            if (rc && s->llm[p] && ccs_llm_pool_overloaded(s->llm[p])) { /* said at the pool's place */
                const ccs_stage_cfg *st = &s->cfg->stages[k];
                const ccs_src_pos *at = s->route_name[p] ? &st->routes[p - s->stage_first[k]].pos : &st->pos;
                char msg[sizeof err->msg];
                snprintf(msg, sizeof msg, "%s", err->msg);
                return ccs_err_at(err, rc, at->file, at->line, at->col, "services[%s] stage '%s'%s%s: %s", s->cfg->name,
                                  st->name, s->route_name[p] ? " route " : "", s->route_name[p] ? s->route_name[p] : "",
                                  msg);
            }
            if (rc) {
                ccs_err_prefix(err, "services[%s] stage '%s': ", s->cfg->name, s->cfg->stages[k].name);
                if (rc == CCS_EINPUT) {
                    char when[32];
                    ccs_time_format(s->series.t0_us + s->horizon_us, when, sizeof when);
                    ccs_err_prefix(err, "(period ends %s) ", when);
                }
                return rc;
            }
            pr->stage = s->cfg->stages[k].name;
            pr->route = s->route_name[p];
            pr->share = s->route_share[p];
            pr->hardware = c->hardware;
            pr->model = c->model;
            pr->max_batch = c->batching.max_batch;
            pr->devices_per_replica = c->devices_per_replica;
            pr->concurrency = c->concurrency > 0 ? c->concurrency : 1;
            pr->window_ms = c->batching.window_ms;
            if (c->model) {
                pr->variant = c->var->name;
                pr->quality_metric = c->mdl->quality_metric;
                pr->quality_delta = c->var->quality_delta;
            }
            if (s->llm[p]) {
                /* one sequence decoding at a context of 1, and max_num_seqs of them */
                ccs_llm_work one = {.decode_tokens = 1, .decode_context = 1};
                ccs_llm_work all = {.decode_tokens = (double)c->llm.max_num_seqs,
                                    .decode_context = (double)c->llm.max_num_seqs};
                pr->l1_ms = ccs_llm_pool_step_s(s->llm[p], &one, NULL) * 1e3;
                pr->lmax_ms = ccs_llm_pool_step_s(s->llm[p], &all, NULL) * 1e3;
                pr->is_llm = 1;
                pr->tensor_parallel = c->llm.tensor_parallel;
                pr->max_num_seqs = c->llm.max_num_seqs;
                pr->max_batched_tokens = c->llm.max_batched_tokens;
                out->has_llm = 1;
                out->generated_tokens += pr->llm.output_tokens;
                out->rejected += pr->llm.rejected;
                out->preemptions += pr->llm.preemptions;
            } else if (c->model || c->latency_table.nbatch) {
                pr->l1_ms = s->tables_s[s->table_off[p]] * 1e3;
                pr->lmax_ms = s->tables_s[s->table_off[p] + (size_t)c->batching.max_batch - 1] * 1e3;
            } else {
                pr->l1_ms = pr->lmax_ms = c->service_time.mean_ms;
            }
            if (c->hardware) {
                pr->embodied_kg =
                    pr->r.provisioned_hours * (double)c->devices_per_replica * ccs_hardware_embodied_per_hour(c->hw);
                pr->server_embodied_kg =
                    (double)ccs_hardware_devices(c->hw) * c->hw->embodied_kg + c->hw->host.embodied_kg;
            }
            out->busy_energy_j += pr->r.busy_energy_j;
            out->idle_energy_j += pr->r.idle_energy_j;
            out->host_energy_j += pr->r.host_energy_j;
            out->embodied_kg += pr->embodied_kg;
            ccs_charge_add(&out->charge, &pr->r.charge);
        }
    out->requests = ccs_histogram_count(s->latency);
    out->measured_s = (double)(s->horizon_us - s->warmup_us) / 1e6;
    out->throughput_per_s = (double)out->requests / out->measured_s;
    out->mean_ms = ccs_histogram_mean(s->latency) / 1e3;
    out->p50_ms = ccs_histogram_quantile(s->latency, 0.50) / 1e3;
    out->p95_ms = ccs_histogram_quantile(s->latency, 0.95) / 1e3;
    out->p99_ms = ccs_histogram_quantile(s->latency, 0.99) / 1e3;
    if (s->cfg->slo_p95_ms > 0) {
        out->slo_violation_frac = ccs_histogram_frac_above(s->latency, s->slo_limit_us);
        out->slo_met = out->p95_ms <= s->cfg->slo_p95_ms;
    } else {
        out->slo_met = -1;
    }
    out->rtt_ms = s->cfg->rtt_ms;
    out->lookup_ms = s->cfg->cache.kind ? s->cfg->cache.lookup_ms : 0.0;
    out->cache_kind = s->cfg->cache.kind;
    if (s->cache) {
        out->cache_hit_rate = s->looked_up ? (double)s->hits / (double)s->looked_up : 0.0;
        out->cache_hit_rate_theory = ccs_cache_expected_hit_rate(s->cache, ccs_arrivals_mean_rate_per_s(s->arrivals));
        out->age_mean_s = ccs_histogram_mean(s->age) / 1e6;
        out->age_p95_s = ccs_histogram_quantile(s->age, 0.95) / 1e6;
        out->age_hit_mean_s = s->hits ? s->age_hit_sum_us / (double)s->hits / 1e6 : 0.0;
    }
    out->last_completion_s = s->last_done >= 0 ? (double)s->last_done / 1e6 : -1.0;
    out->escalations = s->escalations;
    for (size_t k = 0; k < s->nstages; k++) { /* measured shares where routing is not a drawn share */
        int routing = s->cfg->stages[k].routing;
        if (s->cfg->stages[k].nroutes == 0 || routing == CCS_ROUTING_SHARE) continue;
        double all = 0;
        for (size_t p = s->stage_first[k]; p < s->stage_first[k + 1]; p++) all += (double)out->pools[p].r.items;
        if (routing == CCS_ROUTING_CASCADE) all = (double)out->pools[s->stage_first[k]].r.items;
        for (size_t p = s->stage_first[k]; p < s->stage_first[k + 1]; p++)
            out->pools[p].share = all > 0 ? (double)out->pools[p].r.items / all : 0.0;
    }
    if (out->has_llm) {
        out->ttft_mean_ms = ccs_histogram_mean(s->ttft) / 1e3;
        out->ttft_p50_ms = ccs_histogram_quantile(s->ttft, 0.50) / 1e3;
        out->ttft_p95_ms = ccs_histogram_quantile(s->ttft, 0.95) / 1e3;
        out->ttft_p99_ms = ccs_histogram_quantile(s->ttft, 0.99) / 1e3;
        out->tpot_mean_ms = ccs_histogram_mean(s->tpot) / 1e3;
        out->tpot_p50_ms = ccs_histogram_quantile(s->tpot, 0.50) / 1e3;
        out->tpot_p95_ms = ccs_histogram_quantile(s->tpot, 0.95) / 1e3;
        out->tpot_p99_ms = ccs_histogram_quantile(s->tpot, 0.99) / 1e3;
        out->output_tokens = s->out_measured;
        out->output_tokens_per_s = s->out_measured / out->measured_s;
        out->energy_per_output_token_j =
            out->generated_tokens > 0 ? out->charge.it_energy_j / out->generated_tokens : 0.0;
        uint64_t n = ccs_histogram_count(s->ttft);
        out->goodput_per_s = (double)s->good / out->measured_s;
        out->goodput_frac = n ? (double)s->good / (double)n : 0.0;
    }
    out->series = s->series; /* handed over */
    memset(&s->series, 0, sizeof s->series);
    return 0;
}

void ccs_service_result_free(ccs_service_result *r)
{
    if (!r) return;
    free(r->pools);
    r->pools = NULL;
    ccs_series_free(&r->series);
}

double ccs_tier_rtt_ms(int tier)
{
    /* Typical round trips from a shopper's device: an edge site in the metro, a cloud region in
     * the same country, a central region on the same continent. Stated so they can be replaced
     * with rtt_ms where measured figures exist. */
    switch (tier) {
    case CCS_TIER_EDGE: return 5.0;
    case CCS_TIER_REGIONAL: return 20.0;
    case CCS_TIER_CENTRAL: return 60.0;
    default: return 0.0;
    }
}

/* ---- the schemas of services, stages and routes ---- */
const char *const ccs_routing_words[] = {"share", "prompt_tokens", "difficulty", "cascade", NULL};
static const char *const tier_words[] = {"none", "edge", "regional", "central", NULL};
static const ccs_field route_fields[] = {
    {"name", CCS_F_NAME, offsetof(ccs_route_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"share", CCS_F_DOUBLE, offsetof(ccs_route_cfg, share), 0, 0.0, 1.0, NULL, NULL, 0,
     "the share of the stage's traffic, in [0, 1]", NULL},
    {"max_prompt_tokens", CCS_F_DOUBLE, offsetof(ccs_route_cfg, max_prompt_tokens), 0, 1, 1e9, NULL, NULL, 0,
     "the longest prompt this route takes (routing: prompt_tokens)", NULL},
    {"max_difficulty", CCS_F_DOUBLE, offsetof(ccs_route_cfg, max_difficulty), 0, 1e-9, 1.0, NULL, NULL, 0,
     "the highest difficulty score this route takes, in (0, 1] (routing: difficulty)", NULL},
    {"escalate", CCS_F_DOUBLE, offsetof(ccs_route_cfg, escalate), 0, 1e-9, 1.0, NULL, NULL, 0,
     "the share of what this route answers that goes on to the next, in (0, 1] (routing: cascade)", NULL},
    CCS_POOL_FIELDS(ccs_route_cfg, pool),
};
static const ccs_schema route_schema = {"route",
                                        sizeof(ccs_route_cfg),
                                        route_fields,
                                        sizeof route_fields / sizeof route_fields[0],
                                        offsetof(ccs_route_cfg, pos),
                                        NULL};
static const ccs_field stage_fields[] = {
    {"name", CCS_F_NAME, offsetof(ccs_stage_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    CCS_POOL_FIELDS(ccs_stage_cfg, pool),
    {"routing", CCS_F_ENUM, offsetof(ccs_stage_cfg, routing), 0, CCS_NO_RANGE, ccs_routing_words, NULL, 0,
     "share, prompt_tokens, difficulty or cascade", NULL},
    {"routes", CCS_F_LIST, offsetof(ccs_stage_cfg, routes), 0, CCS_NO_RANGE, NULL, &route_schema,
     offsetof(ccs_stage_cfg, nroutes), "a list of routes {name, share, hardware, model, ...}", NULL},
};
static const ccs_schema stage_schema = {"stage",
                                        sizeof(ccs_stage_cfg),
                                        stage_fields,
                                        sizeof stage_fields / sizeof stage_fields[0],
                                        offsetof(ccs_stage_cfg, pos),
                                        NULL};
static void service_defaults(void *p) { ((ccs_service_cfg *)p)->rtt_ms = -1; }
static const ccs_field service_fields[] = {
    {"name", CCS_F_NAME, offsetof(ccs_service_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"region", CCS_F_NAME, offsetof(ccs_service_cfg, region), 0, CCS_NO_RANGE, NULL, NULL, 0, "a region name", NULL},
    {"arrivals", CCS_F_MAP, offsetof(ccs_service_cfg, arrivals), 1, CCS_NO_RANGE, NULL, &ccs_arrivals_schema, 0,
     "{process: poisson, rate_per_s: R} or {process: trace-counts, trace: PATH, rate_per_s: R}", NULL},
    {"cache", CCS_F_MAP, offsetof(ccs_service_cfg, cache), 0, CCS_NO_RANGE, NULL, &ccs_cache_schema, 0,
     "{hit_prob: P} or {ttl: 5m, keys: N, zipf_s: S}", NULL},
    {"tier", CCS_F_ENUM, offsetof(ccs_service_cfg, tier), 0, CCS_NO_RANGE, tier_words, NULL, 0,
     "edge, regional or central", NULL},
    {"rtt_ms", CCS_F_DOUBLE, offsetof(ccs_service_cfg, rtt_ms), 0, 0, 1e5, NULL, NULL, 0, "a network round trip in ms",
     NULL},
    CCS_POOL_FIELDS(ccs_service_cfg, pool),
    {"stages", CCS_F_LIST, offsetof(ccs_service_cfg, stages), 0, CCS_NO_RANGE, NULL, &stage_schema,
     offsetof(ccs_service_cfg, nstages), "a list of stages {name, hardware, replicas, ...}", NULL},
    {"slo_p95_ms", CCS_F_DOUBLE, offsetof(ccs_service_cfg, slo_p95_ms), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "a P95 latency objective in ms", NULL},
    {"slo_ttft_ms", CCS_F_DOUBLE, offsetof(ccs_service_cfg, slo_ttft_ms), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "an LLM request's time-to-first-token objective in ms", NULL},
    {"slo_tpot_ms", CCS_F_DOUBLE, offsetof(ccs_service_cfg, slo_tpot_ms), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "an LLM request's time-per-output-token objective in ms", NULL},
};
const ccs_schema ccs_service_schema = {"service",
                                       sizeof(ccs_service_cfg),
                                       service_fields,
                                       sizeof service_fields / sizeof service_fields[0],
                                       offsetof(ccs_service_cfg, pos),
                                       service_defaults};

const ccs_histogram *ccs_service_histogram(const ccs_service *s, int which)
{
    switch (which) {
    case CCS_HIST_LATENCY: return s->latency;
    case CCS_HIST_AGE: return s->age;
    case CCS_HIST_TTFT: return s->ttft;
    default: return s->tpot;
    }
}

int ccs_service_has_llm(const ccs_service_cfg *c)
{
    for (size_t k = 0; k < c->nstages; k++) {
        const ccs_stage_cfg *st = &c->stages[k];
        if (!st->nroutes && st->pool.llm.max_num_seqs) return 1;
        for (size_t r = 0; r < st->nroutes; r++)
            if (st->routes[r].pool.llm.max_num_seqs) return 1;
    }
    return 0;
}
