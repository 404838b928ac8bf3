/* results.h5 writer; see out_h5.h. Layout: /regions/<name>/{hour_utc_s, energy_kwh,
 * it_energy_kwh, carbon_kg, cost, intensity_g_per_kwh, price_per_mwh, pue, cooling_kwh, water_l,
 * heat_reused_kwh[, queue_waiting_runs]},
 * each 1-D, one row per hour, with a `units` attribute; /services/<name>/ hourly series;
 * /jobs/<name>/ one row per run; root attributes scenario, seed, policy, currency, version.
 * Every string (attributes, the jobs' region names) is variable-length UTF-8 and every count an
 * unsigned 64-bit integer, so that h5py gives str and int, not bytes and float; docs/outputs.md
 * lists each object with its type and units.
 * Built in memory by HDF5, then written to DIR/.results.h5.tmp.PID and renamed by ccsim itself:
 * a failed write is then an errno with its reason, and never a file HDF5 half-closed (libhdf5
 * 1.10 crashed at exit after a close that failed on a full disk). No object carries a time, so
 * the same inputs give the same bytes. */
#include "out_h5.h"
#include "ccs_units.h"

#include "ccs_config.h"
#include "out_fs.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first failure and its reason, read from HDF5's error stack at once: the next HDF5 call
 * clears the stack. */
typedef struct h5w {
    int bad;
    char reason[256];
} h5w;

static herr_t find_reason(unsigned n, const H5E_error2_t *e, void *data)
{
    char *reason = data;
    /* a file driver's message carries the system's ("..., errno = 2, error message = 'No such
     * file or directory', ..."); otherwise the innermost description (the walk starts there) */
    const char *m = e->desc ? strstr(e->desc, "error message = '") : NULL;
    if (m) {
        m += strlen("error message = '");
        const char *q = strchr(m, '\'');
        snprintf(reason, 256, "%.*s", q ? (int)(q - m) : (int)strlen(m), m);
        return 1; /* stop: the best reason there is */
    }
    if (n == 0 && e->desc) snprintf(reason, 256, "%s", e->desc);
    return 0;
}

void ccs_h5_reason(char *buf, size_t size)
{
    char reason[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, find_reason, reason);
    snprintf(buf, size, "%s", reason[0] ? reason : "an HDF5 error without a reason given");
}

/* Closes a property list (or any id) without losing the error stack of the call that failed. */
static void close_keeping_errors(herr_t (*closer)(hid_t), hid_t id)
{
    hid_t stack = H5Eget_current_stack();
    closer(id);
    if (stack >= 0) H5Eset_current_stack(stack);
}

/* Notes a call's failure (failed non-zero); returns failed. */
static int ck(h5w *w, int failed)
{
    if (failed && !w->bad) {
        w->bad = 1;
        ccs_h5_reason(w->reason, sizeof w->reason);
    }
    return failed;
}

hid_t ccs_h5_create(const char *label)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t f = -1;
    /* the root group's object header would otherwise hold its creation time; in memory, grown
     * 1 MB at a time, never written by HDF5 itself */
    if (fcpl >= 0 && fapl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0 && H5Pset_fapl_core(fapl, 1 << 20, 0) >= 0)
        f = H5Fcreate(label, H5F_ACC_TRUNC, fcpl, fapl);
    if (fcpl >= 0) close_keeping_errors(H5Pclose, fcpl);
    if (fapl >= 0) close_keeping_errors(H5Pclose, fapl);
    return f;
}

hid_t ccs_h5_group(hid_t loc, const char *name)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl < 0) return -1;
    hid_t g = H5Pset_obj_track_times(gcpl, 0) < 0 ? -1 : H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    close_keeping_errors(H5Pclose, gcpl);
    return g;
}

