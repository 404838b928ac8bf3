/* The policy registry (every built-in policy, chosen by name) and the helpers they share. */
#include "policy.h"
#include "ccs_units.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define CCS_POLICY(sym) extern const ccs_policy_type ccs_policy_##sym;
#include "policies/registry.h"
#undef CCS_POLICY

static const ccs_policy_type *const registry[] = {
#define CCS_POLICY(sym) &ccs_policy_##sym,
#include "policies/registry.h"
#undef CCS_POLICY
};
#define NPOLICIES (sizeof registry / sizeof registry[0])

/* Built once from the registry (ccs_policy_schema, pthread_once): the names, the policy map's
 * schema and each policy's parameter slots in ccs_policy_cfg.keys. A plug-in that fails
 * ccs_policy_type_check is left out, with the reason kept for ccs_policy_resolve. */
static struct {
    pthread_once_t once;
    const char *names[NPOLICIES + 1];
    int usable[NPOLICIES];
    char why[NPOLICIES][160];
    ccs_field fields[6 + CCS_POLICY_MAX_KEYS];
    ccs_schema schema;
    const ccs_policy_param *key_param[CCS_POLICY_MAX_KEYS]; /* the first declaration of each key */
    size_t nkeys;
    int slot[NPOLICIES][CCS_POLICY_MAX_OWN];
    int tolerance_slot; /* -1: no policy declares a cost tolerance */
} reg = {.once = PTHREAD_ONCE_INIT};

static const char *const forecast_words[] = {"perfect", "persistence", "noisy", NULL};
static const char *const growth_words[] = {"sqrt", "linear", "constant", NULL};
static const char *const error_scale_words[] = {"value", "mean", NULL};
static const char *const signal_words[] = {"average", "marginal", NULL};

#define NO_RANGE 1, 0
static const ccs_field shared_head[] = {
    {"name", CCS_F_NAME, offsetof(ccs_policy_cfg, name), 0, NO_RANGE, NULL, NULL, 0, "a policy name", NULL},
    {"forecast", CCS_F_ENUM, offsetof(ccs_policy_cfg, forecast), 0, NO_RANGE, forecast_words, NULL, 0,
     "perfect, persistence or noisy", NULL},
    {"forecast_error", CCS_F_DOUBLE, offsetof(ccs_policy_cfg, forecast_error), 0, 0, 10, NULL, NULL, 0,
     "the noisy forecast's relative standard deviation at 24 h ahead, such as 0.05", NULL},
    {"forecast_error_growth", CCS_F_ENUM, offsetof(ccs_policy_cfg, forecast_error_growth), 0, NO_RANGE, growth_words,
     NULL, 0, "sqrt, linear or constant", NULL},
    {"forecast_error_scale", CCS_F_ENUM, offsetof(ccs_policy_cfg, forecast_error_scale), 0, NO_RANGE, error_scale_words,
     NULL, 0, "value (relative to each value) or mean (to the signal's mean)", NULL},
    {"forecast_error_corr", CCS_F_DOUBLE, offsetof(ccs_policy_cfg, forecast_error_corr), 0, 0, 0.999, NULL, NULL, 0,
     "the correlation of the noisy forecast's errors an hour apart, such as 0.9 (0: independent)", NULL},
    {"signal", CCS_F_ENUM, offsetof(ccs_policy_cfg, signal), 0, NO_RANGE, signal_words, NULL, 0,
     "average (attributional intensity) or marginal (the regions' carbon_marginal traces)", NULL},
    {"replan", CCS_F_DURATION, offsetof(ccs_policy_cfg, replan_us), 0, NO_RANGE, NULL, NULL, 0,
     "an interval such as 1h at which unfinished runs are re-planned with a fresh forecast (0: never)", NULL},
};
static const ccs_field shared_tail = {
    "geo_shift", CCS_F_BOOL, offsetof(ccs_policy_cfg, geo_shift), 0, NO_RANGE, NULL, NULL, 0, "true or false", NULL};
#define NSHARED (sizeof shared_head / sizeof shared_head[0] + 1)

/* A key usable as a YAML key, a --set path part and a column name in sweep.db and sweep.csv. */
static int plain_key(const char *key)
{
    if (!key || !(key[0] >= 'a' && key[0] <= 'z')) return 0;
    for (const char *c = key; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) return 0;
    return 1;
}

static int shared_key(const char *key)
{
    for (size_t k = 0; k < NSHARED - 1; k++)
        if (strcmp(key, shared_head[k].key) == 0) return 1;
    return strcmp(key, shared_tail.key) == 0;
}

