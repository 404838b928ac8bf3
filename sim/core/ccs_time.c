/* ISO 8601 UTC instants and durations as integer microseconds; see ccs_time.h.
 * Civil-date arithmetic follows H. Hinnant's days_from_civil (proleptic Gregorian). */
#include "ccs_time.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dim[m - 1];
}

int ccs_time_parse(const char *s, int64_t *epoch_us)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int64_t frac_us = 0;
    if (read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) || *p++ != '-' || read_digits(&p, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return -1;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi)) return -1;
        if (*p == ':') {
            p++;
            if (read_digits(&p, 2, &sec)) return -1;
            if (*p == '.') {
                p++;
                int64_t scale = 100000;
                if (!isdigit((unsigned char)*p)) return -1;
                while (isdigit((unsigned char)*p)) {
                    frac_us += (*p - '0') * scale; /* digits past microseconds are dropped */
                    scale /= 10;
                    p++;
                }
            }
        }
        if (h > 23 || mi > 59 || sec > 59) return -1;
    }
    int64_t offset_s = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (read_digits(&p, 2, &oh)) return -1;
        if (*p == ':') p++;
        if (read_digits(&p, 2, &om) || oh > 23 || om > 59) return -1;
        offset_s = sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
    }
    if (*p != '\0') return -1;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec - offset_s;
    *epoch_us = secs * CCS_US_PER_S + frac_us;
    return 0;
}

int ccs_duration_parse(const char *s, int64_t *us)
{
    static const struct {
        const char *name;
        double us;
    } units[] = {
        {"ms", 1e3}, {"us", 1.0}, {"w", 7 * 86400e6}, {"d", 86400e6}, {"h", 3600e6}, {"m", 60e6}, {"s", 1e6},
    };
    const char *p = s;
    double total = 0;
    int parts = 0;
    while (*p) {
        if (!isdigit((unsigned char)*p) && *p != '.') return -1;
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || v < 0) return -1;
        p = end;
        size_t k, nunits = sizeof units / sizeof units[0];
        for (k = 0; k < nunits; k++) {
            size_t len = strlen(units[k].name);
            if (strncmp(p, units[k].name, len) == 0 && !isalpha((unsigned char)p[len])) break;
        }
        if (k == nunits) return -1;
        total += v * units[k].us;
        p += strlen(units[k].name);
        parts++;
    }
    if (parts == 0 || total > 9.0e18) return -1;
    *us = (int64_t)llround(total);
    return 0;
}

int ccs_clock_parse(const char *s, int64_t *us)
{
    const char *p = s;
    int h, m;
    if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &m) || *p != '\0' || h > 23 || m > 59) return -1;
    *us = (int64_t)(h * 60 + m) * CCS_US_PER_MIN;
    return 0;
}

int64_t ccs_time_floor(int64_t t_us, int64_t step_us)
{
    int64_t q = t_us / step_us;
    if (t_us % step_us != 0 && t_us < 0) q--;
    return q * step_us;
}

void ccs_time_format(int64_t epoch_us, char *buf, int bufsize)
{
    int64_t secs = ccs_time_floor(epoch_us, CCS_US_PER_S) / CCS_US_PER_S;
    int64_t days = ccs_time_floor(secs, 86400) / 86400;
    int64_t rem = secs - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, (size_t)bufsize, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600), (int)(rem % 3600 / 60),
             (int)(rem % 60));
}
