/* What a finished sweep leaves in its folder, all derived from runs.sqlite and the run folders,
 * each written under a temporary name and renamed: sweep.csv (a row per run), results.h5 (a group
 * per run), the trade-off plots and the report. `ccsim plot` and `ccsim report` redo parts. */
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

/* A parameter value as people read it: the YAML quotes --set needed taken off. */
void ccs_sweep_display_value(const char *value, char *buf, size_t size);
/* "policy.name=run-now, services.search.replicas=4" */
void ccs_sweep_point_label(const ccs_sweep_table *t, size_t point, char *buf, size_t size);

/* Trade-off curves and a run's time series (sweep_plot.c): 0 drawn, 1 gnuplot missing
 * (warned), else an error. */
int ccs_sweep_plot(const ccs_sweep_table *t, const ccs_point_stats *ps, const char *dir, ccs_err *err);
/* The hours of one run (runs/NAME): timeseries.png/.svg. */
int ccs_sweep_plot_run(const ccs_sweep_table *t, const char *dir, const char *run_name, ccs_err *err);
/* The finance sign-off report (report.c): report.md, report.csv, report.html. */
int ccs_sweep_report(const ccs_sweep_table *t, const ccs_point_stats *ps, const char *dir, ccs_err *err);

/* Opens OUT/runs.sqlite of a finished sweep and reads it (ccsim plot, ccsim report). */
int ccs_sweep_open_finished(const char *dir, ccs_sweep_db **db, ccs_sweep_table *t, ccs_err *err);

#endif
