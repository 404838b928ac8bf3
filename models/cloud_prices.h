/* On-demand instance prices per cloud region and hardware profile, from a sourced and dated
 * table (traces/cloud/instance-prices.csv): what a rented device costs per hour where a scenario's
 * region says which cloud region it is (regions[].cloud_region). */
#ifndef CCS_CLOUD_PRICES_H
#define CCS_CLOUD_PRICES_H

#include "ccs_err.h"

typedef struct ccs_price_table ccs_price_table;

/* Reads the table: a header with at least cloud_region, hardware, devices, on_demand_per_hour,
 * currency, price_date and source; one instance per row. Errors name the file and line. */
int ccs_price_table_load(const char *path, ccs_price_table **out, ccs_err *err);
void ccs_price_table_free(ccs_price_table *t);

/* The on-demand price per device-hour of hardware in cloud_region (the instance's price over its
 * devices), with the row's currency, date and source (valid until free); < 0: not listed. */
double ccs_price_table_per_device(const ccs_price_table *t, const char *cloud_region, const char *hardware,
                                  const char **currency, const char **date, const char **source);

#endif
