/* Scenario schema, loading and cross-checks; see ccs_scenario.h. Adding a key is one row in a
 * table below (and a field in the struct). */
#include "ccs_scenario.h"

#include "ccs_time.h"
#include "ccs_trace.h"
#include "ccs_yaml.h"
#include "cloud_prices.h"
#include "llm.h"
#include "vidur.h"

#include "ccs_paths.h"

#include <dirent.h>
#include <libgen.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- top level ---- */
static void scenario_defaults(void *p)
{
    ccs_scenario *s = p;
    s->seed = 1;
    /* Assumed when a scenario says nothing: 1 Gbit/s between regions, and 0.02 per GB (the
     * order of the big clouds' inter-region transfer prices); a study of moving work should
     * state its own. The policy's map defaults are set here too: a scenario without a
     * 'policy' key never walks the policy schema. */
    s->transfer = (ccs_transfer_cfg){1.0, 0.02};
    ccs_policy_defaults(&s->policy);
    ccs_sampling_defaults(&s->sampling);
}
static void constraint_defaults(void *p)
{
    ccs_constraint_cfg *c = p;
    c->p95_change_max = -1;
}
static const ccs_field constraint_fields[] = {
    {"service", CCS_F_NAME, offsetof(ccs_constraint_cfg, service), 0, CCS_NO_RANGE, NULL, NULL, 0, "a service name",
     NULL},
    {"job", CCS_F_NAME, offsetof(ccs_constraint_cfg, job), 0, CCS_NO_RANGE, NULL, NULL, 0, "a job name", NULL},
    {"p95_change_max", CCS_F_DOUBLE, offsetof(ccs_constraint_cfg, p95_change_max), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the largest change of the service's P95 against run-now, a fraction such as 0.01", NULL},
    {"p95_max_ms", CCS_F_DOUBLE, offsetof(ccs_constraint_cfg, p95_max_ms), 0, 1e-9, INFINITY, NULL, NULL, 0,
     "a ceiling on the service's P95 in ms", NULL},
    {"regions", CCS_F_NAMELIST, offsetof(ccs_constraint_cfg, regions), 0, CCS_NO_RANGE, NULL, NULL,
     offsetof(ccs_constraint_cfg, nregions), "a list of region names it may use", NULL},
};
static const ccs_schema constraint_schema = {"constraint",
                                             sizeof(ccs_constraint_cfg),
                                             constraint_fields,
                                             sizeof constraint_fields / sizeof constraint_fields[0],
                                             offsetof(ccs_constraint_cfg, pos),
                                             constraint_defaults};
static ccs_field scenario_fields[] = {
    /* not const: the policy row's schema comes from the registry */
    {"name", CCS_F_NAME, offsetof(ccs_scenario, name), 0, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"start", CCS_F_TIME, offsetof(ccs_scenario, start_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "an ISO 8601 UTC start time such as \"2023-01-01T00:00:00Z\"", NULL},
    {"end", CCS_F_TIME, offsetof(ccs_scenario, end_us), 0, CCS_NO_RANGE, NULL, NULL, 0, "an ISO 8601 UTC end time",
     NULL},
    {"duration", CCS_F_DURATION, offsetof(ccs_scenario, duration_us), 0, 1e-6, INFINITY, NULL, NULL, 0,
     "a length such as 7d or 8772h", NULL},
    {"warmup", CCS_F_DURATION, offsetof(ccs_scenario, warmup_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a time at the start whose requests are left out of latency statistics", NULL},
    {"seed", CCS_F_UINT64, offsetof(ccs_scenario, seed), 0, CCS_NO_RANGE, NULL, NULL, 0, "a non-negative integer",
     NULL},
    {"fidelity", CCS_F_ENUM, offsetof(ccs_scenario, fidelity), 0, CCS_NO_RANGE, ccs_fidelity_words, NULL, 0,
     "full (every request simulated) or sampled (services estimated from windows; see docs/sampling.md)", NULL},
    {"sampling", CCS_F_MAP, offsetof(ccs_scenario, sampling), 0, CCS_NO_RANGE, NULL, &ccs_sampling_schema, 0,
     "{window: 5m, warmup: 15m, min_windows: 48, hours_per_block: 12, groups: 10}", NULL},
    {"currency", CCS_F_CURRENCY, offsetof(ccs_scenario, currency), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a currency code such as EUR or USD", NULL},
    {"fx", CCS_F_LIST, offsetof(ccs_scenario, fx), 0, CCS_NO_RANGE, NULL, &ccs_fx_schema, offsetof(ccs_scenario, nfx),
     "a list of stated exchange rates such as {from: EUR, rate: 1.1050, date: 2023-12-29, source: ECB}", NULL},
    {"regions", CCS_F_LIST, offsetof(ccs_scenario, regions), 0, CCS_NO_RANGE, NULL, &ccs_region_schema,
     offsetof(ccs_scenario, nregions), "a list of regions with a carbon trace each", NULL},
    {"hardware", CCS_F_LIST, offsetof(ccs_scenario, hardware), 0, CCS_NO_RANGE, NULL, &ccs_hardware_schema,
     offsetof(ccs_scenario, nhardware), "a list of hardware profiles", NULL},
    {"models", CCS_F_LIST, offsetof(ccs_scenario, models), 0, CCS_NO_RANGE, NULL, &ccs_model_schema,
     offsetof(ccs_scenario, nmodels), "a list of model profiles", NULL},
    {"services", CCS_F_LIST, offsetof(ccs_scenario, services), 0, CCS_NO_RANGE, NULL, &ccs_service_schema,
     offsetof(ccs_scenario, nservices), "a list of services", NULL},
    {"jobs", CCS_F_LIST, offsetof(ccs_scenario, jobs), 0, CCS_NO_RANGE, NULL, &ccs_job_schema,
     offsetof(ccs_scenario, njobs), "a list of jobs", NULL},
    {"policy", CCS_F_MAP, offsetof(ccs_scenario, policy), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "{name: run-now, forecast: perfect}", NULL},
    {"instance_prices", CCS_F_PATH, offsetof(ccs_scenario, instance_prices), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a CSV table of instance prices per cloud region (default: the bundled traces/cloud/instance-prices.csv)", NULL},
    {"transfer", CCS_F_MAP, offsetof(ccs_scenario, transfer), 0, CCS_NO_RANGE, NULL, &ccs_transfer_schema, 0,
     "{gbps: 1, cost_per_gb: 0.02}", NULL},
    {"constraints", CCS_F_LIST, offsetof(ccs_scenario, constraints), 0, CCS_NO_RANGE, NULL, &constraint_schema,
     offsetof(ccs_scenario, nconstraints),
     "a list of non-negotiables such as {service: search, p95_change_max: 0.01} or {job: j, regions: [de]}", NULL},
};
static const ccs_schema scenario_schema = {"scenario",      sizeof(ccs_scenario),
                                           scenario_fields, sizeof scenario_fields / sizeof scenario_fields[0],
                                           CCS_NOPOS,       scenario_defaults};

/* ---- messages ---- */

/* An input error at a section's position; the format is checked by the compiler against its
 * arguments (ccs_err_at's format attribute). */
#define pos_err(err, pos, ...) ccs_err_at((err), CCS_EINPUT, (pos)->file, (pos)->line, (pos)->col, __VA_ARGS__)

#define CHECK_UNIQUE(arr, n, what)                                                                                 \
    for (size_t i = 0; i < (n); i++)                                                                               \
        for (size_t j = 0; j < i; j++)                                                                             \
            if (strcmp((arr)[i].name, (arr)[j].name) == 0)                                                         \
                return pos_err(err, &(arr)[i].pos, "%s: duplicate %s name '%s': names must be unique", what, what, \
                               (arr)[i].name);

/* ---- the bundled library of hardware and model profiles ---- */

const char *ccs_library_dir(void)
{
    const char *env = getenv("CCSIM_LIBRARY");
    return env && *env ? env : ccs_data_path("models");
}

/* The names of the bundled profiles in one folder, for messages. */
static void library_names(const char *sub, char *buf, size_t size)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", ccs_library_dir(), sub);
    buf[0] = '\0';
    DIR *d = opendir(dir);
    if (!d) return;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0) names[n++] = strndup(e->d_name, len - 5);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++) /* sorted, so that messages do not depend on the file system */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        if (names[i] && size > strlen(buf) + 1) {
            if (i) strncat(buf, ", ", size - strlen(buf) - 1);
            strncat(buf, names[i], size - strlen(buf) - 1);
        }
        free(names[i]);
    }
}

/* Finds `name` among the scenario's items, else loads <library>/<sub>/<name>.yaml and appends
 * it. Returns the index, -1 with err filled when neither has it or the file is bad. */
static long find_or_load(ccs_scenario *s, const char *sub, const char *name, const ccs_schema *schema, size_t name_off,
                         void **items, size_t *n, const ccs_src_pos *pos, const char *keypath, ccs_err *err)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(*(char **)((char *)*items + i * schema->size + name_off), name) == 0) return (long)i;
    char path[1024], names[512];
    snprintf(path, sizeof path, "%s/%s/%s.yaml", ccs_library_dir(), sub, name);
    if (strchr(name, '/') || access(path, R_OK) != 0) {
        library_names(sub, names, sizeof names);
        ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                   "%s: unknown %s '%s': expected a name from the scenario's '%s' list or a bundled "
                   "profile (%s)",
                   keypath, schema->what, name, strcmp(sub, "hardware") == 0 ? "hardware" : "models",
                   names[0] ? names : "none found");
        return -1;
    }
    char **lp = realloc(s->lib_paths, (s->nlib_paths + 1) * sizeof *lp);
    void *grown = realloc(*items, (*n + 1) * schema->size);
    if (!lp || !grown) {
        if (lp) s->lib_paths = lp;
        if (grown) *items = grown;
        ccs_err_set(err, CCS_ERUN, "out of memory");
        return -1;
    }
    s->lib_paths = lp;
    *items = grown;
    char *kept = strdup(path);
    s->lib_paths[s->nlib_paths++] = kept;
    ccs_ynode *root;
    if (ccs_yaml_load_file(kept, &root, err) != 0) return -1;
    void *item = (char *)*items + *n * schema->size;
    memset(item, 0, schema->size);
    (*n)++; /* counted at once, so that destroy frees what the walk allocated even on error */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", ccs_library_dir(), sub);
    int rc = ccs_schema_apply(schema, root, item, "", dir, err);
    ccs_yaml_free(root);
    if (rc) return -1;
    if (strcmp(*(char **)((char *)item + name_off), name) != 0) {
        ccs_err_at(err, CCS_EINPUT, kept, 1, 1, "name: '%s' in a file named %s.yaml: expected the same name",
                   *(char **)((char *)item + name_off), name);
        return -1;
    }
    return (long)(*n - 1);
}

