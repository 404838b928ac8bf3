/* Trace loading on good inputs: every bundled file, in each CSV form, and HDF5. */
#include "ccs_time.h"
#include "ccs_trace.h"
#include "ccs_trace_unguarded.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct good_case {
    char file[96];
    size_t rows;
    char first[24]; /* first stamp */
    double first_value;
    char units[16];
    char format[24];
    long step_s;
} good_case;

static good_case goods[] = {
    {"carbon/carbon-intensity-DE-LU-2023-hourly.csv", 8760, "2023-01-01T00:00:00Z", 185.8, "gCO2e/kWh",
     "electricitymaps", 3600},
    {"carbon/carbon-intensity-US-TEX-ERCO-2023-hourly.csv", 8760, "2023-01-01T00:00:00Z", 318.54, "gCO2e/kWh",
     "electricitymaps", 3600},
    {"carbon/carbon-intensity-DK-DK1-2022-hourly.csv", 8760, "2022-01-01T00:00:00Z", 134.15, "", "generic", 3600},
    {"carbon/carbon-intensity-FR-2020-30min.csv", 18574, "2019-12-20T00:00:00Z", 42.34123797146737, "gCO2e/kWh",
     "letswaitawhile", 1800},
    {"carbon/carbon-intensity-GB-2020-30min.csv", 21980, "2019-12-20T00:00:00Z", 120.99546661944396, "gCO2e/kWh",
     "letswaitawhile", 1800},
    {"price/price-day-ahead-DE-LU-2023-hourly-usd.csv", 8760, "2023-01-01T00:00:00Z", -3.3622368, "USD/MWh",
     "price-usd-mwh", 3600},
    {"traffic/nasa-http-1995-08-per-minute.csv", 44640, "1995-08-01T04:00:00Z", 50, "requests", "nasa-http", 60},
};

ParameterizedTestParameters(trace, bundled_files_load)
{
    return cr_make_param_array(good_case, goods, sizeof goods / sizeof goods[0]);
}

ParameterizedTest(good_case *g, trace, bundled_files_load)
{
    char path[700];
    snprintf(path, sizeof path, "%s/traces/%s", source_dir(), g->file);
    ccs_trace *t;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(path, NULL, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_len(t), g->rows, "%s: %zu rows", g->file, ccs_trace_len(t));
    int64_t first;
    ccs_time_parse(g->first, &first);
    cr_assert_eq(ccs_trace_start_us(t), first);
    cr_assert_eq(ccs_trace_values(t)[0], g->first_value, "%s: %.17g", g->file, ccs_trace_values(t)[0]);
    cr_assert_str_eq(ccs_trace_units(t), g->units);
    cr_assert_str_eq(ccs_trace_format(t), g->format);
    cr_assert_eq(ccs_trace_step_us(t), g->step_s * CCS_US_PER_S);
    ccs_trace_destroy(t);
}

