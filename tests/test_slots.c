/* The exact planner for interruptible runs (models/slots.c) against independent brute forces
 * written here: every subset of the cells of a fine grid (non-negative rates, where the family of
 * plans the planner searches loses nothing), an enumeration of that family itself (any rates,
 * uneven steps, any microsecond lengths), the fractional greedy (no checkpoint cost), and the
 * guarantees that hold whatever the signal: never worse than the best contiguous run, which is
 * never worse than running at once. Every instance is drawn from a seeded generator, so a failure
 * names an instance that can be replayed. */
#include "slots.h"
#include "window.h"

#include "helpers.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define H        3600000000LL
#define US_PER_H 3.6e9
/* helpers.h: 10,000 per property (about 5 s), 1,000 under ASan (64 s -> 4 s there) */
enum { INSTANCES = PROPERTY_INSTANCES, MAXSEG = 40 };

typedef struct signal {
    size_t n;
    int64_t t[MAXSEG + 1];
    double ci[MAXSEG], price[MAXSEG], ci_h[MAXSEG + 1], price_h[MAXSEG + 1];
    ccs_window w;
} signal;

static void finish(signal *s)
{
    s->ci_h[0] = s->price_h[0] = 0;
    for (size_t k = 0; k < s->n; k++) {
        double h = (double)(s->t[k + 1] - s->t[k]) / US_PER_H;
        s->ci_h[k + 1] = s->ci_h[k] + s->ci[k] * h;
        s->price_h[k + 1] = s->price_h[k] + s->price[k] * h;
    }
    s->w = (ccs_window){s->n, s->t, s->ci, s->price, s->ci_h, s->price_h};
}

static double rate(const signal *s, size_t k, double wc, double wp) { return wc * s->ci[k] + wp * s->price[k]; }

/* A plan's objective from its intervals, integrated here piece by piece (not with the planner's
 * prefix sums), and its shape checked: inside [lo, hi), in order, apart, and exactly
 * d + (m - 1) ck of run time. */
static double check_plan(const signal *s, const ccs_run_plan *p, int64_t d, int64_t ck, int64_t lo, int64_t hi,
                         double wc, double wp, uint64_t seed)
{
    int64_t run = 0;
    double obj = 0;
    for (size_t i = 0; i < p->n; i++) {
        const ccs_interval *v = &p->iv[i];
        cr_assert(v->a_us < v->b_us && v->a_us >= lo && v->b_us <= hi, "seed %llu: interval %zu outside",
                  (unsigned long long)seed, i);
        if (i > 0) cr_assert(v->a_us > p->iv[i - 1].b_us, "seed %llu: intervals touch", (unsigned long long)seed);
        run += v->b_us - v->a_us;
        for (size_t k = 0; k < s->n; k++) {
            int64_t a = v->a_us > s->t[k] ? v->a_us : s->t[k], b = v->b_us < s->t[k + 1] ? v->b_us : s->t[k + 1];
            if (b > a) obj += rate(s, k, wc, wp) * (double)(b - a) / US_PER_H;
        }
    }
    cr_assert_eq(run, d + (int64_t)(p->n - 1) * ck, "seed %llu: run time %lld for %zu intervals",
                 (unsigned long long)seed, (long long)run, p->n);
    return obj;
}

static void assert_close(double got, double want, uint64_t seed, const char *what)
{
    int same = (isinf(got) && isinf(want)) || fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want));
    cr_assert(same, "seed %llu: %s: planner %.12g, brute force %.12g", (unsigned long long)seed, what, got, want);
}

static double planned(const signal *s, int64_t d, int64_t ck, int64_t lo, int64_t hi, double wc, double wp,
                      uint64_t seed)
{
    ccs_run_plan p = {0};
    cr_assert_eq(ccs_slots_best(&s->w, d, ck, lo, hi, wc, wp, &p), 0);
    double v = INFINITY;
    if (p.feasible) {
        v = check_plan(s, &p, d, ck, lo, hi, wc, wp, seed);
        assert_close(wc * p.ci_h + wp * p.price_h, v, seed, "the plan's own totals");
    }
    ccs_run_plan_free(&p);
    return v;
}

