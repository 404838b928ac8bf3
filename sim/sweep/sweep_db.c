/* SQLite sweep state; see sweep_db.h. */
#include "sweep_db.h"

#include "out_sqlite.h"

#include "ccs_config.h"
#include "ccs_time.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ccs_sweep_db {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *record;
};

static const char *schema_sql =
    "CREATE TABLE IF NOT EXISTS sweep ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " scenario TEXT NOT NULL, scenario_path TEXT NOT NULL, scenario_hash TEXT NOT NULL,"
    " sweep_hash TEXT NOT NULL, currency TEXT NOT NULL, base_seed INTEGER NOT NULL,"
    " points INTEGER NOT NULL, seeds INTEGER NOT NULL, runs INTEGER NOT NULL,"
    " version TEXT NOT NULL, created_utc TEXT NOT NULL, finished_utc TEXT);"
    "CREATE TABLE IF NOT EXISTS sweep_parameters (param INTEGER PRIMARY KEY, path TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sweep_points (point INTEGER NOT NULL, param INTEGER NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY (point, param));"
    "CREATE TABLE IF NOT EXISTS sweep_runs ("
    " run INTEGER PRIMARY KEY, point INTEGER NOT NULL, seed_index INTEGER NOT NULL,"
    " seed INTEGER NOT NULL, name TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0, message TEXT, finished_utc TEXT, wall_s REAL, worker TEXT,"
    " policy TEXT, %s REAL, events INTEGER,"
    " energy_kwh REAL, carbon_kg REAL, cost REAL,"
    " baseline_energy_kwh REAL, baseline_carbon_kg REAL, baseline_cost REAL,"
    " p95_ms REAL, baseline_p95_ms REAL, freshness_h REAL, baseline_freshness_h REAL,"
    " misses INTEGER, baseline_misses INTEGER, overrides INTEGER, slo_met INTEGER, slo_total INTEGER,"
    " fallbacks INTEGER, unproven INTEGER, planned_cost REAL, jobs_cost REAL, capped_runs INTEGER,"
    " runs_over_cap INTEGER, constraints_broken INTEGER);"
    "CREATE TABLE IF NOT EXISTS sweep_facts (ord INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
    " value TEXT NOT NULL);"
    "CREATE TRIGGER IF NOT EXISTS sweep_runs_done_is_final BEFORE UPDATE ON sweep_runs"
    " WHEN OLD.status = 'done'"
    " BEGIN SELECT RAISE(ABORT, 'a finished run is never rewritten'); END;";

#define DAMAGED_ADVICE "move the folder aside and run the sweep again, or restore it from a backup"

/* Corruption gets the advice; other failures the system's reason when there is one. */
static int db_err(ccs_sweep_db *db, ccs_err *err)
{
    return ccs_sqlite_err(db->db, db->path, "sweep database", DAMAGED_ADVICE, err);
}

/* Content that cannot be what ccsim sweep wrote: a damaged or hand-edited file. */
static int damaged(ccs_sweep_db *db, ccs_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int damaged(ccs_sweep_db *db, ccs_err *err, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ccs_err_at(err, CCS_EIO, db->path, 0, 0, "the sweep database is damaged (%s): " DAMAGED_ADVICE, what);
}

/* A statement's last step: SQLITE_DONE is the end of its rows, anything else an error. */
static int step_end(ccs_sweep_db *db, int s, ccs_err *err) { return s == SQLITE_DONE ? 0 : db_err(db, err); }

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* Appends m to buf after "; ", its newlines made "; " too: one line for the message. */
static void append_line(char *buf, size_t size, const char *m)
{
    size_t used = strlen(buf);
    if (used && used + 2 < size) buf[used++] = ';', buf[used++] = ' ';
    for (; *m && used + 2 < size; m++) {
        if (*m == '\n')
            buf[used++] = ';', buf[used++] = ' ';
        else
            buf[used++] = *m;
    }
    buf[used] = '\0';
}

/* SQLite's quick_check (every page's b-tree structure, NOT NULL and CHECK constraints; not the
 * indexes' agreement with their tables): linear in the file's size, milliseconds for the
 * largest sweeps, against reading a damaged file as fewer runs. */
static int quick_check(ccs_sweep_db *db, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "PRAGMA quick_check(3)", -1, &st, NULL) != SQLITE_OK) return db_err(db, err);
    char what[400] = "";
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *m = col_text(st, 0);
        if (strcmp(m, "ok") == 0) continue;
        /* on one line, without the schema heading SQLite puts first */
        static const char head[] = "*** in database main ***\n";
        if (strncmp(m, head, sizeof head - 1) == 0) m += sizeof head - 1;
        append_line(what, sizeof what, m);
    }
    int rc = step_end(db, s, err);
    sqlite3_finalize(st);
    if (!rc && what[0]) rc = damaged(db, err, "%s", what);
    return rc;
}

