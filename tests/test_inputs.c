/* Bad input must give a clear error and a non-zero exit, never a crash or a guess: each case
 * runs the real binary and checks the exit code and that the message names file and line. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

/* By value, not pointers: Criterion runs each parameterized test in a fresh process. */
typedef struct bad_case {
    char name[32];  /* file name written */
    char text[640]; /* its content */
    char where[16]; /* expected ":LINE:" (or ":LINE:COL:") after the file name */
    char what[64];  /* expected words in the message */
} bad_case;

#define H "timestamp,value\n"
static bad_case csv_cases[] = {
    {"bad-time.csv", H "2023-01-01T00:00:00Z,1\n2023-13-01T00:00:00Z,2\n", ":3:", "cannot parse timestamp"},
    {"bad-offset.csv", H "2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00+25:00,2\n", ":3:", "cannot parse timestamp"},
    {"bad-value.csv", H "2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,abc\n", ":3:", "cannot parse value 'abc'"},
    {"nan.csv", H "2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,NaN\n2023-01-01T02:00:00Z,1\n",
     ":3:", "missing or NaN"},
    {"empty-value.csv", H "2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,\n2023-01-01T02:00:00Z,1\n",
     ":3:", "missing or NaN"},
    {"negative.csv", "Time,Carbon Intensity\n2020-01-01 00:00:00,10\n2020-01-01 00:30:00,-5\n",
     ":3:", "negative value"},
    {"duplicate.csv", H "2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,2\n2023-01-01T01:00:00Z,3\n",
     ":4:", "duplicate timestamp"},
    {"unsorted.csv", H "2023-01-01T00:00:00Z,1\n2023-01-01T02:00:00Z,2\n2023-01-01T01:00:00Z,3\n",
     ":4:", "earlier than the previous"},
    {"gap.csv", H "2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,2\n2023-01-01T02:00:00Z,2\n2023-01-01T05:00:00Z,3\n",
     ":5:", "gap: no value between"},
    {"columns.csv", H "2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,2,7\n", ":3:", "3 fields, expected 2"},
    {"header.csv", "when,how much\n2023-01-01T00:00:00Z,1\n", ":1:", "unknown CSV header"},
    {"quote.csv", H "2023-01-01T00:00:00Z,1\n\"2023-01-01T01:00:00Z,2\n", ":3:", "malformed CSV"},
    {"energinet-bad.csv",
     "HourUTC;HourDK;PriceArea;SpotPriceDKK;SpotPriceEUR\n"
     "2023-01-01 00:00;2023-01-01 01:00;DK1;14,95;2,01\n2023-01-01 01:00;2023-01-01 02:00;DK1;7,4;1.0.0\n",
     ":3:", "(with a decimal comma)"},
    {"ember-two.csv",
     "Country,ISO3 Code,Datetime (UTC),Datetime (Local),Price (EUR/MWhe)\n"
     "Denmark,DNK,2023-01-01 00:00:00,2023-01-01 01:00:00,1.5\nGermany,DEU,2023-01-01 00:00:00,2023-01-01 01:00:00,2\n",
     ":3:", "choose one with"},
    {"emaps-blank.csv",
     "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO\xe2\x82\x82"
     "eq/kWh (direct),Carbon Intensity gCO\xe2\x82\x82"
     "eq/kWh (LCA),Low Carbon Percentage\n"
     "2023-01-01 00:00:00,Germany,Germany,DE,140.5,185.8,83\n2023-01-01 01:00:00,Germany,Germany,DE,140.4,,83\n"
     "2023-01-01 02:00:00,Germany,Germany,DE,140.4,180,83\n",
     ":3:", "missing or NaN"},
};

ParameterizedTestParameters(inputs, bad_csv)
{
    return cr_make_param_array(bad_case, csv_cases, sizeof csv_cases / sizeof csv_cases[0]);
}

ParameterizedTest(bad_case *c, inputs, bad_csv)
{
    const char *dir = tmp_folder();
    const char *csv = write_text(dir, c->name, c->text);
    char out[600], want[700];
    snprintf(out, sizeof out, "%s/out.h5", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"import", csv, "-o", out, NULL});
    cr_assert_eq(r.status, 2, "%s: exit %d, stderr: %s", c->name, r.status, r.err);
    snprintf(want, sizeof want, "%s%s", csv, c->where);
    cr_assert(strstr(r.err, want), "%s: message does not name '%s': %s", c->name, want, r.err);
    cr_assert(strstr(r.err, c->what), "%s: message lacks '%s': %s", c->name, c->what, r.err);
    FILE *f = fopen(out, "rb");
    cr_assert_null(f, "%s: output written despite the error", c->name);
}

