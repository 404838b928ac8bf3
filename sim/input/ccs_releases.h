/* Release stamps of a job read from a CSV file: a `timestamp` column (ISO 8601 UTC), in
 * non-decreasing order (several runs may be released at once), and optionally a `duration_h`
 * column giving each run's work in hours (a job set such as Wiesner et al.'s ad hoc training
 * jobs). Bad rows are errors naming the file and line. The whole list is kept: it grows with the
 * number of runs, never with simulated requests. */
#ifndef CCS_RELEASES_H
#define CCS_RELEASES_H

#include "ccs_err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ccs_releases {
    size_t n;
    int64_t *release_us; /* epoch microseconds, non-decreasing */
    int64_t *work_us;    /* per run; NULL when the file has no duration_h column */
} ccs_releases;

int ccs_releases_load(const char *path, ccs_releases *out, ccs_err *err);
void ccs_releases_free(ccs_releases *r);

#endif
