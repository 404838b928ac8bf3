/* The sweep's pictures, drawn by gnuplot from scripts in plots/ with every name passed as data:
 * the trade-off curves of the points and one run's time series. */
#ifndef CCS_SWEEP_PLOT_H
#define CCS_SWEEP_PLOT_H

#include "ccs_err.h"
#include "sweep_stats.h"

/* Trade-off curves (and the chosen point's time series): 0 drawn, 1 gnuplot missing (warned),
 * else an error. */
int ccs_sweep_plot(const ccs_sweep_table *t, const ccs_point_stats *ps, const char *dir, ccs_err *err);
/* The hours of one run (runs/NAME): timeseries.png/.svg. */
int ccs_sweep_plot_run(const ccs_sweep_table *t, const char *dir, const char *run_name, ccs_err *err);

#endif
