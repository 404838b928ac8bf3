/* The schema walker; see ccs_schema.h. */
#include "ccs_schema.h"

#include "ccs_time.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_PTR(obj, off, type) ((type *)((char *)(obj) + (off)))

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return 99;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *ccs_did_you_mean(const char *word, const char *const *words, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    size_t limit = strlen(word) <= 4 ? 1 : strlen(word) <= 8 ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, words[i]);
        if (d < best_d) {
            best_d = d;
            best = words[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

/* ---- names ---- */

/* The code point of the valid UTF-8 sequence at *p, which is advanced past it; -1 if invalid
 * (overlong, a surrogate, above U+10FFFF, cut short, a stray continuation byte). */
static long utf8_next(const unsigned char **p)
{
    static const long least[4] = {0, 0x80, 0x800, 0x10000};
    const unsigned char *s = *p;
    long c;
    int n;
    if (s[0] < 0x80) {
        *p = s + 1;
        return s[0];
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        c = s[0] & 0x1f, n = 1;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        c = s[0] & 0x0f, n = 2;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        c = s[0] & 0x07, n = 3;
    else
        return -1;
    for (int i = 1; i <= n; i++) { /* the terminating NUL is no continuation byte: stops here */
        if ((s[i] & 0xc0) != 0x80) return -1;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < least[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return -1;
    *p = s + n + 1;
    return c;
}

/* Characters that move the cursor, end a line or reorder the text around them: a name holding
 * one prints as something else than it is. */
static int is_control(long c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

const char *ccs_name_problem(const char *s)
{
    _Static_assert(CCS_NAME_MAX == 64, "the message below states the limit");
    size_t len = strlen(s);
    if (len == 0) return "empty";
    if (len > CCS_NAME_MAX) return "longer than 64 bytes";
    if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0) return "'.' and '..' name folders";
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        long c = utf8_next(&p);
        if (c < 0) return "not valid UTF-8";
        if (is_control(c)) return "contains a control character";
        if (c == '/') return "contains '/'";
    }
    return NULL;
}

void ccs_name_show(const char *s, size_t max, char *buf, size_t size)
{
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (; *p && (size_t)(p - (const unsigned char *)s) < max && k + 8 < size; p++) {
        if (*p >= 0x20 && *p < 0x7f)
            buf[k++] = (char)*p;
        else
            k += (size_t)snprintf(buf + k, size - k, "\\x%02x", *p);
    }
    if (*p && k + 4 < size) memcpy(buf + k, "...", 3), k += 3;
    buf[k] = '\0';
}

static const char *name_rules = "1 to 64 bytes of printable UTF-8 without '/', other than . and ..";

static const char *type_name(ccs_ytype t)
{
    return t == CCS_Y_MAP ? "a mapping" : t == CCS_Y_SEQ ? "a list" : "a single value";
}

static int want_type(const ccs_ynode *n, ccs_ytype want, const char *path, const char *expect, ccs_err *err)
{
    if (n->type == want) return 0;
    return ccs_err_at(err, CCS_EINPUT, n->file, n->line, n->col, "%s: expected %s (%s), found %s", path,
                      type_name(want), expect, type_name(n->type));
}

static char *join_path(const char *dir, const char *p)
{
    if (p[0] == '/' || !dir || !*dir) return strdup(p);
    size_t n = strlen(dir) + strlen(p) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", dir, p);
    return s;
}

/* Values are shown cut and escaped: a scalar may be megabytes long or hold control characters
 * (YAML escapes), and the message goes to a terminal. */
static int bad_value(const ccs_ynode *n, const char *path, const char *expect, ccs_err *err)
{
    char shown[1024];
    ccs_name_show(n->scalar, 200, shown, sizeof shown);
    return ccs_err_at(err, CCS_EINPUT, n->file, n->line, n->col, "%s: bad value '%s': expected %s", path, shown,
                      expect);
}

static int check_name(const ccs_ynode *n, const char *path, const char *expect, ccs_err *err)
{
    const char *why = ccs_name_problem(n->scalar);
    if (!why) return 0;
    char shown[256];
    ccs_name_show(n->scalar, 40, shown, sizeof shown);
    return ccs_err_at(err, CCS_EINPUT, n->file, n->line, n->col, "%s: bad name '%s': %s: expected %s: %s", path, shown,
                      why, expect, name_rules);
}

static int is_currency(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z') return 0;
    return s[3] == '\0';
}

static int check_range(const ccs_field *f, const ccs_ynode *n, const char *path, double v, ccs_err *err)
{
    if (f->min > f->max) return 0;
    if (v >= f->min && v <= f->max) return 0;
    char expect[160];
    if (isinf(f->max))
        snprintf(expect, sizeof expect, "%s >= %g", f->expect ? f->expect : "a value", f->min);
    else
        snprintf(expect, sizeof expect, "%s between %g and %g", f->expect ? f->expect : "a value", f->min, f->max);
    return bad_value(n, path, expect, err);
}

static int apply_field(const ccs_field *f, const ccs_ynode *n, void *obj, const char *path, const char *base_dir,
                       ccs_err *err);

static int apply_scalar(const ccs_field *f, const ccs_ynode *n, void *obj, const char *path, const char *base_dir,
                        ccs_err *err)
{
    const char *expect = f->expect ? f->expect : "a value";
    int rc = want_type(n, CCS_Y_SCALAR, path, expect, err);
    if (rc) return rc;
    const char *s = n->scalar;
    char *end;
    switch (f->type) {
    case CCS_F_STR:
    case CCS_F_PATH:
    case CCS_F_NAME:
    case CCS_F_CURRENCY: {
        char **dst = FIELD_PTR(obj, f->offset, char *);
        if (f->type == CCS_F_NAME && (rc = check_name(n, path, expect, err))) return rc;
        if (f->type == CCS_F_CURRENCY && !is_currency(s))
            return bad_value(n, path, "a currency code of three capital letters, such as EUR or USD", err);
        if (*s == '\0') return bad_value(n, path, expect, err);
        free(*dst);
        *dst = f->type == CCS_F_PATH ? join_path(base_dir, s) : strdup(s);
        return *dst ? 0 : ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    case CCS_F_INT: {
        errno = 0;
        long v = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || errno) return bad_value(n, path, expect, err);
        if ((rc = check_range(f, n, path, (double)v, err))) return rc;
        *FIELD_PTR(obj, f->offset, long) = v;
        return 0;
    }
    case CCS_F_UINT64: {
        errno = 0;
        if (*s == '-') return bad_value(n, path, expect, err);
        unsigned long long v = strtoull(s, &end, 10);
        /* at most 2^63 - 1, so that every JSON reader reads it back as the same integer */
        if (*s == '\0' || *end != '\0' || errno || v > INT64_MAX) return bad_value(n, path, expect, err);
        *FIELD_PTR(obj, f->offset, uint64_t) = (uint64_t)v;
        return 0;
    }
    case CCS_F_DOUBLE: {
        errno = 0;
        double v = strtod(s, &end);
        if (*s == '\0' || *end != '\0' || errno || !isfinite(v)) return bad_value(n, path, expect, err);
        if ((rc = check_range(f, n, path, v, err))) return rc;
        *FIELD_PTR(obj, f->offset, double) = v;
        return 0;
    }
    case CCS_F_BOOL:
        if (strcmp(s, "true") == 0)
            *FIELD_PTR(obj, f->offset, int) = 1;
        else if (strcmp(s, "false") == 0)
            *FIELD_PTR(obj, f->offset, int) = 0;
        else
            return bad_value(n, path, "true or false", err);
        return 0;
    case CCS_F_DURATION: {
        int64_t us;
        if (ccs_duration_parse(s, &us) != 0)
            return bad_value(n, path, "a duration such as 30m, 4h30m, 7d or 8772h", err);
        if ((rc = check_range(f, n, path, (double)us / 1e6, err))) return rc;
        *FIELD_PTR(obj, f->offset, int64_t) = us;
        return 0;
    }
    case CCS_F_TIME: {
        int64_t us;
        if (ccs_time_parse(s, &us) != 0)
            return bad_value(n, path, "an ISO 8601 UTC time such as \"2023-01-01T00:00:00Z\"", err);
        *FIELD_PTR(obj, f->offset, int64_t) = us;
        return 0;
    }
    case CCS_F_CLOCK: {
        int64_t us;
        if (ccs_clock_parse(s, &us) != 0) return bad_value(n, path, "a UTC clock time \"HH:MM\"", err);
        *FIELD_PTR(obj, f->offset, int64_t) = us;
        return 0;
    }
    case CCS_F_ENUM: {
        size_t k = 0;
        for (; f->words[k]; k++)
            if (strcmp(s, f->words[k]) == 0) {
                *FIELD_PTR(obj, f->offset, int) = (int)k;
                return 0;
            }
        char list[512] = "";
        for (size_t i = 0; f->words[i]; i++) {
            if (i) strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, f->words[i], sizeof list - strlen(list) - 1);
        }
        const char *near = ccs_did_you_mean(s, (const char *const *)f->words, k);
        char shown[1024];
        ccs_name_show(s, 200, shown, sizeof shown);
        return ccs_err_at(err, CCS_EINPUT, n->file, n->line, n->col, "%s: unknown value '%s'%s%s%s: expected one of %s",
                          path, shown, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", list);
    }
    default: return ccs_err_set(err, CCS_ERUN, "internal: field %s is not a scalar type", path);
    }
}

static const char *item_label(const ccs_ynode *item, size_t index, char *buf, size_t size)
{
    const ccs_ynode *nm = ccs_yaml_get(item, "name");
    /* a bad name is reported under the item's index: the message must not carry it */
    if (nm && nm->type == CCS_Y_SCALAR && !ccs_name_problem(nm->scalar))
        snprintf(buf, size, "%s", nm->scalar);
    else
        snprintf(buf, size, "%zu", index);
    return buf;
}

static int apply_field(const ccs_field *f, const ccs_ynode *n, void *obj, const char *path, const char *base_dir,
                       ccs_err *err)
{
    int rc;
    switch (f->type) {
    case CCS_F_MAP:
        if (n->type == CCS_Y_SCALAR && f->alt_scalar) {
            /* an unquoted number sets the map's "value", if it has one (carbon: 412, a constant);
             * any other scalar sets alt_scalar (carbon: grid.csv) */
            char *end;
            const char *key = f->alt_scalar;
            if (!n->quoted && n->scalar && *n->scalar && (strtod(n->scalar, &end), *end == '\0'))
                for (size_t i = 0; i < f->sub->nfields; i++)
                    if (strcmp(f->sub->fields[i].key, "value") == 0 && f->sub->fields[i].type == CCS_F_DOUBLE)
                        key = "value";
            for (size_t i = 0; i < f->sub->nfields; i++)
                if (strcmp(f->sub->fields[i].key, key) == 0) {
                    if (f->sub->defaults) f->sub->defaults(FIELD_PTR(obj, f->offset, char));
                    if (f->sub->pos_offset != CCS_NOPOS) /* where the scalar stands, as a map's key would */
                        *FIELD_PTR(FIELD_PTR(obj, f->offset, char), f->sub->pos_offset, ccs_src_pos) =
                            (ccs_src_pos){n->file, n->line, n->col};
                    return apply_field(&f->sub->fields[i], n, FIELD_PTR(obj, f->offset, char), path, base_dir, err);
                }
        }
        if ((rc = want_type(n, CCS_Y_MAP, path, f->expect ? f->expect : "keys", err))) return rc;
        return ccs_schema_apply(f->sub, n, FIELD_PTR(obj, f->offset, char), path, base_dir, err);
    case CCS_F_LIST: {
        if ((rc = want_type(n, CCS_Y_SEQ, path, f->expect ? f->expect : "a list of items", err))) return rc;
        void **dst = FIELD_PTR(obj, f->offset, void *);
        size_t *count = FIELD_PTR(obj, f->count_offset, size_t);
        *dst = calloc(n->n ? n->n : 1, f->sub->size);
        if (!*dst) return ccs_err_set(err, CCS_ERUN, "out of memory");
        *count = 0;
        for (size_t i = 0; i < n->n; i++) {
            char label[128], sub[512];
            snprintf(sub, sizeof sub, "%s[%s]", path, item_label(n->items[i], i, label, sizeof label));
            void *item = (char *)*dst + i * f->sub->size;
            (*count)++;
            if ((rc = want_type(n->items[i], CCS_Y_MAP, sub, f->sub->what, err))) return rc;
            if ((rc = ccs_schema_apply(f->sub, n->items[i], item, sub, base_dir, err))) return rc;
        }
        return 0;
    }
    case CCS_F_NAMELIST: {
        char ***dst = FIELD_PTR(obj, f->offset, char **);
        size_t *count = FIELD_PTR(obj, f->count_offset, size_t);
        if (n->type == CCS_Y_SCALAR) { /* one name may stand for a list of one */
            if ((rc = check_name(n, path, "a name", err))) return rc;
            *dst = calloc(1, sizeof **dst);
            if (!*dst || !((*dst)[0] = strdup(n->scalar))) return ccs_err_set(err, CCS_ERUN, "out of memory");
            *count = 1;
            return 0;
        }
        if ((rc = want_type(n, CCS_Y_SEQ, path, f->expect ? f->expect : "a list of names", err))) return rc;
        *dst = calloc(n->n ? n->n : 1, sizeof **dst);
        if (!*dst) return ccs_err_set(err, CCS_ERUN, "out of memory");
        *count = 0;
        for (size_t i = 0; i < n->n; i++) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if ((rc = want_type(n->items[i], CCS_Y_SCALAR, sub, "a name", err))) return rc;
            if ((rc = check_name(n->items[i], sub, "a name", err))) return rc;
            if (!((*dst)[*count] = strdup(n->items[i]->scalar))) return ccs_err_set(err, CCS_ERUN, "out of memory");
            (*count)++;
        }
        return 0;
    }
    case CCS_F_NUMLIST: {
        if ((rc = want_type(n, CCS_Y_SEQ, path, f->expect ? f->expect : "a list of numbers", err))) return rc;
        double **dst = FIELD_PTR(obj, f->offset, double *);
        free(*dst);
        *dst = calloc(n->n ? n->n : 1, sizeof **dst);
        if (!*dst) return ccs_err_set(err, CCS_ERUN, "out of memory");
        size_t *count = FIELD_PTR(obj, f->count_offset, size_t);
        *count = 0;
        /* each item is checked as a DOUBLE field of the same range and words */
        ccs_field item = *f;
        item.type = CCS_F_DOUBLE;
        for (size_t i = 0; i < n->n; i++) {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            double v;
            item.offset = 0;
            if ((rc = apply_scalar(&item, n->items[i], &v, sub, base_dir, err))) return rc;
            (*dst)[(*count)++] = v;
        }
        return 0;
    }
    default: return apply_scalar(f, n, obj, path, base_dir, err);
    }
}

int ccs_schema_apply(const ccs_schema *schema, const ccs_ynode *node, void *obj, const char *keypath,
                     const char *base_dir, ccs_err *err)
{
    /* Defaults first, for this struct and for embedded maps that the file may leave out.
     * Defaults never allocate, so running them again is harmless. */
    if (schema->defaults) schema->defaults(obj);
    for (size_t i = 0; i < schema->nfields; i++)
        if (schema->fields[i].type == CCS_F_MAP && schema->fields[i].sub->defaults)
            schema->fields[i].sub->defaults(FIELD_PTR(obj, schema->fields[i].offset, char));
    if (schema->pos_offset != (size_t)-1) {
        ccs_src_pos *pos = FIELD_PTR(obj, schema->pos_offset, ccs_src_pos);
        pos->file = node->file;
        pos->line = node->line;
        pos->col = node->col;
    }
    const char *keys[64];
    assert(schema->nfields <= 64); /* a schema with more keys needs a bigger list here */
    for (size_t i = 0; i < schema->nfields; i++) keys[i] = schema->fields[i].key;
    for (size_t k = 0; k < node->n; k++) {
        const ccs_field *f = NULL;
        for (size_t i = 0; i < schema->nfields; i++)
            if (strcmp(schema->fields[i].key, node->keys[k]) == 0) f = &schema->fields[i];
        char path[512], key[256];
        /* a key that is not in the schema may be anything: shown escaped */
        ccs_name_show(node->keys[k], f ? SIZE_MAX : 64, key, sizeof key);
        snprintf(path, sizeof path, "%s%s%s", keypath, *keypath ? "." : "", key);
        if (!f) {
            const char *near = ccs_did_you_mean(node->keys[k], keys, schema->nfields);
            char list[512] = "";
            for (size_t i = 0; i < schema->nfields; i++) {
                if (i) strncat(list, ", ", sizeof list - strlen(list) - 1);
                strncat(list, keys[i], sizeof list - strlen(list) - 1);
            }
            const ccs_ynode *v = node->items[k];
            long line = node->key_line ? node->key_line[k] : v->line;
            long col = node->key_col ? node->key_col[k] : v->col;
            return ccs_err_at(err, CCS_EINPUT, v->file, line, col, "%s: unknown key '%s' in %s%s%s%s (known keys: %s)",
                              path, key, schema->what, near ? "; did you mean '" : "", near ? near : "",
                              near ? "'?" : "", list);
        }
        int rc = apply_field(f, node->items[k], obj, path, base_dir, err);
        if (rc) return rc;
    }
    for (size_t i = 0; i < schema->nfields; i++) {
        if (!schema->fields[i].required || ccs_yaml_get(node, schema->fields[i].key)) continue;
        return ccs_err_at(err, CCS_EINPUT, node->file, node->line, node->col,
                          "%s%smissing required key '%s' in %s: expected %s", keypath, *keypath ? ": " : "",
                          schema->fields[i].key, schema->what,
                          schema->fields[i].expect ? schema->fields[i].expect : "a value");
    }
    return 0;
}

int ccs_schema_inherit(const ccs_schema *schema, void *dst, const void *src, const ccs_ynode *node)
{
    for (size_t i = 0; i < schema->nfields; i++) {
        const ccs_field *f = &schema->fields[i];
        if (node && ccs_yaml_get(node, f->key)) continue;
        char *to = (char *)dst + f->offset;
        const char *from = (const char *)src + f->offset;
        switch (f->type) {
        case CCS_F_STR:
        case CCS_F_PATH:
        case CCS_F_NAME:
        case CCS_F_CURRENCY: {
            const char *v = *(char *const *)(const void *)from;
            char *copy = v ? strdup(v) : NULL;
            if (v && !copy) return -1;
            free(*(char **)(void *)to);
            *(char **)(void *)to = copy;
            break;
        }
        case CCS_F_INT: memcpy(to, from, sizeof(long)); break;
        case CCS_F_UINT64: memcpy(to, from, sizeof(uint64_t)); break;
        case CCS_F_DOUBLE: memcpy(to, from, sizeof(double)); break;
        case CCS_F_BOOL:
        case CCS_F_ENUM: memcpy(to, from, sizeof(int)); break;
        case CCS_F_DURATION:
        case CCS_F_TIME:
        case CCS_F_CLOCK: memcpy(to, from, sizeof(int64_t)); break;
        default: break;
        }
    }
    return 0;
}

void ccs_schema_free(const ccs_schema *schema, void *obj)
{
    if (!obj) return;
    for (size_t i = 0; i < schema->nfields; i++) {
        const ccs_field *f = &schema->fields[i];
        switch (f->type) {
        case CCS_F_STR:
        case CCS_F_PATH:
        case CCS_F_NAME:
        case CCS_F_CURRENCY:
            free(*FIELD_PTR(obj, f->offset, char *));
            *FIELD_PTR(obj, f->offset, char *) = NULL;
            break;
        case CCS_F_MAP: ccs_schema_free(f->sub, FIELD_PTR(obj, f->offset, char)); break;
        case CCS_F_LIST: {
            char *items = *FIELD_PTR(obj, f->offset, char *);
            size_t n = *FIELD_PTR(obj, f->count_offset, size_t);
            for (size_t k = 0; items && k < n; k++) ccs_schema_free(f->sub, items + k * f->sub->size);
            free(items);
            *FIELD_PTR(obj, f->offset, char *) = NULL;
            *FIELD_PTR(obj, f->count_offset, size_t) = 0;
            break;
        }
        case CCS_F_NUMLIST:
            free(*FIELD_PTR(obj, f->offset, double *));
            *FIELD_PTR(obj, f->offset, double *) = NULL;
            *FIELD_PTR(obj, f->count_offset, size_t) = 0;
            break;
        case CCS_F_NAMELIST: {
            char **items = *FIELD_PTR(obj, f->offset, char **);
            size_t n = *FIELD_PTR(obj, f->count_offset, size_t);
            for (size_t k = 0; items && k < n; k++) free(items[k]);
            free(items);
            *FIELD_PTR(obj, f->offset, char **) = NULL;
            *FIELD_PTR(obj, f->count_offset, size_t) = 0;
            break;
        }
        default: break;
        }
    }
}
