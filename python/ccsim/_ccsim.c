/* ccsim._ccsim: the library seen from CPython, for the pure-Python package ccsim (__init__.py),
 * which shapes what this returns into a Result and pandas DataFrames. It loads and runs scenarios
 * and sweeps through the same calls as the CLI (ccs_scenario_load, ccs_run, the sweep's spec, runs
 * and fork pool), never the ccsim program and never its printed text. It must never print, exit or
 * hold the GIL while simulating.
 *
 * Everything a run hands to Python is built in one function, result_to_python: the summary as the
 * JSON text of summary.json (out_json.c builds it, so the two never drift), the hourly series of
 * each region as columns, and each job run as a row. The services' figures are in the summary. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "ccs_config.h"
#include "ccs_scenario.h"
#include "ccs_units.h"
#include "out_fs.h"
#include "out_json.h"
#include "run.h"
#include "sweep_pool.h"
#include "sweep_run.h"
#include "sweep_spec.h"
#include "sweep_stats.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static PyObject *ccsim_error; /* ccsim.Error, a ValueError */

/* One simulation at a time in this process, whichever Python thread asks: Debian's HDF5 (traces
 * may be HDF5 files) is built without its thread-safety, and a sweep forks its workers, which must
 * not inherit a run's half-done HDF5 state. Other Python threads still run meanwhile (the GIL is
 * released); runs in parallel are what ccsim.sweep's worker processes are for. */
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;

/* Raises ccsim.Error with the library's message ("file:line:col: ...") and its code (CCS_EINPUT,
 * CCS_EIO, CCS_ERUN) as the exception's `code`. Returns NULL for the caller to return. */
static PyObject *raise_err(const ccs_err *err)
{
    PyObject *e = PyObject_CallFunction(ccsim_error, "s", err->msg);
    if (!e) return NULL;
    PyObject *code = PyLong_FromLong(err->code);
    if (code && PyObject_SetAttrString(e, "code", code) == 0) PyErr_SetObject(ccsim_error, e);
    Py_XDECREF(code);
    Py_DECREF(e);
    return NULL;
}

/* ---- a run ------------------------------------------------------------------------------------ */

/* The overrides as C strings the scenario may keep ("kept alive for the scenario's life"). */
typedef struct str_list {
    char **v;
    size_t n;
} str_list;

static void str_list_free(str_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    *l = (str_list){0};
}

static int str_list_from(PyObject *seq, str_list *out)
{
    *out = (str_list){0};
    PyObject *fast = PySequence_Fast(seq, "overrides: expected a sequence of 'path=value' strings");
    if (!fast) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    out->v = calloc((size_t)n + 1, sizeof *out->v);
    if (!out->v) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *s = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(fast, i));
        if (!s || !(out->v[out->n] = strdup(s))) {
            if (s) PyErr_NoMemory();
            Py_DECREF(fast);
            str_list_free(out);
            return -1;
        }
        out->n++;
    }
    Py_DECREF(fast);
    return 0;
}

/* A list of n floats: v[k] for k < nv, then 0 (hours past the end of a shorter series). */
static PyObject *float_list(const double *v, size_t nv, size_t n)
{
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t k = 0; l && k < n; k++) {
        PyObject *x = PyFloat_FromDouble(k < nv ? v[k] : 0.0);
        if (!x) Py_CLEAR(l);
        if (l) PyList_SET_ITEM(l, (Py_ssize_t)k, x);
    }
    return l;
}

/* Sets d[key] = value and drops the caller's reference; value NULL (an error already raised) or a
 * failed set give -1. */
static int put(PyObject *d, const char *key, PyObject *value)
{
    if (!value) return -1;
    int rc = PyDict_SetItemString(d, key, value);
    Py_DECREF(value);
    return rc;
}

/* Region i's hours as columns, as results.h5 holds them (/regions/<name>/): the policy's run, and
 * run-now's energy on the same hours (0 past its last hour: its runs may end sooner). The hour's
 * start is in seconds since the epoch, UTC. */
