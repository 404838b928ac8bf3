/* A pool of replicas of one hardware profile serving one model variant, behind a dynamic
 * batcher with Triton's semantics (docs/model.md 4): requests wait FCFS; a batch goes to a free
 * replica as soon as max_batch requests wait, or when the oldest has waited window_ms, taking
 * up to max_batch. max_batch 1 with window 0 is plain FCFS: an M/G/c queue. A replica serving
 * `concurrency` batches at once (a CPU server's cores) has that many slots: M/G/(replicas x c).
 *
 * A batch of b takes L(b) from a table (roofline or measured, computed once per pool) or one
 * draw of the service-time distribution. A replica runs on devices_per_replica of its server's
 * devices and carries their share of the server's host. While a batch runs, its slot charges its
 * share of the devices' power above idle (max_w, or memory_bound_w for a memory-bound batch) and
 * of the host's; with a measured power curve the devices' busy power is booked per 5-minute
 * bucket from the bucket's utilisation instead, and with a measured power per batch size
 * (latency_table's power_w) a batch of b draws that power, interpolated at b, less idle. Every provisioned replica (serving, cold-starting
 * or warm) charges idle power (devices and host share), rent and capital cost over the time it is
 * provisioned: busy + idle + host energy is the integral of the server share's power. Capacity
 * is fixed, or autoscaled on measured utilisation. */
#ifndef CCS_POOL_H
#define CCS_POOL_H

#include "ccs_engine.h"
#include "ccs_err.h"
#include "ccs_schema.h"
#include "ledger.h"
#include "profiles.h"
#include "series.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

enum { CCS_DIST_EXPONENTIAL = 0, CCS_DIST_DETERMINISTIC = 1 };

/* A batch's busy power: auto, from the roofline where the pool has one (a memory-bound batch
 * draws memory_bound_w, a compute-bound one max_w) and max_w otherwise; or stated for the pool. */
enum { CCS_PHASE_AUTO = 0, CCS_PHASE_COMPUTE, CCS_PHASE_MEMORY };
extern const char *const ccs_phase_words[]; /* "auto", "compute", "memory", NULL */

/* Capacity under utilisation-driven autoscaling; max 0: not given (fixed replicas). */
typedef struct ccs_autoscale_cfg {
    long min, max, warm_pool;
    double target;         /* utilisation the scaler aims at, (0, 1] */
    int64_t up_delay_us;   /* cold start: from the decision to serving */
    int64_t down_delay_us; /* how long the need must stay lower before replicas go */
    int64_t interval_us;   /* how often utilisation is measured and acted on */
} ccs_autoscale_cfg;

/* An LLM engine's scheduler (vLLM, TensorRT-LLM; llm.h): max_num_seqs 0 means the pool is not one
 * (a dynamic batcher serves it). Zeros below are defaults, set by ccs_pool_check and the loader. */
enum { CCS_PREEMPT_RECOMPUTE = 0, CCS_PREEMPT_SWAP };
typedef struct ccs_llm_cfg {
    long max_num_seqs;                         /* sequences in one iteration */
    long max_batched_tokens;                   /* tokens in one iteration (default 8192 chunked, else max_model_len) */
    int chunked_prefill;                       /* prompts split across iterations, decodes first (Sarathi, vLLM V1) */
    long block_size;                           /* KV-cache tokens per block (default 16) */
    double memory_utilization;                 /* share of the replica's memory the engine takes (default 0.9) */
    int preemption;                            /* CCS_PREEMPT_*: when the KV cache runs out */
    long tensor_parallel;                      /* devices one replica is sharded over (default devices_per_replica) */
    double step_overhead_ms;                   /* per iteration, besides the roofline (default 0) */
    long prompt_tokens, output_tokens;         /* where the arrivals carry no token counts: the means */
    double prompt_tokens_cv, output_tokens_cv; /* > 0: lognormal per request with that coefficient of
                                                * variation (stream tokens/...), else fixed */
    long max_model_len;                        /* longest prompt + output (default: the model's, or what fits) */
    long max_waiting;                          /* waiting requests before the run fails as overloaded (1e6) */
    struct {
        char *mlp, *attention, *all_reduce;
    } vidur;                        /* measured iteration times (vidur.h) instead of the roofline; mlp NULL: none */
    struct ccs_vidur *vidur_loaded; /* those files, read once by the loader, which owns them */
} ccs_llm_cfg;
extern const char *const ccs_preemption_words[]; /* "recompute", "swap", NULL */
extern const ccs_schema ccs_llm_schema;

