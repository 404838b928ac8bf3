/* Sweep section parsing and cartesian expansion; see sweep_spec.h. */
#include "sweep_spec.h"

#include "ccs_yaml.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_POINTS = 10000000, MAX_SEEDS = 100000 };

typedef struct sweep_param {
    char *path;
    char **values; /* as --set takes them */
    size_t nvalues;
    long line, col; /* of the key in the sweep section */
} sweep_param;

struct ccs_sweep_spec {
    char *file;
    sweep_param *params;
    size_t nparams;
    size_t npoints;
    int seeds;
};

static const char *shape = "expected a mapping such as\n"
                           "  sweep:\n"
                           "    seeds: 5\n"
                           "    policy.forecast_error: {from: 0, to: 0.3, step: 0.05}\n"
                           "    services.search.replicas: [2, 4, 8]";

static int node_err(ccs_err *err, const ccs_ynode *n, const char *file, const char *fmt, const char *a)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, a);
    return ccs_err_at(err, CCS_EINPUT, n && n->file ? n->file : file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

static int parse_number(const ccs_ynode *n, double *out)
{
    if (!n || n->type != CCS_Y_SCALAR || n->quoted) return -1;
    char *end;
    errno = 0;
    *out = strtod(n->scalar, &end);
    return *n->scalar == '\0' || *end != '\0' || errno || !isfinite(*out) ? -1 : 0;
}

/* A scalar for --set: quoted text stays quoted, so that "19:00" is not read as a number. */
static char *value_text(const ccs_ynode *n)
{
    if (!n->quoted) return strdup(n->scalar);
    size_t len = strlen(n->scalar);
    char *v = malloc(2 * len + 3), *p = v;
    if (!v) return NULL;
    *p++ = '"';
    for (const char *q = n->scalar; *q; q++) {
        if (*q == '"' || *q == '\\') *p++ = '\\';
        *p++ = *q;
    }
    *p++ = '"';
    *p = '\0';
    return v;
}

static int parse_range(const ccs_ynode *n, const char *key, sweep_param *sp, ccs_err *err)
{
    double v[3];
    static const char *names[3] = {"from", "to", "step"};
    int integral = 1;
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(n->keys[i], "from") != 0 && strcmp(n->keys[i], "to") != 0 && strcmp(n->keys[i], "step") != 0)
            return ccs_err_at(err, CCS_EINPUT, n->file, n->key_line[i], n->key_col[i],
                              "sweep.%s: unknown key '%s': a range has from, to and step", key, n->keys[i]);
    for (int i = 0; i < 3; i++) {
        const ccs_ynode *x = ccs_yaml_get(n, names[i]);
        if (!x)
            return ccs_err_at(err, CCS_EINPUT, n->file, n->line, n->col,
                              "sweep.%s: the range has no '%s': expected {from, to, step}", key, names[i]);
        if (parse_number(x, &v[i]) != 0)
            return ccs_err_at(err, CCS_EINPUT, x->file, x->line, x->col, "sweep.%s.%s: '%s' is not a number", key,
                              names[i], x->scalar ? x->scalar : "");
        if (v[i] != floor(v[i]) || strpbrk(x->scalar, ".eE")) integral = 0;
    }
    if (!(v[2] > 0))
        return ccs_err_at(err, CCS_EINPUT, n->file, n->line, n->col, "sweep.%s: step %g: expected a step > 0", key,
                          v[2]);
    if (v[1] < v[0])
        return ccs_err_at(err, CCS_EINPUT, n->file, n->line, n->col,
                          "sweep.%s: to (%g) is below from (%g): expected from <= to", key, v[1], v[0]);
    /* Inclusive of `to` when (to - from) / step is whole within rounding: 0 to 0.3 by 0.05 is
     * 7 values, although 0.3 / 0.05 is 5.999999999999999 in binary. */
    double steps = (v[1] - v[0]) / v[2];
    double whole = floor(steps + 1e-9);
    if (whole + 1 > MAX_POINTS)
        return ccs_err_at(err, CCS_EINPUT, n->file, n->line, n->col, "sweep.%s: %.0f values: expected at most %d", key,
                          whole + 1, MAX_POINTS);
    sp->nvalues = (size_t)whole + 1;
    sp->values = calloc(sp->nvalues, sizeof *sp->values);
    if (!sp->values) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < sp->nvalues; i++) {
        /* from + i step, never a running sum; printed short so that 0.15 reads 0.15 */
        double x = v[0] + (double)i * v[2];
        char buf[64];
        if (integral)
            snprintf(buf, sizeof buf, "%.0f", x);
        else
            snprintf(buf, sizeof buf, "%.12g", x);
        sp->values[i] = strdup(buf);
        if (!sp->values[i]) return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    return 0;
}