/* A folder given to ccsim report or plot must hold a sweep's tables: opened without creating
 * anything, then checked. */
static int check_tables(ccs_sweep_db *db, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                           " ('sweep', 'sweep_parameters', 'sweep_points', 'sweep_runs')",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    int s = sqlite3_step(st), n = s == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    int rc = s == SQLITE_ROW ? 0 : db_err(db, err);
    sqlite3_finalize(st);
    if (!rc && n != 4)
        rc = ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                        "not a sweep database (%d of its 4 tables): expected the runs.sqlite of a folder written by "
                        "ccsim sweep",
                        n);
    return rc;
}

/* A database from before a column was added: its finished runs were planned by an older ccsim
 * (the fallbacks column came with the exact planner, unproven with its outcome label, the planned
 * cost and the facts with the signed report), so resuming would mix two planners' results in one
 * sweep, and its report could not state what it must. */
static int check_columns(ccs_sweep_db *db, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT fallbacks, unproven, planned_cost, jobs_cost, capped_runs, runs_over_cap,"
                           " constraints_broken,"
                           " (SELECT count(*) FROM sweep_facts) FROM sweep_runs LIMIT 0",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_finalize(st);
        return 0;
    }
    return ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                      "made by an older ccsim (its runs table lacks the 'fallbacks', 'unproven', 'planned_cost' or "
                      "'constraints_broken' "
                      "column, or it has no sweep_facts table): its finished runs were planned by another version; "
                      "expected a sweep started by this one: run it in a new folder");
}

