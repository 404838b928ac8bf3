/* A YAML document as a tree with source positions, for error messages that name file, line and
 * column, and for --set overrides that edit the tree before it is validated. Built with libyaml.
 * Anchors and aliases are refused (scenario files do not need them, and an alias would make one
 * override change several places). */
#ifndef CCS_YAML_H
#define CCS_YAML_H

#include "ccs_err.h"

#include <stddef.h>

typedef enum { CCS_Y_SCALAR, CCS_Y_MAP, CCS_Y_SEQ } ccs_ytype;

/* The deepest nesting of lists and mappings a document (or a --set, its path's keys counted) may
 * have: the root mapping is level 1. Scenarios need about 6; the bound keeps the recursive
 * walks over the tree (building, freeing, the schema) far from the stack's end whatever the
 * input, e.g. 60,000 '[' in a row. */
#define CCS_YAML_MAX_DEPTH 64

typedef struct ccs_ynode ccs_ynode;
struct ccs_ynode {
    ccs_ytype type;
    const char *file; /* the scenario path, or the --set argument it came from */
    long line, col;   /* 1-based */
    char *scalar;     /* CCS_Y_SCALAR: the text */
    int quoted;       /* CCS_Y_SCALAR: written in quotes */
    size_t n;         /* MAP: pairs, SEQ: items */
    char **keys;      /* MAP: keys */
    long *key_line, *key_col;
    ccs_ynode **items; /* MAP: values, SEQ: items */
    /* ccs_yaml.c's own: slots allocated in items (and keys, key_line, key_col); MAP: a hash
     * index of keys */
    size_t cap;
    struct ccs_yindex *index;
};

/* Parses `len` bytes of YAML; an empty document gives an empty map. Refuses nesting deeper than
 * CCS_YAML_MAX_DEPTH and a key given twice in one mapping (each in time linear in the input). */
int ccs_yaml_parse(const char *text, size_t len, const char *file, ccs_ynode **out, ccs_err *err);
int ccs_yaml_load_file(const char *path, ccs_ynode **out, ccs_err *err);
void ccs_yaml_free(ccs_ynode *n);

/* The value of `key` in a map, or NULL. */
ccs_ynode *ccs_yaml_get(const ccs_ynode *map, const char *key);

/* Drops `key` and its value from a map, if there. */
void ccs_yaml_remove(ccs_ynode *map, const char *key);

/* Applies "a.b.c=VALUE": map keys by name, sequence items by their `name` key (or a 0-based
 * index). VALUE is parsed as YAML. A missing last key (or a missing map on the way) is created,
 * so the schema then judges it. `label` names the override in messages (e.g. "--set 'a.b=v'")
 * and must outlive the tree; nodes from an override carry no line. The path's keys plus the
 * value's nesting may not exceed CCS_YAML_MAX_DEPTH levels. */
int ccs_yaml_set(ccs_ynode *root, const char *assignment, const char *label, ccs_err *err);

#endif
