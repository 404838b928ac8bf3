/* See sweep_stats.h. */
#include "sweep_stats.h"

#include "policy.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ccs_ci ccs_ci95(const double *v, size_t n)
{
    ccs_ci c = {NAN, NAN, NAN, 0};
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x) return c;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) x[c.n++] = v[i];
    if (c.n >= 1) c.mean = gsl_stats_mean(x, 1, c.n);
    if (c.n >= 2) {
        c.sd = gsl_stats_sd_m(x, 1, c.n, c.mean);
        c.half = gsl_cdf_tdist_Pinv(0.975, (double)(c.n - 1)) * c.sd / sqrt((double)c.n);
    } else if (c.n == 1) {
        c.sd = 0;
    }
    free(x);
    return c;
}

typedef struct xy_index {
    double x, y;
    size_t i;
} xy_index;

static int by_x_then_y(const void *a, const void *b)
{
    const xy_index *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    if (p->y != q->y) return p->y < q->y ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

void ccs_pareto_front(const double *x, const double *y, size_t n, int *on_front)
{
    xy_index *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        on_front[i] = 0;
        if (v && !isnan(x[i]) && !isnan(y[i])) v[m++] = (xy_index){x[i], y[i], i};
    }
    if (!v) return;
    qsort(v, m, sizeof *v, by_x_then_y);
    /* Sorted by x, then y: a point is on the front when its y is below every y seen at a smaller
     * x, or equals the front's last point exactly (a duplicate). */
    double best_y = INFINITY, last_x = NAN;
    for (size_t k = 0; k < m; k++) {
        if (v[k].y < best_y) {
            on_front[v[k].i] = 1;
            best_y = v[k].y;
            last_x = v[k].x;
        } else if (v[k].y == best_y && v[k].x == last_x) {
            on_front[v[k].i] = 1;
        }
    }
    free(v);
}

int ccs_sweep_ignores_tolerance(const char *policy)
{
    const ccs_policy_type *type = ccs_policy_find(policy);
    if (!type) return 0;
    for (size_t i = 0; i < type->nparams; i++)
        if (type->params[i].role == CCS_PARAM_COST_TOLERANCE) return 0;
    return 1;
}

/* Whether points p and q differ at most in the cost tolerance's parameter. */
static int differ_only_in_x(const ccs_sweep_table *t, size_t p, size_t q)
{
    char x_path[80];
    snprintf(x_path, sizeof x_path, "policy.%s", ccs_sweep_tolerance_column());
    for (size_t i = 0; i < t->nparams; i++)
        if (strcmp(t->paths[i], x_path) != 0 &&
            strcmp(t->values[p * t->nparams + i], t->values[q * t->nparams + i]) != 0)
            return 0;
    return 1;
}

/* Whether every seed of p and q was done and gave the same figures, to the bit. */
static int same_figures(const ccs_sweep_table *t, size_t p, size_t q)
{
    size_t k = (size_t)t->seeds;
    for (size_t i = 0; i < k; i++) {
        const ccs_sweep_row *a = &t->rows[p * k + i], *b = &t->rows[q * k + i];
        if (!a->done || !b->done) return 0;
        if (a->o.carbon_kg != b->o.carbon_kg || a->o.cost != b->o.cost || a->o.energy_kwh != b->o.energy_kwh ||
            a->o.base_carbon_kg != b->o.base_carbon_kg || a->o.base_cost != b->o.base_cost)
            return 0;
    }
    return 1;
}

/* A point of a policy that ignores X, differing from an earlier one only in X, is the same
 * scenario: the report shows it once. The declaration says it should be; identical figures at
 * every seed confirm it (a job with its own policy could still read the top-level X). */
static void find_twins(const ccs_sweep_table *t, ccs_point_stats *ps)
{
    for (size_t p = 0; p < t->npoints; p++) {
        ps[p].same_as = p;
        if (!ps[p].ignores_tolerance || (p + 1) * (size_t)t->seeds > t->nrows) continue;
        for (size_t q = 0; q < p; q++) {
            if (ps[q].same_as != q || strcmp(ps[q].policy, ps[p].policy) != 0) continue;
            if (differ_only_in_x(t, p, q) && same_figures(t, p, q)) {
                ps[p].same_as = q;
                break;
            }
        }
    }
}

static double pct(double value, double base) { return base != 0 ? 100.0 * (value - base) / fabs(base) : NAN; }

