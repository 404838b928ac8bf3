/* Issue 12, the pictures: no user string becomes gnuplot code, names are checked where they are
 * read, and a finished simulation is kept when the plot fails. End to end through the ccsim
 * binary and the real gnuplot: every payload tries to create a marker file in the test's own
 * folder, which must not exist afterwards, and the picture must still be drawn (so gnuplot did
 * read the script). ccs_gp_quote is also fed every byte straight into gnuplot, which must print
 * the text back unchanged. */
#include "helpers.h"

#include "ccs_schema.h"
#include "ccs_yaml.h"
#include "out_plot.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

/* A fresh folder that is also the working directory: payloads name the marker without a '/'
 * (so that the name rules let them through) and gnuplot, started by ccsim, runs here. */
static const char *enter_tmp(void)
{
    const char *dir = tmp_folder();
    cr_assert_eq(chdir(dir), 0);
    return dir;
}

static int exists(const char *dir, const char *name)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}

/* A one-day scenario with a grid signal (so that `ccsim run` draws its plot). name_line is the
 * whole first line ("name: ..."), region the region's name as YAML. */
static const char *scenario(const char *dir, const char *name_line, const char *region)
{
    size_t n = strlen(name_line) + strlen(region) + 2048;
    char *text = malloc(n);
    snprintf(text, n,
             "%s\n"
             "start: \"2023-03-01T00:00:00Z\"\n"
             "duration: 1d\n"
             "regions:\n"
             "  - name: %s\n"
             "    carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv\n"
             "jobs: [{name: j, release: {every: 24h, at: \"19:00\"}, duration: 1h, power_kw: 1, deadline: 6h}]\n",
             name_line, region, source_dir());
    const char *path = write_text(dir, "s.yaml", text);
    free(text);
    return path;
}

/* A two-run sweep (two policies, one seed) over two days, with prices for the cost axis. */
static const char *sweep_scenario(const char *dir, const char *name_line)
{
    char text[4096];
    snprintf(text, sizeof text,
             "%s\n"
             "start: \"2023-03-01T00:00:00Z\"\n"
             "currency: USD\n"
             "duration: 2d\n"
             "regions:\n"
             "  - name: de\n"
             "    carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv\n"
             "    price: %s/traces/price/price-day-ahead-DE-LU-2023-hourly-usd.csv\n"
             "jobs: [{name: j, release: {every: 24h, at: \"19:00\"}, duration: 2h, power_kw: 10, deadline: 12h}]\n"
             "sweep:\n"
             "  seeds: 1\n"
             "  policy.name: [run-now, greenest-window]\n",
             name_line, source_dir(), source_dir());
    return write_text(dir, "sweep.yaml", text);
}

/* The marker is checked before the exit status: a payload that broke out of its string runs its
 * command before gnuplot trips over the rest of the line and fails. */
static void run_ok(const char *dir, const char *yaml, const char *out, cmd_result *r)
{
    run_ccsim(r, (const char *[]){"run", yaml, "--out", out, NULL});
    cr_assert_not(exists(dir, "MARKER"), "the payload ran a command: %s", r->err);
    cr_assert_eq(r->status, 0, "ccsim run: exit %d: %s", r->status, r->err);
}

static void sweep_ok(const char *dir, const char *yaml, const char *out, cmd_result *r)
{
    run_ccsim(r, (const char *[]){"sweep", yaml, "--out", out, "--jobs", "2", "--quiet", NULL});
    cr_assert_not(exists(dir, "MARKER"), "the payload ran a command: %s", r->err);
    cr_assert_eq(r->status, 0, "ccsim sweep: exit %d: %s", r->status, r->err);
}

/* ---- the six vectors of the issue, through the binary ---- */

Test(plot_safety, scenario_name_with_backticks)
{
    const char *dir = enter_tmp();
    const char *yaml = scenario(dir, "name: \"run`touch MARKER`\"", "de");
    cmd_result r;
    run_ok(dir, yaml, "out", &r);
    cr_assert(exists(dir, "out/intensity-energy.png"), "the plot was not drawn: %s", r.err);
    cr_assert_not(exists(dir, "MARKER"), "a backtick in the scenario name ran a command");
}

