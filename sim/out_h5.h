/* results.h5: hourly series per region of the policy's run (README "Output reference"). */
#ifndef CCS_OUT_H5_H
#define CCS_OUT_H5_H

#include "ccs_err.h"
#include "run.h"

#include <hdf5.h>

int ccs_out_h5_write(ccs_run_result *r, const char *path, ccs_err *err);

/* A UTF-8 string attribute on a file, group or dataset; non-zero on failure. */
int ccs_h5_str_attr(hid_t obj, const char *name, const char *value);

#endif
