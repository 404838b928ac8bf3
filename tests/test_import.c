#define _GNU_SOURCE /* memmem */
/* Issue 19: the files users hold, read with their kinds, units and currencies checked. Every
 * importer on its sample in tests/data/import (tests/data/import/README.md says where each
 * layout and its numbers come from), conversions checked by hand, and each of the silent wrong
 * answers the issue found (a price trace as carbon, carbon as price, request counts as carbon,
 * EUR prices in a USD scenario) now refused with a message that says what was expected. */
#include "ccs_quantity.h"
#include "ccs_scenario.h"
#include "ccs_stamp.h"
#include "ccs_time.h"
#include "ccs_trace.h"
#include "helpers.h"
#include "run.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A file of the source tree under folder (8 rotating buffers, for several in one call). */
static const char *in_tree(const char *folder, const char *name)
{
    static char path[8][700];
    static int k;
    k = (k + 1) % 8;
    snprintf(path[k], sizeof path[k], "%s/%s/%s", source_dir(), folder, name);
    return path[k];
}

static const char *sample(const char *name) { return in_tree("tests/data/import", name); }
static const char *bundled(const char *name) { return in_tree("traces", name); }

static int64_t at(const char *iso)
{
    int64_t t;
    cr_assert_eq(ccs_time_parse(iso, &t), 0, "%s", iso);
    return t;
}

static ccs_trace *load(const char *path, const ccs_trace_opts *o)
{
    ccs_trace *t;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(path, o, &t, &err), 0, "%s", err.msg);
    return t;
}

static void load_fails(const char *path, const ccs_trace_opts *o, const char *needle1, const char *needle2)
{
    ccs_trace *t;
    ccs_err err = {0};
    cr_assert_neq(ccs_trace_load(path, o, &t, &err), 0, "%s loaded", path);
    cr_assert(strstr(err.msg, needle1) && (!needle2 || strstr(err.msg, needle2)), "%s", err.msg);
}

Test(units, conversions_by_hand)
{
    ccs_unit u;
    cr_assert_eq(ccs_unit_parse("lbs_co2_per_mwh", &u), 0); /* WattTime */
    cr_assert_eq(u.kind, CCS_Q_CARBON);
    cr_assert_float_eq(u.factor, 0.45359237, 1e-15); /* 453.59237 g / 1000 kWh */
    cr_assert_eq(ccs_unit_parse("Carbon intensity gCO\xe2\x82\x82"
                                "eq/kWh",
                                &u),
                 -1, "a column name is not a unit");
    cr_assert_eq(ccs_unit_parse("gCO\xe2\x82\x82"
                                "eq/kWh",
                                &u),
                 0);
    cr_assert_eq(u.factor, 1.0);
    cr_assert_eq(ccs_unit_parse("kgCO2/MWh", &u), 0);
    cr_assert_eq(u.factor, 1.0); /* kg/MWh = g/kWh */
    cr_assert_eq(ccs_unit_parse("t/MWh", &u), 0);
    cr_assert_eq(u.factor, 1000.0);
    cr_assert_eq(ccs_unit_parse("EUR/MWhe", &u), 0);
    cr_assert_str_eq(u.currency, "EUR");
    cr_assert_str_eq(u.canonical, "EUR/MWh");
    cr_assert_eq(u.factor, 1.0);
    cr_assert_eq(ccs_unit_parse("USD/kWh", &u), 0);
    cr_assert_eq(u.kind, CCS_Q_PRICE);
    cr_assert_eq(u.factor, 1000.0);
    cr_assert_eq(ccs_unit_parse("\xe2\x82\xac/MWh", &u), 0); /* the euro sign */
    cr_assert_str_eq(u.currency, "EUR");
    cr_assert_eq(ccs_unit_parse("\xc2\xb0"
                                "F",
                                &u),
                 0);
    cr_assert_float_eq(212 * u.factor + u.offset, 100.0, 1e-12);
    cr_assert_float_eq(32 * u.factor + u.offset, 0.0, 1e-12);
    cr_assert_eq(ccs_unit_parse("K", &u), 0);
    cr_assert_float_eq(273.15 * u.factor + u.offset, 0.0, 1e-12);
    cr_assert_eq(ccs_unit_parse("percent", &u), 0);
    cr_assert_eq(u.kind, CCS_Q_HUMIDITY);
    cr_assert_eq(ccs_unit_parse("furlongs/fortnight", &u), -1);
    cr_assert_eq(ccs_unit_parse("", &u), -1);
}

