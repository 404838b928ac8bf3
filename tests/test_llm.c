/* LLM serving by hand (issue 18): continuous batching step by step without and with chunked
 * prefill, time to first token and per output token, the KV cache running out (preemption by
 * recompute and by swap), the iteration roofline with tensor parallelism, and the checks that
 * refuse what cannot run. The hand model: 1e12 FLOP/s, 1 GB/s, 0.1 GB of weights (100 ms to read
 * per iteration), 2e9 FLOP per token (2 ms), attention and KV cache too small to move a
 * microsecond (head_dim 1, a quarter byte per value): an iteration takes max(2 ms x tokens,
 * 100 ms), compute-bound (300 W) above 50 tokens and memory-bound (200 W) below; idle 100 W. */
#include "ccs_scenario.h"
#include "helpers.h"
#include "llm_step.h"
#include "run.h"
#include "vidur.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CLOSE(a, b) (fabs((a) - (b)) <= 1e-9 * fmax(1.0, fabs(b)))
#define HEAD                                                                                                        \
    "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\ncurrency: USD\nregions: [{name: r, carbon: ci.csv}]\n" \
    "hardware: [{name: g, idle_w: 100, max_w: 300, memory_bound_w: 200, peak_tflops_fp16: 1, mem_bw_gb_s: 1,\n"     \
    "            memory_gb: 1, host_link_gb_s: 64, accelerators: 2}]\n"                                             \
    "models:\n  - name: m\n    efficiency: 1\n"                                                                     \
    "    llm: {parameters: 1e9, layers: 1, heads: 1, kv_heads: 1, head_dim: 1, context_length: 1000}\n"             \
    "    variants: [{name: fp16, precision: fp16, weight_bytes: 1e8, resident_gb: 0.1, kv_bytes: 0.25}]\n"
#define SERVICE(LLM)                                                        \
    "services:\n  - name: chat\n    hardware: g\n    model: m\n"            \
    "    arrivals: {process: deterministic, rate_per_s: 20, requests: 2}\n" \
    "    llm: {max_num_seqs: 8, prompt_tokens: 100, output_tokens: 3, " LLM "}\n"

Test(llm, a_two_request_batch_step_by_step)
{
    /* Requests at 0 and 50 ms, 100 prompt tokens, 3 output tokens. Without chunked prefill
     * (vLLM V0) a prompt that fits is admitted in a prefill-only iteration:
     *   0-200 ms    prefill R1 (100 tokens: 200 ms, compute-bound); R1's first token at 200
     *   200-400     prefill R2 (R1 waits: prefills first); R2's first token at 400
     *   400-500     both decode (2 tokens: 100 ms, memory-bound); 500-600 again: both done
     * R1: TTFT 200, TPOT (600 - 200) / 2 = 200, end to end 600 ms; R2: 350, 100, 550 ms. Busy
     * energy: 400 ms x 200 W + 200 ms x 100 W = 100 J. */
    ran x = run_text(HEAD SERVICE("max_batched_tokens: 1000"));
    const ccs_service_result *v = &x.r->services[0];
    const ccs_service_pool_result *p = &v->pools[0];
    cr_assert(v->has_llm && p->is_llm);
    cr_assert_eq(v->requests, 2u);
    cr_assert_eq(p->llm.iterations, 4u);
    cr_assert(CLOSE(v->ttft_mean_ms, 275.0), "TTFT mean %.9g", v->ttft_mean_ms);
    cr_assert(CLOSE(v->tpot_mean_ms, 150.0), "TPOT mean %.9g", v->tpot_mean_ms);
    cr_assert(CLOSE(v->mean_ms, 575.0), "latency mean %.9g", v->mean_ms);
    cr_assert(CLOSE(v->last_completion_s, 0.6), "last %.9g", v->last_completion_s);
    cr_assert(CLOSE(p->llm.prompt_tokens, 200.0) && CLOSE(p->llm.output_tokens, 6.0));
    cr_assert(CLOSE(v->output_tokens, 6.0) && CLOSE(v->generated_tokens, 6.0));
    cr_assert(CLOSE(p->r.busy_energy_j, 100.0), "busy %.12g J", p->r.busy_energy_j);
    cr_assert(CLOSE(p->llm.mean_iteration_ms, 150.0), "iteration %.9g", p->llm.mean_iteration_ms);
    cr_assert(CLOSE(p->llm.prefill_share, 0.5));
    /* energy per output token: everything the service drew, idle hour included, over 6 tokens */
    cr_assert(CLOSE(v->energy_per_output_token_j, v->charge.it_energy_j / 6.0));
    cr_assert(CLOSE(v->charge.it_energy_j, 100.0 + 100.0 * 3600.0), "IT %.12g", v->charge.it_energy_j);
    ran_free(x);
}