int ccs_h5_save(hid_t f, const char *path, char *reason, size_t size)
{
    int rc = 0;
    void *image = NULL;
    ssize_t len = H5Fflush(f, H5F_SCOPE_GLOBAL) < 0 ? -1 : H5Fget_file_image(f, NULL, 0);
    if (len < 0 || !(image = malloc((size_t)len + 1)) || H5Fget_file_image(f, image, (size_t)len) != len) {
        if (len < 0 || image)
            ccs_h5_reason(reason, size);
        else
            snprintf(reason, size, "out of memory");
        rc = -1;
    }
    H5Fclose(f);
    if (!rc) {
        ccs_fs_clean_temporaries(path);
        ccs_fs_out *out = ccs_fs_begin(path);
        int e = out ? ccs_fs_commit(out, fwrite(image, 1, (size_t)len, ccs_fs_stream(out)) == (size_t)len) : errno;
        if (e == ECANCELED) e = EIO;
        if (e) {
            snprintf(reason, size, "%s", strerror(e));
            rc = -1;
        }
    }
    free(image);
    return rc;
}

/* Variable-length UTF-8: h5py and pandas read it as str; a fixed-length string comes back as
 * bytes, and its length would be part of the type. */
static hid_t utf8_type(void)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    if (type >= 0 && (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0)) {
        close_keeping_errors(H5Tclose, type);
        type = -1;
    }
    return type;
}

int ccs_h5_str_attr(hid_t obj, const char *name, const char *value)
{
    hid_t type = utf8_type();
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = type < 0 || space < 0 ? -1 : H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, type, &value) < 0;
    if (a >= 0) close_keeping_errors(H5Aclose, a);
    if (space >= 0) close_keeping_errors(H5Sclose, space);
    if (type >= 0) close_keeping_errors(H5Tclose, type);
    return rc;
}

int ccs_h5_read_str_attr(hid_t obj, const char *name, char *buf, size_t size)
{
    buf[0] = '\0';
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = a >= 0 ? H5Aget_type(a) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    int rc = -1;
    if (ft >= 0 && sp >= 0 && H5Tget_class(ft) == H5T_STRING && H5Sget_simple_extent_npoints(sp) == 1) {
        htri_t var = H5Tis_variable_str(ft);
        size_t n = H5Tget_size(ft);
        hid_t mt = H5Tcopy(H5T_C_S1);
        /* in the file's character set: HDF5 converts no string between ASCII and UTF-8 (ours are
         * UTF-8), and such a read fails */
        if (mt >= 0 && H5Tset_cset(mt, H5Tget_cset(ft)) < 0) {
            H5Tclose(mt);
            mt = -1;
        }
        if (var > 0 && mt >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0) {
            char *s = NULL;
            if (H5Aread(a, mt, &s) >= 0) {
                snprintf(buf, size, "%s", s ? s : "");
                rc = 0;
            }
            H5free_memory(s);
        } else if (var == 0 && mt >= 0 && n > 0 && n < size && H5Tset_size(mt, n + 1) >= 0) {
            /* a file of an older ccsim: fixed length, read with room for the terminator */
            memset(buf, 0, n + 1);
            rc = H5Aread(a, mt, buf) >= 0 ? 0 : -1;
        }
        if (mt >= 0) H5Tclose(mt);
    }
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    if (a >= 0) H5Aclose(a);
    if (rc) buf[0] = '\0';
    return rc;
}

/* Marks a failure that is not HDF5's. */
static void fail(h5w *w, const char *reason)
{
    if (w->bad) return;
    w->bad = 1;
    snprintf(w->reason, sizeof w->reason, "%s", reason);
}

static hid_t dcpl_untimed(void)
{
    hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
    if (plist >= 0 && H5Pset_obj_track_times(plist, 0) < 0) {
        H5Pclose(plist);
        plist = -1;
    }
    return plist;
}

