/* The cache; see cache.h. Keys are drawn by rejection-inversion (zipf.h): key k is rank k, so the
 * popular keys' stamps sit together at the front of one array and stay in the processor's cache. */
#include "cache.h"
#include "zipf.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>

enum { CCS_CACHE_AHEAD = 64 }; /* a power of two; enough misses in flight to hide their latency */

struct ccs_cache {
    int kind;
    double hit_prob;
    int64_t ttl_us;
    long nkeys;
    int64_t *stored_at; /* per key, by rank: when its result was stored; < 0: never */
    ccs_zipf keys;
    double norm; /* sum_k k^-s, for the theory */
    gsl_rng *rng;
    /* The next keys, drawn in advance in two halves of AHEAD: while one half is used, the stamps
     * of the other's keys (an unpopular key's is a cache miss) are on their way from memory, and
     * a used half is drawn again at once, in a block (zipf.h). The keys are the stream's same
     * draws in the same order: only drawn earlier. */
    unsigned next;
    long ahead[2 * CCS_CACHE_AHEAD];
};

/* n stamps. A large array goes on huge pages (2 MB) where the system has them: a 2 M-key cache's
 * 16 MB took 4,096 page faults on 4 KB pages, ~60 ms of a 3-hour sweep-batching run of ~0.8 s
 * (perf: the fill and its faults, 36% of a 1-minute run); on huge pages 8 faults, and the run's
 * requests/s went up 10% (side by side, 2 days). */