static PyObject *region_hourly(const ccs_run_result *r, size_t i)
{
    ccs_hourly h, b;
    if (ccs_ledger_hourly(r->ledger, (int)i, &h) != 0 || ccs_ledger_hourly(r->baseline_ledger, (int)i, &b) != 0)
        return PyErr_NoMemory();
    const struct {
        const char *key;
        const double *v;
        size_t nv;
    } cols[] = {
        {"energy_kwh", h.energy_kwh, h.n},
        {"baseline_energy_kwh", b.energy_kwh, b.n},
        {"it_energy_kwh", h.it_energy_kwh, h.n},
        {"carbon_kg", h.carbon_kg, h.n},
        {"carbon_marginal_kg", h.carbon_marginal_kg, h.n}, /* NULL: no marginal trace, no column */
        {"cost", h.cost, h.n},
        {"intensity_g_per_kwh", h.intensity, h.n},
        {"price_per_mwh", h.price, h.n},
        {"pue", h.pue, h.n},
        {"cooling_kwh", h.cooling_kwh, h.n},
        {"water_l", h.water_l, h.n},
        {"heat_reused_kwh", h.heat_reused_kwh, h.n},
    };
    PyObject *d = PyDict_New(), *hours = PyList_New((Py_ssize_t)h.n);
    for (size_t k = 0; hours && k < h.n; k++) {
        PyObject *x = PyLong_FromLongLong(h.hour_us[k] / 1000000);
        if (!x) Py_CLEAR(hours);
        if (hours) PyList_SET_ITEM(hours, (Py_ssize_t)k, x);
    }
    int rc = !d || put(d, "hour_utc_s", hours);
    if (!d) Py_XDECREF(hours);
    for (size_t c = 0; !rc && c < sizeof cols / sizeof cols[0]; c++)
        if (cols[c].v) rc = put(d, cols[c].key, float_list(cols[c].v, cols[c].nv < h.n ? cols[c].nv : h.n, h.n));
    if (rc) Py_CLEAR(d);
    return d;
}

/* One tuple per job run, in job then release order, with JOB_RUN_COLUMNS naming its fields. Times
 * are seconds since the epoch (UTC). */
#define JOB_RUN_COLUMNS                                                                                               \
    "job", "run", "release_utc_s", "start_utc_s", "end_utc_s", "deadline_utc_s", "region", "energy_kwh", "carbon_kg", \
        "cost", "forecast_carbon_kg", "forecast_cost", "queue_wait_h", "intervals", "replans", "missed", "override",  \
        "fallback", "skipped", "unproven", "overran"
static PyObject *job_runs(const ccs_run_result *r)
{
    const ccs_scenario *s = r->scenario;
    PyObject *rows = PyList_New(0);
    for (size_t i = 0; rows && i < s->njobs; i++) {
        const ccs_job_result *j = &r->jobs[i];
        for (size_t k = 0; k < j->runs; k++) {
            const ccs_job_run_record *x = &j->records[k];
            PyObject *row = Py_BuildValue(
                "(s n L L L L s d d d d d d I I i i i i i i)", s->jobs[i].name, (Py_ssize_t)k,
                (long long)(x->release_us / 1000000), (long long)(x->start_us / 1000000),
                (long long)(x->end_us / 1000000), (long long)(x->deadline_us / 1000000), s->regions[x->region].name,
                x->energy_kwh, x->carbon_g / 1000.0, x->cost, x->forecast_carbon_g / 1000.0, x->forecast_cost,
                (double)x->wait_us / CCS_US_PER_HOUR_F, (unsigned)x->intervals, (unsigned)x->replans, x->missed,
                x->override, x->fallback, x->skipped, x->unproven, x->overran);
            if (!row || PyList_Append(rows, row) != 0) {
                Py_XDECREF(row);
                Py_CLEAR(rows);
                break;
            }
            Py_DECREF(row);
        }
    }
    return rows;
}

/* The one place a ccs_run_result becomes Python objects: {"summary_json": str, "hourly": {region:
 * {column: list}}, "job_run_columns": tuple, "job_runs": [tuple]}. */
