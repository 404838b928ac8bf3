/* The FCFS multi-server service; see service.h. The waiting line is a ring buffer of arrival
 * times: it grows only to the longest queue seen, never with the number of requests. */
#include "service.h"

#include "arrivals.h"
#include "ccs_rng.h"
#include "ccs_time.h"
#include "histogram.h"

#include <math.h>
#include <stdlib.h>

struct ccs_service {
    const ccs_service_cfg *cfg;
    const ccs_hardware_cfg *hw;
    int region;
    ccs_engine *eng;
    ccs_ledger *ledger;
    ccs_arrivals *arrivals;
    gsl_rng *rng_service;
    int64_t t0_us, horizon_us, warmup_us;
    double mean_service_us;
    int kind_arrival, kind_departure;
    long busy;
    /* ring buffer of waiting arrival times */
    int64_t *queue;
    size_t qcap, qhead, qlen;
    ccs_histogram *latency;
    double busy_power_w;
    ccs_charge charge;
    double busy_energy_j;
    int ledger_failed;
    int64_t ledger_failed_at;
    int out_of_memory; /* the waiting line could not grow: the run is reported failed */
};

static int64_t draw_service_us(ccs_service *s)
{
    if (s->cfg->service_time.dist == CCS_DIST_DETERMINISTIC) return ccs_round_nonneg(s->mean_service_us);
    return ccs_round_nonneg(ccs_rng_exponential(s->rng_service, s->mean_service_us));
}

static void begin_service(ccs_service *s, int64_t now, int64_t arrived)
{
    int64_t d = draw_service_us(s);
    s->busy++;
    if (s->busy_power_w > 0) {
        ccs_charge c = {0};
        if (ccs_ledger_add(s->ledger, s->region, s->t0_us + now, s->t0_us + now + d, s->busy_power_w,
                           s->hw->price_per_hour < 0, 0.0, &c) != 0) {
            if (!s->ledger_failed) s->ledger_failed_at = s->t0_us + now + d;
            s->ledger_failed = 1;
        }
        ccs_charge_add(&s->charge, &c);
        s->busy_energy_j += c.it_energy_j;
    }
    ccs_engine_schedule(s->eng, now + d, s->kind_departure, (uint64_t)arrived);
}

/* Request attributes (tokens) are drawn but not yet used: the spine's service times do not
 * depend on them; model profiles will. */
static void schedule_next_arrival(ccs_service *s)
{
    ccs_request_attrs attrs;
    int64_t next = ccs_arrivals_next(s->arrivals, &attrs);
    if (next < s->horizon_us) ccs_engine_schedule(s->eng, next, s->kind_arrival, 0);
}

static void on_arrival(ccs_engine *eng, void *ctx, int64_t now, uint64_t arg)
{
    (void)arg;
    (void)eng;
    ccs_service *s = ctx;
    if (s->busy < s->cfg->replicas) {
        begin_service(s, now, now);
    } else {
        if (s->qlen == s->qcap) {
            size_t cap = s->qcap ? 2 * s->qcap : 1024;
            int64_t *q = malloc(cap * sizeof *q);
            if (!q) {
                s->out_of_memory = 1; /* reported by finish; this request is lost */
                return;
            }
            for (size_t i = 0; i < s->qlen; i++) q[i] = s->queue[(s->qhead + i) % s->qcap];
            free(s->queue);
            s->queue = q;
            s->qcap = cap;
            s->qhead = 0;
        }
        s->queue[(s->qhead + s->qlen++) % s->qcap] = now;
    }
    schedule_next_arrival(s);
}

static void on_departure(ccs_engine *eng, void *ctx, int64_t now, uint64_t arrived)
{
    (void)eng;
    ccs_service *s = ctx;
    if ((int64_t)arrived >= s->warmup_us) ccs_histogram_add(s->latency, now - (int64_t)arrived);
    s->busy--;
    if (s->qlen > 0) {
        int64_t a = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % s->qcap;
        s->qlen--;
        begin_service(s, now, a);
    }
}

