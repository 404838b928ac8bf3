/* The finance sign-off report of a sweep: report.md, report.csv and a self-contained report.html
 * with the plots inline. The content is built once as text (headlines, tables of cells) and
 * rendered twice (Markdown, HTML), so the two always say the same.
 *
 * The text carries two kinds of markup: the report's own (**bold**, `code`), and user strings
 * (scenario, paths, parameter values, names, facts) between USER_OPEN and USER_CLOSE, which each
 * renderer escapes so that no name ever becomes markup. A user string never carries the two
 * markers itself (control characters are replaced when it is inserted). */
#include "report.h"

#include "ccs_csv.h"
#include "out_fs.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CELL = 640, MAX_COLS = 16 };
#define USER_OPEN  '\x01'
#define USER_CLOSE '\x02'

/* ---- text ---- */

/* Appends to buf (size bytes, NUL-terminated), truncating at its end. */
static void cat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

/* Appends a user string, marked for escaping; its control characters become spaces. The closing
 * marker is kept even when the text is cut, so the renderers never run user text as the report's. */
static void cat_user(char *buf, size_t size, const char *s)
{
    size_t used = strlen(buf);
    if (used + 3 > size) return;
    buf[used++] = USER_OPEN;
    for (; *s && used + 2 < size; s++) {
        char c = *s;
        if ((unsigned char)c < 0x20 || c == 0x7f) c = ' ';
        buf[used++] = c;
    }
    buf[used++] = USER_CLOSE;
    buf[used] = '\0';
}