Test(trace, column_choice_and_fill_rules)
{
    const char *dir = tmp_folder();
    char path[700];
    snprintf(path, sizeof path, "%s/traces/carbon/carbon-intensity-ES-2023-hourly.csv", source_dir());
    ccs_trace *t;
    ccs_err err = {0};
    ccs_trace_opts direct = {.column = "Carbon Intensity gCO\xe2\x82\x82"
                                       "eq/kWh (direct)"};
    cr_assert_eq(ccs_trace_load(path, &direct, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_values(t)[0], 82.99);
    ccs_trace_destroy(t);
    /* a 3-hour gap and a NaN, filled: previous holds, linear interpolates */
    const char *gap = write_text(dir, "gap.csv",
                                 "timestamp,value\n2023-01-01T00:00:00Z,10\n2023-01-01T01:00:00Z,20\n"
                                 "2023-01-01T02:00:00Z,nan\n2023-01-01T03:00:00Z,40\n"
                                 "2023-01-01T06:00:00Z,70\n2023-01-01T07:00:00Z,80\n");
    ccs_trace_opts prev = {.fill = CCS_FILL_PREVIOUS}, lin = {.fill = CCS_FILL_LINEAR};
    cr_assert_eq(ccs_trace_load(gap, &prev, &t, &err), 0, "%s", err.msg);
    double want_prev[] = {10, 20, 20, 40, 40, 40, 70, 80};
    cr_assert_eq(ccs_trace_len(t), 8u);
    for (int i = 0; i < 8; i++) cr_assert_eq(ccs_trace_values(t)[i], want_prev[i], "previous[%d]", i);
    ccs_trace_destroy(t);
    cr_assert_eq(ccs_trace_load(gap, &lin, &t, &err), 0, "%s", err.msg);
    double want_lin[] = {10, 20, 30, 40, 50, 60, 70, 80};
    for (int i = 0; i < 8; i++)
        cr_assert(fabs(ccs_trace_values(t)[i] - want_lin[i]) < 1e-12, "linear[%d] = %g", i, ccs_trace_values(t)[i]);
    ccs_trace_destroy(t);
}

/* The price formats users hold (their sources: traces/README.md), in hand-made excerpts of their exact
 * layouts: Ember's ENTSO-E day-ahead prices (several countries in one file), and Energinet's
 * Elspot prices (';', decimal commas, two price areas interleaved, newest row first). */
Test(trace, ember_and_energinet_price_files)
{
    const char *dir = tmp_folder();
    const char *ember = write_text(dir, "ember.csv",
                                   "Country,ISO3 Code,Datetime (UTC),Datetime (Local),Price (EUR/MWhe)\n"
                                   "Denmark,DNK,2023-01-01 00:00:00,2023-01-01 01:00:00,1.5\n"
                                   "Denmark,DNK,2023-01-01 01:00:00,2023-01-01 02:00:00,-2.25\n"
                                   "Germany,DEU,2023-01-01 00:00:00,2023-01-01 01:00:00,-5.17\n"
                                   "Germany,DEU,2023-01-01 01:00:00,2023-01-01 02:00:00,-1.07\n"
                                   "Germany,DEU,2023-01-01 02:00:00,2023-01-01 03:00:00,-1.47\n");
    ccs_trace *t;
    ccs_err err = {0};
    ccs_trace_opts deu = {.select = "DEU"};
    cr_assert_eq(ccs_trace_load(ember, &deu, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_len(t), 3u);
    cr_assert_eq(ccs_trace_values(t)[0], -5.17);
    cr_assert_eq(ccs_trace_values(t)[2], -1.47);
    cr_assert_str_eq(ccs_trace_units(t), "EUR/MWh");
    cr_assert_str_eq(ccs_trace_format(t), "ember");
    ccs_trace_destroy(t);
    /* without a selection, two countries are an error that names them and the fix */
    cr_assert_neq(ccs_trace_load(ember, NULL, &t, &err), 0);
    cr_assert(strstr(err.msg, "'DNK' and 'DEU'") && strstr(err.msg, "select") && strstr(err.msg, "ember.csv:4"), "%s",
              err.msg);

    const char *dk = write_text(dir, "elspot.csv",
                                "HourUTC;HourDK;PriceArea;SpotPriceDKK;SpotPriceEUR\n"
                                "2023-01-01 01:00;2023-01-01 02:00;DK2;10,500000;1,410000\n"
                                "2023-01-01 01:00;2023-01-01 02:00;DK1;7,440000;1,000000\n"
                                "2023-01-01 00:00;2023-01-01 01:00;DK2;20,000000;2,690000\n"
                                "2023-01-01 00:00;2023-01-01 01:00;DK1;14,950000;2,010000\n"
                                "2022-12-31 23:00;2023-01-01 00:00;DK1;-3,720000;-0,500000\n");
    ccs_trace_opts dk1 = {.select = "DK1"};
    cr_assert_eq(ccs_trace_load(dk, &dk1, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_len(t), 3u);
    int64_t first;
    ccs_time_parse("2022-12-31T23:00:00Z", &first);
    cr_assert_eq(ccs_trace_start_us(t), first, "read oldest first");
    cr_assert_eq(ccs_trace_values(t)[0], -0.5);
    cr_assert_eq(ccs_trace_values(t)[1], 2.01);
    cr_assert_eq(ccs_trace_values(t)[2], 1.0);
    cr_assert_str_eq(ccs_trace_units(t), "EUR/MWh");
    cr_assert_str_eq(ccs_trace_format(t), "energinet");
    ccs_trace_destroy(t);
    ccs_trace_opts dkk = {.select = "DK2", .column = "SpotPriceDKK"};
    cr_assert_eq(ccs_trace_load(dk, &dkk, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_trace_values(t)[0], 20.0);
    cr_assert_eq(ccs_trace_values(t)[1], 10.5);
    cr_assert_str_eq(ccs_trace_units(t), "DKK/MWh");
    ccs_trace_destroy(t);
    ccs_trace_opts dk3 = {.select = "DK3"};
    cr_assert_neq(ccs_trace_load(dk, &dk3, &t, &err), 0);
    cr_assert(strstr(err.msg, "no rows for PriceArea 'DK3'"), "%s", err.msg);
}

/* ---- Loads that share a trace (ccs_trace.c, "Traces already loaded") ---- */

/* a file of `hours` hourly values base, base + 1, ... */
static const char *hours_file(const char *dir, const char *name, int hours, double base)
{
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "timestamp,value\n");
    for (int h = 0; h < hours; h++)
        n += (size_t)snprintf(text + n, sizeof text - n, "2023-01-01T%02d:00:00Z,%g\n", h, base + h);
    return write_text(dir, name, text);
}

static ccs_trace *load_ok(const char *path, const ccs_trace_opts *o)
{
    ccs_trace *t;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(path, o, &t, &err), 0, "%s", err.msg);
    return t;
}

/* The same path, options and bytes: one trace, shared, each load matched by its destroy (the
 * sanitizer build catches a trace freed while held, or never freed). Other options, or other
 * bytes: another trace. The bytes decide, not the file's time: a rewrite of the same length with
 * the old modification time put back still reads the new values. */
Test(trace, loads_share_a_trace_only_for_the_same_bytes_and_options)
{
    const char *dir = tmp_folder();
    char path[700];
    snprintf(path, sizeof path, "%s", hours_file(dir, "a.csv", 6, 10));
    ccs_trace *a = load_ok(path, NULL), *b = load_ok(path, NULL);
    cr_assert_eq(a, b, "the second load of the same file and options is the first's trace");
    ccs_trace_opts kw = {.units = "kgCO2e/kWh"}, tz = {.stamp.timezone = "Europe/Berlin"};
    ccs_trace *c = load_ok(path, &kw), *d = load_ok(path, &tz);
    cr_assert_neq(c, a, "other units: another trace");
    cr_assert_eq(ccs_trace_values(c)[0], 10000.0, "10 kg/kWh read as 10,000 g/kWh: %g", ccs_trace_values(c)[0]);
    cr_assert_neq(d, a, "another time zone option: another trace");
    ccs_trace_destroy(a);
    cr_assert(ccs_trace_values(b)[0] == 10.0 && ccs_trace_values(b)[5] == 15.0, "still held by the second load");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    /* the same length, other values, the old time restored */
    hours_file(dir, "a.csv", 6, 20);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0);
    ccs_trace *e = load_ok(path, NULL);
    cr_assert_neq(e, b, "other bytes: another trace");
    cr_assert_eq(ccs_trace_values(e)[0], 20.0, "the rewritten file's value, %g", ccs_trace_values(e)[0]);
    cr_assert_eq(ccs_trace_values(b)[0], 10.0, "a trace never changes once loaded");
    ccs_trace_destroy(b);
    ccs_trace_destroy(c);
    ccs_trace_destroy(d);
    ccs_trace_destroy(e);
    /* a load that fails is not kept: the second fails again */
    const char *bad = write_text(dir, "bad.csv", "timestamp,value\n2023-01-01T00:00:00Z,x\n");
    for (int i = 0; i < 2; i++) {
        ccs_trace *t;
        ccs_err err = {0};
        cr_assert_neq(ccs_trace_load(bad, NULL, &t, &err), 0, "load %d of a bad file succeeded", i);
        cr_assert_null(t);
        cr_assert(strstr(err.msg, "bad.csv:2"), "%s", err.msg);
    }
}

/* More files than the cache keeps (16), all held, then let go in another order: every trace keeps
 * its own values while dropped from the cache, and each is freed once (the sanitizer build). */
Test(trace, traces_dropped_from_the_cache_live_while_held)
{
    enum { FILES = 40 };
    const char *dir = tmp_folder();
    ccs_trace *held[FILES];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < FILES; i++) {
            char name[32];
            snprintf(name, sizeof name, "f%02d.csv", i);
            held[i] = load_ok(hours_file(dir, name, 3, 100.0 * i), NULL);
        }
        for (int i = 0; i < FILES; i++)
            cr_assert_eq(ccs_trace_values(held[i])[2], 100.0 * i + 2, "file %d: %g", i, ccs_trace_values(held[i])[2]);
        for (int i = FILES - 1; i >= 0; i -= 2) ccs_trace_destroy(held[i]);
        for (int i = 0; i < FILES; i += 2) ccs_trace_destroy(held[i]);
    }
}