Test(llm, requests_go_to_the_replica_with_the_fewest_outstanding)
{
    /* Two replicas: R1 (at 0) on the first, R2 (at 50 ms) on the idle second; each prefills
     * (200 ms) and decodes twice (100 ms each) alone: R1 done at 400 ms, R2 at 450. TTFT 200 ms
     * each, latency 400 ms each; 800 ms of busy time in all. */
    ran x =
        run_text(HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n    replicas: 2\n"
                      "    arrivals: {process: deterministic, rate_per_s: 20, requests: 2}\n"
                      "    llm: {max_num_seqs: 8, prompt_tokens: 100, output_tokens: 3, max_batched_tokens: 1000}\n");
    const ccs_service_result *v = &x.r->services[0];
    cr_assert(CLOSE(v->ttft_mean_ms, 200.0), "TTFT mean %.9g", v->ttft_mean_ms);
    cr_assert(CLOSE(v->mean_ms, 400.0), "latency mean %.9g", v->mean_ms);
    cr_assert(CLOSE(v->last_completion_s, 0.45));
    cr_assert_eq(v->pools[0].llm.iterations, 6u);
    cr_assert(CLOSE(v->pools[0].r.utilisation, 0.8 / (2 * 3600.0)));
    ran_free(x);
}

Test(llm, chunked_prefill_puts_decodes_first_and_fills_the_token_budget)
{
    /* A budget of 64 tokens with chunked prefill (Sarathi, vLLM V1):
     *   0-128 ms    R1's first 64 prompt tokens (128 ms)
     *   128-256     R1's last 36 and R2's first 28: R1's first token at 256
     *   256-384     R1 decodes (1), R2 prefills 63 (64 tokens)
     *   384-484     R1 decodes (its third token: done at 484), R2's last 9: first token at 484
     *   484-584, 584-684: R2 decodes alone; done at 684
     * R1: TTFT 256, TPOT (484 - 256) / 2 = 114; R2: TTFT 434, TPOT 100. Busy: 3 x 128 ms at 200 W
     * (76.8 J) + 3 x 100 ms at 100 W (30 J). */
    ran x = run_text(HEAD SERVICE("max_batched_tokens: 64, chunked_prefill: true"));
    const ccs_service_result *v = &x.r->services[0];
    const ccs_service_pool_result *p = &v->pools[0];
    cr_assert_eq(p->llm.iterations, 6u);
    cr_assert(CLOSE(v->ttft_mean_ms, (256.0 + 434.0) / 2), "TTFT mean %.9g", v->ttft_mean_ms);
    cr_assert(CLOSE(v->tpot_mean_ms, (114.0 + 100.0) / 2), "TPOT mean %.9g", v->tpot_mean_ms);
    cr_assert(CLOSE(v->mean_ms, (484.0 + 634.0) / 2), "latency mean %.9g", v->mean_ms);
    cr_assert(CLOSE(v->last_completion_s, 0.684));
    cr_assert(CLOSE(p->r.busy_energy_j, 106.8), "busy %.12g J", p->r.busy_energy_j);
    cr_assert(CLOSE(p->llm.prefill_share, 4.0 / 6.0));
    ran_free(x);
}

/* Ten KV blocks of one token (500 B each after the weights); prompts of 4, outputs of 4: two
 * sequences need up to 7 + 7 tokens of cache, more than 10. */
#define TIGHT                                                                                                       \
    "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\ncurrency: USD\nregions: [{name: r, carbon: ci.csv}]\n" \
    "hardware: [{name: g, idle_w: 100, max_w: 300, memory_bound_w: 200, peak_tflops_fp16: 1, mem_bw_gb_s: 1,\n"     \
    "            memory_gb: 0.1000052, host_link_gb_s: 64}]\n"                                                      \
    "models:\n  - name: m\n    efficiency: 1\n"                                                                     \
    "    llm: {parameters: 1e9, layers: 1, heads: 1, kv_heads: 1, head_dim: 1000, context_length: 1000}\n"          \
    "    variants: [{name: fp16, precision: fp16, weight_bytes: 1e8, resident_gb: 0.1, kv_bytes: 0.25}]\n"          \
    "services:\n  - name: chat\n    hardware: g\n    model: m\n"                                                    \
    "    arrivals: {process: deterministic, rate_per_s: 1000000, requests: 2}\n"                                    \
    "    llm: {max_num_seqs: 8, prompt_tokens: 4, output_tokens: 4, block_size: 1, memory_utilization: 1, "

