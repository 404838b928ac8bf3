/* Pull-style CSV reader; see ccs_csv.h. libcsv pushes fields and records through callbacks;
 * this file feeds it one line at a time and hands out one complete record per call. */
#include "ccs_csv.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FIELDS 64

struct ccs_csv {
    FILE *f;
    char *path;
    struct csv_parser parser;
    char delimiter;
    long line;        /* lines fed so far */
    long done_line;   /* line on which the last complete record ended */
    long record_line; /* line on which the record being built starts */
    long begin_line;  /* the line on which a record beginning now would start */
    long ready_line;  /* line of the record handed out */
    char *buf;
    size_t cap;
    /* the record being built, and the complete ones waiting (a line may end several) */
    char **cur;
    int ncur;
    struct ready_record {
        char **fields;
        int n;
        long line;
    } * ready; /* a ring, grows */
    int head, count, rcap;
    char **out; /* the record handed out last: freed at the next call */
    int nout;
    char **spare; /* a record's array of MAX_FIELDS, its fields freed: the next record's */
    int first_field;
    int out_of_memory;
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

static void on_field(void *data, size_t len, void *priv)
{
    ccs_csv *c = priv;
    if (!c->cur) { /* the record's array was not had */
        c->out_of_memory = 1;
        return;
    }
    if (c->ncur == 0) c->record_line = c->begin_line;
    if (c->ncur >= MAX_FIELDS) {
        c->ncur++; /* counted, not kept: reported as too many fields */
        return;
    }
    const char *src = data ? data : "";
    if (c->first_field) { /* a UTF-8 byte-order mark before the file's first field */
        c->first_field = 0;
        if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0) {
            src += 3;
            len -= 3;
        }
    }
    char *s = strndup(src, len);
    if (!s) {
        c->out_of_memory = 1; /* reported by the next read */
        return;
    }
    char *t = trim(s);
    if (t != s) memmove(s, t, strlen(t) + 1);
    c->cur[c->ncur++] = s;
}

static void free_fields(char **f, int n)
{
    for (int i = 0; i < n && i < MAX_FIELDS; i++) free(f[i]);
    free(f);
}

static void on_record(int term, void *priv)
{
    (void)term;
    ccs_csv *c = priv;
    c->done_line = c->line;
    if (c->ncur == 0) return;
    if (c->count == c->rcap) { /* one line can end many records (bare CR line ends) */
        int cap = c->rcap ? 2 * c->rcap : 8;
        struct ready_record *r = malloc((size_t)cap * sizeof *r);
        if (!r) {
            c->out_of_memory = 1; /* reported by ccs_csv_next */
            free_fields(c->cur, c->ncur);
            c->cur = calloc(MAX_FIELDS, sizeof *c->cur);
            c->ncur = 0;
            return;
        }
        for (int i = 0; i < c->count; i++) r[i] = c->ready[(c->head + i) % c->rcap];
        free(c->ready);
        c->ready = r;
        c->rcap = cap;
        c->head = 0;
    }
    struct ready_record *slot = &c->ready[(c->head + c->count) % c->rcap];
    slot->fields = c->cur;
    slot->n = c->ncur;
    slot->line = c->record_line;
    c->count++;
    c->cur = c->spare ? c->spare : malloc(MAX_FIELDS * sizeof *c->cur); /* entries from ncur on are never read */
    c->spare = NULL;
    c->ncur = 0;
}

int ccs_csv_open(const char *path, char delimiter, ccs_csv **out, ccs_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) { /* fopen opens folders for reading */
        fclose(f);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read: %s: expected a CSV file", strerror(EISDIR));
    }
    return ccs_csv_open_stream(f, path, delimiter, out, err);
}

int ccs_csv_open_stream(FILE *f, const char *path, char delimiter, ccs_csv **out, ccs_err *err)
{
    *out = NULL;
    ccs_csv *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        fclose(f);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    c->f = f;
    c->delimiter = delimiter;
    c->cur = malloc(MAX_FIELDS * sizeof *c->cur);
    c->first_field = 1;
    csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_delim(&c->parser, (unsigned char)delimiter);
    *out = c;
    return 0;
}

