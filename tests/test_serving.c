/* Serving models by hand: pipelines, caches, routes, batch latency tables, autoscaling and its
 * energy books, the bundled profiles, and the errors a wrong service gets. */
#include "cache.h"
#include "ccs_scenario.h"
#include "helpers.h"
#include "pool.h"
#include "run.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CLOSE(a, b) (fabs((a) - (b)) <= 1e-9 * fmax(1.0, fabs(b)))
#define HEAD \
    "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\ncurrency: USD\nregions: [{name: r, carbon: ci.csv}]\n"

Test(serving, pipeline_latency_is_rtt_lookup_and_each_stage)
{
    /* one request every 100 ms never queues: latency = edge RTT 5 + lookup 1 + 3 + 5 ms */
    ran x = run_text(HEAD "services:\n  - name: s\n    tier: edge\n"
                          "    arrivals: {process: deterministic, rate_per_s: 10}\n"
                          "    cache: {hit_prob: 0, lookup_ms: 1}\n"
                          "    stages:\n"
                          "      - {name: a, service_time: {dist: deterministic, mean_ms: 3}}\n"
                          "      - {name: b, service_time: {dist: deterministic, mean_ms: 5}}\n");
    const ccs_service_result *v = &x.r->services[0];
    cr_assert_eq(v->requests, 36000u);
    cr_assert(CLOSE(v->mean_ms, 14.0), "mean %.12g", v->mean_ms);
    cr_assert(fabs(v->p99_ms - 14.0) <= 14.0 * 5e-4, "p99 %.6g", v->p99_ms);
    cr_assert_eq(v->npools, 2u);
    cr_assert_eq(v->pools[1].r.items, 36000u);
    cr_assert_eq(v->cache_hit_rate, 0.0);
    ran_free(x);
}

Test(serving, fixed_cache_hits_skip_the_pipeline)
{
    /* 30% hits answer after RTT + lookup (20 + 1 ms), misses after 20 + 1 + 4 ms */
    ran x = run_text(HEAD "services:\n  - name: s\n    tier: regional\n"
                          "    arrivals: {process: deterministic, rate_per_s: 200}\n"
                          "    cache: {hit_prob: 0.3, lookup_ms: 1}\n"
                          "    service_time: {dist: deterministic, mean_ms: 4}\n");
    const ccs_service_result *v = &x.r->services[0];
    double n = 720000, se = sqrt(0.3 * 0.7 / n);
    cr_assert(fabs(v->cache_hit_rate - 0.3) < 5 * se, "hit rate %.6f", v->cache_hit_rate);
    cr_assert_eq(v->pools[0].r.items, v->requests - (uint64_t)llround(v->cache_hit_rate * n));
    cr_assert(CLOSE(v->mean_ms, 21.0 * v->cache_hit_rate + 25.0 * (1 - v->cache_hit_rate)), "mean %.12g", v->mean_ms);
    ran_free(x);
}

Test(serving, routes_split_a_stage_by_share)
{
    ran x = run_text(
        HEAD "services:\n  - name: s\n    arrivals: {process: poisson, rate_per_s: 100}\n"
             "    stages:\n      - name: gen\n        routes:\n"
             "          - {name: small, share: 0.75, service_time: {dist: deterministic, mean_ms: 2}, replicas: 4}\n"
             "          - {name: large, share: 0.25, service_time: {dist: deterministic, mean_ms: 10}, replicas: 4}\n");
    const ccs_service_result *v = &x.r->services[0];
    double n = (double)(v->pools[0].r.items + v->pools[1].r.items), f = (double)v->pools[0].r.items / n;
    cr_assert(fabs(f - 0.75) < 5 * sqrt(0.75 * 0.25 / n), "small share %.5f of %.0f", f, n);
    cr_assert_str_eq(v->pools[1].route, "large");
    cr_assert(v->p99_ms >= 10.0 && v->p50_ms < 3.0, "p50 %.4g p99 %.4g", v->p50_ms, v->p99_ms);
    ran_free(x);
}

