/* What every ccsim database (the run registry runs.sqlite, a sweep's runs.sqlite) does the same
 * way with SQLite: how a file is opened, and how SQLite's errors become ccsim's messages. */
#ifndef CCS_OUT_SQLITE_H
#define CCS_OUT_SQLITE_H

#include "ccs_err.h"

#include <sqlite3.h>

/* Opens path read-write (and creates it when create is set), with a 10 s busy timeout: two
 * processes sharing one file wait for each other instead of failing. Returns SQLite's code; *db
 * is set even on failure (NULL only when out of memory) and is for the caller to close. */
int ccs_sqlite_open(const char *path, int create, sqlite3 **db);

/* SQLite's last error on db as a ccsim error at path: "WHAT: message", with the system's reason
 * when there is one (SQLite's "disk I/O error" does not say a disk is full). With advice, a
 * damaged file gets "the WHAT is damaged (message): ADVICE" instead. Returns CCS_EIO. */
int ccs_sqlite_err(sqlite3 *db, const char *path, const char *what, const char *advice, ccs_err *err);

#endif
