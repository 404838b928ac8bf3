/* Exact plans for interruptible runs; see slots.h for the problem, the family of plans searched,
 * why it loses nothing, and the complexity. */
#include "slots.h"
#include "ccs_units.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Forward states at a boundary: nothing run yet, paused after a run, running (the piece before was
 * run). Backward states of the suffix from a boundary: nothing runs in it, its first piece idle
 * (something runs later), its first piece run. */
enum { FW_NONE, FW_PAUSED, FW_RUNNING };
enum { BK_EMPTY = FW_NONE, BK_PAUSED = FW_PAUSED, BK_RUNNING = FW_RUNNING };
enum { NSTATES = 3 };

typedef struct label {
    int64_t w;          /* effective work: run time less ck per start */
    double c;           /* cost: the rate's integral over the run time */
    double g;           /* capped search: the constraint's integral (else 0) */
    int32_t prev;       /* index in the neighbouring boundary's list of state prev_state; -1: none */
    uint8_t prev_state; /* the state it came from */
    uint8_t run;        /* 1: the piece between the two boundaries was run */
} label;

/* A boundary's labels of one state: a stretch of the search's one arena (so that a plan costs a
 * few allocations, not one per list), by offset, since the arena moves as it grows. */
typedef struct list {
    size_t off, n;
} list;

typedef struct piece {
    int64_t a, len;
    double rate; /* objective per hour */
    double con;  /* capped search: the constraint per hour */
} piece;

typedef struct search {
    const piece *p;
    size_t n;
    int64_t ck, need; /* need = d - ck: the effective work of a finished plan */
    list *fw, *bk;    /* (n + 1) x NSTATES lists, by boundary then state */
    label *arena;
    size_t used, cap;
    double *min_after, *min_before; /* least rate over pieces j..n-1, and over 0..j-1 */
    int too_many;                   /* the arena reached CCS_SLOTS_MAX_LABELS, or the joins their budget */
    double ub;                      /* a plan's cost (the best contiguous run's): INFINITY if none */
    /* capped search only */
    int capped;
    double bound;                     /* the constraint's integral may not exceed it */
    double *minq_after, *minq_before; /* least constraint rate over pieces j..n-1, and over 0..j-1 */
    double *stair_c, *stair_g;        /* scratch: a staircase of (cost, constraint) for dominance */
    size_t stair_cap;
    long long pairs_left; /* join pairs the capped search may still weigh */
    int32_t *dq;          /* scratch for the joins' deques: the longest backward list */
    size_t max_labels;    /* CCS_SLOTS_MAX_LABELS, or _CAPPED */
} search;

/* One way into a list: every label of a neighbouring list, its work shifted and its cost raised. */
typedef struct source {
    const list *from;
    int64_t dw;
    double dc, dg;
    uint8_t state, run;
} source;

/* Fills `to` with the labels of up to three sources, each sorted by work, merged in order of work
 * and keeping the cheapest per work value (the first source among equals: a fixed order, so the
 * plan never depends on chance); in a capped search, every label of a work value that no other of
 * that value beats on both cost and constraint (a Pareto front). Then, when every rate on the side
 * still to come is >= 0 (prune), a label is dropped if another with more work, but no more than
 * the plan needs, costs no more (and, capped, adds no more to the constraint, whose rates there
 * must be >= 0 too): that one can follow any continuation of the dropped one and stop early, which
 * costs nothing at rates >= 0. A label with more work than needed can be completed only by runs
 * no longer than a checkpoint (each adds its length less a checkpoint); when every rate in the
 * window is >= 0 (prune == 2; capped: the constraint's too) such runs are never needed (dropping
 * one and trimming the rest to the work costs nothing: so in a best plan every run is longer than
 * a checkpoint, or it is the only one, and no part of it holds more work than the whole), so those
 * labels go too; otherwise they stay, and never drop others, since trimming them would reach back
 * into pieces of any sign. */
static int reserve(search *s, size_t more)
{
    if (s->used + more <= s->cap) return 0;
    if (s->used + more > s->max_labels) {
        s->too_many = 1;
        return -1;
    }
    size_t cap = s->cap ? 2 * s->cap : 1024;
    while (cap < s->used + more) cap *= 2;
    label *v = realloc(s->arena, cap * sizeof *v);
    if (!v) return -1;
    s->arena = v;
    s->cap = cap;
    return 0;
}

/* Bound pruning (with prune == 2: every rate >= 0): a label whose cost plus the least the rest of
 * the work can cost (its length at the least rate on the side still to come, min_rate) exceeds a
 * known plan's cost, s->ub, can be in no better plan. Kept with a margin of 1e-9 relative, so no
 * plan within rounding of the optimum is lost. Capped, with the constraint's rates >= 0 on the
 * side to come (min_con >= 0), a label that must exceed the bound the same way goes too. Labels
 * stay in order of work. */