Test(serving, roofline_tables_from_bundled_profiles)
{
    /* reranker-minilm int8 on an L4: L(b) = 1 ms + max(b 2.9e11 / (242.5e12 x 0.35),
     * (2.27e7 + b 1.2e8) / 300e9) s: compute-bound, 4.41679 ms at b = 1, 28.3343 ms at 8 */
    ran x = run_text(HEAD "services:\n  - name: s\n    hardware: l4\n    model: reranker-minilm\n"
                          "    variant: int8\n    batching: {max_batch: 8, window_ms: 2}\n"
                          "    arrivals: {rate_per_s: 50}\n");
    const ccs_service_pool_result *p = &x.r->services[0].pools[0];
    double c = 2.9e11 / (242.5e12 * 0.35);
    cr_assert(CLOSE(p->l1_ms, 1.0 + 1e3 * c), "L(1) %.12g", p->l1_ms);
    cr_assert(CLOSE(p->lmax_ms, 1.0 + 1e3 * 8 * c), "L(8) %.12g", p->lmax_ms);
    cr_assert(CLOSE(p->quality_delta, -0.3));
    cr_assert_str_eq(p->variant, "int8");
    ran_free(x);
}

Test(serving, measured_latency_table_is_interpolated)
{
    ran x = run_text(HEAD "services:\n  - name: s\n    latency_table: {batch: [1, 16], ms: [2, 17]}\n"
                          "    batching: {max_batch: 16, window_ms: 1}\n    arrivals: {rate_per_s: 50}\n");
    const ccs_service_pool_result *p = &x.r->services[0].pools[0];
    cr_assert(CLOSE(p->l1_ms, 2.0) && CLOSE(p->lmax_ms, 17.0), "%.9g %.9g", p->l1_ms, p->lmax_ms);
    ran_free(x);
}

Test(serving, autoscaler_follows_load_and_books_every_replica_hour)
{
    /* 300 requests/s x 10 ms = 3 replicas busy; at target 0.5 the scaler wants 6. Idle energy
     * must equal provisioned replica-hours x idle W, busy energy requests x 10 ms x 90 W. */
    ran x = run_text(HEAD "hardware: [{name: box, idle_w: 10, max_w: 100}]\n"
                          "services:\n  - name: s\n    hardware: box\n"
                          "    arrivals: {process: poisson, rate_per_s: 300}\n"
                          "    service_time: {dist: deterministic, mean_ms: 10}\n"
                          "    autoscale: {min: 4, max: 12, target: 0.5, interval: 10s, scale_up_delay: 30s,"
                          " scale_down_delay: 60s, warm_pool: 1}\n");
    const ccs_service_result *v = &x.r->services[0];
    const ccs_pool_result *p = &v->pools[0].r;
    cr_assert_geq(p->scale_ups, 1);
    cr_assert(p->replicas_max >= 7 && p->replicas_mean > 6.0 && p->replicas_mean < 8.5, "mean %.3f max %ld",
              p->replicas_mean, p->replicas_max);
    cr_assert(fabs(p->utilisation - 0.5) < 0.08, "utilisation %.3f", p->utilisation);
    double hours = 0;
    for (size_t i = 0; i < v->series.n; i++) hours += v->series.replica_hours[i];
    cr_assert(CLOSE(hours, p->provisioned_hours));
    cr_assert(CLOSE(v->idle_energy_j, 10.0 * 3600.0 * hours), "idle %.12g J vs %.12g replica-h", v->idle_energy_j,
              hours);
    cr_assert(CLOSE(v->busy_energy_j, 90.0 * 0.010 * (double)p->items), "busy %.12g", v->busy_energy_j);
    cr_assert(CLOSE(x.r->totals.energy_kwh, (v->busy_energy_j + v->idle_energy_j) / 3.6e6));
    ran_free(x);
}

