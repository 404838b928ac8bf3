/* The arrival processes ccsim knows: one line each, CCS_ARRIVALS(symbol) for the plug-in
 * `const ccs_arrivals_type ccs_arrivals_<symbol>` defined in arrivals/<file>.c. Read by arrivals.c
 * only; no include guard on purpose (it is included twice). */
CCS_ARRIVALS(poisson)
CCS_ARRIVALS(trace_counts)
CCS_ARRIVALS(trace_replay)
CCS_ARRIVALS(deterministic)
