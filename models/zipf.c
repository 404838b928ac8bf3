/* Rejection-inversion for Zipf; see zipf.h. With H(x) = (x^(1-s) - 1) / (1 - s) (log x at
 * s = 1), an integral of h(x) = x^-s, the hat over key k is h on [k - 1/2, k + 1/2]; key 1's
 * share is cut to exactly h(1) = 1 by starting the range at H(1.5) - 1. A point x drawn by
 * inverting H uniformly over the range rounds to k, and is kept when it falls inside the part of
 * k's hat whose area is h(k), so every key is drawn with probability proportional to k^-s. The
 * squeeze `accept` saves the test's two transcendental calls on most draws. The helpers keep
 * (e^x - 1)/x and log(1 + x)/x accurate near 0, where s is near 1. */
#include "zipf.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <math.h>

static double log1p_over_x(double x)
{
    return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

static double expm1_over_x(double x)
{
    return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}

static double big_h(double s, double x)
{
    double lx = log(x);
    return expm1_over_x((1.0 - s) * lx) * lx;
}

static double small_h(double s, double x) { return exp(-s * log(x)); }

static double big_h_inv(double s, double y)
{
    double t = y * (1.0 - s);
    if (t < -1.0) t = -1.0; /* rounding at the range's end: H's inverse is defined down to -1 */
    /* exp(log1p(t) / (1 - s)); log(1 + t) is several times faster than log1p and as good where
     * t is not small (its rounding is 1e-16 / |t| relative: 1e-12 at the cut) */
    if (fabs(t) > 1e-4) return exp(log(1.0 + t) / (1.0 - s));
    return exp(log1p_over_x(t) * y);
}

void ccs_zipf_init(ccs_zipf *z, long n, double s)
{
    z->n = n;
    z->s = s;
    z->h_x1 = big_h(s, 1.5) - 1.0;
    z->h_n = big_h(s, (double)n + 0.5);
    z->accept = 2.0 - big_h_inv(s, big_h(s, 2.5) - small_h(s, 2.0));
}

/* The key a point x of the range rounds to, in 1..n. */
static long key_of(const ccs_zipf *z, double x)
{
    long k = (long)(x + 0.5);
    return k < 1 ? 1 : k > z->n ? z->n : k;
}

/* Whether the point x drawn from u, which rounds to k, lies in the part of k's hat kept. */
static int kept(const ccs_zipf *z, double u, double x, long k)
{
    return (double)k - x <= z->accept || u >= big_h(z->s, (double)k + 0.5) - small_h(z->s, (double)k);
}

static double spread(const ccs_zipf *z, gsl_rng *rng) { return z->h_n + gsl_rng_uniform(rng) * (z->h_x1 - z->h_n); }

long ccs_zipf_draw(const ccs_zipf *z, gsl_rng *rng)
{
    for (;;) {
        double u = spread(z, rng), x = big_h_inv(z->s, u);
        long k = key_of(z, x);
        if (kept(z, u, x, k)) return k;
    }
}

void ccs_zipf_draw_n(const ccs_zipf *z, gsl_rng *rng, long *out, size_t n)
{
    enum { BLOCK = 64 };
    double u[BLOCK], x[BLOCK];
    size_t done = 0;
    while (done < n) {
        /* as many uniforms as keys still wanted: each gives a key or is rejected, so none is left
         * over, and the stream is read in the order ccs_zipf_draw reads it */
        size_t m = n - done < BLOCK ? n - done : BLOCK;
        for (size_t i = 0; i < m; i++) u[i] = spread(z, rng);
        for (size_t i = 0; i < m; i++) x[i] = big_h_inv(z->s, u[i]); /* independent: they overlap */
        for (size_t i = 0; i < m; i++) {
            long k = key_of(z, x[i]);
            if (kept(z, u[i], x[i], k)) out[done++] = k;
        }
    }
}

typedef struct tail_fn {
    double s;
    double (*f)(double w, void *ctx);
    void *ctx;
} tail_fn;

/* the tail's integrand in u = log x: f(x^-s) x, smooth and slowly varying in u */
static double tail_integrand(double u, void *p)
{
    const tail_fn *t = p;
    return t->f(exp(-t->s * u), t->ctx) * exp(u);
}

double ccs_zipf_sum(long n, double s, double (*f)(double w, void *ctx), void *ctx)
{
    enum { HEAD = 20000 };
    double tail = 0;
    if (n > HEAD) {
        tail_fn t = {s, f, ctx};
        gsl_function fn = {tail_integrand, &t};
        gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
        double abserr;
        gsl_error_handler_t *old = gsl_set_error_handler_off(); /* a tolerance not met is still close */
        if (ws)
            gsl_integration_qag(&fn, log(HEAD + 0.5), log((double)n + 0.5), 0, 1e-13, 200, GSL_INTEG_GAUSS61, ws, &tail,
                                &abserr);
        gsl_set_error_handler(old);
        gsl_integration_workspace_free(ws);
    }
    double head = 0;
    for (long k = n < HEAD ? n : HEAD; k >= 1; k--) head += f(pow((double)k, -s), ctx); /* smallest first */
    return head + tail;
}

static double identity(double w, void *ctx)
{
    (void)ctx;
    return w;
}

double ccs_zipf_norm(long n, double s) { return ccs_zipf_sum(n, s, identity, NULL); }
