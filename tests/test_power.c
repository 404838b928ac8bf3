/* Power from chip to server, by hand (issue 17): a server's power at three utilisations, the
 * host shared by the replicas it carries, a measured P(u) curve on a CPU server's cores, busy
 * power by phase (memory-bound decode draws less than compute-bound work), replicas sharded over
 * several devices, weight-only quantised variants, and the conservation of energy through all of
 * it: busy + idle + host = the integral of the server's power over time. */
#include "ccs_scenario.h"
#include "helpers.h"
#include "profiles.h"
#include "run.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CLOSE(a, b) (fabs((a) - (b)) <= 1e-9 * fmax(1.0, fabs(b)))
#define HEAD \
    "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\ncurrency: USD\nregions: [{name: r, carbon: ci.csv}]\n"

Test(power, a_server_at_three_utilisations)
{
    ran x = run_text(HEAD "services:\n"
                          "  - {name: a, hardware: h100-sxm, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n"
                          "  - {name: b, hardware: cpu-2s, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n");
    const ccs_hardware_cfg *h = ccs_scenario_hardware(x.s, "h100-sxm"), *c = ccs_scenario_hardware(x.s, "cpu-2s");
    /* DGX H100: 8 GPUs of 75 W idle to 700 W, a host of 885 W idle to 4,600 W, both linear */
    cr_assert(CLOSE(ccs_hardware_server_power_at(h, 0.0), 8 * 75.0 + 885.0));
    cr_assert(CLOSE(ccs_hardware_server_power_at(h, 0.5), 8 * 387.5 + 2742.5));
    cr_assert(CLOSE(ccs_hardware_server_power_at(h, 1.0), 10200.0));
    /* the CPU server on its SPECpower curve: 204 W idle, 309.5 W at 25% (half way from 291 to
     * 328), 644.5 W at 85% (half way from 569 to 720), 817 W at full load; no host of its own */
    cr_assert(CLOSE(ccs_hardware_server_power_at(c, 0.0), 204.0));
    cr_assert(CLOSE(ccs_hardware_server_power_at(c, 0.25), 309.5));
    cr_assert(CLOSE(ccs_hardware_server_power_at(c, 0.85), 644.5));
    cr_assert(CLOSE(ccs_hardware_server_power_at(c, 1.0), 817.0));
    ran_free(x);
}

Test(power, the_host_is_shared_and_energy_is_conserved)
{
    /* 2 replicas of one device each on a 4-device server; 72,000 requests of 10 ms: 720 s busy.
     * Devices: 100 W above idle while busy (72,000 J), 10 W idle each (72,000 J). Host: each
     * replica carries a quarter of it, 10 W idle (72,000 J) and 160 / 4 W more while busy
     * (28,800 J). Their sum is all the IT energy the ledger booked. */
    ran x = run_text(HEAD "hardware: [{name: box, idle_w: 10, max_w: 110, accelerators: 4,\n"
                          "            host: {idle_w: 40, max_w: 200}}]\n"
                          "services:\n  - name: s\n    hardware: box\n    replicas: 2\n"
                          "    service_time: {dist: deterministic, mean_ms: 10}\n"
                          "    arrivals: {process: deterministic, rate_per_s: 20}\n");
    const ccs_service_result *v = &x.r->services[0];
    cr_assert_eq(v->pools[0].r.items, 72000u);
    cr_assert(CLOSE(v->busy_energy_j, 72000.0), "busy %.12g", v->busy_energy_j);
    cr_assert(CLOSE(v->idle_energy_j, 72000.0), "idle %.12g", v->idle_energy_j);
    cr_assert(CLOSE(v->host_energy_j, 72000.0 + 28800.0), "host %.12g", v->host_energy_j);
    cr_assert(CLOSE(v->charge.it_energy_j, 244800.0), "IT %.12g", v->charge.it_energy_j);
    cr_assert(CLOSE(x.r->totals.energy_kwh * 3.6e6, 244800.0 * x.r->regions[0].pue));
    ran_free(x);
    /* one replica serving two requests at once: each busy slot draws half the device's 100 W and
     * half of its quarter of the host's 160 W over 720 s of slot time: 36,000 J and 14,400 J */
    x = run_text(HEAD "hardware: [{name: box, idle_w: 10, max_w: 110, accelerators: 4,\n"
                      "            host: {idle_w: 40, max_w: 200}}]\n"
                      "services:\n  - name: s\n    hardware: box\n    concurrency: 2\n"
                      "    service_time: {dist: deterministic, mean_ms: 10}\n"
                      "    arrivals: {process: deterministic, rate_per_s: 20}\n");
    v = &x.r->services[0];
    cr_assert(CLOSE(v->busy_energy_j, 36000.0), "busy %.12g", v->busy_energy_j);
    cr_assert(CLOSE(v->host_energy_j, 36000.0 + 14400.0), "host %.12g", v->host_energy_j);
    ran_free(x);
}