Test(plot_safety, scenario_name_breaking_out_of_the_string)
{
    /* a quote (alone, and after a backslash, which defeated the sweep's old escaping) and a
     * newline (YAML escapes), then a gnuplot command: a newline is no name, so the scenario is
     * refused where the name is written */
    static const char *names[] = {"name: \"x\\\"\\nsystem(\\\"touch MARKER\\\")\\n#\"",
                                  "name: \"x\\\\\\\"\\nsystem(\\\"touch MARKER\\\")\\n#\""};
    for (int i = 0; i < 2; i++) {
        const char *dir = enter_tmp();
        const char *yaml = scenario(dir, names[i], "de");
        cmd_result r;
        run_ccsim(&r, (const char *[]){"run", yaml, "--out", "out", NULL});
        cr_assert_not(exists(dir, "MARKER"), "case %d: a newline in the scenario name ran a command", i);
        cr_assert_eq(r.status, 2, "case %d: exit %d: %s", i, r.status, r.err);
        cr_assert(strstr(r.err, "s.yaml:1:7: name: "), "case %d: %s", i, r.err);
        cr_assert(strstr(r.err, "control character"), "case %d: %s", i, r.err);
        cr_assert_not(exists(dir, "out/summary.json"), "case %d", i);
    }
}

Test(plot_safety, region_name_with_backticks)
{
    const char *dir = enter_tmp();
    const char *yaml = scenario(dir, "name: t", "\"de`touch MARKER`\"");
    cmd_result r;
    run_ok(dir, yaml, "out", &r);
    cr_assert(exists(dir, "out/intensity-energy.png"), "the plot was not drawn: %s", r.err);
    cr_assert_not(exists(dir, "MARKER"), "a backtick in a region name ran a command");
}

Test(plot_safety, run_out_folder_breaking_out_of_the_string)
{
    const char *dir = enter_tmp();
    const char *yaml = scenario(dir, "name: t", "de");
    const char *out = "o'; system('touch MARKER'); '";
    cmd_result r;
    run_ok(dir, yaml, out, &r);
    char png[512];
    snprintf(png, sizeof png, "%s/intensity-energy.png", out);
    cr_assert(exists(dir, png), "the plot was not drawn: %s", r.err);
    cr_assert_not(exists(dir, "MARKER"), "--out ran a command");
}

Test(plot_safety, sweep_out_folder_breaking_out_of_the_string)
{
    const char *dir = enter_tmp();
    const char *yaml = sweep_scenario(dir, "name: t");
    const char *out = "o'; system('touch MARKER'); '";
    cmd_result r;
    sweep_ok(dir, yaml, out, &r);
    char png[512];
    snprintf(png, sizeof png, "%s/carbon-vs-cost.png", out);
    cr_assert(exists(dir, png), "the trade-off plot was not drawn: %s", r.err);
    snprintf(png, sizeof png, "%s/timeseries.svg", out);
    cr_assert(exists(dir, png), "the time series was not drawn: %s", r.err);
    cr_assert_not(exists(dir, "MARKER"), "sweep --out ran a command");
}

Test(plot_safety, sweep_scenario_name_with_backticks)
{
    const char *dir = enter_tmp();
    const char *yaml = sweep_scenario(dir, "name: \"sw`touch MARKER`\"");
    cmd_result r;
    sweep_ok(dir, yaml, "out", &r);
    cr_assert(exists(dir, "out/carbon-vs-cost.png"), "the trade-off plot was not drawn: %s", r.err);
    cr_assert(exists(dir, "out/timeseries.png"), "the time series was not drawn: %s", r.err);
    cr_assert_not(exists(dir, "MARKER"), "a backtick in the sweep's scenario name ran a command");
}

/* ---- ccs_gp_quote straight into gnuplot: every byte comes back as text ---- */

/* Prints the quoted string with gnuplot into a file and returns what gnuplot printed. */
static char *gnuplot_print(const char *dir, const char *s, size_t *len)
{
    char out[1024];
    snprintf(out, sizeof out, "%s/printed.txt", dir);
    unlink(out);
    char *script = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&script, &n);
    /* a macro that would run a command if '@MAC' were ever expanded outside a string */
    fputs("MAC = \"system('touch MARKER')\"\nset print ", f);
    ccs_gp_quote(f, out);
    fputs("\nprint ", f);
    ccs_gp_quote(f, s);
    fputs("\nunset print\n", f);
    fclose(f);
    ccs_err err = {0};
    int rc = ccs_gnuplot(script, n, &err);
    free(script);
    cr_assert_eq(rc, 0, "gnuplot did not run the script (%d): %s", rc, err.msg);
    char *text = read_all(out, len);
    cr_assert_not_null(text, "gnuplot printed nothing");
    return text;
}

