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

typedef struct state {
    gsl_rng *rng;
    ccs_trace *trace;
    size_t n, i; /* interval i of the trace */
    double *rate_per_us;
    int64_t *len_us;      /* interval lengths */
    int64_t span_us;      /* the trace's whole length */
    int64_t interval_end; /* simulated time at which interval i ends */
    int64_t now, horizon;
    int loop;
    double mean_rate;
} state;

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
    s->len_us = malloc(s->n * sizeof *s->len_us);
    if (!s->rate_per_us || !s->len_us) return ccs_err_set(err, CCS_ERUN, "out of memory");
    double total = 0;
    for (size_t i = 0; i < s->n; i++) {
        s->len_us[i] = i + 1 < s->n ? t[i + 1] - t[i] : ccs_trace_step_us(s->trace);
        total += v[i];
    }
    s->span_us = ccs_trace_end_us(s->trace) - t[0];
    double trace_mean = total / ((double)s->span_us / 1e6);
    if (trace_mean <= 0)
        return ccs_err_at(err, CCS_EINPUT, cfg->trace, 0, 0, "no requests in the whole trace: expected counts > 0");
    double scale = cfg->scale > 0 ? cfg->scale : cfg->rate_per_s / trace_mean;
    s->mean_rate = trace_mean * scale;
    for (size_t i = 0; i < s->n; i++) s->rate_per_us[i] = v[i] * scale / (double)s->len_us[i];
    if (!s->loop && cfg->offset_us + horizon_us > s->span_us) {
        char have[64];
        snprintf(have, sizeof have, "%.1f days", (double)s->span_us / CCS_US_PER_DAY);
        return ccs_err_at(err, CCS_EINPUT, cfg->trace, 0, 0,
                          "the traffic trace covers %s, but the period (plus the offset) needs %.1f days: "
                          "set arrivals.loop: true or shorten the period",
                          have, (double)(cfg->offset_us + horizon_us) / CCS_US_PER_DAY);
    }
    /* Find the interval that holds the offset (after wrapping). */
    int64_t off = cfg->offset_us % s->span_us, acc = 0;
    for (s->i = 0; s->i + 1 < s->n && acc + s->len_us[s->i] <= off; s->i++) acc += s->len_us[s->i];
    s->interval_end = acc + s->len_us[s->i] - off;
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
            int64_t t = s->now + ccs_round_nonneg(ccs_rng_exponential(s->rng, 1.0 / r));
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
    ccs_trace_destroy(s->trace);
    free(s->rate_per_us);
    free(s->len_us);
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
};
