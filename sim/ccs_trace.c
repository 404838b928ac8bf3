/* Trace loading and validation; see ccs_trace.h. CSV quoting rules are libcsv's; this file only
 * knows which columns the known export formats use and what makes a series valid. */
#include "ccs_trace.h"

#include "ccs_csv.h"
#include "ccs_time.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ccs_trace {
    size_t n;
    int64_t *t_us;
    double *v;
    int64_t step_us;
    char *path, *units, *kind, *format, *column;
};

/* The CSV forms we know, matched on the header (the first whose columns are all there).
 * value_prefix matches the start of a column name; units NULL means "take them from the
 * parentheses of the matched column name" (or, for Energinet, the column's currency suffix).
 * key_col: a column naming the area or country of each row, for files that hold several; rows
 * are then kept only for the one the scenario selects. Energinet's files are ';'-separated with
 * decimal commas (the separator is sniffed from the header line). */
static const struct csv_format {
    const char *name, *time_col, *value_prefix, *units, *kind, *key_col;
    bool decimal_comma;
} csv_formats[] = {
    {"electricitymaps", "Datetime (UTC)", "Carbon Intensity gCO\xe2\x82\x82" "eq/kWh (LCA)", "gCO2e/kWh", "carbon_intensity", NULL, false},
    {"letswaitawhile", "Time", "Carbon Intensity", "gCO2e/kWh", "carbon_intensity", NULL, false},
    {"ember", "Datetime (UTC)", "Price (", NULL, "price", "ISO3 Code", false},
    {"price-usd-mwh", "Datetime (UTC)", "Price (", NULL, "price", NULL, false},
    {"energinet", "HourUTC", "SpotPriceEUR", NULL, "price", "PriceArea", true},
    {"nasa-http", "timestamp_utc", "requests", "requests", "traffic", NULL, false},
    {"generic", "timestamp", "value", "", "", NULL, false},
};

/* Rows as read, before validation. line[i] is the CSV line (or HDF5 row) for messages. */
typedef struct rows {
    size_t n, cap;
    int64_t *t_us;
    double *v;
    long *line;
    unsigned char *missing; /* value empty or NaN */
} rows;

static int rows_push(rows *r, int64_t t, double v, long line, int missing)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 4096;
        int64_t *t_us = realloc(r->t_us, cap * sizeof *t_us);
        if (t_us) r->t_us = t_us;
        double *vv = realloc(r->v, cap * sizeof *vv);
        if (vv) r->v = vv;
        long *ll = realloc(r->line, cap * sizeof *ll);
        if (ll) r->line = ll;
        unsigned char *mm = realloc(r->missing, cap);
        if (mm) r->missing = mm;
        if (!t_us || !vv || !ll || !mm) return -1;
        r->cap = cap;
    }
    r->t_us[r->n] = t;
    r->v[r->n] = v;
    r->line[r->n] = line;
    r->missing[r->n] = (unsigned char)missing;
    r->n++;
    return 0;
}

static void rows_free(rows *r)
{
    free(r->t_us);
    free(r->v);
    free(r->line);
    free(r->missing);
}