/* ---- services: pools, stages, routes, cache ---- */

/* How a replica sits on its server: on devices_per_replica accelerators (1 unless given, at most
 * the server's), serving `concurrency` requests at once (a CPU server: its cores, unless given). */
static int place_replicas(ccs_pool_cfg *p, const ccs_hardware_cfg *hw, const ccs_src_pos *pos, const char *where,
                          ccs_err *err)
{
    if (hw && p->devices_per_replica > ccs_hardware_devices(hw))
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.devices_per_replica: %ld, but a '%s' server has %ld: expected at most the server's "
                          "accelerators",
                          where, p->devices_per_replica, hw->name, ccs_hardware_devices(hw));
    /* an LLM engine runs one batch at a time on a replica, CPU or not */
    if (!p->concurrency) p->concurrency = hw && hw->cores > 0 && !p->llm.max_num_seqs ? hw->cores : 1;
    if (p->concurrency > 1 && p->autoscale.max)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s: %ld requests at once per replica (concurrency%s) with autoscale: not supported yet; "
                          "expected fixed replicas, or concurrency: 1",
                          where, p->concurrency, hw && hw->cores > 0 ? ", the hardware's cores" : "");
    return 0;
}

/* An LLM pool (continuous batching): the model's shape, the hardware's figures, the weights and
 * at least one longest request in the KV cache, and the defaults that depend on them. */
