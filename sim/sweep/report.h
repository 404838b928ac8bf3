/* The finance sign-off report of a sweep: report.md, report.csv and report.html, from the points'
 * paired statistics; the cost tolerance X is the parameter a policy declares as one. */
#ifndef CCS_REPORT_H
#define CCS_REPORT_H

#include "ccs_err.h"
#include "sweep_stats.h"

int ccs_sweep_report(const ccs_sweep_table *t, const ccs_point_stats *ps, const char *dir, ccs_err *err);

#endif
