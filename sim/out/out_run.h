/* "Run into a folder", once for every caller (ccsim run, a sweep's worker): the scenario is run
 * and each run writer leaves its file in the folder. The writers describe themselves (file name,
 * one line for --help) and are written in table order, summary.json last: its presence is what
 * marks a finished run. */
#ifndef CCS_OUT_RUN_H
#define CCS_OUT_RUN_H

#include "ccs_err.h"
#include "ccs_scenario.h"
#include "run.h"

#include <stddef.h>

#define CCS_RUN_WRITER_VERSION 1
typedef struct ccs_run_writer {
    int version;         /* CCS_RUN_WRITER_VERSION */
    const char *file;    /* in the run's folder */
    const char *summary; /* one line: what is in it */
    int (*write)(const ccs_run_result *r, const char *path, ccs_err *err);
} ccs_run_writer;

/* The writers, in the order they are written; *n their number. */
const ccs_run_writer *ccs_run_writers(size_t *n);

/* Removes dir's finished marker (an earlier run's summary.json), runs s, and writes every
 * writer's file into dir, which must exist. On success *out is the result (the caller destroys
 * it); on error *out is NULL, err is filled and summary.json is not there. */
int ccs_out_run_into(const ccs_scenario *s, const ccs_run_opts *opts, const char *dir, ccs_run_result **out,
                     ccs_err *err);

#endif
