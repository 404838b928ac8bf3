/* The Zipf sampler (models/zipf.c) against the exact distribution: chi-square tests of its
 * frequencies over thousands of seeded random (n, s), the edges (n = 1, s = 0, s at and near 1,
 * steep s), and its range. A sampler with a wrong hat, squeeze or rounding fails them: the test
 * bins are the first keys, where the hat's error would show, and the tail as a whole. */
#include "zipf.h"

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <math.h>

/* Chi-square statistic of `draws` draws of Zipf(n, s), and its degrees of freedom in *df. Bins:
 * each of the first keys while its expected count is at least 5 (where a wrong hat or squeeze
 * shows), then the rest of the keys in two halves by key (where a wrong tail shows), a half
 * expected below 5 merged into the bin before it. Fails at once on a key out of range. */
static double chi_square(long n, double s, long draws, gsl_rng *r, int *df)
{
    enum { M = 8 };
    ccs_zipf z;
    ccs_zipf_init(&z, n, s);
    double norm = ccs_zipf_norm(n, s), expect[M + 2] = {0}, count[M + 2] = {0};
    long first[M + 3]; /* bin b holds keys first[b] .. first[b + 1] - 1 */
    int nb = 0;
    long k = 1;
    while (nb < M && k <= n && pow((double)k, -s) / norm * (double)draws >= 5) first[nb++] = k++;
    long mid = k + (n - k + 1) / 2;
    if (k <= n) first[nb++] = k;
    if (mid > k && mid <= n) first[nb++] = mid;
    first[nb] = n + 1;
    for (int b = 0; b < nb; b++)
        for (long j = first[b + 1] - 1; j >= first[b]; j--) expect[b] += pow((double)j, -s) / norm;
    for (int b = nb - 1; b > 0; b--) /* merge bins expected below 5 into the one before */
        if (expect[b] * (double)draws < 5) {
            expect[b - 1] += expect[b];
            for (int c = b; c < nb; c++) {
                first[c] = first[c + 1];
                if (c + 1 < nb) expect[c] = expect[c + 1];
            }
            nb--;
        }
    for (long i = 0; i < draws; i++) {
        long key = ccs_zipf_draw(&z, r);
        cr_assert(key >= 1 && key <= n, "n %ld s %g: key %ld out of range", n, s, key);
        int b = 0;
        while (key >= first[b + 1]) b++;
        count[b] += 1;
    }
    double chi = 0;
    for (int b = 0; b < nb; b++) {
        double e = expect[b] * (double)draws;
        chi += (count[b] - e) * (count[b] - e) / e;
    }
    *df = nb - 1;
    return chi;
}

static void expect_zipf(long n, double s, long draws, double p, gsl_rng *r)
{
    int df;
    double chi = chi_square(n, s, draws, r, &df);
    if (df == 0) return; /* one key: the range check is the test */
    double limit = gsl_cdf_chisq_Qinv(p, df);
    cr_assert(chi <= limit, "Zipf n %ld s %.9g: chi-square %.2f over %d df, limit %.2f (p %g)", n, s, chi, df, limit,
              p);
}

Test(zipf, edges_match_the_exact_distribution)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 11);
    const long ns[] = {1, 2, 3, 7, 9, 100, 20000, 2000000};
    const double ss[] = {0.0, 0.5, 0.9, 0.999999999, 1.0, 1.000000001, 1.5, 3.0, 5.0};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t j = 0; j < sizeof ss / sizeof ss[0]; j++) expect_zipf(ns[i], ss[j], 200000, 1e-6, r);
    gsl_rng_free(r);
}

/* 2,000 seeded random instances: n log-uniform in [1, 10^6], s uniform in [0, 4]. At p = 1e-6 a
 * correct sampler fails one of them with probability 0.002; a wrong one fails many. */
Test(zipf, random_instances_match_the_exact_distribution, .timeout = 120)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2), *pick = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 12);
    gsl_rng_set(pick, 13);
    for (int i = 0; i < 2000; i++) {
        long n = (long)floor(exp(gsl_rng_uniform(pick) * log(1e6)));
        double s = 4.0 * gsl_rng_uniform(pick);
        expect_zipf(n < 1 ? 1 : n, s, 20000, 1e-6, r);
    }
    gsl_rng_free(pick);
    gsl_rng_free(r);
}

/* The mean key of Zipf(n = 1000, s = 1.2) by hand (sum k^-0.2 / sum k^-1.2) against 10^6 draws,
 * within five standard errors: the tail's keys, not only the first bins, come out right. */
