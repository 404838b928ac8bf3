/* The arrivals registry and instance wrapper; see arrivals.h. */
#include "arrivals.h"

#include <stdlib.h>

static const ccs_arrivals_type *const registry[] = {
    [CCS_ARRIVALS_POISSON] = &ccs_arrivals_poisson,
    [CCS_ARRIVALS_TRACE_COUNTS] = &ccs_arrivals_trace_counts,
    [CCS_ARRIVALS_TRACE_REPLAY] = &ccs_arrivals_trace_replay,
    [CCS_ARRIVALS_DETERMINISTIC] = &ccs_arrivals_deterministic,
};

struct ccs_arrivals {
    const ccs_arrivals_type *type;
    void *state;
};

int ccs_arrivals_create(const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_arrivals **out, ccs_err *err)
{
    *out = NULL;
    ccs_arrivals *a = calloc(1, sizeof *a);
    if (!a) return ccs_err_set(err, CCS_ERUN, "out of memory");
    a->type = registry[cfg->process];
    a->state = calloc(1, a->type->state_size);
    if (!a->state) {
        free(a);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    int rc = a->type->init(a->state, cfg, rng, horizon_us, err);
    if (rc) {
        ccs_arrivals_destroy(a);
        return rc;
    }
    *out = a;
    return 0;
}

void ccs_arrivals_destroy(ccs_arrivals *a)
{
    if (!a) return;
    if (a->type->fini) a->type->fini(a->state);
    free(a->state);
    free(a);
}

int64_t ccs_arrivals_next(ccs_arrivals *a, ccs_request_attrs *attrs) { return a->type->next(a->state, attrs); }
double ccs_arrivals_mean_rate_per_s(const ccs_arrivals *a) { return a->type->mean_rate_per_s(a->state); }
int ccs_arrivals_failed(const ccs_arrivals *a, ccs_err *err)
{
    return a->type->failed ? a->type->failed(a->state, err) : 0;
}

const char *ccs_arrivals_name(const ccs_arrivals *a) { return a->type->name; }