Test(serving, autoscaler_scales_down_when_load_drops)
{
    /* 300 requests/s for 30 min, then 1/s: the scaler goes up to ~6 replicas, then back to
     * its minimum of 1 once the need has stayed low for the scale-down delay */
    const char *dir = tmp_folder();
    char counts[8192] = "timestamp,value\n", row[64], yaml[1024];
    for (int m = 0; m < 120; m++) {
        snprintf(row, sizeof row, "2023-01-01T%02d:%02d:00Z,%d\n", m / 60, m % 60, m < 30 ? 18000 : 60);
        strcat(counts, row);
    }
    const char *path = write_text(dir, "counts.csv", counts);
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 2h\nseed: 5\nregions: [{name: r, carbon: ci.csv}]\n"
             "services:\n  - name: s\n    arrivals: {process: trace-counts, trace: %s, scale: 1}\n"
             "    service_time: {dist: deterministic, mean_ms: 10}\n"
             "    autoscale: {min: 1, max: 10, target: 0.5, interval: 10s, scale_up_delay: 0s,"
             " scale_down_delay: 60s}\n",
             path);
    ran x = run_text(yaml);
    const ccs_service_result *v = &x.r->services[0];
    const ccs_pool_result *p = &v->pools[0].r;
    cr_assert_geq(p->scale_downs, 1);
    cr_assert_geq(p->replicas_max, 6);
    /* second hour: 1 replica nearly all the time */
    cr_assert(v->series.replica_hours[1] < 1.1, "replica-hours in hour 2: %.3f", v->series.replica_hours[1]);
    cr_assert(v->series.replica_hours[0] > 3.0, "replica-hours in hour 1: %.3f", v->series.replica_hours[0]);
    ran_free(x);
}

/* Unbatched fixed pools skip the queue and the departure event (pool.c, push_fcfs). The same
 * pools autoscaled with min = max run the general batcher path with an event per departure; both
 * must give the same requests, latencies, items and energy (sums of the same terms, in another
 * order: to 1e-12). Two stages, so both ends of the shortcut are covered: stage a hands requests
 * on with one event, stage b (the last) records at once. */
static ran pipeline(const char *dist, const char *cap_a, const char *cap_b)
{
    char text[1024];
    snprintf(text, sizeof text,
             HEAD "services:\n  - name: s\n    arrivals: {process: poisson, rate_per_s: 300}\n"
                  "    stages:\n"
                  "      - {name: a, hardware: l4, service_time: {dist: %s, mean_ms: 8}, %s}\n"
                  "      - {name: b, hardware: t4, service_time: {dist: %s, mean_ms: 2}, %s}\n",
             dist, cap_a, dist, cap_b);
    return run_text(text);
}

/* The shortcut against the event path, with service times drawn (the replicas' free times in a
 * heap) or constant (in a ring). */
static void fcfs_equals_the_event_path(const char *dist)
{
    ran fast = pipeline(dist, "replicas: 3", "replicas: 2");
    ran slow = pipeline(dist, "autoscale: {min: 3, max: 3, warm_pool: 0}", "autoscale: {min: 2, max: 2, warm_pool: 0}");
    const ccs_service_result *f = &fast.r->services[0], *e = &slow.r->services[0];
    cr_assert_gt(f->requests, 1000000u);
    cr_assert_eq(f->requests, e->requests);
    cr_assert_eq(f->p50_ms, e->p50_ms);
    cr_assert_eq(f->p95_ms, e->p95_ms);
    cr_assert_eq(f->p99_ms, e->p99_ms);
    cr_assert(fabs(f->mean_ms - e->mean_ms) <= 1e-12 * e->mean_ms, "mean %.17g vs %.17g", f->mean_ms, e->mean_ms);
    cr_assert_gt(f->p95_ms, 20.0, "stage a queues (rho 0.8): p95 %.4g", f->p95_ms);
    for (size_t i = 0; i < 2; i++) {
        const ccs_pool_result *a = &f->pools[i].r, *b = &e->pools[i].r;
        cr_assert_eq(a->items, b->items);
        cr_assert(fabs(a->busy_energy_j - b->busy_energy_j) <= 1e-12 * b->busy_energy_j, "pool %zu busy J", i);
        cr_assert(fabs(a->idle_energy_j - b->idle_energy_j) <= 1e-12 * b->idle_energy_j, "pool %zu idle J", i);
        cr_assert(fabs(a->utilisation - b->utilisation) <= 1e-12, "pool %zu utilisation", i);
    }
    cr_assert(fabs(f->charge.carbon_g - e->charge.carbon_g) <= 1e-12 * e->charge.carbon_g);
    ran_free(fast);
    ran_free(slow);
}

Test(serving, fcfs_shortcut_equals_the_event_path) { fcfs_equals_the_event_path("exponential"); }
Test(serving, fcfs_ring_equals_the_event_path) { fcfs_equals_the_event_path("deterministic"); }

