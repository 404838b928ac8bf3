/* Sampled fidelity; see sampled.h and docs/sampling.md.
 *
 * Why the estimate is unbiased: an hour of length L is the union of its K = L / W window slots.
 * A slot drawn uniformly from the K x N hours of a block and scaled by K x N is an unbiased
 * estimate of the block's total of any additive quantity (requests, energy, batches), because
 * each slot is drawn with probability 1 / (K N) and stands for K N of them; averaging m such
 * draws keeps it unbiased. The hours of a block have the same arrival process over the hour and
 * the warm-up before it, so their expectations are equal and the estimate of each hour is the
 * block's total over N. A window is simulated from the start of its warm-up, long enough for
 * queues and autoscalers to forget their empty start, so its state at the slot's start is
 * distributed as in a full run. Percentiles are those of the weighted histograms: consistent,
 * not exactly unbiased (as any sample quantile). The first hours up to the scenario's warm-up
 * are simulated whole, from the same cold start a full run has. */
#include "sampled.h"
#include "ccs_scenario.h"

#include "ccs_engine.h"
#include "ccs_rng.h"
#include "ccs_units.h"
#include "histogram.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ccs_fidelity_words[] = {"full", "sampled", NULL};

void ccs_sampling_defaults(ccs_sampling_cfg *c)
{
    c->window_us = 5LL * 60 * 1000000;
    c->warmup_us = 0;
    c->min_windows = 48;
    c->groups = 10;
    c->hours_per_block = 12;
}

static void sampling_defaults(void *p) { ccs_sampling_defaults(p); }

