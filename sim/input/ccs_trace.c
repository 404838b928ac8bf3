/* Trace loading and validation; see ccs_trace.h. CSV quoting rules are libcsv's; this file only
 * knows which columns the known export formats use and what makes a series valid. */
#include "ccs_trace.h"
#include "ccs_trace_unguarded.h"

#include "ccs_csv.h"
#include "ccs_exit.h"
#include "ccs_quantity.h"
#include "ccs_stamp.h"
#include "ccs_time.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct ccs_trace {
    size_t n;
    int64_t *t_us;
    double *v;
    int64_t step_us;
    char *path, *units, *kind, *format, *column;
    char *note;      /* what was assumed or converted; NULL: nothing */
    unsigned shares; /* holders beyond the first (the loaded-trace cache is one): under loaded_lock */
};

/* The CSV forms we know, matched on the header with names compared case-insensitively (and
 * CO₂ read as CO2). The time column is the first of time_columns the header has, unless the
 * caller names one. The value column is the first entry of value_columns the header has, unless
 * the caller names one; its units are the entry's, else the text in the column name's last
 * brackets ("Price (EUR/MWhe)", "Day-ahead Price [EUR/MWh]"). key_columns name the area or
 * country of each row, in files that hold several; rows are then kept only for the one the
 * scenario selects. A ';'-separated file is read with decimal commas (Energinet's). */
static const char *const time_columns[] = {
    "datetime (utc)", "datetime_utc",   "timestamp_utc", "timestamp",    "time (utc)",
    "time",           "datetime",       "hourutc",       "minutes5utc",  "point_time",
    "mtu (utc)",      "mtu (cet/cest)", "mtu",           "period_start", "from",
    "start",          "date (utc)",     "date",          "utc",          "arrived_at",
};

/* Time columns whose times are local to a known zone. */
static const struct {
    const char *column, *zone;
} local_time_columns[] = {
    {"mtu (cet/cest)", "Europe/Brussels"}, /* ENTSO-E's older exports: Central European time */
    {"hourdk", "Europe/Copenhagen"},
    {"minutes5dk", "Europe/Copenhagen"},
};

enum { MATCH_EXACT, MATCH_PREFIX };
static const struct value_column {
    const char *name;
    int match;
    const char *units; /* NULL: from the column name's brackets */
    const char *format;
} value_columns[] = {
    {"carbon intensity gco2eq/kwh (lca)", MATCH_EXACT, "gCO2e/kWh", "electricitymaps"},
    {"carbon intensity gco2eq/kwh (life cycle)", MATCH_EXACT, "gCO2e/kWh", "electricitymaps"},
    {"carbon_intensity", MATCH_EXACT, "gCO2/kWh", "neso"},
    {"carbon intensity", MATCH_EXACT, "gCO2e/kWh", "letswaitawhile"},
    {"co2emission", MATCH_EXACT, "g/kWh", "energinet-co2"},
    {"moer", MATCH_EXACT, "lbs/MWh", "watttime"},
    {"spotpriceeur", MATCH_EXACT, "EUR/MWh", "energinet"},
    {"price (", MATCH_PREFIX, NULL, "price-usd-mwh"},
    {"day-ahead price", MATCH_PREFIX, NULL, "entsoe"},
    {"requests", MATCH_EXACT, "requests", "nasa-http"},
    {"temperature", MATCH_PREFIX, NULL, "weather"},
    {"relative humidity", MATCH_PREFIX, "%", "weather"},
    {"humidity", MATCH_PREFIX, "%", "weather"},
    {"value", MATCH_EXACT, "", "generic"},
    /* one row per request (LLM traces): counted per interval into a traffic trace */
    {"contexttokens", MATCH_EXACT, "requests", "azure-llm"},
    {"num_prefill_tokens", MATCH_EXACT, "requests", "splitwise"},
    /* only when asked for by name: the default is the life-cycle figure */
    {"carbon intensity gco2eq/kwh (direct)", MATCH_EXACT, "gCO2e/kWh", "electricitymaps"},
    {"spotpricedkk", MATCH_EXACT, "DKK/MWh", "energinet"},
};
enum { VALUE_DEFAULTS = 16 }; /* the entries before this are matched without being named */

static const char *const key_columns[] = {"iso3 code", "pricearea", "zone id", "country code", "area", "location"};

/* The most rows a trace may have once its gaps are filled: a year at one-second steps is
 * 31,536,000. Two rows 300 years apart at a one-second step must be an error, not a 75 GB
 * allocation. */
#define CCS_TRACE_MAX_ROWS 33554432
#define CCS_TRACE_MAX_FILL 100000 /* filled rows allowed beyond 4 per row read: ten years hourly */

/* The instants an HDF5 trace may hold, in microseconds since 1970: 0000-01-01T00:00:00Z up to
 * 10000-01-01 (the four-digit years of ISO 8601, as in CSV traces). Differences
 * of such instants cannot overflow. */
#define H5_MIN_US (INT64_C(-62167219200) * CCS_US_PER_S)
#define H5_END_US (INT64_C(253402300800) * CCS_US_PER_S)

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

/* How a row is named in messages: "file:LINE" for CSV and JSON lines, "file: row N" for HDF5,
 * "file: item N" for a JSON array. */
enum { AT_LINE = 0, AT_ROW = 1, AT_ITEM = 2 };
static int row_err(ccs_err *err, const char *path, int is_h5, long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int row_err(ccs_err *err, const char *path, int is_h5, long line, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (is_h5)
        return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "%s %ld: %s", is_h5 == AT_ITEM ? "item" : "row", line, what);
    return ccs_err_at(err, CCS_EINPUT, path, line, 0, "%s", what);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t mode_interval(const rows *r)
{
    /* Most common interval; ties go to the smaller. A regular trace's intervals are nearly all
     * one value: an interval held by more than half is the mode, found in one pass (Boyer and
     * Moore's majority vote, then a count to confirm); else a sort of a copy. */
    if (r->n < 2) return -1;
    size_t m = r->n - 1, votes = 0, count = 0;
    int64_t cand = 0;
    for (size_t i = 0; i < m; i++) {
        int64_t d = r->t_us[i + 1] - r->t_us[i];
        if (votes == 0) cand = d;
        votes = d == cand ? votes + 1 : votes - 1;
    }
    for (size_t i = 0; i < m; i++) count += r->t_us[i + 1] - r->t_us[i] == cand;
    if (2 * count > m) return cand; /* more common than all the others together */
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
static int finish(rows *r, const char *path, int is_h5, const ccs_trace_opts *opts, ccs_trace *t, ccs_err *err)
{
    if (r->n < 2)
        return ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                          "%zu data row%s: a trace needs at least two rows to have a time step", r->n,
                          r->n == 1 ? "" : "s");
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
                           "duplicate timestamp %s (also at %s %ld): each instant must appear once", ts,
                           is_h5 == AT_ITEM ? "item"
                           : is_h5          ? "row"
                                            : "line",
                           r->line[i - 1]);
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
        if (!isfinite(r->v[i])) return row_err(err, path, is_h5, r->line[i], "value is not finite: expected a number");
        if (r->v[i] < 0 && !opts->allow_negative && strcmp(t->kind ? t->kind : "", "price") != 0 &&
            strcmp(t->kind ? t->kind : "", "temperature") != 0)
            return row_err(err, path, is_h5, r->line[i], "negative value %g: expected a value >= 0 for %s", r->v[i],
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
        double w = b == a ? 0.0 : (double)(r->t_us[i] - r->t_us[a]) / (double)(r->t_us[b] - r->t_us[a]);
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
        /* filled rows are bounded by the rows read, not only by a total: three rows around a
         * 300-year gap at a 5-minute step would otherwise make 31 million */
        if (extra > CCS_TRACE_MAX_ROWS || extra > 4 * r->n + CCS_TRACE_MAX_FILL)
            return ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                              "filling the gaps at the nominal step of %lld s would add %s%zu rows to %zu read: "
                              "expected a trace whose gaps are a small part of it (at most 4 filled rows per "
                              "row read, plus %d)",
                              (long long)(step / CCS_US_PER_S), i + 1 < r->n ? "more than " : "", extra, r->n,
                              CCS_TRACE_MAX_FILL);
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

/* A column name as compared: lower case, CO₂ as CO2, a byte-order mark and spaces around dropped. */
static void norm_name(const char *in, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)in;
    if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) p += 3;
    while (*p == ' ') p++;
    size_t k = 0;
    for (; *p && k + 1 < size; p++) {
        if (p[0] == 0xe2 && p[1] == 0x82 && p[2] == 0x82) {
            out[k++] = '2';
            p += 2;
        } else {
            out[k++] = (char)tolower(*p);
        }
    }
    while (k > 0 && out[k - 1] == ' ') k--;
    out[k] = '\0';
}

/* The kind the units make a trace ("price" for EUR/MWh), "" if none: negative values are refused
 * unless the kind has them. */
static const char *kind_of_units(const char *units)
{
    ccs_unit u;
    return ccs_unit_parse(units, &u) == 0 ? ccs_qkind_name(u.kind) : "";
}

/* The text inside the last (...) or [...] of a column name, "" if none. */
static void bracket_units(const char *col, char *out, size_t size)
{
    out[0] = '\0';
    const char *open = strrchr(col, '('), *close = strrchr(col, ')');
    const char *sq = strrchr(col, '['), *sqc = strrchr(col, ']');
    if (sq && sqc && sqc > sq && (!open || sq > open)) open = sq, close = sqc;
    if (open && close && close > open + 1 && (size_t)(close - open) < size) {
        memcpy(out, open + 1, (size_t)(close - open - 1));
        out[close - open - 1] = '\0';
    }
}

static int find_column(char norm[][160], int nf, const char *want, int match)
{
    for (int i = 0; i < nf; i++)
        if (match == MATCH_EXACT ? strcmp(norm[i], want) == 0 : strncmp(norm[i], want, strlen(want)) == 0) return i;
    return -1;
}

/* What the header says: the time, value and (if any) area columns, the format's name, the
 * units and the zone of local times. */
