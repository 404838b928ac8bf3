/* The energy ledger; see ledger.h. Segment boundaries are the hours and every stamp of the
 * region's carbon and price traces, so within a segment both signals are constant and the
 * products energy x intensity and energy x price are exact. */
#include "ledger.h"
#include "ccs_units.h"

#include "ccs_time.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct region_book {
    ccs_ledger_region cfg;
    size_t nseg;
    int64_t *seg_start; /* nseg + 1 boundaries */
    double *ci, *price;
    double *mci;                   /* marginal intensity, or NULL */
    double *pue, *cool, *wue;      /* the facility per segment: PUE, cooling share, on-site L/kWh IT */
    double pue_mean;               /* over the segments, by time: what planners take */
    double *it_j, *owned_j, *rent; /* rent: every sum of money outside electricity */
    double money[CCS_MONEY_KINDS]; /* that money by kind (CCS_MONEY_ENERGY unused: from owned_j) */
    size_t cursor;
    /* hourly cache */
    int dirty;
    size_t nh;
    int64_t *hour_us;
    double *h_it, *h_energy, *h_carbon, *h_cost, *h_ci, *h_price, *h_marginal;
    double *h_pue, *h_cool, *h_water, *h_heat;
} region_book;

struct ccs_ledger {
    int64_t t0, t1;             /* what the traces cover from the start */
    int64_t t_report;           /* end of reported hours: the period's end or the last draw, if later */
    int64_t clip_from, clip_to; /* what is booked (ccs_ledger_set_clip); INT64_MIN, INT64_MAX: all */
    size_t nregions;
    region_book *books;
};

/* Sorts b[0..n), made of nruns ascending runs starting at run_at[0] = 0 < run_at[1] < ..., by
 * merging each run into the sorted front in turn (tmp: n entries). The runs are the hours and each
 * trace's stamps, each already in order: a handful of linear merges where qsort's comparisons were
 * 7% of a short sweep run (perf, tests/bench-sweep.yaml). */
static void merge_runs(int64_t *b, int64_t *tmp, size_t n, const size_t *run_at, size_t nruns)
{
    for (size_t r = 1; r < nruns; r++) {
        size_t mid = run_at[r], end = r + 1 < nruns ? run_at[r + 1] : n, i = 0, j = mid, k = 0;
        while (i < mid && j < end) tmp[k++] = b[j] < b[i] ? b[j++] : b[i++];
        while (i < mid) tmp[k++] = b[i++];
        while (j < end) tmp[k++] = b[j++];
        memcpy(b, tmp, k * sizeof *b);
    }
}

static int check_cover(const ccs_trace *t, int64_t t0, int64_t t1, const char *what, const char *region, ccs_err *err)
{
    if (ccs_trace_start_us(t) <= t0 && ccs_trace_end_us(t) >= t1) return 0;
    char a[32], b[32], c[32], d[32];
    ccs_time_format(t0, a, sizeof a);
    ccs_time_format(t1, b, sizeof b);
    ccs_time_format(ccs_trace_start_us(t), c, sizeof c);
    ccs_time_format(ccs_trace_end_us(t), d, sizeof d);
    return ccs_err_at(err, CCS_EINPUT, ccs_trace_path(t), 0, 0,
                      "the %s trace of region '%s' covers %s to %s, but the run needs %s to %s "
                      "(the period, plus the time jobs released in it need to finish)",
                      what, region, c, d, a, b);
}

