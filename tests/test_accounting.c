/* Energy, carbon and cost accounting against hand computations and conservation laws. */
#include "ccs_scenario.h"
#include "ccs_time.h"
#include "helpers.h"
#include "ledger.h"
#include "powerbook.h"
#include "run.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CLOSE(a, b) (fabs((a) - (b)) <= 1e-9 * fmax(1.0, fabs(b)))

/* A region on hand-made traces from 2023-01-01T00:00Z (*t0): intensity 100, 200, ... 600 g/kWh
 * hour by hour (hourly_trace), a half-hourly price of 40 then 80 USD/MWh alternating over four
 * hours, and PUE 1.5. */
static ccs_ledger_region hand_region(ccs_trace **ci, ccs_trace **price, int64_t *t0)
{
    const char *dir = tmp_folder();
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(write_text(dir, "ci.csv", hourly_trace), NULL, ci, &err), 0, "%s", err.msg);
    char text[512] = "Datetime (UTC),Datetime (Local),Price (USD/MWh)\n";
    for (int h = 0; h < 4; h++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used,
                 "2023-01-01 %02d:00:00+00:00,x,40\n2023-01-01 %02d:30:00+00:00,x,80\n", h, h);
    }
    cr_assert_eq(ccs_trace_load(write_text(dir, "p.csv", text), NULL, price, &err), 0, "%s", err.msg);
    ccs_time_parse("2023-01-01T00:00:00Z", t0);
    return (ccs_ledger_region){.name = "x", .carbon = *ci, .price = *price, .fixed_price_per_mwh = -1, .pue = 1.5};
}

Test(ledger, constant_power_over_a_hand_made_trace)
{
    ccs_trace *ci, *price;
    int64_t t0;
    ccs_ledger_region reg = hand_region(&ci, &price, &t0);
    ccs_err err = {0};
    ccs_ledger *l;
    cr_assert_eq(ccs_ledger_create(&reg, 1, t0, t0 + 3 * CCS_US_PER_HOUR, &l, &err), 0, "%s", err.msg);
    /* 1 kW from 00:30 to 02:30: 2 kWh IT, 3 kWh from the grid at PUE 1.5.
     * carbon = 1.5 x (0.5 kWh x 100 + 1 kWh x 200 + 0.5 kWh x 300) g = 600 g
     * cost = 1.5 x (0.5 x 80 + 0.5 x 40 + 0.5 x 80 + 0.5 x 40) kWh*USD/MWh / 1000 = 0.18 USD */
    ccs_charge c = {0};
    cr_assert_eq(ccs_ledger_add(l, 0, t0 + 30 * CCS_US_PER_MIN, t0 + 150 * CCS_US_PER_MIN, 1000.0, 1, 0, &c), 0);
    cr_assert(CLOSE(c.it_energy_j, 2 * 3.6e6));
    cr_assert(CLOSE(c.energy_j, 3 * 3.6e6));
    cr_assert(CLOSE(c.carbon_g, 600.0), "carbon %.12g g, want 600", c.carbon_g);
    cr_assert(CLOSE(c.cost, 0.18), "cost %.12g, want 0.18", c.cost);
    /* rented hardware: no electricity cost, 2 h x 3 USD/h rent */
    ccs_charge rent = {0};
    ccs_ledger_add(l, 0, t0, t0 + 2 * CCS_US_PER_HOUR, 100.0, 0, 3.0, &rent);
    cr_assert(CLOSE(rent.cost, 6.0), "rent %.12g", rent.cost);
    cr_assert(CLOSE(rent.carbon_g, 1.5 * (0.1 * 100 + 0.1 * 200)));
    /* the hourly series add up to the charges */
    ccs_hourly h;
    cr_assert_eq(ccs_ledger_hourly(l, 0, &h), 0);
    cr_assert_eq(h.n, 3u);
    double e = 0, g = 0, cost = 0;
    for (size_t i = 0; i < h.n; i++) {
        e += h.energy_kwh[i];
        g += h.carbon_kg[i];
        cost += h.cost[i];
    }
    cr_assert(CLOSE(e, (c.energy_j + rent.energy_j) / 3.6e6));
    cr_assert(CLOSE(g, (c.carbon_g + rent.carbon_g) / 1000));
    cr_assert(CLOSE(cost, c.cost + rent.cost));
    cr_assert(CLOSE(h.intensity[1], 200.0) && CLOSE(h.price[1], 60.0));
    /* past the traces' end: refused */
    cr_assert_neq(ccs_ledger_add(l, 0, t0, t0 + 7 * CCS_US_PER_HOUR, 1.0, 1, 0, NULL), 0);
    ccs_ledger_destroy(l);
    ccs_trace_destroy(ci);
    ccs_trace_destroy(price);
}

