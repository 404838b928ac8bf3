/* YAML tree with positions; see ccs_yaml.h. */
#include "ccs_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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
    free(n->scalar);
    free(n);
}

void ccs_yaml_remove(ccs_ynode *map, const char *key)
{
    for (size_t i = 0; map && map->type == CCS_Y_MAP && i < map->n; i++) {
        if (strcmp(map->keys[i], key) != 0) continue;
        ccs_yaml_free(map->items[i]);
        free(map->keys[i]);
        for (size_t j = i + 1; j < map->n; j++) {
            map->items[j - 1] = map->items[j];
            map->keys[j - 1] = map->keys[j];
            map->key_line[j - 1] = map->key_line[j];
            map->key_col[j - 1] = map->key_col[j];
        }
        map->n--;
        return;
    }
}

static int node_append(ccs_ynode *parent, char *key, long kline, long kcol, ccs_ynode *child)
{
    size_t k = parent->n + 1;
    ccs_ynode **items = realloc(parent->items, k * sizeof *items);
    if (!items) return -1;
    parent->items = items;
    if (parent->type == CCS_Y_MAP) {
        char **keys = realloc(parent->keys, k * sizeof *keys);
        if (keys) parent->keys = keys;
        long *kl = realloc(parent->key_line, k * sizeof *kl);
        if (kl) parent->key_line = kl;
        long *kc = realloc(parent->key_col, k * sizeof *kc);
        if (kc) parent->key_col = kc;
        if (!keys || !kl || !kc) return -1;
        parent->keys[parent->n] = key;
        parent->key_line[parent->n] = kline;
        parent->key_col[parent->n] = kcol;
    }
    parent->items[parent->n++] = child;
    return 0;
}

typedef struct parse_ctx {
    yaml_parser_t parser;
    const char *file;
    ccs_err *err;
} parse_ctx;

static int next_event(parse_ctx *c, yaml_event_t *ev)
{
    if (yaml_parser_parse(&c->parser, ev)) return 0;
    const yaml_mark_t *m = &c->parser.problem_mark;
    return ccs_err_at(c->err, CCS_EINPUT, c->file, (long)m->line + 1, (long)m->column + 1,
                      "YAML syntax error: %s%s%s", c->parser.problem ? c->parser.problem : "?",
                      c->parser.context ? " " : "", c->parser.context ? c->parser.context : "");
}

/* Builds the node that starts with event ev (already read). */
static int build(parse_ctx *c, yaml_event_t *ev, ccs_ynode **out)
{
    long line = (long)ev->start_mark.line + 1, col = (long)ev->start_mark.column + 1;
    *out = NULL;
    if (ev->type == YAML_ALIAS_EVENT)
        return ccs_err_at(c->err, CCS_EINPUT, c->file, line, col,
                          "YAML aliases (*name) are not supported in scenarios: write the value out");
    if (ev->type == YAML_SCALAR_EVENT) {
        ccs_ynode *n = node_new(CCS_Y_SCALAR, c->file, line, col);
        if (!n) return ccs_err_set(c->err, CCS_ERUN, "out of memory");
        n->scalar = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        *out = n;
        return 0;
    }
    if (ev->type != YAML_MAPPING_START_EVENT && ev->type != YAML_SEQUENCE_START_EVENT)
        return ccs_err_at(c->err, CCS_EINPUT, c->file, line, col, "unexpected YAML event");
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    ccs_ynode *n = node_new(is_map ? CCS_Y_MAP : CCS_Y_SEQ, c->file, line, col);
    if (!n) return ccs_err_set(c->err, CCS_ERUN, "out of memory");
    for (;;) {
        yaml_event_t e;
        int rc = next_event(c, &e);
        if (rc) {
            ccs_yaml_free(n);
            return rc;
        }
        if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            break;
        }
        char *key = NULL;
        long kline = (long)e.start_mark.line + 1, kcol = (long)e.start_mark.column + 1;
        if (is_map) {
            if (e.type != YAML_SCALAR_EVENT) {
                yaml_event_delete(&e);
                ccs_yaml_free(n);
                return ccs_err_at(c->err, CCS_EINPUT, c->file, kline, kcol,
                                  "a mapping key must be a plain word");
            }
            key = strndup((const char *)e.data.scalar.value, e.data.scalar.length);
            yaml_event_delete(&e);
            for (size_t i = 0; i < n->n; i++)
                if (strcmp(n->keys[i], key) == 0) {
                    rc = ccs_err_at(c->err, CCS_EINPUT, c->file, kline, kcol,
                                    "duplicate key '%s' (first at line %ld): each key may appear once",
                                    key, n->key_line[i]);
                    free(key);
                    ccs_yaml_free(n);
                    return rc;
                }
            rc = next_event(c, &e);
            if (rc) {
                free(key);
                ccs_yaml_free(n);
                return rc;
            }
        }
        ccs_ynode *child;
        rc = build(c, &e, &child);
        yaml_event_delete(&e);
        if (rc || node_append(n, key, kline, kcol, child) != 0) {
            free(key);
            ccs_yaml_free(child);
            ccs_yaml_free(n);
            return rc ? rc : ccs_err_set(c->err, CCS_ERUN, "out of memory");
        }
    }
    *out = n;
    return 0;
}

