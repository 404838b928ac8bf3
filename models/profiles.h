/* Hardware and model profiles (docs/model.md 4): what a device draws and costs and how fast it
 * computes, and what a model and each of its variants ask of it. Stated in a scenario or read from
 * the bundled library (models/hardware, models/profiles); plain data once loaded. */
#ifndef CCS_PROFILES_H
#define CCS_PROFILES_H

#include "ccs_schema.h"

#include <stddef.h>

/* The host of a server (CPUs, memory, fans, NICs, switches, power-supply losses): what the
 * accelerators do not draw. Shared by the replicas on the server. */
typedef struct ccs_host_cfg {
    double idle_w, max_w; /* P = idle + (max - idle) u, u the server's busy share */
    double embodied_kg;   /* manufacturing kgCO2e of the host (not its accelerators) */
    double capex;         /* owned: purchase price of the host, scenario currency */
} ccs_host_cfg;

/* Power against utilisation, measured (SPECpower_ssj2008 and the like): util increasing from 0
 * to 1, w the power at each; interpolated linearly between the points. */
typedef struct ccs_power_curve {
    double *util, *w;
    size_t nutil, nw;
} ccs_power_curve;

/* A server: `accelerators` devices (1 for a CPU server or a module), each drawing idle_w to
 * max_w, and a host around them. Figures of one device unless said. */
typedef struct ccs_hardware_cfg {
    ccs_src_pos pos;
    char *name;
    double idle_w, max_w;  /* one device; P(u) = idle + (max - idle) u unless power_curve */
    ccs_power_curve curve; /* nutil 0: linear */
    double memory_bound_w; /* busy power in memory-bound work (LLM decode); 0: max_w */
    long accelerators;     /* devices per server; 0: not given (1) */
    long cores;            /* a CPU server's cores: requests served at once; 0: not a CPU */
    ccs_host_cfg host;
    double price_per_hour; /* instance price; < 0: owned, pay for electricity */
    double capex;          /* owned: purchase price per device, scenario currency; 0: not counted */
    double lifetime_years; /* owned: the years capex is spread over */
    char *currency;        /* what price_per_hour and capex are in; NULL: the scenario's */
    double embodied_kg;    /* manufacturing kgCO2e; 0: not counted */
    double lifetime_h;
    /* For the roofline latency model (docs/model.md 4); 0: not known, and a model profile on this
     * hardware is then an error naming the missing figure. Dense peaks, per precision. */
    double peak_tflops_fp16, peak_tops_int8, peak_tops_int4, peak_tflops_fp8;
    double mem_bw_gb_s;
    /* Between the devices of one server (tensor parallelism): one device's link bandwidth in
     * each direction, GB/s, and the latency of one small collective, us; 0: not stated. And
     * to the host (KV cache swapped out), GB/s per device. */
    double interconnect_gb_s, collective_latency_us, host_link_gb_s;
    double memory_gb; /* the device's memory (accelerator, or the host's for a CPU); 0: not stated,
                       * and models on it are not checked for fit */
} ccs_hardware_cfg;

/* A model profile (docs/model.md 4): the work per item and the weights, per variant. */
/* Weight-only quantisation (W8A16, W4A16: AWQ, GPTQ) stores weights at 8 or 4 bits and
 * computes at fp16: the fp16 peak, with the weight bytes the variant states. */
enum { CCS_PREC_FP16 = 0, CCS_PREC_INT8, CCS_PREC_INT4, CCS_PREC_W8A16, CCS_PREC_W4A16, CCS_PREC_FP8 };
typedef struct ccs_variant_cfg {
    ccs_src_pos pos;
    char *name;
    int precision; /* which hardware peak it runs at */
    double weight_bytes;
    double flop_per_item;     /* 0: the model's */
    double bytes_per_item;    /* 0: the model's */
    double quality_delta;     /* change of the model's quality metric against the reference variant */
    double resident_gb;       /* the weights as held in memory (with quantisation scales); 0: not stated */
    double memory_efficiency; /* the achieved share of the memory bandwidth, (0, 1]: dequantising
                               * kernels read packed weights slower than fp16 ones; default 1 */
    double kv_bytes;          /* an LLM's KV cache: bytes per value (2: fp16, 1: fp8); 0: 2 */
} ccs_variant_cfg;

/* A transformer's shape, for the LLM engine (llm_step.h): parameters 0 when not given. */
typedef struct ccs_llm_arch {
    double parameters;
    long layers, heads, kv_heads, head_dim;
    long context_length; /* the longest prompt + output the model takes */
} ccs_llm_arch;

typedef struct ccs_model_cfg {
    ccs_src_pos pos;
    char *name;
    char *quality_metric; /* what quality is measured in, e.g. "NDCG@10 points" */
    double quality;       /* the reference variant's score on that metric; 0: not stated */
    double flop_per_item, bytes_per_item;
    double overhead_ms;        /* per batch: launch, pre/post-processing */
    double efficiency;         /* achieved share of the peak FLOP/s, (0, 1] */
    double memory_per_item_gb; /* what each item of a batch keeps in memory while served (KV cache,
                                * activations) */
    ccs_llm_arch llm;          /* an LLM's shape: served by continuous batching when its pool says llm */
    ccs_variant_cfg *variants;
    size_t nvariants;
} ccs_model_cfg;

/* The variant called name; NULL: the first. NULL if there is none. */
const ccs_variant_cfg *ccs_model_variant(const ccs_model_cfg *m, const char *name);

/* The hardware's dense peak at the variant's precision, in operations per second (0: not given). */
double ccs_variant_peak_per_s(const ccs_hardware_cfg *hw, const ccs_variant_cfg *v);

extern const char *const ccs_precision_words[]; /* "fp16", "int8", "int4", "w8a16", "w4a16", "fp8", NULL */

/* The schemas of a hardware profile and of a model profile (with its variants). */
extern const ccs_schema ccs_hardware_schema, ccs_model_schema;

/* Owned hardware's amortised capital cost per device-hour, the device's and its share of the
 * host's (0 if rented or not stated). */
double ccs_hardware_capex_per_hour(const ccs_hardware_cfg *h);

/* Embodied carbon per device-hour in kgCO2e: the device's and its share of the host's. */
double ccs_hardware_embodied_per_hour(const ccs_hardware_cfg *h);

/* Devices per server (accelerators, or 1). */
long ccs_hardware_devices(const ccs_hardware_cfg *h);

/* One device's power at utilisation u in [0, 1] (the curve, or the line from idle to max). */
double ccs_hardware_power_at(const ccs_hardware_cfg *h, double u);

/* The whole server with every device at utilisation u: devices x P(u) + the host's idle +
 * (max - idle) u. At u = 1: devices x max_w + the host's max_w. */
double ccs_hardware_server_power_at(const ccs_hardware_cfg *h, double u);
double ccs_hardware_server_max_w(const ccs_hardware_cfg *h);

/* A hardware profile's own rules: max_w >= idle_w; capex with its lifetime, on owned hardware;
 * a power curve from u 0 at idle_w to u 1 at max_w, never falling; memory_bound_w between. */
int ccs_hardware_check(const ccs_hardware_cfg *h, ccs_err *err);

#endif
