/* Forecasts; see forecast.h. The perfect forecast is the ledger's own grid with prefix integrals
 * computed once, so a window is a view into it (no copy). The others build each window in a
 * per-region scratch area, linear in its length. */
#include "forecast.h"
#include "ccs_units.h"

#include "ccs_rng.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct scratch {
    int64_t *t;
    double *ci, *price, *ci_h, *price_h;
    size_t n, cap;
} scratch;

typedef struct region_fc {
    ccs_signal sig;
    double *ci_h, *price_h; /* prefix integrals of the actual signal */
    ccs_window actual;      /* the signal with them: the perfect forecast, and lookups */
    scratch s;
    double mean_ci, mean_abs_price; /* over the whole signal: the noise's scale for "mean" */
    gsl_rng *noise_ci, *noise_price;
    char name_ci[200], name_price[200];
} region_fc;

struct ccs_forecast {
    ccs_forecast_params p;
    size_t n;
    region_fc *r;
};

static void prefix(const int64_t *t, const double *v, size_t n, double *out)
{
    out[0] = 0;
    for (size_t k = 0; k < n; k++) out[k + 1] = out[k] + v[k] * ((double)(t[k + 1] - t[k]) / CCS_US_PER_HOUR_F);
}

int ccs_forecast_create(const ccs_ledger *ledger, size_t n, const ccs_forecast_params *p, ccs_forecast **out,
                        ccs_err *err)
{
    *out = NULL;
    ccs_forecast *f = calloc(1, sizeof *f);
    if (!f) return ccs_err_set(err, CCS_ERUN, "out of memory");
    f->p = *p;
    f->n = n;
    f->r = calloc(n ? n : 1, sizeof *f->r);
    int ok = f->r != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        region_fc *r = &f->r[i];
        ccs_ledger_signal(ledger, (int)i, &r->sig);
        if (p->signal == CCS_SIGNAL_MARGINAL && r->sig.ci_marginal) r->sig.ci = r->sig.ci_marginal;
        r->ci_h = malloc((r->sig.n + 1) * sizeof *r->ci_h);
        r->price_h = malloc((r->sig.n + 1) * sizeof *r->price_h);
        ok = r->ci_h && r->price_h;
        if (!ok) break;
        prefix(r->sig.t, r->sig.ci, r->sig.n, r->ci_h);
        prefix(r->sig.t, r->sig.price, r->sig.n, r->price_h);
        r->actual = (ccs_window){r->sig.n, r->sig.t, r->sig.ci, r->sig.price, r->ci_h, r->price_h};
        double hours = (double)(r->sig.t[r->sig.n] - r->sig.t[0]) / CCS_US_PER_HOUR_F, abs_h = 0;
        for (size_t k = 0; k < r->sig.n; k++)
            abs_h += fabs(r->sig.price[k]) * ((double)(r->sig.t[k + 1] - r->sig.t[k]) / CCS_US_PER_HOUR_F);
        r->mean_ci = hours > 0 ? r->ci_h[r->sig.n] / hours : 0;
        r->mean_abs_price = hours > 0 ? abs_h / hours : 0;
        if (p->kind == CCS_FORECAST_NOISY) {
            snprintf(r->name_ci, sizeof r->name_ci, "forecast/%s/carbon", p->region_names[i]);
            snprintf(r->name_price, sizeof r->name_price, "forecast/%s/price", p->region_names[i]);
            r->noise_ci = ccs_rng_alloc();
            r->noise_price = ccs_rng_alloc();
            ok = r->noise_ci && r->noise_price;
        }
    }
    if (!ok) {
        ccs_forecast_destroy(f);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    *out = f;
    return 0;
}

void ccs_forecast_destroy(ccs_forecast *f)
{
    if (!f) return;
    for (size_t i = 0; f->r && i < f->n; i++) {
        region_fc *r = &f->r[i];
        free(r->ci_h);
        free(r->price_h);
        free(r->s.t);
        free(r->s.ci);
        free(r->s.price);
        free(r->s.ci_h);
        free(r->s.price_h);
        if (r->noise_ci) gsl_rng_free(r->noise_ci);
        if (r->noise_price) gsl_rng_free(r->noise_price);
    }
    free(f->r);
    free(f);
}

/* Relative standard deviation of the noisy forecast at horizon h. */
static double sigma_at(const ccs_forecast *f, int64_t horizon_us)
{
    double days = (double)(horizon_us > 0 ? horizon_us : 0) / (double)CCS_US_PER_DAY;
    switch (f->p.growth) {
    case CCS_GROWTH_LINEAR: return f->p.error * days;
    case CCS_GROWTH_CONSTANT: return f->p.error;
    default: return f->p.error * sqrt(days);
    }
}

