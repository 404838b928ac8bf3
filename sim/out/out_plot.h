/* Plots with gnuplot, found at run time: a PNG of intensity and energy over time. gnuplot is run
 * without a shell, the script on its stdin. Without gnuplot: a warning, no plot, no failure.
 * No text from a user (names, paths) is ever pasted into a script: it goes through ccs_gp_quote,
 * because gnuplot runs `backticks` inside strings and whatever follows a broken-out string. */
#ifndef CCS_OUT_PLOT_H
#define CCS_OUT_PLOT_H

#include "ccs_err.h"
#include "run.h"

#include <stdio.h>

/* Writes s as one complete double-quoted gnuplot string literal that gnuplot reads back as
 * exactly the bytes of s and never runs: every byte outside letters, digits, space and -_.,:/()+
 * as an octal escape (so no quote, backslash, backtick, '@', '$', newline or control byte
 * reaches gnuplot's line reader), digits right after an escape escaped as well. */
void ccs_gp_quote(FILE *f, const char *s);
/* A line `name = "value"`: a gnuplot string variable for a template to use. */
void ccs_gp_set(FILE *f, const char *name, const char *value);

/* Runs gnuplot on a script (fed on its stdin, no shell). Returns 0, 1 when gnuplot is not on
 * PATH (a warning is printed once per process), or an error. */
int ccs_gnuplot(const char *script, size_t len, ccs_err *err);
/* A template from plots/ ($CCSIM_PLOTS_DIR overrides the folder), malloc'd; NULL if missing. */
char *ccs_plot_template(const char *name);

/* Returns 0 (plot written), 1 (gnuplot missing: warning printed), or an error; the caller
 * decides whether a failed picture matters (for a run it does not: see cli_run.c). */
int ccs_out_plot_hourly(ccs_run_result *r, const char *out_dir, ccs_err *err);

#endif
