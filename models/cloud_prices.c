/* The instance price table; see cloud_prices.h. */
#include "cloud_prices.h"

#include "ccs_csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct price_row {
    char *region, *hardware, *currency, *date, *source;
    double per_device;
} price_row;

struct ccs_price_table {
    price_row *rows;
    size_t n;
};

void ccs_price_table_free(ccs_price_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].region);
        free(t->rows[i].hardware);
        free(t->rows[i].currency);
        free(t->rows[i].date);
        free(t->rows[i].source);
    }
    free(t->rows);
    free(t);
}

enum { C_REGION, C_HARDWARE, C_DEVICES, C_PRICE, C_CURRENCY, C_DATE, C_SOURCE, NCOLS };
static const char *const column_names[NCOLS] = {"cloud_region", "hardware",   "devices", "on_demand_per_hour",
                                                "currency",     "price_date", "source"};

static int number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *s && !*end && errno == 0 && isfinite(*v);
}

int ccs_price_table_load(const char *path, ccs_price_table **out, ccs_err *err)
{
    *out = NULL;
    ccs_csv *c;
    int rc = ccs_csv_open(path, ',', &c, err);
    if (rc) return rc;
    ccs_price_table *t = calloc(1, sizeof *t);
    char **f;
    int nf, col[NCOLS];
    size_t cap = 0;
    if (!t) rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    int got = rc ? 0 : ccs_csv_next(c, &f, &nf, err);
    if (!rc && got != 1) rc = got < 0 || got > 1 ? got : ccs_err_at(err, CCS_EINPUT, path, 1, 0, "empty price table");
    for (int k = 0; !rc && k < NCOLS; k++) {
        col[k] = -1;
        for (int i = 0; i < nf; i++)
            if (strcmp(f[i], column_names[k]) == 0) col[k] = i;
        if (col[k] < 0)
            rc = ccs_err_at(err, CCS_EINPUT, path, ccs_csv_line(c), 0,
                            "missing column '%s': expected a header with cloud_region, hardware, devices, "
                            "on_demand_per_hour, currency, price_date and source",
                            column_names[k]);
    }
    while (!rc && (got = ccs_csv_next(c, &f, &nf, err)) == 1) {
        long line = ccs_csv_line(c);
        double devices = 0, price = 0;
        int need = 0;
        for (int k = 0; k < NCOLS; k++)
            if (col[k] + 1 > need) need = col[k] + 1;
        if (nf < need) {
            rc = ccs_err_at(err, CCS_EINPUT, path, line, 0, "a row of %d fields: expected at least %d, as the header",
                            nf, need);
            break;
        }
        if (!number(f[col[C_DEVICES]], &devices) || devices < 1 || devices != floor(devices))
            rc = ccs_err_at(err, CCS_EINPUT, path, line, col[C_DEVICES] + 1,
                            "devices '%s': expected a whole number of devices per instance, 1 or more",
                            f[col[C_DEVICES]]);
        else if (!number(f[col[C_PRICE]], &price) || price < 0)
            rc = ccs_err_at(err, CCS_EINPUT, path, line, col[C_PRICE] + 1,
                            "on_demand_per_hour '%s': expected a price per instance-hour, 0 or more", f[col[C_PRICE]]);
        if (rc) break;
        if (t->n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            price_row *r = realloc(t->rows, nc * sizeof *r);
            if (!r) {
                rc = ccs_err_set(err, CCS_ERUN, "out of memory");
                break;
            }
            t->rows = r;
            cap = nc;
        }
        price_row *r = &t->rows[t->n++];
        *r = (price_row){strdup(f[col[C_REGION]]), strdup(f[col[C_HARDWARE]]), strdup(f[col[C_CURRENCY]]),
                         strdup(f[col[C_DATE]]),   strdup(f[col[C_SOURCE]]),   price / devices};
        if (!r->region || !r->hardware || !r->currency || !r->date || !r->source)
            rc = ccs_err_set(err, CCS_ERUN, "out of memory");
    }
    if (!rc && got < 0) rc = got;
    if (!rc && got > 1) rc = got;
    ccs_csv_close(c);
    if (rc) {
        ccs_price_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

double ccs_price_table_per_device(const ccs_price_table *t, const char *cloud_region, const char *hardware,
                                  const char **currency, const char **date, const char **source)
{
    for (size_t i = 0; t && i < t->n; i++) {
        const price_row *r = &t->rows[i];
        if (strcmp(r->region, cloud_region) != 0 || strcmp(r->hardware, hardware) != 0) continue;
        if (currency) *currency = r->currency;
        if (date) *date = r->date;
        if (source) *source = r->source;
        return r->per_device;
    }
    return -1;
}