/* How a row is named in messages: "file:LINE" for CSV, "file: row N" for HDF5. */
static int row_err(ccs_err *err, const char *path, bool is_h5, long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int row_err(ccs_err *err, const char *path, bool is_h5, long line, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (is_h5) return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "row %ld: %s", line, what);
    return ccs_err_at(err, CCS_EINPUT, path, line, 0, "%s", what);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t mode_interval(const rows *r)
{
    /* Most common interval; ties go to the smaller. Intervals are few distinct values, so a
     * sort of a copy is plenty. */
    if (r->n < 2) return -1;
    size_t m = r->n - 1;
    int64_t *d = malloc(m * sizeof *d);
    if (!d) return -1;
    for (size_t i = 0; i < m; i++) d[i] = r->t_us[i + 1] - r->t_us[i];
    qsort(d, m, sizeof *d, cmp_i64);
    int64_t best = d[0];
    size_t best_run = 0, run = 0;
    for (size_t i = 0; i < m; i++) {
        run = (i > 0 && d[i] == d[i - 1]) ? run + 1 : 1;
        if (run > best_run) {
            best_run = run;
            best = d[i];
        }
    }
    free(d);
    return best;
}


/* Checks order, duplicates, values and gaps; applies the fill rule; builds the trace. */
static int finish(rows *r, const char *path, bool is_h5, const ccs_trace_opts *opts,
                  ccs_trace *t, ccs_err *err)
{
    if (r->n < 2)
        return ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                          "%zu data row%s: a trace needs at least two rows to have a time step",
                          r->n, r->n == 1 ? "" : "s");
    /* Exports that list the newest row first (Energinet's do) are read in reverse: only when the
     * whole file is strictly decreasing, so that a file merely out of order is still an error. */
    bool decreasing = true;
    for (size_t i = 1; i < r->n && decreasing; i++) decreasing = r->t_us[i] < r->t_us[i - 1];
    for (size_t i = 0, j = r->n - 1; decreasing && i < j; i++, j--) {
        int64_t tt = r->t_us[i];
        r->t_us[i] = r->t_us[j];
        r->t_us[j] = tt;
        double vv = r->v[i];
        r->v[i] = r->v[j];
        r->v[j] = vv;
        long ll = r->line[i];
        r->line[i] = r->line[j];
        r->line[j] = ll;
        unsigned char mm = r->missing[i];
        r->missing[i] = r->missing[j];
        r->missing[j] = mm;
    }
    for (size_t i = 1; i < r->n; i++) {
        if (r->t_us[i] == r->t_us[i - 1]) {
            char ts[32];
            ccs_time_format(r->t_us[i], ts, sizeof ts);
            return row_err(err, path, is_h5, r->line[i],
                           "duplicate timestamp %s (also at %s %ld): each instant must appear once",
                           ts, is_h5 ? "row" : "line", r->line[i - 1]);
        }
        if (r->t_us[i] < r->t_us[i - 1]) {
            char a[32], b[32];
            ccs_time_format(r->t_us[i], a, sizeof a);
            ccs_time_format(r->t_us[i - 1], b, sizeof b);
            return row_err(err, path, is_h5, r->line[i],
                           "timestamp %s is earlier than the previous row's %s: rows must be in "
                           "increasing time order",
                           a, b);
        }
    }
    for (size_t i = 0; i < r->n; i++) {
        if (r->missing[i]) {
            if (opts->fill == CCS_FILL_NONE)
                return row_err(err, path, is_h5, r->line[i],
                               "missing or NaN value: expected a number (or set the trace's "
                               "fill rule to 'previous' or 'linear')");
            continue;
        }
        if (!isfinite(r->v[i]))
            return row_err(err, path, is_h5, r->line[i], "value is not finite: expected a number");
        if (r->v[i] < 0 && !opts->allow_negative && strcmp(t->kind ? t->kind : "", "price") != 0)
            return row_err(err, path, is_h5, r->line[i],
                           "negative value %g: expected a value >= 0 for %s", r->v[i],
                           t->kind && *t->kind ? t->kind : "this trace");
    }
    int64_t step = mode_interval(r);
    if (step < 0) return ccs_err_set(err, CCS_ERUN, "out of memory");
    /* Missing values: previous value, or linear between the nearest present neighbours. */
    for (size_t i = 0; i < r->n; i++) {
        if (!r->missing[i]) continue;
        size_t a = i, b = i;
        while (a > 0 && r->missing[a]) a--;
        while (b < r->n - 1 && r->missing[b]) b++;
        if (r->missing[a] && r->missing[b])
            return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "every value is missing or NaN");
        if (r->missing[a]) a = b; /* leading missing values take the first present one */
        if (r->missing[b] || opts->fill == CCS_FILL_PREVIOUS) b = a;
        double w = b == a ? 0.0
                          : (double)(r->t_us[i] - r->t_us[a]) / (double)(r->t_us[b] - r->t_us[a]);
        r->v[i] = r->v[a] + w * (r->v[b] - r->v[a]);
    }
    /* Gaps: an interval longer than the nominal step. Finer intervals are fine (GB's 2020 data
     * moves from 30 to 15 minutes in October). */
    size_t extra = 0;
    for (size_t i = 1; i < r->n; i++) {
        int64_t d = r->t_us[i] - r->t_us[i - 1];
        if (d <= step) continue;
        if (opts->fill == CCS_FILL_NONE) {
            char a[32], b[32];
            ccs_time_format(r->t_us[i - 1], a, sizeof a);
            ccs_time_format(r->t_us[i], b, sizeof b);
            return row_err(err, path, is_h5, r->line[i],
                           "gap: no value between %s and %s, expected a row every %lld s (or "
                           "set the trace's fill rule to 'previous' or 'linear')",
                           a, b, (long long)(step / CCS_US_PER_S));
        }
        extra += (size_t)((d - 1) / step);
    }
    t->n = r->n + extra;
    t->step_us = step;
    t->t_us = malloc(t->n * sizeof *t->t_us);
    t->v = malloc(t->n * sizeof *t->v);
    if (!t->t_us || !t->v) return ccs_err_set(err, CCS_ERUN, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (i > 0) {
            /* Fill a gap at the nominal step: 'previous' holds the last value, 'linear'
             * interpolates between the rows on either side. */
            for (int64_t s = r->t_us[i - 1] + step; s < r->t_us[i]; s += step) {
                double w = opts->fill == CCS_FILL_LINEAR
                               ? (double)(s - r->t_us[i - 1]) / (double)(r->t_us[i] - r->t_us[i - 1])
                               : 0.0;
                t->t_us[k] = s;
                t->v[k++] = r->v[i - 1] + w * (r->v[i] - r->v[i - 1]);
            }
        }
        t->t_us[k] = r->t_us[i];
        t->v[k++] = r->v[i];
    }
    return CCS_OK;
}