/* A ring pool (stage a: fixed, unbatched, constant time) knows when each request will reach stage
 * b, in order, and pushes it there ahead of the clock (pool.c, the fill event). The same stage a
 * autoscaled with min = max hands each request on by an event at its end instead. Stage b batches
 * (up to max_batch in 3 ms) on one fixed replica, or autoscaled: both ways must form the same batches at
 * the same times. */
static ran batched_after(const char *cap_a, int max_batch, const char *cap_b)
{
    char text[1024];
    snprintf(text, sizeof text,
             HEAD "services:\n  - name: s\n    arrivals: {process: poisson, rate_per_s: 400}\n"
                  "    stages:\n"
                  "      - {name: a, hardware: l4, service_time: {dist: deterministic, mean_ms: 8}, %s}\n"
                  "      - {name: b, hardware: t4, service_time: {dist: deterministic, mean_ms: 5},\n"
                  "         batching: {max_batch: %d, window_ms: 3}, %s}\n",
             cap_a, max_batch, cap_b);
    return run_text(text);
}

static void batcher_takes_pushes_ahead(int max_batch, const char *cap_b)
{
    ran fast = batched_after("replicas: 4", max_batch, cap_b);
    ran slow = batched_after("autoscale: {min: 4, max: 4, warm_pool: 0}", max_batch, cap_b);
    const ccs_service_result *f = &fast.r->services[0], *e = &slow.r->services[0];
    cr_assert_gt(f->requests, 1000000u);
    cr_assert_eq(f->requests, e->requests);
    cr_assert_eq(f->p50_ms, e->p50_ms);
    cr_assert_eq(f->p99_ms, e->p99_ms);
    cr_assert(fabs(f->mean_ms - e->mean_ms) <= 1e-12 * e->mean_ms, "mean %.17g vs %.17g", f->mean_ms, e->mean_ms);
    const ccs_pool_result *a = &f->pools[1].r, *b = &e->pools[1].r;
    cr_assert_eq(a->items, b->items);
    cr_assert_eq(a->batches, b->batches, "batches %lu vs %lu", (unsigned long)a->batches, (unsigned long)b->batches);
    if (max_batch > 1)
        cr_assert(a->mean_batch > 1.3 && a->mean_batch < 3.9, "stage b batches: mean %.3f", a->mean_batch);
    cr_assert(fabs(a->busy_energy_j - b->busy_energy_j) <= 1e-12 * b->busy_energy_j, "busy J");
    cr_assert(fabs(a->utilisation - b->utilisation) <= 1e-12, "utilisation");
    cr_assert_eq(a->scale_ups, b->scale_ups);
    cr_assert(fabs(f->charge.carbon_g - e->charge.carbon_g) <= 1e-12 * e->charge.carbon_g);
    ran_free(fast);
    ran_free(slow);
}

#define SCALED_B                                                                                                      \
    "autoscale: {min: 1, max: 4, target: 0.5, interval: 10s, scale_up_delay: 20s, scale_down_delay: 60s, warm_pool: " \
    "1}"
Test(serving, batcher_takes_pushes_ahead) { batcher_takes_pushes_ahead(4, "replicas: 1"); }
Test(serving, autoscaled_batcher_takes_pushes_ahead) { batcher_takes_pushes_ahead(4, SCALED_B); }
/* The autoscaler ticking every 20 ms, a few windows long: ticks fall between a batch's settling
 * and its window's end, where it must be started by its timer (a tick reads the busy replicas). */
Test(serving, fast_ticking_autoscaler_takes_pushes_ahead)
{
    batcher_takes_pushes_ahead(4, "autoscale: {min: 1, max: 4, target: 0.5, interval: 20ms, scale_up_delay: 40ms, "
                                  "scale_down_delay: 60ms, warm_pool: 1}");
}
/* unbatched and autoscaled: every request pushed ahead may fill its batch of one (a fill event each) */
Test(serving, autoscaled_unbatched_pool_takes_pushes_ahead) { batcher_takes_pushes_ahead(1, SCALED_B); }

/* A batch fed by pushes ahead costs about one event, its end: the one that would start it (its
 * window's timer, or the arrival of the request that fills it) is needed only when the batch is not
 * settled before its window closes (pool.c, start_if_settled), and a fill event only when it
 * fills. Stage a is a ring (no events), arrivals come in a row or by one event each, and the
 * autoscaler ticks every 10 s: so the run's events are at most its requests + 1.2 x stage b's
 * batches + the ticks and their replicas' readiness (a few hundred in an hour). Here a line of 4
 * or more, counting requests not yet arrived, is common. Measured: 1.07 events a batch (fixed),
 * 1.09 (autoscaled); with a fill event for each push behind 3 others and a timer for every batch
 * 2.0 to 2.9 (and the fixed case's bound failed by 1.4 M). */
