/* The run registry: runs.sqlite in the output root, one row per run (README "Output reference").
 * A row is inserted as 'running' before the run and updated to 'ok' or 'failed' after it, so an
 * interrupted run is visible as such. */
#ifndef CCS_OUT_REGISTRY_H
#define CCS_OUT_REGISTRY_H

#include "ccs_err.h"
#include "run.h"

#include <stdint.h>

typedef struct ccs_registry ccs_registry;

int ccs_registry_open(const char *path, ccs_registry **out, ccs_err *err);
void ccs_registry_close(ccs_registry *g);
/* Inserts a 'running' row; *run_id gets its id. */
int ccs_registry_begin(ccs_registry *g, const ccs_scenario *s, const char *out_dir, int64_t *run_id,
                       ccs_err *err);
/* r NULL: the run failed with `message`. */
int ccs_registry_end(ccs_registry *g, int64_t run_id, const ccs_run_result *r, const char *message,
                     ccs_err *err);

#endif
