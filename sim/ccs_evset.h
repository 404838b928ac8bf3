/* The pending-event set: a 4-ary min-heap ordered by (time, insertion sequence).
 * Equal times come out in the order they were pushed, which makes runs deterministic.
 * The hot path never allocates: the array grows by doubling, so pushes are amortised O(1)
 * memory operations, and a pop followed by a push (the usual "handle one event, schedule the
 * next") costs a single sift-down because the popped root is removed lazily. */
#ifndef CCS_EVSET_H
#define CCS_EVSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Public so that it can be copied by value; 24 bytes. */
typedef struct ccs_event {
    int64_t time_us;   /* simulated time */
    uint64_t seq_kind; /* insertion sequence << 16 | kind: the sequence breaks ties */
    uint64_t arg;      /* the handler's argument (an index, a packed id) */
} ccs_event;

#define CCS_EVENT_KIND_BITS 16
#define CCS_EVENT_MAX_KINDS (1u << CCS_EVENT_KIND_BITS)

static inline unsigned ccs_event_kind(const ccs_event *e)
{
    return (unsigned)(e->seq_kind & (CCS_EVENT_MAX_KINDS - 1));
}

typedef struct ccs_evset ccs_evset;

ccs_evset *ccs_evset_create(size_t capacity_hint);
void ccs_evset_destroy(ccs_evset *s);

/* Adds an event; kind < CCS_EVENT_MAX_KINDS. Returns 0, or -1 if memory ran out. The sequence
 * counter has 48 bits: 2.8e14 pushes per set, asserted. */
int ccs_evset_push(ccs_evset *s, int64_t time_us, unsigned kind, uint64_t arg);

/* Removes the earliest event into *out. Returns false if the set is empty. */
bool ccs_evset_pop(ccs_evset *s, ccs_event *out);

/* Time of the earliest pending event; INT64_MAX when empty. */
int64_t ccs_evset_peek_time(const ccs_evset *s);

size_t ccs_evset_size(const ccs_evset *s);

#endif