/* ---- CSV ---- */

static int detect_format(char **fields, int nf, const char *path, long line, const ccs_trace_opts *opts,
                         ccs_trace *t, int *time_col, int *value_col, const struct csv_format **which,
                         int *key_col, ccs_err *err)
{
    for (size_t f = 0; f < sizeof csv_formats / sizeof csv_formats[0]; f++) {
        const struct csv_format *fmt = &csv_formats[f];
        int tc = -1, vc = -1, kc = -1;
        for (int i = 0; i < nf; i++) {
            if (fmt->key_col && strcmp(fields[i], fmt->key_col) == 0 && kc < 0) kc = i;
            if (strcmp(fields[i], fmt->time_col) == 0 && tc < 0) tc = i;
            const char *want = opts->column ? opts->column : fmt->value_prefix;
            bool match = opts->column ? strcmp(fields[i], want) == 0
                                      : strncmp(fields[i], want, strlen(want)) == 0;
            if (match && vc < 0) vc = i;
        }
        if (tc < 0 || vc < 0 || (fmt->key_col && kc < 0)) continue;
        *time_col = tc;
        *value_col = vc;
        *which = fmt;
        *key_col = kc;
        const char *col = fields[vc];
        const char *units = fmt->units;
        char paren[64] = "";
        if (!units) {
            const char *open = strrchr(col, '('), *close = strrchr(col, ')');
            if (open && close && close > open + 1 && (size_t)(close - open) < sizeof paren) {
                memcpy(paren, open + 1, (size_t)(close - open - 1));
                paren[close - open - 1] = '\0';
            }
            units = paren;
        }
        /* Electricity Maps writes CO\u2082 (UTF-8 subscript two); our units are ASCII. */
        if (strstr(col, "(direct)") && strcmp(fmt->name, "electricitymaps") == 0) units = "gCO2e/kWh";
        /* Ember writes MWhe (electric); Energinet's currency is the column's suffix */
        if (strcmp(paren, "EUR/MWhe") == 0) units = "EUR/MWh";
        if (strcmp(fmt->name, "energinet") == 0) {
            size_t len = strlen(col);
            snprintf(paren, sizeof paren, "%s/MWh", len >= 3 ? col + len - 3 : col);
            units = paren;
        }
        t->format = strdup(fmt->name);
        t->kind = strdup(fmt->kind);
        t->units = strdup(units);
        t->column = strdup(col);
        return 0;
    }
    char header[512] = "";
    for (int i = 0; i < nf; i++) {
        if (i) strncat(header, ",", sizeof header - strlen(header) - 1);
        strncat(header, fields[i], sizeof header - strlen(header) - 1);
    }
    if (opts->column)
        return ccs_err_at(err, CCS_EINPUT, path, line, 0,
                          "no column named '%s' beside a known time column in header '%s'",
                          opts->column, header);
    return ccs_err_at(err, CCS_EINPUT, path, line, 0,
                      "unknown CSV header '%s': expected one of 'timestamp,value', 'Time,Carbon "
                      "Intensity', an Electricity Maps export ('Datetime (UTC),...,Carbon "
                      "Intensity gCO2eq/kWh (LCA),...'), 'Datetime (UTC),...,Price (CUR/MWh)', Ember's "
                      "'Country,ISO3 Code,Datetime (UTC),Datetime (Local),Price (EUR/MWhe)', Energinet's "
                      "'HourUTC;HourDK;PriceArea;SpotPriceDKK;SpotPriceEUR' or 'timestamp_utc,requests'",
                      header);
}

