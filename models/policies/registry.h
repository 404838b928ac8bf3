/* The scheduling policies ccsim knows, in the order of --help and of the policy schema's keys: one
 * line each, CCS_POLICY(symbol) for the plug-in `const ccs_policy_type ccs_policy_<symbol>`
 * defined in policies/<symbol>.c. Read by policy.c only; no include guard on purpose (it is
 * included twice). */
CCS_POLICY(run_now)
CCS_POLICY(greenest_window)
CCS_POLICY(cheapest_window)
CCS_POLICY(price_tolerance)
CCS_POLICY(carbon_cap)
CCS_POLICY(threshold)
CCS_POLICY(geo_shift)