/* Scenario files: each case replaces one part of a valid scenario. */
#define TRACE "regions:\n  - name: de\n    carbon: trace.csv\n"
#define TOP   "start: \"2023-01-01T00:00:00Z\"\nduration: 3h\nseed: 1\n"
static bad_case yaml_cases[] = {
    {"unknown-key.yaml", "start: \"2023-01-01T00:00:00Z\"\nduraton: 3h\n" TRACE, ":2:1:", "did you mean 'duration'"},
    {"wrong-type.yaml", "start: \"2023-01-01T00:00:00Z\"\nduration: 3h\nseed: abc\n" TRACE, ":3:7:", "bad value 'abc'"},
    {"nothing.yaml", TOP, ":1:1:", "nothing to simulate"},
    {"job-no-region.yaml", TOP "jobs:\n  - name: j\n    release: {every: 24h}\n    duration: 1h\n    power_kw: 1\n",
     ":5:5:", "needs a region with a carbon trace"},
    {"missing-start.yaml", "duration: 3h\n" TRACE, ":1:1:", "missing key 'start'"},
    {"release-both.yaml",
     TOP TRACE "jobs:\n  - name: j\n    release: {every: 24h, trace: r.csv}\n    duration: 1h\n"
               "    power_kw: 1\n",
     ":8:5:", "either every (with at) or trace"},
    {"release-rows.yaml", TOP TRACE "jobs:\n  - name: j\n    release: {trace: trace.csv}\n    power_kw: 1\n",
     ":8:5:", "or a duration_h column"},
    {"no-power.yaml", TOP TRACE "jobs:\n  - name: j\n    release: {every: 24h}\n    duration: 1h\n",
     ":8:5:", "missing or zero 'power_kw'"},
    {"deadline-rule.yaml",
     TOP TRACE "jobs:\n  - name: j\n    release: {every: 24h}\n    duration: 1h\n"
               "    power_kw: 1\n    deadline_rule: next_weekday\n",
     ":12:20:", "did you mean 'next_workday'"},
    {"too-big.yaml",
     TOP "regions:\n  - name: de\n    carbon: trace.csv\n    capacity_kw: 5\n"
         "jobs:\n  - name: j\n    release: {every: 24h}\n    duration: 1h\n    power_kw: 8\n",
     ":9:5:", "more than region 'de' can hold"},
    {"bad-pue.yaml", TOP TRACE "    pue: 0.5\n", ":7:10:", "between 1 and 3"},
    {"bad-duration.yaml", "start: \"2023-01-01T00:00:00Z\"\nduration: 7x\n" TRACE, ":2:11:", "a duration such as"},
    {"syntax.yaml", TOP "regions: [a, b\n", ":5:", "YAML syntax error"},
    {"unknown-region.yaml",
     TOP TRACE "jobs:\n  - name: j\n    release: {every: 24h}\n    duration: 1h\n    power_kw: 1\n    regions: [fr]\n",
     ":8:5:", "unknown region 'fr'"},
    {"duplicate-key.yaml", TOP "seed: 2\n" TRACE, ":4:1:", "duplicate key 'seed'"},
    {"unknown-policy.yaml", TOP TRACE "policy: {name: run-nwo}\n", ":7:16:", "did you mean 'run-now'"},
    {"bad-enum.yaml", TOP TRACE "policy: {forecast: psychic}\n", ":7:20:", "expected one of perfect"},
    {"deadline.yaml",
     TOP TRACE "jobs:\n  - name: j\n    release: {every: 24h}\n    duration: 2h\n    deadline: 1h\n    power_kw: 1\n",
     ":8:5:", "shorter than the duration"},
    {"overload.yaml",
     TOP TRACE
     "services:\n  - name: s\n    arrivals: {rate_per_s: 200}\n    service_time: {mean_ms: 10}\n    replicas: 2\n",
     ":8:5:", "offered load"},
    {"big-seed.yaml", "start: \"2023-01-01T00:00:00Z\"\nduration: 3h\nseed: 18446744073709551615\n" TRACE,
     ":3:7:", "bad value"},
    {"service-type.yaml", TOP TRACE "services:\n  - name: s\n    arrivals: 5\n    service_time: {mean_ms: 1}\n",
     ":9:15:", "expected a mapping"},
};

ParameterizedTestParameters(inputs, bad_yaml)
{
    return cr_make_param_array(bad_case, yaml_cases, sizeof yaml_cases / sizeof yaml_cases[0]);
}

