/* A pool of LLM replicas served by iteration-level (continuous) batching, as vLLM and
 * TensorRT-LLM do (Orca, OSDI 2022; docs/model.md 4b). A request is a prompt to prefill and
 * output tokens to decode; at every iteration the scheduler forms a batch of at most
 * max_num_seqs sequences and max_batched_tokens tokens: without chunked prefill, waiting
 * prompts are admitted whole in a prefill-only iteration whenever one fits, and otherwise every
 * running sequence decodes one token (vLLM V0); with chunked prefill, running sequences decode
 * first and prompts fill the rest of the token budget in chunks (Sarathi-Serve, vLLM V1).
 * Sequences hold KV-cache blocks of block_size tokens; a prompt is admitted only when its blocks
 * are free, and when a running sequence needs a block and none is free the most recently
 * admitted one is preempted (vLLM's policy): recompute drops its cache and prefills prompt and
 * output again later; swap copies its cache to host memory over the host link and back.
 * Requests go to the replica with the fewest outstanding, lowest index first. Each iteration's
 * time comes from llm_step.h and its power from the roofline's phase (powerbook.h). Nothing is
 * allocated per request once the queues have grown to their longest. */
#ifndef CCS_LLM_H
#define CCS_LLM_H

#include "ccs_engine.h"
#include "ccs_err.h"
#include "ledger.h"
#include "llm_step.h"
#include "pool.h"
#include "series.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct ccs_llm_pool ccs_llm_pool;

/* A finished request: its arrival at the service, its first token, its token counts and the
 * tag it came with (the service's difficulty score). */
typedef struct ccs_llm_req {
    int64_t t_arr, t_first;
    long prompt_tokens, output_tokens;
    double tag;
} ccs_llm_req;

/* Called for every request that finishes, at its end: where it goes next is the caller's. */
typedef void (*ccs_llm_finished_fn)(void *ctx, const ccs_llm_req *req, int64_t now);

typedef struct ccs_llm_params {
    const ccs_pool_cfg *cfg; /* hardware, model and variant resolved; llm defaults set */
    ccs_llm_perf perf;       /* ccs_llm_pool_perf */
    int region;
    ccs_engine *eng;
    ccs_ledger *ledger;
    ccs_series *series;
    int64_t t0_us, horizon_us;
    ccs_llm_finished_fn finished;
    void *finished_ctx;
    gsl_rng *rng; /* token counts drawn where the pool states a cv; NULL: none drawn */
} ccs_llm_params;

typedef struct ccs_llm_result {
    uint64_t finished, rejected, preemptions, iterations;
    double prompt_tokens; /* prefilled, recomputation included */
    double output_tokens; /* generated */
    double mean_seqs;     /* sequences per iteration */
    double mean_tokens;   /* tokens per iteration */
    double mean_iteration_ms;
    double prefill_share; /* of iterations that prefilled anything */
    long kv_blocks;       /* per replica */
    double kv_peak;       /* the highest share of a replica's blocks in use */
    int64_t last_done_us; /* when the last request finished (simulated), -1: none */
} ccs_llm_result;

/* A replica's figures from its hardware, model and variant (tensor_parallel devices). */
ccs_llm_perf ccs_llm_pool_perf(const ccs_pool_cfg *cfg);

/* KV-cache blocks per replica: what memory_utilization of the replica's memory leaves after the
 * weights, in blocks of block_size tokens (<= 0: the weights do not fit). */
long ccs_llm_kv_blocks(const ccs_pool_cfg *cfg);

int ccs_llm_pool_create(const ccs_llm_params *p, ccs_llm_pool **out, ccs_err *err);
void ccs_llm_pool_destroy(ccs_llm_pool *p);

/* A request arrives at simulated time now; tokens 0: the pool's prompt_tokens/output_tokens; the
 * tag comes back with it. */
void ccs_llm_pool_push(ccs_llm_pool *p, int64_t t_arr, int64_t now, double prompt_tokens, double output_tokens,
                       double tag);

/* One iteration's time on a replica of this pool: the measured profile where the pool has one,
 * else the roofline, plus the stated overhead; *memory_bound (if not NULL) as the roofline says. */
double ccs_llm_pool_step_s(const ccs_llm_pool *p, const ccs_llm_work *w, int *memory_bound);

/* More requests waited than llm.max_waiting: the run has failed as overloaded. */
int ccs_llm_pool_overloaded(const ccs_llm_pool *p);

/* After the engine has run dry: charges provisioned time up to the horizon, fills both results
 * (pool: items, iterations as batches, utilisation, energy; llm: the rest). */
int ccs_llm_pool_finish(ccs_llm_pool *p, ccs_pool_result *pool, ccs_llm_result *llm, ccs_err *err);

#endif
