/* Fuzz harness: the scenario loader (sim/run/ccs_scenario.c: YAML, --set overrides, schema, cross-
 * checks and the bundled hardware and model profiles it reads by name). An input is a YAML
 * document, then optionally a line "#--set" and one override per line, as `ccsim run --set` would
 * pass them (a line ending in a backslash goes on with the next, so that an override can hold a
 * newline; a NUL ends an override as it would end an argv string). Oracles: a failure carries a
 * code and a message and returns no scenario; a success has a name, a policy and a period. */
#include "fuzz_util.h"

#include "ccs_scenario.h"

#include <stdlib.h>
#include <string.h>

#define SEPARATOR     "#--set\n"
#define MAX_OVERRIDES 64

/* Where the override section starts: after a line that is exactly "#--set", or NULL. */
static const uint8_t *find_separator(const uint8_t *data, size_t size, size_t *yaml_len)
{
    size_t n = strlen(SEPARATOR);
    for (size_t i = 0; i + n <= size; i++) {
        if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, SEPARATOR, n) == 0) {
            *yaml_len = i;
            return data + i + n;
        }
    }
    *yaml_len = size;
    return NULL;
}

/* Splits the override section into malloc'd strings; returns how many. */
static size_t split_overrides(const uint8_t *p, const uint8_t *end, char **out)
{
    size_t n = 0;
    while (p < end && n < MAX_OVERRIDES) {
        char *s = malloc((size_t)(end - p) + 1);
        if (!s) fuzz_fail("out of memory");
        size_t len = 0;
        while (p < end) {
            if (*p == '\n' && !(len > 0 && s[len - 1] == '\\')) {
                p++;
                break;
            }
            if (*p == '\n') len--; /* drop the backslash, keep the newline */
            s[len++] = (char)*p++;
        }
        s[len] = '\0';
        char *exact = strdup(s); /* sized to its text, so that the sanitizers see overreads */
        free(s);
        if (!exact) fuzz_fail("out of memory");
        out[n++] = exact;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t yaml_len;
    const uint8_t *sets = find_separator(data, size, &yaml_len);
    char *overrides[MAX_OVERRIDES];
    size_t noverrides = sets ? split_overrides(sets, data + size, overrides) : 0;
    const char *path = fuzz_write_file("scenario.yaml", data, yaml_len);
    ccs_scenario *s = NULL;
    ccs_err err = {0};
    int rc = ccs_scenario_load(path, overrides, noverrides, &s, &err);
    if (rc) {
        fuzz_check_error(rc, err.msg, "ccs_scenario_load");
        if (s) fuzz_fail("a failed load returned a scenario");
    } else {
        if (!s) fuzz_fail("a successful load returned no scenario");
        if (!s->name || !s->policy.name || !s->currency) fuzz_fail("a scenario with no name, policy or currency");
        if (s->end_us <= s->start_us || s->duration_us != s->end_us - s->start_us)
            fuzz_fail("a period from %lld to %lld lasting %lld us", (long long)s->start_us, (long long)s->end_us,
                      (long long)s->duration_us);
        if (s->nlabels != noverrides) fuzz_fail("%zu override labels for %zu overrides", s->nlabels, noverrides);
        ccs_scenario_destroy(s);
    }
    for (size_t i = 0; i < noverrides; i++) free(overrides[i]);
    return 0;
}