static int detect_format(char **fields, int nf, const char *path, long line, const ccs_trace_opts *opts, ccs_trace *t,
                         int *time_col, int *value_col, int *key_col, const char **zone, ccs_err *err)
{
    char(*norm)[160] = malloc((size_t)(nf > 0 ? nf : 1) * sizeof *norm);
    if (!norm) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (int i = 0; i < nf; i++) norm_name(fields[i], norm[i], sizeof norm[i]);
    int tc = -1, vc = -1, kc = -1;
    const struct value_column *vcol = NULL;
    const char *tname = NULL;
    if (opts->time_column) {
        char want[160];
        norm_name(opts->time_column, want, sizeof want);
        tc = find_column(norm, nf, want, MATCH_EXACT);
    } else {
        for (size_t k = 0; k < sizeof time_columns / sizeof time_columns[0] && tc < 0; k++)
            tc = find_column(norm, nf, time_columns[k], MATCH_EXACT);
    }
    if (opts->column) {
        char want[160];
        norm_name(opts->column, want, sizeof want);
        vc = find_column(norm, nf, want, MATCH_EXACT);
        for (size_t k = 0; vc >= 0 && k < sizeof value_columns / sizeof value_columns[0] && !vcol; k++)
            if (value_columns[k].match == MATCH_EXACT
                    ? strcmp(norm[vc], value_columns[k].name) == 0
                    : strncmp(norm[vc], value_columns[k].name, strlen(value_columns[k].name)) == 0)
                vcol = &value_columns[k];
    } else {
        for (size_t k = 0; k < VALUE_DEFAULTS && vc < 0; k++)
            if ((vc = find_column(norm, nf, value_columns[k].name, value_columns[k].match)) >= 0)
                vcol = &value_columns[k];
    }
    if (vc == tc) vc = -1;
    for (size_t k = 0; k < sizeof key_columns / sizeof key_columns[0] && kc < 0; k++)
        kc = find_column(norm, nf, key_columns[k], MATCH_EXACT);
    *zone = NULL;
    for (size_t k = 0; tc >= 0 && k < sizeof local_time_columns / sizeof local_time_columns[0]; k++)
        if (strcmp(norm[tc], local_time_columns[k].column) == 0) *zone = local_time_columns[k].zone;
    if (tc >= 0) tname = fields[tc];
    free(norm);

    if (tc < 0 || vc < 0) {
        char header[600] = "";
        for (int i = 0; i < nf; i++) {
            if (i) strncat(header, "', '", sizeof header - strlen(header) - 1);
            strncat(header, fields[i], sizeof header - strlen(header) - 1);
        }
        if (tc < 0 && opts->time_column)
            return ccs_err_at(err, CCS_EINPUT, path, line, 0,
                              "no time column named '%s': the columns are '%s'; expected one of them (time_column, "
                              "or --time-column in ccsim import)",
                              opts->time_column, header);
        if (vc < 0 && opts->column)
            return ccs_err_at(err, CCS_EINPUT, path, line, 0,
                              "no column named '%s'%s: the columns are '%s'; expected one of them (column, or "
                              "--column in ccsim import)",
                              opts->column, tname ? "" : " nor a time column", header);
        return ccs_err_at(
            err, CCS_EINPUT, path, line, 0,
            "unknown CSV header: %s; the columns are '%s'. Expected a time column (Datetime (UTC), timestamp, "
            "time, HourUTC, MTU (UTC), ...) and a value column ccsim knows (a carbon intensity, a "
            "Price (CUR/MWh), requests, value, ...); or name them: 'column' and 'time_column' in "
            "the scenario's {file: ...}, --column and --time-column in ccsim import",
            tc < 0 ? "no time column ccsim knows" : "no value column ccsim knows", header);
    }
    *time_col = tc;
    *value_col = vc;
    *key_col = kc;
    const char *col = fields[vc];
    char units[64];
    if (vcol && vcol->units)
        snprintf(units, sizeof units, "%s", vcol->units);
    else
        bracket_units(col, units, sizeof units);
    /* a temperature column without units in its name: degrees Celsius, as weather services write */
    if (vcol && strcmp(vcol->format, "weather") == 0 && !units[0]) snprintf(units, sizeof units, "degC");
    const char *format = vcol ? vcol->format : "named-column";
    if (kc >= 0 && strcmp(format, "price-usd-mwh") == 0) format = "ember";
    t->format = strdup(format);
    t->units = strdup(units);
    t->column = strdup(col);
    t->kind = strdup(kind_of_units(units));
    if (!t->format || !t->units || !t->column || !t->kind) return ccs_err_set(err, CCS_ERUN, "out of memory");
    return 0;
}

static bool blank_value(const char *s)
{
    return *s == '\0' || strcasecmp(s, "nan") == 0 || strcasecmp(s, "null") == 0 || strcasecmp(s, "NA") == 0;
}

/* What a parse reads: the file's bytes when trace_load could hold them whole (then the parse reads
 * nothing else, so the trace is exactly these bytes, and each file is read once), else the path
 * itself (a file too large to hold, or not a regular file). Messages name the path either way. */
typedef struct source {
    const char *path;
    const unsigned char *bytes; /* NULL: read path */
    size_t len;
} source;

static FILE *source_open(const source *s)
{
    /* a read-only stream: fmemopen never writes through its buffer in mode "r" */
    return s->bytes ? fmemopen((void *)(uintptr_t)s->bytes, s->len, "r") : fopen(s->path, "r");
}

/* ';' if the first line has semicolons and no commas (Energinet), else ','. */
static char sniff_delimiter(const source *src)
{
    FILE *f = source_open(src);
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
                          "'select' key (e.g. select: %s)",
                          key_col, first, key, first);
    *keep = 1;
    return 0;
}

/* Files of one row per request (LLM traces: Azure, Splitwise and Vidur, Mooncake) are counted
 * per interval into a traffic trace, the form trace-counts arrivals replay. */
static bool per_request(const ccs_trace *t)
{
    return t->format && (strcmp(t->format, "azure-llm") == 0 || strcmp(t->format, "splitwise") == 0 ||
                         strcmp(t->format, "mooncake") == 0);
}

/* Replaces rows of single requests (in time order; several may share an instant) by their counts
 * per bin_us, empty bins included: a quiet minute is a count of 0, not a gap. */
static int count_requests(rows *r, int64_t bin_us, const char *path, int where, ccs_err *err)
{
    if (r->n == 0) return 0;
    for (size_t i = 1; i < r->n; i++)
        if (r->t_us[i] < r->t_us[i - 1])
            return row_err(err, path, where, r->line[i],
                           "a request earlier than the one before: expected requests in time order");
    int64_t b0 = ccs_time_floor(r->t_us[0], bin_us), b1 = ccs_time_floor(r->t_us[r->n - 1], bin_us);
    if ((b1 - b0) / bin_us >= CCS_TRACE_MAX_ROWS)
        return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "the requests span more than %d intervals of %lld s",
                          CCS_TRACE_MAX_ROWS, (long long)(bin_us / CCS_US_PER_S));
    size_t nb = (size_t)((b1 - b0) / bin_us) + 1;
    rows out = {0};
    int rc = 0;
    size_t i = 0;
    for (size_t k = 0; k < nb && !rc; k++) {
        int64_t t0 = b0 + (int64_t)k * bin_us;
        long line = i < r->n ? r->line[i] : r->line[r->n - 1];
        double count = 0;
        while (i < r->n && r->t_us[i] < t0 + bin_us) count++, i++;
        if (rows_push(&out, t0, count, line, 0) != 0) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (rc) {
        rows_free(&out);
        return rc;
    }
    rows_free(r);
    *r = out;
    return 0;
}

static int load_csv(const source *src, const ccs_trace_opts *opts, ccs_trace *t, ccs_err *err)
{
    const char *path = src->path;
    char delim = sniff_delimiter(src);
    bool decimal_comma = delim == ';'; /* ';'-separated exports write 2,01 for 2.01 */
    ccs_csv *c;
    FILE *in = source_open(src);
    int rc = in ? ccs_csv_open_stream(in, path, delim, &c, err)
                : ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read trace file: %s", strerror(errno));
    if (rc) return rc;
    rows r = {0};
    char **f;
    int nf, header_fields = 0, tc = 0, vc = 0, kc = -1;
    char first_key[64] = "", key_name[64] = "", time_name[64] = "";
    int varc = -1, unitc = -1; /* Ember's long format: the variable and unit columns */
    ccs_stamp_opts so = opts->stamp;
    int64_t prev_us = INT64_MIN;
    while ((rc = ccs_csv_next(c, &f, &nf, err)) == 1) {
        long line = ccs_csv_line(c);
        if (!t->format) {
            const char *zone = NULL;
            if ((rc = detect_format(f, nf, path, line, opts, t, &tc, &vc, &kc, &zone, err))) break;
            /* ENTSO-E's transparency platform writes its MTU intervals day first (31/12/2023 23:00:00) */
            bool entsoe_time = strncasecmp(f[tc], "MTU", 3) == 0;
            if (!so.timezone) so.timezone = zone;
            so.day_first = so.day_first || entsoe_time;
            header_fields = nf;
            if (kc >= 0) snprintf(key_name, sizeof key_name, "%s", f[kc]);
            snprintf(time_name, sizeof time_name, "%s", f[tc]);
            /* Ember's long format: a row per area, month and variable, its unit in a column of its
             * own; the carbon intensity is the rows of Variable "CO2 intensity" */
            for (int i = 0; strcmp(t->format, "generic") == 0 && i < nf; i++) {
                if (strcasecmp(f[i], "variable") == 0) varc = i;
                if (strcasecmp(f[i], "unit") == 0) unitc = i;
            }
            if (varc >= 0 && unitc >= 0) {
                free(t->format);
                t->format = strdup("ember-long");
                if (!t->format) {
                    rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                    break;
                }
            } else {
                varc = unitc = -1;
            }
            if (opts->select && kc < 0) {
                rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                                "select '%s' given, but this %s file has no area or country column", opts->select,
                                t->format);
                break;
            }
            continue;
        }
        if (nf != header_fields) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0, "%d field%s, expected %d as in the header", nf,
                            nf == 1 ? "" : "s", header_fields);
            break;
        }
        if (varc >= 0) {
            if (strcasecmp(f[varc], "CO2 intensity") != 0) continue;
            if (!*t->units) {
                free(t->units);
                free(t->kind);
                t->units = strdup(f[unitc]);
                t->kind = strdup(kind_of_units(f[unitc]));
                if (!t->units || !t->kind) {
                    rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                    break;
                }
            } else if (strcmp(t->units, f[unitc]) != 0) {
                rc = ccs_err_at(err, CCS_EINPUT, path, line, 0, "unit '%s' after '%s': expected one unit throughout",
                                f[unitc], t->units);
                break;
            }
        }
        if (kc >= 0) {
            int keep = 1;
            if ((rc = area_ok(f[kc], opts, first_key, sizeof first_key, path, line, key_name, err, &keep))) break;
            if (!keep) continue;
        }
        int64_t t_us;
        char why[160];
        if (ccs_stamp_parse(f[tc], &so, prev_us, &t_us, why, sizeof why) != 0) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                            "cannot parse timestamp '%s' in column '%s' (%s): expected ISO 8601 such as "
                            "2023-01-01T00:00:00Z, a day-first date, a Unix epoch number, or the form given by "
                            "time_format (--time-format)%s",
                            f[tc], time_name, why, so.timezone ? "" : "; local times need timezone (--timezone)");
            break;
        }
        prev_us = t_us;
        double v = NAN;
        int missing = blank_value(f[vc]);
        if (per_request(t)) {
            v = 1; /* a request: counted below */
            missing = 0;
        } else if (!missing) {
            if (decimal_comma)
                for (char *p = f[vc]; *p; p++)
                    if (*p == ',') *p = '.';
            char *end;
            errno = 0;
            v = strtod(f[vc], &end);
            if (end == f[vc] || *end != '\0' || errno == ERANGE) {
                rc = ccs_err_at(err, CCS_EINPUT, path, line, 0,
                                "cannot parse value '%s' in column '%s': expected a number%s", f[vc], t->column,
                                decimal_comma ? " (with a decimal comma)" : "");
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
        rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0, "no rows for %s '%s'", key_name, opts->select);
    else if (rc == 0 && per_request(t) &&
             (rc = count_requests(&r, opts->bin_us > 0 ? opts->bin_us : 60 * CCS_US_PER_S, path, AT_LINE, err)) != 0)
        ;
    else if (rc == 0)
        rc = finish(&r, path, false, opts, t, err);
    rows_free(&r);
    return rc;
}