static int check_llm(ccs_pool_cfg *p, const ccs_hardware_cfg *hw, const ccs_model_cfg *mc, const ccs_variant_cfg *v,
                     int tokens_given, const ccs_src_pos *pos, const char *where, ccs_err *err)
{
    ccs_llm_cfg *l = &p->llm;
    const char *missing = !(mc->llm.parameters > 0) ? "the model's llm: map (parameters, layers, heads, ...)"
                          : !(v->resident_gb > 0)   ? "the variant's resident_gb (the weights read per iteration)"
                          : !(hw->memory_gb > 0)    ? "the hardware's memory_gb"
                          : l->tensor_parallel > 1 && !(hw->interconnect_gb_s > 0)
                              ? "the hardware's interconnect_gb_s (tensor parallelism's all-reduces)"
                          : l->tensor_parallel > 1 && !(hw->collective_latency_us > 0)
                              ? "the hardware's collective_latency_us (tensor parallelism's all-reduces)"
                          : l->preemption == CCS_PREEMPT_SWAP && !(hw->host_link_gb_s > 0)
                              ? "the hardware's host_link_gb_s (swapping the KV cache out)"
                              : NULL;
    if (missing)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.llm: model '%s' on '%s' lacks %s: expected it stated", where, mc->name, hw->name,
                          missing);
    if (!tokens_given && (!l->prompt_tokens || !l->output_tokens))
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.llm: the requests' token counts are not known (only a first stage replaying a trace "
                          "with token columns gets them): expected prompt_tokens and output_tokens",
                          where);
    ccs_pool_cfg tmp = *p;
    tmp.hw = hw;
    tmp.mdl = mc;
    tmp.var = v;
    long blocks = ccs_llm_kv_blocks(&tmp);
    long capacity = blocks * l->block_size;
    if (!l->max_model_len) l->max_model_len = mc->llm.context_length < capacity ? mc->llm.context_length : capacity;
    if (blocks <= 0 || l->max_model_len > capacity || l->max_model_len < 2)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.llm: %ld x %g GB x memory_utilization %g holds the weights (%g GB) and a KV cache of "
                          "%ld tokens, but max_model_len is %ld: expected room for at least one longest request "
                          "(more devices, a smaller variant or a shorter max_model_len)",
                          where, l->tensor_parallel, hw->memory_gb, l->memory_utilization, v->resident_gb,
                          capacity > 0 ? capacity : 0, l->max_model_len);
    if (!l->max_batched_tokens)
        l->max_batched_tokens = l->chunked_prefill ? 8192 : l->max_model_len > 2048 ? l->max_model_len : 2048;
    if (l->max_batched_tokens < l->max_num_seqs)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.llm: max_batched_tokens %ld is below max_num_seqs %ld: the last sequences would never "
                          "decode; expected max_batched_tokens >= max_num_seqs (as vLLM requires)",
                          where, l->max_batched_tokens, l->max_num_seqs);
    if (!l->chunked_prefill && l->max_batched_tokens < l->max_model_len)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.llm: max_batched_tokens %ld is below max_model_len %ld without chunked prefill: the "
                          "longest prompt would never be scheduled; expected chunked_prefill: true or "
                          "max_batched_tokens >= max_model_len",
                          where, l->max_batched_tokens, l->max_model_len);
    if (l->tensor_parallel > ccs_hardware_devices(hw))
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.llm.tensor_parallel: %ld, but a '%s' server has %ld devices: expected at most that",
                          where, l->tensor_parallel, hw->name, ccs_hardware_devices(hw));
    if (l->vidur.mlp) { /* read now, so that a bad profile stops the scenario before it runs */
        if (l->tensor_parallel > 1 && !l->vidur.all_reduce)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s.llm.vidur: tensor_parallel %ld without all_reduce: expected Vidur's network "
                              "all_reduce.csv for the server",
                              where, l->tensor_parallel);
        int rc = ccs_vidur_load(l->vidur.mlp, l->vidur.attention, l->vidur.all_reduce, &mc->llm, l->tensor_parallel,
                                &l->vidur_loaded, err);
        if (rc) return rc;
    }
    return 0;
}

/* The Vidur profiles check_llm read (a scenario's runs share them, read-only). */
static void free_profiles(ccs_scenario *s)
{
    for (size_t i = 0; s->services && i < s->nservices; i++) {
        const ccs_service_cfg *sv = &s->services[i];
        for (size_t k = 0; sv->stages && k < sv->nstages; k++) {
            ccs_vidur_destroy(sv->stages[k].pool.llm.vidur_loaded);
            for (size_t r = 0; sv->stages[k].routes && r < sv->stages[k].nroutes; r++)
                ccs_vidur_destroy(sv->stages[k].routes[r].pool.llm.vidur_loaded);
        }
    }
}

static int check_pool(ccs_scenario *s, ccs_pool_cfg *p, int tokens_given, const ccs_src_pos *pos, const char *where,
                      ccs_err *err)
{
    char key[512];
    int rc = ccs_pool_check(p, where, pos, err);
    if (rc) return rc;
    const ccs_hardware_cfg *hw = NULL;
    if (p->hardware) {
        if (s->nregions == 0)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s: hardware draws power and needs a region with a carbon trace; "
                              "expected a 'regions' list",
                              where);
        snprintf(key, sizeof key, "%s.hardware", where);
        long h = find_or_load(s, "hardware", p->hardware, &ccs_hardware_schema, offsetof(ccs_hardware_cfg, name),
                              (void **)&s->hardware, &s->nhardware, pos, key, err);
        if (h < 0) return CCS_EINPUT;
        hw = &s->hardware[h];
    } else if (p->devices_per_replica > 1 || p->phase != CCS_PHASE_AUTO || p->latency_table.npower) {
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s: %s given without hardware: expected a 'hardware' key", where,
                          p->devices_per_replica > 1 ? "devices_per_replica"
                          : p->latency_table.npower  ? "latency_table's power_w (its idle power and host)"
                                                     : "phase");
    }
    rc = place_replicas(p, hw, pos, where, err);
    if (rc) return rc;
    /* a measured busy power includes idle, which every provisioned replica is charged anyway: below
     * it, a batch would give energy back. Interpolation (Steffen) stays between measured points. */
    for (size_t k = 0; hw && k < p->latency_table.npower; k++) {
        double idle = (double)p->devices_per_replica * hw->idle_w;
        if (p->latency_table.power_w[k] < idle)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s.latency_table%s%s: power_w %g W at batch %g is below the replica's idle power, "
                              "%g W (%ld x idle_w of '%s'): expected the busy replica's power, idle included",
                              where, p->latency_table.file ? " " : ".power_w",
                              p->latency_table.file ? p->latency_table.file : "", p->latency_table.power_w[k],
                              p->latency_table.batch[k], idle, p->devices_per_replica, hw->name);
    }
    if (p->model) {
        if (!hw)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s: a model profile needs hardware to run on: expected a 'hardware' key", where);
        snprintf(key, sizeof key, "%s.model", where);
        long m = find_or_load(s, "profiles", p->model, &ccs_model_schema, offsetof(ccs_model_cfg, name),
                              (void **)&s->models, &s->nmodels, pos, key, err);
        if (m < 0) return CCS_EINPUT;
        const ccs_model_cfg *mc = &s->models[m];
        const ccs_variant_cfg *v = ccs_model_variant(mc, p->variant);
        if (!v)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s.variant: model '%s' has no variant '%s'", where, mc->name, p->variant);
        if (ccs_variant_peak_per_s(hw, v) <= 0 || hw->mem_bw_gb_s <= 0)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s: hardware '%s' gives no %s for variant '%s' (%s): expected it in the "
                              "hardware profile",
                              where, hw->name, hw->mem_bw_gb_s <= 0 ? "mem_bw_gb_s" : "peak for that precision",
                              v->name, ccs_precision_words[v->precision]);
        if (p->llm.max_num_seqs > 0) return check_llm(p, hw, mc, v, tokens_given, pos, where, err);
        if (!(v->flop_per_item > 0 || mc->flop_per_item > 0))
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s: model '%s' states no flop_per_item, which a batched pool's roofline needs: "
                              "expected it in the profile (with bytes_per_item), or an llm: map on the pool",
                              where, mc->name);
        /* a replica holds the weights once and what every item of its full batches keeps (KV cache),
         * in the memory of the devices it runs on */
        double batch = (double)p->batching.max_batch * (double)p->concurrency;
        double need = v->resident_gb + batch * mc->memory_per_item_gb;
        double have = hw->memory_gb * (double)p->devices_per_replica;
        if (hw->memory_gb > 0 && v->resident_gb > 0 && need > have)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s: model '%s' variant '%s' needs %.4g GB on each replica (weights %.4g GB + %g "
                              "items x %.4g GB), but hardware '%s' has %.4g GB (%ld device%s): expected a smaller "
                              "variant or max_batch, more devices_per_replica, or hardware with more memory",
                              where, mc->name, v->name, need, v->resident_gb, batch, mc->memory_per_item_gb, hw->name,
                              have, p->devices_per_replica, p->devices_per_replica > 1 ? "s" : "");
    } else if (p->variant) {
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col, "%s.variant: given without a model", where);
    }
    return 0;
}

