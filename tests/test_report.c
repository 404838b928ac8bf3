/* The finance report (sim/sweep/report.c): headlines merged per distinct answer and worded
 * plainly, policies that ignore X shown once, currency on money columns, the period, facts,
 * hash, version and sign-off block, every user string escaped; checked on a hand-made table whose
 * expected lines are worked out below, then on the bundled sweep-tolerance through the binary. */
#include "ccs_config.h"
#include "helpers.h"
#include "report.h"
#include "sweep_context.h"
#include "sweep_stats.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { NPOINTS = 9, SEEDS = 2 };

/* Nine points: policy.name in {cheapest-window, price-tolerance, greenest-window} x
 * policy.price_tolerance in {0, 0.1, 0.2}, two seeds, run-now carbon and cost 100 at both.
 * saved[p][k] and change[p][k] are each seed's carbon saving and cost change in percent. */
typedef struct fixture {
    ccs_sweep_row rows[NPOINTS * SEEDS];
    char *paths[2], *values[NPOINTS * 2];
    ccs_sweep_fact facts[4];
    ccs_sweep_table t;
} fixture;

static const char *names[3] = {"cheapest-window", "price-tolerance", "greenest-window"};
static const char *xs[3] = {"0", "0.1", "0.2"};

static void fixture_init(fixture *f, const char *scenario, const double saved[NPOINTS][SEEDS],
                         const double change[NPOINTS][SEEDS])
{
    memset(f, 0, sizeof *f);
    f->paths[0] = "policy.name";
    f->paths[1] = "policy.price_tolerance";
    for (int p = 0; p < NPOINTS; p++) {
        f->values[2 * p] = (char *)names[p / 3];
        f->values[2 * p + 1] = (char *)xs[p % 3];
        for (int k = 0; k < SEEDS; k++) {
            ccs_sweep_row *r = &f->rows[p * SEEDS + k];
            r->run = p * SEEDS + k;
            r->point = p;
            r->seed_index = k;
            r->done = 1;
            r->o.base_carbon_kg = 100;
            r->o.carbon_kg = 100 - saved[p][k];
            r->o.base_cost = 100;
            r->o.cost = 100 + change[p][k];
            r->o.energy_kwh = 1;
            r->o.planned_cost = r->o.jobs_cost = r->o.cost; /* every cost is the jobs', as planned */
            r->o.cost_tolerance = strtod(xs[p % 3], NULL);
            snprintf(r->o.policy, sizeof r->o.policy, "%s", names[p / 3]);
        }
    }
    f->facts[0] = (ccs_sweep_fact){"period", "start (UTC)", "2023-01-01T00:00:00Z"};
    f->facts[1] = (ccs_sweep_fact){"period", "end (UTC)", "2023-01-08T00:00:00Z"};
    f->facts[2] = (ccs_sweep_fact){"assumption", "region <b>x</b>", "PUE 1.2"};
    f->facts[3] = (ccs_sweep_fact){"source", "ci|x.csv", "carbon intensity: made by hand (CC0)"};
    f->t = (ccs_sweep_table){.scenario = (char *)scenario,
                             .scenario_path = "/s/t.yaml",
                             .currency = "EUR",
                             .version = "9.8.7",
                             .scenario_hash = "00c0ffee00c0ffee",
                             .created_utc = "2023-02-01T10:00:00Z",
                             .finished_utc = "2023-02-01T10:05:00Z",
                             .facts = f->facts,
                             .nfacts = 4,
                             .seeds = SEEDS,
                             .nparams = 2,
                             .npoints = NPOINTS,
                             .nrows = NPOINTS * SEEDS,
                             .paths = f->paths,
                             .values = f->values,
                             .rows = f->rows};
}

/* The hand-made figures: cheapest-window saves 5% at -10% cost at every X (it ignores X);
 * price-tolerance saves 4% at X = 0 (cost 0), 11 and 13% at X = 0.1 (mean 12, cost +9.99), and
 * 11.01 and 13.01% at X = 0.2 (cost +10.02: the same figures to the tenth); greenest-window saves
 * 30% at +25%, beyond every X. */
