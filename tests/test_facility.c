/* The facility by hand (issue 17): the chiller's COP and the PUE curves of an air-cooled and a
 * liquid-cooled site at three temperatures, the cooling-tower water curve, the wet-bulb, and a
 * run's books: energy = IT x PUE(T) hour by hour, cooling, water on and off site, heat reuse
 * reported apart and never netted from carbon. */
#include "ccs_scenario.h"
#include "facility.h"
#include "helpers.h"
#include "ledger.h"
#include "run.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))
#define CLOSE(a, b)     (fabs((a) - (b)) <= 1e-9 * fmax(1.0, fabs(b)))
#define HEAD_AT(duration, region) \
    "start: \"2023-01-01T00:00:00Z\"\nduration: " duration "\nseed: 5\ncurrency: USD\nregions: [" region "]\n"

static ccs_facility_cfg site(int cooling)
{
    ccs_facility_cfg f;
    memset(&f, 0, sizeof f);
    ccs_facility_defaults(&f);
    f.cooling = cooling;
    return f;
}

Test(facility, chiller_cop_follows_energyplus_curves)
{
    /* rated 3.0 at 35 C; the curves give 4.05 at 10 C, 2.96 at 35 C, 2.73 at 40 C (issue17 sources) */
    cr_assert(NEAR(ccs_facility_chiller_cop(10), 4.054688, 1e-6));
    cr_assert(NEAR(ccs_facility_chiller_cop(35), 2.960391, 1e-6));
    cr_assert(NEAR(ccs_facility_chiller_cop(40), 2.731889, 1e-6));
    cr_assert(CLOSE(ccs_facility_chiller_cop(-5), ccs_facility_chiller_cop(10)), "below the fit: its end");
}

Test(facility, pue_of_air_and_liquid_sites_at_three_temperatures)
{
    ccs_facility_cfg air = site(CCS_COOLING_AIR), liq = site(CCS_COOLING_LIQUID);
    /* 10 C: free cooling: 1 + 0.06 overhead + 0.04 fans; liquid: 0.25 x 0.04 + 0.75 x 0.02 pumps */
    cr_assert(NEAR(ccs_facility_at(&air, 10, NAN).pue, 1.10, 1e-12));
    cr_assert(NEAR(ccs_facility_at(&liq, 10, NAN).pue, 1.085, 1e-12));
    /* 25 C: the air economiser covers 2/9 (18..27 C), the chiller 7/9 at COP 3.496722; the warm-
     * water loop still runs free (below 27 C) */
    double a25 = 1.06 + 0.04 + (7.0 / 9.0) / 3.496722;
    cr_assert(NEAR(ccs_facility_at(&air, 25, NAN).pue, a25, 1e-6), "%.9g", ccs_facility_at(&air, 25, NAN).pue);
    cr_assert(NEAR(ccs_facility_at(&liq, 25, NAN).pue, 1.06 + 0.25 * (a25 - 1.06) + 0.75 * 0.02, 1e-6));
    /* 40 C: chillers take everything on both (COP 2.731889) */
    cr_assert(NEAR(ccs_facility_at(&air, 40, NAN).pue, 1.10 + 1 / 2.731889, 1e-6));
    cr_assert(NEAR(ccs_facility_at(&liq, 40, NAN).pue, 1.06 + 0.25 * 0.04 + 0.75 * 0.02 + 1 / 2.731889, 1e-6));
    /* cooling is PUE - 1 - overhead */
    ccs_facility_state s = ccs_facility_at(&air, 25, NAN);
    cr_assert(CLOSE(s.cooling, s.pue - 1.06));
    /* a site's measured curve replaces the model, interpolated and held at its ends */
    ccs_facility_cfg m = site(CCS_COOLING_NONE);
    double tc[] = {0, 20, 30}, pu[] = {1.1, 1.2, 1.5};
    m.pue_curve.temp_c = tc;
    m.pue_curve.pue = pu;
    m.pue_curve.nt = m.pue_curve.np = 3;
    cr_assert(NEAR(ccs_facility_at(&m, 25, NAN).pue, 1.35, 1e-12));
    cr_assert(NEAR(ccs_facility_at(&m, -10, NAN).pue, 1.1, 1e-12));
    cr_assert(NEAR(ccs_facility_at(&m, 25, NAN).cooling, 1.35 - 1.06, 1e-12));
}

