/* Test helpers: temporary folders, files, and running the ccsim binary with its output captured.
 * The binary's path comes from the CCSIM_BIN environment variable that meson sets. */
#ifndef CCS_TEST_HELPERS_H
#define CCS_TEST_HELPERS_H

#include <stddef.h>

typedef struct cmd_result {
    int status;      /* exit code, or 128 + signal */
    char out[65536]; /* stdout, cut */
    char err[8192];  /* stderr, cut */
} cmd_result;

/* A fresh folder under $TMPDIR (or /tmp), removed with its contents when the process exits; the
 * path is static storage per call. */
const char *tmp_folder(void);
/* Writes text to dir/name; returns the full path (static storage, one of 8 rotating buffers). */
const char *write_text(const char *dir, const char *name, const char *text);
/* Runs ccsim with args (NULL-terminated), no shell. */
void run_ccsim(cmd_result *r, const char *const *args);
/* Reads a whole file into a malloc'd buffer; *len gets its size. NULL if unreadable. */
char *read_all(const char *path, size_t *len);
/* Runs `ccsim run yaml --no-plot --threads N` for each N of threads (NULL-terminated) into
 * dir/out/tN and asserts that summary.json and results.h5 are the same bytes for every N; returns
 * the summary.json (malloc'd) for further checks. */
char *same_bytes_on_threads(const char *dir, const char *yaml, const char *const *threads);
/* A seeded xorshift64* stream for property tests: a fixed sequence per seed, so that a failing
 * instance can be named and replayed. */
typedef struct test_gen {
    unsigned long long s;
} test_gen;
unsigned long long gen_next(test_gen *g);
double gen_unif(test_gen *g);                  /* [0, 1), 53 bits */
long long gen_below(test_gen *g, long long n); /* [0, n), n > 0 */

/* Instances per property in the planners' property tests (test_plan_props.c, test_slots.c):
 * 10,000 in the ordinary build; under AddressSanitizer, which makes the planners 14-20x slower,
 * 1,000 of the same instances. The sanitizer build checks memory on the same paths, the ordinary
 * build (.ci: build-ci) the numbers over all of them. */
#if defined(__SANITIZE_ADDRESS__)
#define PROPERTY_INSTANCES 1000
#else
#define PROPERTY_INSTANCES 10000
#endif

/* The source tree's root (CCSIM_SOURCE_DIR). */
const char *source_dir(void);

/* A hand-made carbon trace: 100, 200, ... 600 gCO2e/kWh for the hours from
 * 2023-01-01T00:00:00Z. */
extern const char *hourly_trace;

/* Writes hourly_trace as ci.csv and the scenario text into a fresh folder, loads and runs it
 * (asserting success). */
struct ccs_scenario;
struct ccs_run_result;
typedef struct ran {
    struct ccs_scenario *s;
    struct ccs_run_result *r;
} ran;
ran run_text(const char *yaml_text);
void ran_free(ran x);
/* Like run_text, for a scenario that must fail: returns the error code, message in msg. */
int run_text_error(const char *yaml_text, char *msg, size_t size);
/* Asserts that the scenario fails with a message holding needle and naming a file. */
void expect_run_error(const char *yaml_text, const char *needle);

#endif
