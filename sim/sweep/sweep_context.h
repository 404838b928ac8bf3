/* What a sweep's report must state beside its figures, taken from the scenario when the sweep is
 * created and stored in its database (sweep_facts), so that a report redone later from the
 * database alone says the same: the simulated period, the assumptions (regions, jobs, forecast,
 * signal, prices) and the data sources with their licences, as the README beside each trace states
 * them. Facts are plain text, in the order the report shows them; they never hold markup (the
 * report escapes them like any other user string). */
#ifndef CCS_SWEEP_CONTEXT_H
#define CCS_SWEEP_CONTEXT_H

#include "ccs_scenario.h"

#include <stddef.h>

/* kind: "period", "assumption" or "source"; name: what it is about ("start", "region de", a file) */
typedef struct ccs_sweep_fact {
    char *kind, *name, *value;
} ccs_sweep_fact;

/* The facts of scenario s (as written, before any sweep point's overrides). 0, or -1 if memory
 * ran out (nothing to free then). */
int ccs_sweep_context_build(const ccs_scenario *s, ccs_sweep_fact **facts, size_t *n);
void ccs_sweep_facts_free(ccs_sweep_fact *facts, size_t n);

/* The source and licence of a data file as a README.md beside it says: the last cell of a
 * provenance table row whose first cell names the file (`name`, with {a,b} alternatives), or
 * the paragraph opening with `name`:. The README in the file's parent folder is read first (the
 * index of a data folder), then the one in its own folder. 1 if found (text in buf), 0 if not. */
int ccs_sweep_source_of(const char *path, char *buf, size_t size);

#endif