int ccs_sweep_db_open(const char *path, int create, ccs_sweep_db **out, ccs_err *err)
{
    *out = NULL;
    ccs_sweep_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    /* Without CREATE, a missing file is an error rather than a new empty database. */
    int rc = 0;
    if (ccs_sqlite_open(path, create, &db->db) != SQLITE_OK) {
        int sys = db->db ? sqlite3_system_errno(db->db) : 0;
        rc = ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot open the sweep database: %s%s%s%s",
                        db->db ? sqlite3_errmsg(db->db) : "out of memory", sys ? " (" : "", sys ? strerror(sys) : "",
                        sys ? ")" : "");
    }
    if (!rc) rc = quick_check(db, err);
    /* WAL: a commit survives the process being killed at any instant; NORMAL sync is enough for
     * that (only a power cut can lose the last commits, and those runs are then just redone). */
    if (!rc && create &&
        sqlite3_exec(db->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_err(db, err);
    char *sql = create ? sqlite3_mprintf(schema_sql, ccs_sweep_tolerance_column()) : NULL;
    if (!rc && create && !sql) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc && create && sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK) rc = db_err(db, err);
    sqlite3_free(sql);
    if (!rc && !create) rc = check_tables(db, err);
    if (!rc) rc = check_columns(db, err);
    if (rc) {
        ccs_sweep_db_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void ccs_sweep_db_close(ccs_sweep_db *db)
{
    if (!db) return;
    sqlite3_finalize(db->record);
    sqlite3_close(db->db);
    free(db->path);
    free(db);
}

static void now_iso(char *buf, int size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ccs_time_format((int64_t)ts.tv_sec * 1000000, buf, size);
}

static int exec(ccs_sweep_db *db, const char *sql, ccs_err *err)
{
    return sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_err(db, err);
}

/* The counts a resume relies on: a row per run, per parameter and per (point, parameter). A
 * deleted row would otherwise read as a sweep with fewer runs. */
static int check_counts(ccs_sweep_db *db, const ccs_sweep_spec *sp, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT points, seeds, runs, (SELECT count(*) FROM sweep_runs),"
                           " (SELECT count(*) FROM sweep_parameters), (SELECT count(*) FROM sweep_points) FROM sweep",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    int s = sqlite3_step(st);
    int rc = s == SQLITE_ROW ? 0 : db_err(db, err);
    int64_t v[6] = {0};
    for (int i = 0; !rc && i < 6; i++) v[i] = sqlite3_column_int64(st, i);
    sqlite3_finalize(st);
    if (rc) return rc;
    int64_t np = (int64_t)ccs_sweep_npoints(sp), nk = ccs_sweep_seeds(sp), npar = (int64_t)ccs_sweep_nparams(sp);
    if (v[0] != np || v[1] != nk || v[2] != np * nk)
        return damaged(db, err, "its sweep row says %lld points x %lld seeds = %lld runs, the scenario %lld x %lld",
                       (long long)v[0], (long long)v[1], (long long)v[2], (long long)np, (long long)nk);
    if (v[3] != np * nk) return damaged(db, err, "%lld of its %lld runs recorded", (long long)v[3], (long long)np * nk);
    if (v[4] != npar || v[5] != np * npar)
        return damaged(db, err, "%lld parameters and %lld point values recorded, expected %lld and %lld",
                       (long long)v[4], (long long)v[5], (long long)npar, (long long)np * npar);
    return 0;
}

static int check_same(ccs_sweep_db *db, const ccs_sweep_info *info, const ccs_sweep_spec *sp, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT scenario_path, scenario_hash, sweep_hash, seeds FROM sweep", -1, &st,
                           NULL) != SQLITE_OK)
        return db_err(db, err);
    char hash[17], shash[17];
    snprintf(hash, sizeof hash, "%016" PRIx64, info->scenario_hash);
    snprintf(shash, sizeof shash, "%016" PRIx64, ccs_sweep_hash(sp));
    int s = sqlite3_step(st);
    int rc = s == SQLITE_ROW ? 0 : db_err(db, err);
    if (!rc) {
        const char *path = col_text(st, 0);
        if (strcmp(col_text(st, 1), hash) != 0)
            rc = ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                            "this folder holds a sweep of %s as it was then; the scenario file has changed "
                            "since: expected the same file to resume, or another --out for a new sweep",
                            path);
        else if (sqlite3_column_int(st, 3) != ccs_sweep_seeds(sp))
            rc = ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                            "this folder holds a sweep with %d seeds per point, not %d: expected the same "
                            "--seeds to resume, or another --out",
                            sqlite3_column_int(st, 3), ccs_sweep_seeds(sp));
        else if (strcmp(col_text(st, 2), shash) != 0)
            rc = ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                            "this folder holds another sweep section: expected the same to resume, or another --out");
    }
    sqlite3_finalize(st);
    return rc ? rc : check_counts(db, sp, err);
}

/* One integer from a query of one row. */
static int query_int64(ccs_sweep_db *db, const char *sql, int64_t *v, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) return db_err(db, err);
    int s = sqlite3_step(st);
    int rc = s == SQLITE_ROW ? 0 : db_err(db, err);
    if (!rc) *v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* A figure the run does not have is NULL: NaN for a real (SQLite would store NaN as NULL anyway;
 * said here so that a reader of the code need not know it), the absent flag for a count. */
static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

static void bind_count(sqlite3_stmt *st, int i, uint64_t v, int absent)
{
    if (absent)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* NULL read back as NaN, not as sqlite3_column_double's 0. */
static double col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Steps an insert to its end and resets it for the next row. */
static int insert_step(ccs_sweep_db *db, sqlite3_stmt *st, ccs_err *err)
{
    int rc = step_end(db, sqlite3_step(st), err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int insert_sweep(ccs_sweep_db *db, const ccs_sweep_info *info, const ccs_sweep_spec *sp, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db,
                           "INSERT INTO sweep (id, scenario, scenario_path, scenario_hash, sweep_hash, currency,"
                           " base_seed, points, seeds, runs, version, created_utc)"
                           " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    size_t npoints = ccs_sweep_npoints(sp);
    int seeds = ccs_sweep_seeds(sp);
    char hash[17], shash[17], created[32];
    snprintf(hash, sizeof hash, "%016" PRIx64, info->scenario_hash);
    snprintf(shash, sizeof shash, "%016" PRIx64, ccs_sweep_hash(sp));
    now_iso(created, sizeof created);
    sqlite3_bind_text(st, 1, info->scenario, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, info->scenario_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, shash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, info->currency, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)info->base_seed);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)npoints);
    sqlite3_bind_int(st, 8, seeds);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)npoints * seeds);
    sqlite3_bind_text(st, 10, CCS_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, created, -1, SQLITE_TRANSIENT);
    int rc = insert_step(db, st, err);
    sqlite3_finalize(st);
    return rc;
}

