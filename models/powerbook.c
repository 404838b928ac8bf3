/* A pool's power and money; see powerbook.h. */
#include "powerbook.h"

#include "ccs_units.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define BUCKET_US (300 * 1000000LL) /* 5 minutes: divides the hour, so buckets never cross one */

struct ccs_power_book {
    ccs_power_book_params par;
    long conc;
    double devices;
    double busy_w;              /* devices, per busy slot, compute-bound */
    double memory_weight;       /* a memory-bound slot's busy power, as a share of a compute-bound one's */
    double host_busy_w;         /* the host's share, per busy slot */
    double idle_w, host_idle_w; /* per provisioned replica */
    double rent_per_h, capex_per_h;
    int owned;
    /* a measured power per batch size: the devices' draw above idle per busy slot running a batch
     * of b, at [b - 1]; NULL: busy_w (or the curve) */
    double *batch_busy_w;
    size_t nbatch;
    /* a measured power curve: busy slot-us (weighted by phase) and provisioned replica-us per
     * bucket; P(u) is not linear, so a batch's power depends on the others in its bucket */
    const ccs_hardware_cfg *curve_hw;
    double *cv_busy, *cv_prov;
    size_t cv_n;
    int64_t cv_base;  /* epoch bucket index of bucket 0 */
    int64_t busy_end; /* the latest end of any busy time */
    long provisioned, prov_max;
    int64_t prov_since;
    double prov_us;
    ccs_charge busy_charge, idle_charge, host_charge;
    int ledger_failed, out_of_memory;
    /* busy draws not yet booked: batches inside [pend_lo, pend_hi) (one stretch of constant
     * prices and intensities, one hour of the series), as watt-microseconds of the devices and
     * of the host, from the first start to the last end among them. Booked as one draw over
     * that time when a batch falls outside, and at the end: a charge per batch was a tenth of a
     * cached search service's time. */
    int64_t pend_lo, pend_hi, pend_first, pend_last;
    double pend_dev_wus, pend_host_wus;
};

static void charge(ccs_power_book *b, int64_t t1, int64_t t2, double power_w, ccs_charge *into)
{
    ccs_charge c = {0};
    if (ccs_ledger_add(b->par.ledger, b->par.region, b->par.t0_us + t1, b->par.t0_us + t2, power_w, b->owned, 0.0,
                       &c) != 0)
        b->ledger_failed = 1;
    ccs_charge_add(into, &c);
    ccs_series_charge(b->par.series, t1, &c);
}

/* Moves the host's share f of a charge's energy (and what it emitted and cost) from c to host;
 * rent and capital cost stay in c. */
static void split_host(ccs_charge *c, double f, ccs_charge *host)
{
    if (!(f > 0)) return;
    ccs_charge h = {0};
    h.it_energy_j = c->it_energy_j * f;
    h.energy_j = c->energy_j * f;
    h.carbon_g = c->carbon_g * f;
    h.carbon_marginal_g = c->carbon_marginal_g * f;
    h.money[CCS_MONEY_ENERGY] = c->money[CCS_MONEY_ENERGY] * f;
    h.cost = h.money[CCS_MONEY_ENERGY];
    h.cooling_j = c->cooling_j * f;
    h.water_onsite_l = c->water_onsite_l * f;
    h.water_offsite_l = c->water_offsite_l * f;
    h.heat_reused_j = c->heat_reused_j * f;
    c->cooling_j -= h.cooling_j;
    c->water_onsite_l -= h.water_onsite_l;
    c->water_offsite_l -= h.water_offsite_l;
    c->heat_reused_j -= h.heat_reused_j;
    c->it_energy_j -= h.it_energy_j;
    c->energy_j -= h.energy_j;
    c->carbon_g -= h.carbon_g;
    c->carbon_marginal_g -= h.carbon_marginal_g;
    c->money[CCS_MONEY_ENERGY] -= h.money[CCS_MONEY_ENERGY];
    c->cost -= h.cost;
    ccs_charge_add(host, &h);
}