typedef struct ranked_value {
    const char *text;
    size_t at;
} ranked_value;

static int by_text_then_place(const void *a, const void *b)
{
    const ranked_value *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* The first value in list order that repeats an earlier one, or n: sorted, not pairwise, so that
 * a long list is checked in n log n. */
static size_t first_repeat(char *const *values, size_t n)
{
    ranked_value *r = malloc(n * sizeof *r);
    if (!r) return n; /* memory for the check only: the values themselves are fine */
    for (size_t i = 0; i < n; i++) r[i] = (ranked_value){values[i], i};
    qsort(r, n, sizeof *r, by_text_then_place);
    size_t first = n;
    for (size_t i = 1; i < n; i++)
        if (strcmp(r[i].text, r[i - 1].text) == 0 && r[i].at < first) first = r[i].at;
    free(r);
    return first;
}

static int parse_param(const ccs_ynode *n, const char *key, long kline, long kcol, const char *file, sweep_param *sp,
                       ccs_err *err)
{
    /* Whether the path names a scenario key is for the scenario's schema to judge, when each
     * point is loaded before the sweep starts. */
    if (strcmp(key, "seed") == 0)
        return ccs_err_at(err, CCS_EINPUT, file, kline, kcol,
                          "sweep: 'seed' is not a parameter: every point runs the seeds seed, seed + 1, ...: "
                          "expected sweep.seeds (how many) and the scenario's seed (the first)");
    if (strchr(key, '=') || *key == '.' || key[strlen(key) - 1] == '.')
        return ccs_err_at(err, CCS_EINPUT, file, kline, kcol,
                          "sweep: '%s' is not a dotted path: expected a --set path such as services.search.replicas",
                          key);
    sp->path = strdup(key);
    sp->line = kline;
    sp->col = kcol;
    if (n->type == CCS_Y_MAP) return parse_range(n, key, sp, err);
    if (n->type == CCS_Y_SCALAR)
        return node_err(err, n, file,
                        "sweep.%s: a single value: expected a list of values [a, b, ...] or a range {from, to, step}",
                        key);
    if (n->n == 0) return node_err(err, n, file, "sweep.%s: an empty list: expected at least one value", key);
    sp->nvalues = n->n;
    sp->values = calloc(n->n, sizeof *sp->values);
    if (!sp->values) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < n->n; i++) {
        const ccs_ynode *x = n->items[i];
        if (x->type != CCS_Y_SCALAR)
            return ccs_err_at(err, CCS_EINPUT, x->file, x->line, x->col,
                              "sweep.%s[%zu]: expected a single value (a number, a word or a quoted text)", key, i);
        sp->values[i] = value_text(x);
        if (!sp->values[i]) return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    size_t twice = first_repeat(sp->values, n->n);
    if (twice < n->n) {
        const ccs_ynode *x = n->items[twice];
        return ccs_err_at(err, CCS_EINPUT, x->file, x->line, x->col,
                          "sweep.%s[%zu]: '%s' is listed twice: expected distinct values", key, twice, x->scalar);
    }
    return 0;
}

/* Seed k of each point is the scenario's seed + k, and a scenario takes seeds up to 2^63 - 1 (so
 * that every JSON reader reads them back exactly): the last seed must not pass it. Checked here,
 * at load, with the seed's position, rather than found by every run of the last seeds failing.
 * A seed that is not a number at all is for the scenario's schema to report. */
static int check_seed_range(const ccs_ynode *root, const char *file, int seeds, ccs_err *err)
{
    const ccs_ynode *n = ccs_yaml_get(root, "seed");
    if (!n || n->type != CCS_Y_SCALAR || !n->scalar || n->scalar[0] == '-') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(n->scalar, &end, 10);
    if (n->scalar[0] == '\0' || *end != '\0' || errno || v > INT64_MAX) return 0;
    uint64_t last_ok = (uint64_t)INT64_MAX - (uint64_t)(seeds - 1);
    if (v <= last_ok) return 0;
    return ccs_err_at(err, CCS_EINPUT, n->file ? n->file : file, n->line, n->col,
                      "seed: %llu with %d seeds per sweep point: seed + %d would pass %" PRId64 ", the largest "
                      "seed: expected a seed of at most %" PRIu64 " (or fewer seeds)",
                      v, seeds, seeds - 1, INT64_MAX, last_ok);
}

static int from_tree(const ccs_ynode *root, const char *file, int seeds_override, ccs_sweep_spec *sp, ccs_err *err)
{
    const ccs_ynode *sw = root->type == CCS_Y_MAP ? ccs_yaml_get(root, "sweep") : NULL;
    if (!sw) return ccs_err_at(err, CCS_EINPUT, file, 0, 0, "no 'sweep' section: %s", shape);
    if (sw->type != CCS_Y_MAP) return node_err(err, sw, file, "sweep: %s", shape);
    sp->seeds = 1;
    sp->params = calloc(sw->n ? sw->n : 1, sizeof *sp->params);
    if (!sp->params) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < sw->n; i++) {
        const ccs_ynode *v = sw->items[i];
        if (strcmp(sw->keys[i], "seeds") == 0) {
            double k;
            if (parse_number(v, &k) != 0 || k != floor(k) || k < 1 || k > MAX_SEEDS)
                return node_err(err, v, file, "sweep.seeds: '%s': expected a whole number of seeds from 1 to 100000",
                                v->scalar ? v->scalar : "");
            sp->seeds = (int)k;
            continue;
        }
        /* a path given twice is a duplicate key, which the YAML loader refuses */
        int rc = parse_param(v, sw->keys[i], sw->key_line[i], sw->key_col[i], file, &sp->params[sp->nparams++], err);
        if (rc) return rc;
    }
    if (sp->nparams == 0) return node_err(err, sw, file, "sweep: no parameters: %s", shape);
    sp->npoints = 1;
    for (size_t i = 0; i < sp->nparams; i++) {
        if (sp->npoints > MAX_POINTS / sp->params[i].nvalues)
            return node_err(err, sw, file, "sweep: more than %s points: expected fewer values", "10000000");
        sp->npoints *= sp->params[i].nvalues;
    }
    if (seeds_override > 0) sp->seeds = seeds_override;
    return check_seed_range(root, file, sp->seeds, err);
}

