/* The facility around the servers (docs/model.md, Facility): how much more than the IT energy a
 * site draws at an outdoor temperature (PUE(T), the cooling part stated apart), the water it
 * evaporates on site and causes off site, and the heat it exports for reuse. Plain functions of
 * a site's stated design and the weather; the ledger applies them segment by segment. */
#ifndef CCS_FACILITY_H
#define CCS_FACILITY_H

#include "ccs_err.h"
#include "ccs_schema.h"
#include "ccs_trace.h"

#include <stddef.h>

/* How heat leaves the servers: air (CRAH fans, an airside economiser, an air-cooled chiller when
 * too warm) or direct-to-chip liquid for a share of the heat (warm-water loop on dry coolers, a
 * trim chiller when too warm) and air for the rest. */
enum { CCS_COOLING_NONE = 0, CCS_COOLING_AIR, CCS_COOLING_LIQUID };
extern const char *const ccs_cooling_words[]; /* "none", "air", "liquid", NULL */

typedef struct ccs_facility_cfg {
    int cooling;               /* CCS_COOLING_*; NONE: the region's constant pue, no split */
    ccs_trace_ref temperature; /* outdoor dry-bulb, deg C; file NULL: temperature_c */
    ccs_trace_ref humidity;    /* outdoor relative humidity, %: wet-bulb by Stull (2011); file NULL:
                                * the wet-bulb is taken as the dry-bulb (an upper bound) */
    double temperature_c;      /* a constant outdoor temperature; NAN: not given */
    double overhead;           /* power delivery and lighting, a share of IT energy (UPS, PDU) */
    double liquid_share;       /* liquid: the share of IT heat taken by the liquid loop */
    struct {
        double *temp_c, *pue;
        size_t nt, np;
    } pue_curve;                    /* a site's measured PUE(T), interpolated: replaces the model's */
    int water_cooled;               /* heat rejected mechanically goes through evaporative cooling towers */
    double cycles;                  /* the towers' cycles of concentration */
    double wue_l_per_kwh;           /* a stated on-site WUE per kWh of IT instead; < 0: none stated */
    double offsite_water_l_per_kwh; /* water consumed per kWh of grid electricity (generation) */
    double heat_reuse;              /* the share of IT energy exported as heat, [0, 1] */
    double heat_avoided_g_per_kwh;  /* what a kWh of exported heat avoids, stated (reported apart) */
} ccs_facility_cfg;

/* One hour's (or segment's) facility figures at outdoor dry-bulb t_c and relative humidity rh
 * (NAN: unknown): PUE, the cooling share of IT energy (the part of PUE - 1 that cools), and the
 * on-site water per kWh of IT. */
typedef struct ccs_facility_state {
    double pue, cooling, wue_l_per_kwh;
} ccs_facility_state;
ccs_facility_state ccs_facility_at(const ccs_facility_cfg *f, double t_c, double rh);

/* The parts of the model, for tests and docs: an air-cooled chiller's full-load COP at ambient
 * t_c; the share of heat removed mechanically (not by the economiser) by air and by the liquid
 * loop; the cooling-tower WUE (L/kWh) at wet-bulb twb_c; Stull's wet-bulb. */
double ccs_facility_chiller_cop(double t_c);
double ccs_facility_mechanical_air(double t_c);
double ccs_facility_mechanical_liquid(double t_c);
double ccs_facility_tower_wue(double twb_c, double cycles);
double ccs_facility_wet_bulb(double t_c, double rh);

extern const ccs_schema ccs_facility_schema;
void ccs_facility_defaults(ccs_facility_cfg *f); /* what a region without a facility map has */

/* The rules: a temperature (trace or constant) with a cooling model or a curve; a curve from
 * colder to warmer with PUE >= 1; heat reuse within [0, 1]. Errors name regions[name].facility. */
int ccs_facility_check(const ccs_facility_cfg *f, const char *region, const ccs_src_pos *pos, ccs_err *err);

#endif
