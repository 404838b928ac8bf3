/* results.h5: hourly series per region of the policy's run (docs/outputs.md lists every object),
 * and the HDF5 helpers the sweep's assembled file shares with it. */
#ifndef CCS_OUT_H5_H
#define CCS_OUT_H5_H

#include "ccs_err.h"
#include "run.h"

#include <hdf5.h>

int ccs_out_h5_write(const ccs_run_result *r, const char *path, ccs_err *err);

/* A scalar string attribute on a file, group or dataset, variable-length UTF-8 (h5py reads it as
 * str); non-zero on failure. */
int ccs_h5_str_attr(hid_t obj, const char *name, const char *value);
/* Reads a scalar string attribute, variable-length or fixed-length (a file of an older ccsim), into
 * buf; -1, buf "", when it is missing, not a string or longer than size - 1. */
int ccs_h5_read_str_attr(hid_t obj, const char *name, char *buf, size_t size);

/* A new file in memory (label names it in HDF5's messages) and a new group, neither recording a
 * creation or modification time, so that the same content gives the same bytes. -1 on failure. */
hid_t ccs_h5_create(const char *label);
hid_t ccs_h5_group(hid_t loc, const char *name);
/* Closes f, a file of ccs_h5_create, and writes its bytes to path under a temporary name, renamed
 * when complete. 0, or -1 with why in reason ("No space left on device"). */
int ccs_h5_save(hid_t f, const char *path, char *reason, size_t size);

/* Why the last HDF5 call failed, read from its error stack (the system's reason, e.g. "No space
 * left on device", when a write failed); call it before any other HDF5 call. */
void ccs_h5_reason(char *buf, size_t size);

#endif