static const double saved_by_hand[NPOINTS][SEEDS] = {{5, 5},         {5, 5},   {5, 5},   {4, 4},  {11, 13},
                                                     {11.01, 13.01}, {30, 30}, {30, 30}, {30, 30}};
static const double change_by_hand[NPOINTS][SEEDS] = {{-10, -10},     {-10, -10}, {-10, -10}, {0, 0},  {9.99, 9.99},
                                                      {10.02, 10.02}, {25, 25},   {25, 25},   {25, 25}};

static char *report_file(const char *dir, const char *name)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *text = read_all(path, &len);
    cr_assert_not_null(text, "%s missing", path);
    return text;
}

static const char *write_report(fixture *f, ccs_point_stats **ps)
{
    *ps = ccs_sweep_point_stats(&f->t);
    cr_assert_not_null(*ps);
    const char *dir = tmp_folder();
    ccs_err err = {0};
    cr_assert_eq(ccs_sweep_report(&f->t, *ps, dir, &err), 0, "%s", err.msg);
    return dir;
}

/* The lines of one "## " section of report.md that start with prefix, counted. */
static int count_lines(const char *md, const char *section, const char *prefix)
{
    const char *s = strstr(md, section);
    cr_assert_not_null(s, "no section %s", section);
    s += strlen(section);
    const char *end = strstr(s, "\n## ");
    int n = 0;
    for (const char *l = s; l && (!end || l < end); l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        n += strncmp(l, prefix, strlen(prefix)) == 0;
    return n;
}

Test(report, twins_are_points_of_a_policy_that_ignores_x_with_the_same_figures)
{
    fixture f;
    fixture_init(&f, "t", saved_by_hand, change_by_hand);
    ccs_point_stats *ps = ccs_sweep_point_stats(&f.t);
    size_t want[NPOINTS] = {0, 0, 0, 3, 4, 5, 6, 6, 6}; /* price-tolerance reads X: never twins */
    for (int p = 0; p < NPOINTS; p++) {
        cr_assert_eq(ps[p].same_as, want[p], "point %d: same as %zu", p, ps[p].same_as);
        cr_assert_eq(ps[p].ignores_tolerance, p / 3 != 1, "point %d", p);
    }
    free(ps);
    /* a figure that differs at one seed: not the same runs, whatever the declaration says */
    f.rows[2 * SEEDS + 1].o.carbon_kg += 1e-9;
    ps = ccs_sweep_point_stats(&f.t);
    cr_assert_eq(ps[1].same_as, 0);
    cr_assert_eq(ps[2].same_as, 2);
    free(ps);
    cr_assert(ccs_sweep_ignores_tolerance("cheapest-window") && ccs_sweep_ignores_tolerance("run-now"));
    cr_assert_not(ccs_sweep_ignores_tolerance("price-tolerance"));
    cr_assert_not(ccs_sweep_ignores_tolerance("no-such-policy"), "an unknown policy is taken to read X");
}

/* Worked out by hand from the figures above. Within X is a mean cost change of at most X, whatever
 * the point's own X. X = 0: within are cheapest-window (-10%) and price-tolerance at 0 (0%);
 * cheapest-window saves more (5 > 4). X = 0.1: price-tolerance at 0.1 (+9.99%) joins and saves
 * 12; t(0.975, 1) = 12.7062 and s = sqrt 2, so the half-width is 12.7062 and the interval -0.7 to
 * 24.7. X = 0.2: price-tolerance at 0.2 (+10.02%) saves 12.01, the best, but prints as the same
 * figures: one line from 10% to 20%, naming P4 and P5. Greenest-window (+25%) is never within. */
Test(report, one_headline_per_distinct_answer_with_the_range_merged)
{
    fixture f;
    fixture_init(&f, "t", saved_by_hand, change_by_hand);
    ccs_point_stats *ps;
    const char *dir = write_report(&f, &ps);
    char *md = report_file(dir, "report.md");
    cr_assert(strstr(md, "- At 0% price tolerance: cheapest-window saves **5.0% CO2e** (95% CI 5.0 to 5.0%) and "
                         "10.0% of cost (P0: policy.name=cheapest-window).\n"),
              "%s", md);
    cr_assert(strstr(md, "- From 10% to 20% price tolerance: price-tolerance saves **12.0% CO2e** (95% CI -0.7 to "
                         "24.7%) for 10.0% more cost (P4: policy.name=price-tolerance, policy.price\\_tolerance=0.1; "
                         "the same figures at P5).\n"),
              "%s", md);
    cr_assert_eq(count_lines(md, "## Headline\n", "- "), 2, "%s", md);
    cr_assert_null(strstr(md, "extra cost -"), "a saving is never a negative extra cost");
    cr_assert(strstr(md, "| saves 10 | saves carbon and money |"), "cheapest-window saves money, said so: %s", md);
    free(md);
    free(ps);
}

Test(report, a_policy_that_ignores_x_is_shown_once)
{
    fixture f;
    fixture_init(&f, "t", saved_by_hand, change_by_hand);
    ccs_point_stats *ps;
    const char *dir = write_report(&f, &ps);
    char *md = report_file(dir, "report.md");
    /* 9 points, 5 distinct: 3 price-tolerance rows and one each for the two that ignore X */
    cr_assert_eq(count_lines(md, "## Results per sweep point\n", "| P"), 5, "%s", md);
    cr_assert(strstr(md, "| P0 (for P0-P2) | policy.name=cheapest-window | cheapest-window | — (ignores X) |"), "%s",
              md);
    cr_assert(strstr(md, "| P6 (for P6-P8) | policy.name=greenest-window | greenest-window | — (ignores X) |"));
    cr_assert(strstr(md, "| P4 | policy.name=price-tolerance, policy.price\\_tolerance=0.1 | price-tolerance | 10% |"));
    cr_assert_null(strstr(md, "| P1 |"));
    cr_assert_null(strstr(md, "| P7 "));
    /* within X: from the X equal to its cost change on, for one that ignores X */
    cr_assert(strstr(md, "| from X = 25.00% |"), "%s", md);
    cr_assert(strstr(md, "| at any X |"));
    cr_assert(strstr(md, "cheapest-window: P0-P2 shown once as P0; greenest-window: P6-P8 shown once as P6"));
    /* the recommendations rank each once too: cheapest-window saves money, said so */
    cr_assert_eq(count_lines(md, "## Recommendations\n", "| "), 1 + 5, "%s", md); /* head and 5 */
    cr_assert(
        strstr(md, "| 1 | P0 (for P0-P2) | policy.name=cheapest-window | 5 | saves 10 | saves carbon and money |"),
        "%s", md);
    free(md);
    /* report.csv keeps every point, marking which one each stands for */
    char *csv = report_file(dir, "report.csv");
    /* policy.name and policy.price_tolerance are swept: no policy or price_tolerance column again */
    cr_assert(strncmp(csv, "point,policy.name,policy.price_tolerance,seeds,", 47) == 0, "%s", csv);
    cr_assert(strstr(csv, "\n1,cheapest-window,0.1,2,5,5,5,-10,-10,-10,yes,"), "%s", csv);
    cr_assert(strstr(csv, ",EUR,90,90,0,0,yes,0,0\n"), "%s", csv);
    cr_assert(strstr(csv, "\n2,cheapest-window,0.2,"));
    free(csv);
    free(ps);
}

Test(report, money_columns_name_the_currency)
{
    fixture f;
    fixture_init(&f, "t", saved_by_hand, change_by_hand);
    ccs_point_stats *ps;
    const char *dir = write_report(&f, &ps);
    char *md = report_file(dir, "report.md"), *html = report_file(dir, "report.html");
    static const char *heads[] = {"| cost (EUR) |", "| jobs' planned cost (EUR) | jobs' actual cost (EUR) |",
                                  "| cost change (EUR) | trade-off |"};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) cr_assert(strstr(md, heads[i]), "%s", heads[i]);
    cr_assert_eq(count_lines(md, "## Which knob matters most\n", "| rank | parameter |"), 1);
    cr_assert(strstr(md, "kg CO2e per EUR"));
    cr_assert(strstr(html, "<th>cost (EUR)</th>"));
    cr_assert(strstr(html, "<th>jobs' planned cost (EUR)</th>"));
    free(md);
    free(html);
    free(ps);
}