typedef struct loader_arg {
    const char *paths[3];
    int bad;
} loader_arg;

static void *loader(void *p)
{
    loader_arg *a = p;
    for (int i = 0; i < 300; i++) {
        int k = i % 3;
        ccs_trace *t;
        ccs_err err = {0};
        if (ccs_trace_load(a->paths[k], NULL, &t, &err) != 0 || ccs_trace_len(t) != 6 ||
            ccs_trace_values(t)[5] != 1000.0 * k + 5)
            a->bad++;
        if (t) ccs_trace_destroy(t);
    }
    return NULL;
}

/* Services load their traces on their own threads: four threads loading and letting go of three
 * files at once, each load must see its file's values (and the sanitizer build no race on a
 * freed trace). */
Test(trace, loads_on_several_threads_share_safely)
{
    const char *dir = tmp_folder();
    static char paths[3][700];
    loader_arg args[4];
    for (int k = 0; k < 3; k++) {
        char name[16];
        snprintf(name, sizeof name, "t%d.csv", k);
        snprintf(paths[k], sizeof paths[k], "%s", hours_file(dir, name, 6, 1000.0 * k));
    }
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (loader_arg){{paths[0], paths[1], paths[2]}, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, loader, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(args[i].bad, 0, "thread %d: %d loads wrong", i, args[i].bad);
    }
}

