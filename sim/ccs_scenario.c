/* Scenario schema, loading and cross-checks; see ccs_scenario.h. Adding a key is one row in a
 * table below (and a field in the struct). */
#include "ccs_scenario.h"

#include "ccs_time.h"
#include "ccs_trace.h"
#include "ccs_yaml.h"
#include "policy.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_RANGE 1, 0
#define AT_LEAST(x) (x), INFINITY
#define NOPOS ((size_t)-1)

static const char *const fill_words[] = {"none", "previous", "linear", NULL};
static const char *const process_words[] = {"poisson", "trace-counts", "trace-replay", NULL};
static const char *const dist_words[] = {"exponential", "deterministic", NULL};
static const char *const forecast_words[] = {"perfect", "persistence", "noisy", NULL};

/* ---- trace reference: a path, or {file, column, fill} ---- */
static const ccs_field trace_fields[] = {
    {"file", CCS_F_PATH, offsetof(ccs_trace_ref, file), 1, NO_RANGE, NULL, NULL, 0,
     "a CSV or HDF5 path, relative to the scenario file", NULL},
    {"column", CCS_F_STR, offsetof(ccs_trace_ref, column), 0, NO_RANGE, NULL, NULL, 0,
     "the name of the value column", NULL},
    {"fill", CCS_F_ENUM, offsetof(ccs_trace_ref, fill), 0, NO_RANGE, fill_words, NULL, 0,
     "none, previous or linear", NULL},
};
static const ccs_schema trace_schema = {"trace", sizeof(ccs_trace_ref), trace_fields,
                                        sizeof trace_fields / sizeof trace_fields[0], NOPOS, NULL};

/* ---- regions ---- */
static void region_defaults(void *p)
{
    ccs_region_cfg *r = p;
    r->pue = 1.0;
    r->fixed_price_per_mwh = -1;
}
static const ccs_field region_fields[] = {
    {"name", CCS_F_STR, offsetof(ccs_region_cfg, name), 1, NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"carbon", CCS_F_MAP, offsetof(ccs_region_cfg, carbon), 1, NO_RANGE, NULL, &trace_schema, 0,
     "a carbon-intensity trace path or {file, column, fill}", "file"},
    {"price", CCS_F_MAP, offsetof(ccs_region_cfg, price), 0, NO_RANGE, NULL, &trace_schema, 0,
     "an electricity price trace path (currency/MWh) or {file, column, fill}", "file"},
    {"tariff_per_mwh", CCS_F_DOUBLE, offsetof(ccs_region_cfg, fixed_price_per_mwh), 0, NO_RANGE,
     NULL, NULL, 0, "a stated flat electricity tariff, currency/MWh", NULL},
    {"pue", CCS_F_DOUBLE, offsetof(ccs_region_cfg, pue), 0, 1.0, 3.0, NULL, NULL, 0,
     "a power usage effectiveness", NULL},
    {"capacity_kw", CCS_F_DOUBLE, offsetof(ccs_region_cfg, capacity_kw), 0, AT_LEAST(0), NULL, NULL,
     0, "a capacity in kW (0: unlimited)", NULL},
};
static const ccs_schema region_schema = {"region", sizeof(ccs_region_cfg), region_fields,
                                         sizeof region_fields / sizeof region_fields[0],
                                         offsetof(ccs_region_cfg, pos), region_defaults};

/* ---- hardware ---- */
static void hardware_defaults(void *p)
{
    ccs_hardware_cfg *h = p;
    h->price_per_hour = -1;
    h->lifetime_h = 5 * 8760;
}
static const ccs_field hardware_fields[] = {
    {"name", CCS_F_STR, offsetof(ccs_hardware_cfg, name), 1, NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"idle_w", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, idle_w), 1, AT_LEAST(0), NULL, NULL, 0,
     "idle power in W", NULL},
    {"max_w", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, max_w), 1, AT_LEAST(0), NULL, NULL, 0,
     "power at full utilisation in W", NULL},
    {"price_per_hour", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, price_per_hour), 0, AT_LEAST(0),
     NULL, NULL, 0, "an instance price in currency/hour", NULL},
    {"embodied_kg", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, embodied_kg), 0, AT_LEAST(0), NULL,
     NULL, 0, "manufacturing emissions in kgCO2e", NULL},
    {"lifetime_h", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, lifetime_h), 0, AT_LEAST(1), NULL, NULL,
     0, "a service life in hours", NULL},
};
static const ccs_schema hardware_schema = {"hardware profile", sizeof(ccs_hardware_cfg),
                                           hardware_fields,
                                           sizeof hardware_fields / sizeof hardware_fields[0],
                                           offsetof(ccs_hardware_cfg, pos), hardware_defaults};

