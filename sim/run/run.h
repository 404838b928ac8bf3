/* One run of a scenario: load its traces, simulate the chosen policy and the run-now baseline
 * on the same random streams, and hand the results to the writers. Writers never reach back. */
#ifndef CCS_RUN_H
#define CCS_RUN_H

#include "ccs_err.h"
#include "ccs_scenario.h"
#include "job.h"
#include "ledger.h"
#include "service.h"

typedef struct ccs_totals {
    double energy_kwh, carbon_kg, cost; /* energy_kwh: from the grid, the facility's overhead included */
    double it_kwh;                      /* at the servers: devices and hosts */
    double cooling_kwh;                 /* the facility's cooling (0 where a region has a constant PUE) */
    double water_l;                     /* on site and off site */
    double heat_reused_kwh;             /* exported for reuse: reported apart, never netted */
    double heat_avoided_kg;             /* what that heat avoids at the region's stated factor */
    double carbon_marginal_kg;          /* the marginal accounting, where the regions have marginal traces */
    double money[CCS_MONEY_KINDS];      /* cost by what it paid for (ledger.h); sums to cost within rounding */
} ccs_totals;

typedef struct ccs_region_result {
    const char *name;
    const char *carbon_path;
    char carbon_units[64], carbon_column[160]; /* what the trace file gave, as read */
    const char *price_source;                  /* a path, a stated tariff, or "none" */
    char tariff_text[160];                     /* a day/night tariff, described */
    /* the carbon trace and the price source with what was assumed or converted to read them
     * ("...; converted from EUR at 1.0866 USD per EUR (ECB, 2023-12-29)") */
    char carbon_text[600], price_text[600];
    double pue;
    ccs_totals totals;
} ccs_region_result;

/* What a sweep compares across runs, for one policy's run: the worst service's P95 (0 without
 * services), the mean over jobs of each job's time-average age of information (0 without jobs),
 * and the jobs' deadline misses and guard overrides, summed. */
typedef struct ccs_outcome {
    double p95_ms, freshness_h;
    uint64_t misses, overrides, fallbacks, unproven;
    uint64_t constraints_broken; /* the scenario's constraints it broke (the policy's run only) */
    int slo_met, slo_total;      /* services with an SLO that met it, and with an SLO */
} ccs_outcome;

/* One rule of a constraint, as the run met it: a service's P95 change (a fraction of run-now's),
 * its P95 (ms), or the runs outside the allowed regions (a service: 1 if it serves from outside). */
typedef struct ccs_constraint_result {
    char what[320];
    int satisfied;
    double value;
} ccs_constraint_result;

typedef struct ccs_run_result {
    const ccs_scenario *scenario;
    const char *policy;
    ccs_totals totals, baseline;
    double delta_carbon_pct, delta_cost_pct;
    double delta_carbon_marginal_pct; /* the same change in the marginal accounting (0 without it) */
    ccs_region_result *regions;
    ccs_service_result *services;
    ccs_job_result *jobs;
    ccs_region_queue *queues;    /* per region: runs waiting for capacity (policy's run) */
    ccs_ledger *ledger;          /* of the policy's run, for the hourly series */
    ccs_ledger *baseline_ledger; /* of the run-now baseline; the same as ledger under run-now */
    ccs_outcome outcome, baseline_outcome;
    uint64_t events;
    ccs_constraint_result *constraints; /* one per rule of the scenario's constraints */
    size_t nconstraints;
} ccs_run_result;

/* How a run is carried out; never what it computes: the results are the same bytes whatever
 * these say. */
typedef struct ccs_run_opts {
    long threads; /* services simulated at once, each on its own thread (<= 1: this thread) */
    /* Called about five times a second from the calling thread while services run (NULL: never):
     * the simulated time done, summed over the services, of total. */
    void (*progress)(void *ctx, int64_t done_us, int64_t total_us);
    void *progress_ctx;
} ccs_run_opts;

/* ccs_run_with(s, NULL, ...): one thread, no progress. */
int ccs_run(const ccs_scenario *s, ccs_run_result **out, ccs_err *err);
int ccs_run_with(const ccs_scenario *s, const ccs_run_opts *opts, ccs_run_result **out, ccs_err *err);
void ccs_run_result_destroy(ccs_run_result *r);

#endif
