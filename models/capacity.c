/* Admission under a region's capacity; see capacity.h. Three event sets, each ordered by
 * (key, insertion): interval requests by planned start, interval ends by end time, waiting runs
 * by latest possible start. Ends at a time are handled before requests at that time, so
 * capacity freed at t can be used at t. */
#include "capacity.h"
#include "ccs_units.h"

#include "ccs_evset.h"

#include <stdlib.h>
#include <string.h>

typedef struct run_state {
    uint32_t next; /* index of the interval asked for or running */
    int straight;  /* waited: runs its remaining work in one go */
} run_state;

/* Work left from interval k on, if the run goes straight through from its start: interval k as
 * planned, the later ones without their resume's checkpoint. */
static int64_t remaining_straight(const ccs_capacity_run *r, uint32_t k)
{
    int64_t w = r->iv[k].b_us - r->iv[k].a_us;
    for (uint32_t j = k + 1; j < *r->n; j++) w += r->iv[j].b_us - r->iv[j].a_us - r->checkpoint_us;
    return w;
}

/* The count `waiting` held over [from, to): the peak, and each hour's maximum. */
static void hold(ccs_capacity_stats *st, uint32_t *hourly, size_t nhours, int64_t t0, int64_t from, int64_t to,
                 uint64_t waiting)
{
    if (waiting > st->peak_waiting) {
        st->peak_waiting = waiting;
        st->peak_at_us = from;
    }
    if (!hourly || waiting == 0 || to <= t0) return;
    int64_t a = from > t0 ? from : t0;
    for (size_t h = (size_t)((a - t0) / CCS_US_PER_HOUR); h < nhours && t0 + (int64_t)h * CCS_US_PER_HOUR < to; h++)
        if (waiting > hourly[h]) hourly[h] = (uint32_t)waiting;
}

int ccs_capacity_admit(double capacity_kw, ccs_capacity_run *runs, size_t n, int64_t t0_us, uint32_t *hourly,
                       size_t nhours, ccs_capacity_stats *st)
{
    memset(st, 0, sizeof *st);
    if (hourly) memset(hourly, 0, nhours * sizeof *hourly);
    ccs_evset *req = ccs_evset_create(n ? n : 1), *ends = ccs_evset_create(64), *wait = ccs_evset_create(64);
    run_state *rs = calloc(n ? n : 1, sizeof *rs);
    int rc = req && ends && wait && rs ? 0 : -1;
    for (size_t i = 0; !rc && i < n; i++) {
        runs[i].wait_us = 0;
        if (*runs[i].n && ccs_evset_push(req, runs[i].iv[0].a_us, 0, i) != 0) rc = -1;
    }
    /* capacity is compared with a tolerance: sums of kW are not exact */
    const double cap = capacity_kw * (1 + 1e-12);
    double used = 0;
    uint64_t waiting = 0;
    int64_t since = INT64_MIN; /* the waiting count has held since */
    while (!rc) {
        int64_t te = ccs_evset_peek_time(ends), tr = ccs_evset_peek_time(req);
        if (te == INT64_MAX && tr == INT64_MAX) break;
        ccs_event e;
        int64_t now = te <= tr ? te : tr;
        if (waiting && now > since) hold(st, hourly, nhours, t0_us, since, now, waiting);
        since = now;
        /* everything at this instant first: capacity freed now, then every request made now, so
         * that requests made together compete by slack, not by the order they were listed */
        while (!rc && ccs_evset_pop_before(ends, now + 1, &e)) {
            ccs_capacity_run *r = &runs[e.arg];
            run_state *s = &rs[e.arg];
            used -= r->power_kw;
            if (used < 1e-9 * capacity_kw) used = 0;
            if (!s->straight && ++s->next < *r->n && ccs_evset_push(req, r->iv[s->next].a_us, 0, e.arg) != 0) rc = -1;
        }
        while (!rc && ccs_evset_pop_before(req, now + 1, &e)) {
            ccs_capacity_run *r = &runs[e.arg];
            int64_t latest = r->deadline_us - remaining_straight(r, rs[e.arg].next);
            if (ccs_evset_push(wait, latest, 0, e.arg) != 0) rc = -1;
            waiting++;
        }
        /* admit from the head of the waiting line while it fits */
        ccs_event h;
        while (!rc && ccs_evset_peek(wait, &h) && used + runs[h.arg].power_kw <= cap) {
            ccs_evset_pop(wait, &h);
            waiting--;
            ccs_capacity_run *r = &runs[h.arg];
            run_state *s = &rs[h.arg];
            ccs_interval *iv = &r->iv[s->next];
            if (now > iv->a_us) { /* it waited: the rest of its work in one go from now */
                int64_t rest = remaining_straight(r, s->next);
                if (r->wait_us == 0) st->queued_runs++;
                r->wait_us += now - iv->a_us;
                st->wait_h += (double)(now - iv->a_us) / (double)CCS_US_PER_HOUR;
                *iv = (ccs_interval){now, now + rest};
                *r->n = s->next + 1;
                s->straight = 1;
            }
            used += r->power_kw;
            if (used > st->peak_kw) st->peak_kw = used;
            if (ccs_evset_push(ends, iv->b_us, 0, h.arg) != 0) rc = -1;
        }
        if (waiting > st->peak_waiting) {
            st->peak_waiting = waiting;
            st->peak_at_us = now;
        }
    }
    ccs_evset_destroy(req);
    ccs_evset_destroy(ends);
    ccs_evset_destroy(wait);
    free(rs);
    return rc;
}