Test(stamps, forms_and_daylight_saving)
{
    char why[160];
    int64_t t;
    ccs_stamp_opts none = {0};
    cr_assert_eq(ccs_stamp_parse("1672531200", &none, INT64_MIN, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-01-01T00:00:00Z"), "epoch seconds");
    cr_assert_eq(ccs_stamp_parse("1672531200500", &none, INT64_MIN, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-01-01T00:00:00Z") + 500000, "epoch milliseconds");
    cr_assert_neq(ccs_stamp_parse("3600", &none, INT64_MIN, &t, why, sizeof why), 0, "relative needs an origin");
    cr_assert(strstr(why, "origin"), "%s", why);
    ccs_stamp_opts rel = {.has_origin = true, .origin_us = at("2023-11-16T18:15:00Z")};
    cr_assert_eq(ccs_stamp_parse("90.5", &rel, INT64_MIN, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-11-16T18:16:30Z") + 500000);
    rel.unit_us = 1e3; /* Mooncake: milliseconds after the start */
    cr_assert_eq(ccs_stamp_parse("27482", &rel, INT64_MIN, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-11-16T18:15:27Z") + 482000);
    cr_assert_eq(ccs_stamp_parse("31.12.2023 23:00 - 01.01.2024 00:00", &none, INT64_MIN, &t, why, sizeof why), 0, "%s",
                 why);
    cr_assert_eq(t, at("2023-12-31T23:00:00Z"), "an interval is read as its start");
    cr_assert_neq(ccs_stamp_parse("01/02/2023 00:00", &none, INT64_MIN, &t, why, sizeof why), 0,
                  "01/02 is not guessed");
    ccs_stamp_opts fmt = {.format = "%m/%d/%Y %H:%M"};
    cr_assert_eq(ccs_stamp_parse("01/02/2023 00:00", &fmt, INT64_MIN, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-01-02T00:00:00Z"), "a stated US format");
    /* Berlin: 26 March 2023 02:00-03:00 does not exist; 29 October 02:00-03:00 happens twice */
    ccs_stamp_opts berlin = {.timezone = "Europe/Berlin"};
    cr_assert(ccs_stamp_zone_ok("Europe/Berlin") && !ccs_stamp_zone_ok("../etc/passwd") &&
              !ccs_stamp_zone_ok("Mars/Olympus"));
    cr_assert_eq(ccs_stamp_parse("2023-07-01 12:00", &berlin, INT64_MIN, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-07-01T10:00:00Z"), "summer time is UTC+2");
    cr_assert_neq(ccs_stamp_parse("2023-03-26 02:30", &berlin, INT64_MIN, &t, why, sizeof why), 0);
    cr_assert_eq(ccs_stamp_parse("2023-10-29 02:00", &berlin, INT64_MIN, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-10-29T00:00:00Z"), "the first 02:00 (summer time)");
    cr_assert_eq(ccs_stamp_parse("2023-10-29 02:00", &berlin, t, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-10-29T01:00:00Z"), "after the first, the second 02:00 (winter time)");
    cr_assert_eq(ccs_stamp_parse("2023-10-29T02:00:00Z", &berlin, INT64_MIN, &t, why, sizeof why), 0, "%s", why);
    cr_assert_eq(t, at("2023-10-29T02:00:00Z"), "a stated Z wins over the zone");
}

/* Each layout on its sample: the rows, the first instant and value, the units as ccsim holds them. */
/* by value: Criterion hands each parameter to a new process, where pointers would dangle */
typedef struct layout_case {
    char file[48], select[8], format[24], units[16];
    size_t rows;
    char first[24];
    double first_value, step_s;
} layout_case;

static layout_case layouts[] = {
    /* Electricity Maps' current export: "(Life cycle)", no longer "(LCA)" */
    {"electricitymaps-2024-DE.csv", "", "electricitymaps", "gCO2e/kWh", 48, "2023-01-01T00:00:00Z", 185.8, 3600},
    {"neso-df_fuel_ckan.csv", "", "neso", "gCO2e/kWh", 48, "2019-12-20T00:00:00Z", 121, 1800},
    {"entsoe-day-ahead-utc.csv", "", "entsoe", "EUR/MWh", 8, "2023-03-25T22:00:00Z", 36.06, 3600},
    /* local CET/CEST across the October change: the repeated hour read as two */
    {"entsoe-day-ahead-cet.csv", "", "entsoe", "EUR/MWh", 8, "2023-10-28T22:00:00Z", 30.70, 3600},
    {"energinet-co2emis.csv", "DK1", "energinet-co2", "gCO2e/kWh", 24, "2022-01-01T00:00:00Z", 134.15, 300},
    /* WattTime v3: lbs/MWh, converted: 295.8 lbs/MWh = 134.17... g/kWh */
    {"watttime-v3-historical.json", "", "watttime", "gCO2e/kWh", 36, "2023-03-01T00:00:00Z", 0, 300},
    {"carbon-aware-sdk-emissions.json", "eastus", "carbon-aware-sdk", "gCO2e/kWh", 24, "2023-03-01T00:00:00Z", 0, 3600},
    /* Ember's monthly long format: the CO2 intensity rows of one country, its unit from the Unit column */
    {"ember-monthly-long.csv", "DEU", "ember-long", "gCO2e/kWh", 12, "2023-01-01T00:00:00Z", 417.36, 31 * 86400},
    {"traffic-epoch-s.csv", "", "nasa-http", "requests", 60, "1995-07-01T04:00:00Z", 42, 60},
    {"traffic-epoch-ms.csv", "", "nasa-http", "requests", 60, "1995-07-01T04:00:00Z", 42, 60},
    {"traffic.jsonl", "", "json", "requests", 60, "1995-07-01T04:00:00Z", 42, 60},
};

ParameterizedTestParameters(importers, each_layout_on_its_sample)
{
    return cr_make_param_array(layout_case, layouts, sizeof layouts / sizeof layouts[0]);
}

ParameterizedTest(layout_case *c, importers, each_layout_on_its_sample)
{
    ccs_trace_opts o = {.select = c->select[0] ? c->select : NULL};
    ccs_trace *t = load(sample(c->file), &o);
    cr_assert_eq(ccs_trace_len(t), c->rows, "%s: %zu rows", c->file, ccs_trace_len(t));
    cr_assert_eq(ccs_trace_start_us(t), at(c->first), "%s", c->file);
    cr_assert_eq(ccs_trace_step_us(t), (int64_t)c->step_s * CCS_US_PER_S, "%s", c->file);
    cr_assert_str_eq(ccs_trace_format(t), c->format, "%s", c->file);
    cr_assert_str_eq(ccs_trace_units(t), c->units, "%s", c->file);
    if (c->first_value != 0)
        cr_assert_float_eq(ccs_trace_values(t)[0], c->first_value, 1e-9, "%s: %.17g", c->file, ccs_trace_values(t)[0]);
    /* strictly one step apart: no hour lost or doubled by daylight saving; months of 28 to 31 days */
    int monthly = strcmp(c->format, "ember-long") == 0;
    for (size_t i = 1; i < ccs_trace_len(t); i++) {
        int64_t d = ccs_trace_times(t)[i] - ccs_trace_times(t)[i - 1];
        if (monthly)
            cr_assert(d >= 28 * CCS_US_PER_DAY && d <= 31 * CCS_US_PER_DAY, "%s row %zu", c->file, i);
        else
            cr_assert_eq(d, ccs_trace_step_us(t), "%s row %zu", c->file, i);
    }
    ccs_trace_destroy(t);
}

Test(importers, converted_values_match_their_sources)
{
    /* the WattTime sample is CAISO's 2023 hourly intensity (g/kWh) written in lbs/MWh to 0.1:
     * read back, within half a tenth of a pound */
    ccs_trace *w = load(sample("watttime-v3-historical.json"), NULL);
    ccs_trace *ca = load(bundled("carbon/carbon-intensity-US-CAL-CISO-2023-hourly.csv"), NULL);
    size_t hint = 0;
    for (size_t i = 0; i < ccs_trace_len(w); i++) {
        long k = ccs_trace_index_at(ca, ccs_trace_times(w)[i], &hint);
        cr_assert_geq(k, 0);
        cr_assert(fabs(ccs_trace_values(w)[i] - ccs_trace_values(ca)[k]) <= 0.05 * 0.45359237 + 1e-9,
                  "point %zu: %.6f vs %.6f", i, ccs_trace_values(w)[i], ccs_trace_values(ca)[k]);
    }
    cr_assert(strstr(ccs_trace_note(w), "converted from lbs_co2_per_mwh"), "%s", ccs_trace_note(w));
    ccs_trace_destroy(w);
    /* the GB API: 'actual', null in item 6, filled; the forecast by name */
    ccs_trace_opts prev = {.fill = CCS_FILL_PREVIOUS};
    ccs_trace *gb = load(sample("carbonintensity-org-uk.json"), &prev);
    cr_assert_eq(ccs_trace_len(gb), 24u);
    cr_assert_eq(ccs_trace_values(gb)[5], ccs_trace_values(gb)[4], "null actual filled from the previous");
    ccs_trace_destroy(gb);
    load_fails(sample("carbonintensity-org-uk.json"), NULL, "item 6", "fill");
    ccs_trace_opts fc = {.column = "intensity.forecast"};
    gb = load(sample("carbonintensity-org-uk.json"), &fc);
    cr_assert_eq(ccs_trace_values(gb)[0], 124.0); /* round(120.995...) + 3 */
    ccs_trace_destroy(gb);
    /* per-request traces counted per minute: the bundled Azure chatbot hour holds 19,366 requests */
    ccs_trace *az = load(bundled("traffic/AzureLLMInferenceTrace_conv.csv"), NULL);
    double n = 0;
    for (size_t i = 0; i < ccs_trace_len(az); i++) n += ccs_trace_values(az)[i];
    cr_assert_eq(n, 19366.0, "%g requests", n);
    cr_assert_str_eq(ccs_trace_kind(az), "traffic");
    ccs_trace_destroy(az);
    ccs_trace_destroy(ca);
    /* Ember's monthly figures are the months' means of the bundled hourly DE-LU series (to 0.01) */
    ccs_trace_opts deu = {.select = "DEU"};
    ccs_trace *em = load(sample("ember-monthly-long.csv"), &deu);
    ccs_trace *de = load(bundled("carbon/carbon-intensity-DE-LU-2023-hourly.csv"), NULL);
    for (size_t m = 0; m < ccs_trace_len(em); m++) {
        int64_t t0 = ccs_trace_times(em)[m],
                t1 = m + 1 < ccs_trace_len(em) ? ccs_trace_times(em)[m + 1] : at("2024-01-01T00:00:00Z");
        double sum = 0;
        size_t n = 0;
        for (size_t i = 0; i < ccs_trace_len(de); i++)
            if (ccs_trace_times(de)[i] >= t0 && ccs_trace_times(de)[i] < t1) sum += ccs_trace_values(de)[i], n++;
        cr_assert(n >= 28 * 24 - 1 && fabs(sum / (double)n - ccs_trace_values(em)[m]) <= 0.005 + 1e-9,
                  "month %zu: %.4f vs %.4f", m, sum / (double)n, ccs_trace_values(em)[m]);
    }
    ccs_trace_destroy(em);
    ccs_trace_destroy(de);
    /* relative seconds need their origin; with it, the same series as the epoch file */
    load_fails(sample("traffic-relative-s.csv"), NULL, "relative seconds need an origin", NULL);
    ccs_trace_opts rel = {.stamp = {.has_origin = true, .origin_us = at("1995-07-01T04:00:00Z")}};
    ccs_trace *r = load(sample("traffic-relative-s.csv"), &rel), *e = load(sample("traffic-epoch-s.csv"), NULL);
    cr_assert_eq(ccs_trace_len(r), ccs_trace_len(e));
    for (size_t i = 0; i < ccs_trace_len(r); i++) {
        cr_assert_eq(ccs_trace_times(r)[i], ccs_trace_times(e)[i]);
        cr_assert_eq(ccs_trace_values(r)[i], ccs_trace_values(e)[i]);
    }
    ccs_trace_destroy(r);
    ccs_trace_destroy(e);
}

Test(importers, unknown_headers_list_the_columns_and_the_flag)
{
    const char *dir = tmp_folder();
    const char *f = write_text(dir, "odd.csv", "when,how much\n2023-01-01T00:00:00Z,1\n2023-01-01T01:00:00Z,2\n");
    load_fails(f, NULL, "the columns are 'when', 'how much'", "--time-column");
    ccs_trace_opts named = {.time_column = "When", .column = "HOW MUCH", .units = "g/kWh"};
    ccs_trace *t = load(f, &named); /* names compared case-insensitively */
    cr_assert_eq(ccs_trace_values(t)[1], 2.0);
    ccs_trace_destroy(t);
    ccs_trace_opts wrong = {.column = "co2"};
    load_fails(f, &wrong, "no column named 'co2'", "the columns are");
    /* local times without a zone in the header: given one, converted through the zone database */
    const char *local = write_text(dir, "local.csv", "time,value\n2023-07-01 12:00,1\n2023-07-01 13:00,2\n");
    ccs_trace_opts berlin = {.stamp = {.timezone = "Europe/Berlin"}};
    t = load(local, &berlin);
    cr_assert_eq(ccs_trace_start_us(t), at("2023-07-01T10:00:00Z"));
    ccs_trace_destroy(t);
}

/* The silent wrong answers of the issue, each refused where the trace is named. */
Test(kinds, a_trace_of_the_wrong_kind_or_currency_is_refused)
{
    ccs_trace_opts carbon = {.kind = "carbon_intensity"};
    ccs_trace_opts price = {.kind = "price", .currency = "USD", .allow_negative = true};
    ccs_trace_opts traffic = {.kind = "traffic"};
    load_fails(bundled("price/price-day-ahead-DE-LU-2023-hourly-usd.csv"), &carbon, "an electricity-price trace",
               "expected a file of carbon_intensity");
    load_fails(bundled("carbon/carbon-intensity-DE-LU-2023-hourly.csv"), &price, "a carbon-intensity trace",
               "expected a file of price");
    load_fails(bundled("traffic/nasa-http-1995-08-per-minute.csv"), &carbon, "a traffic (request count) trace",
               "expected a file of carbon_intensity");
    load_fails(bundled("carbon/carbon-intensity-DE-LU-2023-hourly.csv"), &traffic, "a carbon-intensity trace",
               "expected a file of traffic");
    load_fails(sample("entsoe-day-ahead-utc.csv"), &price, "prices in EUR", "fx: [{from: EUR");
    /* with a stated rate: converted, and said so */
    ccs_fx fx = {.from = "EUR", .rate = 1.08, .date = "2023-03-24", .source = "ECB euro reference rate"};
    price.fx = &fx;
    price.nfx = 1;
    ccs_trace *t = load(sample("entsoe-day-ahead-utc.csv"), &price);
    cr_assert_float_eq(ccs_trace_values(t)[0], 36.06 * 1.08, 1e-12);
    cr_assert_str_eq(ccs_trace_units(t), "USD/MWh");
    cr_assert(strstr(ccs_trace_note(t), "converted from EUR at 1.08 USD per EUR (ECB euro reference rate, 2023-03-24)"),
              "%s", ccs_trace_note(t));
    ccs_trace_destroy(t);
    /* a generic file states no units: taken as the kind's, and said so */
    t = load(bundled("carbon/carbon-intensity-DK-DK1-2022-hourly.csv"), &carbon);
    cr_assert_str_eq(ccs_trace_units(t), "gCO2e/kWh");
    cr_assert(strstr(ccs_trace_note(t), "units not stated in the file: taken as gCO2e/kWh"), "%s", ccs_trace_note(t));
    ccs_trace_destroy(t);
    /* declared units that contradict the kind */
    ccs_trace_opts declared = {.kind = "carbon_intensity", .units = "EUR/MWh"};
    load_fails(bundled("carbon/carbon-intensity-DK-DK1-2022-hourly.csv"), &declared, "an electricity-price trace",
               NULL);
}

#define SCENARIO_HEAD                                                                                                 \
    "start: \"2023-03-25T22:00:00Z\"\nduration: 6h\ncurrency: USD\n"                                                  \
    "hardware: [{name: gpu, idle_w: 100, max_w: 100}]\n"                                                              \
    "services: [{name: s, region: r, hardware: gpu, replicas: 1, arrivals: {rate_per_s: 1}, service_time: {mean_ms: " \
    "1}}]\n"

/* Through a scenario: the errors name the region, the file and what was expected; a constant
 * carbon factor and a stated rate give numbers checked by hand; every output says what was done. */
Test(kinds, through_a_scenario)
{
    char yaml[4096], msg[2048];
    snprintf(yaml, sizeof yaml, SCENARIO_HEAD "regions: [{name: r, carbon: %s}]\n",
             bundled("price/price-day-ahead-DE-LU-2023-hourly-usd.csv"));
    cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "region 'r'") && strstr(msg, "price-day-ahead-DE-LU") && strstr(msg, "carbon_intensity"),
              "%s", msg);
    snprintf(yaml, sizeof yaml, SCENARIO_HEAD "regions: [{name: r, carbon: 400, price: %s}]\n",
             bundled("carbon/carbon-intensity-DE-LU-2023-hourly.csv"));
    cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "a carbon-intensity trace") && strstr(msg, "expected a file of price"), "%s", msg);
    snprintf(yaml, sizeof yaml, SCENARIO_HEAD "regions: [{name: r, carbon: 400, price: %s}]\n",
             sample("entsoe-day-ahead-utc.csv"));
    cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "prices in EUR") && strstr(msg, "currency is USD"), "%s", msg);
    /* one server of 100 W for 6 h: 0.6 kWh; at a constant 400 g/kWh, 240 g; 0.5 lbs/kWh is 226.8 g/kWh */
    snprintf(yaml, sizeof yaml,
             SCENARIO_HEAD "fx: [{from: EUR, rate: 1.08, date: 2023-03-24, source: ECB euro reference rate}]\n"
                           "regions: [{name: r, carbon: 400, price: %s}]\n",
             sample("entsoe-day-ahead-utc.csv"));
    ran x = run_text(yaml);
    double kwh = x.r->totals.energy_kwh;
    cr_assert_float_eq(kwh, 0.6, 1e-9, "%.12g kWh", kwh);
    cr_assert_float_eq(x.r->totals.carbon_kg, 0.24, 1e-9, "%.12g kg", x.r->totals.carbon_kg);
    cr_assert(strstr(x.r->regions[0].price_source, "converted from EUR at 1.08 USD per EUR"), "%s",
              x.r->regions[0].price_source);
    cr_assert(strstr(x.r->regions[0].carbon_path, "a stated constant"), "%s", x.r->regions[0].carbon_path);
    /* the cost: each hour's 0.1 kWh at its EUR price x 1.08 */
    ccs_trace *p = load(sample("entsoe-day-ahead-utc.csv"), NULL);
    double cost = 0;
    for (size_t h = 0; h < 6; h++) cost += 0.1e-3 * ccs_trace_values(p)[h] * 1.08;
    cr_assert(fabs(x.r->totals.cost - cost) < 1e-9 * (1 + fabs(cost)), "cost %.12g, by hand %.12g", x.r->totals.cost,
              cost);
    ccs_trace_destroy(p);
    ran_free(x);
    snprintf(yaml, sizeof yaml, SCENARIO_HEAD "regions: [{name: r, carbon: {value: 0.5, units: lbs/kWh}}]\n");
    x = run_text(yaml);
    cr_assert_float_eq(x.r->totals.carbon_kg, 0.6 * 0.5 * 453.59237 / 1000, 1e-9, "%.12g kg", x.r->totals.carbon_kg);
    ran_free(x);
    /* a value and a file, or neither: refused at the key */
    snprintf(yaml, sizeof yaml, SCENARIO_HEAD "regions: [{name: r, carbon: {value: 1, file: ci.csv}}]\n");
    cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "s.yaml:6:") && strstr(msg, "both a file and a value"), "%s", msg);
    snprintf(yaml, sizeof yaml, SCENARIO_HEAD "regions: [{name: r, carbon: {column: x}}]\n");
    cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "neither a file nor a value"), "%s", msg);
    snprintf(yaml, sizeof yaml, SCENARIO_HEAD "regions: [{name: r, carbon: {file: ci.csv, timezone: Mars/Base}}]\n");
    cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "'Mars/Base' is not a time zone"), "%s", msg);
}

/* The CLI's outputs carry the conversion: summary.json and results.h5. */
Test(kinds, every_output_says_what_was_converted)
{
    const char *dir = tmp_folder();
    char yaml[4096], out[800];
    snprintf(yaml, sizeof yaml,
             SCENARIO_HEAD "fx: [{from: EUR, rate: 1.08, date: 2023-03-24, source: ECB euro reference rate}]\n"
                           "regions: [{name: r, carbon: 400, price: %s}]\n",
             sample("entsoe-day-ahead-utc.csv"));
    const char *sc = write_text(dir, "fx.yaml", yaml);
    snprintf(out, sizeof out, "%s/out", dir);
    cmd_result r;
    const char *args[] = {"run", sc, "--out", out, "--no-plot", NULL};
    run_ccsim(&r, args);
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *want = "converted from EUR at 1.08 USD per EUR (ECB euro reference rate, 2023-03-24)";
    const char *files[] = {"summary.json", "results.h5"};
    for (int k = 0; k < 2; k++) {
        char path[900];
        snprintf(path, sizeof path, "%s/%s", out, files[k]);
        size_t len;
        char *text = read_all(path, &len);
        cr_assert(text, "%s", path);
        cr_assert(memmem(text, len, want, strlen(want)), "%s does not say '%s'", files[k], want);
        free(text);
    }
}

/* A web server's access log (Common Log Format) counted per minute gives back the counts it was
 * written from; a measured latency table from a CSV file gives the same run as the same points
 * written as lists. */
Test(importers, access_log_and_latency_table_files)
{
    ccs_trace *log = load(sample("nasa-access.log"), NULL);
    ccs_trace *counts = load(bundled("traffic/nasa-http-1995-07-per-minute.csv"), NULL);
    cr_assert_eq(ccs_trace_len(log), 10u);
    cr_assert_str_eq(ccs_trace_format(log), "access-log");
    cr_assert_str_eq(ccs_trace_kind(log), "traffic");
    for (size_t i = 0; i < 10; i++) {
        cr_assert_eq(ccs_trace_times(log)[i], ccs_trace_times(counts)[i], "minute %zu", i);
        cr_assert_eq(ccs_trace_values(log)[i], ccs_trace_values(counts)[i], "minute %zu", i);
    }
    ccs_trace_destroy(log);
    ccs_trace_destroy(counts);
    const char *dir = tmp_folder();
    write_text(dir, "lat.csv", "Batch,Latency_ms,note\n1,2.0,a\n4,3.5,b\n8,6.0,c\n");
    const char *svc = "services: [{name: s, region: r, hardware: gpu, replicas: 1, batching: {max_batch: 8, window_ms: "
                      "2}, arrivals: {rate_per_s: 200}, ";
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
             "hardware: [{name: gpu, idle_w: 50, max_w: 300}]\n%slatency_table: %s/lat.csv}]\n",
             svc, dir);
    ran a = run_text(yaml);
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
             "hardware: [{name: gpu, idle_w: 50, max_w: 300}]\n%slatency_table: {batch: [1, 4, 8], ms: [2.0, 3.5, "
             "6.0]}}]\n",
             svc);
    ran b = run_text(yaml);
    cr_assert_eq(a.r->totals.energy_kwh, b.r->totals.energy_kwh, "%.17g vs %.17g", a.r->totals.energy_kwh,
                 b.r->totals.energy_kwh);
    cr_assert_eq(a.r->services[0].p95_ms, b.r->services[0].p95_ms);
    ran_free(a);
    ran_free(b);
    char msg[2048];
    write_text(dir, "bad.csv", "batch,latency_ms\n1,2\n8,-6\n");
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
             "hardware: [{name: gpu, idle_w: 50, max_w: 300}]\n%slatency_table: %s/bad.csv}]\n",
             svc, dir);
    cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "bad.csv:3") && strstr(msg, "latency above 0"), "%s", msg);
}