Test(plot_safety, quoted_strings_are_printed_back_byte_for_byte)
{
    const char *dir = enter_tmp();
    char every[256];
    for (int i = 1; i < 256; i++) every[i - 1] = (char)i;
    every[255] = '\0';
    char digits[64]; /* an escape followed by octal digits: gnuplot reads up to 4 after "\0" */
    snprintf(digits, sizeof digits,
             "\x01"
             "0123\n7777\x7f"
             "0\xff"
             "1");
    char longpath[5000]; /* a long path of quotes, backticks and slashes */
    size_t k = 0;
    while (k + 5 < sizeof longpath) {
        memcpy(longpath + k, "/'`\"\\", 5);
        k += 5;
    }
    longpath[k] = '\0';
    const char *hostile[] = {
        every,
        digits,
        longpath,
        "`touch MARKER`",
        "\"; system(\"touch MARKER\"); \"",
        "x\\\"\nsystem(\"touch MARKER\")\n#",
        "'; system('touch MARKER'); '",
        "o'; system('touch MARKER'); '/.intensity-energy.png.tmp",
        "@MAC",
        "$data << EOD",
        "\\",
        "a\\0611\\n",
        "\r\n\t\x1b[31m",
        "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8c\x8d",
        "\xff\xfe\xc0\xaf\xed\xa0\x80",
        "plain-name_1.2 (policy run-now)",
    };
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        size_t len;
        char *text = gnuplot_print(dir, hostile[i], &len);
        size_t want = strlen(hostile[i]);
        cr_assert_eq(len, want + 1, "string %zu: gnuplot printed %zu bytes, expected %zu", i, len, want + 1);
        cr_assert(memcmp(text, hostile[i], want) == 0 && text[want] == '\n', "string %zu changed on its way", i);
        free(text);
        cr_assert_not(exists(dir, "MARKER"), "string %zu ran a command", i);
    }
}

Test(plot_safety, quoted_string_has_no_active_characters)
{
    char every[256];
    for (int i = 1; i < 256; i++) every[i - 1] = (char)i;
    every[255] = '\0';
    char *q = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&q, &n);
    ccs_gp_quote(f, every);
    fclose(f);
    cr_assert(n > 2 && q[0] == '"' && q[n - 1] == '"');
    /* inside the quotes: no quote, backtick, '@', '$', '\'' or control byte; every backslash
     * starts an octal escape */
    for (size_t i = 1; i + 1 < n; i++) {
        unsigned char c = (unsigned char)q[i];
        cr_assert(c >= 0x20 && c < 0x7f && !strchr("\"`@$'#;", c), "byte 0x%02x at %zu", c, i);
        if (c == '\\') cr_assert(q[i + 1] >= '0' && q[i + 1] <= '3', "a backslash not followed by octal at %zu", i);
    }
    free(q);
}

/* ---- results before pictures ---- */

static void fake_gnuplot(const char *dir, const char *body)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/bin", dir);
    mkdir(path, 0755);
    char text[512];
    snprintf(text, sizeof text, "#!/bin/sh\n%s", body);
    const char *p = write_text(path, "gnuplot", text);
    cr_assert_eq(chmod(p, 0755), 0);
}

static const char *registry_status(const char *db_path)
{
    static char status[32];
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT status FROM runs ORDER BY id DESC LIMIT 1", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    snprintf(status, sizeof status, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return status;
}

Test(plot_safety, failing_gnuplot_keeps_the_finished_run)
{
    /* a gnuplot that reads its script and fails, one that fails without reading (the writer
     * sees a closed pipe), and none at all */
    static const char *bodies[] = {"/bin/cat >/dev/null\necho 'gnuplot: broken' >&2\nexit 1\n", "exit 1\n", NULL};
    for (int i = 0; i < 3; i++) {
        const char *dir = enter_tmp();
        const char *yaml = scenario(dir, "name: t", "de");
        char bin[1024];
        snprintf(bin, sizeof bin, "%s/bin", dir);
        if (bodies[i])
            fake_gnuplot(dir, bodies[i]);
        else
            mkdir(bin, 0755);
        cr_assert_eq(setenv("PATH", bin, 1), 0);
        /* a picture from an earlier run in the same folder must not stay beside the new results */
        mkdir("out", 0755);
        write_text(dir, "out/intensity-energy.png", "an earlier run's picture");
        cmd_result r;
        run_ccsim(&r, (const char *[]){"run", yaml, "--out", "out", NULL});
        cr_assert_eq(r.status, 0, "case %d: a plot failure must not fail the run: exit %d: %s", i, r.status, r.err);
        cr_assert(strstr(r.err, "warning"), "case %d: expected a warning on stderr: %s", i, r.err);
        cr_assert(exists(dir, "out/summary.json"), "case %d", i);
        cr_assert(exists(dir, "out/results.h5"), "case %d", i);
        cr_assert_not(exists(dir, "out/intensity-energy.png"), "case %d", i);
        cr_assert_not(exists(dir, "out/.intensity-energy.png.tmp"), "case %d: a temporary plot was left", i);
        cr_assert_not(exists(dir, "out/summary.json.tmp") || exists(dir, "out/results.h5.tmp"), "case %d", i);
        cr_assert_str_eq(registry_status("runs.sqlite"), "ok", "case %d", i);
        cr_assert_not(strstr(r.out, "intensity-energy.png"), "case %d: a plot that failed is listed: %s", i, r.out);
    }
}

