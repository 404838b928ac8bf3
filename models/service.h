/* An interactive service (docs/model.md 4): arrivals (a plug-in: Poisson, deterministic or a
 * traffic trace), an optional cache, then a pipeline of stages, each a pool of replicas behind
 * a dynamic batcher (pool.h), a stage's traffic optionally split over routes (small vs large
 * model). Latency = network RTT + cache lookup + queueing and batch service in every stage; a
 * hit returns after RTT + lookup. The RTT and the lookup are constants, added to the measured
 * time rather than simulated: they shift every request alike and change no queue. */
#ifndef CCS_SERVICE_H
#define CCS_SERVICE_H

#include "arrivals.h"
#include "cache.h"
#include "ccs_engine.h"
#include "ccs_err.h"
#include "ccs_rng.h"
#include "histogram.h"
#include "ledger.h"
#include "llm.h"
#include "pool.h"
#include "series.h"

#include <stdint.h>

/* One route of a stage: part of the stage's traffic to its own pool (small vs large model),
 * chosen as the stage's routing says. */
typedef struct ccs_route_cfg {
    ccs_src_pos pos;
    char *name;
    double share;             /* routing share: the route's share of the traffic */
    double max_prompt_tokens; /* routing prompt_tokens: prompts up to this (0: any, the last route) */
    double max_difficulty;    /* routing difficulty: scores up to this, in (0, 1] (0: any) */
    double escalate;          /* routing cascade: the share of what it answers that goes on to the
                               * next route (which answers again: both pay); 0 for the last */
    ccs_pool_cfg pool;
} ccs_route_cfg;

/* How a stage picks a request's route: a random share (stream routing/S/STAGE); the first route
 * whose max_prompt_tokens the prompt fits (LLM routes of a first stage, whose arrivals carry
 * tokens); the first whose max_difficulty the request's difficulty score fits (a uniform draw
 * per request and stage, stream difficulty/S/STAGE: simple requests to small models); or a
 * cascade: every request to the first route, and a request whose score is above what a route
 * keeps (1 - escalate of what reaches it) on to the next after it has answered (LLM routes). */
enum { CCS_ROUTING_SHARE = 0, CCS_ROUTING_PROMPT, CCS_ROUTING_DIFFICULTY, CCS_ROUTING_CASCADE };
extern const char *const ccs_routing_words[]; /* "share", "prompt_tokens", "difficulty", "cascade" */

typedef struct ccs_stage_cfg {
    ccs_src_pos pos;
    char *name;
    ccs_pool_cfg pool; /* used when there are no routes */
    int routing;       /* CCS_ROUTING_* */
    ccs_route_cfg *routes;
    size_t nroutes;
} ccs_stage_cfg;

enum { CCS_TIER_NONE = 0, CCS_TIER_EDGE, CCS_TIER_REGIONAL, CCS_TIER_CENTRAL };

/* Default round trips of the network tiers, ms. */
double ccs_tier_rtt_ms(int tier);

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
    /* LLM requests' objectives (0: none): a request counts towards goodput when its time to first
     * token and its time per output token are both within them */
    double slo_ttft_ms, slo_tpot_ms;
} ccs_service_cfg;

typedef struct ccs_service ccs_service;

typedef struct ccs_service_pool_result {
    const char *stage, *route; /* route NULL: the stage has one pool */
    double share;              /* of the stage's traffic (measured, where routing is not by share;
                                * in a cascade, of what entered the stage) */
    const char *hardware, *model, *variant, *quality_metric; /* NULL where not given */
    double quality_delta;
    long max_batch;
    double window_ms;
    long devices_per_replica, concurrency;
    double l1_ms, lmax_ms;     /* batch service time at b = 1 and b = max_batch (mean for draws) */
    double embodied_kg;        /* provisioned device-hours x (device + host share) embodied / lifetime */
    double server_embodied_kg; /* one whole server's: its devices and host */
    ccs_pool_result r;
    int is_llm; /* continuous batching: llm below is filled */
    long tensor_parallel, max_num_seqs, max_batched_tokens;
    ccs_llm_result llm;
} ccs_service_pool_result;

