/* Percentiles from the log-bucketed histogram against exact order statistics. */
#include "histogram.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

Test(histogram, quantiles_within_0_05_percent_of_exact)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 99);
    size_t n = 200000;
    int64_t *v = malloc(n * sizeof *v);
    ccs_histogram *h = ccs_histogram_create();
    for (size_t i = 0; i < n; i++) {
        v[i] = (int64_t)llround(gsl_ran_lognormal(r, 10.0, 1.5)); /* ~ 22 ms median, wide */
        ccs_histogram_add(h, v[i]);
    }
    qsort(v, n, sizeof *v, cmp);
    double qs[] = {0.5, 0.9, 0.95, 0.99, 0.999};
    for (size_t k = 0; k < 5; k++) {
        size_t rank = (size_t)ceil(qs[k] * (double)n);
        double exact = (double)v[rank - 1];
        double got = ccs_histogram_quantile(h, qs[k]);
        cr_assert(fabs(got - exact) <= 5e-4 * exact, "q=%g: %g vs exact %g", qs[k], got, exact);
    }
    cr_assert_eq(ccs_histogram_count(h), n);
    ccs_histogram_destroy(h);
    free(v);
    gsl_rng_free(r);
}

Test(histogram, small_values_are_exact)
{
    ccs_histogram *h = ccs_histogram_create();
    for (int i = 1; i <= 100; i++) ccs_histogram_add(h, i);
    cr_assert_eq(ccs_histogram_quantile(h, 0.5), 50.0);
    cr_assert_eq(ccs_histogram_quantile(h, 0.95), 95.0);
    cr_assert_eq(ccs_histogram_quantile(h, 1.0), 100.0);
    cr_assert_eq(ccs_histogram_frac_above(h, 90), 0.10);
    ccs_histogram_destroy(h);
}