/* A sweep whose pictures fail still writes its table, its results and its report: exit 0 and a
 * warning, as for a single run. */
Test(plot_safety, failing_gnuplot_keeps_the_finished_sweep)
{
    const char *dir = enter_tmp();
    const char *yaml = sweep_scenario(dir, "name: t");
    fake_gnuplot(dir, "/bin/cat >/dev/null\nexit 1\n");
    char bin[1024];
    snprintf(bin, sizeof bin, "%s/bin", dir);
    cr_assert_eq(setenv("PATH", bin, 1), 0);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"sweep", yaml, "--out", "out", "--jobs", "1", "--quiet", NULL});
    cr_assert_eq(r.status, 0, "a plot failure must not fail the sweep: exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "warning"), "expected a warning on stderr: %s", r.err);
    cr_assert(exists(dir, "out/sweep.csv") && exists(dir, "out/results.h5"));
    cr_assert(exists(dir, "out/report.html") && exists(dir, "out/report.md"));
    cr_assert_not(exists(dir, "out/carbon-vs-cost.png"));
}

/* A scenario without 'name' is named after its file: by the same rules as a written name. */
Test(plot_safety, a_name_taken_from_the_file_name_follows_the_rules)
{
    const char *dir = enter_tmp();
    const char *yaml = scenario(dir, "seed: 1", "de");
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/we\x01ird.yaml", dir);
    cr_assert_eq(rename(yaml, bad), 0);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", bad, "--out", "out", "--no-plot", NULL});
    cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "no 'name'") && strstr(r.err, "control character"), "%s", r.err);
    cr_assert_not(exists(dir, "out/summary.json"));
    /* the same file under a plain name runs, named after it */
    cr_assert_eq(rename(bad, "plain.yaml"), 0);
    run_ccsim(&r, (const char *[]){"run", "plain.yaml", "--out", "out", "--no-plot", "--format", "json", NULL});
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.out, "\"scenario\": \"plain\""), "%s", r.out);
}

/* report.md holds names as text: nothing a Markdown viewer would render as HTML, inside code
 * spans or out of them, whatever backticks the name holds to open or close one. */
Test(plot_safety, report_markdown_renders_no_markup_from_names)
{
    const char *dir = enter_tmp();
    const char *yaml = sweep_scenario(dir, "name: \"x`<img src=q onerror=alert(1)>`<b>&\"");
    cmd_result r;
    run_ccsim(&r, (const char *[]){"sweep", yaml, "--out", "out", "--jobs", "1", "--quiet", "--no-plot", NULL});
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
    size_t n;
    char *md = read_all("out/report.md", &n);
    cr_assert(md);
    /* outside code spans no '<' at all; inside one the text is literal */
    int code = 0;
    for (size_t i = 0; i < n; i++) {
        if (md[i] == '`')
            code = !code;
        else if (md[i] == '\n' && code && (i + 1 < n && md[i + 1] == '\n'))
            code = 0; /* spans end with paragraphs */
        cr_assert(code || md[i] != '<', "raw '<' outside a code span at byte %zu:\n%.200s", i,
                  md + (i > 80 ? i - 80 : 0));
    }
    cr_assert(strstr(md, "&lt;b&gt;&amp;"), "the name's markup is not escaped:\n%.600s", md);
    free(md);
}

/* ---- the name rules, through the binary ---- */

typedef struct bad_name {
    const char *yaml;   /* the region's name as written in YAML */
    const char *reason; /* part of the message */
} bad_name;

