/* The pictures and the report, drawn by the real gnuplot through the ccsim binary (issue 14):
 * every template is drawn, each PNG is a PNG of the size the terminal was given and each SVG
 * holds every series its template plots, once per region where the template repeats per region.
 * `ccsim report` rebuilds the report of a finished sweep, plots inline. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A PNG's width and height from its IHDR chunk; 0 if the file is not a PNG. */
static int png_size(const char *path, uint32_t *w, uint32_t *h)
{
    size_t n;
    unsigned char *b = (unsigned char *)read_all(path, &n);
    int ok = b && n > 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0;
    if (ok) {
        *w = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
        *h = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
    }
    free(b);
    return ok;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static char *file_in(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n;
    char *s = read_all(path, &n);
    cr_assert_not_null(s, "%s was not written", path);
    return s;
}

static void check_png(const char *dir, const char *name, uint32_t min_w, uint32_t min_h)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    uint32_t w = 0, h = 0;
    cr_assert(png_size(path, &w, &h), "%s is not a PNG", path);
    cr_assert(w >= min_w && h >= min_h && w <= 4000 && h <= 8000, "%s: %u x %u", name, w, h);
}

/* ccsim run: intensity-energy.png, one panel per region (the height grows with the regions). */
Test(plots, run_draws_intensity_and_energy_per_region)
{
    const char *dir = tmp_folder();
    char yaml[2048], out1[4200], out2[4200];
    const char *ci = "carbon-intensity-DE-LU-2023-hourly.csv";
    snprintf(yaml, sizeof yaml,
             "start: \"2023-03-01T00:00:00Z\"\nduration: 2d\nregions:\n"
             "  - {name: de, carbon: %s/traces/carbon/%s}\n"
             "jobs: [{name: j, release: {every: 24h, at: \"19:00\"}, duration: 1h, power_kw: 1, deadline: 6h}]\n",
             source_dir(), ci);
    const char *one = write_text(dir, "one.yaml", yaml);
    snprintf(yaml, sizeof yaml,
             "start: \"2023-03-01T00:00:00Z\"\nduration: 2d\nregions:\n"
             "  - {name: de, carbon: %s/traces/carbon/%s}\n  - {name: es, carbon: %s/traces/carbon/%s}\n"
             "jobs: [{name: j, release: {every: 24h, at: \"19:00\"}, duration: 1h, power_kw: 1, deadline: 6h,"
             " regions: [de, es]}]\n",
             source_dir(), ci, source_dir(), "carbon-intensity-ES-2023-hourly.csv");
    const char *two = write_text(dir, "two.yaml", yaml);
    snprintf(out1, sizeof out1, "%s/one", dir);
    snprintf(out2, sizeof out2, "%s/two", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", one, "--out", out1, NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_ccsim(&r, (const char *[]){"run", two, "--out", out2, NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    char p1[4300], p2[4300];
    snprintf(p1, sizeof p1, "%s/intensity-energy.png", out1);
    snprintf(p2, sizeof p2, "%s/intensity-energy.png", out2);
    uint32_t w1, h1, w2, h2;
    cr_assert(png_size(p1, &w1, &h1) && png_size(p2, &w2, &h2), "not PNGs");
    cr_assert(w1 >= 600 && h1 >= 300, "%u x %u", w1, h1);
    cr_assert_eq(w2, w1);
    cr_assert_gt(h2, h1, "two regions, two panels: %u px high against %u", h2, h1);
}

/* ccsim sweep: the three trade-off plots and the time series, PNG and SVG, each series there. A
 * service gives the P95 axis, a job the freshness axis, prices the cost axis; two regions. */
static const char *sweep_dir(void)
{
    static char out[4200];
    const char *dir = tmp_folder();
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "name: plots\nstart: \"2023-03-01T00:00:00Z\"\nduration: 2d\nseed: 3\ncurrency: USD\nregions:\n"
             "  - {name: de, carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv,"
             " price: %s/traces/price/price-day-ahead-DE-LU-2023-hourly-usd.csv}\n"
             "  - {name: es, carbon: %s/traces/carbon/carbon-intensity-ES-2023-hourly.csv,"
             " price: %s/traces/price/price-day-ahead-ES-2023-hourly-usd.csv}\n"
             "hardware: [{name: box, idle_w: 10, max_w: 100}]\n"
             "services: [{name: s, region: de, hardware: box, arrivals: {rate_per_s: 2},"
             " service_time: {mean_ms: 20}}]\n"
             "jobs: [{name: j, release: {every: 24h, at: \"19:00\"}, duration: 2h, power_kw: 10, deadline: 12h,"
             " regions: [de, es]}]\n"
             "sweep:\n  seeds: 2\n  policy.name: [run-now, greenest-window, cheapest-window]\n",
             source_dir(), source_dir(), source_dir(), source_dir());
    const char *sc = write_text(dir, "plots.yaml", yaml);
    snprintf(out, sizeof out, "%s/out", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"sweep", sc, "--out", out, "--quiet", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    return out;
}

Test(plots, sweep_draws_every_template_with_every_series, .timeout = 240)
{
    const char *out = sweep_dir();
    const char *tradeoffs[] = {"carbon-vs-cost", "carbon-vs-p95", "carbon-vs-freshness"};
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.png", tradeoffs[i]);
        check_png(out, name, 600, 400);
        snprintf(name, sizeof name, "%s.svg", tradeoffs[i]);
        char *svg = file_in(out, name);
        cr_assert(strstr(svg, "<title>sweep point (mean; bars +-1 s.d. over 2 seeds)</title>"), "%s: points", name);
        cr_assert(strstr(svg, "<title>Pareto-efficient</title>"), "%s: the front", name);
        cr_assert(strstr(svg, "<title>run-now baseline</title>"), "%s: the baseline", name);
        cr_assert(strstr(svg, "</svg>"), "%s: cut short", name);
        free(svg);
    }
    check_png(out, "timeseries.png", 600, 400);
    char *svg = file_in(out, "timeseries.svg");
    /* per region: grid signals (intensity, price) and load (baseline, policy); gnuplot's SVG
     * names each series twice (its key entry and its curve), so 2 regions x 2 */
    cr_assert_eq(count(svg, "<title>intensity</title>"), 4);
    cr_assert_eq(count(svg, "<title>price</title>"), 4);
    cr_assert_eq(count(svg, "<title>run-now (baseline)</title>"), 4);
    cr_assert_eq(count(svg, "<title>shifted (policy)</title>"), 4);
    cr_assert(strstr(svg, "de: grid signals") && strstr(svg, "es: load"), "the panels' region titles");
    free(svg);
}

