/* See out_sqlite.h. */
#include "out_sqlite.h"

#include <errno.h>
#include <string.h>

int ccs_sqlite_open(const char *path, int create, sqlite3 **db)
{
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL);
    if (rc == SQLITE_OK) sqlite3_busy_timeout(*db, 10000);
    return rc;
}

int ccs_sqlite_err(sqlite3 *db, const char *path, const char *what, const char *advice, ccs_err *err)
{
    int code = sqlite3_errcode(db) & 0xff, sys = sqlite3_system_errno(db);
    /* SQLite's unix VFS returns SQLITE_FULL for ENOSPC only, and clears the errno it kept */
    if (code == SQLITE_FULL && !sys) sys = ENOSPC;
    if (advice && (code == SQLITE_CORRUPT || code == SQLITE_NOTADB))
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "the %s is damaged (%s): %s", what, sqlite3_errmsg(db), advice);
    if (sys && (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN))
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "%s: %s (%s)", what, sqlite3_errmsg(db), strerror(sys));
    return ccs_err_at(err, CCS_EIO, path, 0, 0, "%s: %s", what, sqlite3_errmsg(db));
}