Test(power, a_cpu_server_is_a_pool_of_cores_on_its_measured_curve)
{
    /* A request every 50 ms holding one of 4 cores for 100 ms: two cores busy from 50 ms on, so
     * u = 0.5 in every 5-minute bucket but the first (599.95 of 1,200 core-s). On the curve
     * (0, 100 W), (0.5, 400 W), (1, 500 W) the server draws 400 W, 300 W above idle, where the
     * straight line from idle to max would give 300 W: 12 x 300 s x 300 W, less 0.05 core-s x
     * 600 W / 4 in the first bucket, plus the last request's 0.05 s past the end (one core of
     * four busy, counted at u = 1: 0.05 / 4 x 400 W) = 1,079,997.5 J. */
    ran x = run_text(HEAD "hardware: [{name: cpu, idle_w: 100, max_w: 500, cores: 4,\n"
                          "            power_curve: {util: [0, 0.5, 1], w: [100, 400, 500]}}]\n"
                          "services:\n  - name: s\n    hardware: cpu\n"
                          "    service_time: {dist: deterministic, mean_ms: 100}\n"
                          "    arrivals: {process: deterministic, rate_per_s: 20}\n");
    const ccs_service_result *v = &x.r->services[0];
    cr_assert_eq(v->pools[0].r.items, 72000u);
    cr_assert(CLOSE(v->pools[0].r.utilisation, 0.5), "u %.12g", v->pools[0].r.utilisation);
    cr_assert(CLOSE(v->busy_energy_j, 1079997.5), "busy %.12g", v->busy_energy_j);
    cr_assert(CLOSE(v->idle_energy_j, 100.0 * 3600), "idle %.12g", v->idle_energy_j);
    /* no request waits: 4 cores, never more than 2 busy */
    cr_assert(fabs(v->p95_ms - 100.0) <= 1e-3 * 100.0, "p95 %.6g", v->p95_ms); /* histogram bins */
    cr_assert(CLOSE(v->charge.it_energy_j, 1079997.5 + 360000.0));
    ran_free(x);
    /* with one request at a time (concurrency 1) the same load queues without bound */
    char msg[1024];
    int rc = run_text_error(HEAD "hardware: [{name: cpu, idle_w: 100, max_w: 500, cores: 4}]\n"
                                 "services:\n  - name: s\n    hardware: cpu\n    concurrency: 1\n"
                                 "    service_time: {dist: deterministic, mean_ms: 100}\n"
                                 "    arrivals: {process: deterministic, rate_per_s: 20}\n",
                            msg, sizeof msg);
    cr_assert_neq(rc, 0);
}

Test(power, a_cpu_request_runs_on_its_share_of_the_cores)
{
    /* risk-mlp int8 on cpu-2s: each of 112 cores has 1/112 of the peak and bandwidth. L(1) =
     * 2 ms + max(4e6 / (458e12 / 112 x 0.2), (2e6 + 2e4) / (614e9 / 112)) = memory-bound */
    ran x = run_text(HEAD "services:\n  - {name: s, hardware: cpu-2s, model: risk-mlp, variant: int8,\n"
                          "      arrivals: {rate_per_s: 100}}\n");
    const ccs_service_pool_result *p = &x.r->services[0].pools[0];
    double l1 = 2e-3 + fmax(4e6 / (458e12 / 112 * 0.2), (2e6 + 2e4) / (614e9 / 112));
    cr_assert(CLOSE(p->l1_ms, l1 * 1e3), "L(1) %.12g ms, expected %.12g", p->l1_ms, l1 * 1e3);
    ran_free(x);
}

