/* Where the bundled data is found (ccs_paths): these tests run from the build directory, so the
 * source tree, unless CCSIM_DATA_DIR says otherwise; one answer per process, from any thread.
 * The installed case (found from the executable's location) is tests/install.sh's. Criterion runs
 * each test in its own process, so each sees a first, fresh resolution. */
#include "ccs_paths.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *real_source_dir(void)
{
    static char real[PATH_MAX];
    cr_assert_not_null(realpath(source_dir(), real));
    return real;
}

Test(paths, build_directory_reads_the_source_tree)
{
    unsetenv("CCSIM_DATA_DIR");
    cr_assert_str_eq(ccs_data_dir(), real_source_dir());
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "%s/models", real_source_dir());
    cr_assert_str_eq(ccs_data_path("models"), want);
    /* every name the program opens is there */
    const char *rel[] = {"models", "plots", "scenarios/default.yaml", "traces/cloud/instance-prices.csv"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++)
        cr_assert_eq(access(ccs_data_path(rel[i]), R_OK), 0, "%s not readable", ccs_data_path(rel[i]));
}

Test(paths, environment_wins)
{
    const char *dir = tmp_folder();
    char real[PATH_MAX];
    cr_assert_not_null(realpath(dir, real));
    setenv("CCSIM_DATA_DIR", dir, 1);
    cr_assert_str_eq(ccs_data_dir(), real);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "%s/plots", real);
    cr_assert_str_eq(ccs_data_path("plots"), want);
    /* computed once: a later change of the environment does not move it under a running sweep */
    setenv("CCSIM_DATA_DIR", "/", 1);
    cr_assert_str_eq(ccs_data_dir(), real);
}

Test(paths, empty_environment_is_unset)
{
    setenv("CCSIM_DATA_DIR", "", 1);
    cr_assert_str_eq(ccs_data_dir(), real_source_dir());
}

static void *ask(void *arg)
{
    (void)arg;
    return (void *)ccs_data_path("plots");
}

Test(paths, threads_share_one_answer)
{
    unsetenv("CCSIM_DATA_DIR");
    pthread_t t[8];
    void *got[8];
    for (int i = 0; i < 8; i++) cr_assert_eq(pthread_create(&t[i], NULL, ask, NULL), 0);
    for (int i = 0; i < 8; i++) cr_assert_eq(pthread_join(t[i], &got[i]), 0);
    for (int i = 1; i < 8; i++) cr_assert_eq(got[i], got[0]);
    cr_assert_eq(got[0], (void *)ccs_data_path("plots"));
}