static double given_prev(const ccs_stage_cfg *st, size_t r)
{
    const ccs_route_cfg *p = &st->routes[r - 1];
    return st->routing == CCS_ROUTING_PROMPT ? p->max_prompt_tokens : p->max_difficulty;
}

/* A route's keys under its stage's routing: each routing its own key, on every route but the
 * last (which takes the rest), increasing; prompt lengths and cascades on LLM routes only (the
 * token counts and the escalation travel with an LLM request), prompt lengths only where the
 * arrivals carry them. */
static int check_route(const ccs_stage_cfg *st, size_t r, int tokens_given, const char *where, ccs_err *err)
{
    static const char *const keys[] = {"share", "max_prompt_tokens", "max_difficulty", "escalate"};
    const ccs_route_cfg *rt = &st->routes[r];
    const ccs_src_pos *pos = &rt->pos;
    const double given[] = {rt->share, rt->max_prompt_tokens, rt->max_difficulty, rt->escalate};
    int last = r + 1 == st->nroutes;
    for (int k = 0; k < 4; k++)
        if (k != st->routing && given[k] > 0)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "%s.%s: given, but the stage's routing is %s: expected %s only", where, keys[k],
                              ccs_routing_words[st->routing], keys[st->routing]);
    if (st->routing == CCS_ROUTING_SHARE) return 0;
    double mine = given[st->routing];
    if (!last && !(mine > 0))
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s: no %s: expected it on every route but the last (routing: %s)", where, keys[st->routing],
                          ccs_routing_words[st->routing]);
    if (last && st->routing == CCS_ROUTING_CASCADE && mine > 0)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.escalate: the last route of a cascade has no next route: expected no escalate", where);
    if (r > 0 && st->routing != CCS_ROUTING_CASCADE && mine > 0 && !(mine > given_prev(st, r)))
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s.%s: %g after %g: expected the routes' limits increasing", where, keys[st->routing], mine,
                          given_prev(st, r));
    if (st->routing != CCS_ROUTING_DIFFICULTY && !rt->pool.llm.max_num_seqs)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s: routing %s needs LLM routes (with llm:), which carry the request's tokens: expected an "
                          "llm: map, or routing share or difficulty",
                          where, ccs_routing_words[st->routing]);
    if (st->routing == CCS_ROUTING_PROMPT && !tokens_given)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "%s: routing prompt_tokens needs the requests' prompt lengths, which only a first stage "
                          "replaying a trace with token columns has: expected routing difficulty or share",
                          where);
    return 0;
}

static int check_service(ccs_scenario *s, ccs_service_cfg *sv, ccs_err *err)
{
    char where[512];
    snprintf(where, sizeof where, "services[%s].cache", sv->name);
    int rc = ccs_cache_check(&sv->cache, where, &sv->pos, err);
    if (rc) return rc;
    if (sv->rtt_ms < 0) sv->rtt_ms = ccs_tier_rtt_ms(sv->tier);
    if (sv->nstages == 0) {
        /* The one-stage shorthand: the service's own pool keys become its only stage. */
        sv->stages = calloc(1, sizeof *sv->stages);
        if (!sv->stages) return ccs_err_set(err, CCS_ERUN, "out of memory");
        sv->nstages = 1;
        sv->stages[0].pos = sv->pos;
        sv->stages[0].name = strdup(sv->name);
        sv->stages[0].pool = sv->pool;
        memset(&sv->pool, 0, sizeof sv->pool); /* moved: freed with the stage */
    } else if (ccs_pool_given(&sv->pool)) {
        return pos_err(err, &sv->pos,
                       "services[%s]: pool keys (hardware, service_time, replicas, ...) "
                       "beside 'stages': expected them inside each stage",
                       sv->name);
    }
    CHECK_UNIQUE(sv->stages, sv->nstages, "stage");
    /* a replayed trace may carry token counts; they reach the first stage's LLM pools */
    int tokens = strcmp(ccs_arrivals_words[sv->arrivals.process], "trace-replay") == 0;
    for (size_t k = 0; k < sv->nstages; k++) {
        ccs_stage_cfg *st = &sv->stages[k];
        if (st->nroutes == 0) {
            /* the one-stage shorthand is named after the service: say just "services[NAME]" */
            int shorthand = sv->nstages == 1 && strcmp(st->name, sv->name) == 0;
            snprintf(where, sizeof where, "services[%s]%s%s%s", sv->name, shorthand ? "" : ".stages[",
                     shorthand ? "" : st->name, shorthand ? "" : "]");
            int rc = check_pool(s, &st->pool, k == 0 && tokens, &st->pos, where, err);
            if (rc) return rc;
            continue;
        }
        if (ccs_pool_given(&st->pool))
            return ccs_err_at(err, CCS_EINPUT, st->pos.file, st->pos.line, st->pos.col,
                              "services[%s].stages[%s]: pool keys beside 'routes': expected them inside "
                              "each route",
                              sv->name, st->name);
        CHECK_UNIQUE(st->routes, st->nroutes, "route");
        double total = 0;
        for (size_t r = 0; r < st->nroutes; r++) {
            snprintf(where, sizeof where, "services[%s].stages[%s].routes[%s]", sv->name, st->name, st->routes[r].name);
            int rc = check_pool(s, &st->routes[r].pool, k == 0 && tokens, &st->routes[r].pos, where, err);
            if (rc) return rc;
            rc = check_route(st, r, k == 0 && tokens, where, err);
            if (rc) return rc;
            total += st->routes[r].share;
        }
        if (st->routing == CCS_ROUTING_SHARE && fabs(total - 1.0) > 1e-9)
            return ccs_err_at(err, CCS_EINPUT, st->pos.file, st->pos.line, st->pos.col,
                              "services[%s].stages[%s].routes: shares add up to %g: expected 1", sv->name, st->name,
                              total);
    }
    return 0;
}

const ccs_model_cfg *ccs_scenario_model(const ccs_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->nmodels; i++)
        if (strcmp(s->models[i].name, name) == 0) return &s->models[i];
    return NULL;
}

/* ---- cross-checks ---- */

static void names_of_regions(const ccs_scenario *s, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < s->nregions; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, s->regions[i].name, size - strlen(buf) - 1);
    }
}

