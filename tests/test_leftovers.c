/* What runs and sweeps leave behind when something goes wrong (issue 12): a damaged or edited
 * sweep database is refused with the file named and the exports it would shrink kept as they
 * were; a killed run is marked 'interrupted' in the registry while a live one is left alone;
 * temporary files are hidden and cleaned; results.h5 is the same bytes for the same inputs; a
 * sweep's last seed is checked at load; a full disk is reported with its reason. */
#include "helpers.h"
#include "out_h5.h"
#include "out_json.h"
#include "out_registry.h"
#include "report.h"
#include "run.h"
#include "sweep_export.h"
#include "sweep_spec.h"
#include "sweep_stats.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

/* 2 policies x 3 tolerances x 2 seeds = 12 runs of a week of DE-LU: a sweep of a second. */
static const char *small_sweep(const char *dir, const char *seed_line)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name: leftovers\n"
             "start: \"2023-03-01T00:00:00Z\"\n"
             "currency: USD\n"
             "duration: 7d\n"
             "%s\n"
             "regions:\n"
             "  - name: de\n"
             "    carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv\n"
             "    price: %s/traces/price/price-day-ahead-DE-LU-2023-hourly-usd.csv\n"
             "jobs:\n"
             "  - {name: nightly, release: {every: 24h, at: \"19:00\"}, duration: 2h, power_kw: 10, deadline: 12h}\n"
             "policy: {name: price-tolerance, forecast: noisy, forecast_error: 0.1}\n"
             "sweep:\n"
             "  seeds: 2\n"
             "  policy.name: [greenest-window, price-tolerance]\n"
             "  policy.price_tolerance: [0, 0.1, 0.2]\n",
             seed_line, source_dir(), source_dir());
    return write_text(dir, "sweep.yaml", text);
}

static void sweep(cmd_result *r, const char *scenario, const char *out)
{
    const char *args[] = {"sweep", scenario, "--out", out, "--jobs", "2", "--quiet", "--no-plot", NULL};
    run_ccsim(r, args);
}

static void report(cmd_result *r, const char *out)
{
    const char *args[] = {"report", out, NULL};
    run_ccsim(r, args);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *t = read_all(path, len);
    cr_assert_not_null(t, "%s missing", path);
    return t;
}

static void put_bytes(const char *path, long offset, const void *data, size_t len, int truncate)
{
    int fd = open(path, O_WRONLY | (truncate ? O_TRUNC : 0));
    cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
    cr_assert_eq(pwrite(fd, data, len, offset), (ssize_t)len);
    close(fd);
}

static void same_file(const char *dir, const char *name, const char *want, size_t want_len, const char *when)
{
    size_t len;
    char *now = slurp(dir, name, &len);
    cr_assert(len == want_len && memcmp(now, want, len) == 0, "%s: %s changed (%zu bytes, was %zu)", when, name, len,
              want_len);
    free(now);
}

static int exec_sql(const char *db_path, const char *sql)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* A registry row's status, or "" when there is none (yet). */
static void row_status(const char *db_path, int64_t id, char *buf, size_t size)
{
    buf[0] = '\0';
    sqlite3 *db;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT status FROM runs WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, id);
            if (sqlite3_step(st) == SQLITE_ROW) snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
}

/* Entries of dir whose name contains part. */
static int count_entries(const char *dir, const char *part, char *names, size_t size)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int n = 0;
    if (names) names[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, part)) continue;
        n++;
        if (names) snprintf(names + strlen(names), size - strlen(names), "%s ", e->d_name);
    }
    closedir(d);
    return n;
}

