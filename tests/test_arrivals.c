/* Arrival processes: counts traces as a piecewise-constant Poisson process, replays to the
 * microsecond, looping, offsets, and errors. */
#include "arrivals.h"
#include "ccs_time.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Three one-minute intervals: 600 requests (10/s), none, 1200 (20/s). */
static const char *counts_csv = "timestamp_utc,requests\n1995-07-01T04:00:00Z,600\n"
                                "1995-07-01T04:01:00Z,0\n1995-07-01T04:02:00Z,1200\n";

static ccs_arrivals *make(ccs_arrivals_cfg *cfg, int64_t horizon, gsl_rng **rng)
{
    *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(*rng, 3);
    ccs_arrivals *a;
    ccs_err err = {0};
    cr_assert_eq(ccs_arrivals_create(cfg, *rng, horizon, &a, &err), 0, "%s", err.msg);
    return a;
}

Test(arrivals, counts_trace_gives_the_rate_of_each_interval)
{
    const char *dir = tmp_folder();
    char *path = strdup(write_text(dir, "c.csv", counts_csv));
    ccs_arrivals_cfg cfg = {.type = ccs_arrivals_find("trace-counts"), .trace = path, .scale = 1, .loop = 1};
    int64_t horizon = 200 * 3 * CCS_US_PER_MIN; /* 200 passes through the trace */
    gsl_rng *rng;
    ccs_arrivals *a = make(&cfg, horizon, &rng);
    cr_assert_float_eq(ccs_arrivals_mean_rate_per_s(a), 10.0, 1e-12);
    uint64_t per_phase[3] = {0};
    int64_t t, prev = 0;
    ccs_request_attrs at;
    while ((t = ccs_arrivals_next(a, &at)) != INT64_MAX) {
        cr_assert_geq(t, prev);
        prev = t;
        per_phase[(t / CCS_US_PER_MIN) % 3]++;
    }
    /* expected 200 x 600 and 200 x 1200, Poisson: within 5 standard deviations */
    cr_assert_lt(fabs((double)per_phase[0] - 120000.0), 5 * sqrt(120000.0), "%llu", (unsigned long long)per_phase[0]);
    cr_assert_eq(per_phase[1], 0u, "arrivals in a zero-rate interval");
    cr_assert_lt(fabs((double)per_phase[2] - 240000.0), 5 * sqrt(240000.0), "%llu", (unsigned long long)per_phase[2]);
    ccs_arrivals_destroy(a);
    gsl_rng_free(rng);
    free(path);
}

Test(arrivals, counts_trace_scaled_to_a_mean_rate_with_an_offset)
{
    const char *dir = tmp_folder();
    char *path = strdup(write_text(dir, "c.csv", counts_csv));
    /* the trace's mean is 10/s; ask for 2.5/s (scale 1/4); start one minute in (the empty one) */
    ccs_arrivals_cfg cfg = {.type = ccs_arrivals_find("trace-counts"),
                            .trace = path,
                            .rate_per_s = 2.5,
                            .offset_us = CCS_US_PER_MIN,
                            .loop = 1};
    gsl_rng *rng;
    ccs_arrivals *a = make(&cfg, 300 * 3 * CCS_US_PER_MIN, &rng);
    cr_assert_float_eq(ccs_arrivals_mean_rate_per_s(a), 2.5, 1e-12);
    ccs_request_attrs at;
    int64_t first = ccs_arrivals_next(a, &at);
    cr_assert_geq(first, CCS_US_PER_MIN, "an arrival in the empty first minute: %lld", (long long)first);
    uint64_t n = 1;
    while (ccs_arrivals_next(a, &at) != INT64_MAX) n++;
    double want = 2.5 * 300 * 180;
    cr_assert_lt(fabs((double)n - want), 5 * sqrt(want), "%llu arrivals, want %g", (unsigned long long)n, want);
    ccs_arrivals_destroy(a);
    gsl_rng_free(rng);
    free(path);
}