static void drop_above_bound(const search *s, label *v, size_t *n, double min_rate, double min_con, int by_cost)
{
    double ub = s->ub + 1e-9 * fabs(s->ub), per_us = min_rate / CCS_US_PER_HOUR_F, con_us = min_con / CCS_US_PER_HOUR_F;
    int by_con = s->capped && min_con >= 0;
    by_cost = by_cost && isfinite(s->ub);
    if (!by_cost && !by_con) return;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        int64_t rest = s->need - v[i].w; /* (the least rate past the last piece is INFINITY) */
        double r = (double)rest;
        if (by_cost && !(v[i].c + (rest > 0 ? per_us * r : 0.0) <= ub)) continue;
        if (by_con && !(v[i].g + (rest > 0 ? con_us * r : 0.0) <= s->bound)) continue;
        v[k++] = v[i];
    }
    *n = k;
}

/* Capped dominance across work values: with labels visited from the most work down, the
 * staircase holds the (cost, constraint) front of those kept so far, by rising cost. */
static int stair_dominates(const search *s, size_t m, double c, double g)
{
    size_t lo = 0, hi = m; /* the last entry with cost <= c has the least constraint among them */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->stair_c[mid] <= c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && s->stair_g[lo - 1] <= g;
}

static void stair_insert(search *s, size_t *m, double c, double g)
{
    size_t p = 0;
    while (p < *m && s->stair_c[p] < c) p++;
    size_t q = p;
    while (q < *m && s->stair_g[q] >= g) q++; /* entries it dominates */
    memmove(s->stair_c + p + 1, s->stair_c + q, (*m - q) * sizeof *s->stair_c);
    memmove(s->stair_g + p + 1, s->stair_g + q, (*m - q) * sizeof *s->stair_g);
    s->stair_c[p] = c;
    s->stair_g[p] = g;
    *m = *m - (q - p) + 1;
}

static int merge(search *s, list *to, const source *src, int nsrc, int prune, double min_rate, double min_con)
{
    size_t total = 0, at[3] = {0, 0, 0};
    const int64_t need = s->need;
    for (int k = 0; k < nsrc; k++) total += src[k].from->n;
    if (reserve(s, total) != 0) return -1;
    to->off = s->used;
    to->n = 0;
    label *out = s->arena + to->off;
    double gmin = INFINITY; /* capped: the least constraint among kept labels of the current work */
    for (;;) {
        int pick = -1;
        int64_t w = 0;
        double c = 0, g = 0;
        for (int k = 0; k < nsrc; k++) {
            if (at[k] == src[k].from->n) continue;
            const label *l = &s->arena[src[k].from->off + at[k]];
            int64_t lw = l->w + src[k].dw;
            double lc = l->c + src[k].dc, lg = l->g + src[k].dg;
            if (pick < 0 || lw < w || (lw == w && (lc < c || (lc == c && lg < g)))) pick = k, w = lw, c = lc, g = lg;
        }
        if (pick < 0) break;
        int32_t i = (int32_t)at[pick]++;
        if (to->n > 0 && out[to->n - 1].w == w && (!s->capped || !(g < gmin)))
            continue; /* a dearer (or later) label of equal work */
        gmin = g;
        out[to->n++] = (label){w, c, g, i, src[pick].state, src[pick].run};
    }
    /* capped, the dominance across work values also needs the constraint's rates >= 0 to come */
    int across = prune && (!s->capped || min_con >= 0);
    int beyond = prune > 1 && (!s->capped || s->minq_before[s->n] >= 0);
    if (across || beyond) {
        size_t over = to->n; /* labels from here on have more work than needed */
        while (over > 0 && out[over - 1].w > need) over--;
        if (beyond) to->n = over;
        size_t keep = over;
        if (!s->capped) {
            double best = INFINITY;
            for (size_t i = over; i-- > 0;) /* from the most work down: what is cheaper than all above */
                if (out[i].c < best) {
                    best = out[i].c;
                    out[--keep] = out[i];
                }
        } else {
            if (over > s->stair_cap) {
                size_t cap = over * 2;
                double *sc = realloc(s->stair_c, cap * sizeof *sc);
                if (!sc) return -1;
                s->stair_c = sc;
                double *sg = realloc(s->stair_g, cap * sizeof *sg);
                if (!sg) return -1;
                s->stair_g = sg;
                s->stair_cap = cap;
            }
            size_t m = 0;
            for (size_t i = over; i-- > 0;)
                if (!stair_dominates(s, m, out[i].c, out[i].g)) {
                    stair_insert(s, &m, out[i].c, out[i].g);
                    out[--keep] = out[i];
                }
        }
        if (keep > 0) memmove(out, out + keep, (to->n - keep) * sizeof *out);
        to->n -= keep;
    }
    if (prune > 1 || s->capped) drop_above_bound(s, out, &to->n, min_rate, min_con, prune > 1);
    s->used += to->n;
    return 0;
}