/* Every subset of G cells of length u: the runs are its maximal stretches. */
static double grid_brute_force(const signal *s, int g, int64_t u, int64_t d, int64_t ck, double wc, double wp)
{
    double cell[24];
    for (int c = 0; c < g; c++) {
        size_t k = 0;
        while (s->t[k + 1] <= (int64_t)c * u) k++;
        cell[c] = rate(s, k, wc, wp) * (double)u / US_PER_H;
    }
    double best = INFINITY;
    for (uint32_t m = 1; m < (1u << g); m++) {
        int runs = 0, cells = 0;
        double obj = 0;
        for (int c = 0; c < g; c++)
            if (m >> c & 1) {
                cells++;
                obj += cell[c];
                if (c == 0 || !(m >> (c - 1) & 1)) runs++;
            }
        if ((int64_t)cells * u == d + (runs - 1) * ck && obj < best) best = obj;
    }
    return best;
}

/* Cells of u, pieces of 1-3 cells with rates >= 0, work and checkpoint whole cells: the best plan
 * of all has its ends on the grid (two free ends slide to a boundary at no loss). */
Test(slots, equals_every_subset_of_a_grid)
{
    test_gen g = {0x5107u};
    const int64_t u = H / 4;
    for (int it = 0; it < INSTANCES; it++) {
        uint64_t seed = g.s;
        signal s = {0};
        int cells = 4 + (int)gen_below(&g, 11), c = 0;
        while (c < cells) {
            int len = 1 + (int)gen_below(&g, 3);
            c = c + len > cells ? cells : c + len;
            s.t[s.n + 1] = (int64_t)c * u;
            /* repeated values too: equal neighbours are where ties and merges happen */
            s.ci[s.n] = s.n > 0 && gen_below(&g, 5) == 0 ? s.ci[s.n - 1] : 20 + 500 * gen_unif(&g);
            s.price[s.n] = 150 * gen_unif(&g);
            s.n++;
        }
        finish(&s);
        int64_t d = (1 + gen_below(&g, cells - 1)) * u, ck = gen_below(&g, 4) * u;
        double wc = 1, wp = 0;
        if (it % 3 == 1) wc = 0, wp = 1;
        if (it % 3 == 2) wp = 0.5;
        assert_close(planned(&s, d, ck, 0, s.t[s.n], wc, wp, seed), grid_brute_force(&s, cells, u, d, ck, wc, wp), seed,
                     "grid");
    }
}

/* The family the planner searches, enumerated: each piece whole or idle, and at most one piece
 * used in part, from its start or up to its end, for exactly the work still missing. */
static double family_brute_force(const signal *s, int64_t d, int64_t ck, double wc, double wp)
{
    const int n = (int)s->n;
    double best = INFINITY;
    for (int part = -1; part < n; part++)
        for (int at_end = 0; at_end < 2; at_end++) {
            if (part < 0 && at_end) continue;
            int64_t len = part >= 0 ? s->t[part + 1] - s->t[part] : 0;
            if (part >= 0 && len < 2) continue;
            for (uint32_t m = 0; m < (1u << n); m++) {
                if (part >= 0 && (m >> part & 1)) continue;
                int64_t whole = 0;
                int starts = 0, running = 0;
                for (int k = 0; k < n; k++) {
                    if (k == part) {
                        starts += at_end || !running; /* from its start it continues a run */
                        running = at_end;
                        continue;
                    }
                    int r = m >> k & 1;
                    if (r) {
                        whole += s->t[k + 1] - s->t[k];
                        starts += !running;
                    }
                    running = r;
                }
                if (starts == 0) continue;
                int64_t x = d + (int64_t)(starts - 1) * ck - whole;
                if (part >= 0 ? x < 1 || x > len - 1 : x != 0) continue;
                double obj = 0;
                for (int k = 0; k < n; k++) {
                    double r = rate(s, (size_t)k, wc, wp);
                    if (k == part)
                        obj += r * (double)x / US_PER_H;
                    else if (m >> k & 1)
                        obj += r * (double)(s->t[k + 1] - s->t[k]) / US_PER_H;
                }
                if (obj < best) best = obj;
            }
        }
    return best;
}

