/* Plots with gnuplot, found at run time: a PNG of intensity and energy over time. gnuplot is run
 * without a shell, the script on its stdin. Without gnuplot: a warning, no plot, no failure. */
#ifndef CCS_OUT_PLOT_H
#define CCS_OUT_PLOT_H

#include "ccs_err.h"
#include "run.h"

/* Returns 0 (plot written), 1 (gnuplot missing: warning printed), or an error. */
int ccs_out_plot_hourly(ccs_run_result *r, const char *out_dir, ccs_err *err);

#endif