static bool blank_value(const char *s)
{
    return *s == '\0' || strcasecmp(s, "nan") == 0 || strcasecmp(s, "null") == 0 ||
           strcasecmp(s, "NA") == 0;
}

/* ';' if the first line has semicolons and no commas (Energinet), else ','. */
static char sniff_delimiter(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return ','; /* the reader reports it */
    char line[1024];
    char d = ',';
    if (fgets(line, sizeof line, f) && strchr(line, ';') && !strchr(line, ',')) d = ';';
    fclose(f);
    return d;
}

/* Keeps the rows of one area (select); with no selection, a file of several areas is an error. */
static int area_ok(const char *key, const ccs_trace_opts *opts, char *first, size_t first_size, const char *path,
                   long line, const char *key_col, ccs_err *err, int *keep)
{
    if (opts->select) {
        *keep = strcmp(key, opts->select) == 0;
        return 0;
    }
    if (!first[0]) snprintf(first, first_size, "%s", key);
    if (strcmp(first, key) != 0)
        return ccs_err_at(err, CCS_EINPUT, path, line, 0,
                          "rows for %s '%s' and '%s': the file holds several; choose one with the trace's "
                          "'select' key (e.g. select: %s)", key_col, first, key, first);
    *keep = 1;
    return 0;
}

static int load_csv(const char *path, const ccs_trace_opts *opts, ccs_trace *t, ccs_err *err)
{
    ccs_csv *c;
    int rc = ccs_csv_open(path, sniff_delimiter(path), &c, err);
    if (rc) return rc;
    rows r = {0};
    char **f;
    int nf, header_fields = 0, tc = 0, vc = 0, kc = -1;
    const struct csv_format *fmt = NULL;
    char first_key[64] = "";
    while ((rc = ccs_csv_next(c, &f, &nf, err)) == 1) {
        long line = ccs_csv_line(c);
        if (!t->format) {
            if ((rc = detect_format(f, nf, path, line, opts, t, &tc, &vc, &fmt, &kc, err))) break;
            header_fields = nf;
            if (opts->select && kc < 0) {
                rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                                "select '%s' given, but this %s file has no area or country column", opts->select,
                                t->format);
                break;
            }
            continue;
        }
        if (nf != header_fields) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0, "%d field%s, expected %d as in the header",
                            nf, nf == 1 ? "" : "s", header_fields);
            break;
        }
        if (kc >= 0) {
            int keep = 1;
            if ((rc = area_ok(f[kc], opts, first_key, sizeof first_key, path, line, fmt->key_col, err, &keep))) break;
            if (!keep) continue;
        }
        int64_t t_us;
        if (ccs_time_parse(f[tc], &t_us) != 0) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                            "cannot parse timestamp '%s': expected ISO 8601 UTC such as "
                            "2023-01-01T00:00:00Z or '2023-01-01 00:00:00'",
                            f[tc]);
            break;
        }
        double v = NAN;
        int missing = blank_value(f[vc]);
        if (!missing) {
            if (fmt->decimal_comma)
                for (char *p = f[vc]; *p; p++)
                    if (*p == ',') *p = '.';
            char *end;
            errno = 0;
            v = strtod(f[vc], &end);
            if (end == f[vc] || *end != '\0' || errno == ERANGE) {
                rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                                "cannot parse value '%s' in column '%s': expected a number%s", f[vc],
                                t->column, fmt->decimal_comma ? " (with a decimal comma)" : "");
                break;
            }
            missing = isnan(v);
        }
        if (rows_push(&r, t_us, v, line, missing) != 0) {
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            break;
        }
    }
    ccs_csv_close(c);
    if (rc == 0 && !t->format)
        rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0, "empty file: expected a header and rows");
    else if (rc == 0 && opts->select && r.n == 0)
        rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0, "no rows for %s '%s'", fmt->key_col, opts->select);
    else if (rc == 0)
        rc = finish(&r, path, false, opts, t, err);
    rows_free(&r);
    return rc;
}

