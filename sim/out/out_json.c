/* Summary writer; see out_json.h. */
#include "out_json.h"

#include "ccs_time.h"
#include "out_fs.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Cost by what it paid for: energy (owned hardware's electricity), rent, capex, transfer. */
static json_t *breakdown_json(const double *money)
{
    json_t *o = json_object();
    for (int k = 0; k < CCS_MONEY_KINDS; k++) json_object_set_new(o, ccs_money_words[k], json_real(money[k]));
    return o;
}

/* The policy a job ran under: its own, or the run's. */
static const char *job_policy_name(const ccs_run_result *r, size_t i)
{
    const ccs_job_cfg *j = &r->scenario->jobs[i];
    return j->policy.type ? j->policy.type->name : r->policy;
}

/* A job's limits as given (null: not set), with how many runs' actual figures broke each:
 * planned on the forecast, judged on what happened. */
static json_t *limits_json(const ccs_job_limits *l, const ccs_job_result *j)
{
    static const char *const words[] = {"run-now", "best-effort", "skip"};
    json_t *o = json_object();
    const double v[4] = {l->max_cost, l->max_cost_increase, l->max_intensity, l->min_saving};
    static const char *const keys[4] = {"max_cost", "max_cost_increase", "max_intensity", "min_saving"};
    for (int k = 0; k < 4; k++) json_object_set_new(o, keys[k], v[k] >= 0 ? json_real(v[k]) : json_null());
    json_object_set_new(o, "on_infeasible", json_string(words[l->on_infeasible]));
    json_object_set_new(o, "runs_over_max_cost", json_integer((json_int_t)j->over_max_cost));
    json_object_set_new(o, "runs_over_max_intensity", json_integer((json_int_t)j->over_max_intensity));
    return o;
}

/* From the servers to the site: IT energy, the facility's cooling, water (on site and off site)
 * and the heat exported for reuse, of one consumer's charge. */
static void facility_json(json_t *o, const ccs_charge *c)
{
    json_object_set_new(o, "it_kwh", json_real(c->it_energy_j / CCS_J_PER_KWH));
    json_object_set_new(o, "cooling_kwh", json_real(c->cooling_j / CCS_J_PER_KWH));
    json_object_set_new(o, "water_l", json_real(c->water_onsite_l + c->water_offsite_l));
    json_object_set_new(o, "water_onsite_l", json_real(c->water_onsite_l));
    json_object_set_new(o, "heat_reused_kwh", json_real(c->heat_reused_j / CCS_J_PER_KWH));
}

/* carbon_kg is always the average (attributional) accounting; with marginal traces the marginal
 * one is beside it, under its own name. */
static json_t *totals_json(const ccs_totals *t, int marginal)
{
    json_t *o = json_pack("{s:f, s:f, s:f}", "energy_kwh", t->energy_kwh, "carbon_kg", t->carbon_kg, "cost", t->cost);
    json_object_set_new(o, "it_kwh", json_real(t->it_kwh));
    json_object_set_new(o, "cooling_kwh", json_real(t->cooling_kwh));
    json_object_set_new(o, "water_l", json_real(t->water_l));
    json_object_set_new(o, "heat_reused_kwh", json_real(t->heat_reused_kwh));
    json_object_set_new(o, "heat_reuse_avoided_kg", json_real(t->heat_avoided_kg));
    if (marginal) json_object_set_new(o, "carbon_marginal_kg", json_real(t->carbon_marginal_kg));
    return o;
}

