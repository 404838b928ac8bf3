/* YAML tree with positions; see ccs_yaml.h. Input from anyone must not crash or stall it:
 * nesting is bounded (CCS_YAML_MAX_DEPTH) before the recursive builder can reach the stack's end,
 * and a mapping's keys are checked for duplicates through a hash index, so that a mapping of
 * n keys costs O(n), not O(n^2). */
#include "ccs_yaml.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <yaml.h>

/* ---- the keys of a mapping: an open-addressing hash set of indexes into keys ----
 * Kept with each mapping, so that a duplicate check while parsing and every later lookup
 * (ccs_yaml_get, --set) cost O(1) on average. Linear probing, at most half full. The hash is
 * FNV-1a from a per-process random start, so that a file cannot be prepared in advance to put
 * every key in one probe chain; the seed only decides where keys sit in this table, never what
 * any function returns. */
struct ccs_yindex {
    size_t mask;   /* slots - 1, slots a power of two */
    size_t slot[]; /* index + 1 into the mapping's keys; 0: empty */
};

static uint64_t key_hash(const char *s)
{
    static uint64_t seed;
    if (!seed) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) r = (uint64_t)(uintptr_t)&seed;
        seed = r | 1;
    }
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ seed;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h ^ (h >> 29);
}

/* The slot holding `key`, or the empty slot where it would go. */
static size_t *index_slot(const ccs_ynode *map, const char *key)
{
    struct ccs_yindex *ix = map->index;
    size_t s = (size_t)key_hash(key) & ix->mask;
    while (ix->slot[s] && strcmp(map->keys[ix->slot[s] - 1], key) != 0) s = (s + 1) & ix->mask;
    return &ix->slot[s];
}

/* Indexes keys[0 .. n) afresh in a table of at least 4n slots (16 at least). */
static int index_rebuild(ccs_ynode *map)
{
    size_t slots = 16;
    while (slots < 4 * map->n) slots *= 2;
    struct ccs_yindex *ix = calloc(1, sizeof *ix + slots * sizeof ix->slot[0]);
    if (!ix) return -1;
    ix->mask = slots - 1;
    free(map->index);
    map->index = ix;
    for (size_t i = 0; i < map->n; i++) *index_slot(map, map->keys[i]) = i + 1;
    return 0;
}

/* The position of `key` among the mapping's keys, or map->n if it has none such. */
static size_t map_find(const ccs_ynode *map, const char *key)
{
    if (map->index) {
        size_t i = *index_slot(map, key);
        return i ? i - 1 : map->n;
    }
    size_t i = 0; /* no index: empty, or it could not be allocated after a removal */
    while (i < map->n && strcmp(map->keys[i], key) != 0) i++;
    return i;
}

static ccs_ynode *node_new(ccs_ytype type, const char *file, long line, long col)
{
    ccs_ynode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->type = type;
    n->file = file;
    n->line = line;
    n->col = col;
    return n;
}

/* Recursive, but a tree is never deeper than CCS_YAML_MAX_DEPTH (the parser and ccs_yaml_set
 * refuse deeper ones). */
void ccs_yaml_free(ccs_ynode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        ccs_yaml_free(n->items[i]);
        if (n->keys) free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->key_line);
    free(n->key_col);
    free(n->index);
    free(n->scalar);
    free(n);
}

void ccs_yaml_remove(ccs_ynode *map, const char *key)
{
    if (!map || map->type != CCS_Y_MAP) return;
    size_t i = map_find(map, key);
    if (i == map->n) return;
    ccs_yaml_free(map->items[i]);
    free(map->keys[i]);
    for (size_t j = i + 1; j < map->n; j++) {
        map->items[j - 1] = map->items[j];
        map->keys[j - 1] = map->keys[j];
        map->key_line[j - 1] = map->key_line[j];
        map->key_col[j - 1] = map->key_col[j];
    }
    map->n--;
    /* positions moved: index again (without memory for it, lookups fall back to a scan) */
    if (index_rebuild(map) != 0) {
        free(map->index);
        map->index = NULL;
    }
}

