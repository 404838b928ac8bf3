/* Trace loading on good inputs: every bundled file, in each CSV form, and HDF5. */
#include "ccs_time.h"
#include "ccs_trace.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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