/* Planned against actual: P4's seeds planned 90 and 92 and cost 99 and 101 (means 91 and 100,
 * +9.89%); of 4 capped runs per period, 1 and 3 broke the cap: 2.00 of 4.00. */
Test(report, planned_and_actual_cost_against_the_caps)
{
    fixture f;
    fixture_init(&f, "t", saved_by_hand, change_by_hand);
    double planned[2] = {90, 92}, actual[2] = {99, 101};
    uint64_t over[2] = {1, 3};
    for (int k = 0; k < SEEDS; k++) {
        ccs_sweep_outcome *o = &f.rows[4 * SEEDS + k].o;
        o->planned_cost = planned[k];
        o->jobs_cost = actual[k];
        o->capped_runs = 4;
        o->runs_over_cap = over[k];
    }
    ccs_point_stats *ps;
    const char *dir = write_report(&f, &ps);
    char *md = report_file(dir, "report.md");
    cr_assert(strstr(md, "| P4 | policy.name=price-tolerance, policy.price\\_tolerance=0.1 | 91 | 100 | +9.89% | "
                         "**2.00 of 4.00** | +9.99% | +10%: within |"),
              "%s", md);
    free(md);
    free(ps);
}

Test(report, period_facts_hash_version_and_sign_off)
{
    fixture f;
    fixture_init(&f, "t", saved_by_hand, change_by_hand);
    ccs_point_stats *ps;
    const char *dir = write_report(&f, &ps);
    char *md = report_file(dir, "report.md"), *html = report_file(dir, "report.html");
    cr_assert(strstr(md, "| start (UTC) | 2023-01-01T00:00:00Z |") &&
              strstr(md, "| end (UTC) | 2023-01-08T00:00:00Z |"));
    cr_assert(strstr(md, "| ci\\|x.csv | carbon intensity: made by hand (CC0) |"), "%s", md);
    /* the hash and version above the signatures, so that they bind to them */
    const char *bind = strstr(md, "scenario hash **00c0ffee00c0ffee**"), *ver = strstr(md, "ccsim **9.8.7**");
    const char *prepared = strstr(md, "| Prepared by |"), *reviewed = strstr(md, "| Reviewed by |"),
               *approved = strstr(md, "| Approved by |");
    cr_assert(bind && ver && prepared && reviewed && approved, "%s", md);
    cr_assert(bind < prepared && ver < prepared && prepared < reviewed && reviewed < approved);
    cr_assert(strstr(md, "|  | name | role | date | signature |"));
    cr_assert(strstr(html, "<td>Approved by</td><td></td><td></td><td></td><td></td>"));
    free(md);
    free(html);
    free(ps);
}

