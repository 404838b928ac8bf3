/* A scenario: the period, seed and currency of a run, its regions (grid traces, PUE, capacity),
 * hardware profiles, interactive services, deferrable jobs and the policy. Loaded from YAML,
 * overridden with --set, validated (types, ranges, references between sections) and then plain
 * read-only data for the models. Strings NULL mean "the default" where a default exists. */
#ifndef CCS_SCENARIO_H
#define CCS_SCENARIO_H

#include "ccs_err.h"
#include "ccs_schema.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ccs_trace_ref {
    char *file;   /* CSV or HDF5, relative to the scenario's folder */
    char *column; /* value column; NULL: the format's default */
    int fill;     /* ccs_fill_rule */
} ccs_trace_ref;

typedef struct ccs_region_cfg {
    ccs_src_pos pos;
    char *name;
    ccs_trace_ref carbon;
    ccs_trace_ref price;         /* electricity price, currency/MWh; file NULL: none */
    double fixed_price_per_mwh;  /* a stated flat tariff instead of a price trace; < 0: none */
    double pue;                  /* facility overhead multiplier, >= 1 */
    double capacity_kw;          /* 0: unlimited */
} ccs_region_cfg;

typedef struct ccs_hardware_cfg {
    ccs_src_pos pos;
    char *name;
    double idle_w, max_w;        /* P(u) = idle + (max - idle) u */
    double price_per_hour;       /* instance price; < 0: owned, pay for electricity */
    double embodied_kg;          /* manufacturing kgCO2e; 0: not counted */
    double lifetime_h;
} ccs_hardware_cfg;

enum { CCS_ARRIVALS_POISSON = 0, CCS_ARRIVALS_TRACE_COUNTS, CCS_ARRIVALS_TRACE_REPLAY };

typedef struct ccs_arrivals_cfg {
    int process;
    double rate_per_s; /* poisson: the rate; trace-counts: the mean rate the trace is scaled to */
    double scale;      /* trace-counts: a factor instead of rate_per_s (0: not given) */
    char *trace;       /* trace-counts, trace-replay: the file */
    int64_t offset_us; /* where in the trace the period starts, after its first stamp */
    int loop;          /* start the trace again when it ends */
} ccs_arrivals_cfg;
enum { CCS_DIST_EXPONENTIAL = 0, CCS_DIST_DETERMINISTIC = 1 };

typedef struct ccs_service_cfg {
    ccs_src_pos pos;
    char *name;
    char *region;   /* NULL: the first region */
    char *hardware; /* NULL: no power drawn (queueing-only validation cases) */
    ccs_arrivals_cfg arrivals;
    struct { int dist; double mean_ms; } service_time;
    long replicas;
    double slo_p95_ms; /* 0: no SLO */
} ccs_service_cfg;

typedef struct ccs_job_cfg {
    ccs_src_pos pos;
    char *name;
    struct { int64_t every_us, at_us; } release;
    int64_t duration_us;
    int64_t warmup_us;     /* requests arriving in [start, start + warmup) are not measured */
    double power_kw;
    int64_t deadline_us;  /* relative to release; 0: the duration (no slack) */
    int interruptible;
    char **regions;       /* allowed regions; none given: the first region */
    size_t nregions;
} ccs_job_cfg;

enum { CCS_FORECAST_PERFECT = 0, CCS_FORECAST_PERSISTENCE, CCS_FORECAST_NOISY };

typedef struct ccs_policy_cfg {
    char *name;            /* NULL: run-now */
    int forecast;
    double price_tolerance;
} ccs_policy_cfg;

typedef struct ccs_scenario {
    char *path, *dir;      /* the file and its folder */
    char *name;            /* from the file or the file name without .yaml */
    int64_t start_us, end_us;
    int64_t duration_us;
    int64_t warmup_us;     /* requests arriving in [start, start + warmup) are not measured */
    uint64_t seed;
    char *currency;
    ccs_region_cfg *regions;
    size_t nregions;
    ccs_hardware_cfg *hardware;
    size_t nhardware;
    ccs_service_cfg *services;
    size_t nservices;
    ccs_job_cfg *jobs;
    size_t njobs;
    ccs_policy_cfg policy;
    uint64_t hash;         /* of the file's bytes and the overrides */
    char **labels;         /* "--set '...'" names of the overrides, for messages */
    size_t nlabels;
} ccs_scenario;

/* Loads path, applies the overrides ("a.b=v", kept alive by the caller for the scenario's life),
 * validates. On error returns non-zero, err filled, *out NULL. */
int ccs_scenario_load(const char *path, char *const *overrides, size_t noverrides, ccs_scenario **out,
                      ccs_err *err);
void ccs_scenario_destroy(ccs_scenario *s);

const ccs_region_cfg *ccs_scenario_region(const ccs_scenario *s, const char *name);
const ccs_hardware_cfg *ccs_scenario_hardware(const ccs_scenario *s, const char *name);

#endif
