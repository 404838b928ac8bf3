/* A sweep: the `sweep:` section of a scenario file. Each key other than `seeds` is a dotted path
 * as --set takes it, with a list of values or a range {from, to, step}; the points are their
 * cartesian product in file order, the last parameter varying fastest. Each point runs with K
 * seeds: seed k is the scenario's seed + k at every point (common random numbers). */
#ifndef CCS_SWEEP_SPEC_H
#define CCS_SWEEP_SPEC_H

#include "ccs_err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ccs_sweep_spec ccs_sweep_spec;

/* Reads the sweep section of the scenario file at path. A file without one is an error that says
 * what a sweep section looks like. seeds_override > 0 replaces the section's `seeds`. The
 * scenario's `seed` + seeds - 1 must not pass 2^63 - 1, the largest seed a scenario takes: an
 * error at the seed's file:line:col otherwise. `seed` itself is not a sweep parameter. */
int ccs_sweep_spec_load(const char *path, int seeds_override, ccs_sweep_spec **out, ccs_err *err);
/* The same from YAML text (tests); `file` names it in messages. */
int ccs_sweep_spec_parse(const char *text, size_t len, const char *file, int seeds_override, ccs_sweep_spec **out,
                         ccs_err *err);
void ccs_sweep_spec_destroy(ccs_sweep_spec *sp);

size_t ccs_sweep_nparams(const ccs_sweep_spec *sp);
const char *ccs_sweep_param_path(const ccs_sweep_spec *sp, size_t param);
size_t ccs_sweep_nvalues(const ccs_sweep_spec *sp, size_t param);
/* Where the parameter's key is in the sweep section: the file, *line and *col. */
const char *ccs_sweep_param_where(const ccs_sweep_spec *sp, size_t param, long *line, long *col);
size_t ccs_sweep_npoints(const ccs_sweep_spec *sp);
int ccs_sweep_seeds(const ccs_sweep_spec *sp);
/* The value text of `param` at `point`, as --set would take it. */
const char *ccs_sweep_value(const ccs_sweep_spec *sp, size_t point, size_t param);
/* "path=value" for each parameter at point, then "seed=N" for seed index k (N = base_seed + k):
 * a malloc'd array of *n malloc'd strings, freed with ccs_sweep_overrides_free. NULL: no memory. */
char **ccs_sweep_overrides(const ccs_sweep_spec *sp, size_t point, int k, uint64_t base_seed, size_t *n);
void ccs_sweep_overrides_free(char **ov, size_t n);
/* A hash of the section (paths, values, seeds), to recognise the same sweep on resume. */
uint64_t ccs_sweep_hash(const ccs_sweep_spec *sp);

#endif
