/* ccsim sweep: expand the scenario's sweep section, record every run in OUT/runs.sqlite, run
 * what is not done yet on a pool of workers (processes, or MPI ranks), then write the flat
 * export, the assembled results.h5, the trade-off plots and the report. Running the same command
 * again resumes: runs already done are kept as they are, the others run again. */
#include "ccs_config.h"
#include "ccs_scenario.h"
#include "cli.h"
#include "out_fs.h"
#include "progress.h"
#include "sweep_context.h"
#include "sweep_db.h"
#include "sweep_export.h"
#include "sweep_mpi.h"
#include "sweep_pool.h"
#include "sweep_spec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: ccsim sweep SCENARIO.yaml [--jobs N] [--out DIR] [--seeds K] [--quiet] [--no-plot]\n"
               "\n"
               "Runs every point of the scenario's sweep section (the cartesian product of its\n"
               "parameters, each a --set path with a list of values or a range {from, to, step}),\n"
               "each with K seeds: seed k is the scenario's seed + k at every point.\n"
               "\n"
               "  --jobs N     worker processes (default: the number of cores); under mpirun, one\n"
               "               worker per rank instead\n"
               "  --out DIR    output folder (default results/<scenario>-sweep); the same command\n"
               "               again resumes an interrupted sweep there\n"
               "  --seeds K    seeds per point (default: the section's 'seeds', else 1)\n"
               "  --quiet      no progress on stderr\n"
               "  --no-plot    do not call gnuplot\n"
               "\n"
               "Writes DIR/runs.sqlite (sweep state), DIR/runs/<run>/{summary.json,results.h5},\n"
               "DIR/sweep.csv, DIR/results.h5 (a group per run), the trade-off plots and\n"
               "DIR/report.{md,csv,html}. Exit 4 if a run failed (run the command again to retry).\n");
}

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int digits(long n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* Folders of runs cut short by a kill: never renamed into place, removed before resuming. */
static void remove_stale_temporaries(const char *runs_dir)
{
    DIR *d = opendir(runs_dir);
    if (!d) return;
    struct dirent *e;
    char path[4400];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' || !strstr(e->d_name, ".tmp.")) continue;
        snprintf(path, sizeof path, "%s/%s", runs_dir, e->d_name);
        ccs_fs_remove_tree(path);
    }
    closedir(d);
}

/* One sweep per folder at a time: an fcntl lock, which a forked worker does not inherit and the
 * kernel drops when the coordinator dies. */
static int lock_folder(const char *dir, ccs_err *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        close(fd);
        return ccs_err_at(err, CCS_EINPUT, dir, 0, 0,
                          "another ccsim sweep is writing this folder: expected it to finish first");
    }
    return 0; /* the descriptor stays open, and the lock held, until the process ends */
}

/* A point's error, prefixed with the point; one that names one of its overrides ("--set
 * 'path=value': ...") also gets the place where the user wrote that parameter: its key in the
 * sweep section, file:line:col. */
static void place_point_error(const ccs_sweep_spec *sp, size_t p, char **ov, size_t n, ccs_err *err)
{
    char where[512] = "", msg[sizeof err->msg];
    for (size_t i = 0; i + 1 < n; i++)
        snprintf(where + strlen(where), sizeof where - strlen(where), "%s%s", i ? ", " : "", ov[i]);
    for (size_t i = 0; i + 1 < n; i++) {
        char label[1200];
        int len = snprintf(label, sizeof label, "--set '%s': ", ov[i]);
        if (len <= 0 || (size_t)len >= sizeof label || strncmp(err->msg, label, (size_t)len) != 0) continue;
        long line, col;
        const char *file = ccs_sweep_param_where(sp, i, &line, &col);
        snprintf(msg, sizeof msg, "%s", err->msg);
        ccs_err_at(err, err->code, file, line, col, "sweep point %zu (%s): %s", p, where, msg);
        return;
    }
    ccs_err_prefix(err, "sweep point %zu (%s): ", p, where);
}

/* Loads every point once before anything runs, so that a bad value stops the sweep at once with
 * the point named, not later in a worker. */