/* ---- JSON ----
 * The JSON forms grid services answer with: an array of items, or an object whose "data" is one
 * (the UK National Grid carbon-intensity API, WattTime v3), or one object per line (JSON Lines).
 * In each item the time is the first of json_time_keys present (or the one named), the value the
 * first of json_value_keys (or the named key; a dotted name reaches into an object:
 * intensity.forecast). Units: the entry's, or WattTime's meta.units. */
static const char *const json_time_keys[] = {"point_time", "from", "time", "timestamp", "datetime", "date", "start"};
static const struct {
    const char *key, *units, *format;
} json_value_keys[] = {
    {"intensity.actual", "gCO2/kWh", "carbonintensity.org.uk"}, /* the GB API: actual, or null */
    {"rating", "gCO2/kWh", "carbon-aware-sdk"},                 /* the Carbon Aware SDK's emissions */
    {"value", NULL, "json"},                                    /* WattTime v3; a plain {time, value} */
    {"carbon_intensity", "gCO2e/kWh", "json"},
    {"carbonIntensity", "gCO2e/kWh", "json"},
    {"moer", "lbs/MWh", "json"},
    {"requests", "requests", "json"},
    {"input_length", "requests", "mooncake"}, /* one request per line: counted per interval */
};

#define JSON_MAX_BYTES ((off_t)1 << 30) /* a year at 5-minute steps is ~10 MB */

/* The member at a dotted path, NULL if absent. */
static json_t *json_at(json_t *obj, const char *dotted)
{
    char key[128];
    const char *p = dotted;
    while (obj && json_is_object(obj)) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof key) return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        obj = json_object_get(obj, key);
        if (!dot) return obj;
        p = dot + 1;
    }
    return NULL;
}

/* What the first item decided and the items since have seen. */
typedef struct json_state {
    char time_key[128]; /* the key of the time, chosen on the first item */
    char area[64];      /* the first location seen (a file of one area needs no select) */
    int64_t prev_us;    /* the item before's instant, for local times that occur twice */
} json_state;

/* Reads one item into r; item_no names it in messages (its line, for JSON Lines). */
static int json_item(json_t *it, long item_no, int where, const char *path, const ccs_trace_opts *opts,
                     const ccs_stamp_opts *so, json_state *js, rows *r, ccs_trace *t, ccs_err *err)
{
    if (!json_is_object(it))
        return row_err(err, path, where, item_no, "not an object: expected {\"time\": ..., \"value\": ...}");
    if (!t->format) { /* the first item decides the keys */
        const char *units = NULL, *format = "json";
        const char *tk = opts->time_column, *vk = opts->column;
        for (size_t k = 0; !tk && k < sizeof json_time_keys / sizeof json_time_keys[0]; k++)
            if (json_object_get(it, json_time_keys[k])) tk = json_time_keys[k];
        for (size_t k = 0; k < sizeof json_value_keys / sizeof json_value_keys[0]; k++) {
            if (vk && strcmp(vk, json_value_keys[k].key) != 0) continue;
            if (!vk && !json_at(it, json_value_keys[k].key)) continue;
            vk = json_value_keys[k].key;
            units = json_value_keys[k].units;
            format = json_value_keys[k].format;
            break;
        }
        bool has_t = tk && json_object_get(it, tk), has_v = vk && json_at(it, vk);
        if (!has_t || !has_v) {
            char keys[400] = "", what[200];
            const char *key;
            json_t *v;
            json_object_foreach(it, key, v)
            {
                if (keys[0]) strncat(keys, "', '", sizeof keys - strlen(keys) - 1);
                strncat(keys, key, sizeof keys - strlen(keys) - 1);
            }
            const char *which = has_t ? "value" : "time", *named = has_t ? vk : tk;
            if (named)
                snprintf(what, sizeof what, "no %s key '%s'", which, named);
            else
                snprintf(what, sizeof what, "no %s key ccsim knows", which);
            return row_err(err, path, where, item_no,
                           "%s: the item has '%s'; expected a time (point_time, from, time, timestamp) and a value "
                           "(value, rating, intensity.actual), or name them: 'time_column' and 'column' in the "
                           "scenario's {file: ...}, --time-column and --column in ccsim import",
                           what, keys);
        }
        char *u = strdup(units ? units : t->units ? t->units : "");
        free(t->column);
        free(t->units);
        t->column = strdup(vk);
        t->units = u;
        t->format = strdup(format);
        if (strlen(tk) >= sizeof js->time_key)
            return row_err(err, path, where, item_no, "a time key of %zu bytes: expected at most %zu", strlen(tk),
                           sizeof js->time_key - 1);
        snprintf(js->time_key, sizeof js->time_key, "%s", tk);
        if (!t->column || !t->units || !t->format) return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    const char *tk = js->time_key;
    json_t *loc = json_object_get(it, "location");
    if (json_is_string(loc)) {
        int keep = 1;
        int rc =
            area_ok(json_string_value(loc), opts, js->area, sizeof js->area, path, item_no, "location", err, &keep);
        if (rc) return rc;
        if (!keep) return 0;
    } else if (opts->select) {
        return row_err(err, path, where, item_no, "select '%s' given, but the item has no 'location'", opts->select);
    }
    json_t *tv = json_object_get(it, tk);
    char text[64], why[160];
    int64_t t_us;
    if (json_is_integer(tv) || json_is_real(tv))
        snprintf(text, sizeof text, "%.17g", json_number_value(tv));
    else if (json_is_string(tv))
        snprintf(text, sizeof text, "%s", json_string_value(tv));
    else
        return row_err(err, path, where, item_no, "'%s' is not a time: expected a text or a number", tk);
    if (ccs_stamp_parse(text, so, js->prev_us, &t_us, why, sizeof why) != 0)
        return row_err(err, path, where, item_no,
                       "cannot read time '%s' in '%s' (%s): expected ISO 8601 or a Unix epoch number", text, tk, why);
    js->prev_us = t_us;
    json_t *vv = json_at(it, t->column);
    double v = NAN;
    int missing = !vv || json_is_null(vv);
    if (per_request(t)) {
        v = 1; /* a request: counted afterwards */
        missing = 0;
    } else if (!missing) {
        if (json_is_number(vv)) {
            v = json_number_value(vv);
        } else {
            char *end;
            const char *s = json_is_string(vv) ? json_string_value(vv) : "";
            errno = 0;
            v = strtod(s, &end);
            if (!json_is_string(vv) || end == s || *end != '\0' || errno == ERANGE)
                return row_err(err, path, where, item_no, "'%s' is not a number", t->column);
        }
        missing = isnan(v);
    }
    if (rows_push(r, t_us, v, item_no, missing) != 0) return ccs_err_set(err, CCS_ERUN, "out of memory");
    return 0;
}

static int load_json(const source *src, const ccs_trace_opts *opts, ccs_trace *t, ccs_err *err)
{
    const char *path = src->path;
    struct stat st;
    if (!src->bytes && stat(path, &st) != 0)
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read trace file: %s", strerror(errno));
    long long size = src->bytes ? (long long)src->len : (long long)st.st_size;
    if (size > JSON_MAX_BYTES)
        return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "%lld bytes of JSON: expected at most %lld", size,
                          (long long)JSON_MAX_BYTES);
    json_error_t je;
    json_t *root = src->bytes ? json_loadb((const char *)src->bytes, src->len, JSON_REJECT_DUPLICATES, &je)
                              : json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    rows r = {0};
    json_state js = {.prev_us = INT64_MIN};
    ccs_stamp_opts so = opts->stamp;
    int rc = 0, where = AT_ITEM;
    if (!root && strstr(je.text, "end of file expected")) {
        /* JSON Lines: one object per line */
        FILE *f = source_open(src);
        if (!f) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read trace file: %s", strerror(errno));
        char *line = NULL;
        size_t cap = 0;
        long no = 0;
        where = AT_LINE;
        while (!rc && getline(&line, &cap, f) > 0) {
            no++;
            const char *p = line;
            while (isspace((unsigned char)*p)) p++;
            if (!*p) continue;
            json_t *it = json_loads(p, 0, &je);
            if (!it) {
                rc = ccs_err_at(err, CCS_EINPUT, path, no, je.column, "not JSON (%s): expected one object per line",
                                je.text);
                break;
            }
            rc = json_item(it, no, AT_LINE, path, opts, &so, &js, &r, t, err);
            json_decref(it);
        }
        free(line);
        fclose(f);
    } else if (!root) {
        return ccs_err_at(err, CCS_EINPUT, path, je.line, je.column, "not JSON: %s", je.text);
    } else {
        json_t *items = json_is_array(root) ? root : json_object_get(root, "data");
        if (!json_is_array(items)) {
            rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                            "a JSON %s without a list of items: expected an array, or an object whose \"data\" is "
                            "one (as the GB carbon-intensity API and WattTime answer)",
                            json_is_object(root) ? "object" : "value");
        } else {
            /* WattTime v3 states its units once, in meta */
            json_t *mu = json_at(root, "meta.units");
            if (json_is_string(mu) && !opts->units) t->units = strdup(json_string_value(mu));
            size_t i;
            json_t *it;
            json_array_foreach(items, i, it)
            {
                rc = json_item(it, (long)i + 1, AT_ITEM, path, opts, &so, &js, &r, t, err);
                if (rc) break;
            }
            if (!rc && json_is_string(mu) && t->format && strcmp(t->format, "json") == 0) {
                free(t->format);
                t->format = strdup("watttime");
            }
        }
        json_decref(root);
    }
    if (!rc && !t->format) rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0, "no items: expected a list of {time, value}");
    if (!rc && !t->kind) t->kind = strdup(kind_of_units(t->units ? t->units : ""));
    if (!rc && per_request(t))
        rc = count_requests(&r, opts->bin_us > 0 ? opts->bin_us : 60 * CCS_US_PER_S, path, where, err);
    if (!rc) rc = finish(&r, path, where, opts, t, err);
    rows_free(&r);
    return rc;
}