Test(power, memory_bound_batches_draw_the_decode_power)
{
    /* llm-8b fp16 on an H100 is memory-bound at batch 1 (3.38e12 B of weights at 3.35 TB/s vs
     * 2.19e13 FLOP at half of 989.4 TFLOP/s): busy at 380 W (Splitwise's token phase), 305 W
     * above the 75 W idle, not 625 (the host's share is booked apart, as host energy) */
    const char *fmt = HEAD "services:\n  - {name: s, hardware: h100-sxm, model: llm-8b, variant: fp16,%s\n"
                           "      arrivals: {process: deterministic, rate_per_s: 0.2}}\n";
    double per_s[3], host_per_s[3];
    const char *phase[3] = {"", " phase: compute,", " phase: memory,"};
    for (int i = 0; i < 3; i++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, fmt, phase[i]);
        ran x = run_text(yaml);
        const ccs_service_pool_result *p = &x.r->services[0].pools[0];
        double busy_s = (double)p->r.items * p->l1_ms / 1e3;
        per_s[i] = p->r.busy_energy_j / busy_s;
        host_per_s[i] = (p->r.host_energy_j - 885.0 / 8 * 3600) / busy_s;
        ran_free(x);
    }
    /* (the batch time is booked in whole microseconds: 1e-6 relative) */
    cr_assert(fabs(per_s[0] - (380.0 - 75.0)) <= 1e-6 * 305.0, "auto %.9g W", per_s[0]);
    cr_assert(fabs(per_s[1] - (700.0 - 75.0)) <= 1e-6 * 625.0, "compute %.9g W", per_s[1]);
    cr_assert(CLOSE(per_s[2], per_s[0]));
    /* the host's busy share (3,715 W / 8) follows the devices' load: 305 / 625 of it in decode */
    cr_assert(fabs(host_per_s[1] - 3715.0 / 8) <= 1e-6 * 3715.0 / 8, "host %.9g W", host_per_s[1]);
    cr_assert(fabs(host_per_s[0] - 3715.0 / 8 * 305.0 / 625.0) <= 1e-6 * 3715.0 / 8, "host %.9g W", host_per_s[0]);
}

Test(power, a_replica_sharded_over_devices_pays_and_holds_for_all_of_them)
{
    /* llm-70b int8 (70.6 GB + 32 x 0.448 GB = 84.94 GB) does not fit one 80 GB H100, fits two;
     * on two, twice the bandwidth, twice the idle power, rent and embodied carbon */
    expect_run_error(HEAD "services:\n  - {name: s, hardware: h100-sxm, model: llm-70b, variant: int8, batching: "
                          "{max_batch: 32, window_ms: 100}, arrivals: {rate_per_s: 0.01}}\n",
                     "but hardware 'h100-sxm' has 80 GB (1 device)");
    ran x = run_text(HEAD "services:\n  - {name: s, hardware: h100-sxm, model: llm-70b, variant: int8, batching: "
                          "{max_batch: 32, window_ms: 100}, devices_per_replica: 2, arrivals: {rate_per_s: 0.01}}\n");
    const ccs_service_pool_result *p = &x.r->services[0].pools[0];
    double l1 = 40e-3 + fmax(1.93e14 / (2 * 1978.9e12 * 0.5), (1.49e13 + 8.7e10) / (2 * 3350e9));
    cr_assert(CLOSE(p->l1_ms, l1 * 1e3), "L(1) %.12g", p->l1_ms);
    cr_assert(CLOSE(p->r.idle_energy_j, 2 * 75.0 * 3600));
    cr_assert(CLOSE(p->embodied_kg, 2 * (164.0 + 3660.0 / 8) / 43800), "embodied %.12g", p->embodied_kg);
    cr_assert(CLOSE(p->server_embodied_kg, 8 * 164.0 + 3660.0));
    cr_assert(CLOSE(p->r.charge.money[1], 2 * 12.29), "rent %.12g", p->r.charge.money[1]);
    ran_free(x);
    expect_run_error(HEAD
                     "services:\n  - {name: s, hardware: h100-sxm, devices_per_replica: 9, service_time: {mean_ms: "
                     "1}, arrivals: {rate_per_s: 1}}\n",
                     "devices_per_replica: 9, but a 'h100-sxm' server has 8");
}