/* A pool: replicas of one hardware profile serving one model variant, behind a dynamic batcher.
 * Its batch service time comes from exactly one of service_time (a draw per batch), latency_table
 * (measured L(b), interpolated) or model (the roofline of the model variant on the hardware). */
typedef struct ccs_pool_cfg {
    char *hardware;        /* NULL: no power drawn (queueing-only validation cases) */
    char *model, *variant; /* a model profile and one of its variants (NULL: the first) */
    /* the names above, resolved by the loader (NULL when not given) */
    const ccs_hardware_cfg *hw;
    const ccs_model_cfg *mdl;
    const ccs_variant_cfg *var;
    /* set by the loader where the service's region names a cloud region listed in the instance
     * price table: one replica's rent there (per device); rent_set 0: the profile's own price */
    double rent_per_hour;
    int rent_set;
    struct {
        int dist;
        double mean_ms;
    } service_time; /* mean_ms 0: not given */
    struct {
        double *batch, *ms;
        size_t nbatch, nms;
        char *file; /* a CSV of measured points (batch, latency_ms[, power_w]) instead of the lists */
        /* measured with them (npower 0: not given): the replica's devices' power, idle included,
         * while busy with a batch of that size; replaces max_w, memory_bound_w and power_curve
         * for the busy power (idle and host power stay the hardware's) */
        double *power_w;
        size_t npower;
    } latency_table;
    long replicas;            /* 0: not given (1) */
    long devices_per_replica; /* accelerators one replica runs on (a sharded model); 0: not given (1) */
    long concurrency;         /* requests (batches) one replica serves at once; 0: not given (the
                               * hardware's cores, or 1) */
    int phase;                /* CCS_PHASE_*: what decides a batch's busy power */
    ccs_autoscale_cfg autoscale;
    struct {
        long max_batch;
        double window_ms;
    } batching; /* max_batch 0: not given (1, 0) */
    ccs_llm_cfg llm;
} ccs_pool_cfg;

typedef struct ccs_pool ccs_pool;

/* Called when a batch completes, with the service arrival stamps of its requests. */
typedef void (*ccs_pool_done_fn)(void *ctx, const int64_t *t_arr, size_t n, int64_t now);

typedef struct ccs_pool_params {
    const ccs_pool_cfg *cfg;
    const ccs_hardware_cfg *hw;        /* NULL: draws no power */
    const double *table_s;             /* L(b) for b = 1..max_batch, or NULL: draw from service_time */
    const unsigned char *memory_bound; /* per b = 1..max_batch: the roofline's batch is memory-bound;
                                        * NULL: none is (unless the pool's phase says memory) */
    int region;
    ccs_engine *eng;
    ccs_ledger *ledger;
    ccs_series *series;
    gsl_rng *rng; /* service times */
    int64_t t0_us, horizon_us;
    /* Counted in the results (batches, busy and serving time, replica-hours, scaling) only from
     * here on: 0 in a full run; a sampled run's window counts after its warm-up. */
    int64_t measure_from_us;
    ccs_pool_done_fn done;
    void *done_ctx;
    /* When done may hear of a completion whose time is still in the future (CCS_DONE_*): which
     * lets an unbatched fixed pool skip the departure event. */
    int done_early;
} ccs_pool_params;