static int validate_points(const char *path, const ccs_sweep_spec *sp, uint64_t seed, ccs_err *err)
{
    for (size_t p = 0; p < ccs_sweep_npoints(sp); p++) {
        size_t n;
        char **ov = ccs_sweep_overrides(sp, p, 0, seed, &n);
        if (!ov) return ccs_err_set(err, CCS_ERUN, "out of memory");
        ccs_scenario *s = NULL;
        int rc = ccs_scenario_load(path, ov, n - 1, &s, err);
        ccs_scenario_destroy(s);
        if (rc) place_point_error(sp, p, ov, n, err);
        ccs_sweep_overrides_free(ov, n);
        if (rc) return rc;
    }
    return 0;
}

typedef struct sweep_opts {
    const char *scenario, *out;
    int jobs, seeds, quiet, plot;
} sweep_opts;

static int parse_args(int argc, char **argv, sweep_opts *o)
{
    static const struct option opts[] = {{"jobs", required_argument, 0, 'j'},
                                         {"out", required_argument, 0, 'o'},
                                         {"seeds", required_argument, 0, 'k'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"no-plot", no_argument, 0, 'P'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    *o = (sweep_opts){.jobs = 0, .plot = 1};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:o:k:qh", opts, NULL)) != -1) {
        char *end;
        long v;
        switch (c) {
        case 'j':
        case 'k':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || errno || v < 1 || v > 100000) {
                fprintf(stderr, "ccsim sweep: --%s '%s': expected a whole number from 1 to 100000\n",
                        c == 'j' ? "jobs" : "seeds", optarg);
                return 2;
            }
            if (c == 'j')
                o->jobs = (int)v;
            else
                o->seeds = (int)v;
            break;
        case 'o': o->out = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'P': o->plot = 0; break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "ccsim sweep: expected one scenario file (see ccsim sweep --help)\n");
        return 2;
    }
    o->scenario = argv[optind];
    return 0;
}

/* What the coordinator does with each outcome as it comes: counts and shows failures, records it
 * and moves the progress line. */
typedef struct recorder {
    ccs_sweep_db *db;
    ccs_progress *prog;
    long done, *failed;
} recorder;

static int record_outcome(void *ctx, const ccs_sweep_outcome *o, ccs_err *err)
{
    recorder *r = ctx;
    r->done++;
    if (o->status != 0) {
        (*r->failed)++;
        /* the first few in full; a systematic failure would otherwise flood the terminal */
        if (*r->failed <= 5) fprintf(stderr, "ccsim sweep: run %lld failed: %s\n", (long long)o->run, o->message);
        if (*r->failed == 5) fprintf(stderr, "ccsim sweep: (further failures: see runs.sqlite, sweep_runs.message)\n");
    }
    int rc = ccs_sweep_db_record(r->db, o, err);
    ccs_progress_step(r->prog, r->done, *r->failed);
    return rc;
}