/* Room for one more pair or item, doubling: n appends cost O(n) copies in all. */
static int node_reserve(ccs_ynode *parent)
{
    if (parent->n < parent->cap) return 0;
    size_t cap = parent->cap ? 2 * parent->cap : 4;
    if (cap > SIZE_MAX / sizeof(void *) / 2) return -1;
    ccs_ynode **items = realloc(parent->items, cap * sizeof *items);
    if (!items) return -1;
    parent->items = items;
    if (parent->type == CCS_Y_MAP) {
        char **keys = realloc(parent->keys, cap * sizeof *keys);
        if (keys) parent->keys = keys;
        long *kl = realloc(parent->key_line, cap * sizeof *kl);
        if (kl) parent->key_line = kl;
        long *kc = realloc(parent->key_col, cap * sizeof *kc);
        if (kc) parent->key_col = kc;
        if (!keys || !kl || !kc) return -1;
    }
    parent->cap = cap;
    return 0;
}

/* Appends a pair (MAP: takes key, which must be new to it) or an item (SEQ). On failure
 * nothing is taken. */
static int node_append(ccs_ynode *parent, char *key, long kline, long kcol, ccs_ynode *child)
{
    if (node_reserve(parent) != 0) return -1;
    if (parent->type == CCS_Y_MAP) {
        parent->keys[parent->n] = key;
        parent->key_line[parent->n] = kline;
        parent->key_col[parent->n] = kcol;
    }
    parent->items[parent->n++] = child;
    if (parent->type != CCS_Y_MAP) return 0;
    /* the table doubles when it would be more than half full: O(1) per key amortised */
    if (!parent->index || 2 * parent->n > parent->index->mask + 1) {
        if (index_rebuild(parent) != 0) {
            parent->n--;
            return -1;
        }
    } else {
        *index_slot(parent, key) = parent->n;
    }
    return 0;
}

typedef struct parse_ctx {
    yaml_parser_t parser;
    const char *text; /* the input, to place reader errors, which libyaml gives as a byte offset */
    size_t len;
    const char *file;
    int base; /* levels above the document: the keys of a --set path */
    ccs_err *err;
} parse_ctx;

/* Line and column (1-based, in characters as libyaml counts them) of byte `offset`. */
static void place_offset(const char *text, size_t len, size_t offset, long *line, long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n' || (ch == '\r' && (i + 1 >= len || text[i + 1] != '\n'))) {
            (*line)++;
            *col = 1;
        } else if ((ch & 0xC0) != 0x80 && ch != '\r') {
            (*col)++; /* a character starts here (UTF-8 continuation bytes do not count) */
        }
    }
}

static int syntax_error(parse_ctx *c)
{
    const yaml_parser_t *p = &c->parser;
    long line = (long)p->problem_mark.line + 1, col = (long)p->problem_mark.column + 1;
    char where[96] = "", value[16] = "";
    if (p->error == YAML_READER_ERROR) {
        /* bad bytes (control characters, broken UTF-8): placed by offset, named by value */
        place_offset(c->text, c->len, p->problem_offset, &line, &col);
        if (p->problem_value >= 0) snprintf(value, sizeof value, " (0x%02X)", (unsigned)p->problem_value);
    } else if (p->context && p->error == YAML_SCANNER_ERROR && p->problem_mark.index >= c->len) {
        /* something left open at the end of the file (a quote): the place is where it opened */
        snprintf(where, sizeof where, " (the file ends at line %ld)", line);
        line = (long)p->context_mark.line + 1;
        col = (long)p->context_mark.column + 1;
    } else if (p->context) {
        snprintf(where, sizeof where, " (started at line %ld, column %ld)", (long)p->context_mark.line + 1,
                 (long)p->context_mark.column + 1);
    }
    return ccs_err_at(c->err, CCS_EINPUT, c->file, line, col, "YAML syntax error: %s%s%s%s%s",
                      p->problem ? p->problem : "?", value, p->context ? " " : "", p->context ? p->context : "", where);
}

static int next_event(parse_ctx *c, yaml_event_t *ev)
{
    if (yaml_parser_parse(&c->parser, ev)) return 0;
    return syntax_error(c);
}

static int out_of_memory(parse_ctx *c) { return ccs_err_set(c->err, CCS_ERUN, "out of memory"); }

