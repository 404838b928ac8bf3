/* Region capacity (models/capacity.c) and the job deadline rules, against hand-worked cases:
 * who waits, for how long, what runs straight after waiting, the queue's peak and hourly
 * series; and end-to-end, two jobs that pick the same clean hour in a region with room for one. */
#include "capacity.h"
#include "ccs_scenario.h"
#include "helpers.h"
#include "job.h"
#include "run.h"

#include <criterion/criterion.h>
#include <string.h>

#define H 3600000000LL
#define M 60000000LL

Test(capacity, simultaneous_requests_go_least_slack_first)
{
    /* A and B both planned [0, 2h) at 1 kW; room for one. B's deadline (3h) leaves it 1 h of
     * slack, A's (10h) 8 h: B runs as planned, A waits 2 h and runs [2h, 4h). */
    ccs_interval a[] = {{0, 2 * H}}, b[] = {{0, 2 * H}};
    uint32_t na = 1, nb = 1;
    ccs_capacity_run runs[] = {{10 * H, 0, 1.0, a, &na, 0}, {3 * H, 0, 1.0, b, &nb, 0}};
    uint32_t hourly[6];
    ccs_capacity_stats st;
    cr_assert_eq(ccs_capacity_admit(1.0, runs, 2, 0, hourly, 6, &st), 0);
    cr_assert(b[0].a_us == 0 && b[0].b_us == 2 * H && runs[1].wait_us == 0);
    cr_assert(a[0].a_us == 2 * H && a[0].b_us == 4 * H, "A ran [%lld, %lld)", (long long)a[0].a_us,
              (long long)a[0].b_us);
    cr_assert_eq(runs[0].wait_us, 2 * H);
    cr_assert_eq(st.queued_runs, 1u);
    cr_assert_eq(st.peak_waiting, 1u);
    cr_assert_eq(st.peak_at_us, 0);
    cr_assert_float_eq(st.wait_h, 2.0, 1e-12);
    cr_assert_float_eq(st.peak_kw, 1.0, 1e-12);
    uint32_t want[] = {1, 1, 0, 0, 0, 0};
    for (int h = 0; h < 6; h++) cr_assert_eq(hourly[h], want[h], "hour %d: %u waiting, want %u", h, hourly[h], want[h]);
}

Test(capacity, a_run_that_waited_goes_straight_and_drops_later_resumes)
{
    /* D holds the region [0, 2h). C planned [1h, 2h) and, after a pause, [3h, 4h06) (1 h of work
     * plus a 6-minute checkpoint). C waits from 1h to 2h, then runs its 2 h of work straight:
     * [2h, 4h), one interval, no checkpoint paid for the resume it no longer makes. */
    ccs_interval d[] = {{0, 2 * H}}, c[] = {{1 * H, 2 * H}, {3 * H, 4 * H + 6 * M}};
    uint32_t nd = 1, nc = 2;
    ccs_capacity_run runs[] = {{2 * H, 0, 1.0, d, &nd, 0}, {10 * H, 6 * M, 1.0, c, &nc, 0}};
    ccs_capacity_stats st;
    cr_assert_eq(ccs_capacity_admit(1.5, runs, 2, 0, NULL, 0, &st), 0);
    cr_assert_eq(nc, 1u);
    cr_assert(c[0].a_us == 2 * H && c[0].b_us == 4 * H, "C ran [%lld, %lld)", (long long)c[0].a_us,
              (long long)c[0].b_us);
    cr_assert_eq(runs[1].wait_us, 1 * H);
    cr_assert(d[0].a_us == 0 && d[0].b_us == 2 * H);
}

Test(capacity, room_for_both_changes_nothing)
{
    ccs_interval a[] = {{0, H}, {2 * H, 3 * H}}, b[] = {{0, 2 * H}};
    uint32_t na = 2, nb = 1;
    ccs_capacity_run runs[] = {{5 * H, 0, 1.0, a, &na, 0}, {5 * H, 0, 2.0, b, &nb, 0}};
    ccs_capacity_stats st;
    cr_assert_eq(ccs_capacity_admit(3.0, runs, 2, 0, NULL, 0, &st), 0);
    cr_assert(na == 2 && a[1].a_us == 2 * H && a[1].b_us == 3 * H && b[0].b_us == 2 * H);
    cr_assert_eq(st.queued_runs, 0u);
    cr_assert_float_eq(st.peak_kw, 3.0, 1e-12);
}

