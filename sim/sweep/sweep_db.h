/* Sweep state in SQLite (OUT/runs.sqlite; schema in docs/outputs.md): the sweep, its
 * parameters and points, and one row per run that goes from 'pending' to 'done' (or 'failed')
 * in one transaction with its figures. A trigger refuses any change to a 'done' row, so a
 * finished run's results are never rewritten; anything not 'done' is run again on resume. */
#ifndef CCS_SWEEP_DB_H
#define CCS_SWEEP_DB_H

#include "ccs_err.h"
#include "sweep_context.h"
#include "sweep_run.h"
#include "sweep_spec.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ccs_sweep_db ccs_sweep_db;

typedef struct ccs_sweep_info {
    const char *scenario, *scenario_path, *currency;
    uint64_t scenario_hash, base_seed;
    const ccs_sweep_fact *facts; /* what the report states beside its figures (sweep_context.h) */
    size_t nfacts;
} ccs_sweep_info;

/* create: a new or resumed sweep (the file is made if missing); else an existing sweep's file,
 * never created (ccsim report, plot). Either way the file passes SQLite's quick_check first: a
 * damaged file is an error naming it and what to do, never read as fewer runs. */
int ccs_sweep_db_open(const char *path, int create, ccs_sweep_db **out, ccs_err *err);
void ccs_sweep_db_close(ccs_sweep_db *db);
/* A new sweep: writes its rows, every run pending. An existing one: checks it is the same sweep
 * (scenario file, sweep section, seeds) and that it holds a row per run, parameter and point
 * value, and errs if not. */
int ccs_sweep_db_prepare(ccs_sweep_db *db, const ccs_sweep_info *info, const ccs_sweep_spec *sp,
                         const ccs_sweep_plan *plan, ccs_err *err);
/* Runs not done, in run order: a malloc'd array. */
int ccs_sweep_db_pending(ccs_sweep_db *db, int64_t **runs, size_t *n, ccs_err *err);
int ccs_sweep_db_record(ccs_sweep_db *db, const ccs_sweep_outcome *o, ccs_err *err);
int ccs_sweep_db_finish(ccs_sweep_db *db, ccs_err *err);

/* The whole sweep, read back for exports, plots and the report. */
typedef struct ccs_sweep_row {
    int64_t run, point;
    int seed_index;
    uint64_t seed;
    int done;      /* status 'done' */
    char name[64]; /* the run folder under runs/ */
    ccs_sweep_outcome o;
} ccs_sweep_row;

typedef struct ccs_sweep_table {
    char *scenario, *scenario_path, *currency;
    char *version, *scenario_hash, *created_utc, *finished_utc; /* finished_utc "": not finished */
    ccs_sweep_fact *facts;                                      /* in the order the report shows them */
    size_t nfacts;
    int seeds;
    size_t nparams, npoints, nrows;
    char **paths;        /* nparams */
    char **values;       /* npoints x nparams, as --set took them */
    ccs_sweep_row *rows; /* in run order: point-major, seed index minor */
} ccs_sweep_table;

/* Reads the whole sweep in one transaction and checks it is whole: npoints x seeds runs, each at
 * its place in run order, every point's values. Anything less is an error, so exports are only
 * ever written from a complete table. */
int ccs_sweep_db_read(ccs_sweep_db *db, ccs_sweep_table *t, ccs_err *err);
void ccs_sweep_table_free(ccs_sweep_table *t);

#endif
