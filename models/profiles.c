/* Hardware and model profiles; see profiles.h. */
#include "profiles.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

const char *const ccs_precision_words[] = {"fp16", "int8", "int4", NULL};

const ccs_variant_cfg *ccs_model_variant(const ccs_model_cfg *m, const char *name)
{
    if (!name) return m->nvariants ? &m->variants[0] : NULL;
    for (size_t i = 0; i < m->nvariants; i++)
        if (strcmp(m->variants[i].name, name) == 0) return &m->variants[i];
    return NULL;
}

double ccs_variant_peak_per_s(const ccs_hardware_cfg *hw, const ccs_variant_cfg *v)
{
    double tera = v->precision == CCS_PREC_INT8   ? hw->peak_tops_int8
                  : v->precision == CCS_PREC_INT4 ? hw->peak_tops_int4
                                                  : hw->peak_tflops_fp16;
    return tera * 1e12;
}

/* ---- the schemas of hardware and model profiles ---- */
/* ---- hardware ---- */

static void hardware_defaults(void *p)
{
    ccs_hardware_cfg *h = p;
    h->price_per_hour = -1;
    h->lifetime_h = 5 * 8760.0;
}
static const ccs_field hardware_fields[] = {
    {"name", CCS_F_NAME, offsetof(ccs_hardware_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"idle_w", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, idle_w), 1, CCS_AT_LEAST(0), NULL, NULL, 0, "idle power in W",
     NULL},
    {"max_w", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, max_w), 1, CCS_AT_LEAST(0), NULL, NULL, 0,
     "power at full load in W", NULL},
    {"price_per_hour", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, price_per_hour), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "an instance price per hour (leave out for owned hardware)", NULL},
    {"currency", CCS_F_CURRENCY, offsetof(ccs_hardware_cfg, currency), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the currency of price_per_hour and capex, such as USD", NULL},
    {"capex", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, capex), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "a purchase price per device in the scenario's currency (owned hardware)", NULL},
    {"lifetime_years", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, lifetime_years), 0, 0.01, 100, NULL, NULL, 0,
     "the years the purchase price is spread over", NULL},
    {"embodied_kg", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, embodied_kg), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "manufacturing emissions in kgCO2e", NULL},
    {"lifetime_h", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, lifetime_h), 0, CCS_AT_LEAST(1), NULL, NULL, 0,
     "a service life in hours", NULL},
    {"peak_tflops_fp16", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, peak_tflops_fp16), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "dense fp16 peak in TFLOP/s", NULL},
    {"peak_tops_int8", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, peak_tops_int8), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "dense int8 peak in TOP/s", NULL},
    {"peak_tops_int4", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, peak_tops_int4), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "dense int4 peak in TOP/s", NULL},
    {"mem_bw_gb_s", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, mem_bw_gb_s), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "memory bandwidth in GB/s", NULL},
    {"memory_gb", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, memory_gb), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the device's memory in GB (an accelerator's, or the host's for a CPU)", NULL},
};
const ccs_schema ccs_hardware_schema = {"hardware profile",
                                        sizeof(ccs_hardware_cfg),
                                        hardware_fields,
                                        sizeof hardware_fields / sizeof hardware_fields[0],
                                        offsetof(ccs_hardware_cfg, pos),
                                        hardware_defaults};