/* The lists at one boundary from those at its neighbour across piece p: idle, paused, running.
 * The same moves forward (from lo) and backward (from hi): a run that goes on across the
 * boundary takes no new start. Labels are recorded with their neighbour's state. */
static int step(search *s, const list *from, list *to, const piece *p, int prune, double min_rate, double min_con)
{
    double run_cost = p->rate * ((double)p->len / CCS_US_PER_HOUR_F),
           run_con = p->con * ((double)p->len / CCS_US_PER_HOUR_F);
    source none[1] = {{&from[FW_NONE], 0, 0, 0, FW_NONE, 0}};
    source paused[2] = {{&from[FW_PAUSED], 0, 0, 0, FW_PAUSED, 0}, {&from[FW_RUNNING], 0, 0, 0, FW_RUNNING, 0}};
    source running[3] = {{&from[FW_NONE], p->len - s->ck, run_cost, run_con, FW_NONE, 1},
                         {&from[FW_PAUSED], p->len - s->ck, run_cost, run_con, FW_PAUSED, 1},
                         {&from[FW_RUNNING], p->len, run_cost, run_con, FW_RUNNING, 1}};
    /* nothing started: its work is 0, and the first start still to come takes a checkpoint off */
    if (merge(s, &to[FW_NONE], none, 1, prune > 0, min_rate, min_con) ||
        merge(s, &to[FW_PAUSED], paused, 2, prune, min_rate, min_con) ||
        merge(s, &to[FW_RUNNING], running, 3, prune, min_rate, min_con))
        return -1;
    return 0;
}

static int start(search *s, list *at)
{
    if (reserve(s, 1) != 0) return -1;
    s->arena[s->used] = (label){0, 0.0, 0.0, -1, 0, 0};
    at[FW_NONE] = (list){s->used++, 1};
    return 0;
}

static int forward(search *s)
{
    if (start(s, &s->fw[0]) != 0) return -1;
    for (size_t j = 0; j < s->n; j++) {
        int prune = s->min_before[s->n] >= 0 ? 2 : s->min_after[j + 1] >= 0;
        /* the rest of the work runs at no less than the least rate still to come */
        if (step(s, &s->fw[j * NSTATES], &s->fw[(j + 1) * NSTATES], &s->p[j], prune, s->min_after[j + 1],
                 s->capped ? s->minq_after[j + 1] : 0))
            return -1;
    }
    return 0;
}

/* Backward states mirror the forward ones (BK_EMPTY = FW_NONE, ...): running into a suffix that
 * starts running moves its start here, no new one. */
static int backward(search *s)
{
    if (start(s, &s->bk[s->n * NSTATES]) != 0) return -1;
    for (size_t j = s->n; j-- > 0;) {
        int prune = s->min_before[s->n] >= 0 ? 2 : s->min_before[j] >= 0;
        if (step(s, &s->bk[(j + 1) * NSTATES], &s->bk[j * NSTATES], &s->p[j], prune, s->min_before[j],
                 s->capped ? s->minq_before[j] : 0))
            return -1;
    }
    return 0;
}

/* The best plan found: either a forward label alone (no piece in part), or a forward label, one
 * piece in part and a backward label; or (capped: two pieces in part) the pieces run, kept as
 * they were found. */
typedef struct best {
    double c;
    int found;
    size_t piece;       /* the piece used in part; n: none */
    int fst, bst, tail; /* states; tail: the part is the piece's end (1) or its start (0) */
    int32_t fi, bi;
    int64_t x;
    /* two pieces in part: run[] marks the whole pieces; part k1 (x1, tail1) and k2 (x2, tail2) */
    int two;
    unsigned char *run;
    size_t k1, k2;
    int tail1, tail2;
    int64_t x1, x2;
} best;

static int better(const best *b, double c) { return !b->found || c < b->c - 1e-12 * fabs(b->c); }

static void offer(best *b, double c, size_t part, int fst, int bst, int tail, int32_t fi, int32_t bi, int64_t x)
{
    if (!better(b, c)) return; /* equal plans keep the first found */
    b->c = c;
    b->found = 1;
    b->piece = part;
    b->fst = fst, b->bst = bst, b->tail = tail;
    b->fi = fi, b->bi = bi;
    b->x = x;
    b->two = 0;
}

