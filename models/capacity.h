/* Finite capacity of a region (kW of IT load) for deferrable jobs. Policies plan each run as if
 * it were alone (they see forecasts, not each other); admission then enforces the capacity: a
 * run's interval starts as planned if its power fits beside the runs already going, and
 * otherwise waits. Waiting runs are admitted least slack first (latest possible start =
 * deadline - remaining work, then arrival order), strictly in that order (no backfilling past
 * a head that does not fit). A run that had to wait has lost its plan: once admitted it runs
 * its remaining work straight through (paying one checkpoint for the pause, none for the later
 * planned resumes it no longer makes). So runs that picked the same clean hours queue, the queue
 * and its cost show, and a run whose slack ran out in the queue misses its deadline. */
#ifndef CCS_CAPACITY_H
#define CCS_CAPACITY_H

#include "window.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ccs_capacity_run {
    int64_t deadline_us;
    int64_t checkpoint_us; /* the run time a resume after a pause adds */
    double power_kw;       /* <= the capacity (checked when the scenario is loaded) */
    ccs_interval *iv;      /* planned intervals, in order; rewritten in place as admitted */
    uint32_t *n;           /* their count; may shrink */
    int64_t wait_us;       /* out: total time the run waited for capacity */
} ccs_capacity_run;

typedef struct ccs_capacity_stats {
    uint64_t queued_runs;  /* runs that waited at least once */
    uint64_t peak_waiting; /* most runs waiting at once */
    int64_t peak_at_us;    /* when that peak was first reached */
    double wait_h;         /* total waiting time of all runs */
    double peak_kw;        /* highest load admitted */
} ccs_capacity_stats;

/* Admits the runs (in a fixed order: ties in time go by index) under capacity_kw. If hourly is
 * not NULL, hourly[h] receives the most runs waiting at once in hour h after t0 (nhours of them;
 * later hours are not recorded). Returns 0, or -1 if memory ran out. */
int ccs_capacity_admit(double capacity_kw, ccs_capacity_run *runs, size_t n, int64_t t0_us, uint32_t *hourly,
                       size_t nhours, ccs_capacity_stats *stats);

#endif
