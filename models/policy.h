/* Scheduling policies as plug-ins. A policy sees one run of a deferrable job at a time (its
 * release, deadline, duration and allowed regions, plus the grid signals through a forecast) and
 * decides where and when it runs. Adding a policy is one file in policies/ and one line in
 * policy.c's registry. Policies never print and never read the actual future trace: they get
 * what the forecast gives them. */
#ifndef CCS_POLICY_H
#define CCS_POLICY_H

#include <stddef.h>
#include <stdint.h>

typedef struct ccs_job_run {
    int64_t release_us, deadline_us, duration_us; /* absolute epoch microseconds */
    double power_w;
    const int *regions;                           /* allowed region indices, first = home */
    size_t nregions;
} ccs_job_run;

typedef struct ccs_placement {
    int region;       /* index into the scenario's regions */
    int64_t start_us; /* release <= start, start + duration <= deadline unless overridden */
} ccs_placement;

typedef struct ccs_policy_type {
    int version;          /* 1; first, as in sqlite3_vfs, so the struct can grow */
    const char *name;
    const char *summary;  /* one line for --help and the README */
    /* Places one run. ctx is the policy's view of the world (forecasts; NULL for run-now). */
    int (*place)(const void *ctx, const ccs_job_run *run, ccs_placement *out);
} ccs_policy_type;

const ccs_policy_type *ccs_policy_find(const char *name);
const char *const *ccs_policy_names(void);
size_t ccs_policy_count(void);
void ccs_policy_list(char *buf, size_t size); /* "a, b, c" */

extern const ccs_policy_type ccs_policy_run_now;

#endif
