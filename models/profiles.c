/* Hardware and model profiles; see profiles.h. */
#include "profiles.h"

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
