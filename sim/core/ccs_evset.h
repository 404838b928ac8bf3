/* The pending-event set: a 4-ary min-heap ordered by (time, insertion sequence). Equal times
 * come out in the order they were pushed, which makes runs deterministic.
 * Layout (why it is fast): heap entries are 16 bytes, time and a sequence-and-slot word, compared
 * as one unsigned 128-bit key without branches; the array is offset so the four children of a
 * node fill exactly one 64-byte cache line, and the grandchildren's lines are prefetched while
 * the children are compared. The event's payload (kind, arg) sits in a slot pool touched once per
 * push and pop, not once per heap level. A pop followed by a push costs one sift-down because the
 * popped root is removed lazily. Nothing is allocated per event: arrays grow by doubling. */
#ifndef CCS_EVSET_H
#define CCS_EVSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An event as handed out by pop. */
typedef struct ccs_event {
    int64_t time_us; /* simulated time */
    unsigned kind;   /* which handler */
    uint64_t arg;    /* the handler's argument (an index, a packed id, a time) */
} ccs_event;

#define CCS_EVSET_MAX_PENDING (UINT64_C(1) << 28) /* slots: 268 M events pending at once */

typedef struct ccs_evset ccs_evset;

ccs_evset *ccs_evset_create(size_t capacity_hint);
void ccs_evset_destroy(ccs_evset *s);

/* Adds an event. Returns 0, or -1 if memory ran out or CCS_EVSET_MAX_PENDING are pending. */
int ccs_evset_push(ccs_evset *s, int64_t time_us, unsigned kind, uint64_t arg);

/* As ccs_evset_push, for an event likely to be among the next few popped (an arrival process's
 * next arrival): held in the set's one lane beside the heap when the lane is free, and never
 * sifted through the heap; in the heap otherwise. The order of pops is the same either way. */
int ccs_evset_push_lane(ccs_evset *s, int64_t time_us, unsigned kind, uint64_t arg);

/* Removes the earliest event into *out. Returns false if the set is empty. */
bool ccs_evset_pop(ccs_evset *s, ccs_event *out);

/* Copies the earliest event into *out without removing it. Returns false if the set is empty. */
bool ccs_evset_peek(ccs_evset *s, ccs_event *out);

/* Removes the earliest event into *out if its time is before until_us; false otherwise (then
 * nothing is removed). The event loop's call: cheaper than peek then pop. */
bool ccs_evset_pop_before(ccs_evset *s, int64_t until_us, ccs_event *out);

/* Time of the earliest pending event; INT64_MAX when empty. */
int64_t ccs_evset_peek_time(const ccs_evset *s);

size_t ccs_evset_size(const ccs_evset *s);

/* For tests: renumber insertion sequences once `limit` pushes have been numbered (the default is
 * 2^36), so that the renumbering path runs in a short test. */
void ccs_evset_set_seq_limit(ccs_evset *s, uint64_t limit);

#endif
