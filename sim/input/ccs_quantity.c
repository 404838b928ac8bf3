/* Kinds and units of traces; see ccs_quantity.h. A unit text is first brought to one spelling
 * (lower case, no spaces, the CO₂ label and the "e" of MWhe dropped, "_per_" as "/"), then read
 * as mass/energy, currency/energy or one of the plain words. */
#include "ccs_quantity.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* 1 lb = 453.59237 g exactly (the international pound, 1959) */
#define G_PER_LB 453.59237

static const char *const kind_names[] = {"", "carbon_intensity", "price", "traffic", "temperature", "humidity"};
static const char *const kind_phrases[] = {"a trace of unknown kind",    "a carbon-intensity trace",
                                           "an electricity-price trace", "a traffic (request count) trace",
                                           "a temperature trace",        "a humidity trace"};

const char *ccs_qkind_name(ccs_qkind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "";
}

const char *ccs_qkind_phrase(ccs_qkind k)
{
    return (unsigned)k < sizeof kind_phrases / sizeof kind_phrases[0] ? kind_phrases[k] : kind_phrases[0];
}

ccs_qkind ccs_qkind_from_name(const char *name)
{
    for (size_t i = 1; name && i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(name, kind_names[i]) == 0) return (ccs_qkind)i;
    return CCS_Q_UNKNOWN;
}

void ccs_unit_canonical(ccs_qkind kind, const char *currency, ccs_unit *u)
{
    *u = (ccs_unit){.kind = kind, .factor = 1.0};
    switch (kind) {
    case CCS_Q_CARBON: snprintf(u->canonical, sizeof u->canonical, "gCO2e/kWh"); break;
    case CCS_Q_PRICE:
        snprintf(u->currency, sizeof u->currency, "%.3s", currency ? currency : "");
        snprintf(u->canonical, sizeof u->canonical, "%s/MWh", u->currency);
        break;
    case CCS_Q_TRAFFIC: snprintf(u->canonical, sizeof u->canonical, "requests"); break;
    case CCS_Q_TEMPERATURE: snprintf(u->canonical, sizeof u->canonical, "degC"); break;
    case CCS_Q_HUMIDITY: snprintf(u->canonical, sizeof u->canonical, "%%"); break;
    case CCS_Q_UNKNOWN: break;
    }
}

/* Removes every occurrence of word from s. */
static void drop(char *s, const char *word)
{
    size_t n = strlen(word);
    for (char *p; (p = strstr(s, word)) != NULL;) memmove(p, p + n, strlen(p + n) + 1);
}