Test(ledger, constant_intensity_gives_energy_times_intensity)
{
    const char *dir = tmp_folder();
    ccs_trace *ci;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(write_text(dir, "c.csv",
                                           "Time,Carbon Intensity\n2020-01-01 00:00:00,250\n"
                                           "2020-01-01 00:30:00,250\n2020-01-01 01:00:00,250\n"),
                                NULL, &ci, &err),
                 0, "%s", err.msg);
    ccs_ledger_region reg = {.name = "x", .carbon = ci, .fixed_price_per_mwh = -1, .pue = 1.0};
    ccs_ledger *l;
    int64_t t0;
    ccs_time_parse("2020-01-01T00:00:00Z", &t0);
    cr_assert_eq(ccs_ledger_create(&reg, 1, t0, t0 + 90 * CCS_US_PER_MIN, &l, &err), 0, "%s", err.msg);
    ccs_charge c = {0};
    ccs_ledger_add(l, 0, t0 + 7 * CCS_US_PER_MIN, t0 + 83 * CCS_US_PER_MIN, 1234.5, 1, 0, &c);
    /* by hand: 1234.5 W for 76 min = 1234.5 x 4560 s = 5,629,320 J = 1.5637 kWh; x 250 g/kWh */
    cr_assert(CLOSE(c.energy_j, 1234.5 * 76 * 60), "energy %.17g J", c.energy_j);
    cr_assert(CLOSE(c.carbon_g, 1234.5 * 76 * 60 / 3.6e6 * 250.0), "carbon %.17g g", c.carbon_g);
    cr_assert_eq(c.cost, 0.0); /* no price and no tariff: nothing is made up */
    ccs_ledger_destroy(l);
    ccs_trace_destroy(ci);
}

Test(run, job_carbon_and_freshness_by_hand)
{
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 4h\n"
                     "regions: [{name: r, carbon: ci.csv, pue: 1.25, tariff_per_mwh: 100}]\n"
                     "jobs:\n  - name: j\n    release: {every: 1h, at: \"00:30\"}\n"
                     "    duration: 15m\n    power_kw: 2\n    deadline: 30m\n");
    ccs_run_result *r = x.r;
    /* releases 00:30, 01:30, 02:30, 03:30; each 0.5 kWh IT, 0.625 kWh from the grid:
     * carbon = 0.625 x (100 + 200 + 300 + 400) g = 625 g; cost = 4 x 0.625 kWh x 0.1 = 0.25 */
    cr_assert_eq(r->jobs[0].runs, 4u);
    cr_assert(CLOSE(r->jobs[0].charge.carbon_g, 625.0), "%.12g", r->jobs[0].charge.carbon_g);
    cr_assert(CLOSE(r->totals.carbon_kg, 0.625));
    cr_assert(CLOSE(r->totals.cost, 0.25), "%.12g", r->totals.cost);
    cr_assert(CLOSE(r->totals.energy_kwh, 2.5));
    /* age of information: completions at :45, age 15 min -> 75 min each hour; the period ends
     * at 04:00 (15 min after the last completion: age 15 -> 30 min).
     * mean = (3 x 60 min x 45 min + 15 min x 22.5 min) / 195 min; max = 75 min */
    double want_mean_min = (3 * 60.0 * 45.0 + 15 * 22.5) / 195.0;
    cr_assert(CLOSE(r->jobs[0].freshness_mean_h, want_mean_min / 60.0), "%.12g", r->jobs[0].freshness_mean_h);
    cr_assert(CLOSE(r->jobs[0].freshness_max_h, 75.0 / 60.0));
    cr_assert_eq(r->jobs[0].deadline_misses, 0u);
    ran_free(x);
}

