/* Time series of a grid or traffic signal (carbon intensity, price, request counts), read from
 * CSV or HDF5 and validated: timestamps strictly increasing, no gaps longer than the nominal
 * step, finite values, no negatives where they make no sense. A value stamped t holds for
 * [t, next stamp), and the last one for one nominal step. Bad input is an error naming the file
 * and line (CSV) or row (HDF5), unless the caller asks for a fill rule. */
#ifndef CCS_TRACE_H
#define CCS_TRACE_H

#include "ccs_err.h"
#include "ccs_schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { CCS_FILL_NONE = 0, CCS_FILL_PREVIOUS, CCS_FILL_LINEAR } ccs_fill_rule;

typedef struct ccs_trace_opts {
    ccs_fill_rule fill;  /* what to do with gaps and missing/NaN values; NONE: they are errors */
    bool allow_negative; /* prices can be negative; intensities and counts cannot */
    const char *column;  /* value column to read, NULL for the format's default */
    const char *select;  /* files of several areas (Ember, Energinet): the rows to keep, e.g. "DK1" */
} ccs_trace_opts;

/* A trace named by a scenario: a file, the column to read and the rows to keep. */
typedef struct ccs_trace_ref {
    char *file;   /* CSV or HDF5, relative to the scenario's folder */
    char *column; /* value column; NULL: the format's default */
    char *select; /* files of several areas: the area or country to keep (DK1, DEU) */
    ccs_fill_rule fill;
} ccs_trace_ref;

typedef struct ccs_trace ccs_trace;

/* Loads a CSV (by content of its header) or an HDF5 file written by ccs_trace_save_h5 (by the
 * HDF5 signature). On error returns non-zero with err filled and *out NULL. */
int ccs_trace_load(const char *path, const ccs_trace_opts *opts, ccs_trace **out, ccs_err *err);

/* Writes a chunked, deflate-compressed HDF5 file with datasets /timestamp_us and /value and
 * attributes units, kind, source, format. Written under a temporary name, then renamed. */
int ccs_trace_save_h5(const ccs_trace *t, const char *path, const char *source, ccs_err *err);

void ccs_trace_destroy(ccs_trace *t);

size_t ccs_trace_len(const ccs_trace *t);
const int64_t *ccs_trace_times(const ccs_trace *t); /* epoch microseconds, UTC */
const double *ccs_trace_values(const ccs_trace *t);
int64_t ccs_trace_step_us(const ccs_trace *t); /* nominal step: the most common interval */
int64_t ccs_trace_start_us(const ccs_trace *t);
int64_t ccs_trace_end_us(const ccs_trace *t);     /* last stamp + nominal step */
const char *ccs_trace_units(const ccs_trace *t);  /* e.g. "gCO2e/kWh", "USD/MWh" */
const char *ccs_trace_kind(const ccs_trace *t);   /* "carbon_intensity", "price", "traffic", "" */
const char *ccs_trace_format(const ccs_trace *t); /* the CSV form detected, or "hdf5" */
const char *ccs_trace_column(const ccs_trace *t); /* the value column that was read */
const char *ccs_trace_path(const ccs_trace *t);

/* Index i with times[i] <= t < times[i+1] (or < end for the last), -1 outside the trace.
 * *hint is a cursor from the previous call (start it at 0): forward-moving queries are O(1). */
long ccs_trace_index_at(const ccs_trace *t, int64_t t_us, size_t *hint);

/* The schema of a trace reference in a scenario: a path, or {file, column, fill, select}. */
extern const ccs_schema ccs_trace_ref_schema;

#endif