ccs_point_stats *ccs_sweep_point_stats(const ccs_sweep_table *t)
{
    ccs_point_stats *ps = calloc(t->npoints ? t->npoints : 1, sizeof *ps);
    size_t k = (size_t)t->seeds;
    double *buf = malloc(8 * (k ? k : 1) * sizeof *buf);
    if (!ps || !buf) {
        free(ps);
        free(buf);
        return NULL;
    }
    for (size_t p = 0; p < t->npoints; p++) {
        ccs_point_stats *s = &ps[p];
        s->point = p;
        double *saved = buf, *cost = buf + k, *p95 = buf + 2 * k, *fresh = buf + 3 * k;
        double *ckg = buf + 4 * k, *cabs = buf + 5 * k, *p95abs = buf + 6 * k, *fabs_h = buf + 7 * k;
        size_t n = 0, with_jobs = 0;
        double misses = 0, bmisses = 0, overrides = 0, fallbacks = 0, unproven = 0;
        double planned = 0, jobs_cost = 0, capped = 0, over = 0, broken = 0;
        for (size_t r = p * k; r < (p + 1) * k && r < t->nrows; r++) {
            const ccs_sweep_row *row = &t->rows[r];
            if (!row->done) continue;
            const ccs_sweep_outcome *o = &row->o;
            saved[n] = -pct(o->carbon_kg, o->base_carbon_kg);
            cost[n] = pct(o->cost, o->base_cost);
            p95[n] = o->base_p95_ms > 0 ? pct(o->p95_ms, o->base_p95_ms) : NAN;
            fresh[n] = o->freshness_h - o->base_freshness_h;
            ckg[n] = o->carbon_kg;
            cabs[n] = o->cost;
            p95abs[n] = o->base_p95_ms > 0 ? o->p95_ms : NAN;
            fabs_h[n] = o->freshness_h;
            misses += (double)o->misses;
            bmisses += (double)o->baseline_misses;
            overrides += (double)o->overrides;
            fallbacks += (double)o->fallbacks;
            unproven += (double)o->unproven;
            planned += o->planned_cost;
            jobs_cost += o->jobs_cost;
            capped += (double)o->capped_runs;
            over += (double)o->runs_over_cap;
            broken += (double)o->constraints_broken;
            s->breaks_constraint |= o->constraints_broken > 0;
            with_jobs += !(o->absent & CCS_SWEEP_NO_JOBS);
            s->cost_tolerance = o->cost_tolerance;
            memcpy(s->policy, o->policy, sizeof s->policy);
            n++;
        }
        s->seeds_done = n;
        s->no_jobs = n > 0 && with_jobs == 0;
        s->carbon_saved_pct = ccs_ci95(saved, n);
        s->cost_change_pct = ccs_ci95(cost, n);
        s->p95_change_pct = ccs_ci95(p95, n);
        s->freshness_change_h = ccs_ci95(fresh, n);
        s->carbon_kg = ccs_ci95(ckg, n);
        s->cost = ccs_ci95(cabs, n);
        s->p95_ms = ccs_ci95(p95abs, n);
        s->freshness_h = ccs_ci95(fabs_h, n);
        s->misses = n ? misses / (double)n : NAN;
        s->baseline_misses = n ? bmisses / (double)n : NAN;
        s->overrides = n ? overrides / (double)n : NAN;
        s->fallbacks = n ? fallbacks / (double)n : NAN;
        s->unproven = n ? unproven / (double)n : NAN;
        s->planned_cost = n ? planned / (double)n : NAN;
        s->jobs_cost = n ? jobs_cost / (double)n : NAN;
        s->capped_runs = n ? capped / (double)n : NAN;
        s->runs_over_cap = n ? over / (double)n : NAN;
        s->constraints_broken = n ? broken / (double)n : NAN;
        s->ignores_tolerance = n > 0 && ccs_sweep_ignores_tolerance(s->policy);
        /* within when the mean extra cost is at most X; a cost change that is not defined (a
         * zero baseline cost) is within only at zero extra cost */
        double c = s->cost_change_pct.mean;
        s->within_tolerance = n > 0 && (isnan(c) ? s->cost.mean <= 0 : c <= 100.0 * s->cost_tolerance + 1e-9);
    }
    free(buf);
    find_twins(t, ps);
    return ps;
}

int ccs_sweep_has_param(const ccs_sweep_table *t, const char *path)
{
    for (size_t i = 0; i < t->nparams; i++)
        if (strcmp(t->paths[i], path) == 0) return 1;
    return 0;
}

int ccs_sweep_has_tolerance_param(const ccs_sweep_table *t)
{
    char path[80];
    snprintf(path, sizeof path, "policy.%s", ccs_sweep_tolerance_column());
    return ccs_sweep_has_param(t, path);
}

void ccs_sweep_display_value(const char *value, char *buf, size_t size)
{
    size_t len = strlen(value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
        size_t k = 0;
        for (size_t i = 1; i + 1 < len && k + 1 < size; i++) {
            if (value[i] == '\\' && i + 2 < len) i++;
            buf[k++] = value[i];
        }
        buf[k] = '\0';
    } else {
        snprintf(buf, size, "%s", value);
    }
}

void ccs_sweep_point_label(const ccs_sweep_table *t, size_t point, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < t->nparams; i++) {
        char v[256];
        ccs_sweep_display_value(t->values[point * t->nparams + i], v, sizeof v);
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s=%s", i ? ", " : "", t->paths[i], v);
    }
}
