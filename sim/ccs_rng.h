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

ccs_streams *ccs_streams_create(uint64_t seed);
void ccs_streams_destroy(ccs_streams *s);

/* The stream called `name`, created on first use (MT19937). The streams object owns it.
 * Asking twice for one name returns the same generator: one stream per named source.
 * Returns NULL only if memory ran out. */
gsl_rng *ccs_streams_get(ccs_streams *s, const char *name);

#endif