/* Uneven steps of any microsecond length, negative prices, work and checkpoints off any grid. */
Test(slots, equals_the_enumerated_family_with_negative_prices_and_uneven_steps)
{
    test_gen g = {0xfa31u};
    for (int it = 0; it < INSTANCES; it++) {
        uint64_t seed = g.s;
        signal s = {0};
        s.n = 2 + (size_t)gen_below(&g, 9);
        s.t[0] = 1700000000000000LL + gen_below(&g, H);
        for (size_t k = 0; k < s.n; k++) {
            s.t[k + 1] = s.t[k] + 1 + gen_below(&g, 3 * H);
            s.ci[k] = 500 * gen_unif(&g);
            s.price[k] = -80 + 200 * gen_unif(&g);
        }
        finish(&s);
        int64_t span = s.t[s.n] - s.t[0];
        int64_t d = 1 + gen_below(&g, span), ck = gen_below(&g, 3) ? gen_below(&g, span / 3 + 1) : 0;
        double wc = it % 2 ? 0.2 : 1, wp = it % 2 ? 1 : 0.3;
        assert_close(planned(&s, d, ck, s.t[0], s.t[s.n], wc, wp, seed), family_brute_force(&s, d, ck, wc, wp), seed,
                     "family");
    }
}

/* No checkpoint cost: the cheapest d of time, whatever its shape (a fractional knapsack). */
Test(slots, without_checkpoints_takes_the_cheapest_hours)
{
    test_gen g = {0x0c0u};
    for (int it = 0; it < INSTANCES; it++) {
        uint64_t seed = g.s;
        signal s = {0};
        s.n = 1 + (size_t)gen_below(&g, MAXSEG);
        for (size_t k = 0; k < s.n; k++) {
            s.t[k + 1] = s.t[k] + (gen_below(&g, 2) ? H : 1 + gen_below(&g, 2 * H));
            s.ci[k] = 600 * gen_unif(&g);
        }
        finish(&s);
        int64_t lo = gen_below(&g, s.t[1]), hi = s.t[s.n] - gen_below(&g, s.t[s.n] - s.t[s.n - 1]);
        if (hi <= lo) continue;
        int64_t d = 1 + gen_below(&g, hi - lo);
        /* fill from the cleanest piece up */
        size_t order[MAXSEG];
        for (size_t k = 0; k < s.n; k++) order[k] = k;
        for (size_t i = 1; i < s.n; i++)
            for (size_t j = i; j > 0 && s.ci[order[j]] < s.ci[order[j - 1]]; j--) {
                size_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        double want = 0;
        int64_t left = d;
        for (size_t i = 0; i < s.n && left > 0; i++) {
            size_t k = order[i];
            int64_t a = s.t[k] > lo ? s.t[k] : lo, b = s.t[k + 1] < hi ? s.t[k + 1] : hi;
            int64_t take = b - a < left ? b - a : left;
            if (take > 0) want += s.ci[k] * (double)take / US_PER_H, left -= take;
        }
        assert_close(planned(&s, d, 0, lo, hi, 1, 0, seed), want, seed, "no checkpoints");
    }
}

/* Whatever the signal: the interruptible plan is never worse than the best contiguous run, which
 * is never worse than running at once; on long hourly windows like the jobs' own. */
Test(slots, never_worse_than_the_best_contiguous_run_nor_running_at_once)
{
    test_gen g = {0xbe57u};
    for (int it = 0; it < INSTANCES / 5; it++) {
        uint64_t seed = g.s;
        signal s = {0};
        s.n = 24 + (size_t)gen_below(&g, MAXSEG - 24 + 1);
        for (size_t k = 0; k < s.n; k++) {
            s.t[k + 1] = s.t[k] + H;
            s.ci[k] = 150 + 120 * sin((double)k / 3.8) + 60 * gen_unif(&g);
            s.price[k] = -20 + 120 * gen_unif(&g);
        }
        finish(&s);
        int64_t lo = gen_below(&g, 4 * H), hi = s.t[s.n] - gen_below(&g, 4 * H);
        int64_t d = 1 + gen_below(&g, (hi - lo) / 2), ck = gen_below(&g, H);
        double wc = it % 2 ? 0 : 1, wp = it % 2 ? 1 : 0;
        double slots = planned(&s, d, ck, lo, hi, wc, wp, seed);
        ccs_objective o = {wc, wp, 0, 0, 0, INFINITY, 0, 0, 0, 0};
        ccs_run_plan c = {0};
        cr_assert_eq(ccs_window_best_start(&s.w, d, lo, hi - d, &o, &c), 0);
        cr_assert(c.feasible);
        double contiguous = wc * c.ci_h + wp * c.price_h;
        ccs_run_plan_single(&c, &s.w, lo, lo + d);
        double now = wc * c.ci_h + wp * c.price_h;
        ccs_run_plan_free(&c);
        cr_assert(slots <= contiguous + 1e-9 * fabs(contiguous), "seed %llu: %.12g > contiguous %.12g",
                  (unsigned long long)seed, slots, contiguous);
        cr_assert(contiguous <= now + 1e-9 * fabs(now), "seed %llu: contiguous %.12g > now %.12g",
                  (unsigned long long)seed, contiguous, now);
    }
}

/* By hand: hours at 1, 10, 3, 3 (per hour), 2 h of work, 30 min checkpoints. Contiguous: the last
 * two hours, 6. Split: hour 0 (1) then 1.5 h at 3 (4.5): 5.5, the best; with 2 h checkpoints the
 * split would need 4 h of run and costs 1 + 3 x 3 = 10 > 6, so the run stays in one piece. */
Test(slots, by_hand)
{
    signal s = {.n = 4, .t = {0, H, 2 * H, 3 * H, 4 * H}, .ci = {1, 10, 3, 3}};
    finish(&s);
    ccs_run_plan p = {0};
    cr_assert_eq(ccs_slots_best(&s.w, 2 * H, H / 2, 0, 4 * H, 1, 0, &p), 0);
    cr_assert(p.feasible);
    cr_assert_eq(p.n, 2);
    cr_assert_eq(p.iv[0].a_us, 0);
    cr_assert_eq(p.iv[0].b_us, H);
    cr_assert_eq(p.iv[1].b_us - p.iv[1].a_us, 3 * H / 2);
    cr_assert_float_eq(p.ci_h, 5.5, 1e-12);
    cr_assert_eq(ccs_slots_best(&s.w, 2 * H, 2 * H, 0, 4 * H, 1, 0, &p), 0);
    cr_assert_eq(p.n, 1);
    cr_assert_eq(p.iv[0].a_us, 2 * H);
    cr_assert_float_eq(p.ci_h, 6, 1e-12);
    /* a window too short for the work */
    cr_assert_eq(ccs_slots_best(&s.w, 5 * H, 0, 0, 4 * H, 1, 0, &p), 0);
    cr_assert(!p.feasible);
    ccs_run_plan_free(&p);
}

/* Capped (models/slots.c, ccs_slots_best_capped) against every plan there is: on signals a few
 * microseconds long, every subset of the microseconds is a plan (its maximal stretches are the
 * runs), so the brute force below is exact over all plans, with no family assumed. Objective
 * rates >= 0; the constraint's rates of either sign (carbon-cap's intensity less the cap), or
 * >= 0 (price-tolerance's prices); the bound drawn between the least and the most constraint of
 * the plans that fit, so that it binds; half the searches given a known plan's cost as the
 * cutoff, where finding nothing must mean that plan is the best. */
typedef struct capped_case {
    signal s;      /* boundaries in cells of u microseconds */
    int64_t d, ck; /* in cells */
    int64_t u;
    ccs_objective o;
} capped_case;

/* Whether a plan (a subset of the microseconds) is of family F2: in each piece its cells are none,
 * all, or one stretch from the piece's start or up to its end, and at most two pieces are used in
 * part. Plans outside it fragment a piece, which pays only where a constraint rate is negative. */
static int in_f2(const signal *s, int64_t u, uint32_t m)
{
    int parts = 0;
    for (size_t j = 0; j < s->n; j++) {
        int64_t a = s->t[j] / u, b = s->t[j + 1] / u, used = 0, first = -1, last = -1;
        for (int64_t c = a; c < b; c++)
            if (m >> c & 1) {
                used++;
                if (first < 0) first = c;
                last = c;
            }
        if (used == 0 || used == b - a) continue;
        if (last - first + 1 != used || (first != a && last != b - 1)) return 0;
        parts++;
    }
    return parts <= 2;
}

/* The best plan of all meeting the bound (*all) and the best of F2 (*f2), with the least and the
 * most constraint among the plans that fit. */
static void capped_brute_force(const capped_case *k, double *all, double *f2, double *gmin, double *gmax)
{
    const signal *s = &k->s;
    int64_t span = s->t[s->n] / k->u;
    double rc[16], rq[16];
    for (int64_t c = 0; c < span; c++) {
        size_t j = 0;
        while (s->t[j + 1] <= c * k->u) j++;
        rc[c] = (k->o.obj_ci * s->ci[j] + k->o.obj_price * s->price[j]) * (double)k->u / US_PER_H;
        rq[c] = (k->o.con_ci * s->ci[j] + k->o.con_price * s->price[j] + k->o.con_hour) * (double)k->u / US_PER_H;
    }
    *all = *f2 = INFINITY;
    *gmin = INFINITY;
    *gmax = -INFINITY;
    for (uint32_t m = 1; m < (1u << span); m++) {
        int runs = 0, cells = 0;
        double obj = 0, con = 0;
        for (int64_t c = 0; c < span; c++)
            if (m >> c & 1) {
                cells++;
                obj += rc[c];
                con += rq[c];
                if (c == 0 || !(m >> (c - 1) & 1)) runs++;
            }
        if (cells != k->d + (runs - 1) * k->ck) continue;
        if (con < *gmin) *gmin = con;
        if (con > *gmax) *gmax = con;
        if (!(con <= k->o.bound)) continue;
        if (obj < *all) *all = obj;
        if (obj < *f2 && in_f2(s, k->u, m)) *f2 = obj;
    }
}

/* One capped case: a signal of up to 11 cells of u microseconds in up to 6 pieces, work and
 * checkpoint in whole cells, carbon-cap's objective and constraint (signs) or price-tolerance's,
 * the bound drawn between the least and the most constraint of the plans that fit (so that it
 * often binds). 0 if nothing fits. */
static int make_capped(capped_case *k, test_gen *g, int64_t u, int signs, double *all, double *f2, double *gmin,
                       double *gmax, int *binding)
{
    memset(k, 0, sizeof *k);
    signal *s = &k->s;
    int64_t span = 0;
    while (span < 11 && s->n < 6) {
        int64_t len = 1 + gen_below(g, 4);
        if (span + len > 11) len = 11 - span;
        span += len;
        s->t[s->n + 1] = span * u;
        s->ci[s->n] = s->n > 0 && gen_below(g, 5) == 0 ? s->ci[s->n - 1] : 20 + 500 * gen_unif(g);
        s->price[s->n] = 10 + 150 * gen_unif(g);
        s->n++;
    }
    finish(s);
    k->u = u;
    k->d = 1 + gen_below(g, span);
    k->ck = gen_below(g, 3);
    double y = 100 + 300 * gen_unif(g);
    if (signs)
        k->o = (ccs_objective){0, 1, 1, 0, -y, INFINITY, 0, 0, 0, 0}; /* cost, subject to intensity <= y */
    else
        k->o = (ccs_objective){1, 0, 0, 1, 0, INFINITY, 0, 0, 0, 0}; /* carbon, subject to cost <= B */
    capped_brute_force(k, all, f2, gmin, gmax);
    if (!isfinite(*gmin)) return 0;
    double unconstrained = *all;
    /* off any plan's own constraint by more than rounding: a plan exactly on it is a coin toss */
    k->o.bound = *gmin + (*gmax - *gmin) * gen_unif(g) + 1e-9 * (fabs(*gmin) + fabs(*gmax));
    capped_brute_force(k, all, f2, gmin, gmax);
    *binding += *all > unconstrained;
    return 1;
}

/* Capped against independent brute forces. At u = 1 us every subset of the microseconds is a
 * plan, so the enumeration of those in F2 is the family itself: the planner must equal it, with
 * the bound binding, whatever the signs (carbon-cap's constraint, intensity less the cap, is
 * negative in clean hours, where a plan can fragment a clean piece to dilute its mean intensity
 * with checkpoint time: F2 leaves that out, and the count is logged). With a known plan's cost as
 * the cutoff, finding nothing must mean that plan is the best. */
Test(slots, capped_equals_the_enumerated_family)
{
    test_gen g = {0xca99u};
    int binding = 0, cut = 0, outside = 0;
    for (int it = 0; it < INSTANCES; it++) {
        uint64_t seed = g.s;
        capped_case k;
        double all, f2, gmin, gmax;
        if (!make_capped(&k, &g, 1, it % 2, &all, &f2, &gmin, &gmax, &binding)) continue;
        outside += f2 > all;
        double ub = INFINITY;
        if (gen_below(&g, 2) && isfinite(f2)) ub = f2 * (1 + 0.3 * gen_unif(&g)), cut++;
        ccs_run_plan p = {0};
        int64_t span = k.s.t[k.s.n];
        cr_assert_eq(ccs_slots_best_capped(&k.s.w, k.d, k.ck, 0, span, &k.o, ub, &p), 0, "seed %llu: gave up",
                     (unsigned long long)seed);
        if (!p.feasible) {
            cr_assert(f2 >= ub * (1 - 1e-9), "seed %llu: nothing found under the cutoff %.12g, best %.12g",
                      (unsigned long long)seed, ub, f2);
        } else {
            /* value x hours: microseconds make tiny numbers, so compared relative to the scale */
            double obj = check_plan(&k.s, &p, k.d, k.ck, 0, span, k.o.obj_ci, k.o.obj_price, seed);
            double con = k.o.con_ci * p.ci_h + k.o.con_price * p.price_h + k.o.con_hour * p.hours;
            cr_assert(con <= k.o.bound + 1e-9 * (fabs(gmax) + fabs(gmin)), "seed %llu: %.12g over the bound %.12g",
                      (unsigned long long)seed, con, k.o.bound);
            cr_assert(fabs(obj - f2) <= 1e-9 * fabs(f2), "seed %llu: capped: planner %.12g, family %.12g",
                      (unsigned long long)seed, obj, f2);
        }
        ccs_run_plan_free(&p);
    }
    cr_log_info("capped: %d instances with a binding bound, %d with a cutoff, %d best outside F2", binding, cut,
                outside);
    cr_assert(binding > INSTANCES / 4, "only %d of %d instances had a binding bound", binding, INSTANCES);
    cr_assert(cut > INSTANCES / 4, "only %d searches had a cutoff", cut);
}

/* Rates >= 0 (price-tolerance), cells of a second: every plan on the grid, whatever its shape, is
 * no better than the planner's (which may place its two parts between the cells) beyond a
 * microsecond's worth of each part. */
Test(slots, capped_never_worse_than_any_plan_on_a_grid)
{
    test_gen g = {0x96d1u};
    int binding = 0, better = 0;
    const int64_t u = 1000000;
    for (int it = 0; it < INSTANCES; it++) {
        uint64_t seed = g.s;
        capped_case k;
        double all, f2, gmin, gmax;
        if (!make_capped(&k, &g, u, 0, &all, &f2, &gmin, &gmax, &binding)) continue;
        ccs_run_plan p = {0};
        int64_t span = k.s.t[k.s.n];
        cr_assert_eq(ccs_slots_best_capped(&k.s.w, k.d * u, k.ck * u, 0, span, &k.o, INFINITY, &p), 0,
                     "seed %llu: gave up", (unsigned long long)seed);
        cr_assert(p.feasible, "seed %llu: a grid plan meets the bound, the planner found none",
                  (unsigned long long)seed);
        double obj = check_plan(&k.s, &p, k.d * u, k.ck * u, 0, span, k.o.obj_ci, k.o.obj_price, seed);
        double slack = 2 * 520 / US_PER_H; /* two microseconds at the highest rate */
        cr_assert(obj <= all + slack + 1e-12 * all, "seed %llu: planner %.15g, a grid plan %.15g",
                  (unsigned long long)seed, obj, all);
        better += obj < all * (1 - 1e-9);
        ccs_run_plan_free(&p);
    }
    cr_log_info("capped on a grid: %d instances with a binding bound, %d where the planner beat every grid plan",
                binding, better);
    cr_assert(binding > INSTANCES / 4, "only %d of %d instances had a binding bound", binding, INSTANCES);
}