/* The period: start, end or duration, warmup; something to simulate. */
static int check_period(ccs_scenario *s, const ccs_ynode *root, ccs_err *err)
{
    const ccs_ynode *end = ccs_yaml_get(root, "end"), *dur = ccs_yaml_get(root, "duration");
    if (end && dur)
        return ccs_err_at(err, CCS_EINPUT, dur->file, dur->line, dur->col,
                          "duration: give either 'end' or 'duration', not both");
    if (!end && !dur)
        return ccs_err_at(err, CCS_EINPUT, root->file, root->line, root->col,
                          "missing key 'duration' (or 'end') in scenario: expected the length of "
                          "the simulated period, such as 7d");
    int64_t end_us;
    if (dur && __builtin_add_overflow(s->start_us, s->duration_us, &end_us))
        return ccs_err_at(err, CCS_EINPUT, dur->file, dur->line, dur->col,
                          "duration: start + duration is past the last time ccsim can represent (year "
                          "292277): expected a shorter period");
    if (dur) s->end_us = s->start_us + s->duration_us;
    if (s->end_us <= s->start_us) {
        const ccs_ynode *at = end ? end : dur;
        return ccs_err_at(err, CCS_EINPUT, at->file, at->line, at->col, "%s: must be after start",
                          end ? "end" : "duration");
    }
    s->duration_us = s->end_us - s->start_us;
    const ccs_ynode *warm = ccs_yaml_get(root, "warmup");
    if (s->warmup_us >= s->duration_us)
        return ccs_err_at(err, CCS_EINPUT, warm->file, warm->line, warm->col,
                          "warmup: as long as the period or longer: expected less than the duration");
    if (s->fidelity == CCS_FIDELITY_SAMPLED) {
        const ccs_ynode *f = ccs_yaml_get(root, "sampling");
        if (!f) f = ccs_yaml_get(root, "fidelity");
        int64_t w = s->sampling.window_us;
        if (w <= 0 || CCS_US_PER_HOUR % w != 0)
            return ccs_err_at(err, CCS_EINPUT, f->file, f->line, f->col,
                              "sampling.window: %g s does not divide the hour: expected a length such as 1m, 5m, "
                              "10m or 15m",
                              (double)w / 1e6);
        if (s->duration_us % w != 0)
            return ccs_err_at(err, CCS_EINPUT, f->file, f->line, f->col,
                              "fidelity: sampled: the duration is not a whole number of %g s windows: expected a "
                              "period of whole windows (such as whole hours)",
                              (double)w / 1e6);
        if (s->sampling.warmup_us < 0)
            return ccs_err_at(err, CCS_EINPUT, f->file, f->line, f->col,
                              "sampling.warmup: negative: expected a length such as 15m");
        for (size_t i = 0; i < s->nservices; i++)
            if (s->services[i].arrivals.requests > 0)
                return pos_err(err, &s->services[i].pos,
                               "services[%s].arrivals.requests: a count of requests cannot be sampled in windows: "
                               "expected fidelity: full, or no requests limit",
                               s->services[i].name);
    }
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
                       "expected a 'regions' list",
                       s->jobs[0].name);
    return 0;
}

/* Each region: one price source, a tariff on whole hours. */
static int check_regions(const ccs_scenario *s, ccs_err *err)
{
    for (size_t i = 0; i < s->nregions; i++) {
        const ccs_region_cfg *r = &s->regions[i];
        int rc = ccs_region_check(r, err);
        const struct {
            const ccs_trace_ref *ref;
            const char *key;
        } refs[] = {{&r->carbon, "carbon"},
                    {&r->carbon_marginal, "carbon_marginal"},
                    {&r->price, "price"},
                    {&r->facility.temperature, "facility.temperature"},
                    {&r->facility.humidity, "facility.humidity"}};
        for (size_t k = 0; !rc && k < sizeof refs / sizeof refs[0]; k++) {
            char what[160];
            snprintf(what, sizeof what, "regions[%s].%s", r->name, refs[k].key);
            rc = ccs_trace_ref_check(refs[k].ref, what, err);
        }
        if (rc) return rc;
    }
    /* stated exchange rates: one per currency, none for the scenario's own */
    for (size_t i = 0; i < s->nfx; i++) {
        if (strcmp(s->fx[i].from, s->currency) == 0)
            return pos_err(err, &s->fx[i].pos, "fx[%s]: a rate from the scenario's own currency: expected another one",
                           s->fx[i].from);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->fx[i].from, s->fx[j].from) == 0)
                return pos_err(err, &s->fx[i].pos, "fx[%s]: a second rate for %s: expected one per currency",
                               s->fx[i].from, s->fx[i].from);
    }
    /* both accountings are reported for the whole run: marginal traces for every region or none */
    for (size_t i = 1; i < s->nregions; i++) {
        const ccs_region_cfg *a = &s->regions[0], *b = &s->regions[i];
        bool am = ccs_trace_ref_set(&a->carbon_marginal), bm = ccs_trace_ref_set(&b->carbon_marginal);
        if (am == bm) continue;
        const ccs_region_cfg *without = am ? b : a, *with = am ? a : b;
        return pos_err(err, &without->pos,
                       "regions[%s]: no carbon_marginal, but regions[%s] has one: expected a marginal trace for "
                       "every region or for none (the marginal accounting covers the whole run)",
                       without->name, with->name);
    }
    return 0;
}

/* A policy that plans on the marginal signal needs the regions' marginal traces. */
static int check_signal(const ccs_scenario *s, const ccs_policy_cfg *p, const char *key, ccs_err *err)
{
    if (p->signal != CCS_SIGNAL_MARGINAL || ccs_scenario_has_marginal(s)) return 0;
    return pos_err(err, &p->pos,
                   "%s.signal: marginal, but no region has a carbon_marginal trace: expected "
                   "regions[].carbon_marginal for every region, or signal: average",
                   key);
}

int ccs_scenario_has_marginal(const ccs_scenario *s)
{
    return s->nregions > 0 && ccs_trace_ref_set(&s->regions[0].carbon_marginal);
}

/* Each service: its region, its arrival process's own rules, its cache and pools. */
static int check_services(ccs_scenario *s, const char *names, ccs_err *err)
{
    for (size_t i = 0; i < s->nservices; i++) {
        const ccs_service_cfg *sv = &s->services[i];
        if (sv->region && !ccs_scenario_region(s, sv->region))
            return pos_err(err, &sv->pos, "services[%s].region: unknown region '%s' (regions: %s)", sv->name,
                           sv->region, names);
        char where[300];
        snprintf(where, sizeof where, "services[%s].arrivals", sv->name);
        int rc = ccs_arrivals_resolve(&s->services[i].arrivals, where, &sv->pos, err);
        if (rc) return rc;
        /* The offered load (< 1) is checked where the arrivals' mean rate is known, for every
         * process alike: ccs_service_create. */
        rc = check_service(s, &s->services[i], err);
        if (rc) return rc;
    }
    return 0;
}

/* Every hardware profile, the scenario's and the bundled ones the services loaded. */
static int check_hardware(const ccs_scenario *s, ccs_err *err)
{
    for (size_t i = 0; i < s->nhardware; i++) {
        const ccs_hardware_cfg *h = &s->hardware[i];
        int rc = ccs_hardware_check(h, err);
        if (rc) return rc;
    }
    return 0;
}

