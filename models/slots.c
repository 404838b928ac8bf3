/* Exact plans for interruptible runs; see slots.h for the problem, the family of plans searched,
 * why it loses nothing, and the complexity. */
#include "slots.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_H 3.6e9

/* Forward states at a boundary: nothing run yet, paused after a run, running (the piece before was
 * run). Backward states of the suffix from a boundary: nothing runs in it, its first piece idle
 * (something runs later), its first piece run. */
enum { FW_NONE, FW_PAUSED, FW_RUNNING };
enum { BK_EMPTY, BK_PAUSED, BK_RUNNING };
enum { NSTATES = 3 };

typedef struct label {
    int64_t w;          /* effective work: run time less ck per start */
    double c;           /* cost: the rate's integral over the run time */
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
} piece;

typedef struct search {
    const piece *p;
    size_t n;
    int64_t ck, need; /* need = d - ck: the effective work of a finished plan */
    list *fw, *bk;    /* (n + 1) x NSTATES lists, by boundary then state */
    label *arena;
    size_t used, cap;
    double *min_after, *min_before; /* least rate over pieces j..n-1, and over 0..j-1 */
    int too_many;                   /* the arena reached CCS_SLOTS_MAX_LABELS */
    double ub;                      /* a plan's cost (the best contiguous run's): INFINITY if none */
} search;

/* One way into a list: every label of a neighbouring list, its work shifted and its cost raised. */
typedef struct source {
    const list *from;
    int64_t dw;
    double dc;
    uint8_t state, run;
} source;

/* Fills `to` with the labels of up to three sources, each sorted by work, merged in order of work
 * and keeping the cheapest per work value (the first source among equals: a fixed order, so the
 * plan never depends on chance). Then, when every rate on the side still to come is >= 0 (prune),
 * a label is dropped if another with more work, but no more than the plan needs, costs no more:
 * that one can follow any continuation of the dropped one and stop early, which costs nothing at
 * rates >= 0. A label with more work than needed can be completed only by runs no longer than a
 * checkpoint (each adds its length less a checkpoint); when every rate in the window is >= 0
 * (prune == 2) such runs are never needed (dropping one and trimming the rest to the work costs
 * nothing: so in a best plan every run is longer than a checkpoint, or it is the only one, and
 * no part of it holds more work than the whole), so those labels go too; otherwise they stay, and
 * never drop others, since trimming them would reach back into pieces of any sign. */
