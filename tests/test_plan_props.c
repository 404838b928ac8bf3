/* The promises the job policies make, checked as properties over seeded random instances (perfect
 * forecast: the policy sees the signal it is charged on). Each instance: a piecewise-constant
 * signal of 2 to 30 pieces with uneven steps (whole minutes, and arbitrary microseconds), carbon
 * intensities 20-600 g/kWh, prices that are negative in about a third of the instances, a random
 * work, slack, checkpoint, power and PUE. Per run:
 * - greenest-window's carbon <= the best contiguous run's <= run-now's (interruptible runs);
 * - price-tolerance: cost <= B + X |B| exactly (the one cost function), carbon <= run-now's,
 *   carbon non-increasing in X, and never below greenest-window's (which is the least there is);
 * - cheapest-window's cost <= run-now's;
 * - carbon-cap: mean intensity <= Y unless it fell back (and then only if no run meets Y: checked
 *   against the best contiguous run's intensity), cost <= run-now's when run-now meets Y;
 * - checkpoint 0: the interruptible optimum equals the fractional one (the cleanest stretches
 *   first), computed here independently.
 * A failure names the seed of its instance. The exact planner itself is checked against brute
 * forces in test_slots.c. */
#include "policy.h"
#include "slots.h"
#include "window.h"

#include "helpers.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_H 3.6e9
#define MIN_US   60000000LL
/* helpers.h: 10,000 per property (about 80 s on two cores), 1,000 under ASan */
enum { INSTANCES = PROPERTY_INSTANCES, MAXSEG = 30 };

typedef struct instance {
    int64_t t[MAXSEG + 1];
    double ci[MAXSEG], price[MAXSEG], ci_h[MAXSEG + 1], price_h[MAXSEG + 1];
    ccs_option opt;
    ccs_policy_cfg cfg;
    double cap; /* Y of carbon-cap */
    ccs_job_decision d;
} instance;

static void make(instance *in, uint64_t seed, int interruptible)
{
    memset(in, 0, sizeof *in);
    test_gen g = {seed * 0x9E3779B97F4A7C15ULL + 1};
    for (int i = 0; i < 4; i++) gen_next(&g);
    size_t n = 2 + (size_t)gen_below(&g, MAXSEG - 1);
    int negative = gen_below(&g, 3) == 0, micro = gen_below(&g, 4) == 0;
    in->t[0] = 1577836800000000LL + gen_below(&g, 24) * 60 * MIN_US;
    for (size_t k = 0; k < n; k++) {
        int64_t len = micro ? 1 + gen_below(&g, 4 * 60 * MIN_US) : (1 + gen_below(&g, 240)) * MIN_US;
        in->t[k + 1] = in->t[k] + len;
        in->ci[k] = 20 + 580 * gen_unif(&g);
        in->price[k] = negative ? -50 + 300 * gen_unif(&g) : 10 + 240 * gen_unif(&g);
        if (gen_below(&g, 6) == 0 && k > 0) in->ci[k] = in->ci[k - 1]; /* ties */
    }
    in->ci_h[0] = in->price_h[0] = 0;
    for (size_t k = 0; k < n; k++) {
        double h = (double)(in->t[k + 1] - in->t[k]) / US_PER_H;
        in->ci_h[k + 1] = in->ci_h[k] + in->ci[k] * h;
        in->price_h[k + 1] = in->price_h[k] + in->price[k] * h;
    }
    int64_t span = in->t[n] - in->t[0];
    int64_t rel = in->t[0] + gen_below(&g, span / 4 + 1);
    int64_t room = in->t[n] - rel;
    int64_t work = 1 + gen_below(&g, room);
    int64_t deadline = rel + work + gen_below(&g, room - work + 1);
    static const int64_t cks[] = {0, 5 * MIN_US, 15 * MIN_US, 30 * MIN_US, 60 * MIN_US, -1};
    int64_t ck = cks[gen_below(&g, 6)];
    if (ck < 0) ck = gen_below(&g, 90 * MIN_US);
    in->opt = (ccs_option){.region = 0,
                           .pue = 1.0 + 0.6 * gen_unif(&g),
                           .ready_us = rel,
                           .transfer_cost = 0,
                           .w = {n, in->t, in->ci, in->price, in->ci_h, in->price_h}};
    in->d = (ccs_job_decision){rel, deadline, work, ck, 100 + 50000 * gen_unif(&g), interruptible, &in->opt, 1,
                               0.0, &in->cfg, NULL, 0};
    double c, q;
    ccs_window_integrals(&in->opt.w, rel, rel + work, &c, &q);
    in->d.baseline_cost = ccs_policy_cost_of(&in->d, 0, q);
    in->cap = 100 + 400 * gen_unif(&g);
}

