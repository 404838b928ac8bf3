/* Latency models against hand computations. */
#include "latency.h"

#include <criterion/criterion.h>
#include <math.h>

Test(latency, roofline_by_hand)
{
    /* A re-ranker on an L4-like device: 120 TFLOP/s peak at 50% efficiency, 300 GB/s; weights
     * 600 MB; per item 4 GFLOP and 2 MB; overhead 1 ms.
     * compute per item = 4e9 / 6e13 = 66.67 us; weights 2 ms; memory per item 6.667 us.
     * b = 1: max(0.0667, 2 + 0.0067) ms + 1 ms = 3.00667 ms (memory-bound)
     * b = 64: max(4.2667, 2.4267) ms + 1 ms = 5.26667 ms (compute-bound) */
    ccs_roofline p = {1e-3, 4e9, 120e12, 0.5, 600e6, 2e6, 300e9};
    double t[64];
    ccs_latency_roofline_table(&p, 64, t);
    cr_assert(fabs(t[0] - (1e-3 + 2e-3 + 2e6 / 300e9)) < 1e-15, "L(1) = %.17g", t[0]);
    cr_assert(fabs(t[63] - (1e-3 + 64 * 4e9 / 6e13)) < 1e-15, "L(64) = %.17g", t[63]);
    /* the knee: memory-bound below b* = weights / (compute - memory) = 2 ms / 60 us = 33.3 */
    double c = 4e9 / 6e13, m = 2e6 / 300e9, w = 600e6 / 300e9;
    for (int b = 1; b <= 64; b++) {
        double want = 1e-3 + fmax(b * c, w + b * m);
        cr_assert(fabs(t[b - 1] - want) < 1e-15, "L(%d)", b);
    }
    cr_assert_lt(t[32] - t[31], t[34] - t[33], "slope grows past the knee");
}

Test(latency, measured_table_is_interpolated_and_never_extrapolated)
{
    double b[] = {1, 8, 32}, l[] = {2e-3, 4e-3, 12e-3};
    double t[32];
    ccs_err err = {0};
    cr_assert_eq(ccs_latency_table_from_points(b, l, 3, 32, t, &err), 0, "%s", err.msg);
    cr_assert(fabs(t[0] - 2e-3) < 1e-15);
    cr_assert(fabs(t[7] - 4e-3) < 1e-15);
    cr_assert(fabs(t[31] - 12e-3) < 1e-15);
    for (int k = 1; k < 32; k++) cr_assert_geq(t[k], t[k - 1], "monotone between points");
    double b2[] = {1, 8}, l2[] = {2e-3, 4e-3};
    cr_assert_eq(ccs_latency_table_from_points(b2, l2, 2, 4, t, &err), 0);
    cr_assert(fabs(t[3] - (2e-3 + 3 * 2e-3 / 7)) < 1e-15, "linear with two points: %.17g", t[3]);
    cr_assert_eq(ccs_latency_table_from_points(b, l, 3, 64, t, &err), CCS_EINPUT);
    cr_assert(strstr(err.msg, "no extrapolation"), "%s", err.msg);
    double bad[] = {1, 8, 8};
    cr_assert_eq(ccs_latency_table_from_points(bad, l, 3, 8, t, &err), CCS_EINPUT);
}