/* Joins forward labels at piece k's start with backward labels at its end through a part x of
 * it, 1 <= x <= len - 1, x = x0 - wf - wb: for each forward label (by decreasing work, so the
 * window of backward work rises), the backward label minimising cb - rate wb, by a monotone deque. */
static int join(const search *s, size_t k, int fst, int bst, int tail, int64_t x0, best *b, int32_t *dq)
{
    const list *f = &s->fw[k * NSTATES + fst], *g = &s->bk[(k + 1) * NSTATES + bst];
    if (f->n == 0 || g->n == 0) return 0;
    const label *fv = s->arena + f->off, *gv = s->arena + g->off;
    const piece *p = &s->p[k];
    const double per_us = p->rate / CCS_US_PER_HOUR_F;
    size_t head = 0, tail_i = 0, next = 0;
    for (size_t i = f->n; i-- > 0;) {
        const label *lf = &fv[i];
        int64_t lo = x0 - lf->w - (p->len - 1), hi = x0 - lf->w - 1;
        while (next < g->n && gv[next].w <= hi) {
            double v = gv[next].c - per_us * (double)gv[next].w;
            while (tail_i > head && gv[dq[tail_i - 1]].c - per_us * (double)gv[dq[tail_i - 1]].w > v) tail_i--;
            dq[tail_i++] = (int32_t)next++;
        }
        while (head < tail_i && gv[dq[head]].w < lo) head++;
        if (head == tail_i) continue;
        const label *lg = &gv[dq[head]];
        int64_t x = x0 - lf->w - lg->w;
        offer(b, lf->c + lg->c + per_us * (double)x, k, fst, bst, tail, (int32_t)i, dq[head], x);
    }
    return 0;
}

/* The first label of a list (sorted by work) with work >= w. */
static size_t first_at_least(const label *v, size_t n, int64_t w)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid].w < w)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The least c - rho w over the backward labels whose work lies in a window that only rises (a
 * monotone deque): a lower bound on what any pair in the window can cost, ignoring the bound. */
typedef struct slide {
    const label *v;
    size_t n, head, tail, next;
    double rho;
    int32_t *dq;
} slide;

static double slide_min(slide *z, int64_t lo, int64_t hi)
{
    while (z->next < z->n && z->v[z->next].w <= hi) {
        double v = z->v[z->next].c - z->rho * (double)z->v[z->next].w;
        while (z->tail > z->head && z->v[z->dq[z->tail - 1]].c - z->rho * (double)z->v[z->dq[z->tail - 1]].w > v)
            z->tail--;
        z->dq[z->tail++] = (int32_t)z->next++;
    }
    while (z->head < z->tail && z->v[z->dq[z->head]].w < lo) z->head++;
    if (z->head == z->tail) return INFINITY;
    const label *l = &z->v[z->dq[z->head]];
    return l->c - z->rho * (double)l->w;
}

/* What a pair must cost less than to be worth weighing: the best plan found, else the caller's. */
static double cutoff(const search *s, const best *b) { return b->found ? b->c : s->ub; }

/* Capped: the same join, every pair in the window of work weighed against the bound, for each
 * forward label whose cheapest pair (bound aside, from the deque) could beat the best so far.
 * Counts pairs against the search's budget. */
static int join_capped(search *s, size_t k, int fst, int bst, int tail, int64_t x0, best *b)
{
    const list *f = &s->fw[k * NSTATES + fst], *g = &s->bk[(k + 1) * NSTATES + bst];
    if (f->n == 0 || g->n == 0) return 0;
    const label *fv = s->arena + f->off, *gv = s->arena + g->off;
    const piece *p = &s->p[k];
    const double per_us = p->rate / CCS_US_PER_HOUR_F, con_us = p->con / CCS_US_PER_HOUR_F;
    slide z = {gv, g->n, 0, 0, 0, per_us, s->dq};
    for (size_t i = f->n; i-- > 0;) {
        const label *lf = &fv[i];
        int64_t lo = x0 - lf->w - (p->len - 1), hi = x0 - lf->w - 1;
        double least = lf->c + per_us * (double)(x0 - lf->w) + slide_min(&z, lo, hi);
        if (!(least < cutoff(s, b))) continue;
        for (size_t j = first_at_least(gv, g->n, lo); j < g->n && gv[j].w <= hi; j++) {
            if (--s->pairs_left < 0) {
                s->too_many = 1;
                return -1;
            }
            int64_t x = x0 - lf->w - gv[j].w;
            if (!(lf->g + gv[j].g + con_us * (double)x <= s->bound)) continue;
            offer(b, lf->c + gv[j].c + per_us * (double)x, k, fst, bst, tail, (int32_t)i, (int32_t)j, x);
        }
    }
    return 0;
}

