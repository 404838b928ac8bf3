/* Named random streams. Every random source (arrivals of a service, service times, forecast
 * error, ...) draws from its own GSL generator, seeded from the scenario seed and the source's
 * name only: the streams do not depend on which other sources exist or in which order they were
 * created, so two policies see the same arrivals (common random numbers). */
#ifndef CCS_RNG_H
#define CCS_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct ccs_streams ccs_streams;

/* The seed given to the generator of stream `name` under scenario seed `seed`. */
uint64_t ccs_rng_stream_seed(uint64_t seed, const char *name);

/* The seed of the index-th substream of stream `name`: for a source that must restart at known
 * points (a forecast issued at a given time draws the same noise whoever asks, and in any order). */
uint64_t ccs_rng_substream_seed(uint64_t seed, const char *name, uint64_t index);

/* A generator of the type every stream uses, for a caller that seeds it by substream. */
gsl_rng *ccs_rng_alloc(void);

ccs_streams *ccs_streams_create(uint64_t seed);
void ccs_streams_destroy(ccs_streams *s);

/* The stream called `name`, created on first use (GSL's taus2). The streams object owns it.
 * Asking twice for one name returns the same generator: one stream per named source.
 * Returns NULL only if memory ran out. */
gsl_rng *ccs_streams_get(ccs_streams *s, const char *name);

/* Exponential variate with the given mean, exact, by the ziggurat method (Marsaglia and Tsang,
 * "The Ziggurat Method for Generating Random Variables", J. Stat. Software 5(8), 2000), with 256
 * layers on the 32-bit output of r: the layer from the low 8 bits, the position from the upper
 * 24, so the two are independent. Why not gsl_ran_exponential: it takes -log(u), and log1p was
 * the largest single cost per customer in the M/M/1 profile (128 of ~800 instructions); the
 * ziggurat needs a logarithm in about 1 call of 100. Requires a generator whose get() returns
 * 32 uniform bits (MT19937, taus2): the streams from ccs_streams_get are (asserted there). */
double ccs_rng_exponential(gsl_rng *r, double mean);

/* Nearest integer of a non-negative finite x (ties away from zero), without a libm call. */
static inline int64_t ccs_round_nonneg(double x) { return (int64_t)(x + 0.5); }

#endif