static int too_deep(parse_ctx *c, long line, long col)
{
    char note[96] = "";
    if (c->base > 0)
        snprintf(note, sizeof note, " (the %d key%s of the path included)", c->base, c->base == 1 ? "" : "s");
    return ccs_err_at(c->err, CCS_EINPUT, c->file, line, col,
                      "nesting deeper than %d levels%s: expected at most %d lists and mappings one "
                      "inside another (a scenario needs about 6); is a bracket left open?",
                      CCS_YAML_MAX_DEPTH, note, CCS_YAML_MAX_DEPTH);
}

/* Reads a mapping's key (event e, already read) and checks it against the keys so far. */
static int take_key(parse_ctx *c, yaml_event_t *e, const ccs_ynode *map, char **key)
{
    long line = (long)e->start_mark.line + 1, col = (long)e->start_mark.column + 1;
    *key = NULL;
    if (e->type != YAML_SCALAR_EVENT)
        return ccs_err_at(c->err, CCS_EINPUT, c->file, line, col, "a mapping key must be a plain word");
    char *k = strndup((const char *)e->data.scalar.value, e->data.scalar.length);
    if (!k) return out_of_memory(c);
    size_t i = map_find(map, k);
    if (i < map->n) {
        int rc = ccs_err_at(c->err, CCS_EINPUT, c->file, line, col,
                            "duplicate key '%s' (first at line %ld, column %ld): each key may appear once", k,
                            map->key_line[i], map->key_col[i]);
        free(k);
        return rc;
    }
    *key = k;
    return 0;
}

static int build(parse_ctx *c, yaml_event_t *ev, int level, ccs_ynode **out);

/* The items or pairs of the list or mapping n, up to its end event. */
static int build_children(parse_ctx *c, ccs_ynode *n, int level)
{
    int rc = 0;
    for (;;) {
        yaml_event_t e;
        if ((rc = next_event(c, &e))) break;
        if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            break;
        }
        char *key = NULL;
        long kline = (long)e.start_mark.line + 1, kcol = (long)e.start_mark.column + 1;
        if (n->type == CCS_Y_MAP) {
            rc = take_key(c, &e, n, &key);
            yaml_event_delete(&e);
            if (rc || (rc = next_event(c, &e))) {
                free(key);
                break;
            }
        }
        ccs_ynode *child;
        rc = build(c, &e, level + 1, &child);
        yaml_event_delete(&e);
        if (!rc && node_append(n, key, kline, kcol, child) != 0) {
            ccs_yaml_free(child);
            rc = out_of_memory(c);
        }
        if (rc) {
            free(key);
            break;
        }
    }
    return rc;
}

/* Builds the node that starts with event ev (already read); a list or mapping there is at
 * nesting `level` (the root's is 1). Recursion depth is bounded by CCS_YAML_MAX_DEPTH. */
static int build(parse_ctx *c, yaml_event_t *ev, int level, ccs_ynode **out)
{
    long line = (long)ev->start_mark.line + 1, col = (long)ev->start_mark.column + 1;
    *out = NULL;
    if (ev->type == YAML_ALIAS_EVENT)
        return ccs_err_at(c->err, CCS_EINPUT, c->file, line, col,
                          "YAML aliases (*name) are not supported in scenarios: write the value out");
    if (ev->type == YAML_SCALAR_EVENT) {
        ccs_ynode *n = node_new(CCS_Y_SCALAR, c->file, line, col);
        if (n) n->scalar = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (!n || !n->scalar) {
            ccs_yaml_free(n);
            return out_of_memory(c);
        }
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        *out = n;
        return 0;
    }
    if (ev->type != YAML_MAPPING_START_EVENT && ev->type != YAML_SEQUENCE_START_EVENT)
        return ccs_err_at(c->err, CCS_EINPUT, c->file, line, col, "unexpected YAML event");
    if (level > CCS_YAML_MAX_DEPTH) return too_deep(c, line, col);
    ccs_ynode *n = node_new(ev->type == YAML_MAPPING_START_EVENT ? CCS_Y_MAP : CCS_Y_SEQ, c->file, line, col);
    if (!n) return out_of_memory(c);
    int rc = build_children(c, n, level);
    if (rc) {
        ccs_yaml_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

/* ccs_yaml_parse for a document whose root sits `base` levels down (a --set value). */
static int parse_at(const char *text, size_t len, const char *file, int base, ccs_ynode **out, ccs_err *err)
{
    parse_ctx c = {.text = text, .len = len, .file = file, .base = base, .err = err};
    *out = NULL;
    if (!yaml_parser_initialize(&c.parser)) return ccs_err_set(err, CCS_ERUN, "out of memory");
    yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
    ccs_ynode *root = NULL;
    int rc = 0;
    for (;;) {
        yaml_event_t e;
        if ((rc = next_event(&c, &e))) break;
        yaml_event_type_t t = e.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&e);
            break;
        }
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_SCALAR_EVENT ||
            t == YAML_ALIAS_EVENT) {
            if (root) {
                rc = ccs_err_at(err, CCS_EINPUT, file, (long)e.start_mark.line + 1, (long)e.start_mark.column + 1,
                                "a second YAML document: a scenario file holds one");
                yaml_event_delete(&e);
                break;
            }
            rc = build(&c, &e, base + 1, &root);
        }
        yaml_event_delete(&e);
        if (rc) break;
    }
    yaml_parser_delete(&c.parser);
    if (rc) {
        ccs_yaml_free(root);
        return rc;
    }
    if (!root && !(root = node_new(CCS_Y_MAP, file, 1, 1))) return ccs_err_set(err, CCS_ERUN, "out of memory");
    *out = root;
    return 0;
}

