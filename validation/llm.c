/* LLM serving against published measurements (issue 18): MLPerf Inference Llama 2 70B Offline
 * on one 8-GPU server, as NVIDIA submitted it (v4.1, closed division), H100 and H200. Offline:
 * the query set at once; throughput = output tokens / the time the last one finished. Each
 * figure is printed beside the published one; the check is the issue's: within 30%. */
#include "ccs_scenario.h"
#include "check.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>

static void mlperf_case(const char *dir, const char *label, char **sets, size_t nsets, double published_tok_s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/validation/llm-mlperf-70b.yaml", dir);
    ccs_scenario *s;
    ccs_run_result *r = check_run(path, sets, nsets, &s);
    const ccs_service_result *v = &r->services[0];
    const ccs_service_pool_result *p = &v->pools[0];
    double tok_s = v->generated_tokens / v->last_completion_s;
    printf("%s: %.0f output tokens in %.1f s; %.0f iterations of %.1f ms, %.0f sequences and %.0f tokens each; "
           "%.3f J per output token (IT, idle included)\n",
           label, v->generated_tokens, v->last_completion_s, (double)p->llm.iterations, p->llm.mean_iteration_ms,
           p->llm.mean_seqs, p->llm.mean_tokens, v->energy_per_output_token_j);
    check_true("every query answered", v->requests == 24576 && p->llm.rejected == 0, "24,576 of 24,576");
    check(label, tok_s, published_tok_s, 0.30);
    ccs_run_result_destroy(r);
    ccs_scenario_destroy(s);
}

int main(void)
{
    const char *dir = getenv("CCSIM_SOURCE_DIR");
    if (!dir) dir = ".";
    /* mlperf_log_summary.txt of DGX-H100_H100-SXM-80GBx8_TRT and H200-SXM-141GBx8_TRT,
     * llama2-70b Offline, mlcommons/inference_results_v4.1 */
    mlperf_case(dir, "MLPerf v4.1 Llama 2 70B Offline, 8x H100 (TP 2 x 4), tokens/s", NULL, 0, 24524.9);
    char *h200[] = {"services.llm.hardware=h200", "services.llm.replicas=8", "services.llm.llm.tensor_parallel=1",
                    "services.llm.llm.max_num_seqs=806"};
    mlperf_case(dir, "MLPerf v4.1 Llama 2 70B Offline, 8x H200 (TP 1 x 8), tokens/s", h200, 4, 31302.7);
    return check_report();
}