/* ---- model profiles ---- */
static const ccs_field variant_fields[] = {
    {"name", CCS_F_NAME, offsetof(ccs_variant_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"precision", CCS_F_ENUM, offsetof(ccs_variant_cfg, precision), 0, CCS_NO_RANGE, ccs_precision_words, NULL, 0,
     "fp16, int8 or int4", NULL},
    {"weight_bytes", CCS_F_DOUBLE, offsetof(ccs_variant_cfg, weight_bytes), 1, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the bytes of weights read per batch", NULL},
    {"flop_per_item", CCS_F_DOUBLE, offsetof(ccs_variant_cfg, flop_per_item), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "FLOPs per item (leave out: the model's)", NULL},
    {"bytes_per_item", CCS_F_DOUBLE, offsetof(ccs_variant_cfg, bytes_per_item), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "bytes moved per item (leave out: the model's)", NULL},
    {"resident_gb", CCS_F_DOUBLE, offsetof(ccs_variant_cfg, resident_gb), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the weights as held in memory in GB, quantisation scales included", NULL},
    {"quality_delta", CCS_F_DOUBLE, offsetof(ccs_variant_cfg, quality_delta), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the change of the quality metric against the reference variant", NULL},
};
static const ccs_schema variant_schema = {"model variant",
                                          sizeof(ccs_variant_cfg),
                                          variant_fields,
                                          sizeof variant_fields / sizeof variant_fields[0],
                                          offsetof(ccs_variant_cfg, pos),
                                          NULL};
static void model_defaults(void *p) { ((ccs_model_cfg *)p)->efficiency = 0.5; }
static const ccs_field model_fields[] = {
    {"name", CCS_F_NAME, offsetof(ccs_model_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"quality_metric", CCS_F_STR, offsetof(ccs_model_cfg, quality_metric), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "what quality_delta is measured in", NULL},
    {"quality", CCS_F_DOUBLE, offsetof(ccs_model_cfg, quality), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the reference variant's score on quality_metric", NULL},
    {"flop_per_item", CCS_F_DOUBLE, offsetof(ccs_model_cfg, flop_per_item), 1, CCS_AT_LEAST(0), NULL, NULL, 0,
     "FLOPs per item", NULL},
    {"bytes_per_item", CCS_F_DOUBLE, offsetof(ccs_model_cfg, bytes_per_item), 1, CCS_AT_LEAST(0), NULL, NULL, 0,
     "bytes moved per item (activations, inputs)", NULL},
    {"overhead_ms", CCS_F_DOUBLE, offsetof(ccs_model_cfg, overhead_ms), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "a fixed time per batch in ms", NULL},
    {"efficiency", CCS_F_DOUBLE, offsetof(ccs_model_cfg, efficiency), 0, 1e-3, 1.0, NULL, NULL, 0,
     "the achieved share of peak FLOP/s, in (0, 1]", NULL},
    {"memory_per_item_gb", CCS_F_DOUBLE, offsetof(ccs_model_cfg, memory_per_item_gb), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "what each item of a batch keeps in memory while served (KV cache, activations), GB", NULL},
    {"variants", CCS_F_LIST, offsetof(ccs_model_cfg, variants), 1, CCS_NO_RANGE, NULL, &variant_schema,
     offsetof(ccs_model_cfg, nvariants), "a list of variants (fp16, int8, ...)", NULL},
};
const ccs_schema ccs_model_schema = {"model profile",
                                     sizeof(ccs_model_cfg),
                                     model_fields,
                                     sizeof model_fields / sizeof model_fields[0],
                                     offsetof(ccs_model_cfg, pos),
                                     model_defaults};

int ccs_hardware_check(const ccs_hardware_cfg *h, ccs_err *err)
{
    if (h->max_w < h->idle_w)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s]: max_w is below idle_w: expected max_w >= idle_w", h->name);
    if (h->capex > 0 && h->price_per_hour >= 0)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s]: both capex and price_per_hour given: expected capex for owned hardware or "
                          "price_per_hour for rented, not both",
                          h->name);
    if (h->capex > 0 && !(h->lifetime_years > 0))
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s]: capex without lifetime_years: expected the years it is spread over, such "
                          "as lifetime_years: 5",
                          h->name);
    return 0;
}

/* A year of 365.25 days: straight-line depreciation over calendar years. */
double ccs_hardware_capex_per_hour(const ccs_hardware_cfg *h)
{
    if (h->price_per_hour >= 0 || !(h->capex > 0) || !(h->lifetime_years > 0)) return 0.0;
    return h->capex / (h->lifetime_years * 8766.0);
}
