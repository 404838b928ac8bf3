/* One LLM engine iteration's time; see llm_step.h. */
#include "llm_step.h"

double ccs_llm_prefill_pairs(double c, double k) { return c * k + c * (c + 1.0) / 2.0; }

double ccs_llm_step_s(const ccs_llm_perf *p, const ccs_llm_work *w, int *memory_bound)
{
    double tokens = w->prefill_tokens + w->decode_tokens;
    double flop = p->flop_per_token * tokens + p->flop_per_pair * (w->prefill_pairs + w->decode_context);
    double bytes = p->weight_bytes + p->kv_bytes_per_token * (w->prefill_kv_tokens + w->decode_context);
    double compute_s = flop / p->flop_per_s, memory_s = bytes / p->bytes_per_s;
    if (memory_bound) *memory_bound = memory_s > compute_s;
    double comm_s = tokens > 0 ? p->comm_s_fixed + p->comm_s_per_token * tokens : 0.0;
    return p->overhead_s + (compute_s > memory_s ? compute_s : memory_s) + comm_s;
}
