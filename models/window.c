/* Window search; see window.h. */
#include "window.h"
#include "ccs_units.h"

#include "slots.h"

#include <math.h>
#include <stdlib.h>

/* Segment holding x, moving a cursor forward; x == t[n] maps to the last segment. */
static size_t seg_from(const ccs_window *w, int64_t x, size_t k)
{
    while (k + 1 < w->n && w->t[k + 1] <= x) k++;
    return k;
}

size_t ccs_window_segment(const ccs_window *w, int64_t x)
{
    size_t lo = 0, hi = w->n - 1; /* the answer is in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (w->t[mid] <= x)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static double prefix_at(const double *pre, const double *v, const int64_t *t, size_t k, int64_t x)
{
    return pre[k] + v[k] * ((double)(x - t[k]) / CCS_US_PER_HOUR_F);
}

void ccs_window_integrals(const ccs_window *w, int64_t a, int64_t b, double *ci_h, double *price_h)
{
    size_t ka = ccs_window_segment(w, a), kb = ccs_window_segment(w, b);
    *ci_h = prefix_at(w->ci_h, w->ci, w->t, kb, b) - prefix_at(w->ci_h, w->ci, w->t, ka, a);
    *price_h = prefix_at(w->price_h, w->price, w->t, kb, b) - prefix_at(w->price_h, w->price, w->t, ka, a);
}

int ccs_run_plan_append(ccs_run_plan *p, int64_t a, int64_t b)
{
    if (b <= a) return 0;
    if (p->n > 0 && p->iv[p->n - 1].b_us == a) {
        p->iv[p->n - 1].b_us = b;
        return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        ccs_interval *iv = realloc(p->iv, cap * sizeof *iv);
        if (!iv) return -1;
        p->iv = iv;
        p->cap = cap;
    }
    p->iv[p->n++] = (ccs_interval){a, b};
    return 0;
}

void ccs_run_plan_totals(ccs_run_plan *p, const ccs_window *w)
{
    p->ci_h = p->price_h = p->hours = 0;
    for (size_t i = 0; i < p->n; i++) {
        double c, q;
        ccs_window_integrals(w, p->iv[i].a_us, p->iv[i].b_us, &c, &q);
        p->ci_h += c;
        p->price_h += q;
        p->hours += (double)(p->iv[i].b_us - p->iv[i].a_us) / CCS_US_PER_HOUR_F;
    }
}

int ccs_run_plan_single(ccs_run_plan *p, const ccs_window *w, int64_t a, int64_t b)
{
    p->n = 0;
    p->exact = 0;
    if (ccs_run_plan_append(p, a, b) != 0) return -1;
    ccs_run_plan_totals(p, w);
    p->feasible = 1;
    return 0;
}

void ccs_run_plan_free(ccs_run_plan *p)
{
    free(p->iv);
    *p = (ccs_run_plan){0};
}

/* ---- contiguous runs ---- */

typedef struct best_so_far {
    double obj;
    int64_t s;
} best_so_far;

static double con_value(const ccs_objective *o, double c, double q, double h)
{
    return o->con_ci * c + o->con_price * q + o->con_hour * h;
}

/* Constraint i (0: the first, 1: the second) at integrals c, q over h hours, and its bound. */
static double con_i(const ccs_objective *o, int i, double c, double q, double h)
{
    return i == 0 ? con_value(o, c, q, h) : o->con2_ci * c + o->con2_price * q + o->con2_hour * h;
}

static int meets(const ccs_objective *o, double c, double q, double h)
{
    return con_value(o, c, q, h) <= o->bound && con_i(o, 1, c, q, h) <= o->bound2;
}

static void consider(best_so_far *b, const ccs_objective *o, int64_t s, double c, double q, double h)
{
    if (!meets(o, c, q, h)) return;
    double obj = o->obj_ci * c + o->obj_price * q;
    /* strictly better beyond rounding: equal windows keep the earliest start */
    if (b->s < 0 || obj < b->obj - 1e-12 * fabs(b->obj)) {
        b->obj = obj;
        b->s = s;
    }
}

/* Where constraint i changes sides between starts p (value gp) and s (value g) of one linear
 * piece: the crossing, rounded to the microsecond on its feasible side, is a candidate. */
static void crossing(const ccs_window *w, const ccs_objective *o, int i, int64_t d, double h, int64_t p, double gp,
                     int64_t s, double g, best_so_far *best)
{
    double bound = i == 0 ? o->bound : o->bound2;
    if ((gp <= bound) == (g <= bound) || s - p <= 1) return;
    double x = (double)p + (bound - gp) / (g - gp) * (double)(s - p);
    int64_t sc = gp <= bound ? (int64_t)floor(x) : (int64_t)ceil(x);
    /* The rounded crossing, recomputed, can land a few ulps over the bound (seen: 2.6e-12
     * relative): step toward the feasible end, 1, 2, 4, ... microseconds, until it meets the
     * bound or reaches that end (which is a candidate anyway). */
    int64_t toward = gp <= bound ? -1 : 1;
    for (int64_t step = 1; sc > p && sc < s; step *= 2) {
        double cc, qc;
        ccs_window_integrals(w, sc, sc + d, &cc, &qc);
        if (con_i(o, i, cc, qc, h) <= bound) {
            consider(best, o, sc, cc, qc, h);
            break;
        }
        sc += toward * step;
    }
}

int ccs_window_best_start(const ccs_window *w, int64_t d, int64_t lo, int64_t hi, const ccs_objective *o,
                          ccs_run_plan *out)
{
    out->n = 0;
    out->feasible = 0;
    out->exact = 1; /* the scan below is exhaustive: its answer, or that nothing fits, is proven */
    if (w->n == 0 || hi < lo || lo < w->t[0] || hi + d > w->t[w->n]) return 0;
    const double h = (double)d / CCS_US_PER_HOUR_F;
    const int constrained[2] = {isfinite(o->bound),
                                isfinite(o->bound2) && (o->con2_ci != 0 || o->con2_price != 0 || o->con2_hour != 0)};
    best_so_far best = {0, -1};
    size_t ks = ccs_window_segment(w, lo), ke = ccs_window_segment(w, lo + d);
    size_t ia = ks + 1, ie = ke + 1; /* next boundary to cross for the start, for the end */
    int64_t s = lo, prev_s = 0;
    double prev_g[2] = {0, 0};
    int have_prev = 0;
    for (;;) {
        ks = seg_from(w, s, ks);
        ke = seg_from(w, s + d, ke);
        double c = prefix_at(w->ci_h, w->ci, w->t, ke, s + d) - prefix_at(w->ci_h, w->ci, w->t, ks, s);
        double q = prefix_at(w->price_h, w->price, w->t, ke, s + d) - prefix_at(w->price_h, w->price, w->t, ks, s);
        double g[2] = {con_i(o, 0, c, q, h), con_i(o, 1, c, q, h)};
        for (int i = 0; i < 2; i++)
            if (constrained[i] && have_prev) crossing(w, o, i, d, h, prev_s, prev_g[i], s, g[i], &best);
        consider(&best, o, s, c, q, h);
        if (s >= hi) break;
        int64_t next = hi;
        while (ia <= w->n && w->t[ia] <= s) ia++;
        if (ia <= w->n && w->t[ia] < next) next = w->t[ia];
        while (ie <= w->n && w->t[ie] - d <= s) ie++;
        if (ie <= w->n && w->t[ie] - d < next) next = w->t[ie] - d;
        prev_s = s;
        prev_g[0] = g[0];
        prev_g[1] = g[1];
        have_prev = 1;
        s = next;
    }
    if (best.s < 0) return 0;
    int rc = ccs_run_plan_single(out, w, best.s, best.s + d);
    out->exact = 1;
    return rc;
}

/* ---- interruptible runs ---- */

typedef struct piece {
    int64_t a, b;
    double ci, price;
} piece;

typedef struct ranked {
    double key;
    size_t i; /* piece index: pieces are in time order */
} ranked;

typedef struct slots {
    const ccs_window *w;
    piece *p;
    size_t n;
    ranked *order;
    unsigned char *sel;
    int64_t d, ck;
} slots;

static int cmp_key(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i); /* earliest first among equals */
}