/* A measured table's power_w column (issue 19): read in any case, a cell in every row, each a
 * finite power above 0; a bad cell is refused at its file and line, saying what was expected. */
Test(importers, latency_table_power_w_cells)
{
    const char *dir = tmp_folder();
    const char *svc = "services: [{name: s, region: r, hardware: gpu, replicas: 1, batching: {max_batch: 8, window_ms: "
                      "2}, arrivals: {rate_per_s: 200}, ";
    char yaml[4096], msg[2048];
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
             "hardware: [{name: gpu, idle_w: 50, max_w: 300}]\n%slatency_table: %s}]\n",
             svc, sample("latency-power.csv"));
    ran a = run_text(yaml); /* Batch,Latency_ms,Power_W */
    cr_assert(a.r->services[0].busy_energy_j > 0);
    ran_free(a);
    struct {
        const char *name, *text, *at, *needle;
    } bad[] = {
        {"negative.csv", "batch,latency_ms,power_w\n1,2,120\n8,6,-5\n", "negative.csv:3", "power_w '-5' at batch 8"},
        {"missing.csv", "batch,latency_ms,power_w\n1,2,\n8,6,250\n", "missing.csv:2", "power_w '' at batch 1"},
        {"nan.csv", "batch,POWER_W,latency_ms\n1,120,2\n4,NaN,3\n8,250,6\n", "nan.csv:3", "power_w 'NaN' at batch 4"},
        {"inf.csv", "batch,latency_ms,power_w\n1,2,inf\n8,6,250\n", "inf.csv:2", "power_w 'inf'"},
        {"zero.csv", "batch,latency_ms,power_w\n1,2,0\n8,6,250\n", "zero.csv:2", "a finite number above 0"},
        {"text.csv", "batch,latency_ms,power_w\n1,2,120 W\n8,6,250\n", "text.csv:2", "power_w '120 W'"},
        {"short.csv", "batch,latency_ms,power_w\n1,2,120\n8,6\n", "short.csv:3", "2 fields, expected 3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(dir, bad[i].name, bad[i].text);
        snprintf(yaml, sizeof yaml,
                 "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                 "hardware: [{name: gpu, idle_w: 50, max_w: 300}]\n%slatency_table: %s/%s}]\n",
                 svc, dir, bad[i].name);
        cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0, "%s accepted", bad[i].name);
        cr_assert(strstr(msg, bad[i].at) && strstr(msg, bad[i].needle) && strstr(msg, "expected"), "%s: %s",
                  bad[i].name, msg);
    }
    /* below the replica's idle power: a batch would give energy back */
    write_text(dir, "low.csv", "batch,latency_ms,power_w\n1,2,40\n8,6,250\n");
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
             "hardware: [{name: gpu, idle_w: 50, max_w: 300}]\n%slatency_table: %s/low.csv}]\n",
             svc, dir);
    cr_assert_neq(run_text_error(yaml, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "low.csv") && strstr(msg, "below the replica's idle power, 50 W"), "%s", msg);
}
