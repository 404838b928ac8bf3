/* Fuzz harness: the instance price table (models/cloud_prices.c) on any bytes. Oracles: a failure
 * carries a code and a message naming the file; a success answers lookups with a price per
 * device that is finite and not negative, or -1 for a row that is not there. */
#include "fuzz_util.h"

#include "cloud_prices.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("prices.csv", data, size);
    ccs_price_table *t = NULL;
    ccs_err err = {0};
    int rc = ccs_price_table_load(path, &t, &err);
    if (rc) {
        fuzz_check_error(rc, err.msg, "ccs_price_table_load");
        if (t) fuzz_fail("a failed load left a table");
        return 0;
    }
    static const char *const regions[] = {"aws/eu-central-1", "gcp/us-central1", "", "x"};
    static const char *const hw[] = {"l4", "h100-sxm", "", "x"};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            const char *cur = NULL, *date = NULL, *src = NULL;
            double p = ccs_price_table_per_device(t, regions[i], hw[j], &cur, &date, &src);
            if (p != -1 && !(isfinite(p) && p >= 0)) fuzz_fail("price per device %g", p);
            if (p >= 0 && (!cur || !date || !src)) fuzz_fail("a price without its currency, date or source");
        }
    ccs_price_table_free(t);
    return 0;
}
