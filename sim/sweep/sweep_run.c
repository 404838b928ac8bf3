/* A sweep's run; see sweep_run.h. */
#include "sweep_run.h"

#include "ccs_scenario.h"
#include "out_fs.h"
#include "out_run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void ccs_sweep_run_name(const ccs_sweep_plan *p, int64_t run, char *buf, size_t size)
{
    int k = ccs_sweep_seeds(p->spec);
    snprintf(buf, size, "p%0*lld-s%0*d", p->point_digits, (long long)(run / k), p->seed_digits, (int)(run % k));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ccs_sweep_run_exec(const ccs_sweep_plan *p, int64_t run, ccs_sweep_outcome *o)
{
    double t0 = now_s();
    memset(o, 0, sizeof *o);
    o->run = run;
    char host[32] = "";
    gethostname(host, sizeof host - 1);
    snprintf(o->worker, sizeof o->worker, "%s:%ld", host, (long)getpid());
    int k = ccs_sweep_seeds(p->spec);
    size_t nov = 0;
    char **ov = ccs_sweep_overrides(p->spec, (size_t)(run / k), (int)(run % k), p->base_seed, &nov);
    ccs_err err = {0};
    ccs_scenario *s = NULL;
    ccs_run_result *r = NULL;
    char name[64], tmp[4200], final[4200];
    ccs_sweep_run_name(p, run, name, sizeof name);
    snprintf(final, sizeof final, "%s/runs/%s", p->out_dir, name);
    snprintf(tmp, sizeof tmp, "%s/runs/.%s.tmp.%ld", p->out_dir, name, (long)getpid());
    int rc = ov ? 0 : ccs_err_set(&err, CCS_ERUN, "out of memory");
    if (!rc) rc = ccs_scenario_load(p->scenario_path, ov, nov, &s, &err);
    if (!rc) {
        ccs_fs_remove_tree(tmp);
        if (mkdir(tmp, 0777) != 0) rc = ccs_err_at(&err, CCS_EIO, tmp, 0, 0, "cannot create: %s", strerror(errno));
    }
    if (!rc) rc = ccs_out_run_into(s, NULL, tmp, &r, &err);
    /* A folder left by a run that finished but was never recorded (the coordinator died between
     * the two) is replaced: the run is deterministic, so its content is the same. */
    if (!rc) ccs_fs_remove_tree(final);
    if (!rc && rename(tmp, final) != 0)
        rc = ccs_err_at(&err, CCS_EIO, final, 0, 0, "cannot rename the run folder into place: %s", strerror(errno));
    if (rc) ccs_fs_remove_tree(tmp);
    if (!rc) {
        o->cost_tolerance = ccs_policy_cost_tolerance(&s->policy);
        snprintf(o->policy, sizeof o->policy, "%s", r->policy);
        o->events = r->events;
        o->energy_kwh = r->totals.energy_kwh;
        o->carbon_kg = r->totals.carbon_kg;
        o->cost = r->totals.cost;
        o->base_energy_kwh = r->baseline.energy_kwh;
        o->base_carbon_kg = r->baseline.carbon_kg;
        o->base_cost = r->baseline.cost;
        /* ccs_outcome gives 0 for a figure the scenario cannot have; here it is NaN, stored as
         * NULL and written as an empty cell */
        o->absent = (s->nservices ? 0 : CCS_SWEEP_NO_SERVICES) | (s->njobs ? 0 : CCS_SWEEP_NO_JOBS);
        o->p95_ms = s->nservices ? r->outcome.p95_ms : NAN;
        o->base_p95_ms = s->nservices ? r->baseline_outcome.p95_ms : NAN;
        o->freshness_h = s->njobs ? r->outcome.freshness_h : NAN;
        o->base_freshness_h = s->njobs ? r->baseline_outcome.freshness_h : NAN;
        o->misses = r->outcome.misses;
        o->baseline_misses = r->baseline_outcome.misses;
        o->overrides = r->outcome.overrides;
        o->fallbacks = r->outcome.fallbacks;
        o->unproven = r->outcome.unproven;
        o->slo_met = r->outcome.slo_met;
        o->slo_total = r->outcome.slo_total;
        o->constraints_broken = r->outcome.constraints_broken;
        for (size_t j = 0; j < s->njobs; j++) {
            const ccs_job_result *jr = &r->jobs[j];
            o->planned_cost += jr->forecast_cost;
            o->jobs_cost += jr->charge.cost;
            if (s->jobs[j].limits.max_cost >= 0) o->capped_runs += jr->runs - jr->skipped;
            o->runs_over_cap += jr->over_max_cost;
        }
    } else {
        o->status = err.code ? err.code : CCS_ERUN;
        snprintf(o->message, sizeof o->message, "%s", err.msg);
    }
    ccs_run_result_destroy(r);
    ccs_scenario_destroy(s);
    ccs_sweep_overrides_free(ov, nov);
    o->wall_s = now_s() - t0;
}

const char *ccs_sweep_tolerance_column(void)
{
    const char *key = ccs_policy_cost_tolerance_key();
    return key ? key : "cost_tolerance";
}
