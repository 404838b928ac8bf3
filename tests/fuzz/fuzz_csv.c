/* Fuzz harness: the CSV row reader (sim/input/ccs_csv.c) on any bytes. Beyond "no crash, no leak", three
 * oracles: a rewind reads back exactly the same records, lines and end; records written with
 * ccs_csv_write_field read back as the same fields (the writer and the reader agree on quoting);
 * and a NUL byte, which no C string field can hold, is an error rather than a field cut short. */
#include "fuzz_util.h"

#include "ccs_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one pass over the file saw: records, fields, their lines and bytes, and how it ended. */
typedef struct digest {
    long records, fields, line_sum;
    uint64_t hash;
    int end;
} digest;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Whether the writer can give a record back as it is: not when the reader would trim blanks at a
 * field's ends, drop a byte-order mark before the first field, or skip the line as blank. */
static int round_trips(char **f, int n)
{
    if (n == 1 && f[0][0] == '\0') return 0; /* a blank line: no record at all */
    if (n > 0 && strncmp(f[0], "\xef\xbb\xbf", 3) == 0) return 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(f[i]);
        if (len && (strchr(" \t\r", f[i][0]) || strchr(" \t\r", f[i][len - 1]))) return 0;
    }
    return 1;
}

/* The records of the first pass that the writer can give back as they are, in order. */
typedef struct kept {
    char *text; /* written with ccs_csv_write_field, one record a line */
    size_t len;
    FILE *out;
    long n;
    char **fields; /* the fields, one record after another; nfields[i] per record */
    int *nfields;
    size_t nall, capall, cap;
} kept;

static void keep(kept *k, char **f, int n)
{
    if (!k->out && !(k->out = open_memstream(&k->text, &k->len))) fuzz_fail("open_memstream");
    for (int i = 0; i < n; i++) {
        if (i) fputc(',', k->out);
        ccs_csv_write_field(k->out, f[i]);
    }
    fputc('\n', k->out);
    if ((size_t)k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 64;
        if (!(k->nfields = realloc(k->nfields, k->cap * sizeof *k->nfields))) fuzz_fail("out of memory");
    }
    if (k->nall + (size_t)n > k->capall) {
        k->capall = 2 * (k->nall + (size_t)n);
        if (!(k->fields = realloc(k->fields, k->capall * sizeof *k->fields))) fuzz_fail("out of memory");
    }
    for (int i = 0; i < n; i++)
        if (!(k->fields[k->nall++] = strdup(f[i]))) fuzz_fail("out of memory");
    k->nfields[k->n++] = n;
}

/* Reads back what keep() wrote: the same records, field for field, and nothing more. */
static void check_round_trip(kept *k)
{
    if (!k->out) return;
    fclose(k->out);
    const char *path = fuzz_write_file("written.csv", k->text, k->len);
    ccs_csv *c;
    ccs_err err = {0};
    if (ccs_csv_open(path, ',', &c, &err) != 0) fuzz_fail("reopen: %s", err.msg);
    char **g;
    int ng, rc;
    size_t at = 0;
    for (long r = 0; r < k->n; r++) {
        if ((rc = ccs_csv_next(c, &g, &ng, &err)) != 1)
            fuzz_fail("written record %ld does not read back (%d): %s", r, rc, err.msg);
        if (ng != k->nfields[r]) fuzz_fail("written record %ld of %d fields reads back with %d", r, k->nfields[r], ng);
        for (int i = 0; i < ng; i++, at++)
            if (strcmp(k->fields[at], g[i]) != 0)
                fuzz_fail("record %ld field %d '%s' reads back as '%s'", r, i, k->fields[at], g[i]);
    }
    if ((rc = ccs_csv_next(c, &g, &ng, &err)) != 0)
        fuzz_fail("%ld written records read back as more (%d): %s", k->n, rc, err.msg);
    ccs_csv_close(c);
    for (size_t i = 0; i < k->nall; i++) free(k->fields[i]);
    free(k->fields);
    free(k->nfields);
    free(k->text);
}

/* Reads every record; with k, also keeps those the writer can give back. */
static digest read_all(ccs_csv *c, kept *k)
{
    digest d = {0, 0, 0, UINT64_C(0xcbf29ce484222325), 0};
    char **f;
    int n;
    ccs_err err = {0};
    while ((d.end = ccs_csv_next(c, &f, &n, &err)) == 1) {
        d.records++;
        d.fields += n;
        d.line_sum += ccs_csv_line(c);
        if (n < 1) fuzz_fail("a record of %d fields", n);
        for (int i = 0; i < n; i++) d.hash = mix(d.hash, f[i], strlen(f[i]) + 1);
        if (k && round_trips(f, n)) keep(k, f, n);
        /* stop early on very long inputs: the oracles need no more */
        if (d.records > 10000) break;
    }
    if (d.end != 1 && d.end != 0) fuzz_check_error(d.end, err.msg, "ccs_csv_next");
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("data.csv", data, size);
    static const char delimiters[] = {',', ';'};
    for (size_t k = 0; k < sizeof delimiters; k++) {
        ccs_csv *c;
        ccs_err err = {0};
        if (ccs_csv_open(path, delimiters[k], &c, &err) != 0) fuzz_fail("open: %s", err.msg);
        kept written = {0};
        digest first = read_all(c, delimiters[k] == ',' ? &written : NULL);
        if (first.end == 0 && memchr(data, '\0', size))
            fuzz_fail("a file with a NUL byte read to its end: the field holding it was cut short");
        if (ccs_csv_rewind(c, &err) != 0) fuzz_fail("rewind: %s", err.msg);
        digest again = read_all(c, NULL);
        if (first.records != again.records || first.fields != again.fields || first.line_sum != again.line_sum ||
            first.hash != again.hash || first.end != again.end)
            fuzz_fail("after a rewind: %ld records, %ld fields, end %d; before: %ld, %ld, end %d", again.records,
                      again.fields, again.end, first.records, first.fields, first.end);
        ccs_csv_close(c);
        check_round_trip(&written);
    }
    return 0;
}