static ccs_plan plan_with(const instance *in, const char *policy, double x)
{
    ccs_policy_cfg cfg = in->cfg;
    cfg.param[0] = strcmp(policy, "carbon-cap") == 0 ? in->cap : x; /* each one's own parameter 0 */
    ccs_job_decision d = in->d;
    d.cfg = &cfg;
    ccs_plan p = {0};
    cr_assert_eq(ccs_policy_find(policy)->plan(&d, 0, &p), 0, "%s: out of memory", policy);
    return p;
}

static double carbon(const instance *in, const ccs_plan *p) { return ccs_policy_carbon_g(&in->d, 0, &p->run); }
static double cost(const instance *in, const ccs_plan *p) { return ccs_policy_cost(&in->d, 0, &p->run); }

/* a <= b beyond rounding: the plans' integrals come from prefix sums in different orders */
static int le(double a, double b) { return a <= b + 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b))); }

/* The shape every plan must have: inside [ready, deadline), in order, apart, and run time equal
 * to the work plus a checkpoint per resume (contiguous: one interval of the work). */
static void check_shape(const instance *in, const ccs_plan *p, uint64_t seed, const char *what)
{
    cr_assert(p->run.feasible, "seed %llu: %s found no plan", (unsigned long long)seed, what);
    int64_t run = 0;
    for (size_t i = 0; i < p->run.n; i++) {
        const ccs_interval *v = &p->run.iv[i];
        cr_assert(v->a_us < v->b_us && v->a_us >= in->d.release_us && v->b_us <= in->d.deadline_us,
                  "seed %llu: %s: interval %zu outside the window", (unsigned long long)seed, what, i);
        if (i > 0)
            cr_assert(v->a_us > p->run.iv[i - 1].b_us, "seed %llu: %s: intervals touch", (unsigned long long)seed,
                      what);
        run += v->b_us - v->a_us;
    }
    int64_t ck = in->d.interruptible ? in->d.checkpoint_us : 0;
    cr_assert(in->d.interruptible || p->run.n == 1, "seed %llu: %s: a contiguous job in %zu pieces",
              (unsigned long long)seed, what, p->run.n);
    cr_assert_eq(run, in->d.work_us + (int64_t)(p->run.n - 1) * ck, "seed %llu: %s: run time %lld for %zu intervals",
                 (unsigned long long)seed, what, (long long)run, p->run.n);
}

/* The capped search's bounds of 2^17 labels and 2^22 pairs, not the shipped 2^20 and 2^26: these
 * signals are adversarial (steps on arbitrary microseconds, independent price and intensity) and
 * a fifth of their capped searches give up, which at the shipped bounds costs 16 times as long
 * per give-up. The properties hold at any bounds: a give-up answers with the family's plan. */
static void small_limits(void) { ccs_slots_set_capped_limits((size_t)1 << 17, 1LL << 22); }
TestSuite(plan_props, .init = small_limits);

Test(plan_props, greenest_le_contiguous_le_run_now)
{
    for (uint64_t seed = 1; seed <= INSTANCES; seed++) {
        instance in;
        make(&in, seed, 1);
        ccs_plan g = plan_with(&in, "greenest-window", 0), now = plan_with(&in, "run-now", 0);
        in.d.interruptible = 0;
        ccs_plan c = plan_with(&in, "greenest-window", 0);
        check_shape(&in, &c, seed, "contiguous greenest-window");
        in.d.interruptible = 1;
        check_shape(&in, &g, seed, "greenest-window");
        cr_assert(le(carbon(&in, &g), carbon(&in, &c)), "seed %llu: interruptible %.17g g > contiguous %.17g g",
                  (unsigned long long)seed, carbon(&in, &g), carbon(&in, &c));
        cr_assert(le(carbon(&in, &c), carbon(&in, &now)), "seed %llu: contiguous %.17g g > run-now %.17g g",
                  (unsigned long long)seed, carbon(&in, &c), carbon(&in, &now));
        cr_assert(g.run.exact, "seed %llu: the exact planner gave up", (unsigned long long)seed);
        ccs_run_plan_free(&g.run);
        ccs_run_plan_free(&c.run);
        ccs_run_plan_free(&now.run);
    }
}