/* Writes a whole dataset of n elements. HDF5 allocates its type-conversion and background buffers
 * at their default size (1 MB each) and zeroes them on every write, whatever the data's size: a
 * sweep-tolerance run's 122 datasets of 30 values zeroed ~240 MB, half of the whole sweep's CPU
 * time (perf: H5FL_blk_calloc in H5D__write and its page faults). The buffers are sized to the data
 * instead (HDF5 converts in strips if they are smaller: the bytes written are the same). */
static herr_t write_all(hid_t d, hid_t type, size_t n, const void *data)
{
    enum { SMALLEST = 4096, LARGEST = 1 << 20 };                          /* LARGEST: HDF5's own default */
    size_t elem = H5Tget_size(type), bytes = n * (elem > 16 ? elem : 16); /* 16: a variable-length element */
    bytes = bytes < SMALLEST ? SMALLEST : bytes > LARGEST ? LARGEST : bytes;
    hid_t xfer = H5Pcreate(H5P_DATASET_XFER);
    herr_t rc = xfer < 0 || elem == 0 || H5Pset_buffer(xfer, bytes, NULL, NULL) < 0
                    ? -1
                    : H5Dwrite(d, type, H5S_ALL, H5S_ALL, xfer, data);
    if (xfer >= 0) H5Pclose(xfer);
    return rc;
}

enum { COMPACT_BYTES = 4096 }; /* datasets up to this size: compact, uncompressed */

static void dataset(h5w *w, hid_t group, const char *name, hid_t type, size_t n, const void *data, const char *units)
{
    if (w->bad) return;
    hsize_t dims[1] = {n}, chunk[1] = {n < 8760 ? (n ? n : 1) : 8760};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t plist = dcpl_untimed();
    hid_t d = -1;
    /* A small dataset is kept in its object header (compact layout), uncompressed: deflating a few
     * hundred bytes saved nothing, and set up zlib (a 256 KB state, zeroed) and a chunk index for
     * each of the ~120 datasets of a short run: 12% of a sweep run's time (perf, bench-sweep). */
    bool small = n * H5Tget_size(type) <= COMPACT_BYTES;
    if (!ck(w, space < 0 || plist < 0 ||
                   (small ? H5Pset_layout(plist, H5D_COMPACT) < 0
                          : H5Pset_chunk(plist, 1, chunk) < 0 || H5Pset_deflate(plist, 4) < 0)))
        ck(w, (d = H5Dcreate2(group, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT)) < 0);
    if (!w->bad && n > 0) ck(w, write_all(d, type, n, data) < 0);
    if (!w->bad) ck(w, ccs_h5_str_attr(d, "units", units));
    if (d >= 0) ck(w, H5Dclose(d) < 0); /* a chunk may reach the file only here */
    if (plist >= 0) H5Pclose(plist);
    if (space >= 0) H5Sclose(space);
}

/* A scalar attribute of a numeric type: native in memory, stored as HDF5's standard type of the
 * same class and size (H5T_NATIVE_UINT64 as a 64-bit unsigned integer, read back as one). */
static void num_attr_of(h5w *w, hid_t obj, const char *name, hid_t type, const void *value)
{
    if (w->bad) return;
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = space < 0 ? -1 : H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (!ck(w, a < 0)) ck(w, H5Awrite(a, type, value) < 0);
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
}

static void num_attr(h5w *w, hid_t obj, const char *name, double value)
{
    num_attr_of(w, obj, name, H5T_NATIVE_DOUBLE, &value);
}

/* Counts and the seed are integers in the file, so a reader gets 3, not 3.0. */
static void u64_attr(h5w *w, hid_t obj, const char *name, uint64_t value)
{
    num_attr_of(w, obj, name, H5T_NATIVE_UINT64, &value);
}

/* A count the series holds as a double (it adds 1 per request) written as the integer it is:
 * every count is a whole number below 2^53, so the conversion is exact. */