const char *ccs_policy_type_check(const ccs_policy_type *t, char *buf, size_t size)
{
    const char *name = t->name ? t->name : "(unnamed)";
    if (t->version != CCS_POLICY_VERSION) {
        snprintf(buf, size, "policy plug-in '%s' is version %d: this ccsim takes version %d", name, t->version,
                 CCS_POLICY_VERSION);
        return buf;
    }
    if (!t->name || ccs_name_problem(t->name) || !t->summary || !t->plan) {
        snprintf(buf, size, "policy plug-in '%s': expected a valid name, a summary and a plan function", name);
        return buf;
    }
    if (t->nparams > CCS_POLICY_MAX_OWN || (t->nparams && !t->params)) {
        snprintf(buf, size, "policy plug-in '%s': %zu parameters: expected at most %d, in params", name, t->nparams,
                 CCS_POLICY_MAX_OWN);
        return buf;
    }
    for (size_t i = 0; i < t->nparams; i++) {
        const ccs_policy_param *p = &t->params[i];
        if (!plain_key(p->key) || shared_key(p->key)) {
            snprintf(buf, size,
                     "policy plug-in '%s': parameter %zu: expected a key of [a-z0-9_] starting with a letter, not one "
                     "the policy map already has",
                     name, i);
            return buf;
        }
        if (!(p->min <= p->def && p->def <= p->max) || !p->expect) {
            snprintf(buf, size,
                     "policy plug-in '%s': policy.%s: expected a default %g inside [%g, %g] and an expect text", name,
                     p->key, p->def, p->min, p->max);
            return buf;
        }
    }
    return NULL;
}

static int add_key(const ccs_policy_param *p)
{
    for (size_t k = 0; k < reg.nkeys; k++)
        if (strcmp(reg.key_param[k]->key, p->key) == 0) return (int)k; /* shared by two policies: one slot */
    if (reg.nkeys == CCS_POLICY_MAX_KEYS) return -1;
    size_t k = reg.nkeys++;
    reg.key_param[k] = p;
    reg.fields[sizeof shared_head / sizeof shared_head[0] + k] = (ccs_field){
        p->key,    CCS_F_DOUBLE, offsetof(ccs_policy_cfg, keys) + k * sizeof(double), 0, p->min, p->max, NULL, NULL, 0,
        p->expect, NULL};
    return (int)k;
}

static void defaults_hook(void *cfg) { ccs_policy_defaults(cfg); }

static void build(void)
{
    size_t nhead = sizeof shared_head / sizeof shared_head[0];
    memcpy(reg.fields, shared_head, sizeof shared_head);
    reg.tolerance_slot = -1;
    for (size_t i = 0; i < NPOLICIES; i++) {
        const ccs_policy_type *t = registry[i];
        reg.names[i] = t->name ? t->name : "";
        reg.usable[i] = ccs_policy_type_check(t, reg.why[i], sizeof reg.why[i]) == NULL;
        for (size_t j = 0; reg.usable[i] && j < t->nparams; j++) {
            int k = add_key(&t->params[j]);
            if (k < 0) {
                snprintf(reg.why[i], sizeof reg.why[i], "policy plug-in '%s': more than %d parameter keys in all",
                         t->name, CCS_POLICY_MAX_KEYS);
                reg.usable[i] = 0;
                break;
            }
            reg.slot[i][j] = k;
            if (t->params[j].role == CCS_PARAM_COST_TOLERANCE && reg.tolerance_slot < 0) reg.tolerance_slot = k;
        }
    }
    reg.fields[nhead + reg.nkeys] = shared_tail;
    reg.schema = (ccs_schema){
        "policy",     sizeof(ccs_policy_cfg), reg.fields, nhead + reg.nkeys + 1, offsetof(ccs_policy_cfg, pos),
        defaults_hook};
}

static void ready(void) { pthread_once(&reg.once, build); }

const ccs_schema *ccs_policy_schema(void)
{
    ready();
    return &reg.schema;
}

void ccs_policy_defaults(ccs_policy_cfg *cfg)
{
    ready();
    cfg->forecast_error = 0.05;
    /* forecast errors of grid signals persist for hours (a missed front or outage stays missed):
     * independent hourly errors cancel over a long run and understate the risk */
    cfg->forecast_error_corr = 0.9;
    for (size_t k = 0; k < reg.nkeys; k++) cfg->keys[k] = reg.key_param[k]->def;
}

