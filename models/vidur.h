/* Measured LLM iteration times from Vidur's profiling files (Agrawal et al., "Vidur: A Large-Scale
 * Simulation Framework for LLM Inference", MLSys 2024; microsoft/vidur data/profiling): mlp.csv
 * (per-layer token-level operations by num_tokens and tensor parallelism), attention.csv (decode
 * attention by batch size and context, prefill attention by chunk and cached tokens, the KV-cache
 * write) and, with tensor parallelism, network all_reduce.csv (by bytes). Times are the files'
 * medians, in ms. An iteration of T tokens with B decodes (mean context n) and prefill chunks c_i
 * after k_i cached tokens takes, as Vidur composes it,
 *   layers x (ops(T) + kv_save(T) + g x decode(B, ceil64(n)) + g x prefill(sum ceil64(k_i),
 *             sqrt(sum c_i^2)) + 2 x (all_reduce(T tokens of fp16 hidden state) + 0.02 ms))
 * with g = 1.1 when a grouped-query model has more than one request of that kind. Vidur fits a
 * random forest to the files; here they are interpolated piecewise-linearly (within each batch
 * size or chunk, then across them) and extrapolated from the last two points past the profiled
 * range. */
#ifndef CCS_VIDUR_H
#define CCS_VIDUR_H

#include "ccs_err.h"
#include "llm_step.h"
#include "profiles.h"

typedef struct ccs_vidur ccs_vidur;

/* Loads the rows for this model shape (heads, KV heads, hidden size) and tensor parallelism;
 * all_reduce may be NULL when tp is 1. Errors name the file and line, the missing column, or the
 * tp values and shapes the file does hold. */
int ccs_vidur_load(const char *mlp, const char *attention, const char *all_reduce, const ccs_llm_arch *arch, long tp,
                   ccs_vidur **out, ccs_err *err);
void ccs_vidur_destroy(ccs_vidur *v);

/* One iteration's time in seconds. */
double ccs_vidur_step_s(const ccs_vidur *v, const ccs_llm_work *w);

#endif
