/* The energy ledger of a run: for each region, the period cut into segments in which the carbon
 * intensity (average, and marginal where given) and the electricity price are constant and which
 * never cross an hour. Every
 * power draw of every consumer is added over its interval; carbon and cost then follow exactly
 * (docs/model.md 3): energy x PUE x intensity, and energy x PUE x price for owned hardware, plus
 * instance-hours x hourly price for rented hardware. */
#ifndef CCS_LEDGER_H
#define CCS_LEDGER_H

#include "ccs_err.h"
#include "ccs_schema.h"
#include "ccs_trace.h"
#include "facility.h"

#include <stddef.h>
#include <stdint.h>

/* A region as the scenario states it (the ledger's regions are built from these). */
typedef struct ccs_tariff_cfg {
    double day_per_mwh, night_per_mwh;
    int64_t day_from_us, day_to_us; /* UTC clock times on whole hours; day = [from, to) */
} ccs_tariff_cfg;

typedef struct ccs_region_cfg {
    ccs_src_pos pos;
    char *name;
    ccs_trace_ref carbon;          /* the average (attributional) intensity */
    ccs_trace_ref carbon_marginal; /* the marginal intensity, what one more kWh emits; file NULL: none */
    ccs_trace_ref price;           /* electricity price, currency/MWh; file NULL: none */
    double fixed_price_per_mwh;    /* a stated flat tariff instead of a price trace; < 0: none */
    ccs_tariff_cfg tariff;         /* a stated day/night tariff; day_per_mwh < 0: none */
    double pue;                    /* facility overhead multiplier, >= 1 */
    double capacity_kw;            /* 0: unlimited */
    char *cloud_region;            /* the cloud region it stands for ("aws/eu-central-1"), for instance
                                 * prices; NULL: none (profiles' own prices apply) */
    ccs_facility_cfg facility;     /* cooling NONE and no curve: the constant pue */
} ccs_region_cfg;

typedef struct ccs_ledger ccs_ledger;

typedef struct ccs_ledger_region {
    const char *name;
    const ccs_trace *carbon;          /* gCO2e/kWh, average */
    const ccs_trace *marginal;        /* gCO2e/kWh, marginal, or NULL */
    const ccs_trace *price;           /* currency/MWh, or NULL */
    double fixed_price_per_mwh;       /* used when price is NULL and this is >= 0 */
    double pue;                       /* without a facility model */
    const ccs_facility_cfg *facility; /* NULL: none (pue; no water, no heat reuse) */
    const ccs_trace *temperature;     /* deg C, or NULL: the facility's temperature_c */
    const ccs_trace *humidity;        /* %, or NULL */
    int day_night;                    /* price NULL: a stated day/night tariff instead of the flat one */
    double day_per_mwh, night_per_mwh;
    int64_t day_from_us, day_to_us; /* day = [from, to), UTC clock time, whole hours */
} ccs_ledger_region;

/* What money pays for, for the cost breakdown: electricity of owned hardware, instance rent
 * (on-demand, reserved or spot), amortised capital cost of owned hardware, data transfer. */
enum { CCS_MONEY_ENERGY = 0, CCS_MONEY_RENT, CCS_MONEY_CAPEX, CCS_MONEY_TRANSFER, CCS_MONEY_KINDS };
extern const char *const ccs_money_words[]; /* "energy", "rent", "capex", "transfer" */

/* What one draw cost: the consumer adds these to its own totals. */
typedef struct ccs_charge {
    double it_energy_j;            /* at the servers */
    double energy_j;               /* from the grid: IT x PUE */
    double carbon_g;               /* average (attributional) accounting */
    double carbon_marginal_g;      /* marginal accounting; 0 where the region has no marginal trace */
    double cost;                   /* the sum of money[] */
    double money[CCS_MONEY_KINDS]; /* cost by what it pays for */
    double cooling_j;              /* the facility's cooling energy (part of energy_j - it_energy_j) */
    double water_onsite_l;         /* evaporated at the site */
    double water_offsite_l;        /* consumed generating the grid electricity */
    double heat_reused_j;          /* IT heat exported for reuse (reported apart, never netted) */
} ccs_charge;

/* into += c, field by field. */
void ccs_charge_add(ccs_charge *into, const ccs_charge *c);

/* Starts at t0 (epoch us) and reaches as far as all the region traces go. The traces must cover
 * at least [t0, t1): checked, with an error naming the trace file and the missing time. */
int ccs_ledger_create(const ccs_ledger_region *regions, size_t nregions, int64_t t0_us, int64_t t1_us, ccs_ledger **out,
                      ccs_err *err);
void ccs_ledger_destroy(ccs_ledger *l);

/* A copy of l with everything booked in it so far: consumers that never read each other's
 * bookings (services, the jobs under two policies) each book into their own copy. */
int ccs_ledger_clone(const ccs_ledger *l, ccs_ledger **out, ccs_err *err);

