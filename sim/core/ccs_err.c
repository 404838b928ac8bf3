/* Error reports with positions; see ccs_err.h. */
#include "ccs_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int(ccs_err_at)(ccs_err *e, int code, const char *file, long line, long col, const char *fmt, ...)
{
    if (!e) return code;
    int n;
    if (line > 0 && col > 0)
        n = snprintf(e->msg, sizeof e->msg, "%s:%ld:%ld: ", file, line, col);
    else if (line > 0)
        n = snprintf(e->msg, sizeof e->msg, "%s:%ld: ", file, line);
    else
        n = snprintf(e->msg, sizeof e->msg, "%s: ", file);
    if (n < 0 || (size_t)n >= sizeof e->msg) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + n, sizeof e->msg - (size_t)n, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

int(ccs_err_set)(ccs_err *e, int code, const char *fmt, ...)
{
    if (!e) return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

void ccs_err_prefix(ccs_err *e, const char *fmt, ...)
{
    if (!e) return;
    char head[512], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    snprintf(e->msg, sizeof e->msg, "%s%s", head, old);
}