/* ---- services ---- */
typedef struct service_time_cfg { int dist; double mean_ms; } service_time_cfg;
static const ccs_field arrivals_fields[] = {
    {"process", CCS_F_ENUM, offsetof(ccs_arrivals_cfg, process), 0, NO_RANGE, process_words, NULL, 0,
     "poisson, trace-counts or trace-replay", NULL},
    {"rate_per_s", CCS_F_DOUBLE, offsetof(ccs_arrivals_cfg, rate_per_s), 0, 1e-9, 1e9, NULL, NULL, 0,
     "a mean arrival rate in requests/s", NULL},
    {"scale", CCS_F_DOUBLE, offsetof(ccs_arrivals_cfg, scale), 0, 1e-12, 1e12, NULL, NULL, 0,
     "a factor on the trace's counts", NULL},
    {"trace", CCS_F_PATH, offsetof(ccs_arrivals_cfg, trace), 0, NO_RANGE, NULL, NULL, 0,
     "a traffic trace path, relative to the scenario file", NULL},
    {"offset", CCS_F_DURATION, offsetof(ccs_arrivals_cfg, offset_us), 0, NO_RANGE, NULL, NULL, 0,
     "how far into the trace the period starts, such as 3d", NULL},
    {"loop", CCS_F_BOOL, offsetof(ccs_arrivals_cfg, loop), 0, NO_RANGE, NULL, NULL, 0,
     "true or false", NULL},
};
static const ccs_schema arrivals_schema = {"arrivals", sizeof(ccs_arrivals_cfg), arrivals_fields,
                                           sizeof arrivals_fields / sizeof arrivals_fields[0],
                                           NOPOS, NULL};
static const ccs_field service_time_fields[] = {
    {"dist", CCS_F_ENUM, offsetof(service_time_cfg, dist), 0, NO_RANGE, dist_words, NULL, 0,
     "exponential or deterministic", NULL},
    {"mean_ms", CCS_F_DOUBLE, offsetof(service_time_cfg, mean_ms), 1, 1e-3, 1e9, NULL, NULL, 0,
     "a mean service time in ms", NULL},
};
static const ccs_schema service_time_schema = {"service_time", sizeof(service_time_cfg),
                                               service_time_fields, 2, NOPOS, NULL};
static void service_defaults(void *p) { ((ccs_service_cfg *)p)->replicas = 1; }
static const ccs_field service_fields[] = {
    {"name", CCS_F_STR, offsetof(ccs_service_cfg, name), 1, NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"region", CCS_F_STR, offsetof(ccs_service_cfg, region), 0, NO_RANGE, NULL, NULL, 0,
     "a region name", NULL},
    {"hardware", CCS_F_STR, offsetof(ccs_service_cfg, hardware), 0, NO_RANGE, NULL, NULL, 0,
     "a hardware profile name", NULL},
    {"arrivals", CCS_F_MAP, offsetof(ccs_service_cfg, arrivals), 1, NO_RANGE, NULL,
     &arrivals_schema, 0, "{process: poisson, rate_per_s: R} or {process: trace-counts, trace: PATH, rate_per_s: R}", NULL},
    {"service_time", CCS_F_MAP, offsetof(ccs_service_cfg, service_time), 1, NO_RANGE, NULL,
     &service_time_schema, 0, "{dist: exponential|deterministic, mean_ms: M}", NULL},
    {"replicas", CCS_F_INT, offsetof(ccs_service_cfg, replicas), 0, 1, 1e6, NULL, NULL, 0,
     "a number of replicas", NULL},
    {"slo_p95_ms", CCS_F_DOUBLE, offsetof(ccs_service_cfg, slo_p95_ms), 0, AT_LEAST(0), NULL, NULL,
     0, "a P95 latency objective in ms", NULL},
};
static const ccs_schema service_schema = {"service", sizeof(ccs_service_cfg), service_fields,
                                          sizeof service_fields / sizeof service_fields[0],
                                          offsetof(ccs_service_cfg, pos), service_defaults};