Test(llm, the_kv_cache_runs_out_and_the_last_admitted_is_preempted)
{
    /* Recompute: prefill R1 (4 blocks), prefill R2 (4), both decode (ctx 5 each: 10 blocks, all
     * of them), R1 needs an 11th: R2, the last admitted, is preempted and drops its 5 blocks; R1
     * decodes twice more and finishes; R2 prefills its 4 + 2 tokens again (6 blocks) and decodes
     * once more. 7 iterations, 1 preemption, 4 + 4 + 6 = 14 prompt tokens, 8 output tokens. */
    ran x = run_text(TIGHT "preemption: recompute}\n");
    const ccs_service_pool_result *p = &x.r->services[0].pools[0];
    cr_assert_eq(p->llm.kv_blocks, 10);
    cr_assert_eq(p->llm.preemptions, 1u);
    cr_assert_eq(p->llm.iterations, 7u);
    cr_assert(CLOSE(p->llm.prompt_tokens, 14.0), "prompt tokens %g", p->llm.prompt_tokens);
    cr_assert(CLOSE(p->llm.output_tokens, 8.0));
    cr_assert(CLOSE(p->llm.kv_peak, 1.0));
    cr_assert_eq(x.r->services[0].requests, 2u);
    ran_free(x);
    /* Swap: R2's 5 tokens of cache go to host memory and come back when 6 blocks are free; no
     * prompt is computed twice (8 prompt tokens), the same 7 iterations. */
    x = run_text(TIGHT "preemption: swap}\n");
    p = &x.r->services[0].pools[0];
    cr_assert_eq(p->llm.preemptions, 1u);
    cr_assert_eq(p->llm.iterations, 7u);
    cr_assert(CLOSE(p->llm.prompt_tokens, 8.0), "prompt tokens %g", p->llm.prompt_tokens);
    cr_assert(CLOSE(p->llm.output_tokens, 8.0));
    ran_free(x);
}

Test(llm, the_iteration_roofline_by_hand)
{
    /* 70B-class on 2 devices: 2e15 FLOP/s and 6e12 B/s achieved; 70 GB of weights; 4 tokens of
     * prefill after 10 in cache and 3 decodes over 100, 200, 300. FLOP: 2 x 7e10 x 7 + 4 x 80 x
     * 8192 x (4 x 10 + 10 + 600); bytes: 7e10 + 327,680 x (14 + 600). */
    ccs_llm_perf f = {.flop_per_s = 2e15,
                      .bytes_per_s = 6e12,
                      .weight_bytes = 7e10,
                      .flop_per_token = 1.4e11,
                      .flop_per_pair = 4.0 * 80 * 8192,
                      .kv_bytes_per_token = 327680,
                      .overhead_s = 0.001,
                      .comm_s_per_token = 2e-6,
                      .comm_s_fixed = 1.6e-3};
    ccs_llm_work w = {.prefill_tokens = 4,
                      .prefill_pairs = ccs_llm_prefill_pairs(4, 10),
                      .prefill_kv_tokens = 14,
                      .decode_tokens = 3,
                      .decode_context = 600};
    cr_assert(CLOSE(w.prefill_pairs, 50.0));
    double flop = 1.4e11 * 7 + 4.0 * 80 * 8192 * 650, bytes = 7e10 + 327680.0 * 614;
    int memory = 0;
    double s = ccs_llm_step_s(&f, &w, &memory);
    cr_assert(memory, "memory-bound");
    cr_assert(CLOSE(s, 0.001 + bytes / 6e12 + 1.6e-3 + 7 * 2e-6), "step %.12g", s);
    cr_assert(flop / 2e15 < bytes / 6e12);
    /* 400 prefill tokens more: compute-bound, flop / 2e15 */
    w.prefill_tokens += 400;
    double flop2 = flop + 1.4e11 * 400;
    s = ccs_llm_step_s(&f, &w, &memory);
    cr_assert(!memory && CLOSE(s, 0.001 + flop2 / 2e15 + 1.6e-3 + 407 * 2e-6), "step %.12g", s);
    /* nothing to compute: no all-reduce either */
    ccs_llm_work none = {0};
    cr_assert(CLOSE(ccs_llm_step_s(&f, &none, NULL), 0.001 + 7e10 / 6e12));
}

Test(llm, tensor_parallelism_splits_the_work_and_pays_its_all_reduces)
{
    /* The bundled DGX H100 with Llama 2 70B fp8 on 2 GPUs: per token 2 x 80 all-reduces of 8192
     * fp16 values, ring 2 (2 - 1) / 2 of them over 450 GB/s: 160 x 16,384 B / 450e9 s; 160 x 10 us
     * per iteration. */
    ran x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\ncurrency: USD\n"
                     "regions: [{name: r, carbon: ci.csv}]\n"
                     "services:\n  - name: chat\n    hardware: h100-sxm\n    model: llama-2-70b\n    variant: fp8\n"
                     "    arrivals: {rate_per_s: 1}\n"
                     "    llm: {max_num_seqs: 64, tensor_parallel: 2, prompt_tokens: 100, output_tokens: 10}\n");
    const ccs_service_pool_result *p = &x.r->services[0].pools[0];
    cr_assert_eq(p->tensor_parallel, 2);
    cr_assert_eq(p->devices_per_replica, 2);
    /* a lone decode at context 1: weights 68.98 GB over 2 x 3,350 GB/s, its all-reduces */
    double kv = 2.0 * 80 * 8 * 128 * 1;
    double want = (68.98e9 + kv) / (2 * 3350e9) + 160 * 10e-6 + 160 * 16384.0 / 450e9;
    cr_assert(fabs(p->l1_ms - want * 1e3) < 1e-9, "L1 %.12g ms, want %.12g", p->l1_ms, want * 1e3);
    /* KV blocks: 0.9 x 160 GB less 68.98 GB, over 16 tokens x 163,840 B */
    cr_assert_eq(p->llm.kv_blocks, (long)floor((0.9 * 160e9 - 68.98e9) / (16 * 163840.0)));
    ran_free(x);
    /* on all 8: the ring moves 2 x 7 / 8 of the activations over each link */
    x = run_text("start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\ncurrency: USD\n"
                 "regions: [{name: r, carbon: ci.csv}]\n"
                 "services:\n  - name: chat\n    hardware: h100-sxm\n    model: llama-2-70b\n    variant: fp8\n"
                 "    arrivals: {rate_per_s: 1}\n"
                 "    llm: {max_num_seqs: 64, tensor_parallel: 8, prompt_tokens: 100, output_tokens: 10}\n");
    p = &x.r->services[0].pools[0];
    want = (68.98e9 + kv) / (8 * 3350e9) + 160 * 10e-6 + 160 * 1.75 * 16384.0 / 450e9;
    cr_assert(fabs(p->l1_ms - want * 1e3) < 1e-9, "L1 %.12g ms, want %.12g", p->l1_ms, want * 1e3);
    ran_free(x);
}

