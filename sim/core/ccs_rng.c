/* Named GSL streams; see ccs_rng.h. The name is hashed with 64-bit FNV-1a and mixed with the
 * scenario seed by SplitMix64's finaliser.
 *
 * The generator is GSL's taus2 (L'Ecuyer's maximally equidistributed combined Tausworthe, period
 * 2^88), which GSL's manual lists among its fastest simulation-quality generators. Why not
 * MT19937: through gsl_rng_get it measured 5.9 ns a draw against taus2's 2.4 on this machine, and
 * draws were a fifth of the M/M/1 profile. Both are F2-linear generators; neither's known
 * weaknesses (linear-complexity tests on the bit stream) touch a queueing simulation.
 *
 * Limit: gsl_rng_set takes the seed as 32 bits here, so the mixed value is folded to 32 bits; two
 * names colliding is possible (about 1 in 4e9 per pair) and would correlate those two streams
 * only. */
#include "ccs_rng.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t ccs_rng_stream_seed(uint64_t seed, const char *name)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    uint64_t z = mix64(mix64(seed) ^ h);
    return (z ^ (z >> 32)) & UINT64_C(0xffffffff);
}

uint64_t ccs_rng_substream_seed(uint64_t seed, const char *name, uint64_t index)
{
    return ccs_rng_stream_seed(mix64(seed ^ mix64(index)), name);
}

gsl_rng *ccs_rng_alloc(void) { return gsl_rng_alloc(gsl_rng_taus2); }

struct ccs_streams {
    uint64_t seed;
    size_t n, cap;
    char **names;
    gsl_rng **rngs;
};

ccs_streams *ccs_streams_create(uint64_t seed)
{
    ccs_streams *s = calloc(1, sizeof *s);
    if (s) s->seed = seed;
    return s;
}

void ccs_streams_destroy(ccs_streams *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->names[i]);
        gsl_rng_free(s->rngs[i]);
    }
    free(s->names);
    free(s->rngs);
    free(s);
}

gsl_rng *ccs_streams_get(ccs_streams *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0) return s->rngs[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        char **names = realloc(s->names, cap * sizeof *names);
        if (!names) return NULL;
        s->names = names;
        gsl_rng **rngs = realloc(s->rngs, cap * sizeof *rngs);
        if (!rngs) return NULL;
        s->rngs = rngs;
        s->cap = cap;
    }
    gsl_rng *r = ccs_rng_alloc();
    char *copy = strdup(name);
    if (!r || !copy) {
        gsl_rng_free(r);
        free(copy);
        return NULL;
    }
    gsl_rng_set(r, (unsigned long)ccs_rng_stream_seed(s->seed, name));
    /* ccs_rng_exponential takes 32 uniform bits per get(): true of taus2 */
    assert(gsl_rng_min(r) == 0 && gsl_rng_max(r) == 0xffffffffUL);
    s->names[s->n] = copy;
    s->rngs[s->n] = r;
    return s->rngs[s->n++];
}

/* ---- ziggurat exponential ---- */

#define ZIG_LAYERS 256
#define ZIG_R      7.69711747013104972  /* right edge of the base layer */
#define ZIG_V      3.949659822581572e-3 /* area of each layer */
#define ZIG_SCALE  16777216.0           /* 2^24: positions are 24-bit */

static struct {
    uint32_t k[ZIG_LAYERS]; /* accept directly when the 24-bit position is below k[i] */
    double w[ZIG_LAYERS];   /* position -> x */
    double f[ZIG_LAYERS];   /* exp(-x) at the layer's edge */
    int ready;
} zig;

static void zig_setup(void)
{
    double de = ZIG_R, te = de;
    double q = ZIG_V / exp(-de);
    zig.k[0] = (uint32_t)((de / q) * ZIG_SCALE);
    zig.k[1] = 0;
    zig.w[0] = q / ZIG_SCALE;
    zig.w[ZIG_LAYERS - 1] = de / ZIG_SCALE;
    zig.f[0] = 1.0;
    zig.f[ZIG_LAYERS - 1] = exp(-de);
    for (int i = ZIG_LAYERS - 2; i >= 1; i--) {
        de = -log(ZIG_V / de + exp(-de));
        zig.k[i + 1] = (uint32_t)((de / te) * ZIG_SCALE);
        te = de;
        zig.f[i] = exp(-de);
        zig.w[i] = de / ZIG_SCALE;
    }
    zig.ready = 1;
}

static double uniform_open(gsl_rng *r) { return ((double)gsl_rng_get(r) + 0.5) / 4294967296.0; /* (0, 1) */ }

double ccs_rng_exponential(gsl_rng *r, double mean)
{
    if (!zig.ready) zig_setup(); /* pure function of constants: a race would write equal values */
    for (;;) {
        uint32_t u = (uint32_t)gsl_rng_get(r);
        uint32_t layer = u & 0xff, pos = u >> 8;
        if (pos < zig.k[layer]) return mean * (double)pos * zig.w[layer];
        if (layer == 0) return mean * (ZIG_R - log(uniform_open(r))); /* the tail beyond R */
        double x = (double)pos * zig.w[layer];
        if (zig.f[layer] + uniform_open(r) * (zig.f[layer - 1] - zig.f[layer]) < exp(-x)) return mean * x;
    }
}
