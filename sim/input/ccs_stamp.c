/* Time stamps as exports write them; see ccs_stamp.h. Every form is first rewritten as an
 * ISO 8601 text and read by ccs_time_parse, so that there is one calendar in the program. Local
 * times go through the C library's zone database (TZ set to the zone, under a lock): the only
 * use of local time in ccsim, so leaving TZ set changes nothing else (everything else is UTC). */
#define _GNU_SOURCE /* strptime(3) */
#include "ccs_stamp.h"

#include "ccs_time.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define ZONEINFO "/usr/share/zoneinfo/"

bool ccs_stamp_zone_ok(const char *tz)
{
    if (!tz || !*tz || tz[0] == '/' || strstr(tz, "..") || strlen(tz) > 64) return false;
    for (const char *p = tz; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p)) return false;
    char path[128];
    snprintf(path, sizeof path, ZONEINFO "%s", tz);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static char zone_set[72];

/* The zone's offset from UTC (seconds east) at instant t; zone_lock held. */
static long offset_at(int64_t t_s)
{
    time_t tt = (time_t)t_s;
    struct tm tm;
    if (!localtime_r(&tt, &tm)) return 0;
    return tm.tm_gmtoff;
}

/* wall: the local wall-clock time read as if it were UTC, in seconds. The instants whose local
 * time it is: none (the hour skipped in spring), one, or two (the hour repeated in autumn). */
static int local_to_utc(const char *tz, int64_t wall_s, int64_t prev_s, int64_t *out_s)
{
    pthread_mutex_lock(&zone_lock);
    if (strcmp(zone_set, tz) != 0) {
        setenv("TZ", tz, 1);
        tzset();
        snprintf(zone_set, sizeof zone_set, "%s", tz);
    }
    /* at most one change of offset within a day either side: the offsets before and after */
    long before = offset_at(wall_s - 86400), after = offset_at(wall_s + 86400);
    int64_t cand[2];
    int n = 0;
    long offs[2] = {before, after};
    for (int i = 0; i < 2; i++) {
        int64_t t = wall_s - offs[i];
        if (offset_at(t) == offs[i] && (n == 0 || cand[0] != t)) cand[n++] = t;
    }
    pthread_mutex_unlock(&zone_lock);
    if (n == 0) return -1;
    if (n == 2 && cand[1] < cand[0]) {
        int64_t x = cand[0];
        cand[0] = cand[1];
        cand[1] = x;
    }
    *out_s = n == 2 && prev_s != INT64_MIN && cand[0] <= prev_s ? cand[1] : cand[0];
    return 0;
}

static int fail(char *why, int size, const char *what)
{
    snprintf(why, (size_t)size, "%s", what);
    return -1;
}

/* Whether s is a whole number text (digits, one optional point, sign), as epochs are written. */
static bool numeric(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(*v)) return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != '.' && *p != '-' && *p != '+') return false;
    return true;
}

int ccs_stamp_parse(const char *text, const ccs_stamp_opts *o, int64_t prev_us, int64_t *out_us, char *why,
                    int why_size)
{
    static const ccs_stamp_opts none = {0};
    if (!o) o = &none;
    char s[96];
    while (isspace((unsigned char)*text)) text++;
    size_t text_len = strlen(text);
    if (text_len >= sizeof s) return fail(why, why_size, "too long for a time stamp");
    memcpy(s, text, text_len + 1); /* not snprintf: a trace has a stamp per row (8% of a load) */
    /* an interval "start - end" is read as its start (ENTSO-E's MTU columns) */
    char *dash = strstr(s, " - ");
    if (dash) *dash = '\0';
    /* a zone label after the time, "(CET)", "(UTC)": the column or the options say the zone */
    char *paren = strchr(s, '(');
    if (paren) *paren = '\0';
    for (size_t n = strlen(s); n > 0 && isspace((unsigned char)s[n - 1]); n--) s[n - 1] = '\0';

    char iso[96];
    double num;
    if (o->format) {
        struct tm tm = {0};
        const char *end = strptime(s, o->format, &tm);
        if (!end || *end != '\0') return fail(why, why_size, "does not match the time format");
        snprintf(iso, sizeof iso, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
    } else if (numeric(s, &num)) {
        double us;
        if (o->has_origin) {
            us = (double)o->origin_us + num * (o->unit_us > 0 ? o->unit_us : 1e6);
        } else {
            double a = fabs(num);
            /* Unix epoch numbers by size: seconds up to year 5138, then milliseconds, microseconds,
             * nanoseconds. Below 1e8 s (1973) a number is a relative time, not an epoch. */
            if (a < 1e8)
                return fail(why, why_size, "a number too small for a Unix epoch time: relative seconds need an origin");
            us = a < 1e11 ? num * 1e6 : a < 1e14 ? num * 1e3 : a < 1e17 ? num : num / 1e3;
        }
        if (!(fabs(us) < 2.5e17)) return fail(why, why_size, "outside the years 0000 to 9999");
        *out_us = llround(us);
        return 0;
    } else if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && s[2] == '/' && !o->day_first) {
        /* 01/02/2023 is 1 February in Europe and 2 January in the US: not guessed */
        return fail(why, why_size, "a date with slashes is day-first or month-first: say which with a time format");
    } else if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && (s[2] == '.' || s[2] == '/') &&
               isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]) && s[5] == s[2]) {
        /* day first, as written with dots (31.12.2023 23:00[:00]), or with slashes by a source
         * known to write the day first */
        int d, m, y, h = 0, mi = 0, sec = 0;
        char sep = s[2], tail;
        char fmt[40];
        snprintf(fmt, sizeof fmt, "%%2d%c%%2d%c%%4d %%2d:%%2d:%%2d%%c", sep, sep);
        int got = sscanf(s, fmt, &d, &m, &y, &h, &mi, &sec, &tail);
        if (got < 3 || got == 4 || got == 7) return fail(why, why_size, "not a day-first date and time");
        snprintf(iso, sizeof iso, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, h, mi, sec);
    } else {
        memcpy(iso, s, strlen(s) + 1); /* s fits: both are 96 bytes */
    }
    /* an offset or Z in the text wins over any zone */
    size_t n = strlen(iso);
    bool has_zone = n > 10 && (iso[n - 1] == 'Z' || strchr(iso + 10, '+') || strchr(iso + 10, '-'));
    int64_t t;
    if (ccs_time_parse(iso, &t) != 0) return fail(why, why_size, "not a date and time ccsim reads");
    if (o->timezone && !has_zone) {
        int64_t sec_part = t / 1000000, frac = t % 1000000, utc;
        if (frac < 0) sec_part -= 1, frac += 1000000;
        int64_t prev_s = prev_us == INT64_MIN ? INT64_MIN : prev_us / 1000000;
        if (local_to_utc(o->timezone, sec_part, prev_s, &utc) != 0)
            return fail(why, why_size,
                        "a local time that does not exist in the time zone (the hour skipped when clocks go forward)");
        t = utc * 1000000 + frac;
    }
    *out_us = t;
    return 0;
}
