/* The data folder, resolved at run time (ccs_paths.h says in which order). Computed once under
 * pthread_once and read-only afterwards, so sweep workers (threads or forked processes) share it
 * without a lock. Linux only for the executable's location: elsewhere an installed binary needs
 * $CCSIM_DATA_DIR. */
#include "ccs_paths.h"

#include "ccs_config.h"

#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the program opens by name; ccs_data_path's answers, filled with the folder. The meson
 * install rules install these (and what the bundled scenarios name) under the same layout. */
static const char *const data_rel[] = {"models", "plots", "scenarios/default.yaml", "traces/cloud/instance-prices.csv"};
enum { NREL = sizeof data_rel / sizeof data_rel[0] };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char data_dir[PATH_MAX];
static char data_path[NREL][PATH_MAX + 64];

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* path, made canonical when it exists, into data_dir. */
static void set_dir(const char *path)
{
    char real[PATH_MAX];
    snprintf(data_dir, sizeof data_dir, "%s", realpath(path, real) ? real : path);
}

/* 1 if path is dir or below it (both canonical). */
static int is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* The folder the installed data would be in, from the executable's location; 0 if found. */
static int installed_dir(char *out, size_t size, int *in_build)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = '\0';
    char build[PATH_MAX];
    *in_build = realpath(CCS_BUILD_DIR, build) && is_under(exe, build);
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0';
    /* CCS_DATA_FROM_BIN is absolute when bindir or datadir was configured outside the prefix:
     * such an install does not move. */
    if (CCS_DATA_FROM_BIN[0] == '/')
        snprintf(out, size, "%s", CCS_DATA_FROM_BIN);
    else
        snprintf(out, size, "%s/%s", exe, CCS_DATA_FROM_BIN);
    return 0;
}

static void resolve(void)
{
    const char *env = getenv("CCSIM_DATA_DIR");
    char dir[PATH_MAX + 8];
    int in_build = 0;
    if (env && *env)
        set_dir(env);
    else if (installed_dir(dir, sizeof dir, &in_build) == 0 && !in_build && is_dir(dir))
        set_dir(dir);
    else
        set_dir(CCS_SOURCE_DIR);
    for (size_t i = 0; i < NREL; i++) snprintf(data_path[i], sizeof data_path[i], "%s/%s", data_dir, data_rel[i]);
}

const char *ccs_data_dir(void)
{
    pthread_once(&once, resolve);
    return data_dir;
}

const char *ccs_data_path(const char *rel)
{
    pthread_once(&once, resolve);
    for (size_t i = 0; i < NREL; i++)
        if (strcmp(rel, data_rel[i]) == 0) return data_path[i];
    assert(!"ccs_data_path: not in data_rel[]");
    return data_dir;
}