/* What each carbon figure means, and which signal the plans minimised. */
static json_t *accounting_json(const ccs_scenario *s)
{
    int m = ccs_scenario_has_marginal(s);
    json_t *o = json_object();
    json_object_set_new(o, "carbon_kg",
                        json_string("average (attributional): the energy x the grid's average intensity, what the "
                                    "electricity used emitted on average (the regions' carbon traces)"));
    if (m)
        json_object_set_new(o, "carbon_marginal_kg",
                            json_string("marginal (consequential): the energy x the marginal intensity, what one "
                                        "more kWh emits (the regions' carbon_marginal traces)"));
    json_object_set_new(o, "planned_on", json_string(s->policy.signal == CCS_SIGNAL_MARGINAL ? "marginal" : "average"));
    return o;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *pool_json(const ccs_service_pool_result *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "stage", json_string(p->stage));
    json_object_set_new(o, "route", str_or_null(p->route));
    json_object_set_new(o, "share", json_real(p->share));
    json_object_set_new(o, "hardware", str_or_null(p->hardware));
    json_object_set_new(o, "model", str_or_null(p->model));
    json_object_set_new(o, "variant", str_or_null(p->variant));
    json_object_set_new(o, "quality_metric", str_or_null(p->quality_metric));
    json_object_set_new(o, "quality_delta", json_real(p->quality_delta));
    json_object_set_new(o, "max_batch", json_integer(p->max_batch));
    json_object_set_new(o, "window_ms", json_real(p->window_ms));
    json_object_set_new(o, "batch_ms_at_1", json_real(p->l1_ms));
    json_object_set_new(o, "batch_ms_at_max", json_real(p->lmax_ms));
    json_object_set_new(o, "items", json_integer((json_int_t)p->r.items));
    json_object_set_new(o, "batches", json_integer((json_int_t)p->r.batches));
    json_object_set_new(o, "mean_batch", json_real(p->r.mean_batch));
    json_object_set_new(o, "utilisation", json_real(p->r.utilisation));
    json_object_set_new(o, "replicas_mean", json_real(p->r.replicas_mean));
    json_object_set_new(o, "replicas_max", json_integer(p->r.replicas_max));
    json_object_set_new(o, "scale_ups", json_integer(p->r.scale_ups));
    json_object_set_new(o, "scale_downs", json_integer(p->r.scale_downs));
    json_object_set_new(o, "busy_it_energy_kwh", json_real(p->r.busy_energy_j / CCS_J_PER_KWH));
    json_object_set_new(o, "idle_it_energy_kwh", json_real(p->r.idle_energy_j / CCS_J_PER_KWH));
    json_object_set_new(o, "host_it_energy_kwh", json_real(p->r.host_energy_j / CCS_J_PER_KWH));
    facility_json(o, &p->r.charge);
    json_object_set_new(o, "devices_per_replica", json_integer(p->devices_per_replica));
    json_object_set_new(o, "concurrency", json_integer(p->concurrency));
    json_object_set_new(o, "energy_kwh", json_real(p->r.charge.energy_j / CCS_J_PER_KWH));
    json_object_set_new(o, "carbon_kg", json_real(p->r.charge.carbon_g / 1000.0));
    json_object_set_new(o, "cost", json_real(p->r.charge.cost));
    json_object_set_new(o, "embodied_carbon_kg", json_real(p->embodied_kg));
    json_object_set_new(o, "embodied_per_server_kg", p->hardware ? json_real(p->server_embodied_kg) : json_null());
    if (p->is_llm) { /* continuous batching: the engine's figures (llm.h) */
        const ccs_llm_result *l = &p->llm;
        json_t *e = json_object();
        json_object_set_new(e, "tensor_parallel", json_integer(p->tensor_parallel));
        json_object_set_new(e, "max_num_seqs", json_integer(p->max_num_seqs));
        json_object_set_new(e, "max_batched_tokens", json_integer(p->max_batched_tokens));
        json_object_set_new(e, "iterations", json_integer((json_int_t)l->iterations));
        json_object_set_new(e, "mean_seqs", json_real(l->mean_seqs));
        json_object_set_new(e, "mean_tokens", json_real(l->mean_tokens));
        json_object_set_new(e, "mean_iteration_ms", json_real(l->mean_iteration_ms));
        json_object_set_new(e, "prefill_iteration_share", json_real(l->prefill_share));
        json_object_set_new(e, "prompt_tokens", json_real(l->prompt_tokens));
        json_object_set_new(e, "output_tokens", json_real(l->output_tokens));
        json_object_set_new(e, "kv_blocks", json_integer(l->kv_blocks));
        json_object_set_new(e, "kv_peak_frac", json_real(l->kv_peak));
        json_object_set_new(e, "preemptions", json_integer((json_int_t)l->preemptions));
        json_object_set_new(e, "rejected", json_integer((json_int_t)l->rejected));
        json_object_set_new(o, "llm", e);
    }
    return o;
}

/* A sampled service's estimates: how it was sampled, and each figure's 95% confidence half-width
 * beside it under the figure's name with _ci (docs/sampling.md). A full one says so. */