static int finish(ccs_ynode *root, const char *file, int seeds_override, ccs_sweep_spec **out, ccs_err *err)
{
    ccs_sweep_spec *sp = calloc(1, sizeof *sp);
    int rc = sp ? 0 : ccs_err_set(err, CCS_ERUN, "out of memory");
    if (!rc) {
        sp->file = strdup(file);
        rc = from_tree(root, sp->file, seeds_override, sp, err);
    }
    ccs_yaml_free(root);
    if (rc) {
        ccs_sweep_spec_destroy(sp);
        return rc;
    }
    *out = sp;
    return 0;
}

int ccs_sweep_spec_load(const char *path, int seeds_override, ccs_sweep_spec **out, ccs_err *err)
{
    *out = NULL;
    ccs_ynode *root;
    int rc = ccs_yaml_load_file(path, &root, err);
    return rc ? rc : finish(root, path, seeds_override, out, err);
}

int ccs_sweep_spec_parse(const char *text, size_t len, const char *file, int seeds_override, ccs_sweep_spec **out,
                         ccs_err *err)
{
    *out = NULL;
    ccs_ynode *root;
    int rc = ccs_yaml_parse(text, len, file, &root, err);
    return rc ? rc : finish(root, file, seeds_override, out, err);
}

void ccs_sweep_spec_destroy(ccs_sweep_spec *sp)
{
    if (!sp) return;
    for (size_t i = 0; sp->params && i < sp->nparams; i++) {
        for (size_t j = 0; sp->params[i].values && j < sp->params[i].nvalues; j++) free(sp->params[i].values[j]);
        free(sp->params[i].values);
        free(sp->params[i].path);
    }
    free(sp->params);
    free(sp->file);
    free(sp);
}