/* Replaces every occurrence of from by to, in s of size bytes (to no longer than from). */
static void replace(char *s, size_t size, const char *from, const char *to)
{
    char out[96];
    size_t k = 0, nf = strlen(from), nt = strlen(to);
    for (const char *p = s; *p && k + nt < sizeof out;) {
        if (strncmp(p, from, nf) == 0) {
            memcpy(out + k, to, nt);
            k += nt;
            p += nf;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    snprintf(s, size, "%s", out);
}

/* kWh in one of the energy words, 0 if none */
static double energy_kwh(const char *s)
{
    static const struct {
        const char *w;
        double kwh;
    } e[] = {{"wh", 1e-3}, {"kwh", 1.0}, {"mwh", 1e3}, {"gwh", 1e6}};
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
        if (strcmp(s, e[i].w) == 0) return e[i].kwh;
    return 0;
}

static double mass_g(const char *s)
{
    static const struct {
        const char *w;
        double g;
    } m[] = {{"mg", 1e-3},   {"g", 1.0},       {"kg", 1e3},       {"t", 1e6},
             {"tonne", 1e6}, {"lb", G_PER_LB}, {"lbs", G_PER_LB}, {"pounds", G_PER_LB}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(s, m[i].w) == 0) return m[i].g;
    return 0;
}

int ccs_unit_parse(const char *text, ccs_unit *u)
{
    *u = (ccs_unit){.kind = CCS_Q_UNKNOWN, .factor = 1.0};
    if (!text) return -1;
    char s[96] = "";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && k + 4 < sizeof s; p++) {
        if (p[0] == 0xe2 && p[1] == 0x82 && p[2] == 0x82) { /* U+2082 SUBSCRIPT TWO */
            s[k++] = '2';
            p += 2;
        } else if (p[0] == 0xc2 && p[1] == 0xb0) { /* U+00B0 DEGREE SIGN */
            memcpy(s + k, "deg", 3);
            k += 3;
            p += 1;
        } else if (p[0] == 0xe2 && p[1] == 0x82 && p[2] == 0xac) { /* U+20AC EURO SIGN */
            memcpy(s + k, "eur", 3);
            k += 3;
            p += 2;
        } else if (p[0] == 0xc2 && p[1] == 0xa3) { /* U+00A3 POUND SIGN */
            memcpy(s + k, "gbp", 3);
            k += 3;
            p += 1;
        } else if (*p == '$') {
            memcpy(s + k, "usd", 3);
            k += 3;
        } else if (!isspace(*p)) {
            s[k++] = (char)tolower(*p);
        }
    }
    s[k] = '\0';
    if (k == 0 || strlen(text) >= sizeof s - 8) return -1;
    if (strcmp(s, "requests") == 0 || strcmp(s, "request") == 0 || strcmp(s, "count") == 0 || strcmp(s, "hits") == 0 ||
        strcmp(s, "requests/interval") == 0) {
        ccs_unit_canonical(CCS_Q_TRAFFIC, NULL, u);
        return 0;
    }
    if (strcmp(s, "degc") == 0 || strcmp(s, "c") == 0 || strcmp(s, "celsius") == 0) {
        ccs_unit_canonical(CCS_Q_TEMPERATURE, NULL, u);
        return 0;
    }
    if (strcmp(s, "degf") == 0 || strcmp(s, "f") == 0 || strcmp(s, "fahrenheit") == 0) {
        ccs_unit_canonical(CCS_Q_TEMPERATURE, NULL, u);
        u->factor = 5.0 / 9.0;
        u->offset = -32.0 * 5.0 / 9.0;
        return 0;
    }
    if (strcmp(s, "k") == 0 || strcmp(s, "kelvin") == 0) {
        ccs_unit_canonical(CCS_Q_TEMPERATURE, NULL, u);
        u->offset = -273.15;
        return 0;
    }
    if (strcmp(s, "%") == 0 || strcmp(s, "percent") == 0 || strcmp(s, "%rh") == 0 || strcmp(s, "rh") == 0) {
        ccs_unit_canonical(CCS_Q_HUMIDITY, NULL, u);
        return 0;
    }
    replace(s, sizeof s, "_per_", "/");
    replace(s, sizeof s, "per", "/");
    drop(s, "co2eq");
    drop(s, "co2e");
    drop(s, "co2");
    drop(s, "_");
    replace(s, sizeof s, "mwhe", "mwh"); /* Ember: MWh electric */
    char *slash = strchr(s, '/');
    if (!slash || strchr(slash + 1, '/')) return -1;
    *slash = '\0';
    const char *num = s, *den = slash + 1;
    double kwh = energy_kwh(den);
    if (kwh <= 0) return -1;
    double g = mass_g(num);
    if (g > 0) {
        ccs_unit_canonical(CCS_Q_CARBON, NULL, u);
        u->factor = g / kwh;
        return 0;
    }
    char cur[4] = "";
    if (strlen(num) == 3) snprintf(cur, sizeof cur, "%s", num);
    bool letters = cur[0] != '\0';
    for (int i = 0; i < 3 && letters; i++) {
        letters = isalpha((unsigned char)cur[i]) != 0;
        cur[i] = (char)toupper((unsigned char)cur[i]);
    }
    if (letters) {
        ccs_unit_canonical(CCS_Q_PRICE, cur, u);
        u->factor = 1e3 / kwh; /* per kWh: x1000 per MWh */
        return 0;
    }
    return -1;
}