/* A draw of device power dev_w and host power host_w over [t1, t2), booked in dev and host. */
static void charge_split(ccs_power_book *b, int64_t t1, int64_t t2, double dev_w, double host_w, double rent_per_h,
                         ccs_charge *dev)
{
    double w = dev_w + host_w;
    if (w <= 0 && rent_per_h <= 0) return;
    ccs_charge c = {0};
    if (ccs_ledger_add(b->par.ledger, b->par.region, b->par.t0_us + t1, b->par.t0_us + t2, w, b->owned, rent_per_h,
                       &c) != 0)
        b->ledger_failed = 1;
    ccs_series_charge(b->par.series, t1, &c);
    if (w > 0) split_host(&c, host_w / w, &b->host_charge);
    ccs_charge_add(dev, &c);
}

static void book_pending(ccs_power_book *b)
{
    if (b->pend_last > b->pend_first && (b->pend_dev_wus > 0 || b->pend_host_wus > 0)) {
        double span = (double)(b->pend_last - b->pend_first);
        charge_split(b, b->pend_first, b->pend_last, b->pend_dev_wus / span, b->pend_host_wus / span, 0.0,
                     &b->busy_charge);
    }
    b->pend_first = INT64_MAX;
    b->pend_last = INT64_MIN;
    b->pend_dev_wus = b->pend_host_wus = 0;
}

/* A busy draw of dev_w and host_w over [t1, t2): summed into the pending draws when it lies in
 * their stretch, else the pending ones are booked and a new stretch begins at t1 (a batch across
 * the stretch's end, rare, is booked at once). */
static void book_busy(ccs_power_book *b, int64_t t1, int64_t t2, double dev_w, double host_w)
{
    if (t1 < b->pend_lo || t2 > b->pend_hi) {
        book_pending(b);
        int64_t lo, hi;
        if (ccs_ledger_span(b->par.ledger, b->par.region, b->par.t0_us + t1, &lo, &hi) != 0) {
            b->pend_lo = b->pend_hi = 0;
            charge_split(b, t1, t2, dev_w, host_w, 0.0, &b->busy_charge); /* outside the period: fails there */
            return;
        }
        (void)ccs_series_slot(b->par.series, t1);
        lo -= b->par.t0_us;
        hi -= b->par.t0_us;
        b->pend_lo = lo > b->par.series->last_lo ? lo : b->par.series->last_lo;
        b->pend_hi = hi < b->par.series->last_hi ? hi : b->par.series->last_hi;
        if (t2 > b->pend_hi) {
            charge_split(b, t1, t2, dev_w, host_w, 0.0, &b->busy_charge);
            return;
        }
    }
    if (t1 < b->pend_first) b->pend_first = t1;
    if (t2 > b->pend_last) b->pend_last = t2;
    double us = (double)(t2 - t1);
    b->pend_dev_wus += dev_w * us;
    b->pend_host_wus += host_w * us;
}

/* Adds weight x the overlap of [t1, t2) with each bucket into the busy (which 0) or provisioned
 * (1) buckets, grown as needed. */
static void bucket_add(ccs_power_book *b, int which, int64_t t1, int64_t t2, double weight)
{
    while (t1 < t2) {
        int64_t k = (b->par.t0_us + t1) / BUCKET_US - b->cv_base;
        int64_t end = (k + 1 + b->cv_base) * BUCKET_US - b->par.t0_us;
        if (end > t2) end = t2;
        if ((size_t)k >= b->cv_n) {
            size_t n = 2 * (size_t)k + 16;
            double *x = realloc(b->cv_busy, n * sizeof *x), *y = x ? realloc(b->cv_prov, n * sizeof *y) : NULL;
            if (x) b->cv_busy = x;
            if (!x || !y) {
                b->out_of_memory = 1;
                return;
            }
            b->cv_prov = y;
            memset(b->cv_busy + b->cv_n, 0, (n - b->cv_n) * sizeof *x);
            memset(b->cv_prov + b->cv_n, 0, (n - b->cv_n) * sizeof *y);
            b->cv_n = n;
        }
        (which ? b->cv_prov : b->cv_busy)[k] += weight * (double)(end - t1);
        t1 = end;
    }
}

/* Books the busy power on a measured curve, bucket by bucket: in a bucket with S slot-us
 * provisioned and B busy, the devices draw P(B / S) - P(0) above idle over S / conc replica-us
 * (a bucket where work ran past the end counts its slots as provisioned). */