void ccs_csv_close(ccs_csv *c)
{
    if (!c) return;
    csv_free(&c->parser);
    for (int i = 0; i < c->count; i++) {
        struct ready_record *r = &c->ready[(c->head + i) % c->rcap];
        free_fields(r->fields, r->n);
    }
    free(c->ready);
    free_fields(c->cur, c->ncur);
    free_fields(c->out, c->nout);
    free(c->spare);
    free(c->buf);
    free(c->path);
    fclose(c->f);
    free(c);
}

int ccs_csv_next(ccs_csv *c, char ***fields, int *nfields, ccs_err *err)
{
    if (c->out && !c->spare) { /* one array of pointers serves record after record */
        for (int i = 0; i < c->nout && i < MAX_FIELDS; i++) free(c->out[i]);
        c->spare = c->out;
    } else {
        free_fields(c->out, c->nout);
    }
    c->out = NULL;
    c->nout = 0;
    while (c->count == 0 && !c->out_of_memory) {
        ssize_t len = getline(&c->buf, &c->cap, c->f);
        if (len <= 0) {
            if (ferror(c->f)) return ccs_err_at(err, CCS_EIO, c->path, c->line, 0, "cannot read: %s", strerror(errno));
            if (csv_fini(&c->parser, on_field, on_record, c) != 0)
                return ccs_err_at(err, CCS_EINPUT, c->path, c->done_line + 1, 0,
                                  "malformed CSV: %s (an unterminated quote?)", csv_strerror(csv_error(&c->parser)));
            if (c->count == 0 && !c->out_of_memory) return 0;
            break;
        }
        c->line++;
        /* Fields are C strings: a NUL byte would silently cut one short. Text files have none;
         * UTF-16 exports and binary files do. */
        if (memchr(c->buf, '\0', (size_t)len))
            return ccs_err_at(err, CCS_EINPUT, c->path, c->line, 0,
                              "a NUL byte: expected UTF-8 text (is the file UTF-16 or binary?)");
        /* One physical line at a time, so that messages name the right line: getline splits at
         * LF only, and a CR that no LF follows ends a line too (old Mac exports). */
        c->line--;
        for (size_t at = 0; at < (size_t)len;) {
            size_t end = at;
            while (end < (size_t)len && c->buf[end] != '\n' &&
                   !(c->buf[end] == '\r' && end + 1 < (size_t)len && c->buf[end + 1] != '\n'))
                end++;
            if (end < (size_t)len) end++; /* the line end itself */
            c->line++;
            /* libcsv's state 0 is "no row begun" (libcsv.c: ROW_NOT_BEGUN): a record whose
             * first field comes next starts on this line, even if that field ends lines later */
            if (c->parser.pstate == 0) c->begin_line = c->line;
            if (csv_parse(&c->parser, c->buf + at, end - at, on_field, on_record, c) != end - at)
                return ccs_err_at(err, CCS_EINPUT, c->path, c->line, 0, "malformed CSV: %s",
                                  csv_strerror(csv_error(&c->parser)));
            at = end;
        }
    }
    /* a field or record lost to memory: never hand out the record short of it, nor end early */
    if (c->out_of_memory) return ccs_err_set(err, CCS_ERUN, "%s: out of memory", c->path);
    struct ready_record *r = &c->ready[c->head];
    c->out = r->fields;
    c->nout = r->n;
    c->ready_line = r->line;
    c->head = (c->head + 1) % c->rcap;
    c->count--;
    if (c->nout > MAX_FIELDS)
        return ccs_err_at(err, CCS_EINPUT, c->path, c->ready_line, 0, "%d fields: at most %d are supported", c->nout,
                          MAX_FIELDS);
    *fields = c->out;
    *nfields = c->nout;
    return 1;
}

long ccs_csv_line(const ccs_csv *c) { return c->ready_line; }
const char *ccs_csv_path(const ccs_csv *c) { return c->path; }

int ccs_csv_rewind(ccs_csv *c, ccs_err *err)
{
    rewind(c->f);
    csv_free(&c->parser);
    csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_delim(&c->parser, (unsigned char)c->delimiter);
    for (int i = 0; i < c->count; i++) {
        struct ready_record *r = &c->ready[(c->head + i) % c->rcap];
        free_fields(r->fields, r->n);
    }
    c->count = c->head = 0;
    for (int i = 0; i < c->ncur && i < MAX_FIELDS; i++) free(c->cur[i]);
    c->ncur = 0;
    c->line = c->done_line = c->begin_line = 0;
    c->first_field = 1;
    (void)err;
    return 0;
}

void ccs_csv_write_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
