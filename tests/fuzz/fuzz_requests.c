/* Fuzz harness: the per-request traces that trace-replay arrivals stream from disk
 * (models/arrivals/trace_replay.c: Azure's TIMESTAMP, ContextTokens, GeneratedTokens; a timestamp
 * column; Vidur's and Splitwise's arrived_at, num_prefill_tokens, num_decode_tokens), once and
 * looped. Oracles: a failure carries a code and a message; a success replays arrivals that never
 * go back in time, stay inside the period, and carry token counts that are finite and >= 0; a
 * replay that stops early says why through ccs_arrivals_failed. */
#include "fuzz_util.h"

#include "arrivals.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("requests.csv", data, size);
    ccs_arrivals_ready();
    ccs_arrivals_cfg cfg = {0};
    cfg.type = ccs_arrivals_find("trace-replay");
    if (!cfg.type) fuzz_fail("no trace-replay arrivals registered");
    cfg.trace = (char *)path;
    cfg.loop = size % 2; /* both ways, by the input's length */
    const int64_t horizon = 86400LL * 1000000;
    ccs_arrivals *a;
    ccs_err err = {0};
    int rc = ccs_arrivals_create(&cfg, NULL, horizon, &a, &err);
    if (rc) {
        fuzz_check_error(rc, err.msg, "ccs_arrivals_create");
        return 0;
    }
    if (!(ccs_arrivals_mean_rate_per_s(a) > 0))
        fuzz_fail("a trace with a mean rate of %g", ccs_arrivals_mean_rate_per_s(a));
    int64_t prev = 0;
    for (int i = 0; i < 20000; i++) {
        ccs_request_attrs at = {0};
        int64_t t = ccs_arrivals_next(a, &at);
        if (t == INT64_MAX) break;
        if (t < prev) fuzz_fail("arrival %d at %lld us, before the previous at %lld", i, (long long)t, (long long)prev);
        if (t < 0 || t >= horizon) fuzz_fail("arrival %d at %lld us, outside the period", i, (long long)t);
        if (!isfinite(at.tokens_in) || !isfinite(at.tokens_out) || at.tokens_in < 0 || at.tokens_out < 0)
            fuzz_fail("arrival %d with tokens %g and %g", i, (double)at.tokens_in, (double)at.tokens_out);
        prev = t;
    }
    ccs_err ferr = {0};
    rc = ccs_arrivals_failed(a, &ferr);
    if (rc) fuzz_check_error(rc, ferr.msg, "ccs_arrivals_failed");
    ccs_arrivals_destroy(a);
    return 0;
}