size_t ccs_sweep_nparams(const ccs_sweep_spec *sp) { return sp->nparams; }
const char *ccs_sweep_param_path(const ccs_sweep_spec *sp, size_t param) { return sp->params[param].path; }
size_t ccs_sweep_nvalues(const ccs_sweep_spec *sp, size_t param) { return sp->params[param].nvalues; }

const char *ccs_sweep_param_where(const ccs_sweep_spec *sp, size_t param, long *line, long *col)
{
    *line = sp->params[param].line;
    *col = sp->params[param].col;
    return sp->file;
}
size_t ccs_sweep_npoints(const ccs_sweep_spec *sp) { return sp->npoints; }
int ccs_sweep_seeds(const ccs_sweep_spec *sp) { return sp->seeds; }

const char *ccs_sweep_value(const ccs_sweep_spec *sp, size_t point, size_t param)
{
    /* mixed radix, the last parameter the fastest digit */
    for (size_t i = sp->nparams; i-- > param + 1;) point /= sp->params[i].nvalues;
    return sp->params[param].values[point % sp->params[param].nvalues];
}

char **ccs_sweep_overrides(const ccs_sweep_spec *sp, size_t point, int k, uint64_t base_seed, size_t *n)
{
    char **ov = calloc(sp->nparams + 1, sizeof *ov);
    if (!ov) return NULL;
    int bad = 0;
    for (size_t i = 0; i < sp->nparams; i++) {
        const char *v = ccs_sweep_value(sp, point, i);
        size_t len = strlen(sp->params[i].path) + strlen(v) + 2;
        ov[i] = malloc(len);
        if (ov[i])
            snprintf(ov[i], len, "%s=%s", sp->params[i].path, v);
        else
            bad = 1;
    }
    ov[sp->nparams] = malloc(32);
    if (ov[sp->nparams])
        snprintf(ov[sp->nparams], 32, "seed=%" PRIu64, base_seed + (uint64_t)k);
    else
        bad = 1;
    *n = sp->nparams + 1;
    if (bad) {
        ccs_sweep_overrides_free(ov, *n);
        return NULL;
    }
    return ov;
}

void ccs_sweep_overrides_free(char **ov, size_t n)
{
    for (size_t i = 0; ov && i < n; i++) free(ov[i]);
    free(ov);
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
        if (!*p) return h;
    }
}

uint64_t ccs_sweep_hash(const ccs_sweep_spec *sp)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    char seeds[32];
    snprintf(seeds, sizeof seeds, "seeds=%d", sp->seeds);
    h = fnv(h, seeds);
    for (size_t i = 0; i < sp->nparams; i++) {
        h = fnv(h, sp->params[i].path);
        for (size_t j = 0; j < sp->params[i].nvalues; j++) h = fnv(h, sp->params[i].values[j]);
    }
    return h;
}
