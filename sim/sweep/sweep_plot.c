/* The sweep's pictures, drawn by gnuplot from the templates in plots/: carbon against cost, P95
 * and freshness (tradeoff.gp), and the hours of one run (timeseries.gp), each as PNG and SVG.
 * This file only supplies terminals, names and data; the templates hold the look. Every text
 * (titles, labels, names, paths) goes to gnuplot through ccs_gp_quote, never pasted. */
#include "sweep_plot.h"

#include "out_h5.h"
#include "out_plot.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SHOW_ALL_HOURS = 31 * 24, SHOW_FIRST_HOURS = 14 * 24 };

/* Runs a template twice, as PNG and as SVG, each to a temporary name renamed when done. */
static int draw(const char *tpl_name, const char *head, const char *data, const char *dir, const char *base, int height,
                ccs_err *err)
{
    char *tpl = ccs_plot_template(tpl_name);
    if (!tpl) return ccs_err_set(err, CCS_EIO, "plot template %s not found (set CCSIM_PLOTS_DIR)", tpl_name);
    static const char *ext[2] = {"png", "svg"};
    static const char *term[2] = {"pngcairo size 1000,%d font 'DejaVu Sans,10'",
                                  "svg size 1000,%d dynamic font 'DejaVu Sans,10' background '#ffffff'"};
    int rc = 0;
    for (int i = 0; i < 2 && !rc; i++) {
        char out[4400], tmp[4500], t[256];
        snprintf(out, sizeof out, "%s/%s.%s", dir, base, ext[i]);
        snprintf(tmp, sizeof tmp, "%s/.%s.%s.tmp", dir, base, ext[i]);
        snprintf(t, sizeof t, term[i], height);
        char *script = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&script, &len);
        if (!f) {
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            break;
        }
        fprintf(f, "set terminal %s\nset output ", t);
        ccs_gp_quote(f, tmp);
        fprintf(f, "\n%s%s%s\nset output\n", head, data, tpl);
        fclose(f);
        rc = ccs_gnuplot(script, len, err);
        free(script);
        if (!rc && rename(tmp, out) != 0) rc = ccs_err_at(err, CCS_EIO, out, 0, 0, "cannot write");
        if (rc) unlink(tmp);
    }
    free(tpl);
    return rc;
}

typedef struct axis {
    const char *base, *label;
    const ccs_ci *(*of)(const ccs_point_stats *);
    double (*baseline)(const ccs_sweep_row *);
} axis;

static const ccs_ci *cost_of(const ccs_point_stats *s) { return &s->cost; }
static const ccs_ci *p95_of(const ccs_point_stats *s) { return &s->p95_ms; }
static const ccs_ci *fresh_of(const ccs_point_stats *s) { return &s->freshness_h; }
static double base_cost(const ccs_sweep_row *r) { return r->o.base_cost; }
static double base_p95(const ccs_sweep_row *r) { return r->o.base_p95_ms > 0 ? r->o.base_p95_ms : NAN; }
static double base_fresh(const ccs_sweep_row *r) { return r->o.base_freshness_h; }