Test(serving, a_batch_fed_ahead_costs_about_one_event)
{
    for (int scaled = 0; scaled < 2; scaled++) {
        ran x = batched_after("replicas: 4", 4, scaled ? SCALED_B : "replicas: 1");
        const ccs_service_result *v = &x.r->services[0];
        uint64_t batches = v->pools[1].r.batches, bound = v->requests + batches + batches / 5 + 1000;
        cr_assert_gt(batches, 300000u);
        cr_assert_leq(x.r->events, bound, "%s: %lu events for %lu requests and %lu batches",
                      scaled ? "autoscaled" : "fixed", (unsigned long)x.r->events, (unsigned long)v->requests,
                      (unsigned long)batches);
        ran_free(x);
    }
}

/* Two routes of constant service time finish out of order between them (8 and 12 ms): their
 * stage must hand requests on by events, and the batcher after it gets them in order (ccs_pool_push
 * asserts it) and serves every one. Against the same routes autoscaled (events whatever the
 * pools): the same requests, batches and latencies. */
static ran routed_then_batched(const char *cap)
{
    char text[1536];
    snprintf(text, sizeof text,
             HEAD "services:\n  - name: s\n    arrivals: {process: poisson, rate_per_s: 400}\n"
                  "    stages:\n      - name: a\n        routes:\n"
                  "          - {name: fast, share: 0.5, hardware: l4, service_time: {dist: deterministic, mean_ms: 8},"
                  " %s}\n"
                  "          - {name: slow, share: 0.5, hardware: l4, service_time: {dist: deterministic, mean_ms: 12},"
                  " %s}\n"
                  "      - {name: b, hardware: t4, service_time: {dist: deterministic, mean_ms: 5},"
                  " batching: {max_batch: 4, window_ms: 3}, replicas: 1}\n",
             cap, cap);
    return run_text(text);
}

Test(serving, routes_finishing_out_of_order_hand_on_by_events)
{
    ran fast = routed_then_batched("replicas: 3");
    ran slow = routed_then_batched("autoscale: {min: 3, max: 3, warm_pool: 0}");
    const ccs_service_result *f = &fast.r->services[0], *e = &slow.r->services[0];
    cr_assert_gt(f->requests, 1000000u);
    cr_assert_eq(f->requests, e->requests);
    cr_assert_eq(f->pools[2].r.items, f->pools[0].r.items + f->pools[1].r.items);
    cr_assert_eq(f->pools[2].r.batches, e->pools[2].r.batches);
    cr_assert_eq(f->p99_ms, e->p99_ms);
    cr_assert(fabs(f->mean_ms - e->mean_ms) <= 1e-12 * e->mean_ms, "mean %.17g vs %.17g", f->mean_ms, e->mean_ms);
    ran_free(fast);
    ran_free(slow);
}