static void price_tolerance_props(int interruptible)
{
    /* each X of an interruptible run may take the exact capped search: six, not more, keep the
     * suite's time */
    static const double xs[] = {0, 0.01, 0.05, 0.2, 0.5, 3};
    for (uint64_t seed = 1; seed <= INSTANCES; seed++) {
        instance in;
        make(&in, seed, interruptible);
        ccs_plan green = plan_with(&in, "greenest-window", 0), now = plan_with(&in, "run-now", 0);
        double b = in.d.baseline_cost, prev = INFINITY;
        cr_assert_eq(cost(&in, &now), b, "seed %llu: run-now's cost %.17g is not B %.17g", (unsigned long long)seed,
                     cost(&in, &now), b);
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            ccs_plan p = plan_with(&in, "price-tolerance", xs[i]);
            check_shape(&in, &p, seed, "price-tolerance");
            double cap = b + xs[i] * fabs(b), g = carbon(&in, &p);
            /* met to CCS_POLICY_CAP_TOL (policy.h): a tie with the cap may round either side */
            cr_assert(cost(&in, &p) <= cap + CCS_POLICY_CAP_TOL * fabs(cap),
                      "seed %llu X %g: cost %.17g over the cap %.17g", (unsigned long long)seed, xs[i], cost(&in, &p),
                      cap);
            cr_assert(le(g, carbon(&in, &now)), "seed %llu X %g: %.17g g, run-now %.17g g", (unsigned long long)seed,
                      xs[i], g, carbon(&in, &now));
            cr_assert(le(g, prev), "seed %llu: carbon rose from %.17g to %.17g g at X %g", (unsigned long long)seed,
                      prev, g, xs[i]);
            cr_assert(le(carbon(&in, &green), g), "seed %llu X %g: greenest-window %.17g g > %.17g g",
                      (unsigned long long)seed, xs[i], carbon(&in, &green), g);
            cr_assert(!p.fallback && !p.override, "seed %llu X %g: labelled a fallback or override",
                      (unsigned long long)seed, xs[i]);
            prev = g;
            ccs_run_plan_free(&p.run);
        }
        ccs_run_plan_free(&green.run);
        ccs_run_plan_free(&now.run);
    }
}

Test(plan_props, price_tolerance_contiguous) { price_tolerance_props(0); }
Test(plan_props, price_tolerance_interruptible) { price_tolerance_props(1); }

Test(plan_props, cheapest_le_run_now)
{
    for (uint64_t seed = 1; seed <= INSTANCES; seed++) {
        for (int intr = 0; intr <= 1; intr++) {
            instance in;
            make(&in, seed, intr);
            ccs_plan p = plan_with(&in, "cheapest-window", 0), now = plan_with(&in, "run-now", 0);
            check_shape(&in, &p, seed, "cheapest-window");
            cr_assert(le(cost(&in, &p), cost(&in, &now)), "seed %llu: cost %.17g > run-now %.17g",
                      (unsigned long long)seed, cost(&in, &p), cost(&in, &now));
            ccs_run_plan_free(&p.run);
            ccs_run_plan_free(&now.run);
        }
    }
}

