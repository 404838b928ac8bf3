/* SQLite sweep state; see sweep_db.h. */
#include "sweep_db.h"

#include "ccs_config.h"
#include "ccs_time.h"

#include <inttypes.h>
#include <sqlite3.h>
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
    " policy TEXT, price_tolerance REAL, events INTEGER,"
    " energy_kwh REAL, carbon_kg REAL, cost REAL,"
    " baseline_energy_kwh REAL, baseline_carbon_kg REAL, baseline_cost REAL,"
    " p95_ms REAL, baseline_p95_ms REAL, freshness_h REAL, baseline_freshness_h REAL,"
    " misses INTEGER, baseline_misses INTEGER, overrides INTEGER, slo_met INTEGER, slo_total INTEGER);"
    "CREATE TRIGGER IF NOT EXISTS sweep_runs_done_is_final BEFORE UPDATE ON sweep_runs"
    " WHEN OLD.status = 'done'"
    " BEGIN SELECT RAISE(ABORT, 'a finished run is never rewritten'); END;";

static int db_err(ccs_sweep_db *db, ccs_err *err)
{
    return ccs_err_at(err, CCS_EIO, db->path, 0, 0, "sweep registry: %s", sqlite3_errmsg(db->db));
}

int ccs_sweep_db_open(const char *path, int create, ccs_sweep_db **out, ccs_err *err)
{
    *out = NULL;
    ccs_sweep_db *db = calloc(1, sizeof *db);
    if (!db) return ccs_err_set(err, CCS_ERUN, "out of memory");
    db->path = strdup(path);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &db->db, flags, NULL) != SQLITE_OK;
    if (rc && !create) {
        rc = ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot open the sweep registry: %s",
                        db->db ? sqlite3_errmsg(db->db) : "no memory");
        ccs_sweep_db_close(db);
        return rc;
    }
    if (!rc) sqlite3_busy_timeout(db->db, 10000);
    /* WAL: a commit survives the process being killed at any instant; NORMAL sync is enough for
     * that (only a power cut can lose the last commits, and those runs are then just redone). */
    if (!rc) rc = sqlite3_exec(db->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK;
    if (!rc) rc = sqlite3_exec(db->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK;
    if (rc) {
        rc = db_err(db, err);
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

static int check_same(ccs_sweep_db *db, const ccs_sweep_info *info, const ccs_sweep_spec *sp, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT scenario_path, scenario_hash, sweep_hash, seeds FROM sweep",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    char hash[17], shash[17];
    snprintf(hash, sizeof hash, "%016" PRIx64, info->scenario_hash);
    snprintf(shash, sizeof shash, "%016" PRIx64, ccs_sweep_hash(sp));
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(st, 0);
        if (strcmp((const char *)sqlite3_column_text(st, 1), hash) != 0)
            rc = ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                            "this folder holds a sweep of %s as it was then; the scenario file has changed "
                            "since: expected the same file to resume, or another --out for a new sweep", path);
        else if (sqlite3_column_int(st, 3) != ccs_sweep_seeds(sp))
            rc = ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                            "this folder holds a sweep with %d seeds per point, not %d: expected the same "
                            "--seeds to resume, or another --out", sqlite3_column_int(st, 3), ccs_sweep_seeds(sp));
        else if (strcmp((const char *)sqlite3_column_text(st, 2), shash) != 0)
            rc = ccs_err_at(err, CCS_EINPUT, db->path, 0, 0,
                            "this folder holds another sweep section: expected the same to resume, or another --out");
    }
    sqlite3_finalize(st);
    return rc;
}