static PyObject *result_to_python(const ccs_run_result *r)
{
    static const char *const job_cols[] = {JOB_RUN_COLUMNS};
    char *json = ccs_out_summary_dumps(r);
    if (!json) return PyErr_NoMemory();
    PyObject *d = PyDict_New();
    int rc = !d || put(d, "summary_json", PyUnicode_FromString(json));
    free(json);
    PyObject *hourly = rc ? NULL : PyDict_New();
    for (size_t i = 0; hourly && i < r->scenario->nregions; i++) {
        PyObject *h = region_hourly(r, i);
        if (!h || PyDict_SetItemString(hourly, r->scenario->regions[i].name, h) != 0) Py_CLEAR(hourly);
        Py_XDECREF(h);
    }
    rc = rc || put(d, "hourly", hourly);
    PyObject *cols = rc ? NULL : PyTuple_New(sizeof job_cols / sizeof job_cols[0]);
    for (size_t c = 0; cols && c < sizeof job_cols / sizeof job_cols[0]; c++) {
        PyObject *name = PyUnicode_FromString(job_cols[c]);
        if (!name) Py_CLEAR(cols);
        if (cols) PyTuple_SET_ITEM(cols, (Py_ssize_t)c, name);
    }
    rc = rc || put(d, "job_run_columns", cols) || put(d, "job_runs", job_runs(r));
    if (rc) Py_CLEAR(d);
    return d;
}

PyDoc_STRVAR(run_doc, "run(path, overrides) -> dict\n\n"
                      "Loads the scenario at path with the overrides ('path=value' strings, as --set takes\n"
                      "them, the last winning), runs it and returns {'summary_json', 'hourly', 'job_run_columns',\n"
                      "'job_runs'}. Raises ccsim.Error with the library's message (file:line:col) on bad\n"
                      "input or a failed run. ccsim.run() is the documented entry point.");

static PyObject *py_run(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    PyObject *seq;
    if (!PyArg_ParseTuple(args, "sO:run", &path, &seq)) return NULL;
    str_list sets;
    if (str_list_from(seq, &sets) != 0) return NULL;
    ccs_err err = {0};
    ccs_scenario *s = NULL;
    ccs_run_result *r = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS pthread_mutex_lock(&sim_lock);
    rc = ccs_scenario_load(path, sets.v, sets.n, &s, &err);
    if (!rc) rc = ccs_run(s, &r, &err);
    pthread_mutex_unlock(&sim_lock);
    Py_END_ALLOW_THREADS PyObject *out = rc ? raise_err(&err) : result_to_python(r);
    ccs_run_result_destroy(r);
    ccs_scenario_destroy(s);
    str_list_free(&sets);
    return out;
}

/* ---- a sweep ---------------------------------------------------------------------------------- */

/* What a sweep gives back: its spec (parameters and their values per point) and an outcome per run,
 * in run order (point-major, seed index minor). */
typedef struct sweep_done {
    ccs_sweep_spec *sp;
    uint64_t base_seed;
    int point_digits, seed_digits;
    ccs_sweep_outcome *o;
    size_t n;
} sweep_done;

static int digits(size_t n)
{
    int d = 1;
    for (; n >= 10; n /= 10) d++;
    return d;
}

/* Every point is loaded before anything runs, so that a bad value is an error naming the point
 * rather than a failed run in a worker (as ccsim sweep does). */
static int check_points(const char *path, const sweep_done *sw, ccs_err *err)
{
    for (size_t p = 0; p < ccs_sweep_npoints(sw->sp); p++) {
        size_t n;
        char **ov = ccs_sweep_overrides(sw->sp, p, 0, sw->base_seed, &n);
        if (!ov) return ccs_err_set(err, CCS_ERUN, "out of memory");
        ccs_scenario *s = NULL;
        int rc = ccs_scenario_load(path, ov, n - 1, &s, err);
        ccs_scenario_destroy(s);
        ccs_sweep_overrides_free(ov, n);
        if (rc) {
            ccs_err_prefix(err, "sweep point %zu: ", p);
            return rc;
        }
    }
    return 0;
}

/* Each outcome in its run's place. */
typedef struct outcomes {
    ccs_sweep_outcome *o;
    size_t n;
} outcomes;

static int keep_outcome(void *ctx, const ccs_sweep_outcome *got, ccs_err *err)
{
    (void)err;
    outcomes *all = ctx;
    if (got->run >= 0 && (size_t)got->run < all->n) all->o[got->run] = *got;
    return 0;
}

/* Runs every run of the plan on a fork pool of nworkers: the coordinator's loop of ccsim sweep,
 * without its database (nothing here resumes). */