/* A scenario name, a fact and a file name that try markup in both formats: none becomes markup. */
Test(report, user_strings_are_escaped_in_markdown_and_html)
{
    fixture f;
    const char *evil = "<script>alert(1)</script> | `tick` **b** [l](javascript:x) & _u_";
    fixture_init(&f, evil, saved_by_hand, change_by_hand);
    ccs_point_stats *ps;
    const char *dir = write_report(&f, &ps);
    char *md = report_file(dir, "report.md"), *html = report_file(dir, "report.html");
    cr_assert_null(strstr(md, "<script"), "%s", md);
    cr_assert_null(strstr(md, "<b>"), "the fact's name");
    cr_assert(strstr(md, "# Sweep report: &lt;script&gt;alert(1)&lt;/script&gt; \\| \\`tick\\` \\*\\*b\\*\\* "
                         "\\[l\\](javascript:x) &amp; \\_u\\_\n"),
              "%s", md);
    cr_assert(strstr(md, "| region &lt;b&gt;x&lt;/b&gt; | PUE 1.2 |"));
    cr_assert_null(strstr(html, "<script"));
    cr_assert_null(strstr(html, "<b>b</b>"), "a name's ** is not bold");
    cr_assert(strstr(html, "<h1>Sweep report: &lt;script&gt;alert(1)&lt;/script&gt; | `tick` **b** "
                           "[l](javascript:x) &amp; _u_</h1>"),
              "%s", html);
    cr_assert(strstr(html, "<td>region &lt;b&gt;x&lt;/b&gt;</td>"));
    free(md);
    free(html);
    free(ps);
}