int ccs_sweep_db_prepare(ccs_sweep_db *db, const ccs_sweep_info *info, const ccs_sweep_spec *sp,
                         const ccs_sweep_plan *plan, ccs_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT count(*) FROM sweep", -1, &st, NULL) != SQLITE_OK) return db_err(db, err);
    int exists = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (exists) return check_same(db, info, sp, err);

    int rc = exec(db, "BEGIN IMMEDIATE", err);
    if (rc) return rc;
    size_t npoints = ccs_sweep_npoints(sp), nparams = ccs_sweep_nparams(sp);
    int seeds = ccs_sweep_seeds(sp);
    char hash[17], shash[17], created[32];
    snprintf(hash, sizeof hash, "%016" PRIx64, info->scenario_hash);
    snprintf(shash, sizeof shash, "%016" PRIx64, ccs_sweep_hash(sp));
    now_iso(created, sizeof created);
    rc = sqlite3_prepare_v2(db->db,
                            "INSERT INTO sweep (id, scenario, scenario_path, scenario_hash, sweep_hash, currency,"
                            " base_seed, points, seeds, runs, version, created_utc)"
                            " VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK;
    if (!rc) {
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
        rc = sqlite3_step(st) != SQLITE_DONE;
        sqlite3_finalize(st);
    }
    if (!rc) rc = sqlite3_prepare_v2(db->db, "INSERT INTO sweep_parameters VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK;
    for (size_t i = 0; !rc && i < nparams; i++) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
        sqlite3_bind_text(st, 2, ccs_sweep_param_path(sp, i), -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) != SQLITE_DONE;
        sqlite3_reset(st);
    }
    if (!rc) sqlite3_finalize(st);
    if (!rc) rc = sqlite3_prepare_v2(db->db, "INSERT INTO sweep_points VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK;
    for (size_t p = 0; !rc && p < npoints; p++)
        for (size_t i = 0; !rc && i < nparams; i++) {
            sqlite3_bind_int64(st, 1, (sqlite3_int64)p);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
            sqlite3_bind_text(st, 3, ccs_sweep_value(sp, p, i), -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(st) != SQLITE_DONE;
            sqlite3_reset(st);
        }
    if (!rc) sqlite3_finalize(st);
    if (!rc)
        rc = sqlite3_prepare_v2(db->db, "INSERT INTO sweep_runs (run, point, seed_index, seed, name, status)"
                                " VALUES (?, ?, ?, ?, ?, 'pending')", -1, &st, NULL) != SQLITE_OK;
    for (size_t p = 0; !rc && p < npoints; p++)
        for (int k = 0; !rc && k < seeds; k++) {
            int64_t run = (int64_t)p * seeds + k;
            char name[64];
            ccs_sweep_run_name(plan, run, name, sizeof name);
            sqlite3_bind_int64(st, 1, run);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)p);
            sqlite3_bind_int(st, 3, k);
            sqlite3_bind_int64(st, 4, (sqlite3_int64)(info->base_seed + (uint64_t)k));
            sqlite3_bind_text(st, 5, name, -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(st) != SQLITE_DONE;
            sqlite3_reset(st);
        }
    if (!rc) sqlite3_finalize(st);
    if (rc) {
        rc = db_err(db, err);
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return exec(db, "COMMIT", err);
}

int ccs_sweep_db_pending(ccs_sweep_db *db, int64_t **runs, size_t *n, ccs_err *err)
{
    *runs = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT run FROM sweep_runs WHERE status != 'done' ORDER BY run", -1, &st,
                           NULL) != SQLITE_OK)
        return db_err(db, err);
    size_t cap = 0;
    int rc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            int64_t *r = realloc(*runs, cap * sizeof *r);
            if (!r) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            else *runs = r;
        }
        if (!rc) (*runs)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc;
}

int ccs_sweep_db_record(ccs_sweep_db *db, const ccs_sweep_outcome *o, ccs_err *err)
{
    if (!db->record &&
        sqlite3_prepare_v2(db->db,
                           "UPDATE sweep_runs SET status = ?, attempts = attempts + 1, message = ?, finished_utc = ?,"
                           " wall_s = ?, worker = ?, policy = ?, price_tolerance = ?, events = ?,"
                           " energy_kwh = ?, carbon_kg = ?, cost = ?, baseline_energy_kwh = ?,"
                           " baseline_carbon_kg = ?, baseline_cost = ?, p95_ms = ?, baseline_p95_ms = ?,"
                           " freshness_h = ?, baseline_freshness_h = ?, misses = ?, baseline_misses = ?,"
                           " overrides = ?, slo_met = ?, slo_total = ? WHERE run = ?",
                           -1, &db->record, NULL) != SQLITE_OK)
        return db_err(db, err);
    sqlite3_stmt *st = db->record;
    char finished[32];
    now_iso(finished, sizeof finished);
    int ok = o->status == 0;
    sqlite3_bind_text(st, 1, ok ? "done" : "failed", -1, SQLITE_STATIC);
    if (ok) sqlite3_bind_null(st, 2);
    else sqlite3_bind_text(st, 2, o->message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, finished, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 4, o->wall_s);
    sqlite3_bind_text(st, 5, o->worker, -1, SQLITE_TRANSIENT);
    if (ok) {
        sqlite3_bind_text(st, 6, o->policy, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 7, o->price_tolerance);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)o->events);
        double v[10] = {o->energy_kwh, o->carbon_kg, o->cost, o->base_energy_kwh, o->base_carbon_kg,
                        o->base_cost, o->p95_ms, o->base_p95_ms, o->freshness_h, o->base_freshness_h};
        for (int i = 0; i < 10; i++) sqlite3_bind_double(st, 9 + i, v[i]);
        sqlite3_bind_int64(st, 19, (sqlite3_int64)o->misses);
        sqlite3_bind_int64(st, 20, (sqlite3_int64)o->baseline_misses);
        sqlite3_bind_int64(st, 21, (sqlite3_int64)o->overrides);
        sqlite3_bind_int(st, 22, o->slo_met);
        sqlite3_bind_int(st, 23, o->slo_total);
    } else {
        for (int i = 6; i <= 23; i++) sqlite3_bind_null(st, i);
    }
    sqlite3_bind_int64(st, 24, o->run);
    int rc = sqlite3_step(st) != SQLITE_DONE;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc ? db_err(db, err) : 0;
}

