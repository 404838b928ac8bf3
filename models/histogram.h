/* Latency histogram with fixed memory: exact for values below 2048 us, then log-bucketed with
 * 1024 buckets per power of two, so a reported percentile (the bucket's midpoint) is within
 * 0.05% of the true sample value, whatever the number of samples. */
#ifndef CCS_HISTOGRAM_H
#define CCS_HISTOGRAM_H

#include <stdint.h>

typedef struct ccs_histogram ccs_histogram;

ccs_histogram *ccs_histogram_create(void);
void ccs_histogram_destroy(ccs_histogram *h);
void ccs_histogram_add(ccs_histogram *h, int64_t value_us);
uint64_t ccs_histogram_count(const ccs_histogram *h);
/* Nearest-rank percentile (q in (0, 1]) in microseconds; 0 when empty. */
double ccs_histogram_quantile(const ccs_histogram *h, double q);
/* Fraction of samples above limit_us (exact at bucket resolution). */
double ccs_histogram_frac_above(const ccs_histogram *h, int64_t limit_us);
double ccs_histogram_mean(const ccs_histogram *h); /* exact: a running sum */

#endif
