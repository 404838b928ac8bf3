/* ccsim import: CSV trace -> chunked, compressed HDF5 with units and source as attributes.
 * Never replaces its input: an output that is the input file (by any name) is refused, and the
 * output is written under a temporary name, then renamed (ccs_trace_save_h5). */
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
    fprintf(f, "usage: ccsim import FILE.csv -o FILE.h5 [--column NAME] [--fill none|previous|linear]\n"
               "                    [--select AREA] [--source TEXT]\n"
               "\n"
               "Reads a time series in one of the known CSV forms (generic 'timestamp,value',\n"
               "'Time,Carbon Intensity', Electricity Maps exports, 'Datetime (UTC),...,Price (CUR/MWh)',\n"
               "Ember's day-ahead prices, Energinet's Elspot prices (';', decimal commas),\n"
               "'timestamp_utc,requests'), validates it (order, duplicates, gaps, NaN, negatives)\n"
               "and writes datasets /timestamp_us and /value with units, kind and source attributes.\n"
               "--select keeps one area of a file that holds several (Energinet DK1, Ember DEU).\n");
}

int ccs_cli_import(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"column", required_argument, 0, 'c'},
                                         {"fill", required_argument, 0, 'f'},
                                         {"source", required_argument, 0, 's'},
                                         {"select", required_argument, 0, 'a'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out = NULL, *source = NULL;
    ccs_trace_opts topts = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:c:f:s:a:h", opts, NULL)) != -1) {
        switch (c) {
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
            printf("%s: %zu rows, step %llds, %s [%s] -> %s\n", argv[optind], ccs_trace_len(t),
                   (long long)(ccs_trace_step_us(t) / 1000000), ccs_trace_column(t), ccs_trace_units(t), out);
        ccs_trace_destroy(t);
    }
    if (rc) fprintf(stderr, "ccsim import: %s\n", err.msg);
    return rc;
}