Test(serving, bundled_hardware_profiles_are_complete)
{
    const char *names[] = {"h100-sxm", "a100", "l4", "t4", "cpu-2s", "jetson-orin", "h200"};
    enum { N = sizeof names / sizeof names[0] };
    char yaml[4096] = HEAD "services:\n";
    for (size_t i = 0; i < N; i++) {
        char svc[256];
        snprintf(svc, sizeof svc,
                 "  - {name: s%zu, hardware: %s, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n", i,
                 names[i]);
        strcat(yaml, svc);
    }
    ran x = run_text(yaml);
    for (size_t i = 0; i < N; i++) {
        const ccs_hardware_cfg *h = ccs_scenario_hardware(x.s, names[i]);
        cr_assert_not_null(h, "%s", names[i]);
        cr_assert(h->idle_w > 0 && h->max_w > h->idle_w && h->peak_tflops_fp16 > 0 && h->peak_tops_int8 > 0 &&
                      h->mem_bw_gb_s > 0 && h->embodied_kg > 0 && h->lifetime_h > 0,
                  "%s: incomplete profile", names[i]);
        /* each figure carries its source: the file has a comment line for every few keys */
        char path[1024];
        snprintf(path, sizeof path, "%s/models/hardware/%s.yaml", source_dir(), names[i]);
        size_t len;
        char *text = read_all(path, &len);
        cr_assert_not_null(text);
        int comments = 0;
        for (char *c = text; (c = strchr(c, '#')); c++) comments++;
        cr_assert_geq(comments, 6, "%s: %d comments", names[i], comments);
        free(text);
        /* rented GPUs cost money per hour; the owned edge module does not */
        cr_assert(strcmp(names[i], "jetson-orin") == 0 ? h->price_per_hour < 0 : h->price_per_hour > 0);
    }
    /* an idle replica draws its device's idle power and its share of the host's for the whole
     * hour: an A100 63 W, and 1/8 of the DGX A100 host's 846 W; while busy (400 - 63 W above
     * idle), 1/8 of the host's 3,300 - 846 W above its idle too */
    const ccs_service_result *a100 = &x.r->services[1];
    double busy_s = a100->busy_energy_j / (400.0 - 63.0);
    cr_assert_gt(busy_s, 1.0);
    cr_assert(CLOSE(a100->idle_energy_j, 63.0 * 3600));
    cr_assert(CLOSE(a100->host_energy_j, 846.0 / 8 * 3600 + (3300.0 - 846.0) / 8 * busy_s));
    /* the DGX-class servers at full load within 10% of NVIDIA's 10.2 kW (DGX H100 and H200) */
    for (size_t i = 0; i < N; i++) {
        if (strcmp(names[i], "h100-sxm") != 0 && strcmp(names[i], "h200") != 0) continue;
        double w = ccs_hardware_server_max_w(ccs_scenario_hardware(x.s, names[i]));
        cr_assert(fabs(w - 10200.0) <= 0.1 * 10200.0, "%s: %g W at full load", names[i], w);
    }
    ran_free(x);
}

Test(serving, wrong_services_get_clear_errors)
{
    expect_run_error(HEAD "services:\n  - name: s\n    arrivals: {rate_per_s: 10}\n    stages:\n      - name: g\n"
                          "        routes:\n          - {name: a, share: 0.5, service_time: {mean_ms: 1}}\n"
                          "          - {name: b, share: 0.4, service_time: {mean_ms: 1}}\n",
                     "add up to 0.9: expected 1");
    expect_run_error(HEAD "services:\n  - {name: s, arrivals: {rate_per_s: 1000}, service_time: {mean_ms: 2},"
                          " batching: {max_batch: 1}}\n",
                     ">= capacity");
    expect_run_error(
        HEAD "services:\n  - {name: s, hardware: h300, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n",
        "unknown hardware profile 'h300'");
    expect_run_error(
        HEAD
        "services:\n  - {name: s, hardware: l4, model: reranker-minilm, variant: fp8, arrivals: {rate_per_s: 1}}\n",
        "has no variant 'fp8'");
    expect_run_error(HEAD "services:\n  - {name: s, service_time: {mean_ms: 1}, replicas: 2, autoscale: {max: 3},"
                          " arrivals: {rate_per_s: 1}}\n",
                     "either replicas (fixed) or autoscale");
    expect_run_error(HEAD "services:\n  - {name: s, arrivals: {rate_per_s: 1}}\n", "no service time given");
    expect_run_error(HEAD "services:\n  - name: s\n    replicas: 2\n    arrivals: {rate_per_s: 1}\n"
                          "    stages: [{name: a, service_time: {mean_ms: 1}}]\n",
                     "beside 'stages'");
    expect_run_error(HEAD
                     "services:\n  - {name: s, latency_table: {batch: [1, 4], ms: [1, 2]}, batching: {max_batch: 8},"
                     " arrivals: {rate_per_s: 1}}\n",
                     "no extrapolation");
    expect_run_error(HEAD "services:\n  - {name: s, cache: {ttl: 5m, keys: 10}, service_time: {mean_ms: 1},"
                          " arrivals: {rate_per_s: 1}}\n",
                     "needs all of ttl, keys and zipf_s");
}

/* Memory fit (issue 17): a replica holds the variant's weights and what every item of a full batch
 * keeps. The 70B model in 4 bits on a 16 GB T4: 39.8 GB of weights + 1 x 0.448 GB = 40.25 GB,
 * refused with the numbers. In int8 on an 80 GB H100: 70.6 + 16 x 0.448 = 77.77 GB fits (the
 * bundled chatbot); with max_batch 32, 70.6 + 32 x 0.448 = 84.94 GB does not. */
