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
    /* soft events (ccs_engine.h): time INT64_MAX when none is held; soft_min the earliest */
    int nsoft;
    int64_t soft_min;
    struct {
        int64_t time_us;
        uint64_t arg;
        int kind;
    } soft[CCS_ENGINE_MAX_SOFT];
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
    eng->soft_min = INT64_MAX;
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

int ccs_engine_soft_add(ccs_engine *eng, int kind)
{
    assert(kind >= 0 && kind < eng->nhandlers);
    if (eng->nsoft == CCS_ENGINE_MAX_SOFT) return -1;
    eng->soft[eng->nsoft].time_us = INT64_MAX;
    eng->soft[eng->nsoft].kind = kind;
    return eng->nsoft++;
}

static void soft_min_again(ccs_engine *eng)
{
    int64_t m = INT64_MAX;
    for (int i = 0; i < eng->nsoft; i++)
        if (eng->soft[i].time_us < m) m = eng->soft[i].time_us;
    eng->soft_min = m;
}

void ccs_engine_soft_set(ccs_engine *eng, int id, int64_t time_us, uint64_t arg)
{
    assert(id >= 0 && id < eng->nsoft && time_us >= eng->now_us && time_us < INT64_MAX);
    eng->soft[id].time_us = time_us;
    eng->soft[id].arg = arg;
    soft_min_again(eng);
}

void ccs_engine_soft_cancel(ccs_engine *eng, int id)
{
    assert(id >= 0 && id < eng->nsoft);
    eng->soft[id].time_us = INT64_MAX;
    soft_min_again(eng);
}

/* Schedules every soft event due no later than t: the clock is about to reach t. */
static void soft_due(ccs_engine *eng, int64_t t)
{
    for (int i = 0; i < eng->nsoft; i++)
        if (eng->soft[i].time_us <= t) {
            (void)pushed(
                eng, ccs_evset_push(eng->events, eng->soft[i].time_us, (unsigned)eng->soft[i].kind, eng->soft[i].arg));
            eng->soft[i].time_us = INT64_MAX;
        }
    soft_min_again(eng);
}

uint64_t ccs_engine_run(ccs_engine *eng, int64_t until_us)
{
    ccs_event e;
    eng->handled = 0;
    eng->until_us = until_us;
    for (;;) {
        if (eng->soft_min < until_us && eng->soft_min <= ccs_evset_peek_time(eng->events)) soft_due(eng, eng->soft_min);
        if (!ccs_evset_pop_before(eng->events, until_us, &e)) break;
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
    if (time_us >= eng->until_us || time_us >= eng->soft_min || time_us >= ccs_evset_peek_time(eng->events))
        return false;
    eng->now_us = time_us;
    eng->handled++;
    return true;
}

int64_t ccs_engine_now(const ccs_engine *eng) { return eng->now_us; }
uint64_t ccs_engine_pending(const ccs_engine *eng)
{
    uint64_t held = 0;
    for (int i = 0; i < eng->nsoft; i++) held += eng->soft[i].time_us != INT64_MAX;
    return ccs_evset_size(eng->events) + held;
}
int ccs_engine_failed(const ccs_engine *eng) { return eng->failed; }