Test(llm, what_cannot_run_is_refused)
{
    expect_run_error(HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n    arrivals: {rate_per_s: 1}\n"
                          "    llm: {max_num_seqs: 8}\n",
                     "prompt_tokens and output_tokens");
    expect_run_error(HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n    arrivals: {rate_per_s: 1}\n"
                          "    batching: {max_batch: 4}\n"
                          "    llm: {max_num_seqs: 8, prompt_tokens: 1, output_tokens: 1}\n",
                     "with batching");
    expect_run_error(HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n    arrivals: {rate_per_s: 1}\n"
                          "    llm: {max_num_seqs: 8, prompt_tokens: 1, output_tokens: 1, max_model_len: 2000,\n"
                          "          max_batched_tokens: 100}\n",
                     "max_batched_tokens 100 is below max_model_len 2000");
    expect_run_error(HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n    arrivals: {rate_per_s: 1}\n"
                          "    llm: {max_num_seqs: 8, prompt_tokens: 1, output_tokens: 1, tensor_parallel: 2}\n",
                     "interconnect_gb_s");
    expect_run_error(HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n    arrivals: {rate_per_s: 1}\n"
                          "    llm: {max_num_seqs: 8, prompt_tokens: 1, output_tokens: 1, memory_utilization: 0.1}\n",
                     "room for at least one longest request");
    /* an empty llm map is not a silent static batcher */
    expect_run_error(HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n    arrivals: {rate_per_s: 1}\n"
                          "    llm: {}\n",
                     "max_num_seqs");
    /* more waiting than max_waiting: overloaded, said so */
    expect_run_error(HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n    arrivals: {rate_per_s: 1000}\n"
                          "    llm: {max_num_seqs: 1, prompt_tokens: 100, output_tokens: 100, max_waiting: 1000}\n",
                     "max_waiting");
}

#define STAGE(ROUTING)                                                                                 \
    "services:\n  - name: chat\n    arrivals: {process: deterministic, rate_per_s: 20, requests: 2}\n" \
    "    stages:\n      - name: answer\n        routing: " ROUTING "\n        routes:\n"
#define LLM_ROUTE(NAME, EXTRA)                                   \
    "          - {name: " NAME ", hardware: g, model: m, " EXTRA \
    "llm: {max_num_seqs: 8, prompt_tokens: 100, output_tokens: 3, max_batched_tokens: 1000}}\n"

Test(llm, a_cascade_pays_for_both_answers)
{
    /* Every request escalates: the small model answers both as in the two-request case (done at
     * 600 ms), then the large one (the same hand model) answers again: prefill R1 600-800, R2
     * 800-1000, two decodes to 1200. The final answer's first tokens: 800 and 1000 ms (TTFT 800,
     * 950); TPOT 200 and 100; latency 1200 and 1150 ms. Each model's pool charged 100 J busy. */
    ran x = run_text(HEAD STAGE("cascade") LLM_ROUTE("small", "escalate: 1, ") LLM_ROUTE("large", ""));
    const ccs_service_result *v = &x.r->services[0];
    cr_assert_eq(v->escalations, 2u);
    cr_assert_eq(v->requests, 2u);
    cr_assert_eq(v->pools[0].r.items, 2u);
    cr_assert_eq(v->pools[1].r.items, 2u);
    cr_assert(CLOSE(v->pools[0].r.busy_energy_j, 100.0) && CLOSE(v->pools[1].r.busy_energy_j, 100.0));
    cr_assert(CLOSE(v->busy_energy_j, 200.0), "busy %.12g", v->busy_energy_j);
    cr_assert(CLOSE(v->ttft_mean_ms, 875.0), "TTFT mean %.9g", v->ttft_mean_ms);
    cr_assert(CLOSE(v->tpot_mean_ms, 150.0), "TPOT mean %.9g", v->tpot_mean_ms);
    cr_assert(CLOSE(v->mean_ms, 1175.0), "latency mean %.9g", v->mean_ms);
    /* both models' tokens were generated and paid for: 12 */
    cr_assert(CLOSE(v->generated_tokens, 12.0) && CLOSE(v->output_tokens, 6.0));
    cr_assert(CLOSE(v->pools[1].share, 1.0));
    ran_free(x);
}