Test(plan_props, carbon_cap)
{
    uint64_t unproven = 0;
    for (uint64_t seed = 1; seed <= INSTANCES; seed++) {
        for (int intr = 0; intr <= 1; intr++) {
            instance in;
            make(&in, seed, intr);
            double y = in.cap;
            ccs_plan p = plan_with(&in, "carbon-cap", 0), now = plan_with(&in, "run-now", 0);
            check_shape(&in, &p, seed, "carbon-cap");
            /* the contiguous search is a scan and never gives up; the capped one may, and says so */
            cr_assert(intr || !p.unproven, "seed %llu: a contiguous plan labelled unproven", (unsigned long long)seed);
            unproven += (uint64_t)p.unproven;
            double kwh_per_h = in.d.power_w / 1e3 * in.opt.pue;
            double mean = carbon(&in, &p) / (kwh_per_h * p.run.hours);
            double mean_now = carbon(&in, &now) / (kwh_per_h * now.run.hours);
            if (!p.fallback) {
                cr_assert(le(mean, y), "seed %llu: mean %.17g g/kWh over the cap %.17g", (unsigned long long)seed, mean,
                          y);
                if (mean_now <= y * (1 - 1e-9))
                    cr_assert(le(cost(&in, &p), cost(&in, &now)), "seed %llu: cost %.17g > run-now's %.17g",
                              (unsigned long long)seed, cost(&in, &p), cost(&in, &now));
            } else {
                /* no plan met Y: not even the cleanest contiguous run */
                in.d.interruptible = 0;
                ccs_plan c = plan_with(&in, "greenest-window", 0);
                double mean_c = carbon(&in, &c) / (kwh_per_h * c.run.hours);
                cr_assert(mean_c >= y * (1 - 1e-9), "seed %llu: fell back though a run at %.17g g/kWh meets %.17g",
                          (unsigned long long)seed, mean_c, y);
                ccs_run_plan_free(&c.run);
            }
            ccs_run_plan_free(&p.run);
            ccs_run_plan_free(&now.run);
        }
    }
    /* these adversarial signals (30 pieces, independent price and intensity, steps on arbitrary
     * microseconds) make the capped search give up now and then: the label must show it */
    cr_assert(unproven > 0 && unproven < INSTANCES, "%llu of %d interruptible plans unproven",
              (unsigned long long)unproven, INSTANCES);
}

typedef struct piece_rate {
    double rate;
    int64_t a, len;
} piece_rate;

static int by_rate(const void *x, const void *y)
{
    const piece_rate *a = x, *b = y;
    return (a->rate > b->rate) - (a->rate < b->rate);
}

Test(plan_props, checkpoint_zero_is_the_fractional_optimum)
{
    for (uint64_t seed = 1; seed <= INSTANCES; seed++) {
        instance in;
        make(&in, seed, 1);
        in.d.checkpoint_us = 0;
        ccs_plan p = plan_with(&in, "greenest-window", 0);
        check_shape(&in, &p, seed, "greenest-window, checkpoint 0");
        /* the cleanest stretches of the window first, until the work is done */
        piece_rate pr[MAXSEG];
        size_t m = 0;
        const ccs_window *w = &in.opt.w;
        for (size_t k = 0; k < w->n; k++) {
            int64_t a = w->t[k] > in.d.release_us ? w->t[k] : in.d.release_us;
            int64_t b = w->t[k + 1] < in.d.deadline_us ? w->t[k + 1] : in.d.deadline_us;
            if (b > a) pr[m++] = (piece_rate){w->ci[k], a, b - a};
        }
        qsort(pr, m, sizeof *pr, by_rate);
        int64_t left = in.d.work_us;
        double ci_h = 0;
        for (size_t i = 0; i < m && left > 0; i++) {
            int64_t take = pr[i].len < left ? pr[i].len : left;
            ci_h += pr[i].rate * (double)take / US_PER_H;
            left -= take;
        }
        double want = ci_h * in.d.power_w / 1e3 * in.opt.pue;
        cr_assert(le(carbon(&in, &p), want) && le(want, carbon(&in, &p)), "seed %llu: %.17g g, fractional %.17g g",
                  (unsigned long long)seed, carbon(&in, &p), want);
        ccs_run_plan_free(&p.run);
    }
}

/* A job's limits (issue 16), on top of the policies: cheapest-window under a rising min_saving s
 * (carbon <= (1 - s) x run-now's). Per instance and s: a plan meets the limit exactly; its cost is
 * at least the unconstrained cheapest's and at most run-now's whenever run-now meets the limit;
 * cost never falls as s rises (among plans proven best: a capped search that gave up, flagged
 * unproven, may sit above; and with negative prices on interruptible runs, where the unconstrained
 * and the capped planners search different families, slots.h), and once nothing fits nothing fits at a higher s; and it finds
 * nothing only when no plan can meet the limit: when even greenest-window's carbon (the least
 * there is, proven by the exact planner) is over it. Then greenest-window under max_cost_increase
 * and max_intensity together (two kinds: on interruptible runs the relaxations of policy.c):
 * a plan meets both, and it finds one whenever run-now meets both. */
static int negative_prices(const instance *in)
{
    for (size_t k = 0; k < in->opt.w.n; k++)
        if (in->price[k] < 0) return 1;
    return 0;
}