static int reserve(search *s, size_t more)
{
    if (s->used + more <= s->cap) return 0;
    if (s->used + more > CCS_SLOTS_MAX_LABELS) {
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
 * plan within rounding of the optimum is lost. Labels stay in order of work. */
static void drop_above_bound(const search *s, label *v, size_t *n, double min_rate)
{
    if (!isfinite(s->ub)) return;
    double ub = s->ub + 1e-9 * fabs(s->ub), per_us = min_rate / US_PER_H;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        int64_t rest = s->need - v[i].w;
        if (v[i].c + (rest > 0 ? per_us * (double)rest : 0.0) <= ub) v[k++] = v[i];
    }
    *n = k;
}

static int merge(search *s, list *to, const source *src, int nsrc, int prune, double min_rate)
{
    size_t total = 0, at[3] = {0, 0, 0};
    const int64_t need = s->need;
    for (int k = 0; k < nsrc; k++) total += src[k].from->n;
    if (reserve(s, total) != 0) return -1;
    to->off = s->used;
    to->n = 0;
    label *out = s->arena + to->off;
    for (;;) {
        int pick = -1;
        int64_t w = 0;
        double c = 0;
        for (int k = 0; k < nsrc; k++) {
            if (at[k] == src[k].from->n) continue;
            const label *l = &s->arena[src[k].from->off + at[k]];
            int64_t lw = l->w + src[k].dw;
            double lc = l->c + src[k].dc;
            if (pick < 0 || lw < w || (lw == w && lc < c)) pick = k, w = lw, c = lc;
        }
        if (pick < 0) break;
        int32_t i = (int32_t)at[pick]++;
        if (to->n > 0 && out[to->n - 1].w == w) continue; /* a dearer (or later) label of equal work */
        out[to->n++] = (label){w, c, i, src[pick].state, src[pick].run};
    }
    if (prune) {
        size_t over = to->n; /* labels from here on have more work than needed */
        while (over > 0 && out[over - 1].w > need) over--;
        if (prune > 1) to->n = over;
        double best = INFINITY;
        size_t keep = over;
        for (size_t i = over; i-- > 0;) /* from the most work down: what is cheaper than all above */
            if (out[i].c < best) {
                best = out[i].c;
                out[--keep] = out[i];
            }
        if (keep > 0) memmove(out, out + keep, (to->n - keep) * sizeof *out);
        to->n -= keep;
        if (prune > 1) drop_above_bound(s, out, &to->n, min_rate);
    }
    s->used += to->n;
    return 0;
}

static int forward(search *s)
{
    list *fw = s->fw;
    if (reserve(s, 1) != 0) return -1;
    s->arena[s->used] = (label){0, 0.0, -1, 0, 0};
    fw[FW_NONE] = (list){s->used++, 1};
    for (size_t j = 0; j < s->n; j++) {
        const piece *p = &s->p[j];
        double run_cost = p->rate * ((double)p->len / US_PER_H);
        const list *from = &fw[j * NSTATES];
        list *to = &fw[(j + 1) * NSTATES];
        int prune = s->min_before[s->n] >= 0 ? 2 : s->min_after[j + 1] >= 0;
        source none[1] = {{&from[FW_NONE], 0, 0, FW_NONE, 0}};
        source paused[2] = {{&from[FW_PAUSED], 0, 0, FW_PAUSED, 0}, {&from[FW_RUNNING], 0, 0, FW_RUNNING, 0}};
        source running[3] = {{&from[FW_NONE], p->len - s->ck, run_cost, FW_NONE, 1},
                             {&from[FW_PAUSED], p->len - s->ck, run_cost, FW_PAUSED, 1},
                             {&from[FW_RUNNING], p->len, run_cost, FW_RUNNING, 1}};
        /* nothing started: its work is 0, and the first start still to come takes a checkpoint off */
        double rest = s->min_after[j + 1]; /* the least rate the rest of the work can run at */
        if (merge(s, &to[FW_NONE], none, 1, prune > 0, rest) || merge(s, &to[FW_PAUSED], paused, 2, prune, rest) ||
            merge(s, &to[FW_RUNNING], running, 3, prune, rest))
            return -1;
    }
    return 0;
}

static int backward(search *s)
{
    list *bk = s->bk;
    if (reserve(s, 1) != 0) return -1;
    s->arena[s->used] = (label){0, 0.0, -1, 0, 0};
    bk[s->n * NSTATES + BK_EMPTY] = (list){s->used++, 1};
    for (size_t j = s->n; j-- > 0;) {
        const piece *p = &s->p[j];
        double run_cost = p->rate * ((double)p->len / US_PER_H);
        const list *from = &bk[(j + 1) * NSTATES];
        list *to = &bk[j * NSTATES];
        int prune = s->min_before[s->n] >= 0 ? 2 : s->min_before[j] >= 0;
        /* running into a suffix that starts running moves its start here: no new start */
        source empty[1] = {{&from[BK_EMPTY], 0, 0, BK_EMPTY, 0}};
        source paused[2] = {{&from[BK_PAUSED], 0, 0, BK_PAUSED, 0}, {&from[BK_RUNNING], 0, 0, BK_RUNNING, 0}};
        source running[3] = {{&from[BK_EMPTY], p->len - s->ck, run_cost, BK_EMPTY, 1},
                             {&from[BK_PAUSED], p->len - s->ck, run_cost, BK_PAUSED, 1},
                             {&from[BK_RUNNING], p->len, run_cost, BK_RUNNING, 1}};
        double rest = s->min_before[j];
        if (merge(s, &to[BK_EMPTY], empty, 1, prune > 0, rest) || merge(s, &to[BK_PAUSED], paused, 2, prune, rest) ||
            merge(s, &to[BK_RUNNING], running, 3, prune, rest))
            return -1;
    }
    return 0;
}

/* The best plan found: either a forward label alone (no piece in part), or a forward label, one
 * piece in part and a backward label. */
typedef struct best {
    double c;
    int found;
    size_t piece;        /* the piece used in part; n: none */
    int fst, bst, tail;  /* states; tail: the part is the piece's end (1) or its start (0) */
    int32_t fi, bi;
    int64_t x;
} best;

static void offer(best *b, double c, size_t part, int fst, int bst, int tail, int32_t fi, int32_t bi, int64_t x)
{
    if (b->found && !(c < b->c - 1e-12 * fabs(b->c))) return; /* equal plans keep the first found */
    *b = (best){c, 1, part, fst, bst, tail, fi, bi, x};
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
    const double per_us = p->rate / US_PER_H;
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

static int build_plan(const search *s, const best *b, const ccs_window *w, ccs_run_plan *out)
{
    unsigned char *run = calloc(s->n ? s->n : 1, 1);
    if (!run) return -1;
    if (b->piece == s->n) {
        mark_forward(s, s->n, b->fst, b->fi, run);
    } else {
        mark_forward(s, b->piece, b->fst, b->fi, run);
        mark_backward(s, b->piece + 1, b->bst, b->bi, run);
    }
    out->n = 0;
    int rc = 0;
    for (size_t j = 0; j < s->n && !rc; j++) {
        const piece *p = &s->p[j];
        if (j == b->piece)
            rc = b->tail ? ccs_run_plan_append(out, p->a + p->len - b->x, p->a + p->len)
                         : ccs_run_plan_append(out, p->a, p->a + b->x);
        else if (run[j])
            rc = ccs_run_plan_append(out, p->a, p->a + p->len);
    }
    free(run);
    if (rc) return -1;
    ccs_run_plan_totals(out, w);
    out->feasible = 1;
    return 0;
}

int ccs_slots_best(const ccs_window *w, int64_t d, int64_t ck, int64_t lo, int64_t hi, double wc, double wp,
                   ccs_run_plan *out)
{
    out->n = 0;
    out->feasible = 0;
    if (w->n == 0 || d <= 0 || ck < 0 || hi <= lo || lo < w->t[0] || hi > w->t[w->n]) return 0;
    if (hi - lo < d) return 0;
    size_t first = ccs_window_segment(w, lo), n = 0, nalloc = 0;
    for (size_t k = first; k < w->n && w->t[k] < hi; k++) nalloc++;
    search s = {0};
    piece *p = malloc(nalloc * sizeof *p);
    s.fw = calloc((nalloc + 1) * NSTATES, sizeof *s.fw);
    s.bk = calloc((nalloc + 1) * NSTATES, sizeof *s.bk);
    s.min_after = malloc((nalloc + 1) * sizeof *s.min_after);
    s.min_before = malloc((nalloc + 1) * sizeof *s.min_before);
    int32_t *dq = NULL;
    int rc = -1;
    if (!p || !s.fw || !s.bk || !s.min_after || !s.min_before) goto done;
    n = 0;
    for (size_t k = first; k < w->n && w->t[k] < hi; k++) {
        int64_t a = w->t[k] > lo ? w->t[k] : lo, b = w->t[k + 1] < hi ? w->t[k + 1] : hi;
        if (b > a) p[n++] = (piece){a, b - a, wc * w->ci[k] + wp * w->price[k]};
    }
    s.p = p;
    s.n = n;
    s.ck = ck;
    s.need = d - ck;
    s.min_after[n] = INFINITY;
    for (size_t j = n; j-- > 0;) s.min_after[j] = fmin(p[j].rate, s.min_after[j + 1]);
    s.min_before[0] = INFINITY;
    for (size_t j = 0; j < n; j++) s.min_before[j + 1] = fmin(p[j].rate, s.min_before[j]);
    /* an upper bound for pruning: the best contiguous run, a plan of F */
    s.ub = INFINITY;
    if (s.min_before[n] >= 0) {
        ccs_objective o = {wc, wp, 0, 0, 0, INFINITY};
        ccs_run_plan c = {0};
        if (ccs_window_best_start(w, d, lo, hi - d, &o, &c) != 0) goto done;
        if (c.feasible) s.ub = wc * c.ci_h + wp * c.price_h;
        ccs_run_plan_free(&c);
    }
    if (forward(&s) != 0 || backward(&s) != 0) goto done;
    size_t most = 1;
    for (size_t i = 0; i < (n + 1) * NSTATES; i++) most = s.bk[i].n > most ? s.bk[i].n : most;
    if (!(dq = malloc(most * sizeof *dq))) goto done;

    best b = {0};
    b.piece = n;
    for (int st = FW_PAUSED; st <= FW_RUNNING; st++) { /* whole pieces only: the work comes out exact */
        const list *f = &s.fw[n * NSTATES + st];
        for (size_t i = 0; i < f->n; i++)
            if (s.arena[f->off + i].w == s.need) offer(&b, s.arena[f->off + i].c, n, st, 0, 0, (int32_t)i, -1, 0);
    }
    for (size_t k = 0; k < n; k++) {
        if (p[k].len < 2) continue;
        for (int fst = 0; fst < NSTATES; fst++)
            for (int bst = 0; bst < NSTATES; bst++) {
                /* the part is the piece's start: a new start unless already running */
                join(&s, k, fst, bst, 0, s.need + (fst == FW_RUNNING ? 0 : ck), &b, dq);
                /* the part is the piece's end: always a new start, but the suffix's own start
                 * disappears when it runs on from the boundary */
                join(&s, k, fst, bst, 1, s.need + ck - (bst == BK_RUNNING ? ck : 0), &b, dq);
            }
    }
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
    return rc;
}