int ccs_sweep_db_finish(ccs_sweep_db *db, ccs_err *err)
{
    char finished[32], sql[128];
    now_iso(finished, sizeof finished);
    snprintf(sql, sizeof sql, "UPDATE sweep SET finished_utc = '%s' WHERE finished_utc IS NULL", finished);
    return exec(db, sql, err);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

int ccs_sweep_db_read(ccs_sweep_db *db, ccs_sweep_table *t, ccs_err *err)
{
    memset(t, 0, sizeof *t);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT scenario, scenario_path, currency, seeds, points FROM sweep", -1, &st,
                           NULL) != SQLITE_OK)
        return db_err(db, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return ccs_err_at(err, CCS_EINPUT, db->path, 0, 0, "no sweep recorded here: expected a folder written by ccsim sweep");
    }
    t->scenario = col_dup(st, 0);
    t->scenario_path = col_dup(st, 1);
    t->currency = col_dup(st, 2);
    t->seeds = sqlite3_column_int(st, 3);
    t->npoints = (size_t)sqlite3_column_int64(st, 4);
    sqlite3_finalize(st);
    int rc = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT path FROM sweep_parameters ORDER BY param", -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char **p = realloc(t->paths, (t->nparams + 1) * sizeof *p);
        if (!p) break;
        t->paths = p;
        t->paths[t->nparams++] = col_dup(st, 0);
    }
    sqlite3_finalize(st);
    t->values = calloc(t->npoints * t->nparams + 1, sizeof *t->values);
    t->rows = calloc(t->npoints * (size_t)t->seeds + 1, sizeof *t->rows);
    if (!t->values || !t->rows) return ccs_err_set(err, CCS_ERUN, "out of memory");
    if (sqlite3_prepare_v2(db->db, "SELECT point, param, value FROM sweep_points", -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t p = (size_t)sqlite3_column_int64(st, 0), i = (size_t)sqlite3_column_int64(st, 1);
        if (p < t->npoints && i < t->nparams) t->values[p * t->nparams + i] = col_dup(st, 2);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db->db,
                           "SELECT run, point, seed_index, seed, name, status, message, wall_s, worker, policy,"
                           " price_tolerance, events, energy_kwh, carbon_kg, cost, baseline_energy_kwh,"
                           " baseline_carbon_kg, baseline_cost, p95_ms, baseline_p95_ms, freshness_h,"
                           " baseline_freshness_h, misses, baseline_misses, overrides, slo_met, slo_total"
                           " FROM sweep_runs ORDER BY run",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err);
    size_t cap = t->npoints * (size_t)t->seeds;
    while (!rc && sqlite3_step(st) == SQLITE_ROW && t->nrows < cap) {
        ccs_sweep_row *r = &t->rows[t->nrows++];
        r->run = sqlite3_column_int64(st, 0);
        r->point = sqlite3_column_int64(st, 1);
        r->seed_index = sqlite3_column_int(st, 2);
        r->seed = (uint64_t)sqlite3_column_int64(st, 3);
        snprintf(r->name, sizeof r->name, "%s", (const char *)sqlite3_column_text(st, 4));
        const char *status = (const char *)sqlite3_column_text(st, 5);
        r->done = strcmp(status, "done") == 0;
        ccs_sweep_outcome *o = &r->o;
        o->run = r->run;
        o->status = r->done ? 0 : strcmp(status, "failed") == 0 ? CCS_ERUN : -1;
        const unsigned char *m = sqlite3_column_text(st, 6);
        snprintf(o->message, sizeof o->message, "%s", m ? (const char *)m : "");
        o->wall_s = sqlite3_column_double(st, 7);
        m = sqlite3_column_text(st, 8);
        snprintf(o->worker, sizeof o->worker, "%s", m ? (const char *)m : "");
        m = sqlite3_column_text(st, 9);
        snprintf(o->policy, sizeof o->policy, "%s", m ? (const char *)m : "");
        o->price_tolerance = sqlite3_column_double(st, 10);
        o->events = (uint64_t)sqlite3_column_int64(st, 11);
        double *v[10] = {&o->energy_kwh, &o->carbon_kg, &o->cost, &o->base_energy_kwh, &o->base_carbon_kg,
                         &o->base_cost, &o->p95_ms, &o->base_p95_ms, &o->freshness_h, &o->base_freshness_h};
        for (int i = 0; i < 10; i++) *v[i] = sqlite3_column_double(st, 12 + i);
        o->misses = (uint64_t)sqlite3_column_int64(st, 22);
        o->baseline_misses = (uint64_t)sqlite3_column_int64(st, 23);
        o->overrides = (uint64_t)sqlite3_column_int64(st, 24);
        o->slo_met = sqlite3_column_int(st, 25);
        o->slo_total = sqlite3_column_int(st, 26);
    }
    sqlite3_finalize(st);
    return rc;
}

void ccs_sweep_table_free(ccs_sweep_table *t)
{
    free(t->scenario);
    free(t->scenario_path);
    free(t->currency);
    for (size_t i = 0; t->paths && i < t->nparams; i++) free(t->paths[i]);
    for (size_t i = 0; t->values && i < t->npoints * t->nparams; i++) free(t->values[i]);
    free(t->paths);
    free(t->values);
    free(t->rows);
    memset(t, 0, sizeof *t);
}
