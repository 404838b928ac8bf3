/* A replica pool behind a dynamic batcher; see pool.h. The waiting line is a ring buffer that
 * grows only to the longest queue seen; each replica slot holds its batch's arrival stamps.
 * Nothing is allocated per request. Timers cannot be cancelled in the event set, so a timer
 * that is no longer needed fires and finds nothing to do (try_dispatch is idempotent). */
#include "pool.h"
#include "ccs_csv.h"
#include "ccs_units.h"
#include "latency.h"
#include "powerbook.h"

#include "ccs_rng.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct qitem {
    int64_t t_arr, t_enq;
} qitem;

struct ccs_pool {
    ccs_pool_params par;
    const ccs_pool_cfg *cfg;
    int autoscaled;
    long max_batch;
    int64_t window_us;
    int64_t *table_us; /* L(b - 1); NULL: draw */
    double mean_us;
    int deterministic;
    int kind_done, kind_timer, kind_tick, kind_ready, kind_handover, kind_fill;
    int early; /* done is called at once, with the completion's time (push_fcfs) */
    /* FCFS without batching on fixed replicas: the time each replica is next free, a min-heap;
     * with a constant service time, a ring in order from free_head (see push_fcfs) */
    int fcfs, fcfs_ring;
    int64_t *free_at;
    size_t free_head;
    /* the waiting line, in order of t_enq; after a push ahead it may end in requests that have not
     * reached the pool yet (t_enq later than the clock), which nothing counts before their time */
    qitem *q;
    size_t qcap, qhead, qlen;
    int64_t last_push; /* the latest push's time: pushes come in order */
    int ahead;         /* a push ahead has been seen */
    size_t reached;    /* after one: the first this many have reached the pool (at most max_batch) */
    int64_t timer_at;  /* the pending batch timer, -1: none */
    int soft_timer;    /* its engine id: a soft event (ccs_engine.h), -1: a plain one */
    int64_t tick_at;   /* the autoscaler's next tick, INT64_MAX: none */
    /* replica slots: free (serving, idle), busy, or off */
    long nslots;
    int64_t *batch_arr; /* nslots x max_batch */
    uint32_t *batch_n;
    int32_t *free_stack, *off_stack;
    long nfree, noff;
    long serving, busy, retire_pending, starting_serve, starting_warm, warm;
    /* power and money: a replica serves up to conc batches at once (its slots) */
    long conc;
    ccs_power_book *book;
    int64_t serving_since;
    double serving_us;
    int out_of_memory;
    /* autoscaler */
    int64_t busy_us_window;
    int64_t below_since;
    long scale_ups, scale_downs;
    /* statistics */
    uint64_t items, batches;
    double busy_us;
};

static void provision(ccs_pool *p, int64_t now, long delta) { ccs_power_book_provision(p->book, now, delta); }

static void set_serving(ccs_pool *p, int64_t now, long delta)
{
    int64_t t = now < p->par.horizon_us ? now : p->par.horizon_us;
    if (t > p->serving_since) {
        int64_t from = p->serving_since > p->par.measure_from_us ? p->serving_since : p->par.measure_from_us;
        if (t > from) p->serving_us += (double)p->serving * (double)(t - from);
        p->serving_since = t;
    }
    p->serving += delta;
}

/* A batch of n starting at `start`: draws its service time, counts it and charges its busy
 * power. Both the batcher and the FCFS shortcut go through here, so their draws and books agree. */
static int64_t begin_batch(ccs_pool *p, int64_t start, size_t n)
{
    int64_t d = p->table_us        ? p->table_us[n - 1]
                : p->deterministic ? ccs_round_nonneg(p->mean_us)
                                   : ccs_round_nonneg(ccs_rng_exponential(p->par.rng, p->mean_us));
    if (start >= p->par.measure_from_us) {
        p->items += n;
        p->batches++;
        p->busy_us += (double)d;
    }
    int memory = p->cfg->phase == CCS_PHASE_MEMORY ||
                 (p->cfg->phase == CCS_PHASE_AUTO && p->par.memory_bound && p->par.memory_bound[n - 1]);
    ccs_power_book_batch(p->book, start, d, n, memory);
    return d;
}

/* Replica `slot` starts its batch of n (already in its slot) at now. */
static void start_service(ccs_pool *p, int64_t now, int32_t slot, size_t n)
{
    int64_t d = begin_batch(p, now, n);
    p->busy++;
    p->busy_us_window += d;
    ccs_engine_schedule(p->par.eng, now + d, p->kind_done, (uint64_t)slot);
}

/* How many of the first max_batch waiting requests have reached the pool by now. The clock only
 * goes forward and the line is in order of t_enq, so the count only grows until a batch takes
 * some: each request is looked at once as it arrives, plus one look per call. */
static size_t waiting(ccs_pool *p, int64_t now)
{
    size_t n = p->qlen < (size_t)p->max_batch ? p->qlen : (size_t)p->max_batch, mask = p->qcap - 1;
    if (!p->ahead) return n;
    while (p->reached < n && p->q[(p->qhead + p->reached) & mask].t_enq <= now) p->reached++;
    return p->reached;
}