Test(run, service_energy_is_conserved)
{
    /* Deterministic service 20 ms on 3 replicas (idle 10 W, max 110 W): request energy +
     * idle energy = integral of device power, and the region's books hold exactly that. */
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 2h\nseed: 3\n"
                     "regions: [{name: r, carbon: ci.csv}]\n"
                     "hardware: [{name: box, idle_w: 10, max_w: 110}]\n"
                     "services:\n  - name: s\n    hardware: box\n    replicas: 3\n"
                     "    arrivals: {rate_per_s: 40}\n"
                     "    service_time: {dist: deterministic, mean_ms: 20}\n");
    ccs_run_result *r = x.r;
    const ccs_service_result *v = &r->services[0];
    cr_assert_gt(v->requests, 280000u);
    cr_assert(CLOSE(v->busy_energy_j, 100.0 * 0.020 * (double)v->requests), "busy %.12g", v->busy_energy_j);
    cr_assert(CLOSE(v->idle_energy_j, 3 * 10.0 * 7200.0));
    cr_assert(CLOSE(v->charge.it_energy_j, v->busy_energy_j + v->idle_energy_j));
    cr_assert(CLOSE(r->totals.energy_kwh, v->charge.energy_j / 3.6e6));
    cr_assert(CLOSE(r->totals.carbon_kg, v->charge.carbon_g / 1000.0));
    /* every latency is at least the service time, and at light load the median is exactly it */
    cr_assert(fabs(v->p50_ms - 20.0) < 0.02, "p50 %.6g", v->p50_ms);
    ran_free(x);
}

Test(run, mm1_mean_sojourn_near_theory)
{
    /* A sanity check of the queue, not the validation (that is validation/): M/M/1 with
     * lambda = 50/s, mu = 100/s: mean sojourn 1/(mu - lambda) = 20 ms; 2 h = 360k customers,
     * standard error ~1%, so 5% is a wide, safe band that still catches a wrong queue. */
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 2h\nseed: 11\n"
                     "regions: [{name: r, carbon: ci.csv}]\n"
                     "services: [{name: api, arrivals: {process: poisson, rate_per_s: 50},"
                     " service_time: {dist: exponential, mean_ms: 10}, replicas: 1}]\n");
    ccs_run_result *r = x.r;
    cr_assert(fabs(r->services[0].mean_ms - 20.0) < 1.0, "mean %.4g ms", r->services[0].mean_ms);
    cr_assert(fabs(r->services[0].p95_ms - 20.0 * log(20.0)) < 4.0, "p95 %.4g ms", r->services[0].p95_ms);
    ran_free(x);
}

Test(run, day_night_tariff_by_hand)
{
    /* 1 kW for 04:00-06:00 (hourly job, 1 h each, PUE 1); day 05:00-23:00 at 200/MWh, night 50:
     * the run at 04 pays 0.05, the one at 05 pays 0.2: 0.25 in all. */
    ran x = run_text("start: \"2023-01-01T04:00:00Z\"\nduration: 2h\ncurrency: EUR\n"
                     "regions: [{name: r, carbon: ci.csv, tariff: {day_per_mwh: 200, night_per_mwh: 50,"
                     " day_from: \"05:00\", day_to: \"23:00\"}}]\n"
                     "jobs: [{name: j, release: {every: 1h, at: \"00:00\"}, duration: 1h, power_kw: 1}]\n");
    cr_assert_eq(x.r->jobs[0].runs, 2u);
    cr_assert(CLOSE(x.r->totals.cost, 0.25), "%.12g", x.r->totals.cost);
    cr_assert(strstr(x.r->regions[0].price_source, "stated day/night"), "%s", x.r->regions[0].price_source);
    ran_free(x);
    /* a tariff edge inside an hour is refused, with the key */
    char msg[512];
    cr_assert_neq(run_text_error("start: \"2023-01-01T04:00:00Z\"\nduration: 4h\n"
                                 "regions: [{name: r, carbon: ci.csv, tariff: {day_per_mwh: 200, night_per_mwh: 50,"
                                 " day_from: \"07:30\"}}]\n",
                                 msg, sizeof msg),
                  0);
    cr_assert(strstr(msg, "tariff") && strstr(msg, "on the hour"), "%s", msg);
}