Test(zipf, mean_key_by_hand)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 14);
    const long n = 1000, draws = 1000000;
    const double s = 1.2;
    double norm = ccs_zipf_norm(n, s), mean = 0, sq = 0;
    for (long k = 1; k <= n; k++) {
        mean += (double)k * pow((double)k, -s) / norm;
        sq += (double)k * (double)k * pow((double)k, -s) / norm;
    }
    double se = sqrt((sq - mean * mean) / (double)draws), sum = 0;
    ccs_zipf z;
    ccs_zipf_init(&z, n, s);
    for (long i = 0; i < draws; i++) sum += (double)ccs_zipf_draw(&z, r);
    cr_assert(fabs(sum / (double)draws - mean) < 5 * se, "mean %.4f, exact %.4f (se %.4f)", sum / (double)draws, mean,
              se);
    gsl_rng_free(r);
}

/* The sums over millions of keys (head summed, tail integrated) against brute force, for the
 * normaliser and the cache's hit-rate theory's sum: within 1e-9 relative. */
static double hit_term(double w, void *ctx)
{
    const double *a = ctx; /* norm, rate x TTL */
    double p = w / a[0], lt = a[1] * p;
    return p * lt / (1 + lt);
}

Test(zipf, sums_over_many_keys_match_brute_force, .timeout = 60)
{
    const long ns[] = {20000, 20001, 150000, 3000000};
    const double ss[] = {0.0, 0.5, 0.9, 1.0, 1.3, 3.0};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t j = 0; j < sizeof ss / sizeof ss[0]; j++) {
            long n = ns[i];
            double s = ss[j], norm = 0, hits = 0;
            for (long k = n; k >= 1; k--) norm += pow((double)k, -s);
            double a[2] = {norm, 400.0 * 600.0};
            for (long k = n; k >= 1; k--) hits += hit_term(pow((double)k, -s), a);
            double fast = ccs_zipf_norm(n, s), fast_hits = ccs_zipf_sum(n, s, hit_term, a);
            cr_assert(fabs(fast - norm) <= 1e-9 * norm, "n %ld s %g: norm %.15g, brute force %.15g", n, s, fast, norm);
            cr_assert(fabs(fast_hits - hits) <= 1e-9 * hits, "n %ld s %g: hit rate %.15g, brute force %.15g", n, s,
                      fast_hits, hits);
        }
}

/* Keys drawn in blocks (ccs_zipf_draw_n, the cache's way) are the one-by-one draws, in order, from
 * the same uniforms, over 2,000 seeded random (n, s) and block sizes across the sampler's internal
 * block of 64: the same keys, and the stream left where one-by-one drawing leaves it (the next
 * uniform equal). Steep s on few keys rejects often, so the rejection path is covered: asserted. */
Test(zipf, blocks_are_the_one_by_one_draws)
{
    gsl_rng *meta = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(meta, 2024);
    int with_rejections = 0;
    for (int inst = 0; inst < 2000; inst++) {
        long n = 1 + (long)gsl_rng_uniform_int(meta, inst % 2 ? 50 : 5000000);
        double s = inst % 5 == 0 ? 1.0 : 4.0 * gsl_rng_uniform(meta);
        size_t want = 1 + gsl_rng_uniform_int(meta, 300);
        unsigned long seed = gsl_rng_get(meta);
        ccs_zipf z;
        ccs_zipf_init(&z, n, s);
        gsl_rng *one = gsl_rng_alloc(gsl_rng_taus2), *block = gsl_rng_alloc(gsl_rng_taus2),
                *plain = gsl_rng_alloc(gsl_rng_taus2);
        gsl_rng_set(one, seed);
        gsl_rng_set(block, seed);
        gsl_rng_set(plain, seed);
        long keys[300];
        for (size_t done = 0; done < want;) { /* blocks of 1..80 keys */
            size_t m = 1 + gsl_rng_uniform_int(meta, 80);
            if (m > want - done) m = want - done;
            ccs_zipf_draw_n(&z, block, keys + done, m);
            done += m;
        }
        for (size_t i = 0; i < want; i++) {
            long k = ccs_zipf_draw(&z, one);
            cr_assert_eq(keys[i], k, "n %ld s %g: key %zu of %zu is %ld in a block, %ld one by one", n, s, i, want,
                         keys[i], k);
        }
        unsigned long after = gsl_rng_get(one);
        cr_assert_eq(gsl_rng_get(block), after, "n %ld s %g: the streams part after %zu keys", n, s, want);
        for (size_t i = 0; i < want; i++) gsl_rng_uniform(plain); /* one uniform per key: no rejection */
        with_rejections += gsl_rng_get(plain) != after;
        gsl_rng_free(one);
        gsl_rng_free(block);
        gsl_rng_free(plain);
    }
    cr_assert(with_rejections > 100 && with_rejections < 1900, "%d of 2000 instances rejected a uniform",
              with_rejections);
    gsl_rng_free(meta);
}
