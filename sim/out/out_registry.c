/* SQLite run registry; see out_registry.h. Never deletes a row; the only row it changes that is
 * not its own is a 'running' one whose process has ended. */
#define _GNU_SOURCE /* F_OFD_SETLK, F_OFD_GETLK */
#include "out_registry.h"

#include "out_sqlite.h"

#include "ccs_config.h"
#include "ccs_time.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef F_OFD_SETLK
/* Open file description locks: owned by this descriptor, not the process, so no other close() in
 * the process can drop them, and they conflict between descriptors of one process too. */
#define LOCK_SET F_OFD_SETLK
#define LOCK_GET F_OFD_GETLK
#else
#define LOCK_SET F_SETLK
#define LOCK_GET F_GETLK
#endif

struct ccs_registry {
    sqlite3 *db;
    char *path;
    int lock_fd;
};

/* Columns of the first version, in their order; this version appends pid and host. */
#define V1_COLUMNS                                                                                           \
    "id, scenario, scenario_path, scenario_hash, seed, policy, version, started_utc, finished_utc, status, " \
    "message, out_dir, currency, energy_kwh, carbon_kg, cost, baseline_energy_kwh, baseline_carbon_kg, "     \
    "baseline_cost, delta_carbon_pct, delta_cost_pct"

/* AUTOINCREMENT: an id is never reused, so a lock byte never names two runs. */
static const char *table_sql =
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " scenario TEXT NOT NULL, scenario_path TEXT NOT NULL, scenario_hash TEXT NOT NULL,"
    " seed INTEGER NOT NULL, policy TEXT NOT NULL, version TEXT NOT NULL,"
    " started_utc TEXT NOT NULL, finished_utc TEXT,"
    " status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')), message TEXT,"
    " out_dir TEXT NOT NULL, currency TEXT NOT NULL,"
    " energy_kwh REAL, carbon_kg REAL, cost REAL,"
    " baseline_energy_kwh REAL, baseline_carbon_kg REAL, baseline_cost REAL,"
    " delta_carbon_pct REAL, delta_cost_pct REAL,"
    " pid INTEGER, host TEXT);";

static int db_err(ccs_registry *g, ccs_err *err) { return ccs_sqlite_err(g->db, g->path, "run registry", NULL, err); }

static int exec(ccs_registry *g, const char *sql, ccs_err *err)
{
    return sqlite3_exec(g->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_err(g, err);
}

/* A registry of the first version (no 'interrupted' status, no pid) is rebuilt with this
 * version's table, its rows kept: SQLite cannot change a CHECK constraint in place. In one
 * transaction, so two processes opening at once migrate it once. */
static int migrate(ccs_registry *g, ccs_err *err)
{
    int rc = exec(g, "BEGIN IMMEDIATE", err);
    if (rc) return rc;
    rc = exec(g, table_sql, err);
    sqlite3_stmt *st = NULL;
    if (!rc && sqlite3_prepare_v2(g->db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'", -1,
                                  &st, NULL) != SQLITE_OK)
        rc = db_err(g, err);
    int old = 0;
    if (!rc) {
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            old = !strstr((const char *)sqlite3_column_text(st, 0), "'interrupted'");
        else
            rc = db_err(g, err);
    }
    sqlite3_finalize(st);
    if (!rc && old) rc = exec(g, "ALTER TABLE runs RENAME TO runs_v1;", err);
    if (!rc && old) rc = exec(g, table_sql, err);
    if (!rc && old)
        rc = exec(g, "INSERT INTO runs (" V1_COLUMNS ") SELECT " V1_COLUMNS " FROM runs_v1; DROP TABLE runs_v1;", err);
    if (!rc) rc = exec(g, "COMMIT", err);
    if (rc) sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int lock_run(int fd, int64_t id, short type)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = (off_t)id, .l_len = 1};
    return fcntl(fd, LOCK_SET, &fl);
}

/* Whether another descriptor holds run id's byte; when the system cannot say, held: a live run
 * must never be marked. */
static int run_alive(int fd, int64_t id)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)id, .l_len = 1};
    return fcntl(fd, LOCK_GET, &fl) != 0 || fl.l_type != F_UNLCK;
}

/* The rows of runs that ended without an outcome become 'interrupted'. The update is conditioned
 * on 'running': a run that ends normally records its outcome before it lets its lock go, so a row
 * read as running here and finished since is left as its run wrote it. */