ParameterizedTest(bad_case *c, inputs, bad_yaml)
{
    const char *dir = tmp_folder();
    write_text(dir, "trace.csv",
               H "2023-01-01T00:00:00Z,100\n2023-01-01T01:00:00Z,200\n"
                 "2023-01-01T02:00:00Z,300\n2023-01-01T03:00:00Z,300\n");
    const char *yaml = write_text(dir, c->name, c->text);
    char out[600], want[700];
    snprintf(out, sizeof out, "%s/out/run", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", out, "--no-plot", NULL});
    cr_assert_eq(r.status, 2, "%s: exit %d, stderr: %s", c->name, r.status, r.err);
    snprintf(want, sizeof want, "%s%s", yaml, c->where);
    cr_assert(strstr(r.err, want), "%s: message does not name '%s': %s", c->name, want, r.err);
    cr_assert(strstr(r.err, c->what), "%s: message lacks '%s': %s", c->name, c->what, r.err);
}

static const char *good_scenario(const char *dir)
{
    write_text(dir, "trace.csv",
               H "2023-01-01T00:00:00Z,100\n2023-01-01T01:00:00Z,200\n"
                 "2023-01-01T02:00:00Z,300\n2023-01-01T03:00:00Z,300\n");
    return write_text(dir, "good.yaml",
                      TOP TRACE "services:\n  - name: search\n    arrivals: {rate_per_s: 5}\n"
                                "    service_time: {mean_ms: 1}\n");
}

Test(inputs, set_override_of_missing_item_names_the_items)
{
    const char *dir = tmp_folder();
    const char *yaml = good_scenario(dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", "--set", "services.serch.replicas=2", NULL});
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "no item named 'serch' in 'services' (items: search)"), "%s", r.err);
}

Test(inputs, set_override_is_validated_like_the_file)
{
    const char *dir = tmp_folder();
    const char *yaml = good_scenario(dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", "--set", "services.search.replicas=-3", NULL});
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "--set") && strstr(r.err, "services[search].replicas"), "%s", r.err);
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", "--set", "services.search.replica=2", NULL});
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "did you mean 'replicas'"), "%s", r.err);
}

Test(inputs, trace_not_covering_the_period_names_the_trace)
{
    const char *dir = tmp_folder();
    const char *yaml = good_scenario(dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", "--set", "duration=5h", NULL});
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "trace.csv") && strstr(r.err, "covers 2023-01-01T00:00:00Z to "
                                                          "2023-01-01T04:00:00Z"),
              "%s", r.err);
}

Test(inputs, bad_row_in_a_scenario_trace_names_trace_file_and_line)
{
    const char *dir = tmp_folder();
    const char *yaml = good_scenario(dir);
    write_text(dir, "trace.csv", H "2023-01-01T00:00:00Z,100\n2023-01-01T01:00:00Z,-1\n");
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--no-plot", NULL});
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "region 'de'") && strstr(r.err, "trace.csv:3:") && strstr(r.err, "negative"), "%s", r.err);
}

static void write_h5(const char *path, const int64_t *t, const double *v, size_t n, int with_value)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t d = H5Dcreate2(f, "timestamp_us", H5T_NATIVE_INT64, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, t);
    H5Dclose(d);
    if (with_value) {
        d = H5Dcreate2(f, "value", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
        H5Dclose(d);
    }
    H5Sclose(sp);
    H5Fclose(f);
}

Test(inputs, bad_hdf5_traces)
{
    const char *dir = tmp_folder();
    int64_t t[4] = {0, 3600000000LL, 7200000000LL, 5400000000LL};
    double v[4] = {1, 2, 3, 4};
    char p1[600], p2[600], out[600];
    snprintf(p1, sizeof p1, "%s/unsorted.h5", dir);
    snprintf(p2, sizeof p2, "%s/novalue.h5", dir);
    snprintf(out, sizeof out, "%s/o.h5", dir);
    write_h5(p1, t, v, 4, 1);
    write_h5(p2, t, v, 4, 0);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"import", p1, "-o", out, NULL});
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "unsorted.h5: row 4: timestamp"), "%s", r.err);
    run_ccsim(&r, (const char *[]){"import", p2, "-o", out, NULL});
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "novalue.h5") && strstr(r.err, "'/value' expected"), "%s", r.err);
}

Test(inputs, import_roundtrip_keeps_every_value_and_units)
{
    char csv[700], h5[600];
    snprintf(csv, sizeof csv, "%s/traces/carbon/carbon-intensity-GB-2020-30min.csv", source_dir());
    snprintf(h5, sizeof h5, "%s/gb.h5", tmp_folder());
    cmd_result r;
    run_ccsim(&r, (const char *[]){"import", csv, "-o", h5, NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "21980 rows, step 1800s"), "%s", r.out);
    /* the HDF5 file loads again with the same rows (step 1800 s, the 15-min part is finer) */
    char again[600];
    snprintf(again, sizeof again, "%s.again.h5", h5);
    run_ccsim(&r, (const char *[]){"import", h5, "-o", again, NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "21980 rows, step 1800s, value [gCO2e/kWh]"), "%s", r.out);
}