typedef struct table {
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

static void table_head(table *tb, const char *const *head, size_t n)
{
    tb->ncols = n;
    for (size_t i = 0; i < n; i++) tb->head[i] = head[i];
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

/* A signed percentage to two decimals; one that rounds to zero is "+0.00%", never "-0.00%". */
static void fmt_pct(char *buf, double v)
{
    if (isnan(v))
        snprintf(buf, CELL, "n/a");
    else
        snprintf(buf, CELL, "%+.2f%%", fabs(v) < 0.005 ? 0.0 : v);
}

/* "P0-P6" or "P0, P7, P14": the points p with ps[p].same_as == q, runs of consecutive points
 * joined. */
static void fmt_twins(const ccs_sweep_table *t, const ccs_point_stats *ps, size_t q, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t p = q; p < t->npoints; p++) {
        if (ps[p].same_as != q) continue;
        size_t e = p;
        while (e + 1 < t->npoints && ps[e + 1].same_as == q) e++;
        if (e > p)
            cat(buf, size, "%sP%zu-P%zu", buf[0] ? ", " : "", p, e);
        else
            cat(buf, size, "%sP%zu", buf[0] ? ", " : "", p);
        p = e;
    }
}

/* How many points stand for the same scenario as q (q included). */
static size_t twin_count(const ccs_sweep_table *t, const ccs_point_stats *ps, size_t q)
{
    size_t n = 0;
    for (size_t p = q; p < t->npoints; p++) n += ps[p].same_as == q;
    return n;
}

/* The point's parameters as a user string; without X for a policy that ignores it. */
static void cat_label(char *buf, size_t size, const ccs_sweep_table *t, const ccs_point_stats *s)
{
    char label[1200] = "", x_path[80], v[256];
    snprintf(x_path, sizeof x_path, "policy.%s", ccs_sweep_tolerance_column());
    for (size_t i = 0; i < t->nparams; i++) {
        if (s->ignores_tolerance && strcmp(t->paths[i], x_path) == 0) continue;
        ccs_sweep_display_value(t->values[s->point * t->nparams + i], v, sizeof v);
        cat(label, sizeof label, "%s%s=%s", label[0] ? ", " : "", t->paths[i], v);
    }
    cat_user(buf, size, label);
}

/* ---- the content ---- */

typedef struct report {
    const ccs_sweep_table *t;
    const ccs_point_stats *ps;
    char intro[4096], twins_note[2048], binding[2048];
    char money_head[6][96]; /* headers naming the currency, kept for the tables' lifetime */
    char **headlines;
    size_t nheadlines;
    table period, assumptions, sources, constraints, points, planned, recommend, knobs, signoff;
    char constraints_text[1024];
} report;

static void add_headline(report *r, const char *text)
{
    char **l = realloc(r->headlines, (r->nheadlines + 1) * sizeof *l);
    if (!l) return;
    r->headlines = l;
    char *copy = strdup(text);
    if (copy) l[r->nheadlines++] = copy;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The point with the largest mean carbon saving among those whose mean cost change is within x
 * (a fraction), the first on a tie; SIZE_MAX if none. Only the first of twins is a candidate. */
static size_t best_within(const ccs_sweep_table *t, const ccs_point_stats *ps, double x)
{
    size_t best = SIZE_MAX;
    for (size_t p = 0; p < t->npoints; p++) {
        double c = ps[p].cost_change_pct.mean, s = ps[p].carbon_saved_pct.mean;
        if (ps[p].same_as != p || ps[p].seeds_done == 0 || isnan(s) || !(c <= 100.0 * x + 1e-9)) continue;
        if (ps[p].breaks_constraint) continue; /* a point that breaks a non-negotiable is no answer */
        if (best == SIZE_MAX || s > ps[best].carbon_saved_pct.mean) best = p;
    }
    return best;
}

/* "saves 9.4% CO2e (95% CI 8.9 to 9.9%) and 27.0% of cost": a negative extra cost is a saving,
 * a negative saving extra carbon, said so; figures to the tenth of a percent. */
static void fmt_answer(const ccs_point_stats *b, char *buf, size_t size)
{
    double s = b->carbon_saved_pct.mean, c = b->cost_change_pct.mean, h = b->carbon_saved_pct.half;
    buf[0] = '\0';
    cat(buf, size, "%s **%.1f%% CO2e**", s >= 0 ? "saves" : "adds", fabs(s));
    if (isnan(h))
        cat(buf, size, " (one seed, no interval)");
    else
        cat(buf, size, " (95%% CI %.1f to %.1f%%)", s >= 0 ? s - h : -s - h, s >= 0 ? s + h : -s + h);
    if (isnan(c))
        cat(buf, size, ", its cost change undefined (run-now costs nothing)");
    else if (fabs(c) < 0.05)
        cat(buf, size, " at the same cost");
    else if (c < 0)
        cat(buf, size, s >= 0 ? " and %.1f%% of cost" : " but saves %.1f%% of cost", -c);
    else
        cat(buf, size, s >= 0 ? " for %.1f%% more cost" : " and costs %.1f%% more", c);
}

/* One headline for a run of X values [x0, x1] with the same answer. */
static void headline(report *r, double x0, double x1, size_t best, const char *answer, const char *also)
{
    char line[4096] = "";
    if (x0 == x1)
        cat(line, sizeof line, "At %g%% price tolerance: ", 100 * x0);
    else
        cat(line, sizeof line, "From %g%% to %g%% price tolerance: ", 100 * x0, 100 * x1);
    if (best == SIZE_MAX) {
        cat(line, sizeof line, "no sweep point stays within the tolerance.");
    } else if (r->ps[best].carbon_saved_pct.mean < 0.05) {
        /* nothing saves: say so, rather than "saves 0.0%" */
        cat(line, sizeof line, "no sweep point saves CO2e; the best, ");
        cat_user(line, sizeof line, r->ps[best].policy);
        cat(line, sizeof line, " (P%zu: ", best);
        cat_label(line, sizeof line, r->t, &r->ps[best]);
        cat(line, sizeof line, "), %s.", answer);
    } else {
        const ccs_point_stats *b = &r->ps[best];
        cat_user(line, sizeof line, b->policy);
        cat(line, sizeof line, " %s (P%zu: ", answer, best);
        cat_label(line, sizeof line, r->t, b);
        cat(line, sizeof line, "%s%s).", also[0] ? "; the same figures at " : "", also);
    }
    add_headline(r, line);
}

/* One headline per distinct answer: consecutive X values whose best point is the same point, or
 * gives the same figures as printed, share one line. Since the points within X only grow with X,
 * the best saving never falls, and an answer never comes back after another. */
static void build_headlines(report *r)
{
    const ccs_sweep_table *t = r->t;
    double *xs = malloc((t->npoints ? t->npoints : 1) * sizeof *xs);
    if (!xs) return;
    size_t nx = 0;
    for (size_t p = 0; p < t->npoints; p++)
        if (r->ps[p].seeds_done) xs[nx++] = r->ps[p].cost_tolerance;
    qsort(xs, nx, sizeof *xs, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < nx; i++)
        if (i == 0 || xs[i] != xs[i - 1]) xs[k++] = xs[i];
    char answer[1024], prev[1024] = "", also[512] = "";
    size_t group_best = SIZE_MAX, last_also = SIZE_MAX;
    double x0 = 0;
    for (size_t i = 0; i < k; i++) {
        size_t best = best_within(t, r->ps, xs[i]);
        answer[0] = '\0';
        if (best != SIZE_MAX) fmt_answer(&r->ps[best], answer, sizeof answer);
        int same = i > 0 && (best == group_best ||
                             (best != SIZE_MAX && group_best != SIZE_MAX &&
                              strcmp(r->ps[best].policy, r->ps[group_best].policy) == 0 && strcmp(answer, prev) == 0));
        if (same) {
            if (best != group_best && best != last_also) cat(also, sizeof also, "%sP%zu", also[0] ? ", " : "", best);
            last_also = best;
            continue;
        }
        if (i > 0) headline(r, x0, xs[i - 1], group_best, prev, also);
        x0 = xs[i];
        group_best = last_also = best;
        also[0] = '\0';
        snprintf(prev, sizeof prev, "%s", answer);
    }
    if (k > 0) headline(r, x0, xs[k - 1], group_best, prev, also);
    free(xs);
}

/* Which points a policy that ignores X stands for, for the text under the headlines. */
static void build_twins_note(report *r)
{
    const ccs_sweep_table *t = r->t;
    char which[1536] = "";
    for (size_t p = 0; p < t->npoints; p++) {
        if (r->ps[p].same_as != p || twin_count(t, r->ps, p) < 2) continue;
        char list[512];
        fmt_twins(t, r->ps, p, list, sizeof list);
        cat(which, sizeof which, "%s", which[0] ? "; " : "");
        cat_user(which, sizeof which, r->ps[p].policy);
        cat(which, sizeof which, ": %s shown once as P%zu", list, p);
    }
    if (!which[0]) return;
    snprintf(r->twins_note, sizeof r->twins_note,
             "Policies that declare no price tolerance ignore X: their points at different X are the same runs, "
             "with the same figures at every seed, and every table shows each once, its X column reading \"ignores "
             "X\" (%s).",
             which);
}

static void build_intro(report *r)
{
    const ccs_sweep_table *t = r->t;
    char *b = r->intro;
    size_t size = sizeof r->intro;
    size_t shown = 0;
    for (size_t p = 0; p < t->npoints; p++) shown += r->ps[p].same_as == p;
    cat(b, size, "%zu sweep points x %d seed%s = %zu runs of the scenario ", t->npoints, t->seeds,
        t->seeds == 1 ? "" : "s", t->nrows);
    cat_user(b, size, t->scenario);
    cat(b, size, " (%zu distinct scenarios shown). Parameters: ", shown);
    for (size_t i = 0; i < t->nparams; i++) {
        cat(b, size, "%s", i ? ", " : "");
        cat_user(b, size, t->paths[i]);
    }
    cat(b, size,
        ". Carbon saved and cost change are paired: each run against run-now on the same seed (same arrivals "
        "and forecast errors), then the mean over seeds with its 95%% confidence interval (Student's t, seeds - 1 "
        "degrees of freedom). A point is within X when its mean cost change is at most X, its policy.%s. Money is "
        "in ",
        ccs_sweep_tolerance_column());
    cat_user(b, size, t->currency);
    cat(b, size,
        "; carbon and cost are totals over the simulated period, means over seeds. P95 is the slowest "
        "service's; freshness the mean age of the jobs' outputs.");
}

/* The facts of one kind as a two-column table. */
static void build_facts(report *r, table *tb, const char *kind, const char *h0, const char *h1)
{
    const char *head[2] = {h0, h1};
    table_head(tb, head, 2);
    for (size_t i = 0; i < r->t->nfacts; i++) {
        const ccs_sweep_fact *f = &r->t->facts[i];
        if (strcmp(f->kind, kind) != 0) continue;
        char(*c)[CELL] = table_row(tb);
        if (!c) return;
        cat_user(c[0], CELL, f->name);
        cat_user(c[1], CELL, f->value);
    }
}

/* "P3" or "P0 (for P0-P6)": the point and the points it stands for. */
static void fmt_point(const report *r, size_t p, char *buf)
{
    snprintf(buf, CELL, "P%zu", p);
    if (twin_count(r->t, r->ps, p) > 1) {
        char list[512];
        fmt_twins(r->t, r->ps, p, list, sizeof list);
        cat(buf, CELL, " (for %s)", list);
    }
}

static void fmt_x(const ccs_point_stats *s, char *buf)
{
    if (s->ignores_tolerance)
        snprintf(buf, CELL, "— (ignores X)");
    else
        snprintf(buf, CELL, "%g%%", 100 * s->cost_tolerance);
}

/* Within X: yes or no at the point's X; for a policy that ignores X, from which X on it is. */
static void fmt_within(const ccs_point_stats *s, char *buf)
{
    double c = s->cost_change_pct.mean;
    if (!s->ignores_tolerance)
        snprintf(buf, CELL, "%s", s->within_tolerance ? "yes" : "**no**");
    else if (isnan(c))
        snprintf(buf, CELL, "n/a");
    else if (c <= 0)
        snprintf(buf, CELL, "at any X");
    else
        snprintf(buf, CELL, "from X = %.2f%%", c);
}

/* "cost (EUR)": a money column's header names its currency. */
static void money_head(char *buf, size_t size, const char *what, const char *currency)
{
    snprintf(buf, size, "%s (", what);
    cat_user(buf, size, currency);
    cat(buf, size, ")");
}

static void build_points(report *r)
{
    const ccs_sweep_table *t = r->t;
    table *tb = &r->points;
    char *money = r->money_head[0];
    money_head(money, sizeof r->money_head[0], "cost", t->currency);
    const char *head[] = {"point",
                          "parameters",
                          "policy",
                          "X (price tolerance)",
                          "carbon saved % (95% CI)",
                          "cost change % (95% CI)",
                          "within X",
                          "P95 change %",
                          "freshness change (h)",
                          "deadline misses (run-now)",
                          "overrides",
                          "fallbacks",
                          "unproven plans",
                          "carbon (kg CO2e)",
                          money,
                          "constraints"};
    table_head(tb, head, sizeof head / sizeof head[0]);
    for (size_t p = 0; p < t->npoints; p++) {
        const ccs_point_stats *s = &r->ps[p];
        if (s->same_as != p) continue;
        char(*c)[CELL] = table_row(tb);
        if (!c) return;
        fmt_point(r, p, c[0]);
        cat_label(c[1], CELL, t, s);
        cat_user(c[2], CELL, s->policy);
        fmt_x(s, c[3]);
        fmt_ci(c[4], &s->carbon_saved_pct, 1);
        fmt_ci(c[5], &s->cost_change_pct, 1);
        fmt_within(s, c[6]);
        fmt_num(c[7], s->p95_change_pct.mean, "%+.2f");
        fmt_num(c[8], s->freshness_change_h.mean, "%+.3f");
        snprintf(c[9], CELL, "%.2f (%.2f)", s->misses, s->baseline_misses);
        fmt_num(c[10], s->overrides, "%.2f");
        fmt_num(c[11], s->fallbacks, "%.2f");
        fmt_num(c[12], s->unproven, "%.2f");
        fmt_num(c[13], s->carbon_kg.mean, "%.4g");
        fmt_num(c[14], s->cost.mean, "%.4g");
        if (s->breaks_constraint)
            snprintf(c[15], CELL, "**broken** (%.2f rules per run)", s->constraints_broken);
        else
            snprintf(c[15], CELL, "met");
    }
}

/* The scenario's non-negotiables, and the points that broke one (marked, never headlined). */
static void build_constraints(report *r)
{
    build_facts(r, &r->constraints, "constraint", "constraint", "rule");
    char *b = r->constraints_text;
    size_t size = sizeof r->constraints_text, broken = 0;
    b[0] = '\0';
    if (r->constraints.nrows == 0) {
        cat(b, size, "The scenario states no constraints.");
        return;
    }
    for (size_t p = 0; p < r->t->npoints; p++) {
        if (r->ps[p].same_as != p || !r->ps[p].breaks_constraint) continue;
        cat(b, size, "%sP%zu",
            broken ? ", " : "Points that broke a constraint at some seed, so no headline names them: ", p);
        broken++;
    }
    cat(b, size, broken ? "." : "Every point met every constraint at every seed.");
}

/* Planned against actual: the jobs' cost as their plans expected it (on the forecast) and as it
 * came out, the runs that broke their job's max_cost, and the whole cost change against X. */
static void build_planned(report *r)
{
    const ccs_sweep_table *t = r->t;
    table *tb = &r->planned;
    char *planned = r->money_head[1], *actual = r->money_head[2];
    money_head(planned, sizeof r->money_head[1], "jobs' planned cost", t->currency);
    money_head(actual, sizeof r->money_head[2], "jobs' actual cost", t->currency);
    const char *head[] = {"point",
                          "parameters",
                          planned,
                          actual,
                          "actual vs planned",
                          "runs over their job's max_cost",
                          "cost change vs run-now",
                          "cap on it (X)"};
    table_head(tb, head, sizeof head / sizeof head[0]);
    int any_jobs = 0;
    for (size_t p = 0; p < t->npoints; p++) any_jobs |= r->ps[p].planned_cost != 0 || r->ps[p].jobs_cost != 0;
    for (size_t p = 0; any_jobs && p < t->npoints; p++) {
        const ccs_point_stats *s = &r->ps[p];
        if (s->same_as != p || s->seeds_done == 0) continue;
        char(*c)[CELL] = table_row(tb);
        if (!c) return;
        fmt_point(r, p, c[0]);
        cat_label(c[1], CELL, t, s);
        fmt_num(c[2], s->planned_cost, "%.4g");
        fmt_num(c[3], s->jobs_cost, "%.4g");
        if (s->planned_cost != 0)
            fmt_pct(c[4], 100 * (s->jobs_cost - s->planned_cost) / fabs(s->planned_cost));
        else
            snprintf(c[4], CELL, "n/a");
        if (s->capped_runs > 0)
            snprintf(c[5], CELL, "%s%.2f of %.2f%s", s->runs_over_cap > 0 ? "**" : "", s->runs_over_cap, s->capped_runs,
                     s->runs_over_cap > 0 ? "**" : "");
        else
            snprintf(c[5], CELL, "no job has a max_cost");
        fmt_pct(c[6], s->cost_change_pct.mean);
        if (s->ignores_tolerance)
            snprintf(c[7], CELL, "none (ignores X)");
        else
            snprintf(c[7], CELL, "%+g%%: %s", 100 * s->cost_tolerance, s->within_tolerance ? "within" : "**over**");
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

/* A cost change in money (the column names the currency): a negative one is a saving, said so. */
static void fmt_money_change(double v, char *buf)
{
    if (fabs(v) < 5e-13)
        snprintf(buf, CELL, "none");
    else if (v < 0)
        snprintf(buf, CELL, "saves %.4g", -v);
    else
        snprintf(buf, CELL, "+%.4g", v);
}

/* kg CO2e saved per unit of money spent, or what the saving costs when it costs nothing */
static void fmt_tradeoff(double saved_kg, double extra, const char *currency, char *buf)
{
    if (extra < -5e-13)
        snprintf(buf, CELL, "saves carbon and money");
    else if (extra <= 5e-13)
        snprintf(buf, CELL, "saves carbon at no extra cost");
    else {
        snprintf(buf, CELL, "%.4g kg CO2e per ", saved_kg / extra);
        cat_user(buf, CELL, currency);
    }
}

static void build_recommendations(report *r)
{
    const ccs_sweep_table *t = r->t;
    table *tb = &r->recommend;
    char *money = r->money_head[3];
    money_head(money, sizeof r->money_head[3], "cost change", t->currency);
    const char *head[] = {"rank", "point", "parameters", "carbon saved (kg CO2e)", money, "trade-off"};
    table_head(tb, head, sizeof head / sizeof head[0]);
    ranked *rk = calloc(t->npoints ? t->npoints : 1, sizeof *rk);
    if (!rk) return;
    size_t n = 0;
    for (size_t p = 0; p < t->npoints; p++) {
        if (r->ps[p].same_as != p) continue;
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
        snprintf(c[0], CELL, "%zu", i + 1);
        fmt_point(r, rk[i].p, c[1]);
        cat_label(c[2], CELL, t, &r->ps[rk[i].p]);
        snprintf(c[3], CELL, "%.4g", rk[i].saved_kg);
        fmt_money_change(rk[i].extra_cost, c[4]);
        fmt_tradeoff(rk[i].saved_kg, rk[i].extra_cost, t->currency, c[5]);
    }
    free(rk);
}

typedef struct knob {
    size_t param, lo, hi;
    double dc, dcost, carbon_hi;
} knob;

/* Parameter i's effect: the mean carbon and cost over the points at each of its values, from its
 * dirtiest value to its cleanest. 0 if it has one value (or none done). */
static int knob_of(const report *r, size_t i, knob *out)
{
    const ccs_sweep_table *t = r->t;
    size_t nv = 0, lo = SIZE_MAX, hi = SIZE_MAX;
    double *carbon = calloc(t->npoints, sizeof *carbon), *cost = calloc(t->npoints, sizeof *cost);
    size_t *count = calloc(t->npoints, sizeof *count), *first = calloc(t->npoints, sizeof *first);
    /* the distinct values in first-seen order: point p's value index */
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
    for (size_t j = 0; count && j < nv; j++) {
        if (!count[j]) continue;
        carbon[j] /= (double)count[j], cost[j] /= (double)count[j];
        if (lo == SIZE_MAX || carbon[j] < carbon[lo]) lo = j;
        if (hi == SIZE_MAX || carbon[j] > carbon[hi]) hi = j;
    }
    int ok = nv > 1 && lo != SIZE_MAX;
    if (ok) *out = (knob){i, first[lo], first[hi], carbon[hi] - carbon[lo], cost[lo] - cost[hi], carbon[hi]};
    free(carbon), free(cost), free(count), free(first);
    return ok;
}

/* Main effects: every point counts, twins included, so that each parameter's means are over
 * the same design; a policy that ignores X dilutes X's effect, as it would in use. */
static void build_knobs(report *r)
{
    const ccs_sweep_table *t = r->t;
    table *tb = &r->knobs;
    char *money = r->money_head[4];
    money_head(money, sizeof r->money_head[4], "cost change", t->currency);
    const char *head[] = {
        "rank", "parameter", "cleanest value", "dirtiest value", "carbon saved (kg CO2e, % of dirtiest)",
        money,  "trade-off"};
    table_head(tb, head, sizeof head / sizeof head[0]);
    knob *kn = calloc(t->nparams ? t->nparams : 1, sizeof *kn);
    size_t nk = 0;
    for (size_t i = 0; kn && i < t->nparams; i++) nk += knob_of(r, i, &kn[nk]);
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
        cat_user(c[1], CELL, t->paths[kn[a].param]);
        ccs_sweep_display_value(t->values[kn[a].lo * t->nparams + kn[a].param], v, sizeof v);
        cat_user(c[2], CELL, v);
        ccs_sweep_display_value(t->values[kn[a].hi * t->nparams + kn[a].param], v, sizeof v);
        cat_user(c[3], CELL, v);
        snprintf(c[4], CELL, "%.4g (%.2f%%)", kn[a].dc, kn[a].carbon_hi > 0 ? 100 * kn[a].dc / kn[a].carbon_hi : 0.0);
        fmt_money_change(kn[a].dcost, c[5]);
        fmt_tradeoff(kn[a].dc, kn[a].dcost, t->currency, c[6]);
    }
    free(kn);
}

/* A field of the sweep row; a table made by hand (tests) may lack it. */
static const char *or_unknown(const char *s) { return s && s[0] ? s : "(not recorded)"; }

/* What a signature binds to, then a row per signer with blank fields to fill in by hand. */
static void build_signoff(report *r)
{
    const ccs_sweep_table *t = r->t;
    char *b = r->binding;
    size_t size = sizeof r->binding;
    cat(b, size, "This report's figures come from the scenario ");
    cat_user(b, size, or_unknown(t->scenario));
    cat(b, size, " (file ");
    cat_user(b, size, or_unknown(t->scenario_path));
    cat(b, size, ", scenario hash **");
    cat_user(b, size, or_unknown(t->scenario_hash));
    cat(b, size, "**, FNV-1a 64-bit of the file's bytes), simulated by ccsim **");
    cat_user(b, size, or_unknown(t->version));
    cat(b, size, "**, sweep started ");
    cat_user(b, size, or_unknown(t->created_utc));
    cat(b, size, " and finished ");
    cat_user(b, size, or_unknown(t->finished_utc));
    cat(b, size,
        "; the data files are identified by size and hash under \"Data sources\". A signature below "
        "covers these inputs only: a changed file gives another hash.");
    table *tb = &r->signoff;
    const char *head[] = {"", "name", "role", "date", "signature"};
    table_head(tb, head, 5);
    const char *who[3] = {"Prepared by", "Reviewed by", "Approved by"};
    for (int i = 0; i < 3; i++) {
        char(*c)[CELL] = table_row(tb);
        if (!c) return;
        snprintf(c[0], CELL, "%s", who[i]);
    }
}

static void build(report *r)
{
    build_intro(r);
    build_headlines(r);
    build_twins_note(r);
    build_facts(r, &r->period, "period", "simulated period", "");
    build_facts(r, &r->assumptions, "assumption", "what", "assumption");
    build_facts(r, &r->sources, "source", "file", "what, source and licence [size, hash]");
    build_constraints(r);
    build_points(r);
    build_planned(r);
    build_recommendations(r);
    build_knobs(r);
    build_signoff(r);
}

static void report_free(report *r)
{
    for (size_t i = 0; i < r->nheadlines; i++) free(r->headlines[i]);
    free(r->headlines);
    table *tables[] = {&r->period,  &r->assumptions, &r->sources, &r->constraints, &r->points,
                       &r->planned, &r->recommend,   &r->knobs,   &r->signoff};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) free(tables[i]->cells);
}

/* ---- renderers ---- */

/* Text into Markdown. The report's own markup passes; a user string has every character that
 * could start markup escaped: HTML's as entities, Markdown's punctuation with a backslash (so
 * no backtick, star, bracket or pipe in a name opens a span, a link or a cell). */
static void md_text(FILE *f, const char *s, int in_table)
{
    int user = 0;
    for (; *s; s++) {
        if (*s == USER_OPEN || *s == USER_CLOSE) {
            user = *s == USER_OPEN;
            continue;
        }
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if ((in_table || user) && *s == '|')
            fputs("\\|", f);
        else if (user && strchr("\\`*_[]~#!", *s))
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
}

/* A raw user string (a name) into Markdown. */
static void md_user(FILE *f, const char *raw)
{
    char buf[1024] = "";
    cat_user(buf, sizeof buf, raw);
    md_text(f, buf, 0);
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

/* The report's sections in order: heading, text before the table, the table (NULL: none). */
/* A section of the report: its heading, the text above its table, the table and the table's
 * HTML class (one struct, so that adding a section cannot shift the classes of the others). */
typedef struct section {
    const char *heading, *text;
    const table *tb;
    const char *cls;
} section;

static const char headline_text[] =
    "For each price tolerance X swept, the largest mean carbon saving among the points whose mean cost change "
    "against run-now is at most X (a point may get there with its own per-run tolerance set higher); tolerances "
    "with the same answer share one line.";
static const char planned_text[] =
    "The jobs' cost as their plans expected it (on the forecast, runs that ran) against what it came to, the "
    "runs whose actual cost broke their job's max_cost (per simulated period, mean over seeds), and the whole "
    "cost change against run-now with the cap X puts on it:";
static const char recommend_text[] =
    "The sweep points that save carbon against run-now, ranked by kg CO2e saved per unit of extra cost (those "
    "that save at no extra cost first):";
static const char knobs_text[] =
    "For each parameter, the mean over the other parameters at each of its values (every point, those that "
    "ignore X included); from its dirtiest value to its cleanest, ranked as above:";

enum { NSECTIONS = 10 };
static void sections(const report *r, section out[NSECTIONS])
{
    section s[NSECTIONS] = {
        {"Simulated period", "", &r->period, "facts"},
        {"Assumptions", "As the scenario file says; a swept parameter varies per point as the tables show.",
         &r->assumptions, "facts"},
        {"Data sources",
         "Each file the scenario reads, with its source and licence as the README beside it states them:", &r->sources,
         "facts"},
        {"Constraints (never compromised)", r->constraints_text, &r->constraints, "facts"},
        {"Results per sweep point", "", &r->points, "points"},
        {"Planned and actual cost against the caps", planned_text, &r->planned, "planned"},
        {"Recommendations", recommend_text, &r->recommend, "ranked"},
        {"Which knob matters most", knobs_text, &r->knobs, "ranked"},
        {"Plots", NULL, NULL, ""},
        {"Sign-off", r->binding, &r->signoff, "signoff"}};
    memcpy(out, s, sizeof s);
}

static void write_md(FILE *f, const report *r, const char *dir)
{
    fputs("# Sweep report: ", f);
    md_user(f, r->t->scenario);
    fputs("\n\n", f);
    md_text(f, r->intro, 0);
    fputs("\n\n## Headline\n\n", f);
    md_text(f, headline_text, 0);
    fputs("\n\n", f);
    for (size_t i = 0; i < r->nheadlines; i++) {
        fputs("- ", f);
        md_text(f, r->headlines[i], 0);
        fputc('\n', f);
    }
    if (r->twins_note[0]) {
        fputc('\n', f);
        md_text(f, r->twins_note, 0);
        fputc('\n', f);
    }
    section s[NSECTIONS];
    sections(r, s);
    for (int i = 0; i < NSECTIONS; i++) {
        fprintf(f, "\n## %s\n\n", s[i].heading);
        if (!s[i].tb) {
            for (int k = 0; k < 4; k++)
                if (have_plot(dir, plot_names[k], "png")) fprintf(f, "![%s](%s.png)\n\n", plot_names[k], plot_names[k]);
            continue;
        }
        if (s[i].text[0]) {
            md_text(f, s[i].text, 0);
            fputs("\n\n", f);
        }
        md_table(f, s[i].tb);
    }
}

/* Text into HTML: a user string escaped whole; the report's own **bold** and `code` become tags. */
static void html_text(FILE *f, const char *s)
{
    int bold = 0, code = 0, user = 0;
    for (; *s; s++) {
        if (*s == USER_OPEN || *s == USER_CLOSE) {
            user = *s == USER_OPEN;
            continue;
        }
        if (!user && s[0] == '*' && s[1] == '*') {
            fputs(bold ? "</b>" : "<b>", f);
            bold = !bold;
            s++;
        } else if (!user && *s == '`') {
            fputs(code ? "</code>" : "<code>", f);
            code = !code;
        } else if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
    if (code) fputs("</code>", f);
    if (bold) fputs("</b>", f);
}

static void html_user(FILE *f, const char *raw)
{
    char buf[1024] = "";
    cat_user(buf, sizeof buf, raw);
    html_text(f, buf);
}

static void html_table(FILE *f, const table *tb, const char *cls)
{
    if (tb->nrows == 0) {
        fputs("<p>(none)</p>\n", f);
        return;
    }
    fprintf(f, "<div class=\"wide\"><table class=\"%s\">\n<tr>", cls);
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
    fputs("</table></div>\n", f);
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

static const char html_style[] =
    "body{font-family:sans-serif;max-width:1250px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}"
    "table{border-collapse:collapse;margin:1em 0;font-size:88%}"
    "th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eee}figure{margin:1em 0}svg{max-width:100%;height:auto}.wide{overflow-x:auto}"
    "li{margin:.4em 0}table.facts td:first-child{white-space:nowrap;font-weight:bold}"
    "table.signoff td{height:3.2em;min-width:11em}table.signoff td:first-child{font-weight:bold;min-width:8em}"
    ".binding{border-left:4px solid #888;padding:.2em 1em;background:#f6f6f6}";

static void write_html(FILE *f, const report *r, const char *dir)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Sweep report: ", f);
    html_user(f, r->t->scenario);
    fprintf(f, "</title>\n<style>%s</style>\n</head><body>\n<h1>Sweep report: ", html_style);
    html_user(f, r->t->scenario);
    fputs("</h1>\n<p>", f);
    html_text(f, r->intro);
    fputs("</p>\n<h2>Headline</h2>\n<p>", f);
    html_text(f, headline_text);
    fputs("</p>\n<ul>\n", f);
    for (size_t i = 0; i < r->nheadlines; i++) {
        fputs("<li>", f);
        html_text(f, r->headlines[i]);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
    if (r->twins_note[0]) {
        fputs("<p>", f);
        html_text(f, r->twins_note);
        fputs("</p>\n", f);
    }
    section s[NSECTIONS];
    sections(r, s);
    for (int i = 0; i < NSECTIONS; i++) {
        fprintf(f, "<h2 id=\"s%d\">%s</h2>\n", i, s[i].heading);
        if (!s[i].tb) {
            for (int k = 0; k < 4; k++) inline_svg(f, dir, plot_names[k]);
            continue;
        }
        if (s[i].text[0]) {
            fputs(s[i].tb == &r->signoff ? "<p class=\"binding\">" : "<p>", f);
            html_text(f, s[i].text);
            fputs("</p>\n", f);
        }
        html_table(f, s[i].tb, s[i].cls);
    }
    fputs("</body></html>\n", f);
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.10g", v);
}

/* A figure of the jobs, NaN (an empty cell) for a point without jobs. */
static double jobs_figure(const ccs_point_stats *s, double v) { return s->no_jobs ? NAN : v; }

/* One column per fact, as in sweep.csv: `policy` and the cost tolerance's column only when the
 * sweep's policy.name and policy.<key> columns do not hold them already; a point without jobs
 * leaves the jobs' figures empty, not 0. */
static void write_csv(FILE *f, const report *r)
{
    const ccs_sweep_table *t = r->t;
    const int with_policy = !ccs_sweep_has_param(t, "policy.name");
    const int with_tolerance = !ccs_sweep_has_tolerance_param(t);
    fputs("point", f);
    for (size_t i = 0; i < t->nparams; i++) {
        fputc(',', f);
        ccs_csv_write_field(f, t->paths[i]);
    }
    if (with_policy) fputs(",policy", f);
    if (with_tolerance) fprintf(f, ",%s", ccs_sweep_tolerance_column());
    fputs(",seeds,carbon_saved_pct,carbon_saved_pct_ci_low,carbon_saved_pct_ci_high,"
          "cost_change_pct,cost_change_pct_ci_low,cost_change_pct_ci_high,within_tolerance,p95_change_pct,"
          "freshness_change_h,deadline_misses_per_run,baseline_deadline_misses_per_run,overrides_per_run,"
          "carbon_kg,carbon_kg_sd,cost,cost_sd,p95_ms,freshness_h,fallbacks_per_run,unproven_per_run,"
          "currency,jobs_planned_cost,jobs_cost,capped_runs_per_run,runs_over_cap_per_run,ignores_tolerance,"
          "same_as_point,constraints_broken_per_run\n",
          f);
    for (size_t p = 0; p < t->npoints; p++) {
        const ccs_point_stats *s = &r->ps[p];
        fprintf(f, "%zu", p);
        for (size_t i = 0; i < t->nparams; i++) {
            char v[256];
            ccs_sweep_display_value(t->values[p * t->nparams + i], v, sizeof v);
            fputc(',', f);
            ccs_csv_write_field(f, v);
        }
        if (with_policy) {
            fputc(',', f);
            ccs_csv_write_field(f, s->policy);
        }
        if (with_tolerance) csv_num(f, s->cost_tolerance);
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
                        jobs_figure(s, s->misses),
                        jobs_figure(s, s->baseline_misses),
                        jobs_figure(s, s->overrides),
                        s->carbon_kg.mean,
                        s->carbon_kg.sd,
                        s->cost.mean,
                        s->cost.sd,
                        s->p95_ms.mean};
        for (int i = 0; i < 10; i++) csv_num(f, v[i]);
        csv_num(f, s->freshness_h.mean);
        csv_num(f, jobs_figure(s, s->fallbacks));
        csv_num(f, jobs_figure(s, s->unproven));
        fputc(',', f);
        ccs_csv_write_field(f, t->currency);
        csv_num(f, jobs_figure(s, s->planned_cost));
        csv_num(f, jobs_figure(s, s->jobs_cost));
        csv_num(f, jobs_figure(s, s->capped_runs));
        csv_num(f, jobs_figure(s, s->runs_over_cap));
        fprintf(f, ",%s,%zu", s->ignores_tolerance ? "yes" : "no", s->same_as);
        csv_num(f, s->constraints_broken);
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
