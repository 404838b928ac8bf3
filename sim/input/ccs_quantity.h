/* What a trace's numbers measure, and in which units: the kinds of trace ccsim reads (carbon
 * intensity, electricity price, traffic, temperature, humidity), each with one canonical unit
 * that the models use, and the unit texts exports write (gCO₂eq/kWh, lbs_co2_per_mwh, EUR/MWhe,
 * USD/kWh, °F, ...) with their conversion to it. Knows no file format and no model. */
#ifndef CCS_QUANTITY_H
#define CCS_QUANTITY_H

typedef enum {
    CCS_Q_UNKNOWN = 0,
    CCS_Q_CARBON,      /* gCO2e/kWh */
    CCS_Q_PRICE,       /* CUR/MWh, the currency kept */
    CCS_Q_TRAFFIC,     /* requests per interval */
    CCS_Q_TEMPERATURE, /* degC */
    CCS_Q_HUMIDITY,    /* % relative */
} ccs_qkind;

typedef struct ccs_unit {
    ccs_qkind kind;
    double factor, offset; /* canonical value = value x factor + offset */
    char currency[4];      /* prices: the ISO 4217 code, "" otherwise */
    char canonical[16];    /* the canonical unit's text: "gCO2e/kWh", "USD/MWh", "requests" */
} ccs_unit;

/* Reads a unit text, case and spacing aside. 0 on success; -1 if it is not one ccsim knows
 * (u->kind is then CCS_Q_UNKNOWN). */
int ccs_unit_parse(const char *text, ccs_unit *u);

/* The canonical unit of a kind (currency: for prices), as ccs_unit_parse would give it. */
void ccs_unit_canonical(ccs_qkind kind, const char *currency, ccs_unit *u);

/* "carbon_intensity", "price", "traffic", "temperature", "humidity"; "" for unknown. */
const char *ccs_qkind_name(ccs_qkind k);
/* The kind of one of those names; CCS_Q_UNKNOWN for anything else. */
ccs_qkind ccs_qkind_from_name(const char *name);
/* Words for messages: "a carbon-intensity trace" */
const char *ccs_qkind_phrase(ccs_qkind k);

/* The unit texts understood, for messages. */
#define CCS_UNITS_KNOWN                                                                                            \
    "gCO2e/kWh (also g/kWh, kg/MWh, kg/kWh, t/MWh, lbs/MWh), CUR/MWh (also CUR/kWh, CUR/GWh; CUR a currency code " \
    "such as EUR), requests, degC/degF/K, %"

#endif
