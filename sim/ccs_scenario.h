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
    char *select; /* files of several areas: the area or country to keep (DK1, DEU) */
    int fill;     /* ccs_fill_rule */
} ccs_trace_ref;

typedef struct ccs_tariff_cfg {
    double day_per_mwh, night_per_mwh;
    int64_t day_from_us, day_to_us; /* UTC clock times on whole hours; day = [from, to) */
} ccs_tariff_cfg;

typedef struct ccs_region_cfg {
    ccs_src_pos pos;
    char *name;
    ccs_trace_ref carbon;
    ccs_trace_ref price;        /* electricity price, currency/MWh; file NULL: none */
    double fixed_price_per_mwh; /* a stated flat tariff instead of a price trace; < 0: none */
    ccs_tariff_cfg tariff;      /* a stated day/night tariff; day_per_mwh < 0: none */
    double pue;                 /* facility overhead multiplier, >= 1 */
    double capacity_kw;         /* 0: unlimited */
} ccs_region_cfg;

typedef struct ccs_hardware_cfg {
    ccs_src_pos pos;
    char *name;
    double idle_w, max_w;  /* P(u) = idle + (max - idle) u */
    double price_per_hour; /* instance price; < 0: owned, pay for electricity */
    double embodied_kg;    /* manufacturing kgCO2e; 0: not counted */
    double lifetime_h;
    /* For the roofline latency model (docs/model.md 4); 0: not known, and a model profile on this
     * hardware is then an error naming the missing figure. Dense peaks, per precision. */
    double peak_tflops_fp16, peak_tops_int8, peak_tops_int4;
    double mem_bw_gb_s;
} ccs_hardware_cfg;

/* A model profile (docs/model.md 4): the work per item and the weights, per variant. */
enum { CCS_PREC_FP16 = 0, CCS_PREC_INT8, CCS_PREC_INT4 };
typedef struct ccs_variant_cfg {
    ccs_src_pos pos;
    char *name;
    int precision; /* which hardware peak it runs at */
    double weight_bytes;
    double flop_per_item;  /* 0: the model's */
    double bytes_per_item; /* 0: the model's */
    double quality_delta;  /* change of the model's quality metric against the reference variant */
} ccs_variant_cfg;

typedef struct ccs_model_cfg {
    ccs_src_pos pos;
    char *name;
    char *quality_metric; /* what quality is measured in, e.g. "NDCG@10 points" */
    double quality;       /* the reference variant's score on that metric; 0: not stated */
    double flop_per_item, bytes_per_item;
    double overhead_ms; /* per batch: launch, pre/post-processing */
    double efficiency;  /* achieved share of the peak FLOP/s, (0, 1] */
    ccs_variant_cfg *variants;
    size_t nvariants;
} ccs_model_cfg;

enum { CCS_ARRIVALS_POISSON = 0, CCS_ARRIVALS_TRACE_COUNTS, CCS_ARRIVALS_TRACE_REPLAY, CCS_ARRIVALS_DETERMINISTIC };

typedef struct ccs_arrivals_cfg {
    int process;
    double rate_per_s; /* poisson, deterministic: the rate; trace-counts: the mean rate the trace is scaled to */
    double scale;      /* trace-counts: a factor instead of rate_per_s (0: not given) */
    char *trace;       /* trace-counts, trace-replay: the file */
    int64_t offset_us; /* where in the trace the period starts, after its first stamp */
    int loop;          /* start the trace again when it ends */
} ccs_arrivals_cfg;
enum { CCS_DIST_EXPONENTIAL = 0, CCS_DIST_DETERMINISTIC = 1 };

/* Capacity under utilisation-driven autoscaling; max 0: not given (fixed replicas). */
typedef struct ccs_autoscale_cfg {
    long min, max, warm_pool;
    double target;         /* utilisation the scaler aims at, (0, 1] */
    int64_t up_delay_us;   /* cold start: from the decision to serving */
    int64_t down_delay_us; /* how long the need must stay lower before replicas go */
    int64_t interval_us;   /* how often utilisation is measured and acted on */
} ccs_autoscale_cfg;

