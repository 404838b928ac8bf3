/* The time column of a trace, in the forms exports write it: ISO 8601 (with or without an
 * offset), day-first dates (31.12.2023 23:00, 31/12/2023 23:00:00), intervals ("start - end",
 * read as their start), Unix epoch numbers (seconds, milliseconds, microseconds or nanoseconds,
 * told apart by size), seconds relative to a stated origin, a strptime(3) format, and local
 * times in a named time zone, daylight saving included, through the system's time-zone
 * database. */
#ifndef CCS_STAMP_H
#define CCS_STAMP_H

#include <stdbool.h>
#include <stdint.h>

/* A field added here must be added to the trace cache's key too (ccs_trace.c, opts_key). */
typedef struct ccs_stamp_opts {
    const char *format;   /* strptime(3) format, NULL: the forms above */
    const char *timezone; /* a tz database name (Europe/Berlin) for local times; NULL: UTC */
    bool day_first;       /* 01/02/2023 is 1 February (the source is known to write so) */
    bool has_origin;      /* numbers are seconds after origin_us, not epoch numbers */
    int64_t origin_us;
    double unit_us; /* relative times: microseconds per unit (1e6 for seconds, 1e3 for ms); 0: seconds */
} ccs_stamp_opts;

/* Whether tz names a zone of the system's database (and is a plain name, not a path out of it). */
bool ccs_stamp_zone_ok(const char *tz);

/* Reads text into epoch microseconds (UTC). prev_us is the row before's instant (INT64_MIN for
 * none): a local time that occurs twice (the hour clocks go back) is the first occurrence
 * after it. Returns 0, or -1 with why (a short reason) filled. */
int ccs_stamp_parse(const char *text, const ccs_stamp_opts *o, int64_t prev_us, int64_t *out_us, char *why,
                    int why_size);

#endif
