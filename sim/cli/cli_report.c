/* ccsim report DIR and ccsim plot DIR: the report and the pictures of a finished sweep, redone
 * from what it stored (runs.sqlite and the run folders), without running anything. */
#include "cli.h"
#include "report.h"
#include "sweep_export.h"
#include "sweep_plot.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int one_dir(int argc, char **argv, const char *cmd, const char *help, const char **dir, const char **run)
{
    static const struct option opts[] = {
        {"run", required_argument, 0, 'r'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return -1;
        }
        if (c == 'r' && run) {
            *run = optarg;
            continue;
        }
        fputs(help, stderr);
        return 2;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "ccsim %s: expected one sweep folder (see ccsim %s --help)\n", cmd, cmd);
        return 2;
    }
    *dir = argv[optind];
    return 0;
}

/* Opens a finished sweep and summarises its points; on error, err is filled. */
static int load(const char *dir, ccs_sweep_db **db, ccs_sweep_table *t, ccs_point_stats **ps, ccs_err *err)
{
    *ps = NULL;
    int rc = ccs_sweep_open_finished(dir, db, t, err);
    if (!rc) *ps = ccs_sweep_point_stats(t);
    if (!rc && !*ps) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    return rc;
}

int ccs_cli_report(int argc, char **argv)
{
    const char *dir = NULL;
    int rc = one_dir(argc, argv, "report",
                     "usage: ccsim report DIR\n\n"
                     "Writes the finance sign-off report of the sweep in DIR: report.md, report.csv and a\n"
                     "self-contained report.html (the plots inline), from DIR/runs.sqlite.\n",
                     &dir, NULL);
    if (rc) return rc < 0 ? 0 : rc;
    ccs_err err = {0};
    ccs_sweep_db *db = NULL;
    ccs_sweep_table t;
    ccs_point_stats *ps;
    rc = load(dir, &db, &t, &ps, &err);
    if (!rc) rc = ccs_sweep_report(&t, ps, dir, &err);
    if (rc)
        fprintf(stderr, "ccsim: %s\n", err.msg);
    else
        printf("report: %s/report.html (also report.md, report.csv)\n", dir);
    free(ps);
    ccs_sweep_table_free(&t);
    ccs_sweep_db_close(db);
    return rc;
}

int ccs_cli_plot(int argc, char **argv)
{
    const char *dir = NULL, *run = NULL;
    int rc = one_dir(argc, argv, "plot",
                     "usage: ccsim plot DIR [--run NAME]\n\n"
                     "Redraws the sweep's pictures from what DIR stores, as PNG and SVG: carbon against\n"
                     "cost, P95 and freshness (carbon-vs-*.png), and the hours of one run (timeseries.png:\n"
                     "by default the point with the largest carbon saving within its price tolerance,\n"
                     "first seed; --run p003-s00 picks another, as named under DIR/runs).\n",
                     &dir, &run);
    if (rc) return rc < 0 ? 0 : rc;
    ccs_err err = {0};
    ccs_sweep_db *db = NULL;
    ccs_sweep_table t;
    ccs_point_stats *ps;
    rc = load(dir, &db, &t, &ps, &err);
    if (!rc && run) {
        int known = 0;
        for (size_t i = 0; i < t.nrows; i++) known |= strcmp(t.rows[i].name, run) == 0;
        if (!known)
            rc = ccs_err_at(&err, CCS_EINPUT, dir, 0, 0, "--run %s: no such run (expected a name such as %s)", run,
                            t.nrows ? t.rows[0].name : "p000-s00");
    }
    if (!rc) rc = run ? ccs_sweep_plot_run(&t, dir, run, &err) : ccs_sweep_plot(&t, ps, dir, &err);
    if (rc == 1) rc = 0; /* gnuplot missing: warned */
    if (rc)
        fprintf(stderr, "ccsim: %s\n", err.msg);
    else
        printf("plots: %s/*.png and *.svg\n", dir);
    free(ps);
    ccs_sweep_table_free(&t);
    ccs_sweep_db_close(db);
    return rc;
}
