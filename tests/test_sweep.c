/* Sweeps: the expansion of the sweep section, the statistics of the report checked by hand, the
 * Pareto front on hand-made points, and whole sweeps through the binary: parallel equals serial,
 * a sweep killed with SIGKILL and started again equals one never interrupted, and a finished run
 * is never rewritten. */
#include "ccs_csv.h"
#include "helpers.h"
#include "progress.h"
#include "sweep_db.h"
#include "sweep_export.h"
#include "sweep_spec.h"
#include "sweep_stats.h"

#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static ccs_sweep_spec *spec_of(const char *yaml, int seeds)
{
    ccs_sweep_spec *sp = NULL;
    ccs_err err = {0};
    int rc = ccs_sweep_spec_parse(yaml, strlen(yaml), "t.yaml", seeds, &sp, &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
    return sp;
}

static void spec_error(const char *yaml, const char *expect)
{
    ccs_sweep_spec *sp = NULL;
    ccs_err err = {0};
    int rc = ccs_sweep_spec_parse(yaml, strlen(yaml), "t.yaml", 0, &sp, &err);
    cr_assert_eq(rc, CCS_EINPUT, "expected an input error for:\n%s", yaml);
    cr_assert_null(sp);
    cr_assert(strstr(err.msg, expect), "message '%s' lacks '%s'", err.msg, expect);
}

Test(sweep, cartesian_product_in_file_order_last_fastest)
{
    ccs_sweep_spec *sp = spec_of("sweep:\n"
                                 "  seeds: 3\n"
                                 "  policy.name: [run-now, greenest-window, price-tolerance]\n"
                                 "  policy.price_tolerance: {from: 0, to: 0.3, step: 0.1}\n"
                                 "  jobs.a.release.at: [\"19:00\", \"23:00\"]\n",
                                 0);
    cr_assert_eq(ccs_sweep_nparams(sp), 3);
    cr_assert_eq(ccs_sweep_npoints(sp), 3 * 4 * 2);
    cr_assert_eq(ccs_sweep_seeds(sp), 3);
    /* point = ((name * 4) + tolerance) * 2 + at */
    cr_assert_str_eq(ccs_sweep_value(sp, 0, 0), "run-now");
    cr_assert_str_eq(ccs_sweep_value(sp, 0, 1), "0");
    cr_assert_str_eq(ccs_sweep_value(sp, 0, 2), "\"19:00\"");
    cr_assert_str_eq(ccs_sweep_value(sp, 1, 2), "\"23:00\"");
    cr_assert_str_eq(ccs_sweep_value(sp, 1, 1), "0");
    cr_assert_str_eq(ccs_sweep_value(sp, 2, 1), "0.1");
    cr_assert_str_eq(ccs_sweep_value(sp, 8, 0), "greenest-window");
    cr_assert_str_eq(ccs_sweep_value(sp, 8, 1), "0");
    cr_assert_str_eq(ccs_sweep_value(sp, 23, 0), "price-tolerance");
    cr_assert_str_eq(ccs_sweep_value(sp, 23, 1), "0.3");
    cr_assert_str_eq(ccs_sweep_value(sp, 23, 2), "\"23:00\"");
    /* every combination exactly once */
    for (size_t a = 0; a < 24; a++)
        for (size_t b = a + 1; b < 24; b++) {
            int same = 1;
            for (size_t i = 0; i < 3; i++) same &= strcmp(ccs_sweep_value(sp, a, i), ccs_sweep_value(sp, b, i)) == 0;
            cr_assert(!same, "points %zu and %zu are the same", a, b);
        }
    /* the overrides of point 13, seed index 2: seed = base + 2 at every point */
    size_t n;
    char **ov = ccs_sweep_overrides(sp, 13, 2, 40, &n);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(ov[0], "policy.name=greenest-window");
    cr_assert_str_eq(ov[1], "policy.price_tolerance=0.2");
    cr_assert_str_eq(ov[2], "jobs.a.release.at=\"23:00\"");
    cr_assert_str_eq(ov[3], "seed=42");
    ccs_sweep_overrides_free(ov, n);
    ccs_sweep_spec_destroy(sp);
    /* --seeds wins over the section */
    sp = spec_of("sweep: {seeds: 3, policy.price_tolerance: [0, 0.1]}\n", 7);
    cr_assert_eq(ccs_sweep_seeds(sp), 7);
    ccs_sweep_spec_destroy(sp);
}

Test(sweep, ranges_inclusive_and_printed_short)
{
    ccs_sweep_spec *sp = spec_of("sweep:\n  policy.price_tolerance: {from: 0, to: 0.3, step: 0.05}\n", 0);
    cr_assert_eq(ccs_sweep_npoints(sp), 7, "0 to 0.3 by 0.05 is 7 values although 0.3/0.05 < 6 in binary");
    static const char *want[7] = {"0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3"};
    for (size_t i = 0; i < 7; i++) cr_assert_str_eq(ccs_sweep_value(sp, i, 0), want[i]);
    ccs_sweep_spec_destroy(sp);
    sp = spec_of("sweep:\n  services.search.replicas: {from: 1, to: 8, step: 3}\n", 0);
    cr_assert_eq(ccs_sweep_npoints(sp), 3);
    cr_assert_str_eq(ccs_sweep_value(sp, 2, 0), "7");
    ccs_sweep_spec_destroy(sp);
    sp = spec_of("sweep:\n  x.y: {from: 2.5, to: 2.5, step: 1}\n", 0);
    cr_assert_eq(ccs_sweep_npoints(sp), 1);
    cr_assert_str_eq(ccs_sweep_value(sp, 0, 0), "2.5");
    ccs_sweep_spec_destroy(sp);
}

Test(sweep, bad_sections_are_errors_with_position)
{
    spec_error("start: \"2023-01-01T00:00:00Z\"\n", "no 'sweep' section");
    spec_error("sweep:\n  policy.price_tolerance: 0.1\n", "t.yaml:2:27: sweep.policy.price_tolerance: a single value");
    spec_error("sweep:\n  a.b: {from: 0, to: 1, step: 0}\n", "expected a step > 0");
    spec_error("sweep:\n  a.b: {from: 2, to: 1, step: 1}\n", "expected from <= to");
    spec_error("sweep:\n  a.b: {from: 0, to: 1}\n", "the range has no 'step'");
    spec_error("sweep:\n  a.b: {from: x, to: 1, step: 1}\n", "sweep.a.b.from: 'x' is not a number");
    spec_error("sweep:\n  a.b: [1, 2, 1]\n", "t.yaml:2:15: sweep.a.b[2]: '1' is listed twice");
    spec_error("sweep:\n  a.b: []\n", "an empty list");
    spec_error("sweep:\n  seeds: 0\n  a.b: [1]\n", "sweep.seeds: '0'");
    spec_error("sweep:\n  seeds: 2\n", "no parameters");
    spec_error("sweep:\n  a.b: [[1, 2]]\n", "expected a single value");
}

Test(sweep, confidence_interval_by_hand)
{
    /* 1..5: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764451052, half = t s / sqrt(5) */
    double v[6] = {1, 2, 3, 4, 5, NAN};
    ccs_ci c = ccs_ci95(v, 6);
    cr_assert_eq(c.n, 5, "NaN is left out");
    cr_assert_float_eq(c.mean, 3.0, 1e-15);
    cr_assert_float_eq(c.sd, sqrt(2.5), 1e-15);
    cr_assert_float_eq(c.half, 2.7764451052 * sqrt(2.5) / sqrt(5.0), 1e-9);
    /* two values: t(0.975, 1) = 12.7062047362 */
    double w[2] = {10, 12};
    c = ccs_ci95(w, 2);
    cr_assert_float_eq(c.half, 12.7062047362 * sqrt(2.0) / sqrt(2.0), 1e-8);
    c = ccs_ci95(w, 1);
    cr_assert(isnan(c.half) && c.mean == 10 && c.sd == 0, "one value: no interval");
}

Test(sweep, paired_point_statistics_by_hand)
{
    /* One point, three seeds. Each seed's saving is paired with its own baseline:
     * (100-90)/100 = 10%, (200-170)/200 = 15%, (50-40)/50 = 20%: mean 15, s 5,
     * half = t(0.975, 2) 5 / sqrt 3 = 4.30265273 x 2.88675135. Pooled totals would say
     * (350-300)/350 = 14.3%: the pairing matters. */
    ccs_sweep_row rows[3];
    memset(rows, 0, sizeof rows);
    double base[3] = {100, 200, 50}, carbon[3] = {90, 170, 40}, bcost[3] = {10, 10, 10}, cost[3] = {11, 10.5, 10};
    for (int k = 0; k < 3; k++) {
        rows[k].run = k;
        rows[k].seed_index = k;
        rows[k].done = 1;
        rows[k].o.base_carbon_kg = base[k];
        rows[k].o.carbon_kg = carbon[k];
        rows[k].o.base_cost = bcost[k];
        rows[k].o.cost = cost[k];
        rows[k].o.cost_tolerance = 0.05;
        rows[k].o.misses = (uint64_t)k;
    }
    char *paths[1] = {"policy.price_tolerance"}, *values[1] = {"0.05"};
    ccs_sweep_table t = {.scenario = "t",
                         .currency = "EUR",
                         .seeds = 3,
                         .nparams = 1,
                         .npoints = 1,
                         .nrows = 3,
                         .paths = paths,
                         .values = values,
                         .rows = rows};
    ccs_point_stats *ps = ccs_sweep_point_stats(&t);
    cr_assert_float_eq(ps[0].carbon_saved_pct.mean, 15.0, 1e-12);
    cr_assert_float_eq(ps[0].carbon_saved_pct.sd, 5.0, 1e-12);
    cr_assert_float_eq(ps[0].carbon_saved_pct.half, 4.30265272975 * 5.0 / sqrt(3.0), 1e-8);
    /* cost: +10%, +5%, 0%: mean +5%, which is within X = 5% */
    cr_assert_float_eq(ps[0].cost_change_pct.mean, 5.0, 1e-12);
    cr_assert_eq(ps[0].within_tolerance, 1);
    cr_assert_float_eq(ps[0].misses, 1.0, 1e-15);
    rows[0].o.cost = 11.01; /* now the mean is just over 5% */
    free(ps);
    ps = ccs_sweep_point_stats(&t);
    cr_assert_eq(ps[0].within_tolerance, 0);
    free(ps);
}

Test(sweep, pareto_front_on_hand_made_points)
{
    /* minimise both. Front: (1,9) (2,5) (4,2) (6,1), and the duplicate of (2,5);
     * (3,6) is dominated by (2,5); (5,2) by (4,2); (7,1) by (6,1); NaN never. */
    double x[10] = {3, 1, 2, 4, 5, 6, 7, 2, NAN, 8};
    double y[10] = {6, 9, 5, 2, 2, 1, 1, 5, 0, 0.5};
    int front[10];
    ccs_pareto_front(x, y, 10, front);
    int want[10] = {0, 1, 1, 1, 0, 1, 0, 1, 0, 1};
    for (int i = 0; i < 10; i++) cr_assert_eq(front[i], want[i], "point %d (%g, %g)", i, x[i], y[i]);
}

Test(sweep, progress_line)
{
    char buf[256];
    ccs_progress_format(buf, sizeof buf, "runs", 250, 1000, 0, 50.0, 0);
    cr_assert_str_eq(buf, "250/1000 runs, 50.0 runs/s, ETA 0:15");
    ccs_progress_format(buf, sizeof buf, "runs", 5, 10, 1, 0.001, 4);
    cr_assert_str_eq(buf, "[##..] 5/10 runs, 1 failed, 0.0 runs/s, ETA 1:23:20");
    /* a long run's line (ccsim run on a terminal): 10.5 days left at 0.52 days/s is 20.2 s */
    ccs_cli_progress_line(buf, sizeof buf, 3.5, 14.0, 0.52, 10);
    cr_assert_str_eq(buf, "[##........] 3.5/14.0 days simulated, 0.52 days/s, ETA 0:20");
    ccs_cli_progress_line(buf, sizeof buf, 0.0, 365.0, 0.0, 0);
    cr_assert_str_eq(buf, "0.0/365.0 days simulated, 0.00 days/s, ETA --:--");
}

/* ---- whole sweeps through the binary ---- */

static const char *sweep_scenario(const char *dir, int nvalues)
{
    char text[4096], range[128];
    snprintf(range, sizeof range, "{from: 0, to: %g, step: 0.05}", 0.05 * (nvalues - 1));
    snprintf(text, sizeof text,
             "name: t-sweep\n"
             "start: \"2023-03-01T00:00:00Z\"\n"
             "currency: USD\n"
             "duration: 21d\n"
             "seed: 11\n"
             "regions:\n"
             "  - name: de\n"
             "    carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv\n"
             "    price: %s/traces/price/price-day-ahead-DE-LU-2023-hourly-usd.csv\n"
             "jobs:\n"
             "  - {name: nightly, release: {every: 24h, at: \"19:00\"}, duration: 2h, power_kw: 10, deadline: 12h}\n"
             "  - {name: weekly, release: {every: 168h, at: \"06:00\"}, duration: 9h, power_kw: 30, deadline: 60h,\n"
             "     interruptible: true, checkpoint: 10m}\n"
             "policy: {name: price-tolerance, forecast: noisy, forecast_error: 0.1}\n"
             "sweep:\n"
             "  seeds: 4\n"
             "  policy.name: [greenest-window, price-tolerance]\n"
             "  policy.price_tolerance: %s\n",
             source_dir(), source_dir(), range);
    return write_text(dir, "sweep.yaml", text);
}

static char *file_text(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *t = read_all(path, &len);
    cr_assert_not_null(t, "%s missing", path);
    return t;
}

static int count_done(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.sqlite", dir);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return 0;
    }
    sqlite3_busy_timeout(db, 1000);
    sqlite3_stmt *st;
    int n = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sweep_runs WHERE status = 'done'", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

/* The finished rows, one line each: run, when it finished, which worker ran it. */
static char *done_rows(sqlite3 *db)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT run, finished_utc, worker FROM sweep_runs WHERE status = 'done' ORDER BY run", -1,
                       &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(m, "%lld %s %s\n", (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
                sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    fclose(m);
    return text;
}

static void sweep_ok(const char *scenario, const char *out, const char *jobs)
{
    cmd_result r;
    const char *args[] = {"sweep", scenario, "--out", out, "--jobs", jobs, "--quiet", "--no-plot", NULL};
    run_ccsim(&r, args);
    cr_assert_eq(r.status, 0, "sweep failed: %s", r.err);
}

Test(sweep, parallel_equals_serial_and_reports)
{
    const char *dir = tmp_folder();
    const char *sc = sweep_scenario(dir, 3);
    char serial[4200], parallel[4200];
    snprintf(serial, sizeof serial, "%s/serial", dir);
    snprintf(parallel, sizeof parallel, "%s/parallel", dir);
    sweep_ok(sc, serial, "1");
    sweep_ok(sc, parallel, "2");
    char *a = file_text(serial, "sweep.csv"), *b = file_text(parallel, "sweep.csv");
    cr_assert_str_eq(a, b, "--jobs 2 must give the --jobs 1 results bit for bit");
    /* 2 policies x 3 tolerances x 4 seeds, plus the header */
    int lines = 0;
    for (const char *p = a; *p; p++) lines += *p == '\n';
    cr_assert_eq(lines, 1 + 24);
    /* common random numbers: seed k is the same at every point, so the baseline column is the
     * same for every point at one seed */
    cr_assert(strstr(a, "p000-s03,0,3,14,"), "seed index 3 is seed 11 + 3");
    {
        /* and the baseline's figures themselves: at one seed index, every point's baseline
         * energy, carbon and cost are the same numbers, to the last digit (run-now on that
         * seed, whatever the point's policy and tolerance) */
        char *copy = strdup(a), *save = NULL;
        int col[3] = {-1, -1, -1}, seedcol = -1;
        char base[4][3][40] = {{{0}}};
        int rows = 0;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *f[40];
            int nf = 0;
            for (char *q = line; nf < 40;) {
                f[nf++] = q;
                char *c = strchr(q, ',');
                if (!c) break;
                *c = '\0';
                q = c + 1;
            }
            if (col[0] < 0) {
                for (int k = 0; k < nf; k++) {
                    if (!strcmp(f[k], "baseline_energy_kwh")) col[0] = k;
                    if (!strcmp(f[k], "baseline_carbon_kg")) col[1] = k;
                    if (!strcmp(f[k], "baseline_cost")) col[2] = k;
                    if (!strcmp(f[k], "seed_index")) seedcol = k;
                }
                cr_assert(col[0] >= 0 && col[1] >= 0 && col[2] >= 0 && seedcol >= 0, "sweep.csv's header");
                continue;
            }
            int si = atoi(f[seedcol]);
            cr_assert(si >= 0 && si < 4);
            for (int k = 0; k < 3; k++) {
                if (!base[si][k][0]) snprintf(base[si][k], sizeof base[si][k], "%s", f[col[k]]);
                cr_assert_str_eq(f[col[k]], base[si][k], "seed index %d: a baseline figure differs between points", si);
            }
            rows++;
        }
        cr_assert_eq(rows, 24);
        free(copy);
    }
    char *rep = file_text(serial, "report.md");
    cr_assert(strstr(rep, "## Headline\n"), "%s", rep);
    cr_assert(strstr(rep, "- At 0% price tolerance: ") || strstr(rep, "- From 0% to "), "%s", rep);
    free(rep);
    rep = file_text(serial, "report.html");
    cr_assert(strstr(rep, "<table ") && strstr(rep, "</html>"));
    free(rep);
    free(a);
    free(b);
    char h5[4300];
    snprintf(h5, sizeof h5, "%s/results.h5", serial);
    cr_assert_eq(access(h5, R_OK), 0);
    /* a run's hours through the assembled file: its group links the run's own results.h5, and
     * they sum to the run's carbon in sweep.csv's row */
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, "runs/p004-s02/regions/de/carbon_kg", H5P_DEFAULT);
    cr_assert_geq(d, 0, "runs/p004-s02 not readable through results.h5");
    hid_t sp = H5Dget_space(d);
    size_t n = (size_t)H5Sget_simple_extent_npoints(sp);
    double *v = malloc(n * sizeof *v), sum = 0;
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    for (size_t i = 0; i < n; i++) sum += v[i];
    free(v);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    char *csv = file_text(serial, "sweep.csv"), *row = strstr(csv, "\np004-s02,");
    cr_assert_not_null(row);
    /* carbon_kg is the 8th field after the run's name: run,point,seed_index,seed, policy.name,
     * policy.price_tolerance,status,energy_kwh,carbon_kg (the swept policy.name and
     * policy.price_tolerance are not repeated as policy and price_tolerance) */
    cr_assert(strncmp(csv, "run,point,seed_index,seed,policy.name,policy.price_tolerance,status,energy_kwh,carbon_kg,",
                      strlen("run,point,seed_index,seed,policy.name,policy.price_tolerance,status,energy_kwh,"
                             "carbon_kg,")) == 0,
              "%.200s", csv);
    char *p = row + 1;
    for (int i = 0; i < 8; i++) p = strchr(p, ',') + 1;
    cr_assert_float_eq(strtod(p, NULL), sum, 1e-9 * sum);
    free(csv);
}