Test(serving, a_model_that_does_not_fit_its_device_is_refused_with_the_numbers)
{
    expect_run_error(HEAD
                     "services:\n  - {name: s, hardware: t4, model: llm-70b, variant: w4a16, arrivals: {rate_per_s: "
                     "0.01}}\n",
                     "services[s]: model 'llm-70b' variant 'w4a16' needs 40.25 GB on each replica (weights 39.8 GB + 1 "
                     "items x 0.448 GB), but hardware 't4' has 16 GB");
    expect_run_error(
        HEAD "services:\n  - {name: s, hardware: h100-sxm, model: llm-70b, variant: int8, batching: {max_batch: "
             "32, window_ms: 100}, arrivals: {rate_per_s: 0.01}}\n",
        "needs 84.94 GB on each replica (weights 70.6 GB + 32 items x 0.448 GB), but hardware 'h100-sxm' has "
        "80 GB");
    ran x = run_text(HEAD "services:\n  - {name: s, hardware: h100-sxm, model: llm-70b, variant: int8, batching: "
                          "{max_batch: 16, window_ms: 100}, arrivals: {rate_per_s: 0.01}}\n");
    ran_free(x);
}

Test(serving, same_seed_same_numbers_and_common_random_numbers)
{
    /* Two runs of one scenario with cache, routes and autoscaling give identical results; and
     * a change in one route's service time leaves the arrivals and cache draws alone (named
     * streams): the hit count is the same. */
    const char *text =
        HEAD "services:\n  - name: s\n    arrivals: {rate_per_s: 500}\n"
             "    cache: {ttl: 30s, keys: 5000, zipf_s: 1.0}\n"
             "    stages:\n      - name: g\n        routes:\n"
             "          - {name: a, share: 0.6, service_time: {mean_ms: 2}, autoscale: {max: 8, warm_pool: 1}}\n"
             "          - {name: b, share: 0.4, service_time: {mean_ms: 5}, replicas: 4}\n";
    ran x = run_text(text), y = run_text(text);
    const ccs_service_result *a = &x.r->services[0], *b = &y.r->services[0];
    cr_assert_eq(a->requests, b->requests);
    cr_assert(a->p95_ms == b->p95_ms && a->mean_ms == b->mean_ms && a->cache_hit_rate == b->cache_hit_rate);
    cr_assert(a->pools[0].r.replicas_mean == b->pools[0].r.replicas_mean);
    char other[2048];
    snprintf(other, sizeof other, "%s", text);
    char *m5 = strstr(other, "mean_ms: 5");
    m5[9] = '6'; /* route b's service time: 5 -> 6 ms */
    ran z = run_text(other);
    cr_assert_eq(z.r->services[0].cache_hit_rate, a->cache_hit_rate);
    cr_assert_eq(z.r->services[0].pools[0].r.items, a->pools[0].r.items);
    cr_assert_neq(z.r->services[0].mean_ms, a->mean_ms);
    ran_free(x);
    ran_free(y);
    ran_free(z);
}

