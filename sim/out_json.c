/* Summary writer; see out_json.h. */
#include "out_json.h"

#include "ccs_time.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static json_t *totals_json(const ccs_totals *t)
{
    return json_pack("{s:f, s:f, s:f}", "energy_kwh", t->energy_kwh, "carbon_kg", t->carbon_kg,
                     "cost", t->cost);
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
    json_object_set_new(root, "policy", json_string(r->policy));
    json_object_set_new(root, "currency", json_string(s->currency));
    json_object_set_new(root, "totals", totals_json(&r->totals));
    json_object_set_new(root, "baseline", totals_json(&r->baseline));
    json_object_set_new(root, "delta", json_pack("{s:f, s:f}", "carbon_pct", r->delta_carbon_pct,
                                                 "cost_pct", r->delta_cost_pct));
    json_t *services = json_array();
    for (size_t i = 0; i < s->nservices; i++) {
        const ccs_service_result *v = &r->services[i];
        json_array_append_new(
            services,
            json_pack("{s:s, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "name", s->services[i].name,
                      "requests", (json_int_t)v->requests, "p50_ms", v->p50_ms, "p95_ms", v->p95_ms,
                      "p99_ms", v->p99_ms, "slo_violation_frac", v->slo_violation_frac, "energy_kwh",
                      v->charge.energy_j / 3.6e6, "carbon_kg", v->charge.carbon_g / 1000.0, "cost",
                      v->charge.cost));
    }
    json_object_set_new(root, "services", services);
    json_t *jobs = json_array();
    for (size_t i = 0; i < s->njobs; i++) {
        const ccs_job_result *j = &r->jobs[i];
        json_array_append_new(
            jobs, json_pack("{s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "name", s->jobs[i].name,
                            "runs", (json_int_t)j->runs, "deadline_misses",
                            (json_int_t)j->deadline_misses, "freshness_mean_h", j->freshness_mean_h,
                            "freshness_max_h", j->freshness_max_h, "energy_kwh",
                            j->charge.energy_j / 3.6e6, "carbon_kg", j->charge.carbon_g / 1000.0,
                            "cost", j->charge.cost));
    }
    json_object_set_new(root, "jobs", jobs);
    /* Beyond the contract: the period and where each region's signals came from. */
    json_object_set_new(root, "period", json_pack("{s:s, s:s}", "start", start, "end", end));
    json_t *regions = json_array();
    for (size_t i = 0; i < s->nregions; i++) {
        const ccs_region_result *g = &r->regions[i];
        json_array_append_new(
            regions, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f}", "name", g->name,
                               "carbon_trace", g->carbon_path, "carbon_column", g->carbon_column,
                               "price_source", g->price_source, "pue", g->pue, "energy_kwh",
                               g->totals.energy_kwh, "carbon_kg", g->totals.carbon_kg, "cost",
                               g->totals.cost));
    }
    json_object_set_new(root, "regions", regions);
    return root;
}

#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

int ccs_out_summary_write(const ccs_run_result *r, const char *path, ccs_err *err)
{
    json_t *root = summary_json(r);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int bad = !f || json_dumpf(root, f, JSON_FLAGS) != 0 || fputc('\n', f) == EOF;
    if (f) bad |= fclose(f) != 0;
    json_decref(root);
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write the summary");
    }
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

void ccs_out_summary_text(const ccs_run_result *r, FILE *f)
{
    const ccs_scenario *s = r->scenario;
    char start[32], end[32];
    ccs_time_format(s->start_us, start, sizeof start);
    ccs_time_format(s->end_us, end, sizeof end);
    fprintf(f, "scenario %s  seed %llu  policy %s  %s .. %s\n\n", s->name,
            (unsigned long long)s->seed, r->policy, start, end);
    fprintf(f, "%-10s %14s %14s %14s\n", "", "energy kWh", "carbon kgCO2e", s->currency);
    fprintf(f, "%-10s %14.3f %14.3f %14.2f\n", "total", r->totals.energy_kwh, r->totals.carbon_kg,
            r->totals.cost);
    fprintf(f, "%-10s %14.3f %14.3f %14.2f\n", "run-now", r->baseline.energy_kwh,
            r->baseline.carbon_kg, r->baseline.cost);
    fprintf(f, "%-10s %14s %+13.2f%% %+13.2f%%\n", "change", "", r->delta_carbon_pct, r->delta_cost_pct);
    if (s->nservices) {
        fprintf(f, "\n%-16s %10s %9s %9s %9s %8s %11s %12s %10s\n", "service", "requests", "P50 ms",
                "P95 ms", "P99 ms", "SLO miss", "energy kWh", "carbon kg", s->currency);
        for (size_t i = 0; i < s->nservices; i++) {
            const ccs_service_result *v = &r->services[i];
            fprintf(f, "%-16s %10llu %9.3f %9.3f %9.3f %7.2f%% %11.3f %12.3f %10.2f\n",
                    s->services[i].name, (unsigned long long)v->requests, v->p50_ms, v->p95_ms,
                    v->p99_ms, 100 * v->slo_violation_frac, v->charge.energy_j / 3.6e6,
                    v->charge.carbon_g / 1000.0, v->charge.cost);
        }
    }
    if (s->njobs) {
        fprintf(f, "\n%-16s %6s %7s %10s %10s %11s %12s %10s\n", "job", "runs", "misses",
                "age mean h", "age max h", "energy kWh", "carbon kg", s->currency);
        for (size_t i = 0; i < s->njobs; i++) {
            const ccs_job_result *j = &r->jobs[i];
            fprintf(f, "%-16s %6llu %7llu %10.2f %10.2f %11.3f %12.3f %10.2f\n", s->jobs[i].name,
                    (unsigned long long)j->runs, (unsigned long long)j->deadline_misses,
                    j->freshness_mean_h, j->freshness_max_h, j->charge.energy_j / 3.6e6,
                    j->charge.carbon_g / 1000.0, j->charge.cost);
        }
    }
    fprintf(f, "\nregions:\n");
    for (size_t i = 0; i < s->nregions; i++) {
        const ccs_region_result *g = &r->regions[i];
        fprintf(f, "  %-10s PUE %.2f  carbon: %s [%s]  price: %s\n", g->name, g->pue, g->carbon_path,
                g->carbon_column, g->price_source);
    }
}