static int scratch_push(scratch *s, int64_t a, int64_t b, double ci, double price)
{
    if (s->n + 1 >= s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        int64_t *t = realloc(s->t, cap * sizeof *t);
        if (t) s->t = t;
        double *c = realloc(s->ci, cap * sizeof *c);
        if (c) s->ci = c;
        double *q = realloc(s->price, cap * sizeof *q);
        if (q) s->price = q;
        double *ch = realloc(s->ci_h, cap * sizeof *ch);
        if (ch) s->ci_h = ch;
        double *qh = realloc(s->price_h, cap * sizeof *qh);
        if (qh) s->price_h = qh;
        if (!t || !c || !q || !ch || !qh) return -1;
        s->cap = cap;
    }
    s->t[s->n] = a;
    s->t[s->n + 1] = b;
    s->ci[s->n] = ci;
    s->price[s->n] = price;
    s->n++;
    return 0;
}

static void scratch_view(scratch *s, ccs_window *out)
{
    prefix(s->t, s->ci, s->n, s->ci_h);
    prefix(s->t, s->price, s->n, s->price_h);
    *out = (ccs_window){s->n, s->t, s->ci, s->price, s->ci_h, s->price_h};
}

/* "Same hour yesterday": a time h into the horizon takes the value observed floor(h / 1 day) + 1
 * days earlier, the last day seen at the decision. Limit: on the period's first day there is no
 * yesterday in the ledger, and the value is taken from the first day itself. */
static int persistence(region_fc *r, int64_t issue, int64_t to, ccs_window *out)
{
    const ccs_signal *g = &r->sig;
    r->s.n = 0;
    for (int64_t x = issue; x < to;) {
        int64_t k = (x - issue) / CCS_US_PER_DAY + 1;
        int64_t src = x - k * CCS_US_PER_DAY;
        if (src < g->t[0]) src += ((g->t[0] - src + CCS_US_PER_DAY - 1) / CCS_US_PER_DAY) * CCS_US_PER_DAY;
        size_t j = ccs_window_segment(&r->actual, src);
        int64_t y = x + (g->t[j + 1] - src), band_end = issue + k * CCS_US_PER_DAY;
        if (y > band_end) y = band_end;
        if (y > to) y = to;
        if (scratch_push(&r->s, x, y, g->ci[j], g->price[j]) != 0) return -1;
        x = y;
    }
    scratch_view(&r->s, out);
    return 0;
}

static int noisy(const ccs_forecast *f, region_fc *r, int64_t issue, int64_t to, ccs_window *out)
{
    const ccs_signal *g = &r->sig;
    gsl_rng_set(r->noise_ci, (unsigned long)ccs_rng_substream_seed(f->p.seed, r->name_ci, (uint64_t)issue));
    gsl_rng_set(r->noise_price, (unsigned long)ccs_rng_substream_seed(f->p.seed, r->name_price, (uint64_t)issue));
    r->s.n = 0;
    double zc = 0, zp = 0; /* the AR(1) errors at the previous segment's start */
    int64_t prev = issue;
    for (size_t k = ccs_window_segment(&r->actual, issue); k < g->n && g->t[k] < to; k++) {
        int64_t a = g->t[k] > issue ? g->t[k] : issue, b = g->t[k + 1] < to ? g->t[k + 1] : to;
        double sd = sigma_at(f, a - issue);
        double nc = gsl_ran_gaussian_ziggurat(r->noise_ci, 1.0), np = gsl_ran_gaussian_ziggurat(r->noise_price, 1.0);
        if (a == issue || f->p.corr <= 0) { /* the first point, or independent errors */
            zc = nc;
            zp = np;
        } else { /* e(a) = rho^dt e(prev) + sqrt(1 - rho^2dt) z: N(0, 1) at every point */
            double phi = pow(f->p.corr, (double)(a - prev) / CCS_US_PER_HOUR_F), innov = sqrt(1.0 - phi * phi);
            zc = phi * zc + innov * nc;
            zp = phi * zp + innov * np;
        }
        prev = a;
        double ci, price;
        if (f->p.scale == CCS_ERROR_OF_MEAN) { /* additive, sd a share of the mean */
            ci = g->ci[k] + sd * r->mean_ci * zc;
            price = g->price[k] + sd * r->mean_abs_price * zp;
        } else {
            ci = g->ci[k] * (1.0 + sd * zc);
            price = g->price[k] * (1.0 + sd * zp);
        }
        /* an intensity cannot go below zero; a price can */
        if (scratch_push(&r->s, a, b, ci > 0 ? ci : 0.0, price) != 0) return -1;
    }
    scratch_view(&r->s, out);
    return 0;
}

int ccs_forecast_window(ccs_forecast *f, int ri, int64_t issue, int64_t to, ccs_window *out)
{
    region_fc *r = &f->r[ri];
    const ccs_signal *g = &r->sig;
    if (to > g->t[g->n]) to = g->t[g->n];
    if (issue < g->t[0]) issue = g->t[0];
    if (to <= issue) {
        *out = (ccs_window){0};
        return 0;
    }
    if (f->p.kind == CCS_FORECAST_PERSISTENCE) return persistence(r, issue, to, out);
    if (f->p.kind == CCS_FORECAST_NOISY) return noisy(f, r, issue, to, out);
    size_t k0 = ccs_window_segment(&r->actual, issue), k1 = k0;
    while (k1 < g->n && g->t[k1] < to) k1++;
    *out = (ccs_window){k1 - k0, g->t + k0, g->ci + k0, g->price + k0, r->ci_h + k0, r->price_h + k0};
    return 0;
}