/* When the request max_batch-th in line reaches the pool, if that is no later than the head's
 * window closes; else INT64_MAX. The head's batch starts then, full, if a replica is free (or at
 * a replica's return: past that time nothing but a done event can start it), so the one event at
 * that time is all the batch needs (a fill event; its window's timer is then not armed). Later,
 * the window's end starts it, and a fill event would find nothing to do. */
static int64_t fills_at(const ccs_pool *p)
{
    if (p->qlen < (size_t)p->max_batch) return INT64_MAX;
    size_t mask = p->qcap - 1;
    int64_t t = p->q[(p->qhead + (size_t)p->max_batch - 1) & mask].t_enq;
    return t <= p->q[p->qhead].t_enq + p->window_us ? t : INT64_MAX;
}

/* The first n waiting requests go to a free replica. */
static void start_batch(ccs_pool *p, int64_t now, size_t n)
{
    int32_t slot = p->free_stack[--p->nfree];
    int64_t *dst = p->batch_arr + (size_t)slot * (size_t)p->max_batch;
    size_t mask = p->qcap - 1;
    for (size_t i = 0; i < n; i++) dst[i] = p->q[(p->qhead + i) & mask].t_arr;
    p->qhead = (p->qhead + n) & mask;
    p->qlen -= n;
    p->reached = p->reached > n ? p->reached - n : 0; /* a batch started ahead takes some not yet reached */
    p->batch_n[slot] = (uint32_t)n;
    start_service(p, now, slot, n);
    /* the request now max_batch-th in line is the one whose arrival may fill the next batch: if it
     * has not reached the pool yet, an event then (ccs_pool_push) */
    int64_t fill = fills_at(p);
    if (fill != INT64_MAX && fill > now) ccs_engine_schedule(p->par.eng, fill, p->kind_fill, 0);
}

static void arm_timer(ccs_pool *p, int64_t due)
{
    if (p->timer_at >= 0 && p->timer_at <= due) return; /* one fires no later; it re-arms */
    p->timer_at = due;
    if (p->soft_timer >= 0)
        ccs_engine_soft_set(p->par.eng, p->soft_timer, due, 0); /* replaces a later one still held */
    else
        ccs_engine_schedule(p->par.eng, due, p->kind_timer, 0);
}

/* The head's batch is settled when a request in line arrives after the head's window closes (at
 * due) and the batch will not fill (max_batch of them by due): then the requests ahead of that one
 * are the batch, and nothing that happens before due can change it. It starts at due on a replica free now:
 * one is free then (until due only this pool's batches take replicas, and the head's is the
 * first; replicas come back or join meanwhile), unless an autoscaler tick comes first (it reads
 * the busy replicas and may retire free ones). Called with a replica free. Started now, for due,
 * it needs no window timer: the timer was its one event besides its end. The same batch, start,
 * replica count and booking as by the timer; its end is numbered earlier, so at that microsecond
 * it comes before events scheduled from now to due (rare ties). Returns whether it started. */
static bool start_if_settled(ccs_pool *p, int64_t due)
{
    if (!p->ahead || due >= p->tick_at) return false;
    size_t mask = p->qcap - 1, n = 0;
    while (n < p->qlen && n < (size_t)p->max_batch && p->q[(p->qhead + n) & mask].t_enq <= due) n++;
    if (n == p->qlen || n == (size_t)p->max_batch) return false; /* a request may still join it; it fills */
    if (p->timer_at == due) { /* its timer: called off while held, else it fires and finds nothing */
        if (p->soft_timer >= 0) ccs_engine_soft_cancel(p->par.eng, p->soft_timer);
        p->timer_at = -1;
    }
    start_batch(p, due, n);
    return true;
}

/* A request that has not reached the pool yet (n 0) has its window still ahead: due > now. */
static void try_dispatch(ccs_pool *p, int64_t now)
{
    while (p->nfree > 0 && p->qlen > 0) {
        size_t n = waiting(p, now);
        if (n < (size_t)p->max_batch) {
            int64_t due = p->q[p->qhead].t_enq + p->window_us;
            if (now < due) {
                if (start_if_settled(p, due)) continue;
                if (fills_at(p) == INT64_MAX) arm_timer(p, due); /* else its fill event comes first */
                return;
            }
        }
        start_batch(p, now, n);
    }
}

/* FCFS without batching on a fixed number of replicas: requests start in arrival order, each on
 * the replica that is free first, so a request's start and end are known the moment it arrives
 * (Kiefer and Wolfowitz's workload recursion; for one replica, Lindley's). No queue and no
 * departure event: a pool whose done callback may hear of a completion early (the last stage
 * of a service) calls it at once; any other hands the request on with one event at its end.
 * The draws, starts and ends, and the order of charges, are those of the batcher path. */