static void count_dataset(h5w *w, hid_t group, const char *name, size_t n, const double *v, const char *units)
{
    if (w->bad) return;
    uint64_t *c = malloc((n ? n : 1) * sizeof *c);
    if (!c) {
        fail(w, "out of memory");
        return;
    }
    for (size_t k = 0; k < n; k++) c[k] = v[k] > 0 ? (uint64_t)llround(v[k]) : 0;
    dataset(w, group, name, H5T_NATIVE_UINT64, n, c, units);
    free(c);
}

static void str_attr(h5w *w, hid_t obj, const char *name, const char *value)
{
    if (!w->bad) ck(w, ccs_h5_str_attr(obj, name, value));
}

static hid_t group(h5w *w, hid_t loc, const char *name)
{
    if (w->bad) return -1;
    hid_t g = ccs_h5_group(loc, name);
    ck(w, g < 0);
    return g;
}

/* The region of each of a job's runs, as a variable-length UTF-8 string dataset. */
static void names_dataset(h5w *w, hid_t g, const char *name, size_t n, const char **names)
{
    if (w->bad) return;
    hid_t st = utf8_type();
    hsize_t dims[1] = {n};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t plist = dcpl_untimed();
    hid_t d = -1;
    if (!ck(w, st < 0 || sp < 0 || plist < 0))
        ck(w, (d = H5Dcreate2(g, name, st, sp, H5P_DEFAULT, plist, H5P_DEFAULT)) < 0);
    if (!w->bad && n) ck(w, write_all(d, st, n, names) < 0);
    if (d >= 0) ck(w, H5Dclose(d) < 0);
    if (plist >= 0) H5Pclose(plist);
    if (sp >= 0) H5Sclose(sp);
    if (st >= 0) H5Tclose(st);
}

/* /jobs/<name>/: one row per run, in release order, and the job's freshness as attributes. */
static void write_job(h5w *w, hid_t jobs, const ccs_run_result *r, size_t i, const char *cost_units)
{
    const ccs_scenario *s = r->scenario;
    const ccs_job_result *j = &r->jobs[i];
    size_t n = j->runs, m = n ? n : 1;
    int64_t *t[4] = {malloc(m * 8), malloc(m * 8), malloc(m * 8), malloc(m * 8)};
    double *v[5] = {malloc(m * 8), malloc(m * 8), malloc(m * 8), malloc(m * 8), malloc(m * 8)};
    uint8_t *missed = malloc(m), *guard = malloc(m), *fallback = malloc(m), *unproven = malloc(m);
    const char **names = malloc(m * sizeof *names);
    if (!t[0] || !t[1] || !t[2] || !t[3] || !v[0] || !v[1] || !v[2] || !v[3] || !v[4] || !missed || !guard ||
        !fallback || !unproven || !names)
        fail(w, "out of memory");
    hid_t g = group(w, jobs, s->jobs[i].name);
    for (size_t k = 0; !w->bad && k < n; k++) {
        const ccs_job_run_record *rec = &j->records[k];
        t[0][k] = rec->release_us / 1000000;
        t[1][k] = rec->start_us / 1000000;
        t[2][k] = rec->end_us / 1000000;
        t[3][k] = rec->deadline_us / 1000000;
        v[0][k] = rec->energy_kwh;
        v[1][k] = rec->carbon_g / 1000.0;
        v[2][k] = rec->cost;
        v[3][k] = rec->forecast_carbon_g / 1000.0;
        v[4][k] = (double)rec->wait_us / CCS_US_PER_HOUR_F;
        missed[k] = (uint8_t)rec->missed;
        guard[k] = (uint8_t)rec->override;
        fallback[k] = (uint8_t)rec->fallback;
        unproven[k] = (uint8_t)rec->unproven;
        names[k] = s->regions[rec->region].name;
    }
    static const char *tu = "seconds since 1970-01-01T00:00:00Z";
    dataset(w, g, "release_utc_s", H5T_NATIVE_INT64, n, t[0], tu);
    dataset(w, g, "start_utc_s", H5T_NATIVE_INT64, n, t[1], tu);
    dataset(w, g, "end_utc_s", H5T_NATIVE_INT64, n, t[2], tu);
    dataset(w, g, "deadline_utc_s", H5T_NATIVE_INT64, n, t[3], tu);
    dataset(w, g, "energy_kwh", H5T_NATIVE_DOUBLE, n, v[0], "kWh from the grid (IT x PUE)");
    dataset(w, g, "carbon_kg", H5T_NATIVE_DOUBLE, n, v[1], "kgCO2e, actual");
    dataset(w, g, "cost", H5T_NATIVE_DOUBLE, n, v[2], cost_units);
    dataset(w, g, "forecast_carbon_kg", H5T_NATIVE_DOUBLE, n, v[3], "kgCO2e, as the policy expected");
    dataset(w, g, "queue_wait_h", H5T_NATIVE_DOUBLE, n, v[4], "hours waiting for region capacity");
    dataset(w, g, "missed", H5T_NATIVE_UINT8, n, missed, "1: ended after its deadline");
    dataset(w, g, "override", H5T_NATIVE_UINT8, n, guard, "1: started by the deadline guard");
    dataset(w, g, "fallback", H5T_NATIVE_UINT8, n, fallback,
            "1: no plan met the policy's constraint; its fallback ran (the policy's summary says which)");
    dataset(w, g, "unproven", H5T_NATIVE_UINT8, n, unproven,
            "1: a search gave up on its size limit; the plan is the best found, not proven the best");
    names_dataset(w, g, "region", n, names);
    num_attr(w, g, "freshness_mean_h", j->freshness_mean_h);
    num_attr(w, g, "freshness_max_h", j->freshness_max_h);
    u64_attr(w, g, "deadline_misses", j->deadline_misses);
    if (g >= 0) ck(w, H5Gclose(g) < 0);
    for (int k = 0; k < 4; k++) free(t[k]);
    for (int k = 0; k < 5; k++) free(v[k]);
    free(missed);
    free(guard);
    free(fallback);
    free(unproven);
    free(names);
}