static const ccs_field sampling_fields[] = {
    {"window", CCS_F_DURATION, offsetof(ccs_sampling_cfg, window_us), 0, 1.0, 3600.0, NULL, NULL, 0,
     "a measured window such as 5m, dividing the hour", NULL},
    {"warmup", CCS_F_DURATION, offsetof(ccs_sampling_cfg, warmup_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the time simulated before each window, such as 15m (default: the service's own)", NULL},
    {"min_windows", CCS_F_INT, offsetof(ccs_sampling_cfg, min_windows), 0, 1, 1e7, NULL, NULL, 0,
     "the fewest windows over the period, such as 48", NULL},
    {"hours_per_block", CCS_F_INT, offsetof(ccs_sampling_cfg, hours_per_block), 0, 1, 1e6, NULL, NULL, 0,
     "how many hours share one window at most on average, when hours do not repeat exactly, such as 12", NULL},
    {"groups", CCS_F_INT, offsetof(ccs_sampling_cfg, groups), 0, 2, 1000, NULL, NULL, 0,
     "the random groups of windows the latency figures' confidence intervals come from, such as 10", NULL},
};
const ccs_schema ccs_sampling_schema = {"sampling",      sizeof(ccs_sampling_cfg),
                                        sampling_fields, sizeof sampling_fields / sizeof sampling_fields[0],
                                        CCS_NOPOS,       sampling_defaults};

static void autoscale_memory(const ccs_pool_cfg *p, int64_t *u)
{
    const ccs_autoscale_cfg *a = &p->autoscale;
    if (a->max <= 0) return;
    int64_t m = a->down_delay_us + a->up_delay_us + 2 * a->interval_us;
    if (m > *u) *u = m;
}

int64_t ccs_sampling_warmup(const ccs_sampling_cfg *c, const ccs_service_cfg *svc)
{
    if (c->warmup_us > 0) return c->warmup_us;
    int64_t u = 10LL * 60 * 1000000;
    for (size_t k = 0; k < svc->nstages; k++) {
        const ccs_stage_cfg *st = &svc->stages[k];
        if (!st->nroutes) autoscale_memory(&st->pool, &u);
        for (size_t r = 0; r < st->nroutes; r++) autoscale_memory(&st->routes[r].pool, &u);
    }
    return u;
}

/* ---- what the windows add up to ---- */

typedef struct sampler {
    const ccs_scenario *s;
    const ccs_service_cfg *c;
    int region;
    int64_t window, warmup, head_end;
    long ngroups;
    ccs_ledger *ledger, *scratch;
    long threads; /* windows simulated at once */
    ccs_arrivals *proto;
    ccs_streams *proto_streams;
    ccs_service_result *out;
    int have_first;
    ccs_whist *latency, *age;
    /* per random group, its windows' latency (G times their weight) and the head's: the spread of
     * the groups' percentiles is their interval (the totals' intervals come from recs below) */
    ccs_whist **group_latency;
    double hits, looked, age_hit_sum_s;
    double requests;
    /* The requests by the difference estimator where the arrival process knows its rate: the
     * expected arrivals of the sampled hours (exact) plus the windows' weighted deviations from
     * theirs. Unbiased (each window's count has its window's expectation) and far less
     * variable than the windows' counts scaled up, which carry the rate's changes within the
     * hour. */
    double expected_all, expected_windows;                                 /* expected_all < 0: no rate known */
    double *pool_items, *pool_batches, *pool_scale_ups, *pool_scale_downs; /* per pool, weighted */
    long windows;
    /* per window, for the stratified variance of the totals: its block (in time order) and its
     * estimate of its block's total of each additive figure */
    struct window_rec {
        long block;
        double t[5]; /* requests less their expectation, energy J, carbon g, cost, hits - rate x looked */
        double looked;
    } * recs;
    size_t nrecs, caprecs;
    int64_t simulated_us;
    uint64_t events;
} sampler;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* One simulated stretch [from, to) (simulated time of the period) whose counted part begins at
 * count_from; its draws booked into the scratch ledger, clipped to [clip_from, clip_to). */
typedef struct stretch {
    int64_t from, to, count_from, clip_from, clip_to;
    uint64_t seed;
    int head; /* the period's own start: the scenario's streams and warm-up, nothing shifted */
} stretch;

/* A stretch being simulated: its own engine, streams, copy of the ledger and service, kept until
 * its figures are merged (the service's histograms live with it). */
typedef struct win_slot {
    ccs_ledger *scratch;
    ccs_engine *eng;
    ccs_streams *streams;
    ccs_service *svc;
    ccs_service_result r;
    int have_r;
    uint64_t events;
    int rc;
    ccs_err err;
} win_slot;

static void release_slot(win_slot *sl)
{
    if (sl->have_r) ccs_service_result_free(&sl->r);
    sl->have_r = 0;
    ccs_service_destroy(sl->svc);
    ccs_streams_destroy(sl->streams);
    ccs_engine_destroy(sl->eng);
    sl->svc = NULL;
    sl->streams = NULL;
    sl->eng = NULL;
}

/* Simulates one stretch in its slot; touches nothing shared (windows run on several threads). */
static int run_stretch(const sampler *S, const stretch *st, win_slot *sl, ccs_err *err)
{
    const ccs_scenario *s = S->s;
    ccs_ledger_clear(sl->scratch);
    ccs_ledger_set_clip(sl->scratch, s->start_us + st->clip_from, s->start_us + st->clip_to);
    sl->eng = ccs_engine_create();
    sl->streams = ccs_streams_create(st->seed);
    sl->events = 0;
    int rc = !sl->eng || !sl->streams ? ccs_err_set(err, CCS_ERUN, "out of memory") : 0;
    ccs_service_window win = {S->proto, st->from, st->count_from - st->from};
    if (!rc)
        rc = ccs_service_create_window(S->c, S->region, sl->eng, sl->scratch, sl->streams, s->start_us + st->from,
                                       st->to - st->from, st->count_from - st->from, st->head ? NULL : &win, &sl->svc,
                                       err);
    if (!rc && ccs_service_start(sl->svc) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc) {
        sl->events = ccs_engine_run(sl->eng, INT64_MAX);
        if (ccs_engine_failed(sl->eng)) rc = ccs_err_set(err, CCS_ERUN, "out of memory in the event set");
    }
    if (!rc) rc = ccs_service_finish(sl->svc, &sl->r, err);
    sl->have_r = !rc;
    return rc;
}

/* The stretch's histograms into the estimate's (weight w) and its group's (w_group; grp NULL:
 * every group, for the head). */
static void merge_histograms(sampler *S, const stretch *st, win_slot *sl, double w, ccs_whist *grp, double w_group)
{
    const ccs_histogram *lat = ccs_service_histogram(sl->svc, CCS_HIST_LATENCY);
    ccs_whist_add(S->latency, lat, w);
    ccs_whist_add(S->age, ccs_service_histogram(sl->svc, CCS_HIST_AGE), w);
    if (grp) {
        ccs_whist_add(grp, lat, w_group);
    } else {
        for (long g = 0; g < S->ngroups; g++) ccs_whist_add(S->group_latency[g], lat, w_group);
    }
    S->events += sl->events;
    S->simulated_us += st->to - st->from;
}

/* The additive figures of one stretch's result, weighted, into the estimate (the first result
 * gives the estimate its shape: pools, names, configuration figures). */
static int add_result(sampler *S, ccs_service_result *r, double w)
{
    ccs_service_result *o = S->out;
    if (!S->have_first) {
        ccs_series series = o->series;
        ccs_service_pool_result *pools = malloc((r->npools ? r->npools : 1) * sizeof *pools);
        S->pool_items = calloc(4 * (r->npools ? r->npools : 1), sizeof *S->pool_items);
        if (!pools || !S->pool_items) {
            free(pools);
            return -1;
        }
        S->pool_batches = S->pool_items + r->npools;
        S->pool_scale_ups = S->pool_batches + r->npools;
        S->pool_scale_downs = S->pool_scale_ups + r->npools;
        memcpy(pools, r->pools, r->npools * sizeof *pools);
        for (size_t p = 0; p < r->npools; p++) {
            ccs_pool_result *pr = &pools[p].r;
            long max = pr->replicas_max;
            memset(pr, 0, sizeof *pr);
            pr->replicas_max = max;
            pools[p].embodied_kg = 0;
        }
        *o = *r;
        o->pools = pools;
        o->series = series;
        o->requests = 0;
        o->busy_energy_j = o->idle_energy_j = o->host_energy_j = o->embodied_kg = 0;
        memset(&o->charge, 0, sizeof o->charge);
        o->escalations = 0;
        S->have_first = 1;
    }
    S->requests += w * (double)r->requests;
    o->busy_energy_j += w * r->busy_energy_j;
    o->idle_energy_j += w * r->idle_energy_j;
    o->host_energy_j += w * r->host_energy_j;
    o->embodied_kg += w * r->embodied_kg;
    o->escalations += (uint64_t)llround(w * (double)r->escalations);
    double hits = r->cache_hit_rate * (double)r->requests;
    S->hits += w * hits;
    S->looked += w * (double)r->requests;
    S->age_hit_sum_s += w * r->age_hit_mean_s * hits;
    for (size_t p = 0; p < r->npools && p < o->npools; p++) {
        const ccs_pool_result *a = &r->pools[p].r;
        ccs_pool_result *b = &o->pools[p].r;
        S->pool_items[p] += w * (double)a->items;
        S->pool_batches[p] += w * (double)a->batches;
        S->pool_scale_ups[p] += w * (double)a->scale_ups;
        S->pool_scale_downs[p] += w * (double)a->scale_downs;
        b->busy_energy_j += w * a->busy_energy_j;
        b->idle_energy_j += w * a->idle_energy_j;
        b->host_energy_j += w * a->host_energy_j;
        b->provisioned_hours += w * a->provisioned_hours;
        b->utilisation += w * a->utilisation * a->provisioned_hours; /* divided by the hours at the end */
        if (a->replicas_max > b->replicas_max) b->replicas_max = a->replicas_max;
        o->pools[p].embodied_kg += w * r->pools[p].embodied_kg;
    }
    return 0;
}

/* The stretch's counted series (by hour) added, weighted, to hour `hour` of the estimate. */
static void add_series_to_hour(ccs_series *into, const ccs_series *from, double w, size_t hour)
{
    for (size_t k = 0; k < from->n; k++) {
        into->requests[hour] += w * from->requests[k];
        into->latency_sum_ms[hour] += w * from->latency_sum_ms[k];
        into->slo_misses[hour] += w * from->slo_misses[k];
        into->cache_hits[hour] += w * from->cache_hits[k];
        into->replica_hours[hour] += w * from->replica_hours[k];
    }
}

/* The window's draws (in its copy of the ledger, `drawn`) booked at `scale` of their size into
 * each of the block's hours, over the whole hour, priced by it; what they came to, summed over the
 * hours, into *booked (for the variance of the totals). */
static int book_window(sampler *S, const ccs_ledger *drawn, const int64_t *hours, size_t nh, int64_t len, double scale,
                       ccs_charge *booked, ccs_err *err)
{
    double it_j, owned_j, money[CCS_MONEY_KINDS];
    ccs_ledger_raw(drawn, S->region, &it_j, &owned_j, money);
    double secs = (double)len / 1e6, hours_len = secs / CCS_S_PER_HOUR_F;
    for (size_t k = 0; k < nh; k++) {
        int64_t a = S->s->start_us + hours[k], b = a + len;
        ccs_charge ch = {0};
        int bad = 0;
        if (owned_j > 0) bad |= ccs_ledger_add(S->ledger, S->region, a, b, scale * owned_j / secs, 1, 0.0, &ch);
        if (it_j - owned_j > 0)
            bad |= ccs_ledger_add(S->ledger, S->region, a, b, scale * (it_j - owned_j) / secs, 0, 0.0, &ch);
        for (int m = 0; m < CCS_MONEY_KINDS; m++)
            if (money[m] != 0)
                bad |= ccs_ledger_add_rate(S->ledger, S->region, a, b, scale * money[m] / hours_len, m, &ch);
        if (bad) return ccs_err_set(err, CCS_ERUN, "a sampled window's draws fall outside the region's traces");
        ccs_charge_add(&S->out->charge, &ch);
        ccs_series_charge(&S->out->series, hours[k], &ch);
        ccs_charge_add(booked, &ch);
    }
    return 0;
}

typedef struct hour_key {
    uint64_t key;
    int64_t start;
    double load, pre; /* expected arrivals in the hour and in the warm-up before it (< 0: unknown) */
} hour_key;

/* by expected load, then the warm-up's, then time: neighbours in this order are alike */
static int cmp_load(const void *a, const void *b)
{
    const hour_key *x = a, *y = b;
    if (x->load != y->load) return x->load < y->load ? -1 : 1;
    if (x->pre != y->pre) return x->pre < y->pre ? -1 : 1;
    return (x->start > y->start) - (x->start < y->start);
}

static int cmp_key(const void *a, const void *b)
{
    const hour_key *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->start > y->start) - (x->start < y->start);
}

static double half_width(const double *v, long n)
{
    if (n < 2) return 0;
    double mean = 0, ss = 0;
    for (long i = 0; i < n; i++) mean += v[i];
    mean /= (double)n;
    for (long i = 0; i < n; i++) ss += (v[i] - mean) * (v[i] - mean);
    return gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sqrt(ss / (double)(n - 1)) / sqrt((double)n);
}

/* A window as planned: its stretch, and the block it stands for (its hours are
 * keys[first .. first + n)). */
typedef struct plan_item {
    stretch st;
    long bi, m;
    size_t first, n;
    int64_t len;
    double scale, w;
} plan_item;

typedef struct batch_job {
    const sampler *S;
    const plan_item *items;
    win_slot *slots;
    size_t n;
    _Atomic size_t next;
} batch_job;

static void *batch_worker(void *arg)
{
    batch_job *b = arg;
    for (size_t k; (k = atomic_fetch_add(&b->next, 1)) < b->n;) {
        win_slot *sl = &b->slots[k];
        sl->rc = run_stretch(b->S, &b->items[k].st, sl, &sl->err);
    }
    return NULL;
}

/* A simulated window's figures into the estimate: weighted, booked into its block's hours. */
static int merge_window(sampler *S, const plan_item *p, win_slot *sl, const hour_key *keys, long j, ccs_err *err)
{
    const ccs_service_result *r = &sl->r;
    double w = p->w, scale = p->scale, gw = w * (double)S->ngroups; /* in its group: G times as much */
    int64_t tw = p->st.count_from, W = S->window;
    merge_histograms(S, &p->st, sl, w, S->group_latency[j % S->ngroups], gw);
    int rc = add_result(S, &sl->r, w) != 0 ? ccs_err_set(err, CCS_ERUN, "out of memory") : 0;
    double x = S->expected_all >= 0 ? ccs_arrivals_expected(S->proto, tw, tw + W) : 0;
    S->expected_windows += w * x;
    int64_t *hours = malloc(p->n * sizeof *hours);
    if (!rc && !hours) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t k = 0; k < p->n && !rc; k++) {
        hours[k] = keys[p->first + k].start;
        size_t slot = ccs_series_slot(&S->out->series, hours[k]);
        add_series_to_hour(&S->out->series, &r->series, scale, slot);
        S->out->series.requests[slot] -= scale * x;
    }
    ccs_charge gb = {0};
    if (!rc) rc = book_window(S, sl->scratch, hours, p->n, p->len, scale, &gb, err);
    free(hours);
    if (!rc && S->nrecs == S->caprecs) {
        size_t cap = S->caprecs ? 2 * S->caprecs : 256;
        struct window_rec *v = realloc(S->recs, cap * sizeof *v);
        if (!v) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
        if (v) S->recs = v, S->caprecs = cap;
    }
    if (rc) return rc;
    double mm = (double)p->m; /* a window alone estimates its block's total as m x its share */
    S->recs[S->nrecs++] = (struct window_rec){p->bi,
                                              {w * mm * ((double)r->requests - x), mm * gb.energy_j, mm * gb.carbon_g,
                                               mm * gb.cost, w * mm * r->cache_hit_rate * (double)r->requests},
                                              w * mm * (double)r->requests};
    S->windows++;
    return 0;
}

/* The head: the whole hours up to the end of the scenario's warm-up, simulated whole from the
 * period's own start (the scenario's seed, nothing shifted), as a full run has them. They are
 * neither sampled nor samples of other hours: a full run starts them cold (empty queues and cache,
 * autoscalers at their start), not in the steady state a window's warm-up reaches, and books
 * their draws from the first instant while counting requests only after the warm-up. Every
 * random group estimates the whole period, so the head goes into each group's histogram. */
static int simulate_head(sampler *S, _Atomic int64_t *done_us, ccs_err *err)
{
    const ccs_scenario *s = S->s;
    win_slot hs = {.scratch = S->scratch};
    stretch st = {0, S->head_end, s->warmup_us, 0, S->head_end, s->seed, 1};
    int rc = run_stretch(S, &st, &hs, err);
    if (!rc) merge_histograms(S, &st, &hs, 1.0, NULL, 1.0);
    if (!rc && add_result(S, &hs.r, 1.0) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc) {
        /* its own hours as they are: the same start, so the same slots */
        const ccs_series *from = &hs.r.series;
        ccs_series *o = &S->out->series;
        for (size_t k = 0; k < from->n && k < o->n; k++) {
            o->requests[k] += from->requests[k];
            o->latency_sum_ms[k] += from->latency_sum_ms[k];
            o->slo_misses[k] += from->slo_misses[k];
            o->cache_hits[k] += from->cache_hits[k];
            o->replica_hours[k] += from->replica_hours[k];
            o->it_energy_kwh[k] += from->it_energy_kwh[k];
            o->energy_kwh[k] += from->energy_kwh[k];
            o->carbon_kg[k] += from->carbon_kg[k];
            o->cost[k] += from->cost[k];
        }
        ccs_ledger_merge(S->ledger, S->scratch);
        ccs_charge_add(&S->out->charge, &hs.r.charge);
        atomic_store(done_us, S->head_end);
    }
    release_slot(&hs);
    return rc;
}

static int run_sampler(sampler *S, _Atomic int64_t *done_us, _Atomic int *stop, ccs_err *err)
{
    const ccs_scenario *s = S->s;
    const int64_t D = s->duration_us, HOUR = CCS_US_PER_HOUR, W = S->window, U = S->warmup;
    int rc = 0;
    /* the hours after the head, keyed by their arrival process */
    size_t nh = (size_t)((D - S->head_end + HOUR - 1) / HOUR);
    hour_key *keys = calloc(nh ? nh : 1, sizeof *keys);
    int64_t *block = calloc(nh ? nh : 1, sizeof *block);
    if (!keys || !block) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t k = 0; k < nh && !rc; k++) {
        int64_t h = S->head_end + (int64_t)k * HOUR, len = D - h < HOUR ? D - h : HOUR;
        int64_t from = h - U > 0 ? h - U : 0;
        uint64_t key;
        if (ccs_arrivals_profile(S->proto, from, h + len, &key) != 0) key = mix64((uint64_t)h ^ 0x5bd1e995ULL);
        key = mix64(key ^ mix64((uint64_t)len) ^ mix64((uint64_t)(h - from) + 7));
        keys[k] =
            (hour_key){key, h, ccs_arrivals_expected(S->proto, h, h + len), ccs_arrivals_expected(S->proto, from, h)};
    }
    if (!rc) qsort(keys, nh, sizeof *keys, cmp_key);
    size_t distinct = 0;
    for (size_t k = 0; k < nh && !rc; k++) distinct += k == 0 || keys[k].key != keys[k - 1].key;
    /* More distinct hours than the budget of blocks (a traffic trace whose cycle is not whole
     * hours never repeats an hour exactly): blocks of alike hours instead, by expected load (by
     * time where the process has no rate): the estimate stays unbiased for every additive
     * figure (any partition of the hours is a valid stratification), only its variance grows
     * with the hours' differences; see docs/sampling.md for what it means for carbon. */
    /* as many blocks as the windows a short period gets anyway (finer blocks: alike hours), and no
     * fewer than one per hours_per_block hours over a long one */
    size_t max_blocks = (size_t)((nh + (size_t)s->sampling.hours_per_block - 1) / (size_t)s->sampling.hours_per_block);
    size_t by_windows = (size_t)s->sampling.min_windows < nh ? (size_t)s->sampling.min_windows : nh;
    if (max_blocks < by_windows) max_blocks = by_windows;
    if (max_blocks < 1) max_blocks = 1;
    if (!rc && distinct > max_blocks) {
        qsort(keys, nh, sizeof *keys, cmp_load);
        for (size_t k = 0; k < nh; k++) {
            int64_t len = D - keys[k].start < HOUR ? D - keys[k].start : HOUR; /* a short last hour alone */
            keys[k].key = len < HOUR ? UINT64_MAX : (uint64_t)(k * max_blocks / nh);
        }
        qsort(keys, nh, sizeof *keys, cmp_key);
    }
    /* the blocks in order of their first hour, for an order of windows that does not depend on
     * the hash: each block's first hour is the smallest of its run of equal keys */
    size_t nblocks = 0, *bstart = calloc(nh + 1, sizeof *bstart);
    if (!rc && !bstart) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t k = 0; k < nh && !rc; k++)
        if (k == 0 || keys[k].key != keys[k - 1].key) bstart[nblocks++] = k;
    if (bstart) bstart[nblocks] = nh;
    size_t *order = calloc(nblocks ? nblocks : 1, sizeof *order);
    if (!rc && !order) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t b = 0; b < nblocks && !rc; b++) order[b] = b;
    for (size_t b = 1; b < nblocks && !rc; b++) { /* insertion sort by first hour (few blocks move) */
        size_t x = order[b], j = b;
        while (j > 0 && keys[bstart[order[j - 1]]].start > keys[bstart[x]].start) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    char name[300];
    snprintf(name, sizeof name, "sampling/%s", S->c->name);
    gsl_rng *pick = rc ? NULL : ccs_streams_get(S->proto_streams, name);
    if (!rc && !pick) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    double done_est = (double)S->head_end;
    long j = 0;
    plan_item *plan = NULL;
    size_t nplan = 0, capplan = 0;
    for (size_t bi = 0; bi < nblocks && !rc; bi++) {
        size_t b = order[bi], n = bstart[b + 1] - bstart[b];
        int64_t len = D - keys[bstart[b]].start < HOUR ? D - keys[bstart[b]].start : HOUR;
        long K = (long)(len / W);
        for (size_t k = 0; k < n; k++) {
            block[k] = keys[bstart[b] + k].start;
            if (S->expected_all >= 0)
                S->out->series.requests[ccs_series_slot(&S->out->series, block[k])] +=
                    ccs_arrivals_expected(S->proto, block[k], block[k] + len);
        }
        long m = (long)ceil((double)s->sampling.min_windows * (double)n / (double)nh);
        if (m < 1) m = 1;
        if (m > (long)n * K) m = (long)n * K;
        double scale = (double)K / (double)m; /* each window's draws, per hour of the block */
        double w = (double)n * scale;         /* a window's weight in the block's total */
        /* The slots systematically (a random start, then every K/m: each slot is taken with
         * probability m/K and the windows spread over the hour), in passes of at most K; each
         * at a random hour of the block: every (hour, slot) with probability m/(nK). */
        long *chosen = calloc((size_t)m, sizeof *chosen);
        if (!chosen) {
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            break;
        }
        for (long done = 0; done < m;) {
            long mp = m - done < K ? m - done : K;
            double u = gsl_rng_uniform(pick);
            for (long q = 0; q < mp; q++) {
                long slot = (long)floor((u + (double)q) * (double)K / (double)mp);
                if (slot >= K) slot = K - 1;
                long hour = (long)gsl_rng_uniform_int(pick, (unsigned long)n);
                chosen[done + q] = hour * K + slot;
            }
            done += mp;
        }
        for (long q = 0; q < m && !rc; q++) {
            /* with a TTL cache, a warm-up longer by a random part of the TTL: its popular keys are
             * renewed about once a TTL, in step from a cold start, and a fixed warm-up would
             * always meet them at the same point of that cycle */
            int64_t extra =
                S->c->cache.kind == CCS_CACHE_TTL ? (int64_t)(gsl_rng_uniform(pick) * (double)S->c->cache.ttl_us) : 0;
            int64_t h = block[chosen[q] / K], tw = h + (chosen[q] % K) * W;
            int64_t ws = tw - U - extra > 0 ? tw - U - extra : 0;
            if (nplan == capplan) {
                size_t cap = capplan ? 2 * capplan : 256;
                plan_item *v = realloc(plan, cap * sizeof *v);
                if (!v) {
                    rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                    break;
                }
                plan = v;
                capplan = cap;
            }
            plan[nplan++] = (plan_item){.st = {ws, tw + W, tw, tw, tw + W, mix64(s->seed ^ mix64((uint64_t)tw + 1)), 0},
                                        .bi = (long)bi,
                                        .first = bstart[b],
                                        .n = n,
                                        .len = len,
                                        .m = m,
                                        .scale = scale,
                                        .w = w};
        }
        free(chosen);
    }
    /* Where the windows and their warm-ups would simulate half the period or more, sampling
     * does not pay: the caller simulates the service whole instead (and says so). */
    double planned = (double)S->head_end;
    for (size_t k = 0; k < nplan; k++) planned += (double)(plan[k].st.to - plan[k].st.from);
    if (!rc && planned >= 0.5 * (double)D) rc = CCS_SAMPLED_NOT_WORTH;
    if (!rc && S->head_end > 0) rc = simulate_head(S, done_us, err);
    /* the windows, a batch at a time on the threads, merged in plan order: the same sums on
     * any number of threads */
    long nthreads = S->threads > 0 ? S->threads : 1;
    size_t batch = (size_t)(4 * nthreads);
    win_slot *slots = calloc(batch, sizeof *slots);
    if (!rc && !slots) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t k = 0; k < batch && !rc; k++) rc = ccs_ledger_clone(S->scratch, &slots[k].scratch, err);
    for (size_t at = 0; at < nplan && !rc; at += batch) {
        if (atomic_load(stop)) {
            rc = -1;
            break;
        }
        size_t nb = nplan - at < batch ? nplan - at : batch;
        batch_job bj = {.S = S, .items = plan + at, .slots = slots, .n = nb};
        atomic_init(&bj.next, 0);
        pthread_t th[64];
        long spawn = nthreads - 1 < 64 ? nthreads - 1 : 64, started = 0;
        if ((size_t)spawn > nb - 1) spawn = (long)nb - 1;
        for (; started < spawn; started++)
            if (pthread_create(&th[started], NULL, batch_worker, &bj) != 0) break;
        batch_worker(&bj);
        for (long t = 0; t < started; t++) pthread_join(th[t], NULL);
        for (size_t k = 0; k < nb && !rc; k++) {
            if (slots[k].rc) {
                *err = slots[k].err;
                rc = slots[k].rc;
                break;
            }
            rc = merge_window(S, &plan[at + k], &slots[k], keys, j++, err);
            done_est += (double)plan[at + k].n * (double)plan[at + k].len / (double)plan[at + k].m;
            atomic_store(done_us, (int64_t)done_est);
        }
        for (size_t k = 0; k < nb; k++) release_slot(&slots[k]);
    }
    for (size_t k = 0; slots && k < batch; k++) ccs_ledger_destroy(slots[k].scratch);
    free(slots);
    free(plan);
    free(order);
    free(bstart);
    free(keys);
    free(block);
    return rc;
}

