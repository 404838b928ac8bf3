/* results.h5 writer; see out_h5.h. Layout: /regions/<name>/{hour_utc_s, energy_kwh,
 * it_energy_kwh, carbon_kg, cost, intensity_g_per_kwh, price_per_mwh[, queue_waiting_runs]},
 * each 1-D, one row per hour, with a `units` attribute; /services/<name>/ hourly series;
 * /jobs/<name>/ one row per run; root attributes scenario, seed, policy, currency, version. */
#include "out_h5.h"

#include "ccs_config.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ccs_h5_str_attr(hid_t obj, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, type, value) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return rc;
}

static int dataset(hid_t group, const char *name, hid_t type, size_t n, const void *data,
                   const char *units)
{
    hsize_t dims[1] = {n}, chunk[1] = {n < 8760 ? (n ? n : 1) : 8760};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(plist, 1, chunk);
    H5Pset_deflate(plist, 4);
    hid_t d = H5Dcreate2(group, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    int rc = d < 0 || (n > 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0);
    if (!rc) rc = ccs_h5_str_attr(d, "units", units);
    if (d >= 0) H5Dclose(d);
    H5Pclose(plist);
    H5Sclose(space);
    return rc;
}

/* /services/<name>/: the service's hourly series (series.h), slot i the hour starting at
 * hour_utc_s[i]; the last slot also holds work that drained after the period. */
static int num_attr(hid_t obj, const char *name, double value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &value) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return rc;
}

