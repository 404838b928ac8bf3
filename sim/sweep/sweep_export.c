/* sweep.csv, the assembled results.h5, and the order of the sweep's outputs; see sweep_export.h. */
#include "sweep_export.h"

#include "report.h"
#include "sweep_plot.h"

#include "ccs_csv.h"
#include "out_fs.h"
#include "out_h5.h"

#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An empty cell for a figure the run does not have (NaN), never 0: pandas reads it as NaN. */
static void num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.17g", v);
}

/* A count, empty when the run's scenario has nothing it counts (absent). */
static void count(FILE *f, uint64_t v, int absent)
{
    if (absent)
        fputs(",", f);
    else
        fprintf(f, ",%" PRIu64, v);
}

/* The figures after the parameters' columns, each once: `policy` and the cost tolerance's column
 * come before them only when the sweep's own policy.name and policy.<key> columns do not already
 * hold them. */
static const char figures[] =
    "energy_kwh,carbon_kg,cost,baseline_energy_kwh,baseline_carbon_kg,baseline_cost,carbon_saved_pct,"
    "cost_change_pct,p95_ms,baseline_p95_ms,freshness_h,baseline_freshness_h,deadline_misses,"
    "baseline_deadline_misses,overrides,slo_met,slo_total,events,fallbacks,unproven,constraints_broken";

int ccs_sweep_write_csv(const ccs_sweep_table *t, const char *path, ccs_err *err)
{
    ccs_fs_clean_temporaries(path);
    ccs_fs_out *o = ccs_fs_begin(path);
    if (!o) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
    FILE *f = ccs_fs_stream(o);
    const int with_policy = !ccs_sweep_has_param(t, "policy.name");
    const int with_tolerance = !ccs_sweep_has_tolerance_param(t);
    fputs("run,point,seed_index,seed", f);
    for (size_t i = 0; i < t->nparams; i++) {
        fputc(',', f);
        ccs_csv_write_field(f, t->paths[i]);
    }
    fputs(",status", f);
    if (with_policy) fputs(",policy", f);
    if (with_tolerance) fprintf(f, ",%s", ccs_sweep_tolerance_column());
    fprintf(f, ",%s\n", figures);
    size_t nfigures = 1;
    for (const char *c = figures; *c; c++) nfigures += *c == ',';
    for (size_t r = 0; r < t->nrows; r++) {
        const ccs_sweep_row *row = &t->rows[r];
        const ccs_sweep_outcome *o = &row->o;
        fprintf(f, "%s,%lld,%d,%" PRIu64, row->name, (long long)row->point, row->seed_index, row->seed);
        for (size_t i = 0; i < t->nparams; i++) {
            char v[256];
            ccs_sweep_display_value(t->values[(size_t)row->point * t->nparams + i], v, sizeof v);
            fputc(',', f);
            ccs_csv_write_field(f, v);
        }
        fprintf(f, ",%s", row->done ? "done" : o->status > 0 ? "failed" : "pending");
        if (!row->done) { /* every figure empty, as many commas as the header */
            for (size_t i = 0; i < (size_t)(with_policy + with_tolerance) + nfigures; i++) fputc(',', f);
            fputc('\n', f);
            continue;
        }
        if (with_policy) {
            fputc(',', f);
            ccs_csv_write_field(f, o->policy);
        }
        if (with_tolerance) num(f, o->cost_tolerance);
        double v[6] = {o->energy_kwh, o->carbon_kg, o->cost, o->base_energy_kwh, o->base_carbon_kg, o->base_cost};
        for (int i = 0; i < 6; i++) num(f, v[i]);
        num(f, o->base_carbon_kg != 0 ? 100.0 * (o->base_carbon_kg - o->carbon_kg) / o->base_carbon_kg : NAN);
        num(f, o->base_cost != 0 ? 100.0 * (o->cost - o->base_cost) / fabs(o->base_cost) : NAN);
        num(f, o->p95_ms);
        num(f, o->base_p95_ms);
        num(f, o->freshness_h);
        num(f, o->base_freshness_h);
        const int nojobs = o->absent & CCS_SWEEP_NO_JOBS, nosvc = o->absent & CCS_SWEEP_NO_SERVICES;
        count(f, o->misses, nojobs);
        count(f, o->baseline_misses, nojobs);
        count(f, o->overrides, nojobs);
        count(f, (uint64_t)o->slo_met, nosvc);
        count(f, (uint64_t)o->slo_total, nosvc);
        count(f, o->events, 0);
        count(f, o->fallbacks, nojobs);
        count(f, o->unproven, nojobs);
        count(f, o->constraints_broken, 0);
        fputc('\n', f);
    }
    int e = ccs_fs_commit(o, 1);
    return e ? ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write: %s", strerror(e)) : 0;
}

static int int_attr(hid_t loc, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int bad = a < 0 || H5Awrite(a, type, value) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return bad;
}

/* The file's content: 0, -1 when HDF5 failed (reason says why, read at the first failing call),
 * or an error code with err filled. */
