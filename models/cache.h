/* A result cache in front of a service (docs/model.md 4): either a fixed hit probability, or a
 * simulated TTL cache over `keys` keys with Zipf(s) popularity. In the TTL cache a miss stores a
 * fresh result at the time of the request (a constant lookup and the pipeline's own latency do
 * not age it further), and a hit serves the stored result while it is younger than the TTL; the
 * hit rate and the age of served results emerge from the TTL and the traffic. Memory: one stamp
 * (8 bytes) per key, never per request; keys are drawn without a table (zipf.h). */
#ifndef CCS_CACHE_H
#define CCS_CACHE_H

#include "ccs_err.h"
#include "ccs_schema.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

enum { CCS_CACHE_NONE = 0, CCS_CACHE_FIXED, CCS_CACHE_TTL };
typedef struct ccs_cache_cfg {
    int kind;        /* set by the cross-check from the keys given */
    double hit_prob; /* fixed: < 0 not given */
    int64_t ttl_us;  /* ttl: with keys and zipf_s */
    long keys;
    double zipf_s;
    double lookup_ms; /* added to every request, hit or miss */
} ccs_cache_cfg;

typedef struct ccs_cache ccs_cache;

/* Fails (err filled) only when out of memory. cfg->kind must not be CCS_CACHE_NONE. */
int ccs_cache_create(const ccs_cache_cfg *cfg, gsl_rng *rng, ccs_cache **out, ccs_err *err);
void ccs_cache_destroy(ccs_cache *c);

/* One request at simulated time now: 1 for a hit (with *age_us the age of the served result),
 * 0 for a miss. */
int ccs_cache_lookup(ccs_cache *c, int64_t now, int64_t *age_us);

/* The hit rate theory predicts for Poisson traffic at rate_per_s spread over the keys:
 * sum_k p_k (l_k T / (1 + l_k T)) with l_k = rate p_k, for a TTL cache whose entries are
 * renewed on a miss (each key's cycle is one miss and a Poisson number of hits within T); the
 * fixed probability for a fixed cache. Used for the offered-load check and reported beside the
 * measured rate. */
double ccs_cache_expected_hit_rate(const ccs_cache *c, double rate_per_s);

/* The schema of a service's cache map. */
extern const ccs_schema ccs_cache_schema;

/* The kinds of cache, each describing itself like a plug-in: version, name, what it is, its own
 * keys (rows of ccs_cache_schema; lookup_ms is every kind's), whether a cache map's keys choose it,
 * and the rule its keys must meet. The registry (cache.c) refuses a kind of another version. */
#define CCS_CACHE_KIND_VERSION 1
typedef struct ccs_cache_kind {
    int version; /* CCS_CACHE_KIND_VERSION */
    int kind;    /* CCS_CACHE_FIXED, ... */
    const char *name;
    const char *summary;
    const char *const *keys; /* NULL-terminated */
    int (*given)(const ccs_cache_cfg *c);
    const char *(*check)(const ccs_cache_cfg *c); /* NULL if good, else what is wrong; NULL: no rule */
} ccs_cache_kind;
const ccs_cache_kind *ccs_cache_kinds(size_t *n);

/* The cache map's rules (one kind, all of its keys); sets c->kind (CCS_CACHE_NONE: no keys given).
 * Errors at pos, naming `where` ("services[s].cache"). */
int ccs_cache_check(ccs_cache_cfg *c, const char *where, const ccs_src_pos *pos, ccs_err *err);

#endif
