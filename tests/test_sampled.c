/* Sampled fidelity (sim/run/sampled.c) by hand: what a window books and counts, the weights that
 * scale it (time-driven energy comes out exact), the estimates against theory, the same bytes on
 * any threads, the fall-back to full fidelity, and the errors a wrong sampling map gets. The
 * comparison with full fidelity on the bundled scenarios is tests/validate_sampled.py. */
#include "ccs_scenario.h"
#include "ccs_time.h"
#include "helpers.h"
#include "histogram.h"
#include "ledger.h"
#include "run.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CLOSE(a, b, rel) (fabs((a) - (b)) <= (rel)*fmax(1.0, fabs(b)))

/* The ledger's clip: a 1 kW draw over 10 hours, clipped to [02:15, 03:45), books 1.5 kWh, in
 * hours 2 and 3 (0.75 each); money at a time outside is dropped; a clear forgets all of it. */
Test(sampled, ledger_books_only_inside_its_clip)
{
    ccs_trace *ci;
    ccs_err err = {0};
    char path[600];
    snprintf(path, sizeof path, "%s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv", source_dir());
    cr_assert_eq(ccs_trace_load(path, NULL, &ci, &err), 0, "%s", err.msg);
    int64_t t0;
    ccs_time_parse("2023-03-01T00:00:00Z", &t0);
    ccs_ledger_region reg = {.name = "x", .carbon = ci, .fixed_price_per_mwh = 100, .pue = 1.0};
    ccs_ledger *l;
    cr_assert_eq(ccs_ledger_create(&reg, 1, t0, t0 + 10 * CCS_US_PER_HOUR, &l, &err), 0, "%s", err.msg);
    ccs_ledger_set_clip(l, t0 + 135 * CCS_US_PER_MIN, t0 + 225 * CCS_US_PER_MIN);
    ccs_charge c = {0};
    cr_assert_eq(ccs_ledger_add(l, 0, t0, t0 + 10 * CCS_US_PER_HOUR, 1000.0, 1, 0, &c), 0);
    cr_assert(CLOSE(c.it_energy_j, 1.5 * 3.6e6, 1e-12), "%g J", c.it_energy_j);
    cr_assert_eq(ccs_ledger_add_money(l, 0, t0 + CCS_US_PER_HOUR, 7.0, CCS_MONEY_TRANSFER, &c), 0);
    cr_assert_eq(ccs_ledger_add_money(l, 0, t0 + 3 * CCS_US_PER_HOUR, 5.0, CCS_MONEY_TRANSFER, &c), 0);
    double it, owned, money[CCS_MONEY_KINDS];
    ccs_ledger_raw(l, 0, &it, &owned, money);
    cr_assert(CLOSE(it, 1.5 * 3.6e6, 1e-12) && CLOSE(owned, it, 1e-12));
    cr_assert(CLOSE(money[CCS_MONEY_TRANSFER], 5.0, 1e-12), "only the money inside: %g", money[CCS_MONEY_TRANSFER]);
    ccs_hourly h;
    cr_assert_eq(ccs_ledger_hourly(l, 0, &h), 0);
    cr_assert(CLOSE(h.it_energy_kwh[2], 0.75, 1e-12) && CLOSE(h.it_energy_kwh[3], 0.75, 1e-12) &&
              h.it_energy_kwh[1] == 0 && h.it_energy_kwh[4] == 0);
    ccs_ledger_clear(l);
    ccs_ledger_raw(l, 0, &it, &owned, money);
    cr_assert(it == 0 && owned == 0 && money[CCS_MONEY_TRANSFER] == 0);
    ccs_ledger_destroy(l);
    ccs_trace_destroy(ci);
}

