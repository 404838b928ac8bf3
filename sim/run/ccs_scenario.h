/* A scenario: the period, seed and currency of a run, its regions (grid traces, PUE, capacity),
 * hardware profiles, interactive services, deferrable jobs and the policy. Loaded from YAML,
 * overridden with --set, validated (types, ranges, references between sections) and then plain
 * read-only data for the models. Strings NULL mean "the default" where a default exists. */
#ifndef CCS_SCENARIO_H
#define CCS_SCENARIO_H

#include "ccs_err.h"
#include "ccs_schema.h"
#include "job.h"
#include "ledger.h"
#include "policy.h"
#include "profiles.h"
#include "sampled.h"
#include "service.h"

#include <stddef.h>
#include <stdint.h>

/* A non-negotiable (constraints: [...]), enforced where the simulator can and always reported:
 * a service's P95 (its change against run-now on the same arrivals, a fraction; or a ceiling in
 * ms), or the regions a service or a job may use (a job's moves are kept inside them). */
typedef struct ccs_constraint_cfg {
    ccs_src_pos pos;
    char *service, *job;   /* exactly one */
    double p95_change_max; /* < 0: none */
    double p95_max_ms;     /* 0: none */
    char **regions;        /* none: no region rule */
    size_t nregions;
} ccs_constraint_cfg;

typedef struct ccs_scenario {
    char *path, *dir; /* the file and its folder */
    char *name;       /* from the file or the file name without .yaml */
    int64_t start_us, end_us;
    int64_t duration_us;
    int64_t warmup_us; /* requests arriving in [start, start + warmup) are not measured */
    int fidelity;      /* CCS_FIDELITY_FULL or _SAMPLED (sampled.h) */
    ccs_sampling_cfg sampling;
    uint64_t seed;
    char *currency;
    ccs_fx *fx; /* stated exchange rates into currency */
    size_t nfx;
    ccs_region_cfg *regions;
    size_t nregions;
    ccs_hardware_cfg *hardware; /* the scenario's own profiles, then those the services named
                                   * from the bundled library (models/hardware/NAME.yaml) */
    size_t nhardware;
    ccs_model_cfg *models; /* likewise: scenario, then models/profiles/NAME.yaml */
    size_t nmodels;
    ccs_service_cfg *services;
    size_t nservices;
    ccs_job_cfg *jobs;
    size_t njobs;
    ccs_policy_cfg policy;
    ccs_transfer_cfg transfer;
    ccs_constraint_cfg *constraints;
    size_t nconstraints;
    char *instance_prices; /* the table of instance prices per cloud region (cloud_prices.h) */
    uint64_t hash;         /* of the file's bytes and the overrides */
    char **labels;         /* "--set '...'" names of the overrides, for messages */
    size_t nlabels;
    char **lib_paths; /* bundled profile files read, kept for the positions that name them */
    size_t nlib_paths;
} ccs_scenario;

/* Loads path, applies the overrides ("a.b=v", kept alive by the caller for the scenario's life),
 * validates. On error returns non-zero, err filled, *out NULL. */
int ccs_scenario_load(const char *path, char *const *overrides, size_t noverrides, ccs_scenario **out, ccs_err *err);
void ccs_scenario_destroy(ccs_scenario *s);

const ccs_region_cfg *ccs_scenario_region(const ccs_scenario *s, const char *name);
int ccs_scenario_region_index(const ccs_scenario *s, const char *name); /* -1: none */
/* Whether constraint c lists region among those allowed. */
int ccs_constraint_allows(const ccs_constraint_cfg *c, const char *region);
/* Whether the regions have marginal carbon traces (all of them, or none: checked at load). */
int ccs_scenario_has_marginal(const ccs_scenario *s);
const ccs_hardware_cfg *ccs_scenario_hardware(const ccs_scenario *s, const char *name);
const ccs_model_cfg *ccs_scenario_model(const ccs_scenario *s, const char *name);

/* Where the bundled hardware and model profiles live: $CCSIM_LIBRARY if set, else the
 * data folder's models/ (ccs_data_dir: the install's, or the source tree's). */
const char *ccs_library_dir(void);

#endif
