/* The run registry: runs.sqlite in the output root, one row per run (README "Output reference").
 * A row is inserted as 'running' before the run and updated to 'ok' or 'failed' after it. A run
 * killed in between cannot say so itself; the next open of the registry marks its row
 * 'interrupted'. How it tells a dead run from one still going in another process: each running
 * process holds an fcntl write lock (open file description lock) on byte ID of the hidden file
 * .runs.sqlite.lock beside the registry, taken in the transaction that inserts row ID. The kernel
 * drops the lock when the process ends in any way, so a 'running' row whose byte nobody holds is
 * a run that ended without recording how. Unlike a stored pid, this needs no guess about pid reuse,
 * reboots, pid namespaces or hosts (it holds over NFS where the server supports locks). */
#ifndef CCS_OUT_REGISTRY_H
#define CCS_OUT_REGISTRY_H

#include "ccs_err.h"
#include "run.h"

#include <stdint.h>

typedef struct ccs_registry ccs_registry;

/* Opens (or creates) the registry, brings an older table to this version's schema and marks the
 * rows of runs that ended without an outcome 'interrupted'. */
int ccs_registry_open(const char *path, ccs_registry **out, ccs_err *err);
void ccs_registry_close(ccs_registry *g);
/* Inserts a 'running' row, with this process's pid and host, and holds its lock until
 * ccs_registry_end (or the process ends); *run_id gets its id. */
int ccs_registry_begin(ccs_registry *g, const ccs_scenario *s, const char *out_dir, int64_t *run_id, ccs_err *err);
/* r NULL: the run failed with `message`. */
int ccs_registry_end(ccs_registry *g, int64_t run_id, const ccs_run_result *r, const char *message, ccs_err *err);

#endif