/* Every profile in use (the jobs' too, loaded by their checks): a profile's money in another
 * currency would be read as the scenario's, so it is refused. */
static int check_currencies(const ccs_scenario *s, ccs_err *err)
{
    for (size_t i = 0; i < s->nhardware; i++) {
        const ccs_hardware_cfg *h = &s->hardware[i];
        if (h->currency && strcmp(h->currency, s->currency) != 0 && (h->price_per_hour >= 0 || h->capex > 0))
            return pos_err(err, &h->pos,
                           "hardware[%s]: its prices are in %s, the scenario's currency is %s: expected currency: "
                           "%s, or a profile of your own with prices in %s",
                           h->name, h->currency, s->currency, h->currency, s->currency);
    }
    return 0;
}

/* The bundled table of instance prices (cloud_prices.h), or the scenario's. */
static const char *instance_prices_path(const ccs_scenario *s)
{
    return s->instance_prices ? s->instance_prices : ccs_data_path("traces/cloud/instance-prices.csv");
}

/* The table's price per device of hw in region rg's cloud region into *per (left as it is when the
 * region has no cloud region or the table does not list hw there); an error if it is in another
 * currency than the scenario's. */
static int listed_price(const ccs_scenario *s, const ccs_price_table *t, const ccs_region_cfg *rg,
                        const ccs_hardware_cfg *hw, double *per, ccs_err *err)
{
    if (!rg->cloud_region) return 0;
    const char *cur = NULL;
    double v = ccs_price_table_per_device(t, rg->cloud_region, hw->name, &cur, NULL, NULL);
    if (v < 0) return 0;
    if (cur && strcmp(cur, s->currency) != 0)
        return pos_err(err, &rg->pos,
                       "regions[%s].cloud_region: the instance price of '%s' in %s is in %s, the scenario in %s: "
                       "expected currency: %s (or a region without cloud_region)",
                       rg->name, hw->name, rg->cloud_region, cur, s->currency, cur);
    *per = v;
    return 0;
}

/* A rented job's rent per hour in each allowed region: the table's price per device in the
 * region's cloud region where listed, else the profile's price; times devices and the job's
 * reserved_factor. */
static int rent_by_region(const ccs_scenario *s, ccs_job_cfg *j, const ccs_hardware_cfg *hw, double devices,
                          ccs_price_table **table, ccs_err *err)
{
    if (hw->price_per_hour < 0 || ccs_trace_ref_set(&j->spot_price)) return 0; /* owned, or charged by its series */
    size_t n = j->nregions ? j->nregions : 1;
    int any = 0;
    for (size_t k = 0; k < n; k++) {
        const ccs_region_cfg *rg = j->nregions ? ccs_scenario_region(s, j->regions[k]) : &s->regions[0];
        any |= rg->cloud_region != NULL;
    }
    if (!any) return 0;
    int rc = *table ? 0 : ccs_price_table_load(instance_prices_path(s), table, err); /* once per scenario */
    if (rc) return rc;
    const ccs_price_table *t = *table;
    free(j->rent_in);
    j->rent_in = calloc(n, sizeof *j->rent_in);
    for (size_t k = 0; j->rent_in && k < n && !rc; k++) {
        const ccs_region_cfg *rg = j->nregions ? ccs_scenario_region(s, j->regions[k]) : &s->regions[0];
        double per = -1;
        rc = listed_price(s, t, rg, hw, &per, err);
        j->rent_in[k] = (per >= 0 ? per : hw->price_per_hour) * devices * j->reserved_factor;
    }
    if (!j->rent_in) return ccs_err_set(err, CCS_ERUN, "out of memory");
    return rc;
}

/* One job: its regions, its hardware or power, its release and deadline. */
static int check_job(ccs_scenario *s, ccs_job_cfg *j, const char *names, ccs_price_table **prices, ccs_err *err)
{
    char what[160];
    snprintf(what, sizeof what, "jobs[%s].spot_price", j->name);
    if (ccs_trace_ref_check(&j->spot_price, what, err)) return CCS_EINPUT;
    for (size_t k = 0; k < j->nregions; k++) {
        if (!ccs_scenario_region(s, j->regions[k]))
            return pos_err(err, &j->pos, "jobs[%s].regions: unknown region '%s' (regions: %s)", j->name, j->regions[k],
                           names);
        for (size_t m = 0; m < k; m++)
            if (strcmp(j->regions[m], j->regions[k]) == 0)
                return pos_err(err, &j->pos,
                               "jobs[%s].regions: '%s' is listed twice: expected each allowed "
                               "region once",
                               j->name, j->regions[k]);
    }
    if (j->hardware) {
        char key[256];
        snprintf(key, sizeof key, "jobs[%s].hardware", j->name);
        long h = find_or_load(s, "hardware", j->hardware, &ccs_hardware_schema, offsetof(ccs_hardware_cfg, name),
                              (void **)&s->hardware, &s->nhardware, &j->pos, key, err);
        if (h < 0) return CCS_EINPUT;
        const ccs_hardware_cfg *hw = &s->hardware[h];
        long n = j->max_parallelism ? j->max_parallelism : 1;
        if (j->power_kw > 0)
            return pos_err(err, &j->pos,
                           "jobs[%s]: both power_kw and hardware given: expected one (the "
                           "hardware's power is max_parallelism x (its max_w + its share of the host's))",
                           j->name);
        /* a job runs its devices flat out, and their share of the host with them */
        j->power_kw = (double)n * (hw->max_w + hw->host.max_w / (double)ccs_hardware_devices(hw)) / 1000.0;
        if (j->power_kw <= 0)
            return pos_err(err, &j->pos, "jobs[%s]: hardware '%s' has max_w 0: expected a profile that draws power",
                           j->name, hw->name);
        j->rent_per_hour = hw->price_per_hour >= 0 ? (double)n * hw->price_per_hour * j->reserved_factor : 0.0;
        if (ccs_trace_ref_set(&j->spot_price)) j->rent_per_hour = 0; /* the series is charged instead */
        j->capex_per_hour = (double)n * ccs_hardware_capex_per_hour(hw);
        j->embodied_kg_per_hour = (double)n * ccs_hardware_embodied_per_hour(hw);
        int rc = rent_by_region(s, j, hw, (double)n, prices, err);
        if (rc) return rc;
        if (j->device_hours > 0) {
            if (j->duration_us)
                return pos_err(err, &j->pos, "jobs[%s]: both duration and device_hours given: expected one", j->name);
            j->duration_us = llround(j->device_hours / (double)n * CCS_US_PER_HOUR_F);
        }
    } else if (j->device_hours > 0 || j->max_parallelism || ccs_trace_ref_set(&j->spot_price)) {
        return pos_err(err, &j->pos,
                       "jobs[%s]: device_hours, max_parallelism and spot_price need a 'hardware' profile "
                       "to run on",
                       j->name);
    } else if (j->power_kw <= 0) {
        return pos_err(err, &j->pos,
                       "jobs[%s]: missing or zero 'power_kw': expected the job's IT power in kW, "
                       "or a 'hardware' profile",
                       j->name);
    }
    for (size_t k = 0; k < (j->nregions ? j->nregions : (s->nregions ? 1 : 0)); k++) {
        const ccs_region_cfg *rg = j->nregions ? ccs_scenario_region(s, j->regions[k]) : &s->regions[0];
        if (rg->capacity_kw > 0 && j->power_kw > rg->capacity_kw)
            return pos_err(err, &j->pos,
                           "jobs[%s]: its power is more than region '%s' can hold (capacity_kw "
                           "%s): expected at most the capacity of every allowed region",
                           j->name, rg->name, "below the job's power");
    }
    return ccs_job_check(j, err);
}

