/* The event loop; see ccs_engine.h. It must never print or allocate per event. */
#include "ccs_engine.h"

#include "ccs_evset.h"

#include <assert.h>
#include <stdlib.h>

#define MAX_HANDLERS 4096 /* kinds; a table of 64 KiB */

struct ccs_engine {
    ccs_evset *events;
    int64_t now_us;
    int64_t until_us; /* of the run in progress; INT64_MIN outside a run */
    uint64_t handled;
    int nhandlers;
    int failed;
    struct {
        ccs_handler_fn fn;
        void *ctx;
    } handlers[MAX_HANDLERS];
};

ccs_engine *ccs_engine_create(void)
{
    ccs_engine *eng = calloc(1, sizeof *eng);
    if (!eng) return NULL;
    eng->until_us = INT64_MIN;
    eng->events = ccs_evset_create(1024);
    if (!eng->events) {
        free(eng);
        return NULL;
    }
    return eng;
}

void ccs_engine_destroy(ccs_engine *eng)
{
    if (!eng) return;
    ccs_evset_destroy(eng->events);
    free(eng);
}

int ccs_engine_add_handler(ccs_engine *eng, ccs_handler_fn fn, void *ctx)
{
    if (eng->nhandlers == MAX_HANDLERS) return -1;
    eng->handlers[eng->nhandlers].fn = fn;
    eng->handlers[eng->nhandlers].ctx = ctx;
    return eng->nhandlers++;
}

/* A push's outcome: one that failed (memory) marks the run failed. */
static int pushed(ccs_engine *eng, int rc)
{
    if (rc == 0) return 0;
    eng->failed = 1;
    return -1;
}

int ccs_engine_schedule(ccs_engine *eng, int64_t time_us, int kind, uint64_t arg)
{
    assert(kind >= 0 && kind < eng->nhandlers);
    assert(time_us >= eng->now_us); /* scheduling into the past is a model bug */
    return pushed(eng, ccs_evset_push(eng->events, time_us, (unsigned)kind, arg));
}

int ccs_engine_schedule_next(ccs_engine *eng, int64_t time_us, int kind, uint64_t arg)
{
    assert(kind >= 0 && kind < eng->nhandlers);
    assert(time_us >= eng->now_us);
    return pushed(eng, ccs_evset_push_lane(eng->events, time_us, (unsigned)kind, arg));
}

uint64_t ccs_engine_run(ccs_engine *eng, int64_t until_us)
{
    ccs_event e;
    eng->handled = 0;
    eng->until_us = until_us;
    while (ccs_evset_pop_before(eng->events, until_us, &e)) {
        eng->now_us = e.time_us;
        unsigned k = e.kind;
        eng->handled++;
        eng->handlers[k].fn(eng, eng->handlers[k].ctx, e.time_us, e.arg);
    }
    eng->until_us = INT64_MIN;
    return eng->handled;
}

bool ccs_engine_advance(ccs_engine *eng, int64_t time_us)
{
    assert(time_us >= eng->now_us);
    /* Strictly before every pending event: a scheduled event at time_us would come after any
     * pending one at the same time (ties go in scheduling order). */
    if (time_us >= eng->until_us || time_us >= ccs_evset_peek_time(eng->events)) return false;
    eng->now_us = time_us;
    eng->handled++;
    return true;
}

int64_t ccs_engine_now(const ccs_engine *eng) { return eng->now_us; }
uint64_t ccs_engine_pending(const ccs_engine *eng) { return ccs_evset_size(eng->events); }
int ccs_engine_failed(const ccs_engine *eng) { return eng->failed; }
