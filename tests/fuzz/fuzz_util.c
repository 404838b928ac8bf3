/* The fuzz harnesses' temporary files and oracles; see fuzz_util.h. */
#include "fuzz_util.h"

#include "ccs_err.h"
#include "ccs_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 8

static char folder[4096];
static char paths[MAX_FILES][4200];
static size_t npaths;

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz oracle failed: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static void remove_files(void)
{
    for (size_t i = 0; i < npaths; i++) unlink(paths[i]);
    if (folder[0]) rmdir(folder);
}

static const char *path_of(const char *name)
{
    for (size_t i = 0; i < npaths; i++) {
        const char *slash = strrchr(paths[i], '/');
        if (strcmp(slash + 1, name) == 0) return paths[i];
    }
    if (!folder[0]) {
        /* tmpfs by default: on ext4, a file truncated and written again is flushed to disk at
         * each close (auto_da_alloc), which made the CSV harness five times slower */
        const char *base = getenv("TMPDIR");
        if (!base || !*base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(folder, sizeof folder, "%s/ccsim-fuzz-XXXXXX", base);
        if (!mkdtemp(folder)) fuzz_fail("cannot make a folder %s: %s", folder, strerror(errno));
        atexit(remove_files);
    }
    if (npaths == MAX_FILES) fuzz_fail("more than %d file names", MAX_FILES);
    snprintf(paths[npaths], sizeof paths[npaths], "%s/%s", folder, name);
    return paths[npaths++];
}

const char *fuzz_write_file(const char *name, const void *data, size_t size)
{
    const char *path = path_of(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) fuzz_fail("cannot write %s: %s", path, strerror(errno));
    const char *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fuzz_fail("cannot write %s: %s", path, strerror(errno));
        p += n;
        size -= (size_t)n;
    }
    if (close(fd) != 0) fuzz_fail("cannot write %s: %s", path, strerror(errno));
    return path;
}

void fuzz_check_error(int rc, const char *msg, const char *what)
{
    if (rc != CCS_EINPUT && rc != CCS_EIO && rc != CCS_ERUN)
        fuzz_fail("%s returned %d: expected 0 or an exit code of ccs_err.h", what, rc);
    if (!msg[0]) fuzz_fail("%s failed (%d) with no message", what, rc);
}

int fuzz_is_hdf5(const uint8_t *data, size_t size)
{
    static const uint8_t sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    return size >= sizeof sig && memcmp(data, sig, sizeof sig) == 0;
}

void fuzz_check_trace(const ccs_trace *t, const ccs_trace_opts *o)
{
    size_t n = ccs_trace_len(t);
    const int64_t *ts = ccs_trace_times(t);
    const double *v = ccs_trace_values(t);
    int64_t step = ccs_trace_step_us(t);
    if (n < 2) fuzz_fail("a trace of %zu rows", n);
    if (step <= 0) fuzz_fail("a nominal step of %lld us", (long long)step);
    int negative_ok =
        o->allow_negative || strcmp(ccs_trace_kind(t), "price") == 0 || strcmp(ccs_trace_kind(t), "temperature") == 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) fuzz_fail("value %zu is not finite", i);
        if (v[i] < 0 && !negative_ok) fuzz_fail("value %zu is negative (%g)", i, v[i]);
        if (i && (ts[i] <= ts[i - 1] || ts[i] - ts[i - 1] > step))
            fuzz_fail("stamps %zu and %zu are %lld us apart, the step is %lld", i - 1, i,
                      (long long)(ts[i] - ts[i - 1]), (long long)step);
    }
    if (ccs_trace_end_us(t) != ts[n - 1] + step) fuzz_fail("end is not the last stamp + step");
    size_t hint = 0;
    for (size_t i = 0; i < n; i += 1 + n / 64) {
        if (ccs_trace_index_at(t, ts[i], &hint) != (long)i) fuzz_fail("index_at(stamp %zu)", i);
        size_t cold = 0;
        if (ccs_trace_index_at(t, ts[i], &cold) != (long)i) fuzz_fail("index_at(stamp %zu), cold", i);
    }
    if (ccs_trace_index_at(t, ts[0] - 1, &hint) != -1) fuzz_fail("index_at before the start");
    if (ccs_trace_index_at(t, ccs_trace_end_us(t), &hint) != -1) fuzz_fail("index_at the end");
}

int fuzz_h5_input(const uint8_t *data, size_t size, fuzz_trace_loader load, const char *what)
{
    if (!fuzz_is_hdf5(data, size)) return -1;
    const char *path = fuzz_write_file("trace.h5", data, size);
    const ccs_trace_opts opts = {.fill = CCS_FILL_PREVIOUS};
    ccs_trace *t;
    ccs_err err = {0};
    int rc = load(path, &opts, &t, &err);
    if (rc) {
        fuzz_check_error(rc, err.msg, what);
        if (t) fuzz_fail("a failed load returned a trace");
        return 0;
    }
    fuzz_check_trace(t, &opts);
    ccs_trace_destroy(t);
    return 0;
}
