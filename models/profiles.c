/* Hardware and model profiles; see profiles.h. */
#include "profiles.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

const char *const ccs_precision_words[] = {"fp16", "int8", "int4", "w8a16", "w4a16", "fp8", NULL};

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
                  : v->precision == CCS_PREC_FP8  ? hw->peak_tflops_fp8
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
static const ccs_field host_fields[] = {
    {"idle_w", CCS_F_DOUBLE, offsetof(ccs_host_cfg, idle_w), 1, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the host's idle power in W", NULL},
    {"max_w", CCS_F_DOUBLE, offsetof(ccs_host_cfg, max_w), 1, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the host's power at full load in W", NULL},
    {"embodied_kg", CCS_F_DOUBLE, offsetof(ccs_host_cfg, embodied_kg), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the host's manufacturing emissions in kgCO2e", NULL},
    {"capex", CCS_F_DOUBLE, offsetof(ccs_host_cfg, capex), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the host's purchase price (owned hardware)", NULL},
};
static const ccs_schema host_schema = {
    "host", sizeof(ccs_host_cfg), host_fields, sizeof host_fields / sizeof host_fields[0], CCS_NOPOS, NULL};
static const ccs_field curve_fields[] = {
    {"util", CCS_F_NUMLIST, offsetof(ccs_power_curve, util), 1, 0, 1, NULL, NULL, offsetof(ccs_power_curve, nutil),
     "utilisations from 0 to 1, increasing", NULL},
    {"w", CCS_F_NUMLIST, offsetof(ccs_power_curve, w), 1, 0, 1e7, NULL, NULL, offsetof(ccs_power_curve, nw),
     "the power in W at each utilisation", NULL},
};
static const ccs_schema curve_schema = {"power_curve", sizeof(ccs_power_curve), curve_fields, 2, CCS_NOPOS, NULL};
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
    {"peak_tflops_fp8", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, peak_tflops_fp8), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "dense fp8 peak in TFLOP/s", NULL},
    {"interconnect_gb_s", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, interconnect_gb_s), 0, CCS_AT_LEAST(0), NULL, NULL,
     0, "one device's link to the others of its server (NVLink), GB/s each way", NULL},
    {"collective_latency_us", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, collective_latency_us), 0, CCS_AT_LEAST(0), NULL,
     NULL, 0, "the latency of one small all-reduce across the server's devices, in us", NULL},
    {"host_link_gb_s", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, host_link_gb_s), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "one device's link to the host's memory (PCIe), GB/s each way", NULL},
    {"mem_bw_gb_s", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, mem_bw_gb_s), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "memory bandwidth in GB/s", NULL},
    {"memory_gb", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, memory_gb), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the device's memory in GB (an accelerator's, or the host's for a CPU)", NULL},
    {"power_curve", CCS_F_MAP, offsetof(ccs_hardware_cfg, curve), 0, CCS_NO_RANGE, NULL, &curve_schema, 0,
     "{util: [0, 0.1, ..., 1], w: [...]}", NULL},
    {"memory_bound_w", CCS_F_DOUBLE, offsetof(ccs_hardware_cfg, memory_bound_w), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "the power in W while running memory-bound work such as LLM decode", NULL},
    {"accelerators", CCS_F_INT, offsetof(ccs_hardware_cfg, accelerators), 0, 1, 1024, NULL, NULL, 0,
     "the devices in one server, 1 to 1024", NULL},
    {"cores", CCS_F_INT, offsetof(ccs_hardware_cfg, cores), 0, 1, 65536, NULL, NULL, 0,
     "a CPU server's cores, 1 to 65536", NULL},
    {"host", CCS_F_MAP, offsetof(ccs_hardware_cfg, host), 0, CCS_NO_RANGE, NULL, &host_schema, 0,
     "{idle_w, max_w, embodied_kg, capex}", NULL},
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
     "fp16, int8, int4, w8a16, w4a16 or fp8", NULL},
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
    {"memory_efficiency", CCS_F_DOUBLE, offsetof(ccs_variant_cfg, memory_efficiency), 0, 1e-3, 1.0, NULL, NULL, 0,
     "the achieved share of the memory bandwidth, in (0, 1]", NULL},
    {"kv_bytes", CCS_F_DOUBLE, offsetof(ccs_variant_cfg, kv_bytes), 0, 0.25, 8, NULL, NULL, 0,
     "an LLM's KV cache, bytes per value: 2 (fp16) or 1 (fp8)", NULL},
};
static void variant_defaults(void *p) { ((ccs_variant_cfg *)p)->memory_efficiency = 1.0; }
static const ccs_schema variant_schema = {"model variant",
                                          sizeof(ccs_variant_cfg),
                                          variant_fields,
                                          sizeof variant_fields / sizeof variant_fields[0],
                                          offsetof(ccs_variant_cfg, pos),
                                          variant_defaults};