/* ---- HDF5 ---- */

static char *read_str_attr(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0) return strdup("");
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = H5Aget_type(a);
    size_t n = H5Tget_size(ft);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, n + 1);
    char *s = calloc(n + 2, 1);
    if (s && H5Aread(a, mt, s) < 0) s[0] = '\0';
    H5Tclose(mt);
    H5Tclose(ft);
    H5Aclose(a);
    return s;
}

static int load_h5(const char *path, const ccs_trace_opts *opts, ccs_trace *t, ccs_err *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "cannot open as HDF5");
    const char *value_name = opts->column ? opts->column : "value";
    int rc = CCS_OK;
    hid_t dt = -1, dv = -1;
    rows r = {0};
    if (H5Lexists(f, "timestamp_us", H5P_DEFAULT) <= 0 || H5Lexists(f, value_name, H5P_DEFAULT) <= 0) {
        rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                        "datasets '/timestamp_us' and '/%s' expected (as written by 'ccsim import')",
                        value_name);
        goto done;
    }
    dt = H5Dopen2(f, "timestamp_us", H5P_DEFAULT);
    dv = H5Dopen2(f, value_name, H5P_DEFAULT);
    hid_t st = H5Dget_space(dt), sv = H5Dget_space(dv);
    int rank_t = H5Sget_simple_extent_ndims(st), rank_v = H5Sget_simple_extent_ndims(sv);
    hsize_t nt = 0, nv = 0;
    if (rank_t == 1) H5Sget_simple_extent_dims(st, &nt, NULL);
    if (rank_v == 1) H5Sget_simple_extent_dims(sv, &nv, NULL);
    H5Sclose(st);
    H5Sclose(sv);
    if (rank_t != 1 || rank_v != 1 || nt != nv) {
        rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                        "'/timestamp_us' and '/%s' must be one-dimensional and of equal length "
                        "(found %llu and %llu)",
                        value_name, (unsigned long long)nt, (unsigned long long)nv);
        goto done;
    }
    r.n = r.cap = nt;
    r.t_us = malloc((nt ? nt : 1) * sizeof *r.t_us);
    r.v = malloc((nt ? nt : 1) * sizeof *r.v);
    r.line = malloc((nt ? nt : 1) * sizeof *r.line);
    r.missing = malloc(nt ? nt : 1);
    if (!r.t_us || !r.v || !r.line || !r.missing) {
        rc = ccs_err_set(err, CCS_ERUN, "out of memory");
        goto done;
    }
    if (nt > 0 && (H5Dread(dt, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, r.t_us) < 0 ||
                   H5Dread(dv, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r.v) < 0)) {
        rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0, "cannot read the datasets as int64 and double");
        goto done;
    }
    for (size_t i = 0; i < nt; i++) {
        r.line[i] = (long)i + 1;
        r.missing[i] = isnan(r.v[i]);
    }
    t->units = read_str_attr(dv, "units");
    t->kind = read_str_attr(dv, "kind");
    t->format = strdup("hdf5");
    t->column = strdup(value_name);
    rc = finish(&r, path, true, opts, t, err);
done:
    rows_free(&r);
    if (dt >= 0) H5Dclose(dt);
    if (dv >= 0) H5Dclose(dv);
    H5Fclose(f);
    return rc;
}

static bool is_hdf5_file(const char *path)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && memcmp(head, sig, sizeof sig) == 0;
}

int ccs_trace_load(const char *path, const ccs_trace_opts *opts, ccs_trace **out, ccs_err *err)
{
    static const ccs_trace_opts defaults = {0};
    if (!opts) opts = &defaults;
    *out = NULL;
    ccs_trace *t = calloc(1, sizeof *t);
    if (!t) return ccs_err_set(err, CCS_ERUN, "out of memory");
    t->path = strdup(path);
    if (access(path, R_OK) != 0) {
        int e = errno;
        ccs_trace_destroy(t);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read trace file: %s", strerror(e));
    }
    int rc = is_hdf5_file(path) ? load_h5(path, opts, t, err) : load_csv(path, opts, t, err);
    if (rc != CCS_OK) {
        ccs_trace_destroy(t);
        return rc;
    }
    *out = t;
    return CCS_OK;
}