Test(plot_safety, bad_names_are_refused_where_written)
{
    static const bad_name cases[] = {
        {"\"a/b\"", "contains '/'"},
        {"\".\"", "name folders"},
        {"\"..\"", "name folders"},
        {"\"\"", "empty"},
        {"\"a\\x01b\"", "control character"},
        {"\"a\\tb\"", "control character"},
        {"\"a\\x7fb\"", "control character"},
        {"\"a\\u0085b\"", "control character"},
        {"\"a\\u202eb\"", "control character"},
        {"abcdefghijklmnopqrstuvwxyz-abcdefghijklmnopqrstuvwxyz-0123456789x", "longer than 64 bytes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *dir = enter_tmp();
        /* the region's name is at line 5, column 11 */
        const char *yaml = scenario(dir, "name: t", cases[i].yaml);
        cmd_result r;
        run_ccsim(&r, (const char *[]){"run", yaml, "--out", "out", "--no-plot", NULL});
        cr_assert_eq(r.status, 2, "%s: exit %d: %s", cases[i].yaml, r.status, r.err);
        cr_assert(strstr(r.err, "s.yaml:5:11: regions[0].name: "), "%s: %s", cases[i].yaml, r.err);
        cr_assert(strstr(r.err, cases[i].reason), "%s: %s", cases[i].yaml, r.err);
        cr_assert(strstr(r.err, "expected"), "%s: %s", cases[i].yaml, r.err);
        cr_assert_not(exists(dir, "out/summary.json"));
    }
}

Test(plot_safety, a_five_megabyte_name_is_refused_briefly)
{
    const char *dir = enter_tmp();
    size_t n = 5u << 20;
    char *name = malloc(n + 16);
    memcpy(name, "name: ", 6);
    memset(name + 6, 'a', n);
    name[6 + n] = '\0';
    const char *yaml = scenario(dir, name, "de");
    free(name);
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", "out", "--no-plot", NULL});
    cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "s.yaml:1:7: name: "), "%s", r.err);
    cr_assert(strstr(r.err, "expected"), "%s", r.err);
    cr_assert_lt(strlen(r.err), 1000, "the message repeats the name: %zu bytes", strlen(r.err));
    cr_assert_not(exists(dir, "out/summary.json"));
}

Test(plot_safety, names_in_references_and_lists_follow_the_rules)
{
    static const struct {
        const char *line; /* replaces the jobs line */
        const char *where;
    } cases[] = {
        {"jobs: [{name: \"j/1\", release: {every: 24h}, duration: 1h, power_kw: 1}]", "s.yaml:7:"},
        {"jobs: [{name: j, release: {every: 24h}, duration: 1h, power_kw: 1, regions: [\"..\"]}]", "regions[0]"},
        {"jobs: [{name: j, release: {every: 24h}, duration: 1h, power_kw: 1, regions: \"a\\nb\"}]", "jobs[j].regions"},
        {"jobs: [{name: j, release: {every: 24h}, duration: 1h, hardware: \"../../etc\"}]", "jobs[j].hardware"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *dir = enter_tmp();
        char text[2048];
        snprintf(text, sizeof text,
                 "name: t\nstart: \"2023-03-01T00:00:00Z\"\nduration: 1d\nregions:\n  - name: de\n"
                 "    carbon: %s/traces/carbon/carbon-intensity-DE-LU-2023-hourly.csv\n%s\n",
                 source_dir(), cases[i].line);
        const char *yaml = write_text(dir, "s.yaml", text);
        cmd_result r;
        run_ccsim(&r, (const char *[]){"run", yaml, "--out", "out", "--no-plot", NULL});
        cr_assert_eq(r.status, 2, "case %zu: exit %d: %s", i, r.status, r.err);
        cr_assert(strstr(r.err, "s.yaml:7:"), "case %zu: %s", i, r.err);
        cr_assert(strstr(r.err, cases[i].where), "case %zu: %s", i, r.err);
        cr_assert(strstr(r.err, "of printable UTF-8"), "case %zu: %s", i, r.err);
    }
}

Test(plot_safety, currency_is_a_three_letter_code)
{
    static const char *bad[] = {"eur", "EURO", "\"`id`\"", "\"E\\nR\"", "\"\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *dir = enter_tmp();
        char line[128];
        snprintf(line, sizeof line, "name: t\ncurrency: %s", bad[i]);
        const char *yaml = scenario(dir, line, "de");
        cmd_result r;
        run_ccsim(&r, (const char *[]){"run", yaml, "--out", "out", "--no-plot", NULL});
        cr_assert_eq(r.status, 2, "%s: exit %d: %s", bad[i], r.status, r.err);
        cr_assert(strstr(r.err, "s.yaml:2:11: currency: "), "%s: %s", bad[i], r.err);
        cr_assert(strstr(r.err, "three capital letters"), "%s: %s", bad[i], r.err);
    }
}

Test(plot_safety, invalid_utf8_in_a_name_is_refused)
{
    const char *dir = enter_tmp();
    const char *yaml = scenario(dir, "name: t", "\"d\xff\"");
    cmd_result r;
    run_ccsim(&r, (const char *[]){"run", yaml, "--out", "out", "--no-plot", NULL});
    /* libyaml refuses the file before any key is read: the position is all it can give */
    cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "s.yaml:"), "%s", r.err);
    cr_assert(strstr(r.err, "UTF-8"), "%s", r.err);
    cr_assert_not(exists(dir, "out/summary.json"));
}