Test(serving, bundled_scenarios_run, .timeout = 240)
{
    const char *names[] = {"search-rerank", "checkout-risk", "chatbot", "edge-vs-central", "llm-cascade"};
    for (size_t i = 0; i < 5; i++) {
        char path[1024], out[600];
        snprintf(path, sizeof path, "%s/scenarios/%s.yaml", source_dir(), names[i]);
        snprintf(out, sizeof out, "%s/%s", tmp_folder(), names[i]);
        const char *args[] = {"run",       path,    "--set", "duration=2h", "--set",
                              "warmup=5m", "--out", out,     "--no-plot",   NULL};
        cmd_result r;
        run_ccsim(&r, args);
        cr_assert_eq(r.status, 0, "%s: %s", names[i], r.err);
        cr_assert(strstr(r.out, "per 1000 req"), "%s", r.out);
        /* what it wrote adds up: the run's totals are its regions' sums, every service served
         * requests with a positive latency, and the energy and carbon are not nil */
        char sum[700];
        snprintf(sum, sizeof sum, "%s/summary.json", out);
        json_error_t je;
        json_t *j = json_load_file(sum, 0, &je);
        cr_assert_not_null(j, "%s: %s", sum, je.text);
        json_t *tot = json_object_get(j, "totals"), *regions = json_object_get(j, "regions");
        double e = json_real_value(json_object_get(tot, "energy_kwh")),
               c = json_real_value(json_object_get(tot, "carbon_kg"));
        cr_assert(e > 0 && c > 0, "%s: energy %g kWh, carbon %g kg", names[i], e, c);
        double re = 0, rc = 0;
        size_t k;
        json_t *g;
        json_array_foreach(regions, k, g)
        {
            re += json_real_value(json_object_get(g, "energy_kwh"));
            rc += json_real_value(json_object_get(g, "carbon_kg"));
        }
        cr_assert(CLOSE(re, e) && CLOSE(rc, c), "%s: regions %g kWh %g kg, totals %g kWh %g kg", names[i], re, rc, e,
                  c);
        json_array_foreach(json_object_get(j, "services"), k, g)
        {
            cr_assert_gt(json_integer_value(json_object_get(g, "requests")), 0, "%s: a service served nothing",
                         names[i]);
            cr_assert_gt(json_real_value(json_object_get(g, "p95_ms")), 0.0, "%s", names[i]);
        }
        json_decref(j);
    }
}

/* The latency models of a pool and the kinds of cache describe themselves, and their checks pick
 * exactly one from the keys given. */
Test(serving, latency_models_and_cache_kinds_describe_themselves)
{
    size_t n;
    const ccs_latency_model *m = ccs_latency_models(&n);
    cr_assert_eq(n, 3);
    ccs_pool_cfg p = {0};
    double batch[] = {1, 4}, ms[] = {2, 5};
    p.latency_table.batch = batch, p.latency_table.ms = ms, p.latency_table.nbatch = p.latency_table.nms = 2;
    for (size_t i = 0; i < n; i++) {
        cr_assert(m[i].summary && m[i].summary[0]);
        cr_assert_eq(m[i].given(&p), strcmp(m[i].key, "latency_table") == 0, "%s", m[i].key);
    }
    ccs_err e = {0};
    ccs_src_pos pos = {"s.yaml", 2, 3};
    cr_assert_eq(ccs_pool_check(&p, "services[s]", &pos, &e), 0, "%s", e.msg);
    cr_assert_eq(p.replicas, 1); /* the defaults it fills */
    cr_assert_eq(p.batching.max_batch, 1);
    p.service_time.mean_ms = 3; /* a second latency model */
    cr_assert_neq(ccs_pool_check(&p, "services[s]", &pos, &e), 0);
    cr_assert(strstr(e.msg, "s.yaml:2:3: services[s]: more than one service time given"), "%s", e.msg);

    const ccs_cache_kind *k = ccs_cache_kinds(&n);
    cr_assert_eq(n, 2);
    ccs_cache_cfg c = {.hit_prob = 0.3, .zipf_s = -1};
    cr_assert_eq(ccs_cache_check(&c, "services[s].cache", &pos, &e), 0, "%s", e.msg);
    cr_assert_eq(c.kind, CCS_CACHE_FIXED);
    cr_assert_str_eq(k[0].kind == CCS_CACHE_FIXED ? k[0].name : k[1].name, "fixed");
    c = (ccs_cache_cfg){.hit_prob = -1, .ttl_us = 1000000, .keys = 10, .zipf_s = 1};
    cr_assert_eq(ccs_cache_check(&c, "services[s].cache", &pos, &e), 0, "%s", e.msg);
    cr_assert_eq(c.kind, CCS_CACHE_TTL);
    c = (ccs_cache_cfg){.hit_prob = -1, .zipf_s = -1};
    cr_assert_eq(ccs_cache_check(&c, "services[s].cache", &pos, &e), 0, "%s", e.msg);
    cr_assert_eq(c.kind, CCS_CACHE_NONE);
    c = (ccs_cache_cfg){.hit_prob = -1, .ttl_us = 1000000, .zipf_s = -1};
    cr_assert_neq(ccs_cache_check(&c, "services[s].cache", &pos, &e), 0);
    cr_assert(strstr(e.msg, "a simulated cache needs all of ttl, keys and zipf_s"), "%s", e.msg);
}