static int write_str_attr(hid_t obj, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

static hid_t write_1d(hid_t file, const char *name, hid_t type, size_t n, const void *data)
{
    hsize_t dims[1] = {n};
    hsize_t chunk[1] = {n < 4096 ? (n ? n : 1) : 4096};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(plist, 1, chunk);
    H5Pset_shuffle(plist);
    H5Pset_deflate(plist, 6);
    hid_t d = H5Dcreate2(file, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    if (d >= 0 && n > 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        H5Dclose(d);
        d = -1;
    }
    H5Pclose(plist);
    H5Sclose(space);
    return d;
}

int ccs_trace_save_h5(const ccs_trace *t, const char *path, const char *source, ccs_err *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot create HDF5 file");
    int bad = 0;
    hid_t dt = write_1d(f, "timestamp_us", H5T_NATIVE_INT64, t->n, t->t_us);
    hid_t dv = write_1d(f, "value", H5T_NATIVE_DOUBLE, t->n, t->v);
    bad |= dt < 0 || dv < 0;
    if (!bad) {
        char step[32];
        snprintf(step, sizeof step, "%lld", (long long)(t->step_us / CCS_US_PER_S));
        bad |= write_str_attr(dt, "units", "microseconds since 1970-01-01T00:00:00Z (UTC)");
        bad |= write_str_attr(dv, "units", t->units ? t->units : "");
        bad |= write_str_attr(dv, "kind", t->kind ? t->kind : "");
        bad |= write_str_attr(dv, "source", source ? source : t->path);
        bad |= write_str_attr(dv, "csv_format", t->format ? t->format : "");
        bad |= write_str_attr(dv, "csv_column", t->column ? t->column : "");
        bad |= write_str_attr(dv, "step_s", step);
        bad |= write_str_attr(dv, "convention", "value stamped t holds for [t, next stamp)");
    }
    if (dt >= 0) H5Dclose(dt);
    if (dv >= 0) H5Dclose(dv);
    bad |= H5Fclose(f) < 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write HDF5 file");
    }
    return CCS_OK;
}

void ccs_trace_destroy(ccs_trace *t)
{
    if (!t) return;
    free(t->t_us);
    free(t->v);
    free(t->path);
    free(t->units);
    free(t->kind);
    free(t->format);
    free(t->column);
    free(t);
}

size_t ccs_trace_len(const ccs_trace *t) { return t->n; }
const int64_t *ccs_trace_times(const ccs_trace *t) { return t->t_us; }
const double *ccs_trace_values(const ccs_trace *t) { return t->v; }
int64_t ccs_trace_step_us(const ccs_trace *t) { return t->step_us; }
int64_t ccs_trace_start_us(const ccs_trace *t) { return t->t_us[0]; }
int64_t ccs_trace_end_us(const ccs_trace *t) { return t->t_us[t->n - 1] + t->step_us; }
const char *ccs_trace_units(const ccs_trace *t) { return t->units; }
const char *ccs_trace_kind(const ccs_trace *t) { return t->kind; }
const char *ccs_trace_format(const ccs_trace *t) { return t->format; }
const char *ccs_trace_column(const ccs_trace *t) { return t->column; }
const char *ccs_trace_path(const ccs_trace *t) { return t->path; }

long ccs_trace_index_at(const ccs_trace *t, int64_t t_us, size_t *hint)
{
    if (t_us < t->t_us[0] || t_us >= ccs_trace_end_us(t)) return -1;
    size_t i = *hint < t->n ? *hint : 0;
    if (t->t_us[i] <= t_us && (i + 1 == t->n || t_us < t->t_us[i + 1])) return (long)i;
    if (i + 1 < t->n && t->t_us[i + 1] <= t_us && (i + 2 == t->n || t_us < t->t_us[i + 2])) {
        *hint = i + 1;
        return (long)(i + 1);
    }
    size_t lo = 0, hi = t->n; /* largest index with t_us[idx] <= t_us */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->t_us[mid] <= t_us) lo = mid; else hi = mid;
    }
    *hint = lo;
    return (long)lo;
}
