/* The facts a sweep's report states beside its figures; see sweep_context.h. Facts describe the
 * scenario as written: a swept parameter varies per point, and the report's tables say how. */
#include "sweep_context.h"

#include "ccs_paths.h"
#include "ccs_time.h"
#include "ccs_units.h"
#include "forecast.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fact_list {
    ccs_sweep_fact *v;
    size_t n, cap;
    int oom;
} fact_list;

static void add(fact_list *l, const char *kind, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(fact_list *l, const char *kind, const char *name, const char *fmt, ...)
{
    if (l->oom) return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        ccs_sweep_fact *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->oom = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    char value[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    ccs_sweep_fact f = {strdup(kind), strdup(name), strdup(value)};
    if (!f.kind || !f.name || !f.value) {
        free(f.kind), free(f.name), free(f.value);
        l->oom = 1;
        return;
    }
    l->v[l->n++] = f;
}

/* "3 h", "90 min", "2.5 d": a duration as people write it. */
static void fmt_duration(int64_t us, char *buf, size_t size)
{
    if (us % CCS_US_PER_DAY == 0 && us > CCS_US_PER_DAY)
        snprintf(buf, size, "%lld d", (long long)(us / CCS_US_PER_DAY));
    else if (us % CCS_US_PER_HOUR == 0)
        snprintf(buf, size, "%lld h", (long long)(us / CCS_US_PER_HOUR));
    else
        snprintf(buf, size, "%g min", (double)us / (double)CCS_US_PER_MIN);
}

/* A time of day in microseconds as HH:MM. */
static void fmt_clock(int64_t us, char *buf, size_t size)
{
    snprintf(buf, size, "%02lld:%02lld", (long long)(us / CCS_US_PER_HOUR),
             (long long)(us % CCS_US_PER_HOUR / CCS_US_PER_MIN));
}

/* A file as the scenario wrote it: the loader joined it to the scenario's folder. */
static const char *as_written(const ccs_scenario *s, const char *file)
{
    size_t n = s->dir ? strlen(s->dir) : 0;
    return n && strncmp(file, s->dir, n) == 0 && file[n] == '/' ? file + n + 1 : file;
}

static void add_period(fact_list *l, const ccs_scenario *s)
{
    char a[40], b[40], d[40];
    ccs_time_format(s->start_us, a, sizeof a);
    ccs_time_format(s->end_us, b, sizeof b);
    fmt_duration(s->end_us - s->start_us, d, sizeof d);
    add(l, "period", "start (UTC)", "%s", a);
    add(l, "period", "end (UTC)", "%s", b);
    add(l, "period", "length", "%s", d);
}

static void add_region(fact_list *l, const ccs_scenario *s, const ccs_region_cfg *rg)
{
    char name[96], price[400], capacity[64];
    snprintf(name, sizeof name, "region %s", rg->name);
    if (rg->price.file)
        snprintf(price, sizeof price, "the trace %s", as_written(s, rg->price.file));
    else if (rg->fixed_price_per_mwh >= 0)
        snprintf(price, sizeof price, "a fixed %g %s/MWh", rg->fixed_price_per_mwh, s->currency);
    else if (rg->tariff.day_per_mwh >= 0) {
        char from[8], to[8];
        fmt_clock(rg->tariff.day_from_us, from, sizeof from);
        fmt_clock(rg->tariff.day_to_us, to, sizeof to);
        snprintf(price, sizeof price, "a tariff of %g %s/MWh from %s to %s UTC, %g at night", rg->tariff.day_per_mwh,
                 s->currency, from, to, rg->tariff.night_per_mwh);
    } else
        snprintf(price, sizeof price, "none (its energy costs nothing; rented devices' rent includes their power)");
    if (rg->capacity_kw > 0)
        snprintf(capacity, sizeof capacity, "%g kW", rg->capacity_kw);
    else
        snprintf(capacity, sizeof capacity, "unlimited");
    add(l, "assumption", name,
        "PUE %g; carbon intensity (average, per the trace's own definition) from %s%s%s; electricity price: %s; "
        "capacity: %s; cloud region: %s",
        rg->pue, rg->carbon.file ? as_written(s, rg->carbon.file) : "(none)", rg->carbon.column ? ", column " : "",
        rg->carbon.column ? rg->carbon.column : "", price, capacity, rg->cloud_region ? rg->cloud_region : "none");
}

/* "every 24 h at 18:00 UTC" or "at the times of FILE" */
static void fmt_release(const ccs_scenario *s, const ccs_release_cfg *r, char *buf, size_t size)
{
    char every[40], at[8];
    if (r->trace) {
        snprintf(buf, size, "at the times of %s", as_written(s, r->trace));
        return;
    }
    fmt_duration(r->every_us, every, sizeof every);
    fmt_clock(r->at_us, at, sizeof at);
    snprintf(buf, size, "every %s at %s UTC", every, at);
}

/* The rent per hour in each allowed region, or "owned". */
static void fmt_rent(const ccs_scenario *s, const ccs_job_cfg *j, char *buf, size_t size)
{
    if (j->spot_price.file) {
        snprintf(buf, size, "rented at the spot prices of %s", as_written(s, j->spot_price.file));
        return;
    }
    if (!j->rent_in) {
        snprintf(buf, size, "%s", j->hardware ? "owned (energy and amortised capital cost)" : "owned (energy)");
        return;
    }
    size_t n = j->nregions ? j->nregions : 1, used = 0;
    used += (size_t)snprintf(buf, size, "rented at");
    for (size_t k = 0; k < n && used < size; k++) {
        const char *rname = j->nregions ? j->regions[k] : s->regions[0].name;
        used += (size_t)snprintf(buf + used, size - used, "%s %.4g %s/h in %s", k ? "," : "", j->rent_in[k],
                                 s->currency, rname);
    }
    if (j->reserved_factor != 1 && used < size)
        snprintf(buf + used, size - used, " (%g of on-demand: reserved)", j->reserved_factor);
}

static void fmt_limits(const ccs_job_limits *lim, const char *currency, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (lim->max_cost >= 0)
        used += (size_t)snprintf(buf + used, size - used, "; max cost %g %s per run", lim->max_cost, currency);
    if (lim->max_cost_increase >= 0 && used < size)
        used += (size_t)snprintf(buf + used, size - used, "; max cost increase %g%%", 100 * lim->max_cost_increase);
    if (lim->max_intensity >= 0 && used < size)
        used += (size_t)snprintf(buf + used, size - used, "; max intensity %g gCO2e/kWh", lim->max_intensity);
    if (lim->min_saving >= 0 && used < size)
        snprintf(buf + used, size - used, "; min saving %g%%", 100 * lim->min_saving);
}

static void add_job(fact_list *l, const ccs_scenario *s, const ccs_job_cfg *j)
{
    char name[96], release[600], work[120], power[200], rent[600], deadline[80], regions[400], limits[300];
    snprintf(name, sizeof name, "job %s", j->name);
    fmt_release(s, &j->release, release, sizeof release);
    char d[40];
    fmt_duration(j->duration_us, d, sizeof d);
    if (j->device_hours > 0)
        snprintf(work, sizeof work, "%g device-hours (%s)", j->device_hours, d);
    else if (j->duration_us > 0)
        snprintf(work, sizeof work, "%s", d);
    else
        snprintf(work, sizeof work, "as the release trace says");
    if (j->duration_cv > 0 && strlen(work) + 60 < sizeof work)
        snprintf(work + strlen(work), sizeof work - strlen(work), ", actual work uncertain (cv %g, lognormal)",
                 j->duration_cv);
    if (j->hardware)
        snprintf(power, sizeof power, "%ld x %s, %g kW with their share of the host",
                 j->max_parallelism > 0 ? j->max_parallelism : 1, j->hardware, j->power_kw);
    else
        snprintf(power, sizeof power, "%g kW", j->power_kw);
    fmt_rent(s, j, rent, sizeof rent);
    fmt_duration(j->deadline_us, d, sizeof d);
    if (j->deadline_rule != CCS_DEADLINE_AFTER)
        snprintf(deadline, sizeof deadline, "the next workday, 09:00 UTC");
    else
        snprintf(deadline, sizeof deadline, "%s after release", j->deadline_us ? d : "its duration");
    size_t used = 0;
    regions[0] = '\0';
    for (size_t k = 0; k < j->nregions && used < sizeof regions; k++)
        used += (size_t)snprintf(regions + used, sizeof regions - used, "%s%s%s", k ? ", " : "", j->regions[k],
                                 k ? "" : " (home)");
    if (!j->nregions) snprintf(regions, sizeof regions, "%s (home)", s->regions ? s->regions[0].name : "none");
    fmt_limits(&j->limits, s->currency, limits, sizeof limits);
    char input[64] = "";
    if (j->input_gb > 0) snprintf(input, sizeof input, "; input %g GB moved when away from home", j->input_gb);
    char resume[80] = "";
    if (j->interruptible) {
        fmt_duration(j->checkpoint_us, d, sizeof d);
        snprintf(resume, sizeof resume, "; interruptible, %s per resume", d);
    }
    add(l, "assumption", name, "released %s; work %s; power %s; %s; deadline %s%s; regions: %s%s%s%s%s", release, work,
        power, rent, deadline, resume, regions, input, limits, j->policy.pos.file ? "; its own policy: " : "",
        j->policy.pos.file ? (j->policy.name ? j->policy.name : "run-now") : "");
}

static void add_forecast(fact_list *l, const ccs_policy_cfg *p)
{
    static const char *growth[] = {"the square root of", "", "nothing: constant over"};
    if (p->forecast == CCS_FORECAST_PERFECT)
        add(l, "assumption", "forecast", "perfect: the policies see the actual traces");
    else if (p->forecast == CCS_FORECAST_PERSISTENCE)
        add(l, "assumption", "forecast", "persistence: the same hour on the last day observed at the decision");
    else
        add(l, "assumption", "forecast",
            "noisy: a normal error with a standard deviation of %g%% of %s at 24 h ahead, growing with %s the "
            "horizon, correlated %g between hours an hour apart (AR(1)); drawn afresh at each decision time, per "
            "region and signal, the same for every policy at one seed",
            100 * p->forecast_error, p->forecast_error_scale == CCS_ERROR_OF_MEAN ? "the signal's mean" : "each value",
            p->forecast_error_growth >= 0 && p->forecast_error_growth <= 2 ? growth[p->forecast_error_growth] : "?",
            p->forecast_error_corr);
    if (p->replan_us > 0) {
        char every[40];
        fmt_duration(p->replan_us, every, sizeof every);
        add(l, "assumption", "re-planning",
            "every %s, what is left of each unfinished run is re-planned from the forecast issued then", every);
    }
}

static void add_assumptions(fact_list *l, const ccs_scenario *s)
{
    for (size_t i = 0; i < s->nregions; i++) add_region(l, s, &s->regions[i]);
    for (size_t i = 0; i < s->njobs; i++) add_job(l, s, &s->jobs[i]);
    for (size_t i = 0; i < s->nservices; i++) {
        char name[96];
        snprintf(name, sizeof name, "service %s", s->services[i].name);
        add(l, "assumption", name, "serves in region %s", s->services[i].region ? s->services[i].region : "(first)");
    }
    add(l, "assumption", "policy", "%s%s (as written; a swept policy key varies per point)",
        s->policy.name ? s->policy.name : "run-now", s->policy.geo_shift ? ", moving jobs between regions" : "");
    add_forecast(l, &s->policy);
    if (s->policy.signal == CCS_SIGNAL_MARGINAL)
        add(l, "assumption", "signal minimised",
            "marginal carbon intensity (the regions' carbon_marginal traces): the plans minimise what one more kWh "
            "emits, while every carbon figure in this report is average-based (attributional)");
    else
        add(l, "assumption", "signal minimised",
            "average (attributional) carbon intensity: every carbon figure here is average-based%s",
            ccs_scenario_has_marginal(s) ? " (the marginal accounting is in each run's summary.json)"
                                         : "; the scenario gives no marginal signal");
    for (size_t i = 0; i < s->nconstraints; i++) {
        const ccs_constraint_cfg *c = &s->constraints[i];
        char name[96], rule[600] = "";
        snprintf(name, sizeof name, "%s %s", c->service ? "service" : "job", c->service ? c->service : c->job);
        size_t used = 0;
        if (c->p95_change_max >= 0)
            used += (size_t)snprintf(rule + used, sizeof rule - used, "P95 within %g%% of run-now's; ",
                                     100 * c->p95_change_max);
        if (c->p95_max_ms > 0 && used < sizeof rule)
            used += (size_t)snprintf(rule + used, sizeof rule - used, "P95 at most %g ms; ", c->p95_max_ms);
        for (size_t k = 0; k < c->nregions && used < sizeof rule; k++)
            used += (size_t)snprintf(rule + used, sizeof rule - used, "%s%s%s", k ? ", " : "only in ", c->regions[k],
                                     k + 1 == c->nregions ? "; " : "");
        if (used >= 2 && used < sizeof rule) rule[used - 2] = '\0';
        add(l, "constraint", name, "%s", rule);
    }
    add(l, "assumption", "baseline", "run-now: every run starts at its release, at home, on the same seed");
    int moves = 0;
    for (size_t i = 0; i < s->njobs; i++) moves |= s->jobs[i].nregions > 1;
    if (moves)
        add(l, "assumption", "transfer", "%g Gbit/s between regions, %g %s per GB moved", s->transfer.gbps,
            s->transfer.cost_per_gb, s->currency);
}

/* ---- data sources ---- */

/* Whether name matches pattern, where {a,b,c} in the pattern stands for any one of a, b, c. */
static int brace_match(const char *p, const char *s)
{
    for (; *p && *p != '{'; p++, s++)
        if (*p != *s) return 0;
    if (!*p) return !*s;
    const char *close = strchr(p, '}');
    if (!close) return 0;
    for (const char *alt = p + 1; alt < close;) {
        const char *end = alt;
        while (end < close && *end != ',') end++;
        size_t len = (size_t)(end - alt);
        if (strncmp(s, alt, len) == 0 && brace_match(close + 1, s + len)) return 1;
        alt = end + 1;
    }
    return 0;
}

/* Whether text (up to stop) holds `pattern` matching base. */
static int names_file(const char *text, const char *stop, const char *base)
{
    char pat[512];
    for (const char *q = strchr(text, '`'); q && q < stop;) {
        const char *e = strchr(q + 1, '`');
        if (!e || e > stop) break;
        size_t len = (size_t)(e - q - 1);
        if (len < sizeof pat) {
            memcpy(pat, q + 1, len);
            pat[len] = '\0';
            if (brace_match(pat, base)) return 1;
        }
        q = strchr(e + 1, '`');
    }
    return 0;
}

/* Copies [a, b) trimmed, without backticks and with newlines as spaces. */
static void copy_plain(const char *a, const char *b, char *buf, size_t size)
{
    while (a < b && (*a == ' ' || *a == '\n')) a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\n')) b--;
    size_t k = 0;
    for (; a < b && k + 1 < size; a++) {
        if (*a == '`') continue;
        char c = *a;
        if (c == '\n') c = ' ';
        buf[k++] = c;
    }
    buf[k] = '\0';
}

/* A table row naming base in its first cell: its last non-empty cell. */
static int from_table_row(const char *line, const char *eol, const char *base, char *buf, size_t size)
{
    const char *first_end = strchr(line + 1, '|');
    if (!first_end || first_end >= eol || !names_file(line + 1, first_end, base)) return 0;
    const char *end = eol;
    while (end > line && (end[-1] == ' ' || end[-1] == '|')) end--;
    const char *start = end;
    while (start > first_end && start[-1] != '|') start--;
    copy_plain(start, end, buf, size);
    return buf[0] != '\0';
}

static int from_readme(const char *readme, const char *base, char *buf, size_t size)
{
    FILE *f = fopen(readme, "rb");
    if (!f) return 0;
    char *text = malloc(1 << 20);
    size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!text) return 0;
    text[n] = '\0';
    int found = 0;
    for (char *line = text; *line && !found;) {
        char *eol = strchr(line, '\n');
        if (!eol) eol = line + strlen(line);
        if (line[0] == '|') {
            found = from_table_row(line, eol, base, buf, size);
        } else if (line[0] == '`') {
            /* "`name`: what it is ... (source; licence)": the paragraph after the colon */
            const char *tick = strchr(line + 1, '`');
            if (tick && tick < eol && tick[1] == ':' && names_file(line, tick + 1, base)) {
                char *para = strstr(tick, "\n\n");
                copy_plain(tick + 2, para ? para : text + n, buf, size);
                found = buf[0] != '\0';
            }
        }
        line = *eol ? eol + 1 : eol;
    }
    free(text);
    return found;
}

int ccs_sweep_source_of(const char *path, char *buf, size_t size)
{
    char dir[4096], readme[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    char parent[4096];
    snprintf(parent, sizeof parent, "%s/..", dir);
    const char *folders[2] = {parent, dir};
    for (int i = 0; i < 2; i++) {
        snprintf(readme, sizeof readme, "%s/README.md", folders[i]);
        if (from_readme(readme, base, buf, size)) return 1;
    }
    return 0;
}

/* The file's FNV-1a 64-bit hash and size, as the sweep's scenario hash is computed: it tells a
 * changed file from the one the sweep read, though it is no defence against a forged one. */
static int file_hash(const char *path, uint64_t *hash, long long *bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    unsigned char buf[65536];
    size_t n;
    *bytes = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            h ^= buf[i];
            h *= UINT64_C(0x100000001b3);
        }
        *bytes += (long long)n;
    }
    int bad = ferror(f);
    fclose(f);
    *hash = h;
    return bad ? -1 : 0;
}