Test(report, a_saving_that_adds_carbon_or_saves_money_is_worded_plainly)
{
    fixture f;
    double saved[NPOINTS][SEEDS], change[NPOINTS][SEEDS];
    for (int p = 0; p < NPOINTS; p++)
        for (int k = 0; k < SEEDS; k++) saved[p][k] = -3, change[p][k] = p < 3 ? -10 : 50;
    fixture_init(&f, "t", saved, change);
    ccs_point_stats *ps;
    const char *dir = write_report(&f, &ps);
    char *md = report_file(dir, "report.md");
    cr_assert(strstr(md, "- From 0% to 20% price tolerance: no sweep point saves CO2e; the best, cheapest-window (P0: "
                         "policy.name=cheapest-window), adds **3.0% CO2e** (95% CI 3.0 to 3.0%) but saves 10.0% of "
                         "cost.\n"),
              "%s", md);
    cr_assert_eq(count_lines(md, "## Headline\n", "- "), 1);
    free(md);
    free(ps);
}

/* ---- where the facts come from ---- */

Test(report, source_and_licence_from_the_readme_beside_a_file)
{
    const char *dir = tmp_folder();
    char sub[4200], path[4300];
    snprintf(sub, sizeof sub, "%s/data", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    write_text(dir, "README.md",
               "# data\n\n| file | span | source and licence |\n|---|---|---|\n"
               "| `ci-{DE,FR}-2023.csv`, `other.csv` | 2023 | Maps (ODbL) |\n\n"
               "`prices.csv`: on-demand prices (SkyPilot;\nApache-2.0).\n\nmore text\n");
    char buf[256];
    snprintf(path, sizeof path, "%s/ci-FR-2023.csv", sub);
    cr_assert_eq(ccs_sweep_source_of(path, buf, sizeof buf), 1);
    cr_assert_str_eq(buf, "Maps (ODbL)");
    snprintf(path, sizeof path, "%s/other.csv", sub);
    cr_assert_eq(ccs_sweep_source_of(path, buf, sizeof buf), 1);
    snprintf(path, sizeof path, "%s/prices.csv", sub);
    cr_assert_eq(ccs_sweep_source_of(path, buf, sizeof buf), 1);
    cr_assert_str_eq(buf, "on-demand prices (SkyPilot; Apache-2.0).");
    snprintf(path, sizeof path, "%s/ci-ES-2023.csv", sub);
    cr_assert_eq(ccs_sweep_source_of(path, buf, sizeof buf), 0, "ES is not among the alternatives");
    snprintf(path, sizeof path, "%s/ci-{DE,FR}-2023.csv", sub);
    cr_assert_eq(ccs_sweep_source_of(path, buf, sizeof buf), 0, "the pattern is not a file name");
}

/* ---- the bundled sweep, through the binary ---- */

typedef struct csv_row {
    double x, saved;
    char policy[48];
    long same_as;
} csv_row;

/* report.csv's rows (no quoted fields in this sweep's): policy, X, saving, same_as_point. */
static size_t read_rows(const char *csv, csv_row *rows, size_t max)
{
    int col_policy = -1, col_x = -1, col_saved = -1, col_same = -1;
    size_t n = 0;
    char *copy = strdup(csv), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
        char *f[64];
        int nf = 0;
        for (char *q = line; nf < 64;) {
            f[nf++] = q;
            char *c = strchr(q, ',');
            if (!c) break;
            *c = '\0';
            q = c + 1;
        }
        if (col_policy < 0) {
            for (int k = 0; k < nf; k++) {
                /* the swept policy.name and policy.price_tolerance, not repeated as policy and
                 * price_tolerance; those in a sweep of neither */
                if (!strcmp(f[k], "policy") || !strcmp(f[k], "policy.name")) col_policy = k;
                if (!strcmp(f[k], "price_tolerance") || !strcmp(f[k], "policy.price_tolerance")) col_x = k;
                if (!strcmp(f[k], "carbon_saved_pct")) col_saved = k;
                if (!strcmp(f[k], "same_as_point")) col_same = k;
            }
            cr_assert(col_policy >= 0 && col_x >= 0 && col_saved >= 0 && col_same >= 0, "report.csv's header");
            continue;
        }
        csv_row *r = &rows[n++];
        snprintf(r->policy, sizeof r->policy, "%s", f[col_policy]);
        r->x = strtod(f[col_x], NULL);
        r->saved = strtod(f[col_saved], NULL);
        r->same_as = strtol(f[col_same], NULL, 10);
    }
    free(copy);
    return n;
}

