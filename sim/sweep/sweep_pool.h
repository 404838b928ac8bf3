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

/* The coordinator's loop over a started pool: hands each idle worker the next of runs[0..n-1]
 * (NULL: the runs 0..n-1) and gives each outcome to got as it comes back. Once got returns
 * non-zero, no further run is handed out, but the ones out are still awaited (a worker is never
 * left mid-message). Returns 0, got's first non-zero return, or CCS_ERUN (err filled) when every
 * worker has ended with runs left. */
typedef int (*ccs_sweep_outcome_fn)(void *ctx, const ccs_sweep_outcome *o, ccs_err *err);
int ccs_sweep_pool_drive(const ccs_sweep_pool_type *type, ccs_sweep_pool *pool, const int64_t *runs, size_t n,
                         ccs_sweep_outcome_fn got, void *ctx, ccs_err *err);

/* Forked processes on this machine, over pipes. */
extern const ccs_sweep_pool_type ccs_sweep_pool_fork;

#endif