/* The variance of the estimate of a total, figure k (of window_rec.t; k < 0: looked), from the
 * windows' own estimates of their blocks' totals: within a block of m >= 2 windows, their sample
 * variance over m (systematic sampling makes this an overestimate); blocks of one window are
 * paired with the next such block in time, the squared difference of the pair standing for the
 * variance of its sum (Cochran's collapsed strata: also an overestimate, by the pair's real
 * difference). z: the linearised ratio (hits - rate x looked) where wanted. */
static double total_variance(const sampler *S, int k, double rate)
{
    double var = 0, pair_sum = 0;
    long pairs = 0;
    int have_single = 0;
    double single = 0;
    for (size_t a = 0; a < S->nrecs;) {
        size_t b = a;
        while (b < S->nrecs && S->recs[b].block == S->recs[a].block) b++;
        double mean = 0, ss = 0;
        for (size_t j = a; j < b; j++) {
            double v = S->recs[j].t[k] - (k == 4 ? rate * S->recs[j].looked : 0);
            mean += v;
        }
        long m = (long)(b - a);
        mean /= (double)m;
        if (m >= 2) {
            for (size_t j = a; j < b; j++) {
                double v = S->recs[j].t[k] - (k == 4 ? rate * S->recs[j].looked : 0) - mean;
                ss += v * v;
            }
            var += ss / (double)(m - 1) / (double)m;
        } else if (have_single) {
            double d = mean - single;
            var += d * d;
            pair_sum += d * d;
            pairs++;
            have_single = 0;
        } else {
            single = mean;
            have_single = 1;
        }
        a = b;
    }
    if (have_single && pairs > 0) var += pair_sum / (double)pairs / 2; /* the odd one: half a pair's */
    return var;
}