/* /services/<name>/: the service's hourly series (series.h), slot i the hour starting at
 * hour_utc_s[i]; the last slot also holds work that drained after the period. */
static void write_service(h5w *w, hid_t services, const ccs_run_result *r, size_t i, const char *cost_units)
{
    const ccs_series *z = &r->services[i].series;
    int64_t *secs = malloc((z->n ? z->n : 1) * sizeof *secs);
    double *mean = malloc((z->n ? z->n : 1) * sizeof *mean);
    if (!secs || !mean) fail(w, "out of memory");
    hid_t g = group(w, services, r->scenario->services[i].name);
    for (size_t k = 0; secs && mean && !w->bad && k < z->n; k++) {
        secs[k] = (z->hour0_us + (int64_t)k * CCS_US_PER_HOUR) / 1000000;
        mean[k] = z->requests[k] > 0 ? z->latency_sum_ms[k] / z->requests[k] : 0.0;
    }
    dataset(w, g, "hour_utc_s", H5T_NATIVE_INT64, z->n, secs, "seconds since 1970-01-01T00:00:00Z, start of hour");
    count_dataset(w, g, "requests", z->n, z->requests, "measured requests, by arrival hour");
    dataset(w, g, "mean_latency_ms", H5T_NATIVE_DOUBLE, z->n, mean, "ms, mean over the hour's requests");
    count_dataset(w, g, "slo_misses", z->n, z->slo_misses, "requests slower than slo_p95_ms");
    count_dataset(w, g, "cache_hits", z->n, z->cache_hits, "requests served from the cache");
    dataset(w, g, "it_energy_kwh", H5T_NATIVE_DOUBLE, z->n, z->it_energy_kwh, "kWh at the servers");
    dataset(w, g, "energy_kwh", H5T_NATIVE_DOUBLE, z->n, z->energy_kwh, "kWh from the grid (IT x PUE)");
    dataset(w, g, "carbon_kg", H5T_NATIVE_DOUBLE, z->n, z->carbon_kg, "kgCO2e");
    dataset(w, g, "cost", H5T_NATIVE_DOUBLE, z->n, z->cost, cost_units);
    dataset(w, g, "replica_hours", H5T_NATIVE_DOUBLE, z->n, z->replica_hours,
            "provisioned replica-hours (serving, cold-starting, warm)");
    if (r->services[i].has_llm) { /* LLM requests by arrival hour: tokens, TTFT and TPOT means */
        double *ttft = malloc((z->n ? z->n : 1) * sizeof *ttft), *tpot = malloc((z->n ? z->n : 1) * sizeof *tpot);
        if (!ttft || !tpot) fail(w, "out of memory");
        for (size_t k = 0; ttft && tpot && k < z->n; k++) {
            ttft[k] = z->ttft_requests[k] > 0 ? z->ttft_sum_ms[k] / z->ttft_requests[k] : 0.0;
            tpot[k] = z->tpot_requests[k] > 0 ? z->tpot_sum_ms[k] / z->tpot_requests[k] : 0.0;
        }
        count_dataset(w, g, "output_tokens", z->n, z->output_tokens, "output tokens of measured requests");
        if (ttft) dataset(w, g, "ttft_mean_ms", H5T_NATIVE_DOUBLE, z->n, ttft, "ms, mean time to first token");
        if (tpot) dataset(w, g, "tpot_mean_ms", H5T_NATIVE_DOUBLE, z->n, tpot, "ms, mean time per output token");
        free(ttft);
        free(tpot);
    }
    if (g >= 0) ck(w, H5Gclose(g) < 0);
    free(secs);
    free(mean);
}