Test(arrivals, counts_trace_too_short_without_loop_is_an_error)
{
    const char *dir = tmp_folder();
    char *path = strdup(write_text(dir, "c.csv", counts_csv));
    ccs_arrivals_cfg cfg = {.type = ccs_arrivals_find("trace-counts"), .trace = path, .scale = 1};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    ccs_arrivals *a;
    ccs_err err = {0};
    cr_assert_eq(ccs_arrivals_create(&cfg, rng, CCS_US_PER_HOUR, &a, &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "c.csv") && strstr(err.msg, "loop: true"), "%s", err.msg);
    gsl_rng_free(rng);
    free(path);
}

Test(arrivals, replay_reproduces_stamps_tokens_and_loops)
{
    const char *dir = tmp_folder();
    char *path = strdup(write_text(dir, "r.csv",
                                   "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                   "2023-11-16 18:15:00.0000000,100,10\n"
                                   "2023-11-16 18:15:00.2500000,200,20\n"
                                   "2023-11-16 18:15:01.0000000,300,30\n"));
    /* span 1 s over 3 rows: the loop period is 1 s + one mean gap (0.5 s) = 1.5 s */
    ccs_arrivals_cfg cfg = {.type = ccs_arrivals_find("trace-replay"), .trace = path, .loop = 1};
    gsl_rng *rng;
    ccs_arrivals *a = make(&cfg, 3 * CCS_US_PER_S, &rng);
    int64_t want[] = {0, 250000, 1000000, 1500000, 1750000, 2500000};
    float tokens[] = {100, 200, 300, 100, 200, 300};
    ccs_request_attrs at;
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(ccs_arrivals_next(a, &at), want[i], "arrival %d", i);
        cr_assert_eq(at.tokens_in, tokens[i]);
        cr_assert_eq(at.tokens_out, tokens[i] / 10);
    }
    cr_assert_eq(ccs_arrivals_next(a, &at), INT64_MAX, "past the 3 s horizon");
    ccs_arrivals_destroy(a);
    gsl_rng_free(rng);
    free(path);
}

Test(arrivals, replay_offset_and_bad_rows)
{
    const char *dir = tmp_folder();
    char *ok = strdup(
        write_text(dir, "r.csv", "timestamp\n2023-01-01T00:00:00Z\n2023-01-01T00:00:10Z\n2023-01-01T00:00:20Z\n"));
    ccs_arrivals_cfg cfg = {.type = ccs_arrivals_find("trace-replay"), .trace = ok, .offset_us = 5 * CCS_US_PER_S};
    gsl_rng *rng;
    ccs_arrivals *a = make(&cfg, CCS_US_PER_HOUR, &rng);
    ccs_request_attrs at;
    cr_assert_eq(ccs_arrivals_next(a, &at), 5 * CCS_US_PER_S, "the first row after the offset");
    cr_assert_eq(ccs_arrivals_next(a, &at), 15 * CCS_US_PER_S);
    cr_assert_eq(ccs_arrivals_next(a, &at), INT64_MAX);
    ccs_arrivals_destroy(a);
    char *bad = strdup(
        write_text(dir, "bad.csv", "timestamp\n2023-01-01T00:00:00Z\n2023-01-01T00:00:10Z\n2023-01-01T00:00:05Z\n"));
    cfg.trace = bad;
    cfg.offset_us = 0;
    ccs_err err = {0};
    cr_assert_eq(ccs_arrivals_create(&cfg, rng, CCS_US_PER_HOUR, &a, &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "bad.csv:4:") && strstr(err.msg, "earlier than"), "%s", err.msg);
    gsl_rng_free(rng);
    free(ok);
    free(bad);
}

