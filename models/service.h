/* An interactive service: arrivals (a plug-in: Poisson or a traffic trace) into a FCFS queue in front of `replicas` identical
 * servers, exponential or deterministic service times. Latency = queueing + service. Power per
 * replica P(u) = idle + (max - idle) u: each request's busy energy is charged over its service
 * interval, the idle draw of every provisioned replica over the whole period (DOMAIN.md 3, 4).
 * This is the spine's first service model; batching, caches, pipelines and traces come later. */
#ifndef CCS_SERVICE_H
#define CCS_SERVICE_H

#include "ccs_engine.h"
#include "ccs_err.h"
#include "ccs_scenario.h"
#include "ledger.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct ccs_service ccs_service;

typedef struct ccs_service_result {
    uint64_t requests;          /* measured: arrived after the warm-up */
    double mean_ms, p50_ms, p95_ms, p99_ms;
    double slo_violation_frac;  /* share of requests slower than slo_p95_ms; 0 without an SLO */
    int slo_met;                /* p95 <= slo (1), not (0), no SLO (-1) */
    double busy_energy_j;       /* IT energy of serving requests */
    double idle_energy_j;       /* IT energy of provisioned replicas at idle power */
    ccs_charge charge;          /* everything this service drew, as the ledger priced it */
} ccs_service_result;

/* t0_us: the epoch time of simulated time 0; horizon_us: simulated time when arrivals stop;
 * requests arriving before warmup_us are served and charged but not measured. Fails (err
 * filled) when the arrivals cannot be set up or their mean load is 1 or more. */
int ccs_service_create(const ccs_service_cfg *cfg, const ccs_hardware_cfg *hw, int region, ccs_engine *eng,
                       ccs_ledger *ledger, gsl_rng *arrivals, gsl_rng *service_times, int64_t t0_us,
                       int64_t horizon_us, int64_t warmup_us, ccs_service **out, ccs_err *err);
void ccs_service_destroy(ccs_service *s);

/* Schedules the first arrival. */
int ccs_service_start(ccs_service *s);

/* After the engine has run dry: charges idle power and fills the result. Non-zero if the
 * ledger could not take a draw (the period ran past the traces), with err filled. */
int ccs_service_finish(ccs_service *s, ccs_service_result *out, ccs_err *err);

#endif