static int run_all(const ccs_sweep_plan *plan, int nworkers, ccs_sweep_outcome *o, size_t n, ccs_err *err)
{
    const ccs_sweep_pool_type *type = &ccs_sweep_pool_fork;
    ccs_sweep_pool *pool = NULL;
    if ((size_t)nworkers > n) nworkers = (int)n;
    int rc = type->start(plan, nworkers, &pool, err);
    outcomes all = {o, n};
    if (!rc) rc = ccs_sweep_pool_drive(type, pool, NULL, n, keep_outcome, &all, err);
    if (pool) type->stop(pool);
    return rc;
}

/* The whole sweep of the scenario at path in a temporary folder (the runs write their files there;
 * it is removed after). Runs without the GIL: no Python here. */
static int sweep_execute(const char *path, int nworkers, int seeds, sweep_done *sw, ccs_err *err)
{
    *sw = (sweep_done){0};
    ccs_scenario *base = NULL;
    char real[PATH_MAX], dir[PATH_MAX], runs[PATH_MAX + 8];
    int rc = ccs_sweep_spec_load(path, seeds, &sw->sp, err);
    if (!rc) rc = ccs_scenario_load(path, NULL, 0, &base, err);
    if (!rc) {
        sw->base_seed = base->seed;
        rc = check_points(path, sw, err);
    }
    ccs_scenario_destroy(base);
    if (rc) return rc;
    size_t np = ccs_sweep_npoints(sw->sp);
    int k = ccs_sweep_seeds(sw->sp);
    sw->n = np * (size_t)k;
    sw->point_digits = digits(np - 1) < 3 ? 3 : digits(np - 1);
    sw->seed_digits = digits((size_t)k - 1) < 2 ? 2 : digits((size_t)k - 1);
    if (!realpath(path, real)) snprintf(real, sizeof real, "%s", path);
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/ccsim-sweep-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return ccs_err_at(err, CCS_EIO, dir, 0, 0, "cannot create: %s", strerror(errno));
    snprintf(runs, sizeof runs, "%s/runs", dir);
    if (ccs_fs_mkdir_p(runs) != 0) rc = ccs_err_at(err, CCS_EIO, runs, 0, 0, "cannot create: %s", strerror(errno));
    sw->o = rc ? NULL : calloc(sw->n, sizeof *sw->o);
    if (!rc && !sw->o) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; sw->o && i < sw->n; i++) /* a run no worker returned stays failed */
        sw->o[i] = (ccs_sweep_outcome){.run = (int64_t)i, .status = CCS_ERUN, .message = "not run"};
    ccs_sweep_plan plan = {real, dir, sw->sp, sw->base_seed, sw->point_digits, sw->seed_digits};
    if (!rc) rc = run_all(&plan, nworkers, sw->o, sw->n, err);
    ccs_fs_remove_tree(dir);
    return rc;
}

static void sweep_done_free(sweep_done *sw)
{
    ccs_sweep_spec_destroy(sw->sp);
    free(sw->o);
    *sw = (sweep_done){0};
}

/* Whether the sweep varies the parameter at path: its column then says the policy (or the
 * tolerance), and sweep.csv writes no second one (sweep_export.c). */
static int sweep_varies(const sweep_done *sw, const char *path)
{
    for (size_t i = 0; i < ccs_sweep_nparams(sw->sp); i++)
        if (strcmp(ccs_sweep_param_path(sw->sp, i), path) == 0) return 1;
    return 0;
}

static int with_policy(const sweep_done *sw) { return !sweep_varies(sw, "policy.name"); }

static int with_tolerance(const sweep_done *sw)
{
    char path[96];
    snprintf(path, sizeof path, "policy.%s", ccs_sweep_tolerance_column());
    return !sweep_varies(sw, path);
}

/* The column names of the sweep table: sweep.csv's (sweep_export.c), the parameters' paths after
 * the run's place. */
