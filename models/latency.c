/* Latency models; see latency.h. target_clones builds the kernel for AVX-512F, AVX2 and the
 * baseline x86-64 (SSE2) and picks one when the program loads: the same source and identical
 * results (ISO C mode does not contract a*b+c into FMA, and every clone does the same IEEE
 * operations), eight, four or two doubles per instruction as the CPU allows. Measured against a
 * scalar build (tests/bench_latency.c): 4.1x with AVX-512F, 3.1x with AVX2 alone. Sanitizer
 * builds take the plain version: ASan and ifunc resolvers do not mix. */
#include "latency.h"

#include <assert.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>
#include <limits.h>
#include <stdlib.h>

#ifndef CCS_KERNEL_NAME
#define CCS_KERNEL_NAME ccs_latency_roofline_tables
#endif
#if defined(__x86_64__) && !defined(CCS_KERNEL_SCALAR) && defined(__has_attribute)
#if __has_attribute(target_clones) && !defined(__SANITIZE_ADDRESS__)
#define CCS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef CCS_CLONES
#define CCS_CLONES
#endif

CCS_CLONES
void CCS_KERNEL_NAME(size_t nprofiles, const double *restrict overhead_s, const double *restrict compute_s_per_item,
                     const double *restrict weights_s, const double *restrict memory_s_per_item, size_t max_batch,
                     double *restrict out_s)
{
    assert(max_batch <= (size_t)INT_MAX);
    for (size_t p = 0; p < nprofiles; p++) {
        const double o = overhead_s[p], c = compute_s_per_item[p], w = weights_s[p], m = memory_s_per_item[p];
        double *row = out_s + p * max_batch;
        /* an int counter: int -> double converts in vector registers (cvtdq2pd); a size_t one
         * has no packed conversion before AVX-512 and kept the loop scalar (measured 1.0x) */
        const int nb = (int)max_batch;
        for (int k = 0; k < nb; k++) {
            double b = (double)(k + 1);
            double compute = b * c, memory = w + b * m;
            row[k] = o + (compute > memory ? compute : memory); /* a max, not a branch */
        }
    }
}

#ifndef CCS_KERNEL_ONLY
void ccs_latency_roofline_table(const ccs_roofline *p, size_t max_batch, double *table_s)
{
    double o = p->overhead_s, c = p->flop_per_item / (p->peak_flops * p->efficiency),
           w = p->weight_bytes / p->mem_bw_bytes_per_s, m = p->bytes_per_item / p->mem_bw_bytes_per_s;
    ccs_latency_roofline_tables(1, &o, &c, &w, &m, max_batch, table_s);
}

int ccs_latency_table_from_points(const double *b, const double *l_s, size_t n, size_t max_batch, double *table_s,
                                  ccs_err *err)
{
    if (n < 2) return ccs_err_set(err, CCS_EINPUT, "latency table: %zu points, expected at least 2", n);
    for (size_t i = 1; i < n; i++)
        if (!(b[i] > b[i - 1]))
            return ccs_err_set(err, CCS_EINPUT, "latency table: batch sizes must increase (%g after %g)", b[i],
                               b[i - 1]);
    if (b[0] > 1 || b[n - 1] < (double)max_batch)
        return ccs_err_set(err, CCS_EINPUT,
                           "latency table covers batch sizes %g to %g, but max_batch is %zu: expected "
                           "points from 1 to max_batch (no extrapolation is guessed)",
                           b[0], b[n - 1], max_batch);
    gsl_interp *it = gsl_interp_alloc(n >= 3 ? gsl_interp_steffen : gsl_interp_linear, n);
    gsl_interp_accel *acc = gsl_interp_accel_alloc();
    if (!it || !acc || gsl_interp_init(it, b, l_s, n) != GSL_SUCCESS) {
        gsl_interp_free(it);
        gsl_interp_accel_free(acc);
        return ccs_err_set(err, CCS_ERUN, "latency table: GSL could not set up the interpolation");
    }
    for (size_t k = 0; k < max_batch; k++) table_s[k] = gsl_interp_eval(it, b, l_s, (double)(k + 1), acc);
    gsl_interp_free(it);
    gsl_interp_accel_free(acc);
    return 0;
}
#endif
