/* Units and their conversions, in one place (docs: simulated time is integer microseconds;
 * energy is accounted in joules and reported in kWh, intensity in gCO2e/kWh, prices per MWh).
 * Integer constants for time arithmetic, double ones (_F) for conversions to hours, so that a
 * conversion is never an integer division by mistake. */
#ifndef CCS_UNITS_H
#define CCS_UNITS_H

#include <stdint.h>

#define CCS_US_PER_S    INT64_C(1000000)
#define CCS_US_PER_MIN  (60 * CCS_US_PER_S)
#define CCS_US_PER_HOUR (3600 * CCS_US_PER_S)
#define CCS_US_PER_DAY  (24 * CCS_US_PER_HOUR)

#define CCS_US_PER_HOUR_F 3.6e9 /* hours = microseconds / CCS_US_PER_HOUR_F */
#define CCS_MS_PER_HOUR_F 3.6e6
#define CCS_S_PER_HOUR_F  3600.0

#define CCS_J_PER_KWH 3.6e6 /* kWh = joules / CCS_J_PER_KWH */
#define CCS_J_PER_WH  3600.0

#endif