static void charge_curve(ccs_power_book *b)
{
    for (size_t k = 0; k < b->cv_n; k++) {
        double busy = b->cv_busy[k];
        if (!(busy > 0)) continue;
        double slots = b->cv_prov[k] * (double)b->conc;
        if (slots < busy) slots = busy;
        double u = busy / slots;
        int64_t t1 = ((int64_t)k + b->cv_base) * BUCKET_US - b->par.t0_us, t2 = t1 + BUCKET_US;
        if (t1 < 0) t1 = 0;
        int64_t last = b->busy_end > b->par.horizon_us ? b->busy_end : b->par.horizon_us;
        if (t2 > last) t2 = last;
        if (t2 <= t1) continue;
        double joules_per_us =
            slots / (double)b->conc * b->devices * (ccs_hardware_power_at(b->curve_hw, u) - b->curve_hw->idle_w);
        charge(b, t1, t2, joules_per_us / (double)(t2 - t1), &b->busy_charge);
    }
}

/* Provisioned replicas charge idle power and rent up to t (never past the horizon), cut at
 * hours so that the hourly series are exact. */
static void charge_provisioned_to(ccs_power_book *b, int64_t t)
{
    if (t > b->par.horizon_us) t = b->par.horizon_us;
    while (b->prov_since < t) {
        int64_t epoch = b->par.t0_us + b->prov_since;
        int64_t next_hour = (epoch / CCS_US_PER_HOUR + 1) * CCS_US_PER_HOUR - b->par.t0_us;
        int64_t t2 = next_hour < t ? next_hour : t;
        double n = (double)b->provisioned;
        if (b->par.hw) {
            charge_split(b, b->prov_since, t2, n * b->idle_w, n * b->host_idle_w, n * b->rent_per_h, &b->idle_charge);
            if (b->curve_hw) bucket_add(b, 1, b->prov_since, t2, n);
            if (b->capex_per_h > 0) { /* owned: amortised capital cost while provisioned */
                ccs_charge c = {0};
                if (ccs_ledger_add_rate(b->par.ledger, b->par.region, b->par.t0_us + b->prov_since, b->par.t0_us + t2,
                                        n * b->capex_per_h, CCS_MONEY_CAPEX, &c) != 0)
                    b->ledger_failed = 1;
                ccs_charge_add(&b->idle_charge, &c);
                ccs_series_charge(b->par.series, b->prov_since, &c);
            }
        }
        int64_t from = b->prov_since > b->par.measure_from_us ? b->prov_since : b->par.measure_from_us;
        if (t2 > from) {
            b->par.series->replica_hours[ccs_series_slot(b->par.series, from)] +=
                n * (double)(t2 - from) / CCS_US_PER_HOUR_F;
            b->prov_us += n * (double)(t2 - from);
        }
        b->prov_since = t2;
    }
}

int ccs_power_book_create(const ccs_power_book_params *par, ccs_power_book **out, ccs_err *err)
{
    *out = NULL;
    ccs_power_book *b = calloc(1, sizeof *b);
    if (!b) return ccs_err_set(err, CCS_ERUN, "out of memory");
    assert(!par->batch_w || (par->hw && par->nbatch > 0));
    b->par = *par;
    b->conc = par->conc > 0 ? par->conc : 1;
    b->devices = (double)(par->devices > 0 ? par->devices : 1);
    b->provisioned = b->prov_max = par->provisioned;
    b->pend_first = INT64_MAX;
    b->pend_last = INT64_MIN;
    const ccs_hardware_cfg *hw = par->hw;
    if (hw) {
        double d = b->devices, conc = (double)b->conc;
        double per_device = 1.0 / (double)ccs_hardware_devices(hw);
        double memory_w = hw->memory_bound_w > 0 ? hw->memory_bound_w : hw->max_w;
        b->busy_w = d * (hw->max_w - hw->idle_w) / conc;
        b->memory_weight = hw->max_w > hw->idle_w ? (memory_w - hw->idle_w) / (hw->max_w - hw->idle_w) : 1.0;
        b->host_busy_w = d * per_device * (hw->host.max_w - hw->host.idle_w) / conc;
        b->idle_w = d * hw->idle_w;
        b->host_idle_w = d * per_device * hw->host.idle_w;
        b->owned = hw->price_per_hour < 0;
        b->rent_per_h = d * (b->owned ? 0.0 : par->rent_set ? par->rent_per_hour : hw->price_per_hour);
        b->capex_per_h = d * ccs_hardware_capex_per_hour(hw);
        if (par->batch_w) {
            /* the table replaces the curve: a batch's power is measured, not read off the
             * utilisation of its bucket */
            b->batch_busy_w = malloc(par->nbatch * sizeof *b->batch_busy_w);
            if (!b->batch_busy_w) {
                ccs_power_book_destroy(b);
                return ccs_err_set(err, CCS_ERUN, "out of memory");
            }
            b->nbatch = par->nbatch;
            b->par.batch_w = NULL; /* borrowed: the copy is the book's */
            for (size_t k = 0; k < par->nbatch; k++) b->batch_busy_w[k] = (par->batch_w[k] - b->idle_w) / conc;
        } else if (hw->curve.nutil >= 2) {
            b->curve_hw = hw;
            b->cv_base = par->t0_us / BUCKET_US;
            /* the period's buckets up front: bucket_add grows them only for work past its end */
            b->cv_n = (size_t)((par->t0_us + par->horizon_us) / BUCKET_US - b->cv_base) + 2;
            b->cv_busy = calloc(b->cv_n, sizeof *b->cv_busy);
            b->cv_prov = calloc(b->cv_n, sizeof *b->cv_prov);
            if (!b->cv_busy || !b->cv_prov) {
                ccs_power_book_destroy(b);
                return ccs_err_set(err, CCS_ERUN, "out of memory");
            }
        }
    }
    *out = b;
    return 0;
}