/* A pool: replicas of one hardware profile serving one model variant, behind a dynamic batcher.
 * Its batch service time comes from exactly one of service_time (a draw per batch), latency_table
 * (measured L(b), interpolated) or model (the roofline of the model variant on the hardware). */
typedef struct ccs_pool_cfg {
    char *hardware;        /* NULL: no power drawn (queueing-only validation cases) */
    char *model, *variant; /* a model profile and one of its variants (NULL: the first) */
    struct {
        int dist;
        double mean_ms;
    } service_time; /* mean_ms 0: not given */
    struct {
        double *batch, *ms;
        size_t nbatch, nms;
    } latency_table;
    long replicas; /* 0: not given (1) */
    ccs_autoscale_cfg autoscale;
    struct {
        long max_batch;
        double window_ms;
    } batching; /* max_batch 0: not given (1, 0) */
} ccs_pool_cfg;

/* One route of a stage: a share of the stage's traffic to its own pool (small vs large model). */
typedef struct ccs_route_cfg {
    ccs_src_pos pos;
    char *name;
    double share;
    ccs_pool_cfg pool;
} ccs_route_cfg;

typedef struct ccs_stage_cfg {
    ccs_src_pos pos;
    char *name;
    ccs_pool_cfg pool; /* used when there are no routes */
    ccs_route_cfg *routes;
    size_t nroutes;
} ccs_stage_cfg;

enum { CCS_CACHE_NONE = 0, CCS_CACHE_FIXED, CCS_CACHE_TTL };
typedef struct ccs_cache_cfg {
    int kind;        /* set by the cross-check from the keys given */
    double hit_prob; /* fixed: < 0 not given */
    int64_t ttl_us;  /* ttl: with keys and zipf_s */
    long keys;
    double zipf_s;
    double lookup_ms; /* added to every request, hit or miss */
} ccs_cache_cfg;

enum { CCS_TIER_NONE = 0, CCS_TIER_EDGE, CCS_TIER_REGIONAL, CCS_TIER_CENTRAL };

typedef struct ccs_service_cfg {
    ccs_src_pos pos;
    char *name;
    char *region; /* NULL: the first region */
    ccs_arrivals_cfg arrivals;
    ccs_cache_cfg cache;
    int tier;              /* network tier: its default round trip is added to every request */
    double rtt_ms;         /* < 0: the tier's default */
    ccs_pool_cfg pool;     /* the one-stage shorthand: pool keys on the service itself */
    ccs_stage_cfg *stages; /* or a pipeline; the cross-check fills one stage from pool */
    size_t nstages;
    double slo_p95_ms; /* 0: no SLO */
} ccs_service_cfg;

/* When a job's runs are released: periodically (every, at), or at the stamps of a trace file. */
typedef struct ccs_release_cfg {
    int64_t every_us, at_us;
    char *trace; /* CSV: timestamp[,duration_h]; NULL: periodic */
} ccs_release_cfg;

enum { CCS_DEADLINE_AFTER = 0, CCS_DEADLINE_NEXT_WORKDAY, CCS_DEADLINE_NEXT_WORKDAY_LWA };

typedef struct ccs_job_cfg {
    ccs_src_pos pos;
    char *name;
    ccs_release_cfg release;
    int64_t duration_us; /* 0 with a release trace: each stamp's duration_h */
    double power_kw;
    int64_t deadline_us; /* relative to release; 0: the duration (no slack) */
    int deadline_rule;   /* CCS_DEADLINE_AFTER (deadline_us), or NEXT_WORKDAY: 09:00 UTC of the next
                           * workday after the run would end if started at release, unless it ends
                           * within working hours (09:00-17:00, Mon-Fri), then that end;
                           * NEXT_WORKDAY_LWA: the same, except that a run ending on a Friday
                           * evening is due Saturday 09:00, as in Wiesner et al.'s simulator */
    int interruptible;
    int64_t checkpoint_us; /* interruptible: extra run time for each resume after a pause */
    char **regions;        /* allowed regions (data residency), first = home; none given: the first region */
    size_t nregions;
    double input_gb;          /* input data moved when the job runs away from home */
    char *hardware;           /* a hardware profile: power = max_parallelism x its max_w, and its
                           * price_per_hour per device (rented); NULL: power_kw, owned */
    long max_parallelism;     /* devices the job runs on at once (0: not given, 1) */
    double device_hours;      /* work in device-hours instead of duration: duration = this / devices */
    double rent_per_hour;     /* set by the cross-check: devices x the profile's price; 0: owned */
    ccs_trace_ref spot_price; /* a spot price series for the devices (currency per device-hour),
                               * instead of the profile's price; file NULL: none */
} ccs_job_cfg;