/* The power book sums the busy draws that fall in one stretch of constant prices and intensity
 * (and one hour) and books them at once. Against the same seeded random batches booked one by one
 * straight into a second ledger: batches of 1 us to 40 min, many across the hour and the
 * half-hourly price changes, with a clip whose edges cut stretches (a sampled window's) and
 * without. Energy, carbon, cost and the hourly series must agree. */
static void book_like_the_ledger(int64_t clip_from_min, int64_t clip_to_min, unsigned seed)
{
    ccs_trace *ci, *price;
    int64_t t0;
    ccs_ledger_region reg = hand_region(&ci, &price, &t0);
    ccs_err err = {0};
    ccs_ledger *by_book, *by_hand;
    cr_assert_eq(ccs_ledger_create(&reg, 1, t0, t0 + 4 * CCS_US_PER_HOUR, &by_book, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_ledger_create(&reg, 1, t0, t0 + 4 * CCS_US_PER_HOUR, &by_hand, &err), 0, "%s", err.msg);
    if (clip_to_min > clip_from_min) {
        ccs_ledger_set_clip(by_book, t0 + clip_from_min * CCS_US_PER_MIN, t0 + clip_to_min * CCS_US_PER_MIN);
        ccs_ledger_set_clip(by_hand, t0 + clip_from_min * CCS_US_PER_MIN, t0 + clip_to_min * CCS_US_PER_MIN);
    }
    ccs_hardware_cfg hw = {.idle_w = 10,
                           .max_w = 110,
                           .memory_bound_w = 60,
                           .accelerators = 4,
                           .host = {.idle_w = 40, .max_w = 200},
                           .price_per_hour = -1};
    ccs_series series;
    cr_assert_eq(ccs_series_init(&series, t0, 3 * CCS_US_PER_HOUR), 0);
    ccs_power_book_params par = {.hw = &hw,
                                 .devices = 1,
                                 .conc = 1,
                                 .provisioned = 0,
                                 .region = 0,
                                 .ledger = by_book,
                                 .series = &series,
                                 .t0_us = t0,
                                 .horizon_us = 3 * CCS_US_PER_HOUR};
    ccs_power_book *book;
    cr_assert_eq(ccs_power_book_create(&par, &book, &err), 0, "%s", err.msg);
    /* by hand: a busy slot draws 100 W (50 W memory-bound) and 40 W of its quarter of the host (20 W) */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, seed);
    ccs_charge hand = {0};
    double hand_kwh[4] = {0};
    int64_t t = 0;
    for (int i = 0; i < 20000 && t < 3 * CCS_US_PER_HOUR; i++) {
        int64_t dur = 1 + (int64_t)(gsl_rng_uniform(r) < 0.01 ? gsl_rng_uniform(r) * 40 * CCS_US_PER_MIN
                                                              : gsl_rng_uniform(r) * 2e6);
        int memory = gsl_rng_uniform(r) < 0.3;
        ccs_power_book_busy(book, t, dur, memory);
        ccs_charge c = {0};
        cr_assert_eq(ccs_ledger_add(by_hand, 0, t0 + t, t0 + t + dur, memory ? 50.0 + 20.0 : 100.0 + 40.0, 1, 0.0, &c),
                     0);
        ccs_charge_add(&hand, &c);
        hand_kwh[t / CCS_US_PER_HOUR] += c.energy_j / 3.6e6;
        t += (int64_t)(gsl_rng_uniform(r) * 1.5e6); /* slots overlap: starts come in order */
    }
    ccs_power_book_result res;
    cr_assert_eq(ccs_power_book_finish(book, &res, &err), 0, "%s", err.msg);
    cr_assert(hand.energy_j > 0);
    cr_assert(CLOSE(res.busy_energy_j + res.host_energy_j, hand.it_energy_j), "IT %.15g J, by hand %.15g J",
              res.busy_energy_j + res.host_energy_j, hand.it_energy_j);
    cr_assert(CLOSE(res.charge.carbon_g, hand.carbon_g), "carbon %.15g g, by hand %.15g g", res.charge.carbon_g,
              hand.carbon_g);
    cr_assert(CLOSE(res.charge.cost, hand.cost), "cost %.15g, by hand %.15g", res.charge.cost, hand.cost);
    for (int h = 0; h < 4; h++)
        cr_assert(CLOSE(series.energy_kwh[h], hand_kwh[h]), "hour %d: %.15g kWh, by hand %.15g", h,
                  series.energy_kwh[h], hand_kwh[h]);
    /* and the ledgers' hourly books */
    ccs_hourly a, b;
    cr_assert_eq(ccs_ledger_hourly(by_book, 0, &a), 0);
    cr_assert_eq(ccs_ledger_hourly(by_hand, 0, &b), 0);
    cr_assert_eq(a.n, b.n);
    for (size_t h = 0; h < a.n; h++)
        cr_assert(CLOSE(a.carbon_kg[h], b.carbon_kg[h]) && CLOSE(a.cost[h], b.cost[h]), "hour %zu", h);
    gsl_rng_free(r);
    ccs_power_book_destroy(book);
    ccs_series_free(&series);
    ccs_ledger_destroy(by_book);
    ccs_ledger_destroy(by_hand);
    ccs_trace_destroy(ci);
    ccs_trace_destroy(price);
}

