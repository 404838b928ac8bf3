/* ccsim run: load a scenario, simulate, write results.h5, summary.json and the registry row,
 * then the plot. summary.json is the last result written: its presence marks a complete output
 * folder. The picture comes after the results, and a picture that cannot be drawn is a warning,
 * never a reason to throw a finished simulation away. */
#include "arrivals.h"
#include "cache.h"
#include "ccs_paths.h"
#include "ccs_scenario.h"
#include "cli.h"
#include "out_fs.h"
#include "out_json.h"
#include "out_plot.h"
#include "out_registry.h"
#include "out_run.h"
#include "policy.h"
#include "pool.h"
#include "progress.h"
#include "run.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: ccsim run [SCENARIO.yaml] [--out DIR] [--seed N] [--set PATH=VALUE]...\n"
               "                 [--format text|json] [--no-plot] [--threads N] [--no-progress]\n"
               "\n"
               "Simulates the scenario (default scenarios/default.yaml) under its policy and under\n"
               "run-now (the baseline), on the same random streams.\n"
               "\n"
               "  --out DIR          output folder (default results/<scenario>-<UTC time>); the run\n"
               "                     registry runs.sqlite is kept in DIR's parent folder\n"
               "  --seed N           override the scenario's seed\n"
               "  --set PATH=VALUE   override any value by dotted path; list items by name, e.g.\n"
               "                     --set services.search.replicas=8 --set policy.name=run-now\n"
               "  --format text|json print a table (default) or the summary JSON to stdout\n"
               "  --no-plot          do not call gnuplot\n"
               "  --threads N        services simulated at once, each on a thread of its own\n"
               "                     (default: the processors online); the results are the same\n"
               "                     bytes for every N\n"
               "  --no-progress      no progress line (shown on a terminal after a second of work:\n"
               "                     simulated time done, its rate and the time left)\n"
               "\n"
               "Writes into DIR:\n");
    size_t nw;
    const ccs_run_writer *w = ccs_run_writers(&nw);
    for (size_t i = 0; i < nw; i++) fprintf(f, "  %-20s %s\n", w[i].file, w[i].summary);
    fprintf(f, "  %-20s %s\n", "intensity-energy.png", "the grid's intensity and the run's energy by hour (gnuplot)");
    fputs("and a row in DIR/../runs.sqlite (the run registry).\n"
          "\n"
          "Policies (policy.name), with their own keys:\n",
          f);
    ccs_policy_describe(f);
    fputs("\nArrival processes (services[].arrivals.process):\n", f);
    ccs_arrivals_ready();
    for (size_t i = 0; ccs_arrivals_words[i]; i++) {
        const ccs_arrivals_type *t = ccs_arrivals_find(ccs_arrivals_words[i]);
        if (t) fprintf(f, "  %-18s %s\n", t->name, t->summary);
    }
    size_t n;
    const ccs_cache_kind *k = ccs_cache_kinds(&n);
    fputs("\nCaches (services[].cache, chosen by their keys):\n", f);
    for (size_t i = 0; i < n; i++) {
        char keys[128] = "";
        for (size_t j = 0; k[i].keys[j]; j++) {
            if (j) strncat(keys, ", ", sizeof keys - strlen(keys) - 1);
            strncat(keys, k[i].keys[j], sizeof keys - strlen(keys) - 1);
        }
        fprintf(f, "  %-18s %s (%s)\n", k[i].name, k[i].summary, keys);
    }
    const ccs_latency_model *m = ccs_latency_models(&n);
    fputs("\nLatency models of a pool (exactly one of these keys):\n", f);
    for (size_t i = 0; i < n; i++) fprintf(f, "  %-18s %s\n", m[i].key, m[i].summary);
}

static const char *default_scenario(void)
{
    static char path[4096];
    if (access("scenarios/default.yaml", R_OK) == 0) return "scenarios/default.yaml";
    snprintf(path, sizeof path, "%s", ccs_data_path("scenarios/default.yaml"));
    return path;
}

/* Draws the hourly plot of a finished run; 1 if drawn. A failure is a warning: the results are
 * already complete and registered. */
static int draw_plot(ccs_run_result *r, const char *dir)
{
    ccs_err err = {0};
    int rc = ccs_out_plot_hourly(r, dir, &err);
    if (rc > 1 || rc < 0)
        fprintf(stderr,
                "ccsim: warning: %s; the results are complete (summary.json, results.h5), only the "
                "plot is missing\n",
                err.msg);
    return rc == 0;
}

/* The progress line of a long run on a terminal (stderr): nothing in its first second, nothing
 * when stderr is not a terminal (a log or a pipe). */
typedef struct run_progress {
    double t0, last;
    int shown;
} run_progress;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(void *ctx, int64_t done_us, int64_t total_us)
{
    run_progress *p = ctx;
    double t = mono_s(), spent = t - p->t0;
    if (spent < 1.0 || t - p->last < 0.2 || total_us <= 0) return;
    p->last = t;
    p->shown = 1;
    double days = (double)done_us / 86400e6, all = (double)total_us / 86400e6, rate = days / spent;
    char line[200];
    ccs_cli_progress_line(line, sizeof line, days, all, rate, 30);
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
}

static long default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

