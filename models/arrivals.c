/* The arrivals registry and instance wrapper; see arrivals.h. */
#include "arrivals.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CCS_ARRIVALS(sym) extern const ccs_arrivals_type ccs_arrivals_##sym;
#include "arrivals/registry.h"
#undef CCS_ARRIVALS

static const ccs_arrivals_type *const registry[] = {
#define CCS_ARRIVALS(sym) &ccs_arrivals_##sym,
#include "arrivals/registry.h"
#undef CCS_ARRIVALS
};
#define NTYPES (sizeof registry / sizeof registry[0])
const char *ccs_arrivals_words[NTYPES + 1];

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void fill_words(void)
{
    for (size_t i = 0; i < NTYPES; i++) ccs_arrivals_words[i] = registry[i]->name;
}
void ccs_arrivals_ready(void) { pthread_once(&once, fill_words); }

const ccs_arrivals_type *ccs_arrivals_find(const char *name)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i]->version == CCS_ARRIVALS_VERSION ? registry[i] : NULL;
    return NULL;
}

int ccs_arrivals_resolve(ccs_arrivals_cfg *cfg, const char *where, const ccs_src_pos *at, ccs_err *err)
{
    if (cfg->process < 0 || (size_t)cfg->process >= NTYPES)
        return ccs_err_at(err, CCS_EINPUT, at->file, at->line, at->col, "%s.process: not a registered process", where);
    const ccs_arrivals_type *t = registry[cfg->process];
    if (t->version != CCS_ARRIVALS_VERSION)
        return ccs_err_at(err, CCS_EINPUT, at->file, at->line, at->col,
                          "%s.process: plug-in '%s' is version %d: this ccsim takes version %d", where, t->name,
                          t->version, CCS_ARRIVALS_VERSION);
    const char *what = t->check ? t->check(cfg) : NULL;
    if (what) return ccs_err_at(err, CCS_EINPUT, at->file, at->line, at->col, "%s: %s", where, what);
    cfg->type = t;
    return 0;
}

struct ccs_arrivals {
    const ccs_arrivals_type *type;
    const ccs_arrivals_cfg *cfg;
    void *state;
    uint64_t left; /* arrivals still allowed (cfg->requests), UINT64_MAX: no limit */
};

int ccs_arrivals_create(const ccs_arrivals_cfg *cfg, gsl_rng *rng, int64_t horizon_us, ccs_arrivals **out, ccs_err *err)
{
    *out = NULL;
    ccs_arrivals *a = calloc(1, sizeof *a);
    if (!a) return ccs_err_set(err, CCS_ERUN, "out of memory");
    a->type = cfg->type;
    a->cfg = cfg;
    a->left = cfg->requests > 0 ? (uint64_t)cfg->requests : UINT64_MAX;
    if (!a->type) {
        free(a);
        return ccs_err_set(err, CCS_EINPUT, "arrivals: no process (expected a resolved configuration)");
    }
    a->state = calloc(1, a->type->state_size);
    if (!a->state) {
        free(a);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    int rc = a->type->init(a->state, cfg, rng, horizon_us, err);
    if (rc) {
        ccs_arrivals_destroy(a);
        return rc;
    }
    *out = a;
    return 0;
}

int ccs_arrivals_create_from(const ccs_arrivals *proto, gsl_rng *rng, int64_t offset_us, int64_t horizon_us,
                             ccs_arrivals **out, ccs_err *err)
{
    if (!proto->type->init_from) { /* initialised afresh from a shifted copy of the configuration */
        ccs_arrivals_cfg c = *proto->cfg;
        c.offset_us += offset_us;
        int rc = ccs_arrivals_create(&c, rng, horizon_us, out, err);
        if (!rc) (*out)->cfg = proto->cfg; /* c is gone; the state keeps what it needs */
        return rc;
    }
    *out = NULL;
    ccs_arrivals *a = calloc(1, sizeof *a);
    if (!a) return ccs_err_set(err, CCS_ERUN, "out of memory");
    a->type = proto->type;
    a->cfg = proto->cfg;
    a->left = UINT64_MAX;
    a->state = calloc(1, a->type->state_size);
    int rc = a->state ? a->type->init_from(a->state, proto->state, rng, offset_us, horizon_us, err)
                      : ccs_err_set(err, CCS_ERUN, "out of memory");
    if (rc) {
        ccs_arrivals_destroy(a);
        return rc;
    }
    *out = a;
    return 0;
}

int ccs_arrivals_profile(const ccs_arrivals *a, int64_t from_us, int64_t to_us, uint64_t *key)
{
    return a->type->profile ? a->type->profile(a->state, from_us, to_us, key) : 1;
}

double ccs_arrivals_expected(const ccs_arrivals *a, int64_t from_us, int64_t to_us)
{
    return a->type->expected ? a->type->expected(a->state, from_us, to_us) : -1.0;
}

void ccs_arrivals_destroy(ccs_arrivals *a)
{
    if (!a) return;
    if (a->type->fini) a->type->fini(a->state);
    free(a->state);
    free(a);
}

int64_t ccs_arrivals_next(ccs_arrivals *a, ccs_request_attrs *attrs)
{
    if (a->left == 0) return INT64_MAX;
    a->left--;
    return a->type->next(a->state, attrs);
}
double ccs_arrivals_mean_rate_per_s(const ccs_arrivals *a) { return a->type->mean_rate_per_s(a->state); }
int ccs_arrivals_failed(const ccs_arrivals *a, ccs_err *err)
{
    return a->type->failed ? a->type->failed(a->state, err) : 0;
}

const char *ccs_arrivals_name(const ccs_arrivals *a) { return a->type->name; }

/* ---- the schema of the arrivals map ---- */
static const ccs_field arrivals_fields[] = {
    {"process", CCS_F_ENUM, offsetof(ccs_arrivals_cfg, process), 0, CCS_NO_RANGE, ccs_arrivals_words, NULL, 0,
     "an arrival process by name", NULL},
    {"rate_per_s", CCS_F_DOUBLE, offsetof(ccs_arrivals_cfg, rate_per_s), 0, 1e-9, 1e9, NULL, NULL, 0,
     "requests per second", NULL},
    {"scale", CCS_F_DOUBLE, offsetof(ccs_arrivals_cfg, scale), 0, 1e-12, 1e12, NULL, NULL, 0,
     "a factor on the trace's counts", NULL},
    {"trace", CCS_F_PATH, offsetof(ccs_arrivals_cfg, trace), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a traffic trace path, relative to the scenario file", NULL},
    {"offset", CCS_F_DURATION, offsetof(ccs_arrivals_cfg, offset_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a time into the trace such as 3d", NULL},
    {"loop", CCS_F_BOOL, offsetof(ccs_arrivals_cfg, loop), 0, CCS_NO_RANGE, NULL, NULL, 0, "true or false", NULL},
    {"requests", CCS_F_INT, offsetof(ccs_arrivals_cfg, requests), 0, 1, 1e12, NULL, NULL, 0,
     "the first N arrivals only (an offline batch: a finite set at a high rate)", NULL},
};
const ccs_schema ccs_arrivals_schema = {"arrivals",      sizeof(ccs_arrivals_cfg),
                                        arrivals_fields, sizeof arrivals_fields / sizeof arrivals_fields[0],
                                        CCS_NOPOS,       NULL};
