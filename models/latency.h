/* Batch latency models (docs/model.md 4): the roofline form
 *   L(b) = t_overhead + max(b FLOP_item / (peak_FLOPs eff), (bytes_weights + b bytes_item) / mem_BW)
 * or a measured table L(b) interpolated with GSL. The simulator never calls these per event: it
 * fills a table per stage and model variant over b = 1..max_batch once (and again when a
 * profile changes), and looks up L(b) from it. The roofline kernel works over arrays (structure
 * of arrays, one point per element) so the compiler vectorises it. */
#ifndef CCS_LATENCY_H
#define CCS_LATENCY_H

#include "ccs_err.h"

#include <stddef.h>

/* One roofline profile: a model variant on a hardware profile. */
typedef struct ccs_roofline {
    double overhead_s;
    double flop_per_item, peak_flops, efficiency; /* efficiency in (0, 1] */
    double weight_bytes, bytes_per_item, mem_bw_bytes_per_s;
} ccs_roofline;

/* The kernel, over profiles in structure-of-arrays form (profile p's parameters are element p
 * of each array): out_s[p * max_batch + k] = overhead[p] + max(b compute[p], weights[p] +
 * b memory[p]) with b = k + 1, where compute = FLOP/(peak eff) and memory = bytes/BW per item,
 * weights = weight bytes / BW. The inner loop over b reads nothing and stores one value: it is
 * arithmetic-bound, which is where vector instructions pay. */
void ccs_latency_roofline_tables(size_t nprofiles, const double *restrict overhead_s,
                                 const double *restrict compute_s_per_item, const double *restrict weights_s,
                                 const double *restrict memory_s_per_item, size_t max_batch, double *restrict out_s);

/* Fills table_s[k] = L(k + 1) for k < max_batch from one profile. */
void ccs_latency_roofline_table(const ccs_roofline *p, size_t max_batch, double *table_s);

/* Fills table_s[k] = L(k + 1) from measured points (batch sizes b[], strictly increasing,
 * latencies l_s[]), interpolated (GSL's Steffen method: monotone, no overshoot between points;
 * linear with two points). Batch sizes outside [b[0], b[n-1]] are an error: no extrapolation
 * is guessed. A pool interpolates the power measured at the same batch sizes with it too. */
int ccs_latency_table_from_points(const double *b, const double *l_s, size_t n, size_t max_batch, double *table_s,
                                  ccs_err *err);

#endif