/* What the report states beside its figures, as the scenario said when the sweep began. */
static int insert_facts(ccs_sweep_db *db, const ccs_sweep_info *info, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "INSERT INTO sweep_facts VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    int rc = 0;
    for (size_t i = 0; !rc && i < info->nfacts; i++) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
        sqlite3_bind_text(st, 2, info->facts[i].kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, info->facts[i].name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, info->facts[i].value, -1, SQLITE_TRANSIENT);
        rc = insert_step(db, st, err);
    }
    sqlite3_finalize(st);
    return rc;
}

static int insert_points(ccs_sweep_db *db, const ccs_sweep_spec *sp, ccs_err *err)
{
    size_t npoints = ccs_sweep_npoints(sp), nparams = ccs_sweep_nparams(sp);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "INSERT INTO sweep_parameters VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    int rc = 0;
    for (size_t i = 0; !rc && i < nparams; i++) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
        sqlite3_bind_text(st, 2, ccs_sweep_param_path(sp, i), -1, SQLITE_TRANSIENT);
        rc = insert_step(db, st, err);
    }
    sqlite3_finalize(st);
    if (rc) return rc;
    if (sqlite3_prepare_v2(db->db, "INSERT INTO sweep_points VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    for (size_t p = 0; !rc && p < npoints; p++)
        for (size_t i = 0; !rc && i < nparams; i++) {
            sqlite3_bind_int64(st, 1, (sqlite3_int64)p);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
            sqlite3_bind_text(st, 3, ccs_sweep_value(sp, p, i), -1, SQLITE_TRANSIENT);
            rc = insert_step(db, st, err);
        }
    sqlite3_finalize(st);
    return rc;
}

static int insert_runs(ccs_sweep_db *db, const ccs_sweep_info *info, const ccs_sweep_spec *sp,
                       const ccs_sweep_plan *plan, ccs_err *err)
{
    size_t npoints = ccs_sweep_npoints(sp);
    int seeds = ccs_sweep_seeds(sp);
    /* the sweep section's check at load (ccs_sweep_spec_load) keeps every seed within 2^63 - 1 */
    if (info->base_seed > (uint64_t)INT64_MAX - (uint64_t)(seeds - 1))
        return ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                          "seed %" PRIu64 " + %d seeds passes %" PRId64 ": expected a smaller seed", info->base_seed,
                          seeds, INT64_MAX);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db,
                           "INSERT INTO sweep_runs (run, point, seed_index, seed, name, status)"
                           " VALUES (?, ?, ?, ?, ?, 'pending')",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    int rc = 0;
    for (size_t p = 0; !rc && p < npoints; p++)
        for (int k = 0; !rc && k < seeds; k++) {
            int64_t run = (int64_t)p * seeds + k;
            char name[64];
            ccs_sweep_run_name(plan, run, name, sizeof name);
            sqlite3_bind_int64(st, 1, run);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)p);
            sqlite3_bind_int(st, 3, k);
            const uint64_t seed = info->base_seed + (uint64_t)k; /* at most 2^63 - 1: checked with the spec */
            sqlite3_bind_int64(st, 4, (sqlite3_int64)seed);
            sqlite3_bind_text(st, 5, name, -1, SQLITE_TRANSIENT);
            rc = insert_step(db, st, err);
        }
    sqlite3_finalize(st);
    return rc;
}