static long index_of(const char *name)
{
    for (size_t i = 0; i < NPOLICIES; i++)
        if (registry[i]->name && strcmp(registry[i]->name, name) == 0) return (long)i;
    return -1;
}

const ccs_policy_type *ccs_policy_find(const char *name)
{
    ready();
    long i = index_of(name);
    return i >= 0 && reg.usable[i] ? registry[i] : NULL;
}

const char *const *ccs_policy_names(void)
{
    ready();
    return reg.names;
}

size_t ccs_policy_count(void) { return NPOLICIES; }

void ccs_policy_list(char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < NPOLICIES; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, registry[i]->name ? registry[i]->name : "", size - strlen(buf) - 1);
    }
}

void ccs_policy_describe(FILE *f)
{
    ready();
    for (size_t i = 0; i < NPOLICIES; i++) {
        const ccs_policy_type *t = registry[i];
        if (!reg.usable[i]) {
            fprintf(f, "  (not usable: %s)\n", reg.why[i]);
            continue;
        }
        fprintf(f, "  %-18s %s\n", t->name, t->summary);
        for (size_t j = 0; j < t->nparams; j++) {
            const ccs_policy_param *p = &t->params[j];
            char range[64];
            if (isinf(p->max))
                snprintf(range, sizeof range, "%s %g", p->required ? "above" : "at least", p->min);
            else
                snprintf(range, sizeof range, "%g to %g", p->min, p->max);
            if (p->required)
                fprintf(f, "  %-18s   policy.%s: %s, %s, required\n", "", p->key, p->expect, range);
            else
                fprintf(f, "  %-18s   policy.%s: %s, %s, default %g\n", "", p->key, p->expect, range, p->def);
        }
    }
}

int ccs_policy_resolve(ccs_policy_cfg *cfg, const char *key, const ccs_src_pos *at, ccs_err *err)
{
    ready();
    const char *name = cfg->name ? cfg->name : "run-now";
    long i = index_of(name);
    if (i < 0) {
        char list[256];
        ccs_policy_list(list, sizeof list);
        const char *near = ccs_did_you_mean(name, ccs_policy_names(), ccs_policy_count());
        return ccs_err_at(err, CCS_EINPUT, at->file, at->line, at->col,
                          "%s.name: unknown policy '%s'%s%s%s: expected one of %s", key, name,
                          near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", list);
    }
    if (!reg.usable[i]) return ccs_err_at(err, CCS_EINPUT, at->file, at->line, at->col, "%s.name: %s", key, reg.why[i]);
    const ccs_policy_type *t = registry[i];
    const ccs_src_pos *p = cfg->pos.file ? &cfg->pos : at; /* no policy map: where the name would be */
    for (size_t j = 0; j < t->nparams; j++) {
        const ccs_policy_param *pp = &t->params[j];
        cfg->param[j] = cfg->keys[reg.slot[i][j]];
        /* a policy's own limit must be given: no silent guess */
        if (pp->required && !(cfg->param[j] > pp->min))
            return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col, "%s: %s needs %s.%s: expected %s above %g",
                              key, t->name, key, pp->key, pp->expect, pp->min);
    }
    /* each re-plan is a search: a tick of microseconds would run for ever, not better */
    if (cfg->replan_us > 0 && cfg->replan_us < 60 * (int64_t)1000000)
        return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col,
                          "%s.replan: %.6g s: expected 0 (never) or at least 1m", key, (double)cfg->replan_us / 1e6);
    cfg->type = t;
    const char *why = t->check ? t->check(cfg) : NULL;
    if (why) return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col, "%s: %s: %s", key, t->name, why);
    return 0;
}

double ccs_policy_cost_tolerance(const ccs_policy_cfg *cfg)
{
    ready();
    return reg.tolerance_slot >= 0 ? cfg->keys[reg.tolerance_slot] : 0.0;
}

const char *ccs_policy_cost_tolerance_key(void)
{
    ready();
    return reg.tolerance_slot >= 0 ? reg.key_param[reg.tolerance_slot]->key : NULL;
}

/* Integrals are value x hours: gCO2e/kWh x h x kW = g; currency/MWh x h x MW = currency. */
double ccs_policy_carbon_g(const ccs_job_decision *d, size_t k, const ccs_run_plan *r)
{
    return r->ci_h * d->power_w / 1e3 * d->opts[k].pue;
}

