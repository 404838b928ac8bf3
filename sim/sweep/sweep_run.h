/* One run of a sweep: the scenario at one point with one seed, simulated by ccs_run, its
 * summary.json and results.h5 written to a temporary folder that is then renamed to
 * OUT/runs/pPOINT-sSEED, and its figures returned as a fixed-size outcome, the one message that
 * travels from a worker (a process or an MPI rank) to the coordinator. */
#ifndef CCS_SWEEP_RUN_H
#define CCS_SWEEP_RUN_H

#include "sweep_spec.h"

#include <stdint.h>

typedef struct ccs_sweep_outcome {
    int64_t run;    /* point * seeds + seed index */
    int32_t status; /* 0 ok; else the ccs_err code, message says why */
    int32_t slo_met, slo_total;
    int32_t absent; /* CCS_SWEEP_NO_* bits: figures the scenario has none of (0: all present) */
    uint64_t events, misses, baseline_misses, overrides, fallbacks, unproven;
    double wall_s;         /* this run's compute and writing, seconds */
    double cost_tolerance; /* the point's cost tolerance X: the parameter some policy declares as one
                            * (ccs_policy_cost_tolerance), whichever policy the point runs */
    double energy_kwh, carbon_kg, cost;
    double base_energy_kwh, base_carbon_kg, base_cost;
    double p95_ms, base_p95_ms;           /* NaN without services */
    double freshness_h, base_freshness_h; /* NaN without jobs */
    double planned_cost;                  /* the jobs' full cost as their plans expected it (runs that ran) */
    double jobs_cost;                     /* the jobs' actual full cost, transfer included */
    uint64_t capped_runs;                 /* runs of jobs with a max_cost */
    uint64_t runs_over_cap;               /* of those, runs whose actual cost broke it */
    uint64_t constraints_broken;          /* rules of the scenario's constraints the run broke */
    char policy[48];
    char worker[64]; /* host:pid of the worker that ran it */
    char message[1024];
} ccs_sweep_outcome;

/* What an outcome's absent bits say. Without services there is no P95 and no SLO to count;
 * without jobs no freshness, deadline misses, overrides, fallbacks, unproven plans or jobs' cost.
 * The counts are then 0 in the struct (sums over nothing), and the writers leave them empty, not
 * 0: a reader must tell "none happened" from "nothing to count". */
enum { CCS_SWEEP_NO_SERVICES = 1, CCS_SWEEP_NO_JOBS = 2 };

typedef struct ccs_sweep_plan {
    const char *scenario_path;
    const char *out_dir;
    const ccs_sweep_spec *spec;
    uint64_t base_seed;            /* the scenario's own seed */
    int point_digits, seed_digits; /* of the run folder names */
} ccs_sweep_plan;

/* The run folder's name under OUT/runs ("p003-s01"). */
void ccs_sweep_run_name(const ccs_sweep_plan *p, int64_t run, char *buf, size_t size);
/* Executes run; never fails as a call: a failed run is an outcome with status != 0. */
void ccs_sweep_run_exec(const ccs_sweep_plan *p, int64_t run, ccs_sweep_outcome *out);

/* The name of the cost tolerance's column in sweep.db, sweep.csv and the report's table: the key of
 * the parameter a policy declares as its cost tolerance (CCS_PARAM_COST_TOLERANCE), or "cost_tolerance"
 * if none does. Keys are [a-z0-9_] (ccs_policy_type_check), safe in SQL and CSV unquoted. */
const char *ccs_sweep_tolerance_column(void);

#endif
