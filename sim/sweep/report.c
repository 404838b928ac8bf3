/* The finance sign-off report of a sweep: report.md, report.csv and a self-contained report.html
 * with the plots inline. The tables are built once as text cells and rendered twice (Markdown,
 * HTML), so the two always say the same. */
#include "report.h"

#include "ccs_csv.h"
#include "out_fs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CELL = 160, MAX_COLS = 16 };

typedef struct table {
    const char *caption;
    size_t ncols, nrows, cap;
    const char *head[MAX_COLS];
    char (*cells)[MAX_COLS][CELL];
} table;

static char (*table_row(table *tb))[CELL]
{
    if (tb->nrows == tb->cap) {
        size_t cap = tb->cap ? 2 * tb->cap : 32;
        void *c = realloc(tb->cells, cap * sizeof *tb->cells);
        if (!c) return NULL;
        tb->cells = c;
        tb->cap = cap;
    }
    memset(tb->cells[tb->nrows], 0, sizeof tb->cells[tb->nrows]);
    return tb->cells[tb->nrows++];
}

static void fmt_ci(char *buf, const ccs_ci *c, int signed_)
{
    if (isnan(c->mean))
        snprintf(buf, CELL, "n/a");
    else if (isnan(c->half))
        snprintf(buf, CELL, signed_ ? "%+.2f" : "%.2f", c->mean);
    else
        snprintf(buf, CELL, signed_ ? "%+.2f (%+.2f to %+.2f)" : "%.2f (%.2f to %.2f)", c->mean, c->mean - c->half,
                 c->mean + c->half);
}

static void fmt_num(char *buf, double v, const char *fmt)
{
    if (isnan(v))
        snprintf(buf, CELL, "n/a");
    else
        snprintf(buf, CELL, fmt, v);
}

/* ---- the content ---- */

typedef struct report {
    const ccs_sweep_table *t;
    const ccs_point_stats *ps;
    char intro[2048];
    char **headlines;
    size_t nheadlines;
    table signoff, recommend, knobs;
} report;