static void limits_props(int interruptible, uint64_t instances)
{
    static const double ss[] = {0, 0.05, 0.1, 0.2, 0.4, 0.7};
    for (uint64_t seed = 1; seed <= instances; seed++) {
        instance in;
        make(&in, seed, interruptible);
        double c0, q0;
        ccs_window_integrals(&in.opt.w, in.d.release_us, in.d.release_us + in.d.work_us, &c0, &q0);
        in.d.baseline_carbon = c0 * in.d.power_w / 1e3 * in.opt.pue;
        ccs_plan cheap = plan_with(&in, "cheapest-window", 0), green = plan_with(&in, "greenest-window", 0);
        ccs_plan now = plan_with(&in, "run-now", 0);
        double prev = -INFINITY;
        int none = 0;
        for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) {
            ccs_job_limits lim = {-1, -1, -1, ss[i], CCS_INFEASIBLE_RUN_NOW};
            in.d.limits = &lim;
            ccs_plan p = plan_with(&in, "cheapest-window", 0);
            double cap = (1 - ss[i]) * in.d.baseline_carbon;
            if (!p.run.feasible) {
                cr_assert(!le(carbon(&in, &green), cap) || !green.run.exact || p.unproven,
                          "seed %llu s %g: nothing found, but greenest-window's %.17g g meets %.17g g",
                          (unsigned long long)seed, ss[i], carbon(&in, &green), cap);
                none |= !p.unproven; /* proven: nothing meets this limit, nor any tighter one */
                ccs_run_plan_free(&p.run);
                continue;
            }
            cr_assert(!none, "seed %llu s %g: a plan where a looser limit had none", (unsigned long long)seed, ss[i]);
            check_shape(&in, &p, seed, "cheapest-window with min_saving");
            cr_assert(ccs_policy_limits_met(&in.d, 0, &p.run), "seed %llu s %g: %.17g g over %.17g g",
                      (unsigned long long)seed, ss[i], carbon(&in, &p), cap);
            /* with negative prices the unconstrained planner's family F leaves out plans that pay a
             * checkpoint at a negative price (slots.h), which the capped family F2 may hold */
            if (!negative_prices(&in) || !interruptible)
                cr_assert(le(cost(&in, &cheap), cost(&in, &p)), "seed %llu s %g: below the unconstrained cheapest",
                          (unsigned long long)seed, ss[i]);
            if (ccs_policy_limits_met(&in.d, 0, &now.run))
                cr_assert(le(cost(&in, &p), cost(&in, &now)), "seed %llu s %g: %.17g over run-now's %.17g",
                          (unsigned long long)seed, ss[i], cost(&in, &p), cost(&in, &now));
            if (!p.unproven && (!negative_prices(&in) || !interruptible)) /* same families: as above */
                cr_assert(le(prev, cost(&in, &p)), "seed %llu: cost fell from %.17g to %.17g at s %g",
                          (unsigned long long)seed, prev, cost(&in, &p), ss[i]);
            if (!p.unproven) prev = cost(&in, &p); /* a search that gave up may sit above a tighter optimum */
            ccs_run_plan_free(&p.run);
        }
        /* two kinds at once: a cost cap and a mean intensity cap */
        double y = in.d.baseline_carbon / (in.d.power_w / 1e3 * in.opt.pue) / ((double)in.d.work_us / US_PER_H);
        ccs_job_limits two = {-1, 0.1, y * 1.05, -1, CCS_INFEASIBLE_RUN_NOW};
        in.d.limits = &two;
        ccs_plan p = plan_with(&in, "greenest-window", 0);
        if (p.run.feasible)
            cr_assert(ccs_policy_limits_met(&in.d, 0, &p.run), "seed %llu: a plan over one of two limits",
                      (unsigned long long)seed);
        else
            cr_assert(!ccs_policy_limits_met(&in.d, 0, &now.run), "seed %llu: run-now meets both, nothing found",
                      (unsigned long long)seed);
        ccs_run_plan_free(&p.run);
        ccs_run_plan_free(&cheap.run);
        ccs_run_plan_free(&green.run);
        ccs_run_plan_free(&now.run);
    }
}

Test(plan_props, limits_contiguous) { limits_props(0, INSTANCES); }
Test(plan_props, limits_interruptible) { limits_props(1, INSTANCES / 20); }
