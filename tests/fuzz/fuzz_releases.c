/* Fuzz harness: the release-stamp loader (sim/input/ccs_releases.c) on any bytes. Oracles: a failure
 * carries a code and a message; a success is what ccs_releases.h promises: at least one stamp,
 * in non-decreasing order, and with a duration_h column a positive amount of work per run. */
#include "fuzz_util.h"

#include "ccs_releases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("releases.csv", data, size);
    ccs_releases r;
    ccs_err err = {0};
    int rc = ccs_releases_load(path, &r, &err);
    if (rc) {
        fuzz_check_error(rc, err.msg, "ccs_releases_load");
        if (r.n || r.release_us || r.work_us) fuzz_fail("a failed load left %zu stamps", r.n);
        return 0;
    }
    if (r.n == 0 || !r.release_us) fuzz_fail("a successful load with no stamps");
    for (size_t i = 1; i < r.n; i++)
        if (r.release_us[i] < r.release_us[i - 1]) fuzz_fail("stamp %zu before the one above", i);
    for (size_t i = 0; r.work_us && i < r.n; i++)
        if (r.work_us[i] <= 0) fuzz_fail("run %zu has %lld us of work: expected > 0", i, (long long)r.work_us[i]);
    ccs_releases_free(&r);
    return 0;
}
