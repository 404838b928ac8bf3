/* The summary JSON contract (README "Output reference"): built with jansson, written under a
 * temporary name and renamed, or printed. Key order is fixed; numbers are printed with 17
 * significant digits, so equal doubles give equal bytes. */
#ifndef CCS_OUT_JSON_H
#define CCS_OUT_JSON_H

#include "ccs_err.h"
#include "run.h"

#include <stdio.h>

int ccs_out_summary_write(const ccs_run_result *r, const char *path, ccs_err *err);
int ccs_out_summary_print(const ccs_run_result *r, FILE *f);
/* The same JSON as text, for a caller that parses it itself (the Python module): malloc'd, freed
 * with free(); NULL when memory ran out. */
char *ccs_out_summary_dumps(const ccs_run_result *r);
/* The readable table of --format text. */
void ccs_out_summary_text(const ccs_run_result *r, FILE *f);

#endif
