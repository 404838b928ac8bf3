/* Fuzz harness: the HDF5 trace reader of sim/ccs_trace.c in this process, without the child-
 * process read that guards ccs_trace_load (ccs_trace_unguarded.h). fuzz_trace_h5 fuzzes the
 * public entry, but pays a fork per input (~30 inputs/s under ASan on this VM); this one runs at
 * thousands a second, so a long campaign reaches ccs_trace.c's HDF5 branches (sizes, types,
 * attributes, chunk checks, row checks) millions of times.
 *
 * Here libhdf5 1.10.8 can kill the process on a damaged header (SIGFPE in H5Dopen2, huge
 * memcpy and malloc): that is why the public entry reads in a child first. So campaign.sh runs
 * this harness in libFuzzer's fork mode, carrying on past crashes, and judges each crash input
 * by what matters to users: the public entry (replay_trace_h5) must refuse it with an error, and
 * the crash must be inside libhdf5, not in ccs_trace.c. Same oracles as fuzz_trace_h5. Not
 * replayed by the ordinary suite: its crash inputs crash it by design (fuzz_trace_h5 replays the
 * same corpus through the public entry). */
#include "fuzz_util.h"

#include "ccs_trace_unguarded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_h5_input(data, size, ccs_trace_load_unguarded, "ccs_trace_load_unguarded");
}
