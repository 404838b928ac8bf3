/* Window search over a region's grid signals as a policy sees them (a forecast): where in
 * [lo, hi] a contiguous run does best, or which set of intervals an interruptible run should
 * take. Signals are piecewise constant, so the carbon and the cost of a run are integrals
 * read off prefix sums in O(1), and a run's integral is linear in its start between the points
 * where its start or its end crosses a boundary: those points (and lo, hi) are the only
 * candidates. One sweep with two cursors visits them: linear in the window's segments, never a
 * rescan per start. Pure functions: no printing, no global state. */
#ifndef CCS_WINDOW_H
#define CCS_WINDOW_H

#include <stddef.h>
#include <stdint.h>

typedef struct ccs_window {
    size_t n;                     /* segments */
    const int64_t *t;             /* n + 1 boundaries, epoch microseconds */
    const double *ci, *price;     /* per segment: gCO2e/kWh, currency/MWh */
    const double *ci_h, *price_h; /* n + 1 prefix integrals in value x hours; only differences count */
} ccs_window;

typedef struct ccs_interval {
    int64_t a_us, b_us; /* [a, b) */
} ccs_interval;

/* What to minimise: obj_ci C + obj_price P, subject to con_ci C + con_price P + con_hour H <=
 * bound, where C and P are the integrals of intensity and price over the run (value x hours) and
 * H its length in hours. bound = INFINITY: unconstrained. */
typedef struct ccs_objective {
    double obj_ci, obj_price;
    double con_ci, con_price, con_hour, bound;
    /* A second constraint of the same form, for contiguous runs only (ccs_window_best_start);
     * all zero: none. ccs_window_best_slots does not read it. */
    double con2_ci, con2_price, con2_hour, bound2;
} ccs_objective;

/* A run's integrals and its intervals (the caller's buffer; grown with realloc as needed). */
typedef struct ccs_run_plan {
    ccs_interval *iv;
    size_t n, cap;
    double ci_h, price_h, hours;
    int feasible; /* 0: nothing in the window meets the constraint (or fits) */
    int exact;    /* 1: proven the best for what was asked (see the searches) */
} ccs_run_plan;

/* Integrals over [a, b), t[0] <= a <= b <= t[n]. */
void ccs_window_integrals(const ccs_window *w, int64_t a_us, int64_t b_us, double *ci_h, double *price_h);

/* The segment k with t[k] <= x < t[k + 1] (the first for x < t[0], the last for x >= t[n]),
 * by binary search. n >= 1. */
size_t ccs_window_segment(const ccs_window *w, int64_t x_us);

/* The best start s in [lo, hi] of a contiguous run [s, s + d) (hi + d <= t[n]); among equal
 * objectives (to 1e-12 relative) the earliest. Where a constraint binds inside a linear piece,
 * the crossing point (rounded to the microsecond on its feasible side) is a candidate too, so the
 * answer is exact, not limited to grid points: inside a piece the objective and both constraints
 * are linear in s, the feasible starts an interval whose ends are piece ends or crossings.
 * Returns 0, or -1 if memory ran out. */
int ccs_window_best_start(const ccs_window *w, int64_t d_us, int64_t lo_us, int64_t hi_us, const ccs_objective *o,
                          ccs_run_plan *out);

/* The best set of intervals inside [lo, hi) for an interruptible run of d of work, each resume
 * after a pause costing checkpoint of extra run time.
 * Unconstrained: the exact planner of slots.h (exact = 1); should it give up (a signal with
 * millions of distinct piece-length sums), the best of the greedy plan below and the best
 * contiguous run (exact = 0).
 * Constrained: when the unconstrained optimum meets the bound, it is the answer (exact = 1).
 * Otherwise the best plan meeting the bound among a family that does not depend on the bound
 * (greedy plans on obj + lambda con for a fixed ladder of lambdas, a Lagrangian family, plus the
 * best contiguous run under the bound, so run-now, [lo, lo + d), is always weighed), then the
 * exact capped search of slots.h, pruned by that plan: its plan when better, and exact = 1 either
 * way. Should the capped search give up (more than CCS_SLOTS_MAX_LABELS_CAPPED labels or
 * CCS_SLOTS_MAX_PAIRS pairs), the family's plan, exact = 0: feasible, never worse than any
 * contiguous run, but not proven best (and then a looser bound is not sure to do better).
 * Returns 0, or -1 if memory ran out. */
int ccs_window_best_slots(const ccs_window *w, int64_t d_us, int64_t checkpoint_us, int64_t lo_us, int64_t hi_us,
                          const ccs_objective *o, ccs_run_plan *out);

/* Sets the plan to the single interval [a, b) with its integrals. Returns 0 or -1 (memory). */
int ccs_run_plan_single(ccs_run_plan *p, const ccs_window *w, int64_t a_us, int64_t b_us);
/* Appends [a, b), merging with the last interval when they touch. Returns 0 or -1 (memory). */
int ccs_run_plan_append(ccs_run_plan *p, int64_t a_us, int64_t b_us);
/* Sets the plan's integrals and hours from its intervals. */
void ccs_run_plan_totals(ccs_run_plan *p, const ccs_window *w);
void ccs_run_plan_free(ccs_run_plan *p);

#endif
