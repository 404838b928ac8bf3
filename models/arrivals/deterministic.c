/* deterministic: one request every 1/rate_per_s, the first at time 0. The k-th stamp is
 * rounded from k/rate, not summed from rounded gaps, so it never drifts. For hand-computable
 * cases (batching, energy) and for periodic callers. */
#include "arrivals.h"

#include <math.h>

typedef struct state {
    double gap_us, rate;
    int64_t k, horizon;
} state;

static int init(void *p, const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_err *err)
{
    (void)err;
    (void)rng;
    state *s = p;
    s->rate = cfg->rate_per_s;
    s->gap_us = 1e6 / cfg->rate_per_s;
    s->horizon = horizon_us;
    return 0;
}

static int64_t next(void *p, ccs_request_attrs *attrs)
{
    state *s = p;
    attrs->tokens_in = attrs->tokens_out = 0;
    int64_t t = llround((double)s->k++ * s->gap_us);
    return t < s->horizon ? t : INT64_MAX;
}

static double mean_rate(const void *p) { return ((const state *)p)->rate; }

/* A constant rate: every stretch of the same length is alike. */
static int profile(const void *p, int64_t from_us, int64_t to_us, uint64_t *key)
{
    (void)p;
    *key = (uint64_t)(to_us - from_us);
    return 0;
}

static const char *check(const ccs_arrivals_cfg *c)
{
    return c->rate_per_s <= 0 || c->trace || c->scale > 0 ? "deterministic arrivals take rate_per_s only" : NULL;
}

const ccs_arrivals_type ccs_arrivals_deterministic = {
    .version = CCS_ARRIVALS_VERSION,
    .name = "deterministic",
    .summary = "one request every 1/rate_per_s, from time 0",
    .check = check,
    .state_size = sizeof(state),
    .init = init,
    .next = next,
    .mean_rate_per_s = mean_rate,
    .profile = profile,
};