/* ccsim report: rebuilt from runs.sqlite alone, the plots inline in the HTML. */
Test(plots, report_rebuilds_the_sign_off_from_the_database, .timeout = 240)
{
    const char *out = sweep_dir();
    const char *names[] = {"report.md", "report.csv", "report.html"};
    for (int i = 0; i < 3; i++) {
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", out, names[i]);
        cr_assert_eq(unlink(path), 0, "%s was not written by the sweep", path);
    }
    cmd_result r;
    run_ccsim(&r, (const char *[]){"report", out, NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *md = file_in(out, "report.md"), *csv = file_in(out, "report.csv"), *html = file_in(out, "report.html");
    cr_assert(strstr(md, "price tolerance"), "%s", md);
    /* one row per point, after the header: 3 points */
    cr_assert_eq(count(csv, "\n"), 4, "%s", csv);
    cr_assert(strstr(csv, "fallbacks_per_run,unproven_per_run,currency,"), "%s", csv);
    cr_assert(strstr(html, "</html>") && count(html, "<svg") >= 4, "the HTML holds the four plots inline");
    free(md);
    free(csv);
    free(html);
}

/* What a template plots, curve by curve: gnuplot's own table output (set table) of the template
 * run on `vars` (its variables and $data block), as text. */
static char *plotted(const char *template, const char *vars)
{
    const char *dir = tmp_folder();
    char table[4200], driver[8192];
    snprintf(table, sizeof table, "%s/table.txt", dir);
    snprintf(driver, sizeof driver, "set table '%s'\n%sload '%s/plots/%s'\nunset table\n", table, vars, source_dir(),
             template);
    const char *gp = write_text(dir, "driver.gp", driver);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        /* gnuplot warns that the table terminal draws nothing */
        if (!freopen("/dev/null", "w", stderr)) _exit(126);
        execlp("gnuplot", "gnuplot", gp, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "gnuplot failed on %s", template);
    size_t n;
    char *s = read_all(table, &n);
    cr_assert_not_null(s);
    return s;
}

/* The values of the k-th curve (0-based) titled `title` in a table: the second column of its
 * rows, concatenated ("5 5 "). */
static void curve_values(const char *table, const char *title, int k, char *buf, size_t size)
{
    char head[128];
    snprintf(head, sizeof head, "# Curve title: \"%s\"", title);
    const char *p = table;
    for (int i = 0; i <= k; i++) {
        p = strstr(p, head);
        cr_assert_not_null(p, "no curve %d titled %s", k, title);
        p += strlen(head);
    }
    buf[0] = '\0';
    p = strchr(p, '\n') + 1; /* "# x y type" */
    p = strchr(p, '\n') + 1;
    while (*p == '"') { /* rows: "date time"  value  type */
        const char *v = strchr(p + 1, '"') + 1;
        double x = strtod(v, NULL);
        snprintf(buf + strlen(buf), size - strlen(buf), "%g ", x);
        p = strchr(p, '\n') + 1;
    }
}

#define TWO_REGIONS_TWO_HOURS(a, b) \
    "$data << EOD\n1677628800 " a "\n1677632400 " a "\n\n\n1677628800 " b "\n1677632400 " b "\nEOD\n"

/* Each region's panel draws that region's series only (plots/intensity-energy.gp once drew every
 * region's energy in every panel: its second curve had no 'index'), and the time axis carries the
 * year. */
Test(plots, each_panel_draws_its_own_region_with_the_year)
{
    char *t =
        plotted("intensity-energy.gp",
                "nregions = 2\nscenario = 's'\nregion1 = 'a'\nregion2 = 'b'\n" TWO_REGIONS_TWO_HOURS("100 5", "300 7"));
    char v[256];
    curve_values(t, "intensity", 0, v, sizeof v);
    cr_assert_str_eq(v, "100 100 ");
    curve_values(t, "energy", 0, v, sizeof v);
    cr_assert_str_eq(v, "5 5 ", "region a's panel draws: %s", v);
    curve_values(t, "intensity", 1, v, sizeof v);
    cr_assert_str_eq(v, "300 300 ");
    curve_values(t, "energy", 1, v, sizeof v);
    cr_assert_str_eq(v, "7 7 ", "region b's panel draws: %s", v);
    cr_assert(strstr(t, "\"2023-03-01 00:00\""), "no year on the time axis: %.300s", t);
    free(t);
    t = plotted(
        "timeseries.gp",
        "nregions = 2\ntitle_text = 's'\ncurrency = 'EUR'\nregion1 = 'a'\nregion2 = 'b'\n" TWO_REGIONS_TWO_HOURS(
            "100 40 5 6", "300 50 7 8"));
    const char *titles[] = {"intensity", "price", "run-now (baseline)", "shifted (policy)"};
    const char *want[2][4] = {{"100 100 ", "40 40 ", "5 5 ", "6 6 "}, {"300 300 ", "50 50 ", "7 7 ", "8 8 "}};
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 4; c++) {
            curve_values(t, titles[c], r, v, sizeof v);
            cr_assert_str_eq(v, want[r][c], "region %d, %s: %s", r, titles[c], v);
        }
    cr_assert(strstr(t, "\"2023-03-01 00:00\""), "no year on the time axis");
    free(t);
}

/* A region without a price (price1 = 0: rented devices pay none) draws no price curve, which would
 * read as a price of 0; the next region's price is drawn as before. */
Test(plots, a_region_without_a_price_draws_none)
{
    char *t = plotted("timeseries.gp",
                      "nregions = 2\ntitle_text = 's'\ncurrency = 'EUR'\nregion1 = 'a'\n"
                      "region2 = 'b'\nprice1 = 0\nprice2 = 1\n" TWO_REGIONS_TWO_HOURS("100 0 5 6", "300 50 7 8"));
    char v[256];
    curve_values(t, "intensity (no price)", 0, v, sizeof v);
    cr_assert_str_eq(v, "100 100 ");
    curve_values(t, "price", 0, v, sizeof v);
    cr_assert_str_eq(v, "50 50 ", "the first price curve is region b's: %s", v);
    cr_assert_null(strstr(strstr(t, "# Curve title: \"price\"") + 1, "# Curve title: \"price\""), "one price curve");
    free(t);
}

/* Every sweep point is labelled, and points that coincide carry one label naming them all: here
 * greenest-window ignores price_tolerance, so its two points sit on each other (P1 and P2, drawn
 * as "P1=P2"), beside run-now's P0. Checked in gnuplot's own table of the template and in the SVG
 * ccsim sweep draws. */
Test(plots, every_point_labelled_and_coincident_points_marked, .timeout = 240)
{
    char *t = plotted("tradeoff.gp", "title_text = 't'\nxlabel_text = 'x'\nylabel_text = 'y'\nseeds_text = '2'\n"
                                     "$points << EOD\n1 10 0.1 0.1 0 \"P0\" 1\n2 5 0.1 0.1 1 \"P1=P2\" 1\n"
                                     "2 5 0.1 0.1 2 \"\" 1\n3 8 0.1 0.1 3 \"P3\" 0\nEOD\n"
                                     "$front << EOD\n1 10 0\n2 5 1\nEOD\n$base << EOD\n0 0\nEOD\nhave_base = 0\n");
    cr_assert(strstr(t, "1 10 \"P0\"") && strstr(t, "2 5 \"P1=P2\"") && strstr(t, "3 8 \"P3\""), "labels drawn: %s", t);
    free(t);
    const char *dir = tmp_folder();
    char yaml[2048], out[4200];
    snprintf(yaml, sizeof yaml,
             "name: same\nstart: \"2023-03-01T00:00:00Z\"\nduration: 2d\ncurrency: USD\nregions:\n"
             "  - {name: de, carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv,"
             " price: %s/traces/price/price-day-ahead-DE-LU-2023-hourly-usd.csv}\n"
             "jobs: [{name: j, release: {every: 24h, at: \"19:00\"}, duration: 2h, power_kw: 10, deadline: 12h}]\n"
             "policy: {name: greenest-window}\n"
             "sweep:\n  policy.name: [run-now, greenest-window]\n  policy.price_tolerance: [0, 0.1]\n",
             source_dir(), source_dir());
    const char *sc = write_text(dir, "same.yaml", yaml);
    snprintf(out, sizeof out, "%s/out", dir);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"sweep", sc, "--out", out, "--quiet", NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *svg = file_in(out, "carbon-vs-cost.svg");
    /* points: run-now x {0, 0.1} = P0, P1 (the same), greenest-window x {0, 0.1} = P2, P3 */
    cr_assert(strstr(svg, ">P0=P1<"), "run-now's two points not marked as one place");
    cr_assert(strstr(svg, ">P2=P3<"), "greenest-window's two points not marked as one place");
    cr_assert(!strstr(svg, ">P1<") && !strstr(svg, ">P3<"), "a coincident point labelled again on its own");
    free(svg);
}
