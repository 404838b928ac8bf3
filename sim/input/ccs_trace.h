/* Time series of a grid or traffic signal (carbon intensity, price, request counts), read from
 * CSV or HDF5 and validated: timestamps strictly increasing, no gaps longer than the nominal
 * step, finite values, no negatives where they make no sense. A value stamped t holds for
 * [t, next stamp), and the last one for one nominal step. Bad input is an error naming the file
 * and line (CSV) or row (HDF5), unless the caller asks for a fill rule. */
#ifndef CCS_TRACE_H
#define CCS_TRACE_H

#include "ccs_err.h"
#include "ccs_schema.h"
#include "ccs_stamp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { CCS_FILL_NONE = 0, CCS_FILL_PREVIOUS, CCS_FILL_LINEAR } ccs_fill_rule;

/* A stated exchange rate: 1 `from` is worth `rate` of the scenario's currency, as published on
 * `date` by `source`. Prices in `from` are converted with it, and every output says so. */
typedef struct ccs_fx {
    char *from; /* ISO 4217 code */
    double rate;
    char *date, *source;
    ccs_src_pos pos;
} ccs_fx;

/* Loads with equal options (and equal file bytes) share one trace: a field added here, to ccs_fx or
 * to ccs_stamp_opts must be added to the key that compares them (ccs_trace.c, opts_key). */
typedef struct ccs_trace_opts {
    ccs_fill_rule fill;      /* what to do with gaps and missing/NaN values; NONE: they are errors */
    bool allow_negative;     /* prices can be negative; intensities and counts cannot */
    const char *column;      /* value column (a JSON key) to read, NULL for the format's default */
    const char *select;      /* files of several areas (Ember, Energinet): the rows to keep, e.g. "DK1" */
    const char *time_column; /* time column (JSON key), NULL: the first one ccsim knows */
    ccs_stamp_opts stamp;    /* how times are written, when not as the format says */
    int64_t bin_us;          /* one row per request (LLM traces): counted per this; 0: a minute */
    /* What the caller needs: the kind ("carbon_intensity", "price", "traffic", "temperature",
     * "humidity"; NULL: any), declared units for a file that does not state them (or states
     * them wrongly), and for prices the currency, with the rates that convert others to it. A
     * trace of another kind, units ccsim does not know, or another currency without a rate are
     * errors; known units are converted to the kind's canonical ones (ccs_quantity.h). */
    const char *kind;
    const char *units;
    const char *currency;
    const ccs_fx *fx;
    size_t nfx;
} ccs_trace_opts;

/* A trace named by a scenario: a file (with how to read it) or a constant value. */
typedef struct ccs_trace_ref {
    char *file;   /* CSV, JSON or HDF5, relative to the scenario's folder */
    double value; /* a constant (an annual factor), NAN unless given instead of a file */
    char *column; /* value column; NULL: the format's default */
    char *select; /* files of several areas: the area or country to keep (DK1, DEU) */
    char *units;  /* declared units */
    char *time_column, *time_format, *timezone;
    int64_t origin_us; /* relative times: seconds after this instant; INT64_MIN: none */
    int time_unit;     /* relative times in s, ms or us (0, 1, 2) */
    ccs_fill_rule fill;
    ccs_src_pos pos; /* file NULL: the scenario does not have this key */
} ccs_trace_ref;

typedef struct ccs_trace ccs_trace;

/* Loads a CSV (by content of its header) or an HDF5 file written by ccs_trace_save_h5 (by the
 * HDF5 signature). On error returns non-zero with err filled and *out NULL. A load of the same
 * path with the same options and the same file bytes as an earlier one may return the same trace,
 * shared (a sweep reads the same files run after run): every load is matched by one
 * ccs_trace_destroy, and a trace never changes. Thread-safe. */
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
/* What was assumed or converted to reach the canonical units ("converted from lbs/MWh x 0.4536",
 * "converted from EUR at 1.0866 USD per EUR (ECB, 2023-12-29)"); "" if nothing. */
const char *ccs_trace_note(const ccs_trace *t);

/* A constant trace of value (in opts->units, else the kind's canonical units) over [start, end):
 * an annual average factor stated instead of a series. */
int ccs_trace_constant(double value, const ccs_trace_opts *opts, int64_t start_us, int64_t end_us, ccs_trace **out,
                       ccs_err *err);

/* Whether the scenario gave ref a file or a value. */
bool ccs_trace_ref_set(const ccs_trace_ref *ref);
/* Checks a given ref: a file or a value (not both, not neither), a time zone that exists, no
 * reading options on a value. `what` names it in messages ("regions[de].carbon"). */
int ccs_trace_ref_check(const ccs_trace_ref *ref, const char *what, ccs_err *err);

/* The options that read ref: its column, selection, fill rule, units and time forms. */
ccs_trace_opts ccs_trace_ref_opts(const ccs_trace_ref *ref);

/* Index i with times[i] <= t < times[i+1] (or < end for the last), -1 outside the trace.
 * *hint is a cursor from the previous call (start it at 0): forward-moving queries are O(1). */
long ccs_trace_index_at(const ccs_trace *t, int64_t t_us, size_t *hint);

/* The schema of a trace reference in a scenario: a path, a number, or {file, column, fill,
 * select, units, time_column, time_format, timezone, origin} or {value, units}. */
extern const ccs_schema ccs_trace_ref_schema;
/* The schema of one stated exchange rate: {from, rate, date, source}. */
extern const ccs_schema ccs_fx_schema;

#endif