static void sampled_json(json_t *o, const ccs_service_result *v)
{
    json_object_set_new(o, "fidelity", json_string(v->sampled ? "sampled" : "full"));
    if (!v->sampled) return;
    json_object_set_new(o, "windows", json_integer(v->windows));
    json_object_set_new(o, "simulated_frac", json_real(v->simulated_frac));
    const struct {
        const char *key;
        double ci;
    } rows[] = {{"requests_ci", v->requests_ci},
                {"p50_ms_ci", v->p50_ms_ci},
                {"p95_ms_ci", v->p95_ms_ci},
                {"p99_ms_ci", v->p99_ms_ci},
                {"mean_ms_ci", v->mean_ms_ci},
                {"energy_kwh_ci", v->energy_kwh_ci},
                {"carbon_kg_ci", v->carbon_kg_ci},
                {"cost_ci", v->cost_ci},
                {"slo_violation_frac_ci", v->slo_violation_frac_ci}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        json_object_set_new(o, rows[i].key, json_real(rows[i].ci));
    json_t *c = json_object_get(o, "cache");
    if (c) json_object_set_new(c, "hit_rate_ci", json_real(v->hit_rate_ci));
}

/* The contract's keys first (name, requests, p50/p95/p99, slo_violation_frac, energy, carbon,
 * cost), then what an architect reads next. Per-request figures divide the service's whole
 * draw (busy and idle, from the grid) by its measured requests. */
static json_t *service_json(const ccs_service_cfg *c, const ccs_service_result *v)
{
    double n = v->requests ? (double)v->requests : NAN;
    json_t *o = json_pack("{s:s, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "name", c->name, "requests",
                          (json_int_t)v->requests, "p50_ms", v->p50_ms, "p95_ms", v->p95_ms, "p99_ms", v->p99_ms,
                          "slo_violation_frac", v->slo_violation_frac, "energy_kwh", v->charge.energy_j / CCS_J_PER_KWH,
                          "carbon_kg", v->charge.carbon_g / 1000.0, "cost", v->charge.cost);
    json_object_set_new(o, "mean_ms", json_real(v->mean_ms));
    json_object_set_new(o, "slo_p95_ms", c->slo_p95_ms > 0 ? json_real(c->slo_p95_ms) : json_null());
    json_object_set_new(o, "slo_met", v->slo_met < 0 ? json_null() : json_boolean(v->slo_met));
    json_object_set_new(o, "throughput_per_s", json_real(v->throughput_per_s));
    json_object_set_new(o, "rtt_ms", json_real(v->rtt_ms));
    json_object_set_new(o, "busy_it_energy_kwh", json_real(v->busy_energy_j / CCS_J_PER_KWH));
    json_object_set_new(o, "idle_it_energy_kwh", json_real(v->idle_energy_j / CCS_J_PER_KWH));
    json_object_set_new(o, "host_it_energy_kwh", json_real(v->host_energy_j / CCS_J_PER_KWH));
    facility_json(o, &v->charge);
    json_object_set_new(o, "embodied_carbon_kg", json_real(v->embodied_kg));
    json_t *per = json_object();
    json_object_set_new(per, "energy_wh", json_real(v->requests ? v->charge.energy_j / CCS_J_PER_WH / n : 0.0));
    json_object_set_new(per, "carbon_g", json_real(v->requests ? v->charge.carbon_g / n : 0.0));
    json_object_set_new(per, "cost", json_real(v->requests ? v->charge.cost / n : 0.0));
    json_object_set_new(o, "per_request", per);
    json_t *k = json_object();
    json_object_set_new(k, "energy_kwh", json_real(v->requests ? v->charge.energy_j / CCS_J_PER_KWH / n * 1000 : 0.0));
    json_object_set_new(k, "carbon_kg", json_real(v->requests ? v->charge.carbon_g / 1000.0 / n * 1000 : 0.0));
    json_object_set_new(k, "cost", json_real(v->requests ? v->charge.cost / n * 1000 : 0.0));
    json_object_set_new(o, "per_1000_requests", k);
    if (v->cache_kind != CCS_CACHE_NONE) {
        /* a fixed hit probability has no stored results, so no ages: null, not 0 */
        int ttl = v->cache_kind == CCS_CACHE_TTL;
        json_t *c = json_pack("{s:s, s:f, s:f, s:f}", "kind", ttl ? "ttl" : "fixed", "hit_rate", v->cache_hit_rate,
                              "hit_rate_poisson_theory", v->cache_hit_rate_theory, "lookup_ms", v->lookup_ms);
        json_object_set_new(c, "age_mean_s", ttl ? json_real(v->age_mean_s) : json_null());
        json_object_set_new(c, "age_p95_s", ttl ? json_real(v->age_p95_s) : json_null());
        json_object_set_new(c, "age_of_hits_mean_s", ttl ? json_real(v->age_hit_mean_s) : json_null());
        json_object_set_new(o, "cache", c);
    }
    if (v->has_llm) {
        json_object_set_new(o, "ttft_p50_ms", json_real(v->ttft_p50_ms));
        json_object_set_new(o, "ttft_p95_ms", json_real(v->ttft_p95_ms));
        json_object_set_new(o, "ttft_p99_ms", json_real(v->ttft_p99_ms));
        json_object_set_new(o, "ttft_mean_ms", json_real(v->ttft_mean_ms));
        json_object_set_new(o, "tpot_p50_ms", json_real(v->tpot_p50_ms));
        json_object_set_new(o, "tpot_p95_ms", json_real(v->tpot_p95_ms));
        json_object_set_new(o, "tpot_p99_ms", json_real(v->tpot_p99_ms));
        json_object_set_new(o, "tpot_mean_ms", json_real(v->tpot_mean_ms));
        json_object_set_new(o, "slo_ttft_ms", c->slo_ttft_ms > 0 ? json_real(c->slo_ttft_ms) : json_null());
        json_object_set_new(o, "slo_tpot_ms", c->slo_tpot_ms > 0 ? json_real(c->slo_tpot_ms) : json_null());
        json_object_set_new(o, "goodput_per_s", json_real(v->goodput_per_s));
        json_object_set_new(o, "goodput_frac", json_real(v->goodput_frac));
        json_object_set_new(o, "output_tokens", json_real(v->output_tokens));
        json_object_set_new(o, "output_tokens_per_s", json_real(v->output_tokens_per_s));
        json_object_set_new(o, "generated_tokens", json_real(v->generated_tokens));
        json_object_set_new(o, "energy_per_output_token_j", json_real(v->energy_per_output_token_j));
        json_object_set_new(o, "rejected", json_integer((json_int_t)v->rejected));
        json_object_set_new(o, "preemptions", json_integer((json_int_t)v->preemptions));
        json_object_set_new(o, "escalations", json_integer((json_int_t)v->escalations));
        json_object_set_new(o, "last_completion_s", json_real(v->last_completion_s));
    }
    json_t *pools = json_array();
    for (size_t i = 0; i < v->npools; i++) json_array_append_new(pools, pool_json(&v->pools[i]));
    json_object_set_new(o, "pools", pools);
    sampled_json(o, v);
    return o;
}

static json_t *summary_json(const ccs_run_result *r)
{
    const ccs_scenario *s = r->scenario;
    char start[32], end[32];
    ccs_time_format(s->start_us, start, sizeof start);
    ccs_time_format(s->end_us, end, sizeof end);
    json_t *root = json_object();
    json_object_set_new(root, "scenario", json_string(s->name));
    json_object_set_new(root, "seed", json_integer((json_int_t)s->seed));
    json_object_set_new(root, "fidelity", json_string(ccs_fidelity_words[s->fidelity]));
    json_object_set_new(root, "policy", json_string(r->policy));
    json_object_set_new(root, "currency", json_string(s->currency));
    const int marginal = ccs_scenario_has_marginal(s);
    json_object_set_new(root, "carbon_accounting", accounting_json(s));
    json_object_set_new(root, "totals", totals_json(&r->totals, marginal));
    json_object_set_new(root, "baseline", totals_json(&r->baseline, marginal));
    json_t *delta = json_pack("{s:f, s:f}", "carbon_pct", r->delta_carbon_pct, "cost_pct", r->delta_cost_pct);
    if (marginal) json_object_set_new(delta, "carbon_marginal_pct", json_real(r->delta_carbon_marginal_pct));
    json_object_set_new(root, "delta", delta);
    json_object_set_new(root, "cost_breakdown", breakdown_json(r->totals.money));
    json_object_set_new(root, "baseline_cost_breakdown", breakdown_json(r->baseline.money));
    json_t *services = json_array();
    for (size_t i = 0; i < s->nservices; i++)
        json_array_append_new(services, service_json(&s->services[i], &r->services[i]));
    json_object_set_new(root, "services", services);
    if (s->fidelity == CCS_FIDELITY_SAMPLED) { /* the services' estimates are independent: half-widths add in squares */
        double e = 0, c = 0, m = 0;
        for (size_t i = 0; i < s->nservices; i++) {
            const ccs_service_result *v = &r->services[i];
            e += v->energy_kwh_ci * v->energy_kwh_ci;
            c += v->carbon_kg_ci * v->carbon_kg_ci;
            m += v->cost_ci * v->cost_ci;
        }
        json_object_set_new(root, "totals_ci",
                            json_pack("{s:f, s:f, s:f}", "energy_kwh", sqrt(e), "carbon_kg", sqrt(c), "cost", sqrt(m)));
    }
    json_t *jobs = json_array();
    for (size_t i = 0; i < s->njobs; i++) {
        const ccs_job_result *j = &r->jobs[i];
        json_t *o =
            json_pack("{s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "name", s->jobs[i].name, "runs", (json_int_t)j->runs,
                      "deadline_misses", (json_int_t)j->deadline_misses, "freshness_mean_h", j->freshness_mean_h,
                      "freshness_max_h", j->freshness_max_h, "energy_kwh", j->charge.energy_j / CCS_J_PER_KWH,
                      "carbon_kg", j->charge.carbon_g / 1000.0, "cost", j->charge.cost);
        facility_json(o, &j->charge);
        json_object_set_new(o, "embodied_carbon_kg", json_real(j->embodied_kg));
        /* beyond the contract: the deadline guard, moves and what the forecast promised */
        json_object_set_new(o, "overrides", json_integer((json_int_t)j->overrides));
        json_object_set_new(o, "fallbacks", json_integer((json_int_t)j->fallbacks));
        json_object_set_new(o, "unproven_runs", json_integer((json_int_t)j->unproven));
        json_object_set_new(o, "moved_runs", json_integer((json_int_t)j->moved));
        json_object_set_new(o, "delay_mean_h", json_real(j->delay_mean_h));
        json_object_set_new(o, "transfer_cost", json_real(j->transfer_cost));
        json_object_set_new(o, "forecast_carbon_kg", json_real(j->forecast_carbon_g / 1000.0));
        json_object_set_new(o, "queued_runs", json_integer((json_int_t)j->queued));
        json_object_set_new(o, "queue_wait_h", json_real(j->queue_wait_h));
        /* each run's outcome, counted: planned, overrides, fallbacks, misses, skipped */
        json_object_set_new(o, "planned", json_integer((json_int_t)j->planned));
        json_object_set_new(o, "misses", json_integer((json_int_t)j->deadline_misses));
        json_object_set_new(o, "skipped", json_integer((json_int_t)j->skipped));
        /* runs as they ran: re-plans that changed a plan, runs with more work than the nominal */
        json_object_set_new(o, "replans", json_integer((json_int_t)j->replans));
        json_object_set_new(o, "overruns", json_integer((json_int_t)j->overruns));
        json_object_set_new(o, "policy", json_string(job_policy_name(r, i)));
        json_object_set_new(o, "cost_breakdown", breakdown_json(j->charge.money));
        json_object_set_new(o, "planned_cost", json_real(j->forecast_cost));
        if (marginal) json_object_set_new(o, "carbon_marginal_kg", json_real(j->charge.carbon_marginal_g / 1000.0));
        json_object_set_new(o, "limits", limits_json(&s->jobs[i].limits, j));
        json_array_append_new(jobs, o);
    }
    json_object_set_new(root, "jobs", jobs);
    /* the non-negotiables, each rule as the run met it */
    json_t *cons = json_array();
    for (size_t i = 0; i < r->nconstraints; i++)
        json_array_append_new(cons, json_pack("{s:s, s:b, s:f}", "what", r->constraints[i].what, "satisfied",
                                              r->constraints[i].satisfied, "value", r->constraints[i].value));
    json_object_set_new(root, "constraints", cons);
    /* Beyond the contract: the period and where each region's signals came from. */
    json_object_set_new(root, "period", json_pack("{s:s, s:s}", "start", start, "end", end));
    json_t *regions = json_array();
    for (size_t i = 0; i < s->nregions; i++) {
        const ccs_region_result *g = &r->regions[i];
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f}", "name", g->name, "carbon_trace", g->carbon_path,
                      "carbon_column", g->carbon_column, "price_source", g->price_source, "pue", g->pue, "energy_kwh",
                      g->totals.energy_kwh, "carbon_kg", g->totals.carbon_kg, "cost", g->totals.cost);
        const ccs_facility_cfg *f = &s->regions[i].facility;
        int model = f->cooling != CCS_COOLING_NONE || f->pue_curve.nt >= 2;
        json_object_set_new(o, "cooling",
                            json_string(f->pue_curve.nt >= 2 ? "measured PUE(T) curve"
                                        : model              ? ccs_cooling_words[f->cooling]
                                                             : "none (constant PUE: its overhead is not split)"));
        json_object_set_new(o, "pue_mean",
                            json_real(g->totals.it_kwh > 0 ? g->totals.energy_kwh / g->totals.it_kwh : g->pue));
        json_object_set_new(o, "it_kwh", json_real(g->totals.it_kwh));
        json_object_set_new(o, "cooling_kwh", json_real(g->totals.cooling_kwh));
        json_object_set_new(o, "water_l", json_real(g->totals.water_l));
        json_object_set_new(o, "heat_reused_kwh", json_real(g->totals.heat_reused_kwh));
        json_object_set_new(o, "heat_reuse_avoided_kg", json_real(g->totals.heat_avoided_kg));
        const ccs_region_queue *q = &r->queues[i];
        json_object_set_new(o, "capacity_kw", q->capacity_kw > 0 ? json_real(q->capacity_kw) : json_null());
        if (q->capacity_kw > 0) {
            char at[32] = "";
            if (q->stats.peak_waiting) ccs_time_format(q->stats.peak_at_us, at, sizeof at);
            json_t *qq = json_pack("{s:I, s:I, s:f, s:f}", "queued_runs", (json_int_t)q->stats.queued_runs,
                                   "peak_waiting_runs", (json_int_t)q->stats.peak_waiting, "wait_h", q->stats.wait_h,
                                   "peak_load_kw", q->stats.peak_kw);
            json_object_set_new(qq, "peak_at", q->stats.peak_waiting ? json_string(at) : json_null());
            json_object_set_new(o, "queue", qq);
        }
        json_array_append_new(regions, o);
    }
    json_object_set_new(root, "regions", regions);
    return root;
}