static void push_fcfs(ccs_pool *p, int64_t t_arr, int64_t now)
{
    int64_t *h = p->free_at, end;
    size_t n = (size_t)p->nslots;
    if (p->fcfs_ring) {
        /* Every request takes the same time and starts no earlier than the one before, so each
         * end is the latest yet: the replicas' free times stay sorted as a ring, the earliest at
         * free_head, and the replica taken there is the ring's newest. The heap gave the same
         * starts in log2(replicas) steps (a CPU pool has hundreds of slots). */
        int64_t start = h[p->free_head] > now ? h[p->free_head] : now;
        end = start + begin_batch(p, start, 1);
        h[p->free_head] = end;
        p->free_head = p->free_head + 1 == n ? 0 : p->free_head + 1;
    } else {
        int64_t start = h[0] > now ? h[0] : now;
        end = start + begin_batch(p, start, 1);
        /* the root's replica is busy until end: sift it down */
        size_t i = 0;
        for (;;) {
            size_t c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && h[c + 1] < h[c]) c++;
            if (h[c] >= end) break;
            h[i] = h[c];
            i = c;
        }
        h[i] = end;
    }
    if (p->early)
        p->par.done(p->par.done_ctx, &t_arr, 1, end);
    else
        ccs_engine_schedule(p->par.eng, end, p->kind_handover, (uint64_t)t_arr);
}

static void on_handover(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)eng;
    ccs_pool *p = ctx;
    int64_t t_arr = (int64_t)arg;
    p->par.done(p->par.done_ctx, &t_arr, 1, now);
}

void ccs_pool_push(ccs_pool *p, int64_t t_arr, int64_t now)
{
    assert(now >= p->last_push); /* in order of now, ahead or not (pool.h) */
    p->last_push = now;
    if (p->fcfs) {
        push_fcfs(p, t_arr, now);
        return;
    }
    int64_t clock = ccs_engine_now(p->par.eng);
    if (p->qlen == 0 && p->nfree > 0 && p->max_batch == 1 && now == clock) { /* unbatched, a free replica: in */
        int32_t slot = p->free_stack[--p->nfree];
        p->batch_arr[slot] = t_arr;
        p->batch_n[slot] = 1;
        start_service(p, now, slot, 1);
        return;
    }
    if (p->qlen == p->qcap) {
        size_t cap = p->qcap ? 2 * p->qcap : 1024; /* a power of two: the ring is masked */
        qitem *q = malloc(cap * sizeof *q);
        if (!q) {
            p->out_of_memory = 1; /* reported by finish; this request is lost */
            return;
        }
        for (size_t i = 0; i < p->qlen; i++) q[i] = p->q[(p->qhead + i) & (p->qcap - 1)];
        free(p->q);
        p->q = q;
        p->qcap = cap;
        p->qhead = 0;
    }
    p->q[(p->qhead + p->qlen++) & (p->qcap - 1)] = (qitem){t_arr, now};
    if (now > clock) {
        /* A push ahead. Until now, the request only matters to the batcher as the head's window
         * (try_dispatch arms its timer) or as the request that fills a batch, which starts on its
         * arrival: that needs an event then. Only the request max_batch-th in line is that one
         * (the first max_batch have all reached when it has), and only if it comes within the
         * head's window (fills_at); one further back becomes it when a batch takes those ahead,
         * and start_batch gives it its event then. */
        if (!p->ahead) { /* from now on its window's timer may be called off: a soft event (-1: plain) */
            p->ahead = 1;
            p->soft_timer = ccs_engine_soft_add(p->par.eng, p->kind_timer);
        }
        if (p->qlen == (size_t)p->max_batch && fills_at(p) != INT64_MAX)
            ccs_engine_schedule(p->par.eng, now, p->kind_fill, 0); /* dispatches then (a timer's due is no earlier) */
        else if (p->qlen == 1 || (p->timer_at >= 0 && now > p->timer_at))
            try_dispatch(p, clock); /* the head: its window's timer; or this request settles its batch */
        /* else behind others, it changes nothing now: the head and the requests there are the same */
        return;
    }
    try_dispatch(p, now);
}

/* A request pushed ahead reached the pool, perhaps the one that fills a batch. */
static void on_fill(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)eng;
    (void)arg;
    try_dispatch(ctx, now);
}

static void on_done(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)eng;
    ccs_pool *p = ctx;
    int32_t slot = (int32_t)arg;
    p->par.done(p->par.done_ctx, p->batch_arr + (size_t)slot * (size_t)p->max_batch, p->batch_n[slot], now);
    p->busy--;
    if (p->retire_pending > 0) {
        p->retire_pending--;
        set_serving(p, now, -1);
        provision(p, now, -1);
        p->off_stack[p->noff++] = slot;
    } else {
        p->free_stack[p->nfree++] = slot;
    }
    try_dispatch(p, now);
}

static void on_timer(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)eng;
    (void)arg;
    ccs_pool *p = ctx;
    if (now == p->timer_at) p->timer_at = -1;
    try_dispatch(p, now);
}

static void join(ccs_pool *p, int64_t now)
{
    p->free_stack[p->nfree++] = p->off_stack[--p->noff];
    set_serving(p, now, +1);
}

/* A cold start finished: arg 0 joins the serving replicas, arg 1 refills the warm pool. */
static void on_ready(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)eng;
    ccs_pool *p = ctx;
    if (arg == 1) {
        p->starting_warm--;
        p->warm++;
        return;
    }
    p->starting_serve--;
    join(p, now);
    try_dispatch(p, now);
}