int ccs_sweep_db_prepare(ccs_sweep_db *db, const ccs_sweep_info *info, const ccs_sweep_spec *sp,
                         const ccs_sweep_plan *plan, ccs_err *err)
{
    int64_t exists = 0, others = 0;
    int rc = query_int64(db, "SELECT count(*) FROM sweep", &exists, err);
    if (!rc && exists) return check_same(db, info, sp, err);
    if (!rc)
        rc = query_int64(db,
                         "SELECT (SELECT count(*) FROM sweep_runs) + (SELECT count(*) FROM sweep_points)"
                         " + (SELECT count(*) FROM sweep_parameters)",
                         &others, err);
    if (!rc && others)
        rc = damaged(db, err, "%lld rows of runs, points or parameters but no sweep row", (long long)others);
    if (!rc) rc = exec(db, "BEGIN IMMEDIATE", err);
    if (rc) return rc;
    rc = insert_sweep(db, info, sp, err);
    if (!rc) rc = insert_facts(db, info, err);
    if (!rc) rc = insert_points(db, sp, err);
    if (!rc) rc = insert_runs(db, info, sp, plan, err);
    if (!rc) rc = exec(db, "COMMIT", err);
    if (rc) sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int ccs_sweep_db_pending(ccs_sweep_db *db, int64_t **runs, size_t *n, ccs_err *err)
{
    *runs = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT run FROM sweep_runs WHERE status != 'done' ORDER BY run", -1, &st, NULL) !=
        SQLITE_OK)
        return db_err(db, err);
    size_t cap = 0;
    int rc = 0, s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            int64_t *r = realloc(*runs, cap * sizeof *r);
            if (!r)
                rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            else
                *runs = r;
        }
        if (!rc) (*runs)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (!rc) rc = step_end(db, s, err);
    sqlite3_finalize(st);
    if (rc) {
        free(*runs);
        *runs = NULL;
        *n = 0;
    }
    return rc;
}

int ccs_sweep_db_record(ccs_sweep_db *db, const ccs_sweep_outcome *o, ccs_err *err)
{
    if (!db->record) {
        char *sql = sqlite3_mprintf("UPDATE sweep_runs SET status = ?, attempts = attempts + 1, message = ?,"
                                    " finished_utc = ?, wall_s = ?, worker = ?, policy = ?, %s = ?, events = ?,"
                                    " energy_kwh = ?, carbon_kg = ?, cost = ?, baseline_energy_kwh = ?,"
                                    " baseline_carbon_kg = ?, baseline_cost = ?, p95_ms = ?, baseline_p95_ms = ?,"
                                    " freshness_h = ?, baseline_freshness_h = ?, misses = ?, baseline_misses = ?,"
                                    " overrides = ?, slo_met = ?, slo_total = ?, fallbacks = ?, unproven = ?,"
                                    " planned_cost = ?, jobs_cost = ?, capped_runs = ?, runs_over_cap = ?,"
                                    " constraints_broken = ? WHERE run = ?",
                                    ccs_sweep_tolerance_column());
        int ok = sql && sqlite3_prepare_v2(db->db, sql, -1, &db->record, NULL) == SQLITE_OK;
        sqlite3_free(sql);
        if (!ok) return db_err(db, err);
    }
    sqlite3_stmt *st = db->record;
    char finished[32];
    now_iso(finished, sizeof finished);
    int ok = o->status == 0;
    sqlite3_bind_text(st, 1, ok ? "done" : "failed", -1, SQLITE_STATIC);
    if (ok)
        sqlite3_bind_null(st, 2);
    else
        sqlite3_bind_text(st, 2, o->message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, finished, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 4, o->wall_s);
    sqlite3_bind_text(st, 5, o->worker, -1, SQLITE_TRANSIENT);
    if (ok) {
        sqlite3_bind_text(st, 6, o->policy, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 7, o->cost_tolerance);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)o->events);
        double v[10] = {o->energy_kwh, o->carbon_kg, o->cost,        o->base_energy_kwh, o->base_carbon_kg,
                        o->base_cost,  o->p95_ms,    o->base_p95_ms, o->freshness_h,     o->base_freshness_h};
        for (int i = 0; i < 10; i++) bind_real(st, 9 + i, v[i]);
        const int nojobs = o->absent & CCS_SWEEP_NO_JOBS, nosvc = o->absent & CCS_SWEEP_NO_SERVICES;
        bind_count(st, 19, o->misses, nojobs);
        bind_count(st, 20, o->baseline_misses, nojobs);
        bind_count(st, 21, o->overrides, nojobs);
        bind_count(st, 22, (uint64_t)o->slo_met, nosvc);
        bind_count(st, 23, (uint64_t)o->slo_total, nosvc);
        bind_count(st, 24, o->fallbacks, nojobs);
        bind_count(st, 25, o->unproven, nojobs);
        bind_real(st, 26, nojobs ? NAN : o->planned_cost);
        bind_real(st, 27, nojobs ? NAN : o->jobs_cost);
        bind_count(st, 28, o->capped_runs, nojobs);
        bind_count(st, 29, o->runs_over_cap, nojobs);
        sqlite3_bind_int64(st, 30, (sqlite3_int64)o->constraints_broken);
    } else {
        for (int i = 6; i <= 30; i++) sqlite3_bind_null(st, i);
    }
    sqlite3_bind_int64(st, 31, o->run);
    int rc = step_end(db, sqlite3_step(st), err);
    /* a run's outcome always has its row: none means the file lost it */
    if (!rc && sqlite3_changes(db->db) != 1) rc = damaged(db, err, "run %lld has no row", (long long)o->run);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int ccs_sweep_db_finish(ccs_sweep_db *db, ccs_err *err)
{
    char finished[32], sql[128];
    now_iso(finished, sizeof finished);
    snprintf(sql, sizeof sql, "UPDATE sweep SET finished_utc = '%s' WHERE finished_utc IS NULL", finished);
    return exec(db, sql, err);
}

