/* Plots with gnuplot, found at run time: a PNG of intensity and energy over time. gnuplot is run
 * without a shell, the script on its stdin. Without gnuplot: a warning, no plot, no failure. */
#ifndef CCS_OUT_PLOT_H
#define CCS_OUT_PLOT_H

#include "ccs_err.h"
#include "run.h"

/* Runs gnuplot on a script (fed on its stdin, no shell). Returns 0, 1 when gnuplot is not on
 * PATH (a warning is printed once per process), or an error. */
int ccs_gnuplot(const char *script, size_t len, ccs_err *err);
/* A template from plots/ ($CCSIM_PLOTS_DIR overrides the folder), malloc'd; NULL if missing. */
char *ccs_plot_template(const char *name);

/* Returns 0 (plot written), 1 (gnuplot missing: warning printed), or an error. */
int ccs_out_plot_hourly(ccs_run_result *r, const char *out_dir, ccs_err *err);

#endif