/* The autoscaler: from the busy time of the last interval, the replicas needed to run at the
 * target utilisation (as Kubernetes' HPA: ceil(current x utilisation / target)). Up at once,
 * from the warm pool first (ready at once, refilled by cold starts) and then by cold starts;
 * down only after the need has stayed lower for scale_down_delay, idle replicas first, busy
 * ones when their batch ends. */
static void on_tick(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)eng;
    (void)arg;
    ccs_pool *p = ctx;
    const ccs_autoscale_cfg *a = &p->cfg->autoscale;
    double need = (double)p->busy_us_window / ((double)a->interval_us * a->target);
    p->busy_us_window = 0;
    long desired = (long)ceil(need - 1e-9);
    if (desired < a->min) desired = a->min;
    if (desired > a->max) desired = a->max;
    long current = p->serving - p->retire_pending + p->starting_serve;
    if (desired > current) {
        p->below_since = -1;
        long n = desired - current, w = n < p->warm ? n : p->warm;
        p->warm -= w;
        for (long i = 0; i < w; i++) join(p, now);
        for (long i = 0; i < w; i++) ccs_engine_schedule(p->par.eng, now + a->up_delay_us, p->kind_ready, 1);
        for (long i = w; i < n; i++) ccs_engine_schedule(p->par.eng, now + a->up_delay_us, p->kind_ready, 0);
        p->starting_warm += w;
        p->starting_serve += n - w;
        provision(p, now, n); /* w warm refills + (n - w) cold starts */
        p->scale_ups += now >= p->par.measure_from_us;
        try_dispatch(p, now);
    } else if (desired < current) {
        if (p->below_since < 0) p->below_since = now;
        if (now - p->below_since >= a->down_delay_us) {
            long k = current - desired, active = p->serving - p->retire_pending;
            if (k > active) k = active;
            for (long i = 0; i < k; i++) {
                if (p->nfree > 0) {
                    p->off_stack[p->noff++] = p->free_stack[--p->nfree];
                    set_serving(p, now, -1);
                    provision(p, now, -1);
                } else {
                    p->retire_pending++;
                }
            }
            p->below_since = -1;
            p->scale_downs += now >= p->par.measure_from_us;
        }
    } else {
        p->below_since = -1;
    }
    p->tick_at = now + a->interval_us < p->par.horizon_us ? now + a->interval_us : INT64_MAX;
    if (p->tick_at != INT64_MAX) ccs_engine_schedule(p->par.eng, p->tick_at, p->kind_tick, 0);
}