static char *col_dup(sqlite3_stmt *st, int i) { return strdup(col_text(st, i)); }

enum { MAX_SEEDS = 100000, MAX_POINTS = 10000000 }; /* as sweep_spec.c accepts */

static int read_sweep_row(ccs_sweep_db *db, ccs_sweep_table *t, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT scenario, scenario_path, currency, seeds, points, runs, version, scenario_hash,"
                           " created_utc, finished_utc FROM sweep",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    int s = sqlite3_step(st), rc = 0;
    if (s == SQLITE_DONE)
        rc = ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                        "no sweep recorded here: expected a folder written by ccsim sweep");
    else if (s != SQLITE_ROW)
        rc = db_err(db, err);
    int64_t seeds = 0, points = 0, runs = 0;
    if (!rc) {
        t->scenario = col_dup(st, 0);
        t->scenario_path = col_dup(st, 1);
        t->currency = col_dup(st, 2);
        seeds = sqlite3_column_int64(st, 3);
        points = sqlite3_column_int64(st, 4);
        runs = sqlite3_column_int64(st, 5);
        t->version = col_dup(st, 6);
        t->scenario_hash = col_dup(st, 7);
        t->created_utc = col_dup(st, 8);
        t->finished_utc = col_dup(st, 9);
        if (!t->scenario || !t->scenario_path || !t->currency || !t->version || !t->scenario_hash || !t->created_utc ||
            !t->finished_utc)
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    sqlite3_finalize(st);
    if (rc) return rc;
    if (seeds < 1 || seeds > MAX_SEEDS || points < 1 || points > MAX_POINTS || runs != points * seeds)
        return damaged(db, err, "its sweep row says %lld points x %lld seeds = %lld runs", (long long)points,
                       (long long)seeds, (long long)runs);
    t->seeds = (int)seeds;
    t->npoints = (size_t)points;
    return 0;
}

static int read_parameters(ccs_sweep_db *db, ccs_sweep_table *t, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT param, path FROM sweep_parameters ORDER BY param", -1, &st, NULL) !=
        SQLITE_OK)
        return db_err(db, err);
    int rc = 0, s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) != (int64_t)t->nparams) {
            rc = damaged(db, err, "parameter %zu missing", t->nparams);
            break;
        }
        char **p = realloc(t->paths, (t->nparams + 1) * sizeof *p);
        if (!p) {
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            break;
        }
        t->paths = p;
        if (!(t->paths[t->nparams++] = col_dup(st, 1))) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc) rc = step_end(db, s, err);
    sqlite3_finalize(st);
    if (!rc && t->nparams == 0) rc = damaged(db, err, "no sweep parameters");
    return rc;
}