Test(sweep, killed_and_resumed_equals_uninterrupted)
{
    const char *dir = tmp_folder();
    const char *sc = sweep_scenario(dir, 6); /* 2 x 6 points x 4 seeds = 48 runs */
    char whole[4200], killed[4200];
    snprintf(whole, sizeof whole, "%s/whole", dir);
    snprintf(killed, sizeof killed, "%s/killed", dir);
    sweep_ok(sc, whole, "2");

    /* Kill the coordinator with SIGKILL three times at different depths, resuming each time. */
    const char *bin = getenv("CCSIM_BIN");
    int targets[3] = {3, 15, 30}, kills_mid_sweep = 0;
    for (int round = 0; round < 3; round++) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            execl(bin, bin, "sweep", sc, "--out", killed, "--jobs", "2", "--quiet", "--no-plot", (char *)NULL);
            _exit(127);
        }
        struct timespec nap = {0, 1000000};
        int ended = 0;
        while (!ended && count_done(killed) < targets[round]) {
            int status;
            ended = waitpid(pid, &status, WNOHANG) == pid;
            nanosleep(&nap, NULL);
        }
        if (!ended) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        int now = count_done(killed);
        /* a loaded machine may let a round finish before the kill lands; at least one must not */
        if (now < 48) kills_mid_sweep++;
    }
    cr_assert_geq(kills_mid_sweep, 1, "no kill landed before the sweep finished");
    /* the finished rows as they stand: they must come out of the resume untouched */
    char path[4300];
    snprintf(path, sizeof path, "%s/runs.sqlite", killed);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    char *stamps_before = done_rows(db);
    /* and the database itself refuses to change a finished row */
    char *msg = NULL;
    int rc = sqlite3_exec(db, "UPDATE sweep_runs SET carbon_kg = 0 WHERE status = 'done'", NULL, NULL, &msg);
    cr_assert_neq(rc, SQLITE_OK, "a done row must not be rewritable");
    cr_assert(msg && strstr(msg, "never rewritten"), "%s", msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);

    sweep_ok(sc, killed, "2"); /* the same command again finishes it */

    char *a = file_text(whole, "sweep.csv"), *b = file_text(killed, "sweep.csv");
    cr_assert_str_eq(a, b, "a killed and resumed sweep must equal the uninterrupted one");
    free(a);
    free(b);
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *stamps_after = done_rows(db);
    /* every row finished before the resume is still there, unchanged (the runs done then need not
     * be the first ones: the killed workers' runs leave gaps that the resume fills) */
    for (char *line = stamps_before, *end; line && *line; line = end + 1) {
        end = strchr(line, '\n');
        *end = '\0';
        char *hit = strstr(stamps_after, line);
        cr_assert(hit && (hit == stamps_after || hit[-1] == '\n') && hit[strlen(line)] == '\n',
                  "row '%s' finished before the resume changed", line);
    }
    /* each run recorded exactly once: one attempt for every run */
    sqlite3_prepare_v2(db, "SELECT count(*), sum(attempts), sum(status = 'done') FROM sweep_runs", -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 48);
    cr_assert_eq(sqlite3_column_int(st, 1), 48, "a run was recorded twice");
    cr_assert_eq(sqlite3_column_int(st, 2), 48);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(stamps_before);
    free(stamps_after);
    /* no temporary folder left behind, one folder per run */
    char cmd_dir[4300];
    snprintf(cmd_dir, sizeof cmd_dir, "%s/runs", killed);
    int folders = 0, temps = 0;
    FILE *ls = NULL;
    char lscmd[4400];
    snprintf(lscmd, sizeof lscmd, "ls -A '%s'", cmd_dir);
    ls = popen(lscmd, "r");
    char line[256];
    while (ls && fgets(line, sizeof line, ls)) {
        folders++;
        temps += line[0] == '.';
    }
    if (ls) pclose(ls);
    cr_assert_eq(temps, 0);
    cr_assert_eq(folders, 48);
}