int ccs_yaml_parse(const char *text, size_t len, const char *file, ccs_ynode **out, ccs_err *err)
{
    return parse_at(text, len, file, 0, out, err);
}

int ccs_yaml_load_file(const char *path, ccs_ynode **out, ccs_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    int have_st = fstat(fileno(f), &st) == 0;
    if (have_st && S_ISDIR(st.st_mode)) {
        fclose(f);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read: %s: expected a YAML file", strerror(EISDIR));
    }
    char *buf = NULL;
    /* sized from the file, one byte over so that the first read already sees its end; grown if
     * the file grows (or is a pipe) */
    size_t len = 0, cap = 0, hint = have_st && S_ISREG(st.st_mode) && st.st_size >= 0 ? (size_t)st.st_size + 1 : 65536;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : hint;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return ccs_err_set(err, CCS_ERUN, "out of memory");
            }
            buf = b;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (read_errno) {
        free(buf);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot read: %s", strerror(read_errno));
    }
    int rc = ccs_yaml_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

ccs_ynode *ccs_yaml_get(const ccs_ynode *map, const char *key)
{
    if (!map || map->type != CCS_Y_MAP) return NULL;
    size_t i = map_find(map, key);
    return i < map->n ? map->items[i] : NULL;
}

static void list_names(const ccs_ynode *seq, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < seq->n; i++) {
        const ccs_ynode *name = ccs_yaml_get(seq->items[i], "name");
        if (!name || name->type != CCS_Y_SCALAR) continue;
        if (buf[0]) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, name->scalar, size - strlen(buf) - 1);
    }
}

/* Recursive, bounded like ccs_yaml_free. */
static void relabel(ccs_ynode *n, const char *label)
{
    n->file = label;
    n->line = n->col = 0;
    for (size_t i = 0; i < n->n; i++) {
        relabel(n->items[i], label);
        if (n->key_line) n->key_line[i] = n->key_col[i] = 0;
    }
}

/* s itself, or its start and "..." when it is too long to quote whole in a message (a --set of
 * 100 KB would push the message itself out of ccs_err's buffer). */
static const char *brief(const char *s, char *buf, size_t size)
{
    size_t len = strlen(s);
    if (len < 120) return s;
    snprintf(buf, size, "%.80s... (%zu characters)", s, len);
    return buf;
}

/* The keys of a dotted path as strtok_r will split it (empty ones are skipped). */
static size_t count_keys(const char *path, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (path[i] != '.' && (i == 0 || path[i - 1] == '.')) n++;
    return n;
}