/* A JSON file starts with '[' or '{' (after spaces and a byte-order mark). */
static bool is_json_file(const source *src)
{
    FILE *f = source_open(src);
    if (!f) return false;
    int c;
    do c = fgetc(f);
    while (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xef || c == 0xbb || c == 0xbf);
    fclose(f);
    return c == '[' || c == '{';
}

/* ---- web server access logs ----
 * The Common Log Format (and the Combined one, which adds fields after it): one request per line,
 * `host ident user [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`. Only the bracketed
 * time is read; the requests are counted per interval into a traffic trace. */
static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* The instant in a log line's brackets; -1 if there is none in the form above. */
static int clf_time(const char *line, int64_t *t_us)
{
    const char *open = strchr(line, '[');
    if (!open) return -1;
    int d, y, h, mi, sec;
    char mon[4], sign;
    unsigned off;
    int used = 0;
    if (sscanf(open + 1, "%2d/%3[A-Za-z]/%4d:%2d:%2d:%2d %c%4u]%n", &d, mon, &y, &h, &mi, &sec, &sign, &off, &used) !=
            8 ||
        used == 0 || (sign != '+' && sign != '-'))
        return -1;
    int m = 0;
    while (m < 12 && strcmp(mon, month_abbr[m]) != 0) m++;
    if (m == 12) return -1;
    char iso[40];
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d%c%02u:%02u", y, m + 1, d, h, mi, sec, sign, off / 100,
             off % 100);
    return ccs_time_parse(iso, t_us);
}

/* Whether the file's first line is a log line with a bracketed time. */
static bool is_access_log(const source *src)
{
    FILE *f = source_open(src);
    if (!f) return false;
    char line[2048];
    int64_t t;
    bool yes = fgets(line, sizeof line, f) && strstr(line, " [") && strstr(line, "] \"") && clf_time(line, &t) == 0;
    fclose(f);
    return yes;
}

static int load_access_log(const source *src, const ccs_trace_opts *opts, ccs_trace *t, ccs_err *err)
{
    const char *path = src->path;
    FILE *f = source_open(src);
    if (!f) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read trace file: %s", strerror(errno));
    t->format = strdup("access-log");
    t->column = strdup("requests");
    t->units = strdup("requests");
    t->kind = strdup("traffic");
    rows r = {0};
    int rc = t->format && t->column && t->units && t->kind ? 0 : ccs_err_set(err, CCS_ERUN, "out of memory");
    char *line = NULL;
    size_t cap = 0;
    long no = 0;
    while (!rc && getline(&line, &cap, f) > 0) {
        no++;
        if (line[0] == '\n' || line[0] == '\0') continue;
        int64_t t_us;
        if (clf_time(line, &t_us) != 0)
            rc = ccs_err_at(err, CCS_EINPUT, path, no, 0,
                            "no [day/Mon/year:hh:mm:ss +zone] time: expected a Common Log Format line");
        else if (rows_push(&r, t_us, 1, no, 0) != 0)
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    free(line);
    fclose(f);
    if (!rc) rc = count_requests(&r, opts->bin_us > 0 ? opts->bin_us : 60 * CCS_US_PER_S, path, AT_LINE, err);
    if (!rc) rc = finish(&r, path, AT_LINE, opts, t, err);
    rows_free(&r);
    return rc;
}

/* ---- HDF5 ----
 * Traces come from vendors and colleagues: a damaged one must be an error naming the file, never
 * a crash. Two guards. Every HDF5 call is checked (h5_read). And since libhdf5 itself can die
 * on a damaged header (1.10.8 divides by zero in H5Dopen2 when a layout message gives 0
 * dimensions), a child process reads the whole file first, everything the loader will read
 * (h5_probe); this process reads it only after the child came through. Sizes (rows, element
 * types, attributes) are checked before anything is allocated for them. Limit: a file changed
 * between the two reads is not caught; that takes someone writing to it while ccsim runs. */

#define H5_ATTR_MAX 65536 /* longest string attribute read: units and kind are a few words */
/* A child still reading after 10 s plus 1 s per 16 MiB of file is stopped: libhdf5 1.10.8 can loop
 * on a damaged global heap (a fuzzer's input: H5HG_read under H5Aread of a string attribute).
 * A healthy file reads at well over 100 MB/s, a year of 5-minute rows in milliseconds. */
#define H5_PROBE_BASE_S      10
#define H5_PROBE_BYTES_PER_S (16 << 20)
#define H5_MAX_RATIO         1100       /* stored bytes x this >= raw bytes: deflate compresses 1032:1 at best */
#define H5_MAX_CHUNK         (64 << 20) /* bytes in one chunk: ccsim import writes 32 KiB, h5py at most 1 MiB */

typedef struct h5_trace {
    rows r;
    char *units, *kind;
} h5_trace;

/* The innermost HDF5 error's reason: the system's, e.g. "No space left on device", if it gave
 * one, else its description. */
static herr_t h5_first_error(unsigned n, const H5E_error2_t *e, void *data)
{
    char *buf = data;
    if (n > 0 || !e->desc) return 0;
    const char *sys = strstr(e->desc, "error message = '");
    if (sys) {
        sys += strlen("error message = '");
        const char *end = strchr(sys, '\'');
        snprintf(buf, 256, "%.*s", (int)(end ? end - sys : 200), sys);
    } else {
        snprintf(buf, 256, "%s", e->desc);
    }
    return 0;
}

static const char *h5_reason(char buf[256])
{
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, h5_first_error, buf);
    return buf[0] ? buf : "no reason given by the HDF5 library";
}

static int h5_bad(ccs_err *err, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int h5_bad(ccs_err *err, const char *path, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "not a readable HDF5 trace: %s", what);
}

/* The text of attribute a, of file type ft (a fixed- or variable-length string); -1 if it
 * cannot be read as one. */
