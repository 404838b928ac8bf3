/* The command line end to end: help, version, reproducibility, outputs. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <hdf5.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(cli, help_and_version)
{
    cmd_result r;
    run_ccsim(&r, (const char *[]){"--help", NULL});
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "usage: ccsim <command>") && strstr(r.out, "import"));
    run_ccsim(&r, (const char *[]){"run", "--help", NULL});
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "--set PATH=VALUE") && strstr(r.out, "run-now"));
    run_ccsim(&r, (const char *[]){"--version", NULL});
    cr_assert_eq(r.status, 0);
    cr_assert(strncmp(r.out, "ccsim ", 6) == 0 && strchr(r.out, '.'));
    run_ccsim(&r, (const char *[]){"frobnicate", NULL});
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "unknown command 'frobnicate'"));
}

static const char *small_scenario(const char *dir)
{
    char ci[700], price[700], text[4096];
    snprintf(ci, sizeof ci, "%s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv", source_dir());
    snprintf(price, sizeof price, "%s/traces/price/price-day-ahead-DE-LU-2023-hourly-usd.csv", source_dir());
    snprintf(text, sizeof text,
             "start: \"2023-03-01T00:00:00Z\"\nduration: 1d\nseed: 5\ncurrency: USD\n"
             "regions: [{name: de, carbon: %s, price: %s, pue: 1.1}]\n"
             "hardware: [{name: gpu, idle_w: 20, max_w: 70}]\n"
             "services: [{name: search, hardware: gpu, replicas: 2, slo_p95_ms: 30,"
             " arrivals: {rate_per_s: 20}, service_time: {mean_ms: 10}}]\n"
             "jobs: [{name: embed, release: {every: 24h, at: \"19:00\"}, duration: 1h, power_kw: 1,"
             " deadline: 6h}]\n",
             ci, price);
    return write_text(dir, "small.yaml", text);
}

Test(cli, same_seed_gives_byte_identical_summary)
{
    const char *dir = tmp_folder();
    const char *yaml = small_scenario(dir);
    char a[600], b[600], c[600], fa[700], fb[700], fc[700];
    snprintf(a, sizeof a, "%s/out/a", dir);
    snprintf(b, sizeof b, "%s/out/b", dir);
    snprintf(c, sizeof c, "%s/out/c", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", a, "--no-plot", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", b, "--no-plot", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", c, "--no-plot", "--seed", "6", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    snprintf(fa, sizeof fa, "%s/summary.json", a);
    snprintf(fb, sizeof fb, "%s/summary.json", b);
    snprintf(fc, sizeof fc, "%s/summary.json", c);
    size_t la, lb, lc;
    char *sa = read_all(fa, &la), *sb = read_all(fb, &lb), *sc = read_all(fc, &lc);
    cr_assert(sa && sb && sc);
    cr_assert(la == lb && memcmp(sa, sb, la) == 0, "summaries differ for the same seed");
    cr_assert(strcmp(sa, sc) != 0, "a different seed gave the same summary");
    /* the registry has three 'ok' rows */
    char db[700];
    snprintf(db, sizeof db, "%s/out/runs.sqlite", dir);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(h, "SELECT count(*), sum(status = 'ok') FROM runs", -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 3);
    cr_assert_eq(sqlite3_column_int(st, 1), 3);
    sqlite3_finalize(st);
    sqlite3_close(h);
    free(sa);
    free(sb);
    free(sc);
}

static double sum_dataset(hid_t f, const char *name, size_t *n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    cr_assert(d >= 0, "no dataset %s", name);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[1];
    H5Sget_simple_extent_dims(sp, dims, NULL);
    double *v = malloc(dims[0] * sizeof *v);
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    double s = 0;
    for (hsize_t i = 0; i < dims[0]; i++) s += v[i];
    free(v);
    H5Sclose(sp);
    H5Dclose(d);
    *n = dims[0];
    return s;
}

Test(cli, json_contract_and_totals_equal_hourly_series)
{
    const char *dir = tmp_folder();
    const char *yaml = small_scenario(dir);
    char out[600], h5[700];
    snprintf(out, sizeof out, "%s/run", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", out, "--no-plot", "--format", "json", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    cr_assert_not_null(j, "stdout is not JSON: %s", je.text);
    const char *top[] = {"scenario", "seed", "policy", "currency", "totals", "baseline", "delta", "services", "jobs"};
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        cr_assert_not_null(json_object_get(j, top[i]), "%s", top[i]);
    json_t *svc = json_array_get(json_object_get(j, "services"), 0);
    const char *skeys[] = {"name",       "requests",  "p50_ms", "p95_ms", "p99_ms", "slo_violation_frac",
                           "energy_kwh", "carbon_kg", "cost"};
    for (size_t i = 0; i < 9; i++) cr_assert_not_null(json_object_get(svc, skeys[i]), "%s", skeys[i]);
    json_t *job = json_array_get(json_object_get(j, "jobs"), 0);
    const char *jkeys[] = {"name",      "runs", "deadline_misses", "freshness_mean_h", "freshness_max_h", "energy_kwh",
                           "carbon_kg", "cost"};
    for (size_t i = 0; i < 8; i++) cr_assert_not_null(json_object_get(job, jkeys[i]), "%s", jkeys[i]);
    json_t *tot = json_object_get(j, "totals");
    double energy = json_real_value(json_object_get(tot, "energy_kwh"));
    double carbon = json_real_value(json_object_get(tot, "carbon_kg"));
    double cost = json_real_value(json_object_get(tot, "cost"));
    /* the consumers' own charges add up to the region totals */
    double parts =
        json_real_value(json_object_get(svc, "carbon_kg")) + json_real_value(json_object_get(job, "carbon_kg"));
    cr_assert(fabs(parts - carbon) <= 1e-9 * carbon, "%.15g vs %.15g", parts, carbon);
    snprintf(h5, sizeof h5, "%s/results.h5", out);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0);
    size_t n;
    cr_assert_eq(sum_dataset(f, "regions/de/energy_kwh", &n), energy);
    cr_assert_eq(n, 24u);
    cr_assert_eq(sum_dataset(f, "regions/de/carbon_kg", &n), carbon);
    cr_assert_eq(sum_dataset(f, "regions/de/cost", &n), cost);
    /* the job's runs, one row each: their carbon is the job's */
    double job_carbon = sum_dataset(f, "jobs/embed/carbon_kg", &n);
    cr_assert_eq(n, 1u);
    cr_assert(fabs(job_carbon - json_real_value(json_object_get(job, "carbon_kg"))) <= 1e-12 * job_carbon);
    H5Fclose(f);
    json_decref(j);
}

