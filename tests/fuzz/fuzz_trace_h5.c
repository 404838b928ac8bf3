/* Fuzz harness: the trace loader (sim/input/ccs_trace.c) on HDF5 files, through its public entry
 * ccs_trace_load, the path `ccsim run` and `ccsim import` take: the loader reads the file in a
 * child process first (libhdf5 1.10.8 can die on a damaged header), then in this process.
 * Inputs without the HDF5 signature at offset 0 are CSV, the other harness's: skipped (-1 keeps
 * them out of the corpus from libFuzzer 15 on; 14 ignores it).
 *
 * Why the public entry rather than the in-process reader behind the child:
 * - libhdf5 comes from Debian, uninstrumented: libFuzzer sees no coverage inside it either way,
 *   only ccs_trace.c's own branches, which both ways reach (the in-process read runs whenever
 *   the child came through, and its coverage counts);
 * - in-process, every libhdf5 death on a damaged header (SIGFPE, 4 GiB memcpy, 4 GiB mallocs:
 *   all met in the first minutes) would stop the campaign on a crash that is not ours, hiding our
 *   own bugs behind it; through the public entry it must be an error naming the file, which is
 *   the promise to users and the thing to test.
 * The cost is a fork per input: about 15 ms on this VM under ASan, so 10-60 inputs a second
 * against hundreds for the CSV harnesses. A child that dies (in libhdf5, on libFuzzer's malloc
 * limit, or with a sanitizer report from libhdf5's memcpy) prints its report, and libFuzzer in
 * the child may write an artifact; the harness itself carries on, which is what counts:
 * campaign.sh files those inputs under child-deaths/ when the run completes.
 * Oracles as for CSV traces (fuzz_check_error, fuzz_check_trace). */
#include "fuzz_util.h"

#include "ccs_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_h5_input(data, size, ccs_trace_load, "ccs_trace_load");
}
