/* The malformed-input catalogue (issue 12): every row of tests/data/malformed/catalogue.tsv is one
 * bad input (a scenario, a --set override, a CSV or HDF5 trace, a release file, a sweep section),
 * run through the real binary in a folder of its own. Each row must give its exit code, name the
 * place (file:line[:col], and the key where there is one), print no sanitizer report, leave no
 * output that looks complete, and leave every input file as it was. The row format is described
 * at the head of the table; adding a case is adding a row. One test per kind runs its rows two at
 * a time and reports every failing case, not just the first (a Criterion test per row cost a
 * quarter of a second of runner overhead each). */
#include "ccs_time.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A case that runs longer than this is killed (SIGALRM) and fails as a hang. */
enum { CASE_TIMEOUT_S = 60 };

enum { C_ID, C_KIND, C_FILE, C_INPUT, C_ARGV, C_EXIT, C_WHERE, C_KEY, C_SAYS, C_PENDING, C_WHY, NCOLS };

typedef struct row {
    long line; /* in the table, for messages about the table itself */
    char *col[NCOLS];
} row;

typedef struct table {
    row *rows;
    size_t n;
    char *text; /* the columns point into it */
} table;

static const char *data_dir(void)
{
    static char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/malformed", source_dir());
    return dir;
}

/* Loads the table once per process; a malformed table fails the test that reads it. */
static const table *catalogue(void)
{
    static table t;
    if (t.text) return &t;
    char path[1200];
    snprintf(path, sizeof path, "%s/catalogue.tsv", data_dir());
    t.text = read_all(path, NULL);
    cr_assert_not_null(t.text, "cannot read %s", path);
    size_t cap = 0;
    long line = 0;
    for (char *s = t.text, *next; s && *s; s = next) {
        line++;
        next = strchr(s, '\n');
        if (next) *next++ = '\0';
        if (*s == '#' || *s == '\0') continue;
        if (t.n == cap) {
            cap = cap ? 2 * cap : 256;
            t.rows = realloc(t.rows, cap * sizeof *t.rows);
            cr_assert_not_null(t.rows);
        }
        row *r = &t.rows[t.n++];
        r->line = line;
        int k = 0;
        char *c = s;
        for (; c && k < NCOLS; k++) {
            r->col[k] = c;
            char *tab = strchr(c, '\t');
            if (tab) *tab = '\0';
            c = tab ? tab + 1 : NULL;
        }
        cr_assert(k == NCOLS && !c, "catalogue.tsv line %ld ('%s'): %s columns, expected %d", line, r->col[0],
                  c ? "more" : "fewer", NCOLS);
    }
    return &t;
}

/* ---- inputs: escapes, ${d}, ${repeat N TEXT}, ${seq N TEXT}; @file; h5: spec ---- */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        while (b->n + n + 1 > b->cap) b->cap = b->cap ? 2 * b->cap : 256;
        b->p = realloc(b->p, b->cap);
        cr_assert_not_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* Decodes a table cell: \n \t \r \\ \xHH, ${d} (the case's folder), ${repeat N TEXT} (TEXT N
 * times) and ${seq N TEXT} (TEXT N times, each '@' in it replaced by 1..N). */
static void decode(const char *s, const char *dir, buf *out)
{
    put(out, "", 0);
    while (*s) {
        if (s[0] == '\\' && s[1]) {
            char c = s[1];
            s += 2;
            if (c == 'n')
                put(out, "\n", 1);
            else if (c == 't')
                put(out, "\t", 1);
            else if (c == 'r')
                put(out, "\r", 1);
            else if (c == 'x' && s[0] && s[1]) {
                char hex[3] = {s[0], s[1], 0};
                char v = (char)strtol(hex, NULL, 16);
                put(out, &v, 1);
                s += 2;
            } else
                put(out, &c, 1);
        } else if (strncmp(s, "${d}", 4) == 0) {
            puts_(out, dir);
            s += 4;
        } else if (strncmp(s, "${repeat ", 9) == 0 || strncmp(s, "${seq ", 6) == 0) {
            int seq = s[2] == 's';
            char *text;
            long n = strtol(s + (seq ? 6 : 9), &text, 10);
            const char *end = strchr(text, '}');
            cr_assert(end && *text == ' ' && n > 0, "bad generator in '%s'", s);
            char *raw = strndup(text + 1, (size_t)(end - text - 1));
            buf unit = {0};
            decode(raw, dir, &unit);
            free(raw);
            for (long i = 1; i <= n; i++)
                for (const char *p = unit.p; p < unit.p + unit.n; p++) {
                    if (seq && *p == '@') {
                        char num[24];
                        snprintf(num, sizeof num, "%ld", i);
                        puts_(out, num);
                    } else {
                        put(out, p, 1);
                    }
                }
            free(unit.p);
            s = end + 1;
        } else
            put(out, s++, 1);
    }
}

