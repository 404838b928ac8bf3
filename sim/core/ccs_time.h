/* Calendar times and durations. Simulated time is an integer count of microseconds; calendar
 * instants are microseconds since 1970-01-01T00:00:00Z (UTC only: no time zones, no DST). */
#ifndef CCS_TIME_H
#define CCS_TIME_H

#include "ccs_units.h"

#include <stdint.h>

/* Parses an ISO 8601 instant: "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]" followed by
 * nothing or "Z" (UTC) or a "+HH:MM"/"-HH:MM" offset, which is converted to UTC.
 * Returns 0 on success, -1 if s is not such an instant (trailing text included). */
int ccs_time_parse(const char *s, int64_t *epoch_us);

/* Parses a duration: one or more <number><unit> parts, units w d h m s ms us, e.g. "7d",
 * "4h30m", "8772h", "1.5h", "250ms". Returns 0, or -1 if malformed or negative. */
int ccs_duration_parse(const char *s, int64_t *us);

/* Parses "HH:MM" (00:00..23:59) into microseconds after midnight. */
int ccs_clock_parse(const char *s, int64_t *us);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" (fractions of a second are dropped) into buf (>= 32 bytes). */
void ccs_time_format(int64_t epoch_us, char *buf, int bufsize);

/* Floor division of microseconds to a multiple of step_us (correct for negative times). */
int64_t ccs_time_floor(int64_t t_us, int64_t step_us);

#endif