enum { CCS_FORECAST_PERFECT = 0, CCS_FORECAST_PERSISTENCE, CCS_FORECAST_NOISY };
enum { CCS_GROWTH_SQRT = 0, CCS_GROWTH_LINEAR, CCS_GROWTH_CONSTANT };
enum { CCS_ERROR_OF_VALUE = 0, CCS_ERROR_OF_MEAN };

typedef struct ccs_policy_cfg {
    ccs_src_pos pos;
    char *name; /* NULL: run-now */
    int forecast;
    double forecast_error;       /* noisy: relative standard deviation at 24 h ahead */
    int forecast_error_growth;   /* how that spread grows with the horizon */
    int forecast_error_scale;    /* CCS_ERROR_OF_VALUE: sd relative to each value; _OF_MEAN: to the
                                * signal's mean over the traces (additive, as Wiesner et al.) */
    double price_tolerance;      /* X: cost <= run-now cost + X |run-now cost| */
    double carbon_cap_g_per_kwh; /* Y of carbon-cap: 0 unset */
    double threshold_g_per_kwh;  /* Y of threshold: 0 unset */
    int geo_shift;               /* also search every allowed region, paying transfer */
} ccs_policy_cfg;

typedef struct ccs_transfer_cfg {
    double gbps;        /* bandwidth between regions */
    double cost_per_gb; /* scenario currency per GB moved */
} ccs_transfer_cfg;

typedef struct ccs_scenario {
    char *path, *dir; /* the file and its folder */
    char *name;       /* from the file or the file name without .yaml */
    int64_t start_us, end_us;
    int64_t duration_us;
    int64_t warmup_us; /* requests arriving in [start, start + warmup) are not measured */
    uint64_t seed;
    char *currency;
    ccs_region_cfg *regions;
    size_t nregions;
    ccs_hardware_cfg *hardware; /* the scenario's own profiles, then those the services named
                                   * from the bundled library (models/hardware/NAME.yaml) */
    size_t nhardware;
    ccs_model_cfg *models; /* likewise: scenario, then models/profiles/NAME.yaml */
    size_t nmodels;
    ccs_service_cfg *services;
    size_t nservices;
    ccs_job_cfg *jobs;
    size_t njobs;
    ccs_policy_cfg policy;
    ccs_transfer_cfg transfer;
    uint64_t hash; /* of the file's bytes and the overrides */
    char **labels; /* "--set '...'" names of the overrides, for messages */
    size_t nlabels;
    char **lib_paths; /* bundled profile files read, kept for the positions that name them */
    size_t nlib_paths;
} ccs_scenario;

/* Loads path, applies the overrides ("a.b=v", kept alive by the caller for the scenario's life),
 * validates. On error returns non-zero, err filled, *out NULL. */
int ccs_scenario_load(const char *path, char *const *overrides, size_t noverrides, ccs_scenario **out, ccs_err *err);
void ccs_scenario_destroy(ccs_scenario *s);

const ccs_region_cfg *ccs_scenario_region(const ccs_scenario *s, const char *name);
const ccs_hardware_cfg *ccs_scenario_hardware(const ccs_scenario *s, const char *name);
const ccs_model_cfg *ccs_scenario_model(const ccs_scenario *s, const char *name);
const ccs_variant_cfg *ccs_model_variant(const ccs_model_cfg *m, const char *name); /* NULL: first */

/* Default round trips of the network tiers, ms. */
double ccs_tier_rtt_ms(int tier);

/* Where the bundled hardware and model profiles live: $CCSIM_LIBRARY if set, else the source
 * tree's models/ folder. */
const char *ccs_library_dir(void);

#endif