Test(ledger, a_power_book_sums_draws_as_the_ledger_books_them_one_by_one)
{
    book_like_the_ledger(0, 0, 21);
    book_like_the_ledger(20, 95, 22);  /* a window: its edges inside stretches */
    book_like_the_ledger(60, 120, 23); /* edges on the hours */
}

/* The stretches: one segment of the traces, cut by the clip's edges. */
Test(ledger, a_span_is_one_segment_cut_by_the_clip)
{
    const char *dir = tmp_folder();
    ccs_trace *ci;
    ccs_err err = {0};
    cr_assert_eq(ccs_trace_load(write_text(dir, "ci.csv", hourly_trace), NULL, &ci, &err), 0, "%s", err.msg);
    int64_t t0, lo, hi;
    ccs_time_parse("2023-01-01T00:00:00Z", &t0);
    ccs_ledger_region reg = {.name = "x", .carbon = ci, .fixed_price_per_mwh = 50, .pue = 1.2};
    ccs_ledger *l;
    cr_assert_eq(ccs_ledger_create(&reg, 1, t0, t0 + 3 * CCS_US_PER_HOUR, &l, &err), 0, "%s", err.msg);
    const int64_t M = CCS_US_PER_MIN;
    cr_assert_eq(ccs_ledger_span(l, 0, t0 + 70 * M, &lo, &hi), 0);
    cr_assert(lo == t0 + 60 * M && hi == t0 + 120 * M, "[%lld, %lld)", (long long)(lo - t0), (long long)(hi - t0));
    ccs_ledger_set_clip(l, t0 + 80 * M, t0 + 100 * M);
    cr_assert_eq(ccs_ledger_span(l, 0, t0 + 70 * M, &lo, &hi), 0);
    cr_assert(lo == t0 + 60 * M && hi == t0 + 80 * M);
    cr_assert_eq(ccs_ledger_span(l, 0, t0 + 80 * M, &lo, &hi), 0);
    cr_assert(lo == t0 + 80 * M && hi == t0 + 100 * M);
    cr_assert_eq(ccs_ledger_span(l, 0, t0 + 119 * M, &lo, &hi), 0);
    cr_assert(lo == t0 + 100 * M && hi == t0 + 120 * M);
    cr_assert_eq(ccs_ledger_span(l, 0, t0 + 10 * M, &lo, &hi), 0);
    cr_assert(lo == t0 && hi == t0 + 60 * M);
    /* the ledger reaches as far as its traces (six hours), for work that ends after the period */
    cr_assert_eq(ccs_ledger_span(l, 0, t0 + 5 * CCS_US_PER_HOUR, &lo, &hi), 0);
    cr_assert(lo == t0 + 300 * M && hi == t0 + 360 * M);
    cr_assert_neq(ccs_ledger_span(l, 0, t0 + 6 * CCS_US_PER_HOUR, &lo, &hi), 0);
    cr_assert_neq(ccs_ledger_span(l, 0, t0 - 1, &lo, &hi), 0);
    ccs_ledger_destroy(l);
    ccs_trace_destroy(ci);
}
