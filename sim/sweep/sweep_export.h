/* What a finished sweep leaves in its folder, all derived from runs.sqlite and the run folders,
 * each written under a temporary name and renamed: sweep.csv (a row per run), results.h5 (a group
 * per run), then the trade-off plots (sweep_plot.h) and the report (report.h), which it calls.
 * `ccsim plot` and `ccsim report` redo parts. */
#ifndef CCS_SWEEP_EXPORT_H
#define CCS_SWEEP_EXPORT_H

#include "ccs_err.h"
#include "sweep_db.h"
#include "sweep_stats.h"

#include <stdio.h>

int ccs_sweep_export(ccs_sweep_db *db, const char *dir, int plot, ccs_err *err);
void ccs_sweep_print_outputs(const char *dir, int plot, FILE *f);

int ccs_sweep_write_csv(const ccs_sweep_table *t, const char *path, ccs_err *err);
int ccs_sweep_write_h5(const ccs_sweep_table *t, const char *dir, ccs_err *err);

/* Opens OUT/runs.sqlite of a finished sweep and reads it (ccsim plot, ccsim report). */
int ccs_sweep_open_finished(const char *dir, ccs_sweep_db **db, ccs_sweep_table *t, ccs_err *err);

#endif