Test(capacity, deadline_rules_by_hand)
{
    ccs_job_cfg cfg = {0};
    int64_t wed = 1578441600000000LL; /* 2020-01-08 00:00Z, a Wednesday */
    int64_t fri = wed + 2 * 24 * H, sat = fri + 24 * H, mon = fri + 3 * 24 * H;
    cfg.deadline_rule = CCS_DEADLINE_NEXT_WORKDAY;
    cr_assert_eq(ccs_job_deadline(&cfg, wed + 9 * H, 3 * H), wed + 12 * H, "ends in working hours: no slack");
    cr_assert_eq(ccs_job_deadline(&cfg, wed + 16 * H, 2 * H), wed + 24 * H + 9 * H, "evening: next morning");
    cr_assert_eq(ccs_job_deadline(&cfg, wed + 16 * H, 14 * H), wed + 24 * H + 9 * H, "06:00: that morning");
    cr_assert_eq(ccs_job_deadline(&cfg, fri + 16 * H, 3 * H), mon + 9 * H, "Friday evening: Monday");
    cr_assert_eq(ccs_job_deadline(&cfg, fri + 16 * H, 24 * H), mon + 9 * H, "Saturday: Monday");
    cr_assert_eq(ccs_job_deadline(&cfg, fri + 16 * H, 48 * H), mon + 9 * H, "Sunday: Monday");
    cfg.deadline_rule = CCS_DEADLINE_NEXT_WORKDAY_LWA;
    cr_assert_eq(ccs_job_deadline(&cfg, fri + 16 * H, 3 * H), sat + 9 * H, "LWA: Friday evening, Saturday");
    cr_assert_eq(ccs_job_deadline(&cfg, fri + 16 * H, 24 * H), mon + 9 * H, "LWA: Saturday, Monday");
    cfg.deadline_rule = CCS_DEADLINE_AFTER;
    cfg.deadline_us = 5 * H;
    cr_assert_eq(ccs_job_deadline(&cfg, wed, 2 * H), wed + 5 * H);
}

/* Loads and runs a scenario file written into dir; asserts success. */
static ccs_run_result *load_run(const char *yaml, ccs_scenario **s)
{
    ccs_err err = {0};
    cr_assert_eq(ccs_scenario_load(yaml, NULL, 0, s, &err), 0, "%s", err.msg);
    ccs_run_result *r;
    cr_assert_eq(ccs_run(*s, &r, &err), 0, "%s", err.msg);
    return r;
}

static const char *day_trace(const char *dir)
{
    /* 2023-01-01, hourly: 03:00 is the clean hour (10), 04:00 the next best (200) */
    static const int v[24] = {500, 400, 300, 10, 200, 450};
    char csv[2048] = "timestamp,value\n";
    for (int h = 0; h < 48; h++) {
        char row[64];
        snprintf(row, sizeof row, "2023-01-%02dT%02d:00:00Z,%d\n", 1 + h / 24, h % 24, h < 6 ? v[h] : 500);
        strcat(csv, row);
    }
    return write_text(dir, "day.csv", csv);
}

/* End to end: two 1 kW jobs, each 1 h with 6 h of slack; the region holds 1 kW. Both plan
 * 03:00-04:00; they tie on slack, so the first listed wins, and the other waits an hour and runs
 * 04:00-05:00 at 200 g/kWh instead of 10. */
Test(capacity, two_jobs_on_the_same_clean_hour_queue)
{
    const char *dir = tmp_folder();
    day_trace(dir);
    const char *yaml =
        write_text(dir, "c.yaml",
                   "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 1\n"
                   "regions: [{name: r, carbon: day.csv, capacity_kw: 1}]\n"
                   "jobs:\n"
                   "  - {name: a, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 7h}\n"
                   "  - {name: b, release: {every: 24h, at: \"00:00\"}, duration: 1h, power_kw: 1, deadline: 7h}\n"
                   "policy: {name: greenest-window, forecast: perfect}\n");
    ccs_scenario *s;
    ccs_run_result *r = load_run(yaml, &s);
    cr_assert_eq(r->jobs[0].records[0].start_us - r->jobs[0].records[0].release_us, 3 * H);
    cr_assert_eq(r->jobs[1].records[0].start_us - r->jobs[1].records[0].release_us, 4 * H);
    cr_assert_float_eq(r->jobs[0].charge.carbon_g, 10.0, 1e-9);
    cr_assert_float_eq(r->jobs[1].charge.carbon_g, 200.0, 1e-9);
    cr_assert_eq(r->jobs[1].queued, 1u);
    cr_assert_float_eq(r->jobs[1].queue_wait_h, 1.0, 1e-12);
    cr_assert_eq(r->queues[0].stats.peak_waiting, 1u);
    cr_assert_eq(r->queues[0].hourly[0], 0u); /* the period is 00:00-01:00; the queue came at 03:00 */
    cr_assert_eq(r->jobs[0].deadline_misses + r->jobs[1].deadline_misses, 0u);
    ccs_run_result_destroy(r);
    ccs_scenario_destroy(s);
}

/* Releases from a trace, each with its own work; the next-workday rule on 2023-01-06, a
 * Friday: released 16:00 with 3 h of work, due Monday 09:00, so greenest-window waits for the
 * clean hour... which is not in this flat trace, so it runs at once; a run released 10:00 with
 * 2 h ends in working hours and has no slack. */