/* A pid that no process has: a child that has already ended and been reaped. */
static pid_t dead_pid(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

static void nap_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* ---- the sweep database is verified before it is trusted ---- */

Test(leftovers, a_damaged_sweep_database_is_refused_and_the_exports_kept)
{
    const char *dir = tmp_folder();
    const char *sc = small_sweep(dir, "seed: 11");
    char out[4200], db[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(db, sizeof db, "%s/runs.sqlite", out);
    cmd_result r;
    sweep(&r, sc, out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t csv_len, md_len, db_len;
    char *csv = slurp(out, "sweep.csv", &csv_len), *md = slurp(out, "report.md", &md_len);
    char *good = slurp(out, "runs.sqlite", &db_len);
    cr_assert_eq(db_len % 4096, 0, "SQLite's pages are 4 KB here");
    unsigned char garbage[4096];
    for (size_t i = 0; i < sizeof garbage; i++) garbage[i] = (unsigned char)(i * 37 + 11);
    /* 4 KB of garbage at the middle of the file (the case), then over each page in turn:
     * the header and schema, the sweep row, the parameters and points, the runs */
    long offsets[64];
    size_t n = 0;
    offsets[n++] = (long)db_len / 2 + 1000;
    for (long off = 0; off < (long)db_len && n < 64; off += 4096) offsets[n++] = off;
    for (size_t i = 0; i < n; i++) {
        put_bytes(db, 0, good, db_len, 1);
        put_bytes(db, offsets[i], garbage, sizeof garbage, 0);
        char when[64];
        snprintf(when, sizeof when, "garbage at byte %ld", offsets[i]);
        sweep(&r, sc, out);
        cr_assert_neq(r.status, 0, "%s: the resume must refuse the file", when);
        cr_assert(strstr(r.err, "runs.sqlite") && strstr(r.err, "damaged"), "%s: %s", when, r.err);
        same_file(out, "sweep.csv", csv, csv_len, when);
        report(&r, out);
        cr_assert_neq(r.status, 0, "%s: ccsim report must refuse the file", when);
        cr_assert(strstr(r.err, "runs.sqlite") && strstr(r.err, "damaged"), "%s: %s", when, r.err);
        same_file(out, "report.md", md, md_len, when);
    }
    cr_assert_eq(count_entries(out, ".tmp", NULL, 0), 0, "no temporary left");
    free(csv);
    free(md);
    free(good);
}

Test(leftovers, a_sweep_database_with_rows_deleted_is_refused)
{
    const char *dir = tmp_folder();
    const char *sc = small_sweep(dir, "seed: 11");
    char out[4200], db[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(db, sizeof db, "%s/runs.sqlite", out);
    cmd_result r;
    sweep(&r, sc, out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t csv_len, md_len;
    char *csv = slurp(out, "sweep.csv", &csv_len), *md = slurp(out, "report.md", &md_len);
    /* 3 of the 12 runs gone: runs 1, 5 and 9 */
    cr_assert_eq(exec_sql(db, "DELETE FROM sweep_runs WHERE run % 4 = 1"), SQLITE_OK);
    sweep(&r, sc, out);
    cr_assert_neq(r.status, 0, "a resume must not take 9 runs for the 12 of the sweep");
    cr_assert(strstr(r.err, "runs.sqlite") && strstr(r.err, "9 of its 12 runs"), "%s", r.err);
    same_file(out, "sweep.csv", csv, csv_len, "rows deleted, resume");
    report(&r, out);
    cr_assert_neq(r.status, 0);
    cr_assert(strstr(r.err, "runs.sqlite") && strstr(r.err, "damaged"), "%s", r.err);
    same_file(out, "report.md", md, md_len, "rows deleted, report");
    /* a point's values gone: the report cannot label it */
    cr_assert_eq(exec_sql(db, "DELETE FROM sweep_points WHERE point = 4"), SQLITE_OK);
    report(&r, out);
    cr_assert_neq(r.status, 0);
    cr_assert(strstr(r.err, "runs.sqlite") && strstr(r.err, "damaged"), "%s", r.err);
    free(csv);
    free(md);
}

Test(leftovers, report_never_creates_a_database)
{
    const char *dir = tmp_folder();
    char db[4300];
    snprintf(db, sizeof db, "%s/runs.sqlite", dir);
    cmd_result r;
    report(&r, dir);
    cr_assert_neq(r.status, 0);
    cr_assert_neq(access(db, F_OK), 0, "ccsim report must not create %s", db);
    /* an empty file is not a sweep: refused, not filled with empty tables */
    write_text(dir, "runs.sqlite", "");
    report(&r, dir);
    cr_assert_neq(r.status, 0);
    cr_assert(strstr(r.err, "runs.sqlite") && strstr(r.err, "not a sweep database"), "%s", r.err);
    struct stat st;
    cr_assert_eq(stat(db, &st), 0);
    cr_assert_eq(st.st_size, 0, "the file was written to");
}

/* ---- the registry: interrupted runs ---- */

Test(leftovers, a_killed_run_is_marked_interrupted_and_a_live_one_is_not)
{
    const char *root = tmp_folder();
    char reg[4300], a[4300], b[4300], c[4300], scenario[4300], quick[4300], status[32];
    snprintf(reg, sizeof reg, "%s/runs.sqlite", root);
    snprintf(a, sizeof a, "%s/a", root);
    snprintf(b, sizeof b, "%s/b", root);
    snprintf(c, sizeof c, "%s/c", root);
    snprintf(scenario, sizeof scenario, "%s/scenarios/default.yaml", source_dir()); /* seconds of work */
    snprintf(quick, sizeof quick, "%s/scenarios/nightly-batch.yaml", source_dir());
    const char *bin = getenv("CCSIM_BIN");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(bin, bin, "run", scenario, "--out", a, "--no-plot", (char *)NULL);
        _exit(127);
    }
    /* run 1 is A's row; stop A while it is running, so that it is alive but cannot finish */
    for (int i = 0; i < 30000; i++) {
        row_status(reg, 1, status, sizeof status);
        if (strcmp(status, "running") == 0) break;
        nap_ms(1);
    }
    kill(pid, SIGSTOP);
    cr_assert_str_eq(status, "running", "A's row never showed as running");
    int ws;
    cr_assert_eq(waitpid(pid, &ws, WUNTRACED), pid);
    cr_assert(WIFSTOPPED(ws), "A must be alive (stopped), not ended");
    cmd_result r;
    const char *run_b[] = {"run", quick, "--out", b, "--no-plot", NULL};
    run_ccsim(&r, run_b);
    cr_assert_eq(r.status, 0, "%s", r.err);
    row_status(reg, 1, status, sizeof status);
    cr_assert_str_eq(status, "running", "a run still going in another process must not be marked");
    row_status(reg, 2, status, sizeof status);
    cr_assert_str_eq(status, "ok");
    /* now kill A for good: the next run into the registry finds its row without a process */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    const char *run_c[] = {"run", quick, "--out", c, "--no-plot", NULL};
    run_ccsim(&r, run_c);
    cr_assert_eq(r.status, 0, "%s", r.err);
    row_status(reg, 1, status, sizeof status);
    cr_assert_str_eq(status, "interrupted", "a killed run's row must not stay 'running'");
    row_status(reg, 3, status, sizeof status);
    cr_assert_str_eq(status, "ok");
}

Test(leftovers, an_older_registry_is_migrated_with_its_rows)
{
    /* the first version's table, with a row left 'running' by a run killed then */
    const char *root = tmp_folder();
    char reg[4300], out[4300], quick[4300], status[32];
    snprintf(reg, sizeof reg, "%s/runs.sqlite", root);
    snprintf(out, sizeof out, "%s/x", root);
    snprintf(quick, sizeof quick, "%s/scenarios/nightly-batch.yaml", source_dir());
    cr_assert_eq(
        exec_sql(reg,
                 "CREATE TABLE runs (id INTEGER PRIMARY KEY, scenario TEXT NOT NULL, scenario_path TEXT NOT NULL,"
                 " scenario_hash TEXT NOT NULL, seed INTEGER NOT NULL, policy TEXT NOT NULL, version TEXT NOT NULL,"
                 " started_utc TEXT NOT NULL, finished_utc TEXT,"
                 " status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')), message TEXT,"
                 " out_dir TEXT NOT NULL, currency TEXT NOT NULL, energy_kwh REAL, carbon_kg REAL, cost REAL,"
                 " baseline_energy_kwh REAL, baseline_carbon_kg REAL, baseline_cost REAL,"
                 " delta_carbon_pct REAL, delta_cost_pct REAL);"
                 "INSERT INTO runs (scenario, scenario_path, scenario_hash, seed, policy, version, started_utc,"
                 " finished_utc, status, out_dir, currency, carbon_kg) VALUES"
                 " ('old', 'o.yaml', '0', 1, 'run-now', '0', 't', 't', 'ok', 'o', 'EUR', 12.5),"
                 " ('old', 'o.yaml', '0', 1, 'run-now', '0', 't', NULL, 'running', 'o', 'EUR', NULL);"),
        SQLITE_OK);
    cmd_result r;
    const char *args[] = {"run", quick, "--out", out, "--no-plot", NULL};
    run_ccsim(&r, args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    row_status(reg, 1, status, sizeof status);
    cr_assert_str_eq(status, "ok");
    row_status(reg, 2, status, sizeof status);
    cr_assert_str_eq(status, "interrupted");
    row_status(reg, 3, status, sizeof status);
    cr_assert_str_eq(status, "ok");
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(reg, &db), SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT carbon_kg, pid FROM runs WHERE id = 1", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_float_eq(sqlite3_column_double(st, 0), 12.5, 0, "the old row's figures are kept");
    cr_assert_eq(sqlite3_column_type(st, 1), SQLITE_NULL);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ---- temporary files ---- */

Test(leftovers, temporaries_are_hidden_and_stale_ones_removed)
{
    const char *root = tmp_folder();
    char out[4300], quick[4300], name[128];
    snprintf(out, sizeof out, "%s/run", root);
    snprintf(quick, sizeof quick, "%s/scenarios/nightly-batch.yaml", source_dir());
    cr_assert_eq(mkdir(out, 0777), 0);
    /* what killed runs left: this version's hidden temporaries of a dead process, an older
     * version's visible one; and one of a live process (this test), which must stay */
    pid_t dead = dead_pid();
    snprintf(name, sizeof name, ".results.h5.tmp.%ld", (long)dead);
    write_text(out, name, "partial");
    snprintf(name, sizeof name, ".summary.json.tmp.%ld", (long)dead);
    write_text(out, name, "{");
    write_text(out, "results.h5.tmp", "partial");
    snprintf(name, sizeof name, ".results.h5.tmp.%ld", (long)getpid());
    write_text(out, name, "being written");
    /* every file the run creates, through inotify: a temporary must never have a visible name */
    int in = inotify_init1(IN_NONBLOCK);
    cr_assert_geq(in, 0);
    cr_assert_geq(inotify_add_watch(in, out, IN_CREATE), 0);
    cmd_result r;
    const char *args[] = {"run", quick, "--out", out, "--no-plot", NULL};
    run_ccsim(&r, args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char buf[65536] __attribute__((aligned(8)));
    ssize_t len;
    int created = 0;
    while ((len = read(in, buf, sizeof buf)) > 0)
        for (char *p = buf; p < buf + len;) {
            struct inotify_event *e = (struct inotify_event *)p;
            if (e->len) {
                created++;
                cr_assert_eq(e->name[0], '.', "'%s' created under a visible name", e->name);
            }
            p += sizeof *e + e->len;
        }
    close(in);
    cr_assert_geq(created, 2, "results.h5 and summary.json are each written under a temporary name");
    char left[1024];
    cr_assert_eq(count_entries(out, ".tmp", left, sizeof left), 1, "left: %s", left);
    cr_assert(strstr(left, name), "the live process's temporary must stay: %s", left);
    cr_assert_eq(count_entries(out, "summary.json", NULL, 0), 1);
    cr_assert_eq(count_entries(out, "results.h5", NULL, 0), 2, "results.h5 and the live temporary");
}

Test(leftovers, a_failed_write_leaves_no_temporary_and_says_why)
{
    const char *root = tmp_folder();
    char out[4300], blocker[4400], quick[4300], summary[4400];
    snprintf(out, sizeof out, "%s/run", root);
    snprintf(quick, sizeof quick, "%s/scenarios/nightly-batch.yaml", source_dir());
    snprintf(blocker, sizeof blocker, "%s/results.h5", out);
    snprintf(summary, sizeof summary, "%s/summary.json", out);
    /* a folder where results.h5 must go: the rename into place fails */
    cr_assert_eq(mkdir(out, 0777), 0);
    cr_assert_eq(mkdir(blocker, 0777), 0);
    cmd_result r;
    const char *args[] = {"run", quick, "--out", out, "--no-plot", NULL};
    run_ccsim(&r, args);
    cr_assert_eq(r.status, 3, "%s", r.err);
    cr_assert(strstr(r.err, "results.h5") && strstr(r.err, "Is a directory"), "the reason must be given: %s", r.err);
    char left[1024];
    cr_assert_eq(count_entries(out, "tmp", left, sizeof left), 0, "left: %s", left);
    cr_assert_neq(access(summary, F_OK), 0, "no summary.json after a failed run");
}

/* ---- the same inputs, the same bytes ---- */

static void same_bytes(const char *a_dir, const char *b_dir, const char *name)
{
    size_t la, lb;
    char *a = slurp(a_dir, name, &la), *b = slurp(b_dir, name, &lb);
    size_t at = 0;
    while (at < la && at < lb && a[at] == b[at]) at++;
    cr_assert(la == lb && at == la, "%s/%s and %s/%s differ at byte %zu (%zu and %zu bytes)", a_dir, name, b_dir, name,
              at, la, lb);
    free(a);
    free(b);
}

Test(leftovers, results_h5_is_the_same_bytes_for_the_same_seed)
{
    const char *root = tmp_folder();
    /* jobs (nightly-batch) and services (chatbot): every group and dataset kind */
    static const char *names[2] = {"nightly-batch", "chatbot"};
    char dirs[2][2][4300];
    for (int pass = 0; pass < 2; pass++) {
        if (pass) nap_ms(1100); /* HDF5 keeps times in whole seconds */
        for (int i = 0; i < 2; i++) {
            char scenario[4300];
            snprintf(scenario, sizeof scenario, "%s/scenarios/%s.yaml", source_dir(), names[i]);
            snprintf(dirs[pass][i], sizeof dirs[pass][i], "%s/%c/%s", root, 'a' + pass, names[i]);
            cmd_result r;
            const char *args[] = {"run", scenario, "--out", dirs[pass][i], "--no-plot", NULL};
            run_ccsim(&r, args);
            cr_assert_eq(r.status, 0, "%s", r.err);
        }
    }
    for (int i = 0; i < 2; i++) same_bytes(dirs[0][i], dirs[1][i], "results.h5");
    /* and a sweep's: the assembled file and a run's own */
    const char *sc = small_sweep(root, "seed: 11");
    char s1[4300], s2[4300];
    snprintf(s1, sizeof s1, "%s/s1", root);
    snprintf(s2, sizeof s2, "%s/s2", root);
    cmd_result r;
    sweep(&r, sc, s1);
    cr_assert_eq(r.status, 0, "%s", r.err);
    nap_ms(1100);
    sweep(&r, sc, s2);
    cr_assert_eq(r.status, 0, "%s", r.err);
    same_bytes(s1, s2, "results.h5");
    same_bytes(s1, s2, "runs/p004-s01/results.h5");
    same_bytes(s1, s2, "sweep.csv");
}

/* ---- sweep seeds ---- */

static int spec_rc(const char *yaml, int seeds_override, char *msg, size_t size)
{
    ccs_sweep_spec *sp = NULL;
    ccs_err err = {0};
    int rc = ccs_sweep_spec_parse(yaml, strlen(yaml), "t.yaml", seeds_override, &sp, &err);
    snprintf(msg, size, "%s", err.msg);
    ccs_sweep_spec_destroy(sp);
    return rc;
}

Test(leftovers, a_sweep_whose_last_seed_passes_the_largest_is_refused_at_load)
{
    char msg[1536];
    /* 2^63 - 1 = 9223372036854775807: with 3 seeds, seed + 2 may be that and no more */
    cr_assert_eq(spec_rc("seed: 9223372036854775805\nsweep:\n  seeds: 3\n  a.b: [1]\n", 0, msg, sizeof msg), 0, "%s",
                 msg);
    cr_assert_eq(spec_rc("seed: 9223372036854775806\nsweep:\n  seeds: 3\n  a.b: [1]\n", 0, msg, sizeof msg),
                 CCS_EINPUT);
    cr_assert(strstr(msg, "t.yaml:1:7: seed") && strstr(msg, "9223372036854775807") &&
                  strstr(msg, "at most 9223372036854775805"),
              "%s", msg);
    /* --seeds counts as the section's seeds */
    cr_assert_eq(spec_rc("seed: 9223372036854775805\nsweep:\n  seeds: 3\n  a.b: [1]\n", 4, msg, sizeof msg),
                 CCS_EINPUT);
    cr_assert(strstr(msg, "t.yaml:1:7: seed"), "%s", msg);
    /* the default seed (1) with the most seeds is fine; a seed that is not a number is the schema's */
    cr_assert_eq(spec_rc("sweep:\n  seeds: 100000\n  a.b: [1]\n", 0, msg, sizeof msg), 0, "%s", msg);
    cr_assert_eq(spec_rc("seed: x\nsweep:\n  a.b: [1]\n", 0, msg, sizeof msg), 0, "%s", msg);
    /* sweeping the seed would be silently overridden by seed + k: refused */
    cr_assert_eq(spec_rc("sweep:\n  seed: [1, 2]\n", 0, msg, sizeof msg), CCS_EINPUT);
    cr_assert(strstr(msg, "t.yaml:2:3: sweep: 'seed' is not a parameter"), "%s", msg);
    /* through the binary: refused before anything is recorded or run */
    const char *dir = tmp_folder();
    const char *sc = small_sweep(dir, "seed: 9223372036854775807"); /* and 2 seeds */
    char out[4200], db[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(db, sizeof db, "%s/runs.sqlite", out);
    cmd_result r;
    sweep(&r, sc, out);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "sweep.yaml:5:7: seed"), "%s", r.err);
    cr_assert_neq(access(db, F_OK), 0, "nothing is recorded for a sweep that cannot start");
}

/* ---- a full disk ---- */

static char mounted[4300];

static void unmount_tmpfs(void)
{
    if (mounted[0]) umount2(mounted, MNT_DETACH);
    mounted[0] = '\0';
}

/* A tmpfs of `size` on a fresh folder, or the test is skipped (no permission to mount). */
static const char *tiny_disk(const char *size)
{
    const char *root = tmp_folder();
    snprintf(mounted, sizeof mounted, "%s/disk", root);
    cr_assert_eq(mkdir(mounted, 0777), 0);
    char opts[64];
    snprintf(opts, sizeof opts, "size=%s", size);
    if (mount("tmpfs", mounted, "tmpfs", 0, opts) != 0) {
        int e = errno;
        mounted[0] = '\0';
        cr_skip_test("cannot mount a tmpfs here (%s): the full-disk test needs root", strerror(e));
    }
    return mounted;
}

/* Fills the disk: the next byte anyone writes gets ENOSPC. */
static void fill(const char *disk)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/filler", disk);
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    cr_assert_geq(fd, 0);
    char block[4096] = {0};
    while (write(fd, block, sizeof block) > 0) continue;
    cr_assert_eq(errno, ENOSPC);
    close(fd);
}

#define NOSPACE "No space left on device"

Test(leftovers, a_full_disk_is_reported_with_its_reason_by_ccsim_run, .fini = unmount_tmpfs)
{
    const char *disk = tiny_disk("64k"); /* finance-tolerance's results.h5 is about 160 KB */
    char out[4400], scenario[4300], reg[4300];
    snprintf(out, sizeof out, "%s/run", disk);
    snprintf(scenario, sizeof scenario, "%s/scenarios/finance-tolerance.yaml", source_dir());
    snprintf(reg, sizeof reg, "%s/runs.sqlite", disk);
    cmd_result r;
    const char *args[] = {"run", scenario, "--out", out, "--no-plot", NULL};
    run_ccsim(&r, args);
    cr_expect_eq(r.status, 3, "%s", r.err);
    cr_expect(strstr(r.err, "results.h5") && strstr(r.err, NOSPACE), "%s", r.err);
    char left[1024];
    cr_expect_eq(count_entries(out, "tmp", left, sizeof left), 0, "left: %s", left);
    cr_expect_eq(count_entries(out, "summary.json", NULL, 0), 0);
    char status[32];
    row_status(reg, 1, status, sizeof status);
    cr_expect_str_eq(status, "failed");
}

Test(leftovers, a_full_disk_is_reported_with_its_reason_by_every_writer, .fini = unmount_tmpfs)
{
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 6h\ncurrency: EUR\n"
                     "regions: [{name: r, carbon: ci.csv}]\n"
                     "jobs: [{name: j, release: {every: 1h, at: \"00:00\"}, duration: 1h, power_kw: 1}]\n");
    const char *disk = tiny_disk("64k");
    fill(disk);
    char path[4400];
    ccs_err err = {0};
    snprintf(path, sizeof path, "%s/summary.json", disk);
    cr_expect_eq(ccs_out_summary_write(x.r, path, &err), CCS_EIO);
    cr_expect(strstr(err.msg, "summary.json") && strstr(err.msg, NOSPACE), "%s", err.msg);
    snprintf(path, sizeof path, "%s/results.h5", disk);
    err = (ccs_err){0};
    cr_expect_eq(ccs_out_h5_write(x.r, path, &err), CCS_EIO);
    cr_expect(strstr(err.msg, "results.h5") && strstr(err.msg, NOSPACE), "%s", err.msg);
    /* the sweep's exports, from a one-run table */
    char *paths[1] = {"policy.name"}, *values[1] = {"run-now"};
    ccs_sweep_row rows[1] = {{.run = 0, .point = 0, .seed_index = 0, .seed = 1, .done = 1, .name = "p000-s00"}};
    ccs_sweep_table t = {.scenario = "s",
                         .scenario_path = "s.yaml",
                         .currency = "EUR",
                         .seeds = 1,
                         .nparams = 1,
                         .npoints = 1,
                         .nrows = 1,
                         .paths = paths,
                         .values = values,
                         .rows = rows};
    snprintf(path, sizeof path, "%s/sweep.csv", disk);
    err = (ccs_err){0};
    cr_expect_eq(ccs_sweep_write_csv(&t, path, &err), CCS_EIO);
    cr_expect(strstr(err.msg, "sweep.csv") && strstr(err.msg, NOSPACE), "%s", err.msg);
    ccs_point_stats *ps = ccs_sweep_point_stats(&t);
    err = (ccs_err){0};
    cr_expect_eq(ccs_sweep_report(&t, ps, disk, &err), CCS_EIO);
    cr_expect(strstr(err.msg, "report.md") && strstr(err.msg, NOSPACE), "%s", err.msg);
    free(ps);
    /* the registry: SQLite says "database or disk is full", the system why */
    snprintf(path, sizeof path, "%s/runs.sqlite", disk);
    ccs_registry *g = NULL;
    err = (ccs_err){0};
    cr_expect_eq(ccs_registry_open(path, &g, &err), CCS_EIO);
    cr_expect(strstr(err.msg, "runs.sqlite") && strstr(err.msg, NOSPACE), "%s", err.msg);
    ccs_registry_close(g);
    char left[1024];
    cr_expect_eq(count_entries(disk, "tmp", left, sizeof left), 0, "left: %s", left);
    ran_free(x);
}

/* out_h5.c: a string attribute read back as written. ccsim writes its attributes as UTF-8 and read
 * them as ASCII, a conversion HDF5 does not make: every read failed, so the sweep's hours plot
 * took every region for one with a price (`price_source` unread) and drew a flat 0 price line for
 * regions that rent their devices (sweep-tolerance), with gnuplot's "empty y2 range" warnings. */
Test(leftovers, string_attributes_read_back_as_written)
{
    hid_t f = ccs_h5_create("attr-test");
    cr_assert_geq(f, 0);
    hid_t g = ccs_h5_group(f, "regions");
    cr_assert_geq(g, 0);
    static const char *const values[] = {"none", "", "CO\xe2\x82\x82 per kWh", "../traces/price/x.csv"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char name[16], buf[64];
        snprintf(name, sizeof name, "a%zu", i);
        cr_assert_eq(ccs_h5_str_attr(g, name, values[i]), 0);
        cr_assert_eq(ccs_h5_read_str_attr(g, name, buf, sizeof buf), 0, "attribute %s not read", name);
        cr_assert_str_eq(buf, values[i]);
    }
    char buf[8];
    cr_assert_neq(ccs_h5_read_str_attr(g, "missing", buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "");
    H5Gclose(g);
    H5Fclose(f);
}