int ccs_yaml_parse(const char *text, size_t len, const char *file, ccs_ynode **out, ccs_err *err)
{
    parse_ctx c = {.file = file, .err = err};
    *out = NULL;
    yaml_parser_initialize(&c.parser);
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
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT) {
            if (root) {
                rc = ccs_err_at(err, CCS_EINPUT, file, (long)e.start_mark.line + 1, 0,
                                "a second YAML document: a scenario file holds one");
                yaml_event_delete(&e);
                break;
            }
            rc = build(&c, &e, &root);
        }
        yaml_event_delete(&e);
        if (rc) break;
    }
    yaml_parser_delete(&c.parser);
    if (rc) {
        ccs_yaml_free(root);
        return rc;
    }
    if (!root && !(root = node_new(CCS_Y_MAP, file, 1, 1)))
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    *out = root;
    return 0;
}

int ccs_yaml_load_file(const char *path, ccs_ynode **out, ccs_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 > cap) {
            cap = cap ? 2 * cap : 65536;
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
    int read_err = ferror(f);
    fclose(f);
    if (read_err) {
        free(buf);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "read error");
    }
    int rc = ccs_yaml_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

ccs_ynode *ccs_yaml_get(const ccs_ynode *map, const char *key)
{
    if (!map || map->type != CCS_Y_MAP) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0) return map->items[i];
    return NULL;
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

static void relabel(ccs_ynode *n, const char *label)
{
    n->file = label;
    n->line = n->col = 0;
    for (size_t i = 0; i < n->n; i++) {
        relabel(n->items[i], label);
        if (n->key_line) n->key_line[i] = n->key_col[i] = 0;
    }
}

int ccs_yaml_set(ccs_ynode *root, const char *assignment, const char *label, ccs_err *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return ccs_err_set(err, CCS_EINPUT,
                           "--set '%s': expected PATH=VALUE, e.g. services.search.replicas=4",
                           assignment);
    ccs_ynode *value;
    const char *text = eq + 1;
    int rc = ccs_yaml_parse(text, strlen(text), label, &value, err);
    if (rc) return rc;
    relabel(value, label);
    if (value->type == CCS_Y_MAP && value->n == 0 && *text == '\0') {
        /* "key=" sets an empty string */
        ccs_yaml_free(value);
        value = node_new(CCS_Y_SCALAR, label, 0, 0);
        if (!value) return ccs_err_set(err, CCS_ERUN, "out of memory");
        value->scalar = strdup("");
    }
    char *path = strndup(assignment, (size_t)(eq - assignment));
    ccs_ynode *cur = root;
    char walked[512] = "";
    char *save = NULL;
    rc = 0;
    for (char *seg = strtok_r(path, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
        int last = save == NULL || *save == '\0';
        if (cur->type == CCS_Y_SEQ) {
            ccs_ynode *hit = NULL;
            for (size_t i = 0; i < cur->n && !hit; i++) {
                const ccs_ynode *nm = ccs_yaml_get(cur->items[i], "name");
                if (nm && nm->type == CCS_Y_SCALAR && strcmp(nm->scalar, seg) == 0) hit = cur->items[i];
            }
            char *end;
            long idx = strtol(seg, &end, 10);
            if (!hit && *end == '\0' && idx >= 0 && (size_t)idx < cur->n) hit = cur->items[idx];
            if (!hit) {
                char names[512];
                list_names(cur, names, sizeof names);
                rc = ccs_err_set(err, CCS_EINPUT, "--set '%s': no item named '%s' in '%s' (items: %s)",
                                 assignment, seg, walked, names[0] ? names : "none");
                break;
            }
            if (last) {
                rc = ccs_err_set(err, CCS_EINPUT,
                                 "--set '%s': '%s.%s' is a whole item; set one of its keys", assignment,
                                 walked, seg);
                break;
            }
            cur = hit;
        } else if (cur->type == CCS_Y_MAP) {
            size_t i;
            for (i = 0; i < cur->n; i++)
                if (strcmp(cur->keys[i], seg) == 0) break;
            if (i == cur->n) {
                ccs_ynode *fresh = last ? value : node_new(CCS_Y_MAP, label, 0, 0);
                if (!fresh || node_append(cur, strdup(seg), 1, 1, fresh) != 0) {
                    rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                    break;
                }
                cur->key_line[cur->n - 1] = 0;
                cur->key_col[cur->n - 1] = 0;
                if (last) value = NULL;
            } else if (last) {
                ccs_yaml_free(cur->items[i]);
                cur->items[i] = value;
                value = NULL;
            }
            cur = cur->items[i]; /* i is the new pair when the key was created */
        } else {
            rc = ccs_err_set(err, CCS_EINPUT, "--set '%s': '%s' is a single value and has no key '%s'",
                             assignment, walked, seg);
            break;
        }
        if (walked[0]) strncat(walked, ".", sizeof walked - strlen(walked) - 1);
        strncat(walked, seg, sizeof walked - strlen(walked) - 1);
    }
    free(path);
    ccs_yaml_free(value);
    return rc;
}
