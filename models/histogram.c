/* Log-bucketed histogram; see histogram.h. Index: values < 2^11 map to themselves; above, the
 * top 11 significant bits (the leading one and 10 more) choose the bucket. */
#include "histogram.h"

#include <stdlib.h>

#define SUB_BITS 10
#define SUB      (1u << SUB_BITS)
#define EXACT    (2u * SUB)                          /* values below this have their own bucket */
#define NBUCKETS (EXACT + (64 - SUB_BITS - 1) * SUB) /* exponents 11..63 */

struct ccs_histogram {
    uint64_t count;
    double sum;
    uint64_t buckets[NBUCKETS];
};

static unsigned bucket_of(uint64_t v)
{
    if (v < (uint64_t)EXACT) return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* floor(log2 v) >= SUB_BITS + 1 */
    unsigned sub = (unsigned)(v >> (e - SUB_BITS)) & (SUB - 1);
    return EXACT + (e - SUB_BITS - 1) * SUB + sub;
}

/* Lowest value of bucket b and its width. */
static void bucket_range(unsigned b, double *lo, double *width)
{
    if (b < EXACT) {
        *lo = b;
        *width = 1;
        return;
    }
    unsigned e = (b - EXACT) / SUB + SUB_BITS + 1, sub = (b - EXACT) % SUB;
    double unit = (double)(UINT64_C(1) << (e - SUB_BITS));
    *lo = (double)((UINT64_C(1) << e) + (uint64_t)sub * (uint64_t)unit);
    *width = unit;
}

ccs_histogram *ccs_histogram_create(void) { return calloc(1, sizeof(ccs_histogram)); }
void ccs_histogram_destroy(ccs_histogram *h) { free(h); }

void ccs_histogram_add(ccs_histogram *h, int64_t value_us)
{
    uint64_t v = value_us < 0 ? 0 : (uint64_t)value_us;
    h->buckets[bucket_of(v)]++;
    h->count++;
    h->sum += (double)v;
}

uint64_t ccs_histogram_count(const ccs_histogram *h) { return h->count; }
double ccs_histogram_mean(const ccs_histogram *h) { return h->count ? h->sum / (double)h->count : 0; }

double ccs_histogram_quantile(const ccs_histogram *h, double q)
{
    if (h->count == 0) return 0;
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if ((double)rank < q * (double)h->count) rank++;
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < NBUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= rank) {
            double lo, w;
            bucket_range(b, &lo, &w);
            return w == 1 ? lo : lo + (w - 1) / 2.0;
        }
    }
    return 0;
}

double ccs_histogram_frac_above(const ccs_histogram *h, int64_t limit_us)
{
    if (h->count == 0) return 0;
    uint64_t above = 0;
    unsigned lim = bucket_of(limit_us < 0 ? 0 : (uint64_t)limit_us);
    for (unsigned b = lim + 1; b < NBUCKETS; b++) above += h->buckets[b];
    return (double)above / (double)h->count;
}

struct ccs_whist {
    double count, sum;
    double buckets[NBUCKETS];
};

ccs_whist *ccs_whist_create(void) { return calloc(1, sizeof(ccs_whist)); }
void ccs_whist_destroy(ccs_whist *w) { free(w); }

void ccs_whist_add(ccs_whist *w, const ccs_histogram *h, double weight)
{
    if (h->count == 0 || weight == 0) return;
    for (unsigned b = 0; b < NBUCKETS; b++)
        if (h->buckets[b]) w->buckets[b] += weight * (double)h->buckets[b];
    w->count += weight * (double)h->count;
    w->sum += weight * h->sum;
}

double ccs_whist_count(const ccs_whist *w) { return w->count; }
double ccs_whist_mean(const ccs_whist *w) { return w->count > 0 ? w->sum / w->count : 0; }

double ccs_whist_quantile(const ccs_whist *w, double q)
{
    if (!(w->count > 0)) return 0;
    double rank = q * w->count, seen = 0;
    unsigned last = 0;
    for (unsigned b = 0; b < NBUCKETS; b++) {
        if (w->buckets[b] <= 0) continue;
        last = b;
        seen += w->buckets[b];
        if (seen >= rank) break;
    }
    double lo, width;
    bucket_range(last, &lo, &width);
    return width == 1 ? lo : lo + (width - 1) / 2.0;
}

double ccs_whist_frac_above(const ccs_whist *w, int64_t limit_us)
{
    if (!(w->count > 0)) return 0;
    double above = 0;
    for (unsigned b = bucket_of(limit_us < 0 ? 0 : (uint64_t)limit_us) + 1; b < NBUCKETS; b++) above += w->buckets[b];
    return above / w->count;
}
