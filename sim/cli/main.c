/* ccsim: the command-line entry point. Dispatches to one file per subcommand. */
#include "ccs_config.h"
#include "ccs_paths.h"
#include "cli.h"
#include "policy.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: ccsim <command> [options]\n"
               "\n"
               "Discrete-event simulator for carbon and cost what-if analysis of AI compute in\n"
               "retail and e-commerce: replays grid carbon-intensity and price traces and traffic\n"
               "against scheduling policies and reports carbon, cost, freshness and P95 latency.\n"
               "\n"
               "commands:\n"
               "  run [SCENARIO.yaml]      simulate a scenario (default: scenarios/default.yaml)\n"
               "  import FILE.csv -o F.h5  convert a CSV trace to a compressed HDF5 trace\n"
               "  sweep SCENARIO.yaml      run its sweep section in parallel, resumable (mpirun too)\n"
               "  report DIR               a sweep's finance sign-off report (md, csv, html)\n"
               "  plot DIR                 redraw a sweep's trade-off curves and time series\n"
               "\n"
               "options:\n"
               "  -h, --help               this help; 'ccsim COMMAND --help' for a command's\n"
               "  -V, --version            print the version and the data folder in use\n"
               "\n"
               "exit codes: 0 ok, 2 bad input or usage, 3 file not readable/writable, 4 run failed\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    /* a reader that goes away (gnuplot failing, a closed pipe) is an error code, not a kill */
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        /* the data folder too: which install (or source tree) this binary reads profiles from */
        printf("ccsim %s\ndata: %s\n", CCS_VERSION, ccs_data_dir());
        return 0;
    }
    if (strcmp(cmd, "run") == 0) return ccs_cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "import") == 0) return ccs_cli_import(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0) return ccs_cli_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0) return ccs_cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0) return ccs_cli_plot(argc - 1, argv + 1);
    fprintf(stderr, "ccsim: unknown command '%s': expected run, import, sweep, report or plot (see ccsim --help)\n",
            cmd);
    return 2;
}