static int touches(const slots *s, size_t i, size_t j) { return s->p[i].b == s->p[j].a; }

/* Greedy plan for objective weights (wc, wp, wh per hour). Returns 0 or -1 (memory). */
static int greedy(slots *s, double wc, double wp, double wh, ccs_run_plan *out)
{
    out->n = 0;
    out->feasible = 0;
    for (size_t i = 0; i < s->n; i++) {
        s->order[i] = (ranked){wc * s->p[i].ci + wp * s->p[i].price + wh, i};
        s->sel[i] = 0;
    }
    qsort(s->order, s->n, sizeof *s->order, cmp_key);
    long m = 0; /* intervals in the selection */
    int64_t total = 0, need = s->d;
    size_t last = 0;
    for (size_t r = 0; r < s->n && total < need; r++) {
        size_t i = s->order[r].i;
        int left = i > 0 && s->sel[i - 1] && touches(s, i - 1, i);
        int right = i + 1 < s->n && s->sel[i + 1] && touches(s, i, i + 1);
        m += 1 - left - right;
        s->sel[i] = 1;
        total += s->p[i].b - s->p[i].a;
        need = s->d + (m - 1) * s->ck;
        last = i;
    }
    if (total < need || m == 0) return 0; /* the window is too short */
    int64_t excess = total - need;
    /* Trim the dearest piece (the last taken) on a side that keeps the interval count; with no
     * checkpoint cost any side will do, since a split then costs nothing. */
    piece keep = s->p[last];
    int left = last > 0 && s->sel[last - 1] && touches(s, last - 1, last);
    int right = last + 1 < s->n && s->sel[last + 1] && touches(s, last, last + 1);
    if (excess > 0 && excess < keep.b - keep.a && (!right || s->ck == 0)) {
        s->p[last].b -= excess;
        excess = 0;
    } else if (excess > 0 && excess < keep.b - keep.a && !left) {
        s->p[last].a += excess;
        excess = 0;
    }
    /* The dearest piece bridges two selected stretches (or sits where trimming would split):
     * either cut a gap of excess - checkpoint out of it (one more resume), or trim the run's
     * first or last excess; whichever saves most. */
    int64_t gap = 0;
    if (excess > 0 && excess > s->ck && excess - s->ck < keep.b - keep.a) {
        double per_h = wc * keep.ci + wp * keep.price + wh;
        double save_gap = per_h * (double)(excess - s->ck) / CCS_US_PER_HOUR_F;
        int64_t lo = INT64_MAX, hi = INT64_MIN; /* the run's first start and last end */
        for (size_t i = 0; i < s->n; i++)
            if (s->sel[i]) {
                if (lo == INT64_MAX) lo = s->p[i].a;
                hi = s->p[i].b;
            }
        double c, q;
        ccs_window_integrals(s->w, hi - excess, hi, &c, &q);
        double save_edge = wc * c + wp * q + wh * (double)excess / CCS_US_PER_HOUR_F;
        ccs_window_integrals(s->w, lo, lo + excess, &c, &q);
        double save_start = wc * c + wp * q + wh * (double)excess / CCS_US_PER_HOUR_F;
        if (save_start > save_edge) save_edge = save_start;
        if (save_gap > save_edge) {
            gap = excess - s->ck;
            excess = 0;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        if (!s->sel[i]) continue;
        int64_t b = i == last && gap ? s->p[i].b - gap : s->p[i].b;
        if (ccs_run_plan_append(out, s->p[i].a, b) != 0) return -1;
    }
    s->p[last] = keep;
    /* trim the cheaper edge of the whole run first: the start, when it saves more */
    if (excess > 0 && out->n > 0 && out->iv[0].b_us - out->iv[0].a_us > excess) {
        double c1, q1, c2, q2;
        const ccs_interval *f = &out->iv[0], *l = &out->iv[out->n - 1];
        ccs_window_integrals(s->w, f->a_us, f->a_us + excess, &c1, &q1);
        ccs_window_integrals(s->w, l->b_us - excess > l->a_us ? l->b_us - excess : l->a_us, l->b_us, &c2, &q2);
        if (wc * c1 + wp * q1 > wc * c2 + wp * q2) {
            out->iv[0].a_us += excess;
            excess = 0;
        }
    }
    /* Otherwise trim from the end of the latest interval; an interval used up entirely saves
     * its resume, which adds to what is left to trim. */
    while (excess > 0 && out->n > 0) {
        ccs_interval *v = &out->iv[out->n - 1];
        int64_t len = v->b_us - v->a_us;
        if (len > excess) {
            v->b_us -= excess;
            excess = 0;
        } else {
            excess -= len;
            out->n--;
            if (out->n > 0) excess += s->ck;
        }
    }
    ccs_run_plan_totals(out, s->w);
    out->feasible = 1;
    return 0;
}

/* Keeps cand in *out when it meets the bound and does strictly better (beyond rounding): equal
 * plans keep the one offered first. The two swap buffers. */
static void offer_plan(const ccs_objective *o, ccs_run_plan *cand, ccs_run_plan *out, double *best, int *have)
{
    if (!cand->feasible || !(con_value(o, cand->ci_h, cand->price_h, cand->hours) <= o->bound)) return;
    double v = o->obj_ci * cand->ci_h + o->obj_price * cand->price_h;
    if (*have && !(v < *best - 1e-12 * fabs(*best))) return;
    ccs_run_plan t = *out;
    *out = *cand;
    *cand = t;
    *best = v;
    *have = 1;
}

int ccs_window_best_slots(const ccs_window *w, int64_t d, int64_t ck, int64_t lo, int64_t hi, const ccs_objective *o,
                          ccs_run_plan *out)
{
    out->n = 0;
    out->feasible = 0;
    out->exact = 1; /* nothing fits: proven */
    if (w->n == 0 || hi <= lo || lo < w->t[0] || hi > w->t[w->n] || hi - lo < d) return 0;
    int rc = ccs_slots_best(w, d, ck, lo, hi, o->obj_ci, o->obj_price, out);
    if (rc < 0) return -1;
    if (rc == 0) {
        if (!out->feasible) {
            out->exact = 1; /* the search is exhaustive over F: nothing fits */
            return 0;
        }
        /* the unconstrained optimum, meeting the bound: the constrained optimum too */
        out->exact = !isfinite(o->bound) || con_value(o, out->ci_h, out->price_h, out->hours) <= o->bound;
        if (out->exact) return 0;
    }
    out->n = 0;
    out->feasible = 0;
    slots s = {w, NULL, 0, NULL, NULL, d, ck};
    s.p = malloc(w->n * sizeof *s.p);
    s.order = malloc(w->n * sizeof *s.order);
    s.sel = calloc(w->n, 1);
    ccs_run_plan cand = {0};
    double best = INFINITY;
    int have = 0, proven = 0;
    if (!s.p || !s.order || !s.sel) {
        rc = -1;
        goto done;
    }
    for (size_t k = ccs_window_segment(w, lo); k < w->n && w->t[k] < hi; k++) {
        int64_t a = w->t[k] > lo ? w->t[k] : lo, b = w->t[k + 1] < hi ? w->t[k + 1] : hi;
        if (b > a) s.p[s.n++] = (piece){a, b, w->ci[k], w->price[k]};
    }
    /* the best contiguous run under the bound: exact for contiguous runs, run-now among them */
    if ((rc = ccs_window_best_start(w, d, lo, hi - d, o, &cand)) != 0) goto done;
    offer_plan(o, &cand, out, &best, &have);
    if ((rc = greedy(&s, o->obj_ci, o->obj_price, 0, &cand)) != 0) goto done;
    offer_plan(o, &cand, out, &best, &have);
    if (!isfinite(o->bound)) goto done;
    /* Lagrangian family: greedy plans on obj + lambda con for a fixed ladder of lambdas (a scale
     * times 2^(k/4), k = -60..60, then the constraint alone), the best feasible one kept. The
     * ladder depends on the window only, never on the bound, so a looser bound can only add
     * candidates: the answer never gets worse as the bound grows (a cost cap's
     * monotonicity), and the contiguous candidate above keeps that too. */
    double omax = 0, cmax = 0;
    for (size_t i = 0; i < s.n; i++) {
        double ov = fabs(o->obj_ci * s.p[i].ci) + fabs(o->obj_price * s.p[i].price);
        double cv = fabs(o->con_ci * s.p[i].ci) + fabs(o->con_price * s.p[i].price) + fabs(o->con_hour);
        if (ov > omax) omax = ov;
        if (cv > cmax) cmax = cv;
    }
    double scale = omax > 0 && cmax > 0 ? omax / cmax : 1.0;
    for (int k = -60; k <= 61 && !rc; k++) {
        double lam = scale * pow(2.0, k / 4.0);
        double wc = o->obj_ci + lam * o->con_ci, wp = o->obj_price + lam * o->con_price, wh = lam * o->con_hour;
        if (k == 61) wc = o->con_ci, wp = o->con_price, wh = o->con_hour; /* the constraint alone */
        if ((rc = greedy(&s, wc, wp, wh, &cand)) != 0) break;
        offer_plan(o, &cand, out, &best, &have);
    }
    /* The exact capped search, pruned by the best of the family: its plan when it is better (or
     * the family's when equal), proven best either way; if it gives up, the family's, unproven. */
    if (!rc) {
        int erc = ccs_slots_best_capped(w, d, ck, lo, hi, o, have ? best : INFINITY, &cand);
        if (erc < 0) {
            rc = -1;
        } else if (erc == 0) {
            /* nothing found: no plan meets the bound and beats the family's best (if any). A plan
             * found beats it, and meets the bound in the search's own sums: checked again here
             * (sums in another order round apart; a plan over the bound by rounding is dropped
             * and the answer stays unproven). */
            proven = !cand.feasible || con_value(o, cand.ci_h, cand.price_h, cand.hours) <= o->bound;
            if (proven) offer_plan(o, &cand, out, &best, &have);
        }
    }
done:
    ccs_run_plan_free(&cand);
    out->exact = !rc && proven;
    if (!rc && !have) out->feasible = 0;
    free(s.p);
    free(s.order);
    free(s.sel);
    return rc;
}
