/* Hourly service series; see series.h. One allocation holds every field. */
#include "series.h"
#include "ccs_units.h"

#include <stdlib.h>

static int64_t floor_hour(int64_t t)
{
    int64_t h = CCS_US_PER_HOUR;
    return (t >= 0 ? t / h : -((-t + h - 1) / h)) * h;
}

int ccs_series_init(ccs_series *s, int64_t t0_us, int64_t horizon_us)
{
    s->t0_us = t0_us;
    s->hour0_us = floor_hour(t0_us);
    s->n = (size_t)((floor_hour(t0_us + horizon_us - 1) - s->hour0_us) / CCS_US_PER_HOUR) + 2;
    double *mem = calloc(s->n * CCS_SERIES_FIELDS, sizeof *mem);
    if (!mem) return -1;
    double **fields[CCS_SERIES_FIELDS] = {&s->requests,      &s->latency_sum_ms, &s->slo_misses,  &s->cache_hits,
                                          &s->it_energy_kwh, &s->energy_kwh,     &s->carbon_kg,   &s->cost,
                                          &s->replica_hours, &s->output_tokens,  &s->ttft_sum_ms, &s->tpot_sum_ms,
                                          &s->tpot_requests, &s->ttft_requests};
    for (size_t k = 0; k < CCS_SERIES_FIELDS; k++) *fields[k] = mem + k * s->n;
    s->last = 0;
    s->last_lo = s->last_hi = 0; /* empty: the first lookup computes */
    return 0;
}

void ccs_series_free(ccs_series *s)
{
    free(s->requests); /* the one allocation */
    s->requests = NULL;
}