/* /regions/<name>/: the region's hours under the policy, and run-now's energy on the same hours. */
static void write_region(h5w *w, hid_t regions, const ccs_run_result *r, size_t i, const char *cost_units,
                         const char *price_units)
{
    const ccs_scenario *s = r->scenario;
    ccs_hourly h, b;
    if (ccs_ledger_hourly(r->ledger, (int)i, &h) != 0 || ccs_ledger_hourly(r->baseline_ledger, (int)i, &b) != 0) {
        fail(w, "out of memory");
        return;
    }
    int64_t *secs = malloc((h.n ? h.n : 1) * sizeof *secs);
    /* The baseline on the policy's hours: its runs may end earlier or later past the horizon. */
    double *be = calloc(h.n ? h.n : 1, sizeof *be);
    if (!secs || !be) fail(w, "out of memory");
    for (size_t k = 0; secs && be && !w->bad && k < h.n; k++) secs[k] = h.hour_us[k] / 1000000;
    for (size_t k = 0; secs && be && !w->bad && k < h.n && k < b.n; k++) be[k] = b.energy_kwh[k];
    hid_t g = group(w, regions, s->regions[i].name);
    dataset(w, g, "hour_utc_s", H5T_NATIVE_INT64, h.n, secs, "seconds since 1970-01-01T00:00:00Z, start of hour");
    dataset(w, g, "energy_kwh", H5T_NATIVE_DOUBLE, h.n, h.energy_kwh, "kWh from the grid (IT x PUE)");
    dataset(w, g, "it_energy_kwh", H5T_NATIVE_DOUBLE, h.n, h.it_energy_kwh, "kWh at the servers");
    dataset(w, g, "baseline_energy_kwh", H5T_NATIVE_DOUBLE, h.n, be,
            "kWh from the grid under run-now on the same streams, on hour_utc_s");
    dataset(w, g, "carbon_kg", H5T_NATIVE_DOUBLE, h.n, h.carbon_kg, "kgCO2e");
    dataset(w, g, "cost", H5T_NATIVE_DOUBLE, h.n, h.cost, cost_units);
    dataset(w, g, "intensity_g_per_kwh", H5T_NATIVE_DOUBLE, h.n, h.intensity,
            "gCO2e/kWh, time-weighted mean over the hour");
    dataset(w, g, "price_per_mwh", H5T_NATIVE_DOUBLE, h.n, h.price, price_units);
    dataset(w, g, "pue", H5T_NATIVE_DOUBLE, h.n, h.pue,
            "the facility's PUE, time-weighted mean over the hour (the region's constant pue without a model)");
    dataset(w, g, "cooling_kwh", H5T_NATIVE_DOUBLE, h.n, h.cooling_kwh,
            "kWh the facility's cooling drew (0 without a cooling model)");
    dataset(w, g, "water_l", H5T_NATIVE_DOUBLE, h.n, h.water_l, "litres of water, on site and off site");
    dataset(w, g, "heat_reused_kwh", H5T_NATIVE_DOUBLE, h.n, h.heat_reused_kwh,
            "kWh of IT heat exported for reuse (not netted from carbon)");
    const ccs_region_queue *q = &r->queues[i];
    if (q->capacity_kw > 0 && !w->bad) { /* aligned with hour_utc_s */
        uint32_t *wait = calloc(h.n ? h.n : 1, sizeof *wait);
        if (!wait)
            fail(w, "out of memory");
        else
            memcpy(wait, q->hourly, (q->nhours < h.n ? q->nhours : h.n) * sizeof *wait);
        dataset(w, g, "queue_waiting_runs", H5T_NATIVE_UINT32, h.n, wait,
                "most runs waiting for capacity at once in the hour");
        free(wait);
    }
    str_attr(w, g, "carbon_trace", r->regions[i].carbon_path);
    str_attr(w, g, "price_source", r->regions[i].price_source);
    if (g >= 0) ck(w, H5Gclose(g) < 0);
    free(secs);
    free(be);
}