static int tradeoff(const ccs_sweep_table *t, const ccs_point_stats *ps, const axis *ax, const char *xlabel,
                    const char *dir, ccs_err *err)
{
    size_t n = t->npoints;
    double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
    int *front = malloc((n + 1) * sizeof *front);
    size_t *order = malloc((n + 1) * sizeof *order);
    if (!x || !y || !front || !order) {
        free(x), free(y), free(front), free(order);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    int any = 0;
    for (size_t p = 0; p < n; p++) {
        x[p] = ax->of(&ps[p])->mean;
        y[p] = ps[p].carbon_kg.mean;
        any |= !isnan(x[p]) && !isnan(y[p]);
    }
    /* A freshness axis without jobs, or a P95 axis without services, has nothing to show. */
    int rc = 0;
    if (any && strcmp(ax->base, "carbon-vs-freshness") == 0) {
        any = 0;
        for (size_t p = 0; p < n; p++) any |= x[p] != 0;
    }
    if (!any) goto out;
    ccs_pareto_front(x, y, n, front);
    char *head = NULL, *data = NULL;
    size_t hlen = 0, dlen = 0;
    FILE *h = open_memstream(&head, &hlen), *d = open_memstream(&data, &dlen);
    if (!h || !d) {
        if (h) fclose(h);
        if (d) fclose(d);
        free(head), free(data);
        rc = ccs_err_set(err, CCS_ERUN, "out of memory");
        goto out;
    }
    char title[512], seeds[64];
    snprintf(title, sizeof title, "%s: carbon against %s, %zu sweep points", t->scenario, ax->label, n);
    snprintf(seeds, sizeof seeds, "%d seed%s", t->seeds, t->seeds == 1 ? "" : "s");
    ccs_gp_set(h, "title_text", title);
    ccs_gp_set(h, "xlabel_text", xlabel);
    ccs_gp_set(h, "ylabel_text", "carbon (kg CO2e over the period)");
    ccs_gp_set(h, "seeds_text", seeds);
    /* Every point is labelled P<point> as in the report. Points that coincide (a parameter the
     * policy ignores) are labelled once, together, by the first of them ("P1=P4=P7"), so that a
     * reader sees that several points sit there; the others get an empty label. Column 7: on the
     * Pareto front (its label drawn in the front's colour). */
    fprintf(d, "$points << EOD\n");
    for (size_t p = 0; p < n; p++) {
        if (isnan(x[p]) || isnan(y[p])) continue;
        char label[256] = "";
        size_t first = p;
        for (size_t q = 0; q < p && first == p; q++)
            if (x[q] == x[p] && y[q] == y[p]) first = q;
        for (size_t q = p; first == p && q < n; q++)
            if (q == p || (x[q] == x[p] && y[q] == y[p]))
                snprintf(label + strlen(label), sizeof label - strlen(label), "%sP%zu", q == p ? "" : "=", q);
        fprintf(d, "%.10g %.10g %.10g %.10g %zu \"%s\" %d\n", x[p], y[p], ax->of(&ps[p])->sd, ps[p].carbon_kg.sd, p,
                label, front[p] != 0);
    }
    fprintf(d, "EOD\n$front << EOD\n");
    size_t m = 0;
    for (size_t p = 0; p < n; p++)
        if (front[p]) order[m++] = p;
    for (size_t i = 1; i < m; i++) /* by x, few points: insertion sort */
        for (size_t j = i; j > 0 && (x[order[j]] < x[order[j - 1]] ||
                                     (x[order[j]] == x[order[j - 1]] && y[order[j]] < y[order[j - 1]]));
             j--) {
            size_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    /* points that coincide (a parameter the policy ignores) are drawn and labelled once, by the
     * first of them; the report lists them all */
    for (size_t i = 0; i < m; i++)
        if (i == 0 || x[order[i]] != x[order[i - 1]] || y[order[i]] != y[order[i - 1]])
            fprintf(d, "%.10g %.10g %zu\n", x[order[i]], y[order[i]], order[i]);
    /* the baseline: mean over the seeds of the first point (every point has the same baseline
     * for the same seed, unless a swept parameter changes the baseline itself) */
    double bx = 0, by = 0;
    size_t nb = 0;
    for (size_t r = 0; r < t->nrows && r < (size_t)t->seeds; r++)
        if (t->rows[r].done) bx += ax->baseline(&t->rows[r]), by += t->rows[r].o.base_carbon_kg, nb++;
    /* one baseline for the whole sweep only when no swept parameter changes it (a batching
     * window does: then each point has its own run-now, and no single marker is drawn) */
    int one_baseline = 1;
    for (size_t r = 0; r < t->nrows; r++)
        if (t->rows[r].done && t->rows[r].o.base_carbon_kg != t->rows[r % (size_t)t->seeds].o.base_carbon_kg)
            one_baseline = 0;
    fprintf(d, "EOD\n$base << EOD\n");
    int have_base = nb && !isnan(bx) && one_baseline;
    if (have_base)
        fprintf(d, "%.10g %.10g\n", bx / (double)nb, by / (double)nb);
    else
        fprintf(d, "0 0\n");
    fprintf(d, "EOD\nhave_base = %d\n", have_base);
    fclose(h);
    fclose(d);
    rc = draw("tradeoff.gp", head, data, dir, ax->base, 700, err);
    free(head);
    free(data);
out:
    free(x), free(y), free(front), free(order);
    return rc;
}

/* The run the time-series picture shows: the point with the largest mean carbon saving within
 * its price tolerance (any point if none is within), first seed. */
static size_t showcase_point(const ccs_sweep_table *t, const ccs_point_stats *ps)
{
    size_t best = 0;
    double best_saved = -INFINITY;
    for (int pass = 0; pass < 2 && best_saved == -INFINITY; pass++)
        for (size_t p = 0; p < t->npoints; p++) {
            double s = ps[p].carbon_saved_pct.mean;
            if ((pass == 1 || ps[p].within_tolerance) && !isnan(s) && s > best_saved) best_saved = s, best = p;
        }
    return best;
}

/* Whether the region had a price: its price_source attribute is not "none". A region without a
 * price stores zeros, which a plot would show as a price of 0. Unreadable: taken to have one. */
static int has_price(hid_t g)
{
    char buf[64];
    return ccs_h5_read_str_attr(g, "price_source", buf, sizeof buf) != 0 || strcmp(buf, "none") != 0;
}

static int read_series(hid_t g, const char *name, size_t n, double *out)
{
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t sp = H5Dget_space(ds);
    hssize_t k = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    int rc = (size_t)k != n || H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0 ? -1 : 0;
    H5Dclose(ds);
    return rc;
}

int ccs_sweep_plot_run(const ccs_sweep_table *t, const char *dir, const char *run_name, ccs_err *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char path[4400];
    snprintf(path, sizeof path, "%s/runs/%s/results.h5", dir, run_name);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read");
    hid_t regions = H5Gopen2(f, "regions", H5P_DEFAULT);
    H5G_info_t info = {0};
    if (regions < 0 || H5Gget_info(regions, &info) < 0 || info.nlinks == 0) {
        if (regions >= 0) H5Gclose(regions);
        H5Fclose(f);
        return 0; /* no grid signal: nothing to draw */
    }
    char *head = NULL, *data = NULL;
    size_t hlen = 0, dlen = 0, shown = 0, total = 0;
    FILE *h = open_memstream(&head, &hlen), *d = open_memstream(&data, &dlen);
    int rc = !h || !d ? ccs_err_set(err, CCS_ERUN, "out of memory") : 0;
    if (!rc) fprintf(d, "$data << EOD\n");
    for (hsize_t i = 0; !rc && i < info.nlinks; i++) {
        char name[256];
        H5Lget_name_by_idx(regions, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        char var[32];
        snprintf(var, sizeof var, "region%d", (int)i + 1);
        ccs_gp_set(h, var, name);
        hid_t g = H5Gopen2(regions, name, H5P_DEFAULT);
        snprintf(var, sizeof var, "price%d", (int)i + 1);
        fprintf(h, "%s = %d\n", var, has_price(g));
        hid_t ds = H5Dopen2(g, "hour_utc_s", H5P_DEFAULT);
        hid_t sp = H5Dget_space(ds);
        size_t n = (size_t)H5Sget_simple_extent_npoints(sp);
        H5Sclose(sp);
        int64_t *hour = malloc((n ? n : 1) * sizeof *hour);
        double *v = malloc(4 * (n ? n : 1) * sizeof *v);
        rc = !hour || !v || H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, hour) < 0 ||
             read_series(g, "intensity_g_per_kwh", n, v) || read_series(g, "price_per_mwh", n, v + n) ||
             read_series(g, "baseline_energy_kwh", n, v + 2 * n) || read_series(g, "energy_kwh", n, v + 3 * n);
        if (rc) rc = ccs_err_at(err, CCS_EIO, path, 0, 0, "region %s: hourly series not readable", name);
        size_t show = n > SHOW_ALL_HOURS ? SHOW_FIRST_HOURS : n;
        if (i > 0) fprintf(d, "\n\n");
        for (size_t k = 0; !rc && k < show; k++) {
            fprintf(d, "%lld %.6g ", (long long)hour[k], v[k]);
            if (isnan(v[n + k]))
                fprintf(d, "? ");
            else
                fprintf(d, "%.6g ", v[n + k]);
            fprintf(d, "%.6g %.6g\n", v[2 * n + k], v[3 * n + k]);
        }
        shown = show, total = n;
        free(hour);
        free(v);
        H5Dclose(ds);
        H5Gclose(g);
    }
    H5Gclose(regions);
    H5Fclose(f);
    if (h) {
        char title[512];
        snprintf(title, sizeof title, "%s, run %s%s", t->scenario, run_name, shown < total ? " (first 14 days)" : "");
        fprintf(h, "nregions = %d\n", (int)info.nlinks);
        ccs_gp_set(h, "title_text", title);
        ccs_gp_set(h, "currency", t->currency);
        fclose(h);
    }
    if (d) {
        fprintf(d, "EOD\n");
        fclose(d);
    }
    if (!rc) rc = draw("timeseries.gp", head, data, dir, "timeseries", 140 + 520 * (int)info.nlinks, err);
    free(head);
    free(data);
    return rc;
}

int ccs_sweep_plot(const ccs_sweep_table *t, const ccs_point_stats *ps, const char *dir, ccs_err *err)
{
    char cost_label[128];
    snprintf(cost_label, sizeof cost_label, "cost (%s over the period)", t->currency);
    static const axis axes[3] = {{"carbon-vs-cost", "cost", cost_of, base_cost},
                                 {"carbon-vs-p95", "P95 latency", p95_of, base_p95},
                                 {"carbon-vs-freshness", "freshness", fresh_of, base_fresh}};
    const char *labels[3] = {cost_label, "P95 latency of the slowest service (ms)",
                             "mean age of the jobs' outputs (h)"};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) rc = tradeoff(t, ps, &axes[i], labels[i], dir, err);
    if (!rc) {
        size_t p = showcase_point(t, ps);
        rc = ccs_sweep_plot_run(t, dir, t->rows[p * (size_t)t->seeds].name, err);
    }
    return rc;
}