int ccs_service_create(const ccs_service_cfg *cfg, const ccs_hardware_cfg *hw, int region, ccs_engine *eng,
                       ccs_ledger *ledger, gsl_rng *arrivals, gsl_rng *service_times, int64_t t0_us,
                       int64_t horizon_us, int64_t warmup_us, ccs_service **out, ccs_err *err)
{
    *out = NULL;
    ccs_service *s = calloc(1, sizeof *s);
    if (!s) return ccs_err_set(err, CCS_ERUN, "out of memory");
    s->cfg = cfg;
    s->hw = hw;
    s->region = region;
    s->eng = eng;
    s->ledger = ledger;
    s->rng_service = service_times;
    s->t0_us = t0_us;
    s->horizon_us = horizon_us;
    s->warmup_us = warmup_us;
    s->mean_service_us = cfg->service_time.mean_ms * 1e3;
    s->busy_power_w = hw ? hw->max_w - hw->idle_w : 0.0;
    s->latency = ccs_histogram_create();
    s->kind_arrival = ccs_engine_add_handler(eng, on_arrival, s);
    s->kind_departure = ccs_engine_add_handler(eng, on_departure, s);
    int rc = !s->latency || s->kind_arrival < 0 || s->kind_departure < 0
                 ? ccs_err_set(err, CCS_ERUN, "out of memory")
                 : ccs_arrivals_create(&cfg->arrivals, arrivals, horizon_us, &s->arrivals, err);
    if (rc) {
        ccs_err_prefix(err, "services[%s].arrivals: ", cfg->name);
    } else {
        /* A stable queue needs a mean offered load below 1: otherwise the waiting line, and
         * memory, grow without bound. Peaks above 1 are fine: the queue drains after them. */
        double load = ccs_arrivals_mean_rate_per_s(s->arrivals) * s->mean_service_us / 1e6 / (double)cfg->replicas;
        if (load >= 1.0)
            rc = ccs_err_at(err, CCS_EINPUT, cfg->pos.file, cfg->pos.line, cfg->pos.col,
                            "services[%s]: mean offered load (mean rate x mean_ms / replicas) = %.3g "
                            ">= 1: the queue would grow without bound; expected < 1",
                            cfg->name, load);
    }
    if (rc) {
        ccs_service_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

void ccs_service_destroy(ccs_service *s)
{
    if (!s) return;
    ccs_histogram_destroy(s->latency);
    ccs_arrivals_destroy(s->arrivals);
    free(s->queue);
    free(s);
}

int ccs_service_start(ccs_service *s)
{
    schedule_next_arrival(s);
    return ccs_engine_failed(s->eng) ? -1 : 0;
}

int ccs_service_finish(ccs_service *s, ccs_service_result *out, ccs_err *err)
{
    char when[32];
    if (s->out_of_memory)
        return ccs_err_set(err, CCS_ERUN, "service '%s': out of memory for the waiting line", s->cfg->name);
    int arc = ccs_arrivals_failed(s->arrivals, err);
    if (arc) {
        ccs_err_prefix(err, "services[%s].arrivals: ", s->cfg->name);
        return arc;
    }
    if (s->ledger_failed) {
        ccs_time_format(s->ledger_failed_at, when, sizeof when);
        return ccs_err_set(err, CCS_EINPUT,
                           "service '%s' is still serving at %s, past the end of region traces",
                           s->cfg->name, when);
    }
    ccs_charge idle = {0};
    if (s->hw && s->hw->idle_w * (double)s->cfg->replicas + s->hw->price_per_hour > 0) {
        double rent = s->hw->price_per_hour < 0 ? 0.0 : s->hw->price_per_hour * (double)s->cfg->replicas;
        if (ccs_ledger_add(s->ledger, s->region, s->t0_us, s->t0_us + s->horizon_us,
                           s->hw->idle_w * (double)s->cfg->replicas, s->hw->price_per_hour < 0, rent,
                           &idle) != 0)
            return ccs_err_set(err, CCS_ERUN, "service '%s': idle draw outside the ledger", s->cfg->name);
    }
    out->requests = ccs_histogram_count(s->latency);
    out->mean_ms = ccs_histogram_mean(s->latency) / 1e3;
    out->p50_ms = ccs_histogram_quantile(s->latency, 0.50) / 1e3;
    out->p95_ms = ccs_histogram_quantile(s->latency, 0.95) / 1e3;
    out->p99_ms = ccs_histogram_quantile(s->latency, 0.99) / 1e3;
    if (s->cfg->slo_p95_ms > 0) {
        out->slo_violation_frac = ccs_histogram_frac_above(s->latency, llround(s->cfg->slo_p95_ms * 1e3));
        out->slo_met = out->p95_ms <= s->cfg->slo_p95_ms;
    } else {
        out->slo_violation_frac = 0;
        out->slo_met = -1;
    }
    out->busy_energy_j = s->busy_energy_j;
    out->idle_energy_j = idle.it_energy_j;
    out->charge = s->charge;
    ccs_charge_add(&out->charge, &idle);
    return 0;
}
