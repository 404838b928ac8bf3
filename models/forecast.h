/* Forecasts of a region's grid signals, as a policy sees them when it decides (docs/model.md 2):
 * perfect (the trace itself), persistence (the same time of day, on the last day observed at
 * the decision: "same hour yesterday"), or noisy (the trace x (1 + s(h) e), or the trace + s(h) e x
 * its mean, s(h) the relative spread at horizon h, growing with it and calibrated at 24 h). One
 * forecast's errors e are an AR(1) process in time, standard normal at every point, with
 * correlation rho^dt between points dt hours apart (rho: `corr`), so that errors persist over a
 * multi-hour run instead of cancelling; rho = 0 draws them independently per segment. Decisions
 * use these; accounting always uses the actual trace (the ledger).
 *
 * Noise is drawn for each (region, signal, decision time) from its own GSL stream
 * "forecast/<region>/<carbon|price>", seeded from the scenario seed and the decision time (a fresh
 * draw per issue, so a re-plan sees a new forecast): every
 * policy, and the run-now baseline, sees the same forecast at the same moment (common random
 * numbers), whatever else it asked before. */
#ifndef CCS_FORECAST_H
#define CCS_FORECAST_H

#include "ccs_err.h"
#include "ledger.h"
#include "window.h"

#include <stdint.h>

enum { CCS_FORECAST_PERFECT = 0, CCS_FORECAST_PERSISTENCE, CCS_FORECAST_NOISY };
enum { CCS_GROWTH_SQRT = 0, CCS_GROWTH_LINEAR, CCS_GROWTH_CONSTANT };
enum { CCS_ERROR_OF_VALUE = 0, CCS_ERROR_OF_MEAN };
/* Which intensity a forecast shows: the average (attributional) one, or the marginal one (what one
 * more kWh emits) where the region has a marginal trace. */
enum { CCS_SIGNAL_AVERAGE = 0, CCS_SIGNAL_MARGINAL };

typedef struct ccs_forecast ccs_forecast;

typedef struct ccs_forecast_params {
    int kind;      /* CCS_FORECAST_PERFECT, _PERSISTENCE, _NOISY */
    double error;  /* noisy: relative standard deviation at 24 h ahead */
    int growth;    /* CCS_GROWTH_SQRT (error x sqrt(h / 24 h)), _LINEAR (x h / 24 h), _CONSTANT */
    int scale;     /* CCS_ERROR_OF_VALUE: value x (1 + sd z); _OF_MEAN: value + sd x mean x z, the
                          * mean over the whole trace (Wiesner et al.'s forecast error) */
    double corr;   /* noisy: the errors' correlation an hour apart, in [0, 1) */
    int signal;    /* CCS_SIGNAL_AVERAGE, or _MARGINAL: the regions' marginal intensity */
    uint64_t seed; /* the scenario seed */
    const char *const *region_names;
} ccs_forecast_params;

int ccs_forecast_create(const ccs_ledger *ledger, size_t nregions, const ccs_forecast_params *p, ccs_forecast **out,
                        ccs_err *err);
void ccs_forecast_destroy(ccs_forecast *f);

/* Region r's signals over [issue, to) as forecast at issue (to <= the ledger's end). The window
 * may begin before issue (perfect: at the segment holding it). It stays valid until the next
 * call for the same region. Returns 0, or -1 if memory ran out. */
int ccs_forecast_window(ccs_forecast *f, int r, int64_t issue_us, int64_t to_us, ccs_window *out);

#endif
