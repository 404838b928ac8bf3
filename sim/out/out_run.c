/* See out_run.h. */
#include "out_run.h"

#include "out_h5.h"
#include "out_json.h"

#include <stdio.h>
#include <unistd.h>

static const ccs_run_writer writers[] = {
    {CCS_RUN_WRITER_VERSION, "results.h5",
     "every hour of every region and pool, every job run and the latency histograms (HDF5)", ccs_out_h5_write},
    /* last: the marker of a finished run */
    {CCS_RUN_WRITER_VERSION, "summary.json", "the totals against run-now, per service, job and region (JSON)",
     ccs_out_summary_write},
};
#define NWRITERS (sizeof writers / sizeof writers[0])

const ccs_run_writer *ccs_run_writers(size_t *n)
{
    *n = NWRITERS;
    return writers;
}

int ccs_out_run_into(const ccs_scenario *s, const ccs_run_opts *opts, const char *dir, ccs_run_result **out,
                     ccs_err *err)
{
    *out = NULL;
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, writers[NWRITERS - 1].file);
    unlink(path); /* an earlier run's marker must not stand beside this run's files */
    ccs_run_result *r = NULL;
    int rc = ccs_run_with(s, opts, &r, err);
    for (size_t i = 0; !rc && i < NWRITERS; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, writers[i].file);
        rc = writers[i].write(r, path, err);
    }
    if (rc) {
        ccs_run_result_destroy(r);
        return rc;
    }
    *out = r;
    return 0;
}
