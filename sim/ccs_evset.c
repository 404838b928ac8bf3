/* 4-ary heap with hole-based sifting and lazy root removal; see ccs_evset.h.
 * Why 4-ary: half the depth of a binary heap, and the four children of a node share one or two
 * cache lines, so a sift-down touches fewer lines. Why lazy: in a simulation almost every pop
 * is followed by a push; replacing the root then needs one sift-down instead of a sift-down
 * (pop) plus a sift-up (push). */
#include "ccs_evset.h"

#include <assert.h>
#include <stdlib.h>

#define ARITY 4

struct ccs_evset {
    ccs_event *heap;
    size_t size;      /* entries in heap[], including a root pending removal */
    size_t capacity;
    uint64_t next_seq;
    bool root_popped; /* heap[0] was returned by pop but is still physically there */
};

static inline bool before(const ccs_event *a, const ccs_event *b)
{
    return a->time_us < b->time_us || (a->time_us == b->time_us && a->seq_kind < b->seq_kind);
}

ccs_evset *ccs_evset_create(size_t capacity_hint)
{
    ccs_evset *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->capacity = capacity_hint < 16 ? 16 : capacity_hint;
    s->heap = malloc(s->capacity * sizeof *s->heap);
    if (!s->heap) {
        free(s);
        return NULL;
    }
    return s;
}

void ccs_evset_destroy(ccs_evset *s)
{
    if (!s) return;
    free(s->heap);
    free(s);
}

/* Places e into the hole at index i and moves it down to its place. */
static void sift_down(ccs_event *h, size_t n, size_t i, ccs_event e)
{
    for (;;) {
        size_t first = ARITY * i + 1;
        if (first >= n) break;
        size_t best = first;
        size_t last = first + ARITY < n ? first + ARITY : n;
        for (size_t c = first + 1; c < last; c++)
            if (before(&h[c], &h[best])) best = c;
        if (!before(&h[best], &e)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static void sift_up(ccs_event *h, size_t i, ccs_event e)
{
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!before(&e, &h[parent])) break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

/* Physically removes a root that pop already returned. */
static void settle_root(ccs_evset *s)
{
    if (!s->root_popped) return;
    s->root_popped = false;
    s->size--;
    if (s->size > 0) sift_down(s->heap, s->size, 0, s->heap[s->size]);
}

int ccs_evset_push(ccs_evset *s, int64_t time_us, unsigned kind, uint64_t arg)
{
    assert(kind < CCS_EVENT_MAX_KINDS);
    assert(s->next_seq < (UINT64_C(1) << (64 - CCS_EVENT_KIND_BITS)));
    ccs_event e = {time_us, (s->next_seq++ << CCS_EVENT_KIND_BITS) | kind, arg};
    if (s->root_popped) {
        s->root_popped = false;
        sift_down(s->heap, s->size, 0, e);
        return 0;
    }
    if (s->size == s->capacity) {
        size_t cap = s->capacity * 2;
        ccs_event *h = realloc(s->heap, cap * sizeof *h);
        if (!h) return -1;
        s->heap = h;
        s->capacity = cap;
    }
    sift_up(s->heap, s->size++, e);
    return 0;
}

bool ccs_evset_pop(ccs_evset *s, ccs_event *out)
{
    settle_root(s);
    if (s->size == 0) return false;
    *out = s->heap[0];
    s->root_popped = true;
    return true;
}

int64_t ccs_evset_peek_time(const ccs_evset *s)
{
    size_t live = s->size - (s->root_popped ? 1 : 0);
    if (live == 0) return INT64_MAX;
    if (!s->root_popped) return s->heap[0].time_us;
    /* The root is gone: the earliest is among the last element and the root's children. */
    const ccs_event *best = &s->heap[s->size - 1];
    for (size_t c = 1; c <= ARITY && c < s->size - 1; c++)
        if (before(&s->heap[c], best)) best = &s->heap[c];
    return best->time_us;
}

size_t ccs_evset_size(const ccs_evset *s)
{
    return s->size - (s->root_popped ? 1 : 0);
}