Test(llm, cascade_and_difficulty_shares_follow_the_scores)
{
    /* 3 tiers escalating half of what reaches them: 1/2 and 1/4 of 4,000 requests go on (binomial:
     * within 4 sd); the same scores routed by difficulty up to 0.5, 0.75, 1 split 1/2, 1/4, 1/4 */
    static const char *routings[] = {"cascade", "difficulty"};
    for (int k = 0; k < 2; k++) {
        char text[4096];
        int cascade = k == 0;
        snprintf(text, sizeof text,
                 "%s"
                 "services:\n  - name: chat\n    arrivals: {process: poisson, rate_per_s: 2}\n"
                 "    stages:\n      - name: answer\n        routing: %s\n        routes:\n"
                 "          - {name: a, hardware: g, model: m, %s llm: {max_num_seqs: 8, prompt_tokens: 2, "
                 "output_tokens: 1}}\n"
                 "          - {name: b, hardware: g, model: m, %s llm: {max_num_seqs: 8, prompt_tokens: 2, "
                 "output_tokens: 1}}\n"
                 "          - {name: c, hardware: g, model: m, llm: {max_num_seqs: 8, prompt_tokens: 2, "
                 "output_tokens: 1}}\n",
                 HEAD "", routings[k], cascade ? "escalate: 0.5," : "max_difficulty: 0.5,",
                 cascade ? "escalate: 0.5," : "max_difficulty: 0.75,");
        ran x = run_text(text);
        const ccs_service_result *v = &x.r->services[0];
        double n = (double)(v->pools[0].r.items + (cascade ? 0 : v->pools[1].r.items + v->pools[2].r.items));
        cr_assert(n > 6500 && n < 7900, "%g requests", n);
        double want[3] = {cascade ? 1.0 : 0.5, cascade ? 0.5 : 0.25, 0.25};
        for (int i = 0; i < 3; i++) {
            double p = want[i], got = (double)v->pools[i].r.items / n, sd = sqrt(p * (1 - p) / n);
            cr_assert(fabs(got - p) < 4 * sd + 1e-12, "%s route %d: %.4f of %g, want %.4f", routings[k], i, got, n, p);
            cr_assert(CLOSE(v->pools[i].share, (double)v->pools[i].r.items / n));
        }
        if (cascade) cr_assert_eq(v->escalations, v->pools[1].r.items + v->pools[2].r.items);
        ran_free(x);
    }
}

Test(llm, routing_by_prompt_length_uses_the_trace_tokens)
{
    /* Five requests from a trace with their tokens: prompts of 50, 300, 80, 900, 5,000; the small
     * route takes prompts up to 100 (50, 80), the large one the rest (300, 900) but for the last,
     * longer than the model's 1,000 positions: refused. Their tokens are the trace's: 50 + 80 and
     * 300 + 900 prompt tokens, 2 + 4 and 3 + 5 output tokens. */
    const char *dir = tmp_folder();
    const char *trace = write_text(dir, "t.csv",
                                   "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-01-01 00:00:01.0,50,2\n"
                                   "2023-01-01 00:00:02.0,300,3\n2023-01-01 00:00:03.0,80,4\n"
                                   "2023-01-01 00:00:04.0,900,5\n2023-01-01 00:00:05.0,5000,5\n");
    char text[4096];
    snprintf(text, sizeof text,
             "%s"
             "services:\n  - name: chat\n    arrivals: {process: trace-replay, trace: %s}\n"
             "    stages:\n      - name: answer\n        routing: prompt_tokens\n        routes:\n"
             "          - {name: small, hardware: g, model: m, max_prompt_tokens: 100, llm: {max_num_seqs: 8}}\n"
             "          - {name: large, hardware: g, model: m, llm: {max_num_seqs: 8}}\n",
             HEAD "", trace);
    ran x = run_text(text);
    const ccs_service_result *v = &x.r->services[0];
    const ccs_llm_result *a = &v->pools[0].llm, *b = &v->pools[1].llm;
    cr_assert_eq(v->rejected, 1u);
    cr_assert_eq(v->requests, 4u);
    cr_assert(CLOSE(a->prompt_tokens, 130.0) && CLOSE(b->prompt_tokens, 1200.0), "%g %g", a->prompt_tokens,
              b->prompt_tokens);
    cr_assert(CLOSE(a->output_tokens, 6.0) && CLOSE(b->output_tokens, 8.0));
    cr_assert(CLOSE(v->pools[0].share, 0.5));
    ran_free(x);
    /* the same routing where the arrivals carry no tokens is refused */
    expect_run_error(HEAD "services:\n  - name: chat\n    arrivals: {rate_per_s: 1}\n"
                          "    stages:\n      - name: answer\n        routing: prompt_tokens\n        routes:\n"
                          "          - {name: s, hardware: g, model: m, max_prompt_tokens: 100,\n"
                          "             llm: {max_num_seqs: 8, prompt_tokens: 1, output_tokens: 1}}\n"
                          "          - {name: l, hardware: g, model: m, llm: {max_num_seqs: 8, prompt_tokens: 1, "
                          "output_tokens: 1}}\n",
                     "only a first stage");
    expect_run_error(HEAD STAGE("cascade") LLM_ROUTE("small", "escalate: 1, ") LLM_ROUTE("large", "escalate: 0.5, "),
                     "the last route of a cascade");
    expect_run_error(HEAD STAGE("cascade") LLM_ROUTE("small", "share: 0.5, ") LLM_ROUTE("large", ""),
                     "expected escalate only");
}