Test(capacity, release_trace_with_durations)
{
    const char *dir = tmp_folder();
    char csv[8192] = "timestamp,value\n";
    for (int h = 0; h < 24 * 12; h++) {
        char row[64];
        snprintf(row, sizeof row, "2023-01-%02dT%02d:00:00Z,%d\n", 1 + h / 24, h % 24, 100 + h);
        strcat(csv, row);
    }
    write_text(dir, "rise.csv", csv);
    write_text(dir, "rel.csv",
               "timestamp,duration_h\n2023-01-06T10:00:00Z,2\n2023-01-06T16:00:00Z,3\n"
               "2023-01-06T16:00:00Z,0.5\n");
    const char *yaml =
        write_text(dir, "t.yaml",
                   "start: \"2023-01-01T00:00:00Z\"\nduration: 7d\n"
                   "regions: [{name: r, carbon: rise.csv}]\n"
                   "jobs: [{name: j, release: {trace: rel.csv}, power_kw: 2, deadline_rule: next_workday}]\n"
                   "policy: {name: greenest-window, forecast: perfect}\n");
    ccs_scenario *s;
    ccs_run_result *r = load_run(yaml, &s);
    const ccs_job_result *j = &r->jobs[0];
    cr_assert_eq(j->runs, 3u);
    /* the intensity only rises: every run starts at its release */
    cr_assert_eq(j->delay_mean_h, 0.0);
    cr_assert_eq(j->records[0].deadline_us, j->records[0].release_us + 2 * H);
    cr_assert_eq(j->records[1].deadline_us, j->records[1].release_us + 17 * H + 2 * 24 * H); /* Mon 09:00 */
    cr_assert_float_eq(j->records[2].energy_kwh, 1.0, 1e-12);                                /* 0.5 h at 2 kW */
    cr_assert_float_eq(j->charge.energy_j / 3.6e6, 2 * (2 + 3 + 0.5), 1e-9);
    ccs_run_result_destroy(r);
    ccs_scenario_destroy(s);
}

/* Work as device-hours on a hardware profile: 8 device-hours over 4 devices of 400 W (the
 * scenario's own profile, rented at 2.5 an hour each) is a 2 h run at 1.6 kW: 3.2 kWh, and
 * 4 x 2 h x 2.5 = 20 of rent (rented hardware pays no separate electricity). */
Test(capacity, job_on_hardware_in_device_hours)
{
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\ncurrency: USD\n"
                     "regions: [{name: r, carbon: ci.csv, tariff_per_mwh: 100}]\n"
                     "hardware: [{name: gpu, idle_w: 50, max_w: 400, price_per_hour: 2.5}]\n"
                     "jobs: [{name: train, release: {every: 24h, at: \"00:00\"}, hardware: gpu, max_parallelism: 4,"
                     " device_hours: 8, deadline: 4h}]\n");
    const ccs_job_result *j = &x.r->jobs[0];
    cr_assert_eq(j->runs, 1u);
    cr_assert_eq(j->records[0].end_us - j->records[0].start_us, 2 * H);
    cr_assert_float_eq(j->charge.energy_j / 3.6e6, 3.2, 1e-12);
    cr_assert_float_eq(j->charge.cost, 20.0, 1e-9);
    /* 100 + 200 g/kWh over the two hours, 1.6 kWh each */
    cr_assert_float_eq(j->charge.carbon_g, 1.6 * 100 + 1.6 * 200, 1e-9);
    ran_free(x);
    /* the same on a spot price series (per device-hour): 4 x (1.0 for the first hour + 0.5 for
     * the second) = 6, instead of the profile's 2.5 */
    const char *spot = write_text(tmp_folder(), "spot.csv",
                                  "timestamp,value\n2023-01-01T00:00:00Z,1.0\n"
                                  "2023-01-01T01:00:00Z,0.5\n2023-01-01T02:00:00Z,3\n");
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\ncurrency: USD\n"
             "regions: [{name: r, carbon: ci.csv, tariff_per_mwh: 100}]\n"
             "hardware: [{name: gpu, idle_w: 50, max_w: 400, price_per_hour: 2.5}]\n"
             "jobs: [{name: train, release: {every: 24h, at: \"00:00\"}, hardware: gpu, max_parallelism: 4,"
             " device_hours: 8, deadline: 4h, spot_price: %s}]\n",
             spot);
    x = run_text(yaml);
    cr_assert_float_eq(x.r->jobs[0].charge.cost, 6.0, 1e-9, "cost %.12g", x.r->jobs[0].charge.cost);
    cr_assert_float_eq(x.r->totals.cost, 6.0, 1e-9); /* and the region's books hold it */
    ran_free(x);
    char msg[512];
    cr_assert_neq(
        run_text_error("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nregions: [{name: r, carbon: ci.csv}]\n"
                       "jobs: [{name: t, release: {every: 24h}, device_hours: 8, duration: 1h, power_kw: 1}]\n",
                       msg, sizeof msg),
        0);
    cr_assert(strstr(msg, "need a 'hardware' profile"), "%s", msg);
}