/* The nominal step is the most common interval, ties to the smaller (ccs_trace.c, mode_interval:
 * a majority vote first, a sort when no interval holds more than half). Stamps in minutes after
 * 2023-01-01, filled with the previous value where an interval is longer than the step. */
Test(trace, step_is_the_most_common_interval)
{
    static const struct {
        int minutes[10], n;
        long step_min;
    } cases[] = {
        {{0, 1, 2, 3, 6, 7, 8}, 7, 1},          /* 1, 1, 1, 3, 1, 1: 1 a majority */
        {{0, 1, 2, 4, 6, 9, 12}, 7, 1},         /* 1, 1, 2, 2, 3, 3: a three-way tie, the smallest */
        {{0, 2, 4, 5, 6, 9, 12, 15}, 8, 3},     /* 2, 2, 1, 1, 3, 3, 3: 3 in 3 of 7, no majority */
        {{0, 5, 10, 15, 20, 21, 22, 23}, 8, 5}, /* 5, 5, 5, 5, 1, 1, 1: 5 a majority of 4 to 3 */
        {{0, 3, 6, 9, 10, 12, 13, 15}, 8, 3},   /* 3, 3, 3, 1, 2, 1, 2: the vote ends on 2, held by 2 of 7 */
        {{0, 1, 3, 4, 6, 7}, 6, 1},             /* 1, 2, 1, 2, 1: 1 in 3 of 5 */
    };
    const char *dir = tmp_folder();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char text[1024], name[32];
        size_t n = (size_t)snprintf(text, sizeof text, "timestamp,value\n");
        for (int i = 0; i < cases[c].n; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%lld,%d\n", 1672531200LL + 60LL * cases[c].minutes[i], i);
        snprintf(name, sizeof name, "step%zu.csv", c);
        ccs_trace_opts prev = {.fill = CCS_FILL_PREVIOUS};
        ccs_trace *t = load_ok(write_text(dir, name, text), &prev);
        long want = cases[c].step_min;
        cr_assert_eq(ccs_trace_step_us(t), want * 60 * CCS_US_PER_S, "case %zu: step %lld s, expected %ld min", c,
                     (long long)(ccs_trace_step_us(t) / CCS_US_PER_S), want);
        ccs_trace_destroy(t);
    }
}

/* ---- Parsed from memory or from the path ----
 * A text trace is read whole and parsed from those bytes; one too large to hold, or not a regular
 * file, is parsed from its path (ccs_trace_set_hold_limit). Every bundled trace, every format's
 * sample file and every seed of the CSV fuzzer (good and broken alike) must come out the same
 * either way: the same series and attributes, or the same code and message. */
static const char *text(const char *s) { return s ? s : "(null)"; }

