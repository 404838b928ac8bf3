/* The time of one iteration of an LLM serving engine (vLLM, TensorRT-LLM; docs/model.md 4b) on
 * one replica of tp devices, from a roofline over the iteration's work: the dense layers' FLOPs
 * (2 x parameters per token), attention's (4 x layers x heads x head_dim per query-key pair), the
 * weights read once per iteration and the KV cache each token attends to, plus a fixed overhead
 * per iteration (scheduling, kernel launches) and, with tensor parallelism, two all-reduces per
 * layer of the iteration's activations (ring: 2 (tp - 1) / tp of the bytes over one device's
 * link, plus a latency per collective). Compute and memory overlap (the max of the two); the
 * all-reduces do not. A pure function of its inputs. */
#ifndef CCS_LLM_STEP_H
#define CCS_LLM_STEP_H

/* A replica's figures, computed once per pool. */
typedef struct ccs_llm_perf {
    double flop_per_s;         /* achieved: tp x peak x efficiency */
    double bytes_per_s;        /* achieved: tp x bandwidth x memory efficiency */
    double weight_bytes;       /* read once per iteration */
    double flop_per_token;     /* dense layers: 2 x parameters */
    double flop_per_pair;      /* attention: 4 x layers x heads x head_dim */
    double kv_bytes_per_token; /* 2 x layers x kv_heads x head_dim x bytes per value */
    double overhead_s;         /* per iteration */
    double comm_s_per_token;   /* 2 x layers x 2 (tp - 1) / tp x hidden x 2 B / link bandwidth */
    double comm_s_fixed;       /* 2 x layers x latency per collective; 0 with tp 1 */
} ccs_llm_perf;

/* What one iteration computes. A prefill chunk of c tokens after k already in the cache has
 * c k + c (c + 1) / 2 query-key pairs and reads k + c tokens of cache; a decode token over a
 * context of n has n pairs and reads n. */
typedef struct ccs_llm_work {
    double prefill_tokens, prefill_pairs, prefill_kv_tokens;
    double decode_tokens, decode_context;
    /* for measured profiles (vidur.h): prefill chunks, the sum of their squares, and the sum of
     * their cached tokens each rounded up to 64 */
    double prefill_count, prefill_sq, prefill_cached64;
} ccs_llm_work;

/* Seconds; *memory_bound (if not NULL) is set when the memory side of the roofline is longer. */
double ccs_llm_step_s(const ccs_llm_perf *p, const ccs_llm_work *w, int *memory_bound);

/* The pairs of a prefill chunk of c tokens after k: c k + c (c + 1) / 2. */
double ccs_llm_prefill_pairs(double c, double k);

#endif
