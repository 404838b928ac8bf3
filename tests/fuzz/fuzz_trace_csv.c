/* Fuzz harness: the trace loader (sim/input/ccs_trace.c) on CSV, JSON and JSON Lines text, with each
 * fill rule (the gap and missing-value paths differ), an area selection, a named column, negative
 * values allowed, a needed kind and currency with a rate, local times in a zone, a strptime format
 * and times relative to an origin.
 * Oracles (fuzz_check_error, fuzz_check_trace): a failure carries a code and a message; a success
 * is a valid series as ccs_trace.h promises; and it is what parsing from the path gives (a file
 * too large to hold is parsed so), the same trace or the same message. Inputs with the HDF5
 * signature belong to the HDF5 harness and are skipped (-1: kept out of the corpus from libFuzzer
 * 15 on; 14 ignores it). */
#include "fuzz_util.h"

#include "ccs_trace.h"
#include "ccs_trace_unguarded.h"

#include <string.h>

static int same_text(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

/* The oracle of the two ways in: the load from memory (rc, msg, t) is what parsing the path gives
 * (ccs_trace_set_hold_limit 0): the same outcome, message, series and attributes. */
static void same_from_the_path(const char *path, const ccs_trace_opts *o, int rc, const char *msg, const ccs_trace *t)
{
    ccs_trace *p;
    ccs_err err = {0};
    size_t before = ccs_trace_set_hold_limit(0);
    int rp = ccs_trace_load(path, o, &p, &err);
    ccs_trace_set_hold_limit(before);
    if (rp != rc || (rc && strcmp(msg, err.msg) != 0))
        fuzz_fail("from memory %d (%s), from the path %d (%s)", rc, msg, rp, err.msg);
    if (rc) return;
    size_t n = ccs_trace_len(t);
    if (ccs_trace_len(p) != n || memcmp(ccs_trace_times(t), ccs_trace_times(p), n * sizeof(int64_t)) != 0 ||
        memcmp(ccs_trace_values(t), ccs_trace_values(p), n * sizeof(double)) != 0 ||
        ccs_trace_step_us(t) != ccs_trace_step_us(p) || !same_text(ccs_trace_units(t), ccs_trace_units(p)) ||
        !same_text(ccs_trace_kind(t), ccs_trace_kind(p)) || !same_text(ccs_trace_format(t), ccs_trace_format(p)) ||
        !same_text(ccs_trace_column(t), ccs_trace_column(p)) || !same_text(ccs_trace_note(t), ccs_trace_note(p)))
        fuzz_fail("a trace from memory differs from the one parsed from the path");
    ccs_trace_destroy(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_is_hdf5(data, size)) return -1;
    const char *path = fuzz_write_file("trace.csv", data, size);
    static const ccs_fx eur = {.from = "EUR", .rate = 1.08, .date = "2023-12-29", .source = "ECB"};
    const ccs_trace_opts opts[] = {
        {.fill = CCS_FILL_NONE},
        {.fill = CCS_FILL_PREVIOUS, .allow_negative = true},
        {.fill = CCS_FILL_LINEAR},
        {.fill = CCS_FILL_NONE, .select = "DK1"},
        {.fill = CCS_FILL_NONE,
         .column = "Carbon Intensity gCO\xe2\x82\x82"
                   "eq/kWh (direct)"},
        {.fill = CCS_FILL_PREVIOUS, .kind = "price", .currency = "USD", .allow_negative = true, .fx = &eur, .nfx = 1},
        {.fill = CCS_FILL_NONE, .kind = "carbon_intensity", .stamp = {.timezone = "Europe/Berlin"}},
        {.fill = CCS_FILL_LINEAR, .stamp = {.format = "%d/%m/%Y %H:%M", .has_origin = true, .origin_us = 0}},
    };
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        ccs_trace *t;
        ccs_err err = {0};
        int rc = ccs_trace_load(path, &opts[k], &t, &err);
        same_from_the_path(path, &opts[k], rc, err.msg, t);
        if (rc) {
            fuzz_check_error(rc, err.msg, "ccs_trace_load");
            if (t) fuzz_fail("a failed load returned a trace");
            continue;
        }
        fuzz_check_trace(t, &opts[k]);
        ccs_trace_destroy(t);
    }
    return 0;
}
