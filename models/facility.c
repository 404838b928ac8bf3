/* The facility model; see facility.h and docs/model.md (Facility). Every constant below is either
 * sourced (named beside it) or a stated assumption; a site's own measured PUE(T) or WUE replaces
 * them (pue_curve, wue_l_per_kwh). */
#include "facility.h"

#include <math.h>
#include <stddef.h>

const char *const ccs_cooling_words[] = {"none", "air", "liquid", NULL};

/* Economiser limits. Air: full free cooling up to an outdoor 18 C, none above 27 C, the ends of
 * the supply-air set-point range of Lei and Masanet's model (ASHRAE's recommended envelope;
 * Resources, Conservation & Recycling 2022, doi:10.1016/j.resconrec.2022.106323). Liquid: a warm-
 * water loop (facility water up to 32 C) on dry coolers with a 5 K approach serves alone up to
 * 27 C and needs its trim chiller fully by 35 C: an assumption stated in the docs. */
#define AIR_FREE_C 18.0
#define AIR_MECH_C 27.0
#define LIQ_FREE_C 27.0
#define LIQ_MECH_C 35.0
/* Power that cools even in free-cooling hours, a share of IT power: air handlers' fans (assumed
 * 4%), the liquid loop's pumps and CDUs (assumed 2%). */
#define AIR_FANS  0.04
#define LIQ_PUMPS 0.02

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

/* An air-cooled chiller's full-load COP against the outdoor temperature: EnergyPlus' air-cooled
 * electric chiller curves (testfiles/AirCooledElectricChiller.idf) as SustainCluster carries them
 * (envs/sustaindc/datacenter_model.py), rated COP 3.0 at 35 C, with the temperature difference
 * taken as EnergyPlus defines it, (T - 35) / 2.778: COP 4.05 at 10 C, 2.96 at 35 C, 2.73 at 40 C.
 * Outside 10 to 50 C (the curves' fit) the ends hold. */
double ccs_facility_chiller_cop(double t_c)
{
    double t = t_c < 10 ? 10 : t_c > 50 ? 50 : t_c;
    double dt = (t - 35.0) / 2.778;
    double cap = 0.94483600 - 0.05700880 * dt + 0.00185486 * dt * dt;
    double power_ratio = 2.333 - 1.975 * cap + 0.6121 * cap * cap;
    return 3.0 / power_ratio;
}

double ccs_facility_mechanical_air(double t_c) { return clamp01((t_c - AIR_FREE_C) / (AIR_MECH_C - AIR_FREE_C)); }
double ccs_facility_mechanical_liquid(double t_c) { return clamp01((t_c - LIQ_FREE_C) / (LIQ_MECH_C - LIQ_FREE_C)); }

/* Water a cooling tower evaporates per kWh of heat at wet-bulb twb: the curve of Li, Yang, Islam
 * and Ren ("Making AI Less Thirsty", arXiv:2304.03271), S / (S - 1) x (6e-5 F^3 - 0.01 F^2 +
 * 0.61 F - 10.4), F the wet-bulb in deg F, S the cycles of concentration, at least 0.05 L/kWh
 * (moisture): 1.02 L/kWh at 0 C, 4.45 at 20 C, 5.61 at 25 C for S = 6. */
double ccs_facility_tower_wue(double twb_c, double cycles)
{
    double f = twb_c * 9.0 / 5.0 + 32.0;
    double w = cycles / (cycles - 1.0) * (6e-5 * f * f * f - 0.01 * f * f + 0.61 * f - 10.4);
    return w > 0.05 ? w : 0.05;
}

/* Stull, "Wet-bulb temperature from relative humidity and air temperature", J. Appl. Meteor.
 * Climatol. 50 (2011): within 1 K for RH 5-99% and -20 to 50 C at sea level. */
double ccs_facility_wet_bulb(double t_c, double rh)
{
    return t_c * atan(0.151977 * sqrt(rh + 8.313659)) + atan(t_c + rh) - atan(rh - 1.676331) +
           0.00391838 * pow(rh, 1.5) * atan(0.023101 * rh) - 4.686035;
}