static int read_facts(ccs_sweep_db *db, ccs_sweep_table *t, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT kind, name, value FROM sweep_facts ORDER BY ord", -1, &st, NULL) !=
        SQLITE_OK)
        return db_err(db, err);
    int rc = 0, s;
    size_t cap = 0;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (t->nfacts == cap) {
            cap = cap ? 2 * cap : 32;
            ccs_sweep_fact *f = realloc(t->facts, cap * sizeof *f);
            if (!f) {
                rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                break;
            }
            t->facts = f;
        }
        ccs_sweep_fact *f = &t->facts[t->nfacts++];
        *f = (ccs_sweep_fact){col_dup(st, 0), col_dup(st, 1), col_dup(st, 2)};
        if (!f->kind || !f->name || !f->value) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc) rc = step_end(db, s, err);
    sqlite3_finalize(st);
    return rc;
}

static int read_points(ccs_sweep_db *db, ccs_sweep_table *t, ccs_err *err)
{
    if (t->npoints > SIZE_MAX / sizeof *t->values / t->nparams - 1) return ccs_err_set(err, CCS_ERUN, "out of memory");
    t->values = calloc(t->npoints * t->nparams + 1, sizeof *t->values);
    if (!t->values) return ccs_err_set(err, CCS_ERUN, "out of memory");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT point, param, value FROM sweep_points ORDER BY point, param", -1, &st,
                           NULL) != SQLITE_OK)
        return db_err(db, err);
    size_t n = 0;
    int rc = 0, s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t p = sqlite3_column_int64(st, 0), i = sqlite3_column_int64(st, 1);
        /* in (point, param) order, each exactly once: row n is point n / nparams, param n % nparams */
        if (p != (int64_t)(n / t->nparams) || i != (int64_t)(n % t->nparams) || n >= t->npoints * t->nparams) {
            rc = damaged(db, err, "the value of point %zu, parameter %zu missing", n / t->nparams, n % t->nparams);
            break;
        }
        if (!(t->values[n++] = col_dup(st, 2))) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc) rc = step_end(db, s, err);
    sqlite3_finalize(st);
    if (!rc && n != t->npoints * t->nparams)
        rc = damaged(db, err, "%zu of its %zu point values recorded", n, t->npoints * t->nparams);
    return rc;
}

static void read_outcome(sqlite3_stmt *st, ccs_sweep_row *r, int failed)
{
    ccs_sweep_outcome *o = &r->o;
    o->run = r->run;
    o->status = r->done ? 0 : failed ? CCS_ERUN : -1;
    snprintf(o->message, sizeof o->message, "%s", col_text(st, 6));
    o->wall_s = sqlite3_column_double(st, 7);
    snprintf(o->worker, sizeof o->worker, "%s", col_text(st, 8));
    snprintf(o->policy, sizeof o->policy, "%s", col_text(st, 9));
    o->cost_tolerance = sqlite3_column_double(st, 10);
    o->events = (uint64_t)sqlite3_column_int64(st, 11);
    double *v[10] = {&o->energy_kwh, &o->carbon_kg, &o->cost,        &o->base_energy_kwh, &o->base_carbon_kg,
                     &o->base_cost,  &o->p95_ms,    &o->base_p95_ms, &o->freshness_h,     &o->base_freshness_h};
    for (int i = 0; i < 10; i++) *v[i] = col_real(st, 12 + i);
    /* a done run's NULL counts are figures its scenario has none of (a database of an older
     * ccsim holds 0 there: read as present) */
    if (r->done && sqlite3_column_type(st, 22) == SQLITE_NULL) o->absent |= CCS_SWEEP_NO_JOBS;
    if (r->done && sqlite3_column_type(st, 26) == SQLITE_NULL) o->absent |= CCS_SWEEP_NO_SERVICES;
    o->misses = (uint64_t)sqlite3_column_int64(st, 22);
    o->baseline_misses = (uint64_t)sqlite3_column_int64(st, 23);
    o->overrides = (uint64_t)sqlite3_column_int64(st, 24);
    o->slo_met = sqlite3_column_int(st, 25);
    o->slo_total = sqlite3_column_int(st, 26);
    o->fallbacks = (uint64_t)sqlite3_column_int64(st, 27);
    o->unproven = (uint64_t)sqlite3_column_int64(st, 28);
    o->planned_cost = sqlite3_column_double(st, 29);
    o->jobs_cost = sqlite3_column_double(st, 30);
    o->capped_runs = (uint64_t)sqlite3_column_int64(st, 31);
    o->runs_over_cap = (uint64_t)sqlite3_column_int64(st, 32);
    o->constraints_broken = (uint64_t)sqlite3_column_int64(st, 33);
}

