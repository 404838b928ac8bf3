/* trace-counts: a trace of request counts per interval (NASA HTTP per minute) as a
 * non-homogeneous Poisson process whose rate is constant within each interval, scaled to the
 * scenario's mean rate (or by a factor). Exact, without thinning: an exponential gap that would
 * cross the interval's end is dropped and drawn afresh from the boundary at the next interval's
 * rate, which memorylessness makes correct. The rate series is loaded (a few thousand numbers);
 * the arrivals are not. */
#include "arrivals.h"
#include "ccs_rng.h"
#include "ccs_time.h"
#include "ccs_trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct state {
    gsl_rng *rng;
    ccs_trace *trace;
    size_t n, i; /* interval i of the trace */
    double *rate_per_us;
    double *mean_gap_us;  /* 1 / rate: the mean gap, which a draw needs (a division less per arrival) */
    int64_t *len_us;      /* interval lengths */
    int64_t *start_us;    /* where each interval starts, from the trace's first stamp */
    int64_t offset_us;    /* where in the trace the period starts */
    int borrowed;         /* the arrays are a prototype's (a sampled run's window) */
    int64_t span_us;      /* the trace's whole length */
    int64_t interval_end; /* simulated time at which interval i ends */
    int64_t now, horizon;
    int loop;
    double mean_rate;
} state;

static void seek(state *s, int64_t off);

static int init(void *p, const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_err *err)
{
    state *s = p;
    s->rng = rng;
    s->horizon = horizon_us;
    s->loop = cfg->loop;
    ccs_trace_opts opts = {.kind = "traffic"}; /* counts per interval: a price or carbon file is refused */
    int rc = ccs_trace_load(cfg->trace, &opts, &s->trace, err);
    if (rc) return rc;
    const int64_t *t = ccs_trace_times(s->trace);
    const double *v = ccs_trace_values(s->trace);
    s->n = ccs_trace_len(s->trace);
    s->rate_per_us = malloc(s->n * sizeof *s->rate_per_us);
    s->mean_gap_us = malloc(s->n * sizeof *s->mean_gap_us);
    s->len_us = malloc(s->n * sizeof *s->len_us);
    s->start_us = malloc(s->n * sizeof *s->start_us);
    if (!s->rate_per_us || !s->mean_gap_us || !s->len_us || !s->start_us)
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    double total = 0;
    for (size_t i = 0; i < s->n; i++) {
        s->len_us[i] = i + 1 < s->n ? t[i + 1] - t[i] : ccs_trace_step_us(s->trace);
        s->start_us[i] = t[i] - t[0];
        total += v[i];
    }
    s->offset_us = cfg->offset_us;
    s->span_us = ccs_trace_end_us(s->trace) - t[0];
    double trace_mean = total / ((double)s->span_us / 1e6);
    if (trace_mean <= 0)
        return ccs_err_at(err, CCS_EINPUT, cfg->trace, 0, 0, "no requests in the whole trace: expected counts > 0");
    double scale = cfg->scale > 0 ? cfg->scale : cfg->rate_per_s / trace_mean;
    s->mean_rate = trace_mean * scale;
    for (size_t i = 0; i < s->n; i++) {
        s->rate_per_us[i] = v[i] * scale / (double)s->len_us[i];
        s->mean_gap_us[i] = s->rate_per_us[i] > 0 ? 1.0 / s->rate_per_us[i] : 0.0; /* 0: never read */
    }
    if (!s->loop && cfg->offset_us + horizon_us > s->span_us) {
        char have[64];
        snprintf(have, sizeof have, "%.1f days", (double)s->span_us / CCS_US_PER_DAY);
        return ccs_err_at(err, CCS_EINPUT, cfg->trace, 0, 0,
                          "the traffic trace covers %s, but the period (plus the offset) needs %.1f days: "
                          "set arrivals.loop: true or shorten the period",
                          have, (double)(cfg->offset_us + horizon_us) / CCS_US_PER_DAY);
    }
    seek(s, cfg->offset_us);
    return 0;
}