static int attr_text(hid_t a, hid_t ft, char **out)
{
    htri_t var = H5Tis_variable_str(ft);
    size_t n = H5Tget_size(ft);
    hid_t mt = var < 0 ? -1 : H5Tcopy(H5T_C_S1);
    int rc = -1;
    if (mt < 0) return -1;
    /* HDF5 converts no text between character sets: read UTF-8 as UTF-8 (ccsim's own files), ASCII as ASCII */
    H5T_cset_t cset = H5Tget_cset(ft);
    if (cset < 0 || H5Tset_cset(mt, cset) < 0) {
        H5Tclose(mt);
        return -1;
    }
    if (var) {
        char *s = NULL;
        if (H5Tset_size(mt, H5T_VARIABLE) >= 0 && H5Aread(a, mt, &s) >= 0) {
            if (!s || strnlen(s, H5_ATTR_MAX + 1) <= H5_ATTR_MAX) *out = strdup(s ? s : "");
            H5free_memory(s);
            rc = *out ? 0 : -1;
        }
    } else if (n > 0 && n <= H5_ATTR_MAX && H5Tset_size(mt, n + 1) >= 0 && (*out = calloc(n + 2, 1))) {
        rc = H5Aread(a, mt, *out) >= 0 ? 0 : -1;
    }
    H5Tclose(mt);
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* A single-string attribute `name` of dataset `dset`, "" if it has none. */
static int read_str_attr(hid_t obj, const char *dset, const char *name, const char *path, char **out, ccs_err *err)
{
    *out = NULL;
    htri_t has = H5Aexists(obj, name);
    if (has < 0) return h5_bad(err, path, "cannot look up attribute '%s' of '/%s'", name, dset);
    if (!has) {
        *out = strdup("");
        return *out ? 0 : ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = a < 0 ? -1 : H5Aget_type(a);
    hid_t sp = a < 0 ? -1 : H5Aget_space(a);
    int rc = 0;
    if (ft < 0 || sp < 0)
        rc = h5_bad(err, path, "cannot open attribute '%s' of '/%s'", name, dset);
    else if (H5Tget_class(ft) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1)
        rc = h5_bad(err, path, "attribute '%s' of '/%s' is not one text: expected a string such as \"gCO2e/kWh\"", name,
                    dset);
    else if (attr_text(a, ft, out) != 0)
        rc = h5_bad(err, path, "cannot read attribute '%s' of '/%s' as a text of at most %d bytes", name, dset,
                    H5_ATTR_MAX);
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    if (a >= 0) H5Aclose(a);
    return rc;
}

/* Whether dataset d keeps its data in this file (a hard link, no external or virtual storage):
 * a trace from someone else must not make us read other files. */
static int stored_here(hid_t f, hid_t d, const char *name)
{
    H5L_info_t link;
    if (H5Lget_info(f, name, &link, H5P_DEFAULT) < 0 || link.type != H5L_TYPE_HARD) return 0;
    hid_t dcpl = H5Dget_create_plist(d);
    if (dcpl < 0) return 0;
    H5D_layout_t layout = H5Pget_layout(dcpl);
    int external = H5Pget_external_count(dcpl);
    H5Pclose(dcpl);
    return external == 0 && (layout == H5D_COMPACT || layout == H5D_CONTIGUOUS || layout == H5D_CHUNKED);
}

/* The size of d's elements if they are numbers of at most 16 bytes, else 0: strings,
 * compounds or a damaged header's 4 GiB float are refused before HDF5 tries to convert them
 * (which, for the last, takes gigabytes and then crashes). */
static size_t number_size(hid_t d, H5T_class_t *cls)
{
    hid_t ty = H5Dget_type(d);
    *cls = H5T_NO_CLASS;
    if (ty < 0) return 0;
    *cls = H5Tget_class(ty);
    size_t n = H5Tget_size(ty);
    H5Tclose(ty);
    return (*cls == H5T_INTEGER || *cls == H5T_FLOAT) && n >= 1 && n <= 16 ? n : 0;
}

/* Whether d's chunks (if chunked) are of a believable size: HDF5 allocates a whole chunk, and
 * a buffer of a chunk's stored size, to read any of it, so a damaged header's 4 GiB chunk costs
 * 4 GiB (and, with glibc's MALLOC_PERTURB_, half a minute filling it) before it fails. Each
 * stored chunk must also lie inside the file. d is one-dimensional, of n elements. */
static int chunks_ok(hid_t d, size_t elem, hsize_t n, off_t file_size)
{
    hid_t dcpl = H5Dget_create_plist(d);
    if (dcpl < 0) return 0;
    int ok = 1;
    if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t dim[H5S_MAX_RANK], limit = H5_MAX_CHUNK;
        if ((hsize_t)file_size < limit / H5_MAX_RATIO) limit = (hsize_t)file_size * H5_MAX_RATIO;
        ok = H5Pget_chunk(dcpl, H5S_MAX_RANK, dim) == 1 && dim[0] > 0 && dim[0] <= limit / elem;
        /* by coordinates: O(log chunks) each (H5Dget_chunk_info by index walks the index) */
        for (hsize_t at[1] = {0}; ok && at[0] < n; at[0] += dim[0]) {
            hsize_t size = 0;
            haddr_t addr = HADDR_UNDEF;
            unsigned mask;
            ok = H5Dget_chunk_info_by_coord(d, at, &mask, &addr, &size) >= 0 &&
                 (addr == HADDR_UNDEF || (addr <= (haddr_t)file_size && size <= (hsize_t)file_size - addr));
        }
    }
    H5Pclose(dcpl);
    return ok;
}

/* Opens /name, which must be a one-dimensional dataset of numbers in this file (of file_size
 * bytes); *n gets its length, *elem its element size. *d is -1 unless opened. */
static int open_1d(hid_t f, const char *name, const char *path, off_t file_size, hid_t *d, hsize_t *n, size_t *elem,
                   ccs_err *err)
{
    *n = 0;
    *d = H5Dopen2(f, name, H5P_DEFAULT);
    if (*d < 0) return h5_bad(err, path, "cannot open dataset '/%s': %s", name, h5_reason((char[256]){0}));
    if (!stored_here(f, *d, name))
        return h5_bad(err, path,
                      "'/%s' is a link or keeps its data outside the file: expected a dataset "
                      "stored in the file itself",
                      name);
    H5T_class_t cls;
    if (!(*elem = number_size(*d, &cls)))
        return h5_bad(err, path, "'/%s' holds %s: expected numbers (int64 microseconds for '/timestamp_us')", name,
                      cls == H5T_STRING                        ? "text"
                      : cls == H5T_INTEGER || cls == H5T_FLOAT ? "numbers of an unusable size"
                                                               : "values that are not numbers");
    hid_t sp = H5Dget_space(*d);
    int rank = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
    hsize_t dims[1] = {0};
    if (rank == 1 && H5Sget_simple_extent_dims(sp, dims, NULL) < 0) rank = -1;
    if (sp >= 0) H5Sclose(sp);
    if (rank < 0) return h5_bad(err, path, "cannot read the shape of dataset '/%s'", name);
    if (rank != 1)
        return h5_bad(err, path,
                      "'/%s' has %d dimensions: expected one-dimensional datasets '/timestamp_us' and "
                      "the values, of equal length",
                      name, rank);
    /* Stored data is at least 1/1032 of its size (deflate's best ratio; the other layouts store
     * it whole): a header claiming more elements than that is damaged, and must not make us
     * allocate and read gigabytes of fill values. */
    if (dims[0] > (hsize_t)file_size * H5_MAX_RATIO / *elem)
        return h5_bad(err, path,
                      "'/%s' claims %llu rows, more than a file of %lld bytes can hold: "
                      "a damaged header?",
                      name, (unsigned long long)dims[0], (long long)file_size);
    if (!chunks_ok(*d, *elem, dims[0], file_size))
        return h5_bad(err, path,
                      "'/%s' is stored in chunks larger than %d MiB, or than a file of %lld bytes "
                      "could hold: a damaged header?",
                      name, H5_MAX_CHUNK >> 20, (long long)file_size);
    *n = dims[0];
    return 0;
}

static void h5_trace_free(h5_trace *h)
{
    rows_free(&h->r);
    free(h->units);
    free(h->kind);
}

/* Reads the datasets and attributes of an open file of file_size bytes into h. */
static int h5_read_file(hid_t f, const char *path, off_t file_size, const char *value_name, h5_trace *h, ccs_err *err)
{
    if (H5Lexists(f, "timestamp_us", H5P_DEFAULT) <= 0 || *value_name == '\0' ||
        H5Lexists(f, value_name, H5P_DEFAULT) <= 0)
        return h5_bad(err, path, "datasets '/timestamp_us' and '/%s' expected (as written by 'ccsim import')",
                      value_name);
    hid_t dt, dv = -1;
    hsize_t nt, nv = 0;
    size_t et = 0, ev = 0;
    int rc = open_1d(f, "timestamp_us", path, file_size, &dt, &nt, &et, err);
    if (!rc) rc = open_1d(f, value_name, path, file_size, &dv, &nv, &ev, err);
    if (!rc && nt != nv)
        rc = h5_bad(err, path, "'/timestamp_us' has %llu rows and '/%s' %llu: expected equal lengths",
                    (unsigned long long)nt, value_name, (unsigned long long)nv);
    rows *r = &h->r;
    if (!rc) {
        size_t n = (size_t)nt ? (size_t)nt : 1;
        r->t_us = calloc(n, sizeof *r->t_us);
        r->v = calloc(n, sizeof *r->v);
        r->line = malloc(n * sizeof *r->line);
        r->missing = malloc(n);
        if (!r->t_us || !r->v || !r->line || !r->missing)
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
        else
            r->n = r->cap = (size_t)nt;
    }
    if (!rc && nt > 0 &&
        (H5Dread(dt, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->t_us) < 0 ||
         H5Dread(dv, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->v) < 0))
        rc = h5_bad(err, path, "cannot read '/timestamp_us' and '/%s' as int64 and double: %s", value_name,
                    h5_reason((char[256]){0}));
    for (size_t i = 0; !rc && i < r->n; i++) {
        r->line[i] = (long)i + 1;
        r->missing[i] = isnan(r->v[i]);
        if (r->t_us[i] < H5_MIN_US || r->t_us[i] >= H5_END_US)
            rc = row_err(err, path, true, r->line[i],
                         "timestamp %lld is outside the years 0000 to 9999: expected microseconds since "
                         "1970-01-01T00:00:00Z",
                         (long long)r->t_us[i]);
    }
    if (!rc) rc = read_str_attr(dv, value_name, "units", path, &h->units, err);
    if (!rc) rc = read_str_attr(dv, value_name, "kind", path, &h->kind, err);
    if (dt >= 0 && H5Dclose(dt) < 0 && !rc) rc = h5_bad(err, path, "cannot close '/timestamp_us'");
    if (dv >= 0 && H5Dclose(dv) < 0 && !rc) rc = h5_bad(err, path, "cannot close '/%s'", value_name);
    return rc;
}

/* Everything the loader takes from the file, read with every HDF5 call checked. */
static int h5_read(const char *path, const char *value_name, h5_trace *h, ccs_err *err)
{
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0) /* errors are ours to report, not printed */
        return ccs_err_set(err, CCS_ERUN, "cannot set up the HDF5 library");
    struct stat st;
    if (stat(path, &st) != 0)
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read trace file: %s", strerror(errno));
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return h5_bad(err, path, "cannot open it as HDF5 (%s): expected a file written by 'ccsim import'",
                      h5_reason((char[256]){0}));
    int rc = h5_read_file(f, path, st.st_size, value_name, h, err);
    if (H5Fclose(f) < 0 && !rc) rc = h5_bad(err, path, "cannot close it");
    return rc;
}

static const char *signal_name(int sig, char buf[32])
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {
        {SIGFPE, "SIGFPE"},   {SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"},   {SIGILL, "SIGILL"},
        {SIGABRT, "SIGABRT"}, {SIGSYS, "SIGSYS"},   {SIGTRAP, "SIGTRAP"}, {SIGALRM, "SIGALRM"},
        {SIGKILL, "SIGKILL"}, {SIGINT, "SIGINT"},   {SIGTERM, "SIGTERM"}, {SIGHUP, "SIGHUP"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig) return names[i].name;
    snprintf(buf, 32, "signal %d", sig);
    return buf;
}

/* The child's side of h5_probe: reads the file, sends its error (if any) down `out`, and exits
 * 0 when the file read cleanly. A crash ends it with the signal, as a crash would. */
__attribute__((noreturn)) static void h5_probe_child(const char *path, const char *value_name, unsigned limit_s,
                                                     int out)
{
    static const int defaults[] = {SIGFPE, SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGALRM, SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core); /* a crash here is the expected failure: no core file */
    /* The parent's handlers (a sanitizer's, a fuzzer's, a CLI's cleanup) are not for this child:
     * it must die of what kills it, so that the parent can tell. */
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) signal(defaults[i], SIG_DFL);
    alarm(limit_s);
    h5_trace h = {0};
    ccs_err e = {0};
    int rc = h5_read(path, value_name, &h, &e);
    if (rc) {
        e.code = rc;
        const char *p = (const char *)&e;
        for (size_t left = sizeof e; left > 0;) {
            ssize_t w = write(out, p, left);
            if (w <= 0 && errno != EINTR) break;
            if (w > 0) p += w, left -= (size_t)w;
        }
    }
    ccs_child_exit(rc ? 1 : 0); /* no atexit handlers, no stdio flush: the parent's business */
}

/* Reads the file in a child process first: 0 if the child came through, else the error it
 * reported, or one naming the signal that ended it. */
