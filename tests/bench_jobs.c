/* Jobs and policies benchmark (meson test --benchmark): one year of hourly signals in 5 regions,
 * 100 periodic jobs (tests/bench-jobs100.yaml), greenest-window. Times ccs_run, which loads the
 * 10 traces, builds the books and runs the policy and the run-now baseline, with the traces as
 * the bundled CSV files and as HDF5 (ccsim import; what a sweep should use), and gives the
 * policy's own share as the difference from a run-now-only run. Median of 7. Never fails on
 * time. */
#include "ccs_scenario.h"
#include "ccs_trace.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_run(const char *path, char **sets, size_t nsets, unsigned long long *runs)
{
    double t[7];
    for (int i = 0; i < 7; i++) {
        ccs_err err = {0};
        ccs_scenario *s;
        ccs_run_result *r;
        if (ccs_scenario_load(path, sets, nsets, &s, &err)) {
            fprintf(stderr, "bench_jobs: %s\n", err.msg);
            exit(2);
        }
        double t0 = now_s();
        if (ccs_run(s, &r, &err)) {
            fprintf(stderr, "bench_jobs: %s\n", err.msg);
            exit(2);
        }
        t[i] = now_s() - t0;
        *runs = 0;
        for (size_t j = 0; j < s->njobs; j++) *runs += r->jobs[j].runs;
        ccs_run_result_destroy(r);
        ccs_scenario_destroy(s);
    }
    qsort(t, 7, sizeof t[0], cmp);
    return t[3];
}

static void report(const char *label, const char *path, char **extra, size_t nextra)
{
    unsigned long long runs;
    char *sets[320];
    for (size_t i = 0; i < nextra; i++) sets[i] = extra[i];
    sets[nextra] = "policy.name=run-now";
    double base = median_run(path, sets, nextra + 1, &runs);
    double green = median_run(path, extra, nextra, &runs);
    sets[nextra] = "policy.geo_shift=true";
    double moved = median_run(path, sets, nextra + 1, &runs);
    /* every region limited to 200 kW: the runs that pick the same hours queue (admission pass) */
    static char *caps[] = {"regions.de.capacity_kw=200", "regions.es.capacity_kw=200", "regions.cal.capacity_kw=200",
                           "regions.tex.capacity_kw=200", "regions.de2.capacity_kw=200"};
    for (size_t k = 0; k < 5; k++) sets[nextra + k] = caps[k];
    double capped = median_run(path, sets, nextra + 5, &runs);
    /* every job interruptible with 15-minute checkpoints: the exact planner of models/slots.c on
     * every run (a quarter of the jobs are interruptible in the scenario as it stands) */
    static char names[100][2][64];
    size_t m = nextra;
    for (int j = 0; j < 100; j++) {
        snprintf(names[j][0], sizeof names[j][0], "jobs.job%d.interruptible=true", j);
        snprintf(names[j][1], sizeof names[j][1], "jobs.job%d.checkpoint=15m", j);
        sets[m++] = names[j][0];
        sets[m++] = names[j][1];
    }
    double interrupted = median_run(path, sets, m, &runs);
    /* and every job contiguous: the target of issue 13 (greenest-window's share under 50 ms) */
    m = nextra;
    for (int j = 0; j < 100; j++) {
        snprintf(names[j][0], sizeof names[j][0], "jobs.job%d.interruptible=false", j);
        sets[m++] = names[j][0];
    }
    double contiguous = median_run(path, sets, m, &runs);
    printf("jobs benchmark, traces as %s: 100 jobs, 5 regions, 1 year hourly, %llu runs per policy\n", label, runs);
    printf("  ccs_run, run-now only (traces, books, one pass):        %6.1f ms\n", 1e3 * base);
    printf("  ccs_run, greenest-window + the run-now baseline:        %6.1f ms\n", 1e3 * green);
    printf("  ccs_run, greenest-window over all 5 regions + baseline: %6.1f ms\n", 1e3 * moved);
    printf("  greenest-window + baseline, every region at 200 kW:     %6.1f ms\n", 1e3 * capped);
    printf("  greenest-window's own share (difference):               %6.1f ms\n", 1e3 * (green - base));
    printf("  greenest-window, every job interruptible (15 min ckpt): %6.1f ms\n", 1e3 * interrupted);
    printf("  greenest-window, every job contiguous:                  %6.1f ms (share %.1f ms)\n", 1e3 * contiguous,
           1e3 * (contiguous - base));
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_jobs SCENARIO.yaml TMPDIR\n");
        return 2;
    }
    report("CSV", argv[1], NULL, 0);
    /* the same traces converted to HDF5, swapped in with --set */
    ccs_err err = {0};
    ccs_scenario *s;
    if (ccs_scenario_load(argv[1], NULL, 0, &s, &err)) {
        fprintf(stderr, "bench_jobs: %s\n", err.msg);
        return 2;
    }
    char *sets[64];
    size_t n = 0;
    for (size_t i = 0; i < s->nregions && n + 2 < 64; i++) {
        const char *kind[2] = {"carbon", "price"};
        const char *file[2] = {s->regions[i].carbon.file, s->regions[i].price.file};
        for (int k = 0; k < 2; k++) {
            if (!file[k]) continue;
            char h5[4096];
            snprintf(h5, sizeof h5, "%s/bench-%s-%s.h5", argv[2], s->regions[i].name, kind[k]);
            ccs_trace *t;
            ccs_trace_opts o = {.allow_negative = k == 1};
            if (ccs_trace_load(file[k], &o, &t, &err) || ccs_trace_save_h5(t, h5, "bench", &err)) {
                fprintf(stderr, "bench_jobs: %s\n", err.msg);
                return 2;
            }
            ccs_trace_destroy(t);
            size_t len = strlen(h5) + 64;
            sets[n] = malloc(len);
            snprintf(sets[n++], len, "regions.%s.%s=%s", s->regions[i].name, kind[k], h5);
        }
    }
    ccs_scenario_destroy(s);
    report("HDF5", argv[1], sets, n);
    for (size_t i = 0; i < n; i++) free(sets[i]);
    return 0;
}