static int fill_h5(hid_t f, const ccs_sweep_table *t, const char *dir, char *reason, size_t size, ccs_err *err)
{
    int seeds = t->seeds;
    if (ccs_h5_str_attr(f, "scenario", t->scenario) || ccs_h5_str_attr(f, "currency", t->currency) ||
        int_attr(f, "seeds", H5T_NATIVE_INT, &seeds)) {
        ccs_h5_reason(reason, size);
        return -1;
    }
    hid_t runs = ccs_h5_group(f, "runs");
    if (runs < 0) {
        ccs_h5_reason(reason, size);
        return -1;
    }
    /* Each run's group is an external link to runs/<run>/results.h5, relative to this file's
     * folder: readers (h5py, pandas) follow it as a group. Copying the objects instead took 1.4 s
     * for 1,000 small runs, the whole serial tail of a sweep; a link is microseconds. */
    int rc = 0;
    char src[4400];
    for (size_t r = 0; r < t->nrows && !rc; r++) {
        const ccs_sweep_row *row = &t->rows[r];
        if (!row->done) continue;
        snprintf(src, sizeof src, "%s/runs/%s/results.h5", dir, row->name);
        if (access(src, R_OK) != 0) {
            rc = ccs_err_at(err, CCS_EIO, src, 0, 0,
                            "cannot read this run's results (%s), although runs.sqlite records the run as done: "
                            "move the folder aside and run the sweep again, or restore it",
                            strerror(errno));
            break;
        }
        snprintf(src, sizeof src, "runs/%s/results.h5", row->name);
        if (H5Lcreate_external(src, "/", runs, row->name, H5P_DEFAULT, H5P_DEFAULT) < 0) {
            ccs_h5_reason(reason, size);
            rc = -1;
        }
    }
    if (H5Gclose(runs) < 0 && !rc) {
        ccs_h5_reason(reason, size);
        rc = -1;
    }
    return rc;
}

int ccs_sweep_write_h5(const ccs_sweep_table *t, const char *dir, ccs_err *err)
{
    char path[4200], reason[256] = "";
    snprintf(path, sizeof path, "%s/results.h5", dir);
    hid_t f = ccs_h5_create(path);
    if (f < 0) {
        ccs_h5_reason(reason, sizeof reason);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot create: %s", reason);
    }
    int rc = fill_h5(f, t, dir, reason, sizeof reason, err);
    if (rc)
        H5Fclose(f);
    else if (ccs_h5_save(f, path, reason, sizeof reason) != 0)
        rc = -1;
    if (rc < 0) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write the assembled HDF5 results: %s", reason);
    return rc;
}

int ccs_sweep_open_finished(const char *dir, ccs_sweep_db **db, ccs_sweep_table *t, ccs_err *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.sqlite", dir);
    memset(t, 0, sizeof *t);
    if (access(path, R_OK) != 0)
        return ccs_err_at(err, CCS_EIO, dir, 0, 0, "no runs.sqlite here: expected a folder written by ccsim sweep");
    int rc = ccs_sweep_db_open(path, 0, db, err);
    if (!rc) rc = ccs_sweep_db_read(*db, t, err);
    for (size_t r = 0; !rc && r < t->nrows; r++)
        if (!t->rows[r].done)
            rc = ccs_err_at(err, CCS_EINPUT, dir, 0, 0,
                            "the sweep is not finished (run %s is not done): expected 'ccsim sweep' to be run "
                            "again first",
                            t->rows[r].name);
    return rc;
}

/* Every run recorded as done has its folder: checked before any export is replaced. */
static int check_run_folders(const ccs_sweep_table *t, const char *dir, ccs_err *err)
{
    char path[4400];
    for (size_t r = 0; r < t->nrows; r++) {
        if (!t->rows[r].done) continue;
        snprintf(path, sizeof path, "%s/runs/%s/summary.json", dir, t->rows[r].name);
        if (access(path, R_OK) == 0) snprintf(path, sizeof path, "%s/runs/%s/results.h5", dir, t->rows[r].name);
        if (access(path, R_OK) != 0)
            return ccs_err_at(err, CCS_EIO, path, 0, 0,
                              "cannot read this run's results (%s), although runs.sqlite records the run as done: "
                              "move the folder aside and run the sweep again, or restore it",
                              strerror(errno));
    }
    return 0;
}

int ccs_sweep_export(ccs_sweep_db *db, const char *dir, int plot, ccs_err *err)
{
    ccs_sweep_table t;
    char path[4200];
    /* everything read and checked first: a damaged folder must not replace a good export */
    int rc = ccs_sweep_db_read(db, &t, err);
    if (!rc) rc = check_run_folders(&t, dir, err);
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    if (!rc) rc = ccs_sweep_write_csv(&t, path, err);
    if (!rc) rc = ccs_sweep_write_h5(&t, dir, err);
    ccs_point_stats *ps = rc ? NULL : ccs_sweep_point_stats(&t);
    if (!rc && !ps) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc && plot) { /* the figures are complete already: a picture that fails is a warning */
        ccs_err perr = {0};
        int prc = ccs_sweep_plot(&t, ps, dir, &perr);
        if (prc > 1 || prc < 0)
            fprintf(stderr, "ccsim: warning: %s; sweep.csv and results.h5 are complete, only plots are missing\n",
                    perr.msg);
    }
    if (!rc) rc = ccs_sweep_report(&t, ps, dir, err);
    free(ps);
    ccs_sweep_table_free(&t);
    return rc;
}

void ccs_sweep_print_outputs(const char *dir, int plot, FILE *f)
{
    fprintf(f, "sweep outputs in %s: runs.sqlite, sweep.csv, results.h5, runs/<run>/%s\n", dir,
            plot ? ", trade-off plots (*.png, *.svg)" : "");
    fprintf(f, "report: %s/report.html (also report.md, report.csv)\n", dir);
}