enum {
    CCS_DONE_AT_END = 0, /* done is called at the completion's time, by an event */
    CCS_DONE_EARLY,      /* done only records (schedules nothing, reads no clock): any time, any order */
    /* done hands the requests on to pools (ccs_pool_push ahead): early only where the pool's
     * completions are known in time order (an unbatched fixed pool of constant service time) */
    CCS_DONE_EARLY_IN_ORDER,
};

typedef struct ccs_pool_result {
    uint64_t items, batches;
    double mean_batch;
    double utilisation;   /* busy replica time / serving replica time */
    double replicas_mean; /* provisioned, time-weighted over the period */
    long replicas_max;    /* provisioned */
    long scale_ups, scale_downs;
    double busy_energy_j, idle_energy_j; /* IT energy of the devices, above idle and idle */
    double host_energy_j;                /* IT energy of the replicas' share of their hosts */
    double provisioned_hours;            /* replica-hours, for embodied carbon */
    ccs_charge charge;
} ccs_pool_result;

int ccs_pool_create(const ccs_pool_params *p, ccs_pool **out, ccs_err *err);
void ccs_pool_destroy(ccs_pool *p);

/* Schedules the autoscaler, if any. */
void ccs_pool_start(ccs_pool *p);

/* A request enters the queue at simulated time now; t_arr is its arrival at the service. now may
 * be later than the engine's clock (a push ahead: an earlier stage knew when the request would
 * reach this one), provided the pool's pushes come in order of now: the request then joins the
 * pool at now, as if an event had brought it there, before the pool's own events at that same
 * time (a hand-on by an event would come after those of them scheduled before it). */
void ccs_pool_push(ccs_pool *p, int64_t t_arr, int64_t now);

/* After the engine has run dry: charges provisioned time up to the horizon, fills out. */
int ccs_pool_finish(ccs_pool *p, ccs_pool_result *out, ccs_err *err);

/* Largest sustainable request rate (all replicas busy with full batches), per second. */
double ccs_pool_capacity_per_s(const ccs_pool *p);

/* The schemas of a pool's maps, and its keys as rows of the schema of whatever holds a pool. */
extern const ccs_schema ccs_service_time_schema, ccs_latency_table_schema, ccs_autoscale_schema, ccs_batching_schema;