/* A file the scenario reads (as the loader resolved it), shown as name, with its source. */
static void add_source(fact_list *l, const char *file, const char *name, const char *what)
{
    for (size_t i = 0; i < l->n; i++) /* each file once */
        if (strcmp(l->v[i].kind, "source") == 0 && strcmp(l->v[i].name, name) == 0) return;
    char source[1500], stamp[80] = "";
    uint64_t h;
    long long bytes;
    if (file_hash(file, &h, &bytes) == 0)
        snprintf(stamp, sizeof stamp, " [%lld bytes, FNV-1a %016" PRIx64 "]", bytes, h);
    if (ccs_sweep_source_of(file, source, sizeof source))
        add(l, "source", name, "%s: %s%s", what, source, stamp);
    else
        add(l, "source", name,
            "%s: no README.md beside the file states its source and licence: state them before signing%s", what, stamp);
}

static void add_sources(fact_list *l, const ccs_scenario *s)
{
    for (size_t i = 0; i < s->nregions; i++) {
        const ccs_region_cfg *rg = &s->regions[i];
        if (rg->carbon.file) add_source(l, rg->carbon.file, as_written(s, rg->carbon.file), "carbon intensity");
        if (rg->price.file) add_source(l, rg->price.file, as_written(s, rg->price.file), "electricity price");
    }
    int rented = 0;
    for (size_t i = 0; i < s->njobs; i++) {
        const ccs_job_cfg *j = &s->jobs[i];
        if (j->release.trace) add_source(l, j->release.trace, as_written(s, j->release.trace), "release times");
        if (j->spot_price.file) add_source(l, j->spot_price.file, as_written(s, j->spot_price.file), "spot prices");
        rented |= j->rent_in != NULL;
    }
    if (rented && s->instance_prices)
        add_source(l, s->instance_prices, as_written(s, s->instance_prices), "instance prices");
    else if (rented)
        add_source(l, ccs_data_path("traces/cloud/instance-prices.csv"), "traces/cloud/instance-prices.csv (bundled)",
                   "instance prices");
}

int ccs_sweep_context_build(const ccs_scenario *s, ccs_sweep_fact **facts, size_t *n)
{
    fact_list l = {0};
    add_period(&l, s);
    add_assumptions(&l, s);
    add_sources(&l, s);
    if (l.oom) {
        ccs_sweep_facts_free(l.v, l.n);
        *facts = NULL, *n = 0;
        return -1;
    }
    *facts = l.v;
    *n = l.n;
    return 0;
}

void ccs_sweep_facts_free(ccs_sweep_fact *facts, size_t n)
{
    for (size_t i = 0; facts && i < n; i++) free(facts[i].kind), free(facts[i].name), free(facts[i].value);
    free(facts);
}