/* FNV-1a 64 of a file's bytes, written here again: the scenario hash the report must show. */
static uint64_t fnv1a_file(const char *path)
{
    size_t len;
    char *b = read_all(path, &len);
    cr_assert_not_null(b);
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)b[i]) * UINT64_C(0x100000001b3);
    free(b);
    return h;
}

Test(report, bundled_sweep_tolerance_shows_a_real_trade_off, .timeout = 280)
{
    const char *dir = tmp_folder();
    char scenario[4200], out[4300];
    snprintf(scenario, sizeof scenario, "%s/scenarios/sweep-tolerance.yaml", source_dir());
    snprintf(out, sizeof out, "%s/sw", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"sweep", scenario, "--out", out, "--jobs", "2", "--quiet", "--no-plot", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *md = report_file(out, "report.md"), *csv = report_file(out, "report.csv");
    /* every headline distinct, and more than one: the tolerance binds */
    const char *h = strstr(md, "## Headline\n");
    cr_assert_not_null(h);
    char *lines[32];
    int n = 0;
    for (const char *l = strstr(h, "\n- "); l && n < 32 && l < strstr(h, "\n\n## Simulated");
         l = strstr(l + 1, "\n- ")) {
        const char *e = strchr(l + 1, '\n');
        lines[n++] = strndup(l + 3, (size_t)(e - l - 3));
    }
    cr_assert_geq(n, 4, "%s", h);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) cr_assert_str_neq(lines[i], lines[j], "headlines %d and %d", i, j);
    for (int i = 0; i < n; i++) free(lines[i]);
    /* price-tolerance's saving never falls with X, and grows at every step: one more job moves */
    csv_row rows[64];
    size_t nr = read_rows(csv, rows, 64), npt = 0, grows = 0;
    double last = -INFINITY, first = NAN, prev_x = -1;
    for (size_t i = 0; i < nr; i++) {
        if (strcmp(rows[i].policy, "price-tolerance") != 0) continue;
        cr_assert_gt(rows[i].x, prev_x, "points in X order");
        cr_assert_geq(rows[i].saved, last - 1e-9, "the saving fell at X = %g: %g after %g", rows[i].x, rows[i].saved,
                      last);
        if (npt++ == 0)
            first = rows[i].saved;
        else
            grows += rows[i].saved > last + 0.5;
        last = rows[i].saved;
        prev_x = rows[i].x;
    }
    cr_assert_eq(npt, 7);
    cr_assert_eq(grows, 6, "the saving grows by more than half a point at %zu of the 6 steps of X", grows);
    cr_assert_gt(last - first, 40.0, "from %g%% to %g%%", first, last);
    /* the brackets ignore X: one row each in the table, standing for seven points */
    cr_assert_eq(count_lines(md, "## Results per sweep point\n", "| P"), 9, "%s", md);
    cr_assert(strstr(md, "| P0 (for P0-P6) | policy.name=cheapest-window |"));
    cr_assert(strstr(md, "| P14 (for P14-P20) | policy.name=greenest-window |"));
    for (size_t i = 0; i < nr; i++)
        cr_assert_eq(rows[i].same_as, strcmp(rows[i].policy, "price-tolerance") == 0 ? (long)i : (long)(i / 7 * 7));
    /* the period, sources with licences, the version and the scenario's own hash */
    cr_assert(strstr(md, "| start (UTC) | 2020-06-01T00:00:00Z |") &&
              strstr(md, "| end (UTC) | 2020-07-01T00:00:00Z |"));
    cr_assert(strstr(md, "../traces/carbon/carbon-intensity-FR-2020-30min.csv | carbon intensity: Let's Wait Awhile"));
    cr_assert(strstr(md, "../traces/cloud/instance-prices.csv | instance prices:") && strstr(md, "Apache-2.0"));
    char want[64];
    snprintf(want, sizeof want, "scenario hash **%016" PRIx64 "**", fnv1a_file(scenario));
    cr_assert(strstr(md, want), "%s not in the report", want);
    snprintf(want, sizeof want, "ccsim **%s**", CCS_VERSION);
    cr_assert(strstr(md, want));
    cr_assert(strstr(md, "| Approved by |"));
    cr_assert(
        strstr(md,
               "| job nightly-finetune | released every 24 h at 17:00 UTC; work 80 device-hours (10 h); "
               "power 8 x l4, 1.477 kW with their share of the host; rented at 6.438 USD/h in gb, 8.173 USD/h in fr;"),
        "%s", md);
    /* ccsim report, from the database alone, says the same */
    run_ccsim(&r, (const char *[]){"report", out, NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *again = report_file(out, "report.md");
    cr_assert_str_eq(again, md);
    free(again);
    free(md);
    free(csv);
}

/* A point that broke a constraint at some seed is marked and never headlined: with
 * price-tolerance's P4 and P5 breaking one, the best within 10% and 20% is cheapest-window again
 * (5% at -10%), so one headline covers 0% to 20%; the tables mark P4 and P5 and the constraints
 * section names them. */
Test(report, a_point_that_breaks_a_constraint_is_marked_and_never_headlined)
{
    fixture f;
    fixture_init(&f, "t", saved_by_hand, change_by_hand);
    ccs_sweep_fact facts[5];
    memcpy(facts, f.facts, sizeof f.facts);
    facts[4] = (ccs_sweep_fact){"constraint", "job j", "only in de"};
    f.t.facts = facts;
    f.t.nfacts = 5;
    f.rows[4 * SEEDS + 1].o.constraints_broken = 1;
    f.rows[5 * SEEDS + 0].o.constraints_broken = 2;
    ccs_point_stats *ps;
    const char *dir = write_report(&f, &ps);
    cr_assert(ps[4].breaks_constraint && ps[5].breaks_constraint && !ps[3].breaks_constraint);
    cr_assert_float_eq(ps[5].constraints_broken, 1.0, 1e-12); /* 2 rules at one of two seeds */
    char *md = report_file(dir, "report.md");
    cr_assert(strstr(md, "- From 0% to 20% price tolerance: cheapest-window saves **5.0% CO2e**"), "%s", md);
    cr_assert_eq(count_lines(md, "## Headline\n", "- "), 1, "%s", md);
    cr_assert(strstr(md, "Points that broke a constraint at some seed, so no headline names them: P4, P5."), "%s", md);
    cr_assert(strstr(md, "| job j | only in de |"), "%s", md);
    cr_assert(strstr(md, "**broken** (1.00 rules per run)"), "%s", md);
    free(md);
    char *csv = report_file(dir, "report.csv");
    cr_assert(strstr(csv, ",no,5,1\n"), "%s", csv);
    free(csv);
    free(ps);
}
