/* What the fuzz harnesses share. ccsim's loaders read paths, not buffers, so each process writes
 * its current input to a file of its own: one folder under $TMPDIR (else /dev/shm, else /tmp)
 * made at the first input, the same file rewritten for every input, all of it removed when the
 * process exits (a process that crashes leaves its folder behind: a few KB). Adds nothing to the
 * library. */
#ifndef CCS_FUZZ_UTIL_H
#define CCS_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Writes size bytes to <this process's folder>/name and returns the path (static storage, one
 * per distinct name). Aborts if the file cannot be written: fuzzing nothing must not look like
 * fuzzing. */
const char *fuzz_write_file(const char *name, const void *data, size_t size);

/* An oracle failed: prints why and aborts, so that libFuzzer (or the replay) reports the input. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Every failing load must say why: a known code (CCS_EINPUT, CCS_EIO, CCS_ERUN) and a message. */
void fuzz_check_error(int rc, const char *msg, const char *what);

/* A loaded trace is what ccs_trace.h promises: two or more rows, strictly increasing stamps no
 * further apart than the nominal step (gaps are errors or filled), finite values, no negatives
 * unless allowed (or a price), and index lookups that agree with the stamps. */
struct ccs_trace;
struct ccs_trace_opts;
struct ccs_err;
void fuzz_check_trace(const struct ccs_trace *t, const struct ccs_trace_opts *o);

/* The HDF5 file signature at offset 0: what makes ccs_trace_load read a file as HDF5. */
int fuzz_is_hdf5(const uint8_t *data, size_t size);

/* One HDF5 input through a trace loader (ccs_trace_load or the unguarded reader), with fill
 * 'previous' (NaN values and gaps accepted: more inputs get as far as the attributes) and the
 * oracles of fuzz_check_error and fuzz_check_trace. -1 for an input without the HDF5 signature
 * (CSV: the other harness's), else 0. */
typedef int (*fuzz_trace_loader)(const char *path, const struct ccs_trace_opts *opts, struct ccs_trace **out,
                                 struct ccs_err *err);
int fuzz_h5_input(const uint8_t *data, size_t size, fuzz_trace_loader load, const char *what);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