Test(sweep, a_bad_point_is_named_before_anything_runs)
{
    const char *dir = tmp_folder();
    char text[2048];
    snprintf(text, sizeof text,
             "start: \"2023-03-01T00:00:00Z\"\nduration: 2d\n"
             "regions: [{name: de, carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv}]\n"
             "jobs: [{name: j, release: {every: 24h, at: \"19:00\"}, duration: 1h, power_kw: 1, deadline: 4h}]\n"
             "sweep:\n  jobs.j.power_kw: [1, -2]\n",
             source_dir());
    const char *sc = write_text(dir, "bad.yaml", text);
    char out[4200];
    snprintf(out, sizeof out, "%s/out", dir);
    cmd_result r;
    const char *args[] = {"sweep", sc, "--out", out, "--quiet", NULL};
    run_ccsim(&r, args);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "sweep point 1 (jobs.j.power_kw=-2)"), "%s", r.err);
    cr_assert(strstr(r.err, "--set 'jobs.j.power_kw=-2'"), "%s", r.err);
    char db[4300];
    snprintf(db, sizeof db, "%s/runs.sqlite", out);
    cr_assert_neq(access(db, F_OK), 0, "nothing is recorded for a sweep that cannot start");
}

/* The MPI build: mpirun -n 2 spreads the runs over two ranks (rank 0 coordinates and computes);
 * the results must equal the single-process sweep's, file for file. Other builds report it
 * skipped, not passed. */