/* Marks the pieces run by the forward label (k, st, i), walking back to lo. */
static void mark_forward(const search *s, size_t k, int st, int32_t i, unsigned char *run)
{
    for (size_t j = k; j > 0 && i >= 0; j--) {
        const label *l = &s->arena[s->fw[j * NSTATES + st].off + (size_t)i];
        run[j - 1] = l->run;
        st = l->prev_state;
        i = l->prev;
    }
}

static void mark_backward(const search *s, size_t k, int st, int32_t i, unsigned char *run)
{
    for (size_t j = k; j < s->n && i >= 0; j++) {
        const label *l = &s->arena[s->bk[j * NSTATES + st].off + (size_t)i];
        run[j] = l->run;
        st = l->prev_state;
        i = l->prev;
    }
}

/* Capped, two pieces in part. A plan whose bound binds may need two end points off the signal's
 * boundaries: with the pieces run whole fixed, the two parts x1 (piece k1) and x2 (piece k2 > k1)
 * are a linear programme with two constraints (the work, the bound), whose optimum sits where
 * both are tight or one part is at an end of its range (then it is a plan of one part, which
 * join_capped weighs). For each k1 the search runs forward from k1's end over whole pieces
 * ("mid" labels: work, cost and constraint without x1, the same for every label of this k1), and
 * at each later piece k2 joins them with the backward labels: x1 + x2 is fixed by the work, and
 * the best x1 within the bound is an end of an interval, found in O(1) per pair. */
typedef struct mid_search {
    list *mid; /* (n + 1) x NSTATES lists of the current k1 */
    size_t k1;
} mid_search;

/* Marks the pieces of a two-part plan and sets its parts; the mid label (j, st, i) ends at piece
 * k2 = j's start. */
static void mark_two(const search *s, const mid_search *m, size_t j, int st, int32_t i, unsigned char *run, int *tail1)
{
    for (; j > m->k1 + 1; j--) {
        const label *l = &s->arena[m->mid[j * NSTATES + st].off + (size_t)i];
        run[j - 1] = l->run;
        st = l->prev_state;
        i = l->prev;
    }
    const label *l = &s->arena[m->mid[(m->k1 + 1) * NSTATES + st].off + (size_t)i];
    *tail1 = st == FW_RUNNING; /* a part at k1's start leaves the run paused at its end */
    mark_forward(s, m->k1, l->prev_state, l->prev, run);
}