Test(llm, a_vidur_trace_replays_with_its_tokens)
{
    /* arrived_at in seconds from the trace's start, with num_prefill_tokens and num_decode_tokens
     * (the request traces Vidur and Splitwise publish): the two-request case again, from a file */
    const char *dir = tmp_folder();
    const char *trace = write_text(dir, "v.csv",
                                   "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,100,3\n0.05,100,3\n"
                                   "0.06,1e30,3\n");
    char text[4096];
    snprintf(text, sizeof text,
             "%s"
             "services:\n  - name: chat\n    hardware: g\n    model: m\n"
             "    arrivals: {process: trace-replay, trace: %s}\n"
             "    llm: {max_num_seqs: 8, max_batched_tokens: 1000}\n",
             HEAD "", trace);
    ran x = run_text(text);
    const ccs_service_result *v = &x.r->services[0];
    cr_assert_eq(v->requests, 2u);
    /* a prompt of 1e30 tokens is refused as too long, not taken as some other count */
    cr_assert_eq(v->rejected, 1u);
    cr_assert(CLOSE(v->ttft_mean_ms, 275.0), "TTFT mean %.9g", v->ttft_mean_ms);
    cr_assert(CLOSE(v->tpot_mean_ms, 150.0), "TPOT mean %.9g", v->tpot_mean_ms);
    ran_free(x);
    /* a negative or unparsable arrived_at names its line */
    const char *bad = write_text(dir, "b.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,1,1\n-3,1,1\n");
    snprintf(text, sizeof text,
             "%s"
             "services:\n  - name: chat\n    hardware: g\n    model: m\n"
             "    arrivals: {process: trace-replay, trace: %s}\n    llm: {max_num_seqs: 8}\n",
             HEAD "", bad);
    char msg[2048];
    cr_assert_neq(run_text_error(text, msg, sizeof msg), 0);
    cr_assert(strstr(msg, "b.csv:3") && strstr(msg, "arrived_at '-3'"), "%s", msg);
}

Test(llm, preemption_takes_the_most_recently_admitted_first)
{
    /* 13 one-token blocks; R1 (4 + 4), R2 (4 + 4), R3 (2 + 4) from a trace, R2 and R3 arriving
     * while R1 prefills. R1 prefills (4 blocks), R2 and R3 together (10), all decode (13: full).
     * R1 needs a block: R3, the last admitted, goes (3 blocks, to recompute 2 + 1 + 1 = 4 tokens);
     * R1 and R2 decode. R1 needs one more: none free, and R2, now the last, goes itself (6 blocks,
     * 7 tokens to recompute); R1 finishes. R2 and R3 prefill again (7 + 4) and finish. Prompt
     * tokens 10 + 4 + 7 = 21, two preemptions (the oldest first would give 16 and one). */
    const char *dir = tmp_folder();
    const char *trace = write_text(dir, "p.csv",
                                   "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,4,4\n0.000001,4,4\n"
                                   "0.000002,2,4\n");
    char text[4096];
    snprintf(text, sizeof text,
             "start: \"2023-01-01T00:00:00Z\"\nduration: 1h\nseed: 5\ncurrency: USD\n"
             "regions: [{name: r, carbon: ci.csv}]\n"
             "hardware: [{name: g, idle_w: 100, max_w: 300, memory_bound_w: 200, peak_tflops_fp16: 1,\n"
             "            mem_bw_gb_s: 1, memory_gb: 0.1000067}]\n"
             "models:\n  - name: m\n    efficiency: 1\n"
             "    llm: {parameters: 1e9, layers: 1, heads: 1, kv_heads: 1, head_dim: 1000, context_length: 1000}\n"
             "    variants: [{name: fp16, precision: fp16, weight_bytes: 1e8, resident_gb: 0.1, kv_bytes: 0.25}]\n"
             "services:\n  - name: chat\n    hardware: g\n    model: m\n"
             "    arrivals: {process: trace-replay, trace: %s}\n"
             "    llm: {max_num_seqs: 8, block_size: 1, memory_utilization: 1}\n",
             trace);
    ran x = run_text(text);
    const ccs_service_pool_result *p = &x.r->services[0].pools[0];
    cr_assert_eq(p->llm.kv_blocks, 13);
    cr_assert_eq(p->llm.preemptions, 2u);
    cr_assert(CLOSE(p->llm.prompt_tokens, 21.0), "prompt tokens %g", p->llm.prompt_tokens);
    cr_assert(CLOSE(p->llm.output_tokens, 12.0));
    cr_assert_eq(x.r->services[0].requests, 3u);
    ran_free(x);
}

