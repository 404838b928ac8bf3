/* For the HDF5 fuzz harness only: the trace loader without its guard. ccs_trace_load reads an
 * HDF5 file in a child process first, because libhdf5 1.10.8 itself can die on a damaged header;
 * that fork is most of the cost of fuzzing the public entry (about 30 inputs a second under
 * ASan). This entry reads in the calling process, so a fuzzer can reach ccs_trace.c's own
 * HDF5 code thousands of times a second; a damaged header may kill the caller. Never for
 * files a user gave. */
#ifndef CCS_TRACE_UNGUARDED_H
#define CCS_TRACE_UNGUARDED_H

#include "ccs_trace.h"

/* ccs_trace_load, without the child-process read of HDF5 files. */
int ccs_trace_load_unguarded(const char *path, const ccs_trace_opts *opts, ccs_trace **out, ccs_err *err);

#endif