Test(power, weight_only_quantisation_computes_at_fp16)
{
    /* W4A16 on an H100 (which has no int4 peak): 4-bit weights read at 60% of the bandwidth
     * (dequantising kernels), fp16 compute. L(1) = max(1e12 / (989.4e12 x 0.5), (4e9 + 1e6) /
     * (3350e9 x 0.6)) s: memory-bound, 1.99 ms */
    const char *models = "models: [{name: m, flop_per_item: 1e12, bytes_per_item: 1e6, efficiency: 0.5,\n"
                         "          variants: [{name: w4, precision: w4a16, weight_bytes: 4e9, quality_delta: -1,\n"
                         "                      memory_efficiency: 0.6},\n"
                         "                     {name: i4, precision: int4, weight_bytes: 4e9}]}]\n";
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             HEAD "%sservices:\n  - {name: s, hardware: h100-sxm, model: m, variant: w4, arrivals: {rate_per_s: 1}}\n",
             models);
    ran x = run_text(yaml);
    const ccs_service_pool_result *p = &x.r->services[0].pools[0];
    cr_assert(CLOSE(p->l1_ms, 1e3 * fmax(1e12 / (989.4e12 * 0.5), (4e9 + 1e6) / (3350e9 * 0.6))), "L(1) %.12g",
              p->l1_ms);
    cr_assert_gt(p->l1_ms, 1e3 * 1e12 / (989.4e12 * 0.5), "memory-bound at 60%% of the bandwidth");
    cr_assert(CLOSE(p->quality_delta, -1.0));
    ran_free(x);
    snprintf(yaml, sizeof yaml,
             HEAD "%sservices:\n  - {name: s, hardware: h100-sxm, model: m, variant: i4, arrivals: {rate_per_s: 1}}\n",
             models);
    expect_run_error(yaml, "gives no peak for that precision for variant 'i4' (int4)");
}

Test(power, wrong_server_profiles_get_clear_errors)
{
    expect_run_error(HEAD
                     "hardware: [{name: b, idle_w: 10, max_w: 100, power_curve: {util: [0, 0.5, 1], w: [10, 60, "
                     "90]}}]\nservices:\n  - {name: s, hardware: b, service_time: {mean_ms: 1}, arrivals: {rate_per_s: "
                     "1}}\n",
                     "expected the curve to start at idle_w and end at max_w");
    expect_run_error(HEAD
                     "hardware: [{name: b, idle_w: 10, max_w: 100, power_curve: {util: [0, 0.5, 1], w: [10, 60, "
                     "50]}}]\nservices:\n  - {name: s, hardware: b, service_time: {mean_ms: 1}, arrivals: {rate_per_s: "
                     "1}}\n",
                     "expected power that does not fall");
    expect_run_error(HEAD
                     "hardware: [{name: b, idle_w: 10, max_w: 100, power_curve: {util: [0.1, 1], w: [10, 100]}}]\n"
                     "services:\n  - {name: s, hardware: b, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n",
                     "expected it to run from 0 to 1");
    expect_run_error(HEAD
                     "hardware: [{name: b, idle_w: 10, max_w: 100, memory_bound_w: 120}]\n"
                     "services:\n  - {name: s, hardware: b, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n",
                     "memory_bound_w 120 is outside idle_w 10 to max_w 100");
    expect_run_error(HEAD
                     "hardware: [{name: b, idle_w: 10, max_w: 100, host: {idle_w: 50, max_w: 40}}]\n"
                     "services:\n  - {name: s, hardware: b, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n",
                     "host: max_w 40 is below idle_w 50");
    expect_run_error(HEAD "hardware: [{name: b, idle_w: 10, max_w: 100, cores: 8}]\n"
                          "services:\n  - {name: s, hardware: b, autoscale: {max: 3}, service_time: {mean_ms: 1}, "
                          "arrivals: {rate_per_s: 1}}\n",
                     "with autoscale: not supported yet");
    expect_run_error(HEAD
                     "services:\n  - {name: s, phase: memory, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n",
                     "phase given without hardware");
}

Test(power, a_job_draws_and_embodies_its_share_of_the_server)
{
    /* 4 devices of a 4-device server for 2 h (8 device-hours): 4 x 400 W + the whole host's 600 W
     * = 2.2 kW, 4.4 kWh; embodied (100 + 400 / 4) kg per 1,000 device-hours x 8 = 1.6 kg */
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\ncurrency: USD\n"
                     "regions: [{name: r, carbon: ci.csv, tariff_per_mwh: 100}]\n"
                     "hardware: [{name: gpu, idle_w: 50, max_w: 400, accelerators: 4, embodied_kg: 100, "
                     "lifetime_h: 1000, host: {idle_w: 200, max_w: 600, embodied_kg: 400}}]\n"
                     "jobs: [{name: train, release: {every: 24h, at: \"00:00\"}, hardware: gpu, max_parallelism: 4,"
                     " device_hours: 8, deadline: 4h}]\n");
    const ccs_job_result *j = &x.r->jobs[0];
    cr_assert_eq(j->runs, 1u);
    cr_assert(CLOSE(j->charge.it_energy_j / 3.6e6, 4.4), "%.12g kWh", j->charge.it_energy_j / 3.6e6);
    cr_assert(CLOSE(j->embodied_kg, 1.6), "%.12g kg", j->embodied_kg);
    ran_free(x);
}

