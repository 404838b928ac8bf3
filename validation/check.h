/* The validation runners' tally: each check prints its figure beside what it should be, and the
 * closing line "validation: N passed, N failed" is what ccsim-setup adds up. */
#ifndef CCS_VALIDATION_CHECK_H
#define CCS_VALIDATION_CHECK_H

#include <stddef.h>

/* got against want to a relative tolerance (absolute when want is 0). */
void check(const char *what, double got, double want, double rel_tol);
/* a yes/no check, with a detail printed beside it */
void check_true(const char *what, int ok, const char *detail);
#include <stdio.h>

/* Opens path for writing (a case's scenario or trace); on failure prints why and exits with
 * status 2, as check_run does. */
FILE *check_create(const char *path);
struct ccs_scenario;
struct ccs_run_result;
/* Loads the scenario at path with the overrides and runs it; on any error prints it and exits
 * with status 2 (a runner that cannot run its case has nothing to check). */
struct ccs_run_result *check_run(const char *path, char **sets, size_t nsets, struct ccs_scenario **s);

/* Prints the tally; returns the process's exit status (1 if anything failed). */
int check_report(void);

#endif
