/* Where a sweep's runs execute: a pool of workers behind one small interface, so that the
 * coordinator (cli_sweep.c) hands out runs the same way to local processes and to MPI ranks.
 * Load balancing is dynamic: a worker gets its next run when it returns an outcome. */
#ifndef CCS_SWEEP_POOL_H
#define CCS_SWEEP_POOL_H

#include "ccs_err.h"
#include "sweep_run.h"

typedef struct ccs_sweep_pool ccs_sweep_pool;

typedef struct ccs_sweep_pool_type {
    const char *name;
    /* Runs a worker may hold at once: above 1, the next run waits beside the worker while it
     * computes, so a slow hand-over (MPI polling) never leaves it idle. */
    int depth;
    /* nworkers: wanted (processes); a type may fix its own (MPI: one per rank). */
    int (*start)(const ccs_sweep_plan *plan, int nworkers, ccs_sweep_pool **out, ccs_err *err);
    int (*nworkers)(const ccs_sweep_pool *p);
    int (*submit)(ccs_sweep_pool *p, int worker, int64_t run);
    /* Blocks until a worker returns an outcome. A worker that died mid-run gives its run a failed
     * outcome and is not used again; returns -1 when no worker is left. */
    int (*wait)(ccs_sweep_pool *p, int *worker, ccs_sweep_outcome *out);
    void (*stop)(ccs_sweep_pool *p);
} ccs_sweep_pool_type;

/* Forked processes on this machine, over pipes. */
extern const ccs_sweep_pool_type ccs_sweep_pool_fork;

#endif