/* The value of "PATH=VALUE", parsed as YAML under the path's keys, or NULL with err filled. */
static int parse_value(const char *assignment, const char *eq, const char *label, ccs_ynode **out, ccs_err *err)
{
    char shown[160], shown_label[160];
    size_t keys = count_keys(assignment, (size_t)(eq - assignment));
    *out = NULL;
    if (keys > CCS_YAML_MAX_DEPTH)
        return ccs_err_set(err, CCS_EINPUT,
                           "--set '%s': a path of %zu keys: nesting deeper than %d levels, expected "
                           "a path of at most %d keys",
                           brief(assignment, shown, sizeof shown), keys, CCS_YAML_MAX_DEPTH, CCS_YAML_MAX_DEPTH);
    const char *text = eq + 1;
    ccs_ynode *value;
    int rc = parse_at(text, strlen(text), brief(label, shown_label, sizeof shown_label), (int)keys, &value, err);
    if (rc) return rc;
    relabel(value, label);
    if (value->type == CCS_Y_MAP && value->n == 0 && *text == '\0') {
        /* "key=" sets an empty string */
        ccs_yaml_free(value);
        value = node_new(CCS_Y_SCALAR, label, 0, 0);
        if (value) value->scalar = strdup("");
        if (!value || !value->scalar) {
            ccs_yaml_free(value);
            return ccs_err_set(err, CCS_ERUN, "out of memory");
        }
    }
    *out = value;
    return 0;
}

/* The item of a list that a path key names: by its `name`, else by a 0-based index. */
static ccs_ynode *seq_item(const ccs_ynode *seq, const char *seg)
{
    for (size_t i = 0; i < seq->n; i++) {
        const ccs_ynode *nm = ccs_yaml_get(seq->items[i], "name");
        if (nm && nm->type == CCS_Y_SCALAR && strcmp(nm->scalar, seg) == 0) return seq->items[i];
    }
    char *end;
    long idx = strtol(seg, &end, 10);
    if (*seg && *end == '\0' && idx >= 0 && (size_t)idx < seq->n) return seq->items[idx];
    return NULL;
}

/* Adds key `seg` to a map with value `fresh`; on failure frees fresh. */
static int add_key(ccs_ynode *map, const char *seg, ccs_ynode *fresh, ccs_err *err)
{
    char *key = strdup(seg);
    if (!fresh || !key || node_append(map, key, 0, 0, fresh) != 0) {
        free(key);
        ccs_yaml_free(fresh);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    return 0;
}

int ccs_yaml_set(ccs_ynode *root, const char *assignment, const char *label, ccs_err *err)
{
    char shown[160];
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return ccs_err_set(err, CCS_EINPUT, "--set '%s': expected PATH=VALUE, e.g. services.search.replicas=4",
                           brief(assignment, shown, sizeof shown));
    ccs_ynode *value;
    int rc = parse_value(assignment, eq, label, &value, err);
    if (rc) return rc;
    char *path = strndup(assignment, (size_t)(eq - assignment));
    if (!path) {
        ccs_yaml_free(value);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    const char *as = brief(assignment, shown, sizeof shown);
    ccs_ynode *cur = root;
    char walked[512] = "";
    char *save = NULL;
    for (char *seg = strtok_r(path, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
        int last = save == NULL || *save == '\0';
        if (cur->type == CCS_Y_SEQ) {
            ccs_ynode *hit = seq_item(cur, seg);
            if (!hit) {
                char names[512];
                list_names(cur, names, sizeof names);
                rc = ccs_err_set(err, CCS_EINPUT, "--set '%s': no item named '%s' in '%s' (items: %s)", as, seg, walked,
                                 names[0] ? names : "none");
                break;
            }
            if (last) {
                rc = ccs_err_set(err, CCS_EINPUT, "--set '%s': '%s.%s' is a whole item; set one of its keys", as,
                                 walked, seg);
                break;
            }
            cur = hit;
        } else if (cur->type == CCS_Y_MAP) {
            size_t i = map_find(cur, seg);
            if (i == cur->n) {
                rc = add_key(cur, seg, last ? value : node_new(CCS_Y_MAP, label, 0, 0), err);
                if (last) value = NULL; /* taken, or freed by add_key */
                if (rc) break;
            } else if (last) {
                /* i < cur->n: an existing pair */
                ccs_yaml_free(cur->items[i]); /* NOLINT(clang-analyzer-core.NullDereference) */
                cur->items[i] = value;
                value = NULL;
            }
            cur = cur->items[i]; /* i is the new pair when the key was created */
        } else {
            rc =
                ccs_err_set(err, CCS_EINPUT, "--set '%s': '%s' is a single value and has no key '%s'", as, walked, seg);
            break;
        }
        if (walked[0]) strncat(walked, ".", sizeof walked - strlen(walked) - 1);
        strncat(walked, seg, sizeof walked - strlen(walked) - 1);
    }
    free(path);
    ccs_yaml_free(value);
    return rc;
}