/* Issue 19: a latency table measured with the power the replica drew at each batch size
 * (tests/data/import/latency-power.csv, hand-made: L(b) = 1.5 + 0.5 b ms; 120, 150, 210, 290 W at
 * b = 1, 2, 4, 8). Idle stays booked for every provisioned replica, so a batch of b adds
 * power_w(b) - idle_w over L(b): the device then draws exactly power_w(b) while it runs. */
#define TABLE_GPU                                                                                       \
    "hardware: [{name: gpu, idle_w: 50, max_w: 300, accelerators: 4, host: {idle_w: 40, max_w: 200},\n" \
    "            power_curve: {util: [0, 0.5, 1], w: [50, 280, 300]}}]\n"

Test(power, a_measured_power_per_batch_size_by_hand)
{
    /* one: a request every 10 ms, one at a time (b = 1): 360,000 batches of 2 ms at 120 W.
     * four: a request every 1 ms, batches of 4 (the fourth arrives at once, the window is 10 ms,
     * and L(4) = 3.5 ms is over before the next fourth): 900,000 batches of 3.5 ms at 210 W.
     * The hardware's power_curve (280 W at half load) and max_w are not used for busy power. */
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             HEAD TABLE_GPU "services:\n"
                            "  - {name: one, hardware: gpu, latency_table: %s/tests/data/import/latency-power.csv,\n"
                            "     arrivals: {process: deterministic, rate_per_s: 100}}\n"
                            "  - {name: four, hardware: gpu, latency_table: %s/tests/data/import/latency-power.csv,\n"
                            "     batching: {max_batch: 4, window_ms: 10}, arrivals: {process: deterministic, "
                            "rate_per_s: 1000}}\n",
             source_dir(), source_dir());
    ran x = run_text(yaml);
    const ccs_service_result *one = &x.r->services[0], *four = &x.r->services[1];
    cr_assert_eq(one->pools[0].r.batches, 360000u);
    cr_assert(CLOSE(one->pools[0].r.mean_batch, 1.0));
    cr_assert_eq(four->pools[0].r.batches, 900000u);
    cr_assert(CLOSE(four->pools[0].r.mean_batch, 4.0), "mean batch %.12g", four->pools[0].r.mean_batch);
    /* sum over batches of power_w(b) x L(b): 360,000 x 120 W x 2 ms = 86,400 J and
     * 900,000 x 210 W x 3.5 ms = 661,500 J; of it, idle_w x L(b) is in the idle energy (booked
     * for the whole hour, 50 W x 3,600 s = 180,000 J), the rest is busy: 50,400 J and 504,000 J */
    double sum_one = 360000 * 120.0 * 0.002, sum_four = 900000 * 210.0 * 0.0035;
    cr_assert(CLOSE(sum_one, 86400.0) && CLOSE(sum_four, 661500.0));
    cr_assert(CLOSE(one->busy_energy_j, 50400.0), "busy %.12g", one->busy_energy_j);
    cr_assert(CLOSE(four->busy_energy_j, 504000.0), "busy %.12g", four->busy_energy_j);
    cr_assert(CLOSE(one->idle_energy_j, 180000.0) && CLOSE(four->idle_energy_j, 180000.0));
    cr_assert(CLOSE(one->busy_energy_j + 50.0 * 360000 * 0.002, sum_one));
    cr_assert(CLOSE(four->busy_energy_j + 50.0 * 900000 * 0.0035, sum_four));
    /* the host as before: a quarter of it, 10 W idle over the hour and 40 W more while busy
     * (720 s and 3,150 s) */
    cr_assert(CLOSE(one->host_energy_j, 36000.0 + 28800.0), "host %.12g", one->host_energy_j);
    cr_assert(CLOSE(four->host_energy_j, 36000.0 + 126000.0), "host %.12g", four->host_energy_j);
    cr_assert(CLOSE(four->charge.it_energy_j, 504000.0 + 180000.0 + 162000.0), "IT %.12g", four->charge.it_energy_j);
    ran_free(x);
}

