/* The pending-event set: order by time, ties by insertion, and random push/pop sequences
 * against a sorted reference. */
#include "ccs_engine.h"
#include "ccs_evset.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

typedef struct ref_event {
    int64_t t;
    uint64_t seq;
} ref_event;

static int ref_cmp(const void *a, const void *b)
{
    const ref_event *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

Test(evset, pops_in_time_order_and_ties_in_push_order)
{
    ccs_evset *s = ccs_evset_create(4);
    int64_t times[] = {50, 10, 30, 10, 50, 10, 0, 30};
    for (unsigned i = 0; i < 8; i++) cr_assert_eq(ccs_evset_push(s, times[i], 1, i), 0);
    /* expected: (0,#6) (10,#1) (10,#3) (10,#5) (30,#2) (30,#7) (50,#0) (50,#4) */
    uint64_t want[] = {6, 1, 3, 5, 2, 7, 0, 4};
    ccs_event e, p;
    for (unsigned i = 0; i < 8; i++) {
        cr_assert(ccs_evset_peek(s, &p)); /* peek shows what pop then takes, and takes nothing */
        cr_assert(ccs_evset_peek(s, &p));
        cr_assert(ccs_evset_pop(s, &e));
        cr_assert(p.arg == e.arg && p.time_us == e.time_us && p.kind == e.kind);
        cr_assert_eq(e.arg, want[i], "pop %u: got arg %llu, want %llu", i, (unsigned long long)e.arg,
                     (unsigned long long)want[i]);
        cr_assert_eq(e.kind, 1u);
    }
    cr_assert_not(ccs_evset_pop(s, &e));
    cr_assert_not(ccs_evset_peek(s, &p));
    cr_assert_eq(ccs_evset_peek_time(s), INT64_MAX);
    ccs_evset_destroy(s);
}

static void random_against_reference(uint64_t seq_limit)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    ccs_evset *s = ccs_evset_create(16);
    if (seq_limit) ccs_evset_set_seq_limit(s, seq_limit);
    ref_event *ref = malloc(200000 * sizeof *ref);
    size_t nref = 0;
    uint64_t seq = 0;
    int64_t now = 0;
    for (int step = 0; step < 200000; step++) {
        /* pushes never go before the last pop, as in a simulation; many equal times */
        if (nref == 0 || gsl_rng_uniform(r) < 0.55) {
            int64_t t = now + (int64_t)gsl_rng_uniform_int(r, 50);
            /* a third through the lane (held beside the heap while it is free) */
            if (gsl_rng_uniform(r) < 1.0 / 3)
                cr_assert_eq(ccs_evset_push_lane(s, t, (unsigned)(seq % 7), seq), 0);
            else
                cr_assert_eq(ccs_evset_push(s, t, (unsigned)(seq % 7), seq), 0);
            ref[nref++] = (ref_event){t, seq++};
        } else {
            qsort(ref, nref, sizeof *ref, ref_cmp); /* reference: sorted by (time, seq) */
            cr_assert_eq(ccs_evset_peek_time(s), ref[0].t);
            ccs_event e, p;
            cr_assert(ccs_evset_peek(s, &p));
            cr_assert(p.time_us == ref[0].t && p.arg == ref[0].seq, "step %d: peek shows another event", step);
            /* pop_before with a bound at or before the earliest pops nothing */
            int64_t until = ref[0].t + (int64_t)gsl_rng_uniform_int(r, 3) - 1;
            if (until <= ref[0].t) {
                cr_assert_not(ccs_evset_pop_before(s, until, &e), "step %d: popped before %lld", step,
                              (long long)until);
                cr_assert_eq(ccs_evset_size(s), nref);
                cr_assert(ccs_evset_pop(s, &e));
            } else {
                cr_assert(ccs_evset_pop_before(s, until, &e));
            }
            cr_assert_eq(e.time_us, ref[0].t, "step %d", step);
            cr_assert_eq(e.arg, ref[0].seq, "step %d: tie broken out of order", step);
            cr_assert_eq(e.kind, (unsigned)(ref[0].seq % 7), "step %d: payload mixed up", step);
            now = e.time_us;
            memmove(ref, ref + 1, (nref - 1) * sizeof *ref);
            nref--;
        }
        cr_assert_eq(ccs_evset_size(s), nref);
        if (nref > 2000) break;
    }
    free(ref);
    ccs_evset_destroy(s);
    gsl_rng_free(r);
}

Test(evset, random_push_pop_matches_sorted_reference) { random_against_reference(0); }

Test(evset, order_survives_sequence_renumbering)
{
    /* renumber every 100 pushes: thousands of renumberings, ties must still be FIFO */
    random_against_reference(100);
}

static void record(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    int64_t *log = ctx;
    log[log[0] * 2 + 1] = now;
    log[log[0] * 2 + 2] = (int64_t)arg;
    log[0]++;
    if (arg == 1) ccs_engine_schedule(eng, now, 0, 99); /* same time: after those already there */
}