/* The policy: its name and its own parameters, by its plug-in's rules. */
static int check_policy(ccs_scenario *s, const ccs_ynode *root, ccs_err *err)
{
    const ccs_ynode *pmap = ccs_yaml_get(root, "policy"), *pname = ccs_yaml_get(pmap, "name");
    ccs_src_pos at = {pname ? pname->file : root->file, pname ? pname->line : 0, pname ? pname->col : 0};
    if (!s->policy.pos.file) s->policy.pos = (ccs_src_pos){root->file, 0, 0}; /* no policy map */
    int rc = ccs_policy_resolve(&s->policy, "policy", &at, err);
    if (!rc) rc = check_signal(s, &s->policy, "policy", err);
    if (rc) return rc;
    /* A job's own policy map: the scenario's, with the keys it gives. */
    const ccs_ynode *jobs = ccs_yaml_get(root, "jobs");
    for (size_t i = 0; i < s->njobs; i++) {
        ccs_job_cfg *j = &s->jobs[i];
        if (!j->policy.pos.file) continue;
        const ccs_ynode *jmap = jobs && i < jobs->n ? jobs->items[i] : NULL;
        const ccs_ynode *jp = ccs_yaml_get(jmap, "policy"), *jname = ccs_yaml_get(jp, "name");
        if (ccs_schema_inherit(ccs_policy_schema(), &j->policy, &s->policy, jp) != 0)
            return ccs_err_set(err, CCS_ERUN, "out of memory");
        if (!j->policy.name && !(j->policy.name = strdup("run-now")))
            return ccs_err_set(err, CCS_ERUN, "out of memory");
        ccs_src_pos jat = {jname ? jname->file : j->policy.pos.file, jname ? jname->line : j->policy.pos.line,
                           jname ? jname->col : j->policy.pos.col};
        char key[CCS_NAME_MAX + 16];
        snprintf(key, sizeof key, "jobs[%s].policy", j->name);
        rc = ccs_policy_resolve(&j->policy, key, &jat, err);
        if (!rc) rc = check_signal(s, &j->policy, key, err);
        if (rc) return rc;
    }
    return 0;
}

static const ccs_service_cfg *service_named(const ccs_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->nservices; i++)
        if (strcmp(s->services[i].name, name) == 0) return &s->services[i];
    return NULL;
}

int ccs_constraint_allows(const ccs_constraint_cfg *c, const char *region)
{
    for (size_t i = 0; i < c->nregions; i++)
        if (strcmp(c->regions[i], region) == 0) return 1;
    return 0;
}

/* Each constraint names one service or job that exists, known regions, and a rule that fits what
 * it names. A job's regions rule is enforced here: its moves are kept to the regions listed (its
 * home stays first, so a home outside them is a breach the run reports, not a silent change). */
static int check_constraints(ccs_scenario *s, const char *names, ccs_err *err)
{
    for (size_t i = 0; i < s->nconstraints; i++) {
        ccs_constraint_cfg *c = &s->constraints[i];
        if (!c->service == !c->job)
            return pos_err(err, &c->pos, "constraints[%zu]: expected either 'service' or 'job', %s", i,
                           c->service ? "not both" : "neither was given");
        int p95 = c->p95_change_max >= 0 || c->p95_max_ms > 0;
        if (c->job && p95)
            return pos_err(err, &c->pos, "constraints[%zu]: a job has no P95: expected only 'regions' with 'job'", i);
        if (!p95 && c->nregions == 0)
            return pos_err(err, &c->pos, "constraints[%zu]: no rule: expected p95_change_max, p95_max_ms or regions",
                           i);
        if (c->service && !service_named(s, c->service))
            return pos_err(err, &c->pos, "constraints[%zu].service: unknown service '%s'", i, c->service);
        for (size_t k = 0; k < c->nregions; k++)
            if (!ccs_scenario_region(s, c->regions[k]))
                return pos_err(err, &c->pos, "constraints[%zu].regions: unknown region '%s' (regions: %s)", i,
                               c->regions[k], names);
        if (!c->job) continue;
        ccs_job_cfg *j = NULL;
        for (size_t k = 0; k < s->njobs && !j; k++)
            if (strcmp(s->jobs[k].name, c->job) == 0) j = &s->jobs[k];
        if (!j) return pos_err(err, &c->pos, "constraints[%zu].job: unknown job '%s'", i, c->job);
        size_t kept = j->nregions ? 1 : 0;
        for (size_t k = 1; k < j->nregions; k++) {
            if (ccs_constraint_allows(c, j->regions[k]))
                j->regions[kept++] = j->regions[k];
            else
                free(j->regions[k]);
        }
        j->nregions = kept;
    }
    return 0;
}