#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

int ccs_out_summary_write(const ccs_run_result *r, const char *path, ccs_err *err)
{
    json_t *root = summary_json(r);
    if (!root) return ccs_err_set(err, CCS_ERUN, "out of memory");
    ccs_fs_clean_temporaries(path);
    ccs_fs_out *o = ccs_fs_begin(path);
    if (!o) {
        int e = errno;
        json_decref(root);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot create the summary: %s", strerror(e));
    }
    FILE *f = ccs_fs_stream(o);
    int ok = json_dumpf(root, f, JSON_FLAGS) == 0 && fputc('\n', f) != EOF;
    json_decref(root);
    int e = ccs_fs_commit(o, ok);
    if (e == ECANCELED) e = EIO; /* jansson failed without a failed write: cannot happen with valid JSON */
    if (e) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write the summary: %s", strerror(e));
    return 0;
}

int ccs_out_summary_print(const ccs_run_result *r, FILE *f)
{
    json_t *root = summary_json(r);
    int rc = json_dumpf(root, f, JSON_FLAGS);
    fputc('\n', f);
    json_decref(root);
    return rc;
}

char *ccs_out_summary_dumps(const ccs_run_result *r)
{
    json_t *root = summary_json(r);
    char *text = root ? json_dumps(root, JSON_FLAGS) : NULL;
    json_decref(root);
    return text;
}

