/* Vidur's profiling files as iteration times; see vidur.h. */
#include "vidur.h"

#include "ccs_csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A curve y(x) from points, x sorted and unique (duplicates averaged). */
typedef struct curve {
    double *x, *y;
    size_t n;
} curve;

/* Curves keyed by a second variable (batch size; chunk squared), keys sorted and unique. */
typedef struct family {
    double *key;
    curve *c;
    size_t n;
} family;

struct ccs_vidur {
    curve ops, kv_save, all_reduce;
    family decode, prefill;
    double layers;
    int gqa, tp;
};

/* ---- interpolation ---- */

static double curve_at(const curve *c, double x)
{
    if (c->n == 0) return 0.0;
    if (c->n == 1) return c->y[0];
    size_t i = 1;
    while (i + 1 < c->n && c->x[i] < x) i++; /* the segment [i - 1, i], the last for x past the end */
    double x0 = c->x[i - 1], x1 = c->x[i];
    double y = c->y[i - 1] + (c->y[i] - c->y[i - 1]) * (x - x0) / (x1 - x0);
    return y > 0 ? y : 0.0;
}

static double family_at(const family *f, double key, double x)
{
    if (f->n == 0) return 0.0;
    if (f->n == 1) return curve_at(&f->c[0], x);
    size_t i = 1;
    while (i + 1 < f->n && f->key[i] < key) i++;
    double a = curve_at(&f->c[i - 1], x), b = curve_at(&f->c[i], x);
    double y = a + (b - a) * (key - f->key[i - 1]) / (f->key[i] - f->key[i - 1]);
    return y > 0 ? y : 0.0;
}

/* ---- building curves from points ---- */

typedef struct pt {
    double key, x, y;
} pt;

typedef struct pts {
    pt *p;
    size_t n, cap;
} pts;

static int pts_add(pts *s, double key, double x, double y)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        pt *p = realloc(s->p, cap * sizeof *p);
        if (!p) return -1;
        s->p = p;
        s->cap = cap;
    }
    s->p[s->n++] = (pt){key, x, y};
    return 0;
}

static int cmp_pt(const void *a, const void *b)
{
    const pt *p = a, *q = b;
    if (p->key != q->key) return p->key < q->key ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

/* The curve of points p[0..n) (one key, sorted by x), duplicates averaged. */
static int curve_build(curve *c, const pt *p, size_t n)
{
    c->n = 0;
    if (n == 0) return 0; /* an empty curve is 0 everywhere (a profile without the KV-cache write) */
    c->x = malloc(n * sizeof *c->x);
    c->y = malloc(n * sizeof *c->y);
    if (!c->x || !c->y) return -1;
    c->n = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double sum = 0;
        while (j < n && p[j].x == p[i].x) sum += p[j++].y;
        c->x[c->n] = p[i].x;
        c->y[c->n++] = sum / (double)(j - i);
        i = j;
    }
    return 0;
}

static int family_build(family *f, pts *s)
{
    qsort(s->p, s->n, sizeof *s->p, cmp_pt);
    f->key = malloc((s->n ? s->n : 1) * sizeof *f->key);
    f->c = calloc(s->n ? s->n : 1, sizeof *f->c);
    if (!f->key || !f->c) return -1;
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j < s->n && s->p[j].key == s->p[i].key) j++;
        f->key[f->n] = s->p[i].key;
        if (curve_build(&f->c[f->n++], s->p + i, j - i)) return -1;
        i = j;
    }
    return 0;
}

static void curve_free(curve *c)
{
    free(c->x);
    free(c->y);
}

static void family_free(family *f)
{
    for (size_t i = 0; i < f->n; i++) curve_free(&f->c[i]);
    free(f->c);
    free(f->key);
}

/* ---- reading the files ---- */

typedef struct table {
    ccs_csv *csv;
    const char *path;
    char **head;
    int nhead;
} table;

static int col(const table *t, const char *name)
{
    for (int i = 0; i < t->nhead; i++)
        if (strcmp(t->head[i], name) == 0) return i;
    return -1;
}

static int need(const table *t, const char *name, int *out, ccs_err *err)
{
    if ((*out = col(t, name)) >= 0) return 0;
    return ccs_err_at(err, CCS_EINPUT, t->path, 1, 0,
                      "no column '%s': expected Vidur's profiling header (time_stats.<op>.median, num_tokens, "
                      "num_tensor_parallel_workers, ...)",
                      name);
}