/* A weighted sum of histograms has the quantiles of the histograms repeated that many times. */
Test(sampled, weighted_histograms_are_repeated_histograms)
{
    ccs_histogram *a = ccs_histogram_create(), *b = ccs_histogram_create(), *rep = ccs_histogram_create();
    ccs_whist *w = ccs_whist_create();
    test_gen g = {42};
    for (int i = 0; i < 20000; i++) ccs_histogram_add(a, 1000 + gen_below(&g, 50000));
    for (int i = 0; i < 5000; i++) ccs_histogram_add(b, 30000 + gen_below(&g, 200000));
    ccs_whist_add(w, a, 3.0);
    ccs_whist_add(w, b, 5.0);
    test_gen g2 = {42}; /* the same values again, a 3 times and b 5 times */
    for (int i = 0; i < 20000; i++) {
        int64_t v = 1000 + gen_below(&g2, 50000);
        for (int k = 0; k < 3; k++) ccs_histogram_add(rep, v);
    }
    for (int i = 0; i < 5000; i++) {
        int64_t v = 30000 + gen_below(&g2, 200000);
        for (int k = 0; k < 5; k++) ccs_histogram_add(rep, v);
    }
    const double qs[] = {0.01, 0.5, 0.9, 0.95, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
        cr_assert_eq(ccs_whist_quantile(w, qs[i]), ccs_histogram_quantile(rep, qs[i]), "q %g", qs[i]);
    cr_assert(CLOSE(ccs_whist_mean(w), ccs_histogram_mean(rep), 1e-12));
    cr_assert(CLOSE(ccs_whist_count(w), (double)ccs_histogram_count(rep), 1e-12));
    cr_assert(CLOSE(ccs_whist_frac_above(w, 40000), ccs_histogram_frac_above(rep, 40000), 1e-12));
    ccs_whist_destroy(w);
    ccs_histogram_destroy(a);
    ccs_histogram_destroy(b);
    ccs_histogram_destroy(rep);
}

/* Three fixed replicas (idle 30 W, busy 130 W, host idle 50 W) serving Poisson requests at
 * 200/s, 4 ms each, for 4 days. Idle and host-idle energy depend only on time, so the windows,
 * scaled by their weights, must give the full run's exactly: 3 x 30 W x 96 h = 8.64 kWh and
 * 3 x 50 W x 96 h = 14.4 kWh (a wrong weight or clip shows here at once). Busy energy and
 * requests are estimates: within 1% of theory (200/s x 345,600 s = 69.12 M requests; busy
 * 100 W x 4 ms each = 7.68 kWh); and P50 of M/D/3 at load 0.27 is the service time plus RTT. */
static const char *period(char *buf, size_t size, const char *fidelity, const char *duration, const char *extra)
{
    snprintf(buf, size,
             "start: \"2023-03-01T00:00:00Z\"\nduration: %s\nseed: 3\ncurrency: USD\nfidelity: %s\n%s"
             "regions: [{name: r, carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv, "
             "tariff_per_mwh: 100}]\n"
             "hardware: [{name: box, idle_w: 30, max_w: 130, host: {idle_w: 50, max_w: 50}}]\n"
             "services:\n  - {name: s, hardware: box, replicas: 3, rtt_ms: 0, arrivals: {rate_per_s: 200},\n"
             "     service_time: {dist: deterministic, mean_ms: 4}}\n",
             duration, fidelity, extra, source_dir());
    return buf;
}
#define four_days(buf, size, fidelity, extra) period(buf, size, fidelity, "4d", extra)

Test(sampled, time_driven_energy_is_exact_and_the_rest_near_theory)
{
    char text[2048];
    ran f = run_text(four_days(text, sizeof text, "full", ""));
    ran x = run_text(four_days(text, sizeof text, "sampled", ""));
    const ccs_service_result *a = &f.r->services[0], *b = &x.r->services[0];
    cr_assert(b->sampled && b->windows >= 48, "sampled with %ld windows", b->windows);
    cr_assert(b->simulated_frac < 0.5, "simulated %.3f of the period", b->simulated_frac);
    cr_assert(CLOSE(b->idle_energy_j, 3 * 30.0 * 96 * 3600, 1e-9), "idle %.9g J", b->idle_energy_j);
    cr_assert(CLOSE(a->idle_energy_j, b->idle_energy_j, 1e-9));
    cr_assert(CLOSE(b->host_energy_j, 3 * 50.0 * 96 * 3600, 1e-9), "host %.9g J", b->host_energy_j);
    cr_assert(fabs((double)b->requests - 69.12e6) < 0.01 * 69.12e6, "requests %llu", (unsigned long long)b->requests);
    cr_assert(fabs(b->busy_energy_j - 7.68 * 3.6e6) < 0.01 * 7.68 * 3.6e6, "busy %.6g J", b->busy_energy_j);
    cr_assert(fabs(b->busy_energy_j - a->busy_energy_j) <= b->energy_kwh_ci * 3.6e6 + 1e-6,
              "busy %.6g vs full %.6g: outside the interval %.3g kWh", b->busy_energy_j, a->busy_energy_j,
              b->energy_kwh_ci);
    cr_assert(CLOSE(b->p50_ms, a->p50_ms, 0.01), "P50 %.4f vs full %.4f", b->p50_ms, a->p50_ms);
    cr_assert(CLOSE(b->p99_ms, a->p99_ms, 0.01), "P99 %.4f vs full %.4f", b->p99_ms, a->p99_ms);
    /* totals are the ledger's: the same series sum as the service's estimate */
    cr_assert(CLOSE(x.r->totals.energy_kwh * 3.6e6, b->charge.energy_j, 1e-9));
    ran_free(f);
    ran_free(x);
}

/* Where windows would simulate half the period or more, the service is simulated whole: the
 * full run's figures, marked full. */
Test(sampled, a_short_period_is_simulated_whole)
{
    char text[2048];
    ran f = run_text(period(text, sizeof text, "full", "6h", ""));
    ran x = run_text(period(text, sizeof text, "sampled", "6h", ""));
    const ccs_service_result *a = &f.r->services[0], *b = &x.r->services[0];
    cr_assert(!b->sampled, "a 6 h period was sampled");
    cr_assert(a->requests == b->requests && a->p95_ms == b->p95_ms && a->charge.energy_j == b->charge.energy_j);
    ran_free(f);
    ran_free(x);
}

Test(sampled, sampling_map_errors_name_file_and_line)
{
    char text[2048];
    expect_run_error(four_days(text, sizeof text, "sampled", "sampling: {window: 7m}\n"), "does not divide the hour");
    expect_run_error(four_days(text, sizeof text, "sampled", "sampling: {window: 2h}\n"), "sampling");
    expect_run_error(four_days(text, sizeof text, "halfway", ""), "fidelity");
}

/* The windows run on several threads; the estimate is the same bytes on 1 and 3. */
Test(sampled, threads_give_the_same_bytes)
{
    char text[2048];
    const char *dir = tmp_folder();
    const char *yaml = write_text(dir, "s.yaml", four_days(text, sizeof text, "sampled", ""));
    char *summary = same_bytes_on_threads(dir, yaml, (const char *[]){"1", "3", NULL});
    cr_assert(strstr(summary, "\"fidelity\": \"sampled\"") && strstr(summary, "\"p95_ms_ci\""));
    free(summary);
}
