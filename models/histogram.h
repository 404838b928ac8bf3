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

/* A weighted sum of histograms (the same buckets, counts as doubles): the request statistics of a
 * sampled run, each simulated window's histogram weighted by the time it stands for. */
typedef struct ccs_whist ccs_whist;
ccs_whist *ccs_whist_create(void);
void ccs_whist_destroy(ccs_whist *w);
/* w += weight x h (weight >= 0). */
void ccs_whist_add(ccs_whist *w, const ccs_histogram *h, double weight);
double ccs_whist_count(const ccs_whist *w);
double ccs_whist_quantile(const ccs_whist *w, double q); /* as ccs_histogram_quantile */
double ccs_whist_frac_above(const ccs_whist *w, int64_t limit_us);
double ccs_whist_mean(const ccs_whist *w);

#endif
