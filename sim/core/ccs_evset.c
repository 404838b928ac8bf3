/* Cache-aligned 4-ary heap with a payload slot pool; see ccs_evset.h.
 * The sequence-and-slot word holds the insertion sequence in its upper 36 bits and the payload
 * slot in its lower 28. When the sequence reaches its limit (every 6.9e10 pushes) the pending
 * entries are sorted and renumbered 0..n-1 in order; a sorted array is a valid heap, and the
 * relative order of every pending pair is unchanged, so ties still come out in push order. */
#include "ccs_evset.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define ARITY     ((size_t)4)
#define SLOT_BITS 28
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define SEQ_LIMIT (UINT64_C(1) << (64 - SLOT_BITS))
/* Entry i lives at base[i + OFFSET]: then the children 4i+1..4i+4 of node i start at byte
 * 64 (i + 1), one cache line for all four. */
#define OFFSET                  3
#define PREFETCH_PAYLOADS_ABOVE 32768 /* pending events: 512 KiB of entries, past L1 and L2 */

typedef struct entry {
    int64_t time_us;
    uint64_t seq_slot;
} entry;

typedef struct payload {
    uint64_t arg;
    unsigned kind;
} payload;

struct ccs_evset {
    entry *base, *heap; /* heap = base + OFFSET */
    size_t size;        /* entries in heap[], including a root pending removal */
    size_t capacity;
    payload *payloads; /* by slot */
    uint32_t *free_slots;
    size_t nfree, nslots, slot_capacity;
    uint64_t next_seq, seq_limit;
    bool root_popped; /* heap[0] was returned by pop but is still physically there */
    /* The lane: one event held beside the heap (ccs_evset_push_lane), numbered from the same
     * sequence and compared with the root at every pop, so the order is the heap's own. */
    entry lane;
    bool lane_full;
};

typedef unsigned __int128 key128;

static inline key128 key_of(const entry *e)
{
    /* Flip the sign bit so that signed times order as unsigned. */
    return ((key128)((uint64_t)e->time_us ^ (UINT64_C(1) << 63)) << 64) | e->seq_slot;
}

static entry *alloc_heap(size_t capacity, entry **heap)
{
    size_t bytes = (capacity + OFFSET) * sizeof(entry);
    bytes = (bytes + 63) / 64 * 64;
    entry *base = aligned_alloc(64, bytes);
    if (base) *heap = base + OFFSET;
    return base;
}

ccs_evset *ccs_evset_create(size_t capacity_hint)
{
    ccs_evset *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->capacity = capacity_hint < 64 ? 64 : capacity_hint;
    s->slot_capacity = s->capacity;
    s->seq_limit = SEQ_LIMIT;
    s->base = alloc_heap(s->capacity, &s->heap);
    s->payloads = malloc(s->slot_capacity * sizeof *s->payloads);
    s->free_slots = malloc(s->slot_capacity * sizeof *s->free_slots);
    if (!s->base || !s->payloads || !s->free_slots) {
        ccs_evset_destroy(s);
        return NULL;
    }
    return s;
}

void ccs_evset_destroy(ccs_evset *s)
{
    if (!s) return;
    free(s->base);
    free(s->payloads);
    free(s->free_slots);
    free(s);
}

void ccs_evset_set_seq_limit(ccs_evset *s, uint64_t limit)
{
    assert(limit > 0 && limit <= SEQ_LIMIT);
    s->seq_limit = limit;
}

