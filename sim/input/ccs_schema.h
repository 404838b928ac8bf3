/* Declarative schemas that turn a YAML tree into C structs: each field names its key, type,
 * offset, whether it is required, its range or allowed words. One walker checks every file the
 * same way: unknown keys (with a did-you-mean), wrong types, missing keys, bad values, each
 * reported with file, line, column and the dotted key path. */
#ifndef CCS_SCHEMA_H
#define CCS_SCHEMA_H

#include "ccs_err.h"
#include "ccs_yaml.h"

#include <math.h>
#include <stddef.h>

typedef enum {
    CCS_F_STR,      /* char * (strdup'd) */
    CCS_F_NAME,     /* char *: a name, by the rules of ccs_name_problem */
    CCS_F_CURRENCY, /* char *: an ISO 4217 code, three capital letters (EUR, USD) */
    CCS_F_PATH,     /* char *: a file path, made relative to the scenario file's folder */
    CCS_F_INT,      /* long */
    CCS_F_UINT64,   /* uint64_t */
    CCS_F_DOUBLE,   /* double */
    CCS_F_BOOL,     /* int: true/false */
    CCS_F_DURATION, /* int64_t microseconds: "30m", "4h30m", "7d" */
    CCS_F_TIME,     /* int64_t epoch microseconds: ISO 8601 UTC */
    CCS_F_CLOCK,    /* int64_t microseconds after midnight: "HH:MM" */
    CCS_F_ENUM,     /* int: index into words */
    CCS_F_MAP,      /* an embedded struct described by sub */
    CCS_F_LIST,     /* a sequence of structs: pointer at offset, size_t count at count_offset */
    CCS_F_NAMELIST, /* a sequence of names (or one name): char ** at offset, size_t count at count_offset */
    CCS_F_NUMLIST,  /* a sequence of numbers in range: double * at offset, size_t count at count_offset */
} ccs_ftype;

typedef struct ccs_schema ccs_schema;

typedef struct ccs_field {
    const char *key;
    ccs_ftype type;
    size_t offset;
    int required;
    double min, max;          /* numbers and durations (in seconds); min > max: no range */
    const char *const *words; /* CCS_F_ENUM: NULL-terminated */
    const ccs_schema *sub;    /* CCS_F_MAP, CCS_F_LIST */
    size_t count_offset;      /* CCS_F_LIST, CCS_F_NAMELIST, CCS_F_NUMLIST */
    const char *expect;       /* words for the message: what a good value looks like */
    const char *alt_scalar;   /* CCS_F_MAP: a scalar here sets this key of the map instead */
} ccs_field;

struct ccs_schema {
    const char *what; /* "region", "job": for messages */
    size_t size;      /* sizeof the struct */
    const ccs_field *fields;
    size_t nfields;
    size_t pos_offset;           /* where to record the item's line and column (a ccs_src_pos) */
    void (*defaults)(void *obj); /* sets optional fields' defaults before the walk; may be NULL */
};

/* Shorthands of schema rows: no range on a number, a lower bound only, no position field. */
#define CCS_NO_RANGE    1, 0
#define CCS_AT_LEAST(x) (x), INFINITY
#define CCS_NOPOS       ((size_t)-1)

typedef struct ccs_src_pos {
    const char *file;
    long line, col;
} ccs_src_pos;

/* Fills obj from map node `node` per schema. base_dir resolves CCS_F_PATH values. */
int ccs_schema_apply(const ccs_schema *schema, const ccs_ynode *node, void *obj, const char *keypath,
                     const char *base_dir, ccs_err *err);

/* dst takes src's value of every scalar field of schema whose key the map node does not give
 * (node NULL: every one): a map that inherits from another (a job's policy from the scenario's).
 * Strings are copied. Lists and maps are left as they are. Returns 0, or -1 if memory ran out. */
int ccs_schema_inherit(const ccs_schema *schema, void *dst, const void *src, const ccs_ynode *node);

/* Frees what the walker allocated inside obj (strings, lists), not obj itself. */
void ccs_schema_free(const ccs_schema *schema, void *obj);

/* The name rules. Names end up as HDF5 group names, folder names, SQLite rows, report cells and
 * plot titles, so they are checked where they are written, not where a later stage fails:
 * 1 to CCS_NAME_MAX bytes of valid UTF-8 (no overlong forms, surrogates or code points above
 * U+10FFFF); no control character (C0, DEL, C1, the line and paragraph separators U+2028/9, the
 * bidirectional overrides U+200E/F, U+202A-E, U+2066-9, or U+FEFF); no '/'; not "." or "..".
 * Printable ASCII otherwise is allowed, quotes and backticks included: every writer escapes. */
enum { CCS_NAME_MAX = 64 };

/* NULL for a good name, else what is wrong with it ("contains '/'"), for a message. */
const char *ccs_name_problem(const char *s);

/* Writes s for a message, safely: at most `max` bytes of it, every byte outside printable ASCII
 * as \xNN, "..." after it when cut. */
void ccs_name_show(const char *s, size_t max, char *buf, size_t size);

/* The closest of `n` words to `word` by edit distance, or NULL if none is close. */
const char *ccs_did_you_mean(const char *word, const char *const *words, size_t n);

#endif
