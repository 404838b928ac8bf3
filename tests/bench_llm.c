/* LLM serving benchmark (meson test --benchmark): the bundled chatbot scenario (a day of the
 * Azure conversation trace through continuous batching on an 8B and a 70B model): simulated
 * output tokens and engine iterations per second of wall time, median of 3, and the same two
 * figures each run must agree on (a run is deterministic). Fails only on a wrong result: the
 * token counts of the runs differ, or none were generated. */
#include "ccs_scenario.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_llm SCENARIO\n");
        return 2;
    }
    double t[3], tokens[3], iters[3];
    for (int i = 0; i < 3; i++) {
        ccs_err err = {0};
        ccs_scenario *s;
        ccs_run_result *r;
        if (ccs_scenario_load(argv[1], NULL, 0, &s, &err)) {
            fprintf(stderr, "bench_llm: %s\n", err.msg);
            return 2;
        }
        double t0 = now_s();
        if (ccs_run(s, &r, &err)) {
            fprintf(stderr, "bench_llm: %s\n", err.msg);
            return 2;
        }
        t[i] = now_s() - t0;
        tokens[i] = iters[i] = 0;
        for (size_t k = 0; k < s->nservices; k++) {
            tokens[i] += r->services[k].generated_tokens;
            for (size_t p = 0; p < r->services[k].npools; p++)
                iters[i] += (double)r->services[k].pools[p].llm.iterations;
        }
        ccs_run_result_destroy(r);
        ccs_scenario_destroy(s);
    }
    if (!(tokens[0] > 0) || tokens[1] != tokens[0] || tokens[2] != tokens[0]) {
        fprintf(stderr, "bench_llm: runs disagree or generate nothing: %.0f, %.0f, %.0f tokens\n", tokens[0], tokens[1],
                tokens[2]);
        return 1;
    }
    double m = t[0] < t[1] ? (t[1] < t[2] ? t[1] : (t[0] < t[2] ? t[2] : t[0]))
                           : (t[0] < t[2] ? t[0] : (t[1] < t[2] ? t[2] : t[1]));
    printf("llm benchmark (%s): %.0f output tokens, %.0f iterations simulated in %.2f s (median of 3)\n", argv[1],
           tokens[0], iters[0], m);
    printf("  simulated output tokens per second of wall time: %.3g\n", tokens[0] / m);
    printf("  engine iterations per second of wall time:       %.3g\n", iters[0] / m);
    return 0;
}