/* ---- jobs ---- */
typedef struct release_cfg { int64_t every_us, at_us; } release_cfg;
static const ccs_field release_fields[] = {
    {"every", CCS_F_DURATION, offsetof(release_cfg, every_us), 1, 1, INFINITY, NULL, NULL, 0,
     "a period such as 24h", NULL},
    {"at", CCS_F_CLOCK, offsetof(release_cfg, at_us), 0, NO_RANGE, NULL, NULL, 0,
     "a UTC clock time \"HH:MM\"", NULL},
};
static const ccs_schema release_schema = {"release", sizeof(release_cfg), release_fields, 2, NOPOS,
                                          NULL};
static const ccs_field job_fields[] = {
    {"name", CCS_F_STR, offsetof(ccs_job_cfg, name), 1, NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"release", CCS_F_MAP, offsetof(ccs_job_cfg, release), 1, NO_RANGE, NULL, &release_schema, 0,
     "{every: 24h, at: \"HH:MM\"}", NULL},
    {"duration", CCS_F_DURATION, offsetof(ccs_job_cfg, duration_us), 1, 1e-6, INFINITY, NULL, NULL,
     0, "a run time such as 30m", NULL},
    {"power_kw", CCS_F_DOUBLE, offsetof(ccs_job_cfg, power_kw), 1, AT_LEAST(0), NULL, NULL, 0,
     "the job's IT power in kW", NULL},
    {"deadline", CCS_F_DURATION, offsetof(ccs_job_cfg, deadline_us), 0, NO_RANGE, NULL, NULL, 0,
     "a time after release such as 4h30m", NULL},
    {"interruptible", CCS_F_BOOL, offsetof(ccs_job_cfg, interruptible), 0, NO_RANGE, NULL, NULL, 0,
     "true or false", NULL},
    {"regions", CCS_F_STRLIST, offsetof(ccs_job_cfg, regions), 0, NO_RANGE, NULL, NULL,
     offsetof(ccs_job_cfg, nregions), "a list of region names", NULL},
};
static const ccs_schema job_schema = {"job", sizeof(ccs_job_cfg), job_fields,
                                      sizeof job_fields / sizeof job_fields[0],
                                      offsetof(ccs_job_cfg, pos), NULL};

/* ---- policy ---- */
static const ccs_field policy_fields[] = {
    {"name", CCS_F_STR, offsetof(ccs_policy_cfg, name), 0, NO_RANGE, NULL, NULL, 0,
     "a policy name", NULL},
    {"forecast", CCS_F_ENUM, offsetof(ccs_policy_cfg, forecast), 0, NO_RANGE, forecast_words, NULL,
     0, "perfect, persistence or noisy", NULL},
    {"price_tolerance", CCS_F_DOUBLE, offsetof(ccs_policy_cfg, price_tolerance), 0, 0, 10, NULL,
     NULL, 0, "a fraction over the run-now cost", NULL},
};
static const ccs_schema policy_schema = {"policy", sizeof(ccs_policy_cfg), policy_fields, 3, NOPOS,
                                         NULL};