static int h5_probe(const char *path, const char *value_name, ccs_err *err)
{
    int fd[2];
    if (pipe(fd) != 0) return ccs_err_at(err, CCS_ERUN, path, 0, 0, "cannot check the HDF5 file: %s", strerror(errno));
    struct stat st;
    off_t size = stat(path, &st) == 0 && st.st_size > 0 ? st.st_size : 0;
    unsigned limit_s = H5_PROBE_BASE_S + (unsigned)(size / H5_PROBE_BYTES_PER_S);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        h5_probe_child(path, value_name, limit_s, fd[1]);
    }
    int fork_errno = errno;
    close(fd[1]);
    ccs_err child = {0};
    size_t got = 0;
    while (pid > 0 && got < sizeof child) {
        ssize_t n = read(fd[0], (char *)&child + got, sizeof child - got);
        if (n == 0 || (n < 0 && errno != EINTR)) break;
        if (n > 0) got += (size_t)n;
    }
    close(fd[0]);
    if (pid < 0) return ccs_err_at(err, CCS_ERUN, path, 0, 0, "cannot check the HDF5 file: %s", strerror(fork_errno));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return ccs_err_at(err, CCS_ERUN, path, 0, 0, "cannot check the HDF5 file: %s", strerror(errno));
    char buf[32];
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return CCS_OK;
    if (WIFEXITED(status) && got == sizeof child && child.code != 0) {
        child.msg[sizeof child.msg - 1] = '\0';
        if (err) *err = child;
        return child.code;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        return ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                          "damaged HDF5 file (the HDF5 library was still reading it after %u s)", limit_s);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (sig == SIGKILL || sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
        return ccs_err_at(err, CCS_ERUN, path, 0, 0, "reading the HDF5 file was interrupted (%s)",
                          signal_name(sig, buf));
    if (sig)
        return ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                          "damaged HDF5 file (the HDF5 library crashed reading it: %s): expected a trace "
                          "written by 'ccsim import'",
                          signal_name(sig, buf));
    return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "damaged HDF5 file (the process reading it exited with status %d)",
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Files that came through the child's read, by their bytes: a sweep worker or a benchmark loads
 * the same traces run after run, and a fork plus a second read of a year of data costs tens of
 * milliseconds each time. Kept whole and compared whole (no hash to collide, no file time, which
 * a fast rewrite can leave unchanged), at most PROBED_BYTES in all; a file whose bytes match one
 * that came through is not read in a child again. */
enum { PROBED_MAX = 32, PROBED_BYTES = 64 << 20 };
typedef struct probed {
    unsigned char *bytes;
    size_t len;
    char value_name[64];
} probed;
static probed probed_files[PROBED_MAX];
static size_t probed_next, probed_total;
static pthread_mutex_t probed_lock = PTHREAD_MUTEX_INITIALIZER;

static _Atomic size_t hold_limit = PROBED_BYTES / 4;

size_t ccs_trace_set_hold_limit(size_t bytes) { return atomic_exchange(&hold_limit, bytes); }

/* The whole file, or NULL (unreadable, not a regular file, or larger than hold_limit). */
static unsigned char *file_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *buf = NULL;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uintmax_t)st.st_size <= (uintmax_t)atomic_load(&hold_limit) &&
        (buf = malloc((size_t)st.st_size + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)st.st_size + 1, f);
        if (*len != (size_t)st.st_size) { /* changed while read: not worth keeping */
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static bool probed_before(const unsigned char *bytes, size_t len, const char *value_name)
{
    bool hit = false;
    pthread_mutex_lock(&probed_lock);
    for (size_t i = 0; i < PROBED_MAX && !hit; i++) {
        const probed *p = &probed_files[i];
        hit = p->bytes && p->len == len && strcmp(p->value_name, value_name) == 0 && memcmp(p->bytes, bytes, len) == 0;
    }
    pthread_mutex_unlock(&probed_lock);
    return hit;
}

/* Keeps the bytes (taking them over); the oldest go first. */
static void remember_probed(unsigned char *bytes, size_t len, const char *value_name)
{
    if (strlen(value_name) >= sizeof probed_files[0].value_name) {
        free(bytes);
        return;
    }
    pthread_mutex_lock(&probed_lock);
    for (size_t k = 0; k < PROBED_MAX && probed_total + len > PROBED_BYTES; k++) {
        probed *old = &probed_files[(probed_next + k) % PROBED_MAX];
        probed_total -= old->len;
        free(old->bytes);
        *old = (probed){0};
    }
    probed *p = &probed_files[probed_next];
    probed_total -= p->len;
    free(p->bytes);
    *p = (probed){bytes, len, {0}};
    snprintf(p->value_name, sizeof p->value_name, "%s", value_name);
    probed_total += len;
    probed_next = (probed_next + 1) % PROBED_MAX;
    pthread_mutex_unlock(&probed_lock);
}

static int load_h5(const source *src, const ccs_trace_opts *opts, bool probe, ccs_trace *t, ccs_err *err)
{
    const char *path = src->path, *value_name = opts->column ? opts->column : "value";
    /* src's bytes are trace_load's read; a file too large to hold them is probed every time */
    bool known = !probe || (src->bytes && probed_before(src->bytes, src->len, value_name));
    int rc = known ? 0 : h5_probe(path, value_name, err);
    if (rc) return rc;
    /* kept only if the file still holds the bytes read before the child's read */
    if (!known && src->bytes) {
        size_t len2 = 0;
        unsigned char *again = file_bytes(path, &len2);
        if (again && len2 == src->len && memcmp(again, src->bytes, src->len) == 0)
            remember_probed(again, len2, value_name); /* the same bytes: the list keeps this copy */
        else
            free(again);
    }
    h5_trace h = {0};
    rc = h5_read(path, value_name, &h, err);
    if (!rc) {
        t->units = h.units;
        t->kind = h.kind;
        h.units = h.kind = NULL;
        t->format = strdup("hdf5");
        t->column = strdup(value_name);
        rc = t->format && t->column ? finish(&h.r, path, true, opts, t, err)
                                    : ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    h5_trace_free(&h);
    return rc;
}

static bool is_hdf5_file(const source *src)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (src->bytes) return src->len >= sizeof sig && memcmp(src->bytes, sig, sizeof sig) == 0;
    unsigned char head[8];
    FILE *f = fopen(src->path, "rb");
    if (!f) return false;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && memcmp(head, sig, sizeof sig) == 0;
}

/* ---- kinds and units ---- */

/* Brings t to the canonical units of the kind the caller needs (ccs_quantity.h), or refuses it:
 * a trace of another kind, units ccsim cannot read when a kind is needed, prices in another
 * currency without a stated rate. What was assumed or converted goes into t->note. */
static int settle_units(ccs_trace *t, const ccs_trace_opts *o, ccs_err *err)
{
    ccs_qkind want = o->kind ? ccs_qkind_from_name(o->kind) : CCS_Q_UNKNOWN;
    const char *text = o->units ? o->units : t->units ? t->units : "";
    const char *col = t->column ? t->column : "value";
    ccs_unit u;
    bool stated = *text != '\0';
    bool known = stated && ccs_unit_parse(text, &u) == 0;
    if (stated && !known) {
        if (want == CCS_Q_UNKNOWN) return 0; /* nothing needed of it: kept as the file says */
        return ccs_err_at(err, CCS_EINPUT, t->path, 0, 0,
                          "%s units '%s' (column '%s') are not units ccsim knows: expected %s; declare the file's "
                          "units with 'units:' (--units in ccsim import)",
                          o->units ? "the declared" : "the file's", text, col, CCS_UNITS_KNOWN);
    }
    ccs_qkind file_kind = ccs_qkind_from_name(t->kind);
    if (known && file_kind != CCS_Q_UNKNOWN && file_kind != u.kind && !o->units)
        return ccs_err_at(err, CCS_EINPUT, t->path, 0, 0, "the file says it is %s but its units are '%s' (%s)",
                          ccs_qkind_phrase(file_kind), text, ccs_qkind_phrase(u.kind));
    if (known) file_kind = u.kind;
    if (want != CCS_Q_UNKNOWN && file_kind != CCS_Q_UNKNOWN && file_kind != want)
        return ccs_err_at(err, CCS_EINPUT, t->path, 0, 0,
                          "this is %s (column '%s', in %s), given where %s is needed: expected a file of %s%s",
                          ccs_qkind_phrase(file_kind), col, text, ccs_qkind_phrase(want), ccs_qkind_name(want),
                          o->units ? " (or declared units of that kind)" : "");
    ccs_qkind kind = want != CCS_Q_UNKNOWN ? want : file_kind;
    if (kind == CCS_Q_UNKNOWN) return 0; /* a plain timestamp,value file read for no one in particular */
    char note[320] = "";
    if (!known) {
        if (kind == CCS_Q_PRICE && !o->currency) return 0;
        ccs_unit_canonical(kind, o->currency, &u);
        snprintf(note, sizeof note, "units not stated in the file: taken as %s", u.canonical);
    }
    size_t n = t->n;
    if (u.factor != 1.0 || u.offset != 0.0) {
        for (size_t i = 0; i < n; i++) t->v[i] = t->v[i] * u.factor + u.offset;
        char offset[40] = ""; /* degrees only */
        if (u.offset != 0.0) snprintf(offset, sizeof offset, " %s %.6g", u.offset < 0 ? "-" : "+", fabs(u.offset));
        snprintf(note, sizeof note, "converted from %s to %s (x %.6g%s)", text, u.canonical, u.factor, offset);
    }
    if (kind == CCS_Q_PRICE && o->currency && strcmp(u.currency, o->currency) != 0) {
        const ccs_fx *fx = NULL;
        for (size_t i = 0; i < o->nfx && !fx; i++)
            if (o->fx[i].from && strcmp(o->fx[i].from, u.currency) == 0) fx = &o->fx[i];
        if (!fx)
            return ccs_err_at(err, CCS_EINPUT, t->path, 0, 0,
                              "prices in %s (column '%s'), but the scenario's currency is %s: expected prices in %s, "
                              "or a stated rate: fx: [{from: %s, rate: <%s per %s>, date: <when published>, source: "
                              "<who published it>}]",
                              u.currency, col, o->currency, o->currency, u.currency, o->currency, u.currency);
        for (size_t i = 0; i < n; i++) t->v[i] *= fx->rate;
        size_t len = strlen(note);
        snprintf(note + len, sizeof note - len, "%sconverted from %s at %.6g %s per %s (%s, %s)", len ? "; " : "",
                 u.currency, fx->rate, o->currency, u.currency, fx->source, fx->date);
        ccs_unit_canonical(CCS_Q_PRICE, o->currency, &u);
    }
    free(t->units);
    free(t->kind);
    free(t->note);
    t->units = strdup(u.canonical);
    t->kind = strdup(ccs_qkind_name(kind));
    t->note = strdup(note);
    if (!t->units || !t->kind || !t->note) return ccs_err_set(err, CCS_ERUN, "out of memory");
    return 0;
}

/* ---- Traces already loaded ----
 * A sweep worker runs hundreds of scenarios that read the same files with the same options, and
 * parsing them was most of its time (perf, sweep-tolerance's 105 runs on one worker: 63% under
 * load_csv, each run reading two 17,568-row carbon files). A load whose path, options and file
 * bytes equal an earlier successful one's shares that trace: a trace never changes once loaded
 * (ccs_trace.h has only getters), and ccs_trace_destroy frees it when its last holder (the cache
 * is one) lets go. Bytes compared whole, as probed_files above (no file time, which a fast
 * rewrite can leave unchanged), and read again after the parse: a file that changed meanwhile is
 * not kept. At most LOADED_MAX traces and LOADED_BYTES of file bytes; the least recently used go
 * first. The time-zone database, the other input of a parse, does not change within a process. */
enum { LOADED_MAX = 16, LOADED_BYTES = 64 << 20 };
typedef struct loaded {
    char *key; /* the path and every option, as text (opts_key) */
    unsigned char *bytes;
    size_t len;
    ccs_trace *t;
    uint64_t used;
} loaded;
static loaded loaded_traces[LOADED_MAX];
static size_t loaded_total;
static uint64_t loaded_clock;
static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;

static void key_str(FILE *f, const char *s)
{
    if (s)
        fprintf(f, "%zu:%s|", strlen(s), s); /* the length first: no separator inside s can fake a field */
    else
        fputs("-|", f);
}

/* The path and everything in opts that a load reads, as text. A field added to ccs_trace_opts,
 * ccs_stamp_opts or ccs_fx must be added here (their headers say so). NULL if out of memory. */
static char *opts_key(const char *path, const ccs_trace_opts *o)
{
    char *key = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&key, &size);
    if (!f) return NULL;
    key_str(f, path);
    fprintf(f, "%d %d %lld|", (int)o->fill, (int)o->allow_negative, (long long)o->bin_us);
    key_str(f, o->column);
    key_str(f, o->select);
    key_str(f, o->time_column);
    key_str(f, o->stamp.format);
    key_str(f, o->stamp.timezone);
    fprintf(f, "%d %d %lld %a|", (int)o->stamp.day_first, (int)o->stamp.has_origin, (long long)o->stamp.origin_us,
            o->stamp.unit_us);
    key_str(f, o->kind);
    key_str(f, o->units);
    key_str(f, o->currency);
    fprintf(f, "%zu|", o->nfx);
    for (size_t i = 0; i < o->nfx; i++) {
        key_str(f, o->fx[i].from);
        fprintf(f, "%a|", o->fx[i].rate);
        key_str(f, o->fx[i].date);
        key_str(f, o->fx[i].source);
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(key);
        return NULL;
    }
    return key;
}