static PyObject *sweep_columns(const sweep_done *sw)
{
    static const char *const head[] = {"run", "point", "seed_index", "seed"};
    static const char *const tail[] = {"energy_kwh",
                                       "carbon_kg",
                                       "cost",
                                       "baseline_energy_kwh",
                                       "baseline_carbon_kg",
                                       "baseline_cost",
                                       "carbon_saved_pct",
                                       "cost_change_pct",
                                       "p95_ms",
                                       "baseline_p95_ms",
                                       "freshness_h",
                                       "baseline_freshness_h",
                                       "deadline_misses",
                                       "baseline_deadline_misses",
                                       "overrides",
                                       "slo_met",
                                       "slo_total",
                                       "events",
                                       "fallbacks",
                                       "unproven",
                                       "constraints_broken"};
    PyObject *l = PyList_New(0);
    size_t np = ccs_sweep_nparams(sw->sp);
    for (size_t i = 0; l && i < 4 + np + 3 + sizeof tail / sizeof tail[0]; i++) {
        const char *name = i < 4             ? head[i]
                           : i < 4 + np      ? ccs_sweep_param_path(sw->sp, i - 4)
                           : i == 4 + np     ? "status"
                           : i == 4 + np + 1 ? "policy"
                           : i == 4 + np + 2 ? ccs_sweep_tolerance_column()
                                             : tail[i - 4 - np - 3];
        if ((i == 4 + np + 1 && !with_policy(sw)) || (i == 4 + np + 2 && !with_tolerance(sw))) continue;
        PyObject *s = PyUnicode_FromString(name);
        if (!s || PyList_Append(l, s) != 0) Py_CLEAR(l);
        Py_XDECREF(s);
    }
    return l;
}

/* One run's row, in sweep_columns' order. */
static PyObject *sweep_row(const sweep_done *sw, size_t run)
{
    const ccs_sweep_outcome *o = &sw->o[run];
    size_t np = ccs_sweep_nparams(sw->sp), point = run / (size_t)ccs_sweep_seeds(sw->sp);
    int k = (int)(run % (size_t)ccs_sweep_seeds(sw->sp));
    ccs_sweep_plan plan = {.spec = sw->sp, .point_digits = sw->point_digits, .seed_digits = sw->seed_digits};
    char name[64];
    ccs_sweep_run_name(&plan, (int64_t)run, name, sizeof name);
    PyObject *params = PyTuple_New((Py_ssize_t)np);
    for (size_t i = 0; params && i < np; i++) {
        char v[256];
        ccs_sweep_display_value(ccs_sweep_value(sw->sp, point, i), v, sizeof v);
        PyObject *s = PyUnicode_FromString(v);
        if (!s) Py_CLEAR(params);
        if (params) PyTuple_SET_ITEM(params, (Py_ssize_t)i, s);
    }
    if (!params) return NULL;
    double saved = o->base_carbon_kg != 0 ? 100.0 * (o->base_carbon_kg - o->carbon_kg) / o->base_carbon_kg : NAN;
    double change = o->base_cost != 0 ? 100.0 * (o->cost - o->base_cost) / fabs(o->base_cost) : NAN;
    PyObject *head = Py_BuildValue("(s n n K)", name, (Py_ssize_t)point, (Py_ssize_t)k,
                                   (unsigned long long)sw->base_seed + (unsigned long long)k);
    /* figures the run does not have (no jobs, no services) are None, empty cells in sweep.csv */
    const int nojobs = o->absent & CCS_SWEEP_NO_JOBS, nosvc = o->absent & CCS_SWEEP_NO_SERVICES;
    PyObject *cnt[9] = {
        nojobs ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(o->misses),
        nojobs ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(o->baseline_misses),
        nojobs ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(o->overrides),
        nosvc ? Py_NewRef(Py_None) : PyLong_FromLong(o->slo_met),
        nosvc ? Py_NewRef(Py_None) : PyLong_FromLong(o->slo_total),
        PyLong_FromUnsignedLongLong(o->events),
        nojobs ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(o->fallbacks),
        nojobs ? Py_NewRef(Py_None) : PyLong_FromUnsignedLongLong(o->unproven),
        PyLong_FromUnsignedLongLong(o->constraints_broken),
    };
    PyObject *rest = Py_BuildValue(
        "(s d d d d d d d d d d d d NNNNNNNNN)", o->status ? "failed" : "done", o->energy_kwh, o->carbon_kg, o->cost,
        o->base_energy_kwh, o->base_carbon_kg, o->base_cost, saved, change, o->p95_ms, o->base_p95_ms, o->freshness_h,
        o->base_freshness_h, cnt[0], cnt[1], cnt[2], cnt[3], cnt[4], cnt[5], cnt[6], cnt[7], cnt[8]);
    /* the policy and tolerance columns, where sweep.csv has them, after the status */
    if (rest && (with_policy(sw) || with_tolerance(sw))) {
        PyObject *status = PyTuple_GetSlice(rest, 0, 1), *figures = PyTuple_GetSlice(rest, 1, PyTuple_GET_SIZE(rest));
        PyObject *mid = with_policy(sw) && with_tolerance(sw) ? Py_BuildValue("(s d)", o->policy, o->cost_tolerance)
                        : with_policy(sw)                     ? Py_BuildValue("(s)", o->policy)
                                                              : Py_BuildValue("(d)", o->cost_tolerance);
        PyObject *sm = status && mid ? PySequence_Concat(status, mid) : NULL;
        Py_CLEAR(rest);
        rest = sm && figures ? PySequence_Concat(sm, figures) : NULL;
        Py_XDECREF(status);
        Py_XDECREF(figures);
        Py_XDECREF(mid);
        Py_XDECREF(sm);
    }
    PyObject *a = head && rest ? PySequence_Concat(head, params) : NULL;
    PyObject *row = a ? PySequence_Concat(a, rest) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(head);
    Py_XDECREF(rest);
    Py_DECREF(params);
    return row;
}