static double curve_at(const ccs_facility_cfg *f, double t_c)
{
    const double *x = f->pue_curve.temp_c, *y = f->pue_curve.pue;
    size_t n = f->pue_curve.nt;
    if (t_c <= x[0]) return y[0];
    if (t_c >= x[n - 1]) return y[n - 1];
    size_t k = 1;
    while (x[k] < t_c) k++;
    return y[k - 1] + (t_c - x[k - 1]) / (x[k] - x[k - 1]) * (y[k] - y[k - 1]);
}

ccs_facility_state ccs_facility_at(const ccs_facility_cfg *f, double t_c, double rh)
{
    ccs_facility_state s = {1.0, 0.0, 0.0};
    double mech = 0.0; /* the share of heat rejected mechanically (through towers, if water-cooled) */
    if (f->cooling != CCS_COOLING_NONE) {
        double cop = ccs_facility_chiller_cop(t_c), ma = ccs_facility_mechanical_air(t_c);
        double air = AIR_FANS + ma / cop;
        if (f->cooling == CCS_COOLING_AIR) {
            s.cooling = air;
            mech = ma;
        } else {
            double ml = ccs_facility_mechanical_liquid(t_c), l = f->liquid_share;
            s.cooling = (1 - l) * air + l * (LIQ_PUMPS + ml / cop);
            mech = (1 - l) * ma + l * ml;
        }
        s.pue = 1.0 + f->overhead + s.cooling;
    }
    if (f->pue_curve.nt >= 2) { /* the site's own PUE(T); what is not the stated overhead cools */
        s.pue = curve_at(f, t_c);
        s.cooling = s.pue - 1.0 - f->overhead > 0 ? s.pue - 1.0 - f->overhead : 0.0;
        if (f->cooling == CCS_COOLING_NONE) mech = ccs_facility_mechanical_air(t_c);
    }
    if (f->wue_l_per_kwh >= 0)
        s.wue_l_per_kwh = f->wue_l_per_kwh;
    else if (f->water_cooled)
        s.wue_l_per_kwh = mech * ccs_facility_tower_wue(isnan(rh) ? t_c : ccs_facility_wet_bulb(t_c, rh), f->cycles);
    return s;
}

/* ---- the schema ---- */
typedef struct curve_cfg {
    double *temp_c, *pue;
    size_t nt, np;
} curve_cfg;
static const ccs_field curve_fields[] = {
    {"temp_c", CCS_F_NUMLIST, offsetof(curve_cfg, temp_c), 1, -60, 60, NULL, NULL, offsetof(curve_cfg, nt),
     "outdoor temperatures in deg C, increasing", NULL},
    {"pue", CCS_F_NUMLIST, offsetof(curve_cfg, pue), 1, 1, 5, NULL, NULL, offsetof(curve_cfg, np),
     "the PUE at each temperature, 1 to 5", NULL},
};
static const ccs_schema curve_schema = {"pue_curve", sizeof(curve_cfg), curve_fields, 2, CCS_NOPOS, NULL};

static void facility_defaults(void *p) { ccs_facility_defaults(p); }