static int open_table(table *t, const char *path, ccs_err *err)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    int rc = ccs_csv_open(path, ',', &t->csv, err);
    if (rc) return rc;
    char **f;
    int n;
    rc = ccs_csv_next(t->csv, &f, &n, err);
    if (rc == 0) return ccs_err_at(err, CCS_EINPUT, path, 0, 0, "empty file: expected a header and rows");
    if (rc != 1) return rc;
    t->head = calloc((size_t)n, sizeof *t->head);
    if (!t->head) return ccs_err_set(err, CCS_ERUN, "out of memory");
    for (int i = 0; i < n; i++)
        if (!(t->head[i] = strdup(f[i]))) return ccs_err_set(err, CCS_ERUN, "out of memory");
    t->nhead = n;
    return 0;
}

static void close_table(table *t)
{
    for (int i = 0; t->head && i < t->nhead; i++) free(t->head[i]);
    free(t->head);
    ccs_csv_close(t->csv);
}

/* A field as a finite number >= 0 (an empty field or nan: 0, as Vidur fills missing medians). */
static int number(const table *t, char **f, int i, double *out, ccs_err *err)
{
    const char *s = f[i];
    if (!*s || strcmp(s, "nan") == 0 || strcmp(s, "NaN") == 0) {
        *out = 0;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || v < 0 || v > 1e12)
        return ccs_err_at(err, CCS_EINPUT, t->path, ccs_csv_line(t->csv), 0, "%s '%s': expected a number >= 0",
                          t->head[i], s);
    *out = v;
    return 0;
}

/* is_prefill as pandas writes it (True / False), or 1 / 0: 1, 0, or -1 for anything else. */
static int boolean(const char *s)
{
    if (strcmp(s, "True") == 0 || strcmp(s, "true") == 0 || strcmp(s, "1") == 0) return 1;
    if (strcmp(s, "False") == 0 || strcmp(s, "false") == 0 || strcmp(s, "0") == 0) return 0;
    return -1;
}

/* Iterates the rows: 1 with fields, 0 at the end, or an error (a row of another width too). */
static int next_row(table *t, char ***f, ccs_err *err)
{
    int n, rc = ccs_csv_next(t->csv, f, &n, err);
    if (rc != 1) return rc;
    if (n != t->nhead)
        return ccs_err_at(err, CCS_EINPUT, t->path, ccs_csv_line(t->csv), 0, "%d fields, expected %d as in the header",
                          n, t->nhead);
    return 1;
}

static const char *const token_ops[] = {"input_layernorm", "attn_pre_proj", "attn_rope",
                                        "attn_post_proj",  "mlp_up_proj",   "post_attention_layernorm",
                                        "mlp_act",         "mlp_down_proj", "add"};
enum { NOPS = sizeof token_ops / sizeof token_ops[0] };

/* The rows of this shape and tp: a message listing what the file holds when none is. */
static int no_rows(const table *t, const ccs_llm_arch *a, long tp, ccs_err *err)
{
    return ccs_err_at(err, CCS_EINPUT, t->path, 0, 0,
                      "no rows for %ld heads, %ld KV heads, hidden size %ld at num_tensor_parallel_workers %ld: "
                      "expected the profile of this model at this tensor parallelism",
                      a->heads, a->kv_heads, a->heads * a->head_dim, tp);
}

static int shape_matches(const table *t, char **f, const int *shape, const ccs_llm_arch *a, long tp, ccs_err *err,
                         int *match)
{
    double v[4];
    for (int k = 0; k < 4; k++)
        if (number(t, f, shape[k], &v[k], err)) return CCS_EINPUT;
    *match = v[0] == (double)a->heads && v[1] == (double)a->kv_heads && v[2] == (double)(a->heads * a->head_dim) &&
             v[3] == (double)tp;
    return 0;
}