/* Vidur-format profiles by hand: per-layer operations of 1, 5 and 20 ms at 8, 128 and 1,024
 * tokens; decode attention 0.05 / 0.1 ms (batch 1, context 64 / 128) and 0.08 / 0.16 ms
 * (batch 2); prefill attention 0.3 / 0.4 ms (chunk 100 after 0 / 64 cached) and 0.9 / 1.2 ms
 * (chunk 200). TP is the last field but one of mlp and attention rows. */
static const char *vidur_mlp(const char *dir, const char *shape_tp)
{
    char text[2048];
    snprintf(text, sizeof text,
             "time_stats.attn_pre_proj.median,time_stats.attn_rope.median,time_stats.attn_post_proj.median,"
             "time_stats.mlp_up_proj.median,time_stats.mlp_act.median,time_stats.mlp_down_proj.median,"
             "n_head,n_kv_head,n_embd,num_tensor_parallel_workers,num_tokens\n"
             "0.1,0,0.2,0.3,0,0.4,%s,8\n1,0,1,1,0,2,%s,128\n5,0,5,5,0,5,%s,1024\n",
             shape_tp, shape_tp, shape_tp);
    return write_text(dir, "mlp.csv", text);
}

static const char *vidur_attention(const char *dir, const char *shape_tp)
{
    char text[2048];
    snprintf(text, sizeof text,
             "time_stats.attn_prefill.median,time_stats.attn_decode.median,n_q_head,n_kv_head,n_embd,"
             "num_tensor_parallel_workers,batch_size,prefill_chunk_size,kv_cache_size,is_prefill\n"
             "0,0.05,%s,1,0,64,False\n0,0.1,%s,1,0,128,False\n0,0.08,%s,2,0,64,False\n0,0.16,%s,2,0,128,False\n"
             "0.3,0,%s,1,100,0,True\n0.4,0,%s,1,100,64,True\n0.9,0,%s,1,200,0,True\n1.2,0,%s,1,200,64,True\n",
             shape_tp, shape_tp, shape_tp, shape_tp, shape_tp, shape_tp, shape_tp, shape_tp);
    return write_text(dir, "attention.csv", text);
}

Test(llm, vidur_profiles_time_the_iterations)
{
    /* The two-request case on the profile (1 layer): a prefill of 100 tokens (looked up at 104)
     * takes 1 + 4 x 96 / 120 = 4.2 ms of operations + 0.3 ms of attention = 4.5 ms; a lone decode
     * (8 tokens: 1 ms; context 101 -> 128: 0.1 ms) 1.1 ms. R1 at 0: first token at 4.5 ms, done
     * at 6.7; R2 at 50 ms the same. TTFT 4.5, TPOT 1.1, latency 6.7 ms. */
    const char *dir = tmp_folder();
    const char *mlp = vidur_mlp(dir, "1,1,1,1"), *att = vidur_attention(dir, "1,1,1,1");
    char text[4096];
    snprintf(text, sizeof text,
             "%s"
             "services:\n  - name: chat\n    hardware: g\n    model: m\n"
             "    arrivals: {process: deterministic, rate_per_s: 20, requests: 2}\n"
             "    llm: {max_num_seqs: 8, prompt_tokens: 100, output_tokens: 3, max_batched_tokens: 1000,\n"
             "          vidur: {mlp: %s, attention: %s}}\n",
             HEAD "", mlp, att);
    ran x = run_text(text);
    const ccs_service_result *v = &x.r->services[0];
    cr_assert(CLOSE(v->ttft_mean_ms, 4.5), "TTFT mean %.9g", v->ttft_mean_ms);
    cr_assert(CLOSE(v->tpot_mean_ms, 1.1), "TPOT mean %.9g", v->tpot_mean_ms);
    cr_assert(CLOSE(v->mean_ms, 6.7), "latency mean %.9g", v->mean_ms);
    ran_free(x);
}