Test(arrivals, nasa_trace_through_a_scenario)
{
    /* The bundled NASA July trace scaled to a mean of 40 requests/s over a week: the service
     * sees about 40 x 604800 requests (the week's own mean differs from the month's a little). */
    const char *dir = tmp_folder();
    char text[2048];
    snprintf(text, sizeof text,
             "duration: 7d\nseed: 4\nservices:\n  - name: web\n    arrivals: {process: trace-counts, trace: "
             "%s/traces/traffic/nasa-http-1995-07-per-minute.csv, rate_per_s: 40}\n"
             "    service_time: {mean_ms: 5}\n    replicas: 2\n",
             source_dir());
    const char *yaml = write_text(dir, "nasa.yaml", text);
    char out[700];
    snprintf(out, sizeof out, "%s/o", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", out, "--format", "json", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *req = strstr(r.out, "\"requests\": ");
    cr_assert_not_null(req);
    double n = atof(req + 12);
    cr_assert(n > 0.8 * 40 * 604800 && n < 1.2 * 40 * 604800, "%g requests", n);
    /* without loop, a 30-day period is longer than the 27.6-day trace: a clear error */
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", out, "--set", "duration=30d", NULL});
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "services[web].arrivals") && strstr(r.err, "27.6 days"), "%s", r.err);
}

Test(arrivals, replay_file_changed_during_the_run_is_reported)
{
    /* 3000 rows of 21 bytes (63 KB, past stdio's read-ahead); after the first arrival, row
     * index 2000 (line 2002) is overwritten with text that is no timestamp. The replay must stop and say so,
     * not end quietly as if the trace were over. */
    const char *dir = tmp_folder();
    char path[700];
    snprintf(path, sizeof path, "%s/long.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("timestamp\n", f);
    for (int i = 0; i < 3000; i++) fprintf(f, "2023-01-01T%02d:%02d:%02dZ\n", i / 3600, i / 60 % 60, i % 60);
    fclose(f);
    ccs_arrivals_cfg cfg = {.type = ccs_arrivals_find("trace-replay"), .trace = path};
    gsl_rng *rng;
    ccs_arrivals *a = make(&cfg, CCS_US_PER_DAY, &rng);
    ccs_request_attrs at;
    cr_assert_eq(ccs_arrivals_next(a, &at), 0);
    f = fopen(path, "r+");
    fseek(f, 10 + 2000 * 21, SEEK_SET);
    fputs("not-a-timestamp-xxx\n", f); /* 21 bytes: same line length */
    fclose(f);
    int64_t t, n = 1;
    while ((t = ccs_arrivals_next(a, &at)) != INT64_MAX) n++;
    cr_assert_eq(n, 2000, "arrivals before the damaged row (rows 0..1999): %lld", (long long)n);
    ccs_err err = {0};
    cr_assert_neq(ccs_arrivals_failed(a, &err), 0, "a damaged file ended the replay quietly");
    cr_assert(strstr(err.msg, "long.csv:2002:") && strstr(err.msg, "cannot parse timestamp"), "%s", err.msg);
    ccs_arrivals_destroy(a);
    gsl_rng_free(rng);
}

/* The registry: every process by name, each with its own check of the arrivals map. */
Test(arrivals, registry_finds_by_name_and_each_process_checks_its_keys)
{
    ccs_arrivals_ready();
    size_t n = 0;
    for (; ccs_arrivals_words[n]; n++) {
        const ccs_arrivals_type *t = ccs_arrivals_find(ccs_arrivals_words[n]);
        cr_assert_not_null(t, "'%s' not found", ccs_arrivals_words[n]);
        cr_assert_eq(t->version, CCS_ARRIVALS_VERSION);
        cr_assert_not_null(t->check, "'%s' has no check", t->name);
    }
    cr_assert_eq(n, 4);
    cr_assert_null(ccs_arrivals_find("poison"));
    ccs_src_pos at = {"s.yaml", 3, 5};
    ccs_err err = {0};
    ccs_arrivals_cfg c = {.process = 0, .rate_per_s = 0}; /* poisson without a rate */
    cr_assert_neq(ccs_arrivals_resolve(&c, "services[s].arrivals", &at, &err), 0);
    cr_assert(strstr(err.msg, "s.yaml:3:5: services[s].arrivals: poisson arrivals take rate_per_s only"), "%s",
              err.msg);
    c.rate_per_s = 5;
    cr_assert_eq(ccs_arrivals_resolve(&c, "services[s].arrivals", &at, &err), 0, "%s", err.msg);
    cr_assert_str_eq(c.type->name, "poisson");
    c.process = 99;
    cr_assert_neq(ccs_arrivals_resolve(&c, "services[s].arrivals", &at, &err), 0);
}
