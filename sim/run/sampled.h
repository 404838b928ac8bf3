/* Sampled fidelity (docs/sampling.md): a service's long period estimated from short simulated
 * windows instead of simulated whole. The period's hours are grouped into blocks of hours whose
 * arrival process is the same (the rate over the hour and the warm-up before it); each block is
 * represented by a few windows at random whole-window slots of random hours of it, each
 * simulated from a warm-up before it. Energy, carbon and cost are booked back into every hour of
 * the block and priced by that hour's grid (exact accounting of estimated energy); request
 * statistics are the windows' histograms weighted by the time each stands for. Confidence
 * intervals of the totals come from the variance within the blocks; those of the latency figures
 * from random groups of the windows. Jobs are never sampled. */
#ifndef CCS_SAMPLED_H
#define CCS_SAMPLED_H

#include "ccs_err.h"
#include "ccs_schema.h"
#include "ledger.h"
#include "service.h"

#include <stdatomic.h>
#include <stdint.h>

enum { CCS_FIDELITY_FULL = 0, CCS_FIDELITY_SAMPLED };
extern const char *const ccs_fidelity_words[]; /* "full", "sampled" */

typedef struct ccs_sampling_cfg {
    int64_t window_us;    /* a measured window; divides the hour (default 5 min) */
    int64_t warmup_us;    /* simulated before each window, not counted (0: from the service, see below) */
    long min_windows;     /* at least this many windows over the period, shared by the blocks' hours */
    long groups;          /* random groups for the confidence intervals of the latency figures */
    long hours_per_block; /* at most about this many hours share a window where hours differ */
} ccs_sampling_cfg;

void ccs_sampling_defaults(ccs_sampling_cfg *c);
extern const ccs_schema ccs_sampling_schema;

/* The window warm-up a service gets without a stated one: 10 minutes, or longer where an
 * autoscaler remembers more (its scale-down delay, a cold start and two intervals). */
int64_t ccs_sampling_warmup(const ccs_sampling_cfg *c, const ccs_service_cfg *svc);

/* Simulates service `i` of the scenario in sampled fidelity into *out (an estimate with its
 * confidence intervals) and books its estimated draws into `ledger` (nothing of this service
 * booked yet; the whole period's regions). done_us: simulated time estimated so far, for the
 * progress line; stop: set by another thread to give up early. Up to `threads` windows are
 * simulated at once; the result is the same bytes for any number. */
/* Returned (err untouched) where sampling would simulate half the period or more: simulate the
 * service whole. */
enum { CCS_SAMPLED_NOT_WORTH = -2 };
struct ccs_scenario;
int ccs_sampled_service(const struct ccs_scenario *s, size_t i, long threads, ccs_ledger *ledger,
                        ccs_service_result *out, uint64_t *events, _Atomic int64_t *done_us, _Atomic int *stop,
                        ccs_err *err);

#endif