void ccs_out_summary_text(const ccs_run_result *r, FILE *f)
{
    const ccs_scenario *s = r->scenario;
    char start[32], end[32];
    ccs_time_format(s->start_us, start, sizeof start);
    ccs_time_format(s->end_us, end, sizeof end);
    fprintf(f, "scenario %s  seed %llu  policy %s  %s .. %s\n\n", s->name, (unsigned long long)s->seed, r->policy,
            start, end);
    if (s->fidelity == CCS_FIDELITY_SAMPLED) {
        long windows = 0;
        for (size_t i = 0; i < s->nservices; i++) windows += r->services[i].windows;
        fprintf(f,
                "fidelity: sampled: services estimated from %ld simulated windows (jobs and the grid exact); "
                "95%% confidence half-widths in summary.json (*_ci)\n\n",
                windows);
    }
    fprintf(f, "%-10s %14s %14s %14s\n", "", "energy kWh", "carbon kgCO2e", s->currency);
    fprintf(f, "%-10s %14.3f %14.3f %14.2f\n", "total", r->totals.energy_kwh, r->totals.carbon_kg, r->totals.cost);
    fprintf(f, "%-10s %14.3f %14.3f %14.2f\n", "run-now", r->baseline.energy_kwh, r->baseline.carbon_kg,
            r->baseline.cost);
    fprintf(f, "%-10s %14s %+13.2f%% %+13.2f%%\n", "change", "", r->delta_carbon_pct, r->delta_cost_pct);
    if (ccs_scenario_has_marginal(s))
        fprintf(f, "%-10s %14s %14.3f (run-now %.3f, %+.2f%%): marginal accounting; the carbon above is average\n",
                "marginal", "", r->totals.carbon_marginal_kg, r->baseline.carbon_marginal_kg,
                r->delta_carbon_marginal_pct);
    fprintf(f, "%-10s IT %.3f kWh, cooling %.3f kWh, water %.1f L", "facility", r->totals.it_kwh, r->totals.cooling_kwh,
            r->totals.water_l);
    if (r->totals.heat_reused_kwh > 0)
        fprintf(f, ", heat reused %.3f kWh (avoids %.3f kgCO2e elsewhere: not netted above)", r->totals.heat_reused_kwh,
                r->totals.heat_avoided_kg);
    fprintf(f, "\n");
    fprintf(f, "%-10s plans minimised the %s intensity\n", "signal",
            s->policy.signal == CCS_SIGNAL_MARGINAL ? "marginal" : "average (attributional)");
    fprintf(f, "%-10s", "cost by");
    for (int k = 0; k < CCS_MONEY_KINDS; k++)
        fprintf(f, "%s %s %.2f", k ? "," : "", ccs_money_words[k], r->totals.money[k]);
    fprintf(f, " (%s)\n", s->currency);
    if (r->nconstraints) fprintf(f, "\nconstraints:\n");
    for (size_t i = 0; i < r->nconstraints; i++)
        fprintf(f, "  %-6s %s (value %g)\n", r->constraints[i].satisfied ? "met" : "BROKEN", r->constraints[i].what,
                r->constraints[i].value);
    if (s->nservices) {
        fprintf(f, "\n%-16s %10s %9s %9s %9s %8s %11s %12s %10s\n", "service", "requests", "P50 ms", "P95 ms", "P99 ms",
                "SLO miss", "energy kWh", "carbon kg", s->currency);
        for (size_t i = 0; i < s->nservices; i++) {
            const ccs_service_result *v = &r->services[i];
            fprintf(f, "%-16s %10llu %9.3f %9.3f %9.3f %7.2f%% %11.3f %12.3f %10.2f\n", s->services[i].name,
                    (unsigned long long)v->requests, v->p50_ms, v->p95_ms, v->p99_ms, 100 * v->slo_violation_frac,
                    v->charge.energy_j / CCS_J_PER_KWH, v->charge.carbon_g / 1000.0, v->charge.cost);
        }
        fprintf(f, "\n%-16s %12s %11s %12s %10s %11s %9s %9s\n", "per 1000 req", "throughput/s", "energy Wh",
                "carbon g", s->currency, "embodied g", "cache hit", "age s");
        for (size_t i = 0; i < s->nservices; i++) {
            const ccs_service_result *v = &r->services[i];
            double k = v->requests ? 1000.0 / (double)v->requests : 0.0;
            fprintf(f, "%-16s %12.1f %11.4g %12.4g %10.4g %11.4g", s->services[i].name, v->throughput_per_s,
                    v->charge.energy_j / CCS_J_PER_WH * k, v->charge.carbon_g * k, v->charge.cost * k,
                    v->embodied_kg * 1000.0 * k); /* its share per 1000 requests, like the rest of the row */
            if (v->cache_kind == CCS_CACHE_TTL)
                fprintf(f, " %8.1f%% %9.1f\n", 100 * v->cache_hit_rate, v->age_mean_s);
            else if (v->cache_kind == CCS_CACHE_FIXED)
                fprintf(f, " %8.1f%% %9s\n", 100 * v->cache_hit_rate, "-");
            else
                fprintf(f, " %9s %9s\n", "-", "-");
        }
        fprintf(f, "\n%-24s %-12s %-18s %6s %7s %6s %8s %10s %10s\n", "pool (service/stage/route)", "hardware",
                "model/variant", "batch", "util", "repl", "repl max", "busy kWh", "idle kWh");
        for (size_t i = 0; i < s->nservices; i++)
            for (size_t p = 0; p < r->services[i].npools; p++) {
                const ccs_service_pool_result *q = &r->services[i].pools[p];
                char name[96], model[96];
                snprintf(name, sizeof name, "%s/%s%s%s", s->services[i].name, q->stage, q->route ? "/" : "",
                         q->route ? q->route : "");
                snprintf(model, sizeof model, "%s%s%s", q->model ? q->model : "-", q->variant ? "/" : "",
                         q->variant ? q->variant : "");
                fprintf(f, "%-24s %-12s %-22s %6.2f %6.1f%% %6.2f %8ld %10.3f %10.3f\n", name,
                        q->hardware ? q->hardware : "-", model, q->r.mean_batch, 100 * q->r.utilisation,
                        q->r.replicas_mean, q->r.replicas_max, q->r.busy_energy_j / CCS_J_PER_KWH,
                        q->r.idle_energy_j / CCS_J_PER_KWH);
            }
    }
    if (s->njobs) {
        fprintf(f, "\n%-20s %6s %7s %7s %9s %9s %7s %8s %6s %6s %10s %10s %11s %12s %10s\n", "job", "runs", "planned",
                "misses", "overrides", "fallbacks", "skipped", "unproven", "moved", "queued", "age mean h", "age max h",
                "energy kWh", "carbon kg", s->currency);
        for (size_t i = 0; i < s->njobs; i++) {
            const ccs_job_result *j = &r->jobs[i];
            fprintf(f,
                    "%-20s %6llu %7llu %7llu %9llu %9llu %7llu %8llu %6llu %6llu %10.2f %10.2f %11.3f %12.3f "
                    "%10.2f\n",
                    s->jobs[i].name, (unsigned long long)j->runs, (unsigned long long)j->planned,
                    (unsigned long long)j->deadline_misses, (unsigned long long)j->overrides,
                    (unsigned long long)j->fallbacks, (unsigned long long)j->skipped, (unsigned long long)j->unproven,
                    (unsigned long long)j->moved, (unsigned long long)j->queued, j->freshness_mean_h,
                    j->freshness_max_h, j->charge.energy_j / CCS_J_PER_KWH, j->charge.carbon_g / 1000.0,
                    j->charge.cost);
        }
        for (size_t i = 0; i < s->njobs; i++)
            if (r->jobs[i].replans || r->jobs[i].overruns)
                fprintf(f, "%-20s re-plans that changed a plan: %llu; runs with more work than planned: %llu\n",
                        s->jobs[i].name, (unsigned long long)r->jobs[i].replans,
                        (unsigned long long)r->jobs[i].overruns);
    }
    fprintf(f, "\nregions:\n");
    for (size_t i = 0; i < s->nregions; i++) {
        const ccs_region_result *g = &r->regions[i];
        fprintf(f, "  %-10s PUE %.2f  carbon: %s [%s]  price: %s\n", g->name, g->pue, g->carbon_path, g->carbon_column,
                g->price_source);
        const ccs_region_queue *q = &r->queues[i];
        if (q->capacity_kw > 0) {
            char at[32] = "-";
            if (q->stats.peak_waiting) ccs_time_format(q->stats.peak_at_us, at, sizeof at);
            fprintf(f,
                    "  %-10s capacity %g kW: %llu runs waited %.1f h in all; at most %llu waiting at once "
                    "(first at %s); peak load %g kW\n",
                    "", q->capacity_kw, (unsigned long long)q->stats.queued_runs, q->stats.wait_h,
                    (unsigned long long)q->stats.peak_waiting, at, q->stats.peak_kw);
        }
    }
}