static void add_line(report *r, char ***lines, size_t *n, const char *text)
{
    (void)r;
    char **l = realloc(*lines, (*n + 1) * sizeof *l);
    if (!l) return;
    *lines = l;
    l[(*n)++] = strdup(text);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void build_headlines(report *r)
{
    const ccs_sweep_table *t = r->t;
    const ccs_point_stats *ps = r->ps;
    double *xs = malloc((t->npoints ? t->npoints : 1) * sizeof *xs);
    size_t nx = 0;
    for (size_t p = 0; xs && p < t->npoints; p++) xs[nx++] = ps[p].cost_tolerance;
    if (!xs) return;
    qsort(xs, nx, sizeof *xs, cmp_double);
    for (size_t i = 0; i < nx; i++) {
        if (i > 0 && xs[i] == xs[i - 1]) continue;
        double x = xs[i];
        size_t best = SIZE_MAX;
        for (size_t p = 0; p < t->npoints; p++) {
            double c = ps[p].cost_change_pct.mean, s = ps[p].carbon_saved_pct.mean;
            if (ps[p].seeds_done == 0 || isnan(s) || !(c <= 100.0 * x + 1e-9)) continue;
            if (best == SIZE_MAX || s > ps[best].carbon_saved_pct.mean) best = p;
        }
        char line[1200], label[600], ci[CELL];
        if (best == SIZE_MAX) {
            snprintf(line, sizeof line, "At %g%% price tolerance, no sweep point stays within the tolerance.", 100 * x);
        } else {
            ccs_sweep_point_label(t, best, label, sizeof label);
            const ccs_point_stats *b = &ps[best];
            if (isnan(b->carbon_saved_pct.half))
                snprintf(ci, sizeof ci, "one seed, no interval");
            else
                snprintf(ci, sizeof ci, "95%% CI %.2f to %.2f%%", b->carbon_saved_pct.mean - b->carbon_saved_pct.half,
                         b->carbon_saved_pct.mean + b->carbon_saved_pct.half);
            snprintf(line, sizeof line,
                     "At %g%% price tolerance, the largest carbon saving is **%.2f%%** (%s), at a cost change of "
                     "%+.2f%%, with P%zu (%s).",
                     100 * x, b->carbon_saved_pct.mean, ci, b->cost_change_pct.mean, best, label);
        }
        add_line(r, &r->headlines, &r->nheadlines, line);
    }
    free(xs);
}

static void build_signoff(report *r)
{
    const ccs_sweep_table *t = r->t;
    table *tb = &r->signoff;
    static const char *head[] = {"point",
                                 "parameters",
                                 "policy",
                                 "X (price tolerance)",
                                 "carbon saved % (95% CI)",
                                 "cost change % (95% CI)",
                                 "within X",
                                 "P95 change %",
                                 "freshness change (h)",
                                 "deadline misses per run (run-now)",
                                 "overrides per run",
                                 "fallbacks per run",
                                 "unproven plans per run",
                                 "carbon (kg CO2e)",
                                 "cost"};
    tb->ncols = sizeof head / sizeof head[0];
    memcpy(tb->head, head, sizeof head);
    for (size_t p = 0; p < t->npoints; p++) {
        const ccs_point_stats *s = &r->ps[p];
        char(*c)[CELL] = table_row(tb);
        if (!c) return;
        char label[600];
        ccs_sweep_point_label(t, p, label, sizeof label);
        snprintf(c[0], CELL, "P%zu", p);
        snprintf(c[1], CELL, "%s", label);
        snprintf(c[2], CELL, "%s", s->policy);
        snprintf(c[3], CELL, "%g%%", 100 * s->cost_tolerance);
        fmt_ci(c[4], &s->carbon_saved_pct, 1);
        fmt_ci(c[5], &s->cost_change_pct, 1);
        snprintf(c[6], CELL, "%s", s->within_tolerance ? "yes" : "**no**");
        fmt_num(c[7], s->p95_change_pct.mean, "%+.2f");
        fmt_num(c[8], s->freshness_change_h.mean, "%+.3f");
        snprintf(c[9], CELL, "%.2f (%.2f)", s->misses, s->baseline_misses);
        fmt_num(c[10], s->overrides, "%.2f");
        fmt_num(c[11], s->fallbacks, "%.2f");
        fmt_num(c[12], s->unproven, "%.2f");
        fmt_num(c[13], s->carbon_kg.mean, "%.4g");
        fmt_num(c[14], s->cost.mean, "%.4g");
    }
}

typedef struct ranked {
    size_t p;
    double saved_kg, extra_cost, score; /* score: kg saved per unit of extra cost; free wins first */
    int free_win;
} ranked;

static int by_score(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->free_win != y->free_win) return y->free_win - x->free_win;
    double sx = x->free_win ? x->saved_kg : x->score, sy = y->free_win ? y->saved_kg : y->score;
    if (sx != sy) return sx > sy ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

static void build_recommendations(report *r)
{
    const ccs_sweep_table *t = r->t;
    table *tb = &r->recommend;
    static const char *head[] = {"rank",
                                 "point",
                                 "parameters",
                                 "carbon saved (kg CO2e per run)",
                                 "extra cost per run",
                                 "kg CO2e saved per unit of extra cost"};
    tb->ncols = sizeof head / sizeof head[0];
    memcpy(tb->head, head, sizeof head);
    ranked *rk = calloc(t->npoints ? t->npoints : 1, sizeof *rk);
    if (!rk) return;
    size_t n = 0;
    for (size_t p = 0; p < t->npoints; p++) {
        double saved = 0, extra = 0;
        size_t k = 0;
        for (size_t i = p * (size_t)t->seeds; i < (p + 1) * (size_t)t->seeds && i < t->nrows; i++) {
            if (!t->rows[i].done) continue;
            saved += t->rows[i].o.base_carbon_kg - t->rows[i].o.carbon_kg;
            extra += t->rows[i].o.cost - t->rows[i].o.base_cost;
            k++;
        }
        if (!k) continue;
        saved /= (double)k, extra /= (double)k;
        if (!(saved > 1e-12)) continue; /* saves nothing: not a recommendation */
        rk[n++] = (ranked){p, saved, extra, extra > 1e-12 ? saved / extra : INFINITY, extra <= 1e-12};
    }
    qsort(rk, n, sizeof *rk, by_score);
    for (size_t i = 0; i < n && i < 5; i++) {
        char(*c)[CELL] = table_row(tb);
        if (!c) break;
        char label[600];
        ccs_sweep_point_label(t, rk[i].p, label, sizeof label);
        snprintf(c[0], CELL, "%zu", i + 1);
        snprintf(c[1], CELL, "P%zu", rk[i].p);
        snprintf(c[2], CELL, "%s", label);
        snprintf(c[3], CELL, "%.4g", rk[i].saved_kg);
        snprintf(c[4], CELL, "%+.4g %s", rk[i].extra_cost, t->currency);
        if (rk[i].free_win)
            snprintf(c[5], CELL, "no extra cost");
        else
            snprintf(c[5], CELL, "%.4g kg per %s", rk[i].score, t->currency);
    }
    free(rk);
}

/* Main effects: for each parameter, the mean carbon and cost over the points at each of its
 * values; the knob's effect is going from its dirtiest value to its cleanest. */
static void build_knobs(report *r)
{
    const ccs_sweep_table *t = r->t;
    table *tb = &r->knobs;
    static const char *head[] = {"rank",
                                 "parameter",
                                 "cleanest value",
                                 "dirtiest value",
                                 "carbon saved (kg CO2e, % of dirtiest)",
                                 "cost change",
                                 "kg CO2e saved per unit of extra cost"};
    tb->ncols = sizeof head / sizeof head[0];
    memcpy(tb->head, head, sizeof head);
    typedef struct knob {
        size_t param, lo, hi;
        double dc, dcost, carbon_hi;
    } knob;
    knob *kn = calloc(t->nparams ? t->nparams : 1, sizeof *kn);
    size_t nk = 0;
    for (size_t i = 0; kn && i < t->nparams; i++) {
        size_t nv = 0;
        /* the distinct values in first-seen order: point p's value index */
        double *carbon = calloc(t->npoints, sizeof *carbon), *cost = calloc(t->npoints, sizeof *cost);
        size_t *count = calloc(t->npoints, sizeof *count), *first = calloc(t->npoints, sizeof *first);
        for (size_t p = 0; carbon && cost && count && first && p < t->npoints; p++) {
            const char *v = t->values[p * t->nparams + i];
            size_t j = 0;
            while (j < nv && strcmp(t->values[first[j] * t->nparams + i], v) != 0) j++;
            if (j == nv) first[nv++] = p;
            if (r->ps[p].seeds_done == 0) continue;
            carbon[j] += r->ps[p].carbon_kg.mean;
            cost[j] += r->ps[p].cost.mean;
            count[j]++;
        }
        size_t lo = SIZE_MAX, hi = SIZE_MAX;
        for (size_t j = 0; count && j < nv; j++) {
            if (!count[j]) continue;
            carbon[j] /= (double)count[j], cost[j] /= (double)count[j];
            if (lo == SIZE_MAX || carbon[j] < carbon[lo]) lo = j;
            if (hi == SIZE_MAX || carbon[j] > carbon[hi]) hi = j;
        }
        if (nv > 1 && lo != SIZE_MAX)
            kn[nk++] = (knob){i, first[lo], first[hi], carbon[hi] - carbon[lo], cost[lo] - cost[hi], carbon[hi]};
        free(carbon), free(cost), free(count), free(first);
    }
    /* ranked by carbon saved per unit of extra cost: knobs that save without extra cost first,
     * by how much they save */
    for (size_t a = 0; a < nk; a++)
        for (size_t b = a + 1; b < nk; b++) {
            int fa = kn[a].dcost <= 1e-12, fb = kn[b].dcost <= 1e-12;
            double sa = fa ? kn[a].dc : kn[a].dc / kn[a].dcost, sb = fb ? kn[b].dc : kn[b].dc / kn[b].dcost;
            if (fb > fa || (fb == fa && sb > sa)) {
                knob tmp = kn[a];
                kn[a] = kn[b];
                kn[b] = tmp;
            }
        }
    for (size_t a = 0; a < nk; a++) {
        char(*c)[CELL] = table_row(tb);
        if (!c) break;
        char v[256];
        snprintf(c[0], CELL, "%zu", a + 1);
        snprintf(c[1], CELL, "%s", t->paths[kn[a].param]);
        ccs_sweep_display_value(t->values[kn[a].lo * t->nparams + kn[a].param], v, sizeof v);
        snprintf(c[2], CELL, "%s", v);
        ccs_sweep_display_value(t->values[kn[a].hi * t->nparams + kn[a].param], v, sizeof v);
        snprintf(c[3], CELL, "%s", v);
        snprintf(c[4], CELL, "%.4g (%.2f%%)", kn[a].dc, kn[a].carbon_hi > 0 ? 100 * kn[a].dc / kn[a].carbon_hi : 0.0);
        snprintf(c[5], CELL, "%+.4g %s", kn[a].dcost, t->currency);
        if (kn[a].dcost <= 1e-12)
            snprintf(c[6], CELL, "no extra cost");
        else
            snprintf(c[6], CELL, "%.4g kg per %s", kn[a].dc / kn[a].dcost, t->currency);
    }
    free(kn);
}

static void build(report *r)
{
    const ccs_sweep_table *t = r->t;
    size_t used = 0;
    used += (size_t)snprintf(r->intro + used, sizeof r->intro - used,
                             "%zu sweep points x %d seed%s = %zu runs of `%s`. Parameters: ", t->npoints, t->seeds,
                             t->seeds == 1 ? "" : "s", t->nrows, t->scenario);
    for (size_t i = 0; i < t->nparams && used < sizeof r->intro; i++)
        used += (size_t)snprintf(r->intro + used, sizeof r->intro - used, "%s`%s`", i ? ", " : "", t->paths[i]);
    if (used < sizeof r->intro)
        snprintf(r->intro + used, sizeof r->intro - used,
                 ". Carbon saved and cost change are paired: each run against run-now on the same seed (same "
                 "arrivals and forecast errors), then the mean over seeds with its 95%% confidence interval "
                 "(Student's t, seeds - 1 degrees of freedom). A point is within X when its mean cost change is at "
                 "most X, its policy.%s. P95 is the slowest service's; freshness the mean age of the "
                 "jobs' outputs.",
                 ccs_sweep_tolerance_column());
    build_headlines(r);
    build_signoff(r);
    build_recommendations(r);
    build_knobs(r);
}

static void report_free(report *r)
{
    for (size_t i = 0; i < r->nheadlines; i++) free(r->headlines[i]);
    free(r->headlines);
    free(r->signoff.cells);
    free(r->recommend.cells);
    free(r->knobs.cells);
}

/* ---- renderers ---- */

/* Text into Markdown, whatever it holds (scenario names, parameter values): outside `code spans`
 * the characters that could start raw HTML become entities, so no viewer renders markup from a
 * name; inside a span everything is literal already. A backtick in a name only closes or opens
 * a span, and the tracking follows it, so no text ever lands outside a span unescaped. */
static void md_text(FILE *f, const char *s, int in_table)
{
    int code = 0;
    for (; *s; s++) {
        if (*s == '`') code = !code;
        if (in_table && *s == '|')
            fputs("\\|", f);
        else if (!code && *s == '<')
            fputs("&lt;", f);
        else if (!code && *s == '>')
            fputs("&gt;", f);
        else if (!code && *s == '&')
            fputs("&amp;", f);
        else
            fputc(*s, f);
    }
}

static void md_table(FILE *f, const table *tb)
{
    if (tb->nrows == 0) {
        fprintf(f, "(none)\n\n");
        return;
    }
    for (size_t c = 0; c < tb->ncols; c++) {
        fputs("| ", f);
        md_text(f, tb->head[c], 1);
        fputc(' ', f);
    }
    fprintf(f, "|\n");
    for (size_t c = 0; c < tb->ncols; c++) fprintf(f, "|---");
    fprintf(f, "|\n");
    for (size_t r = 0; r < tb->nrows; r++) {
        for (size_t c = 0; c < tb->ncols; c++) {
            fprintf(f, "| ");
            md_text(f, tb->cells[r][c], 1);
            fputc(' ', f);
        }
        fprintf(f, "|\n");
    }
    fprintf(f, "\n");
}

static const char *plot_names[4] = {"carbon-vs-cost", "carbon-vs-p95", "carbon-vs-freshness", "timeseries"};

static int have_plot(const char *dir, const char *name, const char *ext)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    return access(path, R_OK) == 0;
}

