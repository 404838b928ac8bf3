/* Fuzz harness: Vidur's profiling files (models/vidur.c). An input is up to three files, mlp.csv,
 * attention.csv and all_reduce.csv, each ending at a line "#--"; they are read for a model of 4
 * heads over 1 KV head, hidden size 8, 2 layers, at tensor parallelism 2. Oracles: a failure
 * carries a code and a message; a success times iterations finite and >= 0, from an empty one to
 * thousands of tokens. */
#include "fuzz_util.h"

#include "vidur.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[3] = {"mlp.csv", "attention.csv", "all_reduce.csv"};
    const char *paths[3];
    size_t start = 0;
    for (int k = 0; k < 3; k++) {
        size_t end = size;
        for (size_t i = start; i + 4 <= size; i++)
            if ((i == start || data[i - 1] == '\n') && memcmp(data + i, "#--\n", 4) == 0) {
                end = i;
                break;
            }
        if (start > size) start = size;
        paths[k] = fuzz_write_file(names[k], data + start, end - start);
        start = end + 4;
    }
    ccs_llm_arch a = {.parameters = 1e9, .layers = 2, .heads = 4, .kv_heads = 1, .head_dim = 2, .context_length = 4096};
    ccs_vidur *v;
    ccs_err err = {0};
    int rc = ccs_vidur_load(paths[0], paths[1], paths[2], &a, 2, &v, &err);
    if (rc) {
        fuzz_check_error(rc, err.msg, "ccs_vidur_load");
        return 0;
    }
    static const ccs_llm_work works[] = {
        {0},
        {.decode_tokens = 1, .decode_context = 1},
        {.prefill_tokens = 4096, .prefill_count = 2, .prefill_sq = 2 * 2048.0 * 2048.0, .prefill_cached64 = 512},
        {.prefill_tokens = 17,
         .decode_tokens = 300,
         .decode_context = 300 * 900.0,
         .prefill_count = 1,
         .prefill_sq = 289,
         .prefill_cached64 = 64},
    };
    for (size_t i = 0; i < sizeof works / sizeof works[0]; i++) {
        double s = ccs_vidur_step_s(v, &works[i]);
        if (!isfinite(s) || s < 0) fuzz_fail("iteration %zu timed %g s", i, s);
    }
    ccs_vidur_destroy(v);
    return 0;
}