/* The estimate's ratios, percentiles and intervals, once every stretch is in; -1: out of memory. */
static int finish_estimate(sampler *S)
{
    ccs_service_result *o = S->out;
    const ccs_service_cfg *c = S->c;
    double req = S->requests;
    if (S->expected_all >= 0) req += S->expected_all - S->expected_windows;
    o->requests = req > 0 ? (uint64_t)llround(req) : 0;
    o->throughput_per_s = o->measured_s > 0 ? (double)o->requests / o->measured_s : 0;
    o->mean_ms = ccs_whist_mean(S->latency) / 1e3;
    o->p50_ms = ccs_whist_quantile(S->latency, 0.50) / 1e3;
    o->p95_ms = ccs_whist_quantile(S->latency, 0.95) / 1e3;
    o->p99_ms = ccs_whist_quantile(S->latency, 0.99) / 1e3;
    int64_t slo_us = c->slo_p95_ms > 0 ? llround(c->slo_p95_ms * 1e3) : INT64_MAX;
    if (c->slo_p95_ms > 0) {
        o->slo_violation_frac = ccs_whist_frac_above(S->latency, slo_us);
        o->slo_met = o->p95_ms <= c->slo_p95_ms;
    }
    if (o->cache_kind) {
        o->cache_hit_rate = S->looked > 0 ? S->hits / S->looked : 0;
        if (o->cache_kind == CCS_CACHE_TTL) {
            o->age_mean_s = ccs_whist_mean(S->age) / 1e6;
            o->age_p95_s = ccs_whist_quantile(S->age, 0.95) / 1e6;
        }
        o->age_hit_mean_s = S->hits > 0 ? S->age_hit_sum_s / S->hits : 0;
    }
    double it_all = 0;
    for (size_t p = 0; p < o->npools; p++)
        it_all += o->pools[p].r.busy_energy_j + o->pools[p].r.idle_energy_j + o->pools[p].r.host_energy_j;
    for (size_t p = 0; p < o->npools; p++) {
        ccs_pool_result *b = &o->pools[p].r;
        b->items = (uint64_t)llround(S->pool_items[p]);
        b->batches = (uint64_t)llround(S->pool_batches[p]);
        b->mean_batch = S->pool_batches[p] > 0 ? S->pool_items[p] / S->pool_batches[p] : 0;
        b->scale_ups = lround(S->pool_scale_ups[p]);
        b->scale_downs = lround(S->pool_scale_downs[p]);
        b->utilisation = b->provisioned_hours > 0 ? b->utilisation / b->provisioned_hours : 0;
        b->replicas_mean = b->provisioned_hours * CCS_US_PER_HOUR_F / (double)S->s->duration_us;
        /* the pool's share of the service's priced draws: its share of the IT energy */
        double f = it_all > 0 ? (b->busy_energy_j + b->idle_energy_j + b->host_energy_j) / it_all : 0;
        ccs_charge ch = o->charge;
        ch.it_energy_j *= f, ch.energy_j *= f, ch.carbon_g *= f, ch.carbon_marginal_g *= f, ch.cost *= f;
        for (int k = 0; k < CCS_MONEY_KINDS; k++) ch.money[k] *= f;
        ch.cooling_j *= f, ch.water_onsite_l *= f, ch.water_offsite_l *= f, ch.heat_reused_j *= f;
        b->charge = ch;
    }
    /* the totals from the design's own variance, not from the groups: each group's windows come
     * from different hours, whose real differences would count as error */
    const double z = 1.959963984540054;
    o->requests_ci = z * sqrt(total_variance(S, 0, 0));
    o->energy_kwh_ci = z * sqrt(total_variance(S, 1, 0)) / CCS_J_PER_KWH;
    o->carbon_kg_ci = z * sqrt(total_variance(S, 2, 0)) / 1000.0;
    o->cost_ci = z * sqrt(total_variance(S, 3, 0));
    if (S->looked > 0) o->hit_rate_ci = z * sqrt(total_variance(S, 4, o->cache_hit_rate)) / S->looked;
    /* the latency figures from the spread of the groups' (a percentile is no sum of the windows') */
    long G = S->ngroups;
    double *v = calloc((size_t)G, sizeof *v);
    if (!v) return -1;
    struct {
        double *ci;
        int what;
    } rows[] = {
        {&o->mean_ms_ci, 0}, {&o->p50_ms_ci, 1}, {&o->p95_ms_ci, 2}, {&o->p99_ms_ci, 3}, {&o->slo_violation_frac_ci, 4}};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        for (long g = 0; g < G; g++) {
            const ccs_whist *lat = S->group_latency[g];
            switch (rows[k].what) {
            case 0: v[g] = ccs_whist_mean(lat) / 1e3; break;
            case 1: v[g] = ccs_whist_quantile(lat, 0.50) / 1e3; break;
            case 2: v[g] = ccs_whist_quantile(lat, 0.95) / 1e3; break;
            case 3: v[g] = ccs_whist_quantile(lat, 0.99) / 1e3; break;
            default: v[g] = c->slo_p95_ms > 0 ? ccs_whist_frac_above(lat, slo_us) : 0; break;
            }
        }
        *rows[k].ci = half_width(v, G);
    }
    free(v);
    o->sampled = 1;
    o->windows = S->windows;
    o->simulated_frac = (double)S->simulated_us / (double)S->s->duration_us;
    return 0;
}