/* Places e into the hole at index i and moves it down to its place. */
static void sift_down(entry *h, size_t n, size_t i, entry e)
{
    key128 ke = key_of(&e);
    for (;;) {
        size_t first = ARITY * i + 1;
        if (first >= n) break;
        size_t grand = ARITY * first + 1;
        if (grand < n) {
            /* The next level's lines, whichever child wins: misses overlap instead of queueing. */
            __builtin_prefetch(&h[grand]);
            __builtin_prefetch(&h[grand + ARITY]);
            __builtin_prefetch(&h[grand + 2 * ARITY]);
            __builtin_prefetch(&h[grand + 3 * ARITY]);
        }
        size_t last = first + ARITY < n ? first + ARITY : n;
        size_t best = first;
        key128 kb = key_of(&h[first]);
        for (size_t c = first + 1; c < last; c++) {
            key128 kc = key_of(&h[c]);
            bool less = kc < kb; /* selects, not branches */
            best = less ? c : best;
            kb = less ? kc : kb;
        }
        if (!(kb < ke)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static void sift_up(entry *h, size_t i, entry e)
{
    key128 ke = key_of(&e);
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!(ke < key_of(&h[parent]))) break;
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

static int cmp_entry(const void *a, const void *b)
{
    key128 x = key_of(a), y = key_of(b);
    return (x > y) - (x < y);
}

static void renumber(ccs_evset *s)
{
    settle_root(s);
    qsort(s->heap, s->size, sizeof *s->heap, cmp_entry);
    /* the lane's number: how many heap entries come before it, its rank among them all */
    size_t lane_rank = 0;
    if (s->lane_full) {
        key128 kl = key_of(&s->lane);
        while (lane_rank < s->size && key_of(&s->heap[lane_rank]) < kl) lane_rank++;
    }
    for (size_t i = 0; i < s->size; i++) {
        uint64_t rank = i + (s->lane_full && i >= lane_rank);
        s->heap[i].seq_slot = (rank << SLOT_BITS) | (s->heap[i].seq_slot & SLOT_MASK);
    }
    if (s->lane_full) s->lane.seq_slot = ((uint64_t)lane_rank << SLOT_BITS) | (s->lane.seq_slot & SLOT_MASK);
    s->next_seq = s->size + s->lane_full;
}

static int take_slot(ccs_evset *s, uint32_t *slot)
{
    if (s->nfree > 0) {
        *slot = s->free_slots[--s->nfree];
        return 0;
    }
    if (s->nslots == s->slot_capacity) {
        size_t cap = 2 * s->slot_capacity;
        if (cap > CCS_EVSET_MAX_PENDING) cap = CCS_EVSET_MAX_PENDING;
        if (cap == s->slot_capacity) return -1;
        payload *p = realloc(s->payloads, cap * sizeof *p);
        if (!p) return -1;
        s->payloads = p;
        uint32_t *f = realloc(s->free_slots, cap * sizeof *f);
        if (!f) return -1;
        s->free_slots = f;
        s->slot_capacity = cap;
    }
    *slot = (uint32_t)s->nslots++;
    return 0;
}

/* A numbered entry for the event, its payload in a slot. */
static int make_entry(ccs_evset *s, int64_t time_us, unsigned kind, uint64_t arg, entry *e)
{
    if (s->next_seq >= s->seq_limit) renumber(s);
    uint32_t slot;
    if (take_slot(s, &slot) != 0) return -1;
    s->payloads[slot].arg = arg;
    s->payloads[slot].kind = kind;
    *e = (entry){time_us, (s->next_seq++ << SLOT_BITS) | slot};
    return 0;
}

int ccs_evset_push_lane(ccs_evset *s, int64_t time_us, unsigned kind, uint64_t arg)
{
    if (s->lane_full) return ccs_evset_push(s, time_us, kind, arg);
    if (make_entry(s, time_us, kind, arg, &s->lane) != 0) return -1;
    s->lane_full = true;
    return 0;
}

int ccs_evset_push(ccs_evset *s, int64_t time_us, unsigned kind, uint64_t arg)
{
    entry e;
    if (make_entry(s, time_us, kind, arg, &e) != 0) return -1;
    uint32_t slot = (uint32_t)(e.seq_slot & SLOT_MASK);
    if (s->root_popped) {
        s->root_popped = false;
        sift_down(s->heap, s->size, 0, e);
        return 0;
    }
    if (s->size == s->capacity) {
        entry *heap, *base = alloc_heap(2 * s->capacity, &heap);
        if (!base) {
            s->free_slots[s->nfree++] = slot;
            return -1;
        }
        memcpy(heap, s->heap, s->size * sizeof *heap);
        free(s->base);
        s->base = base;
        s->heap = heap;
        s->capacity *= 2;
    }
    sift_up(s->heap, s->size++, e);
    return 0;
}

/* Whether the lane's event comes before the heap's root (the heap settled). */
static inline bool lane_first(const ccs_evset *s)
{
    return s->lane_full && (s->size == 0 || key_of(&s->lane) < key_of(&s->heap[0]));
}

static void pop_lane(ccs_evset *s, ccs_event *out)
{
    uint32_t slot = (uint32_t)(s->lane.seq_slot & SLOT_MASK);
    *out = (ccs_event){s->lane.time_us, s->payloads[slot].kind, s->payloads[slot].arg};
    s->free_slots[s->nfree++] = slot;
    s->lane_full = false;
}

bool ccs_evset_pop(ccs_evset *s, ccs_event *out)
{
    settle_root(s);
    if (lane_first(s)) {
        pop_lane(s, out);
        return true;
    }
    if (s->size == 0) return false;
    const entry *top = &s->heap[0];
    uint32_t slot = (uint32_t)(top->seq_slot & SLOT_MASK);
    out->time_us = top->time_us;
    out->kind = s->payloads[slot].kind;
    out->arg = s->payloads[slot].arg;
    s->free_slots[s->nfree++] = slot; /* the entry stays until settled, but is never read */
    /* The next root is one of the root's children (or the event the caller pushes next):
     * fetch their payloads now, so the next pop does not wait for memory. Only for sets too
     * large for the caches; for small ones the prefetches cost more than they save (measured:
     * 26 -> 24 M holds/s at 1e3 pending, 4.3 -> 5.7 M at 1e6). */
    if (s->size > PREFETCH_PAYLOADS_ABOVE)
        for (size_t c = 1; c <= ARITY && c < s->size; c++)
            __builtin_prefetch(&s->payloads[s->heap[c].seq_slot & SLOT_MASK]);
    s->root_popped = true;
    return true;
}

bool ccs_evset_peek(ccs_evset *s, ccs_event *out)
{
    settle_root(s);
    if (s->size == 0 && !s->lane_full) return false;
    const entry *top = lane_first(s) ? &s->lane : &s->heap[0];
    uint32_t slot = (uint32_t)(top->seq_slot & SLOT_MASK);
    *out = (ccs_event){top->time_us, s->payloads[slot].kind, s->payloads[slot].arg};
    return true;
}

bool ccs_evset_pop_before(ccs_evset *s, int64_t until_us, ccs_event *out)
{
    settle_root(s);
    if (lane_first(s)) {
        if (s->lane.time_us >= until_us) return false;
        pop_lane(s, out);
        return true;
    }
    if (s->size == 0 || s->heap[0].time_us >= until_us) return false;
    return ccs_evset_pop(s, out);
}

static int64_t heap_peek_time(const ccs_evset *s)
{
    size_t live = s->size - (s->root_popped ? 1 : 0);
    if (live == 0) return INT64_MAX;
    if (!s->root_popped) return s->heap[0].time_us;
    /* The root is gone: the earliest is among the last element and the root's children. */
    const entry *best = &s->heap[s->size - 1];
    for (size_t c = 1; c <= ARITY && c < s->size - 1; c++)
        if (key_of(&s->heap[c]) < key_of(best)) best = &s->heap[c];
    return best->time_us;
}

int64_t ccs_evset_peek_time(const ccs_evset *s)
{
    int64_t t = heap_peek_time(s);
    return s->lane_full && s->lane.time_us < t ? s->lane.time_us : t;
}

size_t ccs_evset_size(const ccs_evset *s) { return s->size - (s->root_popped ? 1 : 0) + s->lane_full; }