int ccs_pool_create(const ccs_pool_params *par, ccs_pool **out, ccs_err *err)
{
    *out = NULL;
    ccs_pool *p = calloc(1, sizeof *p);
    if (!p) return ccs_err_set(err, CCS_ERUN, "out of memory");
    const ccs_pool_cfg *c = par->cfg;
    p->par = *par;
    p->cfg = c;
    p->autoscaled = c->autoscale.max > 0;
    p->max_batch = c->batching.max_batch;
    p->window_us = llround(c->batching.window_ms * 1e3);
    p->mean_us = c->service_time.mean_ms * 1e3;
    p->deterministic = c->service_time.dist == CCS_DIST_DETERMINISTIC;
    p->timer_at = -1;
    p->soft_timer = -1;
    p->tick_at = INT64_MAX;
    p->below_since = -1;
    p->conc = c->concurrency > 0 ? c->concurrency : 1;
    p->nslots = p->autoscaled ? 2 * c->autoscale.max : c->replicas * p->conc;
    p->batch_arr = malloc((size_t)p->nslots * (size_t)p->max_batch * sizeof *p->batch_arr);
    p->batch_n = calloc((size_t)p->nslots, sizeof *p->batch_n);
    p->free_stack = malloc((size_t)p->nslots * sizeof *p->free_stack);
    p->off_stack = malloc((size_t)p->nslots * sizeof *p->off_stack);
    if (par->table_s) {
        p->table_us = malloc((size_t)p->max_batch * sizeof *p->table_us);
        if (p->table_us)
            for (long k = 0; k < p->max_batch; k++) p->table_us[k] = ccs_round_nonneg(par->table_s[k] * 1e6);
    }
    p->kind_done = ccs_engine_add_handler(par->eng, on_done, p);
    p->kind_timer = ccs_engine_add_handler(par->eng, on_timer, p);
    p->kind_tick = p->autoscaled ? ccs_engine_add_handler(par->eng, on_tick, p) : 0;
    p->kind_ready = p->autoscaled ? ccs_engine_add_handler(par->eng, on_ready, p) : 0;
    p->fcfs = !p->autoscaled && p->max_batch == 1;
    p->fcfs_ring = p->fcfs && (p->table_us || p->deterministic);
    p->early =
        p->fcfs && (par->done_early == CCS_DONE_EARLY || (par->done_early == CCS_DONE_EARLY_IN_ORDER && p->fcfs_ring));
    p->kind_handover = p->fcfs && !p->early ? ccs_engine_add_handler(par->eng, on_handover, p) : 0;
    p->kind_fill = p->fcfs ? 0 : ccs_engine_add_handler(par->eng, on_fill, p); /* an FCFS pool needs none */
    if (p->fcfs) p->free_at = calloc((size_t)p->nslots, sizeof *p->free_at);
    if (!p->batch_arr || !p->batch_n || !p->free_stack || !p->off_stack || (par->table_s && !p->table_us) ||
        p->kind_done < 0 || p->kind_timer < 0 || p->kind_tick < 0 || p->kind_ready < 0 || p->kind_handover < 0 ||
        p->kind_fill < 0 || (p->fcfs && !p->free_at)) {
        ccs_pool_destroy(p);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    /* Slots are handed out lowest first, so runs do not depend on anything but the inputs. */
    for (long i = p->nslots - 1; i >= 0; i--) p->off_stack[p->noff++] = (int32_t)i;
    for (long i = 0; i < p->nslots && !p->autoscaled; i++) join(p, 0);
    if (p->autoscaled)
        for (long i = 0; i < c->replicas; i++) join(p, 0);
    p->warm = p->autoscaled ? c->autoscale.warm_pool : 0;
    /* a measured power per batch size: interpolated over 1..max_batch as the latencies are
     * (ccs_pool_check found the points increasing and covering max_batch) */
    double *batch_w = NULL;
    const double *pw = c->latency_table.power_w;
    if (pw && par->hw) {
        batch_w = malloc((size_t)p->max_batch * sizeof *batch_w);
        if (!batch_w) {
            ccs_pool_destroy(p);
            return ccs_err_set(err, CCS_ERUN, "out of memory");
        }
        int rc = ccs_latency_table_from_points(c->latency_table.batch, pw, c->latency_table.npower,
                                               (size_t)p->max_batch, batch_w, err);
        if (rc) {
            free(batch_w);
            ccs_pool_destroy(p);
            return rc;
        }
    }
    ccs_power_book_params bp = {
        .hw = par->hw,
        .devices = c->devices_per_replica,
        .conc = p->conc,
        .rent_per_hour = c->rent_per_hour,
        .rent_set = c->rent_set,
        .provisioned = c->replicas + p->warm,
        .region = par->region,
        .ledger = par->ledger,
        .series = par->series,
        .t0_us = par->t0_us,
        .horizon_us = par->horizon_us,
        .measure_from_us = par->measure_from_us,
        .batch_w = batch_w,
        .nbatch = batch_w ? (size_t)p->max_batch : 0,
    };
    int rc = ccs_power_book_create(&bp, &p->book, err);
    free(batch_w);
    if (rc) {
        ccs_pool_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

void ccs_pool_destroy(ccs_pool *p)
{
    if (!p) return;
    free(p->q);
    free(p->batch_arr);
    free(p->batch_n);
    free(p->free_stack);
    free(p->off_stack);
    free(p->table_us);
    free(p->free_at);
    ccs_power_book_destroy(p->book);
    free(p);
}

void ccs_pool_start(ccs_pool *p)
{
    if (p->autoscaled && p->cfg->autoscale.interval_us < p->par.horizon_us) {
        p->tick_at = p->cfg->autoscale.interval_us;
        ccs_engine_schedule(p->par.eng, p->tick_at, p->kind_tick, 0);
    }
}

double ccs_pool_capacity_per_s(const ccs_pool *p)
{
    long replicas = p->autoscaled ? p->cfg->autoscale.max : p->cfg->replicas * p->conc;
    double l_us = p->table_us ? (double)p->table_us[p->max_batch - 1] : p->mean_us;
    if (l_us <= 0) return INFINITY;
    return (double)replicas * (double)p->max_batch / (l_us / 1e6);
}

int ccs_pool_finish(ccs_pool *p, ccs_pool_result *out, ccs_err *err)
{
    set_serving(p, p->par.horizon_us, 0);
    if (p->out_of_memory) return ccs_err_set(err, CCS_ERUN, "out of memory for the waiting line");
    ccs_power_book_result book;
    int rc = ccs_power_book_finish(p->book, &book, err);
    if (rc) return rc;
    memset(out, 0, sizeof *out);
    out->items = p->items;
    out->batches = p->batches;
    out->mean_batch = p->batches ? (double)p->items / (double)p->batches : 0.0;
    out->utilisation = p->serving_us > 0 ? p->busy_us / p->serving_us : 0.0;
    out->replicas_mean = book.replicas_mean;
    out->replicas_max = book.replicas_max;
    out->scale_ups = p->scale_ups;
    out->scale_downs = p->scale_downs;
    out->busy_energy_j = book.busy_energy_j;
    out->idle_energy_j = book.idle_energy_j;
    out->host_energy_j = book.host_energy_j;
    out->provisioned_hours = book.provisioned_hours;
    out->charge = book.charge;
    return 0;
}

/* ---- the schemas of a pool's maps ---- */
typedef struct service_time_cfg {
    int dist;
    double mean_ms;
} service_time_cfg;
typedef struct batching_cfg {
    long max_batch;
    double window_ms;
} batching_cfg;
typedef struct table_cfg { /* the layout of ccs_pool_cfg's latency_table, checked below */
    double *batch, *ms;
    size_t nbatch, nms;
    char *file;
    double *power_w;
    size_t npower;
} table_cfg;
_Static_assert(sizeof(table_cfg) == sizeof(((ccs_pool_cfg *)0)->latency_table) &&
                   offsetof(table_cfg, power_w) ==
                       offsetof(ccs_pool_cfg, latency_table.power_w) - offsetof(ccs_pool_cfg, latency_table) &&
                   offsetof(table_cfg, npower) ==
                       offsetof(ccs_pool_cfg, latency_table.npower) - offsetof(ccs_pool_cfg, latency_table),
               "table_cfg must match ccs_pool_cfg.latency_table");
static const char *const dist_words[] = {"exponential", "deterministic", NULL};
const char *const ccs_phase_words[] = {"auto", "compute", "memory", NULL};
static const ccs_field service_time_fields[] = {
    {"dist", CCS_F_ENUM, offsetof(service_time_cfg, dist), 0, CCS_NO_RANGE, dist_words, NULL, 0,
     "exponential or deterministic", NULL},
    {"mean_ms", CCS_F_DOUBLE, offsetof(service_time_cfg, mean_ms), 1, 1e-3, 1e9, NULL, NULL, 0,
     "a mean service time in ms", NULL},
};
const ccs_schema ccs_service_time_schema = {
    "service_time", sizeof(service_time_cfg), service_time_fields, 2, CCS_NOPOS, NULL};
static const ccs_field batching_fields[] = {
    {"max_batch", CCS_F_INT, offsetof(batching_cfg, max_batch), 1, 1, 65536, NULL, NULL, 0,
     "the largest batch, 1 to 65536", NULL},
    {"window_ms", CCS_F_DOUBLE, offsetof(batching_cfg, window_ms), 0, 0, CCS_MS_PER_HOUR_F, NULL, NULL, 0,
     "the longest the oldest request may wait for a batch to fill, in ms", NULL},
};
const ccs_schema ccs_batching_schema = {"batching", sizeof(batching_cfg), batching_fields, 2, CCS_NOPOS, NULL};
static const ccs_field table_fields[] = {
    {"batch", CCS_F_NUMLIST, offsetof(table_cfg, batch), 0, 1, 65536, NULL, NULL, offsetof(table_cfg, nbatch),
     "measured batch sizes, increasing", NULL},
    {"ms", CCS_F_NUMLIST, offsetof(table_cfg, ms), 0, 1e-6, 1e9, NULL, NULL, offsetof(table_cfg, nms),
     "the measured batch latencies in ms", NULL},
    {"file", CCS_F_PATH, offsetof(table_cfg, file), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a CSV of measured points with columns batch, latency_ms and optionally power_w, relative to the scenario file",
     NULL},
    {"power_w", CCS_F_NUMLIST, offsetof(table_cfg, power_w), 0, 1e-6, 1e7, NULL, NULL, offsetof(table_cfg, npower),
     "the replica's measured power in W (idle included) while busy with each batch size, above 0", NULL},
};
const ccs_schema ccs_latency_table_schema = {
    "latency_table", sizeof(table_cfg), table_fields, sizeof table_fields / sizeof table_fields[0], CCS_NOPOS, NULL};

/* A measured table from a CSV file: a header naming `batch` and `latency_ms` (or `ms`) and
 * optionally `power_w`, any case, other columns ignored; one point per row. The values go through
 * the same checks as the lists; a power, where the column is there, is in every row. */
static int load_table_file(ccs_pool_cfg *p, const char *where, const ccs_src_pos *pos, ccs_err *err)
{
    const char *path = p->latency_table.file;
    if (p->latency_table.nbatch || p->latency_table.nms || p->latency_table.npower)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.latency_table: both a file and batch/ms/power_w lists: expected one of them", where);
    /* a regular file of a table's size: not a device or a pipe that never ends */
    struct stat st;
    if (stat(path, &st) != 0)
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read the latency table: %s", strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size > (16 << 20))
        return ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                          "not a regular file of at most 16 MiB: expected a CSV of measured points");
    ccs_csv *c;
    int rc = ccs_csv_open(path, ',', &c, err);
    if (rc) return rc;
    char **f;
    int nf, bc = -1, lc = -1, pc = -1, header = 0;
    size_t cap = 0, n = 0;
    double *b = NULL, *l = NULL, *w = NULL;
    while (!rc && (rc = ccs_csv_next(c, &f, &nf, err)) == 1) {
        rc = 0;
        long line = ccs_csv_line(c);
        if (!header) {
            header = nf;
            for (int i = 0; i < nf; i++) {
                if (strcasecmp(f[i], "batch") == 0 && bc < 0) bc = i;
                if ((strcasecmp(f[i], "latency_ms") == 0 || strcasecmp(f[i], "ms") == 0) && lc < 0) lc = i;
                if (strcasecmp(f[i], "power_w") == 0 && pc < 0) pc = i;
            }
            if (bc < 0 || lc < 0)
                rc = ccs_err_at(
                    err, CCS_EINPUT, path, line, 0,
                    "no %s column: expected a header with batch and latency_ms (e.g. batch,latency_ms,power_w)",
                    bc < 0 ? "batch" : "latency_ms");
            continue;
        }
        if (nf != header) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0, "%d fields, expected %d as in the header", nf, header);
            break;
        }
        char *e1, *e2;
        errno = 0;
        double bv = strtod(f[bc], &e1), lv = strtod(f[lc], &e2);
        if (e1 == f[bc] || *e1 || e2 == f[lc] || *e2 || errno == ERANGE || !(bv >= 1 && bv <= 65536) ||
            !(lv > 0 && lv <= 1e9)) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                            "batch '%s', latency_ms '%s': expected a batch size of 1 to 65536 and a latency above 0 ms",
                            f[bc], f[lc]);
            break;
        }
        double wv = 0;
        if (pc >= 0) {
            char *e3;
            errno = 0;
            wv = strtod(f[pc], &e3);
            /* nan, inf and an empty cell are not a measurement */
            if (e3 == f[pc] || *e3 || errno == ERANGE || !isfinite(wv) || !(wv > 0 && wv <= 1e7)) {
                rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                                "power_w '%s' at batch %s: expected the replica's measured power in W while busy "
                                "with that batch, a finite number above 0 (at most 1e7)",
                                f[pc], f[bc]);
                break;
            }
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            double *nb = realloc(b, cap * sizeof *b), *nl = nb ? realloc(l, cap * sizeof *l) : NULL;
            double *nw = nl ? realloc(w, cap * sizeof *w) : NULL;
            if (nb) b = nb;
            if (nl) l = nl;
            if (nw) w = nw;
            if (!nb || !nl || !nw) {
                rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                break;
            }
        }
        b[n] = bv;
        w[n] = wv;
        l[n++] = lv;
    }
    ccs_csv_close(c);
    if (!rc && !header) rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0, "empty file: expected a header and rows");
    if (rc || pc < 0) {
        free(w);
        w = NULL;
    }
    if (rc) {
        free(b);
        free(l);
        return rc;
    }
    p->latency_table.batch = b;
    p->latency_table.ms = l;
    p->latency_table.nbatch = p->latency_table.nms = n;
    p->latency_table.power_w = w;
    p->latency_table.npower = w ? n : 0;
    return 0;
}
static void autoscale_defaults(void *p)
{
    ccs_autoscale_cfg *a = p;
    a->min = 1;
    a->target = 0.6;
    a->up_delay_us = 60 * 1000000LL;
    a->down_delay_us = 300 * 1000000LL;
    a->interval_us = 15 * 1000000LL;
}
static const ccs_field autoscale_fields[] = {
    {"min", CCS_F_INT, offsetof(ccs_autoscale_cfg, min), 0, 1, 1e5, NULL, NULL, 0, "the fewest serving replicas, >= 1",
     NULL},
    {"max", CCS_F_INT, offsetof(ccs_autoscale_cfg, max), 1, 1, 1e5, NULL, NULL, 0, "the most serving replicas", NULL},
    {"target", CCS_F_DOUBLE, offsetof(ccs_autoscale_cfg, target), 0, 0.01, 1.0, NULL, NULL, 0,
     "a target utilisation in (0, 1]", NULL},
    {"scale_up_delay", CCS_F_DURATION, offsetof(ccs_autoscale_cfg, up_delay_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a cold-start time such as 90s", NULL},
    {"scale_down_delay", CCS_F_DURATION, offsetof(ccs_autoscale_cfg, down_delay_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a time such as 5m", NULL},
    {"interval", CCS_F_DURATION, offsetof(ccs_autoscale_cfg, interval_us), 0, 1e-3, INFINITY, NULL, NULL, 0,
     "how often the scaler acts, such as 15s", NULL},
    {"warm_pool", CCS_F_INT, offsetof(ccs_autoscale_cfg, warm_pool), 0, 0, 1e5, NULL, NULL, 0,
     "idle, ready replicas kept beside the serving ones", NULL},
};
const ccs_schema ccs_autoscale_schema = {"autoscale",      sizeof(ccs_autoscale_cfg),
                                         autoscale_fields, sizeof autoscale_fields / sizeof autoscale_fields[0],
                                         CCS_NOPOS,        autoscale_defaults};

/* ---- the latency models: where a pool's batch service time comes from ---- */

static int given_service_time(const ccs_pool_cfg *p) { return p->service_time.mean_ms > 0; }
static int given_table(const ccs_pool_cfg *p) { return p->latency_table.nbatch > 0 || p->latency_table.file; }
static int given_model(const ccs_pool_cfg *p) { return p->model != NULL; }

/* A latency table: two or more points, increasing, covering batch 1 to max_batch (no
 * extrapolation). After the defaults (max_batch 1 when not given). */
static int check_table(const ccs_pool_cfg *p, const char *where, const ccs_src_pos *pos, ccs_err *err)
{
    const double *b = p->latency_table.batch;
    size_t n = p->latency_table.nbatch;
    if (n != p->latency_table.nms || n < 2)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.latency_table: %zu batch sizes and %zu latencies: expected two or more "
                          "of each, as many of one as of the other",
                          where, n, p->latency_table.nms);
    if (p->latency_table.npower && p->latency_table.npower != n)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.latency_table: %zu batch sizes and %zu power_w values: expected one power per "
                          "batch size, or none",
                          where, n, p->latency_table.npower);
    for (size_t k = 1; k < n; k++)
        if (b[k] <= b[k - 1])
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s.latency_table.batch[%zu]: %g after %g: expected increasing batch sizes", where, k,
                              b[k], b[k - 1]);
    if (b[0] > 1 || b[n - 1] < (double)p->batching.max_batch)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.latency_table: measured from batch %g to %g, but batches run from 1 "
                          "to max_batch %ld: expected measurements covering them (no extrapolation)",
                          where, b[0], b[n - 1], p->batching.max_batch);
    return 0;
}

