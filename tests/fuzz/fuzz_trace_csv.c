/* Fuzz harness: the trace loader (sim/input/ccs_trace.c) on CSV, JSON and JSON Lines text, with each
 * fill rule (the gap and missing-value paths differ), an area selection, a named column, negative
 * values allowed, a needed kind and currency with a rate, local times in a zone, a strptime format
 * and times relative to an origin.
 * Oracles (fuzz_check_error, fuzz_check_trace): a failure carries a code and a message; a success
 * is a valid series as ccs_trace.h promises. Inputs with the HDF5 signature belong to the HDF5
 * harness and are skipped (-1: kept out of the corpus from libFuzzer 15 on; 14 ignores it). */
#include "fuzz_util.h"

#include "ccs_trace.h"

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