static void write_md(FILE *f, const report *r, const char *dir)
{
    fputs("# Sweep report: ", f);
    md_text(f, r->t->scenario, 0);
    fputs("\n\n", f);
    md_text(f, r->intro, 0);
    fputs("\n\n## Headline\n\n", f);
    for (size_t i = 0; i < r->nheadlines; i++) {
        fputs("- ", f);
        md_text(f, r->headlines[i], 0);
        fputc('\n', f);
    }
    fprintf(f, "\n## Sign-off table\n\n");
    md_table(f, &r->signoff);
    fprintf(f, "## Recommendations\n\nThe sweep points that save carbon against run-now, ranked by kg CO2e saved per "
               "unit of extra cost (those that save at no extra cost first):\n\n");
    md_table(f, &r->recommend);
    fprintf(f, "## Which knob matters most\n\nFor each parameter, the mean over the other parameters at each of its "
               "values; from its dirtiest value to its cleanest, ranked as above:\n\n");
    md_table(f, &r->knobs);
    fprintf(f, "## Plots\n\n");
    for (int i = 0; i < 4; i++)
        if (have_plot(dir, plot_names[i], "png")) fprintf(f, "![%s](%s.png)\n\n", plot_names[i], plot_names[i]);
}

static void html_text(FILE *f, const char *s)
{
    /* **bold** from the Markdown cells becomes <b>; the rest is escaped */
    int bold = 0;
    for (; *s; s++) {
        if (s[0] == '*' && s[1] == '*') {
            fputs(bold ? "</b>" : "<b>", f);
            bold = !bold;
            s++;
        } else if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '`')
            continue;
        else
            fputc(*s, f);
    }
    if (bold) fputs("</b>", f);
}