int ccs_cli_run(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                         {"seed", required_argument, 0, 's'},
                                         {"set", required_argument, 0, 'S'},
                                         {"format", required_argument, 0, 'f'},
                                         {"no-plot", no_argument, 0, 'P'},
                                         {"threads", required_argument, 0, 'T'},
                                         {"no-progress", no_argument, 0, 'Q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out_dir = NULL;
    int json = 0, plot = 1, progress = 1;
    long threads = default_threads();
    char **sets = calloc((size_t)argc + 1, sizeof *sets);
    char *seed_set = NULL;
    if (!sets) {
        fprintf(stderr, "ccsim run: out of memory\n");
        return 4;
    }
    size_t nsets = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:S:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out_dir = optarg; break;
        case 's': {
            char *end;
            errno = 0;
            strtoull(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || *optarg == '-' || errno) {
                fprintf(stderr, "ccsim run: --seed '%s': expected a non-negative integer\n", optarg);
                free(sets);
                free(seed_set);
                return 2;
            }
            free(seed_set);
            size_t len = strlen(optarg) + 6;
            seed_set = malloc(len);
            if (!seed_set) {
                fprintf(stderr, "ccsim run: out of memory\n");
                free(sets);
                return 4;
            }
            snprintf(seed_set, len, "seed=%s", optarg);
            break;
        }
        case 'S': sets[nsets++] = optarg; break;
        case 'f':
            if (strcmp(optarg, "json") == 0)
                json = 1;
            else if (strcmp(optarg, "text") == 0)
                json = 0;
            else {
                fprintf(stderr, "ccsim run: --format '%s': expected text or json\n", optarg);
                free(sets);
                free(seed_set);
                return 2;
            }
            break;
        case 'P': plot = 0; break;
        case 'Q': progress = 0; break;
        case 'T': {
            char *end;
            errno = 0;
            threads = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || errno || threads < 1 || threads > 1024) {
                fprintf(stderr, "ccsim run: --threads '%s': expected a whole number from 1 to 1024\n", optarg);
                free(sets);
                free(seed_set);
                return 2;
            }
            break;
        }
        case 'h':
            usage(stdout);
            free(sets);
            free(seed_set);
            return 0;
        default:
            usage(stderr);
            free(sets);
            free(seed_set);
            return 2;
        }
    }
    if (optind < argc - 1) {
        fprintf(stderr, "ccsim run: one scenario at a time (got %d)\n", argc - optind);
        free(sets);
        free(seed_set);
        return 2;
    }
    if (seed_set) sets[nsets++] = seed_set; /* --seed wins over --set seed=... */
    const char *path = optind < argc ? argv[optind] : default_scenario();

    ccs_err err = {0};
    ccs_scenario *s = NULL;
    ccs_registry *reg = NULL;
    ccs_run_result *r = NULL;
    int64_t run_id = 0;
    int drawn = 0;
    char dir[4096], file[4200];
    int rc = ccs_scenario_load(path, sets, nsets, &s, &err);
    if (!rc) {
        if (out_dir) {
            snprintf(dir, sizeof dir, "%s", out_dir);
        } else {
            char stamp[32];
            time_t now = time(NULL);
            strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime(&now));
            snprintf(dir, sizeof dir, "results/%s-%s", s->name, stamp);
            /* two runs in one second get their own folders */
            for (int k = 2; access(dir, F_OK) == 0; k++)
                snprintf(dir, sizeof dir, "results/%s-%s-%d", s->name, stamp, k);
        }
        if (ccs_fs_mkdir_p(dir) != 0) rc = ccs_err_at(&err, CCS_EIO, dir, 0, 0, "cannot create: %s", strerror(errno));
    }
    if (!rc) {
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", dir);
        snprintf(file, sizeof file, "%s/runs.sqlite", dirname(copy));
        rc = ccs_registry_open(file, &reg, &err);
    }
    if (!rc) rc = ccs_registry_begin(reg, s, dir, &run_id, &err);
    if (!rc) {
        /* An earlier picture must not stand beside results it does not show (if this run's plot
         * fails); ccs_out_run_into removes the earlier finished marker itself. */
        snprintf(file, sizeof file, "%s/intensity-energy.png", dir);
        unlink(file);
        run_progress bar = {.t0 = mono_s()};
        ccs_run_opts ro = {.threads = threads};
        if (progress && isatty(fileno(stderr))) {
            ro.progress = show_progress;
            ro.progress_ctx = &bar;
        }
        rc = ccs_out_run_into(s, &ro, dir, &r, &err);
        if (bar.shown) fputs("\r\033[K", stderr); /* the line goes: the summary follows */
        ccs_err end_err = {0};
        if (ccs_registry_end(reg, run_id, rc ? NULL : r, rc ? err.msg : NULL, &end_err) != 0 && !rc) {
            err = end_err;
            rc = end_err.code;
        }
    }
    if (!rc && plot && s->nregions > 0) /* nothing to draw without a grid signal */
        drawn = draw_plot(r, dir);
    if (!rc) {
        if (json) {
            ccs_out_summary_print(r, stdout);
        } else {
            ccs_out_summary_text(r, stdout);
            printf("\noutputs: %s/summary.json, %s/results.h5%s; registry %s/../runs.sqlite\n", dir, dir,
                   drawn ? ", intensity-energy.png" : "", dir);
        }
    } else {
        fprintf(stderr, "ccsim: %s\n", err.msg);
    }
    ccs_run_result_destroy(r);
    ccs_registry_close(reg);
    ccs_scenario_destroy(s);
    free(sets);
    free(seed_set);
    return rc;
}