/* A bad --seed after a good one: exit 2 and the reason, and (under the sanitizers' leak check)
 * nothing of the first override left behind: it used to leak on this path. */
Test(cli, a_bad_seed_after_a_good_one_is_refused_cleanly)
{
    const char *dir = tmp_folder();
    const char *yaml = small_scenario(dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", "--seed", "5", "--seed", "-1", NULL});
    cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "--seed '-1': expected a non-negative integer"), "%s", r.err);
    cr_assert_null(strstr(r.err, "LeakSanitizer"), "%s", r.err);
}

/* Four services in two regions, one with a TTL cache, one batched and autoscaled, one with
 * routes: `--threads 1`, 2 and 4 give the same bytes in summary.json and results.h5; and a
 * service's own figures are those it has when simulated alone (services never interact). */
static const char *four_services(const char *dir, const char *name, int only_batched)
{
    char ci[700], price[700], text[8192];
    snprintf(ci, sizeof ci, "%s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv", source_dir());
    snprintf(price, sizeof price, "%s/traces/price/price-day-ahead-DE-LU-2023-hourly-usd.csv", source_dir());
    const char *cached = "  - {name: cached, region: de, hardware: gpu, replicas: 2, arrivals: {rate_per_s: 300},"
                         " service_time: {mean_ms: 4}, cache: {ttl: 2m, keys: 100000, zipf_s: 0.9, lookup_ms: 0.2}}\n",
               *batched = "  - {name: batched, region: fr, hardware: gpu, arrivals: {rate_per_s: 400},"
                          " service_time: {mean_ms: 6}, batching: {max_batch: 8, window_ms: 3},"
                          " autoscale: {min: 1, max: 6, target: 0.6, interval: 30s}}\n",
               *routed = "  - name: routed\n    region: de\n    arrivals: {rate_per_s: 150}\n"
                         "    stages:\n      - name: s1\n        routes:\n"
                         "          - {name: a, share: 0.7, hardware: gpu, replicas: 1, service_time: {mean_ms: 3}}\n"
                         "          - {name: b, share: 0.3, hardware: gpu, replicas: 1, service_time: {mean_ms: 5}}\n",
               *plain = "  - {name: plain, region: fr, hardware: gpu, replicas: 3, arrivals: {rate_per_s: 250},"
                        " service_time: {mean_ms: 9}}\n";
    snprintf(text, sizeof text,
             "start: \"2023-03-01T00:00:00Z\"\nduration: 6h\nseed: 9\ncurrency: USD\n"
             "regions: [{name: de, carbon: %s, price: %s, pue: 1.1}, {name: fr, carbon: %s, price: %s, pue: 1.3}]\n"
             "hardware: [{name: gpu, idle_w: 20, max_w: 70}]\n"
             "services:\n%s%s%s%s",
             ci, price, ci, price, only_batched ? "" : cached, batched, only_batched ? "" : routed,
             only_batched ? "" : plain);
    return write_text(dir, name, text);
}

Test(cli, threads_give_the_same_bytes_and_services_are_independent, .timeout = 240)
{
    const char *dir = tmp_folder();
    const char *yaml = four_services(dir, "four.yaml", 0), *alone = four_services(dir, "alone.yaml", 1);
    char *summary = same_bytes_on_threads(dir, yaml, (const char *[]){"1", "2", "4", NULL});
    /* the batched service alone: the same figures as beside the three others */
    char out[600], f[700];
    snprintf(out, sizeof out, "%s/out/alone", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", alone, "--out", out, "--no-plot", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    snprintf(f, sizeof f, "%s/summary.json", out);
    json_error_t je;
    json_t *one = json_load_file(f, 0, &je), *all = json_loads(summary, 0, &je);
    cr_assert(one && all);
    json_t *a = json_array_get(json_object_get(one, "services"), 0),
           *b = json_array_get(json_object_get(all, "services"), 1);
    cr_assert_str_eq(json_string_value(json_object_get(b, "name")), "batched");
    const char *keys[] = {"requests", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "energy_kwh", "carbon_kg", "cost"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert(json_equal(json_object_get(a, keys[i]), json_object_get(b, keys[i])),
                  "%s: %g alone, %g beside others", keys[i], json_number_value(json_object_get(a, keys[i])),
                  json_number_value(json_object_get(b, keys[i])));
    json_decref(one);
    json_decref(all);
    free(summary);
}
