/* poisson: exponential gaps at a fixed rate. */
#include "arrivals.h"
#include "ccs_rng.h"

typedef struct state {
    gsl_rng *rng;
    double mean_gap_us, rate;
    int64_t now, horizon;
} state;

static int init(void *p, const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_err *err)
{
    (void)err;
    state *s = p;
    s->rng = rng;
    s->rate = cfg->rate_per_s;
    s->mean_gap_us = 1e6 / cfg->rate_per_s;
    s->horizon = horizon_us;
    return 0;
}

static int64_t next(void *p, ccs_request_attrs *attrs)
{
    state *s = p;
    attrs->tokens_in = attrs->tokens_out = 0;
    s->now += ccs_round_nonneg(ccs_rng_exponential(s->rng, s->mean_gap_us));
    return s->now < s->horizon ? s->now : INT64_MAX;
}

static double mean_rate(const void *p) { return ((const state *)p)->rate; }

/* A constant rate: every stretch of the same length is alike. */
static int profile(const void *p, int64_t from_us, int64_t to_us, uint64_t *key)
{
    (void)p;
    *key = (uint64_t)(to_us - from_us);
    return 0;
}

static double expected(const void *p, int64_t from_us, int64_t to_us)
{
    return ((const state *)p)->rate * (double)(to_us - from_us) / 1e6;
}

static const char *check(const ccs_arrivals_cfg *c)
{
    return c->rate_per_s <= 0 || c->trace || c->scale > 0 ? "poisson arrivals take rate_per_s only" : NULL;
}

const ccs_arrivals_type ccs_arrivals_poisson = {
    .version = CCS_ARRIVALS_VERSION,
    .name = "poisson",
    .summary = "exponential gaps at rate_per_s",
    .check = check,
    .state_size = sizeof(state),
    .init = init,
    .next = next,
    .mean_rate_per_s = mean_rate,
    .profile = profile,
    .expected = expected,
};