static int64_t *alloc_stamps(size_t n)
{
    size_t bytes = n * sizeof(int64_t);
#ifdef MADV_HUGEPAGE
    const size_t huge = (size_t)2 << 20;
    if (bytes >= huge) {
        size_t rounded = (bytes + huge - 1) / huge * huge; /* aligned_alloc wants a multiple */
        int64_t *p = aligned_alloc(huge, rounded);
        if (p) (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice: without it, 4 KB pages as before */
        return p;
    }
#endif
    return malloc(bytes);
}

/* The keys of the half from `first`, as ranks from 0, their stamps prefetched. */
static void draw_half(ccs_cache *c, unsigned first)
{
    long *k = &c->ahead[first];
    ccs_zipf_draw_n(&c->keys, c->rng, k, CCS_CACHE_AHEAD);
    for (unsigned i = 0; i < CCS_CACHE_AHEAD; i++) {
        k[i]--;
        __builtin_prefetch(&c->stored_at[k[i]]);
    }
}

int ccs_cache_create(const ccs_cache_cfg *cfg, gsl_rng *rng, ccs_cache **out, ccs_err *err)
{
    *out = NULL;
    ccs_cache *c = calloc(1, sizeof *c);
    if (!c) return ccs_err_set(err, CCS_ERUN, "out of memory");
    c->kind = cfg->kind;
    c->hit_prob = cfg->hit_prob;
    c->ttl_us = cfg->ttl_us;
    c->rng = rng;
    if (cfg->kind == CCS_CACHE_TTL) {
        c->nkeys = cfg->keys;
        c->stored_at = alloc_stamps((size_t)c->nkeys);
        if (c->stored_at) {
            for (long k = 0; k < c->nkeys; k++) c->stored_at[k] = -1;
            ccs_zipf_init(&c->keys, c->nkeys, cfg->zipf_s);
            c->norm = ccs_zipf_norm(c->nkeys, cfg->zipf_s);
            draw_half(c, 0);
            draw_half(c, CCS_CACHE_AHEAD);
        } else {
            ccs_cache_destroy(c);
            return ccs_err_set(err, CCS_ERUN, "out of memory for a cache of %ld keys", cfg->keys);
        }
    }
    *out = c;
    return 0;
}

void ccs_cache_destroy(ccs_cache *c)
{
    if (!c) return;
    free(c->stored_at);
    free(c);
}

int ccs_cache_lookup(ccs_cache *c, int64_t now, int64_t *age_us)
{
    if (c->kind == CCS_CACHE_FIXED) {
        *age_us = 0;
        return gsl_rng_uniform(c->rng) < c->hit_prob;
    }
    long k = c->ahead[c->next];
    c->next = (c->next + 1) & (2 * CCS_CACHE_AHEAD - 1);
    if ((c->next & (CCS_CACHE_AHEAD - 1)) == 0) draw_half(c, c->next ^ CCS_CACHE_AHEAD); /* the half just used */
    int64_t at = c->stored_at[k];
    if (at >= 0 && now - at < c->ttl_us) {
        *age_us = now - at;
        return 1;
    }
    c->stored_at[k] = now;
    *age_us = 0;
    return 0;
}

typedef struct hit_ctx {
    double norm, lt; /* rate x TTL */
} hit_ctx;

/* a key of weight w: its share p of the traffic times the share of its requests that hit */
static double key_hits(double w, void *p)
{
    const hit_ctx *h = p;
    double pk = w / h->norm, lt = h->lt * pk;
    return pk * lt / (1 + lt);
}

double ccs_cache_expected_hit_rate(const ccs_cache *c, double rate_per_s)
{
    if (c->kind == CCS_CACHE_FIXED) return c->hit_prob;
    hit_ctx h = {c->norm, rate_per_s * (double)c->ttl_us / 1e6};
    return ccs_zipf_sum(c->nkeys, c->keys.s, key_hits, &h);
}

/* ---- the schema of the cache map ---- */
static void cache_defaults(void *p)
{
    ccs_cache_cfg *c = p;
    c->hit_prob = -1;
    c->zipf_s = -1;
}
static const ccs_field cache_fields[] = {
    {"hit_prob", CCS_F_DOUBLE, offsetof(ccs_cache_cfg, hit_prob), 0, 0.0, 1.0, NULL, NULL, 0,
     "a fixed hit probability in [0, 1]", NULL},
    {"ttl", CCS_F_DURATION, offsetof(ccs_cache_cfg, ttl_us), 0, 1e-6, INFINITY, NULL, NULL, 0,
     "how long a cached result is served, such as 5m", NULL},
    {"keys", CCS_F_INT, offsetof(ccs_cache_cfg, keys), 0, 1, 1e8, NULL, NULL, 0,
     "the number of distinct keys (queries, products)", NULL},
    {"zipf_s", CCS_F_DOUBLE, offsetof(ccs_cache_cfg, zipf_s), 0, 0.0, 5.0, NULL, NULL, 0,
     "the Zipf exponent of key popularity, in [0, 5]", NULL},
    {"lookup_ms", CCS_F_DOUBLE, offsetof(ccs_cache_cfg, lookup_ms), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the time of a cache lookup in ms", NULL},
};
const ccs_schema ccs_cache_schema = {"cache",      sizeof(ccs_cache_cfg),
                                     cache_fields, sizeof cache_fields / sizeof cache_fields[0],
                                     CCS_NOPOS,    cache_defaults};

/* ---- the kinds of cache, as they describe themselves ---- */

static int given_fixed(const ccs_cache_cfg *c) { return c->hit_prob >= 0; }
static int given_ttl(const ccs_cache_cfg *c) { return c->ttl_us > 0 || c->keys > 0 || c->zipf_s >= 0; }
static const char *check_ttl(const ccs_cache_cfg *c)
{
    return c->ttl_us > 0 && c->keys > 0 && c->zipf_s >= 0 ? NULL
                                                          : "a simulated cache needs all of ttl, keys and zipf_s";
}
static const char *const fixed_keys[] = {"hit_prob", NULL}, *const ttl_keys[] = {"ttl", "keys", "zipf_s", NULL};

static const ccs_cache_kind cache_kinds[] = {
    {CCS_CACHE_KIND_VERSION, CCS_CACHE_FIXED, "fixed", "a stated hit probability, results always fresh", fixed_keys,
     given_fixed, NULL},
    {CCS_CACHE_KIND_VERSION, CCS_CACHE_TTL, "ttl", "a simulated TTL cache over Zipf-popular keys", ttl_keys, given_ttl,
     check_ttl},
};

const ccs_cache_kind *ccs_cache_kinds(size_t *n)
{
    *n = sizeof cache_kinds / sizeof cache_kinds[0];
    return cache_kinds;
}

int ccs_cache_check(ccs_cache_cfg *c, const char *where, const ccs_src_pos *pos, ccs_err *err)
{
    const ccs_cache_kind *chosen = NULL;
    for (size_t i = 0; i < sizeof cache_kinds / sizeof cache_kinds[0]; i++) {
        const ccs_cache_kind *k = &cache_kinds[i];
        if (!k->given(c)) continue;
        if (chosen)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s: give either hit_prob (fixed) or ttl, keys and zipf_s (simulated), not both", where);
        if (k->version != CCS_CACHE_KIND_VERSION)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s: cache kind '%s' is version %d: this ccsim takes version %d", where, k->name,
                              k->version, CCS_CACHE_KIND_VERSION);
        chosen = k;
    }
    const char *why = chosen && chosen->check ? chosen->check(c) : NULL;
    if (why) return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col, "%s: %s", where, why);
    c->kind = chosen ? chosen->kind : CCS_CACHE_NONE;
    return 0;
}
