/* trace-replay: per-request timestamps replayed from a CSV (the Azure LLM inference traces:
 * TIMESTAMP, ContextTokens, GeneratedTokens; or a `timestamp` column; or, as Vidur and Splitwise
 * publish request traces, arrived_at in seconds from the trace's start with num_prefill_tokens
 * and num_decode_tokens), shifted so that the
 * first stamp after `offset` is the period's start. Read one row at a time: the file is
 * checked in one streaming pass at start (order, stamps, numbers) and then replayed from disk.
 * With loop, it starts again after one trace length (its span plus one mean gap). */
#include "arrivals.h"
#include "ccs_csv.h"
#include "ccs_time.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct state {
    ccs_csv *csv;
    char *path;
    int tcol, incol, outcol, nfields;
    int relative;                /* the time column is seconds from the trace's start (arrived_at) */
    int64_t first_us, period_us; /* trace time of the first row; loop period */
    int64_t shift_us;            /* simulated time = trace time - shift */
    int64_t skip_before_us;      /* trace time: rows before this are before the period */
    int64_t horizon;
    int loop;
    double mean_rate;
    int64_t last_sim; /* the last arrival handed out: arrivals never go back in time */
    int failed;       /* a read error after start-up: arrivals stopped, err says why */
    ccs_err err;
} state;

static int find(char **f, int n, const char *a, const char *b)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], a) == 0 || (b && strcmp(f[i], b) == 0)) return i;
    return -1;
}

static int header(state *s, ccs_err *err)
{
    char **f;
    int n, rc = ccs_csv_next(s->csv, &f, &n, err);
    if (rc == 0) return ccs_err_at(err, CCS_EINPUT, s->path, 0, 0, "empty file: expected a header and rows");
    if (rc != 1) return rc;
    s->tcol = find(f, n, "TIMESTAMP", "timestamp");
    s->relative = s->tcol < 0 && (s->tcol = find(f, n, "arrived_at", NULL)) >= 0;
    s->incol = find(f, n, "ContextTokens", "num_prefill_tokens");
    s->outcol = find(f, n, "GeneratedTokens", "num_decode_tokens");
    s->nfields = n;
    if (s->tcol < 0)
        return ccs_err_at(err, CCS_EINPUT, s->path, ccs_csv_line(s->csv), 0,
                          "no TIMESTAMP, timestamp or arrived_at column: expected a per-request trace such as "
                          "'TIMESTAMP,ContextTokens,GeneratedTokens' or 'arrived_at,num_prefill_tokens,"
                          "num_decode_tokens'");
    return 0;
}

/* A token count: a finite number >= 0 that a float holds, nothing else in the field. */
static int token_count(const char *field, float *out)
{
    char *end;
    errno = 0;
    float v = strtof(field, &end);
    if (end == field || *end || errno == ERANGE || !isfinite(v) || !(v >= 0)) return -1;
    *out = v;
    return 0;
}

/* Reads one row: 1 with its stamp and attributes, 0 at the end, or an error. */
static int row(state *s, int64_t *t, ccs_request_attrs *a, ccs_err *err)
{
    char **f;
    int n, rc = ccs_csv_next(s->csv, &f, &n, err);
    if (rc != 1) return rc;
    long line = ccs_csv_line(s->csv);
    if (n != s->nfields)
        return ccs_err_at(err, CCS_EINPUT, s->path, line, 0, "%d fields, expected %d as in the header", n, s->nfields);
    if (s->relative) {
        char *end;
        errno = 0;
        double sec = strtod(f[s->tcol], &end);
        if (end == f[s->tcol] || *end || errno == ERANGE || !isfinite(sec) || !(sec >= 0) || sec > 9e12)
            return ccs_err_at(err, CCS_EINPUT, s->path, line, 0,
                              "arrived_at '%s': expected seconds from the trace's start, a number >= 0", f[s->tcol]);
        *t = llround(sec * 1e6);
    } else if (ccs_time_parse(f[s->tcol], t) != 0) {
        return ccs_err_at(err, CCS_EINPUT, s->path, line, 0, "cannot parse timestamp '%s': expected ISO 8601 UTC",
                          f[s->tcol]);
    }
    if (s->incol >= 0 && token_count(f[s->incol], &a->tokens_in) != 0)
        return ccs_err_at(err, CCS_EINPUT, s->path, line, 0, "%s '%s': expected a count",
                          s->relative ? "num_prefill_tokens" : "ContextTokens", f[s->incol]);
    if (s->outcol >= 0 && token_count(f[s->outcol], &a->tokens_out) != 0)
        return ccs_err_at(err, CCS_EINPUT, s->path, line, 0, "%s '%s': expected a count",
                          s->relative ? "num_decode_tokens" : "GeneratedTokens", f[s->outcol]);
    if (s->incol < 0) a->tokens_in = 0;
    if (s->outcol < 0) a->tokens_out = 0;
    return 1;
}

