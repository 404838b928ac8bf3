/* The event loop: a clock, a pending-event set and a table of handlers (one per event kind).
 * Models register a handler with a context and schedule events of that kind; the loop pops
 * events in (time, sequence) order and calls the handler. The engine knows nothing of models. */
#ifndef CCS_ENGINE_H
#define CCS_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ccs_engine ccs_engine;

/* Called for each event of its kind; now_us is the event's time. */
typedef void (*ccs_handler_fn)(ccs_engine *eng, void *ctx, int64_t now_us, uint64_t arg);

ccs_engine *ccs_engine_create(void);
void ccs_engine_destroy(ccs_engine *eng);

/* Registers a handler; returns its kind (>= 0), or -1 when the kind table is full. */
int ccs_engine_add_handler(ccs_engine *eng, ccs_handler_fn fn, void *ctx);

/* Schedules an event of `kind` at time_us >= now. Returns 0, or -1 if memory ran out. */
int ccs_engine_schedule(ccs_engine *eng, int64_t time_us, int kind, uint64_t arg);

/* As ccs_engine_schedule, for a source's next event, one pending at a time (an arrival process):
 * the event set holds one such event beside its heap (ccs_evset_push_lane), so it is never
 * sifted. The order events are handled in is the same as with ccs_engine_schedule. */
int ccs_engine_schedule_next(ccs_engine *eng, int64_t time_us, int kind, uint64_t arg);

/* Soft events: an event a model may still call off, held beside the event set until the clock
 * would reach it, and only then scheduled (numbered then: at its time it comes after the events
 * scheduled before that moment). One per id, at most CCS_ENGINE_MAX_SOFT ids; a set replaces the
 * id's pending one. Why: a batch's window timer is often called off (the batch is settled before
 * its window closes), and an event set cannot remove an event. ccs_engine_pending counts them. */
enum { CCS_ENGINE_MAX_SOFT = 64 };
/* A new id for events of `kind`; -1 when all are taken (then schedule plainly). */
int ccs_engine_soft_add(ccs_engine *eng, int kind);
void ccs_engine_soft_set(ccs_engine *eng, int id, int64_t time_us, uint64_t arg);
/* Calls off id's event if it is still held; one already scheduled stays. */
void ccs_engine_soft_cancel(ccs_engine *eng, int id);

/* Runs events with time < until_us (INT64_MAX: until none are left). Returns the number of
 * events handled. The clock ends at the last event handled. */
uint64_t ccs_engine_run(ccs_engine *eng, int64_t until_us);

/* For a handler about to schedule its own next event at time_us (an arrival process): true, with
 * the clock moved to time_us and the event counted as handled, when that event would be the very
 * next one the loop handles, i.e. time_us is before every pending event and before the run's
 * end. The handler then handles it inline instead of scheduling it, in exactly the order the loop
 * would have; false (schedule it) otherwise, and always outside ccs_engine_run. Why: a Poisson
 * source otherwise pays a push and a pop per arrival, a quarter of a serving run's time. */
bool ccs_engine_advance(ccs_engine *eng, int64_t time_us);

int64_t ccs_engine_now(const ccs_engine *eng);
uint64_t ccs_engine_pending(const ccs_engine *eng);

/* Non-zero once a schedule failed for lack of memory; the run must then be reported failed. */
int ccs_engine_failed(const ccs_engine *eng);

#endif