int ccs_sampled_service(const ccs_scenario *s, size_t i, long threads, ccs_ledger *ledger, ccs_service_result *out,
                        uint64_t *events, _Atomic int64_t *done_us, _Atomic int *stop, ccs_err *err)
{
    sampler S = {.s = s, .c = &s->services[i], .ledger = ledger, .out = out, .threads = threads};
    memset(out, 0, sizeof *out);
    S.region = S.c->region ? ccs_scenario_region_index(s, S.c->region) : 0;
    S.window = s->sampling.window_us;
    S.warmup = ccs_sampling_warmup(&s->sampling, S.c);
    S.ngroups = s->sampling.groups;
    const int64_t HOUR = CCS_US_PER_HOUR;
    S.head_end = s->warmup_us > 0 ? (s->warmup_us + HOUR - 1) / HOUR * HOUR : 0;
    if (S.head_end > s->duration_us) S.head_end = s->duration_us;
    int rc = ccs_ledger_clone(ledger, &S.scratch, err);
    S.proto_streams = ccs_streams_create(s->seed);
    S.latency = ccs_whist_create();
    S.age = ccs_whist_create();
    S.group_latency = calloc((size_t)S.ngroups, sizeof *S.group_latency);
    if (!rc && (!S.proto_streams || !S.latency || !S.age || !S.group_latency))
        rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (long g = 0; g < S.ngroups && !rc; g++)
        if (!(S.group_latency[g] = ccs_whist_create())) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    char name[300];
    snprintf(name, sizeof name, "arrivals-prototype/%s", S.c->name);
    gsl_rng *pr = rc ? NULL : ccs_streams_get(S.proto_streams, name);
    if (!rc && !pr) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc && (rc = ccs_arrivals_create(&S.c->arrivals, pr, s->duration_us, &S.proto, err)))
        ccs_err_prefix(err, "services[%s].arrivals: ", S.c->name);
    if (!rc) S.expected_all = ccs_arrivals_expected(S.proto, S.head_end, s->duration_us);
    if (!rc && ccs_series_init(&out->series, s->start_us, s->duration_us) != 0)
        rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc) rc = run_sampler(&S, done_us, stop, err);
    if (!rc && !S.have_first) rc = ccs_err_set(err, CCS_ERUN, "services[%s]: no window simulated", S.c->name);
    if (!rc) {
        out->measured_s = (double)(s->duration_us - s->warmup_us) / 1e6;
        if (finish_estimate(&S) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    *events = S.events;
    if (rc) {
        ccs_series_free(&out->series);
        free(out->pools);
        memset(out, 0, sizeof *out);
    }
    for (long g = 0; S.group_latency && g < S.ngroups; g++) ccs_whist_destroy(S.group_latency[g]);
    free(S.group_latency);
    free(S.pool_items);
    free(S.recs);
    ccs_whist_destroy(S.latency);
    ccs_whist_destroy(S.age);
    ccs_arrivals_destroy(S.proto);
    ccs_streams_destroy(S.proto_streams);
    ccs_ledger_destroy(S.scratch);
    return rc;
}