Test(sweep, two_mpi_ranks_equal_the_serial_sweep)
{
#ifndef CCS_HAVE_MPI
    cr_skip_test("not an MPI build: configure with -Dmpi=enabled (build-mpi in .ci/run) to run it");
#else
    const char *mpirun = getenv("MPIRUN");
    cr_assert(mpirun && *mpirun, "MPIRUN not set: the MPI build needs Open MPI's mpirun");
    const char *dir = tmp_folder();
    const char *sc = sweep_scenario(dir, 3);
    char serial[4200], ranks[4200];
    snprintf(serial, sizeof serial, "%s/serial", dir);
    snprintf(ranks, sizeof ranks, "%s/ranks", dir);
    sweep_ok(sc, serial, "1");
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execl(mpirun, mpirun, "-n", "2", "--oversubscribe", getenv("CCSIM_BIN"), "sweep", sc, "--out", ranks, "--quiet",
              "--no-plot", (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "mpirun sweep failed (status %d)", status);
    char *a = file_text(serial, "sweep.csv"), *b = file_text(ranks, "sweep.csv");
    cr_assert_str_eq(a, b, "2 ranks must give the serial results bit for bit");
    free(a);
    free(b);
    a = file_text(serial, "runs/p005-s03/summary.json");
    b = file_text(ranks, "runs/p005-s03/summary.json");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    /* both ranks worked: the registry names two workers */
    char path[4300];
    snprintf(path, sizeof path, "%s/runs.sqlite", ranks);
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_prepare_v2(db, "SELECT count(DISTINCT worker) FROM sweep_runs", -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 2, "the runs were not spread over both ranks");
    sqlite3_finalize(st);
    sqlite3_close(db);
#endif
}

Test(sweep, csv_fields_quoted_only_when_needed)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ccs_csv_write_field(f, "policy.name");
    fputc('|', f);
    ccs_csv_write_field(f, "a,b");
    fputc('|', f);
    ccs_csv_write_field(f, "say \"19:00\"");
    fclose(f);
    cr_assert_str_eq(buf, "policy.name|\"a,b\"|\"say \"\"19:00\"\"\"");
    free(buf);
}