void ccs_facility_defaults(ccs_facility_cfg *f)
{
    f->temperature_c = NAN;
    f->overhead = 0.06;
    f->liquid_share = 0.75;
    f->cycles = 6.0;
    f->wue_l_per_kwh = -1;
}
static const ccs_field facility_fields[] = {
    {"cooling", CCS_F_ENUM, offsetof(ccs_facility_cfg, cooling), 0, CCS_NO_RANGE, ccs_cooling_words, NULL, 0,
     "air or liquid (none: the region's constant pue)", NULL},
    {"temperature", CCS_F_MAP, offsetof(ccs_facility_cfg, temperature), 0, CCS_NO_RANGE, NULL, &ccs_trace_ref_schema, 0,
     "an outdoor temperature trace (deg C) path or {file, column, fill}", "file"},
    {"humidity", CCS_F_MAP, offsetof(ccs_facility_cfg, humidity), 0, CCS_NO_RANGE, NULL, &ccs_trace_ref_schema, 0,
     "an outdoor relative humidity trace (%) path or {file, column, fill}", "file"},
    {"temperature_c", CCS_F_DOUBLE, offsetof(ccs_facility_cfg, temperature_c), 0, -60, 60, NULL, NULL, 0,
     "a constant outdoor temperature in deg C", NULL},
    {"overhead", CCS_F_DOUBLE, offsetof(ccs_facility_cfg, overhead), 0, 0, 1, NULL, NULL, 0,
     "power delivery and lighting losses as a share of IT energy, 0 to 1", NULL},
    {"liquid_share", CCS_F_DOUBLE, offsetof(ccs_facility_cfg, liquid_share), 0, 0, 1, NULL, NULL, 0,
     "the share of IT heat the liquid loop takes, 0 to 1", NULL},
    {"pue_curve", CCS_F_MAP, offsetof(ccs_facility_cfg, pue_curve), 0, CCS_NO_RANGE, NULL, &curve_schema, 0,
     "{temp_c: [...], pue: [...]}", NULL},
    {"water_cooled", CCS_F_BOOL, offsetof(ccs_facility_cfg, water_cooled), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "true if heat is rejected through evaporative cooling towers", NULL},
    {"cycles", CCS_F_DOUBLE, offsetof(ccs_facility_cfg, cycles), 0, 1.5, 50, NULL, NULL, 0,
     "the towers' cycles of concentration, 1.5 to 50", NULL},
    {"wue_l_per_kwh", CCS_F_DOUBLE, offsetof(ccs_facility_cfg, wue_l_per_kwh), 0, 0, 100, NULL, NULL, 0,
     "a stated on-site water use per kWh of IT energy, L", NULL},
    {"offsite_water_l_per_kwh", CCS_F_DOUBLE, offsetof(ccs_facility_cfg, offsite_water_l_per_kwh), 0, 0, 100, NULL,
     NULL, 0, "water consumed in generation per kWh of grid electricity, L", NULL},
    {"heat_reuse", CCS_F_DOUBLE, offsetof(ccs_facility_cfg, heat_reuse), 0, 0, 1, NULL, NULL, 0,
     "the share of IT energy exported as heat, 0 to 1", NULL},
    {"heat_avoided_g_per_kwh", CCS_F_DOUBLE, offsetof(ccs_facility_cfg, heat_avoided_g_per_kwh), 0, 0, 2000, NULL, NULL,
     0, "the emissions a kWh of exported heat avoids, gCO2e (reported apart, never netted)", NULL},
};
const ccs_schema ccs_facility_schema = {"facility",      sizeof(ccs_facility_cfg),
                                        facility_fields, sizeof facility_fields / sizeof facility_fields[0],
                                        CCS_NOPOS,       facility_defaults};

int ccs_facility_check(const ccs_facility_cfg *f, const char *region, const ccs_src_pos *pos, ccs_err *err)
{
    int models = f->cooling != CCS_COOLING_NONE || f->pue_curve.nt || f->pue_curve.np;
    int temps = ccs_trace_ref_set(&f->temperature) + !isnan(f->temperature_c);
    if (temps > 1)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "regions[%s].facility: both temperature and temperature_c: expected one", region);
    if ((models || f->water_cooled) && !temps)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "regions[%s].facility: %s without an outdoor temperature: expected temperature (a trace) or "
                          "temperature_c",
                          region, models ? "a cooling model" : "water_cooled");
    if (ccs_trace_ref_set(&f->humidity) && !ccs_trace_ref_set(&f->temperature))
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "regions[%s].facility: humidity without a temperature trace: expected both as traces",
                          region);
    if (f->pue_curve.nt || f->pue_curve.np) {
        if (f->pue_curve.nt != f->pue_curve.np || f->pue_curve.nt < 2)
            return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                              "regions[%s].facility.pue_curve: %zu temperatures and %zu PUEs: expected two or more of "
                              "each, as many of one as of the other",
                              region, f->pue_curve.nt, f->pue_curve.np);
        for (size_t k = 1; k < f->pue_curve.nt; k++)
            if (!(f->pue_curve.temp_c[k] > f->pue_curve.temp_c[k - 1]))
                return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                                  "regions[%s].facility.pue_curve.temp_c[%zu]: %g after %g: expected increasing "
                                  "temperatures",
                                  region, k, f->pue_curve.temp_c[k], f->pue_curve.temp_c[k - 1]);
    }
    if (f->water_cooled && f->wue_l_per_kwh >= 0)
        return ccs_err_at(err, CCS_EINPUT, pos->file, pos->line, pos->col,
                          "regions[%s].facility: both water_cooled and wue_l_per_kwh: expected the towers' model or "
                          "a stated WUE, not both",
                          region);
    return 0;
}