static int load_mlp(ccs_vidur *v, const char *path, const ccs_llm_arch *a, long tp, ccs_err *err)
{
    table t;
    int rc = open_table(&t, path, err), op[NOPS], shape[4], ntok;
    char name[96];
    for (int k = 0; !rc && k < NOPS; k++) {
        snprintf(name, sizeof name, "time_stats.%s.median", token_ops[k]);
        op[k] = col(&t, name); /* a missing norm or add is 0, as in Vidur */
        int optional = strcmp(token_ops[k], "input_layernorm") == 0 ||
                       strcmp(token_ops[k], "post_attention_layernorm") == 0 || strcmp(token_ops[k], "add") == 0;
        if (op[k] < 0 && !optional) rc = need(&t, name, &op[k], err);
    }
    if (!rc) rc = need(&t, "n_head", &shape[0], err);
    if (!rc) rc = need(&t, "n_kv_head", &shape[1], err);
    if (!rc) rc = need(&t, "n_embd", &shape[2], err);
    if (!rc) rc = need(&t, "num_tensor_parallel_workers", &shape[3], err);
    if (!rc) rc = need(&t, "num_tokens", &ntok, err);
    pts s = {0};
    char **f;
    while (!rc && (rc = next_row(&t, &f, err)) == 1) {
        int match;
        rc = shape_matches(&t, f, shape, a, tp, err, &match);
        if (rc || !match) continue;
        double n, sum = 0, y;
        rc = number(&t, f, ntok, &n, err);
        for (int k = 0; !rc && k < NOPS; k++)
            if (op[k] >= 0 && !(rc = number(&t, f, op[k], &y, err))) sum += y;
        if (!rc && pts_add(&s, 0, n, sum)) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc && s.n == 0) rc = no_rows(&t, a, tp, err);
    if (!rc) {
        qsort(s.p, s.n, sizeof *s.p, cmp_pt);
        if (curve_build(&v->ops, s.p, s.n)) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    free(s.p);
    close_table(&t);
    return rc;
}

static int load_attention(ccs_vidur *v, const char *path, const ccs_llm_arch *a, long tp, ccs_err *err)
{
    table t;
    int rc = open_table(&t, path, err), shape[4], c_batch, c_chunk, c_kv, c_pre, c_dec, c_pf, c_save;
    if (!rc) rc = need(&t, "n_q_head", &shape[0], err);
    if (!rc) rc = need(&t, "n_kv_head", &shape[1], err);
    if (!rc) rc = need(&t, "n_embd", &shape[2], err);
    if (!rc) rc = need(&t, "num_tensor_parallel_workers", &shape[3], err);
    if (!rc) rc = need(&t, "batch_size", &c_batch, err);
    if (!rc) rc = need(&t, "prefill_chunk_size", &c_chunk, err);
    if (!rc) rc = need(&t, "kv_cache_size", &c_kv, err);
    if (!rc) rc = need(&t, "is_prefill", &c_pre, err);
    if (!rc) rc = need(&t, "time_stats.attn_decode.median", &c_dec, err);
    if (!rc) rc = need(&t, "time_stats.attn_prefill.median", &c_pf, err);
    c_save = rc ? -1 : col(&t, "time_stats.attn_kv_cache_save.median"); /* older files: none (0) */
    pts dec = {0}, pre = {0}, save = {0};
    char **f;
    while (!rc && (rc = next_row(&t, &f, err)) == 1) {
        int match;
        rc = shape_matches(&t, f, shape, a, tp, err, &match);
        if (rc || !match) continue;
        double b, c, kv, td, tp_, ts = 0;
        if ((rc = number(&t, f, c_batch, &b, err)) || (rc = number(&t, f, c_chunk, &c, err)) ||
            (rc = number(&t, f, c_kv, &kv, err)) || (rc = number(&t, f, c_dec, &td, err)) ||
            (rc = number(&t, f, c_pf, &tp_, err)) || (c_save >= 0 && (rc = number(&t, f, c_save, &ts, err))))
            continue;
        int prefill = boolean(f[c_pre]);
        if (prefill < 0) {
            rc = ccs_err_at(err, CCS_EINPUT, t.path, ccs_csv_line(t.csv), 0, "is_prefill '%s': expected True or False",
                            f[c_pre]);
            continue;
        }
        int bad = prefill ? pts_add(&pre, c * c, kv, tp_) : c == 0 ? pts_add(&dec, b, kv, td) : 0;
        if (!bad && c_save >= 0) bad = pts_add(&save, 0, prefill ? c : b, ts);
        if (bad) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc && (dec.n == 0 || pre.n == 0))
        rc = dec.n + pre.n ? ccs_err_at(err, CCS_EINPUT, t.path, 0, 0,
                                        "%s rows for this model and tensor parallelism, but no %s rows: expected both "
                                        "(is_prefill True with prefill_chunk_size > 0, and False with 0)",
                                        dec.n ? "decode" : "prefill", dec.n ? "prefill" : "decode")
                           : no_rows(&t, a, tp, err);
    if (!rc) {
        if (save.n) qsort(save.p, save.n, sizeof *save.p, cmp_pt);
        if (family_build(&v->decode, &dec) || family_build(&v->prefill, &pre) ||
            curve_build(&v->kv_save, save.p, save.n))
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    free(dec.p);
    free(pre.p);
    free(save.p);
    close_table(&t);
    return rc;
}

static int load_all_reduce(ccs_vidur *v, const char *path, const ccs_llm_arch *a, long tp, ccs_err *err)
{
    table t;
    int rc = open_table(&t, path, err), c_t, c_w, c_d, c_s;
    if (!rc) rc = need(&t, "time_stats.all_reduce.median", &c_t, err);
    if (!rc) rc = need(&t, "num_workers", &c_w, err);
    if (!rc) rc = need(&t, "devices_per_node", &c_d, err);
    if (!rc) rc = need(&t, "size", &c_s, err);
    pts s = {0};
    char **f;
    double hidden = (double)(a->heads * a->head_dim);
    while (!rc && (rc = next_row(&t, &f, err)) == 1) {
        double w, d, size, ms;
        if ((rc = number(&t, f, c_w, &w, err)) || (rc = number(&t, f, c_d, &d, err)) ||
            (rc = number(&t, f, c_s, &size, err)) || (rc = number(&t, f, c_t, &ms, err)))
            continue;
        if (w != (double)tp || d != (double)tp) continue;
        if (pts_add(&s, 0, size / hidden / 2.0, ms)) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc && s.n == 0)
        rc = ccs_err_at(
            err, CCS_EINPUT, t.path, 0, 0,
            "no rows with num_workers and devices_per_node %ld: expected the all-reduce of %ld devices in one "
            "server",
            tp, tp);
    if (!rc) {
        qsort(s.p, s.n, sizeof *s.p, cmp_pt);
        if (curve_build(&v->all_reduce, s.p, s.n)) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    free(s.p);
    close_table(&t);
    return rc;
}

int ccs_vidur_load(const char *mlp, const char *attention, const char *all_reduce, const ccs_llm_arch *arch, long tp,
                   ccs_vidur **out, ccs_err *err)
{
    *out = NULL;
    ccs_vidur *v = calloc(1, sizeof *v);
    if (!v) return ccs_err_set(err, CCS_ERUN, "out of memory");
    v->layers = (double)arch->layers;
    v->gqa = arch->heads > arch->kv_heads;
    v->tp = (int)tp;
    int rc = load_mlp(v, mlp, arch, tp, err);
    if (!rc) rc = load_attention(v, attention, arch, tp, err);
    if (!rc && tp > 1) rc = load_all_reduce(v, all_reduce, arch, tp, err);
    if (rc) {
        ccs_vidur_destroy(v);
        return rc;
    }
    *out = v;
    return 0;
}

void ccs_vidur_destroy(ccs_vidur *v)
{
    if (!v) return;
    curve_free(&v->ops);
    curve_free(&v->kv_save);
    curve_free(&v->all_reduce);
    family_free(&v->decode);
    family_free(&v->prefill);
    free(v);
}

double ccs_vidur_step_s(const ccs_vidur *v, const ccs_llm_work *w)
{
    double tokens = w->prefill_tokens + w->decode_tokens;
    if (!(tokens > 0)) return 0.0;
    double rounded = ceil(tokens / 8.0) * 8.0; /* Vidur looks token-level operations up at multiples of 8 */
    double layer = curve_at(&v->ops, rounded) + curve_at(&v->kv_save, tokens);
    if (w->decode_tokens > 0) {
        double ctx = ceil(w->decode_context / w->decode_tokens / 64.0) * 64.0; /* the mean context */
        double g = v->gqa && w->decode_tokens > 1 ? 1.1 : 1.0;
        layer += g * family_at(&v->decode, w->decode_tokens, ctx);
    }
    if (w->prefill_count > 0) {
        double chunk = round(sqrt(w->prefill_sq));
        double g = v->gqa && w->prefill_count > 1 ? 1.1 : 1.0;
        layer += g * family_at(&v->prefill, chunk * chunk, w->prefill_cached64);
    }
    if (v->tp > 1) layer += 2.0 * (curve_at(&v->all_reduce, rounded) + 0.02); /* NCCL's launch, as Vidur adds */
    return v->layers * layer / 1e3;
}
