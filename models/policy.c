/* The policy registry: every built-in policy, chosen by name. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

static const ccs_policy_type *const registry[] = {
    &ccs_policy_run_now,
};
#define NPOLICIES (sizeof registry / sizeof registry[0])

static const char *names[NPOLICIES + 1];

const ccs_policy_type *ccs_policy_find(const char *name)
{
    for (size_t i = 0; i < NPOLICIES; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const char *const *ccs_policy_names(void)
{
    for (size_t i = 0; i < NPOLICIES; i++) names[i] = registry[i]->name;
    return names;
}

size_t ccs_policy_count(void) { return NPOLICIES; }

void ccs_policy_list(char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < NPOLICIES; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, registry[i]->name, size - strlen(buf) - 1);
    }
}