static int expect_same_both_ways(const char *path, const ccs_trace_opts *o)
{
    ccs_trace *a = NULL, *b = NULL;
    ccs_err ea = {0}, eb = {0};
    int ra = ccs_trace_load_unguarded(path, o, &a, &ea); /* unguarded: no cache between the two */
    size_t before = ccs_trace_set_hold_limit(0);
    int rb = ccs_trace_load_unguarded(path, o, &b, &eb);
    ccs_trace_set_hold_limit(before);
    cr_assert_eq(ra, rb, "%s: %d from memory (%s), %d from the path (%s)", path, ra, ea.msg, rb, eb.msg);
    if (ra) {
        cr_assert_str_eq(ea.msg, eb.msg, "%s", path);
        cr_assert(a == NULL && b == NULL);
        return 0;
    }
    size_t n = ccs_trace_len(a);
    cr_assert_eq(n, ccs_trace_len(b), "%s: %zu rows from memory, %zu from the path", path, n, ccs_trace_len(b));
    cr_assert_eq(memcmp(ccs_trace_times(a), ccs_trace_times(b), n * sizeof(int64_t)), 0, "%s: times", path);
    cr_assert_eq(memcmp(ccs_trace_values(a), ccs_trace_values(b), n * sizeof(double)), 0, "%s: values", path);
    cr_assert_eq(ccs_trace_step_us(a), ccs_trace_step_us(b), "%s", path);
    cr_assert_str_eq(text(ccs_trace_units(a)), text(ccs_trace_units(b)), "%s", path);
    cr_assert_str_eq(text(ccs_trace_kind(a)), text(ccs_trace_kind(b)), "%s", path);
    cr_assert_str_eq(text(ccs_trace_format(a)), text(ccs_trace_format(b)), "%s", path);
    cr_assert_str_eq(text(ccs_trace_column(a)), text(ccs_trace_column(b)), "%s", path);
    cr_assert_str_eq(text(ccs_trace_note(a)), text(ccs_trace_note(b)), "%s", path);
    ccs_trace_destroy(a);
    ccs_trace_destroy(b);
    return 1;
}

Test(trace, parsed_from_memory_or_from_the_path_alike, .timeout = 120)
{
    static const char *const dirs[] = {"traces/carbon",
                                       "traces/price",
                                       "traces/traffic",
                                       "tests/data/import",
                                       "tests/fuzz/corpus/trace_csv",
                                       "tests/data/malformed/base"};
    const ccs_trace_opts opts[] = {{.fill = CCS_FILL_NONE},
                                   {.fill = CCS_FILL_PREVIOUS, .allow_negative = true},
                                   {.fill = CCS_FILL_LINEAR, .stamp = {.timezone = "Europe/Berlin"}}};
    int files = 0, loaded = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        char dir[700];
        snprintf(dir, sizeof dir, "%s/%s", source_dir(), dirs[d]);
        DIR *dp = opendir(dir);
        cr_assert_not_null(dp, "%s", dir);
        for (struct dirent *e; (e = readdir(dp)) != NULL;) {
            if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0) continue;
            char path[1000];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            struct stat st;
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
            files++;
            for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) loaded += expect_same_both_ways(path, &opts[k]);
        }
        closedir(dp);
    }
    /* the edges of reading: no line end at the end, CR line ends, a byte-order mark, an empty file,
     * the first seven bytes of HDF5's signature, JSON Lines and a log line without a line end */
    static const char *const edges[][2] = {
        {"no-newline.csv", "timestamp,value\n2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,2"},
        {"cr.csv", "timestamp,value\r2023-01-01T00:00:00Z,1\r2023-01-01T01:00:00Z,2\r"},
        {"crlf-bom.csv", "\xef\xbb\xbftimestamp,value\r\n2023-01-01T00:00:00Z,1\r\n2023-01-01T01:00:00Z,2\r\n"},
        {"empty.csv", ""},
        {"almost-h5.csv", "\x89HDF\r\n\x1a,value\n2023-01-01T00:00:00Z,1\n"},
        {"lines.jsonl", "{\"time\": \"2023-01-01T00:00:00Z\", \"value\": 1}\n"
                        "{\"time\": \"2023-01-01T01:00:00Z\", \"value\": 2}"},
        {"access.log", "h - - [01/Jul/1995:00:00:01 -0400] \"GET / HTTP/1.0\" 200 1\n"
                       "h - - [01/Jul/1995:00:01:02 -0400] \"GET / HTTP/1.0\" 200 1"},
    };
    const char *tmp = tmp_folder();
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        const char *path = write_text(tmp, edges[i][0], edges[i][1]);
        files++;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) loaded += expect_same_both_ways(path, &opts[k]);
    }
    /* the walk found the files, and both outcomes were compared */
    cr_assert_geq(files, 50, "%d files", files);
    cr_assert_geq(loaded, 60, "%d loads succeeded", loaded);
    cr_assert_lt(loaded, 3 * files, "every load succeeded: the broken seeds were not reached");
}
