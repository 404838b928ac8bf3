/* Exact plans for interruptible runs with a checkpoint overhead, over a piecewise-constant signal.
 *
 * The problem: inside [lo, hi), choose intervals [a1, b1) < [a2, b2) < ... < [am, bm) whose
 * lengths add up to d + (m - 1) ck (each resume after a pause costs ck of extra run time at full
 * power), minimising the integral of a rate r(t) (the objective per hour: weights on intensity
 * and price) over them. Time is integer microseconds, as everywhere in the simulator.
 *
 * The plans searched (family F): every interval end point lies on a boundary of the signal (or
 * lo, hi), except at most one, which makes the work come out exact. When r >= 0 everywhere this
 * loses nothing: two free end points can always slide, at no loss, until one reaches a boundary
 * (the cost is linear in each while the other compensates the length), and intervals that shrink
 * away or gaps that close only free run time, which costs nothing to drop at r >= 0. With negative
 * rates (negative prices) a plan outside F could pause inside a constant stretch only to pay a
 * checkpoint at a negative price; F leaves that artefact out, and the planner is exact over F.
 *
 * The search: labels (effective work W = run time - ck x starts, cost) per signal boundary and
 * state (not started / paused / running), forward from lo and backward from hi over whole pieces;
 * a plan of F is a forward label, at most one piece used in part, and a backward label, joined
 * where W adds up to d - ck. The join over one piece is a sliding-window minimum over labels
 * sorted by W. Where every rate on the side still to come is >= 0, a label with less work and no
 * less cost than another is dropped (the other can follow any continuation and stop early).
 *
 * Complexity: O(N K) time and memory, N the pieces in [lo, hi), K the labels kept per boundary
 * and state, at most the number of distinct values of W: O(N^2) for a signal on a regular grid
 * (W is a whole number of steps less a number of checkpoints), far fewer after the pruning. */
#ifndef CCS_SLOTS_H
#define CCS_SLOTS_H

#include "window.h"

#include <stdint.h>

/* Labels kept in one search at most (32 bytes each: 32 MiB). Real signals stay far below: a week
 * of hourly pieces with 15-minute checkpoints keeps tens of thousands. The bound is for signals
 * whose steps fall on arbitrary microseconds with rates so equal that nothing prunes, where K
 * grows with the number of distinct sums of piece lengths. */
#define CCS_SLOTS_MAX_LABELS ((size_t)1 << 20)
#define CCS_SLOTS_TOO_MANY   1

/* The cheapest plan of F for rate wc x intensity + wp x price (per hour) inside [lo, hi) for d of
 * work (d > 0) with checkpoint ck >= 0. out->feasible = 0 if no plan fits. Returns 0; -1 if
 * memory ran out; CCS_SLOTS_TOO_MANY (out->feasible = 0) if the search needed more than
 * CCS_SLOTS_MAX_LABELS labels: the caller falls back to a plan it cannot prove best. */
int ccs_slots_best(const ccs_window *w, int64_t d_us, int64_t checkpoint_us, int64_t lo_us, int64_t hi_us, double wc,
                   double wp, ccs_run_plan *out);

/* Join pairs one capped search may weigh at most (a few nanoseconds each: a quarter of a second
 * at most); beyond, it gives up with CCS_SLOTS_TOO_MANY like the label bound. */
#define CCS_SLOTS_MAX_PAIRS (1LL << 26)
/* Labels one capped search keeps at most (32 MiB): its fronts grow with how little the objective
 * and the constraint agree, and its joins with the square of the fronts. Sized on real data: a
 * 10 h interruptible job in a 72 h window of hourly DE-LU 2023 prices and intensities, 15 min
 * checkpoints, a cost cap at run-now's cost, needs up to 2^20 labels and 2^26 pairs (with 2^17 and
 * 2^22, 6 of its 52 weekly runs gave up; with these, none). */
#define CCS_SLOTS_MAX_LABELS_CAPPED ((size_t)1 << 20)

/* Lowers (or restores) the capped search's bounds for this process: for property tests that run
 * thousands of adversarial signals, where a give-up is an answer to check, not a cost to pay.
 * Call before any search starts (the bounds are read, never written, by searches). */
void ccs_slots_set_capped_limits(size_t max_labels, long long max_pairs);

/* The cheapest plan for o's objective among those meeting its constraint, con_ci C + con_price P
 * + con_hour H <= bound (o->bound finite), over family F2: as F, but with up to two end points off
 * the signal's boundaries. With the bound binding, the best plan may need two: once the pieces run
 * whole are fixed, the two parts form a linear programme with two constraints (work, bound) whose
 * optimum has both tight, or a part at an end of its range (a plan of F). With every rate >= 0,
 * F2 therefore holds a best plan of all (the argument of F, applied with the bound held). With
 * negative rates a plan outside F2 can win only by extra resumes whose checkpoint time is burnt
 * for its own sake (paid at a negative price, or diluting a capped mean intensity with clean
 * overhead); no operator would run those, and F2 leaves them out on purpose. The
 * labels carry the constraint too and keep, per work value, the Pareto front of (cost,
 * constraint); the joins weigh pairs against the bound (one part), or, for each piece k1 of a
 * first part, search forward from it and solve the two parts in O(1) per pair (two parts).
 * ub: the objective of a plan known to meet the bound (INFINITY: none), for pruning.
 * Complexity: O(N K) labels as above, K now counting Pareto fronts; joins O(N K J) for one part
 * and O(N^2 K J) for two, J the backward labels in a pair's window of work; bounded by
 * CCS_SLOTS_MAX_PAIRS. Returns as ccs_slots_best; out->feasible = 0 with 0: no plan of F2 meets the
 * bound. */
int ccs_slots_best_capped(const ccs_window *w, int64_t d_us, int64_t checkpoint_us, int64_t lo_us, int64_t hi_us,
                          const ccs_objective *o, double ub, ccs_run_plan *out);

#endif