/* The interval holding trace position pos (after wrapping): the largest i with start <= pos. */
static size_t interval_at(const state *s, int64_t pos, int64_t *into)
{
    pos %= s->span_us;
    size_t lo = 0, hi = s->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->start_us[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    *into = pos - s->start_us[lo];
    return lo;
}

/* The period (simulated time 0) starts at trace position off. */
static void seek(state *s, int64_t off)
{
    int64_t into;
    s->i = interval_at(s, off, &into);
    s->interval_end = s->len_us[s->i] - into;
}

static int init_from(void *p, const void *proto, gsl_rng *rng, int64_t offset_us, int64_t horizon_us, ccs_err *err)
{
    state *s = p;
    const state *q = proto;
    *s = *q;
    s->trace = NULL;
    s->borrowed = 1;
    s->rng = rng;
    s->horizon = horizon_us;
    s->now = 0;
    s->offset_us = q->offset_us + offset_us;
    if (!s->loop && s->offset_us + horizon_us > s->span_us)
        return ccs_err_set(err, CCS_EINPUT, "a window past the end of the traffic trace (it does not loop)");
    seek(s, s->offset_us);
    return 0;
}

/* The integral of the rate over [from, to). */
static double expected(const void *p, int64_t from_us, int64_t to_us)
{
    const state *s = p;
    int64_t into, t = from_us;
    size_t i = interval_at(s, s->offset_us + from_us, &into);
    double sum = 0;
    while (t < to_us) {
        int64_t len = s->len_us[i] - into;
        if (len > to_us - t) len = to_us - t;
        sum += s->rate_per_us[i] * (double)len;
        t += len;
        into = 0;
        if (++i == s->n) {
            if (!s->loop) break;
            i = 0;
        }
    }
    return sum;
}

/* FNV-1a over the pieces of constant rate in [from, to): their lengths and rates. */
static int profile(const void *p, int64_t from_us, int64_t to_us, uint64_t *key)
{
    const state *s = p;
    uint64_t h = 1469598103934665603ULL;
    int64_t into, t = from_us;
    size_t i = interval_at(s, s->offset_us + from_us, &into);
    while (t < to_us) {
        int64_t len = s->len_us[i] - into;
        if (len > to_us - t) len = to_us - t;
        double r = s->rate_per_us[i];
        uint64_t bits[2] = {(uint64_t)len, 0};
        memcpy(&bits[1], &r, sizeof r);
        for (int k = 0; k < 2; k++)
            for (int b = 0; b < 8; b++) h = (h ^ ((bits[k] >> (8 * b)) & 0xff)) * 1099511628211ULL;
        t += len;
        into = 0;
        if (++i == s->n) i = 0;
    }
    *key = h;
    return 0;
}

static int64_t next(void *p, ccs_request_attrs *attrs)
{
    state *s = p;
    attrs->tokens_in = attrs->tokens_out = 0;
    for (;;) {
        if (s->now >= s->horizon) return INT64_MAX;
        double r = s->rate_per_us[s->i];
        if (r > 0) {
            int64_t t = s->now + ccs_round_nonneg(ccs_rng_exponential(s->rng, s->mean_gap_us[s->i]));
            if (t < s->interval_end) {
                s->now = t;
                return t < s->horizon ? t : INT64_MAX;
            }
        }
        /* No arrival left in this interval: move to the start of the next one. */
        s->now = s->interval_end;
        if (++s->i == s->n) {
            if (!s->loop) return INT64_MAX;
            s->i = 0;
        }
        s->interval_end += s->len_us[s->i];
    }
}

static double mean_rate(const void *p) { return ((const state *)p)->mean_rate; }

static void fini(void *p)
{
    state *s = p;
    if (s->borrowed) return;
    ccs_trace_destroy(s->trace);
    free(s->rate_per_us);
    free(s->mean_gap_us);
    free(s->len_us);
    free(s->start_us);
}

static const char *check(const ccs_arrivals_cfg *c)
{
    return !c->trace || (c->rate_per_s > 0) == (c->scale > 0)
               ? "trace-counts arrivals take a trace and either rate_per_s (the mean rate) or scale"
               : NULL;
}

const ccs_arrivals_type ccs_arrivals_trace_counts = {
    .version = CCS_ARRIVALS_VERSION,
    .name = "trace-counts",
    .summary = "counts per interval from a trace, as a Poisson process with that rate, scaled",
    .check = check,
    .state_size = sizeof(state),
    .init = init,
    .next = next,
    .mean_rate_per_s = mean_rate,
    .fini = fini,
    .profile = profile,
    .init_from = init_from,
    .expected = expected,
};