Test(facility, water_from_cooling_towers_and_the_wet_bulb)
{
    /* Li et al.'s tower curve, 6 cycles: 1.02 L/kWh at 0 C wet-bulb, 4.45 at 20 C, 5.61 at 25 C */
    cr_assert(NEAR(ccs_facility_tower_wue(0, 6), 1.0153, 1e-4));
    cr_assert(NEAR(ccs_facility_tower_wue(20, 6), 4.4471, 1e-4));
    cr_assert(NEAR(ccs_facility_tower_wue(25, 6), 5.6064, 1e-4));
    cr_assert(NEAR(ccs_facility_tower_wue(-30, 6), 0.05, 1e-12), "never below the moisture floor");
    /* Stull's own example: 20 C at 50% RH is 13.7 C wet-bulb */
    cr_assert(NEAR(ccs_facility_wet_bulb(20, 50), 13.7, 0.01));
    /* a water-cooled air site evaporates only for the heat its chillers reject: none at 10 C, all
     * at 30 C (at the wet-bulb) */
    ccs_facility_cfg w = site(CCS_COOLING_AIR);
    w.water_cooled = 1;
    cr_assert(NEAR(ccs_facility_at(&w, 10, 50).wue_l_per_kwh, 0.0, 1e-12));
    cr_assert(NEAR(ccs_facility_at(&w, 30, 50).wue_l_per_kwh, ccs_facility_tower_wue(ccs_facility_wet_bulb(30, 50), 6),
                   1e-12));
    cr_assert(NEAR(ccs_facility_at(&w, 30, NAN).wue_l_per_kwh, ccs_facility_tower_wue(30, 6), 1e-12),
              "no humidity: the dry-bulb stands in (an upper bound)");
}

Test(facility, a_run_books_it_cooling_water_and_heat_apart)
{
    /* one idle 100 W device for 1 h at a constant 25 C: IT 0.1 kWh, energy 0.1 x PUE(25), cooling
     * 0.1 x (PUE - 1.06); water 0.3 L/kWh of IT on site and 1.8 L/kWh of grid electricity off
     * site; 20% of IT heat exported, avoiding 150 g/kWh, which does not touch carbon */
    ran x = run_text(HEAD_AT("1h", "{name: r, carbon: ci.csv, facility: {cooling: air, temperature_c: 25, "
                                   "wue_l_per_kwh: 0.3, offsite_water_l_per_kwh: 1.8, heat_reuse: 0.2, "
                                   "heat_avoided_g_per_kwh: 150}}") "hardware: [{name: box, idle_w: 100, max_w: 100}]\n"
                                                                    "services:\n  - name: s\n    hardware: box\n"
                                                                    "    service_time: {mean_ms: 1}\n"
                                                                    "    arrivals: {rate_per_s: 0.001}\n");
    double pue = ccs_facility_at(&(ccs_facility_cfg){.cooling = CCS_COOLING_AIR, .overhead = 0.06}, 25, NAN).pue;
    const ccs_totals *t = &x.r->totals;
    cr_assert(CLOSE(t->it_kwh, 0.1), "IT %.12g", t->it_kwh);
    cr_assert(CLOSE(t->energy_kwh, 0.1 * pue), "energy %.12g", t->energy_kwh);
    cr_assert(CLOSE(t->cooling_kwh, 0.1 * (pue - 1.06)));
    cr_assert(CLOSE(t->water_l, 0.1 * 0.3 + 0.1 * pue * 1.8));
    cr_assert(CLOSE(t->heat_reused_kwh, 0.02));
    cr_assert(CLOSE(t->heat_avoided_kg, 0.02 * 0.150));
    /* the first hour of ci.csv is 100 g/kWh: carbon is the grid energy's, heat not netted */
    cr_assert(CLOSE(t->carbon_kg, 0.1 * pue * 100 / 1000));
    /* the service's own books say the same as the region's hours */
    cr_assert(CLOSE(x.r->services[0].charge.water_onsite_l, 0.03));
    cr_assert(CLOSE(x.r->services[0].charge.water_offsite_l, 0.1 * pue * 1.8));
    cr_assert(CLOSE(x.r->services[0].charge.cooling_j / 3.6e6, 0.1 * (pue - 1.06)));
    cr_assert(CLOSE(x.r->services[0].charge.heat_reused_j / 3.6e6, 0.02));
    cr_assert(CLOSE(x.r->regions[0].pue, pue));
    ran_free(x);
}