static const ccs_latency_model latency_models[] = {
    {CCS_LATENCY_MODEL_VERSION, "service_time", "a draw per batch, exponential or deterministic, of a stated mean",
     &ccs_service_time_schema, given_service_time, NULL},
    {CCS_LATENCY_MODEL_VERSION, "latency_table", "measured L(b) at some batch sizes, interpolated between them",
     &ccs_latency_table_schema, given_table, check_table},
    /* its hardware and variant are resolved and checked by the loader, which has the profiles */
    {CCS_LATENCY_MODEL_VERSION, "model", "the roofline of a model variant on the pool's hardware (docs/model.md 4)",
     NULL, given_model, NULL},
};

const ccs_latency_model *ccs_latency_models(size_t *n)
{
    *n = sizeof latency_models / sizeof latency_models[0];
    return latency_models;
}

int ccs_pool_given(const ccs_pool_cfg *p)
{
    return p->hardware || p->model || p->variant || p->service_time.mean_ms > 0 || p->latency_table.nbatch ||
           p->latency_table.file || p->latency_table.npower || p->replicas || p->autoscale.max ||
           p->batching.max_batch || p->devices_per_replica || p->concurrency || p->phase != CCS_PHASE_AUTO ||
           p->llm.max_num_seqs;
}

int ccs_pool_check(ccs_pool_cfg *p, const char *where, const ccs_src_pos *pos, ccs_err *err)
{
    if (p->latency_table.npower && !given_table(p))
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.latency_table.power_w: given without batch and ms: expected the power measured with "
                          "the latencies, in the same table",
                          where);
    int sources = 0;
    for (size_t i = 0; i < sizeof latency_models / sizeof latency_models[0]; i++) sources += latency_models[i].given(p);
    if (sources != 1)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s: %s: expected exactly one of service_time, latency_table or model "
                          "(with hardware) to give the batch service time",
                          where, sources ? "more than one service time given" : "no service time given");
    if (p->llm.max_num_seqs > 0) {
        /* continuous batching: the roofline of an LLM's iterations; its own batches and slots */
        const char *bad = !p->model               ? "without a model (the LLM whose iterations it times)"
                          : p->batching.max_batch ? "with batching (the engine forms its own batches)"
                          : p->autoscale.max      ? "with autoscale (not supported for LLM pools yet)"
                          : p->concurrency > 1    ? "with concurrency (a replica runs one batch at a time)"
                                                  : NULL;
        if (bad)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s.llm: continuous batching %s: expected model and hardware, and neither batching, "
                              "autoscale nor concurrency",
                              where, bad);
        ccs_llm_cfg *l = &p->llm;
        if (l->tensor_parallel && p->devices_per_replica && l->tensor_parallel != p->devices_per_replica)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s: llm.tensor_parallel %ld but devices_per_replica %ld: expected one of them, or "
                              "both the same",
                              where, l->tensor_parallel, p->devices_per_replica);
        if (!l->tensor_parallel) l->tensor_parallel = p->devices_per_replica ? p->devices_per_replica : 1;
        p->devices_per_replica = l->tensor_parallel;
        if (!l->block_size) l->block_size = 16;                        /* vLLM's default */
        if (!(l->memory_utilization > 0)) l->memory_utilization = 0.9; /* vLLM's gpu_memory_utilization */
        if (!l->max_waiting) l->max_waiting = 1000000;
    }
    if (p->replicas && p->autoscale.max)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s: give either replicas (fixed) or autoscale, not both", where);
    if (p->autoscale.max) {
        if (p->autoscale.min > p->autoscale.max)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s.autoscale: min %ld is above max %ld: expected min <= max", where, p->autoscale.min,
                              p->autoscale.max);
        p->replicas = p->autoscale.min; /* serving at the start */
    }
    if (!p->replicas) p->replicas = 1;
    if (!p->devices_per_replica) p->devices_per_replica = 1;
    if (!p->batching.max_batch) p->batching.max_batch = 1;
    if (p->latency_table.file) {
        int rc = load_table_file(p, where, pos, err);
        if (rc) return rc;
    }
    /* phase says which of the hardware's busy powers a batch draws; a measured one replaces both */
    if (p->latency_table.npower && p->phase != CCS_PHASE_AUTO)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s: phase %s with a measured power_w per batch size: expected one of them (power_w "
                          "replaces max_w and memory_bound_w)",
                          where, ccs_phase_words[p->phase]);
    for (size_t i = 0; i < sizeof latency_models / sizeof latency_models[0]; i++) {
        const ccs_latency_model *m = &latency_models[i];
        if (!m->given(p)) continue;
        if (m->version != CCS_LATENCY_MODEL_VERSION)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s.%s: latency model version %d: this ccsim takes version %d", where, m->key, m->version,
                              CCS_LATENCY_MODEL_VERSION);
        int rc = m->check ? m->check(p, where, pos, err) : 0;
        if (rc) return rc;
    }
    return 0;
}