/* Every run, in run order, each where run order puts it: a missing or extra row is damage. */
static int read_runs(ccs_sweep_db *db, ccs_sweep_table *t, ccs_err *err)
{
    size_t cap = t->npoints * (size_t)t->seeds;
    t->rows = calloc(cap + 1, sizeof *t->rows);
    if (!t->rows) return ccs_err_set(err, CCS_ERUN, "out of memory");
    sqlite3_stmt *st;
    char *sql = sqlite3_mprintf("SELECT run, point, seed_index, seed, name, status, message, wall_s, worker, policy,"
                                " %s, events, energy_kwh, carbon_kg, cost, baseline_energy_kwh,"
                                " baseline_carbon_kg, baseline_cost, p95_ms, baseline_p95_ms, freshness_h,"
                                " baseline_freshness_h, misses, baseline_misses, overrides, slo_met, slo_total,"
                                " fallbacks, unproven, planned_cost, jobs_cost, capped_runs, runs_over_cap,"
                                " constraints_broken FROM sweep_runs ORDER BY run",
                                ccs_sweep_tolerance_column());
    int prepared = sql && sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) == SQLITE_OK;
    sqlite3_free(sql);
    if (!prepared) return db_err(db, err);
    int rc = 0, s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t run = sqlite3_column_int64(st, 0), want = (int64_t)t->nrows;
        if (run != want || t->nrows >= cap || sqlite3_column_int64(st, 1) != want / t->seeds ||
            sqlite3_column_int64(st, 2) != want % t->seeds) {
            rc = damaged(db, err, "run %lld missing or out of place", (long long)want);
            break;
        }
        ccs_sweep_row *r = &t->rows[t->nrows++];
        r->run = run;
        r->point = want / t->seeds;
        r->seed_index = (int)(want % t->seeds);
        r->seed = (uint64_t)sqlite3_column_int64(st, 3);
        snprintf(r->name, sizeof r->name, "%s", col_text(st, 4));
        const char *status = col_text(st, 5);
        r->done = strcmp(status, "done") == 0;
        read_outcome(st, r, strcmp(status, "failed") == 0);
    }
    if (!rc) rc = step_end(db, s, err);
    sqlite3_finalize(st);
    if (!rc && t->nrows != cap)
        rc = damaged(db, err, "%zu of its %zu runs recorded (%zu points x %d seeds)", t->nrows, cap, t->npoints,
                     t->seeds);
    return rc;
}

int ccs_sweep_db_read(ccs_sweep_db *db, ccs_sweep_table *t, ccs_err *err)
{
    memset(t, 0, sizeof *t);
    /* one read transaction: the four tables as of one instant, even beside a running sweep */
    int rc = exec(db, "BEGIN", err);
    if (rc) return rc;
    rc = read_sweep_row(db, t, err);
    if (!rc) rc = read_facts(db, t, err);
    if (!rc) rc = read_parameters(db, t, err);
    if (!rc) rc = read_points(db, t, err);
    if (!rc) rc = read_runs(db, t, err);
    sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

void ccs_sweep_table_free(ccs_sweep_table *t)
{
    free(t->scenario);
    free(t->scenario_path);
    free(t->currency);
    free(t->version);
    free(t->scenario_hash);
    free(t->created_utc);
    free(t->finished_utc);
    for (size_t i = 0; t->facts && i < t->nfacts; i++)
        free(t->facts[i].kind), free(t->facts[i].name), free(t->facts[i].value);
    free(t->facts);
    for (size_t i = 0; t->paths && i < t->nparams; i++) free(t->paths[i]);
    for (size_t i = 0; t->values && i < t->npoints * t->nparams; i++) free(t->values[i]);
    free(t->paths);
    free(t->values);
    free(t->rows);
    memset(t, 0, sizeof *t);
}