static int join_two(search *s, const mid_search *m, size_t k2, int ms, int bs, int tail2, best *b)
{
    const list *f = &m->mid[k2 * NSTATES + ms], *g = &s->bk[(k2 + 1) * NSTATES + bs];
    if (f->n == 0 || g->n == 0) return 0;
    const piece *p1 = &s->p[m->k1], *p2 = &s->p[k2];
    const double r1 = p1->rate / CCS_US_PER_HOUR_F, r2 = p2->rate / CCS_US_PER_HOUR_F, q1 = p1->con / CCS_US_PER_HOUR_F,
                 q2 = p2->con / CCS_US_PER_HOUR_F;
    int64_t x0 = tail2 ? s->need + s->ck - (bs == FW_RUNNING ? s->ck : 0) : s->need + (ms == FW_RUNNING ? 0 : s->ck);
    const label *gv = s->arena + g->off;
    const double rho = fmin(r1, r2); /* x1 + x2 is fixed: they cost at least that much per unit */
    slide z = {gv, g->n, 0, 0, 0, rho, s->dq};
    for (size_t i = f->n; i-- > 0;) {
        const label *lf = &s->arena[f->off + i];
        int64_t lo = x0 - lf->w - (p1->len + p2->len - 2), hi = x0 - lf->w - 2;
        double least = lf->c + rho * (double)(x0 - lf->w) + slide_min(&z, lo, hi);
        if (!(least < cutoff(s, b))) continue;
        for (size_t j = first_at_least(gv, g->n, lo); j < g->n && gv[j].w <= hi; j++) {
            if (--s->pairs_left < 0) {
                s->too_many = 1;
                return -1;
            }
            const int64_t sum = x0 - lf->w - gv[j].w; /* x1 + x2 */
            int64_t a = sum - (p2->len - 1) > 1 ? sum - (p2->len - 1) : 1;
            int64_t z = p1->len - 1 < sum - 1 ? p1->len - 1 : sum - 1;
            if (a > z) continue;
            const double base_c = lf->c + gv[j].c, base_g = lf->g + gv[j].g;
#define CON_AT(x1)  (base_g + q1 * (double)(x1) + q2 * (double)(sum - (x1)))
#define COST_AT(x1) (base_c + r1 * (double)(x1) + r2 * (double)(sum - (x1)))
            /* the x1 meeting the bound: an interval, since the constraint is linear in x1 */
            double slope = q1 - q2;
            if (slope != 0) {
                double cross = (s->bound - (base_g + q2 * (double)sum)) / slope;
                if (slope > 0) {
                    if (cross < (double)z) z = cross < (double)a ? a - 1 : (int64_t)floor(cross);
                } else if (cross > (double)a) {
                    a = cross > (double)z ? z + 1 : (int64_t)ceil(cross);
                }
                /* rounding at the crossing: a step or two onto the feasible side */
                for (int t = 0; t < 4 && a <= z && slope > 0 && !(CON_AT(z) <= s->bound); t++) z--;
                for (int t = 0; t < 4 && a <= z && slope < 0 && !(CON_AT(a) <= s->bound); t++) a++;
            }
            if (a > z) continue;
            int64_t x1 = r1 - r2 < 0 ? z : a;
            if (!(CON_AT(x1) <= s->bound)) continue;
            double c = COST_AT(x1);
#undef CON_AT
#undef COST_AT
            if (!better(b, c)) continue;
            memset(b->run, 0, s->n);
            int t1;
            mark_two(s, m, k2, ms, (int32_t)i, b->run, &t1);
            mark_backward(s, k2 + 1, bs, (int32_t)j, b->run);
            b->c = c;
            b->found = 1;
            b->two = 1;
            b->k1 = m->k1, b->k2 = k2;
            b->tail1 = t1, b->tail2 = tail2;
            b->x1 = x1, b->x2 = sum - x1;
        }
    }
    return 0;
}

/* The two-part plans whose first part is in piece k1. The mid lists live in the arena above
 * what forward and backward hold, and are given back afterwards. */
static int search_two(search *s, mid_search *m, size_t k1, best *b)
{
    const size_t n = s->n, used = s->used;
    const piece *p1 = &s->p[k1];
    if (p1->len < 2 || k1 + 1 >= n) return 0;
    m->k1 = k1;
    memset(m->mid, 0, (n + 1) * NSTATES * sizeof *m->mid);
    const list *f = &s->fw[k1 * NSTATES];
    list *at = &m->mid[(k1 + 1) * NSTATES];
    /* a part at k1's start (paused after it; a new start unless the run goes on into it) or at
     * its end (running on; always a new start). x1 itself is added at the join. */
    source head[3] = {{&f[FW_NONE], -s->ck, 0, 0, FW_NONE, 0},
                      {&f[FW_PAUSED], -s->ck, 0, 0, FW_PAUSED, 0},
                      {&f[FW_RUNNING], 0, 0, 0, FW_RUNNING, 0}};
    source tail[3] = {{&f[FW_NONE], -s->ck, 0, 0, FW_NONE, 0},
                      {&f[FW_PAUSED], -s->ck, 0, 0, FW_PAUSED, 0},
                      {&f[FW_RUNNING], -s->ck, 0, 0, FW_RUNNING, 0}};
    /* Pruned as forward labels are: x1 is still to come, at piece k1's rates (a mid label's work
     * leaves x1 out, so what it still needs includes x1), and two labels of one k1 differ only
     * in what they hold besides x1. */
    int all = s->min_before[n] >= 0, rc = 0;
    int prune = all ? 2 : fmin(p1->rate, s->min_after[k1 + 1]) >= 0;
    if (merge(s, &at[FW_PAUSED], head, 3, prune, fmin(p1->rate, s->min_after[k1 + 1]),
              fmin(p1->con, s->minq_after[k1 + 1])) ||
        merge(s, &at[FW_RUNNING], tail, 3, prune, fmin(p1->rate, s->min_after[k1 + 1]),
              fmin(p1->con, s->minq_after[k1 + 1])))
        rc = -1;
    for (size_t k2 = k1 + 1; k2 < n && !rc; k2++) {
        if (s->p[k2].len >= 2)
            for (int ms = FW_PAUSED; ms <= FW_RUNNING && !rc; ms++)
                for (int bs = 0; bs < NSTATES && !rc; bs++)
                    for (int t2 = 0; t2 < 2 && !rc; t2++) rc = join_two(s, m, k2, ms, bs, t2, b);
        if (!rc && k2 + 1 < n) {
            double r = fmin(p1->rate, s->min_after[k2 + 1]), q = fmin(p1->con, s->minq_after[k2 + 1]);
            rc = step(s, &m->mid[k2 * NSTATES], &m->mid[(k2 + 1) * NSTATES], &s->p[k2], all ? 2 : r >= 0, r, q);
        }
    }
    s->used = used;
    return rc;
}