static const ccs_field llm_arch_fields[] = {
    {"parameters", CCS_F_DOUBLE, offsetof(ccs_llm_arch, parameters), 1, 1e6, 1e14, NULL, NULL, 0,
     "the parameters: 2 x parameters FLOPs per token", NULL},
    {"layers", CCS_F_INT, offsetof(ccs_llm_arch, layers), 1, 1, 10000, NULL, NULL, 0, "transformer layers", NULL},
    {"heads", CCS_F_INT, offsetof(ccs_llm_arch, heads), 1, 1, 10000, NULL, NULL, 0, "attention (query) heads", NULL},
    {"kv_heads", CCS_F_INT, offsetof(ccs_llm_arch, kv_heads), 1, 1, 10000, NULL, NULL, 0,
     "key-value heads (grouped-query attention)", NULL},
    {"head_dim", CCS_F_INT, offsetof(ccs_llm_arch, head_dim), 1, 1, 100000, NULL, NULL, 0, "the size of one head",
     NULL},
    {"context_length", CCS_F_INT, offsetof(ccs_llm_arch, context_length), 1, 1, 1e8, NULL, NULL, 0,
     "the longest prompt + output in tokens", NULL},
};
static const ccs_schema llm_arch_schema = {
    "llm", sizeof(ccs_llm_arch), llm_arch_fields, sizeof llm_arch_fields / sizeof llm_arch_fields[0], CCS_NOPOS, NULL};
static void model_defaults(void *p) { ((ccs_model_cfg *)p)->efficiency = 0.5; }
static const ccs_field model_fields[] = {
    {"name", CCS_F_NAME, offsetof(ccs_model_cfg, name), 1, CCS_NO_RANGE, NULL, NULL, 0, "a name", NULL},
    {"quality_metric", CCS_F_STR, offsetof(ccs_model_cfg, quality_metric), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "what quality_delta is measured in", NULL},
    {"quality", CCS_F_DOUBLE, offsetof(ccs_model_cfg, quality), 0, CCS_NO_RANGE, NULL, NULL, 0,
     "the reference variant's score on quality_metric", NULL},
    {"flop_per_item", CCS_F_DOUBLE, offsetof(ccs_model_cfg, flop_per_item), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "FLOPs per item", NULL},
    {"bytes_per_item", CCS_F_DOUBLE, offsetof(ccs_model_cfg, bytes_per_item), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "bytes moved per item (activations, inputs)", NULL},
    {"overhead_ms", CCS_F_DOUBLE, offsetof(ccs_model_cfg, overhead_ms), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "a fixed time per batch in ms", NULL},
    {"efficiency", CCS_F_DOUBLE, offsetof(ccs_model_cfg, efficiency), 0, 1e-3, 1.0, NULL, NULL, 0,
     "the achieved share of peak FLOP/s, in (0, 1]", NULL},
    {"memory_per_item_gb", CCS_F_DOUBLE, offsetof(ccs_model_cfg, memory_per_item_gb), 0, CCS_AT_LEAST(0), NULL, NULL, 0,
     "what each item of a batch keeps in memory while served (KV cache, activations), GB", NULL},
    {"llm", CCS_F_MAP, offsetof(ccs_model_cfg, llm), 0, CCS_NO_RANGE, NULL, &llm_arch_schema, 0,
     "{parameters, layers, heads, kv_heads, head_dim, context_length}", NULL},
    {"variants", CCS_F_LIST, offsetof(ccs_model_cfg, variants), 1, CCS_NO_RANGE, NULL, &variant_schema,
     offsetof(ccs_model_cfg, nvariants), "a list of variants (fp16, int8, ...)", NULL},
};
const ccs_schema ccs_model_schema = {"model profile",
                                     sizeof(ccs_model_cfg),
                                     model_fields,
                                     sizeof model_fields / sizeof model_fields[0],
                                     offsetof(ccs_model_cfg, pos),
                                     model_defaults};