/* ---- top level ---- */
static void scenario_defaults(void *p) { ((ccs_scenario *)p)->seed = 1; }
static const ccs_field scenario_fields[] = {
    {"name", CCS_F_STR, offsetof(ccs_scenario, name), 0, NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"start", CCS_F_TIME, offsetof(ccs_scenario, start_us), 0, NO_RANGE, NULL, NULL, 0,
     "an ISO 8601 UTC start time such as \"2023-01-01T00:00:00Z\"", NULL},
    {"end", CCS_F_TIME, offsetof(ccs_scenario, end_us), 0, NO_RANGE, NULL, NULL, 0,
     "an ISO 8601 UTC end time", NULL},
    {"duration", CCS_F_DURATION, offsetof(ccs_scenario, duration_us), 0, 1e-6, INFINITY, NULL, NULL,
     0, "a length such as 7d or 8772h", NULL},
    {"warmup", CCS_F_DURATION, offsetof(ccs_scenario, warmup_us), 0, NO_RANGE, NULL, NULL, 0,
     "a time at the start whose requests are left out of latency statistics", NULL},
    {"seed", CCS_F_UINT64, offsetof(ccs_scenario, seed), 0, NO_RANGE, NULL, NULL, 0,
     "a non-negative integer", NULL},
    {"currency", CCS_F_STR, offsetof(ccs_scenario, currency), 0, NO_RANGE, NULL, NULL, 0,
     "a currency code such as EUR or USD", NULL},
    {"regions", CCS_F_LIST, offsetof(ccs_scenario, regions), 0, NO_RANGE, NULL, &region_schema,
     offsetof(ccs_scenario, nregions), "a list of regions with a carbon trace each", NULL},
    {"hardware", CCS_F_LIST, offsetof(ccs_scenario, hardware), 0, NO_RANGE, NULL, &hardware_schema,
     offsetof(ccs_scenario, nhardware), "a list of hardware profiles", NULL},
    {"services", CCS_F_LIST, offsetof(ccs_scenario, services), 0, NO_RANGE, NULL, &service_schema,
     offsetof(ccs_scenario, nservices), "a list of services", NULL},
    {"jobs", CCS_F_LIST, offsetof(ccs_scenario, jobs), 0, NO_RANGE, NULL, &job_schema,
     offsetof(ccs_scenario, njobs), "a list of jobs", NULL},
    {"policy", CCS_F_MAP, offsetof(ccs_scenario, policy), 0, NO_RANGE, NULL, &policy_schema, 0,
     "{name: run-now, forecast: perfect}", NULL},
};
static const ccs_schema scenario_schema = {"scenario", sizeof(ccs_scenario), scenario_fields,
                                           sizeof scenario_fields / sizeof scenario_fields[0],
                                           NOPOS, scenario_defaults};

/* ---- cross-checks ---- */

static int pos_err(ccs_err *err, const ccs_src_pos *pos, const char *fmt, const char *a,
                   const char *b, const char *c)
{
    return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col, fmt, a, b, c);
}

#define CHECK_UNIQUE(arr, n, what)                                                              \
    for (size_t i = 0; i < (n); i++)                                                            \
        for (size_t j = 0; j < i; j++)                                                          \
            if (strcmp((arr)[i].name, (arr)[j].name) == 0)                                      \
                return pos_err(err, &(arr)[i].pos, "%s: duplicate %s name '%s': names must be unique", \
                               what, what, (arr)[i].name);

static void names_of_regions(const ccs_scenario *s, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < s->nregions; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, s->regions[i].name, size - strlen(buf) - 1);
    }
}