/* ---- the name rule itself, on strings no YAML file can carry ---- */

typedef struct named {
    char *name;
} named;
static const ccs_field name_fields[] = {
    {"name", CCS_F_NAME, offsetof(named, name), 1, 1, 0, NULL, NULL, 0, "a name", NULL},
};
static const ccs_schema name_schema = {"thing", sizeof(named), name_fields, 1, (size_t)-1, NULL};

/* Applies the schema to "name: <s>" at t.yaml:1:7; returns the status, message in msg. */
static int apply_name(const char *s, char *msg, size_t size)
{
    ccs_ynode *root = NULL;
    ccs_err err = {0};
    cr_assert_eq(ccs_yaml_parse("name: x\n", 8, "t.yaml", &root, &err), 0, "%s", err.msg);
    ccs_ynode *v = ccs_yaml_get(root, "name");
    free(v->scalar);
    v->scalar = strdup(s);
    named obj = {0};
    int rc = ccs_schema_apply(&name_schema, root, &obj, "", ".", &err);
    if (!rc) cr_assert_str_eq(obj.name, s);
    ccs_schema_free(&name_schema, &obj);
    ccs_yaml_free(root);
    snprintf(msg, size, "%s", err.msg);
    return rc;
}

Test(plot_safety, name_rule_on_raw_bytes)
{
    static const struct {
        const char *s, *reason; /* reason NULL: a good name */
    } cases[] = {
        {"de", NULL},
        {"search-index_rebuild.v2 (EU)", NULL},
        {"caf\xc3\xa9", NULL},
        {"\xe6\x97\xa5\xe6\x9c\xac", NULL},
        {"\xf0\x9f\x8c\x8d", NULL},
        {"`touch x`", NULL}, /* printable: allowed, and quoted wherever it is pasted */
        {"0123456789012345678901234567890123456789012345678901234567890123", NULL},
        {"01234567890123456789012345678901234567890123456789012345678901234", "longer than 64 bytes"},
        {"a\xff", "not valid UTF-8"},
        {"\xc0\xaf", "not valid UTF-8"},         /* an overlong '/' */
        {"\xe0\x80\xaf", "not valid UTF-8"},     /* another */
        {"\xed\xa0\x80", "not valid UTF-8"},     /* a surrogate */
        {"\xf4\x90\x80\x80", "not valid UTF-8"}, /* above U+10FFFF */
        {"\xe2\x82", "not valid UTF-8"},         /* cut short */
        {"a\x80", "not valid UTF-8"},            /* a lone continuation byte */
        {"a\x1b[31m", "control character"},
        {"a\x7f", "control character"},
        {"a\xc2\x9b", "control character"},     /* C1 CSI */
        {"a\xe2\x80\xa8", "control character"}, /* line separator */
        {"a/b", "contains '/'"},
        {".", "name folders"},
        {"..", "name folders"},
        {"", "empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[2048];
        int rc = apply_name(cases[i].s, msg, sizeof msg);
        if (!cases[i].reason) {
            cr_assert_eq(rc, 0, "case %zu refused: %s", i, msg);
            continue;
        }
        cr_assert_eq(rc, 2, "case %zu accepted", i);
        cr_assert(strstr(msg, "t.yaml:1:7: name: "), "case %zu: %s", i, msg);
        cr_assert(strstr(msg, cases[i].reason), "case %zu: %s", i, msg);
        for (const char *p = msg; *p; p++) /* the message itself carries no control byte */
            cr_assert((unsigned char)*p >= 0x20 && *p != 0x7f, "case %zu: control byte in: %s", i, msg);
    }
}