/* Books only what falls in [from_us, to_us) (epoch) from now on: the parts of draws and rates
 * inside it, and sums of money at times inside it. For a simulated window of a sampled run,
 * whose warm-up and drain are simulated but not counted. */
void ccs_ledger_set_clip(ccs_ledger *l, int64_t from_us, int64_t to_us);

/* Forgets everything booked (the clip stays). */
void ccs_ledger_clear(ccs_ledger *l);

/* Region r's bookings so far, summed over the segments: IT energy (J), the owned hardware's part
 * of it, and money by kind outside electricity (CCS_MONEY_ENERGY left 0). */
void ccs_ledger_raw(const ccs_ledger *l, int r, double *it_j, double *owned_j, double *money);

/* into += from: what was booked in `from` since it was cloned from a ledger with nothing booked,
 * added segment by segment (from must be a clone of into's ledger or of one of its clones). The
 * sum of several is the same whichever threads booked them, as long as they are merged in one
 * fixed order. */
void ccs_ledger_merge(ccs_ledger *into, const ccs_ledger *from);

/* The stretch [*lo_us, *hi_us) around t_us (epoch) over which region r's prices, intensities and
 * facility are constant and the clip does not cut: a draw anywhere inside it is booked as the same
 * draw spread over it, so a caller may sum draws there and book them at once. Returns 0, or -1 if
 * t_us is outside the ledger's period. */
int ccs_ledger_span(ccs_ledger *l, int r, int64_t t_us, int64_t *lo_us, int64_t *hi_us);

/* Adds a constant draw of power_w over [a_us, b_us) in region r. owned: pays electricity;
 * rent_per_hour: instance price (0 for owned). Returns 0, or -1 if the interval leaves the
 * ledger's period (a model bug or a period too short, reported by the caller). */
int ccs_ledger_add(ccs_ledger *l, int r, int64_t a_us, int64_t b_us, double power_w, int owned, double rent_per_hour,
                   ccs_charge *charge);

/* Books a sum of money of a kind (CCS_MONEY_TRANSFER, say) in region r's cost at t, and in
 * charge (may be NULL). Returns 0, or -1 if t is outside the ledger's period. */
int ccs_ledger_add_money(ccs_ledger *l, int r, int64_t t_us, double amount, int kind, ccs_charge *charge);

/* Books money at a constant rate per hour over [a, b) (capital cost, say), cut at the ledger's
 * segments so that each hour gets its share. Returns 0, or -1 as ccs_ledger_add. */
int ccs_ledger_add_rate(ccs_ledger *l, int r, int64_t a_us, int64_t b_us, double per_hour, int kind,
                        ccs_charge *charge);

/* Region r's cost so far by kind (electricity priced per segment), into money[CCS_MONEY_KINDS]. */
void ccs_ledger_breakdown(const ccs_ledger *l, int r, double *money);

/* The actual grid signals of region r over [t0, t1): n segments [t[k], t[k + 1]) in which the
 * carbon intensity (gCO2e/kWh) and the electricity price (currency/MWh; 0 with neither a trace nor
 * a tariff) are constant. Forecasts are built from it; policies never see it directly. Valid
 * until destroy. */
typedef struct ccs_signal {
    size_t n;
    const int64_t *t; /* n + 1 boundaries, epoch microseconds */
    const double *ci, *price;
    const double *ci_marginal; /* the marginal intensity, or NULL: none */
    double pue;                /* the period's mean PUE (a facility's PUE(T) is not forecast) */
} ccs_signal;
void ccs_ledger_signal(const ccs_ledger *l, int r, ccs_signal *out);

/* Region r's stated avoided emissions per kWh of exported heat (0: none). */
double ccs_ledger_heat_avoided_g_per_kwh(const ccs_ledger *l, int r);

int64_t ccs_ledger_t0(const ccs_ledger *l);
int64_t ccs_ledger_t1(const ccs_ledger *l);

/* Hourly series of region r from floor_hour(t0) to t1 or the end of the last draw, if later. Arrays of n (caller frees
 * nothing; valid until destroy). Computed on first call after the last add. */
typedef struct ccs_hourly {
    size_t n;
    const int64_t *hour_us;
    const double *it_energy_kwh, *energy_kwh, *carbon_kg, *cost, *intensity, *price;
    const double *carbon_marginal_kg; /* NULL: the region has no marginal trace */
    const double *pue;                /* the facility's time-mean PUE over the hour, whatever the load */
    const double *cooling_kwh, *water_l, *heat_reused_kwh; /* water: on site and off site */
} ccs_hourly;
int ccs_ledger_hourly(ccs_ledger *l, int r, ccs_hourly *out);

/* The schema of a region in a scenario. */
extern const ccs_schema ccs_region_schema;

/* A region's own rules (one price source at most, a tariff on whole hours). */
int ccs_region_check(const ccs_region_cfg *r, ccs_err *err);

#endif