static int cross_check(ccs_scenario *s, const ccs_ynode *root, ccs_err *err)
{
    const ccs_ynode *end = ccs_yaml_get(root, "end"), *dur = ccs_yaml_get(root, "duration");
    if (end && dur)
        return ccs_err_at(err, CCS_EINPUT, dur->file, dur->line, dur->col,
                          "duration: give either 'end' or 'duration', not both");
    if (!end && !dur)
        return ccs_err_at(err, CCS_EINPUT, root->file, root->line, root->col,
                          "missing key 'duration' (or 'end') in scenario: expected the length of "
                          "the simulated period, such as 7d");
    if (dur) s->end_us = s->start_us + s->duration_us;
    if (s->end_us <= s->start_us)
        return ccs_err_at(err, CCS_EINPUT, end->file, end->line, end->col,
                          "end: must be after start");
    s->duration_us = s->end_us - s->start_us;
    const ccs_ynode *warm = ccs_yaml_get(root, "warmup");
    if (s->warmup_us >= s->duration_us)
        return ccs_err_at(err, CCS_EINPUT, warm->file, warm->line, warm->col,
                          "warmup: as long as the period or longer: expected less than the duration");
    /* Without regions there is no grid signal: fine for queueing-only cases (validation), but
     * anything that draws power needs a region, and a calendar start. */
    if (s->nregions > 0 && !ccs_yaml_get(root, "start"))
        return ccs_err_at(err, CCS_EINPUT, root->file, root->line, root->col,
                          "missing key 'start': expected an ISO 8601 UTC start time, required when "
                          "regions with traces are given");
    if (s->nregions == 0 && s->njobs == 0 && s->nservices == 0)
        return ccs_err_at(err, CCS_EINPUT, root->file, root->line, root->col,
                          "nothing to simulate: expected 'services', or 'regions' with 'jobs'");
    if (s->nregions == 0 && s->njobs > 0)
        return pos_err(err, &s->jobs[0].pos,
                       "jobs[%s]: a job draws power and needs a region with a carbon trace; "
                       "expected a 'regions' list%s%s", s->jobs[0].name, "", "");
    for (size_t i = 0; s->nregions == 0 && i < s->nservices; i++)
        if (s->services[i].hardware)
            return pos_err(err, &s->services[i].pos,
                           "services[%s]: hardware draws power and needs a region with a carbon "
                           "trace; expected a 'regions' list%s%s", s->services[i].name, "", "");
    CHECK_UNIQUE(s->regions, s->nregions, "region");
    CHECK_UNIQUE(s->hardware, s->nhardware, "hardware");
    CHECK_UNIQUE(s->services, s->nservices, "service");
    CHECK_UNIQUE(s->jobs, s->njobs, "job");
    char names[512];
    names_of_regions(s, names, sizeof names);
    for (size_t i = 0; i < s->nregions; i++) {
        const ccs_region_cfg *r = &s->regions[i];
        if (r->price.file && r->fixed_price_per_mwh >= 0)
            return pos_err(err, &r->pos, "regions[%s]: give either 'price' or 'tariff_per_mwh', not both%s%s",
                           r->name, "", "");
    }
    for (size_t i = 0; i < s->nhardware; i++) {
        const ccs_hardware_cfg *h = &s->hardware[i];
        if (h->max_w < h->idle_w)
            return pos_err(err, &h->pos, "hardware[%s]: max_w is below idle_w: expected max_w >= idle_w%s%s",
                           h->name, "", "");
    }
    for (size_t i = 0; i < s->nservices; i++) {
        const ccs_service_cfg *sv = &s->services[i];
        if (sv->region && !ccs_scenario_region(s, sv->region))
            return pos_err(err, &sv->pos, "services[%s].region: unknown region '%s' (regions: %s)",
                           sv->name, sv->region, names);
        const ccs_arrivals_cfg *a = &sv->arrivals;
        const char *what = NULL;
        if (a->process == CCS_ARRIVALS_POISSON && (a->rate_per_s <= 0 || a->trace || a->scale > 0))
            what = "poisson arrivals take rate_per_s only";
        else if (a->process == CCS_ARRIVALS_TRACE_COUNTS && (!a->trace || (a->rate_per_s > 0) == (a->scale > 0)))
            what = "trace-counts arrivals take a trace and either rate_per_s (the mean rate) or scale";
        else if (a->process == CCS_ARRIVALS_TRACE_REPLAY && (!a->trace || a->rate_per_s > 0 || a->scale > 0))
            what = "trace-replay arrivals take a trace only";
        if (what)
            return pos_err(err, &sv->pos, "services[%s].arrivals: %s%s", sv->name, what, "");
        /* The offered load (< 1) is checked where the arrivals' mean rate is known, for every
         * process alike: ccs_service_create. */
        if (sv->hardware && !ccs_scenario_hardware(s, sv->hardware))
            return pos_err(err, &sv->pos, "services[%s].hardware: unknown hardware profile '%s'%s",
                           sv->name, sv->hardware, "");
    }
    for (size_t i = 0; i < s->njobs; i++) {
        ccs_job_cfg *j = &s->jobs[i];
        for (size_t k = 0; k < j->nregions; k++)
            if (!ccs_scenario_region(s, j->regions[k]))
                return pos_err(err, &j->pos, "jobs[%s].regions: unknown region '%s' (regions: %s)",
                               j->name, j->regions[k], names);
        if (j->deadline_us == 0) j->deadline_us = j->duration_us;
        if (j->deadline_us < j->duration_us)
            return pos_err(err, &j->pos,
                           "jobs[%s].deadline: shorter than the duration: expected a deadline >= "
                           "the job's duration%s%s",
                           j->name, "", "");
    }
    const char *pname = s->policy.name ? s->policy.name : "run-now";
    if (!ccs_policy_find(pname)) {
        const ccs_ynode *p = ccs_yaml_get(ccs_yaml_get(root, "policy"), "name");
        char list[256];
        ccs_policy_list(list, sizeof list);
        const char *near = ccs_did_you_mean(pname, ccs_policy_names(), ccs_policy_count());
        return ccs_err_at(err, CCS_EINPUT, p ? p->file : root->file, p ? p->line : 0,
                          p ? p->col : 0, "policy.name: unknown policy '%s'%s%s%s: expected one of %s",
                          pname, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "",
                          list);
    }
    return 0;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static uint64_t hash_inputs(const char *path, char *const *overrides, size_t noverrides)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    FILE *f = fopen(path, "rb");
    if (f) {
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) h = fnv1a(h, buf, n);
        fclose(f);
    }
    for (size_t i = 0; i < noverrides; i++) h = fnv1a(h, overrides[i], strlen(overrides[i]) + 1);
    return h;
}