Test(facility, pue_follows_the_hourly_temperature)
{
    /* temperatures 5, 20, 30, 40 C over four hours of 0.1 kWh each: energy = sum 0.1 x PUE(T_h),
     * and the hourly series carries each hour's PUE and cooling */
    const char *dir = tmp_folder();
    write_text(dir, "temp.csv",
               "timestamp,value\n2023-01-01T00:00:00Z,5\n2023-01-01T01:00:00Z,20\n2023-01-01T02:00:00Z,30\n"
               "2023-01-01T03:00:00Z,40\n2023-01-01T04:00:00Z,40\n");
    char yaml[2048];
    snprintf(
        yaml, sizeof yaml,
        HEAD_AT(
            "4h",
            "{name: r, carbon: ci.csv, facility: {cooling: liquid, temperature: %s/temp.csv}}") "hardware: [{name: "
                                                                                                "box, idle_w: 100, "
                                                                                                "max_w: 100}]\n"
                                                                                                "services:\n  - {name: "
                                                                                                "s, hardware: box, "
                                                                                                "service_time: "
                                                                                                "{mean_ms: 1}, "
                                                                                                "arrivals: "
                                                                                                "{rate_per_s: "
                                                                                                "0.001}}\n",
        dir);
    ran x = run_text(yaml);
    ccs_facility_cfg liq = site(CCS_COOLING_LIQUID);
    double temps[4] = {5, 20, 30, 40}, energy = 0, cooling = 0;
    ccs_hourly h;
    cr_assert_eq(ccs_ledger_hourly(x.r->ledger, 0, &h), 0);
    cr_assert_geq(h.n, 4u);
    for (int k = 0; k < 4; k++) {
        ccs_facility_state st = ccs_facility_at(&liq, temps[k], NAN);
        energy += 0.1 * st.pue;
        cooling += 0.1 * st.cooling;
        cr_assert(CLOSE(h.pue[k], st.pue), "hour %d: PUE %.9g", k, h.pue[k]);
        cr_assert(CLOSE(h.cooling_kwh[k], 0.1 * st.cooling), "hour %d", k);
    }
    cr_assert(CLOSE(x.r->totals.energy_kwh, energy), "%.12g vs %.12g", x.r->totals.energy_kwh, energy);
    cr_assert(CLOSE(x.r->totals.cooling_kwh, cooling));
    /* conservation: the grid energy is IT + cooling + the stated overhead */
    cr_assert(CLOSE(x.r->totals.energy_kwh, x.r->totals.it_kwh * 1.06 + x.r->totals.cooling_kwh));
    ran_free(x);
}

#define SVC "services:\n  - {name: s, hardware: h100-sxm, service_time: {mean_ms: 1}, arrivals: {rate_per_s: 1}}\n"

Test(facility, wrong_facilities_get_clear_errors)
{
    expect_run_error(HEAD_AT("1h", "{name: r, carbon: ci.csv, pue: 1.3, facility: {cooling: air, temperature_c: 20}}")
                         SVC,
                     "both pue 1.3 and a facility cooling model");
    expect_run_error(HEAD_AT("1h", "{name: r, carbon: ci.csv, facility: {cooling: air}}") SVC,
                     "a cooling model without an outdoor temperature");
    expect_run_error(HEAD_AT("1h", "{name: r, carbon: ci.csv, facility: {cooling: air, temperature_c: 20, "
                                   "pue_curve: {temp_c: [20, 10], pue: [1.1, 1.2]}}}") SVC,
                     "expected increasing temperatures");
    expect_run_error(HEAD_AT("1h", "{name: r, carbon: ci.csv, facility: {cooling: fans, temperature_c: 20}}") SVC,
                     "cooling");
    expect_run_error(HEAD_AT("1h", "{name: r, carbon: ci.csv, facility: {heat_reuse: 1.5}}") SVC, "heat_reuse");
    const char *dir = tmp_folder();
    write_text(dir, "t.csv", "timestamp,value\n2023-01-01T00:00:00Z,5\n2023-01-01T00:10:00Z,6\n");
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             HEAD_AT("1h", "{name: r, carbon: ci.csv, facility: {cooling: air, temperature: %s/t.csv}}") SVC, dir);
    expect_run_error(yaml, "the temperature trace of region 'r' covers");
}