double ccs_policy_cost_of(const ccs_job_decision *d, size_t k, double price_h)
{
    return price_h * (d->power_w / 1e6 * d->opts[k].pue) + d->opts[k].transfer_cost;
}

double ccs_policy_cost(const ccs_job_decision *d, size_t k, const ccs_run_plan *r)
{
    return ccs_policy_cost_of(d, k, r->price_h);
}

/* ---- constraints: the policy's own and the job's limits ---- */

/* c carbon_g + q cost + h hours <= b, on a plan in one option (cost with the transfer). */
typedef struct lincon {
    double c, q, h, b;
} lincon;

enum { K_COST, K_CARBON, K_INTENSITY, K_OTHER };

static int kind_of(const lincon *l)
{
    if (l->c == 0 && l->h == 0 && l->q > 0) return K_COST;
    if (l->q == 0 && l->h == 0 && l->c > 0) return K_CARBON;
    if (l->q == 0 && l->c > 0 && l->h < 0 && l->b == 0) return K_INTENSITY;
    return K_OTHER;
}

/* Met to CCS_POLICY_CAP_TOL of the constraint's magnitude (its bound, or its terms when larger):
 * a plan that costs what run-now costs, in another order of summation, meets a cap of B. */
static int lin_met(const ccs_job_decision *d, size_t k, const ccs_run_plan *r, const lincon *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double carbon = l[i].c != 0 ? ccs_policy_carbon_g(d, k, r) : 0,
               cost = l[i].q != 0 ? ccs_policy_cost(d, k, r) : 0;
        double v = l[i].c * carbon + l[i].q * cost + l[i].h * r->hours;
        double scale = fmax(fabs(l[i].b), fabs(l[i].c * carbon) + fabs(l[i].q * cost) + fabs(l[i].h * r->hours));
        if (!(v <= l[i].b + CCS_POLICY_CAP_TOL * scale)) return 0;
    }
    return 1;
}

int ccs_job_limits_any(const ccs_job_limits *l)
{
    return l && (l->max_cost >= 0 || l->max_cost_increase >= 0 || l->max_intensity >= 0 || l->min_saving >= 0);
}

/* The job's limits in option k as constraints; returns how many. */
static size_t limit_cons(const ccs_job_decision *d, size_t k, lincon *out)
{
    const ccs_job_limits *l = d->limits;
    size_t n = 0;
    if (!ccs_job_limits_any(l)) return 0;
    double g_per = d->power_w / 1e3 * d->opts[k].pue, b = d->baseline_cost;
    if (l->max_cost >= 0) out[n++] = (lincon){0, 1, 0, l->max_cost};
    if (l->max_cost_increase >= 0) out[n++] = (lincon){0, 1, 0, b + l->max_cost_increase * fabs(b)};
    /* mean intensity over the run's energy <= Y  <=>  carbon - Y x kW x PUE x hours <= 0 */
    if (l->max_intensity >= 0) out[n++] = (lincon){1, 0, -l->max_intensity * g_per, 0};
    if (l->min_saving >= 0) out[n++] = (lincon){1, 0, 0, (1 - l->min_saving) * d->baseline_carbon};
    return n;
}

int ccs_policy_limits_met(const ccs_job_decision *d, size_t k, const ccs_run_plan *r)
{
    lincon l[4];
    size_t n = limit_cons(d, k, l);
    return lin_met(d, k, r, l, n);
}

/* Run-at-ready fits option k: inside the deadline and the forecast. */
static int run_at_ready_fits(const ccs_job_decision *d, size_t k)
{
    const ccs_option *o = &d->opts[k];
    return o->ready_us + d->work_us <= d->deadline_us && o->w.n > 0 && o->ready_us + d->work_us <= o->w.t[o->w.n];
}

/* A constraint as the window searches take it (per unit of the window's integrals), its bound
 * half the tolerance of lin_met beyond the exact one: plans that tie with the bound (a rented
 * device's flat rent at any start costs what run-now costs) are found, and every plan the search
 * accepts meets lin_met (rounding is ~1e-13 relative on a year of hourly pieces). */
static void to_window(const ccs_job_decision *d, size_t k, const lincon *l, double *ci, double *price, double *hour,
                      double *bound)
{
    const ccs_option *o = &d->opts[k];
    double g_per = d->power_w / 1e3 * o->pue, c_per = d->power_w / 1e6 * o->pue;
    double moved = l->b - l->q * o->transfer_cost;
    *ci = l->c * g_per;
    *price = l->q * c_per;
    *hour = l->h;
    *bound = moved + 0.5 * CCS_POLICY_CAP_TOL * (fabs(l->b) + fabs(l->q * o->transfer_cost));
}