/* Values of an HDF5 dataset from "a,b,c": ISO times (type time), integers or doubles (nan, inf). */
static size_t parse_values(const char *type, char *list, double *d, int64_t *i, char (*str)[32], size_t max)
{
    size_t n = 0;
    if (!*list) return 0;
    for (char *save = NULL, *v = strtok_r(list, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
        cr_assert(n < max, "too many values in an h5: spec");
        if (strcmp(type, "time") == 0)
            cr_assert_eq(ccs_time_parse(v, &i[n]), 0, "h5: spec time '%s'", v);
        else if (strcmp(type, "i64") == 0)
            i[n] = strtoll(v, NULL, 10);
        else if (strcmp(type, "str") == 0)
            snprintf(str[n], 32, "%s", v);
        else
            d[n] = strtod(v, NULL);
        n++;
    }
    return n;
}

/* One item of an h5: spec, NAME=TYPE[RxC]:VALUES (TYPE time, i64, f64 or str) or NAME=group. */
static void h5_item(hid_t f, char *item, int chunked)
{
    char *eq = strchr(item, '='), *colon = eq ? strchr(eq, ':') : NULL;
    cr_assert(eq, "h5: spec item '%s' has no '='", item);
    *eq = '\0';
    if (strcmp(eq + 1, "group") == 0) {
        hid_t g = H5Gcreate2(f, item, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        cr_assert(g >= 0);
        H5Gclose(g);
        return;
    }
    cr_assert(colon, "h5: spec item '%s' has no ':'", item);
    *colon = '\0';
    char type[16] = "";
    hsize_t dims[2] = {0, 1};
    int rank = 1;
    char *br = strchr(eq + 1, '[');
    if (br) {
        rank = 2;
        cr_assert_eq(sscanf(br, "[%llux%llu]", (unsigned long long *)&dims[0], (unsigned long long *)&dims[1]), 2);
        *br = '\0';
    }
    snprintf(type, sizeof type, "%s", eq + 1);
    enum { MAXV = 64 };
    double d[MAXV];
    int64_t i[MAXV];
    char str[MAXV][32];
    size_t n = parse_values(type, colon + 1, d, i, str, MAXV);
    if (rank == 1)
        dims[0] = n;
    else
        cr_assert_eq(dims[0] * dims[1], n, "h5: %s: %zu values for [%llux%llu]", item, n, (unsigned long long)dims[0],
                     (unsigned long long)dims[1]);
    hid_t t = strcmp(type, "f64") == 0   ? H5Tcopy(H5T_NATIVE_DOUBLE)
              : strcmp(type, "str") == 0 ? H5Tcopy(H5T_C_S1)
                                         : H5Tcopy(H5T_NATIVE_INT64);
    if (strcmp(type, "str") == 0) H5Tset_size(t, 32);
    const void *data = strcmp(type, "f64") == 0   ? (const void *)d
                       : strcmp(type, "str") == 0 ? (const void *)str
                                                  : (const void *)i;
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    if (chunked && n > 0) { /* as 'ccsim import' writes them */
        hsize_t chunk[2] = {dims[0], dims[1]};
        H5Pset_chunk(plist, rank, chunk);
        H5Pset_shuffle(plist);
        H5Pset_deflate(plist, 6);
    }
    hid_t ds = H5Dcreate2(f, item, t, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    cr_assert(ds >= 0, "h5: cannot create %s", item);
    if (n > 0) cr_assert(H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    H5Dclose(ds);
    H5Pclose(plist);
    H5Sclose(space);
    H5Tclose(t);
}

static size_t unhex(const char *s, unsigned char *out, size_t max)
{
    size_t n = 0;
    for (; s[0] && s[1] && n < max; s += 2) {
        char h[3] = {s[0], s[1], 0};
        out[n++] = (unsigned char)strtol(h, NULL, 16);
    }
    return n;
}

/* Damage after writing: patch=PATTERN+OFFSET:BYTES writes BYTES (hex) at OFFSET bytes after the
 * first occurrence of PATTERN (hex) in the file; truncate=N keeps the first N bytes. */
static void h5_damage(const char *path, const char *item)
{
    size_t len;
    unsigned char *f = (unsigned char *)read_all(path, &len);
    cr_assert_not_null(f);
    if (strncmp(item, "truncate=", 9) == 0) {
        size_t keep = strtoul(item + 9, NULL, 10);
        cr_assert(keep < len);
        len = keep;
    } else {
        unsigned char pat[64], bytes[64];
        char pat_hex[130];
        const char *plus = strchr(item, '+'), *colon = strchr(item, ':');
        cr_assert(plus && colon && plus > item + 6, "bad damage item '%s'", item);
        snprintf(pat_hex, sizeof pat_hex, "%.*s", (int)(plus - item - 6), item + 6);
        size_t np = unhex(pat_hex, pat, sizeof pat), nb = unhex(colon + 1, bytes, sizeof bytes);
        size_t off = strtoul(plus + 1, NULL, 10), at = 0;
        while (at + np <= len && memcmp(f + at, pat, np) != 0) at++;
        cr_assert(at + np <= len, "h5: pattern %s not found: the library writes another layout", pat_hex);
        cr_assert(at + off + nb <= len);
        memcpy(f + at + off, bytes, nb);
    }
    FILE *o = fopen(path, "wb");
    cr_assert_not_null(o);
    fwrite(f, 1, len, o);
    fclose(o);
    free(f);
}

/* Writes an HDF5 file from a spec: space-separated items, 'chunked' (later datasets are chunked
 * and compressed like ccsim import's), datasets and groups (h5_item), then damage (h5_damage). */
static void write_h5(const char *path, const char *spec)
{
    char *copy = strdup(spec), *damage[8];
    size_t ndamage = 0;
    int chunked = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(f >= 0, "cannot create %s", path);
    for (char *save = NULL, *it = strtok_r(copy, " ", &save); it; it = strtok_r(NULL, " ", &save)) {
        if (strcmp(it, "chunked") == 0)
            chunked = 1;
        else if (strncmp(it, "patch=", 6) == 0 || strncmp(it, "truncate=", 9) == 0)
            damage[ndamage++] = it;
        else
            h5_item(f, it, chunked);
        cr_assert(ndamage < 8);
    }
    H5Fclose(f);
    for (size_t k = 0; k < ndamage; k++) h5_damage(path, damage[k]);
    free(copy);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* Writes the row's input as dir/FILE. */
static void write_input(const row *r, const char *dir)
{
    char path[1200];
    if (strcmp(r->col[C_FILE], "-") == 0) return; /* the row changes only the command line */
    snprintf(path, sizeof path, "%s/%s", dir, r->col[C_FILE]);
    const char *in = r->col[C_INPUT];
    if (strncmp(in, "h5:", 3) == 0) {
        write_h5(path, in + 3);
    } else if (in[0] == '@') {
        char src[1200];
        size_t n;
        snprintf(src, sizeof src, "%s/%s", data_dir(), in + 1);
        char *text = read_all(src, &n);
        cr_assert_not_null(text, "%s: cannot read %s", r->col[C_ID], src);
        write_bytes(path, text, n);
        free(text);
    } else {
        buf b = {0};
        decode(in, dir, &b);
        write_bytes(path, b.p, b.n);
        free(b.p);
    }
}

/* ---- the case's folder: the base fixtures, then the row's own file ---- */

typedef struct snapshot {
    char name[256];
    size_t len;
    char *bytes;
} snapshot;

static void copy_base(const char *dir)
{
    char base[1200], from[1500], to[1500];
    snprintf(base, sizeof base, "%s/base", data_dir());
    DIR *d = opendir(base);
    cr_assert_not_null(d, "no %s", base);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(from, sizeof from, "%s/%s", base, e->d_name);
        snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
        size_t n;
        char *text = read_all(from, &n);
        cr_assert_not_null(text);
        write_bytes(to, text, n);
        free(text);
    }
    closedir(d);
}

/* Every regular file at the top of dir, to check afterwards that no input was changed. */
static size_t take_snapshot(const char *dir, snapshot *s, size_t max)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    char path[1500];
    struct stat st;
    while ((e = readdir(d)) && n < max) {
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        snprintf(s[n].name, sizeof s[n].name, "%s", e->d_name);
        s[n].bytes = read_all(path, &s[n].len);
        n++;
    }
    closedir(d);
    return n;
}

/* ---- running and judging ---- */

typedef struct outcome {
    int status; /* exit code, or 128 + signal */
    int signal; /* the killing signal, 0 if it exited */
    char *err;  /* all of stderr */
} outcome;

/* argv cells split on spaces, except inside ${...}; each word decoded. */
static size_t split_argv(const char *cell, const char *dir, char **argv, size_t max)
{
    size_t n = 0;
    const char *s = cell;
    while (*s && n < max) {
        while (*s == ' ') s++;
        if (!*s) break;
        const char *w = s;
        int depth = 0;
        while (*s && (depth || *s != ' ')) {
            if (s[0] == '$' && s[1] == '{')
                depth++;
            else if (*s == '}' && depth)
                depth--;
            s++;
        }
        char *word = strndup(w, (size_t)(s - w));
        buf b = {0};
        decode(word, dir, &b);
        free(word);
        argv[n++] = b.p;
    }
    return n;
}

static char *slurp_fd(int fd)
{
    buf b = {0};
    char chunk[65536];
    ssize_t got;
    lseek(fd, 0, SEEK_SET);
    put(&b, "", 0);
    while ((got = read(fd, chunk, sizeof chunk)) > 0) put(&b, chunk, (size_t)got);
    return b.p;
}

/* Starts ccsim on the row in its folder; stderr goes to the open file fe. */
static pid_t spawn_case(const row *r, const char *dir, int fe)
{
    const char *bin = getenv("CCSIM_BIN");
    cr_assert_not_null(bin, "CCSIM_BIN not set");
    char *argv[72];
    size_t n = 0;
    argv[n++] = strdup(bin);
    n += split_argv(r->col[C_ARGV], dir, argv + n, 60);
    char out[1200];
    const char *cmd = n > 1 ? argv[1] : "";
    if (strcmp(cmd, "run") == 0 || strcmp(cmd, "sweep") == 0) {
        snprintf(out, sizeof out, "%s/out/%s", dir, cmd);
        argv[n++] = strdup("--out");
        argv[n++] = strdup(out);
        argv[n++] = strdup("--no-plot");
        if (strcmp(cmd, "sweep") == 0) {
            argv[n++] = strdup("--quiet");
            argv[n++] = strdup("--jobs");
            argv[n++] = strdup("1");
        }
    }
    argv[n] = NULL;
    int fnull = open("/dev/null", O_RDWR);
    cr_assert(fnull >= 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        /* in the case's folder, so that a default output path lands there; the alarm survives
         * exec and ends a hang */
        if (chdir(dir) != 0) _exit(126);
        dup2(fnull, 0);
        dup2(fnull, 1);
        dup2(fe, 2);
        alarm(CASE_TIMEOUT_S);
        execv(bin, argv);
        _exit(127);
    }
    close(fnull);
    for (size_t i = 0; i < n; i++) free(argv[i]);
    return pid;
}

/* Does `pat` occur in `text`, '#' in pat standing for one or more digits? */
static int matches_at(const char *t, const char *p)
{
    for (; *p; p++) {
        if (*p == '#') {
            if (*t < '0' || *t > '9') return 0;
            while (*t >= '0' && *t <= '9') t++;
        } else if (*t++ != *p)
            return 0;
    }
    return 1;
}

static int contains(const char *text, const char *pat)
{
    for (const char *t = text; *t; t++)
        if (matches_at(t, pat)) return 1;
    return 0;
}

/* Regular files under out/ that are not the run registry nor hidden (temporary names). */
static void find_leftovers(const char *dir, buf *problems)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[2048];
    struct stat st;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            find_leftovers(path, problems);
        else if (strncmp(e->d_name, "runs.sqlite", 11) != 0) {
            puts_(problems, "\n  - output left that looks complete: ");
            puts_(problems, path);
        }
    }
    closedir(d);
}

static void note(buf *problems, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(buf *problems, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    puts_(problems, "\n  - ");
    puts_(problems, line);
}

static void judge(const row *r, const char *dir, const outcome *o, buf *problems)
{
    long want = strtol(r->col[C_EXIT], NULL, 10);
    if (o->signal == SIGALRM)
        note(problems, "hung: killed after %d s", CASE_TIMEOUT_S);
    else if (o->signal)
        note(problems, "killed by signal %d (%s)", o->signal, strsignal(o->signal));
    else if (o->status != want)
        note(problems, "exit %d, expected %ld", o->status, want);
    /* where: alternatives separated by " || " */
    buf where = {0};
    decode(r->col[C_WHERE], dir, &where);
    int found = 0;
    for (char *save = NULL, *alt = strtok_r(where.p, "|", &save); alt && !found; alt = strtok_r(NULL, "|", &save)) {
        while (*alt == ' ') alt++;
        size_t len = strlen(alt);
        while (len && alt[len - 1] == ' ') alt[--len] = '\0';
        if (len) found = contains(o->err, alt);
    }
    if (!found) note(problems, "does not name the place '%s'", r->col[C_WHERE]);
    free(where.p);
    buf key = {0}, says = {0};
    decode(r->col[C_KEY], dir, &key);
    decode(r->col[C_SAYS], dir, &says);
    if (strcmp(key.p, "-") != 0 && !strstr(o->err, key.p)) note(problems, "does not name the key '%s'", key.p);
    if (!strstr(o->err, says.p)) note(problems, "does not say '%s'", says.p);
    free(key.p);
    free(says.p);
    static const char *const sanitizer[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                            "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer"};
    for (size_t i = 0; i < sizeof sanitizer / sizeof sanitizer[0]; i++)
        if (strstr(o->err, sanitizer[i])) note(problems, "sanitizer report: '%s'", sanitizer[i]);
    char out[1200];
    snprintf(out, sizeof out, "%s/out", dir);
    find_leftovers(out, problems);
}

static void check_inputs_unchanged(const char *dir, const snapshot *before, size_t n, buf *problems)
{
    char path[1500];
    for (size_t i = 0; i < n; i++) {
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, before[i].name);
        char *now = read_all(path, &len);
        if (!now || len != before[i].len || memcmp(now, before[i].bytes, len) != 0)
            note(problems, "input %s was %s", before[i].name, now ? "changed" : "removed");
        free(now);
    }
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        char sub[2048];
        while (d && (e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* A case under way: its folder, its inputs as they were, its stderr. */
typedef struct running {
    const row *r;
    pid_t pid;
    int fe;
    char dir[600];
    snapshot before[32];
    size_t nbefore;
} running;

/* Prepares the row's folder (base fixtures, the row's file, out/) and starts ccsim. */
static void start_row(const row *r, running *x)
{
    x->r = r;
    snprintf(x->dir, sizeof x->dir, "%s", tmp_folder());
    copy_base(x->dir);
    write_input(r, x->dir);
    char path[1200];
    snprintf(path, sizeof path, "%s/out", x->dir);
    cr_assert_eq(mkdir(path, 0777), 0);
    x->nbefore = take_snapshot(x->dir, x->before, 32);
    snprintf(path, sizeof path, "%s/.stderr", x->dir);
    x->fe = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    cr_assert(x->fe >= 0);
    unlink(path); /* open until judged, never an input */
    x->pid = spawn_case(r, x->dir, x->fe);
}

/* Judges a finished case; appends its problems to `failures` (keeping its folder) or removes it.
 * Returns 1 if the case failed. */
static int finish_row(running *x, int status, buf *failures)
{
    outcome o = {0};
    o.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + o.signal;
    o.err = slurp_fd(x->fe);
    close(x->fe);
    buf problems = {0};
    put(&problems, "", 0);
    judge(x->r, x->dir, &o, &problems);
    check_inputs_unchanged(x->dir, x->before, x->nbefore, &problems);
    /* MALFORMED_SHOW=1 prints every case's message, to review them by eye */
    if (getenv("MALFORMED_SHOW")) cr_log_info("%s: exit %d: %s", x->r->col[C_ID], o.status, o.err);
    int failed = problems.n > 0;
    if (failed) {
        char head[1024];
        snprintf(head, sizeof head, "\ncase %s (%s):", x->r->col[C_ID], x->r->col[C_WHY]);
        puts_(failures, head);
        puts_(failures, problems.p);
        snprintf(head, sizeof head, "\n  stderr: %.600s\n  (the case's files are kept in %s)", o.err, x->dir);
        puts_(failures, head);
    } else {
        remove_tree(x->dir);
    }
    for (size_t k = 0; k < x->nbefore; k++) free(x->before[k].bytes);
    free(problems.p);
    free(o.err);
    return failed;
}

/* Runs every row of one kind, a few at a time, and fails once with every failing case. */
static void run_kind(const char *kind)
{
    enum { PARALLEL = 2 };
    const table *t = catalogue();
    running slot[PARALLEL];
    int busy = 0;
    size_t next = 0, ncases = 0, nfailed = 0;
    buf failures = {0};
    put(&failures, "", 0);
    for (;;) {
        while (busy < PARALLEL && next < t->n) {
            const row *r = &t->rows[next++];
            if (strcmp(r->col[C_KIND], kind) != 0) continue;
            start_row(r, &slot[busy++]);
            ncases++;
        }
        if (busy == 0) break;
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, 0)) < 0 && errno == EINTR) {
        }
        cr_assert(pid > 0, "waitpid: %s", strerror(errno));
        for (int k = 0; k < busy; k++)
            if (slot[k].pid == pid) {
                nfailed += (size_t)finish_row(&slot[k], status, &failures);
                slot[k] = slot[--busy];
                break;
            }
    }
    cr_assert_gt(ncases, 0, "no %s cases in the catalogue", kind);
    /* The report is composed before the buffer is freed: a failed assertion leaves the function. */
    static char report[32768];
    snprintf(report, sizeof report, "%zu of %zu %s cases failed:%s", nfailed, ncases, kind, failures.p);
    free(failures.p);
    cr_assert_eq(nfailed, 0, "%s", report);
    cr_log_info("%zu %s cases", ncases, kind);
}

Test(malformed, yaml) { run_kind("yaml"); }
Test(malformed, set) { run_kind("set"); }
Test(malformed, csv) { run_kind("csv"); }
Test(malformed, h5) { run_kind("h5"); }
Test(malformed, release) { run_kind("release"); }
Test(malformed, sweep) { run_kind("sweep"); }

/* The table itself: enough cases, of every kind, each named once, each input distinct, each row
 * complete. */
Test(malformed, table_is_well_formed)
{
    static const char *const kinds[] = {"yaml", "set", "csv", "h5", "release", "sweep"};
    enum { NKINDS = sizeof kinds / sizeof kinds[0] };
    const table *t = catalogue();
    size_t per_kind[NKINDS] = {0};
    cr_assert_geq(t->n, 120, "%zu cases, expected at least 120", t->n);
    for (size_t i = 0; i < t->n; i++) {
        const row *r = &t->rows[i];
        size_t k = 0;
        while (k < NKINDS && strcmp(r->col[C_KIND], kinds[k]) != 0) k++;
        cr_assert(k < NKINDS, "row %ld: unknown kind '%s'", r->line, r->col[C_KIND]);
        per_kind[k]++;
        long code = strtol(r->col[C_EXIT], NULL, 10);
        cr_assert(code == 2 || code == 3 || code == 4, "row %ld (%s): exit %ld is not an error code", r->line,
                  r->col[C_ID], code);
        cr_assert(*r->col[C_WHERE] && *r->col[C_KEY] && *r->col[C_SAYS] && *r->col[C_WHY],
                  "row %ld (%s): where, key, says and why are required", r->line, r->col[C_ID]);
        for (size_t j = 0; j < i; j++) {
            const row *q = &t->rows[j];
            cr_assert(strcmp(q->col[C_ID], r->col[C_ID]) != 0, "row %ld: id %s used twice", r->line, r->col[C_ID]);
            cr_assert(strcmp(q->col[C_FILE], r->col[C_FILE]) || strcmp(q->col[C_INPUT], r->col[C_INPUT]) ||
                          strcmp(q->col[C_ARGV], r->col[C_ARGV]),
                      "rows %ld and %ld (%s, %s) are the same input", q->line, r->line, q->col[C_ID], r->col[C_ID]);
        }
    }
    for (size_t k = 0; k < NKINDS; k++)
        cr_assert_geq(per_kind[k], 8, "only %zu cases of kind %s", per_kind[k], kinds[k]);
}

/* The base fixtures run cleanly, so that every row's failure is its own one change. */
Test(malformed, base_fixtures_are_valid)
{
    static const char *const scenarios[] = {"s.yaml", "replay.yaml"};
    for (size_t i = 0; i < 2; i++) {
        const char *dir = tmp_folder();
        copy_base(dir);
        char yaml[1200], out[1200], summary[1300];
        snprintf(yaml, sizeof yaml, "%s/%s", dir, scenarios[i]);
        snprintf(out, sizeof out, "%s/out", dir);
        cmd_result r;
        run_ccsim(&r, (const char *[]){"run", yaml, "--out", out, "--no-plot", NULL});
        cr_assert_eq(r.status, 0, "%s: %s", scenarios[i], r.err);
        snprintf(summary, sizeof summary, "%s/summary.json", out);
        cr_assert_eq(access(summary, R_OK), 0, "%s: no summary.json", scenarios[i]);
        remove_tree(dir);
    }
}