int ccs_cli_sweep(int argc, char **argv)
{
    int rank = 0, size = 1;
    ccs_mpi_init(&argc, &argv, &rank, &size);
    sweep_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc) {
        ccs_mpi_finalize();
        return rc < 0 ? 0 : rc;
    }
    ccs_err err = {0};
    ccs_sweep_spec *sp = NULL;
    ccs_scenario *base = NULL;
    ccs_sweep_db *db = NULL;
    char dir[4096], file[4300], scenario_path[PATH_MAX];
    rc = ccs_sweep_spec_load(o.scenario, o.seeds, &sp, &err);
    if (!rc) rc = ccs_scenario_load(o.scenario, NULL, 0, &base, &err);
    if (!rc && !realpath(o.scenario, scenario_path)) snprintf(scenario_path, sizeof scenario_path, "%s", o.scenario);
    if (!rc) {
        if (o.out)
            snprintf(dir, sizeof dir, "%s", o.out);
        else
            snprintf(dir, sizeof dir, "results/%s-sweep", base->name);
    }
    ccs_sweep_plan plan = {0};
    if (!rc) {
        int k = ccs_sweep_seeds(sp);
        long np = (long)ccs_sweep_npoints(sp);
        plan = (ccs_sweep_plan){scenario_path,
                                dir,
                                sp,
                                base->seed,
                                digits(np - 1) < 3 ? 3 : digits(np - 1),
                                digits(k - 1) < 2 ? 2 : digits(k - 1)};
    }
    /* Rank 0 checks and prepares everything; the other ranks wait for its word. */
    if (rank == 0) {
        if (!rc) rc = validate_points(o.scenario, sp, base->seed, &err);
        snprintf(file, sizeof file, "%s/runs", dir);
        if (!rc && ccs_fs_mkdir_p(file) != 0)
            rc = ccs_err_at(&err, CCS_EIO, file, 0, 0, "cannot create: %s", strerror(errno));
        if (!rc) rc = lock_folder(dir, &err);
        snprintf(file, sizeof file, "%s/runs.sqlite", dir);
        if (!rc) rc = ccs_sweep_db_open(file, 1, &db, &err);
        ccs_sweep_info info = {0};
        ccs_sweep_fact *facts = NULL;
        size_t nfacts = 0;
        if (!rc && ccs_sweep_context_build(base, &facts, &nfacts) != 0)
            rc = ccs_err_set(&err, CCS_ERUN, "out of memory");
        if (!rc) {
            info = (ccs_sweep_info){base->name, scenario_path, base->currency, base->hash, base->seed, facts, nfacts};
            rc = ccs_sweep_db_prepare(db, &info, sp, &plan, &err);
        }
        ccs_sweep_facts_free(facts, nfacts);
        if (rc) fprintf(stderr, "ccsim: %s\n", err.msg);
    }
    if (size > 1) rc = ccs_mpi_broadcast_status(rc);
    if (rc || (size > 1 && rank != 0)) {
        if (!rc) ccs_mpi_serve(&plan);
        ccs_sweep_db_close(db);
        ccs_scenario_destroy(base);
        ccs_sweep_spec_destroy(sp);
        ccs_mpi_finalize();
        return rc;
    }

    snprintf(file, sizeof file, "%s/runs", dir);
    remove_stale_temporaries(file);
    int64_t *pending = NULL;
    size_t npending = 0;
    long failed = 0;
    long total = (long)ccs_sweep_npoints(sp) * ccs_sweep_seeds(sp);
    rc = ccs_sweep_db_pending(db, &pending, &npending, &err);
    if (!rc && (npending > 0 || size > 1)) { /* worker ranks wait for their stop either way */
        const ccs_sweep_pool_type *type = &ccs_sweep_pool_fork;
        int nworkers = o.jobs ? o.jobs : cores();
#ifdef CCS_HAVE_MPI
        if (size > 1) type = &ccs_sweep_pool_mpi, nworkers = size;
#endif
        if ((size_t)nworkers > npending) nworkers = (int)npending;
        if (!o.quiet)
            fprintf(stderr, "ccsim sweep: %zu points x %d seeds = %ld runs, %zu to run on %d %s%s\n",
                    ccs_sweep_npoints(sp), ccs_sweep_seeds(sp), total, npending, nworkers,
                    size > 1 ? "MPI ranks" : "worker processes", (long)npending < total ? " (resuming)" : "");
        ccs_sweep_pool *pool = NULL;
        rc = type->start(&plan, nworkers, &pool, &err);
        ccs_progress *prog =
            rc ? NULL : ccs_progress_create(stderr, "runs", total, total - (long)npending, o.quiet, 10.0);
        recorder rec = {db, prog, 0, &failed};
        if (!rc) rc = ccs_sweep_pool_drive(type, pool, pending, npending, record_outcome, &rec, &err);
        ccs_progress_finish(prog);
        ccs_progress_destroy(prog);
        if (pool) type->stop(pool);
    }
    free(pending);
    if (!rc && failed == 0) rc = ccs_sweep_db_finish(db, &err);
    /* Exports only of a finished sweep: a partial one must not look complete. */
    if (!rc && !failed) rc = ccs_sweep_export(db, dir, o.plot, &err);
    if (!rc && !failed && !o.quiet) ccs_sweep_print_outputs(dir, o.plot, stdout);
    if (rc)
        fprintf(stderr, "ccsim: %s\n", err.msg);
    else if (failed) {
        fprintf(stderr,
                "ccsim sweep: %ld runs failed (see the messages above and runs.sqlite); run the same "
                "command again to retry them\n",
                failed);
        rc = CCS_ERUN;
    }
    ccs_sweep_db_close(db);
    ccs_scenario_destroy(base);
    ccs_sweep_spec_destroy(sp);
    ccs_mpi_finalize();
    return rc;
}
