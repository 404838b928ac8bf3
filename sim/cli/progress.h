/* Progress of a long job on stderr: on a terminal a bar redrawn in place (done/total, rate, ETA);
 * otherwise a plain line at most every `period_s` seconds and at the end; nothing when quiet. */
#ifndef CCS_PROGRESS_H
#define CCS_PROGRESS_H

#include <stdio.h>

typedef struct ccs_progress ccs_progress;

/* total: units in all; before: already done earlier (a resumed sweep), counted in done but not in
 * the rate. */
ccs_progress *ccs_progress_create(FILE *f, const char *what, long total, long before, int quiet, double period_s);
void ccs_progress_step(ccs_progress *p, long done_now, long failed);
void ccs_progress_finish(ccs_progress *p);
void ccs_progress_destroy(ccs_progress *p);

/* The line the bar or the log shows, for tests: "123/1000 runs, 45.2 runs/s, ETA 0:19". */
void ccs_progress_format(char *buf, size_t size, const char *what, long done, long total, long failed, double rate,
                         int bar_width);

/* A long run's line: "[#####.....] 3.5/14.0 days simulated, 0.52 days/s, ETA 0:20". */
void ccs_cli_progress_line(char *buf, size_t size, double done_days, double total_days, double days_per_s,
                           int bar_width);

#endif