/* The trace loaded from these bytes with this key, now shared with the caller; NULL if none. */
static ccs_trace *loaded_find(const char *key, const unsigned char *bytes, size_t len)
{
    ccs_trace *t = NULL;
    pthread_mutex_lock(&loaded_lock);
    for (size_t i = 0; i < LOADED_MAX && !t; i++) {
        loaded *l = &loaded_traces[i];
        if (l->t && l->len == len && strcmp(l->key, key) == 0 && memcmp(l->bytes, bytes, len) == 0) {
            t = l->t;
            t->shares++;
            l->used = ++loaded_clock;
        }
    }
    pthread_mutex_unlock(&loaded_lock);
    return t;
}

static void trace_free(ccs_trace *t);
static int trace_parse(const source *src, const ccs_trace_opts *opts, bool probe, ccs_trace **out, ccs_err *err);

/* Drops entry l (under loaded_lock): its bytes, and the cache's hold on its trace. */
static void loaded_drop(loaded *l)
{
    loaded_total -= l->len;
    free(l->key);
    free(l->bytes);
    if (l->t->shares > 0)
        l->t->shares--;
    else
        trace_free(l->t);
    *l = (loaded){0};
}

/* Keeps t (loaded from bytes with key, both taken over) for later loads. */
static void loaded_keep(char *key, unsigned char *bytes, size_t len, ccs_trace *t)
{
    pthread_mutex_lock(&loaded_lock);
    for (;;) { /* room: a free entry, and the bytes within LOADED_BYTES */
        loaded *oldest = NULL;
        size_t used = 0;
        for (size_t i = 0; i < LOADED_MAX; i++) {
            loaded *l = &loaded_traces[i];
            used += l->t != NULL;
            if (l->t && (!oldest || l->used < oldest->used)) oldest = l;
        }
        if (!oldest || (used < LOADED_MAX && loaded_total + len <= LOADED_BYTES)) break;
        loaded_drop(oldest);
    }
    for (size_t i = 0; i < LOADED_MAX; i++) {
        loaded *l = &loaded_traces[i];
        if (l->t) continue;
        t->shares++;
        *l = (loaded){key, bytes, len, t, ++loaded_clock};
        loaded_total += len;
        key = NULL;
        bytes = NULL;
        break;
    }
    pthread_mutex_unlock(&loaded_lock);
    free(key);
    free(bytes);
}

static int trace_load(const char *path, const ccs_trace_opts *opts, bool probe, ccs_trace **out, ccs_err *err)
{
    static const ccs_trace_opts defaults = {0};
    if (!opts) opts = &defaults;
    *out = NULL;
    if (!path) return ccs_err_set(err, CCS_ERUN, "a trace without a path");
    /* The file is read once, and parsed from these bytes (source above). The cache serves the
     * public entry only: the fuzz harnesses' entry parses every input. */
    size_t len = 0;
    unsigned char *bytes = file_bytes(path, &len);
    char *key = NULL;
    if (probe && bytes && len <= LOADED_BYTES / 4 && (key = opts_key(path, opts)) != NULL &&
        (*out = loaded_find(key, bytes, len)) != NULL) {
        free(key);
        free(bytes);
        return CCS_OK;
    }
    source src = {path, bytes, len};
    int rc = trace_parse(&src, opts, probe, out, err);
    /* A trace parsed from the bytes is theirs. HDF5 reads the path itself: that trace is kept only
     * if the file still holds the bytes read before (it may have changed meanwhile). */
    bool keep = rc == CCS_OK && key;
    if (keep && is_hdf5_file(&src)) {
        size_t len2 = 0;
        unsigned char *again = file_bytes(path, &len2);
        keep = again && len2 == len && memcmp(again, bytes, len) == 0;
        free(again);
    }
    if (keep) {
        loaded_keep(key, bytes, len, *out);
        key = NULL;
        bytes = NULL;
    }
    free(key);
    free(bytes);
    return rc;
}

static int trace_parse(const source *src, const ccs_trace_opts *opts, bool probe, ccs_trace **out, ccs_err *err)
{
    const char *path = src->path;
    *out = NULL;
    ccs_trace *t = calloc(1, sizeof *t);
    if (!t) return ccs_err_set(err, CCS_ERUN, "out of memory");
    t->path = strdup(path);
    struct stat st;
    int e = access(path, R_OK) != 0 ? errno : stat(path, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e) {
        ccs_trace_destroy(t);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read trace file: %s", strerror(e));
    }
    int rc = is_hdf5_file(src)    ? load_h5(src, opts, probe, t, err)
             : is_json_file(src)  ? load_json(src, opts, t, err)
             : is_access_log(src) ? load_access_log(src, opts, t, err)
                                  : load_csv(src, opts, t, err);
    if (rc == CCS_OK) rc = settle_units(t, opts, err);
    if (rc != CCS_OK) {
        ccs_trace_destroy(t);
        return rc;
    }
    *out = t;
    return CCS_OK;
}

int ccs_trace_load(const char *path, const ccs_trace_opts *opts, ccs_trace **out, ccs_err *err)
{
    return trace_load(path, opts, true, out, err);
}

int ccs_trace_load_unguarded(const char *path, const ccs_trace_opts *opts, ccs_trace **out, ccs_err *err)
{
    return trace_load(path, opts, false, out, err);
}

/* Text attributes as variable-length UTF-8: h5py reads them as str, not bytes (docs/outputs.md). */
static int write_str_attr(hid_t obj, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = -1;
    if (type >= 0 && space >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 && H5Tset_cset(type, H5T_CSET_UTF8) >= 0)
        a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, &value);
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

static int write_i64_attr(hid_t obj, const char *name, int64_t value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = space < 0 ? -1 : H5Acreate2(obj, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_INT64, &value);
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

static hid_t write_1d(hid_t file, const char *name, hid_t type, size_t n, const void *data)
{
    hsize_t dims[1] = {n};
    hsize_t chunk[1] = {n < 4096 ? (n ? n : 1) : 4096};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    hid_t d = -1;
    /* no modification times: the same CSV gives the same bytes */
    if (space >= 0 && plist >= 0 && H5Pset_chunk(plist, 1, chunk) >= 0 && H5Pset_shuffle(plist) >= 0 &&
        H5Pset_deflate(plist, 6) >= 0 && H5Pset_obj_track_times(plist, 0) >= 0)
        d = H5Dcreate2(file, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    if (d >= 0 && n > 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        H5Dclose(d);
        d = -1;
    }
    if (plist >= 0) H5Pclose(plist);
    if (space >= 0) H5Sclose(space);
    return d;
}

/* The datasets and attributes of t, in an open file. */
static int write_trace(hid_t f, const ccs_trace *t, const char *source)
{
    hid_t dt = write_1d(f, "timestamp_us", H5T_NATIVE_INT64, t->n, t->t_us);
    hid_t dv = write_1d(f, "value", H5T_NATIVE_DOUBLE, t->n, t->v);
    int bad = dt < 0 || dv < 0;
    if (!bad) {
        bad |= write_str_attr(dt, "units", "microseconds since 1970-01-01T00:00:00Z (UTC)");
        bad |= write_str_attr(dv, "units", t->units ? t->units : "");
        bad |= write_str_attr(dv, "kind", t->kind ? t->kind : "");
        bad |= write_str_attr(dv, "source", source ? source : t->path);
        bad |= write_str_attr(dv, "csv_format", t->format ? t->format : "");
        bad |= write_str_attr(dv, "csv_column", t->column ? t->column : "");
        bad |= write_i64_attr(dv, "step_s", t->step_us / CCS_US_PER_S);
        bad |= write_str_attr(dv, "note", t->note ? t->note : "");
        bad |= write_str_attr(dv, "convention", "value stamped t holds for [t, next stamp)");
    }
    if (dt >= 0) bad |= H5Dclose(dt) < 0;
    if (dv >= 0) bad |= H5Dclose(dv) < 0;
    return bad ? -1 : 0;
}

/* The HDF5 file for t, built in memory (the core driver, no backing store): *image gets its
 * bytes (malloc'd). In memory because libhdf5 1.10.8, after a file close that failed on a full
 * disk, crashes when the process exits (H5F__close_cb): the bytes are written by write_bytes,
 * whose failures are plain errno. */
static int build_image(const ccs_trace *t, const char *source, void **image, size_t *size, char why[256])
{
    *image = NULL;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t f = -1;
    if (fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 16, 0) >= 0)
        f = H5Fcreate("ccsim-trace-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    int bad = f < 0 || write_trace(f, t, source) != 0 || H5Fflush(f, H5F_SCOPE_GLOBAL) < 0;
    ssize_t n = bad ? -1 : H5Fget_file_image(f, NULL, 0);
    if (n > 0 && (*image = malloc((size_t)n)) && H5Fget_file_image(f, *image, (size_t)n) == n)
        *size = (size_t)n;
    else
        bad = 1;
    if (bad) h5_reason(why);
    if (f >= 0) bad |= H5Fclose(f) < 0;
    if (fapl >= 0) H5Pclose(fapl);
    if (bad) {
        free(*image);
        *image = NULL;
    }
    return bad ? -1 : 0;
}

/* Writes n bytes to a new file `path`, on disk (fsync) before it returns; errno on failure. */
static int write_bytes(const char *path, const void *buf, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return errno;
    int e = 0;
    for (const char *p = buf; n > 0 && !e;) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno != EINTR)
            e = errno;
        else if (w > 0)
            p += w, n -= (size_t)w;
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    return e;
}

int ccs_trace_save_h5(const ccs_trace *t, const char *path, const char *source, ccs_err *err)
{
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0) return ccs_err_set(err, CCS_ERUN, "cannot set up the HDF5 library");
    char tmp[4096], why[256] = "";
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write: %s", strerror(ENAMETOOLONG));
    void *image;
    size_t size = 0;
    if (build_image(t, source, &image, &size, why) != 0)
        return ccs_err_at(err, CCS_ERUN, path, 0, 0, "cannot build the HDF5 file: %s", why);
    int e = write_bytes(tmp, image, size);
    free(image);
    if (e) {
        unlink(tmp);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write HDF5 file (as %s): %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write HDF5 file (renaming %s into place): %s", tmp,
                          strerror(e));
    }
    return CCS_OK;
}

