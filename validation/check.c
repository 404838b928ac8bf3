/* See check.h. */
#include "check.h"

#include "ccs_scenario.h"
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int checks, failures;

void check(const char *what, double got, double want, double rel_tol)
{
    double err = want != 0 ? fabs(got - want) / fabs(want) : fabs(got);
    int ok = err <= rel_tol;
    printf("  %-58s %16.9g  expected %16.9g  rel. error %.2e %s\n", what, got, want, err, ok ? "ok" : "FAIL");
    checks++;
    failures += !ok;
}

void check_true(const char *what, int ok, const char *detail)
{
    printf("  %-58s %s %s\n", what, detail, ok ? "ok" : "FAIL");
    checks++;
    failures += !ok;
}

int check_report(void)
{
    printf("validation: %d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}

FILE *check_create(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    return f;
}

ccs_run_result *check_run(const char *path, char **sets, size_t nsets, ccs_scenario **s)
{
    ccs_err err = {0};
    ccs_run_result *r;
    if (ccs_scenario_load(path, sets, nsets, s, &err) || ccs_run(*s, &r, &err)) {
        fprintf(stderr, "validation: %s\n", err.msg);
        exit(2);
    }
    return r;
}