typedef struct ccs_service_result {
    uint64_t requests;       /* measured: arrived after the warm-up, completed */
    double measured_s;       /* the measured window: period - warm-up */
    double throughput_per_s; /* requests / measured_s */
    double mean_ms, p50_ms, p95_ms, p99_ms;
    double slo_violation_frac; /* share of requests slower than slo_p95_ms; 0 without an SLO */
    int slo_met;               /* p95 <= slo (1), not (0), no SLO (-1) */
    double rtt_ms, lookup_ms;
    int cache_kind;
    double cache_hit_rate, cache_hit_rate_theory; /* measured; Poisson theory (cache.h) */
    double age_mean_s, age_p95_s, age_hit_mean_s; /* of served results (misses are fresh: 0) */
    double busy_energy_j;                         /* IT energy of serving requests */
    double idle_energy_j;                         /* IT energy of provisioned replicas at idle power */
    double host_energy_j;                         /* IT energy of the replicas' share of their hosts */
    double embodied_kg;
    ccs_charge charge; /* everything this service drew, as the ledger priced it */
    /* LLM pools (has_llm): time to first token (RTT and lookup included, as a shopper sees it)
     * and time per output token ((end - first token) / (tokens - 1)) of measured requests */
    int has_llm;
    double ttft_p50_ms, ttft_p95_ms, ttft_p99_ms, ttft_mean_ms;
    double tpot_p50_ms, tpot_p95_ms, tpot_p99_ms, tpot_mean_ms;
    double output_tokens;             /* of measured requests */
    double output_tokens_per_s;       /* output_tokens / measured_s */
    double generated_tokens;          /* every token generated in the run (warm-up and drain too) */
    double energy_per_output_token_j; /* IT energy of the service / generated_tokens */
    double goodput_per_s;             /* measured requests within both token SLOs, per second */
    double goodput_frac;              /* their share of the measured requests */
    uint64_t rejected, preemptions;   /* refused as too long; preempted (KV cache full) */
    uint64_t escalations;             /* cascade: answers passed on to a larger model */
    double last_completion_s;         /* simulated time the last request finished, -1: none */
    size_t npools;
    ccs_service_pool_result *pools;
    ccs_series series; /* hourly */
    /* fidelity: sampled (sim/run/sampled.h): the figures above are estimates from simulated
     * windows, and these the half-widths of their 95% confidence intervals */
    int sampled;
    long windows;          /* simulated windows (the full-fidelity head not counted) */
    double simulated_frac; /* of the period simulated, warm-ups included */
    double requests_ci, mean_ms_ci, p50_ms_ci, p95_ms_ci, p99_ms_ci, slo_violation_frac_ci;
    double energy_kwh_ci, carbon_kg_ci, cost_ci, hit_rate_ci;
} ccs_service_result;

/* t0_us: the epoch time of simulated time 0; horizon_us: simulated time when arrivals stop;
 * requests arriving before warmup_us are served and charged but not measured. Random streams
 * are taken from `streams` by name: arrivals/S, cache/S, routing/S/STAGE, service_time/S (one
 * pool) or service_time/S/STAGE/ROUTE. Fails (err filled) when the arrivals cannot be set up
 * or a pool's mean offered load is at or above its capacity. */
int ccs_service_create(const ccs_service_cfg *cfg, int region, ccs_engine *eng, ccs_ledger *ledger,
                       ccs_streams *streams, int64_t t0_us, int64_t horizon_us, int64_t warmup_us, ccs_service **out,
                       ccs_err *err);
void ccs_service_destroy(ccs_service *s);

/* Schedules the first arrival and the autoscalers. */
/* A window of a sampled run: its arrivals are the prototype's (the whole period's, loaded once)
 * shifted by offset_us, the window's start (its warm-up's) in the period; its pools count
 * batches, busy time and replica-hours only from measure_from_us (simulated) on. */
typedef struct ccs_service_window {
    const ccs_arrivals *arrivals;
    int64_t offset_us, measure_from_us;
} ccs_service_window;
/* The same as ccs_service_create for a window (t0_us: the window's start in epoch time). */
int ccs_service_create_window(const ccs_service_cfg *cfg, int region, ccs_engine *eng, ccs_ledger *ledger,
                              ccs_streams *streams, int64_t t0_us, int64_t horizon_us, int64_t warmup_us,
                              const ccs_service_window *w, ccs_service **out, ccs_err *err);
int ccs_service_start(ccs_service *s);

/* After the engine has run dry: charges idle power and fills the result (which then owns
 * memory: free it with ccs_service_result_free). Non-zero, err filled, on failure. */
int ccs_service_finish(ccs_service *s, ccs_service_result *out, ccs_err *err);
void ccs_service_result_free(ccs_service_result *r);

/* The measured requests' histograms (valid until destroy): latency, age of served results, time
 * to first token, time per output token. */
enum { CCS_HIST_LATENCY = 0, CCS_HIST_AGE, CCS_HIST_TTFT, CCS_HIST_TPOT };
const ccs_histogram *ccs_service_histogram(const ccs_service *s, int which);

/* Whether any pool of the service batches continuously (an LLM pool). */
int ccs_service_has_llm(const ccs_service_cfg *c);

/* The schema of a service (with its stages and routes). */
extern const ccs_schema ccs_service_schema;

#endif
