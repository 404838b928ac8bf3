/* Request arrival processes as plug-ins: synthetic Poisson, a counts-per-interval trace turned
 * into a non-homogeneous Poisson process, or a per-request trace replayed. Arrivals are
 * generated one at a time (streamed): nothing grows with the number of requests. Each process
 * draws only from the stream it is given, so two policies see the same arrivals. */
#ifndef CCS_ARRIVALS_H
#define CCS_ARRIVALS_H

#include "ccs_err.h"
#include "ccs_schema.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ccs_arrivals_type ccs_arrivals_type;

/* The arrivals map of a service; the keys each process takes are checked by its check hook. */
typedef struct ccs_arrivals_cfg {
    int process;                   /* the process, by its name's place in ccs_arrivals_words (0: poisson) */
    const ccs_arrivals_type *type; /* set by ccs_arrivals_resolve from process */
    double rate_per_s; /* poisson, deterministic: the rate; trace-counts: the mean rate the trace is scaled to */
    double scale;      /* trace-counts: a factor instead of rate_per_s (0: not given) */
    char *trace;       /* trace-counts, trace-replay: the file */
    int64_t offset_us; /* where in the trace the period starts, after its first stamp */
    int loop;          /* start the trace again when it ends */
    long requests;     /* only the first N arrivals (0: all) */
} ccs_arrivals_cfg;

/* What a request brings besides its time (0 when the source does not say). */
typedef struct ccs_request_attrs {
    float tokens_in, tokens_out;
} ccs_request_attrs;

/* A plug-in. Adding one: a file in arrivals/, a line in arrivals/registry.h, a line in
 * models/meson.build. */
#define CCS_ARRIVALS_VERSION 1
struct ccs_arrivals_type {
    int version; /* CCS_ARRIVALS_VERSION; first, so the struct can grow */
    const char *name;
    const char *summary;
    /* The cross-field rule of the arrivals map: NULL if cfg is good, else what is wrong
     * ("poisson arrivals take rate_per_s only"). */
    const char *(*check)(const ccs_arrivals_cfg *cfg);
    size_t state_size;
    /* horizon_us: the period's length; the source may stop earlier. */
    int (*init)(void *state, const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_err *err);
    /* The next arrival, in simulated microseconds (non-decreasing), or INT64_MAX when none is
     * left before the horizon. */
    int64_t (*next)(void *state, ccs_request_attrs *attrs);
    double (*mean_rate_per_s)(const void *state); /* over the period, for the load check */
    /* Optional: non-zero (err filled) if the source stopped early because of an error, such
     * as a replayed file that changed after it was checked. Asked once, after the run. */
    int (*failed)(const void *state, ccs_err *err);
    void (*fini)(void *state);
    /* Optional, for sampled runs (NULL: every stretch of time is its own):
     * profile: 0 with *key set to a hash of the rate over simulated [from, to) (times relative
     * to `from`): two stretches with the same key bring the same arrival process. */
    int (*profile)(const void *state, int64_t from_us, int64_t to_us, uint64_t *key);
    /* init_from: as init, for the same configuration shifted by offset_us, sharing what the
     * prototype loaded (a trace) instead of loading it again; the prototype outlives it. */
    int (*init_from)(void *state, const void *proto, gsl_rng *rng, int64_t offset_us, int64_t horizon_us, ccs_err *err);
    /* expected: the expected number of arrivals in simulated [from, to) of the period, where the
     * process knows it (a rate); < 0: not known. */
    double (*expected)(const void *state, int64_t from_us, int64_t to_us);
};

typedef struct ccs_arrivals ccs_arrivals;

int ccs_arrivals_create(const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_arrivals **out,
                        ccs_err *err);
void ccs_arrivals_destroy(ccs_arrivals *a);

/* The same process as proto, its period starting offset_us later and lasting horizon_us, drawing
 * from rng: a window of a sampled run. proto must outlive it. */
int ccs_arrivals_create_from(const ccs_arrivals *proto, gsl_rng *rng, int64_t offset_us, int64_t horizon_us,
                             ccs_arrivals **out, ccs_err *err);

/* 0 with *key the hash of the rate over simulated [from, to); 1: not known (the process has no
 * profile hook): the stretch is to be taken as unlike any other. */
int ccs_arrivals_profile(const ccs_arrivals *a, int64_t from_us, int64_t to_us, uint64_t *key);

/* The expected number of arrivals in simulated [from, to), or -1 where the process does not know
 * it (a replayed trace, whose arrivals are what they are). */
double ccs_arrivals_expected(const ccs_arrivals *a, int64_t from_us, int64_t to_us);
int64_t ccs_arrivals_next(ccs_arrivals *a, ccs_request_attrs *attrs);
double ccs_arrivals_mean_rate_per_s(const ccs_arrivals *a);
int ccs_arrivals_failed(const ccs_arrivals *a, ccs_err *err);
const char *ccs_arrivals_name(const ccs_arrivals *a);

/* The registry: a process by name (NULL if none, or if its version is not CCS_ARRIVALS_VERSION). */
const ccs_arrivals_type *ccs_arrivals_find(const char *name);

/* The registered names in order, NULL-terminated: the words of the schema's 'process' key, filled
 * by ccs_arrivals_ready (the loader calls it before reading a scenario). */
extern const char *ccs_arrivals_words[];
void ccs_arrivals_ready(void);

/* Sets cfg->type from cfg->process and applies the process's check: non-zero, with err filled at
 * `at` and naming `where`, if the version is not this ccsim's or the map is not one it takes. */
int ccs_arrivals_resolve(ccs_arrivals_cfg *cfg, const char *where, const ccs_src_pos *at, ccs_err *err);

/* The schema of a service's arrivals map. */
extern const ccs_schema ccs_arrivals_schema;

#endif