int ccs_out_h5_write(const ccs_run_result *r, const char *path, ccs_err *err)
{
    const ccs_scenario *s = r->scenario;
    h5w w = {0};
    hid_t f = ccs_h5_create(path);
    if (f < 0) {
        ccs_h5_reason(w.reason, sizeof w.reason);
        return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot create the HDF5 results: %s", w.reason);
    }
    str_attr(&w, f, "scenario", s->name);
    u64_attr(&w, f, "seed", s->seed); /* unsigned: every seed a scenario accepts, 0 to 2^64 - 1 */
    str_attr(&w, f, "policy", r->policy);
    str_attr(&w, f, "currency", s->currency);
    str_attr(&w, f, "ccsim_version", CCS_VERSION);
    char cost_units[64], price_units[64];
    snprintf(cost_units, sizeof cost_units, "%s", s->currency);
    snprintf(price_units, sizeof price_units, "%s/MWh", s->currency);
    hid_t regions = group(&w, f, "regions");
    for (size_t i = 0; i < s->nregions && !w.bad; i++) write_region(&w, regions, r, i, cost_units, price_units);
    if (regions >= 0) ck(&w, H5Gclose(regions) < 0);
    if (s->nservices) {
        hid_t services = group(&w, f, "services");
        for (size_t i = 0; i < s->nservices && !w.bad; i++) write_service(&w, services, r, i, cost_units);
        if (services >= 0) ck(&w, H5Gclose(services) < 0);
    }
    if (s->njobs) {
        hid_t jobs = group(&w, f, "jobs");
        for (size_t i = 0; i < s->njobs && !w.bad; i++) write_job(&w, jobs, r, i, cost_units);
        if (jobs >= 0) ck(&w, H5Gclose(jobs) < 0);
    }
    if (w.bad)
        H5Fclose(f);
    else if (ccs_h5_save(f, path, w.reason, sizeof w.reason) != 0)
        w.bad = 1;
    if (w.bad) return ccs_err_at(err, CCS_EIO, path, 0, 0, "cannot write the HDF5 results: %s", w.reason);
    return 0;
}