static int check_curve(const ccs_hardware_cfg *h, ccs_err *err)
{
    const ccs_power_curve *c = &h->curve;
    size_t n = c->nutil;
    if (n != c->nw || n < 2)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s].power_curve: %zu utilisations and %zu powers: expected two or more of "
                          "each, as many of one as of the other",
                          h->name, n, c->nw);
    if (c->util[0] != 0 || c->util[n - 1] != 1)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s].power_curve.util: from %g to %g: expected it to run from 0 to 1", h->name,
                          c->util[0], c->util[n - 1]);
    for (size_t k = 1; k < n; k++) {
        if (c->util[k] <= c->util[k - 1])
            return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                              "hardware[%s].power_curve.util[%zu]: %g after %g: expected increasing utilisations",
                              h->name, k, c->util[k], c->util[k - 1]);
        if (c->w[k] < c->w[k - 1])
            return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                              "hardware[%s].power_curve.w[%zu]: %g W after %g W: expected power that does not fall "
                              "as utilisation rises",
                              h->name, k, c->w[k], c->w[k - 1]);
    }
    /* the curve's ends are the profile's idle_w and max_w, which jobs and reports read */
    if (fabs(c->w[0] - h->idle_w) > 1e-9 * h->max_w || fabs(c->w[n - 1] - h->max_w) > 1e-9 * h->max_w)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s].power_curve: from %g W to %g W, but idle_w is %g and max_w %g: expected the "
                          "curve to start at idle_w and end at max_w",
                          h->name, c->w[0], c->w[n - 1], h->idle_w, h->max_w);
    return 0;
}

int ccs_hardware_check(const ccs_hardware_cfg *h, ccs_err *err)
{
    if (h->max_w < h->idle_w)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s]: max_w is below idle_w: expected max_w >= idle_w", h->name);
    if (h->host.max_w < h->host.idle_w)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s].host: max_w %g is below idle_w %g: expected max_w >= idle_w", h->name,
                          h->host.max_w, h->host.idle_w);
    if (h->memory_bound_w > 0 && (h->memory_bound_w < h->idle_w || h->memory_bound_w > h->max_w))
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s]: memory_bound_w %g is outside idle_w %g to max_w %g: expected a power "
                          "between them",
                          h->name, h->memory_bound_w, h->idle_w, h->max_w);
    if (h->cores > 0 && h->accelerators > 1)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s]: both cores and accelerators %ld: expected cores for a CPU server (served "
                          "by its cores) or accelerators for an accelerated one",
                          h->name, h->accelerators);
    if (h->curve.nutil || h->curve.nw) {
        int rc = check_curve(h, err);
        if (rc) return rc;
    }
    if (h->host.capex > 0 && h->price_per_hour >= 0)
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s]: host.capex with price_per_hour: expected capital cost for owned hardware "
                          "or price_per_hour for rented, not both",
                          h->name);
    if (h->host.capex > 0 && !(h->lifetime_years > 0))
        return ccs_err_at(err, CCS_EINPUT, h->pos.file, h->pos.line, h->pos.col,
                          "hardware[%s]: host.capex without lifetime_years: expected the years it is spread over",
                          h->name);
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
    double capex = h->capex + h->host.capex / (double)ccs_hardware_devices(h);
    if (h->price_per_hour >= 0 || !(capex > 0) || !(h->lifetime_years > 0)) return 0.0;
    return capex / (h->lifetime_years * 8766.0);
}

double ccs_hardware_embodied_per_hour(const ccs_hardware_cfg *h)
{
    return (h->embodied_kg + h->host.embodied_kg / (double)ccs_hardware_devices(h)) / h->lifetime_h;
}

long ccs_hardware_devices(const ccs_hardware_cfg *h) { return h->accelerators > 0 ? h->accelerators : 1; }

double ccs_hardware_power_at(const ccs_hardware_cfg *h, double u)
{
    if (u <= 0) return h->idle_w;
    if (u >= 1) return h->max_w;
    const ccs_power_curve *c = &h->curve;
    if (c->nutil < 2) return h->idle_w + (h->max_w - h->idle_w) * u;
    size_t k = 1;
    while (k < c->nutil - 1 && c->util[k] < u) k++;
    double f = (u - c->util[k - 1]) / (c->util[k] - c->util[k - 1]);
    return c->w[k - 1] + f * (c->w[k] - c->w[k - 1]);
}

double ccs_hardware_server_power_at(const ccs_hardware_cfg *h, double u)
{
    double v = u < 0 ? 0 : u > 1 ? 1 : u;
    return (double)ccs_hardware_devices(h) * ccs_hardware_power_at(h, v) + h->host.idle_w +
           (h->host.max_w - h->host.idle_w) * v;
}

double ccs_hardware_server_max_w(const ccs_hardware_cfg *h) { return ccs_hardware_server_power_at(h, 1.0); }