Test(engine, runs_until_horizon_in_order_and_same_time_events_queue_behind)
{
    ccs_engine *eng = ccs_engine_create();
    int64_t log[64] = {0};
    int k = ccs_engine_add_handler(eng, record, log);
    ccs_engine_schedule(eng, 20, k, 2);
    ccs_engine_schedule(eng, 10, k, 1);
    ccs_engine_schedule(eng, 10, k, 3);
    ccs_engine_schedule(eng, 100, k, 4);
    cr_assert_eq(ccs_engine_run(eng, 100), 4u); /* 100 is not < horizon 100 */
    int64_t want[][2] = {{10, 1}, {10, 3}, {10, 99}, {20, 2}};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(log[i * 2 + 1], want[i][0]);
        cr_assert_eq(log[i * 2 + 2], want[i][1], "event %d", i);
    }
    cr_assert_eq(ccs_engine_pending(eng), 1u);
    cr_assert_eq(ccs_engine_run(eng, INT64_MAX), 1u);
    cr_assert_eq(ccs_engine_now(eng), 100);
    ccs_engine_destroy(eng);
}

/* Soft events (ccs_engine.h): held beside the set until the clock would reach them, numbered
 * then; called off or moved while held. By hand: plain events at 10 (1), 30 (3, 4) and 100 (9);
 * soft A at 30 (50), B at 20 (60, called off by the event at 10), C at 25 (70) moved to 40 (71)
 * by the event at 10, D set by the event at 30 (arg 3) for 30 (80), which also schedules a plain
 * one at 30 (5). A is numbered when the clock reaches 30, so it comes after the plain events
 * there before it (3, 4) and before the one scheduled at 30 later (5); D after that. The event at 40 (71) cannot
 * advance inline past 45 while E is held at 45 (set by it). A run until 30 leaves A, C held and
 * counted as pending. */
typedef struct soft_ctx {
    int64_t log[64];
    int ids[5];
    bool advanced;
} soft_ctx;

static void soft_record(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    soft_ctx *c = ctx;
    c->log[c->log[0] * 2 + 1] = now;
    c->log[c->log[0] * 2 + 2] = (int64_t)arg;
    c->log[0]++;
    if (arg == 1) {
        ccs_engine_soft_cancel(eng, c->ids[1]);
        ccs_engine_soft_set(eng, c->ids[2], 40, 71);
    } else if (arg == 3) {
        ccs_engine_soft_set(eng, c->ids[3], 30, 80);
        ccs_engine_schedule(eng, 30, 0, 5);
    } else if (arg == 71) {
        ccs_engine_soft_set(eng, c->ids[4], 45, 90);
        c->advanced = ccs_engine_advance(eng, 50);
    }
}

Test(engine, soft_events_wait_beside_the_set_and_can_be_called_off)
{
    ccs_engine *eng = ccs_engine_create();
    soft_ctx *c = calloc(1, sizeof *c);
    int k = ccs_engine_add_handler(eng, soft_record, c);
    for (int i = 0; i < 5; i++) c->ids[i] = ccs_engine_soft_add(eng, k);
    ccs_engine_schedule(eng, 10, k, 1);
    ccs_engine_schedule(eng, 30, k, 3);
    ccs_engine_schedule(eng, 30, k, 4);
    ccs_engine_schedule(eng, 100, k, 9);
    ccs_engine_soft_set(eng, c->ids[0], 30, 50);
    ccs_engine_soft_set(eng, c->ids[1], 20, 60);
    ccs_engine_soft_set(eng, c->ids[2], 25, 70);
    cr_assert_eq(ccs_engine_pending(eng), 7u, "4 plain, 3 held");
    cr_assert_eq(ccs_engine_run(eng, 30), 1u);
    cr_assert_eq(ccs_engine_pending(eng), 5u, "3 plain, 2 held (A, C; B called off)");
    cr_assert_eq(ccs_engine_run(eng, INT64_MAX), 8u);
    int64_t want[][2] = {{10, 1}, {30, 3}, {30, 4}, {30, 50}, {30, 5}, {30, 80}, {40, 71}, {45, 90}, {100, 9}};
    cr_assert_eq(c->log[0], 9);
    for (int i = 0; i < 9; i++)
        cr_assert(c->log[i * 2 + 1] == want[i][0] && c->log[i * 2 + 2] == want[i][1], "event %d: %lld at %lld", i,
                  (long long)c->log[i * 2 + 2], (long long)c->log[i * 2 + 1]);
    cr_assert(!c->advanced, "advanced inline past a held soft event");
    cr_assert_eq(ccs_engine_pending(eng), 0u);
    free(c);
    ccs_engine_destroy(eng);
}

Test(evset, large_set_drains_in_order)
{
    /* 100k pending: crosses several growths of the aligned array and the size above which
     * payloads are prefetched; every event must come out in (time, push) order with its arg. */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    ccs_evset *s = ccs_evset_create(1);
    size_t n = 100000;
    for (size_t i = 0; i < n; i++) cr_assert_eq(ccs_evset_push(s, (int64_t)gsl_rng_uniform_int(r, 5000), 3, i), 0);
    ccs_event prev = {INT64_MIN, 0, 0}, e;
    size_t got = 0;
    while (ccs_evset_pop(s, &e)) {
        cr_assert(e.time_us > prev.time_us || (e.time_us == prev.time_us && e.arg > prev.arg), "out of order at %zu",
                  got);
        cr_assert_eq(e.kind, 3u);
        prev = e;
        got++;
    }
    cr_assert_eq(got, n);
    ccs_evset_destroy(s);
    gsl_rng_free(r);
}
