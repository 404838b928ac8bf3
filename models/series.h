/* Hourly series of one service, filled by the service and its pools as the run goes and
 * written to results.h5. Memory grows with the period (one slot per hour), never with the
 * number of requests. Slot i covers [hour0 + i h, hour0 + (i + 1) h) in epoch time; work after
 * the period (queues draining) goes to the last slot. */
#ifndef CCS_SERIES_H
#define CCS_SERIES_H

#include "ccs_units.h"
#include "ledger.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ccs_series {
    int64_t hour0_us; /* epoch start of slot 0 */
    int64_t t0_us;    /* epoch time of simulated time 0 */
    size_t n;
    double *requests; /* measured requests, by arrival hour */
    double *latency_sum_ms;
    double *slo_misses;
    double *cache_hits;
    double *it_energy_kwh, *energy_kwh, *carbon_kg, *cost;
    double *replica_hours; /* provisioned replica-hours (serving, starting and warm) */
    /* LLM requests (llm.h), by arrival hour: output tokens, sums of time to first token and of
     * time per output token, and how many requests gave each (a TPOT takes two tokens or more) */
    double *output_tokens, *ttft_sum_ms, *tpot_sum_ms, *tpot_requests, *ttft_requests;
    /* The last slot looked up and its bounds in simulated time: stamps come nearly in order,
     * so most lookups need no 64-bit division. */
    size_t last;
    int64_t last_lo, last_hi;
} ccs_series;

enum { CCS_SERIES_FIELDS = 14 };

/* Allocates n slots covering simulated [0, horizon) plus one for the drain. */
int ccs_series_init(ccs_series *s, int64_t t0_us, int64_t horizon_us);
void ccs_series_free(ccs_series *s);

static inline size_t ccs_series_slot(ccs_series *s, int64_t sim_us)
{
    if (sim_us >= s->last_lo && sim_us < s->last_hi) return s->last;
    int64_t i = (s->t0_us + sim_us - s->hour0_us) / CCS_US_PER_HOUR;
    s->last = i < 0 ? 0 : (size_t)i >= s->n ? s->n - 1 : (size_t)i;
    s->last_lo = s->last == 0 ? INT64_MIN : s->hour0_us + (int64_t)s->last * CCS_US_PER_HOUR - s->t0_us;
    s->last_hi = s->last + 1 < s->n ? s->hour0_us + (int64_t)(s->last + 1) * CCS_US_PER_HOUR - s->t0_us : INT64_MAX;
    return s->last;
}

static inline void ccs_series_charge(ccs_series *s, int64_t sim_us, const ccs_charge *c)
{
    size_t i = ccs_series_slot(s, sim_us);
    s->it_energy_kwh[i] += c->it_energy_j / CCS_J_PER_KWH;
    s->energy_kwh[i] += c->energy_j / CCS_J_PER_KWH;
    s->carbon_kg[i] += c->carbon_g / 1000.0;
    s->cost[i] += c->cost;
}

#endif