Test(power, measured_power_is_interpolated_between_batch_sizes)
{
    /* A request every 5 ms, max_batch 8, window 11 ms: the requests at 0, 5 and 10 ms leave at
     * 11 ms, a batch of 3, and so on every 15 ms: 240,000 batches of 3, a size not measured.
     * Steffen's interpolation on [2, 4] by hand: secants 30, 30, 20 W per item; the slopes at 2
     * and 4 are 2 min(30, 30, 15) = 30 and 2 min(30, 20, 13.33) = 26.67 (p = (30 x 4 + 20 x 2)
     * / 6); the cubic 150 + 30 dx + (5/3) dx^2 - (5/6) dx^3 at dx = 1 gives P(3) = 1085/6 =
     * 180.83 W (a straight line: 180 W). The latencies are on a line: L(3) = 3 ms exactly.
     * Busy: 240,000 x (1085/6 - 50) W x 3 ms = 94,200 J (a straight line would give 93,600). The
     * inline lists give the same as the file. */
    double p3 = 1085.0 / 6.0, want = 240000 * (p3 - 50.0) * 0.003;
    cr_assert(CLOSE(want, 94200.0));
    char yaml[2048];
    const char *svc = "services:\n  - {name: s, hardware: gpu, batching: {max_batch: 8, window_ms: 11},\n"
                      "     arrivals: {process: deterministic, rate_per_s: 200},\n";
    snprintf(yaml, sizeof yaml, HEAD TABLE_GPU "%s     latency_table: %s/tests/data/import/latency-power.csv}\n", svc,
             source_dir());
    ran a = run_text(yaml);
    snprintf(yaml, sizeof yaml,
             HEAD TABLE_GPU "%s     latency_table: {batch: [1, 2, 4, 8], ms: [2, 2.5, 3.5, 5.5], power_w: [120, 150, "
                            "210, 290]}}\n",
             svc);
    ran b = run_text(yaml);
    for (int k = 0; k < 2; k++) {
        const ccs_service_result *v = &(k ? b : a).r->services[0];
        cr_assert_eq(v->pools[0].r.batches, 240000u);
        cr_assert(CLOSE(v->pools[0].r.mean_batch, 3.0), "mean batch %.12g", v->pools[0].r.mean_batch);
        cr_assert(CLOSE(v->pools[0].l1_ms, 2.0));
        cr_assert(CLOSE(v->busy_energy_j, want), "%s: busy %.12g, expected %.12g", k ? "lists" : "file",
                  v->busy_energy_j, want);
    }
    ran_free(a);
    ran_free(b);
}

Test(power, measured_power_needs_hardware_one_value_per_batch_and_no_phase)
{
    const char *pool = "services:\n  - {name: s, %s latency_table: {batch: [1, 8], ms: [2, 6], power_w: %s}, "
                       "arrivals: {rate_per_s: 1}}\n";
    char yaml[2048];
    struct {
        const char *keys, *power, *needle;
    } cases[] = {
        {"", "[100, 250]", "latency_table's power_w (its idle power and host) given without hardware"},
        {"hardware: gpu,", "[100]", "2 batch sizes and 1 power_w values: expected one power per batch size"},
        {"hardware: gpu, phase: memory,", "[100, 250]", "phase memory with a measured power_w"},
        {"hardware: gpu,", "[40, 250]", "power_w 40 W at batch 1 is below the replica's idle power, 50 W"},
        {"hardware: gpu,", "[100, -1]", "power_w[1]"},
        {"hardware: gpu,", "[100, .nan]", "power_w[1]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[1024];
        snprintf(body, sizeof body, pool, cases[i].keys, cases[i].power);
        snprintf(yaml, sizeof yaml, HEAD TABLE_GPU "%s", body);
        expect_run_error(yaml, cases[i].needle);
    }
    /* power_w alone is not a latency model */
    expect_run_error(HEAD TABLE_GPU "services:\n  - {name: s, hardware: gpu, service_time: {mean_ms: 1}, "
                                    "latency_table: {power_w: [100, 200]}, arrivals: {rate_per_s: 1}}\n",
                     "power_w: given without batch and ms");
}