static int init(void *p, const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_err *err)
{
    (void)rng; /* a replay draws nothing */
    state *s = p;
    s->path = strdup(cfg->trace);
    s->loop = cfg->loop;
    s->horizon = horizon_us;
    int rc = ccs_csv_open(cfg->trace, ',', &s->csv, err);
    if (!rc) rc = header(s, err);
    /* One pass to check the whole file and learn its span. */
    int64_t t, prev = INT64_MIN, last = 0;
    long rows = 0;
    ccs_request_attrs a;
    while (!rc && (rc = row(s, &t, &a, err)) == 1) {
        if (t < prev) {
            char x[32], y[32];
            ccs_time_format(t, x, sizeof x);
            ccs_time_format(prev, y, sizeof y);
            return ccs_err_at(err, CCS_EINPUT, s->path, ccs_csv_line(s->csv), 0,
                              "timestamp %s is earlier than the previous row's %s: rows must be in time order", x, y);
        }
        if (rows++ == 0) s->first_us = t;
        prev = last = t;
        rc = 0;
    }
    if (rc) return rc;
    if (rows < 2) return ccs_err_at(err, CCS_EINPUT, s->path, 0, 0, "%ld request rows: expected at least two", rows);
    int64_t span = last - s->first_us;
    if (span <= 0) /* no rate and no loop period to speak of */
        return ccs_err_at(err, CCS_EINPUT, s->path, 0, 0,
                          "all %ld request rows at one instant: expected stamps spread over time (for an offline "
                          "batch, deterministic arrivals with requests: N)",
                          rows);
    s->period_us = span + span / (rows - 1);
    s->mean_rate = (double)rows / ((double)s->period_us / 1e6);
    if (cfg->offset_us >= s->period_us && !s->loop)
        return ccs_err_at(err, CCS_EINPUT, s->path, 0, 0, "offset is past the trace's end");
    s->skip_before_us = s->first_us + cfg->offset_us % s->period_us;
    s->shift_us = s->skip_before_us; /* simulated time 0 is the first row at or after the offset */
    if ((rc = ccs_csv_rewind(s->csv, err)) || (rc = header(s, err))) return rc;
    return 0;
}

/* Stops the replay with an error, reported after the run through `failed`. */
static int64_t stop(state *s)
{
    s->failed = 1;
    return INT64_MAX;
}

static int64_t next(void *p, ccs_request_attrs *attrs)
{
    state *s = p;
    if (s->failed) return INT64_MAX;
    for (;;) {
        int64_t t = 0;
        int rc = row(s, &t, attrs, &s->err);
        if (rc == 0) { /* end of the file */
            if (!s->loop) return INT64_MAX;
            if (ccs_csv_rewind(s->csv, &s->err) || header(s, &s->err)) return stop(s);
            s->shift_us -= s->period_us; /* the next round comes one period later */
            s->skip_before_us = INT64_MIN;
            continue;
        }
        if (rc != 1) return stop(s); /* the file changed after it was checked at start-up */
        if (t < s->skip_before_us) continue;
        int64_t sim = t - s->shift_us;
        if (sim < s->last_sim) {
            ccs_err_at(&s->err, CCS_EINPUT, s->path, ccs_csv_line(s->csv), 0,
                       "timestamp goes back in time during the replay: the file changed after it was checked");
            return stop(s);
        }
        s->last_sim = sim;
        return sim < s->horizon ? sim : INT64_MAX;
    }
}

static int failed(const void *p, ccs_err *err)
{
    const state *s = p;
    if (!s->failed) return 0;
    *err = s->err;
    return err->code ? err->code : CCS_EIO;
}

static double mean_rate(const void *p) { return ((const state *)p)->mean_rate; }

static void fini(void *p)
{
    state *s = p;
    ccs_csv_close(s->csv);
    free(s->path);
}

static const char *check(const ccs_arrivals_cfg *c)
{
    return !c->trace || c->rate_per_s > 0 || c->scale > 0 ? "trace-replay arrivals take a trace only" : NULL;
}

const ccs_arrivals_type ccs_arrivals_trace_replay = {
    .version = CCS_ARRIVALS_VERSION,
    .name = "trace-replay",
    .summary = "per-request timestamps (and token counts) replayed from a trace",
    .check = check,
    .state_size = sizeof(state),
    .init = init,
    .next = next,
    .mean_rate_per_s = mean_rate,
    .failed = failed,
    .fini = fini,
};