/* /jobs/<name>/: one row per run, in release order, and the job's freshness as attributes. */
static int write_jobs(hid_t f, const ccs_run_result *r, const char *cost_units)
{
    const ccs_scenario *s = r->scenario;
    hid_t jobs = H5Gcreate2(f, "jobs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int bad = jobs < 0;
    for (size_t i = 0; i < s->njobs && !bad; i++) {
        const ccs_job_result *j = &r->jobs[i];
        size_t n = j->runs, m = n ? n : 1;
        int64_t *t[4] = {malloc(m * 8), malloc(m * 8), malloc(m * 8), malloc(m * 8)};
        double *v[5] = {malloc(m * 8), malloc(m * 8), malloc(m * 8), malloc(m * 8), malloc(m * 8)};
        uint8_t *missed = malloc(m), *guard = malloc(m);
        const char **names = malloc(m * sizeof *names);
        hid_t g = H5Gcreate2(jobs, s->jobs[i].name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        bad |= g < 0 || !t[0] || !t[1] || !t[2] || !t[3] || !v[0] || !v[1] || !v[2] || !v[3] || !v[4] || !missed ||
               !guard || !names;
        for (size_t k = 0; !bad && k < n; k++) {
            const ccs_job_run_record *rec = &j->records[k];
            t[0][k] = rec->release_us / 1000000;
            t[1][k] = rec->start_us / 1000000;
            t[2][k] = rec->end_us / 1000000;
            t[3][k] = rec->deadline_us / 1000000;
            v[0][k] = rec->energy_kwh;
            v[1][k] = rec->carbon_g / 1000.0;
            v[2][k] = rec->cost;
            v[3][k] = rec->forecast_carbon_g / 1000.0;
            v[4][k] = (double)rec->wait_us / 3.6e9;
            missed[k] = (uint8_t)rec->missed;
            guard[k] = (uint8_t)rec->override;
            names[k] = s->regions[rec->region].name;
        }
        if (!bad) {
            static const char *tu = "seconds since 1970-01-01T00:00:00Z";
            bad |= dataset(g, "release_utc_s", H5T_NATIVE_INT64, n, t[0], tu);
            bad |= dataset(g, "start_utc_s", H5T_NATIVE_INT64, n, t[1], tu);
            bad |= dataset(g, "end_utc_s", H5T_NATIVE_INT64, n, t[2], tu);
            bad |= dataset(g, "deadline_utc_s", H5T_NATIVE_INT64, n, t[3], tu);
            bad |= dataset(g, "energy_kwh", H5T_NATIVE_DOUBLE, n, v[0], "kWh from the grid (IT x PUE)");
            bad |= dataset(g, "carbon_kg", H5T_NATIVE_DOUBLE, n, v[1], "kgCO2e, actual");
            bad |= dataset(g, "cost", H5T_NATIVE_DOUBLE, n, v[2], cost_units);
            bad |= dataset(g, "forecast_carbon_kg", H5T_NATIVE_DOUBLE, n, v[3], "kgCO2e, as the policy expected");
            bad |= dataset(g, "queue_wait_h", H5T_NATIVE_DOUBLE, n, v[4], "hours waiting for region capacity");
            bad |= dataset(g, "missed", H5T_NATIVE_UINT8, n, missed, "1: ended after its deadline");
            bad |= dataset(g, "override", H5T_NATIVE_UINT8, n, guard, "1: started by the deadline guard");
            /* the region of each run, as a variable-length string dataset */
            hid_t st = H5Tcopy(H5T_C_S1);
            H5Tset_size(st, H5T_VARIABLE);
            hsize_t dims[1] = {n};
            hid_t sp = H5Screate_simple(1, dims, NULL);
            hid_t d = H5Dcreate2(g, "region", st, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            bad |= d < 0 || (n && H5Dwrite(d, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) < 0);
            if (d >= 0) H5Dclose(d);
            H5Sclose(sp);
            H5Tclose(st);
            bad |= num_attr(g, "freshness_mean_h", j->freshness_mean_h) |
                   num_attr(g, "freshness_max_h", j->freshness_max_h) |
                   num_attr(g, "deadline_misses", (double)j->deadline_misses);
        }
        if (g >= 0) H5Gclose(g);
        for (int k = 0; k < 4; k++) free(t[k]);
        for (int k = 0; k < 5; k++) free(v[k]);
        free(missed);
        free(guard);
        free(names);
    }
    if (jobs >= 0) H5Gclose(jobs);
    return bad;
}

static int write_services(hid_t f, const ccs_run_result *r, const char *cost_units)
{
    const ccs_scenario *s = r->scenario;
    hid_t services = H5Gcreate2(f, "services", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int bad = services < 0;
    for (size_t i = 0; i < s->nservices && !bad; i++) {
        const ccs_series *z = &r->services[i].series;
        int64_t *secs = malloc((z->n ? z->n : 1) * sizeof *secs);
        double *mean = malloc((z->n ? z->n : 1) * sizeof *mean);
        hid_t g = secs && mean ? H5Gcreate2(services, s->services[i].name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
        bad |= g < 0;
        if (!bad) {
            for (size_t k = 0; k < z->n; k++) {
                secs[k] = (z->hour0_us + (int64_t)k * 3600000000LL) / 1000000;
                mean[k] = z->requests[k] > 0 ? z->latency_sum_ms[k] / z->requests[k] : 0.0;
            }
            bad |= dataset(g, "hour_utc_s", H5T_NATIVE_INT64, z->n, secs, "seconds since 1970-01-01T00:00:00Z, start of hour");
            bad |= dataset(g, "requests", H5T_NATIVE_DOUBLE, z->n, z->requests, "measured requests, by arrival hour");
            bad |= dataset(g, "mean_latency_ms", H5T_NATIVE_DOUBLE, z->n, mean, "ms, mean over the hour's requests");
            bad |= dataset(g, "slo_misses", H5T_NATIVE_DOUBLE, z->n, z->slo_misses, "requests slower than slo_p95_ms");
            bad |= dataset(g, "cache_hits", H5T_NATIVE_DOUBLE, z->n, z->cache_hits, "requests served from the cache");
            bad |= dataset(g, "it_energy_kwh", H5T_NATIVE_DOUBLE, z->n, z->it_energy_kwh, "kWh at the servers");
            bad |= dataset(g, "energy_kwh", H5T_NATIVE_DOUBLE, z->n, z->energy_kwh, "kWh from the grid (IT x PUE)");
            bad |= dataset(g, "carbon_kg", H5T_NATIVE_DOUBLE, z->n, z->carbon_kg, "kgCO2e");
            bad |= dataset(g, "cost", H5T_NATIVE_DOUBLE, z->n, z->cost, cost_units);
            bad |= dataset(g, "replica_hours", H5T_NATIVE_DOUBLE, z->n, z->replica_hours,
                           "provisioned replica-hours (serving, cold-starting, warm)");
        }
        if (g >= 0) H5Gclose(g);
        free(secs);
        free(mean);
    }
    if (services >= 0) H5Gclose(services);
    return bad;
}

int ccs_out_h5_write(ccs_run_result *r, const char *path, ccs_err *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const ccs_scenario *s = r->scenario;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot create");
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed);
    int bad = ccs_h5_str_attr(f, "scenario", s->name) | ccs_h5_str_attr(f, "seed", seed) |
              ccs_h5_str_attr(f, "policy", r->policy) | ccs_h5_str_attr(f, "currency", s->currency) |
              ccs_h5_str_attr(f, "ccsim_version", CCS_VERSION);
    hid_t regions = H5Gcreate2(f, "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    bad |= regions < 0;
    char cost_units[64], price_units[64];
    snprintf(cost_units, sizeof cost_units, "%s", s->currency);
    snprintf(price_units, sizeof price_units, "%s/MWh", s->currency);
    for (size_t i = 0; i < s->nregions && !bad; i++) {
        ccs_hourly h;
        if (ccs_ledger_hourly(r->ledger, (int)i, &h) != 0) {
            bad = 1;
            break;
        }
        int64_t *secs = malloc((h.n ? h.n : 1) * sizeof *secs);
        if (!secs) {
            bad = 1;
            break;
        }
        for (size_t k = 0; k < h.n; k++) secs[k] = h.hour_us[k] / 1000000;
        hid_t g = H5Gcreate2(regions, s->regions[i].name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        bad |= g < 0;
        if (!bad) {
            bad |= dataset(g, "hour_utc_s", H5T_NATIVE_INT64, h.n, secs, "seconds since 1970-01-01T00:00:00Z, start of hour");
            bad |= dataset(g, "energy_kwh", H5T_NATIVE_DOUBLE, h.n, h.energy_kwh, "kWh from the grid (IT x PUE)");
            bad |= dataset(g, "it_energy_kwh", H5T_NATIVE_DOUBLE, h.n, h.it_energy_kwh, "kWh at the servers");
            /* The baseline on the policy's hours: its runs may end earlier or later past the horizon. */
            ccs_hourly b;
            double *be = calloc(h.n ? h.n : 1, sizeof *be);
            bad |= !be || ccs_ledger_hourly(r->baseline_ledger, (int)i, &b) != 0;
            for (size_t k = 0; !bad && k < h.n && k < b.n; k++) be[k] = b.energy_kwh[k];
            if (!bad) bad |= dataset(g, "baseline_energy_kwh", H5T_NATIVE_DOUBLE, h.n, be,
                                     "kWh from the grid under run-now on the same streams, on hour_utc_s");
            free(be);
            bad |= dataset(g, "carbon_kg", H5T_NATIVE_DOUBLE, h.n, h.carbon_kg, "kgCO2e");
            bad |= dataset(g, "cost", H5T_NATIVE_DOUBLE, h.n, h.cost, cost_units);
            bad |= dataset(g, "intensity_g_per_kwh", H5T_NATIVE_DOUBLE, h.n, h.intensity, "gCO2e/kWh, time-weighted mean over the hour");
            bad |= dataset(g, "price_per_mwh", H5T_NATIVE_DOUBLE, h.n, h.price, price_units);
            const ccs_region_queue *q = &r->queues[i];
            if (q->capacity_kw > 0) { /* aligned with hour_utc_s */
                uint32_t *w = calloc(h.n ? h.n : 1, sizeof *w);
                bad |= !w;
                if (w) memcpy(w, q->hourly, (q->nhours < h.n ? q->nhours : h.n) * sizeof *w);
                if (w) bad |= dataset(g, "queue_waiting_runs", H5T_NATIVE_UINT32, h.n, w,
                                      "most runs waiting for capacity at once in the hour");
                free(w);
            }
            bad |= ccs_h5_str_attr(g, "carbon_trace", r->regions[i].carbon_path);
            bad |= ccs_h5_str_attr(g, "price_source", r->regions[i].price_source);
            H5Gclose(g);
        }
        free(secs);
    }
    if (regions >= 0) H5Gclose(regions);
    if (!bad && s->nservices) bad |= write_services(f, r, cost_units);
    if (!bad && s->njobs) bad |= write_jobs(f, r, cost_units);
    bad |= H5Fclose(f) < 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write the HDF5 results");
    }
    return 0;
}