/* The pool keys, shared by a service (one stage), a stage (one route) and a route. P names a
 * member inside offsetof, where parentheses are not allowed. */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define CCS_POOL_FIELDS(T, P)                                                                                           \
    {"hardware", CCS_F_NAME, offsetof(T, P.hardware), 0, CCS_NO_RANGE, NULL, NULL, 0, "a hardware profile name", NULL}, \
        {"model", CCS_F_NAME, offsetof(T, P.model), 0, CCS_NO_RANGE, NULL, NULL, 0, "a model profile name", NULL},      \
        {"variant",                                                                                                     \
         CCS_F_NAME,                                                                                                    \
         offsetof(T, P.variant),                                                                                        \
         0,                                                                                                             \
         CCS_NO_RANGE,                                                                                                  \
         NULL,                                                                                                          \
         NULL,                                                                                                          \
         0,                                                                                                             \
         "a variant of the model (fp16, int8, ...)",                                                                    \
         NULL},                                                                                                         \
        {"service_time",                                                                                                \
         CCS_F_MAP,                                                                                                     \
         offsetof(T, P.service_time),                                                                                   \
         0,                                                                                                             \
         CCS_NO_RANGE,                                                                                                  \
         NULL,                                                                                                          \
         &ccs_service_time_schema,                                                                                      \
         0,                                                                                                             \
         "{dist: exponential|deterministic, mean_ms: M}",                                                               \
         NULL},                                                                                                         \
        {"latency_table",                                                                                               \
         CCS_F_MAP,                                                                                                     \
         offsetof(T, P.latency_table),                                                                                  \
         0,                                                                                                             \
         CCS_NO_RANGE,                                                                                                  \
         NULL,                                                                                                          \
         &ccs_latency_table_schema,                                                                                     \
         0,                                                                                                             \
         "{batch: [1, 8, 32], ms: [2.1, 3.0, 7.9]} or a CSV file of batch,latency_ms[,power_w]",                        \
         "file"},                                                                                                       \
        {"replicas", CCS_F_INT, offsetof(T, P.replicas),           0,   1, 1e6, NULL,                                   \
         NULL,       0,         "a number of replicas, 1 or more", NULL},                                               \
        {"devices_per_replica",                                                                                         \
         CCS_F_INT,                                                                                                     \
         offsetof(T, P.devices_per_replica),                                                                            \
         0,                                                                                                             \
         1,                                                                                                             \
         1024,                                                                                                          \
         NULL,                                                                                                          \
         NULL,                                                                                                          \
         0,                                                                                                             \
         "the accelerators one replica runs on, 1 or more",                                                             \
         NULL},                                                                                                         \
        {"concurrency",                                                                                                 \
         CCS_F_INT,                                                                                                     \
         offsetof(T, P.concurrency),                                                                                    \
         0,                                                                                                             \
         1,                                                                                                             \
         65536,                                                                                                         \
         NULL,                                                                                                          \
         NULL,                                                                                                          \
         0,                                                                                                             \
         "the requests one replica serves at once (a CPU server's cores), 1 or more",                                   \
         NULL},                                                                                                         \
        {"phase", CCS_F_ENUM, offsetof(T, P.phase),      0,   CCS_NO_RANGE, ccs_phase_words,                            \
         NULL,    0,          "auto, compute or memory", NULL},                                                         \
        {"autoscale",                                                                                                   \
         CCS_F_MAP,                                                                                                     \
         offsetof(T, P.autoscale),                                                                                      \
         0,                                                                                                             \
         CCS_NO_RANGE,                                                                                                  \
         NULL,                                                                                                          \
         &ccs_autoscale_schema,                                                                                         \
         0,                                                                                                             \
         "{min, max, target, scale_up_delay, scale_down_delay, warm_pool}",                                             \
         NULL},                                                                                                         \
        {"batching",           CCS_F_MAP, offsetof(T, P.batching),        0,   CCS_NO_RANGE, NULL,                      \
         &ccs_batching_schema, 0,         "{max_batch: B, window_ms: W}", NULL},                                        \
    {                                                                                                                   \
        "llm", CCS_F_MAP, offsetof(T, P.llm), 0, CCS_NO_RANGE, NULL, &ccs_llm_schema, 0,                                \
            "{max_num_seqs: 256, max_batched_tokens: 8192, chunked_prefill: true, ...}", NULL                           \
    }
/* NOLINTEND(bugprone-macro-parentheses) */

/* The latency models of a pool, each describing itself like a plug-in: version, the pool key that
 * chooses it (its name), what it is, the schema of that key's map (NULL: a name, as model), and the
 * rule its keys must meet. A pool takes exactly one (ccs_pool_check). */
#define CCS_LATENCY_MODEL_VERSION 1
typedef struct ccs_latency_model {
    int version; /* CCS_LATENCY_MODEL_VERSION */
    const char *key;
    const char *summary;
    const ccs_schema *schema;
    int (*given)(const ccs_pool_cfg *p);
    /* NULL: no rule; else 0 or an error at pos naming `where` */
    int (*check)(const ccs_pool_cfg *p, const char *where, const ccs_src_pos *pos, ccs_err *err);
} ccs_latency_model;
const ccs_latency_model *ccs_latency_models(size_t *n);

/* Any pool key given (a stage with routes must not have any). */
int ccs_pool_given(const ccs_pool_cfg *p);

/* The pool's own rules (one latency model, replicas or autoscale, a latency table that is
 * increasing and covers every batch size) and its defaults (replicas, max_batch). Errors at pos,
 * naming `where` ("services[s]"). Hardware and model names are the loader's to resolve. */
int ccs_pool_check(ccs_pool_cfg *p, const char *where, const ccs_src_pos *pos, ccs_err *err);

#endif
