/* Subcommands of the ccsim command line; one file each. Each returns the process exit code:
 * 0 success, 2 bad input or usage, 3 a file could not be read or written, 4 the run failed. */
#ifndef CCS_CLI_H
#define CCS_CLI_H

int ccs_cli_run(int argc, char **argv);
int ccs_cli_import(int argc, char **argv);
int ccs_cli_sweep(int argc, char **argv);
int ccs_cli_report(int argc, char **argv);
int ccs_cli_plot(int argc, char **argv);

#endif
