/* ccsim import: CSV trace -> chunked, compressed HDF5 with units and source as attributes.
 * Never replaces its input: an output that is the input file (by any name) is refused, and the
 * output is written under a temporary name, then renamed (ccs_trace_save_h5). */
#include "ccs_quantity.h"
#include "ccs_time.h"
#include "ccs_trace.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Whether out names the same file as in: the same device and inode, so that "./F", "F" and a
 * symbolic or hard link to F all count. An output that does not exist yet is another file. */
static int same_file(const char *in, const char *out)
{
    struct stat a, b;
    return stat(in, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: ccsim import FILE -o FILE.h5 [--column NAME] [--fill none|previous|linear]\n"
               "                    [--select AREA] [--source TEXT] [--time-column NAME]\n"
               "                    [--time-format FORMAT] [--timezone ZONE] [--origin TIME]\n"
               "                    [--time-unit s|ms|us] [--units UNITS] [--kind KIND] [--step DURATION]\n"
               "\n"
               "Reads a time series (CSV, JSON, JSON Lines) in the forms grid and traffic exports use:\n"
               "Electricity Maps, ENTSO-E (MTU intervals, local CET/CEST or UTC), Ember (prices; monthly\n"
               "CO2 intensity in the long format), Energinet\n"
               "(';', decimal commas), NESO's df_fuel_ckan.csv, WattTime (CSV MOER, v3 JSON), the GB\n"
               "carbon-intensity API and the Carbon Aware SDK (JSON), generic 'timestamp,value', request\n"
               "counts, and one-row-per-request traces (Azure LLM, Splitwise/Vidur, Mooncake JSONL, web\n"
               "server access logs in the Common Log Format),\n"
               "counted per --step (default 1m). Headers are matched case-insensitively; times may be\n"
               "ISO 8601, day-first dates, Unix epoch numbers (s, ms, us, ns) or relative to --origin.\n"
               "Validates the series (order, duplicates, gaps, NaN, negatives), converts known units to\n"
               "ccsim's (lbs/MWh to gCO2e/kWh, CUR/kWh to CUR/MWh, degF to degC) and writes datasets\n"
               "/timestamp_us and /value with units, kind and source attributes.\n"
               "  --column NAME        the value column (a JSON key; intensity.forecast reaches inside)\n"
               "  --time-column NAME   the time column (default: the first one ccsim knows)\n"
               "  --time-format FORMAT a strptime(3) format of the times, e.g. '%%d/%%m/%%Y %%H:%%M'\n"
               "  --timezone ZONE      local times in this zone (Europe/Berlin), daylight saving included\n"
               "  --origin TIME        numeric times count from this ISO 8601 instant (--time-unit)\n"
               "  --units UNITS        the values' units where the file does not say them\n"
               "  --kind KIND          what the file must hold: carbon_intensity, price, traffic,\n"
               "                       temperature or humidity\n"
               "  --select AREA        one area of a file that holds several (Energinet DK1, Ember DEU)\n");
}

int ccs_cli_import(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"column", required_argument, 0, 'c'},
                                         {"fill", required_argument, 0, 'f'},
                                         {"source", required_argument, 0, 's'},
                                         {"select", required_argument, 0, 'a'},
                                         {"time-column", required_argument, 0, 'T'},
                                         {"time-format", required_argument, 0, 'F'},
                                         {"timezone", required_argument, 0, 'z'},
                                         {"origin", required_argument, 0, 'O'},
                                         {"time-unit", required_argument, 0, 'U'},
                                         {"units", required_argument, 0, 'u'},
                                         {"kind", required_argument, 0, 'k'},
                                         {"step", required_argument, 0, 'S'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL, *source = NULL;
    ccs_trace_opts topts = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:c:f:s:a:h", opts, NULL)) != -1) {
        switch (c) {
        case 'T': topts.time_column = optarg; break;
        case 'F': topts.stamp.format = optarg; break;
        case 'u': topts.units = optarg; break;
        case 'z':
            if (!ccs_stamp_zone_ok(optarg)) {
                fprintf(stderr,
                        "ccsim import: --timezone '%s': expected a zone of the system's database, such as "
                        "Europe/Berlin\n",
                        optarg);
                return 2;
            }
            topts.stamp.timezone = optarg;
            break;
        case 'O':
            if (ccs_time_parse(optarg, &topts.stamp.origin_us) != 0) {
                fprintf(stderr,
                        "ccsim import: --origin '%s': expected an ISO 8601 instant such as 2023-11-16T18:15:00Z\n",
                        optarg);
                return 2;
            }
            topts.stamp.has_origin = true;
            break;
        case 'U':
            topts.stamp.unit_us = strcmp(optarg, "s") == 0    ? 1e6
                                  : strcmp(optarg, "ms") == 0 ? 1e3
                                  : strcmp(optarg, "us") == 0 ? 1.0
                                                              : 0;
            if (topts.stamp.unit_us == 0) {
                fprintf(stderr, "ccsim import: --time-unit '%s': expected s, ms or us\n", optarg);
                return 2;
            }
            break;
        case 'k':
            if (ccs_qkind_from_name(optarg) == CCS_Q_UNKNOWN) {
                fprintf(stderr,
                        "ccsim import: --kind '%s': expected carbon_intensity, price, traffic, temperature or "
                        "humidity\n",
                        optarg);
                return 2;
            }
            topts.kind = optarg;
            break;
        case 'S':
            if (ccs_duration_parse(optarg, &topts.bin_us) != 0 || topts.bin_us < CCS_US_PER_S) {
                fprintf(stderr, "ccsim import: --step '%s': expected a duration of at least 1s, such as 1m\n", optarg);
                return 2;
            }
            break;
        case 'o': out = optarg; break;
        case 'c': topts.column = optarg; break;
        case 's': source = optarg; break;
        case 'a': topts.select = optarg; break;
        case 'f':
            if (strcmp(optarg, "none") == 0)
                topts.fill = CCS_FILL_NONE;
            else if (strcmp(optarg, "previous") == 0)
                topts.fill = CCS_FILL_PREVIOUS;
            else if (strcmp(optarg, "linear") == 0)
                topts.fill = CCS_FILL_LINEAR;
            else {
                fprintf(stderr, "ccsim import: --fill '%s': expected none, previous or linear\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1 || !out) {
        usage(stderr);
        return 2;
    }
    if (same_file(argv[optind], out)) {
        fprintf(stderr,
                "ccsim import: -o %s is the input file %s: expected another path for the HDF5 output "
                "(writing it would replace the input)\n",
                out, argv[optind]);
        return 2;
    }
    ccs_err err = {0};
    ccs_trace *t;
    int rc = ccs_trace_load(argv[optind], &topts, &t, &err);
    if (!rc) {
        rc = ccs_trace_save_h5(t, out, source, &err);
        if (!rc)
            printf("%s: %zu rows, step %llds, %s [%s]%s%s -> %s\n", argv[optind], ccs_trace_len(t),
                   (long long)(ccs_trace_step_us(t) / 1000000), ccs_trace_column(t), ccs_trace_units(t),
                   *ccs_trace_note(t) ? ", " : "", ccs_trace_note(t), out);
        ccs_trace_destroy(t);
    }
    if (rc) fprintf(stderr, "ccsim import: %s\n", err.msg);
    return rc;
}
