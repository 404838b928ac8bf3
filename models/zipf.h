/* Zipf(s) keys 1..n, P(k) proportional to k^-s, drawn exactly by rejection-inversion (Hörmann and
 * Derflinger 1996, "Rejection-inversion to generate variates from monotone discrete
 * distributions"): no table, O(1) memory, about 1.1 uniforms per draw for any n and s >= 0.
 * A table-driven sampler (Walker's alias) needs 16 bytes per key and touches a random entry of
 * it per draw: with millions of keys that is a cache miss or two on every request. */
#ifndef CCS_ZIPF_H
#define CCS_ZIPF_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

typedef struct ccs_zipf {
    long n;
    double s;
    double h_x1, h_n; /* H(1.5) - h(1) and H(n + 0.5): the range the uniform is spread over */
    double accept;    /* draws with k - x at most this are accepted without evaluating H */
} ccs_zipf;

/* n >= 1, s >= 0 (checked by the caller's schema). */
void ccs_zipf_init(ccs_zipf *z, long n, double s);

/* One key in 1..n. */
long ccs_zipf_draw(const ccs_zipf *z, gsl_rng *rng);

/* n keys into out: the keys n calls of ccs_zipf_draw give, in their order, from the same uniforms.
 * Why: a key's inversion (a log and an exp) waits on its uniform only, so those of a block of
 * uniforms overlap in the processor; a key drawn where it is needed is a chain of latencies. */
void ccs_zipf_draw_n(const ccs_zipf *z, gsl_rng *rng, long *out, size_t n);

/* sum_{k=1..n} f(k^-s): the first 20,000 terms summed, the rest as the integral of f(x^-s) over
 * [20000.5, n + 0.5] (the midpoint rule's error there is below 1e-9 of the sum for any smooth f
 * of the weights), so that a table of millions of keys costs what 20,000 do. */
double ccs_zipf_sum(long n, double s, double (*f)(double w, void *ctx), void *ctx);

/* sum_k k^-s: P(k) = k^-s / ccs_zipf_norm(n, s). */
double ccs_zipf_norm(long n, double s);

#endif