/* One search of option k: the objective under at most two constraints (two: contiguous only). */
static int search(const ccs_job_decision *d, size_t k, double obj_carbon, double obj_cost, const lincon *l, size_t n,
                  ccs_run_plan *out)
{
    const ccs_option *o = &d->opts[k];
    double g_per = d->power_w / 1e3 * o->pue, c_per = d->power_w / 1e6 * o->pue;
    ccs_objective obj = {obj_carbon * g_per, obj_cost * c_per, 0, 0, 0, INFINITY, 0, 0, 0, 0};
    if (n > 0) to_window(d, k, &l[0], &obj.con_ci, &obj.con_price, &obj.con_hour, &obj.bound);
    if (n > 1) to_window(d, k, &l[1], &obj.con2_ci, &obj.con2_price, &obj.con2_hour, &obj.bound2);
    return d->interruptible
               ? ccs_window_best_slots(&o->w, d->work_us, d->checkpoint_us, o->ready_us, d->deadline_us, &obj, out)
               : ccs_window_best_start(&o->w, d->work_us, o->ready_us, d->deadline_us - d->work_us, &obj, out);
}

static double objective_of(const ccs_job_decision *d, size_t k, const ccs_run_plan *r, double obj_carbon,
                           double obj_cost)
{
    return obj_carbon * ccs_policy_carbon_g(d, k, r) + obj_cost * ccs_policy_cost(d, k, r);
}

/* The policy's constraint and the job's limits, reduced: of each kind (cost, carbon, mean
 * intensity) only the tightest is kept; for a contiguous run the hours are its work, so a mean
 * intensity limit is a carbon limit; a limit on the quantity the objective minimises alone is
 * left to the check afterwards (the least carbon either meets a carbon cap or nothing does).
 * all[]: every constraint, for that check; keep[]: those the search must carry. */
static void reduce(const ccs_job_decision *d, double obj_carbon, double obj_cost, lincon *all, size_t nall,
                   lincon *keep, size_t *nkeep)
{
    double work_h = (double)d->work_us / CCS_US_PER_HOUR_F;
    lincon best[3] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    int have[3] = {0, 0, 0};
    *nkeep = 0;
    for (size_t i = 0; i < nall; i++) {
        lincon l = all[i];
        if (!d->interruptible && l.h != 0) { /* hours are the work: a constant */
            l.b -= l.h * work_h;
            l.h = 0;
        }
        int kd = kind_of(&l);
        if (kd == K_OTHER) {
            keep[(*nkeep)++] = l;
            continue;
        }
        double scale = kd == K_COST ? l.q : l.c; /* normalised: q = 1 or c = 1 */
        l = (lincon){l.c / scale, l.q / scale, l.h / scale, l.b / scale};
        int tighter = !have[kd] || (kd == K_INTENSITY ? l.h > best[kd].h : l.b < best[kd].b);
        if (tighter) best[kd] = l;
        have[kd] = 1;
    }
    int pure_carbon = obj_cost == 0 && obj_carbon > 0, pure_cost = obj_carbon == 0 && obj_cost > 0;
    if (have[K_COST] && !pure_cost) keep[(*nkeep)++] = best[K_COST];
    if (have[K_CARBON] && !pure_carbon) keep[(*nkeep)++] = best[K_CARBON];
    if (have[K_INTENSITY]) keep[(*nkeep)++] = best[K_INTENSITY];
}

