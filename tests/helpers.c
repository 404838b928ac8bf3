/* Test helpers; see helpers.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "helpers.h"

#include "ccs_scenario.h"
#include "run.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The folders this process made, removed with all they hold when it exits (each Criterion test
 * runs in a process of its own, which exits when the test ends, failed or not). A test that
 * crashes leaves its folder behind, for a look. */
enum { MAX_TMP = 64 };
static char made[MAX_TMP][512];
static int nmade;
static pid_t owner; /* a child forked by a test inherits the list: only the maker removes */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_made(void)
{
    if (getpid() != owner) return;
    for (int i = 0; i < nmade; i++) nftw(made[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tmp_folder(void)
{
    static char buf[4][512];
    static int k;
    char *b = buf[k++ % 4];
    const char *base = getenv("TMPDIR");
    snprintf(b, 512, "%s/ccsim-test-XXXXXX", base ? base : "/tmp");
    cr_assert_not_null(mkdtemp(b));
    if (nmade == 0 || owner != getpid()) {
        nmade = 0;
        owner = getpid();
        atexit(remove_made);
    }
    if (nmade < MAX_TMP) memcpy(made[nmade++], b, 512);
    return b;
}

const char *write_text(const char *dir, const char *name, const char *text)
{
    static char buf[8][1024];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 1024, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f, "cannot write %s", p);
    fputs(text, f);
    fclose(f);
    return p;
}

static void drain(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t got;
    char sink[4096];
    while ((got = read(fd, n + 1 < size ? buf + n : sink, n + 1 < size ? size - 1 - n : sizeof sink)) > 0)
        if (n + 1 < size) n += (size_t)got;
    buf[n] = '\0';
}

void run_ccsim(cmd_result *r, const char *const *args)
{
    const char *bin = getenv("CCSIM_BIN");
    cr_assert_not_null(bin, "CCSIM_BIN not set");
    char out_path[] = "/tmp/ccsim-out-XXXXXX", err_path[] = "/tmp/ccsim-err-XXXXXX";
    int fo = mkstemp(out_path), fe = mkstemp(err_path);
    cr_assert(fo >= 0 && fe >= 0);
    const char *argv[64];
    size_t n = 0;
    argv[n++] = bin;
    for (size_t i = 0; args[i] && n < 63; i++) argv[n++] = args[i];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fo, 1);
        dup2(fe, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    lseek(fo, 0, SEEK_SET);
    lseek(fe, 0, SEEK_SET);
    drain(fo, r->out, sizeof r->out);
    drain(fe, r->err, sizeof r->err);
    close(fo);
    close(fe);
    unlink(out_path);
    unlink(err_path);
}

char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len) *len = got;
    return buf;
}

char *same_bytes_on_threads(const char *dir, const char *yaml, const char *const *threads)
{
    const char *files[] = {"summary.json", "results.h5"};
    char *first[2] = {0};
    size_t first_len[2] = {0};
    for (size_t k = 0; threads[k]; k++) {
        char out[600], f[700];
        snprintf(out, sizeof out, "%s/out/t%s", dir, threads[k]);
        cmd_result r;
        run_ccsim(&r, (const char *[]){"run", yaml, "--out", out, "--no-plot", "--threads", threads[k], NULL});
        cr_assert_eq(r.status, 0, "%s", r.err);
        for (int i = 0; i < 2; i++) {
            snprintf(f, sizeof f, "%s/%s", out, files[i]);
            size_t n;
            char *b = read_all(f, &n);
            cr_assert(b, "no %s", f);
            if (k == 0) {
                first[i] = b;
                first_len[i] = n;
                continue;
            }
            cr_assert(n == first_len[i] && memcmp(b, first[i], n) == 0, "%s differs between --threads %s and %s",
                      files[i], threads[0], threads[k]);
            free(b);
        }
    }
    cr_assert(first[0], "no --threads given");
    free(first[1]);
    return first[0];
}

const char *source_dir(void)
{
    const char *d = getenv("CCSIM_SOURCE_DIR");
    cr_assert_not_null(d, "CCSIM_SOURCE_DIR not set");
    return d;
}

const char *hourly_trace =
    "timestamp,value\n2023-01-01T00:00:00Z,100\n2023-01-01T01:00:00Z,200\n2023-01-01T02:00:00Z,300\n"
    "2023-01-01T03:00:00Z,400\n2023-01-01T04:00:00Z,500\n2023-01-01T05:00:00Z,600\n";

ran run_text(const char *yaml_text)
{
    const char *dir = tmp_folder();
    write_text(dir, "ci.csv", hourly_trace);
    const char *yaml = write_text(dir, "s.yaml", yaml_text);
    ran out;
    ccs_err err = {0};
    cr_assert_eq(ccs_scenario_load(yaml, NULL, 0, &out.s, &err), 0, "%s", err.msg);
    cr_assert_eq(ccs_run(out.s, &out.r, &err), 0, "%s", err.msg);
    return out;
}

void ran_free(ran x)
{
    ccs_run_result_destroy(x.r);
    ccs_scenario_destroy(x.s);
}

int run_text_error(const char *yaml_text, char *msg, size_t size)
{
    const char *dir = tmp_folder();
    write_text(dir, "ci.csv", hourly_trace);
    const char *yaml = write_text(dir, "s.yaml", yaml_text);
    ccs_err err = {0};
    ccs_scenario *s = NULL;
    ccs_run_result *r = NULL;
    int rc = ccs_scenario_load(yaml, NULL, 0, &s, &err);
    if (!rc) rc = ccs_run(s, &r, &err);
    snprintf(msg, size, "%s", err.msg);
    ccs_run_result_destroy(r);
    ccs_scenario_destroy(s);
    return rc;
}

void expect_run_error(const char *yaml_text, const char *needle)
{
    char msg[1024];
    int rc = run_text_error(yaml_text, msg, sizeof msg);
    cr_assert_neq(rc, 0, "accepted: %s", yaml_text);
    cr_assert(strstr(msg, needle), "message '%s' lacks '%s'", msg, needle);
    cr_assert(strstr(msg, "s.yaml:") || strstr(msg, "models/") || strstr(msg, ".csv"), "message '%s' names no file",
              msg);
}

unsigned long long gen_next(test_gen *g)
{
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    return g->s * 2685821657736338717ULL;
}

double gen_unif(test_gen *g) { return (double)(gen_next(g) >> 11) * (1.0 / 9007199254740992.0); }

long long gen_below(test_gen *g, long long n) { return (long long)(gen_next(g) % (unsigned long long)n); }