static int build_plan(const search *s, const best *b, const ccs_window *w, ccs_run_plan *out)
{
    unsigned char *run = calloc(s->n ? s->n : 1, 1);
    if (!run) return -1;
    size_t part1 = s->n, part2 = s->n;
    int tail1 = 0, tail2 = 0;
    int64_t x1 = 0, x2 = 0;
    if (b->two) {
        memcpy(run, b->run, s->n);
        part1 = b->k1, tail1 = b->tail1, x1 = b->x1;
        part2 = b->k2, tail2 = b->tail2, x2 = b->x2;
    } else if (b->piece == s->n) {
        mark_forward(s, s->n, b->fst, b->fi, run);
    } else {
        mark_forward(s, b->piece, b->fst, b->fi, run);
        mark_backward(s, b->piece + 1, b->bst, b->bi, run);
        part1 = b->piece, tail1 = b->tail, x1 = b->x;
    }
    out->n = 0;
    int rc = 0;
    for (size_t j = 0; j < s->n && !rc; j++) {
        const piece *p = &s->p[j];
        int64_t x = j == part1 ? x1 : x2;
        int tail = j == part1 ? tail1 : tail2;
        if (j == part1 || j == part2)
            rc = tail ? ccs_run_plan_append(out, p->a + p->len - x, p->a + p->len)
                      : ccs_run_plan_append(out, p->a, p->a + x);
        else if (run[j])
            rc = ccs_run_plan_append(out, p->a, p->a + p->len);
    }
    free(run);
    if (rc) return -1;
    ccs_run_plan_totals(out, w);
    out->feasible = 1;
    return 0;
}

static size_t capped_max_labels = CCS_SLOTS_MAX_LABELS_CAPPED;
static long long capped_max_pairs = CCS_SLOTS_MAX_PAIRS;

void ccs_slots_set_capped_limits(size_t max_labels, long long max_pairs)
{
    capped_max_labels = max_labels;
    capped_max_pairs = max_pairs;
}