static void html_table(FILE *f, const table *tb)
{
    if (tb->nrows == 0) {
        fputs("<p>(none)</p>\n", f);
        return;
    }
    fputs("<table>\n<tr>", f);
    for (size_t c = 0; c < tb->ncols; c++) {
        fputs("<th>", f);
        html_text(f, tb->head[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t r = 0; r < tb->nrows; r++) {
        fputs("<tr>", f);
        for (size_t c = 0; c < tb->ncols; c++) {
            fputs("<td>", f);
            html_text(f, tb->cells[r][c]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* An SVG file pasted into the page, without its XML prologue: the page needs nothing beside it. */
static void inline_svg(FILE *f, const char *dir, const char *name)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    FILE *s = fopen(path, "rb");
    if (!s) return;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[65536];
    size_t k;
    while (m && (k = fread(chunk, 1, sizeof chunk, s)) > 0) fwrite(chunk, 1, k, m);
    fclose(s);
    if (!m) return;
    fclose(m);
    char *start = strstr(buf, "<svg");
    if (start) fprintf(f, "<figure>%s</figure>\n", start);
    free(buf);
}

static void write_html(FILE *f, const report *r, const char *dir)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Sweep report: ", f);
    html_text(f, r->t->scenario);
    fputs("</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
          "table{border-collapse:collapse;margin:1em 0;font-size:90%}th,td{border:1px solid #bbb;padding:4px 8px;"
          "text-align:left;vertical-align:top}th{background:#eee}figure{margin:1em 0}svg{max-width:100%;height:auto}"
          "li{margin:.3em 0}</style>\n</head><body>\n<h1>Sweep report: ",
          f);
    html_text(f, r->t->scenario);
    fputs("</h1>\n<p>", f);
    html_text(f, r->intro);
    fputs("</p>\n<h2>Headline</h2>\n<ul>\n", f);
    for (size_t i = 0; i < r->nheadlines; i++) {
        fputs("<li>", f);
        html_text(f, r->headlines[i]);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n<h2>Sign-off table</h2>\n", f);
    html_table(f, &r->signoff);
    fputs("<h2>Recommendations</h2>\n<p>The sweep points that save carbon against run-now, ranked by kg CO2e saved "
          "per unit of extra cost (those that save at no extra cost first):</p>\n",
          f);
    html_table(f, &r->recommend);
    fputs("<h2>Which knob matters most</h2>\n<p>For each parameter, the mean over the other parameters at each of its "
          "values; from its dirtiest value to its cleanest, ranked as above:</p>\n",
          f);
    html_table(f, &r->knobs);
    fputs("<h2>Plots</h2>\n", f);
    for (int i = 0; i < 4; i++) inline_svg(f, dir, plot_names[i]);
    fputs("</body></html>\n", f);
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.10g", v);
}

static void write_csv(FILE *f, const report *r)
{
    const ccs_sweep_table *t = r->t;
    fputs("point", f);
    for (size_t i = 0; i < t->nparams; i++) {
        fputc(',', f);
        ccs_csv_write_field(f, t->paths[i]);
    }
    fprintf(f,
            ",policy,%s,seeds,carbon_saved_pct,carbon_saved_pct_ci_low,carbon_saved_pct_ci_high,"
            "cost_change_pct,cost_change_pct_ci_low,cost_change_pct_ci_high,within_tolerance,p95_change_pct,"
            "freshness_change_h,deadline_misses_per_run,baseline_deadline_misses_per_run,overrides_per_run,"
            "carbon_kg,carbon_kg_sd,cost,cost_sd,p95_ms,freshness_h,fallbacks_per_run,unproven_per_run\n",
            ccs_sweep_tolerance_column());
    for (size_t p = 0; p < t->npoints; p++) {
        const ccs_point_stats *s = &r->ps[p];
        fprintf(f, "%zu", p);
        for (size_t i = 0; i < t->nparams; i++) {
            char v[256];
            ccs_sweep_display_value(t->values[p * t->nparams + i], v, sizeof v);
            fputc(',', f);
            ccs_csv_write_field(f, v);
        }
        fputc(',', f);
        ccs_csv_write_field(f, s->policy);
        csv_num(f, s->cost_tolerance);
        fprintf(f, ",%zu", s->seeds_done);
        const ccs_ci *cis[2] = {&s->carbon_saved_pct, &s->cost_change_pct};
        for (int i = 0; i < 2; i++) {
            csv_num(f, cis[i]->mean);
            csv_num(f, cis[i]->mean - cis[i]->half);
            csv_num(f, cis[i]->mean + cis[i]->half);
        }
        fprintf(f, ",%s", s->within_tolerance ? "yes" : "no");
        double v[10] = {s->p95_change_pct.mean,
                        s->freshness_change_h.mean,
                        s->misses,
                        s->baseline_misses,
                        s->overrides,
                        s->carbon_kg.mean,
                        s->carbon_kg.sd,
                        s->cost.mean,
                        s->cost.sd,
                        s->p95_ms.mean};
        for (int i = 0; i < 10; i++) csv_num(f, v[i]);
        csv_num(f, s->freshness_h.mean);
        csv_num(f, s->fallbacks);
        csv_num(f, s->unproven);
        fputc('\n', f);
    }
}

int ccs_sweep_report(const ccs_sweep_table *t, const ccs_point_stats *ps, const char *dir, ccs_err *err)
{
    report r = {.t = t, .ps = ps};
    build(&r);
    static const char *names[3] = {"report.md", "report.csv", "report.html"};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ccs_fs_clean_temporaries(path);
        ccs_fs_out *o = ccs_fs_begin(path);
        if (!o) {
            rc = ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
            break;
        }
        FILE *f = ccs_fs_stream(o);
        if (i == 0)
            write_md(f, &r, dir);
        else if (i == 1)
            write_csv(f, &r);
        else
            write_html(f, &r, dir);
        int e = ccs_fs_commit(o, 1);
        if (e) rc = ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write: %s", strerror(e));
    }
    report_free(&r);
    return rc;
}