static int build_book(region_book *bk, int64_t t0, int64_t t1, ccs_err *err)
{
    const ccs_trace *tr[5] = {bk->cfg.carbon, bk->cfg.price, bk->cfg.marginal, bk->cfg.temperature, bk->cfg.humidity};
    size_t cap = (size_t)((t1 - t0) / CCS_US_PER_HOUR) + 3;
    for (int k = 0; k < 5; k++)
        if (tr[k]) cap += ccs_trace_len(tr[k]);
    int64_t *b = malloc(cap * sizeof *b), *tmp = malloc(cap * sizeof *tmp);
    if (!b || !tmp) {
        free(b);
        free(tmp);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    size_t n = 0, run_at[6], nruns = 1;
    run_at[0] = 0;
    b[n++] = t0;
    for (int64_t h = ccs_time_floor(t0, CCS_US_PER_HOUR) + CCS_US_PER_HOUR; h < t1; h += CCS_US_PER_HOUR) b[n++] = h;
    b[n++] = t1; /* the hours and both ends: one ascending run */
    for (int k = 0; k < 5; k++) {
        if (!tr[k]) continue;
        run_at[nruns++] = n;
        const int64_t *ts = ccs_trace_times(tr[k]); /* strictly increasing (ccs_trace.h) */
        for (size_t i = 0; i < ccs_trace_len(tr[k]); i++)
            if (ts[i] > t0 && ts[i] < t1) b[n++] = ts[i];
    }
    merge_runs(b, tmp, n, run_at, nruns);
    free(tmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || b[i] != b[u - 1]) b[u++] = b[i];
    bk->seg_start = b;
    bk->nseg = u - 1;
    size_t ns = bk->nseg;
    bk->ci = calloc(ns ? ns : 1, sizeof(double));
    bk->price = calloc(ns ? ns : 1, sizeof(double));
    bk->it_j = calloc(ns ? ns : 1, sizeof(double));
    bk->owned_j = calloc(ns ? ns : 1, sizeof(double));
    bk->rent = calloc(ns ? ns : 1, sizeof(double));
    bk->mci = bk->cfg.marginal ? calloc(ns ? ns : 1, sizeof(double)) : NULL;
    bk->pue = calloc(ns ? ns : 1, sizeof(double));
    bk->cool = calloc(ns ? ns : 1, sizeof(double));
    bk->wue = calloc(ns ? ns : 1, sizeof(double));
    if (!bk->ci || !bk->price || !bk->it_j || !bk->owned_j || !bk->rent || (bk->cfg.marginal && !bk->mci) || !bk->pue ||
        !bk->cool || !bk->wue)
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    size_t hc = 0, hp = 0, hm = 0, ht = 0, hh = 0;
    for (size_t s = 0; s < ns; s++) {
        bk->pue[s] = bk->cfg.pue;
        if (bk->cfg.facility) {
            const ccs_facility_cfg *f = bk->cfg.facility;
            double t = bk->cfg.temperature
                           ? ccs_trace_values(bk->cfg.temperature)[ccs_trace_index_at(bk->cfg.temperature, b[s], &ht)]
                           : f->temperature_c;
            double rh = bk->cfg.humidity
                            ? ccs_trace_values(bk->cfg.humidity)[ccs_trace_index_at(bk->cfg.humidity, b[s], &hh)]
                            : NAN;
            /* t is NAN only where nothing reads it: a cooling model, a curve or towers need a
             * temperature (ccs_facility_check) */
            ccs_facility_state st = ccs_facility_at(f, t, rh);
            if (f->cooling != CCS_COOLING_NONE || f->pue_curve.nt >= 2) {
                bk->pue[s] = st.pue;
                bk->cool[s] = st.cooling;
            }
            bk->wue[s] = st.wue_l_per_kwh;
        }
        long i = ccs_trace_index_at(bk->cfg.carbon, b[s], &hc);
        bk->ci[s] = ccs_trace_values(bk->cfg.carbon)[i];
        if (bk->mci) bk->mci[s] = ccs_trace_values(bk->cfg.marginal)[ccs_trace_index_at(bk->cfg.marginal, b[s], &hm)];
        if (bk->cfg.price) {
            long j = ccs_trace_index_at(bk->cfg.price, b[s], &hp);
            bk->price[s] = ccs_trace_values(bk->cfg.price)[j];
        } else if (bk->cfg.day_night) { /* segments never cross an hour, nor so a tariff edge */
            int64_t tod = b[s] % CCS_US_PER_DAY, from = bk->cfg.day_from_us, to = bk->cfg.day_to_us;
            if (tod < 0) tod += CCS_US_PER_DAY;
            int day = from <= to ? (tod >= from && tod < to) : (tod >= from || tod < to);
            bk->price[s] = day ? bk->cfg.day_per_mwh : bk->cfg.night_per_mwh;
        } else {
            bk->price[s] = bk->cfg.fixed_price_per_mwh >= 0 ? bk->cfg.fixed_price_per_mwh : 0.0;
        }
    }
    bk->pue_mean = bk->cfg.pue;
    if (bk->cfg.facility && (bk->cfg.facility->cooling != CCS_COOLING_NONE || bk->cfg.facility->pue_curve.nt >= 2)) {
        double sum = 0;
        for (size_t s = 0; s < ns; s++) sum += bk->pue[s] * (double)(b[s + 1] - b[s]);
        bk->pue_mean = ns ? sum / (double)(b[ns] - b[0]) : bk->cfg.pue;
    }
    bk->dirty = 1;
    return 0;
}

int ccs_ledger_create(const ccs_ledger_region *regions, size_t nregions, int64_t t0_us, int64_t t1_us, ccs_ledger **out,
                      ccs_err *err)
{
    *out = NULL;
    ccs_ledger *l = calloc(1, sizeof *l);
    if (!l) return ccs_err_set(err, CCS_ERUN, "out of memory");
    l->t0 = t0_us;
    l->t_report = t1_us;
    l->clip_from = INT64_MIN;
    l->clip_to = INT64_MAX;
    /* Reach as far as every trace goes, so that work released in the period may finish after
     * it; a draw past that is refused and reported by the consumer. */
    l->t1 = INT64_MAX;
    for (size_t r = 0; r < nregions; r++) {
        if (ccs_trace_end_us(regions[r].carbon) < l->t1) l->t1 = ccs_trace_end_us(regions[r].carbon);
        if (regions[r].price && ccs_trace_end_us(regions[r].price) < l->t1) l->t1 = ccs_trace_end_us(regions[r].price);
        if (regions[r].marginal && ccs_trace_end_us(regions[r].marginal) < l->t1)
            l->t1 = ccs_trace_end_us(regions[r].marginal);
        if (regions[r].temperature && ccs_trace_end_us(regions[r].temperature) < l->t1)
            l->t1 = ccs_trace_end_us(regions[r].temperature);
        if (regions[r].humidity && ccs_trace_end_us(regions[r].humidity) < l->t1)
            l->t1 = ccs_trace_end_us(regions[r].humidity);
    }
    if (l->t1 < t1_us) l->t1 = t1_us; /* coverage is checked below with a clear message */
    l->nregions = nregions;
    l->books = calloc(nregions ? nregions : 1, sizeof *l->books);
    if (!l->books) {
        free(l);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    int rc = 0;
    for (size_t r = 0; r < nregions && !rc; r++) {
        l->books[r].cfg = regions[r];
        rc = check_cover(regions[r].carbon, t0_us, t1_us, "carbon", regions[r].name, err);
        if (!rc && regions[r].price) rc = check_cover(regions[r].price, t0_us, t1_us, "price", regions[r].name, err);
        if (!rc && regions[r].marginal)
            rc = check_cover(regions[r].marginal, t0_us, t1_us, "marginal carbon", regions[r].name, err);
        if (!rc && regions[r].temperature)
            rc = check_cover(regions[r].temperature, t0_us, t1_us, "temperature", regions[r].name, err);
        if (!rc && regions[r].humidity)
            rc = check_cover(regions[r].humidity, t0_us, t1_us, "humidity", regions[r].name, err);
        if (!rc) rc = build_book(&l->books[r], t0_us, l->t1, err);
    }
    if (rc) {
        ccs_ledger_destroy(l);
        return rc;
    }
    *out = l;
    return 0;
}

static void free_hourly(region_book *bk)
{
    free(bk->hour_us);
    free(bk->h_it);
    free(bk->h_energy);
    free(bk->h_carbon);
    free(bk->h_cost);
    free(bk->h_ci);
    free(bk->h_price);
    free(bk->h_marginal);
    free(bk->h_pue);
    free(bk->h_cool);
    free(bk->h_water);
    free(bk->h_heat);
    bk->hour_us = NULL;
    bk->h_it = bk->h_energy = bk->h_carbon = bk->h_cost = bk->h_ci = bk->h_price = bk->h_marginal = NULL;
    bk->h_pue = bk->h_cool = bk->h_water = bk->h_heat = NULL;
}

const char *const ccs_money_words[] = {"energy", "rent", "capex", "transfer", NULL};

void ccs_charge_add(ccs_charge *into, const ccs_charge *c)
{
    into->it_energy_j += c->it_energy_j;
    into->energy_j += c->energy_j;
    into->carbon_g += c->carbon_g;
    into->carbon_marginal_g += c->carbon_marginal_g;
    into->cost += c->cost;
    for (int k = 0; k < CCS_MONEY_KINDS; k++) into->money[k] += c->money[k];
    into->cooling_j += c->cooling_j;
    into->water_onsite_l += c->water_onsite_l;
    into->water_offsite_l += c->water_offsite_l;
    into->heat_reused_j += c->heat_reused_j;
}

void ccs_ledger_destroy(ccs_ledger *l)
{
    if (!l) return;
    for (size_t r = 0; r < l->nregions; r++) {
        region_book *bk = &l->books[r];
        free(bk->seg_start);
        free(bk->ci);
        free(bk->mci);
        free(bk->pue);
        free(bk->cool);
        free(bk->wue);
        free(bk->price);
        free(bk->it_j);
        free(bk->owned_j);
        free(bk->rent);
        free_hourly(bk);
    }
    free(l->books);
    free(l);
}

static double *dup_doubles(const double *a, size_t n)
{
    if (!a) return NULL;
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d) memcpy(d, a, n * sizeof *d);
    return d;
}

int ccs_ledger_clone(const ccs_ledger *l, ccs_ledger **out, ccs_err *err)
{
    *out = NULL;
    ccs_ledger *c = calloc(1, sizeof *c);
    if (!c) return ccs_err_set(err, CCS_ERUN, "out of memory");
    *c = *l;
    c->books = calloc(l->nregions ? l->nregions : 1, sizeof *c->books);
    if (!c->books) {
        free(c);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    int bad = 0;
    for (size_t r = 0; r < l->nregions; r++) {
        const region_book *a = &l->books[r];
        region_book *b = &c->books[r];
        *b = *a;
        size_t n = a->nseg;
        b->seg_start = malloc((n + 1) * sizeof *b->seg_start);
        if (b->seg_start) memcpy(b->seg_start, a->seg_start, (n + 1) * sizeof *b->seg_start);
        b->ci = dup_doubles(a->ci, n);
        b->price = dup_doubles(a->price, n);
        b->mci = dup_doubles(a->mci, n);
        b->pue = dup_doubles(a->pue, n);
        b->cool = dup_doubles(a->cool, n);
        b->wue = dup_doubles(a->wue, n);
        b->it_j = dup_doubles(a->it_j, n);
        b->owned_j = dup_doubles(a->owned_j, n);
        b->rent = dup_doubles(a->rent, n);
        b->dirty = 1; /* its hourly series are its own, made when asked for */
        b->nh = 0;
        b->hour_us = NULL;
        b->h_it = b->h_energy = b->h_carbon = b->h_cost = b->h_ci = b->h_price = b->h_marginal = NULL;
        b->h_pue = b->h_cool = b->h_water = b->h_heat = NULL;
        bad |= !b->seg_start || !b->ci || !b->price || (a->mci && !b->mci) || !b->pue || !b->cool || !b->wue ||
               !b->it_j || !b->owned_j || !b->rent;
    }
    if (bad) {
        ccs_ledger_destroy(c);
        return ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    *out = c;
    return 0;
}

void ccs_ledger_set_clip(ccs_ledger *l, int64_t from_us, int64_t to_us)
{
    l->clip_from = from_us;
    l->clip_to = to_us;
}

void ccs_ledger_clear(ccs_ledger *l)
{
    for (size_t r = 0; r < l->nregions; r++) {
        region_book *bk = &l->books[r];
        memset(bk->it_j, 0, bk->nseg * sizeof *bk->it_j);
        memset(bk->owned_j, 0, bk->nseg * sizeof *bk->owned_j);
        memset(bk->rent, 0, bk->nseg * sizeof *bk->rent);
        memset(bk->money, 0, sizeof bk->money);
        bk->dirty = 1;
    }
}

void ccs_ledger_raw(const ccs_ledger *l, int r, double *it_j, double *owned_j, double *money)
{
    const region_book *bk = &l->books[r];
    double a = 0, b = 0;
    for (size_t s = 0; s < bk->nseg; s++) {
        a += bk->it_j[s];
        b += bk->owned_j[s];
    }
    *it_j = a;
    *owned_j = b;
    for (int k = 0; k < CCS_MONEY_KINDS; k++) money[k] = k == CCS_MONEY_ENERGY ? 0.0 : bk->money[k];
}

void ccs_ledger_merge(ccs_ledger *into, const ccs_ledger *from)
{
    if (from->t_report > into->t_report) into->t_report = from->t_report;
    for (size_t r = 0; r < into->nregions; r++) {
        region_book *a = &into->books[r];
        const region_book *b = &from->books[r];
        for (size_t s = 0; s < a->nseg; s++) {
            a->it_j[s] += b->it_j[s];
            a->owned_j[s] += b->owned_j[s];
            a->rent[s] += b->rent[s];
        }
        for (int k = 0; k < CCS_MONEY_KINDS; k++) a->money[k] += b->money[k];
        a->dirty = 1;
    }
}

static size_t find_segment(region_book *bk, int64_t t)
{
    size_t c = bk->cursor;
    if (c < bk->nseg && bk->seg_start[c] <= t && t < bk->seg_start[c + 1]) return c;
    size_t lo = 0, hi = bk->nseg; /* largest s with seg_start[s] <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (bk->seg_start[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int ccs_ledger_span(ccs_ledger *l, int r, int64_t t_us, int64_t *lo_us, int64_t *hi_us)
{
    if (t_us < l->t0 || t_us >= l->t1) return -1;
    region_book *bk = &l->books[r];
    size_t s = find_segment(bk, t_us);
    bk->cursor = s;
    int64_t lo = bk->seg_start[s], hi = bk->seg_start[s + 1];
    if (lo < l->t0) lo = l->t0;
    if (hi > l->t1) hi = l->t1;
    /* the clip's edges cut the stretch: one side is booked, the other not */
    if (t_us < l->clip_from && hi > l->clip_from) hi = l->clip_from;
    if (t_us >= l->clip_from && lo < l->clip_from) lo = l->clip_from;
    if (t_us < l->clip_to && hi > l->clip_to) hi = l->clip_to;
    if (t_us >= l->clip_to && lo < l->clip_to) lo = l->clip_to;
    *lo_us = lo;
    *hi_us = hi;
    return 0;
}

int ccs_ledger_add(ccs_ledger *l, int r, int64_t a_us, int64_t b_us, double power_w, int owned, double rent_per_hour,
                   ccs_charge *charge)
{
    if (a_us < l->t0 || b_us > l->t1 || b_us < a_us) return -1;
    region_book *bk = &l->books[r];
    bk->dirty = 1;
    if (a_us < l->clip_from) a_us = l->clip_from < b_us ? l->clip_from : b_us;
    if (b_us > l->clip_to) b_us = l->clip_to > a_us ? l->clip_to : a_us;
    if (b_us == a_us) return 0;
    if (b_us > l->t_report) {
        l->t_report = b_us;
        for (size_t k = 0; k < l->nregions; k++) l->books[k].dirty = 1;
    }
    const ccs_facility_cfg *f = bk->cfg.facility;
    size_t s = find_segment(bk, a_us);
    for (; s < bk->nseg && bk->seg_start[s] < b_us; s++) {
        int64_t lo = a_us > bk->seg_start[s] ? a_us : bk->seg_start[s];
        int64_t hi = b_us < bk->seg_start[s + 1] ? b_us : bk->seg_start[s + 1];
        double secs = (double)(hi - lo) / 1e6;
        double e = power_w * secs;
        double rent = rent_per_hour * secs / CCS_S_PER_HOUR_F;
        bk->it_j[s] += e;
        if (owned) bk->owned_j[s] += e;
        bk->rent[s] += rent;
        bk->money[CCS_MONEY_RENT] += rent;
        if (charge) {
            double pue = bk->pue[s];
            double energy_cost = owned ? e * pue / CCS_J_PER_KWH / 1000.0 * bk->price[s] : 0.0;
            charge->it_energy_j += e;
            charge->energy_j += e * pue;
            charge->carbon_g += e * pue / CCS_J_PER_KWH * bk->ci[s];
            if (bk->mci) charge->carbon_marginal_g += e * pue / CCS_J_PER_KWH * bk->mci[s];
            charge->cost += energy_cost + rent;
            charge->money[CCS_MONEY_ENERGY] += energy_cost;
            charge->money[CCS_MONEY_RENT] += rent;
            charge->cooling_j += e * bk->cool[s];
            charge->water_onsite_l += e / CCS_J_PER_KWH * bk->wue[s];
            if (f) {
                charge->water_offsite_l += e * pue / CCS_J_PER_KWH * f->offsite_water_l_per_kwh;
                charge->heat_reused_j += e * f->heat_reuse;
            }
        }
    }
    bk->cursor = s > 0 ? s - 1 : 0;
    return 0;
}

int ccs_ledger_add_money(ccs_ledger *l, int r, int64_t t_us, double amount, int kind, ccs_charge *charge)
{
    if (t_us < l->t0 || t_us >= l->t1) return -1;
    if (t_us < l->clip_from || t_us >= l->clip_to) return 0;
    region_book *bk = &l->books[r];
    bk->rent[find_segment(bk, t_us)] += amount; /* money outside electricity: summed into cost */
    bk->money[kind] += amount;
    bk->dirty = 1;
    if (charge) {
        charge->cost += amount;
        charge->money[kind] += amount;
    }
    return 0;
}

int ccs_ledger_add_rate(ccs_ledger *l, int r, int64_t a_us, int64_t b_us, double per_hour, int kind, ccs_charge *charge)
{
    if (a_us < l->t0 || b_us > l->t1 || b_us < a_us) return -1;
    region_book *bk = &l->books[r];
    if (a_us < l->clip_from) a_us = l->clip_from < b_us ? l->clip_from : b_us;
    if (b_us > l->clip_to) b_us = l->clip_to > a_us ? l->clip_to : a_us;
    if (b_us == a_us || per_hour == 0) return 0;
    bk->dirty = 1;
    if (b_us > l->t_report) {
        l->t_report = b_us;
        for (size_t k = 0; k < l->nregions; k++) l->books[k].dirty = 1;
    }
    for (size_t s = find_segment(bk, a_us); s < bk->nseg && bk->seg_start[s] < b_us; s++) {
        int64_t lo = a_us > bk->seg_start[s] ? a_us : bk->seg_start[s];
        int64_t hi = b_us < bk->seg_start[s + 1] ? b_us : bk->seg_start[s + 1];
        double m = per_hour * ((double)(hi - lo) / 1e6) / CCS_S_PER_HOUR_F;
        bk->rent[s] += m;
        bk->money[kind] += m;
        if (charge) {
            charge->cost += m;
            charge->money[kind] += m;
        }
    }
    return 0;
}

void ccs_ledger_breakdown(const ccs_ledger *l, int r, double *money)
{
    const region_book *bk = &l->books[r];
    for (int k = 0; k < CCS_MONEY_KINDS; k++) money[k] = bk->money[k];
    double e = 0;
    for (size_t s = 0; s < bk->nseg; s++) e += bk->owned_j[s] * bk->pue[s] / CCS_J_PER_KWH / 1000.0 * bk->price[s];
    money[CCS_MONEY_ENERGY] = e;
}

void ccs_ledger_signal(const ccs_ledger *l, int r, ccs_signal *out)
{
    const region_book *bk = &l->books[r];
    *out = (ccs_signal){bk->nseg, bk->seg_start, bk->ci, bk->price, bk->mci, bk->pue_mean};
}

int64_t ccs_ledger_t0(const ccs_ledger *l) { return l->t0; }

double ccs_ledger_heat_avoided_g_per_kwh(const ccs_ledger *l, int r)
{
    const ccs_facility_cfg *f = l->books[r].cfg.facility;
    return f ? f->heat_avoided_g_per_kwh : 0.0;
}
int64_t ccs_ledger_t1(const ccs_ledger *l) { return l->t1; }

int ccs_ledger_hourly(ccs_ledger *l, int r, ccs_hourly *out)
{
    region_book *bk = &l->books[r];
    const ccs_facility_cfg *f = bk->cfg.facility;
    if (bk->dirty) {
        int64_t h0 = ccs_time_floor(l->t0, CCS_US_PER_HOUR);
        size_t nh = (size_t)((l->t_report - h0 + CCS_US_PER_HOUR - 1) / CCS_US_PER_HOUR);
        if (bk->nh != nh) {
            free_hourly(bk);
            bk->hour_us = calloc(nh, sizeof(int64_t));
            double **arr[] = {&bk->h_it,    &bk->h_energy, &bk->h_carbon, &bk->h_cost,  &bk->h_ci,
                              &bk->h_price, &bk->h_pue,    &bk->h_cool,   &bk->h_water, &bk->h_heat};
            int bad = !bk->hour_us;
            for (size_t k = 0; k < sizeof arr / sizeof arr[0]; k++) bad |= !(*arr[k] = calloc(nh, sizeof(double)));
            bk->h_marginal = bk->mci ? calloc(nh, sizeof(double)) : NULL;
            if (bad || (bk->mci && !bk->h_marginal)) return -1;
        }
        bk->nh = nh;
        for (size_t h = 0; h < nh; h++) {
            bk->hour_us[h] = h0 + (int64_t)h * CCS_US_PER_HOUR;
            bk->h_it[h] = bk->h_energy[h] = bk->h_carbon[h] = bk->h_cost[h] = 0;
            bk->h_ci[h] = bk->h_price[h] = bk->h_pue[h] = bk->h_cool[h] = bk->h_water[h] = bk->h_heat[h] = 0;
            if (bk->h_marginal) bk->h_marginal[h] = 0;
        }
        double *covered = calloc(nh ? nh : 1, sizeof(double));
        if (!covered) return -1;
        for (size_t s = 0; s < bk->nseg && bk->seg_start[s] < l->t_report; s++) {
            size_t h = (size_t)((bk->seg_start[s] - h0) / CCS_US_PER_HOUR);
            int64_t seg_end = bk->seg_start[s + 1] < l->t_report ? bk->seg_start[s + 1] : l->t_report;
            double secs = (double)(seg_end - bk->seg_start[s]) / 1e6;
            double it_kwh = bk->it_j[s] / CCS_J_PER_KWH, pue = bk->pue[s];
            bk->h_it[h] += it_kwh;
            bk->h_energy[h] += bk->it_j[s] * pue / CCS_J_PER_KWH;
            bk->h_carbon[h] += bk->it_j[s] * pue / CCS_J_PER_KWH * bk->ci[s] / 1000.0;
            if (bk->h_marginal) bk->h_marginal[h] += bk->it_j[s] * pue / CCS_J_PER_KWH * bk->mci[s] / 1000.0;
            bk->h_cost[h] += bk->owned_j[s] * pue / CCS_J_PER_KWH / 1000.0 * bk->price[s] + bk->rent[s];
            bk->h_cool[h] += it_kwh * bk->cool[s];
            bk->h_water[h] += it_kwh * bk->wue[s] + (f ? it_kwh * pue * f->offsite_water_l_per_kwh : 0.0);
            if (f) bk->h_heat[h] += it_kwh * f->heat_reuse;
            bk->h_ci[h] += bk->ci[s] * secs;
            bk->h_price[h] += bk->price[s] * secs;
            bk->h_pue[h] += pue * secs;
            covered[h] += secs;
        }
        for (size_t h = 0; h < nh; h++) {
            if (covered[h] > 0) {
                bk->h_ci[h] /= covered[h];
                bk->h_price[h] /= covered[h];
                bk->h_pue[h] /= covered[h];
            }
        }
        free(covered);
        bk->dirty = 0;
    }
    out->n = bk->nh;
    out->hour_us = bk->hour_us;
    out->it_energy_kwh = bk->h_it;
    out->energy_kwh = bk->h_energy;
    out->carbon_kg = bk->h_carbon;
    out->cost = bk->h_cost;
    out->intensity = bk->h_ci;
    out->price = bk->h_price;
    out->carbon_marginal_kg = bk->h_marginal;
    out->pue = bk->h_pue;
    out->cooling_kwh = bk->h_cool;
    out->water_l = bk->h_water;
    out->heat_reused_kwh = bk->h_heat;
    return 0;
}

/* ---- the schema of a region in a scenario ---- */
/* ---- regions ---- */
static void region_defaults(void *p)
{
    ccs_region_cfg *r = p;
    r->pue = 1.0;
    ccs_facility_defaults(&r->facility);
    r->fixed_price_per_mwh = -1;
    r->tariff.day_per_mwh = -1;
    r->tariff.day_from_us = 7 * CCS_US_PER_HOUR;
    r->tariff.day_to_us = 23 * CCS_US_PER_HOUR;
}
static const ccs_field tariff_fields[] = {
    {"day_per_mwh", CCS_F_DOUBLE, offsetof(ccs_tariff_cfg, day_per_mwh), 1, CCS_NO_RANGE, NULL, NULL, 0,
     "the day rate, currency/MWh", NULL},
    {"night_per_mwh", CCS_F_DOUBLE, offsetof(ccs_tariff_cfg, night_per_mwh), 1, CCS_NO_RANGE, NULL, NULL, 0,
     "the night rate, currency/MWh", NULL},
    {"day_from", CCS_F_CLOCK, offsetof(ccs_tariff_cfg, day_from_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a UTC clock time on the hour, such as \"07:00\"", NULL},
    {"day_to", CCS_F_CLOCK, offsetof(ccs_tariff_cfg, day_to_us), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a UTC clock time on the hour, such as \"23:00\"", NULL},
};
static const ccs_schema tariff_schema = {"tariff", sizeof(ccs_tariff_cfg), tariff_fields, 4, CCS_NOPOS, NULL};
static const ccs_field region_fields[] = {
    {"name", CCS_F_NAME, offsetof(ccs_region_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"carbon", CCS_F_MAP, offsetof(ccs_region_cfg, carbon), 1, CCS_NO_RANGE, NULL, &ccs_trace_ref_schema, 0,
     "a carbon-intensity trace path or {file, column, fill}", "file"},
    {"carbon_marginal", CCS_F_MAP, offsetof(ccs_region_cfg, carbon_marginal), 0, CCS_NO_RANGE, NULL,
     &ccs_trace_ref_schema, 0, "a marginal carbon-intensity trace path or {file, column, fill}", "file"},
    {"price", CCS_F_MAP, offsetof(ccs_region_cfg, price), 0, CCS_NO_RANGE, NULL, &ccs_trace_ref_schema, 0,
     "an electricity price trace path (currency/MWh) or {file, column, fill}", "file"},
    {"tariff_per_mwh", CCS_F_DOUBLE, offsetof(ccs_region_cfg, fixed_price_per_mwh), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a stated flat electricity tariff, currency/MWh", NULL},
    {"tariff", CCS_F_MAP, offsetof(ccs_region_cfg, tariff), 0, CCS_NO_RANGE, NULL, &tariff_schema, 0,
     "a stated day/night tariff {day_per_mwh, night_per_mwh, day_from, day_to}", NULL},
    {"pue", CCS_F_DOUBLE, offsetof(ccs_region_cfg, pue), 0, 1.0, 3.0, NULL, NULL, 0, "a power usage effectiveness",
     NULL},
    {"capacity_kw", CCS_F_DOUBLE, offsetof(ccs_region_cfg, capacity_kw), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "a capacity in kW (0: unlimited)", NULL},
    {"cloud_region", CCS_F_STR, offsetof(ccs_region_cfg, cloud_region), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "a cloud region such as aws/eu-central-1 or gcp/europe-west3, for instance prices", NULL},
    {"facility", CCS_F_MAP, offsetof(ccs_region_cfg, facility), 0, CCS_NO_RANGE, NULL, &ccs_facility_schema, 0,
     "{cooling: air|liquid, temperature, pue_curve, water_cooled, offsite_water_l_per_kwh, heat_reuse, ...}", NULL},
};
const ccs_schema ccs_region_schema = {"region",
                                      sizeof(ccs_region_cfg),
                                      region_fields,
                                      sizeof region_fields / sizeof region_fields[0],
                                      offsetof(ccs_region_cfg, pos),
                                      region_defaults};

/* One price source at most; a day/night tariff on whole hours. */
int ccs_region_check(const ccs_region_cfg *r, ccs_err *err)
{
    const ccs_src_pos *p = &r->pos;
    int sources = ccs_trace_ref_set(&r->price) + (r->fixed_price_per_mwh >= 0) + (r->tariff.day_per_mwh >= 0);
    if (sources > 1)
        return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col,
                          "regions[%s]: give one of 'price', 'tariff_per_mwh' or 'tariff', not several", r->name);
    if (r->pue != 1.0 && (r->facility.cooling != CCS_COOLING_NONE || r->facility.pue_curve.nt))
        return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col,
                          "regions[%s]: both pue %g and a facility cooling model: expected one (the facility's PUE "
                          "follows the outdoor temperature)",
                          r->name, r->pue);
    int rc = ccs_facility_check(&r->facility, r->name, p, err);
    if (rc) return rc;
    if (r->tariff.day_per_mwh >= 0 &&
        (r->tariff.day_from_us % CCS_US_PER_HOUR || r->tariff.day_to_us % CCS_US_PER_HOUR))
        return ccs_err_at(err, CCS_EINPUT, p->file, p->line, p->col,
                          "regions[%s].tariff: day_from and day_to must be on the hour (expected \"HH:00\")", r->name);
    return 0;
}