void ccs_trace_destroy(ccs_trace *t)
{
    if (!t) return;
    pthread_mutex_lock(&loaded_lock);
    bool shared = t->shares > 0;
    if (shared) t->shares--;
    pthread_mutex_unlock(&loaded_lock);
    if (!shared) trace_free(t);
}

static void trace_free(ccs_trace *t)
{
    free(t->t_us);
    free(t->v);
    free(t->path);
    free(t->units);
    free(t->kind);
    free(t->note);
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
const char *ccs_trace_note(const ccs_trace *t) { return t->note ? t->note : ""; }
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
        if (t->t_us[mid] <= t_us)
            lo = mid;
        else
            hi = mid;
    }
    *hint = lo;
    return (long)lo;
}

/* ---- constants and references ---- */

int ccs_trace_constant(double value, const ccs_trace_opts *opts, int64_t start_us, int64_t end_us, ccs_trace **out,
                       ccs_err *err)
{
    static const ccs_trace_opts defaults = {0};
    if (!opts) opts = &defaults;
    *out = NULL;
    if (!isfinite(value) || end_us <= start_us)
        return ccs_err_set(err, CCS_EINPUT, "a constant trace needs a finite value and a period");
    ccs_trace *t = calloc(1, sizeof *t);
    if (!t) return ccs_err_set(err, CCS_ERUN, "out of memory");
    char text[64];
    snprintf(text, sizeof text, "(constant %.6g)", value);
    t->n = 2;
    t->t_us = malloc(2 * sizeof *t->t_us);
    t->v = malloc(2 * sizeof *t->v);
    t->path = strdup(text);
    t->format = strdup("constant");
    t->column = strdup("value");
    t->units = strdup(opts->units ? opts->units : "");
    t->kind = strdup("");
    int rc = CCS_OK;
    if (!t->t_us || !t->v || !t->path || !t->format || !t->column || !t->units || !t->kind) {
        rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    } else {
        t->t_us[0] = start_us;
        t->t_us[1] = start_us + (end_us - start_us) / 2;
        t->step_us = t->t_us[1] - t->t_us[0];
        t->v[0] = t->v[1] = value;
        ccs_trace_opts o = *opts;
        o.units = NULL; /* t->units holds them */
        rc = settle_units(t, &o, err);
    }
    if (!rc && value < 0 && !opts->allow_negative && strcmp(t->kind, "price") != 0 &&
        strcmp(t->kind, "temperature") != 0)
        rc = ccs_err_set(err, CCS_EINPUT, "a constant of %g: expected a value >= 0 for %s", value,
                         *t->kind ? t->kind : "this trace");
    if (rc) {
        ccs_trace_destroy(t);
        return rc;
    }
    const char *was = t->note ? t->note : "";
    size_t len = strlen(was);
    char *note = malloc(len + 80);
    if (note) {
        snprintf(note, len + 80, "a stated constant, not a series%s%s", len ? "; " : "", was);
        free(t->note);
        t->note = note;
    }
    *out = t;
    return CCS_OK;
}

bool ccs_trace_ref_set(const ccs_trace_ref *ref) { return ref->file || (ref->pos.file && !isnan(ref->value)); }

int ccs_trace_ref_check(const ccs_trace_ref *ref, const char *what, ccs_err *err)
{
    const ccs_src_pos *p = &ref->pos;
    if (!p->file) return 0; /* not in the scenario */
    bool has_value = !isnan(ref->value);
    if (ref->file && has_value)
        return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col,
                          "%s: both a file and a value: expected one of them", what);
    if (!ref->file && !has_value)
        return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col,
                          "%s: neither a file nor a value: expected {file: PATH, ...} or a number (a constant)", what);
    if (has_value && (ref->column || ref->select || ref->time_column || ref->time_format || ref->timezone ||
                      ref->origin_us != INT64_MIN || ref->fill || ref->time_unit))
        return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col,
                          "%s: a constant value with options for reading a file (column, select, time_*, timezone, "
                          "origin, fill): expected only 'units' beside 'value'",
                          what);
    if (ref->timezone && !ccs_stamp_zone_ok(ref->timezone))
        return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col,
                          "%s.timezone: '%s' is not a time zone of the system's database: expected a name such as "
                          "Europe/Berlin or America/Los_Angeles",
                          what, ref->timezone);
    return 0;
}

ccs_trace_opts ccs_trace_ref_opts(const ccs_trace_ref *ref)
{
    ccs_trace_opts o = {.fill = ref->fill,
                        .column = ref->column,
                        .select = ref->select,
                        .units = ref->units,
                        .time_column = ref->time_column,
                        .stamp = {.format = ref->time_format,
                                  .timezone = ref->timezone,
                                  .has_origin = ref->pos.file && ref->origin_us != INT64_MIN,
                                  .origin_us = ref->origin_us,
                                  .unit_us = ref->time_unit == 1   ? 1e3
                                             : ref->time_unit == 2 ? 1.0
                                                                   : 1e6}};
    return o;
}

/* ---- the schema of a trace reference in a scenario ---- */
static const char *const fill_words[] = {"none", "previous", "linear", NULL};

/* ---- trace reference: a path, a number, or {file | value, column, fill, select, units, ...} ---- */
static const char *const time_units[] = {"s", "ms", "us", NULL};

static void trace_ref_defaults(void *obj)
{
    ccs_trace_ref *r = obj;
    r->value = NAN;
    r->origin_us = INT64_MIN;
}

static const ccs_field trace_fields[] = {
    {"file", CCS_F_PATH, offsetof(ccs_trace_ref, file), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a CSV, JSON or HDF5 path, relative to the scenario file", NULL},
    {"value", CCS_F_DOUBLE, offsetof(ccs_trace_ref, value), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a constant instead of a file (an annual average factor), in 'units' or the kind's own", NULL},
    {"column", CCS_F_STR, offsetof(ccs_trace_ref, column), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the name of the value column (a JSON key; a dotted name reaches inside: intensity.forecast)", NULL},
    {"fill", CCS_F_ENUM, offsetof(ccs_trace_ref, fill), 0, CCS_NO_RANGE, fill_words, NULL, 0,
     "none, previous or linear", NULL},
    {"select", CCS_F_STR, offsetof(ccs_trace_ref, select), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the area or country to keep from a file of several (DK1, DEU)", NULL},
    {"units", CCS_F_STR, offsetof(ccs_trace_ref, units), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the values' units where the file does not say (lbs/MWh, EUR/MWh, degF)", NULL},
    {"time_column", CCS_F_STR, offsetof(ccs_trace_ref, time_column), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the name of the time column (a JSON key)", NULL},
    {"time_format", CCS_F_STR, offsetof(ccs_trace_ref, time_format), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a strptime format of the times, e.g. '%d/%m/%Y %H:%M'", NULL},
    {"timezone", CCS_F_STR, offsetof(ccs_trace_ref, timezone), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the time zone of local times, e.g. Europe/Berlin", NULL},
    {"origin", CCS_F_TIME, offsetof(ccs_trace_ref, origin_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the instant that relative times (seconds) count from, ISO 8601 UTC", NULL},
    {"time_unit", CCS_F_ENUM, offsetof(ccs_trace_ref, time_unit), 0, CCS_NO_RANGE, time_units, NULL, 0,
     "the unit of relative times: s, ms or us", NULL},
};
const ccs_schema ccs_trace_ref_schema = {"trace",
                                         sizeof(ccs_trace_ref),
                                         trace_fields,
                                         sizeof trace_fields / sizeof trace_fields[0],
                                         offsetof(ccs_trace_ref, pos),
                                         trace_ref_defaults};

static const ccs_field fx_fields[] = {
    {"from", CCS_F_CURRENCY, offsetof(ccs_fx, from), 1, CCS_NO_RANGE, NULL, NULL, 0,
     "the currency converted from, such as EUR", NULL},
    {"rate", CCS_F_DOUBLE, offsetof(ccs_fx, rate), 1, 1e-9, 1e9, NULL, NULL, 0,
     "how much of the scenario's currency one unit of 'from' is worth", NULL},
    {"date", CCS_F_STR, offsetof(ccs_fx, date), 1, CCS_NO_RANGE, NULL, NULL, 0,
     "the date the rate was published, e.g. 2023-12-29", NULL},
    {"source", CCS_F_STR, offsetof(ccs_fx, source), 1, CCS_NO_RANGE, NULL, NULL, 0,
     "who published it, e.g. ECB euro reference rate", NULL},
};
const ccs_schema ccs_fx_schema = {
    "fx", sizeof(ccs_fx), fx_fields, sizeof fx_fields / sizeof fx_fields[0], offsetof(ccs_fx, pos), NULL};
