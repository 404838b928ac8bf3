/* Hold-model benchmark of the pending-event set: fill with N events, then 1e7 times pop the
 * earliest and push one at a random later time (exponential increment, mean 1000 us). Runs
 * ccs_evset and a plain binary heap (the reference point) side by side, same increments, and
 * prints holds/s and the ratio. Increments are drawn before the timed loop so that only the
 * event set is measured. Never fails on time: figures are for the notes. */
#include "ccs_evset.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NINC (1u << 20)
#define OPS  10000000L

typedef struct bh_ev {
    int64_t t;
    uint64_t seq;
} bh_ev;
typedef struct bheap {
    bh_ev *a;
    size_t n;
    uint64_t seq;
} bheap;

static int bh_less(const bh_ev *x, const bh_ev *y) { return x->t < y->t || (x->t == y->t && x->seq < y->seq); }

static void bh_push(bheap *h, int64_t t)
{
    bh_ev e = {t, h->seq++};
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!bh_less(&e, &h->a[p])) break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = e;
}

static bh_ev bh_pop(bheap *h)
{
    bh_ev top = h->a[0], e = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && bh_less(&h->a[c + 1], &h->a[c])) c++;
        if (!bh_less(&h->a[c], &e)) break;
        h->a[i] = h->a[c];
        i = c;
    }
    h->a[i] = e;
    return top;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    int64_t *inc = malloc(NINC * sizeof *inc);
    for (size_t i = 0; i < NINC; i++) inc[i] = (int64_t)(gsl_ran_exponential(r, 1000.0) + 0.5);
    size_t sizes[] = {1000, 1000000};
    printf("hold model, %ld operations, exponential increments (mean 1000 us)\n", OPS);
    for (int k = 0; k < 2; k++) {
        size_t n = sizes[k];
        ccs_evset *s = ccs_evset_create(n);
        bheap b = {malloc(n * sizeof(bh_ev)), 0, 0};
        for (size_t i = 0; i < n; i++) {
            int64_t t = inc[i % NINC] * (int64_t)(i % 97);
            ccs_evset_push(s, t, 0, i);
            bh_push(&b, t);
        }
        uint64_t check_a = 0, check_b = 0;
        double t0 = now_s();
        for (long i = 0; i < OPS; i++) {
            ccs_event e;
            ccs_evset_pop(s, &e);
            check_a += (uint64_t)e.time_us;
            ccs_evset_push(s, e.time_us + inc[(size_t)i & (NINC - 1)], e.kind, e.arg);
        }
        double t1 = now_s();
        for (long i = 0; i < OPS; i++) {
            bh_ev e = bh_pop(&b);
            check_b += (uint64_t)e.t;
            bh_push(&b, e.t + inc[(size_t)i & (NINC - 1)]);
        }
        double t2 = now_s();
        double ours = OPS / (t1 - t0) / 1e6, ref = OPS / (t2 - t1) / 1e6;
        printf("pending %8zu: ccs_evset %6.1f M holds/s, binary heap %6.1f M holds/s, ratio %.2fx%s\n", n, ours, ref,
               ours / ref, check_a == check_b ? "" : "  (MISMATCH: different pop order)");
        ccs_evset_destroy(s);
        free(b.a);
        if (check_a != check_b) return 1;
    }
    free(inc);
    gsl_rng_free(r);
    return 0;
}