void ccs_power_book_destroy(ccs_power_book *b)
{
    if (!b) return;
    free(b->cv_busy);
    free(b->cv_prov);
    free(b->batch_busy_w);
    free(b);
}

void ccs_power_book_provision(ccs_power_book *b, int64_t now, long delta)
{
    charge_provisioned_to(b, now);
    b->provisioned += delta;
    if (b->provisioned > b->prov_max) b->prov_max = b->provisioned;
}

void ccs_power_book_busy(ccs_power_book *b, int64_t start, int64_t dur, int memory)
{
    assert(!b->batch_busy_w); /* its busy power depends on the batch size */
    /* the host's load follows the devices' power (fans, power-supply losses, switches): a
     * memory-bound batch loads it by the same share as the devices */
    double weight = memory ? b->memory_weight : 1.0;
    double host_w = b->host_busy_w * weight;
    if (b->curve_hw) {
        bucket_add(b, 0, start, start + dur, weight);
        if (start + dur > b->busy_end) b->busy_end = start + dur;
        if (host_w > 0) book_busy(b, start, start + dur, 0.0, host_w);
    } else if (b->busy_w > 0 || host_w > 0) {
        book_busy(b, start, start + dur, b->busy_w * weight, host_w);
    }
}

void ccs_power_book_batch(ccs_power_book *b, int64_t start, int64_t dur, size_t n, int memory)
{
    if (!b->batch_busy_w) {
        ccs_power_book_busy(b, start, dur, memory);
        return;
    }
    assert(n >= 1 && n <= b->nbatch);
    /* the host as for any batch the hardware's max_w would time: its share, unscaled */
    book_busy(b, start, start + dur, b->batch_busy_w[n - 1], b->host_busy_w);
}

int ccs_power_book_finish(ccs_power_book *b, ccs_power_book_result *out, ccs_err *err)
{
    book_pending(b);
    charge_provisioned_to(b, b->par.horizon_us);
    if (b->curve_hw) charge_curve(b);
    if (b->out_of_memory) return ccs_err_set(err, CCS_ERUN, "out of memory for the power curve's buckets");
    if (b->ledger_failed) return ccs_err_set(err, CCS_EINPUT, "still serving past the end of the region's traces");
    memset(out, 0, sizeof *out);
    out->busy_energy_j = b->busy_charge.it_energy_j;
    out->idle_energy_j = b->idle_charge.it_energy_j;
    out->host_energy_j = b->host_charge.it_energy_j;
    out->provisioned_hours = b->prov_us / CCS_US_PER_HOUR_F;
    out->replicas_mean = b->prov_us / (double)(b->par.horizon_us - b->par.measure_from_us);
    out->replicas_max = b->prov_max;
    out->charge = b->busy_charge;
    ccs_charge_add(&out->charge, &b->idle_charge);
    ccs_charge_add(&out->charge, &b->host_charge);
    return 0;
}
