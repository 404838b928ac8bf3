/* A pull-style CSV row reader on libcsv: one record at a time with the line it starts on, so a
 * large file can be streamed (arrival replay) and every message can name its line. Quoting
 * rules are libcsv's (RFC 4180, strict). */
#ifndef CCS_CSV_H
#define CCS_CSV_H

#include "ccs_err.h"

#include <stddef.h>
#include <stdio.h>

typedef struct ccs_csv ccs_csv;

/* Opens path with the given field delimiter (',' or ';'). */
int ccs_csv_open(const char *path, char delimiter, ccs_csv **out, ccs_err *err);
/* Reads the open stream f (a file's bytes already in memory: fmemopen), which it then owns and
 * closes, even on failure; path names it in messages. */
int ccs_csv_open_stream(FILE *f, const char *path, char delimiter, ccs_csv **out, ccs_err *err);
void ccs_csv_close(ccs_csv *c);

/* Reads the next non-blank record. Returns 1 with *fields (trimmed, NUL-terminated, valid until
 * the next call) and *nfields set, 0 at the end of the file, or an error code (malformed CSV,
 * with file and line in err). A UTF-8 byte-order mark before the first field is dropped. */
int ccs_csv_next(ccs_csv *c, char ***fields, int *nfields, ccs_err *err);

/* The line on which the last record returned starts. */
long ccs_csv_line(const ccs_csv *c);
const char *ccs_csv_path(const ccs_csv *c);

/* Rewinds to the first record (for looping replays). */
int ccs_csv_rewind(ccs_csv *c, ccs_err *err);

/* Writes one field as RFC 4180 wants it: quoted, with quotes doubled, only when it holds a comma,
 * a quote or a line break. */
void ccs_csv_write_field(FILE *f, const char *s);

#endif
