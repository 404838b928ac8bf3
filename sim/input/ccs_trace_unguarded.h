/* For the fuzz harnesses and tests only. The trace loader without its guard: ccs_trace_load reads an
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

/* Also for tests and harnesses: a text trace is read into memory whole and parsed from there, unless
 * it is larger than this many bytes (16 MiB unless set) or not a regular file: then it is parsed
 * from its path. Both ways must give the same trace, or the same message; setting 0 makes every
 * load take the path. Returns the limit before. */
size_t ccs_trace_set_hold_limit(size_t bytes);

#endif