/* Both searches: cap NULL, the cheapest plan; else the cheapest meeting cap's bound. */
static int solve(const ccs_window *w, int64_t d, int64_t ck, int64_t lo, int64_t hi, double wc, double wp,
                 const ccs_objective *cap, double ub, ccs_run_plan *out)
{
    out->n = 0;
    out->feasible = 0;
    if (w->n == 0 || d <= 0 || ck < 0 || hi <= lo || lo < w->t[0] || hi > w->t[w->n]) return 0;
    if (hi - lo < d) return 0;
    size_t first = ccs_window_segment(w, lo), n = 0, nalloc = 0;
    for (size_t k = first; k < w->n && w->t[k] < hi; k++) nalloc++;
    search s = {0};
    s.max_labels = cap ? capped_max_labels : CCS_SLOTS_MAX_LABELS;
    best b = {0};
    mid_search m = {0};
    piece *p = malloc((nalloc ? nalloc : 1) * sizeof *p);
    s.fw = calloc((nalloc + 1) * NSTATES, sizeof *s.fw);
    s.bk = calloc((nalloc + 1) * NSTATES, sizeof *s.bk);
    s.min_after = malloc((nalloc + 1) * sizeof *s.min_after);
    s.min_before = malloc((nalloc + 1) * sizeof *s.min_before);
    int32_t *dq = NULL;
    int rc = -1;
    if (!p || !s.fw || !s.bk || !s.min_after || !s.min_before) goto done;
    if (cap) {
        s.capped = 1;
        s.bound = cap->bound;
        s.pairs_left = capped_max_pairs;
        s.minq_after = malloc((nalloc + 1) * sizeof *s.minq_after);
        s.minq_before = malloc((nalloc + 1) * sizeof *s.minq_before);
        m.mid = calloc((nalloc + 1) * NSTATES, sizeof *m.mid);
        b.run = malloc(nalloc ? nalloc : 1);
        if (!s.minq_after || !s.minq_before || !m.mid || !b.run) goto done;
    }
    n = 0;
    for (size_t k = first; k < w->n && w->t[k] < hi; k++) {
        int64_t a = w->t[k] > lo ? w->t[k] : lo, e = w->t[k + 1] < hi ? w->t[k + 1] : hi;
        double con = cap ? cap->con_ci * w->ci[k] + cap->con_price * w->price[k] + cap->con_hour : 0;
        if (e > a) p[n++] = (piece){a, e - a, wc * w->ci[k] + wp * w->price[k], con};
    }
    s.p = p;
    s.n = n;
    s.ck = ck;
    s.need = d - ck;
    s.min_after[n] = INFINITY;
    for (size_t j = n; j-- > 0;) s.min_after[j] = fmin(p[j].rate, s.min_after[j + 1]);
    s.min_before[0] = INFINITY;
    for (size_t j = 0; j < n; j++) s.min_before[j + 1] = fmin(p[j].rate, s.min_before[j]);
    if (cap) {
        s.minq_after[n] = INFINITY;
        for (size_t j = n; j-- > 0;) s.minq_after[j] = fmin(p[j].con, s.minq_after[j + 1]);
        s.minq_before[0] = INFINITY;
        for (size_t j = 0; j < n; j++) s.minq_before[j + 1] = fmin(p[j].con, s.minq_before[j]);
    }
    /* an upper bound for pruning: the best contiguous run, a plan of F (capped: the caller's) */
    s.ub = INFINITY;
    if (cap) {
        s.ub = ub;
    } else if (s.min_before[n] >= 0) {
        ccs_objective o = {wc, wp, 0, 0, 0, INFINITY, 0, 0, 0, 0};
        ccs_run_plan c = {0};
        if (ccs_window_best_start(w, d, lo, hi - d, &o, &c) != 0) goto done;
        if (c.feasible) s.ub = wc * c.ci_h + wp * c.price_h;
        ccs_run_plan_free(&c);
    }
    if (forward(&s) != 0 || backward(&s) != 0) goto done;
    size_t most = 1;
    for (size_t i = 0; i < (n + 1) * NSTATES; i++) most = s.bk[i].n > most ? s.bk[i].n : most;
    if (!(dq = malloc(most * sizeof *dq))) goto done;
    s.dq = dq;

    b.piece = n;
    for (int st = FW_PAUSED; st <= FW_RUNNING; st++) { /* whole pieces only: the work comes out exact */
        const list *f = &s.fw[n * NSTATES + st];
        for (size_t i = 0; i < f->n; i++) {
            const label *l = &s.arena[f->off + i];
            if (l->w == s.need && (!cap || l->g <= s.bound)) offer(&b, l->c, n, st, 0, 0, (int32_t)i, -1, 0);
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (p[k].len < 2) continue;
        for (int fst = 0; fst < NSTATES; fst++)
            for (int bst = 0; bst < NSTATES; bst++) {
                /* the part is the piece's start: a new start unless already running */
                int64_t x_head = s.need + (fst == FW_RUNNING ? 0 : ck);
                /* the part is the piece's end: always a new start, but the suffix's own start
                 * disappears when it runs on from the boundary */
                int64_t x_tail = s.need + ck - (bst == BK_RUNNING ? ck : 0);
                if (!cap) {
                    join(&s, k, fst, bst, 0, x_head, &b, dq);
                    join(&s, k, fst, bst, 1, x_tail, &b, dq);
                } else if (join_capped(&s, k, fst, bst, 0, x_head, &b) || join_capped(&s, k, fst, bst, 1, x_tail, &b)) {
                    goto done;
                }
            }
    }
    if (cap)
        for (size_t k1 = 0; k1 < n; k1++)
            if (search_two(&s, &m, k1, &b) != 0) goto done;
    if (cap && b.found && !(b.c < ub)) b.found = 0; /* nothing better than the caller's plan */
    rc = b.found ? build_plan(&s, &b, w, out) : 0;
done:
    if (s.too_many) rc = CCS_SLOTS_TOO_MANY;
    free(dq);
    free(p);
    free(s.fw);
    free(s.bk);
    free(s.arena);
    free(s.min_after);
    free(s.min_before);
    free(s.minq_after);
    free(s.minq_before);
    free(s.stair_c);
    free(s.stair_g);
    free(m.mid);
    free(b.run);
    return rc;
}

int ccs_slots_best(const ccs_window *w, int64_t d, int64_t ck, int64_t lo, int64_t hi, double wc, double wp,
                   ccs_run_plan *out)
{
    return solve(w, d, ck, lo, hi, wc, wp, NULL, INFINITY, out);
}

int ccs_slots_best_capped(const ccs_window *w, int64_t d, int64_t ck, int64_t lo, int64_t hi, const ccs_objective *o,
                          double ub, ccs_run_plan *out)
{
    return solve(w, d, ck, lo, hi, o->obj_ci, o->obj_price, o, ub, out);
}