Test(llm, vidur_profiles_compose_as_vidur_does)
{
    /* 2 layers, 4 heads over 1 KV head (grouped: a batch of decodes costs 1.1x), head_dim 2
     * (hidden 8), tensor parallelism 2 with all-reduces of 0.05 ms at 128 B (8 tokens of 8 fp16
     * values) and 0.1 ms at 2,048 B. Two decodes (contexts 10 and 30: mean 20 -> 64) and one
     * prefill chunk of 6 after 70 cached (-> 128): 8 tokens. Per layer: operations 1 ms; decode
     * 1.1 x 0.08; prefill at chunk^2 36 and 128 cached, extrapolated: 0.5 at chunk 100, 1.5 at
     * 200, so 0.5 + 1.0 x (36 - 10,000) / 30,000; two all-reduces of 0.05 + 0.02 ms. */
    const char *dir = tmp_folder();
    const char *mlp = vidur_mlp(dir, "4,1,8,2"), *att = vidur_attention(dir, "4,1,8,2");
    const char *ar = write_text(dir, "all_reduce.csv",
                                ",time_stats.all_reduce.median,rank,num_workers,size,collective,devices_per_node\n"
                                "0,0.05,0,2,128,all_reduce,2\n1,0.1,0,2,2048,all_reduce,2\n"
                                "2,9,0,4,128,all_reduce,4\n");
    ccs_llm_arch a = {.parameters = 1e9, .layers = 2, .heads = 4, .kv_heads = 1, .head_dim = 2, .context_length = 100};
    ccs_vidur *v;
    ccs_err err = {0};
    cr_assert_eq(ccs_vidur_load(mlp, att, ar, &a, 2, &v, &err), 0, "%s", err.msg);
    ccs_llm_work w = {.prefill_tokens = 6,
                      .decode_tokens = 2,
                      .decode_context = 40,
                      .prefill_count = 1,
                      .prefill_sq = 36,
                      .prefill_cached64 = 128};
    double layer = 1.0 + 1.1 * 0.08 + (0.5 + 1.0 * (36 - 10000) / 30000.0) + 2 * (0.05 + 0.02);
    cr_assert(CLOSE(ccs_vidur_step_s(v, &w), 2 * layer / 1e3), "step %.12g s, want %.12g", ccs_vidur_step_s(v, &w),
              2 * layer / 1e3);
    ccs_vidur_destroy(v);
    /* the wrong tensor parallelism, a missing column, a bad number: refused with where */
    cr_assert_neq(ccs_vidur_load(mlp, att, ar, &a, 4, &v, &err), 0);
    cr_assert(strstr(err.msg, "mlp.csv") && strstr(err.msg, "num_tensor_parallel_workers 4"), "%s", err.msg);
    const char *cut = write_text(dir, "cut.csv", "time_stats.attn_pre_proj.median,n_head\n1,4\n");
    cr_assert_neq(ccs_vidur_load(cut, att, ar, &a, 2, &v, &err), 0);
    cr_assert(strstr(err.msg, "cut.csv:1") && strstr(err.msg, "no column 'time_stats.attn_rope.median'"), "%s",
              err.msg);
    const char *bad = vidur_attention(dir, "4,1,8,x");
    cr_assert_neq(ccs_vidur_load(mlp, bad, ar, &a, 2, &v, &err), 0);
    cr_assert(strstr(err.msg, "attention.csv:2") && strstr(err.msg, "'x'"), "%s", err.msg);
    const char *odd =
        write_text(dir, "odd.csv",
                   "time_stats.attn_prefill.median,time_stats.attn_decode.median,n_q_head,n_kv_head,n_embd,"
                   "num_tensor_parallel_workers,batch_size,prefill_chunk_size,kv_cache_size,is_prefill\n"
                   "0,0.05,4,1,8,2,1,0,64,Flase\n");
    cr_assert_neq(ccs_vidur_load(mlp, odd, ar, &a, 2, &v, &err), 0);
    cr_assert(strstr(err.msg, "odd.csv:2") && strstr(err.msg, "is_prefill 'Flase'"), "%s", err.msg);
}

Test(llm, token_counts_drawn_per_request_keep_their_mean)
{
    /* prompts of mean 100 with a coefficient of variation of 0.5 (lognormal, stream
     * tokens/chat): over ~7,200 requests the mean is within 4 standard errors (100 x 0.5 / sqrt(n));
     * the same seed draws the same counts, another seed others */
    static const char *text =
        HEAD "services:\n  - name: chat\n    hardware: g\n    model: m\n"
             "    arrivals: {process: poisson, rate_per_s: 2}\n"
             "    llm: {max_num_seqs: 8, prompt_tokens: 100, prompt_tokens_cv: 0.5, output_tokens: 1}\n";
    ran x = run_text(text), y = run_text(text);
    const ccs_llm_result *a = &x.r->services[0].pools[0].llm, *b = &y.r->services[0].pools[0].llm;
    double n = (double)a->finished, mean = a->prompt_tokens / n;
    cr_assert(n > 6800 && fabs(mean - 100.0) < 4 * 50.0 / sqrt(n), "%g requests, mean prompt %.3f", n, mean);
    cr_assert(a->prompt_tokens == b->prompt_tokens);
    ran_free(y);
    char other[4096];
    snprintf(other, sizeof other, "%s", text);
    char *seed = strstr(other, "seed: 5");
    cr_assert_not_null(seed);
    seed[6] = '6';
    y = run_text(other);
    cr_assert(y.r->services[0].pools[0].llm.prompt_tokens != a->prompt_tokens);
    ran_free(x);
    ran_free(y);
}

Test(llm, a_pool_routed_by_difficulty_is_load_checked_on_its_share)
{
    /* 300 requests/s, routes taking scores up to 0.5 and the rest: each gets 150/s, and a
     * 10 ms service on one replica carries at most 100/s: refused, naming the route */
    expect_run_error(HEAD "services:\n  - name: s\n    arrivals: {rate_per_s: 300}\n"
                          "    stages:\n      - name: a\n        routing: difficulty\n        routes:\n"
                          "          - {name: easy, max_difficulty: 0.5, service_time: {mean_ms: 10}}\n"
                          "          - {name: hard, service_time: {mean_ms: 10}}\n",
                     "route easy: mean offered load 150");
}