int ccs_policy_search(const ccs_job_decision *d, size_t k, double obj_carbon, double obj_cost, double con_carbon,
                      double con_cost, double con_hours, double bound, ccs_plan *out)
{
    const ccs_option *o = &d->opts[k];
    lincon all[5], keep[5];
    size_t nall = 0, nkeep;
    if (isfinite(bound)) all[nall++] = (lincon){con_carbon, con_cost, con_hours, bound};
    nall += limit_cons(d, k, all + nall);
    reduce(d, obj_carbon, obj_cost, all, nall, keep, &nkeep);
    out->override = 0;
    out->fallback = 0;
    out->w_carbon = obj_carbon;
    out->w_cost = obj_cost;
    int rc = 0;
    if (nkeep <= 1 || (nkeep == 2 && !d->interruptible)) {
        rc = search(d, k, obj_carbon, obj_cost, keep, nkeep, &out->run);
    } else {
        /* More constraints than one search carries: each alone is a relaxation, and a relaxation's
         * optimum that meets the others is the optimum. If none does, the best contiguous run
         * meeting them all (two in the search, the rest checked): feasible, not proven best. */
        ccs_run_plan cand = {0};
        int found = 0, none = 0, exact = 1; /* none: a relaxation proved that nothing fits */
        out->run.feasible = 0;
        for (size_t i = 0; i < nkeep && !rc && !none; i++) {
            rc = search(d, k, obj_carbon, obj_cost, &keep[i], 1, &cand);
            if (rc) break;
            if (!cand.feasible) {
                none = cand.exact;
                continue;
            }
            if (!lin_met(d, k, &cand, keep, nkeep)) continue;
            double v = objective_of(d, k, &cand, obj_carbon, obj_cost);
            if (!found || v < out->objective) {
                ccs_run_plan t = out->run;
                out->run = cand;
                cand = t;
                out->objective = v;
                found = 1;
                exact = out->run.exact;
            }
        }
        if (!rc && none) {
            out->run.n = 0;
            out->run.feasible = 0;
        } else if (!rc && !found) {
            ccs_job_decision c = *d;
            c.interruptible = 0;
            rc = search(&c, k, obj_carbon, obj_cost, keep, 2, &out->run);
            if (!rc && out->run.feasible && !lin_met(d, k, &out->run, keep, nkeep)) out->run.feasible = 0;
            exact = 0;
        }
        out->run.exact = none || (exact && found);
        ccs_run_plan_free(&cand);
    }
    if (rc != 0) return rc;
    out->unproven = !out->run.exact;
    /* every constraint, exactly: a limit left to this check, or a plan over by rounding */
    if (out->run.feasible && !lin_met(d, k, &out->run, all, nall)) out->run.feasible = 0;
    if (out->run.feasible) out->objective = objective_of(d, k, &out->run, obj_carbon, obj_cost);
    /* run-at-ready, checked exactly: at a cap of exactly its own cost (a cost tolerance of 0)
     * the search's tolerance leaves it out. Weighed on the stack; built only if it wins. */
    if (!run_at_ready_fits(d, k)) return 0;
    ccs_interval iv = {o->ready_us, o->ready_us + d->work_us};
    ccs_run_plan now = {.iv = &iv, .n = 1, .cap = 1, .feasible = 1};
    ccs_run_plan_totals(&now, &o->w);
    if (!lin_met(d, k, &now, all, nall)) return 0;
    double v = objective_of(d, k, &now, obj_carbon, obj_cost);
    if (out->run.feasible && !(v < out->objective - 1e-12 * fabs(out->objective))) return 0;
    if (ccs_run_plan_single(&out->run, &o->w, iv.a_us, iv.b_us) != 0) return -1;
    out->objective = v;
    return 0;
}

int ccs_policy_best_effort(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    lincon l[4];
    size_t n = limit_cons(d, k, l);
    if (n == 0) return ccs_policy_run_at_ready(d, k, out);
    double work_h = (double)d->work_us / CCS_US_PER_HOUR_F, wc = 0, wq = 0;
    for (size_t i = 0; i < n; i++) {
        double cap = l[i].h != 0 ? -l[i].h * work_h : l[i].b; /* intensity: Y x nominal energy */
        double scale = fabs(cap) > 0 ? fabs(cap) : 1.0;
        wc += l[i].c / scale;
        wq += l[i].q / scale;
    }
    int rc = search(d, k, wc, wq, NULL, 0, &out->run);
    out->override = 0;
    out->fallback = 1;
    out->w_carbon = wc;
    out->w_cost = wq;
    out->unproven = rc == 0 && out->run.feasible && !out->run.exact;
    if (rc == 0 && out->run.feasible) out->objective = objective_of(d, k, &out->run, wc, wq);
    return rc;
}

int ccs_policy_run_at_ready(const ccs_job_decision *d, size_t k, ccs_plan *out)
{
    const ccs_option *o = &d->opts[k];
    out->override = 0;
    out->fallback = 0;
    out->unproven = 0;
    out->objective = 0;
    out->w_carbon = out->w_cost = 0;
    if (!run_at_ready_fits(d, k)) {
        out->run.n = 0;
        out->run.feasible = 0;
        return 0;
    }
    return ccs_run_plan_single(&out->run, &o->w, o->ready_us, o->ready_us + d->work_us);
}