static int mark_interrupted(ccs_registry *g, ccs_err *err)
{
    sqlite3_stmt *sel, *upd;
    if (sqlite3_prepare_v2(g->db, "SELECT id, pid, host FROM runs WHERE status = 'running'", -1, &sel, NULL) !=
        SQLITE_OK)
        return db_err(g, err);
    if (sqlite3_prepare_v2(g->db,
                           "UPDATE runs SET status = 'interrupted', message = ? WHERE id = ? AND status = 'running'",
                           -1, &upd, NULL) != SQLITE_OK) {
        sqlite3_finalize(sel);
        return db_err(g, err);
    }
    /* the ids first: no write while the SELECT is open */
    int64_t ids[64];
    char msgs[64][200];
    int n = 0, s;
    while (n < 64 && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(sel, 0);
        if (run_alive(g->lock_fd, id)) continue;
        const unsigned char *host = sqlite3_column_text(sel, 2);
        if (sqlite3_column_type(sel, 1) == SQLITE_NULL)
            snprintf(msgs[n], sizeof msgs[n],
                     "interrupted: the run ended without recording an outcome (killed, or "
                     "the machine stopped)");
        else
            snprintf(msgs[n], sizeof msgs[n],
                     "interrupted: process %lld on %s ended without recording an outcome "
                     "(killed, or the machine stopped)",
                     (long long)sqlite3_column_int64(sel, 1), host ? (const char *)host : "?");
        ids[n++] = id;
    }
    int rc = n == 64 || s == SQLITE_DONE ? 0 : db_err(g, err);
    sqlite3_finalize(sel);
    for (int i = 0; !rc && i < n; i++) {
        sqlite3_bind_text(upd, 1, msgs[i], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(upd, 2, ids[i]);
        if (sqlite3_step(upd) != SQLITE_DONE) rc = db_err(g, err);
        sqlite3_reset(upd);
    }
    sqlite3_finalize(upd);
    return rc; /* more than 64 at once: the rest on the next open */
}

static int open_lock_file(ccs_registry *g, ccs_err *err)
{
    char lock[4400];
    const char *slash = strrchr(g->path, '/');
    snprintf(lock, sizeof lock, "%.*s.%s.lock", slash ? (int)(slash - g->path + 1) : 0, g->path,
             slash ? slash + 1 : g->path);
    g->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (g->lock_fd < 0)
        return ccs_err_at(err, CCS_EIO, lock, 0, 0, "cannot create the registry's lock file: %s", strerror(errno));
    return 0;
}

int ccs_registry_open(const char *path, ccs_registry **out, ccs_err *err)
{
    *out = NULL;
    ccs_registry *g = calloc(1, sizeof *g);
    if (!g || !(g->path = strdup(path))) {
        free(g);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    g->lock_fd = -1;
    int rc = 0;
    if (ccs_sqlite_open(path, 1, &g->db) != SQLITE_OK)
        rc = g->db ? db_err(g, err) : ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc) rc = migrate(g, err);
    if (!rc) rc = open_lock_file(g, err);
    if (!rc) rc = mark_interrupted(g, err);
    if (rc) {
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
    if (g->lock_fd >= 0) close(g->lock_fd); /* drops every lock this handle held */
    free(g->path);
    free(g);
}

static void now_iso(char *buf, int size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ccs_time_format((int64_t)ts.tv_sec * 1000000, buf, size);
}

static int insert_running(ccs_registry *g, const ccs_scenario *s, const char *out_dir, ccs_err *err)
{
    sqlite3_stmt *st;
    const char *sql = "INSERT INTO runs (scenario, scenario_path, scenario_hash, seed, policy, "
                      "version, started_utc, status, out_dir, currency, pid, host) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)";
    if (sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) != SQLITE_OK) return db_err(g, err);
    char hash[17], started[32], host[256] = "";
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)s->hash);
    now_iso(started, sizeof started);
    gethostname(host, sizeof host - 1);
    sqlite3_bind_text(st, 1, s->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)s->seed);
    sqlite3_bind_text(st, 5, s->policy.name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, CCS_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, started, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, out_dir, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, s->currency, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)getpid());
    sqlite3_bind_text(st, 11, host, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(g, err);
    sqlite3_finalize(st);
    return rc;
}

int ccs_registry_begin(ccs_registry *g, const ccs_scenario *s, const char *out_dir, int64_t *run_id, ccs_err *err)
{
    /* The row and its lock appear together: another process sees the row only once committed,
     * and by then the lock is held. */
    int rc = exec(g, "BEGIN IMMEDIATE", err);
    if (rc) return rc;
    rc = insert_running(g, s, out_dir, err);
    int64_t id = rc ? 0 : sqlite3_last_insert_rowid(g->db);
    /* A file system without locks fails this and every test for a lock alike (run_alive then says
     * alive): the row is then never marked, the run itself goes on. */
    int locked = !rc && lock_run(g->lock_fd, id, F_WRLCK) == 0;
    if (!rc) rc = exec(g, "COMMIT", err);
    if (rc) {
        sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
        if (locked) lock_run(g->lock_fd, id, F_UNLCK);
        return rc;
    }
    *run_id = id;
    return 0;
}

int ccs_registry_end(ccs_registry *g, int64_t run_id, const ccs_run_result *r, const char *message, ccs_err *err)
{
    sqlite3_stmt *st;
    const char *sql = "UPDATE runs SET finished_utc = ?, status = ?, message = ?, energy_kwh = ?, "
                      "carbon_kg = ?, cost = ?, baseline_energy_kwh = ?, baseline_carbon_kg = ?, "
                      "baseline_cost = ?, delta_carbon_pct = ?, delta_cost_pct = ? WHERE id = ?";
    int rc = sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) == SQLITE_OK ? 0 : db_err(g, err);
    if (!rc) {
        char finished[32];
        now_iso(finished, sizeof finished);
        sqlite3_bind_text(st, 1, finished, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, r ? "ok" : "failed", -1, SQLITE_STATIC);
        if (message)
            sqlite3_bind_text(st, 3, message, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 3);
        if (r) {
            double v[8] = {r->totals.energy_kwh,  r->totals.carbon_kg, r->totals.cost,      r->baseline.energy_kwh,
                           r->baseline.carbon_kg, r->baseline.cost,    r->delta_carbon_pct, r->delta_cost_pct};
            for (int i = 0; i < 8; i++) sqlite3_bind_double(st, 4 + i, v[i]);
        } else {
            for (int i = 0; i < 8; i++) sqlite3_bind_null(st, 4 + i);
        }
        sqlite3_bind_int64(st, 12, run_id);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(g, err);
        sqlite3_finalize(st);
    }
    /* only after the outcome is recorded (or could not be: then the next open says interrupted) */
    lock_run(g->lock_fd, run_id, F_UNLCK);
    return rc;
}