int ccs_scenario_load(const char *path, char *const *overrides, size_t noverrides, ccs_scenario **out,
                      ccs_err *err)
{
    *out = NULL;
    ccs_ynode *root;
    int rc = ccs_yaml_load_file(path, &root, err);
    if (rc) return rc;
    if (root->type != CCS_Y_MAP) {
        rc = ccs_err_at(err, CCS_EINPUT, path, root->line, root->col,
                        "a scenario is a mapping of keys (start, duration, regions, ...)");
        ccs_yaml_free(root);
        return rc;
    }
    ccs_scenario *s = calloc(1, sizeof *s);
    if (!s) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (s) s->labels = calloc(noverrides + 1, sizeof *s->labels);
    for (size_t i = 0; i < noverrides && !rc; i++) {
        size_t n = strlen(overrides[i]) + 16;
        s->labels[i] = malloc(n);
        snprintf(s->labels[i], n, "--set '%s'", overrides[i]);
        s->nlabels = i + 1;
        rc = ccs_yaml_set(root, overrides[i], s->labels[i], err);
    }
    if (!rc) {
        s->path = strdup(path);
        char *copy = strdup(path);
        s->dir = strdup(dirname(copy));
        free(copy);
        rc = ccs_schema_apply(&scenario_schema, root, s, "", s->dir, err);
    }
    if (!rc) rc = cross_check(s, root, err);
    ccs_yaml_free(root);
    if (rc) {
        ccs_scenario_destroy(s);
        return rc;
    }
    if (!s->name) {
        char *copy = strdup(path);
        char *base = basename(copy);
        char *dot = strrchr(base, '.');
        if (dot) *dot = '\0';
        s->name = strdup(base);
        free(copy);
    }
    if (!s->currency) s->currency = strdup("EUR");
    if (!s->policy.name) s->policy.name = strdup("run-now");
    s->hash = hash_inputs(path, overrides, noverrides);
    *out = s;
    return 0;
}

void ccs_scenario_destroy(ccs_scenario *s)
{
    if (!s) return;
    ccs_schema_free(&scenario_schema, s);
    for (size_t i = 0; s->labels && i < s->nlabels; i++) free(s->labels[i]);
    free(s->labels);
    free(s->path);
    free(s->dir);
    free(s);
}

const ccs_region_cfg *ccs_scenario_region(const ccs_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->nregions; i++)
        if (strcmp(s->regions[i].name, name) == 0) return &s->regions[i];
    return NULL;
}

const ccs_hardware_cfg *ccs_scenario_hardware(const ccs_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->nhardware; i++)
        if (strcmp(s->hardware[i].name, name) == 0) return &s->hardware[i];
    return NULL;
}
