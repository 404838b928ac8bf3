/* results.h5: hourly series per region of the policy's run (README "Output reference"). */
#ifndef CCS_OUT_H5_H
#define CCS_OUT_H5_H

#include "ccs_err.h"
#include "run.h"

int ccs_out_h5_write(ccs_run_result *r, const char *path, ccs_err *err);

#endif
