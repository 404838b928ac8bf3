/* Request arrival processes as plug-ins: synthetic Poisson, a counts-per-interval trace turned
 * into a non-homogeneous Poisson process, or a per-request trace replayed. Arrivals are
 * generated one at a time (streamed): nothing grows with the number of requests. Each process
 * draws only from the stream it is given, so two policies see the same arrivals. */
#ifndef CCS_ARRIVALS_H
#define CCS_ARRIVALS_H

#include "ccs_err.h"
#include "ccs_scenario.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

/* What a request brings besides its time (0 when the source does not say). */
typedef struct ccs_request_attrs {
    float tokens_in, tokens_out;
} ccs_request_attrs;

typedef struct ccs_arrivals_type {
    int version;
    const char *name;
    const char *summary;
    size_t state_size;
    /* horizon_us: the period's length; the source may stop earlier. */
    int (*init)(void *state, const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_err *err);
    /* The next arrival, in simulated microseconds (non-decreasing), or INT64_MAX when none is
     * left before the horizon. */
    int64_t (*next)(void *state, ccs_request_attrs *attrs);
    double (*mean_rate_per_s)(const void *state); /* over the period, for the load check */
    /* Optional: non-zero (err filled) if the source stopped early because of an error, such
     * as a replayed file that changed after it was checked. Asked once, after the run. */
    int (*failed)(const void *state, ccs_err *err);
    void (*fini)(void *state);
} ccs_arrivals_type;

typedef struct ccs_arrivals ccs_arrivals;

int ccs_arrivals_create(const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_arrivals **out,
                        ccs_err *err);
void ccs_arrivals_destroy(ccs_arrivals *a);
int64_t ccs_arrivals_next(ccs_arrivals *a, ccs_request_attrs *attrs);
double ccs_arrivals_mean_rate_per_s(const ccs_arrivals *a);
int ccs_arrivals_failed(const ccs_arrivals *a, ccs_err *err);
const char *ccs_arrivals_name(const ccs_arrivals *a);

extern const ccs_arrivals_type ccs_arrivals_poisson, ccs_arrivals_trace_counts, ccs_arrivals_trace_replay,
    ccs_arrivals_deterministic;

#endif
