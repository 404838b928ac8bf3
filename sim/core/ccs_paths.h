/* Where the bundled data a run reads by itself lives (model profiles, plot templates, the
 * default scenario, the table of instance prices): the one place that knows the installed
 * layout, so that an installed ccsim works from any prefix and any working directory. Files a
 * scenario names are not found here: they are relative to the scenario. Never writes anything. */
#ifndef CCS_PATHS_H
#define CCS_PATHS_H

/* The data folder, found once per process (thread-safe), the first that applies of:
 *   1. $CCSIM_DATA_DIR, if set and not empty;
 *   2. the source tree, when the running executable is inside the build directory (the tests);
 *   3. <bindir>/../<datadir>/ccsim from the executable's own location (/proc/self/exe), if that
 *      folder exists: an install into any prefix, moved or not (meson install --destdir);
 *   4. the source tree, as the last resort (no /proc, or a binary copied away on its own).
 * Never NULL. */
const char *ccs_data_dir(void);

/* ccs_data_dir()/rel for one of the files and folders the program opens by name ("models",
 * "plots", "scenarios/default.yaml", "traces/cloud/instance-prices.csv"); another rel is a
 * programming error (add it to the table of ccs_paths.c). Lives as long as the process. */
const char *ccs_data_path(const char *rel);

#endif
