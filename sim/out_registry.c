/* SQLite run registry; see out_registry.h. */
#include "out_registry.h"

#include "ccs_config.h"
#include "ccs_time.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ccs_registry {
    sqlite3 *db;
    char *path;
};

static const char *schema_sql =
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY,"
    " scenario TEXT NOT NULL, scenario_path TEXT NOT NULL, scenario_hash TEXT NOT NULL,"
    " seed INTEGER NOT NULL, policy TEXT NOT NULL, version TEXT NOT NULL,"
    " started_utc TEXT NOT NULL, finished_utc TEXT,"
    " status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')), message TEXT,"
    " out_dir TEXT NOT NULL, currency TEXT NOT NULL,"
    " energy_kwh REAL, carbon_kg REAL, cost REAL,"
    " baseline_energy_kwh REAL, baseline_carbon_kg REAL, baseline_cost REAL,"
    " delta_carbon_pct REAL, delta_cost_pct REAL);";

static int db_err(ccs_registry *g, ccs_err *err)
{
    return ccs_err_at(err, CCS_EIO, g->path, 0, 0, "run registry: %s", sqlite3_errmsg(g->db));
}

int ccs_registry_open(const char *path, ccs_registry **out, ccs_err *err)
{
    *out = NULL;
    ccs_registry *g = calloc(1, sizeof *g);
    if (!g) return ccs_err_set(err, CCS_ERUN, "out of memory");
    g->path = strdup(path);
    int rc = sqlite3_open(path, &g->db) != SQLITE_OK;
    if (!rc) sqlite3_busy_timeout(g->db, 10000);
    if (!rc) rc = sqlite3_exec(g->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK;
    if (rc) {
        rc = db_err(g, err);
        ccs_registry_close(g);
        return rc;
    }
    *out = g;
    return 0;
}

void ccs_registry_close(ccs_registry *g)
{
    if (!g) return;
    sqlite3_close(g->db);
    free(g->path);
    free(g);
}

static void now_iso(char *buf, int size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ccs_time_format((int64_t)ts.tv_sec * 1000000, buf, size);
}

int ccs_registry_begin(ccs_registry *g, const ccs_scenario *s, const char *out_dir, int64_t *run_id,
                       ccs_err *err)
{
    sqlite3_stmt *st;
    const char *sql = "INSERT INTO runs (scenario, scenario_path, scenario_hash, seed, policy, "
                      "version, started_utc, status, out_dir, currency) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)";
    if (sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) != SQLITE_OK) return db_err(g, err);
    char hash[17], started[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)s->hash);
    now_iso(started, sizeof started);
    sqlite3_bind_text(st, 1, s->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)s->seed);
    sqlite3_bind_text(st, 5, s->policy.name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, CCS_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, started, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, out_dir, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, s->currency, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) != SQLITE_DONE;
    sqlite3_finalize(st);
    if (rc) return db_err(g, err);
    *run_id = sqlite3_last_insert_rowid(g->db);
    return 0;
}

int ccs_registry_end(ccs_registry *g, int64_t run_id, const ccs_run_result *r, const char *message,
                     ccs_err *err)
{
    sqlite3_stmt *st;
    const char *sql = "UPDATE runs SET finished_utc = ?, status = ?, message = ?, energy_kwh = ?, "
                      "carbon_kg = ?, cost = ?, baseline_energy_kwh = ?, baseline_carbon_kg = ?, "
                      "baseline_cost = ?, delta_carbon_pct = ?, delta_cost_pct = ? WHERE id = ?";
    if (sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) != SQLITE_OK) return db_err(g, err);
    char finished[32];
    now_iso(finished, sizeof finished);
    sqlite3_bind_text(st, 1, finished, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r ? "ok" : "failed", -1, SQLITE_STATIC);
    if (message) sqlite3_bind_text(st, 3, message, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 3);
    if (r) {
        double v[8] = {r->totals.energy_kwh, r->totals.carbon_kg, r->totals.cost,
                       r->baseline.energy_kwh, r->baseline.carbon_kg, r->baseline.cost,
                       r->delta_carbon_pct, r->delta_cost_pct};
        for (int i = 0; i < 8; i++) sqlite3_bind_double(st, 4 + i, v[i]);
    } else {
        for (int i = 0; i < 8; i++) sqlite3_bind_null(st, 4 + i);
    }
    sqlite3_bind_int64(st, 12, run_id);
    int rc = sqlite3_step(st) != SQLITE_DONE;
    sqlite3_finalize(st);
    return rc ? db_err(g, err) : 0;
}