Test(sweep, a_database_from_before_the_fallbacks_column_is_refused)
{
    /* the four tables as ccsim wrote them before the exact planner: no sweep_runs.fallbacks */
    char path[4096];
    snprintf(path, sizeof path, "%s/runs.sqlite", tmp_folder());
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "CREATE TABLE sweep (id INTEGER PRIMARY KEY); CREATE TABLE sweep_parameters (param);"
                              "CREATE TABLE sweep_points (point); CREATE TABLE sweep_runs (run INTEGER PRIMARY KEY,"
                              " misses INTEGER, baseline_misses INTEGER, overrides INTEGER, slo_met INTEGER,"
                              " slo_total INTEGER);",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    for (int create = 0; create <= 1; create++) {
        ccs_sweep_db *d = NULL;
        ccs_err err = {0};
        cr_assert_eq(ccs_sweep_db_open(path, create, &d, &err), CCS_EINPUT, "create %d: %s", create, err.msg);
        cr_assert_null(d);
        cr_assert(strstr(err.msg, "older ccsim") && strstr(err.msg, "'fallbacks'") && strstr(err.msg, "new folder"),
                  "%s", err.msg);
    }
}

Test(sweep, every_row_of_sweep_csv_has_the_header_s_columns)
{
    /* one finished run and one pending (a sweep listed before it ran): the pending row's empty
     * fields must line up with the header, or pandas reads it as a wider table */
    char *paths[] = {"policy.price_tolerance"}, *values[] = {"0.05"};
    ccs_sweep_row rows[2] = {{.run = 0, .point = 0, .seed_index = 0, .seed = 7, .done = 1, .name = "p000-s00"},
                             {.run = 1, .point = 0, .seed_index = 1, .seed = 8, .done = 0, .name = "p000-s01"}};
    snprintf(rows[0].o.policy, sizeof rows[0].o.policy, "price-tolerance");
    rows[0].o.carbon_kg = rows[0].o.base_carbon_kg = rows[0].o.cost = rows[0].o.base_cost = 1;
    rows[0].o.unproven = 3;
    ccs_sweep_table t = {.scenario = "s",
                         .scenario_path = "s.yaml",
                         .currency = "EUR",
                         .seeds = 2,
                         .nparams = 1,
                         .npoints = 1,
                         .nrows = 2,
                         .paths = paths,
                         .values = values,
                         .rows = rows};
    char path[4096];
    snprintf(path, sizeof path, "%s/sweep.csv", tmp_folder());
    ccs_err err = {0};
    cr_assert_eq(ccs_sweep_write_csv(&t, path, &err), 0, "%s", err.msg);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[4096];
    int commas[3] = {-1, -1, -1}, n = 0;
    while (n < 3 && fgets(line, sizeof line, f)) {
        commas[n] = 0;
        for (char *c = line; *c; c++) commas[n] += *c == ',';
        if (n == 1) cr_assert(strstr(line, ",3,0\n"), "the unproven count is not before constraints_broken: %s", line);
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 3);
    cr_assert_eq(commas[1], commas[0], "a finished row has %d commas, the header %d", commas[1], commas[0]);
    cr_assert_eq(commas[2], commas[0], "a pending row has %d commas, the header %d", commas[2], commas[0]);
}