PyDoc_STRVAR(sweep_doc, "sweep(path, jobs, seeds) -> (columns, rows)\n\n"
                        "Runs every point and seed of the sweep section of the scenario at path on jobs\n"
                        "worker processes (0: one per core), seeds > 0 replacing the section's; returns the\n"
                        "columns of sweep.csv and a tuple per run. Raises ccsim.Error on bad input or if a run\n"
                        "failed. ccsim.sweep() is the documented entry point.");

static PyObject *py_sweep(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    int jobs, seeds;
    if (!PyArg_ParseTuple(args, "sii:sweep", &path, &jobs, &seeds)) return NULL;
    if (jobs <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 && c < INT_MAX ? (int)c : 1;
    }
    ccs_err err = {0};
    sweep_done sw;
    int rc;
    Py_BEGIN_ALLOW_THREADS pthread_mutex_lock(&sim_lock);
    rc = sweep_execute(path, jobs, seeds, &sw, &err);
    pthread_mutex_unlock(&sim_lock);
    Py_END_ALLOW_THREADS for (size_t i = 0; !rc && i < sw.n; i++) if (sw.o[i].status != 0)
    {
        char name[64];
        ccs_sweep_plan plan = {.spec = sw.sp, .point_digits = sw.point_digits, .seed_digits = sw.seed_digits};
        ccs_sweep_run_name(&plan, (int64_t)i, name, sizeof name);
        rc = ccs_err_set(&err, sw.o[i].status, "sweep run %s failed: %s", name, sw.o[i].message);
    }
    PyObject *out = NULL;
    if (rc) {
        raise_err(&err);
    } else {
        PyObject *cols = sweep_columns(&sw), *rows = PyTuple_New((Py_ssize_t)sw.n);
        for (size_t i = 0; cols && rows && i < sw.n; i++) {
            PyObject *row = sweep_row(&sw, i);
            if (!row) Py_CLEAR(rows);
            if (rows) PyTuple_SET_ITEM(rows, (Py_ssize_t)i, row);
        }
        if (cols && rows) out = PyTuple_Pack(2, cols, rows);
        Py_XDECREF(cols);
        Py_XDECREF(rows);
    }
    sweep_done_free(&sw);
    return out;
}

/* ---- the module ------------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"run", py_run, METH_VARARGS, run_doc},
    {"sweep", py_sweep, METH_VARARGS, sweep_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ccsim._ccsim",
    .m_doc = "The C library of ccsim for the ccsim package: use ccsim.run and ccsim.sweep.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__ccsim(void)
{
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    ccsim_error = PyErr_NewExceptionWithDoc("ccsim.Error",
                                            "A scenario, trace or sweep the library refused, or a run that failed. The "
                                            "message says where (file:line:col) and what was expected; `code` is the "
                                            "exit status ccsim would give (2 input, 3 files, 4 run).",
                                            PyExc_ValueError, NULL);
    if (!ccsim_error || PyModule_AddObjectRef(m, "Error", ccsim_error) < 0 ||
        PyModule_AddStringConstant(m, "version", CCS_VERSION) < 0 ||
        PyModule_AddStringConstant(m, "source_dir", CCS_SOURCE_DIR) < 0 ||
        PyModule_AddStringConstant(m, "library_dir", ccs_library_dir()) < 0) {
        Py_CLEAR(ccsim_error);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
