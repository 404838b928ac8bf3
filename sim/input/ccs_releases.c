/* Release-stamp files; see ccs_releases.h. */
#include "ccs_releases.h"

#include "ccs_csv.h"
#include "ccs_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ccs_releases_free(ccs_releases *r)
{
    free(r->release_us);
    free(r->work_us);
    memset(r, 0, sizeof *r);
}

static int column(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0) return i;
    return -1;
}

static int push(ccs_releases *r, size_t *cap, int64_t t, int64_t w, int with_work)
{
    if (r->n == *cap) {
        size_t c = *cap ? 2 * *cap : 1024;
        int64_t *a = realloc(r->release_us, c * sizeof *a);
        if (!a) return -1;
        r->release_us = a;
        if (with_work) {
            int64_t *b = realloc(r->work_us, c * sizeof *b);
            if (!b) return -1;
            r->work_us = b;
        }
        *cap = c;
    }
    r->release_us[r->n] = t;
    if (with_work) r->work_us[r->n] = w;
    r->n++;
    return 0;
}

int ccs_releases_load(const char *path, ccs_releases *out, ccs_err *err)
{
    memset(out, 0, sizeof *out);
    ccs_csv *csv;
    int rc = ccs_csv_open(path, ',', &csv, err);
    if (rc) return rc;
    char **f;
    int nf, tcol = -1, wcol = -1, nheader = 0;
    rc = ccs_csv_next(csv, &f, &nf, err);
    if (rc == 0)
        rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0, "empty file: expected a header 'timestamp[,duration_h]' and rows");
    else if (rc == 1) {
        rc = 0;
        tcol = column(f, nf, "timestamp");
        wcol = column(f, nf, "duration_h");
        nheader = nf;
        if (tcol < 0)
            rc = ccs_err_at(err, CCS_EINPUT, path, ccs_csv_line(csv), 0,
                            "no timestamp column: expected a header 'timestamp' or 'timestamp,duration_h'");
    }
    size_t cap = 0;
    while (!rc && (rc = ccs_csv_next(csv, &f, &nf, err)) == 1) {
        rc = 0;
        long line = ccs_csv_line(csv);
        int64_t t, w = 0;
        if (nf != nheader) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0, "%d fields, expected %d as in the header", nf, nheader);
            break;
        }
        if (ccs_time_parse(f[tcol], &t) != 0) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0, "cannot parse timestamp '%s': expected ISO 8601 UTC",
                            f[tcol]);
            break;
        }
        if (out->n && t < out->release_us[out->n - 1]) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                            "timestamp '%s' is before the row above: expected stamps in non-decreasing order", f[tcol]);
            break;
        }
        if (wcol >= 0) {
            char *end;
            double h = strtod(f[wcol], &end);
            /* at least one microsecond: a run of no work would be a silent guess (and the job
             * model has nothing to schedule) */
            if (end == f[wcol] || *end || !isfinite(h) || h <= 0 || h > 1e6 ||
                (w = llround(h * CCS_US_PER_HOUR_F)) < 1) {
                rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                                "duration_h '%s': expected a positive number of hours, from 1 microsecond "
                                "(2.8e-10) to 1e6",
                                f[wcol]);
                break;
            }
        }
        if (push(out, &cap, t, w, wcol >= 0) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc && out->n == 0)
        rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0, "no rows: expected at least one release stamp");
    ccs_csv_close(csv);
    if (rc) ccs_releases_free(out);
    return rc;
}
