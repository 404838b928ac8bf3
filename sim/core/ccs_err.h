/* User-facing error reports: where (file, line, column, key), what was wrong, what was expected.
 * Modules fill a ccs_err and return non-zero; only the CLI prints it. Never used for programming
 * errors: those are asserts. */
#ifndef CCS_ERR_H
#define CCS_ERR_H

#include <stddef.h>

enum { CCS_OK = 0, CCS_EINPUT = 2, CCS_EIO = 3, CCS_ERUN = 4 };

typedef struct ccs_err {
    int code;       /* CCS_EINPUT for bad input, CCS_EIO for files that cannot be read or written */
    char msg[1536]; /* "file:line:col: message" ready to print */
} ccs_err;

/* Formats "FILE:LINE[:COL]: " + message into e and returns code. line <= 0 omits the line,
 * col <= 0 omits the column. */
int ccs_err_at(ccs_err *e, int code, const char *file, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Plain message, no position. */
int ccs_err_set(ccs_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifdef __clang_analyzer__
/* The static analyzer reads one file at a time and cannot see that these two return their code,
 * which callers always pass non-zero: without this it explores paths of "error reported, rc 0"
 * that cannot happen. The same value, spelled so that the analyzer sees it. */
#define ccs_err_at(e, code, ...)  (ccs_err_at((e), (code), __VA_ARGS__), (code))
#define ccs_err_set(e, code, ...) (ccs_err_set((e), (code), __VA_ARGS__), (code))
#endif

/* Prefixes an existing message with context ("while loading X: ..."). */
void ccs_err_prefix(ccs_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