/* The rules between keys and sections, section by section, in the order messages are promised. */
static int cross_check(ccs_scenario *s, const ccs_ynode *root, ccs_price_table **prices, ccs_err *err)
{
    if (!s->currency && !(s->currency = strdup("EUR"))) return ccs_err_set(err, CCS_ERUN, "out of memory");
    CHECK_UNIQUE(s->hardware, s->nhardware, "hardware");
    CHECK_UNIQUE(s->models, s->nmodels, "model");
    int rc = check_period(s, root, err);
    if (rc) return rc;
    CHECK_UNIQUE(s->regions, s->nregions, "region");
    CHECK_UNIQUE(s->services, s->nservices, "service");
    CHECK_UNIQUE(s->jobs, s->njobs, "job");
    char names[512];
    names_of_regions(s, names, sizeof names);
    if ((rc = check_regions(s, err)) || (rc = check_services(s, names, err)) || (rc = check_hardware(s, err)))
        return rc;
    if ((rc = check_constraints(s, names, err))) return rc;
    for (size_t i = 0; i < s->njobs && !rc; i++) rc = check_job(s, &s->jobs[i], names, prices, err);
    if (rc) return rc;
    if ((rc = check_currencies(s, err))) return rc;
    return check_policy(s, root, err);
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

/* The names the checks found, as pointers for the models: once every bundled profile is loaded,
 * since loading one more moves the arrays. */
static void resolve_pool(const ccs_scenario *s, ccs_pool_cfg *p)
{
    p->hw = p->hardware ? ccs_scenario_hardware(s, p->hardware) : NULL;
    p->mdl = p->model ? ccs_scenario_model(s, p->model) : NULL;
    p->var = p->mdl ? ccs_model_variant(p->mdl, p->variant) : NULL;
}

/* A rented pool's rent in its service's cloud region, from the instance price table where the
 * table lists its hardware there (as a job's, per device; a replica is one device). */
static int price_pool(const ccs_scenario *s, const ccs_region_cfg *rg, ccs_pool_cfg *p, ccs_price_table **table,
                      ccs_err *err)
{
    if (!p->hw || p->hw->price_per_hour < 0 || !rg || !rg->cloud_region) return 0;
    int rc = *table ? 0 : ccs_price_table_load(instance_prices_path(s), table, err); /* once per scenario */
    if (rc) return rc;
    double per = -1;
    if ((rc = listed_price(s, *table, rg, p->hw, &per, err)) || per < 0) return rc; /* not listed: the profile's */
    p->rent_per_hour = per;
    p->rent_set = 1;
    return 0;
}

/* Every service's pools priced in its region (after resolve_pointers); table: the price table if
 * the jobs' checks read it, else read here when first needed. */
static int price_pools(ccs_scenario *s, ccs_price_table **table, ccs_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < s->nservices && !rc; i++) {
        ccs_service_cfg *sv = &s->services[i];
        const ccs_region_cfg *rg = sv->region    ? ccs_scenario_region(s, sv->region)
                                   : s->nregions ? &s->regions[0]
                                                 : NULL;
        for (size_t k = 0; k < sv->nstages && !rc; k++) {
            rc = price_pool(s, rg, &sv->stages[k].pool, table, err);
            for (size_t r = 0; r < sv->stages[k].nroutes && !rc; r++)
                rc = price_pool(s, rg, &sv->stages[k].routes[r].pool, table, err);
        }
    }
    return rc;
}

static void resolve_pointers(ccs_scenario *s)
{
    for (size_t i = 0; i < s->nservices; i++) {
        ccs_service_cfg *sv = &s->services[i];
        for (size_t k = 0; k < sv->nstages; k++) {
            resolve_pool(s, &sv->stages[k].pool);
            for (size_t r = 0; r < sv->stages[k].nroutes; r++) resolve_pool(s, &sv->stages[k].routes[r].pool);
        }
    }
}

/* The plug-ins' own schema rows join the scenario's: the policy map's keys come from the policy
 * registry. */
static pthread_once_t plugins_once = PTHREAD_ONCE_INIT;
static void link_plugins(void)
{
    ccs_arrivals_ready();
    ccs_job_schema_link();
    for (size_t i = 0; i < sizeof scenario_fields / sizeof scenario_fields[0]; i++)
        if (strcmp(scenario_fields[i].key, "policy") == 0) scenario_fields[i].sub = ccs_policy_schema();
}

int ccs_scenario_load(const char *path, char *const *overrides, size_t noverrides, ccs_scenario **out, ccs_err *err)
{
    *out = NULL;
    pthread_once(&plugins_once, link_plugins);
    ccs_ynode *root;
    int rc = ccs_yaml_load_file(path, &root, err);
    if (rc) return rc;
    if (root->type != CCS_Y_MAP) {
        rc = ccs_err_at(err, CCS_EINPUT, path, root->line, root->col,
                        "a scenario is a mapping of keys (start, duration, regions, ...)");
        ccs_yaml_free(root);
        return rc;
    }
    /* The sweep section is for 'ccsim sweep' (sweep_spec.c); a run is the scenario as written. */
    ccs_yaml_remove(root, "sweep");
    ccs_scenario *s = calloc(1, sizeof *s);
    if (!s) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    if (s && !(s->labels = calloc(noverrides + 1, sizeof *s->labels))) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    for (size_t i = 0; i < noverrides && !rc; i++) {
        /* the label stands where a file name would in messages: a long value is cut, so that the
         * message's place and reason still fit */
        size_t len = strlen(overrides[i]), n = 100;
        if (!(s->labels[i] = malloc(n))) {
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
            break;
        }
        if (len <= 80)
            snprintf(s->labels[i], n, "--set '%s'", overrides[i]);
        else
            snprintf(s->labels[i], n, "--set '%.72s...'", overrides[i]);
        s->nlabels = i + 1;
        rc = ccs_yaml_set(root, overrides[i], s->labels[i], err);
    }
    if (!rc) {
        s->path = strdup(path);
        char *copy = strdup(path);
        s->dir = copy ? strdup(dirname(copy)) : NULL;
        free(copy);
        rc = s->path && s->dir ? ccs_schema_apply(&scenario_schema, root, s, "", s->dir, err)
                               : ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    ccs_price_table *prices = NULL; /* read once, when a rented job or pool first needs it */
    if (!rc) rc = cross_check(s, root, &prices, err);
    if (!rc) resolve_pointers(s);
    if (!rc) rc = price_pools(s, &prices, err);
    ccs_price_table_free(prices);
    ccs_yaml_free(root);
    if (rc) {
        ccs_scenario_destroy(s);
        return rc;
    }
    if (!s->name) { /* named after its file, by the same rules as a written name */
        char *copy = strdup(path);
        if (!copy) {
            ccs_scenario_destroy(s);
            return ccs_err_set(err, CCS_ERUN, "out of memory");
        }
        char *base = basename(copy);
        char *dot = strrchr(base, '.');
        if (dot) *dot = '\0';
        const char *why = ccs_name_problem(base);
        if (why) {
            rc = ccs_err_at(err, CCS_EINPUT, path, 0, 0,
                            "the scenario has no 'name' and its file name is not a valid name (%s): "
                            "expected a 'name' key with 1 to 64 bytes of printable UTF-8 without '/'",
                            why);
            free(copy);
            ccs_scenario_destroy(s);
            return rc;
        }
        s->name = strdup(base);
        free(copy);
    }
    if (!s->currency) s->currency = strdup("EUR");
    if (!s->policy.name) s->policy.name = strdup("run-now");
    if (!s->name || !s->currency || !s->policy.name) {
        ccs_scenario_destroy(s);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    s->hash = hash_inputs(path, overrides, noverrides);
    *out = s;
    return 0;
}

void ccs_scenario_destroy(ccs_scenario *s)
{
    if (!s) return;
    for (size_t i = 0; s->jobs && i < s->njobs; i++) free(s->jobs[i].rent_in);
    free_profiles(s);
    ccs_schema_free(&scenario_schema, s);
    for (size_t i = 0; s->labels && i < s->nlabels; i++) free(s->labels[i]);
    for (size_t i = 0; i < s->nlib_paths; i++) free(s->lib_paths[i]);
    free(s->lib_paths);
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

int ccs_scenario_region_index(const ccs_scenario *s, const char *name)
{
    const ccs_region_cfg *r = ccs_scenario_region(s, name);
    return r ? (int)(r - s->regions) : -1;
}

const ccs_hardware_cfg *ccs_scenario_hardware(const ccs_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->nhardware; i++)
        if (strcmp(s->hardware[i].name, name) == 0) return &s->hardware[i];
    return NULL;
}
